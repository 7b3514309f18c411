// PromQL of the SPM dashboard, on the collector's span metrics. Every rate has a window: the error rate is
// errors per second divided by calls per second over the same window, never a ratio of cumulative counters.

import { LABELS, METRICS, STATUS_ERROR, VARIABLES } from './names.ts';

/** Label matchers of the selected service and span kind, e.g. `service_name="$service", span_kind="$span_kind"`. */
export const SELECTED = `${LABELS.service}="$${VARIABLES.service}", ${LABELS.spanKind}="$${VARIABLES.spanKind}"`;
const SELECTED_ERRORS = `${SELECTED}, ${LABELS.status}="${STATUS_ERROR}"`;

/** `sum(` or `sum by (a, b) (`. */
function sumBy(labels: readonly string[]): string {
  return labels.length === 0 ? 'sum(' : `sum by (${labels.join(', ')}) (`;
}

/** Calls per second of the selected service, optionally split by labels. */
export function callRate(window: string, labels: readonly string[] = []): string {
  return `${sumBy(labels)}rate(${METRICS.calls}{${SELECTED}}[${window}]))`;
}

/** Failed calls (span status ERROR) per second. */
export function errorCallRate(window: string, labels: readonly string[] = []): string {
  return `${sumBy(labels)}rate(${METRICS.calls}{${SELECTED_ERRORS}}[${window}]))`;
}

/**
 * Errors per second / calls per second over `window`. A group with calls but no error has no error series at
 * all: by default the numerator falls back to 0 × its call rate, so the ratio is 0 there, not missing. With
 * `onlyFailing`, such groups are left out instead (a graph then draws only the operations that fail).
 */
export function errorRatio(window: string, labels: readonly string[] = [], onlyFailing = false): string {
  const errors = onlyFailing
    ? errorCallRate(window, labels)
    : `(${errorCallRate(window, labels)} or (0 * ${callRate(window, labels)}))`;
  return `${errors} / ${callRate(window, labels)}`;
}

/** Latency quantile (milliseconds) from the duration histogram. */
export function latencyQuantile(quantile: number, window: string, labels: readonly string[] = []): string {
  return `histogram_quantile(${String(quantile)}, ${sumBy([...labels, 'le'])}rate(${METRICS.durationBucket}{${SELECTED}}[${window}])))`;
}

/** Impact of each group: P95 latency (ms) × calls per second, i.e. milliseconds spent per second of time. */
export function impact(window: string, labels: readonly string[]): string {
  return `${latencyQuantile(0.95, window, labels)} * ${callRate(window, labels)}`;
}

/** Service graph edges, the series Grafana's Tempo service map reads from Prometheus. */
export const SERVICE_GRAPH = {
  requests: `sum by (client, server) (rate(${METRICS.graphRequests}[$__range]))`,
  failed: `sum by (client, server) (rate(${METRICS.graphFailed}[$__range]))`,
  serverSeconds: `sum by (client, server) (rate(${METRICS.graphServerSecondsSum}[$__range]))`,
} as const;
