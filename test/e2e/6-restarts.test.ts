// The restart matrix (bench/restarts.ts), graceful stops: under the lab's load, each component in turn is
// stopped, left down 20 s (the collector: 3 s, see LOSS_BOUND) and started again, with a tagged /chain every second around it. For each: the collector
// loses no /chain trace, every other loss stays within the bound below, span metrics and service-graph edges move
// again, verify fails naming the component while it is down and passes again with nothing else restarted.
// The SIGKILL variants run in the bench only (`npm run bench -- --only restarts`): they double the ~10 min this
// file takes, and what they add (no flush on the way down) the graceful rows already bound for the backends.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { AppService } from '../../verify/lab.ts';
import { readState } from '../../native/lib/state.ts';
import {
  chainBaseline,
  describeRow,
  E2E_PLAN,
  lostIn,
  measureRestart,
  RESTART_COMPONENTS,
  restartSkipReason,
  type RestartComponent,
  type RestartPlan,
} from '../../bench/restarts.ts';
import { assertLoadRunning, clearFaults, loadRunningFor, printLogsOnFailure } from './lab.ts';
import { waitingFor } from './waits.ts';

printLogsOnFailure();

const TEMPO_SKIPPED = readState().skipped.tempo;

/**
 * The most traces a graceful restart of each component may cost in each backend, with why. Zero unless the
 * component's own data path cannot hold what arrives while it restarts.
 */
const LOSS_BOUND: Record<RestartComponent, { jaeger: number; tempo: number; why: string }> = {
  // The collector: spans wait in the services' SDK exporters while it restarts (issue 16). Their OTLP/HTTP
  // retries span ~13 s (docker-compose.yaml), so this row restarts it within a few seconds (COLLECTOR_DOWN_MS),
  // like `docker compose restart`; a longer outage loses what the services made more than ~13 s before its end
  // (the bench's 20 s rows measure it).
  'otel-collector': { jaeger: 0, tempo: 0, why: 'nothing may be lost' },
  // The collector's sending queue to Tempo holds spans while Tempo is down, but Tempo itself loses a few traces
  // arriving around its restart: its live-store partition is pending ~15 s after /ready (lab-notes), and the
  // bench's full runs (2026-12-02) lost 4 of 46 when stopped and 3-4 of 35 when killed, most sent just before
  // the stop; e2e runs none.
  tempo: { jaeger: 0, tempo: 15, why: 'Tempo loses a few traces arriving around its own restart' },
  // The collector's sending queue to Jaeger holds spans while the Jaeger collector is down.
  'jaeger-collector': { jaeger: 0, tempo: 0, why: 'the collector queues for Jaeger' },
  // Only the read side: nothing is written through it.
  'jaeger-query': { jaeger: 0, tempo: 0, why: 'no write goes through it' },
  // jaeger-collector's storage exporter fails the OTLP export while Cassandra is down, so the collector keeps the
  // spans in its sending queue and retries them (measured 2026-12-02: none lost over a 20 s outage).
  cassandra: { jaeger: 0, tempo: 0, why: 'a failed write is retried from the collector queue' },
  // Span metrics only: traces never pass through it.
  prometheus: { jaeger: 0, tempo: 0, why: 'traces never pass through Prometheus' },
  // While express is down every /chain fails (all chains call it) and is not counted; answered ones are whole.
  express: { jaeger: 0, tempo: 0, why: 'refused requests make no trace to lose' },
};

/** How long the collector stays down in its row: a restart, well inside the services' ~13 s of retries. */
const COLLECTOR_DOWN_MS = 3_000;

function planFor(component: RestartComponent): RestartPlan {
  return component === 'otel-collector' ? { ...E2E_PLAN, downMs: COLLECTOR_DOWN_MS } : E2E_PLAN;
}

describe(
  'restart matrix: each component stopped (the collector 3 s, the others 20 s) and started again under load',
  { timeout: 1_200_000 },
  () => {
    let baseline: Record<AppService, number> | undefined;

    before(async () => {
      await clearFaults(); // the matrix measures a healthy lab: an earlier file's fault must be gone
      await loadRunningFor(30_000);
      baseline = await waitingFor('a baseline /chain of each service, settled in Jaeger', chainBaseline());
      console.log(`baseline /chain spans: ${JSON.stringify(baseline)}`);
    });

    for (const component of RESTART_COMPONENTS) {
      const plan = planFor(component);
      const title = `${component}: stop, ${String(plan.downMs / 1000)} s down, start`;
      // A component native:up left out is not stopped or started: its row is reported skipped, with why.
      test(title, { skip: restartSkipReason(component) ?? false }, async (t) => {
        assertLoadRunning();
        assert.ok(baseline !== undefined, 'no baseline');
        const row = await waitingFor(
          `the restart row ${title}`,
          measureRestart(component, 'stop', plan, baseline, (l) => {
            console.log(l);
          }),
        );
        const bound = LOSS_BOUND[component];
        assert.ok(row.sent >= 10, `only ${String(row.sent)} /chain sent`);
        if (component !== 'express') assert.equal(row.answered, row.sent, 'every /chain answered');
        else assert.ok(row.answered > 0, 'no /chain answered around the express restart');
        assert.ok(
          row.redWhileDown.length > 0 && row.namedWhileDown,
          `verify while ${component} was down: ${row.redWhileDown.join('; ') || 'all green'}`,
        );
        assert.ok(Number.isFinite(row.greenMs), `verify not green again: ${row.stillFailing.join('; ')}`);
        assert.ok(Number.isFinite(row.metricsMs), 'span metrics of /chain did not move again');
        assert.ok(Number.isFinite(row.edgesMs), 'service-graph edges did not move again');
        const lostJaeger = lostIn(row, 'jaeger') ?? 0;
        assert.ok(
          lostJaeger <= bound.jaeger,
          `${String(lostJaeger)} lost in Jaeger (bound ${String(bound.jaeger)}: ${bound.why}); ${describeRow(row)}`,
        );
        await t.test(
          `${component}: what Tempo lost stays within the bound`,
          { skip: TEMPO_SKIPPED === undefined ? false : `Tempo is not in this native lab: ${TEMPO_SKIPPED}` },
          () => {
            const lostTempo = lostIn(row, 'tempo');
            assert.ok(lostTempo !== undefined, 'the row counted no Tempo traces although Tempo runs');
            assert.ok(
              lostTempo <= bound.tempo,
              `${String(lostTempo)} lost in Tempo (bound ${String(bound.tempo)}: ${bound.why}); ${describeRow(row)}`,
            );
          },
        );
      });
    }
  },
);
