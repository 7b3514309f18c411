// Charts for BENCHMARKS.md where a picture reads better than a table: Vega-Lite specs rendered headless to
// SVG by Vega, then to PNG by resvg (both from npm; no browser, no canvas).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { SIGNALS } from './freshness.ts';
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
      run.samples.flatMap((s) =>
        SIGNALS.map(({ key, label }) => ({ row: `${run.load}: ${label}`, path: label, s: s.ms[key] / 1000 })),
      ),
    )
    .filter((v) => Number.isFinite(v.s));
  const targets = [...new Set(SIGNALS.map((x) => x.targetMs))].map((ms) => ({
    s: ms / 1000,
    label: `target ${String(ms / 1000)} s (p95)`,
  }));
  return {
    ...base,
    title: 'Freshness: request sent → visible (each thin mark one probe, black = p50)',
    width: WIDTH,
    height: { step: 48 },
    layer: [
      {
        data: { values },
        mark: { type: 'tick', thickness: 2, size: 26, opacity: 0.6 },
        encoding: {
          x: { field: 's', type: 'quantitative', title: 'seconds', scale: { domainMin: 0 } },
          y: { field: 'row', type: 'nominal', title: null, sort: null },
          color: { field: 'path', type: 'nominal', title: null, legend: { orient: 'bottom' } },
        },
      },
      {
        data: { values },
        mark: { type: 'tick', thickness: 4, size: 38, color: 'black' },
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
  const values = r.capacity.flatMap((s) => [
    { offered: s.target, rate: s.acceptedRate, what: 'accepted by the collector' },
    { offered: s.target, rate: s.jaegerSentRate, what: 'stored by Jaeger (Cassandra)' },
  ]);
  const verdicts = r.capacity.map((s) => ({ offered: s.target, verdict: s.held ? '✓' : '✗' }));
  const max = Math.max(...r.capacity.map((s) => s.target), 1);
  const lo = Math.min(...r.capacity.map((s) => Math.min(s.target, s.jaegerSentRate || s.target)), max) / 1.5;
  const hi = max * 1.5;
  const axis = {
    type: 'quantitative' as const,
    scale: { type: 'log' as const, domain: [lo, hi], nice: false },
  };
  return {
    ...base,
    title: 'Collector capacity: spans/s accepted and stored per step (✓ held, ✗ failed; log scales)',
    width: WIDTH - 200,
    height: WIDTH - 240,
    resolve: { scale: { color: 'independent' } }, // rate lines and verdict labels have their own colours
    layer: [
      {
        data: {
          values: [
            { x: lo, y: lo },
            { x: hi, y: hi },
          ],
        },
        mark: { type: 'line', strokeDash: [4, 4], color: 'grey' },
        encoding: { x: { field: 'x', ...axis }, y: { field: 'y', ...axis } },
      },
      {
        data: { values },
        mark: { type: 'line', point: { filled: true, size: 70 } },
        encoding: {
          x: { field: 'offered', ...axis, title: 'offered spans/s (dashed: all of it)' },
          y: { field: 'rate', ...axis, title: 'spans/s' },
          color: { field: 'what', type: 'nominal', title: null, legend: { orient: 'bottom' } },
        },
      },
      {
        data: { values: verdicts },
        mark: { type: 'text', fontSize: 18, fontWeight: 'bold' },
        encoding: {
          x: { field: 'offered', ...axis },
          y: { datum: hi / 1.15, ...axis },
          text: { field: 'verdict' },
          color: {
            field: 'verdict',
            type: 'nominal',
            legend: null,
            scale: { domain: ['✓', '✗'], range: ['#27ae60', '#c0392b'] },
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
