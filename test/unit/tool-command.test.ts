// The lab's tools give commands the way they were started (issue 27): `docker compose run --rm fault|verify` on a
// Docker-only laptop, `npm run fault|verify --` from the repository. Run for real as both, and the compose model
// sets what the containers need for it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { COMPOSE_FILE, loadCompose, REPO_ROOT } from '../../verify/compose.ts';
import { TOOL_COMMAND_ENV, toolCommand, toolName } from '../../verify/tool-command.ts';

const COMPOSE_FAULT = 'docker compose run --rm fault';
const COMPOSE_VERIFY = 'docker compose run --rm verify';

/** A tool run as `node <file>` (as the compose entrypoint does) with `env` added; stdout and stderr together. */
function node(
  file: string,
  args: readonly string[],
  env: Record<string, string>,
): { code: number | null; out: string } {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== TOOL_COMMAND_ENV && !k.startsWith('npm_')),
  );
  const r = spawnSync(process.execPath, [file, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...clean, ...env },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** `npm run <script> -- args`, as a developer runs it. */
function npm(script: string, args: readonly string[]): { code: number | null; out: string } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== TOOL_COMMAND_ENV));
  const r = spawnSync('npm', ['run', '--silent', script, '--', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: clean,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('toolCommand', () => {
  test('compose sets it; npm is seen by its lifecycle event; else the node command', () => {
    assert.equal(toolCommand('fault', { [TOOL_COMMAND_ENV]: COMPOSE_FAULT }), COMPOSE_FAULT);
    assert.equal(toolCommand('fault', { npm_lifecycle_event: 'fault' }), 'npm run fault --');
    assert.equal(toolCommand('verify', { npm_lifecycle_event: 'verify' }), 'npm run verify --');
    assert.equal(toolCommand('verify', { npm_lifecycle_event: 'test' }), 'node verify/main.ts');
    assert.equal(toolCommand('fault', {}), 'node faults/main.ts');
    assert.equal(toolName('npm run fault --'), 'npm run fault');
    assert.equal(toolName(COMPOSE_FAULT), COMPOSE_FAULT);
  });

  test("docker-compose.yaml's tool containers say how they are started", () => {
    const { services } = loadCompose(COMPOSE_FILE, {}, { strict: true });
    assert.equal(services.fault?.environment[TOOL_COMMAND_ENV], COMPOSE_FAULT);
    assert.equal(services.verify?.environment[TOOL_COMMAND_ENV], COMPOSE_VERIFY);
  });
});

describe('the fault tool, run for real', () => {
  test('as the compose tool: help and errors give docker compose run commands, never npm', () => {
    const help = node('faults/main.ts', ['help'], { [TOOL_COMMAND_ENV]: COMPOSE_FAULT });
    assert.equal(help.code, 0, help.out);
    assert.match(help.out, /^ {2}docker compose run --rm fault nestjs latency 800ms --route \/chain$/m);
    assert.doesNotMatch(help.out, /npm run/);
    const bad = node('faults/main.ts', ['nestjs', 'latency'], { [TOOL_COMMAND_ENV]: COMPOSE_FAULT });
    assert.equal(bad.code, 2);
    assert.match(
      bad.out,
      /^docker compose run --rm fault: latency needs a value, e\.g\. nestjs latency 800ms\. Nothing changed\.$/m,
    );
    assert.match(bad.out, /^Usage: docker compose run --rm fault help$/m);
  });

  test('through npm: npm run fault -- commands', () => {
    const help = npm('fault', ['help']);
    assert.equal(help.code, 0, help.out);
    assert.match(help.out, /^ {2}npm run fault -- nestjs latency 800ms --route \/chain$/m);
    assert.doesNotMatch(help.out, /docker compose/);
    const bad = npm('fault', ['nestjs', 'latency']);
    assert.equal(bad.code, 2);
    assert.match(bad.out, /^Usage: npm run fault -- help$/m);
  });
});

describe('verify, run for real', () => {
  test('as the compose tool and through npm, its usage line is the command typed', () => {
    const compose = node('verify/main.ts', ['--help'], {
      [TOOL_COMMAND_ENV]: COMPOSE_VERIFY,
      VERIFY_IN_NETWORK: '1',
    });
    assert.equal(compose.code, 0, compose.out);
    assert.match(compose.out, /^Usage: docker compose run --rm verify \[options\]$/m);
    const viaNpm = npm('verify', ['--help']);
    assert.equal(viaNpm.code, 0, viaNpm.out);
    assert.match(viaNpm.out, /^Usage: npm run verify -- \[options\]$/m);
    const bad = node('verify/main.ts', ['--wat'], { [TOOL_COMMAND_ENV]: COMPOSE_VERIFY });
    assert.equal(bad.code, 2);
    assert.match(bad.out, /^Usage: docker compose run --rm verify \[options\]$/m);
  });
});
