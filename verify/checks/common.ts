// Small helpers shared by the checks: per-service figures and PromQL name matching.
import type { Component, LabContext } from '../check.ts';
import { startCommand } from '../check.ts';
import { formatNumber, joinFigures } from '../format.ts';
import type { AppService } from '../lab.ts';

export interface PerService {
  /** Services with no value or a value of zero. */
  missing: AppService[];
  /** "fastify 12 · nestjs 0 · express 7" */
  figure: string;
}

/** One figure per expected service; those without a positive value are missing. */
export function perService(
  values: ReadonlyMap<string, number>,
  services: readonly AppService[],
  format: (value: number) => string = formatNumber,
): PerService {
  const missing = services.filter((s) => !((values.get(s) ?? 0) > 0));
  const figure = joinFigures(
    services.map((s) => `${s} ${values.has(s) ? format(values.get(s) ?? 0) : 'none'}`),
  );
  return { missing, figure };
}

/** The repo's config files that hints point at (relative to the repo root). */
export const CONFIG = {
  collector: 'otel-collector/config.yaml',
  prometheus: 'prometheus/prometheus.yml',
  jaegerQuery: 'jaeger/query.yaml',
} as const;

/** Prometheus' job for the collector's own metrics (job_name in prometheus/prometheus.yml). Jaeger v2 is a
 * collector too, so its jobs expose the same otelcol_* names: every query filters on this job. */
export const COLLECTOR_JOB = 'otel-collector';

/**
 * A selector for one of the collector's own counters under either Prometheus name: collector 0.159 (checked
 * with this lab's explicit Prometheus reader) exposes `otelcol_receiver_accepted_spans`, while earlier
 * releases with an explicit reader, such as the one inside Jaeger 2.12 (collector v0.139), append `_total`.
 */
export function counter(name: string): string {
  return `{__name__=~"${name}(_total)?", job="${COLLECTOR_JOB}"}`;
}

/** "a, b and c" */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1) ?? ''}`;
}

export function shortId(traceId: string): string {
  return traceId.length > 16 ? `${traceId.slice(0, 16)}…` : traceId;
}

/**
 * The component known absent (verify --skip) that `name` belongs to, if any: an exporter's or scrape target's
 * name holds the component's (otlp_grpc/tempo, tempo:3200).
 */
export function skippedTarget(name: string, skipped: ReadonlyMap<Component, string>): Component | undefined {
  return [...skipped.keys()].find((c) => name.toLowerCase().includes(c));
}

/** The question for spans that do not reach Jaeger: its write path, each part with the command that starts it. */
export function jaegerWritePath(ctx: Pick<LabContext, 'lab'>): string {
  return `is jaeger-collector up (${startCommand(ctx, 'jaeger-collector')}), and is cassandra, where it writes, up (${startCommand(ctx, 'cassandra')})?`;
}
