// The lab's tools need the Node major the images use (NODE_IMAGE in .env). Every npm script checks it first with
// native/need-node.mjs, and npm ci refuses another major (.npmrc's engine-strict, package.json's engines).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { readDotEnv, REPO_ROOT as ROOT } from '../../verify/compose.ts';

const GUARD = 'node native/need-node.mjs && ';
const imageMajor = Number(/^node:(\d+)\./.exec(readDotEnv().NODE_IMAGE ?? '')?.[1]);
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  engines: { node: string };
};

/** Runs the guard (on this Node) in a copy of the repo whose .env holds `envText`. */
function runGuard(envText: string): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'need-node-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  mkdirSync(join(dir, 'native'));
  copyFileSync(join(ROOT, 'native', 'need-node.mjs'), join(dir, 'native', 'need-node.mjs'));
  writeFileSync(join(dir, '.env'), envText);
  const run = spawnSync(process.execPath, ['native/need-node.mjs'], { cwd: dir, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('Node version guard', () => {
  test('every npm script checks the Node major before anything else', () => {
    const scripts = Object.entries(packageJson.scripts);
    assert.ok(scripts.length > 0);
    for (const [name, command] of scripts) assert.ok(command.startsWith(GUARD), `${name}: ${command}`);
  });

  test("on the images' major it says nothing and lets the script run", () => {
    assert.equal(Number(process.versions.node.split('.')[0]), imageMajor, 'run the unit tests on Node 24');
    const run = spawnSync(process.execPath, [join(ROOT, 'native', 'need-node.mjs')], { encoding: 'utf8' });
    assert.deepEqual([run.status, run.stdout, run.stderr], [0, '', '']);
  });

  test('on another major it stops with one line naming the Node needed and how to get it', () => {
    const other = imageMajor + 1;
    const run = runGuard(`# pins\nNODE_IMAGE=node:${String(other)}.0.0-bookworm-slim\nOTHER=1\n`);
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0] ?? '', new RegExp(`needs Node ${String(other)}, not ${process.version}\\b`));
    assert.match(lines[0] ?? '', /source native\/use-node24\.sh/);
  });

  test('a malformed NODE_IMAGE is one clear line, not a stack trace', () => {
    const run = runGuard('NODE_IMAGE=node-24\n');
    assert.equal(run.status, 1);
    assert.equal(run.stderr, '.env: NODE_IMAGE must look like node:<version>-<variant>\n');
  });
});

describe('npm ci on another Node', () => {
  test("package.json's engines allow exactly the images' major", () => {
    assert.equal(packageJson.engines.node, `>=${String(imageMajor)} <${String(imageMajor + 1)}`);
  });

  test('.npmrc makes npm enforce engines (npm 11 checks the root package too)', () => {
    const settings = readFileSync(join(ROOT, '.npmrc'), 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('#') && line.trim() !== '');
    assert.deepEqual(settings, ['engine-strict=true']);
  });
});
