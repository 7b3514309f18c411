// Freshness: how long after a request the learner can see it, everywhere they look. One probe = one request
// with our own W3C `traceparent` (so we know its trace id: the services continue the incoming trace), then one
// poller per signal side by side until each has it: the trace by id in Jaeger and in Tempo, the trace in a
// TraceQL search, the call counted in span metrics, an exemplar carrying the trace id, and a service-graph
// edge counted.
//
// The probe is `HEAD /`: the same route and pipeline as the load's `GET /`, but the load never sends HEAD, so
// the series traces_span_metrics_calls_total{http_request_method="HEAD"} of a service counts only our
// probes, and one probe per service is in flight at a time, so "the counter went up" means "this call".
// A service graph edge needs a CLIENT span whose id is the SERVER span's parent: the probe sends one itself,
// as service PROBE_SERVICE, to the collector's OTLP/HTTP receiver, so the edge PROBE_SERVICE -> service
// counts only probes (the load's edges are between the lab's services). Our client span is sent as soon as
// the answer arrives, the server's half after the SDK's export delay: the edge waits for the later of them.
import { randomBytes } from 'node:crypto';
import { traceById as jaegerTraceById } from '../verify/apis/jaeger.ts';
import { instantQuery, queryExemplars } from '../verify/apis/prometheus.ts';
import { search, traceById as tempoTraceById } from '../verify/apis/tempo.ts';
import { loadCompose } from '../verify/compose.ts';
import { APP_SERVICES, appPort, labUrls, type AppService } from '../verify/lab.ts';
import { readState } from '../native/lib/state.ts';
import { labAddress, sleep } from './lib/lab.ts';

export const POLL_MS = 200;

/** The client span's service: the service graph's client node of the probes' edges. */
export const PROBE_SERVICE = 'bench-probe';

/** The collector's OTLP/HTTP port (otel-collector/config.yaml, receivers.otlp.protocols.http). */
const OTLP_HTTP_PORT = 4318;

/** Every signal a probe waits for, with its p95 target (issue 15: everything within 5 s, Jaeger within 3 s). */
export const SIGNALS = [
  { key: 'jaeger', label: 'Jaeger: trace by id', targetMs: 3000 },
  { key: 'tempoById', label: 'Tempo: trace by id', targetMs: 5000 },
  { key: 'tempoSearch', label: 'Tempo: TraceQL search', targetMs: 5000 },
  { key: 'metrics', label: 'Prometheus: call counted', targetMs: 5000 },
  { key: 'exemplar', label: 'Prometheus: exemplar', targetMs: 5000 },
  { key: 'serviceGraph', label: 'Prometheus: service-graph edge', targetMs: 5000 },
] as const;
export type Signal = (typeof SIGNALS)[number]['key'];

export interface FreshnessSample {
  service: AppService;
  traceId: string;
  /** Request sent -> visible, per signal; Infinity when not within the run's give-up time, NaN when skipped. */
  ms: Record<Signal, number>;
  /** For a signal never seen: the last query error, if its polls failed rather than answered "not yet". */
  errors?: Partial<Record<Signal, string>>;
}

export function newTraceparent(): { traceId: string; spanId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
}

export function headCallsQuery(service: string): string {
  return (
    `sum(traces_span_metrics_calls_total{service_name="${service}",` +
    `span_kind="SPAN_KIND_SERVER",http_request_method="HEAD"})`
  );
}

/** The latency buckets of the probes' calls: where Grafana's latency panel shows exemplars. */
export function headExemplarSelector(service: string): string {
  return (
    `traces_span_metrics_duration_milliseconds_bucket{service_name="${service}",` +
    `span_kind="SPAN_KIND_SERVER",http_request_method="HEAD"}`
  );
}

export function probeEdgeQuery(service: string): string {
  return `sum(traces_service_graph_request_total{client="${PROBE_SERVICE}",server="${service}"})`;
}

/** TraceQL a learner would write for the probes' calls; the probe looks for its trace id among the hits. */
export function headSearchQuery(service: string): string {
  return `{ resource.service.name = "${service}" && span.http.request.method = "HEAD" }`;
}

/** The OTLP/JSON body of the probe's CLIENT span (the parent of the service's SERVER span). */
export function clientSpanBody(
  probe: { traceId: string; spanId: string },
  service: string,
  startMs: number,
  endMs: number,
): unknown {
  const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: PROBE_SERVICE } }] },
        scopeSpans: [
          {
            scope: { name: 'bench/freshness.ts' },
            spans: [
              {
                traceId: probe.traceId,
                spanId: probe.spanId,
                name: 'HEAD',
                kind: 3, // SPAN_KIND_CLIENT
                startTimeUnixNano: nanos(startMs),
                endTimeUnixNano: nanos(endMs),
                attributes: [
                  { key: 'http.request.method', value: { stringValue: 'HEAD' } },
                  { key: 'server.address', value: { stringValue: service } },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

async function sumOf(promBase: string, promql: string): Promise<number> {
  const samples = await instantQuery(promBase, promql);
  return samples[0]?.value ?? 0;
}

/**
 * Polls `check` every `intervalMs` until true; the time since t0 (both on performance.now()'s clock), or
 * Infinity at the deadline or once `signal` aborts (with the last error, if the last poll failed). Errors count
 * as "not yet".
 */
export async function pollUntil(
  check: () => Promise<boolean>,
  t0: number,
  deadline: number,
  intervalMs = POLL_MS,
  signal?: AbortSignal,
): Promise<{ ms: number; error?: string }> {
  let error: string | undefined;
  for (;;) {
    try {
      if (await check()) return { ms: performance.now() - t0 };
      error = undefined;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err); // retried at the next poll
    }
    if (performance.now() > deadline || signal?.aborted === true)
      return { ms: Number.POSITIVE_INFINITY, ...(error === undefined ? {} : { error }) };
    await sleep(intervalMs, signal);
  }
}

interface Endpoints {
  appUrl: string;
  otlpUrl: string;
  jaeger: string;
  prometheus: string;
  tempo: string;
}

/** The backend each signal is read from, by compose service name. */
const SIGNAL_BACKEND: Record<Signal, string> = {
  jaeger: 'jaeger-query',
  tempoById: 'tempo',
  tempoSearch: 'tempo',
  metrics: 'prometheus',
  exemplar: 'prometheus',
  serviceGraph: 'prometheus',
};

/**
 * The signals this lab cannot show, with why: those of a backend native:up left out (Tempo when no binary was
 * supplied). They are not polled; the report says so instead of a miss.
 */
export function skippedSignals(
  skipped: Readonly<Record<string, string>> = readState().skipped,
): Partial<Record<Signal, string>> {
  return Object.fromEntries(
    SIGNALS.flatMap(({ key }) => {
      const why = skipped[SIGNAL_BACKEND[key]];
      return why === undefined ? [] : [[key, `${SIGNAL_BACKEND[key]} is not in this native lab: ${why}`]];
    }),
  );
}

async function probe(
  service: AppService,
  at: Endpoints,
  timeoutMs: number,
  skip: Partial<Record<Signal, string>>,
): Promise<FreshnessSample> {
  const [callsBefore, edgesBefore] = await Promise.all([
    sumOf(at.prometheus, headCallsQuery(service)),
    sumOf(at.prometheus, probeEdgeQuery(service)),
  ]);
  const ids = newTraceparent();
  const { traceId } = ids;
  const wall0 = Date.now();
  const t0 = performance.now();
  const res = await fetch(`${at.appUrl}/`, {
    method: 'HEAD',
    headers: { traceparent: ids.header },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`HEAD ${at.appUrl}/ answered ${String(res.status)}`);
  const sent = await fetch(at.otlpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(clientSpanBody(ids, service, wall0, Date.now())),
    signal: AbortSignal.timeout(10_000),
  });
  if (!sent.ok) throw new Error(`POST ${at.otlpUrl} answered ${String(sent.status)}`);
  const deadline = t0 + timeoutMs;
  const window = (): { startMs: number; endMs: number } => ({ startMs: wall0 - 60_000, endMs: Date.now() });
  const checks: Record<Signal, () => Promise<boolean>> = {
    jaeger: async () => ((await jaegerTraceById(at.jaeger, traceId))?.spans ?? 0) > 0,
    tempoById: async () => ((await tempoTraceById(at.tempo, traceId))?.spans ?? 0) > 0,
    tempoSearch: async () =>
      (await search(at.tempo, { q: headSearchQuery(service), ...window(), limit: 100 })).some(
        (hit) => hit.traceID === traceId,
      ),
    metrics: async () => (await sumOf(at.prometheus, headCallsQuery(service))) > callsBefore,
    exemplar: async () => {
      const w = window();
      const found = await queryExemplars(at.prometheus, headExemplarSelector(service), w.startMs, w.endMs);
      return found.some((e) => e.labels.trace_id === traceId);
    },
    serviceGraph: async () => (await sumOf(at.prometheus, probeEdgeQuery(service))) > edgesBefore,
  };
  const keys = SIGNALS.map((s) => s.key);
  const polls = await Promise.all(
    keys.map((key) =>
      skip[key] === undefined
        ? pollUntil(checks[key], t0, deadline)
        : Promise.resolve({ ms: Number.NaN, error: undefined }),
    ),
  );
  const ms = Object.fromEntries(keys.map((key, i) => [key, polls[i]?.ms])) as Record<Signal, number>;
  const errors = Object.fromEntries(
    keys.flatMap((key, i) => (polls[i]?.error === undefined ? [] : [[key, polls[i].error]])),
  ) as Partial<Record<Signal, string>>;
  return { service, traceId, ms, ...(Object.keys(errors).length > 0 ? { errors } : {}) };
}

/**
 * `perService` probes per service, the three services side by side, each probe after a random pause of up
 * to `maxPauseMs` so requests land at every phase of the SDK export, span-metrics flush, scrape and Tempo
 * live-store cycles instead of locking onto one.
 */
export async function measureFreshness(
  perService: number,
  timeoutMs: number,
  skip: Partial<Record<Signal, string>> = {},
  maxPauseMs = 5000,
): Promise<FreshnessSample[]> {
  const compose = loadCompose();
  const urls = labUrls(compose);
  const otlpUrl = `http://${labAddress('otel-collector')}:${String(OTLP_HTTP_PORT)}/v1/traces`;
  const samples: FreshnessSample[] = [];
  await Promise.all(
    APP_SERVICES.map(async (service) => {
      const appUrl = `http://${labAddress(service)}:${String(appPort(compose, service))}`;
      const at = {
        appUrl,
        otlpUrl,
        jaeger: urls.jaegerQuery,
        prometheus: urls.prometheus,
        tempo: urls.tempo,
      };
      for (let i = 0; i < perService; i += 1) {
        await sleep(Math.random() * maxPauseMs);
        samples.push(await probe(service, at, timeoutMs, skip));
      }
    }),
  );
  return samples;
}
