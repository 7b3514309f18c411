// Grafana's queries on the real lab (issue 5): Grafana itself is not in the native lab (AGPL, no registry
// serves it), so every query it would send runs against the real backends instead. Every panel and variable
// query of the SPM dashboard, with the variables substituted for each service, returns data from Prometheus;
// so do the datasources' trace-to-metrics queries; every exercise answer for Prometheus and Jaeger returns data;
// the operations table's links find, in Jaeger and in Tempo, the traces they promise; every TraceQL panel and
// exercise answer returns data from Tempo, and a trace found by TraceQL opens by id within the datasource's time
// shift. Without a Tempo binary (TEMPO_BINARY) native:up leaves Tempo out, and its queries are reported skipped.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Exercise, loadExercises } from '../../grafana/src/exercises.ts';
import { operationJaegerSearch, operationTraceQL } from '../../grafana/src/links.ts';
import {
  interpolate,
  panelQueries,
  traceToMetricsOptions,
  variableQueries,
} from '../../grafana/src/queries.ts';
import { readState } from '../../native/lib/state.ts';
import { metricsQueryRange, search as tempoSearch, traceById } from '../../verify/apis/tempo.ts';
import { sloDashboard } from '../../grafana/src/slo.ts';
import { promqlErrors } from '../../grafana/src/syntax.ts';
import {
  type JaegerApiTrace,
  metricsLinks,
  spansFromJaeger,
  spansFromTempo,
  type TempoApiTrace,
  type TraceSpan,
} from '../../grafana/src/trace-to-metrics.ts';
import { APP_SERVICES } from '../../verify/lab.ts';
import {
  assertHasData,
  getJson,
  jaegerSearch,
  jaegerWindow,
  labStartedMs,
  loadRunningFor,
  poll,
  printLogsOnFailure,
  promInstant,
  promLabelValues,
  promRange,
  urls,
  type JaegerTrace,
} from './lab.ts';

printLogsOnFailure();

const tempoSkipped = readState().skipped.tempo;
/** Why Tempo's queries are reported skipped: false when native:up runs Tempo (always in CI). */
const TEMPO_SKIP = tempoSkipped === undefined ? false : `Tempo is not in this native lab: ${tempoSkipped}`;

/** Grafana's Tempo datasource (grafana/provisioning/datasources/datasources.yaml) looks traces up by id ±30 min. */
const TRACE_TIME_SHIFT_MS = 30 * 60_000;

/**
 * Runs TraceQL as Grafana's Tempo datasource does over the dashboard's time range: a search answers with traces
 * (and each opens by id within the datasource's time shift), a metrics query with a finite value.
 */
async function assertTraceQLHasData(kind: 'traceql-search' | 'traceql-metrics', q: string): Promise<void> {
  const { startMs, endMs } = timeRange();
  if (kind === 'traceql-metrics') {
    const series = await metricsQueryRange(urls.tempo, { q, startMs, endMs, stepS: 15 });
    const finite = series.flatMap((s) => s.values).filter(Number.isFinite);
    if (finite.length === 0) throw new Error(`${q}: ${String(series.length)} series, no finite value`);
    return;
  }
  const hits = await tempoSearch(urls.tempo, { q, startMs, endMs, limit: 20 });
  const first = hits[0];
  if (first === undefined) throw new Error(`${q}: no trace`);
  const window = { startMs: startMs - TRACE_TIME_SHIFT_MS, endMs: endMs + TRACE_TIME_SHIFT_MS };
  const trace = await traceById(urls.tempo, first.traceID, window);
  if (trace === undefined || trace.spans === 0)
    throw new Error(`${q}: trace ${first.traceID} found by search does not open by id`);
}

// Both languages' exercise documents; an answer that is the same in both is run once.
const exercises = new Map<string, Exercise>();
for (const e of [...(await loadExercises('en')), ...(await loadExercises('zh-TW'))]) {
  exercises.set(`${e.kind} ${e.query}`, e);
}

/** Grafana's $__rate_interval for a 5 s scrape interval is 4 × 5 s = 20 s; 1m is what a learner's panel shows at 1h. */
const RATE_INTERVAL = '1m';
/** Data is polled for this long: the lab has been under load for a minute or more when this file runs. */
const DATA_TIMEOUT_MS = 90_000;

/** The dashboard's time range: since this lab started (data of earlier runs never counts), at most 15 min. */
function timeRange(): { startMs: number; endMs: number; range: string } {
  const endMs = Date.now();
  const startMs = Math.max(labStartedMs(), endMs - 15 * 60_000);
  return { startMs, endMs, range: `${String(Math.ceil((endMs - startMs) / 1000))}s` };
}

/** The latest server span of `service` among Grafana's spans of a backend's traces. */
function serverSpanOf(spans: readonly TraceSpan[], service: string, backend: string): TraceSpan {
  const server = spans
    .filter(
      (s) =>
        s.process.serviceName === service &&
        s.tags.some((t) => t.key === 'span.kind' && t.value === 'server'),
    )
    .sort((a, b) => b.startTime - a.startTime)[0];
  if (server === undefined) throw new Error(`${backend}: no server span of ${service} yet`);
  return server;
}

/** Parses Jaeger's duration parameter (`3s`, `500ms`, `1.5s`, `2m`) into microseconds. */
function durationUs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)$/.exec(text);
  if (m === null) throw new Error(`unreadable Jaeger duration ${text}`);
  const unit = { us: 1, µs: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 }[
    m[2] as 'us' | 'µs' | 'ms' | 's' | 'm' | 'h'
  ];
  return Number(m[1]) * unit;
}

/**
 * Throws unless every trace holds what a Jaeger search with these parameters promises: a span of `service`
 * (with `operation`, at least `minDuration` long, and carrying `tags`, when those are given).
 */
function assertTracesMatch(
  traces: readonly JaegerTrace[],
  params: Record<string, string>,
  what: string,
): void {
  if (traces.length === 0) throw new Error(`${what}: no trace`);
  const tags = params.tags === undefined ? {} : (JSON.parse(params.tags) as Record<string, unknown>);
  const minUs = params.minDuration === undefined ? 0 : durationUs(params.minDuration);
  for (const trace of traces) {
    const ok = trace.spans.some(
      (s) =>
        s.service === params.service &&
        (params.operation === undefined || s.operation === params.operation) &&
        s.durationUs >= minUs &&
        Object.entries(tags).every(([k, v]) => s.tags[k] === String(v)),
    );
    assert.ok(ok, `${what}: trace ${trace.traceId} has no span matching ${JSON.stringify(params)}`);
  }
}

describe(
  'Grafana: dashboard, link and exercise queries return data on the real lab',
  { timeout: 300_000 },
  () => {
    test('the lab has had a minute of load', async () => {
      await loadRunningFor(60_000);
    });

    describe('dashboard variables', () => {
      for (const variable of variableQueries()) {
        test(`$${variable.variable}: label_values(${variable.selector}, ${variable.label})`, async () => {
          assert.equal(variable.datasourceUid, 'prometheus');
          const expected = variable.variable === 'service' ? [...APP_SERVICES] : ['SPAN_KIND_SERVER'];
          for (const service of APP_SERVICES) {
            const selector = interpolate(variable.selector, {
              service,
              rateInterval: RATE_INTERVAL,
              range: '15m',
            });
            const values = await poll(
              `values of ${variable.label} for ${selector}`,
              async () => {
                const v = await promLabelValues(variable.label, selector, timeRange().startMs);
                const missing = expected.filter((e) => !v.includes(e));
                if (missing.length > 0) throw new Error(`missing ${missing.join(', ')} in [${v.join(', ')}]`);
                return v;
              },
              { timeoutMs: DATA_TIMEOUT_MS },
            );
            assert.ok(values.length >= expected.length);
            if (selector === variable.selector) break; // the query does not depend on $service
          }
        });
      }
    });

    describe('dashboard panels, for each service', () => {
      for (const query of panelQueries()) {
        const name = `${query.panel} / ${query.refId}${query.via === undefined ? '' : ` (${query.via})`}`;
        // Grafana draws the service map from the Prometheus queries listed after it ("via"): those run below.
        if (query.kind === 'tempo-service-map') continue;
        if (query.datasourceUid === 'tempo') {
          test(name, { skip: TEMPO_SKIP }, async () => {
            for (const service of APP_SERVICES) {
              const q = interpolate(query.expr, { service, rateInterval: RATE_INTERVAL, range: '15m' });
              await poll(`${name} for ${service}`, () => assertTraceQLHasData('traceql-search', q), {
                timeoutMs: DATA_TIMEOUT_MS,
              });
              if (!query.expr.includes('$service') && !query.expr.includes('${service}')) break;
            }
          });
          continue;
        }
        test(name, async () => {
          for (const service of APP_SERVICES) {
            await poll(
              `${name} for ${service}`,
              async () => {
                const { startMs, endMs, range } = timeRange();
                const expr = interpolate(query.expr, { service, rateInterval: RATE_INTERVAL, range });
                const series =
                  query.kind === 'promql-range'
                    ? await promRange(expr, startMs, endMs)
                    : await promInstant(expr);
                assertHasData(series, `${service}: ${expr}`);
              },
              { timeoutMs: DATA_TIMEOUT_MS },
            );
            if (!query.expr.includes('$service') && !query.expr.includes('${service}')) break;
          }
        });
      }
    });

    describe('SLO dashboard panels, for each service', () => {
      for (const query of panelQueries(sloDashboard())) {
        // Prometheus' ALERTS holds a series only while an alert is pending or firing: empty is the healthy answer.
        if (query.expr.startsWith('ALERTS')) continue;
        test(`${query.panel} / ${query.refId}`, async () => {
          for (const service of APP_SERVICES) {
            await poll(
              `${query.panel} for ${service}`,
              async () => {
                const { startMs, endMs, range } = timeRange();
                const expr = interpolate(query.expr, { service, rateInterval: RATE_INTERVAL, range });
                assertHasData(await promRange(expr, startMs, endMs), `${service}: ${expr}`);
              },
              { timeoutMs: DATA_TIMEOUT_MS },
            );
          }
        });
      }
    });

    describe('trace-to-metrics links, built as Grafana builds them from a real span of each backend', () => {
      // One server span of each service, fetched from the backend's API, turned into Grafana's span
      // (spansFromJaeger / spansFromTempo) and into the link queries (metricsLinks): nothing substituted by hand.
      const backends = {
        jaeger: async (service: string): Promise<TraceSpan> => {
          const body = (await getJson(
            `${urls.jaegerQuery}/api/traces?${new URLSearchParams({
              service,
              limit: '5',
              ...Object.fromEntries(
                Object.entries(jaegerWindow(labStartedMs())).map(([k, v]) => [k, String(v)]),
              ),
            }).toString()}`,
            30_000,
          )) as { data?: JaegerApiTrace[] | null };
          const spans = (body.data ?? []).flatMap(spansFromJaeger);
          return serverSpanOf(spans, service, 'Jaeger');
        },
        tempo: async (service: string): Promise<TraceSpan> => {
          const q = `{ resource.service.name = "${service}" && kind = server }`;
          const hits = await tempoSearch(urls.tempo, {
            q,
            startMs: labStartedMs(),
            endMs: Date.now() + 5_000,
            limit: 5,
          });
          const traceId = hits[0]?.traceID;
          if (traceId === undefined) throw new Error(`Tempo: no trace for ${q}`);
          const body = (await getJson(`${urls.tempo}/api/v2/traces/${traceId}`)) as TempoApiTrace;
          return serverSpanOf(spansFromTempo(body), service, 'Tempo');
        },
      };

      for (const uid of ['jaeger', 'tempo'] as const) {
        const skip = uid === 'tempo' ? TEMPO_SKIP : false;
        test(
          `${uid}: every "related metrics" query of a span of each service returns data`,
          { skip },
          async () => {
            const options = (await traceToMetricsOptions()).get(uid);
            assert.ok(options !== undefined, `datasource ${uid} has tracesToMetrics`);
            for (const service of APP_SERVICES) {
              const span = await poll(`${uid}: a server span of ${service}`, () => backends[uid](service), {
                timeoutMs: DATA_TIMEOUT_MS,
              });
              for (const link of metricsLinks(span, options)) {
                const what = `${uid} ${service} "${span.operationName}" → ${link.name}`;
                assert.equal(link.tags, `service_name="${service}"`, `${what}: $__tags`);
                const expr = interpolate(link.expr, { service, rateInterval: RATE_INTERVAL, range: '15m' });
                assert.deepEqual(promqlErrors(expr), [], `${what}: ${expr}`);
                await poll(
                  what,
                  async () => {
                    const toMs = Math.min(link.toMs, Date.now());
                    assertHasData(await promRange(expr, link.fromMs, toMs), expr);
                  },
                  { timeoutMs: DATA_TIMEOUT_MS },
                );
              }
            }
          },
        );
      }
    });

    describe('operations table links: each operation of each service', () => {
      for (const service of APP_SERVICES) {
        test(`${service}: Jaeger finds the traces of every operation the table lists`, async () => {
          const operationsQuery = panelQueries().find(
            (q) => q.panel === 'Operations by impact' && q.refId === 'B',
          );
          assert.ok(operationsQuery !== undefined, 'the operations table has a request-rate query (B)');
          const { range } = timeRange();
          const rows = await promInstant(
            interpolate(operationsQuery.expr, { service, rateInterval: RATE_INTERVAL, range }),
          );
          const operations = rows.map((r) => r.metric.span_name).filter((s): s is string => s !== undefined);
          assert.ok(operations.includes('GET /chain'), `${service} operations: ${operations.join(', ')}`);
          for (const operation of operations) {
            const search = operationJaegerSearch(service, operation);
            const traces = await poll(
              `Jaeger traces of ${service} "${operation}"`,
              async () => {
                const found = await jaegerSearch({ ...search, ...jaegerWindow(labStartedMs()), limit: 20 });
                assertTracesMatch(found, search, `${service} "${operation}"`);
                return found;
              },
              { timeoutMs: 30_000 },
            );
            assert.ok(traces.length > 0);
          }
        });
      }

      test(
        `Tempo: the TraceQL link of each operation, e.g. ${operationTraceQL('fastify', 'GET /chain')}`,
        { skip: TEMPO_SKIP },
        async () => {
          const operationsQuery = panelQueries().find(
            (q) => q.panel === 'Operations by impact' && q.refId === 'B',
          );
          assert.ok(operationsQuery !== undefined);
          for (const service of APP_SERVICES) {
            const { range } = timeRange();
            const rows = await promInstant(
              interpolate(operationsQuery.expr, { service, rateInterval: RATE_INTERVAL, range }),
            );
            const operations = rows
              .map((r) => r.metric.span_name)
              .filter((s): s is string => s !== undefined);
            assert.ok(operations.length > 0, `${service}: no operations`);
            for (const operation of operations) {
              const q = operationTraceQL(service, operation);
              await poll(`Tempo: ${q}`, () => assertTraceQLHasData('traceql-search', q), {
                timeoutMs: 60_000,
              });
            }
          }
        },
      );
    });

    describe('exercise answers', () => {
      test('there are exercises for Prometheus, Tempo and Jaeger', () => {
        const kinds = new Set([...exercises.values()].map((e) => e.datasourceUid));
        assert.deepEqual([...kinds].sort(), ['jaeger', 'prometheus', 'tempo']);
      });

      for (const exercise of exercises.values()) {
        const name = `${String(exercise.number)}. ${exercise.id} (${exercise.kind})`;
        if (exercise.kind === 'traceql-search' || exercise.kind === 'traceql-metrics') {
          const kind = exercise.kind;
          test(name, { skip: TEMPO_SKIP }, async () => {
            await poll(name, () => assertTraceQLHasData(kind, exercise.query), {
              timeoutMs: DATA_TIMEOUT_MS,
            });
          });
          continue;
        }
        test(name, async () => {
          if (exercise.kind === 'promql') {
            await poll(
              name,
              async () => {
                assertHasData(await promInstant(exercise.query), exercise.query);
              },
              {
                timeoutMs: DATA_TIMEOUT_MS,
              },
            );
            return;
          }
          const jaeger = exercise.jaeger;
          assert.ok(jaeger !== undefined);
          if (exercise.kind === 'jaeger-search') {
            // The UI's /search page and the API's /api/traces take the same parameters.
            await poll(
              name,
              async () => {
                const traces = await jaegerSearch({ ...jaeger.params, ...jaegerWindow(labStartedMs()) });
                assertTracesMatch(traces, jaeger.params, name);
              },
              { timeoutMs: DATA_TIMEOUT_MS },
            );
            return;
          }
          // jaeger-metrics: the Monitor tab's API.
          await poll(
            name,
            async () => {
              const url = new URL(jaeger.path, urls.jaegerQuery);
              for (const [k, v] of Object.entries(jaeger.params)) url.searchParams.set(k, v);
              const body = (await getJson(url.toString())) as {
                metrics?: {
                  labels: { name: string; value: string }[];
                  metricPoints?: { gaugeValue?: { doubleValue?: number | string } }[];
                }[];
              };
              const metrics = body.metrics ?? [];
              const values = metrics.flatMap((m) =>
                (m.metricPoints ?? []).map((p) => Number(p.gaugeValue?.doubleValue)),
              );
              if (!values.some(Number.isFinite))
                throw new Error(`${String(metrics.length)} series, no finite point`);
              const service = jaeger.params.service;
              for (const m of metrics) {
                const labelled = m.labels.find((l) => l.name === 'service_name')?.value;
                assert.equal(labelled, service, `a series of another service: ${JSON.stringify(m.labels)}`);
              }
            },
            { timeoutMs: DATA_TIMEOUT_MS },
          );
        });
      }
    });
  },
);
