// Grafana's provisioning files: they parse, provision the three datasources with their fixed UIDs, link them
// only to UIDs that exist, escape every `$` from Grafana's environment expansion, and load the dashboards.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';

import { parse } from 'yaml';

import { DATASOURCES } from '../../grafana/src/names.ts';
import { KNOWN_METRICS, traceToMetricsOptions } from '../../grafana/src/queries.ts';
import { REPO_ROOT } from '../../grafana/src/render.ts';
import { promqlErrors, promqlMetricNames } from '../../grafana/src/syntax.ts';
import { metricsLinks, type TraceKeyValue, type TraceSpan } from '../../grafana/src/trace-to-metrics.ts';
import { COMPOSE_FILE, loadCompose } from '../../verify/compose.ts';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

const DATASOURCES_FILE = 'grafana/provisioning/datasources/datasources.yaml';
const DASHBOARDS_FILE = 'grafana/provisioning/dashboards/dashboards.yaml';
const datasourcesText = await readFile(`${REPO_ROOT}${DATASOURCES_FILE}`, 'utf8');
const datasourcesYaml: unknown = parse(datasourcesText);
const datasources = isRecord(datasourcesYaml) ? records(datasourcesYaml.datasources) : [];
const byUid = new Map(datasources.map((ds) => [String(ds.uid), ds]));

function jsonData(uid: string): Json {
  const ds = byUid.get(uid);
  assert.ok(ds && isRecord(ds.jsonData), `${uid} has jsonData`);
  return ds.jsonData;
}

/** Every `datasourceUid` value anywhere under a value, with its path. */
function datasourceUids(value: unknown, path: string): { path: string; uid: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => datasourceUids(item, `${path}[${String(i)}]`));
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === 'datasourceUid'
      ? [{ path: `${path}.${key}`, uid: child }]
      : datasourceUids(child, `${path}.${key}`),
  );
}

describe(DATASOURCES_FILE, () => {
  it('provisions Prometheus (default), Tempo, Jaeger and Alertmanager with fixed UIDs and compose host names', () => {
    assert.ok(isRecord(datasourcesYaml));
    assert.equal(datasourcesYaml.apiVersion, 1);
    assert.deepEqual(
      datasources.map((ds) => ({ uid: ds.uid, type: ds.type, url: ds.url, access: ds.access })),
      [
        { uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090', access: 'proxy' },
        { uid: 'tempo', type: 'tempo', url: 'http://tempo:3200', access: 'proxy' },
        { uid: 'jaeger', type: 'jaeger', url: 'http://jaeger-query:16686', access: 'proxy' },
        { uid: 'alertmanager', type: 'alertmanager', url: 'http://alertmanager:9093', access: 'proxy' },
      ],
    );
    assert.deepEqual(
      datasources.filter((ds) => ds.isDefault === true).map((ds) => ds.uid),
      ['prometheus'],
    );
    for (const ds of Object.values(DATASOURCES)) assert.equal(byUid.get(ds.uid)?.type, ds.type, ds.uid);
  });

  it('links only to provisioned UIDs', () => {
    const links = datasources.flatMap((ds) => datasourceUids(ds.jsonData, `${String(ds.uid)}.jsonData`));
    assert.ok(links.length >= 4);
    for (const { path, uid } of links)
      assert.ok(byUid.has(String(uid)), `${path}: ${String(uid)} is not provisioned`);
  });

  it('Prometheus exemplars open their trace in Tempo', () => {
    assert.deepEqual(
      records(jsonData('prometheus').exemplarTraceIdDestinations).map((d) => ({
        name: d.name,
        uid: d.datasourceUid,
      })),
      [{ name: 'trace_id', uid: 'tempo' }],
    );
  });

  it('Tempo has the service map from Prometheus, the node graph and search', () => {
    const tempo = jsonData('tempo');
    assert.deepEqual(tempo.serviceMap, { datasourceUid: 'prometheus' });
    assert.deepEqual(tempo.nodeGraph, { enabled: true });
    assert.deepEqual(tempo.search, { hide: false });
  });

  it('Tempo and Jaeger link each span to its service’s rate, errors and latency, as Grafana builds $__tags', async () => {
    const options = await traceToMetricsOptions();
    assert.deepEqual([...options.keys()].sort(), ['jaeger', 'tempo']);
    // The resource attributes every service sends (OTEL_SERVICE_NAME and the host/process detectors), and what
    // each backend hands Grafana: Tempo all of them; Jaeger all but service.name (its process's serviceName),
    // plus what the collector's Jaeger pipeline inserts (resource/jaeger).
    const resource = [
      { key: 'service.name', value: 'fastify' },
      { key: 'host.name', value: 'lab-host' },
      { key: 'process.pid', value: 42 },
    ];
    const collector = parse(await readFile(`${REPO_ROOT}otel-collector/config.yaml`, 'utf8')) as {
      processors: Record<string, { attributes?: { key: string; from_attribute?: string; action: string }[] }>;
    };
    const jaegerInserts = (collector.processors['resource/jaeger']?.attributes ?? []).map((a) => ({
      key: a.key,
      value: resource.find((r) => r.key === a.from_attribute)?.value,
    }));
    const processTags: Record<string, TraceKeyValue[]> = {
      tempo: resource,
      jaeger: [...resource.filter((t) => t.key !== 'service.name'), ...jaegerInserts],
    };
    for (const [uid, links] of options) {
      assert.equal(links.datasourceUid, 'prometheus', uid);
      const names = links.queries.map((q) => q.name ?? '');
      assert.ok(names.some((n) => /rate/i.test(n)) && names.some((n) => /error/i.test(n)));
      assert.ok(
        names.some((n) => /latency/i.test(n)),
        `${uid}: ${names.join(', ')}`,
      );
      const span: TraceSpan = {
        spanID: '1',
        traceID: '2',
        operationName: 'GET /chain',
        startTime: 1_700_000_000_000_000,
        duration: 1000,
        process: { serviceName: 'fastify', tags: processTags[uid] ?? [] },
        tags: [{ key: 'span.kind', value: 'server' }],
      };
      for (const link of metricsLinks(span, links)) {
        assert.equal(link.tags, 'service_name="fastify"', `${uid} ${link.name}: $__tags`);
        assert.match(
          link.expr,
          /\{service_name="fastify"[,}]/,
          `${uid} ${link.name}: filtered by the span's service`,
        );
        const expr = link.expr.replaceAll('$__rate_interval', '1m');
        assert.doesNotMatch(expr, /\$/, `${uid} ${link.name}: an unknown variable is left in ${expr}`);
        assert.deepEqual(promqlErrors(expr), [], `${uid} ${link.name}: ${expr}`);
        for (const metric of promqlMetricNames(expr))
          assert.ok(KNOWN_METRICS.includes(metric), `${link.name}: ${metric}`);
      }
    }
    assert.deepEqual(options.get('jaeger')?.queries, options.get('tempo')?.queries, 'the same queries');
  });

  it('a Jaeger span without the collector’s copy of service.name gives the broken query Grafana would build', () => {
    const span: TraceSpan = {
      spanID: '1',
      traceID: '2',
      operationName: 'GET /',
      startTime: 0,
      duration: 1,
      process: { serviceName: 'fastify', tags: [{ key: 'host.name', value: 'h' }] },
      tags: [],
    };
    const [link] = metricsLinks(span, {
      datasourceUid: 'prometheus',
      tags: [{ key: 'service.name', value: 'service_name' }],
      queries: [{ name: 'rate', query: 'sum(rate(m{$__tags, span_kind="SPAN_KIND_SERVER"}[1m]))' }],
    });
    assert.equal(link?.expr, 'sum(rate(m{, span_kind="SPAN_KIND_SERVER"}[1m]))');
    assert.notDeepEqual(promqlErrors(link.expr), []);
  });

  it('escapes every literal $ as $$, so Grafana’s environment expansion leaves the queries alone', () => {
    const lines = datasourcesText.split('\n').map((line, i) => ({ line, number: i + 1 }));
    for (const { line, number } of lines) {
      const code = line.replace(/(^|\s)#.*$/, '');
      assert.doesNotMatch(
        code.replaceAll('$$', ''),
        /\$/,
        `${DATASOURCES_FILE}:${String(number)}: unescaped $`,
      );
    }
    assert.ok(datasourcesText.includes('$$__tags'), 'the file does use escaped variables');
  });

  it(
    'points at services and ports docker-compose.yaml defines',
    { skip: !existsSync(COMPOSE_FILE) && 'no docker-compose.yaml yet' },
    () => {
      const compose = loadCompose();
      for (const ds of datasources) {
        const url = new URL(String(ds.url));
        assert.ok(compose.services[url.hostname], `${String(ds.uid)}: no compose service ${url.hostname}`);
      }
    },
  );

  it(
    'is mounted, with the dashboards, where the provisioning files expect them',
    { skip: !existsSync(COMPOSE_FILE) && 'no docker-compose.yaml yet' },
    async () => {
      const compose: unknown = parse(await readFile(COMPOSE_FILE, 'utf8'), { merge: true });
      const grafana = isRecord(compose) && isRecord(compose.services) ? compose.services.grafana : undefined;
      assert.ok(isRecord(grafana) && Array.isArray(grafana.volumes), 'compose service grafana has volumes');
      const volumes = grafana.volumes.map(String);
      assert.ok(volumes.includes('./grafana/provisioning:/etc/grafana/provisioning:ro'), volumes.join(', '));
      assert.ok(volumes.includes('./grafana/dashboards:/etc/grafana/dashboards:ro'), volumes.join(', '));
    },
  );
});

describe(DASHBOARDS_FILE, () => {
  it('loads the dashboard files from the folder compose mounts, without UI edits', async () => {
    const file: unknown = parse(await readFile(`${REPO_ROOT}${DASHBOARDS_FILE}`, 'utf8'));
    assert.ok(isRecord(file));
    assert.equal(file.apiVersion, 1);
    const [provider, ...others] = records(file.providers);
    assert.ok(provider);
    assert.equal(others.length, 0);
    assert.equal(provider.type, 'file');
    assert.equal(provider.allowUiUpdates, false);
    assert.deepEqual(provider.options, { path: '/etc/grafana/dashboards' });
    const files = (await readdir(`${REPO_ROOT}grafana/dashboards`)).filter((name) => name.endsWith('.json'));
    assert.deepEqual(files.sort(), ['slo.json', 'spm.json']);
  });
});
