// Hop 4: Prometheus holds span metrics of every service, error series for /error_test, service-graph
// edges along every /chain call, and exemplars whose trace ids Tempo knows.
import type { Check, LabContext, Outcome } from '../check.ts';
import { logsOf, startCommand } from '../check.ts';
import { formatDuration } from '../duration.ts';
import { formatNumber, joinFigures } from '../format.ts';
import type { Exemplar, Sample } from '../apis/prometheus.ts';
import { instantQuery, queryExemplars, sumBy } from '../apis/prometheus.ts';
import { traceById } from '../apis/tempo.ts';
import type { AppService } from '../lab.ts';
import { APP_SERVICES } from '../lab.ts';
import { CALLS_METRIC, SERVER } from './collector.ts';
import { CONFIG, listWords, perService, shortId, skippedTarget } from './common.ts';

export const DURATION_BUCKET = 'traces_span_metrics_duration_milliseconds_bucket';
export const SERVICE_GRAPH_REQUESTS = 'traces_service_graph_request_total';

const scrapeHint = (ctx: Pick<LabContext, 'lab' | 'logDir'>): string =>
  `if the collector check of :8889 passes, Prometheus does not scrape otel-collector:8889: check ${CONFIG.prometheus} and Prometheus' targets page (/targets); ${logsOf(ctx, 'prometheus')}`;

export function judgeSpanMetrics(
  calls: readonly Sample[],
  histograms: readonly Sample[],
  ctx: Pick<LabContext, 'lab' | 'logDir'>,
): Outcome {
  const c = perService(sumBy(calls, 'service_name'), APP_SERVICES);
  const h = perService(sumBy(histograms, 'service_name'), APP_SERVICES);
  const missing = [...new Set([...c.missing, ...h.missing])];
  const figure = `server calls: ${c.figure}${h.missing.length > 0 ? `; duration histograms missing for ${listWords(h.missing)}` : ''}`;
  return missing.length === 0 ? { ok: true, figure } : { ok: false, figure, hint: scrapeHint(ctx) };
}

export const prometheusSpanMetrics: Check = {
  id: 'prometheus.spanmetrics',
  component: 'prometheus',
  title: 'span metrics of every service',
  run: async (ctx) => {
    const [calls, histograms] = await Promise.all([
      instantQuery(ctx.urls.prometheus, `sum by (service_name) (${CALLS_METRIC}{span_kind="${SERVER}"})`),
      instantQuery(
        ctx.urls.prometheus,
        `sum by (service_name) (${DURATION_BUCKET.replace(/_bucket$/, '_count')}{span_kind="${SERVER}"})`,
      ),
    ]);
    return judgeSpanMetrics(calls, histograms, ctx);
  },
};

export function judgeErrorSeries(
  errors: readonly Sample[],
  ctx: Pick<LabContext, 'lab' | 'logDir'>,
): Outcome {
  const { missing, figure } = perService(sumBy(errors, 'service_name'), APP_SERVICES);
  const full = `GET /error_test errors: ${figure}`;
  if (missing.length === 0) return { ok: true, figure: full };
  return {
    ok: false,
    figure: full,
    hint: `${listWords(missing)} must answer /error_test with 500 (SERVER span status ERROR, span named "GET /error_test"); is k6 calling it? ${logsOf(ctx, ...missing)}`,
  };
}

export const prometheusErrors: Check = {
  id: 'prometheus.errors',
  component: 'prometheus',
  title: 'error series for /error_test',
  run: async (ctx) =>
    judgeErrorSeries(
      await instantQuery(
        ctx.urls.prometheus,
        `sum by (service_name) (${CALLS_METRIC}{span_kind="${SERVER}", span_name="GET /error_test", status_code="STATUS_CODE_ERROR"})`,
      ),
      ctx,
    ),
};

/** Every /chain call is an edge client -> server; the expected set comes from compose's chain targets. */
export function expectedEdges(
  chain: Readonly<Record<AppService, readonly AppService[]>>,
): [AppService, AppService][] {
  return APP_SERVICES.flatMap((client) =>
    chain[client].map((server): [AppService, AppService] => [client, server]),
  );
}

export function judgeServiceGraph(
  requests: readonly Sample[],
  chain: Readonly<Record<AppService, readonly AppService[]>>,
  ctx: Pick<LabContext, 'lab' | 'logDir'>,
): Outcome {
  const counts = new Map<string, number>();
  for (const s of requests) {
    const key = `${s.labels.client ?? '?'}→${s.labels.server ?? '?'}`;
    counts.set(key, (counts.get(key) ?? 0) + s.value);
  }
  const edges = expectedEdges(chain).map(([client, server]) => `${client}→${server}`);
  const missing = edges.filter((e) => !((counts.get(e) ?? 0) > 0));
  const present = edges.filter((e) => !missing.includes(e));
  const figure = `${String(present.length)}/${String(edges.length)} /chain edges${
    present.length > 0
      ? `: ${joinFigures(present.map((e) => `${e} ${formatNumber(counts.get(e) ?? 0)}`))}`
      : ''
  }`;
  if (missing.length === 0) return { ok: true, figure };
  return {
    ok: false,
    figure: `${figure}; missing ${missing.join(', ')}`,
    hint:
      requests.length === 0
        ? `no ${SERVICE_GRAPH_REQUESTS} at all: in ${CONFIG.collector} the service_graph connector must be an exporter of the traces pipeline and feed the prometheus exporter; ${scrapeHint(ctx)}`
        : `an edge needs the client span of the caller and the server span of the callee in one trace: check trace propagation of ${listWords([...new Set(missing.map((e) => e.split('→')[0] ?? ''))])}; is k6 calling /chain?`,
  };
}

export const prometheusServiceGraph: Check = {
  id: 'prometheus.servicegraph',
  component: 'prometheus',
  title: 'service-graph edges',
  run: async (ctx) =>
    judgeServiceGraph(
      await instantQuery(ctx.urls.prometheus, `sum by (client, server) (${SERVICE_GRAPH_REQUESTS})`),
      ctx.chain,
      ctx,
    ),
};

const EXEMPLAR_QUERY = `${DURATION_BUCKET}{service_name=~"${APP_SERVICES.join('|')}"}`;

export function judgeExemplars(exemplars: readonly Exemplar[], ctx: Pick<LabContext, 'lookbackMs'>): Outcome {
  const withTrace = exemplars.filter((e) => e.labels.trace_id);
  const counts = new Map<string, number>();
  for (const e of withTrace) {
    const service = e.series.service_name ?? '?';
    counts.set(service, (counts.get(service) ?? 0) + 1);
  }
  const { missing, figure } = perService(counts, APP_SERVICES);
  const full = `${formatNumber(withTrace.length)} exemplars with trace_id in the last ${formatDuration(ctx.lookbackMs)}: ${figure}`;
  if (missing.length === 0) return { ok: true, figure: full };
  return {
    ok: false,
    figure: full,
    hint: `exemplars need, in ${CONFIG.collector}, span_metrics' "exemplars: enabled: true" and the prometheus exporter's "enable_open_metrics: true", and Prometheus started with --enable-feature=exemplar-storage (docker-compose.yaml)`,
  };
}

export const prometheusExemplars: Check = {
  id: 'prometheus.exemplars',
  component: 'prometheus',
  title: 'exemplars with trace ids',
  run: async (ctx) => {
    const endMs = ctx.now();
    return judgeExemplars(
      await queryExemplars(ctx.urls.prometheus, EXEMPLAR_QUERY, endMs - ctx.lookbackMs, endMs),
      ctx,
    );
  },
};

/** How many exemplar traces are looked up, and how old they must be (so their spans reached Tempo). */
const EXEMPLARS_TO_OPEN = 5;
const SETTLE_MS = 15_000;

/** The newest distinct trace ids of exemplars that are at least SETTLE_MS old (or the newest at all). */
export function exemplarTraceIds(
  exemplars: readonly Exemplar[],
  nowMs: number,
  count = EXEMPLARS_TO_OPEN,
): string[] {
  const withTrace = exemplars.filter((e) => e.labels.trace_id).sort((a, b) => b.timestampMs - a.timestampMs);
  const settled = withTrace.filter((e) => e.timestampMs <= nowMs - SETTLE_MS);
  const pool = settled.length > 0 ? settled : withTrace;
  return [...new Set(pool.map((e) => e.labels.trace_id ?? ''))].slice(0, count);
}

export const exemplarTracesInTempo: Check = {
  id: 'prometheus.exemplar-traces',
  component: 'prometheus',
  needs: ['tempo'],
  title: 'exemplar traces found in Tempo',
  run: async (ctx) => {
    const endMs = ctx.now();
    const exemplars = await queryExemplars(
      ctx.urls.prometheus,
      EXEMPLAR_QUERY,
      endMs - ctx.lookbackMs,
      endMs,
    );
    const ids = exemplarTraceIds(exemplars, endMs);
    if (ids.length === 0)
      return { ok: false, figure: 'no exemplar with a trace_id yet (see the exemplar check)' };
    const found = await Promise.all(
      ids.map(async (id) => ((await traceById(ctx.urls.tempo, id)) ? id : undefined)),
    );
    const missing = ids.filter((id) => !found.includes(id));
    const figure = `${String(ids.length - missing.length)}/${String(ids.length)} of the newest exemplars' traces found${
      missing.length > 0
        ? `; not found: ${missing.map(shortId).join(', ')}`
        : ` (e.g. ${shortId(ids[0] ?? '')})`
    }`;
    if (missing.length === 0) return { ok: true, figure };
    return {
      ok: false,
      figure,
      hint: `the exemplar's trace should be in Tempo seconds later: check the collector's Tempo exporter and ${logsOf(ctx, 'tempo')}`,
    };
  },
};

/** The compose service of a scrape target, e.g. "jaeger-collector" for instance "jaeger-collector:8888". */
export function targetService(instance: string): string {
  return URL.parse(`http://${instance}`)?.hostname ?? instance;
}

/**
 * Prometheus' `up` per target -> the components it cannot scrape, each with the command that starts it, within
 * one scrape interval (15 s) of them stopping: a second view of components whose ports compose does not publish
 * or only in part (jaeger-collector's metrics port stays inside the lab's network; its health port is checked
 * directly by jaeger.collector).
 */
export function judgeTargets(
  up: readonly Sample[],
  ctx: Pick<LabContext, 'lab' | 'logDir' | 'skipped'>,
): Outcome {
  const targets = up
    .map((s) => ({ service: targetService(s.labels.instance ?? '?'), up: s.value === 1 }))
    .filter((t) => t.service !== 'localhost') // Prometheus itself: it answered this query
    .filter((t) => skippedTarget(t.service, ctx.skipped) === undefined);
  const services = [...new Set(targets.map((t) => t.service))].sort();
  const down = services.filter((name) => targets.some((t) => t.service === name && !t.up));
  if (services.length === 0) {
    return {
      ok: false,
      figure: 'Prometheus has no scrape targets',
      hint: `check ${CONFIG.prometheus}; ${logsOf(ctx, 'prometheus')}`,
    };
  }
  const figure = joinFigures(services.map((name) => `${name} ${down.includes(name) ? 'DOWN' : 'up'}`));
  if (down.length === 0) return { ok: true, figure };
  return {
    ok: false,
    figure,
    hint: `Prometheus cannot scrape ${listWords(down)}: start ${down.length === 1 ? 'it' : 'them'} with ${down.map((d) => startCommand(ctx, d)).join(', ')}; ${logsOf(ctx, ...down)}`,
  };
}

export const prometheusTargets: Check = {
  id: 'prometheus.targets',
  component: 'prometheus',
  title: 'every component it scrapes is up',
  run: async (ctx) => judgeTargets(await instantQuery(ctx.urls.prometheus, 'up'), ctx),
};

export const prometheusChecks: Check[] = [
  prometheusTargets,
  prometheusSpanMetrics,
  prometheusErrors,
  prometheusServiceGraph,
  prometheusExemplars,
  exemplarTracesInTempo,
];
