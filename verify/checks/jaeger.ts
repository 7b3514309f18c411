// Hop 3b: Jaeger (collector -> Cassandra -> query) lists the services and returns /chain traces holding all
// three; its Monitor tab's API (query -> Prometheus span metrics) has latencies, call rates and error rates.
import type { Check, LabContext, Outcome } from '../check.ts';
import { logsOf } from '../check.ts';
import { formatDuration } from '../duration.ts';
import { getText } from '../http.ts';
import { instantQuery } from '../apis/prometheus.ts';
import { formatNumber, joinFigures } from '../format.ts';
import type { MetricSeries, MonitorMetric } from '../apis/jaeger.ts';
import { findTraces, monitorMetrics, services } from '../apis/jaeger.ts';
import { APP_SERVICES } from '../lab.ts';
import { CONFIG, counter, jaegerWritePath, listWords } from './common.ts';
import { findCompleteTrace, judgeChain } from './chain.ts';

const STORAGE_HINT = (ctx: Pick<LabContext, 'lab' | 'logDir'>): string =>
  `Jaeger's traces come from the collector through jaeger-collector into Cassandra: ${logsOf(ctx, 'jaeger-collector', 'cassandra')}`;

export function judgeServices(names: readonly string[], ctx: Pick<LabContext, 'lab' | 'logDir'>): Outcome {
  const missing = APP_SERVICES.filter((s) => !names.includes(s));
  const others = names.filter((n) => !(APP_SERVICES as readonly string[]).includes(n));
  const figure = `${APP_SERVICES.filter((s) => names.includes(s)).join(', ') || 'none of the services'}${
    others.length > 0 ? ` (+ ${others.join(', ')})` : ''
  }`;
  if (missing.length === 0) return { ok: true, figure };
  return { ok: false, figure: `${figure}; missing ${listWords(missing)}`, hint: STORAGE_HINT(ctx) };
}

/**
 * jaeger-collector's own health (healthcheckv2's /status, as compose's healthcheck asks): the otel-collector
 * queues and retries for it and jaeger-query still serves older traces, so without this a stopped
 * jaeger-collector shows only once its queue has grown or its newest trace has aged.
 */
export const jaegerCollectorUp: Check = {
  id: 'jaeger.collector',
  component: 'jaeger',
  title: 'jaeger-collector is up (its health endpoint)',
  // Refused or an error answer: outcomeOfError (verify/check.ts) names jaeger-collector, or Cassandra behind it.
  run: async (ctx) => {
    const url = new URL('/status', ctx.urls.jaegerCollectorHealth).toString();
    return { ok: true, figure: `${url} answers ${String((await getText(url)).status)}` };
  },
};

export const jaegerServices: Check = {
  id: 'jaeger.services',
  component: 'jaeger',
  title: 'lists the three services',
  run: async (ctx) => judgeServices(await services(ctx.urls.jaegerQuery), ctx),
};

export const jaegerChain: Check = {
  id: 'jaeger.chain',
  component: 'jaeger',
  title: '/chain traces hold all three services',
  run: async (ctx) => {
    const endMs = ctx.now();
    const findings = await Promise.all(
      APP_SERVICES.map(async (root) => {
        const traces = await findTraces(ctx.urls.jaegerQuery, {
          service: root,
          operation: 'GET /chain',
          startMs: endMs - ctx.lookbackMs,
          endMs,
          limit: 5,
        });
        // Jaeger's search answer already holds whole traces: nothing more to open.
        const byId = new Map(traces.map((t) => [t.traceID, t]));
        return findCompleteTrace(root, traces, (id) => Promise.resolve(byId.get(id)));
      }),
    );
    return judgeChain(findings, 'Jaeger', `${STORAGE_HINT(ctx)}; is k6 calling /chain?`);
  },
};

/**
 * How old Jaeger's newest trace may be while load runs. The services export every second
 * (OTEL_BSP_SCHEDULE_DELAY), the collector batches for at most 200 ms and Jaeger writes within seconds, and k6
 * makes a trace of every service every few seconds: 20 s without a new trace means traces stopped arriving,
 * even while jaeger-query still serves the older ones.
 */
export const FRESH_MAX_AGE_MS = 20_000;
/** The window searched for the newest trace (each service, newest 100). */
export const FRESH_WINDOW_MS = 60_000;

export function judgeFreshness(
  newestEndMs: number | undefined,
  loadPerSecond: number,
  ctx: Pick<LabContext, 'lab' | 'logDir' | 'now'>,
): Outcome {
  const load = `${formatNumber(loadPerSecond)} spans/s arriving at the collector`;
  const age = newestEndMs === undefined ? undefined : Math.max(0, ctx.now() - newestEndMs);
  const figure = `newest trace ${
    age === undefined ? `older than ${formatDuration(FRESH_WINDOW_MS)}` : `${formatDuration(age)} old`
  }, ${load}`;
  if (loadPerSecond <= 0) return { ok: true, figure: `${figure} (no load: not judged)` };
  if (age !== undefined && age <= FRESH_MAX_AGE_MS) return { ok: true, figure };
  return {
    ok: false,
    figure: `${figure}: no new trace for over ${formatDuration(FRESH_MAX_AGE_MS)}`,
    hint: `spans arrive but none reach Jaeger: ${jaegerWritePath(ctx)} See the collector's queue check; ${logsOf(ctx, 'jaeger-collector', 'cassandra')}`,
  };
}

export const jaegerFresh: Check = {
  id: 'jaeger.fresh',
  component: 'jaeger',
  needs: ['prometheus', 'collector'],
  title: 'new traces keep arriving',
  run: async (ctx) => {
    const endMs = ctx.now();
    const [found, rate] = await Promise.all([
      Promise.all(
        APP_SERVICES.map((service) =>
          findTraces(ctx.urls.jaegerQuery, { service, startMs: endMs - FRESH_WINDOW_MS, endMs, limit: 100 }),
        ),
      ),
      instantQuery(ctx.urls.prometheus, `sum(rate(${counter('otelcol_receiver_accepted_spans')}[1m]))`),
    ]);
    const ends = found.flat().flatMap((t) => (t.endMs === undefined ? [] : [t.endMs]));
    return judgeFreshness(ends.length === 0 ? undefined : Math.max(...ends), rate[0]?.value ?? 0, ctx);
  },
};

/** The last finite value of a series (the Monitor tab's current figure). */
function lastFinite(series: MetricSeries): number | undefined {
  return series.points.findLast((p) => Number.isFinite(p.value))?.value;
}

export function judgeMonitor(
  metric: MonitorMetric,
  series: readonly MetricSeries[],
  ctx: Pick<LabContext, 'lab' | 'logDir'>,
): Outcome {
  const hint = `Jaeger computes the Monitor tab from Prometheus' traces_span_metrics_* series (see the Prometheus checks) through the metrics backend in ${CONFIG.jaegerQuery}; ${logsOf(ctx, 'jaeger-query')}`;
  if (metric === 'errors') {
    // Grouped by operation: every service's /error_test must show a non-zero error rate.
    const rates = APP_SERVICES.map((service) => {
      const s = series.find(
        (x) => x.labels.service_name === service && x.labels.operation === 'GET /error_test',
      );
      const max = s ? Math.max(0, ...s.points.map((p) => p.value).filter(Number.isFinite)) : undefined;
      return { service, max };
    });
    const missing = rates.filter((r) => !(r.max !== undefined && r.max > 0)).map((r) => r.service);
    const figure = `GET /error_test error rate: ${joinFigures(
      rates.map((r) => `${r.service} ${r.max === undefined ? 'none' : `${formatNumber(r.max * 100)}%`}`),
    )}`;
    return missing.length === 0 ? { ok: true, figure } : { ok: false, figure, hint };
  }
  const values = APP_SERVICES.map((service) => {
    const s = series.find((x) => x.labels.service_name === service);
    return { service, value: s ? lastFinite(s) : undefined };
  });
  const good = (v: number | undefined): boolean =>
    v !== undefined && (metric === 'latencies' ? v >= 0 : v > 0);
  const missing = values.filter((v) => !good(v.value)).map((v) => v.service);
  const unit = metric === 'latencies' ? ' ms' : '/s';
  const figure = `${metric === 'latencies' ? 'p95 ' : ''}${joinFigures(
    values.map((v) => `${v.service} ${v.value === undefined ? 'none' : `${formatNumber(v.value)}${unit}`}`),
  )}`;
  return missing.length === 0 ? { ok: true, figure } : { ok: false, figure, hint };
}

function monitorCheck(metric: MonitorMetric, title: string): Check {
  return {
    id: `jaeger.monitor.${metric}`,
    component: 'jaeger',
    needs: ['prometheus'],
    title,
    run: async (ctx) => {
      const series = await monitorMetrics(ctx.urls.jaegerQuery, metric, {
        services: APP_SERVICES,
        endMs: ctx.now(),
        lookbackMs: ctx.lookbackMs,
        stepMs: 15_000,
        groupByOperation: metric === 'errors',
      });
      return judgeMonitor(metric, series, ctx);
    },
  };
}

export const jaegerChecks: Check[] = [
  jaegerCollectorUp,
  jaegerServices,
  jaegerFresh,
  jaegerChain,
  monitorCheck('latencies', 'Monitor tab: latencies'),
  monitorCheck('calls', 'Monitor tab: call rates'),
  monitorCheck('errors', 'Monitor tab: error rates'),
];
