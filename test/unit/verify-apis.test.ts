// The answers below copy the shapes of the real APIs: Prometheus' docs/querying/api.md (v3.16), Jaeger
// v2.12.0's cmd/query/app (structuredResponse, UI trace model; jsonpb MetricFamily of
// proto-gen/api_v2/metrics), Tempo v3.0's api_docs and pkg/tempopb (SearchResponse, TraceByIDResponse).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExemplars, parseExposition, parseVector, sumBy } from '../../verify/apis/prometheus.ts';
import { parseMetricFamily, parseServices, parseTraces } from '../../verify/apis/jaeger.ts';
import { parseSearch, parseTrace } from '../../verify/apis/tempo.ts';

describe('Prometheus answers', () => {
  it('reads an instant vector', () => {
    const body = {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          {
            metric: { __name__: 'up', job: 'prometheus', instance: 'localhost:9090' },
            value: [1435781451.781, '1'],
          },
          {
            metric: { __name__: 'up', job: 'node', instance: 'localhost:9100' },
            value: [1435781451.781, '0'],
          },
        ],
      },
    };
    assert.deepEqual(parseVector(body), [
      { labels: { __name__: 'up', job: 'prometheus', instance: 'localhost:9090' }, value: 1 },
      { labels: { __name__: 'up', job: 'node', instance: 'localhost:9100' }, value: 0 },
    ]);
  });

  it('reads special float values and an empty result', () => {
    const vector = (v: string) => ({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [1, v] }] },
    });
    assert.equal(parseVector(vector('NaN'))[0]?.value, Number.NaN);
    assert.equal(parseVector(vector('+Inf'))[0]?.value, Number.POSITIVE_INFINITY);
    assert.deepEqual(parseVector({ status: 'success', data: { resultType: 'vector', result: [] } }), []);
  });

  it('reports what Prometheus said when a query fails', () => {
    const body = {
      status: 'error',
      errorType: 'bad_data',
      error: 'invalid parameter "query": 1:5: parse error',
    };
    assert.throws(
      () => parseVector(body),
      /Prometheus query failed: bad_data: invalid parameter "query": 1:5: parse error/,
    );
  });

  it('reads exemplars (timestamps in seconds, values as strings)', () => {
    const body = {
      status: 'success',
      data: [
        {
          seriesLabels: {
            __name__: 'test_exemplar_metric_total',
            instance: 'localhost:8090',
            job: 'prometheus',
            service: 'bar',
          },
          exemplars: [{ labels: { trace_id: 'EpTxMJ40fUus7aGY' }, value: '6', timestamp: 1600096945.479 }],
        },
        {
          seriesLabels: {
            __name__: 'test_exemplar_metric_total',
            instance: 'localhost:8090',
            job: 'prometheus',
            service: 'foo',
          },
          exemplars: [
            { labels: { trace_id: 'Olp9XHlq763ccsfa' }, value: '19', timestamp: 1600096955.479 },
            { labels: { trace_id: 'hCtjygkIHwAN9vs4' }, value: '20', timestamp: 1600096965.489 },
          ],
        },
      ],
    };
    const exemplars = parseExemplars(body);
    assert.equal(exemplars.length, 3);
    assert.deepEqual(exemplars[0], {
      series: {
        __name__: 'test_exemplar_metric_total',
        instance: 'localhost:8090',
        job: 'prometheus',
        service: 'bar',
      },
      labels: { trace_id: 'EpTxMJ40fUus7aGY' },
      value: 6,
      timestampMs: 1600096945479,
    });
    assert.deepEqual(
      exemplars.map((e) => e.series.service),
      ['bar', 'foo', 'foo'],
    );
  });

  it('reads the OpenMetrics exposition of the collector, exemplars and escapes included', () => {
    const text = [
      '# HELP traces_span_metrics_calls_total',
      '# TYPE traces_span_metrics_calls counter',
      'traces_span_metrics_calls_total{service_name="fastify",span_kind="SPAN_KIND_SERVER",span_name="GET /chain",status_code="STATUS_CODE_UNSET"} 42 # {span_id="2b2a52f3ad6fd5b9",trace_id="0af7651916cd43dd8448eb211c80319c"} 1.0 1.7e+09',
      'traces_span_metrics_calls_total{service_name="nestjs",span_kind="SPAN_KIND_SERVER",span_name="say \\"hi\\", twice",status_code="STATUS_CODE_ERROR"} 3',
      'traces_span_metrics_duration_milliseconds_bucket{service_name="fastify",le="+Inf"} 7',
      'target_info 1',
      '# EOF',
    ].join('\n');
    const samples = parseExposition(text);
    assert.equal(samples.length, 4);
    assert.deepEqual(samples[0], {
      labels: {
        __name__: 'traces_span_metrics_calls_total',
        service_name: 'fastify',
        span_kind: 'SPAN_KIND_SERVER',
        span_name: 'GET /chain',
        status_code: 'STATUS_CODE_UNSET',
      },
      value: 42,
    });
    assert.equal(samples[1]?.labels.span_name, 'say "hi", twice');
    assert.equal(samples[2]?.labels.le, '+Inf');
    assert.deepEqual(samples[3], { labels: { __name__: 'target_info' }, value: 1 });
    assert.deepEqual(
      [...sumBy(samples, 'service_name')],
      [
        ['fastify', 49],
        ['nestjs', 3],
      ],
    );
  });
});

describe('Jaeger answers', () => {
  it('reads /api/services', () => {
    const body = {
      data: ['express', 'fastify', 'jaeger-query', 'nestjs'],
      total: 4,
      limit: 0,
      offset: 0,
      errors: null,
    };
    assert.deepEqual(parseServices(body), ['express', 'fastify', 'jaeger-query', 'nestjs']);
    assert.deepEqual(parseServices({ data: null, total: 0, limit: 0, offset: 0, errors: null }), []);
  });

  it('reports Jaeger errors', () => {
    const body = {
      data: null,
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ code: 500, msg: 'gocql: no hosts available' }],
    };
    assert.throws(() => parseServices(body), /Jaeger answered errors: gocql: no hosts available/);
  });

  it('reads /api/traces into the services each trace holds', () => {
    const span = (spanID: string, operationName: string, processID: string) => ({
      traceID: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanID,
      operationName,
      references: [],
      startTime: 1485467191639875,
      duration: 5,
      tags: [{ key: 'http.route', type: 'string', value: '/chain' }],
      logs: [],
      processID,
      warnings: null,
    });
    const body = {
      data: [
        {
          traceID: '4bf92f3577b34da6a3ce929d0e0e4736',
          spans: [
            span('01', 'GET /chain', 'p1'),
            span('02', 'GET /io_task', 'p2'),
            span('03', 'GET /cpu_task', 'p3'),
            span('04', 'GET', 'p1'),
          ],
          processes: {
            p1: { serviceName: 'fastify', tags: [] },
            p2: { serviceName: 'nestjs', tags: [] },
            p3: { serviceName: 'express', tags: [] },
          },
          warnings: null,
        },
      ],
      total: 0,
      limit: 0,
      offset: 0,
      errors: null,
    };
    assert.deepEqual(parseTraces(body), [
      {
        traceID: '4bf92f3577b34da6a3ce929d0e0e4736',
        services: ['express', 'fastify', 'nestjs'],
        spans: 4,
        endMs: 1485467191639.88, // the latest startTime + duration (µs) in ms
      },
    ]);
  });

  it('reads a Monitor tab metric family (jsonpb: NaN as a string, zero values kept, labels by name)', () => {
    const body = {
      name: 'service_operation_error_rate',
      type: 'GAUGE',
      help: 'error rate, computed as a fraction of errors/sec over calls/sec, grouped by service & operation',
      metrics: [
        {
          labels: [
            { name: 'operation', value: 'GET /error_test' },
            { name: 'service_name', value: 'fastify' },
          ],
          metricPoints: [
            { gaugeValue: { doubleValue: 1 }, timestamp: '2026-11-24T18:00:00Z' },
            { gaugeValue: { doubleValue: 'NaN' }, timestamp: '2026-11-24T18:00:15Z' },
            { gaugeValue: { doubleValue: 0 }, timestamp: '2026-11-24T18:00:30Z' },
          ],
        },
      ],
    };
    const [series, ...rest] = parseMetricFamily(body);
    assert.ok(series);
    assert.equal(rest.length, 0);
    assert.deepEqual(series.labels, { operation: 'GET /error_test', service_name: 'fastify' });
    assert.deepEqual(
      series.points.map((p) => p.value),
      [1, Number.NaN, 0],
    );
    assert.equal(series.points[0]?.timestampMs, Date.UTC(2026, 10, 24, 18, 0, 0));
  });

  it('reads an empty metric family (jsonpb leaves the empty list out)', () => {
    assert.deepEqual(
      parseMetricFamily({ name: 'service_call_rate', type: 'GAUGE', help: 'calls/sec, grouped by service' }),
      [],
    );
  });
});

describe('Tempo answers', () => {
  it('reads a TraceQL search answer', () => {
    const body = {
      traces: [
        {
          traceID: '2f3e0cee77ae5dc9c17ade3689eb2e54',
          rootServiceName: 'shop-backend',
          rootTraceName: 'update-billing',
          startTimeUnixNano: '1684778327699392724',
          durationMs: 557,
          spanSets: [
            {
              spans: [
                {
                  spanID: '563d623c76514f8e',
                  startTimeUnixNano: '1684778327735077898',
                  durationNanos: '446979497',
                  attributes: [{ key: 'status', value: { stringValue: 'error' } }],
                },
              ],
              matched: 1,
            },
          ],
          serviceStats: { 'shop-backend': { spanCount: 3, errorCount: 1 } },
        },
      ],
      metrics: { inspectedBytes: '3811736', totalBlocks: 13 },
    };
    assert.deepEqual(parseSearch(body), [
      {
        traceID: '2f3e0cee77ae5dc9c17ade3689eb2e54',
        rootServiceName: 'shop-backend',
        rootTraceName: 'update-billing',
        startMs: 1684778327699,
      },
    ]);
    const trimmed = { traces: [{ traceID: '1636feec1feaa6b3e10ed9fe7be65fc' }] };
    assert.equal(
      parseSearch(trimmed)[0]?.traceID,
      '01636feec1feaa6b3e10ed9fe7be65fc',
      'leading zero restored',
    );
    assert.deepEqual(parseSearch({ traces: [], metrics: { totalBlocks: 1 } }), []);
    assert.deepEqual(parseSearch({ metrics: {} }), []);
  });

  const resourceSpans = (service: string, spans: number) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeSpans: [
      {
        scope: { name: '@opentelemetry/instrumentation-http', version: '0.215.0' },
        spans: Array.from({ length: spans }, (_, i) => ({
          traceId: 'W47/95gDgQPSabYzgT/GDA==',
          spanId: `7uGbfsPBsX${String(i)}=`,
          name: 'GET /chain',
          startTimeUnixNano: '1544712660000000000',
          endTimeUnixNano: '1544712661000000000',
          kind: 2,
        })),
      },
    ],
  });

  it('reads a trace by id, v2 form', () => {
    const body = {
      trace: {
        resourceSpans: [resourceSpans('fastify', 4), resourceSpans('nestjs', 3), resourceSpans('express', 3)],
      },
      metrics: { inspectedBytes: '1234' },
    };
    assert.deepEqual(parseTrace(body), { services: ['express', 'fastify', 'nestjs'], spans: 10 });
  });

  it('reads a trace by id, v1 form (batches)', () => {
    assert.deepEqual(parseTrace({ batches: [resourceSpans('my.service', 1)] }), {
      services: ['my.service'],
      spans: 1,
    });
  });
});
