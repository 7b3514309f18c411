// The learner's compose tools (`docker compose run --rm verify`, `docker compose run --rm fault …`) run on the
// native lab the way compose runs them: the tool's own entry point and environment from docker-compose.yaml,
// inside the tool's network namespace (the native lab gives every compose service one, on the lab's bridge,
// with compose's host names), with the repository files its bind mounts map. There, 127.0.0.1 is the
// namespace's own: verify can pass only by reaching the components by compose name and container port.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { nsName } from '../../native/lib/netns.ts';
import { readState } from '../../native/lib/state.ts';
import { COMPONENTS, type Component } from '../../verify/check.ts';
import { MARKS } from '../../verify/format.ts';
import { type Tool, toolDefinition, toolScript } from '../unit/compose-tools.ts';
import {
  assertLoadRunning,
  loadRunningFor,
  npmRun,
  poll,
  printLogsOnFailure,
  repoRoot,
  type RunResult,
  urls,
} from './lab.ts';

printLogsOnFailure();

/** verify's components whose compose services the native lab does not run (as 1-lab.test.ts skips them). */
const ABSENT: Partial<Record<Component, string>> = { tempo: 'tempo' };

/** `node <args>` in a tool's namespace, with only the given environment (a container inherits nothing). */
function nodeInNamespace(
  name: Tool,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', nsName(name), process.execPath, ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** What `docker compose run --rm <tool> <args>` runs: the tool's entry point with its compose environment. */
function runTool(
  name: Tool,
  args: readonly string[],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunResult> {
  const tool = toolDefinition(name);
  assert.equal(tool.entrypoint[0], 'node');
  const env = { ...tool.environment, ...opts.env };
  return nodeInNamespace(name, [toolScript(tool), ...args], env, opts.timeoutMs ?? 30_000);
}

/** How long GET <url> takes, in ms. */
async function timed(url: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  assert.equal(res.status, 200, url);
  return performance.now() - started;
}

describe('docker compose run --rm verify, inside the lab network', { timeout: 600_000 }, () => {
  test('127.0.0.1 in the tool namespace is its own: the published ports are not there', async () => {
    const published = new URL(urls.apps.fastify).port;
    const probe = `require('net').connect(${published}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`;
    const { code } = await nodeInNamespace('verify', ['-e', probe], {}, 10_000);
    assert.equal(code, 1, `127.0.0.1:${published} answered inside ${nsName('verify')}`);
  });

  test(
    'passes every check that applies to the native lab, through compose names',
    { timeout: 360_000 },
    async () => {
      await loadRunningFor(60_000);
      assertLoadRunning();
      const skipped = readState().skipped;
      const skips = Object.entries(ABSENT).flatMap(([component, service]) => {
        const reason = skipped[service];
        return reason === undefined ? [] : ['--skip', `${component}=${reason}`];
      });
      // The memory check reads the native lab's cgroups on the host; a container sees only its own.
      skips.push('--skip', 'memory=the cgroups are read on the host (npm run verify)');
      const { code, output } = await runTool('verify', ['--wait', '3m', '--lab', 'native', ...skips], {
        timeoutMs: 300_000,
      });
      console.log(output);
      assert.equal(code, 0, 'verify exit code');
      assert.match(output, /^Checking the native lab \(compose names and container ports from /m);
      assert.ok(!output.includes(` ${MARKS.fail} `), 'no check failed');
      const summary = /^verify: (\d+) passed, 0 failed, (\d+) skipped$/m.exec(output);
      assert.ok(summary !== null, 'summary line');
      assert.ok(Number(summary[1]) >= 12, `${summary[1] ?? ''} passed`);
      for (const component of Object.keys(COMPONENTS) as Component[]) {
        assert.ok(output.includes(COMPONENTS[component].title), `a ${component} section`);
      }
    },
  );

  test('without VERIFY_IN_NETWORK (the host mode) it cannot reach the lab from there', async () => {
    const { code, output } = await runTool('verify', ['--only', 'services'], {
      env: { VERIFY_IN_NETWORK: '' },
      timeoutMs: 60_000,
    });
    assert.equal(code, 1, output);
    assert.match(output, /127\.0\.0\.1/);
  });
});

describe('docker compose run --rm fault, writing the file the services read', { timeout: 300_000 }, () => {
  after(async () => {
    await runTool('fault', ['clear']);
  });

  test("README's example switches the fault on, and `list` shows it", async () => {
    const on = await runTool('fault', ['nestjs', 'latency', '800ms', '--route', '/chain']);
    assert.equal(on.code, 0, on.output);
    assert.match(on.output, /^Switched on: /m);
    const list = await runTool('fault', ['list']);
    assert.equal(list.code, 0, list.output);
    assert.match(list.output, /nestjs/);
    assert.match(list.output, /\/chain/);
    // The same state as `npm run fault` sees: one file.
    const npmList = await npmRun('fault', ['list']);
    assert.equal(npmList.output, list.output);
  });

  test(
    'the services follow what the tool writes, and `clear` brings them back',
    { timeout: 120_000 },
    async () => {
      const url = `${urls.apps.express}/`;
      assert.ok((await timed(url)) < 500, 'express GET / is fast before the fault');
      const on = await runTool('fault', ['express', 'latency', '1200ms', '--route', '/']);
      assert.equal(on.code, 0, on.output);
      await poll('express GET / slowed by the fault', async () => {
        const ms = await timed(url);
        if (ms < 1_100) throw new Error(`${String(Math.round(ms))} ms`);
      });
      const clear = await runTool('fault', ['clear']);
      assert.equal(clear.code, 0, clear.output);
      assert.match(clear.output, /All faults cleared/);
      await poll('express GET / fast again', async () => {
        const ms = await timed(url);
        if (ms > 500) throw new Error(`${String(Math.round(ms))} ms`);
      });
    },
  );

  test('a bad argument gets the same clear error as npm run fault, each naming its own command, and changes nothing', async () => {
    const args = ['nestjs', 'latency', 'fast'];
    const tool = await runTool('fault', args);
    const npm = await npmRun('fault', args);
    assert.equal(tool.code, 2);
    assert.equal(npm.code, 2);
    // The same message; the compose tool names `docker compose run --rm fault`, npm `npm run fault`.
    assert.equal(
      tool.output.replaceAll('docker compose run --rm fault', 'TOOL'),
      npm.output.replaceAll('npm run fault --', 'TOOL').replaceAll('npm run fault', 'TOOL'),
    );
    assert.match(tool.output, /^docker compose run --rm fault: .+\. Nothing changed\.$/m);
    assert.match(tool.output, /^Usage: docker compose run --rm fault help$/m);
  });
});
