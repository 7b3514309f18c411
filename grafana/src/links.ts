// Links from the dashboard to traces: Grafana Explore on Tempo (TraceQL) and on Jaeger (search), and the
// Jaeger UI's own search page. The same functions build the link templates (with Grafana `${…}` variables)
// and, with real values, the queries the end-to-end test runs, so the two cannot drift apart.

import { DATASOURCES } from './names.ts';

/** The Jaeger UI as a learner's browser reaches it (docker-compose.yaml publishes jaeger-query there). */
export const JAEGER_UI_URL = 'http://localhost:16686';

/** Grafana variable that a table data link resolves to the row's span name. */
export const ROW_SPAN_NAME = '${__data.fields.span_name}';
/** Grafana variable of the dashboard's selected service. */
export const SELECTED_SERVICE = '${service}';

/** TraceQL that finds the traces of one operation (span name) of one service. */
export function operationTraceQL(service: string, spanName: string): string {
  return `{ resource.service.name = "${service}" && name = "${spanName}" }`;
}

/** Jaeger search parameters (UI `/search` and API `/api/traces` share them) for one operation. */
export function operationJaegerSearch(
  service: string,
  spanName: string,
): { service: string; operation: string } {
  return { service, operation: spanName };
}

/**
 * URI-encodes `text` except Grafana's `${…}` variables: Grafana interpolates data-link variables URI-encoded,
 * so the variables must stay literal here and the rest must be encoded once.
 */
export function encodeKeepingVariables(text: string): string {
  return text
    .split(/(\$\{[^}]+\})/)
    .map((part, index) => (index % 2 === 1 ? part : encodeURIComponent(part)))
    .join('');
}

type Datasource = (typeof DATASOURCES)[keyof typeof DATASOURCES];

/** A Grafana Explore URL (schemaVersion 1 `panes` format) running one query over the dashboard's time range. */
export function exploreUrl(datasource: Datasource, query: Record<string, unknown>): string {
  const panes = {
    spm: {
      datasource: datasource.uid,
      queries: [{ refId: 'A', datasource: { type: datasource.type, uid: datasource.uid }, ...query }],
      range: { from: '${__from}', to: '${__to}' },
    },
  };
  return `/explore?schemaVersion=1&orgId=1&panes=${encodeKeepingVariables(JSON.stringify(panes))}`;
}

export interface OperationLink {
  title: string;
  url: string;
  targetBlank: boolean;
}

/** The data links of a span-name cell: its traces in Tempo, in Jaeger through Grafana, and in the Jaeger UI. */
export function operationLinks(): OperationLink[] {
  const search = operationJaegerSearch(SELECTED_SERVICE, ROW_SPAN_NAME);
  const jaegerUi = new URLSearchParams({ lookback: 'custom', limit: '20' });
  return [
    {
      title: 'Traces of ${__data.fields.span_name} in Tempo (TraceQL)',
      url: exploreUrl(DATASOURCES.tempo, {
        queryType: 'traceql',
        query: operationTraceQL(SELECTED_SERVICE, ROW_SPAN_NAME),
        tableType: 'traces',
        limit: 20,
      }),
      targetBlank: false,
    },
    {
      title: 'Traces of ${__data.fields.span_name} in Jaeger (Grafana Explore)',
      url: exploreUrl(DATASOURCES.jaeger, { queryType: 'search', ...search, limit: 20 }),
      targetBlank: false,
    },
    {
      title: 'Traces of ${__data.fields.span_name} in the Jaeger UI',
      // Jaeger's start/end are microseconds; Grafana's ${__from}/${__to} are milliseconds.
      url:
        `${JAEGER_UI_URL}/search?service=${search.service}&operation=${search.operation}` +
        `&start=\${__from}000&end=\${__to}000&${jaegerUi.toString()}`,
      targetBlank: true,
    },
  ];
}
