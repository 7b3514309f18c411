// Freshness: how long after a request the learner can see it. One probe = one request with our own W3C
// `traceparent` (so we know its trace id: the services continue the incoming trace), then two pollers side
// by side until (b) Jaeger returns the trace by id and (c) Prometheus' span-metrics counter for that call
// has gone up. (a) Tempo is not probed yet.
//
// The probe is `HEAD /`: the same route and pipeline as the load's `GET /`, but the load never sends HEAD, so
// the series traces_span_metrics_calls_total{http_request_method="HEAD"} of a service counts only our
// probes, and one probe per service is in flight at a time, so "the counter went up" means "this call".
import { randomBytes } from 'node:crypto';
import { getText } from '../verify/http.ts';
import { parseTraces } from '../verify/apis/jaeger.ts';
import { instantQuery } from '../verify/apis/prometheus.ts';
import { loadCompose } from '../verify/compose.ts';
import { APP_SERVICES, appPort, labUrls, type AppService } from '../verify/lab.ts';
import { labAddress, sleep } from './lib/lab.ts';

export const POLL_MS = 200;

export interface FreshnessSample {
  service: AppService;
  traceId: string;
  /** Request sent -> trace found by id in Jaeger; Infinity when not within the run's give-up time. */
  jaegerMs: number;
  /** Request sent -> its call counted in Prometheus (span metrics); Infinity when not within the timeout. */
  metricsMs: number;
}

export function newTraceparent(): { traceId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, header: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

export function headCallsQuery(service: string): string {
  return (
    `sum(traces_span_metrics_calls_total{service_name="${service}",` +
    `span_kind="SPAN_KIND_SERVER",http_request_method="HEAD"})`
  );
}

async function jaegerHas(jaegerBase: string, traceId: string): Promise<boolean> {
  const url = new URL(`/api/traces/${traceId}`, jaegerBase).toString();
  const answer = await getText(url, {
    accept: 'application/json',
    acceptStatus: (s) => s === 200 || s === 404,
  });
  if (answer.status === 404) return false;
  return parseTraces(JSON.parse(answer.body)).some((t) => t.spans > 0);
}

async function headCalls(promBase: string, service: string): Promise<number> {
  const samples = await instantQuery(promBase, headCallsQuery(service));
  return samples[0]?.value ?? 0;
}

/** Polls `check` until true; the time since t0, or Infinity at the deadline. Errors count as "not yet". */
async function pollUntil(check: () => Promise<boolean>, t0: number, deadline: number): Promise<number> {
  for (;;) {
    try {
      if (await check()) return performance.now() - t0;
    } catch {
      // a slow or failed query is retried at the next poll
    }
    if (performance.now() > deadline) return Number.POSITIVE_INFINITY;
    await sleep(POLL_MS);
  }
}

async function probe(
  service: AppService,
  appUrl: string,
  jaegerBase: string,
  promBase: string,
  timeoutMs: number,
): Promise<FreshnessSample> {
  const before = await headCalls(promBase, service);
  const { traceId, header } = newTraceparent();
  const t0 = performance.now();
  const res = await fetch(`${appUrl}/`, {
    method: 'HEAD',
    headers: { traceparent: header },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`HEAD ${appUrl}/ answered ${String(res.status)}`);
  const deadline = t0 + timeoutMs;
  const [jaegerMs, metricsMs] = await Promise.all([
    pollUntil(() => jaegerHas(jaegerBase, traceId), t0, deadline),
    pollUntil(async () => (await headCalls(promBase, service)) > before, t0, deadline),
  ]);
  return { service, traceId, jaegerMs, metricsMs };
}

/**
 * `perService` probes per service, the three services side by side, each probe after a random pause of up
 * to `maxPauseMs` so requests land at every phase of the 1 s SDK export, 5 s span-metrics flush and 5 s
 * scrape cycles instead of locking onto one.
 */
export async function measureFreshness(
  perService: number,
  timeoutMs: number,
  maxPauseMs = 5000,
): Promise<FreshnessSample[]> {
  const compose = loadCompose();
  const urls = labUrls(compose);
  const samples: FreshnessSample[] = [];
  await Promise.all(
    APP_SERVICES.map(async (service) => {
      const appUrl = `http://${labAddress(service)}:${String(appPort(compose, service))}`;
      for (let i = 0; i < perService; i += 1) {
        await sleep(Math.random() * maxPauseMs);
        samples.push(await probe(service, appUrl, urls.jaegerQuery, urls.prometheus, timeoutMs));
      }
    }),
  );
  return samples;
}
