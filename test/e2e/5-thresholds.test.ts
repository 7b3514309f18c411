// The dashboard's colours against the lab's own figures (issue 13): every threshold-coloured stat panel and
// table column of the SPM dashboard is evaluated, with its own query, on the real Prometheus of the native lab
// under its background load, and must show its healthy colour for every service; then a fault from
// docs/scenarios.md must turn it into a warning or critical colour. The figures seen are printed (the report
// and grafana/src/thresholds.ts quote them). Clears every fault before and after.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { interpolate } from '../../grafana/src/queries.ts';
import { spmDashboard } from '../../grafana/src/spm.ts';
import { healthyColor, type Steps, thresholdColor } from '../../grafana/src/thresholds.ts';
import { parseDuration } from '../../verify/duration.ts';
import { APP_SERVICES } from '../../verify/lab.ts';
import {
  clearFaults,
  fault,
  loadRunningFor,
  noFaultFor,
  poll,
  printLogsOnFailure,
  promInstant,
  promRange,
} from './lab.ts';

printLogsOnFailure();

/** What Grafana's $__rate_interval is for a 30-minute dashboard (scrape 5 s: at least 20 s; 1m at this zoom). */
const RATE_INTERVAL = '1m';
const RATE_INTERVAL_MS = parseDuration(RATE_INTERVAL);
/** The healthy lab is watched this long, sample every 15 s, after the load has warmed it up. */
const WATCH_MS = 4 * 60_000;
/** A fault must show within this. */
const FAULT_TIMEOUT_MS = 150_000;

interface Coloured {
  /** Panel title, and the column for a table. */
  name: string;
  expr: string;
  instant: boolean;
  steps: Steps;
  /** The fault that must move it, as `npm run fault --` arguments, and the service it hits. */
  fault: { args: string[]; service: string };
}

const FAULTS: Record<string, Coloured['fault']> = {
  percentunit: { args: ['express', 'errors', '30%'], service: 'express' }, // scenario 2
  ms: { args: ['nestjs', 'latency', '2s'], service: 'nestjs' }, // scenario 1's fault, on every route
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every threshold-coloured stat panel and table column, with the query that feeds it. */
function colouredPanels(): Coloured[] {
  const model: unknown = JSON.parse(JSON.stringify(spmDashboard()));
  const panels = isRecord(model) && Array.isArray(model.panels) ? (model.panels as unknown[]) : [];
  const found: Coloured[] = [];
  for (const panel of panels.filter(isRecord)) {
    const title = String(panel.title);
    const fieldConfig = isRecord(panel.fieldConfig) ? panel.fieldConfig : {};
    const defaults = isRecord(fieldConfig.defaults) ? fieldConfig.defaults : {};
    const unit = String(defaults.unit);
    const steps = isRecord(defaults.thresholds) ? (defaults.thresholds.steps as Steps) : [];
    // The panel's own targets (two panels may share a title: the Error rate stat and graph).
    const targets = (Array.isArray(panel.targets) ? (panel.targets as unknown[]) : []).filter(isRecord);
    const own = targets.map((target) => ({ refId: String(target.refId), expr: String(target.expr) }));
    if (panel.type === 'stat' && steps.length > 1) {
      const [query] = own;
      assert.ok(query !== undefined && own.length === 1, `${title}: one query`);
      const fault = FAULTS[unit];
      assert.ok(fault !== undefined, `${title}: no fault known for unit ${unit}`);
      found.push({ name: title, expr: query.expr, instant: false, steps, fault });
    }
    // Table columns coloured by an override: the column is a query's value renamed by `organize`.
    const overrides = Array.isArray(fieldConfig.overrides) ? (fieldConfig.overrides as unknown[]) : [];
    const organize = (Array.isArray(panel.transformations) ? (panel.transformations as unknown[]) : [])
      .filter(isRecord)
      .find((t) => t.id === 'organize');
    const renames =
      isRecord(organize?.options) && isRecord(organize.options.renameByName)
        ? organize.options.renameByName
        : {};
    for (const override of overrides.filter(isRecord)) {
      const column = isRecord(override.matcher) ? String(override.matcher.options) : '';
      const props = Array.isArray(override.properties)
        ? (override.properties as unknown[]).filter(isRecord)
        : [];
      const thresholds = props.find((p) => p.id === 'thresholds');
      if (thresholds === undefined || !isRecord(thresholds.value)) continue;
      const colourSteps = thresholds.value.steps as Steps;
      if (colourSteps.length <= 1) continue;
      const refId = Object.entries(renames)
        .find(([, to]) => to === column)?.[0]
        .replace('Value #', '');
      const query = own.find((q) => q.refId === refId);
      assert.ok(query !== undefined, `${title} / ${column}: no query feeds it`);
      const columnUnit = String(props.find((p) => p.id === 'unit')?.value);
      const fault = FAULTS[columnUnit];
      assert.ok(fault !== undefined, `${title} / ${column}: no fault known for unit ${columnUnit}`);
      found.push({
        name: `${title} / ${column}`,
        expr: query.expr,
        instant: true,
        steps: colourSteps,
        fault,
      });
    }
  }
  return found;
}

const coloured = colouredPanels();

/**
 * Operations that fail by design, not by incident: /error_test always, /random_status one call in five (a
 * window of a few dozen calls swings around the orange line). Their rows may show any colour.
 */
const FAILING_BY_DESIGN = new Set(['GET /error_test', 'GET /random_status']);

function summary(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const f = (v: number): string => (Math.abs(v) < 10 ? v.toFixed(3) : v.toFixed(0));
  return `min ${f(at(0))} median ${f(at(0.5))} max ${f(at(1))} (${String(sorted.length)} samples)`;
}

describe(
  'dashboard colours: healthy when the lab is healthy, warning or critical under a fault',
  { timeout: 900_000 },
  () => {
    before(clearFaults);
    after(clearFaults);

    test('there are threshold-coloured panels to check', () => {
      assert.ok(coloured.length >= 3, coloured.map((c) => c.name).join(', '));
    });

    for (const panel of coloured) {
      test(`${panel.name}: healthy colour on a healthy lab, for every service`, async (t) => {
        await loadRunningFor(120_000);
        // The window read below, plus the rate window its first points reach back over, must hold no fault of
        // an earlier file (2-slo-alerts' express errors, ended minutes ago).
        await noFaultFor(WATCH_MS + RATE_INTERVAL_MS);
        const endMs = Date.now();
        for (const service of APP_SERVICES) {
          const range = `${String(Math.ceil(WATCH_MS / 1000))}s`;
          const expr = interpolate(panel.expr, { service, rateInterval: RATE_INTERVAL, range });
          if (panel.instant) {
            const rows = await promInstant(expr);
            const values = rows.map((r) => ({ op: r.metric.span_name ?? '?', v: r.values[0] ?? NaN }));
            assert.ok(values.length > 0, `${service}: no rows for ${expr}`);
            t.diagnostic(`${service}: ${values.map((x) => `${x.op} ${x.v.toFixed(3)}`).join(', ')}`);
            for (const { op, v } of values) {
              const colour = thresholdColor(panel.steps, v);
              if (FAILING_BY_DESIGN.has(op)) continue;
              assert.equal(colour, healthyColor(panel.steps), `${service} ${op}: ${String(v)} is ${colour}`);
            }
            continue;
          }
          const series = await promRange(expr, endMs - WATCH_MS, endMs);
          const values = series.flatMap((s) => s.values).filter(Number.isFinite);
          assert.ok(values.length > 0, `${service}: no data for ${expr}`);
          t.diagnostic(`${service}: ${summary(values)}`);
          for (const v of values) {
            assert.equal(
              thresholdColor(panel.steps, v),
              healthyColor(panel.steps),
              `${service}: ${String(v)} (${expr})`,
            );
          }
        }
      });
    }

    for (const panel of coloured) {
      test(`${panel.name}: leaves its healthy colour under npm run fault -- ${panel.fault.args.join(' ')}`, async (t) => {
        const { service } = panel.fault;
        await fault(...panel.fault.args);
        try {
          const seen = await poll(
            `${panel.name} of ${service} under the fault`,
            async () => {
              const expr = interpolate(panel.expr, { service, rateInterval: RATE_INTERVAL, range: '2m' });
              const rows = await promInstant(expr);
              const values = rows
                .filter((r) => !FAILING_BY_DESIGN.has(r.metric.span_name ?? ''))
                .map((r) => r.values[0] ?? NaN)
                .filter(Number.isFinite);
              if (values.length === 0) throw new Error(`no data for ${expr}`);
              const worst = Math.max(...values);
              const colour = thresholdColor(panel.steps, worst);
              if (colour === healthyColor(panel.steps))
                throw new Error(`still ${colour} at ${String(worst)}`);
              return { worst, colour };
            },
            { timeoutMs: FAULT_TIMEOUT_MS, intervalMs: 5_000 },
          );
          t.diagnostic(`${service} under the fault: ${seen.worst.toFixed(3)} → ${seen.colour}`);
        } finally {
          await clearFaults();
        }
      });
    }
  },
);
