// Grafana's trace-to-metrics links ("related metrics" on a span), ported from Grafana's own source so that a
// test can build, from a span a backend really returns, the PromQL a learner's click would run. Nothing here
// substitutes variables by hand: the span goes through the same steps as in Grafana.
//
//  1. The datasource backend turns the backend's trace into span rows (serviceName, serviceTags, tags):
//     - Jaeger, `/api/traces/{id}`: grafana/grafana pkg/tsdb/jaeger/querydata.go, transformTraceResponse:
//       serviceTags = the process's tags, tags = the span's tags. Jaeger keeps `service.name` only as the
//       process's serviceName, so it is in neither.
//     - Tempo, OTLP: grafana/grafana pkg/tsdb/tempo/trace_transform.go, resourceToProcess and getSpanTags:
//       serviceTags = every resource attribute, service.name included; tags = instrumentation scope name and
//       version, the span's attributes, span.kind, otel.status_code, error, otel.status_description.
//  2. The trace view links each span (public/app/features/explore/TraceView/createSpanLink.tsx,
//     legacyCreateSpanLinkFactory, "Get metrics links"): for each configured query, `__tags` is
//     getFormattedTags(span, tags || defaultKeys), i.e. `<value or key>="<tag value>"` for every process tag,
//     then span tag, then spanId/traceId/name/duration whose key is configured, joined with ", ". Grafana's
//     template service then replaces `$__tags`, `${__tags}` and `${__span.<field>}` in the query; the
//     Prometheus datasource replaces `$__rate_interval` when it runs the query.

/** A tag as Grafana's trace view holds it. */
export interface TraceKeyValue {
  key: string;
  value: unknown;
}

/** The parts of Grafana's TraceSpan that the metrics links read. */
export interface TraceSpan {
  spanID: string;
  traceID: string;
  operationName: string;
  /** Microseconds. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  process: { serviceName: string; tags: TraceKeyValue[] };
  tags: TraceKeyValue[];
}

/** `jsonData.tracesToMetrics` of a Tempo or Jaeger datasource. */
export interface TraceToMetricsOptions {
  datasourceUid: string;
  spanStartTimeShift?: string;
  spanEndTimeShift?: string;
  tags?: { key: string; value?: string }[];
  queries: { name?: string; query?: string }[];
}

/** createSpanLink.tsx: the keys used when a datasource configures no tags (formatDefaultKeys). */
export const DEFAULT_KEYS = [
  'cluster',
  'hostname',
  'namespace',
  'pod',
  'service.name',
  'service.namespace',
].map((key) => ({ key, value: key.includes('.') ? key.replace('.', '_') : undefined }));

/** createSpanLink.tsx, getFormattedTags, with its defaults (`=` and `, `). */
export function getFormattedTags(span: TraceSpan, tags: readonly { key: string; value?: string }[]): string {
  return [
    ...span.process.tags,
    ...span.tags,
    { key: 'spanId', value: span.spanID },
    { key: 'traceId', value: span.traceID },
    { key: 'name', value: span.operationName },
    { key: 'duration', value: span.duration },
  ]
    .map((tag) => {
      const keyValue = tags.find((kv) => kv.key === tag.key);
      // Grafana interpolates the value into a template string as it is.
      return keyValue
        ? `${keyValue.value ? keyValue.value : keyValue.key}="${String(tag.value)}"`
        : undefined;
    })
    .filter((v) => Boolean(v))
    .join(', ');
}

/** Grafana's default metrics query when a configured query is empty (createSpanLink.tsx). */
function defaultQuery(span: TraceSpan): string {
  return `histogram_quantile(0.5, sum(rate(traces_spanmetrics_latency_bucket{service="${span.process.serviceName}"}[5m])) by (le))`;
}

/**
 * The template service's replacement of the link's scoped variables: `$__tags`, `${__tags}` and
 * `${__span.<spanId|traceId|duration|name>}` (scopedVarsFromSpan). Other variables are left alone, as Grafana
 * leaves variables it does not know.
 */
function replaceScopedVars(expr: string, span: TraceSpan, tags: string): string {
  const spanFields: Record<string, string> = {
    spanId: span.spanID,
    traceId: span.traceID,
    duration: String(span.duration),
    name: span.operationName,
  };
  return expr.replace(
    /\$(\w+)|\$\{(\w+)(?:\.([^:}]+))?\}/g,
    (whole, bare?: string, braced?: string, field?: string) => {
      const name = bare ?? braced;
      if (name === '__tags' && field === undefined) return tags;
      if (name === '__span' && field !== undefined && field in spanFields) return spanFields[field] ?? whole;
      return whole;
    },
  );
}

export interface MetricsLink {
  name: string;
  /** PromQL as Grafana's Explore receives it (`$__rate_interval` is still the Prometheus datasource's). */
  expr: string;
  /** The `$__tags` value Grafana built for this span. */
  tags: string;
  /** Explore's time range: the span's start and end shifted by spanStartTimeShift / spanEndTimeShift (ms). */
  fromMs: number;
  toMs: number;
}

/** `-15m`, `2h`, `30s` → milliseconds (Grafana's rangeUtil.intervalToMs for the shifts used here). */
function intervalMs(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const m = /^(-?\d+)(ms|s|m|h|d)$/.exec(text);
  if (m === null) throw new Error(`unreadable time shift ${text}`);
  const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** Every "related metrics" link Grafana's trace view offers on `span`, as createSpanLink.tsx builds them. */
export function metricsLinks(span: TraceSpan, options: TraceToMetricsOptions): MetricsLink[] {
  const tagsToUse = options.tags && options.tags.length > 0 ? options.tags : DEFAULT_KEYS;
  const tags = getFormattedTags(span, tagsToUse);
  const startMs = span.startTime / 1000;
  const endMs = (span.startTime + span.duration) / 1000;
  return options.queries.map((query) => ({
    name: query.name ?? '',
    expr: replaceScopedVars(query.query || defaultQuery(span), span, tags),
    tags,
    fromMs: Math.floor(startMs + intervalMs(options.spanStartTimeShift, -120_000)),
    toMs: Math.floor(endMs + intervalMs(options.spanEndTimeShift, 120_000)),
  }));
}

// ---- step 1: each backend's trace as Grafana's datasource turns it into spans ----

/** Jaeger's `/api/traces/{id}` (and `/api/traces?…`) trace. */
export interface JaegerApiTrace {
  traceID: string;
  spans: {
    traceID: string;
    spanID: string;
    processID: string;
    operationName: string;
    startTime: number;
    duration: number;
    tags?: TraceKeyValue[];
  }[];
  processes: Record<string, { serviceName: string; tags?: TraceKeyValue[] }>;
}

/** pkg/tsdb/jaeger/querydata.go, transformTraceResponse. */
export function spansFromJaeger(trace: JaegerApiTrace): TraceSpan[] {
  return trace.spans.map((span) => {
    const process = trace.processes[span.processID];
    return {
      spanID: span.spanID,
      traceID: span.traceID,
      operationName: span.operationName,
      startTime: span.startTime,
      duration: span.duration,
      process: { serviceName: process?.serviceName ?? '', tags: process?.tags ?? [] },
      tags: span.tags ?? [],
    };
  });
}

/** An OTLP/JSON AnyValue. */
interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: unknown;
  kvlistValue?: unknown;
}

/** Tempo's `/api/v2/traces/{id}` (OTLP JSON). */
export interface TempoApiTrace {
  trace?: {
    resourceSpans?: {
      resource?: { attributes?: { key: string; value: OtlpValue }[] };
      scopeSpans?: {
        scope?: { name?: string; version?: string };
        spans?: {
          traceId: string;
          spanId: string;
          name: string;
          kind?: string | number;
          startTimeUnixNano: string;
          endTimeUnixNano: string;
          attributes?: { key: string; value: OtlpValue }[];
          status?: { code?: string | number; message?: string };
        }[];
      }[];
    }[];
  };
}

/** trace_transform.go, getAttributeVal. */
function attributeValue(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return JSON.stringify(value.arrayValue);
  if (value.kvlistValue !== undefined) return JSON.stringify(value.kvlistValue);
  return null;
}

const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

/** OTLP JSON writes enums as names or numbers. */
function enumIndex(value: string | number | undefined, names: readonly string[], prefix: string): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const index = names.indexOf(value.replace(prefix, '').toLowerCase());
  return index === -1 ? names.indexOf(value) : index;
}

/** Base64 (OTLP JSON of Tempo) or hex ids → hex. */
function hexId(id: string): string {
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

/** trace_transform.go, resourceToProcess + getSpanTags. */
export function spansFromTempo(body: TempoApiTrace): TraceSpan[] {
  const spans: TraceSpan[] = [];
  for (const rs of body.trace?.resourceSpans ?? []) {
    const serviceTags = (rs.resource?.attributes ?? []).map((a) => ({
      key: a.key,
      value: attributeValue(a.value),
    }));
    const serviceName = serviceTags.find((t) => t.key === 'service.name')?.value;
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const tags: TraceKeyValue[] = [];
        if (ss.scope?.name) tags.push({ key: 'otel.library.name', value: ss.scope.name });
        if (ss.scope?.version) tags.push({ key: 'otel.library.version', value: ss.scope.version });
        for (const a of span.attributes ?? []) tags.push({ key: a.key, value: attributeValue(a.value) });
        const kind = enumIndex(span.kind, SPAN_KINDS, 'SPAN_KIND_');
        if (kind > 0) tags.push({ key: 'span.kind', value: SPAN_KINDS[kind] });
        const status = enumIndex(span.status?.code, STATUS_CODES, '');
        tags.push({ key: 'otel.status_code', value: status });
        if (status === 2) tags.push({ key: 'error', value: true });
        if (span.status?.message) tags.push({ key: 'otel.status_description', value: span.status.message });
        const startNs = BigInt(span.startTimeUnixNano);
        spans.push({
          spanID: hexId(span.spanId),
          traceID: hexId(span.traceId),
          operationName: span.name,
          startTime: Number(startNs / 1000n),
          duration: Number((BigInt(span.endTimeUnixNano) - startNs) / 1000n),
          process: { serviceName: typeof serviceName === 'string' ? serviceName : '', tags: serviceTags },
          tags,
        });
      }
    }
  }
  return spans;
}
