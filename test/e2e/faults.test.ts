// Run-time faults (`npm run fault`, issue 7) on the native lab, seen the way a learner sees them: switching a
// latency fault on for one service's route moves that operation's P95 in Prometheus (span metrics) and in
// Jaeger's Monitor tab (/api/metrics/latencies), switching it off brings both back; an error fault raises the
// error rate in both, with ERROR spans that record the injected exception; the other services do not move.
//
// The test drives its own steady traffic at GET /items/:item_id of every service (the lab's background load
// alone calls it only every few seconds), and uses a 30 s rate window (Prometheus `rate(…[30s])`, Jaeger's
// `ratePer`) so that a change shows within seconds and clears within about a minute: the collector flushes span
// metrics every SPANMETRICS_FLUSH_INTERVAL (1 s) and Prometheus scrapes them every 1 s. Margins are wide (a
// 1.2 s fault against a baseline of a few ms) so a loaded 2-core machine does not make the test flaky.
//
// Runs last (after the numbered files): the faults it switches on would disturb their measurements. It clears
// every fault before and after, also when it fails.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseMetricFamily } from '../../verify/apis/jaeger.ts';
import { apiUrl } from '../../verify/http.ts';
import { APP_SERVICES, type AppService } from '../../verify/lab.ts';
import { newTraceparent } from '../../bench/freshness.ts';
import {
  clearFaults,
  fault,
  getJson,
  jaegerSearch,
  jaegerWindow,
  poll,
  printLogsOnFailure,
  promInstant,
  sleep,
  urls,
} from './lab.ts';

printLogsOnFailure();

const ROUTE = '/items/:item_id'; // not called by any /chain: a fault on it moves nothing else
const OPERATION = `GET ${ROUTE}`;
const LATENCY_MS = 1200;
/** P95 above this: the fault shows. Below NORMAL_MS: the operation is back to normal (it takes a few ms). */
const SLOW_MS = 800;
const NORMAL_MS = 300;
const ERROR_RATE = 0.5;
const WINDOW_MS = 30_000;
const LATENCY_FAULTED: AppService = 'nestjs';
const ERROR_FAULTED: AppService = 'express';
const others = (faulted: AppService): AppService[] => APP_SERVICES.filter((s) => s !== faulted);

// ---- traffic ----

interface Answer {
  service: AppService;
  status: number;
  ms: number;
  at: number;
  traceId: string;
}

/**
 * GET /items/<n> on every service every 500 ms, without waiting for slow answers (at most 20 in flight): about
 * 60 calls per service in a 30 s window, and no more spans than the native lab's Cassandra stores promptly.
 */
class Traffic {
  readonly answers: Answer[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Map<AppService, number>();
  private n = 0;

  start(): void {
    for (const service of APP_SERVICES) {
      this.timers.push(
        setInterval(() => {
          void this.send(service);
        }, 500),
      );
    }
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  private async send(service: AppService): Promise<void> {
    if ((this.inFlight.get(service) ?? 0) >= 20) return;
    this.inFlight.set(service, (this.inFlight.get(service) ?? 0) + 1);
    const { traceId, header: traceparent } = newTraceparent();
    const started = Date.now();
    try {
      const res = await fetch(`${urls.apps[service]}/items/${String((this.n++ % 100) + 1)}?q=faults`, {
        headers: { traceparent },
        signal: AbortSignal.timeout(15_000),
      });
      await res.arrayBuffer();
      this.answers.push({ service, status: res.status, ms: Date.now() - started, at: started, traceId });
    } catch {
      this.answers.push({ service, status: 0, ms: Date.now() - started, at: started, traceId });
    } finally {
      this.inFlight.set(service, (this.inFlight.get(service) ?? 1) - 1);
    }
  }

  /** The answers of requests sent at or after `fromMs`. */
  since(service: AppService, fromMs: number): Answer[] {
    return this.answers.filter((a) => a.service === service && a.at >= fromMs);
  }
}

// ---- what the dashboard and the Monitor tab read ----

const selector = (service: AppService, extra = ''): string =>
  `service_name="${service}", span_name="${OPERATION}", span_kind="SPAN_KIND_SERVER"${extra}`;
const window = `${String(WINDOW_MS / 1000)}s`;

async function promValue(query: string): Promise<number> {
  const series = await promInstant(query);
  return series[0]?.values[0] ?? Number.NaN;
}

/** The operation's P95 in ms from the span-metrics histogram (NaN while there is no data). */
function promP95(service: AppService): Promise<number> {
  return promValue(
    `histogram_quantile(0.95, sum by (le) (rate(traces_span_metrics_duration_milliseconds_bucket{${selector(service)}}[${window}])))`,
  );
}

/** The operation's share of failed calls, 0 when none failed (NaN while there are no calls). */
function promErrorRate(service: AppService): Promise<number> {
  const calls = (extra: string): string =>
    `sum(rate(traces_span_metrics_calls_total{${selector(service, extra)}}[${window}]))`;
  return promValue(`(${calls(', status_code="STATUS_CODE_ERROR"')} or vector(0)) / ${calls('')}`);
}

/** The operation's latest value in the Monitor tab's data (Jaeger reads the same span metrics from Prometheus). */
async function jaeger(metric: 'latencies' | 'errors', service: AppService): Promise<number> {
  const url = apiUrl(urls.jaegerQuery, `/api/metrics/${metric}`, {
    service,
    spanKind: 'server',
    groupByOperation: true,
    endTs: Date.now(),
    lookback: 60_000,
    step: 5_000,
    ratePer: WINDOW_MS,
    quantile: metric === 'latencies' ? 0.95 : undefined,
  });
  const series = parseMetricFamily(await getJson(url)).find((s) => s.labels.operation === OPERATION);
  // Jaeger divides errors by calls per operation, so an operation without a single error has no series (once
  // another operation of the service has errors): for the error rate, no series means 0.
  if (series === undefined && metric === 'errors') return 0;
  const finite = (series?.points ?? []).filter((p) => Number.isFinite(p.value));
  return finite.at(-1)?.value ?? Number.NaN;
}

interface Reading {
  prom: number;
  jaeger: number;
}

async function latency(service: AppService): Promise<Reading> {
  return { prom: await promP95(service), jaeger: await jaeger('latencies', service) };
}

async function errorRate(service: AppService): Promise<Reading> {
  return { prom: await promErrorRate(service), jaeger: await jaeger('errors', service) };
}

const show = (r: Reading): string => `Prometheus ${r.prom.toFixed(3)}, Jaeger ${r.jaeger.toFixed(3)}`;

/** Polls `read` until both readings satisfy `ok`; fails naming the last readings. */
function until(
  what: string,
  read: () => Promise<Reading>,
  ok: (value: number) => boolean,
  timeoutMs: number,
): Promise<Reading> {
  return poll(
    what,
    async () => {
      const r = await read();
      if (!ok(r.prom) || !ok(r.jaeger)) throw new Error(show(r));
      return r;
    },
    { timeoutMs, intervalMs: 2_500 },
  );
}

// ---- the scenario ----

describe('run-time faults (npm run fault) on the native lab', { timeout: 600_000 }, () => {
  const traffic = new Traffic();

  before(async () => {
    await clearFaults();
    traffic.start();
  });

  after(async () => {
    traffic.stop();
    await clearFaults();
  });

  test('baseline: every service answers GET /items/:item_id in a few ms', async () => {
    for (const service of APP_SERVICES) {
      const r = await until(
        `${service} ${OPERATION} P95 below ${String(NORMAL_MS)} ms`,
        () => latency(service),
        (v) => v < NORMAL_MS,
        120_000,
      );
      console.log(`baseline ${service} P95: ${show(r)}`);
    }
  });

  test(`a latency fault on ${LATENCY_FAULTED} moves its P95 and nothing else; clearing it brings it back`, async () => {
    const switchedOn = Date.now();
    await fault(LATENCY_FAULTED, 'latency', `${String(LATENCY_MS)}ms`, '--route', ROUTE);

    // The service itself: answers slow down within a couple of seconds (the file is polled every second).
    await poll(
      `${LATENCY_FAULTED} answers take ${String(LATENCY_MS)} ms`,
      () => {
        const slow = traffic.since(LATENCY_FAULTED, switchedOn + 2_000).filter((a) => a.ms >= LATENCY_MS);
        if (slow.length < 3) throw new Error(`${String(slow.length)} slow answers so far`);
        return Promise.resolve();
      },
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );

    const during = await until(
      `${LATENCY_FAULTED} ${OPERATION} P95 above ${String(SLOW_MS)} ms`,
      () => latency(LATENCY_FAULTED),
      (v) => v > SLOW_MS,
      90_000,
    );
    console.log(`with the fault, ${LATENCY_FAULTED} P95: ${show(during)}`);
    for (const service of others(LATENCY_FAULTED)) {
      const r = await latency(service);
      assert.ok(r.prom < NORMAL_MS && r.jaeger < NORMAL_MS, `${service} P95 unchanged: ${show(r)}`);
    }

    const cleared = Date.now();
    await fault('clear', LATENCY_FAULTED);
    const back = await until(
      `${LATENCY_FAULTED} ${OPERATION} P95 back below ${String(NORMAL_MS)} ms`,
      () => latency(LATENCY_FAULTED),
      (v) => v < NORMAL_MS,
      120_000,
    );
    console.log(
      `${String(Math.round((Date.now() - cleared) / 1000))}s after clearing, ${LATENCY_FAULTED} P95: ${show(back)}`,
    );
    const late = traffic.since(LATENCY_FAULTED, cleared + 3_000).filter((a) => a.ms >= LATENCY_MS);
    assert.equal(late.length, 0, 'no slow answer once the fault was cleared');
  });

  test(`an error fault on ${ERROR_FAULTED} raises its error rate, with ERROR spans recording the exception`, async () => {
    const switchedOn = Date.now();
    await fault(ERROR_FAULTED, 'errors', `${String(ERROR_RATE * 100)}%`, '--route', ROUTE);

    const during = await until(
      `${ERROR_FAULTED} ${OPERATION} error rate near ${String(ERROR_RATE)}`,
      () => errorRate(ERROR_FAULTED),
      (v) => v > ERROR_RATE / 2,
      90_000,
    );
    console.log(`with the fault, ${ERROR_FAULTED} error rate: ${show(during)}`);
    assert.ok(
      during.prom < 0.9 && during.jaeger < 0.9,
      `about half the calls fail, not all: ${show(during)}`,
    );
    for (const service of others(ERROR_FAULTED)) {
      const r = await errorRate(service);
      assert.ok(r.prom === 0 && r.jaeger === 0, `${service} has no errors: ${show(r)}`);
      assert.ok(
        traffic.since(service, switchedOn).every((a) => a.status === 200),
        `${service} answered 200`,
      );
    }

    // A failed request's trace in Jaeger: an ERROR server span and the injected exception. Jaeger stores spans
    // a little behind on a busy machine: the earliest failed requests have had the longest time to arrive.
    const failed = traffic
      .since(ERROR_FAULTED, switchedOn)
      .filter((a) => a.status === 500)
      .slice(0, 5);
    assert.ok(failed.length > 0, `${ERROR_FAULTED} answered some requests 500`);
    const trace = await poll(
      `the trace of a failed request (${failed.map((f) => f.traceId).join(', ')}) in Jaeger`,
      async () => {
        for (const { traceId } of failed) {
          const res = await fetch(new URL(`/api/traces/${traceId}`, urls.jaegerQuery), {
            signal: AbortSignal.timeout(15_000),
          });
          if (!res.ok) {
            await res.body?.cancel();
            continue;
          }
          const raw = ((await res.json()) as { data?: RawTrace[] }).data?.[0];
          if (raw?.spans.some((s) => (s.logs ?? []).length > 0) === true) return raw;
        }
        // Tells a slow store from a broken one in the failure message.
        const recent = await jaegerSearch({ service: ERROR_FAULTED, ...jaegerWindow(switchedOn), limit: 20 });
        throw new Error(
          `none of them is in Jaeger with its exception yet (${String(recent.length)} ${ERROR_FAULTED} traces since the fault)`,
        );
      },
      { timeoutMs: 180_000, intervalMs: 5_000 },
    );
    const server = trace.spans.find((s) => tag(s, 'span.kind') === 'server');
    assert.equal(server?.operationName, OPERATION);
    assert.equal(tag(server, 'error'), 'true');
    assert.equal(tag(server, 'http.response.status_code'), '500');
    const exception = trace.spans
      .flatMap((s) => s.logs ?? [])
      .map((log) => Object.fromEntries(log.fields.map((f) => [f.key, String(f.value)])))
      .find((fields) => fields.event === 'exception');
    assert.equal(exception?.['exception.type'], 'InjectedFaultError');
    assert.match(
      exception['exception.message'] ?? '',
      /^injected fault \(fault tool\): express errors 50% on \/items\/:item_id$/,
    );

    const cleared = Date.now();
    await fault('clear');
    await sleep(5_000);
    const after = traffic.since(ERROR_FAULTED, cleared + 3_000);
    assert.ok(
      after.length > 0 && after.every((a) => a.status === 200),
      'every answer is 200 again once cleared',
    );
  });
});

interface RawTrace {
  spans: {
    operationName: string;
    tags?: { key: string; value: unknown }[];
    logs?: { fields: { key: string; value: unknown }[] }[];
  }[];
}

function tag(span: RawTrace['spans'][number] | undefined, key: string): string | undefined {
  const found = span?.tags?.find((t) => t.key === key);
  return found === undefined ? undefined : String(found.value);
}
