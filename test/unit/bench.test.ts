import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  BATCH_MAX_SPANS,
  batchMaxSpans,
  collectorCounters,
  stepVerdict,
  type CapacityStep,
} from '../../bench/capacity.ts';
import { FRESHNESS_COMPONENTS, prometheusWithDefaults, tempoWithDefaults } from '../../bench/cost.ts';
import { componentOf, type ComponentFootprint, type Footprint } from '../../bench/footprint.ts';
import {
  clientSpanBody,
  headCallsQuery,
  newTraceparent,
  PROBE_SERVICE,
  probeEdgeQuery,
  SIGNALS,
  skippedSignals,
  type Signal,
} from '../../bench/freshness.ts';
import { quantile, summarize } from '../../bench/lib/stats.ts';
import { markdownTable, textTable } from '../../bench/lib/table.ts';
import { pageConditions } from '../../bench/slo.ts';
import { benchPort, withoutPreloads, SHAPES, type Run } from '../../bench/overhead.ts';
import {
  capacitySummary,
  capacityTable,
  costTable,
  freshnessTable,
  overheadCostTable,
  overheadLatencyTable,
  leftOutNote,
  restartTable,
  sloCostTable,
  sloTable,
  summaryTable,
} from '../../bench/report.ts';
import { cpuSplit } from '../../bench/lib/cpu.ts';
import type { Results } from '../../bench/results.ts';
import { parseUpOutput } from '../../bench/startup.ts';
import { parseExposition } from '../../verify/apis/prometheus.ts';
import { REPO_ROOT } from '../../verify/compose.ts';

describe('bench statistics', () => {
  it('takes quantiles by nearest rank, so every figure is a measured value', () => {
    const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    assert.equal(quantile(values, 0.5), 5);
    assert.equal(quantile(values, 0.95), 10);
    assert.equal(quantile(values, 0), 1);
    assert.equal(quantile([42], 0.99), 42);
    assert.ok(Number.isNaN(quantile([], 0.5)));
  });

  it('sorts "never arrived" (Infinity) last', () => {
    const s = summarize([1, 2, Number.POSITIVE_INFINITY, 3]);
    assert.equal(s.p50, 2);
    assert.equal(s.max, Number.POSITIVE_INFINITY);
    assert.equal(s.mean, 2);
  });
});

describe('bench CPU split', () => {
  it('gives the service under test the last CPU and the rest to everything else', () => {
    assert.deepEqual(cpuSplit(2), { service: 1, rest: '0', all: '0-1' });
    assert.deepEqual(cpuSplit(8), { service: 7, rest: '0-6', all: '0-7' });
    assert.equal(cpuSplit(1), undefined);
  });
});

describe('bench tables', () => {
  const table = { title: 'T', head: ['a', 'b'], rows: [['**x**', '1|2']] };
  it('escapes pipes in Markdown and drops bold markers in the terminal', () => {
    assert.match(markdownTable(table), /\| \*\*x\*\* \| 1\\\|2 \|/);
    assert.doesNotMatch(textTable(table), /\*\*/);
  });
});

describe("bench: the freshness settings' upstream defaults, derived from the lab's files", () => {
  const file = (...p: string[]): string => readFileSync(path.join(REPO_ROOT, ...p), 'utf8');

  it('takes exactly the freshness settings out of tempo.yaml', () => {
    const lab = parse(file('tempo', 'tempo.yaml')) as Record<string, Record<string, unknown> | undefined>;
    const defaults = parse(tempoWithDefaults(file('tempo', 'tempo.yaml'))) as typeof lab;
    assert.ok(lab.live_store?.max_trace_idle !== undefined, 'the lab sets it');
    assert.equal(defaults.query_frontend, undefined, 'an emptied block goes');
    assert.equal(defaults.live_store, undefined);
    const rest = Object.fromEntries(
      Object.entries(lab).filter(([k]) => k !== 'query_frontend' && k !== 'live_store'),
    );
    assert.deepEqual(defaults, rest, 'everything else as the lab has it');
  });

  it('puts the span-metrics job on the global scrape interval and keeps the rest of prometheus.yml', () => {
    type Prom = { scrape_configs: { job_name: string; scrape_interval?: string }[] };
    const lab = parse(file('prometheus', 'prometheus.yml')) as Prom;
    const defaults = parse(prometheusWithDefaults(file('prometheus', 'prometheus.yml'))) as Prom;
    const job = (p: Prom): Prom['scrape_configs'][number] | undefined =>
      p.scrape_configs.find((j) => j.job_name === 'span-metrics');
    assert.equal(job(lab)?.scrape_interval, '1s');
    assert.equal(job(defaults)?.scrape_interval, undefined);
    assert.equal(defaults.scrape_configs.length, lab.scrape_configs.length);
  });

  it('refuses a file without the settings it expects, instead of measuring the lab twice', () => {
    assert.throws(() => tempoWithDefaults('target: all\n'), /no query_frontend\.query_end_cutoff/);
    assert.throws(() => prometheusWithDefaults('scrape_configs: []\n'), /sets no scrape_interval/);
  });
});

describe('bench probes', () => {
  it('makes a sampled W3C traceparent whose trace id it returns', () => {
    const { traceId, spanId, header } = newTraceparent();
    assert.match(traceId, /^[0-9a-f]{32}$/);
    assert.equal(header, `00-${traceId}-${spanId}-01`);
    assert.match(spanId, /^[0-9a-f]{16}$/);
  });

  it("sends the parent of the service's SERVER span as a CLIENT span of its own service", () => {
    const ids = newTraceparent();
    const body = JSON.stringify(clientSpanBody(ids, 'express', 1_700_000_000_123.5, 1_700_000_000_130));
    const span =
      (
        JSON.parse(body) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue: string } }[] };
            scopeSpans: { spans: Record<string, unknown>[] }[];
          }[];
        }
      ).resourceSpans[0] ?? assert.fail('no resourceSpans');
    assert.deepEqual(span.resource.attributes, [
      { key: 'service.name', value: { stringValue: PROBE_SERVICE } },
    ]);
    const client = span.scopeSpans[0]?.spans[0] ?? assert.fail('no span');
    assert.equal(client.traceId, ids.traceId);
    assert.equal(client.spanId, ids.spanId, "the header's parent id, so the server span pairs with it");
    assert.equal(client.kind, 3);
    assert.equal(client.startTimeUnixNano, '1700000000123500000', 'exact nanoseconds, as a string');
    assert.equal(client.endTimeUnixNano, '1700000000130000000');
    assert.equal(
      probeEdgeQuery('express'),
      `sum(traces_service_graph_request_total{client="${PROBE_SERVICE}",server="express"})`,
    );
  });

  it('counts only HEAD server calls of one service (the load never sends HEAD)', () => {
    const q = headCallsQuery('nestjs');
    assert.match(q, /service_name="nestjs"/);
    assert.match(q, /http_request_method="HEAD"/);
    assert.match(q, /span_kind="SPAN_KIND_SERVER"/);
  });

  it('starts the "without" variant as the same command minus its preloads', () => {
    const args = [
      '--require',
      '@opentelemetry/auto-instrumentations-node/register',
      '--require',
      './dist/otel/fastify-otel.js',
      '--import=x',
      'dist/main.js',
    ];
    assert.deepEqual(withoutPreloads(args), ['dist/main.js']);
    assert.deepEqual(withoutPreloads(['--enable-source-maps', 'dist/main.js']), [
      '--enable-source-maps',
      'dist/main.js',
    ]);
    assert.equal(benchPort(8000, 'with'), 18_000);
    assert.equal(benchPort(8000, 'without'), 28_000);
  });

  it('groups port forwarders and keeps components by name', () => {
    assert.equal(componentOf('publish-fastify-8000'), 'port forwarders (socat)');
    assert.equal(componentOf('cassandra'), 'cassandra');
  });

  it("reads native:up's own timings", () => {
    const out = [
      '  ✓ cassandra ready in 21s (TCP :9042)',
      '  ✓ jaeger-collector ready in 9s (GET http://10.89.0.17:13133/status)',
      'native lab up in 1m05s (build/check 12s, start 53s). Stop with: npm run native:down',
    ].join('\n');
    const parsed = parseUpOutput(out);
    assert.equal(parsed.buildMs, 12_000);
    assert.equal(parsed.startMs, 53_000);
    assert.deepEqual(parsed.components, { cassandra: 21_000, 'jaeger-collector': 9_000 });
  });

  it("reads the collector's own counters, with or without the _total suffix", () => {
    const text = [
      'otelcol_receiver_accepted_spans{receiver="otlp",transport="grpc"} 1220',
      'otelcol_receiver_refused_spans_total{receiver="otlp",transport="grpc"} 3',
      'otelcol_exporter_queue_size{data_type="traces",exporter="otlp_grpc/jaeger"} 7',
      'otelcol_exporter_queue_capacity{data_type="traces",exporter="otlp_grpc/jaeger"} 50000',
      'otelcol_exporter_queue_size{data_type="traces",exporter="otlp_grpc/tempo"} 1006',
      'otelcol_exporter_send_failed_spans{exporter="otlp_grpc/tempo",server_address="tempo"} 214',
      'otelcol_exporter_enqueue_failed_spans{exporter="otlp_grpc/jaeger"} 5',
    ].join('\n');
    const c = collectorCounters(parseExposition(text));
    assert.equal(c.accepted, 1220);
    assert.equal(c.refused, 3);
    assert.equal(c.jaegerQueue, 7);
    assert.equal(c.jaegerCapacity, 50_000);
    assert.equal(c.jaegerFailed, 5);
    assert.equal(c.tempoDropped, 214);
    assert.equal(c.tempoQueue, 1006);
  });

  it("allows the Jaeger queue to grow by one of the collector's batches at a low rate, not by more", () => {
    assert.equal(batchMaxSpans('processors:\n  batch:\n    send_batch_max_size: 512\n'), 512);
    assert.ok(BATCH_MAX_SPANS > 0, "the lab's own config.yaml has one");
    const step = { target: 125, refused: 0, jaegerFailed: 0, acceptedRate: 125 };
    assert.deepEqual(stepVerdict(step, 0, 400, BATCH_MAX_SPANS), []);
    assert.match(stepVerdict(step, 0, 600, BATCH_MAX_SPANS).join(), /Jaeger queue grew by 600 spans/);
    const fast = { ...step, target: 4000, acceptedRate: 3000 };
    assert.deepEqual(stepVerdict(fast, 1, 7000, BATCH_MAX_SPANS), [
      'telemetrygen exited with 1 (export failed)',
      'accepted only 3000 spans/s',
    ]);
    assert.throws(() => batchMaxSpans('processors:\n  batch: {}\n'), /send_batch_max_size/);
  });
});

describe('bench report', () => {
  /** A footprint in which Tempo, the collector and Prometheus each take `cores` and `mib`. */
  const footprintOf = (cores: number, mib: number): Footprint => {
    const c = (name: string): ComponentFootprint => ({
      name,
      processes: 1,
      rssP50: mib * 2 ** 20,
      rssMax: mib * 2 ** 20,
      pssP50: mib * 2 ** 20,
      pssMax: mib * 2 ** 20,
      cpuCores: cores,
    });
    const components = FRESHNESS_COMPONENTS.map(c);
    return { label: 'x', samples: 2, windowMs: 1000, components, total: c('lab'), outside: [] };
  };
  /** Jaeger and Tempo by id at `trace`, the other signals at `rest`. */
  const signals = (trace: number, rest: number): Record<Signal, number> => ({
    jaeger: trace,
    tempoById: rest,
    tempoSearch: rest,
    metrics: rest,
    exemplar: rest,
    serviceGraph: rest,
  });
  const run = (round: number, variant: 'with' | 'without', p50: number): Run => ({
    round,
    variant,
    p50,
    p99: p50 * 3,
    rps: 1000 / p50,
    requests: 1000,
    bad: 0,
    cpuUsPerRequest: 500,
    serviceCores: 0.1,
    pipelineCores: 0,
    spansPerRequest: variant === 'with' ? 3 : 0,
    refusedSpans: 0,
  });
  const shape = SHAPES.find((x) => x.judge === 'latency') ?? assert.fail('no latency shape');
  const saturated = SHAPES.find((x) => x.judge === 'throughput') ?? assert.fail('no throughput shape');
  const results = {
    mode: 'quick',
    startedAt: new Date(0),
    totalMs: 1000,
    machine: {
      cpu: 'x',
      cores: 2,
      memoryBytes: 1,
      kernel: 'k',
      os: 'o',
      node: 'n',
      go: 'g',
      java: 'j',
      lab: 'l',
    },
    settings: {
      freshnessPerService: 1,
      freshnessTimeoutS: 60,
      capacityDrainS: 1,
      footprintWindowS: 1,
      costSettleS: 1,
      costWindowS: 1,
      overheadRounds: 2,
      overheadWarmupS: 1,
      overheadDurationS: 1,
      capacityStepS: 1,
      capacityRates: [1],
      warmStarts: 1,
      restartComponents: ['otel-collector', 'express'],
      restartModes: ['stop'],
      restartDownS: 20,
      sloCycles: 2,
      sloTimeoutS: 420,
    },
    up: [],
    leftOut: {},
    coldSkipped: 'skipped',
    freshness: [
      {
        load: '1 VU',
        vus: 1,
        samples: [
          { service: 'fastify', traceId: 'a', ms: signals(1000, 4000) },
          {
            service: 'nestjs',
            traceId: 'b',
            ms: signals(6000, Number.POSITIVE_INFINITY),
            errors: { tempoSearch: 'http://tempo:3200/api/search timed out' },
          },
        ],
      },
    ],
    footprint: [],
    cost: [
      { variant: 'defaults', footprint: footprintOf(0.02, 100), samplesPerS: 400 },
      { variant: 'lab', footprint: footprintOf(0.05, 110), samplesPerS: 1000 },
    ],
    loadSummaries: {},
    overhead: [
      {
        service: 'fastify',
        shape,
        runs: [run(1, 'with', 1.3), run(1, 'without', 1), run(2, 'without', 1), run(2, 'with', 1.2)],
      },
      {
        service: 'nestjs',
        shape: saturated,
        runs: [run(1, 'with', 9), run(1, 'without', 1)],
      },
    ],
    overheadCpus: { service: 1, rest: '0', all: '0-1' },
    capacity: [],
    restarts: [
      {
        component: 'otel-collector',
        mode: 'stop',
        sent: 40,
        answered: 40,
        jaeger: 40,
        tempo: 37,
        lostByWindow: { jaeger: { before: 0, down: 0, after: 0 }, tempo: { before: 0, down: 2, after: 1 } },
        startMs: 2000,
        metricsMs: 12_000,
        edgesMs: 14_000,
        redWhileDown: ['collector.spanmetrics: refused'],
        namedWhileDown: true,
        greenMs: 30_000,
        stillFailing: [],
      },
      {
        component: 'express',
        mode: 'kill',
        sent: 40,
        answered: 18,
        jaeger: 18,
        tempo: undefined,
        lostByWindow: { jaeger: { before: 0, down: 0, after: 0 }, tempo: { before: 0, down: 0, after: 0 } },
        startMs: 2000,
        metricsMs: Number.POSITIVE_INFINITY,
        edgesMs: 14_000,
        redWhileDown: [],
        namedWhileDown: false,
        greenMs: Number.POSITIVE_INFINITY,
        stillFailing: ['services.express: refused'],
      },
    ],
    slo: {
      cycles: [
        {
          healthyWaitMs: 0,
          firedMs: 45_000,
          receivedMs: 46_000,
          sliAtFire: { '1m': 0.4, '5m': 0.16, '30m': 0.03 },
          firedBy: 'fast',
          resolvedMs: 90_000,
          goneMs: 91_000,
        },
        {
          healthyWaitMs: 250_000,
          firedMs: 31_000,
          receivedMs: 33_000,
          sliAtFire: { '1m': 0.5, '5m': Number.NaN, '30m': 0.05 },
          firedBy: 'neither (read after the evaluation)',
          resolvedMs: 75_000,
          goneMs: 78_000,
        },
      ],
      cost: {
        windowS: 900,
        groups: 9,
        rules: 60,
        intervalS: 15,
        evalSPerRound: 0.03,
        samplesPerRound: 60,
        appendedPerInterval: 6000,
        sloSeries: 54,
        headSeries: 5400,
        prometheusCores: 0.05,
      },
    },
  } satisfies Results;

  it('reports the SLO page per cycle with p50 and p95 by nearest rank, the burn rates it fired at, and the cost beside its reference', () => {
    const table = sloTable(results);
    assert.deepEqual(table.head, ['Time', 'p50', 'p95', '#1', '#2']);
    assert.deepEqual(table.rows[0], [
      'fault on -> page firing in Prometheus',
      '31.0 s',
      '45.0 s',
      '45.0 s',
      '31.0 s',
    ]);
    assert.deepEqual(table.rows[2], [
      'fault cleared -> page resolved in Prometheus',
      '1 m 15 s',
      '1 m 30 s',
      '1 m 30 s',
      '1 m 15 s',
    ]);
    assert.match(table.note ?? '', /40\.0× \/ 16\.0× \/ 3\.0× \(fast\); 50\.0× \/ – \/ 5\.0× \(neither/);
    assert.equal(pageConditions({ '1m': 0.2, '5m': 0.15, '30m': 0.01 }), 'fast');
    assert.equal(pageConditions({ '1m': 0.05, '5m': 0.09, '30m': 0.09 }), 'slow');
    assert.equal(pageConditions({ '1m': 0.2, '5m': 0.15, '30m': 0.07 }), 'both');
    const cost = sloCostTable(results).rows;
    assert.deepEqual(cost[1], [
      'Evaluation time of all of them, per round (mean)',
      '30.0 ms',
      '0.2 % of the 15 s evaluation interval',
    ]);
    assert.equal(cost[2]?.[2], '1 % of the 6000 samples Prometheus appends per interval');
    const summary = summaryTable(results).rows;
    assert.equal(summary.find((r) => r[0]?.startsWith('SLO page: fault on'))?.[2], '31.0 s / 45.0 s');
    assert.equal(
      summaryTable({ ...results, slo: undefined }).rows.find((r) => r[0]?.startsWith('SLO')),
      undefined,
    );
  });

  it('reports each restart: lost = answered minus complete, per backend; never-green and a green verify shown as such', () => {
    const [collector, express] = restartTable(results).rows;
    assert.ok(collector !== undefined && express !== undefined, 'two rows');
    assert.deepEqual(collector.slice(0, 7), [
      'otel-collector (stop)',
      '40',
      '40',
      '40',
      '37',
      '0',
      '3 (0 before, 2 down, 1 after)',
    ]);
    assert.equal(collector[9], '✓ names it');
    assert.deepEqual(express.slice(0, 7), ['express (SIGKILL)', '40', '18', '18', 'n/a', '0', 'n/a']);
    assert.equal(express[7], 'never');
    assert.equal(express[9], '✗ green');
    assert.equal(express[10], 'never');
  });

  it('judges freshness on p95 against the target of each signal and shows a probe never seen as "> 1 m 00 s"', () => {
    const rows = freshnessTable(results).rows;
    assert.equal(rows.length, SIGNALS.length, 'one row per signal and load');
    const row = (label: string): readonly string[] =>
      rows.find((r) => r[1] === label) ?? assert.fail(`no ${label} row`);
    const jaeger = row('Jaeger: trace by id');
    assert.equal(jaeger[4], '6.00 s');
    assert.equal(jaeger[6], '≤ 3 s');
    assert.match(String(jaeger[7]), /missed/);
    const search = row('Tempo: TraceQL search');
    assert.equal(search[2], '1/2');
    assert.equal(search[4], '> 1 m 00 s');
    const metrics = row('Prometheus: call counted');
    assert.equal(metrics[4], '> 1 m 00 s');
    assert.match(String(metrics[7]), /missed/);
    assert.match(
      freshnessTable(results).note ?? '',
      /1 VU, nestjs, tempoSearch: http:\/\/tempo:3200\/api\/search timed out/,
      'a probe never seen says why when its queries failed',
    );
    const exemplar = row('Prometheus: exemplar');
    assert.equal(exemplar[3], '4.00 s', 'p50 by nearest rank');
  });

  it("shows the freshness settings' cost side by side, lab over upstream defaults", () => {
    const rows = costTable(results).rows;
    const row = (what: string): readonly string[] =>
      rows.find((r) => r[0] === what) ?? assert.fail(`no ${what} row`);
    assert.deepEqual(row('tempo: CPU (cores)'), ['tempo: CPU (cores)', '0.020', '0.050', '2.50×']);
    assert.equal(row('prometheus: RSS p50')[3], '1.10×');
    assert.deepEqual(row('Prometheus: samples appended'), [
      'Prometheus: samples appended',
      '400/s',
      '1000/s',
      '2.50×',
    ]);
  });

  it('pairs overhead runs by round and takes the median of the ratios', () => {
    const row = overheadLatencyTable(results).rows[0] ?? [];
    assert.equal(row[4], '+200 µs'); // median with (1.2 ms) minus median without (1 ms)
    assert.equal(row[5], '1.20× (1.20×–1.30×)'); // nearest-rank median of [1.3, 1.2]: the lower
    assert.match(row[9] ?? '', /missed/);
    const summary = summaryTable(results).rows.find((r) => r[0]?.startsWith('Instrumentation'));
    assert.match(summary?.[2] ?? '', /^1\.20× \(fastify/);
  });

  it('judges the p50 target only where the service waits between requests, not in a saturating loop', () => {
    const row = overheadLatencyTable(results).rows[1] ?? [];
    assert.equal(row[5], '9.00×');
    assert.match(row[9] ?? '', /saturated: see throughput/);
    const summary = summaryTable(results).rows.find((r) => r[0]?.startsWith('Instrumentation'));
    assert.doesNotMatch(summary?.[2] ?? '', /9\.00/);
    assert.doesNotMatch(summary?.[0] ?? '', /closed loop/);
  });

  it('reports spans per request and where the CPUs were split', () => {
    const cost = overheadCostTable(results);
    assert.equal(cost.rows[0]?.[9], '3.0');
    assert.match(cost.note ?? '', /CPU 1 to itself/);
  });

  it('names the highest step that held and what Jaeger stored at the first that did not', () => {
    const step = (target: number, jaegerSentRate: number, held: boolean): CapacityStep => ({
      target,
      seconds: 30,
      acceptedRate: target,
      jaegerSentRate,
      refused: 0,
      jaegerFailed: 0,
      jaegerQueueMax: 0,
      jaegerQueueEnd: 0,
      jaegerQueueCapacity: 50_000,
      tempoDropped: 0,
      collectorCores: 0.02,
      backendCores: 1.5,
      generatorCores: 0.04,
      collectorRssMax: 2 ** 27,
      held,
      reason: held ? 'held' : 'Jaeger queue grew',
    });
    const withSteps = (capacity: CapacityStep[]): Results => ({ ...results, capacity });
    assert.equal(
      capacitySummary(withSteps([step(500, 310, false), step(250, 248, true), step(125, 125, true)])),
      '250 spans/s held; at 500 spans/s Jaeger stored 310 spans/s',
    );
    assert.equal(capacitySummary(withSteps([step(125, 20, false)])), 'no step held');
    assert.equal(capacityTable(withSteps([step(250, 248, true)])).rows[0]?.[2], '248/s');
  });

  it('skips the signals of a backend native:up left out, says why, and judges none of them', () => {
    const why = 'no Tempo binary supplied (TEMPO_BINARY)';
    const skipped = skippedSignals({ tempo: why });
    assert.deepEqual(Object.keys(skipped).sort(), ['tempoById', 'tempoSearch']);
    assert.deepEqual(skippedSignals({}), {});
    const run = results.freshness[0] ?? assert.fail('no run');
    const withoutTempo = {
      ...results,
      leftOut: { tempo: why },
      freshness: [
        {
          ...run,
          skipped,
          samples: run.samples.map((x) => ({
            ...x,
            ms: { ...x.ms, tempoById: Number.NaN, tempoSearch: Number.NaN },
          })),
        },
      ],
    } satisfies Results;
    const row = freshnessTable(withoutTempo).rows.find((r) => r[1] === 'Tempo: TraceQL search');
    assert.equal(row?.[7], `skipped: tempo is not in this native lab: ${why}`);
    const summary = summaryTable(withoutTempo).rows.find((r) => r[0]?.startsWith('Tempo: trace by id'));
    assert.deepEqual(summary?.slice(2), [`skipped: tempo is not in this native lab: ${why}`, '–']);
    assert.match(
      leftOutNote(withoutTempo),
      /^\*\*What native:up left out of this run:\*\* tempo \(no Tempo binary supplied/,
    );
    assert.equal(leftOutNote(results), '');
  });

  it('shows a dash, not a miss, for what a partial run did not measure', () => {
    const partial = { ...results, freshness: [], footprint: [] } satisfies Results;
    const rows = summaryTable(partial).rows;
    for (const what of [
      'Jaeger: trace by id',
      'Tempo: TraceQL search',
      'Prometheus: exemplar',
      'Whole lab memory',
    ])
      assert.equal(rows.find((r) => r[0]?.startsWith(what))?.[3], '–', what);
  });
});
