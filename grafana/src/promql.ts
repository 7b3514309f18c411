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

/**
 * Calls per second of the selected service, optionally split by labels. A split leaves out the calls that lack
 * a split label (an INTERNAL span has no HTTP status code), which would otherwise be one unnamed series.
 */
export function callRate(window: string, labels: readonly string[] = []): string {
  const present = labels.map((label) => `, ${label}!=""`).join('');
  return `${sumBy(labels)}rate(${METRICS.calls}{${SELECTED}${present}}[${window}]))`;
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

/**
 * Impact of each group: the time the service spends in it, in milliseconds per second, exactly (the rate of the
 * duration histogram's sum; P95 × rate would overstate it, since most calls are faster than the P95).
 */
export function impact(window: string, labels: readonly string[]): string {
  return `${sumBy(labels)}rate(${METRICS.durationSum}{${SELECTED}}[${window}]))`;
}

/** Service graph edges, the series Grafana's Tempo service map reads from Prometheus. */
export const SERVICE_GRAPH = {
  requests: `sum by (client, server) (rate(${METRICS.graphRequests}[$__range]))`,
  failed: `sum by (client, server) (rate(${METRICS.graphFailed}[$__range]))`,
  serverSeconds: `sum by (client, server) (rate(${METRICS.graphServerSecondsSum}[$__range]))`,
} as const;
