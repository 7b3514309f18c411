// Tempo's HTTP API: TraceQL search (/api/search) and trace by id (/api/v2/traces/<id>). Shapes follow
// Tempo v3.0 (pkg/tempopb/tempo.proto, docs/sources/tempo/api_docs): SearchResponse.traces[] with
// traceID, rootServiceName, rootTraceName, startTimeUnixNano (a string: uint64 in jsonpb), durationMs;
// TraceByIDResponse {trace: {resourceSpans}} (v2) or the v1 form {batches}, OTLP JSON inside.
import { apiUrl, getJson, getJsonIfFound } from '../http.ts';
import { asOptionalArray, asRecord, asString, isRecord, parsed } from './json.ts';

export interface TempoHit {
  traceID: string;
  rootServiceName: string;
  rootTraceName: string;
  startMs: number;
}

export interface TempoTrace {
  services: string[];
  spans: number;
}

export function parseSearch(body: unknown): TempoHit[] {
  const answer = asRecord(body, 'search answer');
  return asOptionalArray(answer.traces, 'traces').map((item) => {
    const hit = asRecord(item, 'trace');
    return {
      // Tempo's search trims a trace id's leading zeros (pkg/util/traceid.go TraceIDToHexString): 1 in 16 ids.
      // Padded back to W3C's 32 hex digits, the id matches the one the request sent and Jaeger shows.
      traceID: asString(hit.traceID, 'traceID').padStart(32, '0'),
      rootServiceName: typeof hit.rootServiceName === 'string' ? hit.rootServiceName : '',
      rootTraceName: typeof hit.rootTraceName === 'string' ? hit.rootTraceName : '',
      // nanoseconds do not fit a double exactly; milliseconds do
      startMs:
        typeof hit.startTimeUnixNano === 'string' ? Number(BigInt(hit.startTimeUnixNano) / 1_000_000n) : 0,
    };
  });
}

/** A trace by id (v2 `{trace: {resourceSpans}}`, v1 `{batches}`) -> its services and span count. */
export function parseTrace(body: unknown): TempoTrace {
  const answer = asRecord(body, 'trace answer');
  const trace = isRecord(answer.trace) ? answer.trace : answer;
  const resourceSpans = asOptionalArray(trace.resourceSpans ?? trace.batches, 'resourceSpans');
  const services = new Set<string>();
  let spans = 0;
  for (const item of resourceSpans) {
    const rs = asRecord(item, 'resourceSpans entry');
    const attributes = isRecord(rs.resource)
      ? asOptionalArray(rs.resource.attributes, 'resource attributes')
      : [];
    for (const attribute of attributes) {
      if (isRecord(attribute) && attribute.key === 'service.name' && isRecord(attribute.value)) {
        const name = attribute.value.stringValue;
        if (typeof name === 'string') services.add(name);
      }
    }
    for (const scope of asOptionalArray(rs.scopeSpans, 'scopeSpans')) {
      spans += isRecord(scope) ? asOptionalArray(scope.spans, 'spans').length : 0;
    }
  }
  return { services: [...services].sort(), spans };
}

/** One series of a TraceQL metrics answer: its labels and its values (NaN where Tempo sent none). */
export interface TempoSeries {
  labels: Record<string, string>;
  values: number[];
}

/** `/api/metrics/query_range`: {series: [{labels: [{key, value: {stringValue…}}], samples: [{timestampMs, value}]}]}. */
export function parseMetrics(body: unknown): TempoSeries[] {
  const answer = asRecord(body, 'metrics answer');
  return asOptionalArray(answer.series, 'series').map((item) => {
    const series = asRecord(item, 'series entry');
    const labels: Record<string, string> = {};
    for (const label of asOptionalArray(series.labels, 'labels')) {
      if (isRecord(label) && typeof label.key === 'string' && isRecord(label.value)) {
        const value = Object.values(label.value)[0];
        labels[label.key] = String(value);
      }
    }
    const values = asOptionalArray(series.samples, 'samples').map((sample) =>
      isRecord(sample) ? Number(sample.value) : Number.NaN,
    );
    return { labels, values };
  });
}

// ---- requests ----

/** Tempo's `start`/`end` parameters: whole seconds that cover the range. */
function seconds(range: { startMs: number; endMs: number }): { start: number; end: number } {
  return { start: Math.floor(range.startMs / 1000), end: Math.ceil(range.endMs / 1000) };
}

/** A TraceQL metrics query over a range (`{…} | rate()`), as Grafana's Tempo datasource runs it. */
export async function metricsQueryRange(
  base: string,
  query: { q: string; startMs: number; endMs: number; stepS: number },
): Promise<TempoSeries[]> {
  const url = apiUrl(base, '/api/metrics/query_range', {
    q: query.q,
    ...seconds(query),
    step: `${String(query.stepS)}s`,
  });
  return parsed(url, await getJson(url), parseMetrics);
}

export async function search(
  base: string,
  query: { q: string; startMs: number; endMs: number; limit: number },
): Promise<TempoHit[]> {
  const url = apiUrl(base, '/api/search', { q: query.q, ...seconds(query), limit: query.limit });
  return parsed(url, await getJson(url), parseSearch);
}

/**
 * The trace with this id, or undefined when Tempo does not know it (404). `window` limits the lookup to a time
 * range, as Grafana's Tempo datasource does with `traceQuery.timeShiftEnabled`.
 */
export async function traceById(
  base: string,
  traceId: string,
  window?: { startMs: number; endMs: number },
): Promise<TempoTrace | undefined> {
  const url = apiUrl(
    base,
    `/api/v2/traces/${encodeURIComponent(traceId)}`,
    window === undefined ? {} : seconds(window),
  );
  const body = await getJsonIfFound(url);
  return body === undefined ? undefined : parsed(url, body, parseTrace);
}
