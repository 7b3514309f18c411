// Distributions and the way the bench prints them: quantiles by nearest rank, ratios, durations and sizes.

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The q-quantile by nearest rank (the smallest value with at least q of the sample at or below it), so every
 * reported figure is a value that was measured. Infinity stands for "never arrived" and sorts last.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? Number.NaN;
}

export function summarize(values: readonly number[]): Summary {
  const finite = values.filter(Number.isFinite);
  return {
    n: values.length,
    min: quantile(values, 0),
    p50: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    p99: quantile(values, 0.99),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
    mean: finite.length === 0 ? Number.NaN : finite.reduce((a, b) => a + b, 0) / finite.length,
  };
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** a / b, NaN when either is missing or b is 0. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN;
}

export function fmtRatio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : '–';
}

/** 0.42 ms, 12.3 ms, 850 ms, 4.2 s, 1 m 05 s; Infinity (never arrived) as "> limit" is the caller's job. */
export function fmtMs(ms: number): string {
  if (Number.isNaN(ms)) return '–';
  if (ms === Number.POSITIVE_INFINITY) return '∞';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${String(Math.floor(s / 60))} m ${String(s % 60).padStart(2, '0')} s`;
}

export function fmtMiB(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(0)} MiB` : '–';
}

export function fmtGiB(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : '–';
}

export function fmtRate(perSecond: number, unit = '/s'): string {
  if (!Number.isFinite(perSecond)) return '–';
  return perSecond >= 100
    ? `${Math.round(perSecond).toLocaleString('en-US')}${unit}`
    : `${perSecond.toFixed(1)}${unit}`;
}

export function fmtPct(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(0)} %` : '–';
}
