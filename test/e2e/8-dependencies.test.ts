// Jaeger's System Architecture tab (issue 23). In the compose lab the jaeger-dependencies container runs upstream's
// spark-dependencies job every few minutes; no registry here serves that job, so this test does what it would do
// on this lab's real Jaeger and Cassandra: /chain traces of all three services are read back from Jaeger, the
// links the job derives from them (dependency-links.ts) are written as the day's row of dependencies_v2, and
// jaeger-query's /api/dependencies (what the tab draws) must answer exactly those links: every /chain edge from
// docker-compose.yaml's chain targets, with its call count. Then, where the real Jaeger UI is in the lab, the tab
// draws the three services.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { CASSANDRA_CQL_PORT } from '../../native/lib/cassandra.ts';
import { dependencies, type DependencyLink } from '../../verify/apis/jaeger.ts';
import { loadCompose } from '../../verify/compose.ts';
import { APP_SERVICES, chainTargets } from '../../verify/lab.ts';
import { launch, onPage, openPage } from './browser.ts';
import { dependencyLinks, jaegerCassandra, type ModelTrace, writeDayRow } from './dependency-links.ts';
import { placeholderReason } from './jaeger-ui.ts';
import {
  addressOf,
  allServicesInJaeger,
  clearFaults,
  getJson,
  printLogsOnFailure,
  sendChain,
  sleep,
  urls,
} from './lab.ts';

printLogsOnFailure();

/** Why the browser part is skipped: jaeger-query serves the placeholder page (no UI build supplied). */
const UI_SKIP = (await placeholderReason()) ?? false;

/** The UI's own lookback for the tab: one week. */
const WEEK_MS = 7 * 24 * 3600 * 1000;

const byEdge = (links: readonly DependencyLink[]): Record<string, number> =>
  Object.fromEntries(links.map((l) => [`${l.parent} -> ${l.child}`, l.callCount]));

describe(
  "Jaeger's System Architecture tab, from the links the dependencies job writes",
  { timeout: 600_000 },
  () => {
    let links: DependencyLink[] = [];

    before(async () => {
      await clearFaults(); // every /chain must answer, so each trace has all its hops
      const ids: string[] = [];
      for (let round = 0; round < 2; round += 1) for (const s of APP_SERVICES) ids.push(await sendChain(s));
      for (const id of ids) await allServicesInJaeger(id);
      await sleep(5_000); // Jaeger writes a batch's spans one by one: let the last land
      const traces = await Promise.all(
        ids.map(async (id) => {
          const body = (await getJson(`${urls.jaegerQuery}/api/traces/${id}`)) as { data: ModelTrace[] };
          const trace = body.data[0];
          if (trace === undefined) throw new Error(`trace ${id}: not in Jaeger`);
          return trace;
        }),
      );
      links = dependencyLinks(traces);
      console.log(
        `links the job would write for ${String(ids.length)} /chain traces: ${JSON.stringify(byEdge(links))}`,
      );
    });

    test('the job would link every /chain caller to its targets (docker-compose.yaml)', () => {
      const edges = byEdge(links);
      const project = loadCompose();
      for (const caller of APP_SERVICES) {
        for (const target of chainTargets(project, caller)) {
          assert.ok(
            (edges[`${caller} -> ${target}`] ?? 0) > 0,
            `${caller} -> ${target} missing: ${JSON.stringify(edges)}`,
          );
        }
      }
    });

    test("jaeger-query answers the day's row as the tab asks for it: the same links and call counts", async () => {
      const { keyspace, localDc } = jaegerCassandra();
      const now = Date.now();
      await writeDayRow(
        { host: addressOf('cassandra'), port: CASSANDRA_CQL_PORT },
        localDc,
        keyspace,
        now,
        links,
      );
      const answered = await dependencies(urls.jaegerQuery, { endMs: Date.now(), lookbackMs: WEEK_MS });
      assert.deepEqual(byEdge(answered), byEdge(links));
    });

    test("a window that ends before today's midnight (UTC) misses today's row: the tab counts whole days", async () => {
      const midnight = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
      // The suite's lab starts on fresh volumes: no earlier day has a row.
      assert.deepEqual(
        await dependencies(urls.jaegerQuery, { endMs: midnight - 1, lookbackMs: 3_600_000 }),
        [],
      );
    });

    describe('the tab in a browser', { skip: UI_SKIP }, () => {
      let browser: Browser | undefined;
      before(async () => {
        browser = await launch();
      });
      after(async () => {
        await browser?.close();
      });

      test('the DAG view draws fastify, nestjs and express', async () => {
        if (browser === undefined) throw new Error('no browser');
        const watched = await openPage(browser);
        await onPage('system-architecture', watched, async (page) => {
          await page.goto(`${urls.jaegerQuery}/dependencies`);
          const labels = page.locator('.DAG--nodeLabel');
          if ((await labels.count()) === 0) await page.getByRole('tab', { name: 'DAG' }).click();
          await labels.first().waitFor({ timeout: 30_000 });
          const names = (await labels.allTextContents()).map((t) => t.trim());
          for (const s of APP_SERVICES) assert.ok(names.includes(s), `${s} not drawn: ${names.join(', ')}`);
        });
      });
    });
  },
);
