// The SPM dashboard: its checked-in JSON is what the TypeScript generates, it satisfies the foundation SDK's
// types, every panel explains itself, and every query and link is well-formed and points at provisioned
// datasources.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';

import { parse } from 'yaml';

import {
  ROW_SPAN_NAME,
  operationJaegerSearch,
  operationLinks,
  operationTraceQL,
} from '../../grafana/src/links.ts';
import { DATASOURCES, METRICS, VARIABLES } from '../../grafana/src/names.ts';
import { KNOWN_METRICS, interpolate, panelQueries, variableQueries } from '../../grafana/src/queries.ts';
import { REPO_ROOT, dashboards, renderDashboard } from '../../grafana/src/render.ts';
import { OPERATION_COLUMNS, spmDashboard } from '../../grafana/src/spm.ts';
import { promqlErrors, promqlMetricNames, traceqlErrors } from '../../grafana/src/syntax.ts';
import { validateDashboard } from '../../grafana/src/validate.ts';
import { APP_SERVICES } from '../../verify/lab.ts';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

const SPM_PATH = 'grafana/dashboards/spm.json';
const checkedIn: unknown = JSON.parse(await readFile(`${REPO_ROOT}${SPM_PATH}`, 'utf8'));
const root = isRecord(checkedIn) ? checkedIn : {};
const allPanels = records(root.panels);
const panels = allPanels.filter((panel) => panel.type !== 'row');

/** Every `datasource` reference anywhere in a JSON value, with its path. */
function datasourceRefs(value: unknown, path: string): { path: string; ref: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => datasourceRefs(item, `${path}[${String(i)}]`));
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === 'datasource' ? [{ path: `${path}.${key}`, ref: child }] : datasourceRefs(child, `${path}.${key}`),
  );
}

/** The datasources grafana/provisioning provisions: uid -> type. */
async function provisionedDatasources(): Promise<Map<string, string>> {
  const file: unknown = parse(
    await readFile(`${REPO_ROOT}grafana/provisioning/datasources/datasources.yaml`, 'utf8'),
  );
  const list = isRecord(file) ? records(file.datasources) : [];
  return new Map(list.map((ds) => [String(ds.uid), String(ds.type)]));
}

describe('grafana/dashboards/*.json is generated from grafana/src', () => {
  for (const { path, model } of dashboards()) {
    it(`${path} equals what the TypeScript source generates`, async () => {
      const wanted = await renderDashboard(path, model);
      const actual = await readFile(`${REPO_ROOT}${path}`, 'utf8').catch(() => '(missing)');
      assert.ok(actual === wanted, `${path} is out of date with grafana/src: run npm run dashboards`);
    });
  }
});

describe('the SPM dashboard JSON', () => {
  it('validates against the foundation SDK types (dashboard, panel options, field config, queries)', () => {
    assert.deepEqual(validateDashboard(checkedIn), []);
  });

  it('the SDK type check catches a typo, a wrong enum value and a missing required field', () => {
    const broken: unknown = JSON.parse(JSON.stringify(checkedIn));
    assert.ok(isRecord(broken));
    const [stat] = records(broken.panels).filter((panel) => panel.type === 'stat');
    assert.ok(stat && isRecord(stat.options));
    stat.options.graphMod = 'area';
    broken.graphTooltip = 7;
    delete broken.title;
    const errors = validateDashboard(broken);
    assert.ok(
      errors.some((e) => e.includes('options.graphMod: no such property')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.startsWith('dashboard.graphTooltip: 7 is not one of')),
      errors.join('\n'),
    );
    assert.equal(errors.length, 2, 'title is optional in the classic model; nothing else is wrong');
  });

  it('the SDK type check reads field-config overrides too: an old cell type or a typo in one is caught', () => {
    const broken: unknown = JSON.parse(JSON.stringify(checkedIn));
    assert.ok(isRecord(broken));
    const [table] = records(broken.panels).filter((panel) => panel.type === 'table');
    assert.ok(table && isRecord(table.fieldConfig));
    table.fieldConfig.overrides = [
      {
        matcher: { id: 'byName', options: 'x' },
        properties: [
          { id: 'custom.cellOptions', value: { type: 'gradient-gauge' } },
          { id: 'custom.minWidht', value: 100 },
          { id: 'thresholds', value: { mode: 'absolute', steps: [{ value: null, color: 1 }] } },
          { id: 'unit', value: 'ms' },
        ],
      },
    ];
    const errors = validateDashboard(broken);
    const at = (i: number): string => `fieldConfig.overrides[0].properties[${String(i)}]`;
    assert.ok(
      errors.some((e) => e.includes(`${at(0)} (custom.cellOptions).type: "gradient-gauge"`)),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.includes(`${at(1)} (custom.minWidht): no property minWidht`)),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.includes(`${at(2)}.steps[0].color: 1 is not string`)),
      errors.join('\n'),
    );
    assert.equal(errors.length, 3, errors.join('\n'));
  });

  it('has a fixed UID and the two variables, span_kind defaulting to SERVER', () => {
    assert.equal(root.uid, 'otel-spm');
    const variables = isRecord(root.templating) ? records(root.templating.list) : [];
    assert.deepEqual(
      variables.map((v) => v.name),
      [VARIABLES.service, VARIABLES.spanKind],
    );
    const spanKind = variables[1];
    assert.ok(spanKind && isRecord(spanKind.current));
    assert.equal(spanKind.current.value, 'SPAN_KIND_SERVER');
    for (const query of variableQueries()) {
      assert.ok(
        KNOWN_METRICS.some((metric) => query.selector.startsWith(metric)),
        query.selector,
      );
      assert.match(query.label, /^(service_name|span_kind)$/);
    }
  });

  it('every panel has a one-line description for a learner', () => {
    assert.ok(panels.length >= 8, `only ${String(panels.length)} panels`);
    for (const panel of panels) {
      const description = panel.description;
      assert.ok(typeof description === 'string', `panel "${String(panel.title)}" has no description`);
      assert.ok(description.length >= 30, `panel "${String(panel.title)}": description too short`);
      assert.ok(
        description.length <= 200,
        `panel "${String(panel.title)}": description longer than one line`,
      );
      assert.ok(!description.includes('\n'), `panel "${String(panel.title)}": description has a line break`);
    }
  });

  it('has the panels issue 5 asks for', () => {
    const byTitle = new Map(panels.map((panel) => [String(panel.title), panel]));
    const latency = byTitle.get('Latency percentiles');
    assert.ok(latency, 'latency panel');
    const latencyTargets = records(latency.targets);
    assert.deepEqual(
      latencyTargets.map((t) => t.refId),
      ['P50', 'P75', 'P95', 'P99'],
    );
    assert.ok(
      latencyTargets.some((t) => t.exemplar === true),
      'latency panel shows exemplars',
    );
    for (const title of [
      'Request rate by operation',
      'Error rate',
      'HTTP status codes',
      'Operations by impact',
    ]) {
      assert.ok(byTitle.has(title), title);
    }
    assert.equal(byTitle.get('Service graph')?.type, 'nodeGraph');
  });

  it('computes every error rate from rates over a window, never from cumulative counters', () => {
    const errorQueries = panelQueries().filter((q) => q.expr.includes('STATUS_CODE_ERROR'));
    assert.ok(errorQueries.length >= 3);
    for (const query of errorQueries) {
      const selectors =
        query.expr.match(new RegExp(`${METRICS.calls}\\{[^}]*\\}(\\[[^\\]]+\\])?`, 'g')) ?? [];
      assert.ok(selectors.length >= 2, `${query.panel}: errors divided by calls`);
      for (const selector of selectors)
        assert.match(selector, /\]$/, `${query.panel}: ${selector} has no window`);
      assert.match(query.expr, /\/ sum/, `${query.panel}: a ratio`);
    }
  });

  it('the operations table sorts by impact and links every span name to its traces', () => {
    const table = panels.find((panel) => panel.title === 'Operations by impact');
    assert.ok(table);
    const sort = records(table.transformations).find((t) => t.id === 'sortBy');
    assert.deepEqual(sort?.options, { sort: [{ field: OPERATION_COLUMNS.impact, desc: true }] });
    const fieldConfig = isRecord(table.fieldConfig) ? table.fieldConfig : {};
    const spanName = records(fieldConfig.overrides).find(
      (o) => isRecord(o.matcher) && o.matcher.options === 'span_name',
    );
    const links = records(spanName?.properties).find((p) => p.id === 'links');
    assert.deepEqual(links?.value, operationLinks());
  });

  it('every datasource reference is a provisioned UID with the right type', async () => {
    const provisioned = await provisionedDatasources();
    const refs = datasourceRefs(checkedIn, 'dashboard');
    assert.ok(refs.length > 20);
    for (const { path, ref } of refs) {
      assert.ok(isRecord(ref), `${path}: a datasource reference is {type, uid}`);
      // Grafana's own annotations datasource is built in, not provisioned.
      if (ref.uid === '-- Grafana --' && ref.type === 'grafana') continue;
      assert.ok(provisioned.has(String(ref.uid)), `${path}: uid ${String(ref.uid)} is not provisioned`);
      assert.equal(provisioned.get(String(ref.uid)), ref.type, `${path}: type`);
    }
  });

  it('panel ids are unique and panels tile the 24-column grid without overlapping', () => {
    const ids = allPanels.map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length, 'unique ids');
    const cells = new Set<string>();
    for (const panel of allPanels) {
      const pos = panel.gridPos;
      assert.ok(isRecord(pos), `panel ${String(panel.id)} has a gridPos`);
      const [x, y, w, h] = [pos.x, pos.y, pos.w, pos.h].map(Number) as [number, number, number, number];
      assert.ok(x >= 0 && w > 0 && x + w <= 24 && h > 0 && y >= 0, `panel ${String(panel.id)} fits the grid`);
      for (let row = y; row < y + h; row++) {
        for (let col = x; col < x + w; col++) {
          const cell = `${String(col)},${String(row)}`;
          assert.ok(!cells.has(cell), `panel ${String(panel.id)} overlaps another at ${cell}`);
          cells.add(cell);
        }
      }
    }
  });
});

describe('the dashboard queries (grafana/src/queries.ts, for the end-to-end tests)', () => {
  it('lists every target of every panel', () => {
    const listed = panelQueries().filter((q) => q.via === undefined);
    const targets = panels.flatMap((panel) =>
      records(panel.targets).map((t) => `${String(panel.title)}/${String(t.refId)}`),
    );
    assert.deepEqual(
      listed.map((q) => `${q.panel}/${q.refId}`),
      targets,
    );
    assert.ok(
      panelQueries().some((q) => q.via === 'Tempo service map' && q.expr.includes(METRICS.graphRequests)),
      'the service map lists the Prometheus queries Grafana derives from it',
    );
  });

  for (const service of APP_SERVICES) {
    it(`every PromQL query parses, reads only span-metric series, for service ${service}`, () => {
      for (const query of panelQueries()) {
        if (!query.kind.startsWith('promql')) continue;
        const expr = interpolate(query.expr, { service, rateInterval: '1m', range: '15m' });
        assert.doesNotMatch(expr, /\$/, `${query.panel}/${query.refId}: a variable is left`);
        assert.deepEqual(promqlErrors(expr), [], `${query.panel}/${query.refId}: ${expr}`);
        for (const metric of promqlMetricNames(expr)) {
          assert.ok(
            KNOWN_METRICS.includes(metric),
            `${query.panel}/${query.refId}: unknown metric ${metric}`,
          );
        }
        assert.ok(!query.expr.includes('service_name') || expr.includes(`service_name="${service}"`));
      }
    });
  }

  it('every TraceQL query parses', () => {
    const traceql = panelQueries().filter((q) => q.kind === 'traceql-search');
    assert.ok(traceql.length >= 1);
    for (const query of traceql) {
      const text = interpolate(query.expr, { service: 'nestjs', rateInterval: '1m', range: '15m' });
      assert.deepEqual(traceqlErrors(text), [], text);
    }
  });

  it('interpolate() refuses a variable it does not know', () => {
    assert.throws(
      () => interpolate('rate(x{a="$nope"}[5m])', { service: 'fastify', rateInterval: '1m', range: '1h' }),
      /\$nope/,
    );
    assert.equal(
      interpolate('${service} ${span_kind:text} [$__range]', {
        service: 'express',
        rateInterval: '1m',
        range: '1h',
      }),
      'express SERVER [1h]',
    );
  });
});

describe('the span-name links of the operations table', () => {
  // What Grafana does when a learner clicks: URI-encode each variable's value into the URL.
  function resolve(url: string, service: string, spanName: string): URL {
    const values: Record<string, string> = {
      [`\${${VARIABLES.service}}`]: service,
      [ROW_SPAN_NAME]: spanName,
      '${__from}': '1700000000000',
      '${__to}': '1700000900000',
    };
    const resolved = url.replace(/\$\{[^}]+\}/g, (variable) => {
      const value = values[variable];
      assert.ok(value !== undefined, `unexpected variable ${variable} in ${url}`);
      return encodeURIComponent(value);
    });
    return new URL(resolved, 'http://localhost:3000');
  }

  const spanName = 'GET /items/:item_id';
  const [tempoLink, jaegerExplore, jaegerUi] = operationLinks();

  it('open Tempo in Explore with a TraceQL query for the row’s operation', () => {
    assert.ok(tempoLink);
    const url = resolve(tempoLink.url, 'express', spanName);
    assert.equal(url.pathname, '/explore');
    const panes: unknown = JSON.parse(url.searchParams.get('panes') ?? '');
    assert.ok(isRecord(panes) && isRecord(panes.spm));
    const [query] = records(panes.spm.queries);
    assert.ok(query);
    assert.deepEqual(query.datasource, { type: DATASOURCES.tempo.type, uid: DATASOURCES.tempo.uid });
    assert.equal(query.query, operationTraceQL('express', spanName));
    assert.deepEqual(traceqlErrors(query.query), []);
    assert.deepEqual(panes.spm.range, { from: '1700000000000', to: '1700000900000' });
  });

  it('open Jaeger in Explore with a search for the row’s operation', () => {
    assert.ok(jaegerExplore);
    const url = resolve(jaegerExplore.url, 'fastify', spanName);
    const panes: unknown = JSON.parse(url.searchParams.get('panes') ?? '');
    assert.ok(isRecord(panes) && isRecord(panes.spm));
    const [query] = records(panes.spm.queries);
    assert.ok(query);
    assert.equal(query.queryType, 'search');
    assert.deepEqual(
      { service: query.service, operation: query.operation },
      operationJaegerSearch('fastify', spanName),
    );
    assert.deepEqual(query.datasource, { type: DATASOURCES.jaeger.type, uid: DATASOURCES.jaeger.uid });
  });

  it('open the Jaeger UI search for the row’s operation over the dashboard’s time range', () => {
    assert.ok(jaegerUi);
    const url = resolve(jaegerUi.url, 'nestjs', spanName);
    assert.equal(url.origin, 'http://localhost:16686');
    assert.equal(url.pathname, '/search');
    assert.equal(url.searchParams.get('service'), 'nestjs');
    assert.equal(url.searchParams.get('operation'), spanName);
    assert.equal(url.searchParams.get('start'), '1700000000000000', 'microseconds');
    assert.equal(url.searchParams.get('end'), '1700000900000000');
  });

  it('the dashboard is what spmDashboard() builds', () => {
    assert.deepEqual(checkedIn, JSON.parse(JSON.stringify(spmDashboard())));
  });
});

describe('the SLO dashboard JSON (grafana/src/slo.ts)', () => {
  const slo = dashboards().find((d) => d.path === 'grafana/dashboards/slo.json');

  it('validates against the foundation SDK types', () => {
    assert.ok(slo !== undefined);
    assert.deepEqual(validateDashboard(JSON.parse(JSON.stringify(slo.model)) as unknown), []);
  });

  it('queries only the SLO recordings and ALERTS, for the chosen service, on provisioned datasources', async () => {
    assert.ok(slo !== undefined);
    const queries = panelQueries(slo.model as Parameters<typeof panelQueries>[0]);
    assert.ok(queries.length >= 7, `${String(queries.length)} queries`);
    for (const q of queries) {
      assert.equal(q.datasourceUid, 'prometheus', q.panel);
      assert.match(q.expr, /sloth_service="\$service"/, q.panel);
      for (const metric of promqlMetricNames(q.expr))
        assert.ok(KNOWN_METRICS.includes(metric), `${q.panel}: ${metric}`);
    }
    const provisioned = await provisionedDatasources();
    for (const { path, ref } of datasourceRefs(slo.model, 'slo')) {
      if (!isRecord(ref) || ref.type === 'grafana') continue;
      assert.equal(provisioned.get(String(ref.uid)), ref.type, path);
    }
  });

  it('every panel says how to read it, and the SPM dashboard links to it (and back)', () => {
    assert.ok(slo !== undefined);
    const model = slo.model as {
      panels?: { type?: string; title?: string; description?: string }[];
      links?: { url?: string }[];
    };
    for (const panel of model.panels ?? [])
      if (panel.type !== 'row')
        assert.ok((panel.description ?? '').length > 40, `${panel.title ?? ''}: description`);
    assert.ok(
      model.links?.some((l) => l.url?.startsWith('/d/otel-spm')),
      'a link back to SPM',
    );
    const spm = checkedIn as { links?: { url?: string }[] };
    assert.ok(
      spm.links?.some((l) => l.url?.startsWith('/d/otel-slo')),
      'SPM links to the SLO dashboard',
    );
  });
});
