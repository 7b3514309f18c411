// Static checks of the Jaeger, Tempo and Prometheus configs against docker-compose.yaml and the collector
// config, plus each component's own validator (`jaeger validate`, `promtool check config`) when the native lab
// has built it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';

import { COMPOSE_FILE, loadCompose, REPO_ROOT } from '../../verify/compose.ts';
import { parseDuration } from '../../verify/duration.ts';
import { nativeBinary, skipUnlessBuilt } from './native-binaries.ts';

function readYaml(...path: string[]): Record<string, unknown> {
  return parse(readFileSync(join(REPO_ROOT, ...path), 'utf8')) as Record<string, unknown>;
}

function at(node: unknown, ...path: string[]): unknown {
  let current = node;
  for (const key of path) {
    current = (current as Record<string, unknown> | undefined)?.[key];
  }
  return current;
}

const lab = loadCompose(COMPOSE_FILE, {}, { strict: true });
const compose = lab.doc;
const collector = readYaml('otel-collector', 'config.yaml');
const jaegerCollector = readYaml('jaeger', 'collector.yaml');
const jaegerQuery = readYaml('jaeger', 'query.yaml');
const tempo = readYaml('tempo', 'tempo.yaml');
const prometheus = readYaml('prometheus', 'prometheus.yml');

interface CassandraBackend {
  schema: { keyspace: string; datacenter: string; create?: boolean };
  connection: { servers: string[]; local_dc?: string };
}

function cassandraOf(config: Record<string, unknown>): CassandraBackend {
  const backends = at(config, 'extensions', 'jaeger_storage', 'backends') as Record<
    string,
    { cassandra?: CassandraBackend }
  >;
  const found = Object.values(backends).map((backend) => backend.cassandra);
  assert.equal(found.length, 1, 'exactly one trace backend');
  assert.ok(found[0], 'the trace backend is Cassandra');
  return found[0];
}

describe('jaeger/collector.yaml and jaeger/query.yaml', () => {
  const cassandraEnv = lab.services.cassandra?.environment ?? {};

  test('both use keyspace `jaeger` in the Cassandra node datacenter; only the collector creates the schema', () => {
    const writer = cassandraOf(jaegerCollector);
    const reader = cassandraOf(jaegerQuery);
    for (const backend of [writer, reader]) {
      assert.equal(backend.schema.keyspace, 'jaeger');
      assert.equal(backend.schema.datacenter, cassandraEnv['CASSANDRA_DC']);
      assert.equal(backend.connection.local_dc, cassandraEnv['CASSANDRA_DC']);
      assert.deepEqual(backend.connection.servers, ['cassandra:9042']);
    }
    assert.equal(writer.schema.create, true);
    assert.notEqual(reader.schema.create, true);
  });

  test('the collector role receives OTLP gRPC on 0.0.0.0:4317, where the OpenTelemetry Collector sends', () => {
    assert.equal(at(jaegerCollector, 'receivers', 'otlp', 'protocols', 'grpc', 'endpoint'), '0.0.0.0:4317');
    assert.equal(at(collector, 'exporters', 'otlp_grpc/jaeger', 'endpoint'), 'jaeger-collector:4317');
    assert.deepEqual(at(jaegerCollector, 'service', 'pipelines', 'traces', 'exporters'), [
      'jaeger_storage_exporter',
    ]);
  });

  test("the query role reads span metrics from Prometheus under the collector's names", () => {
    const metricBackends = at(jaegerQuery, 'extensions', 'jaeger_storage', 'metric_backends') as Record<
      string,
      { prometheus: Record<string, unknown> }
    >;
    const metricsName = at(jaegerQuery, 'extensions', 'jaeger_query', 'storage', 'metrics') as string;
    const promBackend = metricBackends[metricsName]?.prometheus;
    assert.ok(promBackend, 'jaeger_query.storage.metrics names a prometheus metric backend');
    assert.equal(promBackend.endpoint, 'http://prometheus:9090');
    assert.equal(promBackend.normalize_calls, true);
    assert.equal(promBackend.normalize_duration, true);
    const namespace = at(collector, 'connectors', 'span_metrics', 'namespace') as string;
    assert.equal(promBackend.metric_namespace, namespace.replaceAll('.', '_'));
    assert.equal(promBackend.latency_unit, at(collector, 'connectors', 'span_metrics', 'histogram', 'unit'));
    assert.equal(at(jaegerQuery, 'extensions', 'jaeger_query', 'http', 'endpoint'), '0.0.0.0:16686');
  });

  test('both roles serve health on 13133 (probed by compose) and metrics on 8888 (scraped by Prometheus)', () => {
    for (const [service, config] of [
      ['jaeger-collector', jaegerCollector],
      ['jaeger-query', jaegerQuery],
    ] as const) {
      assert.equal(at(config, 'extensions', 'healthcheckv2', 'http', 'endpoint'), '0.0.0.0:13133');
      assert.ok((at(config, 'service', 'extensions') as string[]).includes('healthcheckv2'));
      const readers = at(config, 'service', 'telemetry', 'metrics', 'readers') as unknown[];
      assert.deepEqual(at(readers[0], 'pull', 'exporter', 'prometheus'), { host: '0.0.0.0', port: 8888 });
      const healthcheck = (compose.services[service]?.healthcheck?.test ?? []) as string[];
      assert.ok(healthcheck.includes('http://127.0.0.1:13133/status'), `${service} healthcheck`);
    }
  });

  const jaeger = nativeBinary('jaeger', 'JAEGER_VERSION', 'jaeger');
  for (const file of ['collector.yaml', 'query.yaml']) {
    test(`jaeger validate accepts jaeger/${file}`, skipUnlessBuilt(jaeger, 'Jaeger'), () => {
      const result = spawnSync(jaeger ?? '', ['validate', `--config=${join(REPO_ROOT, 'jaeger', file)}`], {
        encoding: 'utf8',
      });
      assert.equal(result.status, 0, result.stderr);
    });
  }
});

describe('tempo/tempo.yaml', () => {
  test('monolithic, local storage under the mounted volume, OTLP gRPC on 0.0.0.0:4317, HTTP on 3200', () => {
    assert.equal(tempo.target, 'all');
    assert.equal(at(tempo, 'server', 'http_listen_port'), 3200);
    assert.equal(
      at(tempo, 'distributor', 'receivers', 'otlp', 'protocols', 'grpc', 'endpoint'),
      '0.0.0.0:4317',
    );
    assert.equal(at(collector, 'exporters', 'otlp_grpc/tempo', 'endpoint'), 'tempo:4317');
    assert.equal(at(tempo, 'storage', 'trace', 'backend'), 'local');
    const volumes = (compose.services.tempo?.volumes ?? []) as string[];
    const dataVolume = volumes.find((volume) => volume.startsWith('tempo-data:'));
    assert.equal(dataVolume, 'tempo-data:/var/tempo');
    for (const path of [
      at(tempo, 'storage', 'trace', 'wal', 'path'),
      at(tempo, 'storage', 'trace', 'local', 'path'),
    ]) {
      assert.match(String(path), /^\/var\/tempo\//);
    }
  });

  test('makes a trace searchable within seconds, inside the limits Tempo 3 validates', () => {
    const ms = (...path: string[]): number => parseDuration(String(at(tempo, ...path)));
    const cutoff = ms('query_frontend', 'query_end_cutoff');
    const idle = ms('live_store', 'max_trace_idle');
    const sweep = ms('live_store', 'flush_check_period');
    // modules/frontend/frontend.go: the cutoff must not exceed query_backend_after (15m unless set); the docs:
    // live_store.fail_on_high_lag (default true) needs a non-zero cutoff.
    assert.ok(cutoff > 0 && cutoff < 15 * 60_000, `query_end_cutoff ${String(cutoff)} ms`);
    // modules/livestore/config.go: max_trace_idle must not exceed max_trace_live (30s unless set).
    assert.ok(idle > 0 && idle <= 30_000, `max_trace_idle ${String(idle)} ms`);
    // Searchable after idle + one sweep, then visible once older than the cutoff: with the SDK's 1 s export,
    // that must leave room for the 5 s target.
    assert.ok(
      1000 + idle + sweep + cutoff <= 4000,
      `search delay budget ${String(idle + sweep + cutoff)} ms`,
    );
  });

  test('has no Tempo 2.x blocks that 3.x removed (ingester, compactor, local-blocks) and no Kafka ingest', () => {
    for (const removed of [
      'ingester',
      'ingester_client',
      'compactor',
      'metrics_generator_client',
      'ingest',
    ]) {
      assert.equal(removed in tempo, false, `${removed} is not a Tempo 3 monolithic setting`);
    }
    assert.doesNotMatch(
      readFileSync(join(REPO_ROOT, 'tempo', 'tempo.yaml'), 'utf8'),
      /^\s*-\s*local-blocks/m,
    );
    assert.match(compose.services.tempo?.image ?? '', /^grafana\/tempo:3\./);
  });
});

describe('prometheus/prometheus.yml', () => {
  interface ScrapeConfig {
    job_name: string;
    scrape_interval?: string;
    scrape_protocols?: string[];
    static_configs: { targets: string[] }[];
  }
  const jobs = prometheus.scrape_configs as ScrapeConfig[];
  const targets = jobs.flatMap((job) => job.static_configs.flatMap((config) => config.targets));

  test('scrapes span metrics every 1 s in OpenMetrics (exemplars), and every component', () => {
    const spanMetrics = jobs.find((job) =>
      job.static_configs.some((config) => config.targets.includes('otel-collector:8889')),
    );
    assert.ok(spanMetrics, 'a job scrapes otel-collector:8889');
    assert.equal(spanMetrics.scrape_interval, '1s');
    assert.equal(spanMetrics.scrape_protocols?.[0], 'OpenMetricsText1.0.0');
    for (const target of [
      'otel-collector:8888',
      'tempo:3200',
      'jaeger-collector:8888',
      'jaeger-query:8888',
      'localhost:9090',
    ]) {
      assert.ok(targets.includes(target), `no job scrapes ${target}`);
    }
  });

  test('every target is a compose service (or Prometheus itself)', () => {
    for (const target of targets) {
      const host = target.split(':')[0] ?? '';
      assert.ok(host === 'localhost' || host in compose.services, `${target} is not a compose service`);
    }
  });

  const promtool = nativeBinary('prometheus', 'PROMETHEUS_VERSION', 'promtool');
  test('promtool check config accepts it', skipUnlessBuilt(promtool, 'promtool'), () => {
    const result = spawnSync(
      promtool ?? '',
      ['check', 'config', join(REPO_ROOT, 'prometheus', 'prometheus.yml')],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });
});
