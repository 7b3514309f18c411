// Runs every verify check against a fake lab: small HTTP servers that answer like the real APIs (shapes as
// in verify-apis.test.ts) and insist on the query parameters the real ones need.
import assert from 'node:assert/strict';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { CheckResult, Component, LabContext } from '../../verify/check.ts';
import { runCheck, runChecks } from '../../verify/check.ts';
import { ALL_CHECKS, COMPOSE_MEMORY_SKIP } from '../../verify/main.ts';
import type { AppService } from '../../verify/lab.ts';
import { APP_SERVICES } from '../../verify/lab.ts';

const NOW_S = 1_795_000_000;
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CHAIN: Record<AppService, AppService[]> = {
  fastify: ['nestjs', 'express'],
  nestjs: ['express', 'fastify'],
  express: ['fastify', 'nestjs'],
};

type Handler = (url: URL) => unknown;

/** Faults the tests switch on. */
const fault = {
  tempoExportFailures: 0,
  nestjsMissingInJaeger: false,
  attemptsBeforeTempoHasTraces: 0,
  /** jaeger-collector stopped: Prometheus cannot scrape it, the collector queues for it, Jaeger gets nothing new. */
  jaegerCollectorDown: false,
};
/** How old Jaeger's newest trace is on a healthy lab. */
const NEWEST_TRACE_AGE_S = 3;

function vector(result: { metric: Record<string, string>; value: string }[]): unknown {
  return {
    status: 'success',
    data: {
      resultType: 'vector',
      result: result.map((r) => ({ metric: r.metric, value: [NOW_S, r.value] })),
    },
  };
}

function need(url: URL, ...params: string[]): void {
  for (const p of params)
    if (!url.searchParams.has(p)) throw new Error(`missing parameter ${p} in ${url.pathname}`);
}

const perService = (value: string) =>
  vector(APP_SERVICES.map((s) => ({ metric: { service_name: s }, value })));

const prometheus: Handler = (url) => {
  if (url.pathname === '/api/v1/rules') {
    return {
      status: 'success',
      data: {
        groups: [
          {
            name: 'sloth-slo-alerts-express-requests-availability',
            file: '/etc/prometheus/rules/express.yaml',
            rules: [{ type: 'alerting', name: 'ExpressAvailability', health: 'ok', lastError: '' }],
          },
        ],
      },
    };
  }
  if (url.pathname === '/api/v1/alertmanagers') {
    return {
      status: 'success',
      data: {
        activeAlertmanagers: [{ url: 'http://alertmanager:9093/api/v2/alerts' }],
        droppedAlertmanagers: [],
      },
    };
  }
  if (url.pathname === '/api/v1/query_exemplars') {
    need(url, 'query', 'start', 'end');
    return {
      status: 'success',
      data: APP_SERVICES.map((s) => ({
        seriesLabels: {
          __name__: 'traces_span_metrics_duration_milliseconds_bucket',
          service_name: s,
          le: '1000',
        },
        exemplars: [
          {
            labels: { trace_id: TRACE_ID, span_id: '00f067aa0ba902b7' },
            value: '912',
            timestamp: NOW_S - 60,
          },
        ],
      })),
    };
  }
  assert.equal(url.pathname, '/api/v1/query');
  const q = url.searchParams.get('query') ?? '';
  if (q.includes('otelcol_'))
    assert.match(q, /job="otel-collector"/, 'collector counters are filtered on their job');
  if (q === 'up{job="otel-collector"}') return vector([{ metric: { job: 'otel-collector' }, value: '1' }]);
  if (q === 'up') {
    return vector(
      [
        'otel-collector:8889',
        'otel-collector:8888',
        'tempo:3200',
        'jaeger-collector:8888',
        'jaeger-query:8888',
        'localhost:9090',
      ].map((instance) => ({
        metric: { instance },
        value: fault.jaegerCollectorDown && instance.startsWith('jaeger-collector:') ? '0' : '1',
      })),
    );
  }
  if (q.includes('otelcol_exporter_queue_size')) {
    return vector([
      { metric: { exporter: 'otlp_grpc/jaeger' }, value: fault.jaegerCollectorDown ? '412' : '0' },
      { metric: { exporter: 'otlp_grpc/tempo' }, value: '3' },
    ]);
  }
  if (q.includes('otelcol_receiver_accepted_spans') && q.includes('rate('))
    return vector([{ metric: {}, value: '12.5' }]);
  if (q.includes('otelcol_receiver_accepted_spans'))
    return vector([{ metric: { receiver: 'otlp' }, value: '48201' }]);
  if (q.includes('otelcol_receiver_refused_spans')) return vector([{ metric: {}, value: '0' }]);
  if (q.includes('otelcol_exporter_sent_spans')) {
    return vector([
      { metric: { exporter: 'otlp_grpc/jaeger' }, value: '48000' },
      { metric: { exporter: 'otlp_grpc/tempo' }, value: fault.tempoExportFailures > 0 ? '0' : '48000' },
    ]);
  }
  if (q.includes('otelcol_exporter_send_failed_spans')) {
    return vector([
      { metric: { exporter: 'otlp_grpc/jaeger' }, value: '0' },
      { metric: { exporter: 'otlp_grpc/tempo' }, value: String(fault.tempoExportFailures) },
    ]);
  }
  if (q.includes('error_test')) return perService('54');
  if (q.includes('traces_span_metrics_calls_total') || q.includes('_count')) return perService('1204');
  if (q.includes('traces_service_graph_request_total')) {
    return vector(
      APP_SERVICES.flatMap((client) =>
        CHAIN[client].map((server) => ({ metric: { client, server }, value: '120' })),
      ),
    );
  }
  return { status: 'error', errorType: 'bad_data', error: `unexpected query ${q}` };
};

const chainTrace = (root: AppService) => ({
  traceID: `${root}-trace`,
  spans: APP_SERVICES.map((s, i) => ({
    traceID: `${root}-trace`,
    spanID: String(i),
    operationName: 'GET',
    processID: `p${String(i)}`,
    startTime: (NOW_S - NEWEST_TRACE_AGE_S - (fault.jaegerCollectorDown ? 40 : 0)) * 1e6 - 1000,
    duration: 1000,
  })),
  processes: Object.fromEntries(
    APP_SERVICES.filter((s) => !(fault.nestjsMissingInJaeger && s === 'nestjs')).map((s, i) => [
      `p${String(i)}`,
      { serviceName: s, tags: [] },
    ]),
  ),
  warnings: null,
});

const jaeger: Handler = (url) => {
  const envelope = (data: unknown) => ({ data, total: 0, limit: 0, offset: 0, errors: null });
  if (url.pathname === '/api/services') return envelope([...APP_SERVICES, 'jaeger-query']);
  if (url.pathname === '/api/traces') {
    need(url, 'service', 'start', 'end', 'limit');
    const operation = url.searchParams.get('operation');
    assert.ok(operation === null || operation === 'GET /chain', `operation ${String(operation)}`);
    return envelope([chainTrace(url.searchParams.get('service') as AppService)]);
  }
  const metric = /^\/api\/metrics\/(latencies|calls|errors)$/.exec(url.pathname)?.[1];
  assert.ok(metric, `unexpected path ${url.pathname}`);
  need(url, 'service', 'spanKind', 'endTs', 'lookback', 'step', 'ratePer');
  if (metric === 'latencies') need(url, 'quantile');
  assert.deepEqual(url.searchParams.getAll('service'), [...APP_SERVICES]);
  const grouped = url.searchParams.get('groupByOperation') === 'true';
  return {
    name: `service_${metric}`,
    type: 'GAUGE',
    help: 'fake',
    metrics: APP_SERVICES.map((s) => ({
      labels: [
        ...(grouped ? [{ name: 'operation', value: 'GET /error_test' }] : []),
        { name: 'service_name', value: s },
      ],
      metricPoints: [
        { gaugeValue: { doubleValue: metric === 'errors' ? 1 : 42 }, timestamp: '2026-11-24T18:00:00Z' },
        { gaugeValue: { doubleValue: 'NaN' }, timestamp: '2026-11-24T18:00:15Z' },
      ],
    })),
  };
};

let tempoSearches = 0;
const tempo: Handler = (url) => {
  if (url.pathname === '/api/search') {
    need(url, 'q', 'start', 'end', 'limit');
    tempoSearches += 1;
    if (tempoSearches <= fault.attemptsBeforeTempoHasTraces) return { traces: [], metrics: {} };
    const root = /resource\.service\.name = "(\w+)"/.exec(url.searchParams.get('q') ?? '')?.[1] ?? '?';
    return {
      traces: [
        {
          traceID: TRACE_ID,
          rootServiceName: root,
          rootTraceName: 'GET /chain',
          startTimeUnixNano: `${String(NOW_S)}000000000`,
          durationMs: 1020,
        },
      ],
    };
  }
  assert.equal(url.pathname, `/api/v2/traces/${TRACE_ID}`);
  return {
    trace: {
      resourceSpans: APP_SERVICES.map((s) => ({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: s } }] },
        scopeSpans: [{ scope: { name: 'x' }, spans: [{ name: 'GET /chain', kind: 2 }] }],
      })),
    },
  };
};

const collectorMetrics = (): string =>
  APP_SERVICES.map(
    (s) =>
      `traces_span_metrics_calls_total{service_name="${s}",span_kind="SPAN_KIND_SERVER",span_name="GET /",status_code="STATUS_CODE_UNSET"} 10`,
  ).join('\n') + '\n# EOF\n';

const servers: Server[] = [];

async function serve(handler: (url: URL) => unknown): Promise<string> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    try {
      const body = handler(url);
      res.writeHead(200, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${String(port)}`;
}

let ctx: LabContext;

before(async () => {
  const apps = Object.fromEntries(
    await Promise.all(
      APP_SERVICES.map(async (s) => [s, await serve(() => ({ message: `hello from ${s}` }))]),
    ),
  ) as Record<AppService, string>;
  ctx = {
    urls: {
      apps,
      jaegerQuery: await serve(jaeger),
      jaegerCollectorHealth: await serve(() => ({ status: 'StatusOK' })),
      prometheus: await serve(prometheus),
      alertmanager: await closedPort(),
      tempo: await serve(tempo),
      collectorMetrics: await serve(collectorMetrics),
      grafana: await closedPort(),
    },
    chain: CHAIN,
    skipped: new Map([['memory', COMPOSE_MEMORY_SKIP]]), // as main.ts sets it for a compose lab
    lab: 'compose',
    logDir: undefined,
    lookbackMs: 15 * 60_000,
    now: () => NOW_S * 1000,
  };
});

after(() => {
  for (const server of servers) server.close();
});

function byId(results: readonly CheckResult[]): Map<string, CheckResult> {
  return new Map(results.map((r) => [r.check.id, r]));
}

describe('verify checks against a fake lab', () => {
  it('all pass on a healthy lab, in order, with the figures they saw', async () => {
    const seen: string[] = [];
    const results = await runChecks(ALL_CHECKS, ctx, { waitMs: 0 }, (r) => seen.push(r.check.id));
    assert.deepEqual(
      seen,
      ALL_CHECKS.map((c) => c.id),
    );
    const notPassed = results.filter((r) => r.status !== 'pass').map((r) => `${r.check.id}: ${r.status}`);
    assert.deepEqual(notPassed, ['memory.limits: skip']);
    const figure = (id: string) => byId(results).get(id)?.figure;
    assert.match(figure('services.fastify') ?? '', /^GET http:\/\/127\.0\.0\.1:\d+\/ → 200 in \d+ ms$/);
    assert.equal(figure('collector.spanmetrics'), 'server calls: fastify 10 · nestjs 10 · express 10');
    assert.equal(
      figure('collector.receives'),
      '48,201 spans accepted (otlp), 12.5/s over the last minute, 0 refused',
    );
    assert.equal(
      figure('collector.exporters'),
      'otlp_grpc/jaeger 48,000 sent, 0 failed · otlp_grpc/tempo 48,000 sent, 0 failed',
    );
    assert.equal(
      figure('collector.queues'),
      'otlp_grpc/jaeger 0 queued (→ jaeger-collector) · otlp_grpc/tempo 3 queued (→ tempo)',
    );
    assert.equal(figure('jaeger.fresh'), 'newest trace 3s old, 12.5 spans/s arriving at the collector');
    assert.equal(
      figure('prometheus.targets'),
      'jaeger-collector up · jaeger-query up · otel-collector up · tempo up',
    );
    assert.equal(figure('tempo.recent'), 'fastify 1 · nestjs 1 · express 1 traces in the last 15m');
    assert.match(
      figure('tempo.chain') ?? '',
      /^\/chain traces from fastify, nestjs and express each hold all three services/,
    );
    assert.equal(figure('jaeger.services'), 'fastify, nestjs, express (+ jaeger-query)');
    assert.equal(figure('jaeger.monitor.latencies'), 'p95 fastify 42 ms · nestjs 42 ms · express 42 ms');
    assert.equal(figure('jaeger.monitor.calls'), 'fastify 42/s · nestjs 42/s · express 42/s');
    assert.equal(
      figure('jaeger.monitor.errors'),
      'GET /error_test error rate: fastify 100% · nestjs 100% · express 100%',
    );
    assert.equal(figure('prometheus.errors'), 'GET /error_test errors: fastify 54 · nestjs 54 · express 54');
    assert.match(
      figure('prometheus.servicegraph') ?? '',
      /^6\/6 \/chain edges: fastify→nestjs 120 · fastify→express 120/,
    );
    assert.equal(
      figure('prometheus.exemplars'),
      '3 exemplars with trace_id in the last 15m: fastify 1 · nestjs 1 · express 1',
    );
    assert.equal(
      figure('prometheus.exemplar-traces'),
      "1/1 of the newest exemplars' traces found (e.g. 0af7651916cd43dd…)",
    );
  });

  it('names a backend that refuses connections, with where to look', async () => {
    const down = { ...ctx, urls: { ...ctx.urls, jaegerQuery: await closedPort() } };
    const results = byId(
      await runChecks(
        ALL_CHECKS.filter((c) => c.component === 'jaeger'),
        down,
        { waitMs: 0 },
        () => undefined,
      ),
    );
    const services = results.get('jaeger.services');
    assert.equal(services?.status, 'fail');
    assert.equal(services.figure, `Jaeger query at ${down.urls.jaegerQuery} refused the connection`);
    assert.equal(
      services.hint,
      'is the jaeger-query container up? docker compose ps jaeger-query; start it: docker compose start jaeger-query; docker compose logs jaeger-query',
    );
  });

  it('points at the native lab’s log files in the native lab', async () => {
    const native: LabContext = {
      ...ctx,
      lab: 'native',
      logDir: '/tmp/lab/logs',
      urls: { ...ctx.urls, tempo: await closedPort() },
    };
    const check = ALL_CHECKS.find((c) => c.id === 'tempo.recent');
    assert.ok(check);
    const result = await runCheck(check, native, { waitMs: 0 });
    assert.equal(result.status, 'fail');
    assert.equal(
      result.hint,
      'is tempo running? start it: npm run native:start -- tempo; /tmp/lab/logs/tempo.log',
    );
  });

  it('reports a skipped component as skipped with its reason, never as passed', async () => {
    const skipped = new Map<Component, string>([['tempo', 'Tempo is not part of the native lab']]);
    fault.tempoExportFailures = 530;
    try {
      const results = byId(await runChecks(ALL_CHECKS, { ...ctx, skipped }, { waitMs: 0 }, () => undefined));
      assert.deepEqual(
        [...results.values()].filter((r) => r.status === 'skip').map((r) => [r.check.id, r.figure]),
        [
          ['tempo.recent', 'Tempo is not part of the native lab'],
          ['tempo.chain', 'Tempo is not part of the native lab'],
          ['prometheus.exemplar-traces', 'needs Tempo: Tempo is not part of the native lab'],
        ],
      );
      const exporters = results.get('collector.exporters');
      assert.equal(exporters?.status, 'pass', 'failures towards a skipped backend do not fail the check');
      assert.match(exporters.figure, /otlp_grpc\/tempo 0 sent, 530 failed \(tempo skipped\)/);
    } finally {
      fault.tempoExportFailures = 0;
    }
  });

  it('fails on export failures, naming the exporter', async () => {
    fault.tempoExportFailures = 17;
    try {
      const check = ALL_CHECKS.find((c) => c.id === 'collector.exporters');
      assert.ok(check);
      const result = await runCheck(check, ctx, { waitMs: 0 });
      assert.equal(result.status, 'fail');
      assert.match(
        result.hint ?? '',
        /^otlp_grpc\/tempo lost 17 spans: look for export errors in docker compose logs otel-collector/,
      );
    } finally {
      fault.tempoExportFailures = 0;
    }
  });

  it('with jaeger-collector stopped, four checks fail, each naming it and how to start it', async () => {
    fault.jaegerCollectorDown = true;
    const stopped = { ...ctx, urls: { ...ctx.urls, jaegerCollectorHealth: await closedPort() } };
    try {
      const results = byId(await runChecks(ALL_CHECKS, stopped, { waitMs: 0 }, () => undefined));
      const failed = [...results.values()].filter((r) => r.status === 'fail').map((r) => r.check.id);
      assert.deepEqual(failed, [
        'collector.queues',
        'jaeger.collector',
        'jaeger.fresh',
        'prometheus.targets',
      ]);
      assert.match(
        results.get('jaeger.collector')?.figure ?? '',
        /^Jaeger collector at \S+ refused the connection$/,
      );
      for (const id of failed) {
        const result = results.get(id);
        assert.match(result?.hint ?? '', /docker compose start jaeger-collector/, id);
      }
      assert.match(
        results.get('collector.queues')?.figure ?? '',
        /otlp_grpc\/jaeger 412 queued \(→ jaeger-collector\)/,
      );
      assert.match(
        results.get('jaeger.fresh')?.figure ?? '',
        /^newest trace 43s old.*: no new trace for over 20s$/,
      );
      assert.match(results.get('prometheus.targets')?.figure ?? '', /jaeger-collector DOWN/);
      const native = byId(
        await runChecks(
          ALL_CHECKS.filter((c) => c.id === 'prometheus.targets'),
          { ...ctx, lab: 'native', logDir: '/tmp/lab/logs' },
          { waitMs: 0 },
          () => undefined,
        ),
      );
      assert.match(native.get('prometheus.targets')?.hint ?? '', /npm run native:start -- jaeger-collector/);
    } finally {
      fault.jaegerCollectorDown = false;
    }
    const again = await runChecks(ALL_CHECKS, ctx, { waitMs: 0 }, () => undefined);
    assert.deepEqual(
      again.filter((r) => r.status === 'fail').map((r) => r.check.id),
      [],
      'green again once it is back',
    );
  });

  it('fails a /chain check when a trace lacks a service', async () => {
    fault.nestjsMissingInJaeger = true;
    try {
      const check = ALL_CHECKS.find((c) => c.id === 'jaeger.chain');
      assert.ok(check);
      const result = await runCheck(check, ctx, { waitMs: 0 });
      assert.equal(result.status, 'fail');
      assert.match(
        result.figure,
        /^Jaeger: 1 \/chain traces rooted at fastify, none holding all three \(newest has express and fastify\)/,
      );
    } finally {
      fault.nestjsMissingInJaeger = false;
    }
  });

  it('with a wait, retries a failing check until it passes', async () => {
    tempoSearches = 0;
    fault.attemptsBeforeTempoHasTraces = 3; // the first attempt's three searches find nothing
    try {
      const check = ALL_CHECKS.find((c) => c.id === 'tempo.recent');
      assert.ok(check);
      const once = await runCheck(check, ctx, { waitMs: 0 });
      assert.equal(once.status, 'fail');
      tempoSearches = 0;
      const waited = await runCheck(check, ctx, { waitMs: 5000, retryDelayMs: 50 });
      assert.equal(waited.status, 'pass');
      assert.equal(waited.attempts, 2);
    } finally {
      fault.attemptsBeforeTempoHasTraces = 0;
    }
  });
});
