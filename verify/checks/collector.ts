// Hop 2: the collector receives spans, turns them into span metrics and exports them without failures.
// Its own telemetry (:8888) is not published, so these checks read what is: the span metrics on :8889,
// and Prometheus' scrape of the collector's own counters.
import type { Check, LabContext, Outcome } from '../check.ts';
import { logsOf, startCommand } from '../check.ts';
import { formatNumber, joinFigures } from '../format.ts';
import { getText } from '../http.ts';
import type { Sample } from '../apis/prometheus.ts';
import { instantQuery, parseExposition, sumBy } from '../apis/prometheus.ts';
import { APP_SERVICES } from '../lab.ts';
import {
  COLLECTOR_JOB,
  CONFIG,
  counter,
  jaegerWritePath,
  listWords,
  perService,
  skippedTarget,
} from './common.ts';

export const CALLS_METRIC = 'traces_span_metrics_calls_total';
export const SERVER = 'SPAN_KIND_SERVER';

/** The exposition of :8889 -> server calls per service, judged. */
export function judgeCollectorSpanMetrics(
  samples: readonly Sample[],
  ctx: Pick<LabContext, 'lab' | 'logDir'>,
): Outcome {
  const calls = samples.filter((s) => s.labels.__name__ === CALLS_METRIC && s.labels.span_kind === SERVER);
  const { missing, figure } = perService(sumBy(calls, 'service_name'), APP_SERVICES);
  if (missing.length === 0) return { ok: true, figure: `server calls: ${figure}` };
  if (calls.length === 0) {
    return {
      ok: false,
      figure: `no ${CALLS_METRIC} on :8889 yet`,
      hint: `is traffic flowing (k6)? In ${CONFIG.collector} the span_metrics connector must be an exporter of the traces pipeline and a receiver of the pipeline that feeds the prometheus exporter; ${logsOf(ctx, 'otel-collector')}`,
    };
  }
  return {
    ok: false,
    figure: `server calls: ${figure}`,
    hint: `no spans of ${listWords(missing)} reached the collector: check OTEL_EXPORTER_OTLP_ENDPOINT of ${listWords(missing)}; ${logsOf(ctx, ...missing)}`,
  };
}

export const collectorSpanMetrics: Check = {
  id: 'collector.spanmetrics',
  component: 'collector',
  title: 'span metrics on :8889',
  run: async (ctx) => {
    const { body } = await getText(new URL('/metrics', ctx.urls.collectorMetrics).toString());
    return judgeCollectorSpanMetrics(parseExposition(body), ctx);
  },
};

export function judgeReceiver(
  up: readonly Sample[],
  accepted: readonly Sample[],
  refused: readonly Sample[],
  perSecond: readonly Sample[],
  ctx: Pick<LabContext, 'lab' | 'logDir'>,
): Outcome {
  if (up.length > 0 && up.every((s) => s.value === 0)) {
    return {
      ok: false,
      figure: `Prometheus cannot scrape the collector's own metrics (up{job="${COLLECTOR_JOB}"} is 0)`,
      hint: `is the collector up, with its telemetry on 0.0.0.0:8888 (${CONFIG.collector})? ${logsOf(ctx, 'otel-collector')}`,
    };
  }
  if (accepted.length === 0) {
    return {
      ok: false,
      figure: 'Prometheus has no otelcol_receiver_accepted_spans series',
      hint: `Prometheus does not scrape the collector's own metrics (job ${COLLECTOR_JOB}, otel-collector:8888): check ${CONFIG.prometheus} and Prometheus' targets page (/targets)`,
    };
  }
  const total = accepted.reduce((sum, s) => sum + s.value, 0);
  const receivers = [...new Set(accepted.map((s) => s.labels.receiver ?? '?'))].join(', ');
  const rate = perSecond[0]?.value ?? 0;
  const refusedTotal = refused.reduce((sum, s) => sum + s.value, 0);
  const figure = `${formatNumber(total)} spans accepted (${receivers}), ${formatNumber(rate)}/s over the last minute, ${formatNumber(refusedTotal)} refused`;
  if (total > 0) return { ok: true, figure };
  return {
    ok: false,
    figure,
    hint: `no span arrived: do the services export to otel-collector:4317 (OTEL_EXPORTER_OTLP_ENDPOINT)? ${logsOf(ctx, 'otel-collector')}`,
  };
}

export const collectorReceives: Check = {
  id: 'collector.receives',
  component: 'collector',
  needs: ['prometheus'],
  title: 'receives spans',
  run: async (ctx) => {
    const accepted = counter('otelcol_receiver_accepted_spans');
    const [up, acc, refused, rate] = await Promise.all([
      instantQuery(ctx.urls.prometheus, `up{job="${COLLECTOR_JOB}"}`),
      instantQuery(ctx.urls.prometheus, `sum by (receiver) (${accepted})`),
      instantQuery(ctx.urls.prometheus, `sum(${counter('otelcol_receiver_refused_spans')})`),
      instantQuery(ctx.urls.prometheus, `sum(rate(${accepted}[1m]))`),
    ]);
    return judgeReceiver(up, acc, refused, rate, ctx);
  },
};

export function judgeExporters(
  sent: readonly Sample[],
  failed: readonly Sample[],
  ctx: Pick<LabContext, 'lab' | 'logDir' | 'skipped'>,
): Outcome {
  const sentBy = sumBy(sent, 'exporter');
  const failedBy = sumBy(failed, 'exporter');
  const exporters = [...new Set([...sentBy.keys(), ...failedBy.keys()])].sort();
  if (exporters.length === 0) {
    return {
      ok: false,
      figure: 'Prometheus has no otelcol_exporter_sent_spans series',
      hint: `Prometheus does not scrape the collector's own metrics (job ${COLLECTOR_JOB}, otel-collector:8888), or no span was exported yet: ${logsOf(ctx, 'otel-collector')}`,
    };
  }
  const problems: string[] = [];
  const parts = exporters.map((exporter) => {
    const s = sentBy.get(exporter) ?? 0;
    const f = failedBy.get(exporter) ?? 0;
    const skippedAs = skippedTarget(exporter, ctx.skipped);
    const part = `${exporter} ${formatNumber(s)} sent, ${formatNumber(f)} failed`;
    if (skippedAs !== undefined) return `${part} (${skippedAs} skipped)`;
    if (f > 0) problems.push(`${exporter} lost ${formatNumber(f)} spans`);
    else if (s === 0) problems.push(`${exporter} sent nothing yet`);
    return part;
  });
  const figure = joinFigures(parts);
  if (problems.length === 0) return { ok: true, figure };
  return {
    ok: false,
    figure,
    hint: `${problems.join('; ')}: look for export errors in ${logsOf(ctx, 'otel-collector')} (the counters start again from 0 when the collector restarts)`,
  };
}

export const collectorExporters: Check = {
  id: 'collector.exporters',
  component: 'collector',
  needs: ['prometheus'],
  title: 'exporters report no failures',
  run: async (ctx) => {
    // Failed = given up after the retries, or dropped because the sending queue was full.
    const failed = `${counter('otelcol_exporter_send_failed_spans')} or ${counter('otelcol_exporter_enqueue_failed_spans')}`;
    const [sent, lost] = await Promise.all([
      instantQuery(ctx.urls.prometheus, `sum by (exporter) (${counter('otelcol_exporter_sent_spans')})`),
      instantQuery(ctx.urls.prometheus, `sum by (exporter) (${failed})`),
    ]);
    return judgeExporters(sent, lost, ctx);
  },
};

/**
 * The compose service each trace exporter of otel-collector/config.yaml sends to (its endpoint's host; a unit
 * test holds the two files together). verify runs without that file in `docker compose run`, so it is named here.
 */
export const EXPORTER_TARGETS: Readonly<Record<string, string>> = {
  'otlp_grpc/tempo': 'tempo',
  'otlp_grpc/jaeger': 'jaeger-collector',
};

/**
 * Spans waiting in an exporter's sending queue above which its backend counts as not taking them. A backend
 * that keeps up leaves the queue near 0 (10 consumers take each 512-span batch at once); at the default load of
 * 10-20 spans/s, 200 queued spans are 10-20 s of traffic the backend did not accept, while the collector
 * retries (config.yaml: retry_on_failure) and its counters of failed spans stay at 0 for up to 5 minutes.
 */
export const QUEUE_BACKLOG = 200;

export function judgeQueues(
  queued: readonly Sample[],
  ctx: Pick<LabContext, 'lab' | 'logDir' | 'skipped'>,
): Outcome {
  const byExporter = sumBy(queued, 'exporter');
  if (byExporter.size === 0) {
    return {
      ok: false,
      figure: 'Prometheus has no otelcol_exporter_queue_size series',
      hint: `Prometheus does not scrape the collector's own metrics (job ${COLLECTOR_JOB}, otel-collector:8888): check ${CONFIG.prometheus}; ${logsOf(ctx, 'otel-collector')}`,
    };
  }
  const exporters = [...byExporter.keys()].sort();
  const backlogged: string[] = [];
  const parts = exporters.map((exporter) => {
    const size = byExporter.get(exporter) ?? 0;
    const target = EXPORTER_TARGETS[exporter];
    const skippedAs = skippedTarget(exporter, ctx.skipped);
    if (size > QUEUE_BACKLOG && skippedAs === undefined) backlogged.push(exporter);
    return `${exporter} ${formatNumber(size)} queued${target === undefined ? '' : ` (→ ${target})`}${skippedAs === undefined ? '' : ` (${skippedAs} skipped)`}`;
  });
  const figure = joinFigures(parts);
  if (backlogged.length === 0) return { ok: true, figure };
  const targets = backlogged.map((e) => EXPORTER_TARGETS[e] ?? e);
  const what = targets.map((t) =>
    t === 'jaeger-collector'
      ? `jaeger-collector does not take spans: ${jaegerWritePath(ctx)}`
      : `${t} does not take spans: is it up? ${startCommand(ctx, t)}`,
  );
  return {
    ok: false,
    figure: `${figure}: more than ${formatNumber(QUEUE_BACKLOG)} spans waiting`,
    hint: `${what.join(' ')} The collector keeps retrying; the queue drains once ${listWords(targets)} is back. ${logsOf(ctx, 'otel-collector', ...targets)}`,
  };
}

export const collectorQueues: Check = {
  id: 'collector.queues',
  component: 'collector',
  needs: ['prometheus'],
  title: 'export queues are draining',
  run: async (ctx) =>
    judgeQueues(
      await instantQuery(
        ctx.urls.prometheus,
        `sum by (exporter) ({__name__="otelcol_exporter_queue_size", job="${COLLECTOR_JOB}"})`,
      ),
      ctx,
    ),
};

export const collectorChecks: Check[] = [
  collectorSpanMetrics,
  collectorReceives,
  collectorExporters,
  collectorQueues,
];
