// The Jaeger UI's pages as a learner opens them (Search, a trace, the Monitor tab), read the way they are drawn:
// used by the browser tests (5-jaeger-ui.test.ts) and the screenshots (docs/screenshots.ts). Class names and
// texts are those of jaeger-ui v1.74.0 (the UI Jaeger 2.12.0 embeds; all also in v1.76.0): Monitor/ServicesView and
// TracePage/TraceTimelineViewer/SpanBarRow in its source.
import type { Locator, Page } from 'playwright-core';
import { jaegerUiVersion } from '../../native/build.ts';
import { pin } from '../../native/lib/env.ts';
import { jaegerUiHint } from '../../native/lib/supplied.ts';
import { urls } from './lab.ts';

/** Why the browser tests cannot run: jaeger-query serves Jaeger's placeholder page, not the UI; else undefined. */
export async function placeholderReason(): Promise<string | undefined> {
  const res = await fetch(urls.jaegerQuery, { signal: AbortSignal.timeout(10_000) });
  const html = await res.text();
  if (html.includes('id="jaeger-ui-root"')) return undefined;
  return (
    `jaeger-query at ${urls.jaegerQuery} serves Jaeger's placeholder page, not the Jaeger UI: no UI build was ` +
    `supplied; ${jaegerUiHint(jaegerUiVersion(pin('JAEGER_VERSION')))}`
  );
}

/**
 * The Monitor tab remembers the service and time frame a learner picked in localStorage (the `store` library:
 * JSON values); setting them before the page loads opens it on that service and frame.
 */
export async function openMonitor(page: Page, service: string, timeframeMs = 3_600_000): Promise<void> {
  await page.addInitScript(
    ([svc, frame]) => {
      localStorage.setItem('lastAtmSearchService', JSON.stringify(svc));
      localStorage.setItem('lastAtmSearchTimeframe', JSON.stringify(frame));
    },
    [service, timeframeMs] as const,
  );
  await page.goto(`${urls.jaegerQuery}/monitor`);
  await page.locator('.service-view-container').waitFor({ timeout: 30_000 });
}

export interface Chart {
  title: string;
  /** Vertices of the drawn areas (recharts' `.recharts-area-area` paths); 0 when the chart shows no data. */
  points: number;
}

const text = async (locator: Locator): Promise<string> =>
  (await locator.count()) === 0 ? '' : ((await locator.first().textContent()) ?? '').trim();

/** The three service charts (latency, error rate, request rate) as drawn. */
export async function monitorCharts(page: Page): Promise<Chart[]> {
  const charts: Chart[] = [];
  for (const chart of await page.locator('.graph-container').all()) {
    let points = 0;
    for (const area of await chart.locator('.recharts-area-area').all())
      points += ((await area.getAttribute('d')) ?? '').split(/[ML]/).length - 1;
    charts.push({ title: await text(chart.locator('.graph-header')), points });
  }
  return charts;
}

export interface OperationRow {
  name: string;
  /** The texts under P95 Latency, Request rate and Error rate, as shown (e.g. `12.5ms`, `0.21 req/s`, `100%`). */
  p95: string;
  rate: string;
  errors: string;
}

/** The operations table under the charts (all its rows: it shows up to 20 per page). */
export async function operationRows(page: Page): Promise<OperationRow[]> {
  const rows: OperationRow[] = [];
  for (const row of await page.locator('tr.ant-table-row').all()) {
    const cells = row.locator('td');
    const avg = (i: number): Promise<string> => text(cells.nth(i).locator('.table-graph-avg'));
    rows.push({
      name: await text(cells.nth(0)),
      p95: await avg(1),
      rate: await avg(2),
      errors: await avg(3),
    });
  }
  return rows;
}

const UNIT_MS: Readonly<Record<string, number>> = { μs: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000 };

/** `12.5ms`, `1.2s`, `< 0.1ms` -> milliseconds (`< 0.1` counts as 0); NaN for anything else. */
export function parseLatency(text: string): number {
  const m = /^(< 0\.1|\d+(?:\.\d+)?)\s*(μs|µs|ms|s|m)$/.exec(text.trim());
  if (m === null) return Number.NaN;
  const value = m[1] === '< 0.1' ? 0 : Number(m[1]);
  return value * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
}

/** A trace's page: the service and operation of every span row (rows are virtualized: use a tall viewport). */
export async function traceRows(
  page: Page,
  traceId: string,
): Promise<{ service: string; operation: string }[]> {
  await page.goto(`${urls.jaegerQuery}/trace/${traceId}`);
  await page.locator('.span-name').first().waitFor({ timeout: 30_000 });
  const rows: { service: string; operation: string }[] = [];
  for (const link of await page.locator('.span-name').all()) {
    rows.push({
      service: await text(link.locator('.span-svc-name')),
      operation: await text(link.locator('.endpoint-name')),
    });
  }
  return rows;
}

/** The Search page's service drop-down, opened: the services it offers. */
export async function searchServices(page: Page): Promise<string[]> {
  await page.goto(`${urls.jaegerQuery}/search`);
  const select = page.locator('.ant-form-item', { hasText: 'Service' }).locator('.ant-select').first();
  await select.click();
  const options = page.locator('.ant-select-item-option');
  await options.first().waitFor({ timeout: 30_000 });
  return (await options.allTextContents()).map((t) => t.trim());
}

/** What Search finds for a service and operation in the last hour: the result titles (`svc: op`). */
export async function searchTraces(page: Page, service: string, operation: string): Promise<string[]> {
  const end = Date.now() * 1000;
  const params = new URLSearchParams({
    service,
    operation,
    limit: '20',
    lookback: '1h',
    start: String(end - 3_600_000_000),
    end: String(end),
  });
  await page.goto(`${urls.jaegerQuery}/search?${params.toString()}`);
  const titles = page.locator('.ResultItemTitle--title');
  await titles.first().waitFor({ timeout: 30_000 });
  return (await titles.allTextContents()).map((t) => t.trim());
}
