// Static checks of otel-collector/config.yaml against the lab's contracts, plus the collector's own
// `validate` command when the native lab has built the collector.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';

import { COMPOSE_FILE, loadCompose, readDotEnv, REPO_ROOT } from '../../verify/compose.ts';
import { nativeBinary, skipUnlessBuilt } from './native-binaries.ts';
import { EXPORTER_TARGETS } from '../../verify/checks/collector.ts';
import { collectorBuildIsCurrent } from '../../native/build.ts';

interface Pipeline {
  receivers: string[];
  processors?: string[];
  exporters: string[];
}
type Components = Record<string, Record<string, unknown> | null>;
interface CollectorConfig {
  extensions: Components;
  receivers: Components;
  processors: Components;
  connectors: Components;
  exporters: Components;
  service: {
    extensions: string[];
    pipelines: Record<string, Pipeline>;
    telemetry: {
      metrics: { readers: { pull: { exporter: { prometheus: { host: string; port: number } } } }[] };
    };
  };
}

const CONFIG_FILE = join(REPO_ROOT, 'otel-collector', 'config.yaml');
const config = parse(readFileSync(CONFIG_FILE, 'utf8')) as CollectorConfig;
const lab = loadCompose(COMPOSE_FILE, {}, { strict: true });
const compose = lab.doc;
const env = readDotEnv();

/**
 * Component types of collector-contrib 0.159.0 that the config may use (checked against each component's
 * metadata.yaml at v0.159.0). The deprecated aliases (`otlp` exporter, `spanmetrics`, `servicegraph`) still
 * load there but log warnings, so they are refused here.
 */
const KNOWN_TYPES: Record<string, string[]> = {
  extensions: ['health_check', 'file_storage'],
  receivers: ['otlp'],
  processors: ['memory_limiter', 'batch', 'resource'],
  connectors: ['span_metrics', 'service_graph'],
  exporters: ['otlp_grpc', 'prometheus'],
};

function typeOf(id: string): string {
  return id.split('/')[0] ?? id;
}

function component(kind: keyof typeof KNOWN_TYPES, id: string): Record<string, unknown> {
  const section = config[kind as 'receivers'];
  const value = section[id];
  assert.ok(value !== undefined, `${kind}.${id} is not defined`);
  return value ?? {};
}

function at(node: unknown, ...path: string[]): unknown {
  let current = node;
  for (const key of path) {
    current = (current as Record<string, unknown> | undefined)?.[key];
  }
  return current;
}

/** Milliseconds of a Go duration like `1100ms`, `2s`, `500us`. */
function millis(duration: string): number {
  const match = /^(\d+(?:\.\d+)?)(us|ms|s|m)$/.exec(duration);
  assert.ok(match?.[1] !== undefined && match[2] !== undefined, `"${duration}" is not a duration`);
  const scale: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
  return Number(match[1]) * (scale[match[2]] ?? Number.NaN);
}

describe('otel-collector/config.yaml', () => {
  test('uses only component types that exist at collector-contrib 0.159.0, under their current names', () => {
    for (const [kind, types] of Object.entries(KNOWN_TYPES)) {
      for (const id of Object.keys(config[kind as 'receivers'])) {
        assert.ok(
          types.includes(typeOf(id)),
          `${kind}.${id}: type ${typeOf(id)} is not one of ${types.join(', ')}`,
        );
      }
    }
  });

  test('memory_limiter comes first in every pipeline, batch last in the traces pipelines', () => {
    for (const [name, pipeline] of Object.entries(config.service.pipelines)) {
      assert.equal(pipeline.processors?.[0], 'memory_limiter', `pipeline ${name}`);
    }
    assert.deepEqual(config.service.pipelines.traces?.processors, ['memory_limiter', 'batch']);
    assert.deepEqual(config.service.pipelines['traces/jaeger']?.processors, [
      'memory_limiter',
      'resource/jaeger',
      'batch',
    ]);
    const limiter = component('processors', 'memory_limiter');
    const containerLimit = compose.services['otel-collector']?.deploy?.resources?.limits?.memory;
    assert.equal(containerLimit, '256M');
    assert.ok(Number(limiter.limit_mib) < 256, 'memory_limiter must refuse data below the container limit');
  });

  test('traces go to Tempo and Jaeger over OTLP gRPC, queued and retried to ride out a 30 s outage', () => {
    const targets: Record<string, [pipeline: string, endpoint: string]> = {
      'otlp_grpc/tempo': ['traces', 'tempo:4317'],
      'otlp_grpc/jaeger': ['traces/jaeger', 'jaeger-collector:4317'],
    };
    for (const [id, [pipelineName, endpoint]] of Object.entries(targets)) {
      const pipeline = config.service.pipelines[pipelineName];
      assert.deepEqual(pipeline?.receivers, ['otlp'], `${pipelineName} receives the services' OTLP`);
      assert.ok(pipeline.exporters.includes(id), `${pipelineName} pipeline lacks ${id}`);
      const exporter = component('exporters', id);
      assert.equal(exporter.endpoint, endpoint);
      assert.equal(
        compose.services[endpoint.split(':')[0] ?? ''] !== undefined,
        true,
        `${endpoint} is a compose service`,
      );
      assert.equal(at(exporter, 'sending_queue', 'sizer'), 'items');
      // 30 s at 1,000 spans/s, far above the lab's default load of ~10-20 spans/s.
      assert.ok(Number(at(exporter, 'sending_queue', 'queue_size')) >= 30_000, `${id}: queue too small`);
      assert.notEqual(at(exporter, 'retry_on_failure', 'enabled'), false, `${id}: retries disabled`);
      assert.ok(
        millis(String(at(exporter, 'retry_on_failure', 'max_interval'))) <= 5000,
        `${id}: max_interval`,
      );
      assert.ok(
        millis(String(at(exporter, 'retry_on_failure', 'max_elapsed_time'))) >= 60_000,
        `${id}: gives up early`,
      );
    }
  });

  test('Jaeger gets service.name also as the process tag service_name (Grafana builds $__tags from tags)', () => {
    const resource = component('processors', 'resource/jaeger');
    assert.deepEqual(resource.attributes, [
      { key: 'service_name', from_attribute: 'service.name', action: 'insert' },
    ]);
    const users = Object.entries(config.service.pipelines).filter(([, p]) =>
      p.processors?.includes('resource/jaeger'),
    );
    assert.deepEqual(
      users.map(([name, p]) => [name, p.exporters]),
      [['traces/jaeger', ['otlp_grpc/jaeger']]],
      'only the copy of the spans that Jaeger stores carries it',
    );
  });

  test('span metrics: Jaeger-compatible names, buckets resolving 0-5 s, exemplars, HTTP dimensions', () => {
    const spanMetrics = component('connectors', 'span_metrics');
    assert.equal(spanMetrics.namespace, 'traces.span.metrics');
    assert.equal(at(spanMetrics, 'histogram', 'unit'), 'ms');
    assert.equal(at(spanMetrics, 'exemplars', 'enabled'), true);
    const dimensions = (spanMetrics.dimensions as { name: string }[]).map((dimension) => dimension.name);
    assert.deepEqual(dimensions, ['http.request.method', 'http.response.status_code']);
    const buckets = (at(spanMetrics, 'histogram', 'explicit', 'buckets') as string[]).map(millis);
    assert.deepEqual(
      buckets,
      [...buckets].sort((a, b) => a - b),
      'buckets must ascend',
    );
    assert.ok(buckets.includes(5000), 'a bucket edge at 5 s (/random_sleep max)');
    assert.ok(buckets.filter((edge) => edge <= 5000).length >= 15, 'at least 15 buckets within 0-5 s');
    const gaps = buckets.slice(1).map((edge, index) => edge - (buckets[index] ?? 0));
    assert.ok(
      gaps.filter((_, index) => (buckets[index + 1] ?? 0) <= 5000).every((gap) => gap <= 500),
      'no gap wider than 500 ms below 5 s',
    );
    assert.ok(config.service.pipelines.traces?.exporters.includes('span_metrics'));
  });

  test('connectors flush every SPANMETRICS_FLUSH_INTERVAL, with the same default as .env and compose', () => {
    const defaultFlush = env['SPANMETRICS_FLUSH_INTERVAL'];
    assert.ok(defaultFlush !== undefined && millis(defaultFlush) <= 15_000);
    for (const id of ['span_metrics', 'service_graph']) {
      assert.equal(
        component('connectors', id).metrics_flush_interval,
        `\${env:SPANMETRICS_FLUSH_INTERVAL:-${defaultFlush}}`,
      );
    }
    const collectorEnv = lab.services['otel-collector']?.environment ?? {};
    assert.equal(collectorEnv['SPANMETRICS_FLUSH_INTERVAL'], defaultFlush);
  });

  test('span metrics and service graph reach the Prometheus exporter on 8889, OpenMetrics, published', () => {
    const metrics = Object.values(config.service.pipelines).find((pipeline) =>
      pipeline.exporters.includes('prometheus'),
    );
    assert.ok(metrics, 'no pipeline exports to prometheus');
    assert.deepEqual([...metrics.receivers].sort(), ['service_graph', 'span_metrics']);
    const exporter = component('exporters', 'prometheus');
    assert.equal(exporter.endpoint, '0.0.0.0:8889');
    assert.equal(exporter.enable_open_metrics, true);
    assert.equal(exporter.translation_strategy, 'UnderscoreEscapingWithSuffixes');
    assert.deepEqual(
      lab.services['otel-collector']?.ports.map((port) => port.target),
      [8889],
    );
  });

  test('receivers, health check and own telemetry listen on all interfaces, on the ports compose and Prometheus use', () => {
    const otlp = component('receivers', 'otlp');
    assert.equal(at(otlp, 'protocols', 'grpc', 'endpoint'), '0.0.0.0:4317');
    assert.equal(at(otlp, 'protocols', 'http', 'endpoint'), '0.0.0.0:4318');
    assert.equal(component('extensions', 'health_check').endpoint, '0.0.0.0:13133');
    assert.deepEqual(config.service.extensions, ['health_check', 'file_storage/queue']);
    const healthcheck = (compose.services['otel-collector']?.healthcheck?.test ?? []) as string[];
    assert.ok(
      healthcheck.includes('http://127.0.0.1:13133/'),
      'compose healthcheck probes the health_check port',
    );
    const reader = config.service.telemetry.metrics.readers[0]?.pull.exporter.prometheus;
    assert.deepEqual(reader, { host: '0.0.0.0', port: 8888 });
  });

  test('both trace exporters keep their sending queue on disk, in the folder compose mounts a named volume on', () => {
    const directory = '/var/lib/otelcol/file_storage';
    assert.equal(component('extensions', 'file_storage/queue').directory, directory);
    for (const id of ['otlp_grpc/tempo', 'otlp_grpc/jaeger']) {
      assert.equal(at(component('exporters', id), 'sending_queue', 'storage'), 'file_storage/queue', id);
    }
    const volumes = (compose.services['otel-collector']?.volumes ?? []) as string[];
    assert.ok(
      volumes.includes(`otel-collector-queue:${directory}`),
      `otel-collector mounts the named volume otel-collector-queue at ${directory}: ${volumes.join(', ')}`,
    );
    assert.ok(
      Object.hasOwn(compose.volumes ?? {}, 'otel-collector-queue'),
      'volume otel-collector-queue is declared',
    );
    const dockerfile = readFileSync(join(REPO_ROOT, 'otel-collector', 'Dockerfile'), 'utf8');
    assert.match(
      dockerfile,
      new RegExp(`COPY --from=\\S+ --chown=10001:10001 \\S+ ${directory}\\n`),
      "the image's user (10001) owns the folder, so the new volume is writable",
    );
  });

  test("verify's exporter -> backend names match the exporters' endpoints", () => {
    const traceExporters = Object.keys(config.exporters).filter((id) => typeOf(id) === 'otlp_grpc');
    assert.deepEqual(Object.keys(EXPORTER_TARGETS).sort(), traceExporters.sort());
    for (const [id, service] of Object.entries(EXPORTER_TARGETS)) {
      assert.equal(String(component('exporters', id).endpoint).split(':')[0], service, id);
    }
  });

  const binary = nativeBinary('collector', 'OTELCOL_VERSION', 'otelcol-lab');
  test(
    'the collector built at OTELCOL_VERSION validates the file',
    collectorBuildIsCurrent()
      ? skipUnlessBuilt(binary, 'the collector')
      : { skip: 'the cached collector was built for other components (npm run native:build rebuilds it)' },
    () => {
      const result = spawnSync(binary ?? '', ['validate', `--config=${CONFIG_FILE}`], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
    },
  );
});
