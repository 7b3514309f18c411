// The SLO alerts on the real Prometheus and Alertmanager of the native lab (issue 28): at the lab's default load no
// SLO alert fires; the scenario's fault (express errors 30 %) makes express' availability page alert fire in
// Prometheus and reach Alertmanager; once the fault is cleared, the page resolves in both. Then the same for the
// latency SLO: express latency 3s (over its 2.5 s objective) makes express' latency page fire and resolve. The times
// it took are printed (npm run bench measures the scenario's over several cycles: bench/slo.ts).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { isScenarioPage, SCENARIO_FAULT } from '../../bench/slo.ts';
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
    const t0 = Date.now();
    await fault(...SCENARIO_FAULT);
    try {
      await poll(
        'ExpressAvailability (page) firing in Prometheus',
        async () => {
          const page = (await promAlerts()).find(isScenarioPage);
          if (page?.state !== 'firing') throw new Error(`state ${page?.state ?? 'none'}`);
        },
        { timeoutMs: 420_000, intervalMs: 5_000 },
      );
      const firedMs = Date.now() - t0;
      await poll(
        'ExpressAvailability (page) received by Alertmanager',
        async () => {
          const page = (await amAlerts()).find(isScenarioPage);
          if (page?.state !== 'active') throw new Error(`state ${page?.state ?? 'none'}`);
        },
        { timeoutMs: 120_000, intervalMs: 2_000 },
      );
      const receivedMs = Date.now() - t0;
      console.log(
        `page fired ${seconds(firedMs)} after the fault, in Alertmanager after ${seconds(receivedMs)}`,
      );
    } finally {
      await clearFaults();
    }
    const t1 = Date.now();
    await poll(
      'ExpressAvailability (page) resolved in Prometheus',
      async () => {
        const page = (await promAlerts()).find(isScenarioPage);
        if (page !== undefined) throw new Error(`still ${page.state}`);
      },
      { timeoutMs: 420_000, intervalMs: 5_000 },
    );
    const resolvedMs = Date.now() - t1;
    await poll(
      'ExpressAvailability (page) gone from Alertmanager',
      async () => {
        const page = (await amAlerts()).find(isScenarioPage);
        if (page !== undefined) throw new Error(`still ${page.state}`);
      },
      { timeoutMs: 420_000, intervalMs: 5_000 },
    );
    console.log(
      `page resolved ${seconds(resolvedMs)} after clear in Prometheus, ${seconds(Date.now() - t1)} in Alertmanager`,
    );
  });
});

describe('SLO burn-rate alerts: the latency page', { timeout: 1_200_000 }, () => {
  const isLatencyPage = (a: RuleAlert | ManagedAlert): boolean =>
    a.labels.alertname === 'ExpressLatency' && a.labels.sloth_severity === 'page';

  test('express latency 3s (over the 2.5 s objective on every route): the latency page fires, reaches Alertmanager, and resolves after clear', async () => {
    const t0 = Date.now();
    await fault('express', 'latency', '3s');
    try {
      await poll(
        'ExpressLatency (page) firing in Prometheus',
        async () => {
          const page = (await promAlerts()).find(isLatencyPage);
          if (page?.state !== 'firing') throw new Error(`state ${page?.state ?? 'none'}`);
        },
        { timeoutMs: 420_000, intervalMs: 5_000 },
      );
      const firedMs = Date.now() - t0;
      await poll(
        'ExpressLatency (page) received by Alertmanager',
        async () => {
          const page = (await amAlerts()).find(isLatencyPage);
          if (page?.state !== 'active') throw new Error(`state ${page?.state ?? 'none'}`);
        },
        { timeoutMs: 120_000, intervalMs: 2_000 },
      );
      console.log(
        `latency page fired ${seconds(firedMs)} after the fault, in Alertmanager after ${seconds(Date.now() - t0)}`,
      );
    } finally {
      await clearFaults();
    }
    const t1 = Date.now();
    await poll(
      'ExpressLatency (page) resolved in Prometheus',
      async () => {
        const page = (await promAlerts()).find(isLatencyPage);
        if (page !== undefined) throw new Error(`still ${page.state}`);
      },
      { timeoutMs: 420_000, intervalMs: 5_000 },
    );
    console.log(`latency page resolved ${seconds(Date.now() - t1)} after clear in Prometheus`);
  });
});
