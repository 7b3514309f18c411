// The run's figures as tables (terminal and Markdown) and the whole of BENCHMARKS.md.
import { POLL_MS } from './freshness.ts';
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
import type { OverheadCell, Run, Variant } from './overhead.ts';
import { SPANS_PER_TRACE, TELEMETRYGEN_VERSION } from './capacity.ts';
import type { FreshnessRun, Results } from './results.ts';
import { TUNING } from './tuning.ts';

export const TARGETS = {
  traceP95Ms: 5000,
  metricsP95Ms: 10_000,
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

export function freshnessTable(r: Results): Table {
  const rows: string[][] = [];
  const base = r.freshness[0];
  for (const run of r.freshness) {
    rows.push([run.load, '(a) Tempo: trace by id', '–', '–', '–', '–', '≤ 5 s', 'not measured natively']);
    for (const [label, key, target, targetText] of [
      ['(b) Jaeger: trace by id', 'jaegerMs', TARGETS.traceP95Ms, '≤ 5 s'],
      ['(c) Prometheus: call counted', 'metricsMs', TARGETS.metricsP95Ms, '≤ 10 s'],
    ] as const) {
      const values = run.samples.map((s) => s[key]);
      const c = freshnessCells(values, r.settings.freshnessTimeoutS);
      const p95 = quantile(values, 0.95);
      const rel =
        run === base || base === undefined
          ? Number.NaN
          : ratio(
              p95,
              quantile(
                base.samples.map((s) => s[key]),
                0.95,
              ),
            );
      const vsBase = Number.isFinite(rel) && base !== undefined ? ` (${fmtRatio(rel)} of ${base.load})` : '';
      rows.push([run.load, label, c.found, c.p50, c.p95 + vsBase, c.max, targetText, ok(p95 <= target)]);
    }
  }
  const ratios = r.freshness.map((run) => {
    const j = median(run.samples.map((s) => s.jaegerMs));
    const m = median(run.samples.map((s) => s.metricsMs));
    return `${run.load}: span metrics p50 / Jaeger p50 = ${fmtRatio(ratio(m, j))}`;
  });
  return {
    title: 'Freshness: request sent -> visible (p95 target)',
    head: ['Load', 'Where', 'Found', 'p50', 'p95', 'Max', 'Target p95', ''],
    rows,
    note: `${ratios.join('; ')}. (a) ${r.tempoNotMeasured}.`,
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

export function overheadP50Ratios(r: Results): { cell: OverheadCell; ratio: number }[] {
  return r.overhead.map((cell) => ({ cell, ratio: pairedRatios(cell, (run) => run.p50).median }));
}

export function overheadLatencyTable(r: Results): Table {
  const rows = r.overhead.map((cell) => {
    const med = (v: Variant, pick: (run: Run) => number): number => median(runsOf(cell, v).map(pick));
    const rounds = runsOf(cell, 'with').length;
    const p50 = pairedRatios(cell, (run) => run.p50);
    return [
      cell.service,
      cell.shape.label,
      fmtMs(med('without', (run) => run.p50)),
      fmtMs(med('with', (run) => run.p50)),
      fmtPaired(p50, rounds),
      fmtMs(med('without', (run) => run.p99)),
      fmtMs(med('with', (run) => run.p99)),
      fmtPaired(
        pairedRatios(cell, (run) => run.p99),
        rounds,
      ),
      ok(p50.median <= TARGETS.overheadP50Ratio),
    ];
  });
  return {
    title: `Instrumentation overhead: latency, with / without the preload (target p50 ratio ≤ ${String(TARGETS.overheadP50Ratio)})`,
    head: [
      'Service',
      'Load',
      'p50 without',
      'p50 with',
      'p50 ratio',
      'p99 without',
      'p99 with',
      'p99 ratio',
      '',
    ],
    rows,
    note: 'Figures are medians over the rounds; a ratio is the median of the per-round ratios, (min–max) over the rounds.',
  };
}

export function overheadCostTable(r: Results): Table {
  const rows = r.overhead.map((cell) => {
    const med = (v: Variant, pick: (run: Run) => number): number => median(runsOf(cell, v).map(pick));
    const rounds = runsOf(cell, 'with').length;
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
      `${med('without', (run) => run.pipelineCores).toFixed(2)} / ${med('with', (run) => run.pipelineCores).toFixed(2)}`,
    ];
  });
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
      'Pipeline cores without / with',
    ],
    rows,
    note: "CPU/req: the service process's user+system time per answered request (/proc). Pipeline cores: CPU used meanwhile by the collector, the Jaeger collector and Cassandra, on the same two cores.",
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
      `${ok(total <= TARGETS.labBytes)} (judged on PSS, which counts shared pages once; RSS counts the node binary ` +
      'once per service). CPU: share of one core over the window (200 % = both cores).',
  };
}

// ---- capacity ----

export function capacityTable(r: Results): Table {
  const rows = r.capacity.map((s) => [
    fmtRate(s.target),
    fmtRate(s.acceptedRate),
    String(s.refused),
    String(s.jaegerFailed),
    `${String(s.jaegerQueueEnd)} / ${String(s.jaegerQueueMax)}`,
    String(s.tempoDropped),
    fmtPct(s.collectorCores),
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
      'Refused',
      'Jaeger failed',
      'Jaeger queue end / max',
      'Tempo failed (native)',
      'Collector CPU',
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
  const held = r.capacity.filter((s) => s.held).at(-1);
  const failed = r.capacity.find((s) => !s.held);
  if (held === undefined) return 'no step held';
  return `${fmtRate(held.target, ' spans/s')} held${failed === undefined ? ' (highest step tried)' : `; ${fmtRate(failed.target, ' spans/s')} did not`}`;
}

// ---- native:up ----

export function upTable(r: Results): Table {
  const rows: string[][] = [];
  const warm = r.up.filter((u) => u.kind === 'warm');
  const cold = r.up.filter((u) => u.kind === 'cold');
  for (const [kind, samples] of [
    ['cold', cold],
    ['warm', warm],
  ] as const) {
    if (samples.length === 0) {
      rows.push([kind, '0', '–', '–', '–', '–', kind === 'cold' ? (r.coldSkipped ?? '') : '']);
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
      `slowest to ready: ${slowest}`,
    ]);
  }
  const c = median(cold.map((s) => s.ms));
  const w = median(warm.map((s) => s.ms));
  return {
    title: 'native:up: time to ready (every component answering its readiness check)',
    head: ['Start', 'n', 'p50', 'Max', 'Build/check p50', 'Start p50', ''],
    rows,
    ...(cold.length > 0 && warm.length > 0 ? { note: `Cold / warm (p50): ${fmtRatio(ratio(c, w))}.` } : {}),
  };
}

// ---- summary ----

export function summaryTable(r: Results): Table {
  const base = r.freshness[0];
  const p95 = (run: FreshnessRun | undefined, key: 'jaegerMs' | 'metricsMs'): number =>
    run === undefined
      ? Number.NaN
      : quantile(
          run.samples.map((s) => s[key]),
          0.95,
        );
  const worst = overheadP50Ratios(r).sort((a, b) => b.ratio - a.ratio)[0];
  const lab = r.footprint[0]?.total.pssMax ?? Number.NaN;
  const warm = r.up.filter((u) => u.kind === 'warm').map((u) => u.ms);
  const cold = r.up.filter((u) => u.kind === 'cold').map((u) => u.ms);
  const jaeger = p95(base, 'jaegerMs');
  const metrics = p95(base, 'metricsMs');
  return {
    title: 'Summary',
    head: ['What', 'Target', 'Measured', ''],
    rows: [
      ['Trace found in Tempo, p95 (default load)', '≤ 5 s', 'not measured natively', '–'],
      [
        'Trace found in Jaeger, p95 (default load)',
        '≤ 5 s',
        fmtFresh(jaeger, r.settings.freshnessTimeoutS),
        ok(jaeger <= TARGETS.traceP95Ms),
      ],
      [
        'Call counted in span metrics, p95 (default load)',
        '≤ 10 s',
        fmtFresh(metrics, r.settings.freshnessTimeoutS),
        ok(metrics <= TARGETS.metricsP95Ms),
      ],
      [
        'Instrumentation p50 latency ratio, worst service and load',
        `≤ ${String(TARGETS.overheadP50Ratio)}`,
        worst === undefined
          ? '–'
          : `${fmtRatio(worst.ratio)} (${worst.cell.service}, ${worst.cell.shape.label})`,
        worst === undefined ? '–' : ok(worst.ratio <= TARGETS.overheadP50Ratio),
      ],
      ['Whole lab memory, PSS max (default load)', '≤ 2.50 GiB', fmtGiB(lab), ok(lab <= TARGETS.labBytes)],
      ['Collector capacity (lab config, this machine)', '–', capacitySummary(r), ''],
      ['native:up to ready, warm (p50)', '–', fmtMs(median(warm)), ''],
      [
        'native:up to ready, cold (p50)',
        '–',
        cold.length === 0 ? (r.coldSkipped ?? '–') : fmtMs(median(cold)),
        '',
      ],
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
    overheadLatencyTable(r),
    overheadCostTable(r),
    footprintTable(r),
    capacityTable(r),
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

Tempo is not in the native lab: ${r.tempoNotMeasured}. Its freshness (a) is therefore not measured here; the
compose lab has it. Tempo's own footprint is not in the memory figures either (docker-compose.yaml limits it
to 320 MiB), nor Grafana's (256 MiB).

## Freshness

*Method.* ${String(s.freshnessPerService)} probes per service, the three services side by side, while the lab's own load runs
(\`native/load.ts\`: the k6 plan, 0.5 s pause; ${loads}). A probe is one \`HEAD /\` with our own W3C
\`traceparent\` header, so its trace id is known (the services continue an incoming trace); a random pause of
0-5 s before each probe spreads the requests over the SDK's 1 s export, the collector's 5 s span-metrics flush
and Prometheus' 5 s scrape. From the moment the request is sent, two pollers run side by side every
${String(POLL_MS)} ms until (b) Jaeger's \`/api/traces/<id>\` returns the trace and (c) Prometheus'
\`sum(traces_span_metrics_calls_total{service_name="…",span_kind="SPAN_KIND_SERVER",http_request_method="HEAD"})\`
has gone up. The load never sends HEAD, and one probe per service is in flight at a time, so that counter
moves only for the probe. Resolution: the poll interval plus one query (~${String(POLL_MS)} ms). Give-up after
${fmtMs(s.freshnessTimeoutS * 1000)} (shown as "> ${fmtMs(s.freshnessTimeoutS * 1000)}").

${markdownTable(freshnessTable(r))}
${image(charts.freshness, 'Freshness: each probe, Jaeger and span metrics, at both loads')}
## Instrumentation overhead

*Method.* Each service is started twice more, next to the lab's own instance in its network namespace,
from the command line, environment and working directory docker-compose.yaml gives it (read from the file):
"with" is that command as is — \`node --require @opentelemetry/auto-instrumentations-node/register …
dist/main.js\` (fastify adds its @fastify/otel preload), exporting to the lab's real collector — and
"without" is the same command with the preloads removed (\`node dist/main.js\`). autocannon (npm)
sends the same load to both: ${String(s.overheadRounds)} round(s) of ${String(s.overheadDurationS)} s per load, interleaved (with,
without; then without, with; …) after a discarded warm-up. \`/chain\` calls the lab's instrumented services
downstream in both cases (its \`/io_task\` hop sleeps 1 s, which dominates its latency). Latency is taken
per response from autocannon's response event (its own histogram has 1 ms steps).

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
lab's own load stopped. The collector's own metrics (:8888) decide: a step holds when the receiver refused
or failed no span (memory_limiter refusals count here), the Jaeger exporter failed or dropped no span, its
queue did not grow (at the end of the step it held at most 2 s of the offered spans), and the collector
accepted at least 95 % of the offered rate.
**Natively there is no Tempo**: the \`otlp_grpc/tempo\` exporter fails every send, fills its queue and
then drops; that path is shown but left out of the verdict, so this is the capacity of the receiver,
the batch processor, span_metrics and service_graph, and the Jaeger path down to Cassandra — while the
failing Tempo exporter's retries and full queue still cost the collector CPU and memory. The generator
runs on the same two cores (its CPU is shown).

${markdownTable(capacityTable(r))}
${image(charts.capacity, 'Collector capacity: offered vs accepted span rate per step')}
## native:up time to ready

*Method.* Wall-clock time of \`node native/up.ts\` from start to its exit, which comes when every component
answers its readiness check (compose's healthchecks, run from the host). Warm: ${String(s.warmStarts)} start(s) after
\`native:down\`, with the build cache (~/.cache/otel-spm-lab) current and the data volumes kept. Cold:
\`XDG_CACHE_HOME\` (and so Go's build cache) in an empty temporary directory and the data volumes deleted,
so the collector, Jaeger and Prometheus are compiled from scratch, Cassandra's jars copied and its schema
created; the Go module download cache and the local Maven repository stay (downloads are not builds),
and the services' TypeScript compile is incremental in both cases.

${markdownTable(upTable(r))}

## Tuning

${TUNING}
`;
}
