// Charts for BENCHMARKS.md where a picture reads better than a table: Vega-Lite specs rendered headless to
// SVG by Vega, then to PNG by resvg (both from npm; no browser, no canvas).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { median } from './lib/stats.ts';
import { overheadP50Ratios, TARGETS, type Charts } from './report.ts';
import type { Results } from './results.ts';

const WIDTH = 640;

async function renderPng(spec: TopLevelSpec, file: string): Promise<void> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG(2);
  view.finalize();
  const png = new Resvg(svg, {
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  writeFileSync(file, png);
}

const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  config: {
    font: 'DejaVu Sans',
    view: { stroke: null },
    axis: { labelLimit: 400 },
    legend: { labelLimit: 400 },
  },
} as const;

function freshnessSpec(r: Results): TopLevelSpec {
  const values = r.freshness
    .flatMap((run) =>
      run.samples.flatMap((s) => [
        { row: `${run.load}: Jaeger, trace by id`, path: 'Jaeger: trace by id', s: s.jaegerMs / 1000 },
        {
          row: `${run.load}: Prometheus, call counted`,
          path: 'Prometheus: span metrics',
          s: s.metricsMs / 1000,
        },
      ]),
    )
    .filter((v) => Number.isFinite(v.s));
  const targets = [
    { s: TARGETS.traceP95Ms / 1000, label: 'trace target (p95)' },
    { s: TARGETS.metricsP95Ms / 1000, label: 'span metrics target (p95)' },
  ];
  return {
    ...base,
    title: 'Freshness: request sent → visible (each dot one probe, bar = p50)',
    width: WIDTH,
    height: { step: 48 },
    layer: [
      {
        data: { values },
        mark: { type: 'circle', size: 40, opacity: 0.55 },
        encoding: {
          x: { field: 's', type: 'quantitative', title: 'seconds', scale: { domainMin: 0 } },
          y: { field: 'row', type: 'nominal', title: null, sort: null },
          yOffset: { field: 'jitter', type: 'quantitative', scale: { domain: [0, 1], range: [-14, 14] } },
          color: { field: 'path', type: 'nominal', title: null, legend: { orient: 'bottom' } },
        },
        transform: [{ calculate: 'random()', as: 'jitter' }],
      },
      {
        data: { values },
        mark: { type: 'tick', thickness: 3, size: 36, color: 'black' },
        encoding: {
          x: { aggregate: 'median', field: 's', type: 'quantitative' },
          y: { field: 'row', type: 'nominal', sort: null },
        },
      },
      {
        data: { values: targets },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#c0392b' },
        encoding: { x: { field: 's', type: 'quantitative' } },
      },
      {
        data: { values: targets },
        mark: {
          type: 'text',
          align: 'left',
          dx: 3,
          dy: -6,
          baseline: 'bottom',
          color: '#c0392b',
          fontSize: 10,
        },
        encoding: { x: { field: 's', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
      },
    ],
  };
}

function overheadSpec(r: Results): TopLevelSpec {
  const values = overheadP50Ratios(r).flatMap(({ cell, ratio }) => {
    const rounds = new Set(cell.runs.map((x) => x.round));
    const p99: number[] = [];
    for (const round of rounds) {
      const w = cell.runs.find((x) => x.round === round && x.variant === 'with');
      const wo = cell.runs.find((x) => x.round === round && x.variant === 'without');
      if (w !== undefined && wo !== undefined) p99.push(w.p99 / wo.p99);
    }
    const row = `${cell.service}: ${cell.shape.label.replaceAll('`', '')}`;
    return [
      { row, metric: 'p50 latency ratio', ratio },
      { row, metric: 'p99 latency ratio', ratio: median(p99) },
    ];
  });
  return {
    ...base,
    title: 'Instrumentation overhead: latency with / without the preload (median over rounds)',
    width: WIDTH - 120,
    height: { step: 16 },
    layer: [
      {
        data: { values },
        mark: 'bar',
        encoding: {
          y: { field: 'row', type: 'nominal', title: null, sort: null },
          yOffset: { field: 'metric', type: 'nominal' },
          x: {
            field: 'ratio',
            type: 'quantitative',
            title: 'ratio (1 = no overhead)',
            scale: { domainMin: 0 },
          },
          color: { field: 'metric', type: 'nominal', title: null, legend: { orient: 'bottom' } },
        },
      },
      {
        data: {
          values: [{ x: TARGETS.overheadP50Ratio, label: `p50 target ${String(TARGETS.overheadP50Ratio)}` }],
        },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#c0392b' },
        encoding: { x: { field: 'x', type: 'quantitative' } },
      },
    ],
  };
}

function footprintSpec(r: Results): TopLevelSpec {
  const values = r.footprint.flatMap((f) =>
    f.components.map((c) => ({ load: f.label, component: c.name, mib: c.pssMax / 2 ** 20 })),
  );
  return {
    ...base,
    title: 'Footprint: PSS per component (max over the window)',
    width: WIDTH - 120,
    height: { step: 40 },
    layer: [
      {
        data: { values },
        mark: 'bar',
        encoding: {
          y: { field: 'load', type: 'nominal', title: null, sort: null },
          x: { field: 'mib', type: 'quantitative', title: 'MiB', aggregate: 'sum' },
          color: {
            field: 'component',
            type: 'nominal',
            title: null,
            legend: { orient: 'bottom', columns: 4 },
          },
          order: { field: 'mib', sort: 'descending' },
        },
      },
      {
        data: { values: [{ x: TARGETS.labBytes / 2 ** 20 }] },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#c0392b' },
        encoding: { x: { field: 'x', type: 'quantitative' } },
      },
      {
        data: { values: [{ x: TARGETS.labBytes / 2 ** 20, label: 'target 2.5 GiB' }] },
        mark: {
          type: 'text',
          align: 'right',
          dx: -4,
          dy: -4,
          baseline: 'bottom',
          color: '#c0392b',
          fontSize: 10,
        },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
      },
    ],
  };
}

function capacitySpec(r: Results): TopLevelSpec {
  const values = r.capacity.map((s) => ({
    offered: s.target,
    accepted: Math.max(1, s.acceptedRate),
    verdict: s.held ? 'held' : 'failed',
  }));
  const max = Math.max(...values.map((v) => v.offered), 1);
  return {
    ...base,
    title: 'Collector capacity: accepted vs offered span rate (log scales)',
    width: WIDTH - 200,
    height: WIDTH - 240,
    layer: [
      {
        data: {
          values: [
            { x: 100, y: 100 },
            { x: max * 1.5, y: max * 1.5 },
          ],
        },
        mark: { type: 'line', strokeDash: [4, 4], color: 'grey' },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: { type: 'log' } },
          y: { field: 'y', type: 'quantitative', scale: { type: 'log' } },
        },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 90 },
        encoding: {
          x: { field: 'offered', type: 'quantitative', title: 'offered spans/s', scale: { type: 'log' } },
          y: { field: 'accepted', type: 'quantitative', title: 'accepted spans/s', scale: { type: 'log' } },
          color: {
            field: 'verdict',
            type: 'nominal',
            title: null,
            scale: { domain: ['held', 'failed'], range: ['#27ae60', '#c0392b'] },
          },
        },
      },
    ],
  };
}

/** Renders the charts into `dir`; returns their paths relative to `relativeTo` (for Markdown links). */
export async function renderCharts(r: Results, dir: string, relativeTo: string): Promise<Charts> {
  mkdirSync(dir, { recursive: true });
  const charts: Charts = {};
  const jobs: [keyof Charts, TopLevelSpec, boolean][] = [
    ['freshness', freshnessSpec(r), r.freshness.length > 0],
    ['overhead', overheadSpec(r), r.overhead.length > 0],
    ['footprint', footprintSpec(r), r.footprint.length > 0],
    ['capacity', capacitySpec(r), r.capacity.length > 0],
  ];
  for (const [name, spec, has] of jobs) {
    if (!has) continue;
    const file = path.join(dir, `${name}.png`);
    await renderPng(spec, file);
    charts[name] = path.relative(relativeTo, file);
  }
  return charts;
}
