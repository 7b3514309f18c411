// The verdicts of the checks on partial data: what is missing is named, and the hint says where to look.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Sample } from '../../verify/apis/prometheus.ts';
import { judgeCollectorSpanMetrics, judgeQueues, judgeReceiver } from '../../verify/checks/collector.ts';
import { judgeFreshness, judgeMonitor, judgeServices } from '../../verify/checks/jaeger.ts';
import {
  exemplarTraceIds,
  expectedEdges,
  judgeServiceGraph,
  judgeTargets,
} from '../../verify/checks/prometheus.ts';
import { judgeChain } from '../../verify/checks/chain.ts';
import { type LabContext, outcomeOfError } from '../../verify/check.ts';
import { ProbeError } from '../../verify/http.ts';
import { labUrls } from '../../verify/lab.ts';

const compose = { lab: 'compose', logDir: undefined } as const;
const CHAIN = {
  fastify: ['nestjs', 'express'],
  nestjs: ['express', 'fastify'],
  express: ['fastify', 'nestjs'],
} as const;

describe('verify verdicts', () => {
  const native = { lab: 'native', logDir: '/tmp/logs', skipped: new Map() } as const;

  it('a backlog towards jaeger-collector names it and cassandra, with the commands that start them', () => {
    const queued: Sample[] = [
      { labels: { exporter: 'otlp_grpc/jaeger' }, value: 950 },
      { labels: { exporter: 'otlp_grpc/tempo' }, value: 0 },
    ];
    const outcome = judgeQueues(queued, native);
    assert.equal(outcome.ok, false);
    assert.match(outcome.figure, /^otlp_grpc\/jaeger 950 queued \(→ jaeger-collector\)/);
    assert.match(
      outcome.hint ?? '',
      /npm run native:start -- jaeger-collector.*npm run native:start -- cassandra/,
    );
    const tempoSkipped = { ...native, skipped: new Map([['tempo', 'absent']] as const) };
    const onlyTempo = judgeQueues([{ labels: { exporter: 'otlp_grpc/tempo' }, value: 5000 }], tempoSkipped);
    assert.equal(onlyTempo.ok, true, 'a skipped backend’s queue is reported, not judged');
    assert.equal(judgeQueues([{ labels: { exporter: 'otlp_grpc/tempo' }, value: 200 }], native).ok, true);
  });

  it('judges the newest trace only while spans arrive', () => {
    const ctx = { ...native, now: () => 100_000 };
    assert.equal(judgeFreshness(95_000, 12, ctx).ok, true);
    const stale = judgeFreshness(70_000, 12, ctx);
    assert.equal(stale.ok, false);
    assert.equal(
      stale.figure,
      'newest trace 30s old, 12 spans/s arriving at the collector: no new trace for over 20s',
    );
    assert.match(stale.hint ?? '', /jaeger-collector.*cassandra/);
    assert.equal(judgeFreshness(undefined, 12, ctx).ok, false);
    const idle = judgeFreshness(undefined, 0, ctx);
    assert.equal(idle.ok, true);
    assert.match(idle.figure, /no load: not judged/);
  });

  it('an error answer of jaeger-query points at the store behind the URL: Cassandra, or Prometheus for the Monitor tab', () => {
    const ctx: LabContext = {
      urls: labUrls(),
      chain: { fastify: [], nestjs: [], express: [] }, // not read by outcomeOfError
      skipped: new Map(),
      lab: 'compose',
      logDir: undefined,
      lookbackMs: 60_000,
      now: () => 0,
    };
    const answer = (path: string) =>
      outcomeOfError(new ProbeError('status', `${ctx.urls.jaegerQuery}${path}`, 'HTTP 500', 500), ctx).hint ??
      '';
    assert.match(answer('/api/services'), /is cassandra up\? docker compose start cassandra/);
    assert.match(
      answer('/api/metrics/calls?service=fastify'),
      /is prometheus up\? docker compose start prometheus/,
    );
  });

  it('names every scrape target that is down by its compose service', () => {
    const up = (instance: string, value: number): Sample => ({ labels: { instance }, value });
    const outcome = judgeTargets(
      [
        up('tempo:3200', 0),
        up('otel-collector:8888', 0),
        up('otel-collector:8889', 1),
        up('localhost:9090', 1),
      ],
      { lab: 'compose', logDir: undefined, skipped: new Map() },
    );
    assert.equal(outcome.ok, false);
    assert.equal(outcome.figure, 'otel-collector DOWN · tempo DOWN');
    assert.match(outcome.hint ?? '', /docker compose start otel-collector, docker compose start tempo/);
    const skipped = judgeTargets([up('tempo:3200', 0), up('otel-collector:8888', 1)], {
      ...native,
      skipped: new Map([['tempo', 'absent']] as const),
    });
    assert.deepEqual(skipped, { ok: true, figure: 'otel-collector up' });
  });

  it('names the services whose spans never reached the collector', () => {
    const samples: Sample[] = [
      {
        labels: {
          __name__: 'traces_span_metrics_calls_total',
          service_name: 'fastify',
          span_kind: 'SPAN_KIND_SERVER',
        },
        value: 5,
      },
      {
        labels: {
          __name__: 'traces_span_metrics_calls_total',
          service_name: 'nestjs',
          span_kind: 'SPAN_KIND_CLIENT',
        },
        value: 5,
      },
    ];
    const outcome = judgeCollectorSpanMetrics(samples, compose);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.figure, 'server calls: fastify 5 · nestjs none · express none');
    assert.match(
      outcome.hint ?? '',
      /no spans of nestjs and express reached the collector.*docker compose logs nestjs express/,
    );
  });

  it('tells an unscraped collector from an idle one', () => {
    assert.match(
      judgeReceiver([], [], [], [], compose).hint ?? '',
      /does not scrape the collector's own metrics \(job otel-collector/,
    );
    const down = judgeReceiver(
      [{ labels: { job: 'otel-collector' }, value: 0 }],
      [{ labels: { receiver: 'otlp' }, value: 9 }],
      [],
      [],
      compose,
    );
    assert.equal(down.ok, false, 'stale counters of a collector that is down do not pass');
    assert.match(down.figure, /up\{job="otel-collector"\} is 0/);
    const idle = judgeReceiver(
      [{ labels: {}, value: 1 }],
      [{ labels: { receiver: 'otlp' }, value: 0 }],
      [],
      [],
      compose,
    );
    assert.equal(idle.ok, false);
    assert.match(idle.hint ?? '', /no span arrived/);
  });

  it('needs the three services in Jaeger', () => {
    const outcome = judgeServices(['fastify', 'jaeger-query'], compose);
    assert.equal(outcome.figure, 'fastify (+ jaeger-query); missing nestjs and express');
    assert.match(outcome.hint ?? '', /docker compose logs jaeger-collector cassandra/);
  });

  it('needs a finite latency for every service (NaN windows have no calls)', () => {
    const series = (service: string, values: number[]) => ({
      labels: { service_name: service },
      points: values.map((value, i) => ({ timestampMs: i, value })),
    });
    const outcome = judgeMonitor(
      'latencies',
      [series('fastify', [12, Number.NaN]), series('nestjs', [Number.NaN])],
      compose,
    );
    assert.equal(outcome.ok, false);
    assert.equal(outcome.figure, 'p95 fastify 12 ms · nestjs none · express none');
  });

  it('needs a non-zero call rate, and an error rate for /error_test', () => {
    const series = (labels: Record<string, string>, value: number) => ({
      labels,
      points: [{ timestampMs: 0, value }],
    });
    const calls = judgeMonitor(
      'calls',
      ['fastify', 'nestjs', 'express'].map((s) => series({ service_name: s }, s === 'express' ? 0 : 3)),
      compose,
    );
    assert.equal(calls.ok, false);
    assert.equal(calls.figure, 'fastify 3/s · nestjs 3/s · express 0/s');
    const errors = judgeMonitor(
      'errors',
      ['fastify', 'nestjs', 'express'].map((s) =>
        series({ service_name: s, operation: s === 'nestjs' ? 'GET /' : 'GET /error_test' }, 1),
      ),
      compose,
    );
    assert.equal(errors.ok, false);
    assert.equal(errors.figure, 'GET /error_test error rate: fastify 100% · nestjs none · express 100%');
  });

  it('expects one service-graph edge per /chain call and names the missing ones', () => {
    assert.equal(expectedEdges(CHAIN).length, 6);
    const samples = expectedEdges(CHAIN)
      .filter(([client]) => client !== 'express')
      .map(([client, server]) => ({ labels: { client, server }, value: 3 }));
    const outcome = judgeServiceGraph(samples, CHAIN, compose);
    assert.equal(outcome.ok, false);
    assert.match(outcome.figure, /^4\/6 \/chain edges: .*; missing express→fastify, express→nestjs$/);
    assert.match(outcome.hint ?? '', /check trace propagation of express/);
  });

  it('says per root service what the /chain traces lacked', () => {
    const outcome = judgeChain(
      [
        { root: 'fastify', found: 3, complete: { traceID: '0af7651916cd43dd8448eb211c80319c', spans: 11 } },
        { root: 'nestjs', found: 0 },
        { root: 'express', found: 2, newestServices: ['express', 'fastify'] },
      ],
      'Tempo',
      'hint',
    );
    assert.equal(outcome.ok, false);
    assert.equal(
      outcome.figure,
      'Tempo: no /chain trace rooted at nestjs; 2 /chain traces rooted at express, none holding all three (newest has express and fastify)',
    );
  });

  it('looks up the newest settled exemplars first, each trace once', () => {
    const now = 1_000_000;
    const exemplar = (traceId: string, ageMs: number) => ({
      series: {},
      labels: { trace_id: traceId },
      value: 1,
      timestampMs: now - ageMs,
    });
    const ids = exemplarTraceIds(
      [
        exemplar('young', 1000),
        exemplar('a', 20_000),
        exemplar('b', 30_000),
        exemplar('a', 40_000),
        exemplar('c', 50_000),
      ],
      now,
      2,
    );
    assert.deepEqual(ids, ['a', 'b']);
    assert.deepEqual(exemplarTraceIds([exemplar('young', 1000)], now), ['young']);
  });
});
