// Issue 16, under load: (1) with jaeger-collector stopped, one run of the lab doctor fails, naming it and the
// command that starts it, while jaeger-query still serves the older traces; once it is started again verify
// passes. (2) The collector's sending queue is on disk: spans queued for a stopped jaeger-collector survive a
// restart of the collector itself and reach Jaeger once jaeger-collector is back.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { APP_SERVICES } from '../../verify/lab.ts';
import { readState } from '../../native/lib/state.ts';
import {
  allServicesInJaeger,
  assertLoadRunning,
  collectorMetrics,
  counterValue,
  loadRunningFor,
  npmRun,
  poll,
  printLogsOnFailure,
  sendChain,
} from './lab.ts';

printLogsOnFailure();

const STOPPED = 'jaeger-collector';
const EXPORTER = 'otlp_grpc/jaeger';
/** verify's sections that see a stopped jaeger-collector (memory and Tempo are not what this test is about). */
const ONLY = ['collector', 'jaeger', 'prometheus'].flatMap((c) => ['--only', c]);
/**
 * Spans queued for jaeger-collector before the collector restarts (10-20 s of the background load): far more
 * than the load adds between the collector's start and the test's first look at its queue, so a queue found at
 * least this long after the restart came back from disk.
 */
const QUEUED = 200;
/** Without a Tempo binary (TEMPO_BINARY) native:up leaves Tempo out: verify is told, as in 1-lab.test.ts. */
const TEMPO_SKIPPED = readState().skipped.tempo;
const SKIPS = TEMPO_SKIPPED === undefined ? [] : ['--skip', `tempo=${TEMPO_SKIPPED}`];

function verify(extra: readonly string[] = []): ReturnType<typeof npmRun> {
  return npmRun('verify', [...ONLY, ...SKIPS, '--lab', 'native', '--log-dir', '.native/logs', ...extra], {
    timeoutMs: 240_000,
  });
}

describe(`${STOPPED} stopped under load`, { timeout: 600_000 }, () => {
  after(async () => {
    await npmRun('native:start', [STOPPED, 'otel-collector'], { echo: true, timeoutMs: 120_000 });
  });

  test('verify fails within one run, naming it and how to start it; green again once it is back', async () => {
    await loadRunningFor(60_000);
    const stop = await npmRun('native:stop', [STOPPED], { echo: true, timeoutMs: 60_000 });
    assert.equal(stop.code, 0, stop.output);
    assertLoadRunning();
    // Within one Prometheus scrape interval (15 s) and the newest-trace limit (20 s) of the stop.
    const started = Date.now();
    const failed = await poll(
      'verify fails naming jaeger-collector',
      async () => {
        const run = await verify();
        if (run.code !== 1 || !run.output.includes(`npm run native:start -- ${STOPPED}`))
          throw new Error(`exit ${String(run.code)}:\n${run.output}`);
        return run;
      },
      { timeoutMs: 90_000, intervalMs: 5_000 },
    );
    console.log(`e2e: verify failed ${String(Math.round((Date.now() - started) / 1000))} s after the stop`);
    console.log(failed.output);
    // Its own health endpoint refuses at once; Prometheus' scrape target and the queue follow within seconds.
    assert.match(
      failed.output,
      /✗ jaeger-collector is up \(its health endpoint\)\s+Jaeger collector at \S+ refused/,
    );
    assert.match(failed.output, /start it: npm run native:start -- jaeger-collector/);
    assert.match(failed.output, /lists the three services/, 'jaeger-query still serves the older traces');

    const start = await npmRun('native:start', [STOPPED], { echo: true, timeoutMs: 120_000 });
    assert.equal(start.code, 0, start.output);
    const green = await verify(['--wait', '3m']);
    assert.equal(green.code, 0, green.output);
  });

  test('spans queued for it survive a restart of the collector', async () => {
    const stop = await npmRun('native:stop', [STOPPED], { echo: true, timeoutMs: 60_000 });
    assert.equal(stop.code, 0, stop.output);
    const sent = await Promise.all(APP_SERVICES.map((s) => sendChain(s)));
    // The services export every second and the collector batches for 200 ms: then the spans wait in its queue.
    const queued = await poll(`${EXPORTER} holds a backlog`, async () => {
      const size = counterValue(await collectorMetrics(), 'otelcol_exporter_queue_size', {
        exporter: EXPORTER,
      });
      if (size < QUEUED) throw new Error(`${String(size)} spans queued`);
      return size;
    });
    const restart = await npmRun('native:stop', ['otel-collector'], { echo: true, timeoutMs: 60_000 });
    assert.equal(restart.code, 0, restart.output);
    const back = await npmRun('native:start', ['otel-collector'], { echo: true, timeoutMs: 120_000 });
    assert.equal(back.code, 0, back.output);
    const after = counterValue(await collectorMetrics(), 'otelcol_exporter_queue_size', {
      exporter: EXPORTER,
    });
    console.log(`e2e: ${EXPORTER} queue ${String(queued)} spans before the restart, ${String(after)} after`);
    assert.ok(after >= queued, `the queue came back from disk: ${String(after)} < ${String(queued)}`);
    const start = await npmRun('native:start', [STOPPED], { echo: true, timeoutMs: 120_000 });
    assert.equal(start.code, 0, start.output);
    for (const traceId of sent) await allServicesInJaeger(traceId, 120_000);
  });
});
