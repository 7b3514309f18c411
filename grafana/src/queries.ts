// Every query the lab's Grafana runs, as data, for tests that run them against the real Prometheus and Tempo:
// the dashboard's panel and variable queries (read from the built model, so they cannot drift from it), the
// service-graph queries Grafana's Tempo datasource sends to Prometheus, and the trace-to-metrics settings of the
// provisioned datasources.

import { readFile } from 'node:fs/promises';

import { parse } from 'yaml';

import { ALERTS_METRIC, type DatasourceUid, METRICS, SLO_RECORDINGS, VARIABLES } from './names.ts';
import { SERVICE_GRAPH } from './promql.ts';
import { REPO_ROOT } from './render.ts';
import { type ClassicDashboard, spmDashboard } from './spm.ts';
import type { TraceToMetricsOptions } from './trace-to-metrics.ts';

export type QueryKind =
  /** PromQL over a time range (`/api/v1/query_range`). */
  | 'promql-range'
  /** PromQL at one instant (`/api/v1/query`). */
  | 'promql-instant'
  /** TraceQL search (Tempo `/api/search`). */
  | 'traceql-search'
  /** Grafana's service map: Grafana turns it into the `promql-instant` queries listed with `via`. */
  | 'tempo-service-map';

export interface PanelQuery {
  panel: string;
  refId: string;
  datasourceUid: DatasourceUid;
  kind: QueryKind;
  /** PromQL or TraceQL, with the dashboard's variables still in it (see `interpolate`). */
  expr: string;
  /** For queries Grafana derives from another one: what they stand for. */
  via?: string;
}

export interface VariableQuery {
  variable: string;
  datasourceUid: DatasourceUid;
  /** `label_values(<series selector>, <label>)`: Prometheus `/api/v1/label/<label>/values?match[]=<selector>`. */
  selector: string;
  label: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function datasourceUidOf(value: unknown): DatasourceUid {
  const uid = isRecord(value) ? value.uid : undefined;
  if (uid === 'prometheus' || uid === 'tempo' || uid === 'jaeger') return uid;
  throw new Error(`not a provisioned datasource: ${JSON.stringify(value)}`);
}

function stringField(target: Record<string, unknown>, field: string): string {
  const value = target[field];
  if (typeof value !== 'string') throw new Error(`query ${JSON.stringify(target)} has no string ${field}`);
  return value;
}

/** Every query of every panel of a dashboard model (by default the SPM dashboard). */
export function panelQueries(model: ClassicDashboard = spmDashboard()): PanelQuery[] {
  const queries: PanelQuery[] = [];
  for (const panel of model.panels ?? []) {
    if (!('targets' in panel)) continue; // a row
    const title = panel.title ?? `panel ${String(panel.id)}`;
    for (const rawTarget of panel.targets ?? []) {
      const target: unknown = rawTarget;
      if (!isRecord(target)) throw new Error(`panel ${title}: a target is not an object`);
      const datasourceUid = datasourceUidOf(target.datasource ?? panel.datasource);
      const refId = stringField(target, 'refId');
      if (datasourceUid === 'prometheus') {
        const kind = target.instant === true ? 'promql-instant' : 'promql-range';
        queries.push({ panel: title, refId, datasourceUid, kind, expr: stringField(target, 'expr') });
      } else if (datasourceUid === 'tempo' && target.queryType === 'traceql') {
        queries.push({
          panel: title,
          refId,
          datasourceUid,
          kind: 'traceql-search',
          expr: stringField(target, 'query'),
        });
      } else if (datasourceUid === 'tempo' && target.queryType === 'serviceMap') {
        queries.push({ panel: title, refId, datasourceUid, kind: 'tempo-service-map', expr: '' });
        for (const [name, expr] of Object.entries(SERVICE_GRAPH)) {
          queries.push({
            panel: title,
            refId: `${refId}:${name}`,
            datasourceUid: 'prometheus',
            kind: 'promql-instant',
            expr,
            via: 'Tempo service map',
          });
        }
      } else {
        throw new Error(
          `panel ${title}: no way to list a ${datasourceUid} query of type ${String(target.queryType)}`,
        );
      }
    }
  }
  return queries;
}

/** The dashboard's template variables as Prometheus label-values lookups. */
export function variableQueries(model: ClassicDashboard = spmDashboard()): VariableQuery[] {
  return (model.templating.list ?? []).map((variable) => {
    const query = typeof variable.query === 'string' ? variable.query : '';
    const [, selector, label] = /^label_values\((.+),\s*(\w+)\)$/.exec(query) ?? [];
    if (selector === undefined || label === undefined) {
      throw new Error(`variable ${variable.name}: not a label_values() query: ${query}`);
    }
    return { variable: variable.name, datasourceUid: datasourceUidOf(variable.datasource), selector, label };
  });
}

export interface Substitutions {
  service: string;
  /** Defaults to SPAN_KIND_SERVER. */
  span_kind?: string;
  /** Window for $__rate_interval, e.g. `1m`. */
  rateInterval: string;
  /** Window for $__range, e.g. `15m`. */
  range: string;
}

/**
 * Replaces the Grafana variables the lab's queries use ($service, ${service}, $span_kind, $__rate_interval,
 * $__range, and ${span_kind:text}); throws on any other variable, so a new one cannot slip through untested.
 */
export function interpolate(expr: string, substitutions: Substitutions): string {
  const spanKind = substitutions.span_kind ?? 'SPAN_KIND_SERVER';
  const values: Record<string, string> = {
    [VARIABLES.service]: substitutions.service,
    [VARIABLES.spanKind]: spanKind,
    __rate_interval: substitutions.rateInterval,
    __range: substitutions.range,
  };
  return expr.replace(
    /\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g,
    (whole, braced?: string, format?: string, bare?: string) => {
      const name = braced ?? bare ?? '';
      const value = values[name];
      if (value === undefined) throw new Error(`unknown Grafana variable ${whole} in: ${expr}`);
      if (format === undefined) return value;
      if (format === 'text' && name === VARIABLES.spanKind) return value.replace(/^SPAN_KIND_/, '');
      throw new Error(`unsupported variable format ${whole} in: ${expr}`);
    },
  );
}

/**
 * The trace-to-metrics settings of the provisioned Tempo and Jaeger datasources, `$$` already unescaped as
 * Grafana's provisioning does. `metricsLinks` (trace-to-metrics.ts) turns them and a span into Grafana's queries.
 */
export async function traceToMetricsOptions(): Promise<Map<DatasourceUid, TraceToMetricsOptions>> {
  const path = `${REPO_ROOT}grafana/provisioning/datasources/datasources.yaml`;
  const file: unknown = parse(await readFile(path, 'utf8'));
  const datasources =
    isRecord(file) && Array.isArray(file.datasources) ? (file.datasources as unknown[]) : [];
  const options = new Map<DatasourceUid, TraceToMetricsOptions>();
  for (const datasource of datasources) {
    if (!isRecord(datasource) || !isRecord(datasource.jsonData)) continue;
    const links = datasource.jsonData.tracesToMetrics;
    if (!isRecord(links)) continue;
    const unescaped = JSON.parse(JSON.stringify(links).replaceAll('$$', '$')) as TraceToMetricsOptions;
    if (!Array.isArray(unescaped.queries)) throw new Error(`${path}: tracesToMetrics without queries`);
    options.set(datasourceUidOf(datasource), unescaped);
  }
  return options;
}

/** Metric names the lab's queries may use: the ones the collector exports (see names.ts). */
export const KNOWN_METRICS: readonly string[] = [
  ...Object.values(METRICS),
  ...Object.values(SLO_RECORDINGS),
  ALERTS_METRIC,
];
