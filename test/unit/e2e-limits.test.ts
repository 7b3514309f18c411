// No end-to-end file can hang CI (issue 26): every e2e file is bounded by the test runner's own timeouts, says
// what it was waiting for when one fires, and its process ends even when a timed-out test left work behind.
// Also: a restart row that fails ends its own background /chain calls, and a component the native lab left out
// is skipped in the restart matrix with the reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';
import {
  E2E_PLAN,
  measureRestart,
  restartSkipReason,
  RESTART_COMPONENTS,
  type Sent,
} from '../../bench/restarts.ts';
import { REPO_ROOT } from '../../verify/compose.ts';
import { hungReport, pendingReport, pendingWaits, waitingFor } from '../e2e/waits.ts';

const e2eDir = path.join(REPO_ROOT, 'test', 'e2e');
const e2eFiles = readdirSync(e2eDir).filter((f) => f.endsWith('.test.ts'));

/** The top-level `describe(...)` / `test(...)` calls of a file, with whether their options name a timeout. */
function topLevelCalls(file: string): { name: string; line: number; timeout: boolean }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const calls: { name: string; line: number; timeout: boolean }[] = [];
  for (const statement of source.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) continue;
    const call = statement.expression;
    if (!ts.isIdentifier(call.expression) || !['describe', 'test'].includes(call.expression.text)) continue;
    const options = call.arguments.find(ts.isObjectLiteralExpression);
    const timeout =
      options?.properties.some(
        (p) => p.name !== undefined && ts.isIdentifier(p.name) && p.name.text === 'timeout',
      ) ?? false;
    const line = source.getLineAndCharacterOfPosition(call.getStart()).line + 1;
    calls.push({ name: call.expression.text, line, timeout });
  }
  return calls;
}

describe('every e2e file has a time limit', () => {
  test('test:e2e bounds every test and hook without its own timeout (--test-timeout)', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const script = pkg.scripts['test:e2e'] ?? '';
    const timeout = /--test-timeout=(\d+)/.exec(script);
    assert.ok(timeout !== null, `test:e2e has no --test-timeout: ${script}`);
    assert.ok(
      Number(timeout[1]) > 0 && Number(timeout[1]) <= 30 * 60_000,
      `--test-timeout=${timeout[1] ?? ''}`,
    );
    // --test-force-exit would also skip the global teardown (native:down): waits.ts ends hung files instead.
    assert.doesNotMatch(script, /--test-force-exit/);
  });

  test('there are e2e files to check', () => {
    assert.ok(e2eFiles.length >= 10, e2eFiles.join(', '));
  });

  for (const file of e2eFiles) {
    test(`${file}: a timeout on each top-level describe/test, and the end-of-file guard`, () => {
      const full = path.join(e2eDir, file);
      const calls = topLevelCalls(full);
      assert.ok(calls.length > 0, 'no top-level describe or test');
      for (const c of calls) assert.ok(c.timeout, `${file}:${String(c.line)}: ${c.name}(...) has no timeout`);
      assert.match(
        readFileSync(full, 'utf8'),
        /^printLogsOnFailure\(\);$/m,
        'printLogsOnFailure() not called',
      );
    });
  }
});

describe('waits: what a file was waiting for', () => {
  test('a wait is pending while its work runs, and gone once it settles, resolved or rejected', async () => {
    let release: () => void = () => undefined;
    const work = waitingFor(
      'Jaeger to hold the trace',
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    assert.deepEqual(
      pendingWaits().map((w) => w.replace(/\(for \d+ s\)/, '(for N s)')),
      ['Jaeger to hold the trace (for N s)'],
    );
    release();
    await work;
    await assert.rejects(waitingFor('a failing script', Promise.reject(new Error('exit 1'))), /exit 1/);
    assert.deepEqual(pendingWaits(), []);
  });

  test('the reports name the file, what it waited for and what holds it open', () => {
    assert.equal(pendingReport('test/e2e/x.test.ts', []), '');
    assert.equal(
      pendingReport('test/e2e/x.test.ts', ['npm run native:start -- tempo (for 20 s)']),
      'e2e test/e2e/x.test.ts: stopped while waiting for: npm run native:start -- tempo (for 20 s)',
    );
    assert.equal(
      hungReport('test/e2e/x.test.ts', 60_000, [], ['Timeout', 'TTYWrap', 'TCPSocketWrap']),
      'e2e test/e2e/x.test.ts: still running 60 s after its last test, so it is ended as failed; ' +
        'waiting for: nothing registered; open: Timeout, TCPSocketWrap',
    );
  });

  test('under the test runner, a file that times out with work left behind ends, failed, naming its wait', () => {
    const fixture = path.join('test', 'unit', 'fixtures', 'e2e-hang', 'hangs.fixture.ts');
    const t0 = Date.now();
    const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', fixture], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NODE_TEST_CONTEXT: undefined },
    });
    const output = `${run.stdout}${run.stderr}`;
    assert.equal(run.signal, null, `the runner was killed after 60 s: the file hung\n${output}`);
    assert.notEqual(run.status, 0, output);
    assert.ok(Date.now() - t0 < 30_000, `took ${String(Date.now() - t0)} ms`);
    assert.match(output, /test timed out after 1000ms/);
    assert.match(output, /a suite that waits too long/);
    assert.match(output, /stopped while waiting for: a backend that never answers \(for \d+ s\)/);
    assert.match(
      output,
      /hangs\.fixture\.ts: still running 0\.5 s after its last test, so it is ended as failed/,
    );
  });
});

describe('restart matrix: a failed row and a component the lab left out', () => {
  test('a component native:up left out is skipped with the reason; a running one is not', () => {
    const skipped = { tempo: 'no Tempo binary: set TEMPO_BINARY' };
    assert.equal(
      restartSkipReason('tempo', skipped),
      'tempo is not in this native lab: no Tempo binary: set TEMPO_BINARY',
    );
    for (const c of RESTART_COMPONENTS.filter((c) => c !== 'tempo'))
      assert.equal(restartSkipReason(c, skipped), undefined);
  });

  test('a stop that throws: the row rejects, its steady /chain calls end, and the component is started again', async () => {
    const scripts: string[] = [];
    let sends = 0;
    const ops = {
      script: (script: 'stop' | 'start', args: string[], logName: string): Promise<number> => {
        scripts.push(`${script} ${args.join(' ')} (${logName})`);
        return script === 'stop'
          ? Promise.reject(new Error('sh: exec: tempo: not found'))
          : Promise.resolve(5);
      },
      send: (root: Sent['root'], sent: Sent[]): Promise<void> => {
        sends += 1;
        sent.push({ root, window: 'before', traceId: '0', status: 200 });
        return Promise.resolve();
      },
    };
    const plan = { ...E2E_PLAN, leadMs: 50, everyMs: 10 };
    const zero = { fastify: 0, nestjs: 0, express: 0 };
    await assert.rejects(
      measureRestart('tempo', 'stop', plan, zero, () => undefined, ops),
      /tempo: not found/,
    );
    const after = sends;
    assert.ok(after > 0, 'the steady calls never started');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(sends, after, 'steady /chain calls went on after the row failed');
    assert.deepEqual(scripts, [
      'stop tempo (restart-tempo-stop-stop)',
      'start tempo (restart-tempo-stop-rescue)',
    ]);
  });
});
