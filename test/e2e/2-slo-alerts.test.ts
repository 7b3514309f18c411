// The SLO alerts on the real Prometheus and Alertmanager of the native lab (issue 28): at the lab's default load no
// SLO alert fires; the scenario's fault (express errors 30 %) makes express' availability page alert fire in
// Prometheus and reach Alertmanager; once the fault is cleared, the page resolves in both. The times it took are
// printed (the bench measures them over several runs).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { clearFaults, fault, getJson, loadRunningFor, poll, printLogsOnFailure, urls } from './lab.ts';

printLogsOnFailure();

interface Alert {
  labels: Record<string, string>;
  state: string;
}

/** Prometheus' alerts (/api/v1/alerts) of the SLO rules: pending or firing. */
async function promAlerts(): Promise<Alert[]> {
  const body = (await getJson(`${urls.prometheus}/api/v1/alerts`)) as { data: { alerts: Alert[] } };
  return body.data.alerts.filter((a) => a.labels.sloth_id !== undefined);
}

/** Alertmanager's active alerts (/api/v2/alerts). */
async function amAlerts(): Promise<Alert[]> {
  const body = (await getJson(`${urls.alertmanager}/api/v2/alerts`)) as {
    labels: Record<string, string>;
    status: { state: string };
  }[];
  return body.map((a) => ({ labels: a.labels, state: a.status.state }));
}

const isExpressPage = (a: Alert): boolean =>
  a.labels.alertname === 'ExpressAvailability' && a.labels.sloth_severity === 'page';

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
    await fault('express', 'errors', '30%');
    try {
      await poll(
        'ExpressAvailability (page) firing in Prometheus',
        async () => {
          const page = (await promAlerts()).find(isExpressPage);
          if (page?.state !== 'firing') throw new Error(`state ${page?.state ?? 'none'}`);
        },
        { timeoutMs: 420_000, intervalMs: 5_000 },
      );
      const firedMs = Date.now() - t0;
      await poll(
        'ExpressAvailability (page) received by Alertmanager',
        async () => {
          const page = (await amAlerts()).find(isExpressPage);
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
        const page = (await promAlerts()).find(isExpressPage);
        if (page !== undefined) throw new Error(`still ${page.state}`);
      },
      { timeoutMs: 420_000, intervalMs: 5_000 },
    );
    const resolvedMs = Date.now() - t1;
    await poll(
      'ExpressAvailability (page) gone from Alertmanager',
      async () => {
        const page = (await amAlerts()).find(isExpressPage);
        if (page !== undefined) throw new Error(`still ${page.state}`);
      },
      { timeoutMs: 420_000, intervalMs: 5_000 },
    );
    console.log(
      `page resolved ${seconds(resolvedMs)} after clear in Prometheus, ${seconds(Date.now() - t1)} in Alertmanager`,
    );
  });
});
