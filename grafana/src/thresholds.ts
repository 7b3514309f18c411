// The dashboard's colour thresholds, in one place, and the colour Grafana gives a value.
//
// Chosen from what the native lab produces (issue 13; figures in the e2e test test/e2e/5-thresholds.test.ts):
// - Error rate: the lab fails ~10 % of calls by design (/error_test always, /random_status one call in five),
//   and a 1-minute window of ~0.5 calls/s per service swings by several points; `npm run fault -- express errors
//   30%` (docs/scenarios.md, scenario 2) lifts express to ~35-40 %.
// - P95 latency: a service's P95 is set by /random_sleep (0-5 s) and stays below 5 s when healthy; a fault that
//   delays every route of a service pushes it past that.
// - Request rate has no good or bad value: one neutral colour.

import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/** Base colour first (value null), then each step from its value up. */
export type Steps = readonly dashboard.Threshold[];

export const ERROR_RATE_STEPS: Steps = [
  { value: null, color: 'green' },
  { value: 0.25, color: 'orange' },
  { value: 0.35, color: 'red' },
];

export const P95_STEPS: Steps = [
  { value: null, color: 'green' },
  { value: 5000, color: 'orange' },
  { value: 7500, color: 'red' },
];

export const RATE_STEPS: Steps = [{ value: null, color: 'blue' }];

/** The healthy colour: the base step's. */
export function healthyColor(steps: Steps): string {
  return steps[0]?.color ?? '';
}

/**
 * The colour of `value`: the last step whose value it reaches, the base step below them all (Grafana's
 * getActiveThreshold, packages/grafana-data/src/field/thresholds.ts, for absolute thresholds).
 */
export function thresholdColor(steps: Steps, value: number): string {
  let active = steps[0];
  for (const step of steps.slice(1)) {
    if (step.value !== null && value >= step.value) active = step;
  }
  return active?.color ?? '';
}
