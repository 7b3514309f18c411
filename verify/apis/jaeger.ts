// Jaeger query's HTTP API (the one its UI uses): /api/services, /api/traces, the System Architecture tab's
// /api/dependencies and the Monitor tab's /api/metrics/{latencies,calls,errors}. Shapes follow jaeger v2.12.0 cmd/query/app: a
// {data, total, limit, offset, errors} envelope for services and traces (UI trace model: spans with
// processID, processes with serviceName), and a jsonpb-encoded MetricFamily for metrics (camelCase
// fields, RFC 3339 timestamps, NaN as the string "NaN", empty lists left out).
import { apiUrl, getJson, getJsonIfFound } from '../http.ts';
import { asNumber, asOptionalArray, asRecord, asString, isRecord, parsed } from './json.ts';

export interface JaegerTrace {
  traceID: string;
  services: string[];
  spans: number;
  /** When its last span ended (ms since the epoch), from the spans' startTime + duration (µs). */
  endMs?: number;
}

export interface MetricPoint {
  timestampMs: number;
  value: number;
}

export interface MetricSeries {
  labels: Record<string, string>;
  points: MetricPoint[];
}

export type MonitorMetric = 'latencies' | 'calls' | 'errors';

function dataOf(body: unknown): unknown {
  const answer = asRecord(body, 'answer');
  const errors = asOptionalArray(answer.errors, 'errors');
  if (errors.length > 0 && (answer.data === null || answer.data === undefined)) {
    const msg = errors.map((e) => (isRecord(e) && typeof e.msg === 'string' ? e.msg : JSON.stringify(e)));
    throw new Error(`Jaeger answered errors: ${msg.join('; ')}`);
  }
  return answer.data;
}

/** /api/services -> service names. */
export function parseServices(body: unknown): string[] {
  return asOptionalArray(dataOf(body), 'services').map((s) => asString(s, 'service'));
}

/** /api/traces or /api/traces/{id} -> traces with the services whose spans they hold. */
export function parseTraces(body: unknown): JaegerTrace[] {
  return asOptionalArray(dataOf(body), 'traces').map((item) => {
    const trace = asRecord(item, 'trace');
    const processes = isRecord(trace.processes) ? trace.processes : {};
    const spans = asOptionalArray(trace.spans, 'spans');
    const services = new Set<string>();
    let endUs: number | undefined;
    for (const span of spans) {
      if (isRecord(span) && typeof span.startTime === 'number') {
        const end = span.startTime + (typeof span.duration === 'number' ? span.duration : 0);
        endUs = Math.max(endUs ?? end, end);
      }
      const processID = isRecord(span) ? span.processID : undefined;
      const process = typeof processID === 'string' ? processes[processID] : undefined;
      if (isRecord(process) && typeof process.serviceName === 'string') services.add(process.serviceName);
    }
    return {
      traceID: asString(trace.traceID, 'traceID'),
      services: [...services].sort(),
      spans: spans.length,
      ...(endUs === undefined ? {} : { endMs: endUs / 1000 }),
    };
  });
}

/** /api/metrics/* -> one series per label set (service_name, and operation when grouped by operation). */
export function parseMetricFamily(body: unknown): MetricSeries[] {
  const family = asRecord(body, 'metric family');
  return asOptionalArray(family.metrics, 'metrics').map((item) => {
    const metric = asRecord(item, 'metric');
    const labels: Record<string, string> = {};
    for (const l of asOptionalArray(metric.labels, 'labels')) {
      const label = asRecord(l, 'label');
      labels[asString(label.name, 'label name')] = typeof label.value === 'string' ? label.value : '';
    }
    const points = asOptionalArray(metric.metricPoints, 'metricPoints').map((p) => {
      const point = asRecord(p, 'metric point');
      const gauge = isRecord(point.gaugeValue) ? point.gaugeValue : {};
      return {
        timestampMs: Date.parse(asString(point.timestamp, 'timestamp')),
        value: jsonpbDouble(gauge.doubleValue),
      };
    });
    return { labels, points };
  });
}

/** jsonpb writes doubles as numbers, except NaN and ±Infinity as strings; zero may be left out. */
function jsonpbDouble(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === undefined) return 0;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number.NaN;
}

// ---- requests ----

export async function services(base: string): Promise<string[]> {
  const url = apiUrl(base, '/api/services');
  return parsed(url, await getJson(url), parseServices);
}

/** The trace with this id, or undefined when Jaeger does not hold it (404). */
export async function traceById(base: string, traceId: string): Promise<JaegerTrace | undefined> {
  const url = apiUrl(base, `/api/traces/${encodeURIComponent(traceId)}`);
  const body = await getJsonIfFound(url);
  return body === undefined ? undefined : parsed(url, body, parseTraces)[0];
}

/** Traces holding a span of `service` (named `operation`, if given) that started in [startMs, endMs]. */
export async function findTraces(
  base: string,
  query: { service: string; operation?: string; startMs: number; endMs: number; limit: number },
): Promise<JaegerTrace[]> {
  const url = apiUrl(base, '/api/traces', {
    service: query.service,
    ...(query.operation === undefined ? {} : { operation: query.operation }),
    start: query.startMs * 1000, // microseconds
    end: query.endMs * 1000,
    limit: query.limit,
  });
  return parsed(url, await getJson(url), parseTraces);
}

/** The Monitor tab's query for server spans of the given services, like the UI sends it. */
export async function monitorMetrics(
  base: string,
  metric: MonitorMetric,
  query: {
    services: readonly string[];
    endMs: number;
    lookbackMs: number;
    stepMs: number;
    groupByOperation?: boolean;
  },
): Promise<MetricSeries[]> {
  const url = apiUrl(base, `/api/metrics/${metric}`, {
    service: query.services,
    spanKind: 'server',
    endTs: query.endMs,
    lookback: query.lookbackMs,
    step: query.stepMs,
    ratePer: 60_000, // the window of PromQL's rate(): 1 min follows the live lab closely; values stay per second
    quantile: metric === 'latencies' ? 0.95 : undefined,
    groupByOperation: query.groupByOperation ? true : undefined,
  });
  return parsed(url, await getJson(url), parseMetricFamily);
}

/** One edge of the System Architecture tab: `parent` called `child` `callCount` times. */
export interface DependencyLink {
  parent: string;
  child: string;
  callCount: number;
}

/** /api/dependencies -> the links (cmd/query/app: {data: [{parent, child, callCount, source}]}). */
export function parseDependencies(body: unknown): DependencyLink[] {
  return asOptionalArray(dataOf(body), 'dependencies').map((item) => {
    const link = asRecord(item, 'dependency');
    return {
      parent: asString(link.parent, 'parent'),
      child: asString(link.child, 'child'),
      callCount: asNumber(link.callCount, 'callCount'),
    };
  });
}

/** What the System Architecture tab asks for: the links of [endMs - lookbackMs, endMs] (the UI: one week). */
export async function dependencies(
  base: string,
  query: { endMs: number; lookbackMs: number },
): Promise<DependencyLink[]> {
  const url = apiUrl(base, '/api/dependencies', { endTs: query.endMs, lookback: query.lookbackMs });
  return parsed(url, await getJson(url), parseDependencies);
}
