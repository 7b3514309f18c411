// The dashboard's colour thresholds, in one place, and the colour Grafana gives a value.
//
// Chosen from what the native lab produces (issue 13; test/e2e/5-thresholds.test.ts prints the figures):
// - Error rate (1-minute window): healthy 9.4-16.7 % per service (median ~11 %: /error_test always fails,
//   /random_status one call in five); `npm run fault -- express errors 30%` (docs/scenarios.md, scenario 2)
//   lifts express past 25 % within a minute, towards 35-40 %.
// - P95 latency (1-minute window): healthy 24 ms-4.1 s, set by /random_sleep (0-5 s), so below 5 s;
//   `npm run fault -- nestjs latency 2s` took nestjs to 5.4 s.
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
