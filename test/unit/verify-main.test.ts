import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseOptions, splitSkipEnv, UsageError } from '../../verify/main.ts';
import { nativeLabUp } from '../../verify/native-lab.ts';

describe('verify command line', () => {
  it('defaults to one attempt, a 15 minute lookback and the compose lab', () => {
    const options = parseOptions([], {});
    assert.notEqual(options, 'help');
    if (options === 'help') return;
    assert.equal(options.waitMs, 0);
    assert.equal(options.lookbackMs, 900_000);
    assert.equal(options.lab, 'compose');
    assert.deepEqual([...options.skipped], []);
    assert.match(options.composeFile, /docker-compose\.yaml$/);
    assert.equal(options.inNetwork, false, 'published host ports unless VERIFY_IN_NETWORK=1');
  });

  it('checks the native lab by itself when it is up: its logs in the hints, what native:up left out skipped', () => {
    const native = {
      logDir: '/repo/.native/logs',
      skipped: { tempo: 'no Tempo binary (TEMPO_BINARY unset, no tempo on PATH): set TEMPO_BINARY to …' },
    };
    const seen = parseOptions([], {}, native);
    assert.ok(seen !== 'help');
    assert.equal(seen.lab, 'native');
    assert.equal(seen.logDir, '/repo/.native/logs');
    assert.deepEqual(
      [...seen.skipped],
      [['tempo', `native:up left it out: ${native.skipped.tempo}`]],
      'skipped with native:up own reason',
    );
    // Told otherwise, it does as told: --lab compose, or its own --skip reason and --log-dir.
    const compose = parseOptions(['--lab', 'compose'], {}, native);
    assert.ok(compose !== 'help' && compose.lab === 'compose' && compose.skipped.size === 0);
    assert.equal(compose.logDir, undefined);
    const own = parseOptions(['--skip', 'tempo=mine', '--log-dir', 'x'], {}, native);
    assert.ok(own !== 'help');
    assert.deepEqual([...own.skipped], [['tempo', 'mine']]);
    assert.equal(own.logDir, 'x');
    // The compose tool runs in the compose network: the host's native lab is not what it checks.
    const inside = parseOptions([], { VERIFY_IN_NETWORK: '1' }, native);
    assert.ok(inside !== 'help' && inside.lab === 'compose');
  });

  it("sees the native lab by its state file, with native:up's skips and the logs beside it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'verify-native-'));
    try {
      const state = path.join(dir, 'state.json');
      assert.equal(nativeLabUp(state), undefined, 'no state file: no native lab');
      mkdirSync(path.join(dir, 'logs'));
      writeFileSync(state, JSON.stringify({ started: '', addresses: {}, skipped: { tempo: 'why' } }));
      assert.deepEqual(nativeLabUp(state), { logDir: path.join(dir, 'logs'), skipped: { tempo: 'why' } });
      writeFileSync(state, '{"started": ');
      assert.deepEqual(nativeLabUp(state), { logDir: path.join(dir, 'logs'), skipped: {} }, 'half-written');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('goes in-network (compose names, container ports) only with VERIFY_IN_NETWORK=1', () => {
    const inside = parseOptions([], { VERIFY_IN_NETWORK: '1' });
    assert.ok(inside !== 'help' && inside.inNetwork);
    const empty = parseOptions([], { VERIFY_IN_NETWORK: '' });
    assert.ok(empty !== 'help' && !empty.inNetwork);
    assert.throws(
      () => parseOptions([], { VERIFY_IN_NETWORK: 'yes' }),
      /VERIFY_IN_NETWORK=yes: must be 1 or unset/,
    );
    assert.throws(() => parseOptions([], { VERIFY_IN_NETWORK: 'yes' }), UsageError);
  });

  it('reads --wait, --skip with reasons, --only, --lab and --log-dir', () => {
    const options = parseOptions(
      [
        '--wait',
        '90s',
        '--skip',
        'tempo=not in the native lab',
        '--skip',
        'jaeger',
        '--only',
        'collector',
        '--lab',
        'native',
        '--log-dir',
        '/tmp/logs',
      ],
      {},
    );
    assert.notEqual(options, 'help');
    if (options === 'help') return;
    assert.equal(options.waitMs, 90_000);
    assert.deepEqual(
      [...options.skipped],
      [
        ['tempo', 'not in the native lab'],
        ['jaeger', 'skipped with --skip'],
      ],
    );
    assert.deepEqual(options.only, ['collector']);
    assert.equal(options.lab, 'native');
    assert.equal(options.logDir, '/tmp/logs');
  });

  it('takes skips, lab and log dir from the environment the native runner sets', () => {
    const options = parseOptions([], {
      VERIFY_SKIP: 'tempo=Tempo, the AGPL one, is not built natively,jaeger',
      VERIFY_LAB: 'native',
      VERIFY_LOG_DIR: '/var/lab',
    });
    assert.notEqual(options, 'help');
    if (options === 'help') return;
    assert.deepEqual(
      [...options.skipped],
      [
        ['tempo', 'Tempo, the AGPL one, is not built natively'],
        ['jaeger', 'skipped with --skip'],
      ],
    );
    assert.equal(options.lab, 'native');
    assert.equal(options.logDir, '/var/lab');
  });

  it('splits VERIFY_SKIP only before component names', () => {
    assert.deepEqual(splitSkipEnv('tempo=a, b,prometheus'), ['tempo=a, b', 'prometheus']);
    assert.deepEqual(splitSkipEnv(''), []);
    assert.deepEqual(splitSkipEnv(undefined), []);
  });

  it('refuses unknown components, bad durations and unknown flags', () => {
    assert.throws(() => parseOptions(['--skip', 'grafana'], {}), UsageError);
    assert.throws(() => parseOptions(['--only', 'kafka'], {}), /--only kafka: not a component/);
    assert.throws(() => parseOptions(['--wait', 'soon'], {}), /--wait: "soon" is not a duration/);
    assert.throws(() => parseOptions(['--lab', 'k8s'], {}), /must be compose or native/);
    assert.throws(() => parseOptions(['--frobnicate'], {}), UsageError);
  });

  it('answers --help', () => {
    assert.equal(parseOptions(['-h'], {}), 'help');
  });
});
