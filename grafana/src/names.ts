// Names every Grafana artefact of the lab agrees on: datasource UIDs (grafana/provisioning/datasources),
// span-metric and service-graph metric names (otel-collector spanmetrics + servicegraph connectors through
// the Prometheus exporter, namespace `traces.span.metrics`), and their label names.

import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/** Provisioned datasources: `uid` is what dashboards and links use, `type` is the Grafana plugin id. */
export const DATASOURCES = {
  prometheus: { uid: 'prometheus', type: 'prometheus' },
  tempo: { uid: 'tempo', type: 'tempo' },
  jaeger: { uid: 'jaeger', type: 'jaeger' },
} as const satisfies Record<string, Required<Pick<DataSourceRef, 'uid' | 'type'>>>;

export type DatasourceUid = (typeof DATASOURCES)[keyof typeof DATASOURCES]['uid'];

/** Span metrics (spanmetrics connector) and service graph (servicegraph connector) series. */
export const METRICS = {
  calls: 'traces_span_metrics_calls_total',
  durationBucket: 'traces_span_metrics_duration_milliseconds_bucket',
  durationSum: 'traces_span_metrics_duration_milliseconds_sum',
  durationCount: 'traces_span_metrics_duration_milliseconds_count',
  graphRequests: 'traces_service_graph_request_total',
  graphFailed: 'traces_service_graph_request_failed_total',
  graphServerSecondsBucket: 'traces_service_graph_request_server_seconds_bucket',
  graphServerSecondsSum: 'traces_service_graph_request_server_seconds_sum',
} as const;

/** Labels of the span metrics: the connector's own four plus the dimensions the collector adds. */
export const LABELS = {
  service: 'service_name',
  spanName: 'span_name',
  spanKind: 'span_kind',
  status: 'status_code',
  httpMethod: 'http_request_method',
  httpStatus: 'http_response_status_code',
} as const;

/** Values of `status_code` as the spanmetrics connector writes them. */
export const STATUS_ERROR = 'STATUS_CODE_ERROR';
export const SPAN_KIND_SERVER = 'SPAN_KIND_SERVER';

/** The dashboard's template variables. */
export const VARIABLES = { service: 'service', spanKind: 'span_kind' } as const;

/** Where the dashboard lives once provisioned (grafana/provisioning/dashboards/dashboards.yaml). */
export const SPM_DASHBOARD_UID = 'otel-spm';
