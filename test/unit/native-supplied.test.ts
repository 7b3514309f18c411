// What a user supplies to the native lab (native/lib/supplied.ts): Tempo's release binary, checked against
// TEMPO_VERSION with small stand-in executables (same version, another version, not executable, missing), and the
// Jaeger UI's build folder; and the one-line messages that say what is left out and how to bring it.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { skipReason } from '../../native/up.ts';
import {
  findJaegerUi,
  findTempo,
  parseTempoVersion,
  suppliedParts,
  tempoHint,
} from '../../native/lib/supplied.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'lab-supplied-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A stand-in `tempo` that prints what Tempo's `--version` prints (Prometheus' version.Print) for `version`. */
function standIn(name: string, version: string, mode = 0o755): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    `#!/bin/sh\n[ "$1" = "--version" ] || exit 2\n` +
      `echo "tempo, version ${version} (branch: HEAD, revision: 0123abc)"\n` +
      `echo "  build user:       ci"\necho "  go version:       go1.25.1"\n`,
  );
  chmodSync(file, mode);
  return file;
}

/** An environment with nothing on PATH but `pathDir` (when given). */
const env = (vars: Record<string, string>, pathDir = path.join(dir, 'empty-path')): NodeJS.ProcessEnv => ({
  PATH: pathDir,
  ...vars,
});

describe('Tempo from TEMPO_BINARY or PATH', () => {
  test('its --version line is parsed', () => {
    assert.equal(parseTempoVersion('tempo, version 3.0.3 (branch: HEAD, revision: 1a2b)'), '3.0.3');
    assert.equal(parseTempoVersion('tempo, version v2.9.0-rc.1 (branch: r2.9)'), '2.9.0-rc.1');
    assert.equal(parseTempoVersion('usage: tempo [flags]'), undefined);
  });

  test('the pinned version is found, from TEMPO_BINARY or as tempo on PATH', () => {
    const binary = standIn('tempo-same', '3.0.3');
    assert.deepEqual(findTempo('3.0.3', env({ TEMPO_BINARY: binary })), { found: true, path: binary });
    const onPath = path.join(dir, 'bin');
    mkdirSync(onPath, { recursive: true });
    const tempo = path.join(onPath, 'tempo');
    writeFileSync(tempo, '#!/bin/sh\necho "tempo, version 3.0.3 (branch: HEAD, revision: x)"\n');
    chmodSync(tempo, 0o755);
    assert.deepEqual(findTempo('v3.0.3', env({}, onPath)), { found: true, path: tempo });
  });

  test('another version is refused in one line naming both', () => {
    const binary = standIn('tempo-other', '2.9.1');
    assert.throws(
      () => findTempo('3.0.3', env({ TEMPO_BINARY: binary })),
      (err: Error) => {
        assert.equal(err.message.split('\n').length, 1);
        assert.match(
          err.message,
          /TEMPO_BINARY=.*tempo-other is Tempo 2\.9\.1, but \.env pins TEMPO_VERSION=3\.0\.3/,
        );
        assert.match(err.message, /releases\/tag\/v3\.0\.3/);
        return true;
      },
    );
  });

  test('a binary that does not say its version is refused, quoting what it said', () => {
    const file = path.join(dir, 'not-tempo');
    writeFileSync(file, '#!/bin/sh\necho "prometheus, version 3.16.0"\n');
    chmodSync(file, 0o755);
    assert.throws(() => findTempo('3.0.3', env({ TEMPO_BINARY: file })), /is Tempo 3\.16\.0, but/);
    const mute = path.join(dir, 'mute');
    writeFileSync(mute, '#!/bin/sh\necho "hello"\n');
    chmodSync(mute, 0o755);
    assert.throws(
      () => findTempo('3.0.3', env({ TEMPO_BINARY: mute })),
      /Tempo of unknown version \("hello"\)/,
    );
  });

  test('a file that is not executable is refused, saying how to bring the right one', () => {
    const binary = standIn('tempo-noexec', '3.0.3', 0o644);
    assert.throws(
      () => findTempo('3.0.3', env({ TEMPO_BINARY: binary })),
      /TEMPO_BINARY=.*tempo-noexec: not an executable file; set TEMPO_BINARY to the tempo 3\.0\.3 release binary/,
    );
    const failing = path.join(dir, 'tempo-fails');
    writeFileSync(failing, '#!/bin/sh\nexit 3\n');
    chmodSync(failing, 0o755);
    assert.throws(() => findTempo('3.0.3', env({ TEMPO_BINARY: failing })), /`--version` failed \(exit 3\)/);
  });

  test('a named file that is missing is refused; none named and none on PATH leaves Tempo out, saying how', () => {
    assert.throws(
      () => findTempo('3.0.3', env({ TEMPO_BINARY: path.join(dir, 'nope') })),
      /TEMPO_BINARY=.*nope: no such file/,
    );
    const none = findTempo('3.0.3', env({}));
    assert.deepEqual(none, {
      found: false,
      reason: `no Tempo binary (TEMPO_BINARY unset, no tempo on PATH): ${tempoHint('3.0.3')}`,
    });
    assert.doesNotMatch(tempoHint('3.0.3'), /\n/, 'one line');
  });
});

describe('the Jaeger UI from JAEGER_UI_DIR', () => {
  test('a folder with the UI build is found; unset leaves the placeholder, saying how to bring the UI', () => {
    const ui = path.join(dir, 'ui');
    mkdirSync(ui, { recursive: true });
    writeFileSync(path.join(ui, 'index.html'), '<body><div id="jaeger-ui-root"></div></body>');
    assert.deepEqual(findJaegerUi('1.74.0', { JAEGER_UI_DIR: ui }), { found: true, path: ui });
    const none = findJaegerUi('1.74.0', {});
    assert.ok(!none.found);
    assert.match(
      none.reason,
      /^no Jaeger UI build \(JAEGER_UI_DIR unset\): set JAEGER_UI_DIR to the folder of/,
    );
    assert.match(none.reason, /jaeger-ui\/releases\/tag\/v1\.74\.0/);
  });

  test('a folder without the UI build is refused, naming what is missing', () => {
    const empty = path.join(dir, 'ui-empty');
    mkdirSync(empty, { recursive: true });
    assert.throws(() => findJaegerUi('1.74.0', { JAEGER_UI_DIR: empty }), /ui-empty: no index\.html there/);
    writeFileSync(path.join(empty, 'index.html'), '<html>something else</html>');
    assert.throws(() => findJaegerUi('1.74.0', { JAEGER_UI_DIR: empty }), /not the Jaeger UI's/);
  });
});

test('without either part: Tempo is left out of the lab and jaeger-query lacks the UI, each with its reason', () => {
  const parts = suppliedParts({ tempo: '3.0.3', jaegerUi: '1.74.0' }, env({}));
  assert.equal(parts.tempo, undefined);
  assert.equal(parts.jaegerUi, undefined);
  assert.match(parts.skipped.tempo ?? '', /^no Tempo binary/);
  assert.match(parts.skipped['jaeger-ui'] ?? '', /^no Jaeger UI build/);
  assert.equal(skipReason('tempo', parts), parts.skipped.tempo);
  assert.equal(skipReason('jaeger-query', parts), undefined, 'jaeger-query runs, with the placeholder page');
  assert.equal(skipReason('prometheus', parts), undefined);
});
