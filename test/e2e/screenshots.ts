// npm run screenshots — takes the pictures of the Jaeger UI that the READMEs and docs/scenarios.md show, from the
// running native lab, in Debian's Chromium (test/e2e/browser.ts): the Monitor tab, a /chain trace and Search.
// Run it on a lab that has had a few minutes of load, so the charts have a history:
//   npm run native:up && npm run native:load -- --duration 6m && npm run screenshots && npm run native:down
// Grafana cannot run in the native lab, so there is no picture of it (the docs say so instead).
import { statSync } from 'node:fs';
import path from 'node:path';
import { launch, openPage } from './browser.ts';
import { monitorCharts, openMonitor, placeholderReason, searchTraces, traceRows } from './jaeger-ui.ts';
import { readState } from '../../native/lib/state.ts';
import { chainTraceInJaeger, poll, repoRoot, sleep } from './lab.ts';

const OUT_DIR = path.join(repoRoot, 'docs', 'images');
/** The Monitor tab's time frame in the picture: 15 minutes, so a few minutes of load fill the charts. */
const FRAME_MS = 900_000;
/** What a picture may weigh in the repository. */
const MAX_BYTES = 200_000;

async function main(): Promise<void> {
  readState(); // throws "the native lab is not up" with what to run
  const placeholder = await placeholderReason();
  if (placeholder !== undefined) throw new Error(placeholder);

  const traceId = await chainTraceInJaeger();

  const browser = await launch();
  try {
    const { page } = await openPage(browser);
    const shoot = async (name: string): Promise<void> => {
      await sleep(1_500); // charts animate in
      const file = path.join(OUT_DIR, name);
      await page.screenshot({ path: file });
      const size = statSync(file).size;
      console.log(`${path.relative(repoRoot, file)}: ${String(Math.round(size / 1000))} kB`);
      if (size > MAX_BYTES)
        throw new Error(`${file} weighs ${String(size)} bytes, more than ${String(MAX_BYTES)}`);
    };

    await poll(
      'the Monitor tab of fastify with three charts of data',
      async () => {
        await openMonitor(page, 'fastify', FRAME_MS);
        await page.locator('tr.ant-table-row').first().waitFor({ timeout: 30_000 });
        const charts = await monitorCharts(page);
        if (charts.length < 3 || charts.some((c) => c.points < 2)) throw new Error(JSON.stringify(charts));
      },
      { timeoutMs: 120_000, intervalMs: 10_000 },
    );
    await shoot('jaeger-monitor.png');

    await traceRows(page, traceId);
    await shoot('jaeger-trace.png');

    await searchTraces(page, 'fastify', 'GET /chain');
    await shoot('jaeger-search.png');
  } finally {
    await browser.close();
  }
}

try {
  await main();
} catch (err) {
  console.error(`✗ ${(err as Error).message}`);
  process.exit(1);
}
