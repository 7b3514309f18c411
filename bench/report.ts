// The run's figures as tables (terminal and Markdown) and the whole of BENCHMARKS.md.
import { POLL_MS, PROBE_SERVICE, SIGNALS, type Signal } from './freshness.ts';
import { SAMPLE_MS, type ComponentFootprint, type Footprint } from './footprint.ts';
import { machineLines } from './lib/machine.ts';
import {
  fmtGiB,
  fmtMiB,
  fmtMs,
  fmtPct,
  fmtRate,
  fmtRatio,
  median,
  quantile,
  ratio,
  summarize,
} from './lib/stats.ts';
import { markdownTable, textTable, type Table } from './lib/table.ts';
import { DRAIN_MS, WARMUP, type OverheadCell, type Run, type Variant } from './overhead.ts';
import { BATCH_MAX_SPANS, SPANS_PER_TRACE, TELEMETRYGEN_VERSION } from './capacity.ts';
import { FRESHNESS_COMPONENTS, FRESHNESS_SETTINGS, type CostRun } from './cost.ts';
import { E2E_PLAN, lostIn, type RestartRow } from './restarts.ts';
import type { FreshnessRun, Results } from './results.ts';
import { BUDGET, SCENARIO_FAULT, SCENARIO_SLO, type SloCycle } from './slo.ts';
import { TUNING } from './tuning.ts';

export const TARGETS = {
  overheadP50Ratio: 1.15,
  labBytes: 2.5 * 2 ** 30,
} as const;

const ok = (pass: boolean): string => (pass ? '✓' : '✗ missed');

// ---- freshness ----

/** A freshness figure; Infinity (not seen before the give-up time) as "> 60 s". */
function fmtFresh(ms: number, timeoutS: number): string {
  return ms === Number.POSITIVE_INFINITY ? `> ${fmtMs(timeoutS * 1000)}` : fmtMs(ms);
}

function freshnessCells(
  values: readonly number[],
  timeoutS: number,
): { found: string; p50: string; p95: string; max: string } {
  const s = summarize(values);
  const show = (ms: number): string => fmtFresh(ms, timeoutS);
  const found = values.filter(Number.isFinite).length;
  return {
    found: `${String(found)}/${String(values.length)}`,
    p50: show(s.p50),
    p95: show(s.p95),
    max: show(s.max),
  };
}

function fmtTarget(ms: number): string {
  return `≤ ${String(ms / 1000)} s`;
}

/** The p95 of one signal over a run's probes (NaN without a run). */
export function freshnessP95(run: FreshnessRun | undefined, key: Signal): number {
  return run === undefined
    ? Number.NaN
    : quantile(
        run.samples.map((s) => s.ms[key]),
        0.95,
      );
}

export function freshnessTable(r: Results): Table {
  const rows: string[][] = [];
  const base = r.freshness[0];
  for (const run of r.freshness) {
    for (const { key, label, targetMs } of SIGNALS) {
      const skipped = run.skipped?.[key];
      if (skipped !== undefined) {
        rows.push([run.load, label, '–', '–', '–', '–', fmtTarget(targetMs), `skipped: ${skipped}`]);
        continue;
      }
      const c = freshnessCells(
        run.samples.map((s) => s.ms[key]),
        r.settings.freshnessTimeoutS,
      );
      const p95 = freshnessP95(run, key);
      const rel = run === base ? Number.NaN : ratio(p95, freshnessP95(base, key));
      const vsBase = Number.isFinite(rel) && base !== undefined ? ` (${fmtRatio(rel)} of ${base.load})` : '';
      rows.push([
        run.load,
        label,
        c.found,
        c.p50,
        c.p95 + vsBase,
        c.max,
        fmtTarget(targetMs),
        ok(p95 <= targetMs),
      ]);
    }
  }
  const failures = r.freshness.flatMap((run) =>
    run.samples.flatMap((s) =>
      Object.entries(s.errors ?? {}).map(([key, error]) => `${run.load}, ${s.service}, ${key}: ${error}`),
    ),
  );
  return {
    title: 'Freshness: request sent -> visible (p95 target)',
    head: ['Load', 'Where', 'Found', 'p50', 'p95', 'Max', 'Target p95', ''],
    rows,
    ...(failures.length > 0 ? { note: `Never seen because the query failed: ${failures.join('; ')}.` } : {}),
  };
}

/** The freshness settings' cost: each affected component's CPU and RSS, and Prometheus' sample rate. */
export function costTable(r: Results): Table {
  const defaults = r.cost.find((c) => c.variant === 'defaults');
  const lab = r.cost.find((c) => c.variant === 'lab');
  const rows: string[][] = [];
  const row = (what: string, pick: (run: CostRun) => number, fmt: (x: number) => string): void => {
    const d = defaults === undefined ? Number.NaN : pick(defaults);
    const l = lab === undefined ? Number.NaN : pick(lab);
    rows.push([what, fmt(d), fmt(l), fmtRatio(ratio(l, d))]);
  };
  for (const name of FRESHNESS_COMPONENTS) {
    const of = (run: CostRun): ComponentFootprint | undefined =>
      run.footprint.components.find((c) => c.name === name);
    row(
      `${name}: CPU (cores)`,
      (run) => of(run)?.cpuCores ?? Number.NaN,
      (x) => x.toFixed(3),
    );
    row(`${name}: RSS p50`, (run) => of(run)?.rssP50 ?? Number.NaN, fmtMiB);
  }
  row(
    'Prometheus: samples appended',
    (run) => run.samplesPerS,
    (x) => `${x.toFixed(0)}/s`,
  );
  return {
    title: 'Freshness settings: their cost (upstream defaults vs the lab, default load)',
    head: ['What', 'Upstream defaults', 'Lab', 'Lab / defaults'],
    rows,
  };
}

// ---- overhead ----

function runsOf(cell: OverheadCell, variant: Variant): Run[] {
  return cell.runs.filter((run) => run.variant === variant);
}

/** Per-round ratios with/without of one figure: median and range. */
function pairedRatios(
  cell: OverheadCell,
  pick: (run: Run) => number,
): { median: number; min: number; max: number } {
  const rs: number[] = [];
  const rounds = new Set(cell.runs.map((run) => run.round));
  for (const round of rounds) {
    const w = cell.runs.find((run) => run.round === round && run.variant === 'with');
    const wo = cell.runs.find((run) => run.round === round && run.variant === 'without');
    if (w !== undefined && wo !== undefined) rs.push(ratio(pick(w), pick(wo)));
  }
  return { median: median(rs), min: Math.min(...rs), max: Math.max(...rs) };
}

function fmtPaired(p: { median: number; min: number; max: number }, rounds: number): string {
  return rounds > 1 ? `${fmtRatio(p.median)} (${fmtRatio(p.min)}–${fmtRatio(p.max)})` : fmtRatio(p.median);
}

/** The p50 ratio of every cell the target applies to (loads that leave the service idle between requests). */
export function overheadP50Ratios(r: Results): { cell: OverheadCell; ratio: number }[] {
  return r.overhead
    .filter((cell) => cell.shape.judge === 'latency')
    .map((cell) => ({ cell, ratio: pairedRatios(cell, (run) => run.p50).median }));
}

function medianOf(cell: OverheadCell, v: Variant, pick: (run: Run) => number): number {
  return median(runsOf(cell, v).map(pick));
}

/** "+87 µs": what the instrumentation added to a latency (medians over the rounds). */
function fmtAdded(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const sign = ms < 0 ? '−' : '+';
  const abs = Math.abs(ms);
  return abs < 1 ? `${sign}${(abs * 1000).toFixed(0)} µs` : `${sign}${fmtMs(abs)}`;
}

export function overheadLatencyTable(r: Results): Table {
  const rows = r.overhead.map((cell) => {
    const rounds = runsOf(cell, 'with').length;
    const p50 = pairedRatios(cell, (run) => run.p50);
    const without = medianOf(cell, 'without', (run) => run.p50);
    const withP50 = medianOf(cell, 'with', (run) => run.p50);
    return [
      cell.service,
      cell.shape.label,
      fmtMs(without),
      fmtMs(withP50),
      fmtAdded(withP50 - without),
      fmtPaired(p50, rounds),
      fmtMs(medianOf(cell, 'without', (run) => run.p99)),
      fmtMs(medianOf(cell, 'with', (run) => run.p99)),
      fmtPaired(
        pairedRatios(cell, (run) => run.p99),
        rounds,
      ),
      cell.shape.judge === 'latency'
        ? ok(p50.median <= TARGETS.overheadP50Ratio)
        : 'saturated: see throughput',
    ];
  });
  return {
    title: `Instrumentation overhead: latency, with / without the preload (target p50 ratio ≤ ${String(TARGETS.overheadP50Ratio)})`,
    head: [
      'Service',
      'Load',
      'p50 without',
      'p50 with',
      'p50 added',
      'p50 ratio',
      'p99 without',
      'p99 with',
      'p99 ratio',
      '',
    ],
    rows,
    note:
      'Figures are medians over the rounds; a ratio is the median of the per-round ratios, (min–max) over the rounds. ' +
      'The target is judged where the service waits between requests; a closed loop on `/` keeps its CPU busy, so ' +
      'there latency is connections ÷ throughput and the throughput table tells the cost.',
  };
}

export function overheadCostTable(r: Results): Table {
  const rows = r.overhead.map((cell) => {
    const med = (v: Variant, pick: (run: Run) => number): number => medianOf(cell, v, pick);
    const rounds = runsOf(cell, 'with').length;
    const refused = runsOf(cell, 'with').reduce((sum, run) => sum + run.refusedSpans, 0);
    return [
      cell.service,
      cell.shape.label,
      fmtRate(med('without', (run) => run.rps)),
      fmtRate(med('with', (run) => run.rps)),
      fmtPaired(
        pairedRatios(cell, (run) => run.rps),
        rounds,
      ),
      `${med('without', (run) => run.cpuUsPerRequest).toFixed(0)} µs`,
      `${med('with', (run) => run.cpuUsPerRequest).toFixed(0)} µs`,
      fmtPaired(
        pairedRatios(cell, (run) => run.cpuUsPerRequest),
        rounds,
      ),
      `${med('without', (run) => run.serviceCores).toFixed(2)} / ${med('with', (run) => run.serviceCores).toFixed(2)}`,
      med('with', (run) => run.spansPerRequest).toFixed(1),
      `${med('without', (run) => run.pipelineCores).toFixed(2)} / ${med('with', (run) => run.pipelineCores).toFixed(2)}`,
      String(refused),
    ];
  });
  const cpus = r.overheadCpus;
  return {
    title: 'Instrumentation overhead: throughput and CPU, with / without the preload',
    head: [
      'Service',
      'Load',
      'req/s without',
      'req/s with',
      'Throughput ratio',
      'CPU/req without',
      'CPU/req with',
      'CPU/req ratio',
      'Service cores without / with',
      'Spans/req',
      'Pipeline cores without / with',
      'Spans refused',
    ],
    rows,
    note:
      "CPU/req: the service process's user+system time per answered request (/proc, 10 ms ticks). Service cores: " +
      'the share of its CPU the service used (near 1.00: saturated; well below in a closed loop: the load ' +
      'generator, not the service, was the limit). Spans/req: spans the collector accepted per request. Pipeline ' +
      'cores: CPU used meanwhile by the collector, the Jaeger collector and Cassandra' +
      (cpus === undefined
        ? ', on the same CPUs as the service.'
        : `, on CPU ${cpus.rest} with the load generator (the service had CPU ${String(cpus.service)} to itself).`) +
      ' Spans refused: by the collector during the "with" runs (the pipeline could not keep up).',
  };
}

// ---- footprint ----

function byName(f: Footprint | undefined, name: string): ComponentFootprint | undefined {
  return f?.components.find((c) => c.name === name);
}

export function footprintTable(r: Results): Table {
  const [base, high] = r.footprint;
  const names = base?.components.map((c) => c.name) ?? [];
  const line = (
    name: string,
    a: ComponentFootprint | undefined,
    b: ComponentFootprint | undefined,
  ): string[] => [
    name,
    a === undefined ? '–' : `${fmtMiB(a.rssP50)} / ${fmtMiB(a.rssMax)}`,
    a === undefined ? '–' : fmtMiB(a.pssMax),
    a === undefined ? '–' : fmtPct(a.cpuCores),
    b === undefined ? '–' : `${fmtMiB(b.rssP50)} / ${fmtMiB(b.rssMax)}`,
    b === undefined ? '–' : fmtMiB(b.pssMax),
    b === undefined ? '–' : fmtPct(b.cpuCores),
    a === undefined || b === undefined ? '–' : fmtRatio(ratio(b.pssMax, a.pssMax)),
  ];
  const rows = names.map((n) => line(n, byName(base, n), byName(high, n)));
  rows.push(line('**whole lab**', base?.total, high?.total).map((c, i) => (i === 0 ? c : `**${c}**`)));
  for (const o of base?.outside ?? []) {
    rows.push(
      line(
        `${o.name} (not in the lab)`,
        o,
        high?.outside.find((x) => x.name === o.name),
      ),
    );
  }
  const a = base?.label ?? '';
  const b = high?.label ?? '';
  const total = base?.total.pssMax ?? Number.NaN;
  return {
    title: `Footprint: resident memory and CPU (target: whole lab ≤ ${fmtGiB(TARGETS.labBytes)} at the default load)`,
    head: [
      'Component',
      `RSS p50 / max, ${a}`,
      `PSS max, ${a}`,
      `CPU, ${a}`,
      `RSS p50 / max, ${b}`,
      `PSS max, ${b}`,
      `CPU, ${b}`,
      'PSS ratio',
    ],
    rows,
    note:
      `Whole lab at ${a}: PSS max ${fmtGiB(total)}, RSS max ${fmtGiB(base?.total.rssMax ?? Number.NaN)} ` +
      `${base === undefined ? '–' : ok(total <= TARGETS.labBytes)} (judged on PSS, which counts shared pages once; RSS counts the node binary ` +
      'once per service). CPU: share of one core over the window (200 % = both cores).',
  };
}

// ---- capacity ----

export function capacityTable(r: Results): Table {
  const rows = r.capacity.map((s) => [
    fmtRate(s.target),
    fmtRate(s.acceptedRate),
    fmtRate(s.jaegerSentRate),
    String(s.refused),
    String(s.jaegerFailed),
    `${String(s.jaegerQueueEnd)} / ${String(s.jaegerQueueMax)}`,
    String(s.tempoDropped),
    fmtPct(s.collectorCores),
    fmtPct(s.backendCores),
    fmtPct(s.generatorCores),
    fmtMiB(s.collectorRssMax),
    s.held ? '✓ held' : `✗ ${s.reason}`,
  ]);
  const held = r.capacity.filter((s) => s.held).at(-1);
  return {
    title: 'Collector capacity: steps of offered span rate (OTLP/gRPC from telemetrygen on the same machine)',
    head: [
      'Offered spans/s',
      'Accepted spans/s',
      'Stored by Jaeger, spans/s',
      'Refused',
      'Jaeger failed',
      'Jaeger queue end / max',
      'Tempo failed',
      'Collector CPU',
      'Jaeger + Cassandra CPU',
      'Generator CPU',
      'Collector RSS',
      'Verdict',
    ],
    rows,
    note:
      held === undefined
        ? 'No step held.'
        : `Highest step that held: ${fmtRate(held.target, ' spans/s')} (${fmtRate(held.target / SPANS_PER_TRACE, ' traces/s')}).`,
  };
}

export function capacitySummary(r: Results): string {
  const steps = [...r.capacity].sort((a, b) => a.target - b.target);
  const held = steps.filter((s) => s.held).at(-1);
  const failed = steps.find((s) => !s.held);
  if (held === undefined) return 'no step held';
  if (failed === undefined) return `${fmtRate(held.target, ' spans/s')} held (highest step tried)`;
  return (
    `${fmtRate(held.target, ' spans/s')} held; at ${fmtRate(failed.target, ' spans/s')} Jaeger stored ` +
    fmtRate(failed.jaegerSentRate, ' spans/s')
  );
}

// ---- restarts ----

const secs = (ms: number): string => (Number.isFinite(ms) ? fmtMs(ms) : 'never');

function lostCell(row: RestartRow, backend: 'jaeger' | 'tempo'): string {
  const lost = lostIn(row, backend);
  if (lost === undefined) return 'n/a';
  const w = row.lostByWindow[backend];
  return lost === 0
    ? '0'
    : `${String(lost)} (${String(w.before)} before, ${String(w.down)} down, ${String(w.after)} after)`;
}

export function restartTable(r: Results): Table {
  const rows = r.restarts.map((row) => [
    `${row.component} (${row.mode === 'kill' ? 'SIGKILL' : 'stop'})`,
    String(row.sent),
    String(row.answered),
    String(row.jaeger),
    row.tempo === undefined ? 'n/a' : String(row.tempo),
    lostCell(row, 'jaeger'),
    lostCell(row, 'tempo'),
    secs(row.metricsMs),
    secs(row.edgesMs),
    row.redWhileDown.length === 0 ? '✗ green' : row.namedWhileDown ? '✓ names it' : '✗ does not name it',
    secs(row.greenMs),
  ]);
  return {
    title: `Restarts under load: each component down ${String(r.settings.restartDownS)} s, then started again`,
    head: [
      'Restarted',
      '/chain sent',
      'Answered',
      'Complete in Jaeger',
      'Complete in Tempo',
      'Lost in Jaeger',
      'Lost in Tempo',
      'Span metrics move again',
      'Service-graph edges move again',
      'verify while down',
      'verify green again',
    ],
    rows,
    note:
      'Times are from the start of `native:start`; "lost" counts answered /chain traces not found complete, by when ' +
      'they were sent: before the stop, between the stop and the component ready again, after that.',
  };
}

// ---- SLO alerts ----

const cyclesOf = (r: Results): SloCycle[] => r.slo?.cycles ?? [];

/** p50 and p95 of one time over the cycles, e.g. "45 s / 61 s". */
export function sloQuantiles(r: Results, pick: (c: SloCycle) => number): { p50: number; p95: number } {
  const values = cyclesOf(r).map(pick);
  return { p50: quantile(values, 0.5), p95: quantile(values, 0.95) };
}

const burn = (sli: number): string => (Number.isFinite(sli) ? `${(sli / BUDGET).toFixed(1)}×` : '–');

function sloPair(r: Results, pick: (c: SloCycle) => number): string {
  const q = sloQuantiles(r, pick);
  return `${fmtMs(q.p50)} / ${fmtMs(q.p95)}`;
}

export function sloTable(r: Results): Table {
  const cycles = cyclesOf(r);
  const row = (label: string, pick: (c: SloCycle) => number): string[] => {
    const q = sloQuantiles(r, pick);
    return [label, fmtMs(q.p50), fmtMs(q.p95)];
  };
  const times: [string, (c: SloCycle) => number][] = [
    ['fault on -> page firing in Prometheus', (c) => c.firedMs],
    ['fault on -> page held by Alertmanager', (c) => c.receivedMs],
    ['fault cleared -> page resolved in Prometheus', (c) => c.resolvedMs],
    ['fault cleared -> page gone from Alertmanager', (c) => c.goneMs],
  ];
  return {
    title: `SLO page alert under \`${SCENARIO_FAULT.join(' ')}\` (${String(cycles.length)} cycles)`,
    head: ['Time', 'p50', 'p95', ...cycles.map((_, i) => `#${String(i + 1)}`)],
    rows: times.map(([label, pick]) => [...row(label, pick), ...cycles.map((c) => fmtMs(pick(c)))]),
    note:
      'Burn rate when the page fired (1m / 5m / 30m windows, and the condition that held): ' +
      cycles
        .map(
          (c) =>
            `${burn(c.sliAtFire['1m'])} / ${burn(c.sliAtFire['5m'])} / ${burn(c.sliAtFire['30m'])} (${c.firedBy})`,
        )
        .join('; ') +
      '. Waited for a healthy lab before each cycle: ' +
      cycles.map((c) => fmtMs(c.healthyWaitMs)).join(', ') +
      '.',
  };
}

export function sloCostTable(r: Results): Table {
  const c = r.slo?.cost;
  // two significant digits: these shares are small (fmtPct would round 0.2 % to 0 %)
  const pct = (a: number, b: number): string => {
    const r = ratio(a, b);
    return Number.isFinite(r) ? `${String(Number((r * 100).toPrecision(2)))} %` : '–';
  };
  const rows: string[][] =
    c === undefined
      ? []
      : [
          ['SLO rule groups (rules)', `${String(c.groups)} (${String(c.rules)})`, ''],
          [
            'Evaluation time of all of them, per round (mean)',
            fmtMs(c.evalSPerRound * 1000),
            `${pct(c.evalSPerRound, c.intervalS)} of the ${String(c.intervalS)} s evaluation interval`,
          ],
          [
            'Samples they write per round (mean)',
            c.samplesPerRound.toFixed(0),
            `${pct(c.samplesPerRound, c.appendedPerInterval)} of the ${c.appendedPerInterval.toFixed(0)} samples Prometheus appends per interval`,
          ],
          [
            'Series of the SLO recordings',
            String(c.sloSeries),
            `${pct(c.sloSeries, c.headSeries)} of the ${String(c.headSeries)} series in Prometheus' head`,
          ],
          ['Prometheus CPU over the phase', `${c.prometheusCores.toFixed(3)} cores`, ''],
        ];
  return {
    title: `What the SLO rules cost Prometheus (over the ${c === undefined ? '–' : fmtMs(c.windowS * 1000)} of the cycles)`,
    head: ['What', 'Measured', 'Beside'],
    rows,
  };
}

// ---- native:up ----

export function upTable(r: Results): Table {
  const rows: string[][] = [];
  const warm = r.up.filter((u) => u.kind === 'warm');
  const cold = r.up.filter((u) => u.kind === 'cold');
  const fresh = r.up.filter((u) => u.kind === 'fresh');
  for (const [kind, samples] of [
    ['cold', cold],
    ['fresh', fresh],
    ['warm', warm],
  ] as const) {
    if (samples.length === 0 && kind === 'fresh') continue; // a run with a cold start has no fresh one
    if (samples.length === 0) {
      rows.push([kind, '0', '–', '–', '–', '–', '–', kind === 'cold' ? (r.coldSkipped ?? '') : '']);
      continue;
    }
    const comps = new Map<string, number[]>();
    for (const s of samples)
      for (const [c, ms] of Object.entries(s.components)) comps.set(c, [...(comps.get(c) ?? []), ms]);
    const slowest = [...comps]
      .map(([c, v]) => [c, median(v)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([c, ms]) => `${c} ${fmtMs(ms)}`)
      .join(', ');
    rows.push([
      kind,
      String(samples.length),
      fmtMs(median(samples.map((s) => s.ms))),
      fmtMs(Math.max(...samples.map((s) => s.ms))),
      fmtMs(median(samples.map((s) => s.buildMs))),
      fmtMs(median(samples.map((s) => s.startMs))),
      fmtMs(median(samples.map((s) => s.greenMs))),
      `slowest to ready: ${slowest}`,
    ]);
  }
  const c = median(cold.map((s) => s.ms));
  const w = median(warm.map((s) => s.ms));
  return {
    title: 'native:up: time to ready (every component answering its readiness check)',
    head: ['Start', 'n', 'p50', 'Max', 'Build/check p50', 'Start p50', 'To verify all green p50', ''],
    rows,
    ...(cold.length > 0 && warm.length > 0 ? { note: `Cold / warm (p50): ${fmtRatio(ratio(c, w))}.` } : {}),
  };
}

// ---- summary ----

export function summaryTable(r: Results): Table {
  const base = r.freshness[0];
  const worst = overheadP50Ratios(r).sort((a, b) => b.ratio - a.ratio)[0];
  const lab = r.footprint[0]?.total.pssMax ?? Number.NaN;
  /** The verdict, or a dash when this run did not measure it (--only). */
  const verdict = (measured: boolean, pass: boolean): string => (measured ? ok(pass) : '–');
  return {
    title: 'Summary',
    head: ['What', 'Target', 'Measured', ''],
    rows: [
      ...SIGNALS.map(({ key, label, targetMs }) => {
        const p95 = freshnessP95(base, key);
        const skipped = base?.skipped?.[key];
        if (skipped !== undefined)
          return [`${label}, p95 (default load)`, fmtTarget(targetMs), `skipped: ${skipped}`, '–'];
        return [
          `${label}, p95 (default load)`,
          fmtTarget(targetMs),
          fmtFresh(p95, r.settings.freshnessTimeoutS),
          verdict(base !== undefined, p95 <= targetMs),
        ];
      }),
      [
        `Instrumentation p50 latency ratio, worst service (${[
          ...new Set(overheadP50Ratios(r).map((x) => x.cell.shape.label)),
        ].join(', ')})`,
        `≤ ${String(TARGETS.overheadP50Ratio)}`,
        worst === undefined
          ? '–'
          : `${fmtRatio(worst.ratio)} (${worst.cell.service}, ${worst.cell.shape.label})`,
        verdict(worst !== undefined, (worst?.ratio ?? Number.NaN) <= TARGETS.overheadP50Ratio),
      ],
      [
        'Whole lab memory, PSS max (default load)',
        '≤ 2.50 GiB',
        fmtGiB(lab),
        verdict(r.footprint.length > 0, lab <= TARGETS.labBytes),
      ],
      ['Collector capacity (lab config, this machine)', '–', capacitySummary(r), ''],
      ...(r.slo === undefined
        ? []
        : [
            ['SLO page: fault on -> firing, p50 / p95', '–', sloPair(r, (c) => c.firedMs), ''],
            ['SLO page: fault cleared -> resolved, p50 / p95', '–', sloPair(r, (c) => c.resolvedMs), ''],
          ]),
      ...(['cold', 'fresh', 'warm'] as const).flatMap((kind) => {
        const starts = r.up.filter((u) => u.kind === kind);
        const what = { cold: 'cold (empty build cache and data)', fresh: 'fresh data', warm: 'warm' }[kind];
        if (starts.length === 0)
          return kind === 'cold'
            ? [[`native:up to ready, ${what} (p50)`, '–', r.coldSkipped ?? '–', '']]
            : [];
        return [
          [`native:up to ready, ${what} (p50)`, '–', fmtMs(median(starts.map((u) => u.ms))), ''],
          [
            `native:up start to verify all green, ${what} (p50)`,
            '–',
            fmtMs(median(starts.map((u) => u.greenMs))),
            '',
          ],
        ];
      }),
    ],
  };
}

export function machineTable(r: Results): Table {
  return { title: 'Machine', head: ['', ''], rows: machineLines(r.machine) };
}

// ---- outputs ----

export function textReport(r: Results): string {
  return [
    machineTable(r),
    summaryTable(r),
    freshnessTable(r),
    costTable(r),
    overheadLatencyTable(r),
    overheadCostTable(r),
    footprintTable(r),
    capacityTable(r),
    restartTable(r),
    sloTable(r),
    sloCostTable(r),
    upTable(r),
  ]
    .map(textTable)
    .join('\n\n');
}

export interface Charts {
  freshness?: string;
  overhead?: string;
  footprint?: string;
  capacity?: string;
}

/** What native:up left out of this run (Tempo without a supplied binary), as a paragraph; '' when nothing. */
export function leftOutNote(r: Results): string {
  const out = Object.entries(r.leftOut);
  if (out.length === 0) return '';
  return `**What native:up left out of this run:** ${out.map(([c, why]) => `${c} (${why})`).join('; ')}. The figures that need one of these are shown as skipped, and the memory totals cover what ran.\n\n`;
}

function image(path: string | undefined, alt: string): string {
  return path === undefined ? '' : `\n![${alt}](${path})\n`;
}

export function markdownReport(r: Results, charts: Charts): string {
  const s = r.settings;
  const when = r.startedAt.toISOString().replace(/\.\d+Z$/, 'Z');
  const loads = Object.entries(r.loadSummaries)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');
  return `# Benchmarks

How fresh, how lean and how fast the lab is. Written by \`npm run bench\`${r.mode === 'quick' ? ' -- --quick (a **smoke run**: few samples, no cold start; run `npm run bench` for the full figures)' : ''} on ${when},
in ${fmtMs(r.totalMs)}, on the native lab (\`npm run native:up\`: the real collector, Jaeger, Cassandra and
Prometheus built from their registries and run in network namespaces with the repository's configs; see
native/). Everything below was measured in that one run; nothing is carried over from earlier runs.

**All figures were measured on one 2-core machine with the load generators on the same machine** — the lab's
load (\`native/load.ts\`, the k6 plan), autocannon and telemetrygen take CPU from the same two cores as the
lab. Figures on a laptop with more cores will be better, not worse.

${markdownTable(machineTable(r))}

${markdownTable(summaryTable(r))}

${leftOutNote(r)}The memory figures cover every component of this native lab; Grafana is not in it (docker-compose.yaml limits it to 512 MiB).

## Freshness

*Method.* ${String(s.freshnessPerService)} probes per service, the three services side by side, while the lab's own load runs
(\`native/load.ts\`: the k6 plan, 0.5 s pause; ${loads}). A probe is one \`HEAD /\` with our own W3C
\`traceparent\` header, so its trace id is known (the services continue an incoming trace); a random pause of
0-5 s before each probe spreads the requests over the SDK's 1 s export, the collector's flush, Prometheus'
scrape and Tempo's live-store sweep. When the answer arrives the probe sends the matching CLIENT span (service
\`${PROBE_SERVICE}\`) to the collector's OTLP/HTTP receiver, so that the service graph gets an edge
\`${PROBE_SERVICE}\` -> service that only probes make. From the moment the request is sent, one poller per signal runs
every ${String(POLL_MS)} ms until: Jaeger's \`/api/traces/<id>\` returns the trace; Tempo's \`/api/v2/traces/<id>\` does;
Tempo's \`/api/search\` for \`{ resource.service.name = "…" && span.http.request.method = "HEAD" }\` lists the trace id;
\`sum(traces_span_metrics_calls_total{service_name="…",span_kind="SPAN_KIND_SERVER",http_request_method="HEAD"})\`
has gone up; \`/api/v1/query_exemplars\` on that call's latency buckets returns an exemplar with the trace id; and
\`sum(traces_service_graph_request_total{client="${PROBE_SERVICE}",server="…"})\` has gone up. The load never sends
HEAD, and one probe per service is in flight at a time, so those counters move only for the probe. Resolution:
the poll interval plus one query (~${String(POLL_MS)} ms). Give-up after ${fmtMs(s.freshnessTimeoutS * 1000)} (shown as
"> ${fmtMs(s.freshnessTimeoutS * 1000)}").

${markdownTable(freshnessTable(r))}
${image(charts.freshness, 'Freshness: each probe, every signal, at both loads')}
*What the freshness settings cost.* Under the default load, Tempo, the collector and Prometheus are restarted
with the upstream defaults of the settings that buy freshness — Tempo's ${FRESHNESS_SETTINGS.tempo.map((k) => `\`${k.join('.')}\``).join(', ')}
taken out of a copy of tempo.yaml, the span-metrics job on prometheus.yml's global scrape interval, the collector's
connectors flushing every ${FRESHNESS_SETTINGS.collectorFlush} — then restarted with the lab's files, each measured for
${String(s.costWindowS)} s after ${String(s.costSettleS)} s to settle: CPU and RSS from /proc, and the samples Prometheus
appends per second (its own \`prometheus_tsdb_head_samples_appended_total\`).

${markdownTable(costTable(r))}

## Instrumentation overhead

*Method.* Each service is started twice more, next to the lab's own instance in its network namespace,
from the command line, environment and working directory docker-compose.yaml gives it (read from the file):
"with" is that command as is — \`node --require @opentelemetry/auto-instrumentations-node/register …
dist/main.js\` (fastify adds its @fastify/otel preload), exporting to the lab's real collector — and
"without" is the same command with the preloads removed (\`node dist/main.js\`). Both are warmed up with
${String(s.overheadWarmupS)} s of \`/\` at ${String(WARMUP.overallRate)} req/s (discarded: V8 optimises the request path only after some
thousands of requests). autocannon (npm) then sends the same load to both: ${String(s.overheadRounds)} round(s) of
${String(s.overheadDurationS)} s per load, interleaved (with, without; then without, with; …). \`/chain\` calls the lab's
instrumented services downstream in both cases (its \`/io_task\` hop sleeps 1 s, which dominates its latency).
Latency is taken per response from autocannon's response event (its own histogram has 1 ms steps). ${
    r.overheadCpus === undefined
      ? 'This machine has one CPU: the service under test shares it with the load generator and the pipeline.'
      : `The service under test runs alone on CPU ${String(r.overheadCpus.service)}; autocannon, the
telemetry pipeline and the rest of the lab are moved to CPU ${r.overheadCpus.rest} for the phase (\`taskset\`), as a
laptop with spare cores would give it a core of its own, so "with" is not measured on a machine made busier
by its own spans. autocannon runs at a higher priority there (real-time during the fixed-rate loads, which
leave it idle between requests), so that it reads each answer when it arrives.`
  } The fixed-rate loads (the target's) run first, each round after the collector's Jaeger queue emptied (up to
${String(DRAIN_MS / 1000)} s). The closed-loop \`/\` runs come last: "with" sends the collector thousands of spans per
second, more than the Jaeger path stores on this machine, so its queue fills, the collector refuses spans (the
"Spans refused" column) and the SDK drops what it cannot send — those runs' "with" figures include less
export work than a pipeline that kept up would cost.

${markdownTable(overheadLatencyTable(r))}

${markdownTable(overheadCostTable(r))}
${image(charts.overhead, 'Instrumentation overhead: p50 and p99 latency ratio with/without per service and load')}
## Footprint

*Method.* Every lab process (the pids native:up recorded) is read from /proc every ${String(SAMPLE_MS / 1000)} s for
${String(s.footprintWindowS)} s under the default load (1 VU, 0.5 s pause, as compose's k6) and again under 10× that
(10 VUs), after a warm-up: RSS (VmRSS) and PSS (smaps_rollup: shared pages split between their users), and
CPU time. The whole lab is the sum over its processes at each sample. Natively no memory limit applies
(compose's \`deploy.resources\` are not enforced), so these are what the components take when left alone.

${markdownTable(footprintTable(r))}
${image(charts.footprint, 'Footprint: PSS per component at both loads')}
## Collector capacity

*Method.* telemetrygen ${TELEMETRYGEN_VERSION} (the OpenTelemetry Collector's own load generator, built from
the Go module proxy; 0.159.0 is not served there) sends OTLP/gRPC traces of ${String(SPANS_PER_TRACE)} spans to the
collector — spans shaped like the lab's (16 resource attributes as the services' SDK detectors set, 12 HTTP
attributes), since Jaeger stores and indexes every attribute in Cassandra — running with the lab's config unchanged, in steps of ${String(s.capacityStepS)} s at rising rates
(${s.capacityRates.map((x) => String(x)).join(', ')} spans/s, stopping at the first that fails${r.mode === 'full' ? ', then one step between the last that held and it' : ''}), with the
lab's own load stopped, after the Jaeger queue emptied (the bench measures capacity before the restarts, which
leave Cassandra and Jaeger recovering, and the overhead runs, which flood the pipeline). The collector's own metrics (:8888) decide: a step holds when the receiver refused
or failed no span (memory_limiter refusals count here), the Jaeger exporter failed or dropped no span, its
queue did not grow (by at most 2 s of the offered spans over the step, or one ${String(BATCH_MAX_SPANS)}-span batch), and the collector
accepted at least 95 % of the offered rate. "Stored by Jaeger" is the rate at which the Jaeger exporter
delivered spans while the step ran: where it stays below the offered rate, the Jaeger collector and Cassandra
(their CPU is shown) are the limit, not the collector.
The Tempo exporter's figures are shown but left out of the verdict, so this is the capacity of the receiver,
the batch processor, span_metrics and service_graph, and the Jaeger path down to Cassandra. The generator
runs on the same two cores (its CPU is shown).

${markdownTable(capacityTable(r))}
${image(charts.capacity, 'Collector capacity: offered vs accepted span rate per step')}
## Restarts

*Method.* bench/restarts.ts, the same matrix the end-to-end test test/e2e/6-restarts.test.ts runs (graceful stops
only there). Under the lab's load (1 VU), each of ${r.settings.restartComponents.join(', ')} in turn is stopped
(${r.settings.restartModes.map((m) => (m === 'kill' ? 'SIGKILL at once, as `docker compose kill`' : "SIGTERM with compose's 10 s grace, as `docker compose stop`")).join('; then ')}),
left down ${String(r.settings.restartDownS)} s and started again with \`native:start\`; nothing else is restarted. A \`/chain\`
with our own W3C \`traceparent\` goes out every ${fmtMs(E2E_PLAN.everyMs)}, round robin over the three services, from ${fmtMs(E2E_PLAN.leadMs)}
before the stop until ${fmtMs(E2E_PLAN.tailMs)} after the start. "Answered" are those answered 200 (with \`express\` down every
\`/chain\` fails: each calls it); an answered trace is complete when the backend returns it by id with all three
services and at least as many spans as a baseline \`/chain\` of its service, within ${fmtMs(E2E_PLAN.countTimeoutMs)} after verify is green
again. Span metrics and edges "move again" when Prometheus'
\`sum(traces_span_metrics_calls_total{span_name="GET /chain",span_kind="SPAN_KIND_SERVER"})\` and
\`sum(traces_service_graph_request_total)\` rise above their first reading after the start. verify's checks run
in-process (as \`npm run verify -- --lab native\`) a few seconds into the outage, and from the start every few
seconds until all pass.

${markdownTable(restartTable(r))}

## SLO alerts

*Method.* bench/slo.ts, the incident of docs/scenarios.md (scenario 5) and of the end-to-end test
test/e2e/2-slo-alerts.test.ts, ${String(s.sloCycles)} times in a row under the lab's load (1 VU), on the real Prometheus with the
rules Sloth generated (prometheus/rules/) and the real Alertmanager. Each cycle: \`npm run fault -- ${SCENARIO_FAULT.join(' ')}\`;
Prometheus' \`/api/v1/alerts\` and Alertmanager's \`/api/v2/alerts\` are read every second until the page alert
(\`${SCENARIO_SLO.alertname}\`, \`sloth_severity="page"\`) fires in one and is held (active) by the other; the fault is then cleared
at once, and both are read until the page is gone from each. Before each cycle the bench waits until the page reads a
healthy lab: no page pending or firing, and the SLI over 5 minutes (the fast page's long window) back within the 1 %
budget, so no cycle starts with an earlier cycle's errors in that window. The phase runs after the restarts, on a
lab that has run for more than 30 minutes, so that the page's longest window (30 m) holds lab history as in a
workshop: on a younger lab that window holds only the lab's short life, and the slow condition (6× on 30 m and
5 m) fires about as soon as 5 minutes of errors would. The cycles follow each other, so the later ones find the
earlier cycles' errors in the 30-minute window: the note under the table says which condition held when each
fired. Prometheus evaluates the rules every 15 s, so these times move in 15 s steps. The cost is read from Prometheus' own metrics over the cycles:
\`prometheus_rule_group_last_duration_seconds\` and \`prometheus_rule_group_last_evaluation_samples\` of the
\`sloth-slo-*\` groups beside the evaluation interval and \`prometheus_tsdb_head_samples_appended_total\`.

${r.slo === undefined ? '*Not run.*' : `${markdownTable(sloTable(r))}\n\n${markdownTable(sloCostTable(r))}`}

## native:up time to ready

*Method.* Wall-clock time of \`node native/up.ts\` from start to its exit, which comes when every component
answers its readiness check (compose's healthchecks, run from the host). Warm: ${String(s.warmStarts)} start(s) after
\`native:down\`, with the build cache (~/.cache/otel-spm-lab) current and the data volumes kept. Fresh (a run
without a cold start): the build cache current, the data volumes deleted (\`native:down --volumes\`), as at a
learner's first \`docker compose up\` once the images are pulled. Cold:
\`XDG_CACHE_HOME\` (and so Go's build cache) in an empty temporary directory and the data volumes deleted,
so the collector, Jaeger and Prometheus are compiled from scratch, Cassandra's jars copied and its schema
created; the Go module download cache and the local Maven repository stay (downloads are not builds),
and the services' TypeScript compile is incremental in both cases.

${markdownTable(upTable(r))}

## Tuning

${TUNING}
`;
}
