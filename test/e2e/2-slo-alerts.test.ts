// The SLO alerts on the real Prometheus and Alertmanager of the native lab (issue 28): at the lab's default load no
// SLO alert fires; the scenario's fault (express errors 30 %) makes express' availability page alert fire in
// Prometheus and reach Alertmanager; once the fault is cleared, the page resolves in both. Then the same for the
// latency SLO: express latency 3s (over its 2.5 s objective) makes express' latency page fire and resolve. The times
// it took are printed (npm run bench measures the scenario's over several cycles: bench/slo.ts).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { isPageOf, isScenarioPage, SCENARIO_FAULT, SCENARIO_SLO } from '../../bench/slo.ts';
import { managedAlerts, type ManagedAlert } from '../../verify/apis/alertmanager.ts';
import { ruleAlerts, type RuleAlert } from '../../verify/apis/prometheus.ts';
import { clearFaults, fault, loadRunningFor, poll, printLogsOnFailure, urls } from './lab.ts';

printLogsOnFailure();

/** Prometheus' alerts of the SLO rules: pending or firing. */
async function promAlerts(): Promise<RuleAlert[]> {
  return (await ruleAlerts(urls.prometheus)).filter((a) => a.labels.sloth_id !== undefined);
}

const amAlerts = (): Promise<ManagedAlert[]> => managedAlerts(urls.alertmanager);

const seconds = (ms: number): string => `${(ms / 1000).toFixed(0)} s`;

type Alert = RuleAlert | ManagedAlert;

/** Polls until the page's state in Prometheus or Alertmanager is `state` (undefined: gone). */
function pageState(
  where: 'Prometheus' | 'Alertmanager',
  name: string,
  isPage: (a: Alert) => boolean,
  state: string | undefined,
): Promise<void> {
  const read = where === 'Prometheus' ? promAlerts : amAlerts;
  return poll(
    `${name} (page) ${state ?? 'gone'} in ${where}`,
    async () => {
      const page = (await read()).find(isPage);
      if (page?.state !== state) throw new Error(`state ${page?.state ?? 'none'}`);
    },
    { timeoutMs: 420_000, intervalMs: where === 'Prometheus' ? 5_000 : 2_000 },
  );
}

/**
 * Switches `faultArgs` on; the page fires in Prometheus and is held (active) by Alertmanager; the fault is cleared;
 * the page resolves in Prometheus and, with `untilGone`, leaves Alertmanager. Prints the times.
 */
async function pageFiresAndResolves(
  name: string,
  isPage: (a: Alert) => boolean,
  faultArgs: readonly string[],
  untilGone: boolean,
): Promise<void> {
  const t0 = Date.now();
  await fault(...faultArgs);
  try {
    await pageState('Prometheus', name, isPage, 'firing');
    const firedMs = Date.now() - t0;
    await pageState('Alertmanager', name, isPage, 'active');
    console.log(
      `${name} page fired ${seconds(firedMs)} after the fault, in Alertmanager after ${seconds(Date.now() - t0)}`,
    );
  } finally {
    await clearFaults();
  }
  const t1 = Date.now();
  await pageState('Prometheus', name, isPage, undefined);
  const resolvedMs = Date.now() - t1;
  if (untilGone) await pageState('Alertmanager', name, isPage, undefined);
  console.log(
    `${name} page resolved ${seconds(resolvedMs)} after clear in Prometheus${untilGone ? `, ${seconds(Date.now() - t1)} in Alertmanager` : ''}`,
  );
}

describe('SLO burn-rate alerts, from a fault to the page and back', { timeout: 1_500_000 }, () => {
  before(async () => {
    await clearFaults();
    await loadRunningFor(90_000); // a minute and a half of load: every window the page reads has data
  });

  test('at the default load no SLO alert fires', async () => {
    const firing = (await promAlerts()).filter((a) => a.state === 'firing');
    assert.deepEqual(
      firing.map((a) => `${a.labels.alertname ?? ''}/${a.labels.sloth_severity ?? ''}`),
      [],
    );
  });

  test('express errors 30 %: the page alert fires in Prometheus, reaches Alertmanager, and resolves after clear', async () => {
    await pageFiresAndResolves(SCENARIO_SLO.alertname, isScenarioPage, SCENARIO_FAULT, true);
  });
});

describe('SLO burn-rate alerts: the latency page', { timeout: 1_200_000 }, () => {
  test('express latency 3s (over the 2.5 s objective on every route): the latency page fires, reaches Alertmanager, and resolves after clear', async () => {
    await pageFiresAndResolves(
      'ExpressLatency',
      isPageOf('ExpressLatency'),
      ['express', 'latency', '3s'],
      false,
    );
  });
});
