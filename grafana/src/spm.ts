// The Service Performance Monitoring dashboard, as code. `npm run dashboards` writes its JSON to
// grafana/dashboards/spm.json, which Grafana provisions; a unit test fails when that file is out of date.

import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as nodegraph from '@grafana/grafana-foundation-sdk/nodegraph';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as tempo from '@grafana/grafana-foundation-sdk/tempo';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

import { JAEGER_UI_URL, operationLinks } from './links.ts';
import {
  DATASOURCES,
  LABELS,
  METRICS,
  SLO_DASHBOARD_UID,
  SPAN_KIND_SERVER,
  SPM_DASHBOARD_UID,
  VARIABLES,
} from './names.ts';
import { callRate, errorRatio, impact, latencyQuantile } from './promql.ts';
import { ERROR_RATE_STEPS, P95_STEPS, RATE_STEPS } from './thresholds.ts';

const PROMETHEUS = { type: DATASOURCES.prometheus.type, uid: DATASOURCES.prometheus.uid };
const TEMPO = { type: DATASOURCES.tempo.type, uid: DATASOURCES.tempo.uid };

/** Window of the time series: Grafana's rate interval follows the zoom and is at least 4 scrape intervals. */
const RATE = '$__rate_interval';
/** Window of the one-row-per-operation table: the whole time range the learner picked. */
const RANGE = '$__range';

export function promRange(refId: string, expr: string, legend: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .datasource(PROMETHEUS)
    .refId(refId)
    .expr(expr)
    .legendFormat(legend)
    .range();
}

export function promTable(refId: string, expr: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .datasource(PROMETHEUS)
    .refId(refId)
    .expr(expr)
    .format(prometheus.PromQueryFormat.Table)
    .instant();
}

export function thresholds(steps: dashboard.Threshold[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps);
}

/** Error ratio colours (see thresholds.ts for why these values). */
const ERROR_THRESHOLDS = thresholds([...ERROR_RATE_STEPS]);

/** A legend table under the graph, with each series' mean and max. */
export function legendTable(): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(common.LegendDisplayMode.Table)
    .placement(common.LegendPlacement.Bottom)
    .calcs(['mean', 'max']);
}

export function tooltipAll(): common.VizTooltipOptionsBuilder {
  return new common.VizTooltipOptionsBuilder()
    .mode(common.TooltipDisplayMode.Multi)
    .sort(common.SortOrder.Descending);
}

function color(fixedColor: string): dashboard.DynamicConfigValue {
  return { id: 'color', value: { mode: 'fixed', fixedColor } };
}

export function statPanel(id: number, title: string, description: string): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .id(id)
    .title(title)
    .description(description)
    .datasource(PROMETHEUS)
    .height(4)
    .span(8)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

function variables(): dashboard.QueryVariableBuilder[] {
  const service = new dashboard.QueryVariableBuilder(VARIABLES.service)
    .label('Service')
    .description('Service whose span metrics every panel shows (service_name label).')
    .datasource(PROMETHEUS)
    .query(`label_values(${METRICS.calls}, ${LABELS.service})`)
    .definition(`label_values(${METRICS.calls}, ${LABELS.service})`)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
  const spanKindQuery = `label_values(${METRICS.calls}{${LABELS.service}="$${VARIABLES.service}"}, ${LABELS.spanKind})`;
  const spanKind = new dashboard.QueryVariableBuilder(VARIABLES.spanKind)
    .label('Span kind')
    .description('SERVER = requests the service answers; CLIENT = calls it makes to others.')
    .datasource(PROMETHEUS)
    .query(spanKindQuery)
    .definition(spanKindQuery)
    // Show SERVER, CLIENT, ... but keep the label's full value (SPAN_KIND_SERVER) for the queries.
    .regex('/(?<value>SPAN_KIND_(?<text>[A-Z]+))/')
    .current({ text: 'SERVER', value: SPAN_KIND_SERVER, selected: true })
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalDesc);
  return [service, spanKind];
}

function latencyPanel(id: number): timeseries.PanelBuilder {
  return (
    new timeseries.PanelBuilder()
      .id(id)
      .title('Latency percentiles')
      .description(
        'How long requests take: half are faster than P50, 1 in 100 is slower than P99; click a diamond (exemplar) to open that trace in Tempo.',
      )
      .datasource(PROMETHEUS)
      .unit('ms')
      .min(0)
      .height(9)
      .span(12)
      .legend(legendTable())
      .tooltip(tooltipAll())
      .withTarget(promRange('P50', latencyQuantile(0.5, RATE), 'P50'))
      .withTarget(promRange('P75', latencyQuantile(0.75, RATE), 'P75'))
      // All four quantiles come from the same buckets, so one query's exemplars cover them all.
      .withTarget(promRange('P95', latencyQuantile(0.95, RATE), 'P95').exemplar(true))
      .withTarget(promRange('P99', latencyQuantile(0.99, RATE), 'P99'))
  );
}

function requestRatePanel(id: number): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .id(id)
    .title('Request rate by operation')
    .description(
      'Calls per second of each operation (span name), stacked: the top edge is the service total.',
    )
    .datasource(PROMETHEUS)
    .unit('reqps')
    .min(0)
    .fillOpacity(25)
    .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
    .height(9)
    .span(12)
    .legend(legendTable())
    .tooltip(tooltipAll())
    .withTarget(promRange('A', callRate(RATE, [LABELS.spanName]), `{{${LABELS.spanName}}}`));
}

function errorRatePanel(id: number): timeseries.PanelBuilder {
  return (
    new timeseries.PanelBuilder()
      .id(id)
      .title('Error rate')
      .description(
        'Failed calls per second ÷ all calls per second over the same window (span status ERROR, i.e. 5xx; 4xx are not errors).',
      )
      .datasource(PROMETHEUS)
      .unit('percentunit')
      .min(0)
      .max(1)
      .thresholds(ERROR_THRESHOLDS)
      .thresholdsStyle(
        new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed),
      )
      .height(8)
      .span(12)
      .legend(legendTable())
      .tooltip(tooltipAll())
      .withTarget(promRange('A', errorRatio(RATE), 'whole service'))
      // Per operation, only the failing ones: the others would be flat lines at 0.
      .withTarget(promRange('B', errorRatio(RATE, [LABELS.spanName], true), `{{${LABELS.spanName}}}`))
      .overrides([
        {
          matcher: { id: 'byName', options: 'whole service' },
          properties: [{ id: 'custom.lineWidth', value: 3 }],
        },
      ])
  );
}

function statusCodePanel(id: number): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .id(id)
    .title('HTTP status codes')
    .description(
      'Calls per second by HTTP response status code, stacked: green 2xx, blue 3xx, orange 4xx, red 5xx.',
    )
    .datasource(PROMETHEUS)
    .unit('reqps')
    .min(0)
    .drawStyle(common.GraphDrawStyle.Bars)
    .fillOpacity(80)
    .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
    .height(8)
    .span(12)
    .legend(legendTable())
    .tooltip(tooltipAll())
    .withTarget(promRange('A', callRate(RATE, [LABELS.httpStatus]), `{{${LABELS.httpStatus}}}`))
    .overrides([
      { matcher: { id: 'byRegexp', options: '^2\\d\\d$' }, properties: [color('green')] },
      { matcher: { id: 'byRegexp', options: '^3\\d\\d$' }, properties: [color('blue')] },
      { matcher: { id: 'byRegexp', options: '^4\\d\\d$' }, properties: [color('orange')] },
      { matcher: { id: 'byRegexp', options: '^5\\d\\d$' }, properties: [color('red')] },
    ]);
}

/** Column names of the operations table (after the `organize` transformation renames the query values). */
export const OPERATION_COLUMNS = {
  p95: 'P95 latency',
  rate: 'Requests/s',
  errors: 'Error rate',
  impact: 'Impact (time spent)',
} as const;

function operationsPanel(id: number): table.PanelBuilder {
  const perOperation = [LABELS.spanName];
  return new table.PanelBuilder()
    .id(id)
    .title('Operations by impact')
    .description(
      'One row per operation over the whole time range, sorted by impact = the time the service spends in it (ms per second); click an operation for its traces.',
    )
    .datasource(PROMETHEUS)
    .height(10)
    .span(24)
    .withTarget(promTable('A', latencyQuantile(0.95, RANGE, perOperation)))
    .withTarget(promTable('B', callRate(RANGE, perOperation)))
    .withTarget(promTable('C', errorRatio(RANGE, perOperation)))
    .withTarget(promTable('D', impact(RANGE, perOperation)))
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: { Time: true },
        indexByName: { [LABELS.spanName]: 0, 'Value #D': 1, 'Value #A': 2, 'Value #B': 3, 'Value #C': 4 },
        renameByName: {
          'Value #A': OPERATION_COLUMNS.p95,
          'Value #B': OPERATION_COLUMNS.rate,
          'Value #C': OPERATION_COLUMNS.errors,
          'Value #D': OPERATION_COLUMNS.impact,
        },
      },
    })
    .withTransformation({
      id: 'sortBy',
      options: { sort: [{ field: OPERATION_COLUMNS.impact, desc: true }] },
    })
    .sortBy([new common.TableSortByFieldStateBuilder().displayName(OPERATION_COLUMNS.impact).desc(true)])
    .decimals(2)
    .overrides([
      {
        matcher: { id: 'byName', options: LABELS.spanName },
        properties: [
          { id: 'displayName', value: 'Operation' }, // the links still read the field by its name, span_name
          { id: 'links', value: operationLinks() },
          { id: 'custom.minWidth', value: 220 },
        ],
      },
      {
        matcher: { id: 'byName', options: OPERATION_COLUMNS.p95 },
        properties: [{ id: 'unit', value: 'ms' }],
      },
      {
        matcher: { id: 'byName', options: OPERATION_COLUMNS.rate },
        properties: [{ id: 'unit', value: 'reqps' }],
      },
      {
        matcher: { id: 'byName', options: OPERATION_COLUMNS.errors },
        properties: [
          { id: 'unit', value: 'percentunit' },
          { id: 'thresholds', value: ERROR_THRESHOLDS.build() },
          { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorText } },
        ],
      },
      {
        matcher: { id: 'byName', options: OPERATION_COLUMNS.impact },
        properties: [
          { id: 'unit', value: 'suffix: ms/s' },
          // The current gauge cell; `gradient-gauge` is an old display mode that Grafana 12.2+ shows as text.
          {
            id: 'custom.cellOptions',
            value: { type: common.TableCellDisplayMode.Gauge, mode: common.BarGaugeDisplayMode.Gradient },
          },
          { id: 'color', value: { mode: 'continuous-GrYlRd' } },
        ],
      },
    ]);
}

function serviceGraphPanel(id: number): nodegraph.PanelBuilder {
  return new nodegraph.PanelBuilder()
    .id(id)
    .title('Service graph')
    .description(
      'Who calls whom across all services (service-graph metrics): circles show each service’s rate and latency, red arcs its failures; click for traces.',
    )
    .datasource(TEMPO)
    .height(12)
    .span(14)
    .withTarget(
      new tempo.DataqueryBuilder().datasource(TEMPO).refId('A').queryType(tempo.TempoQueryType.ServiceMap),
    );
}

function errorTracesPanel(id: number): table.PanelBuilder {
  return new table.PanelBuilder()
    .id(id)
    .title('Recent failed traces')
    .description(
      'Latest traces in Tempo where this service recorded a failed span (TraceQL); click a trace ID to open it.',
    )
    .datasource(TEMPO)
    .height(12)
    .span(10)
    .withTarget(
      new tempo.DataqueryBuilder()
        .datasource(TEMPO)
        .refId('A')
        .queryType(tempo.TempoQueryType.Traceql)
        .query(`{ resource.service.name = "$${VARIABLES.service}" && status = error }`)
        .tableType(tempo.SearchTableType.Traces)
        .limit(20),
    );
}

/** Grafana's own annotations (alerts, manual notes): listed explicitly, as Grafana itself saves them. */
function builtInAnnotations(): dashboard.AnnotationQueryBuilder {
  return new dashboard.AnnotationQueryBuilder()
    .name('Annotations & Alerts')
    .builtIn(1)
    .datasource({ type: 'grafana', uid: '-- Grafana --' })
    .enable(true)
    .hide(true)
    .iconColor('rgba(0, 211, 255, 1)')
    .type('dashboard');
}

/**
 * A link next to the variables (the builder's default placement would hide it in the controls menu); external
 * ones open in a new tab.
 */
export function dashboardLink(
  title: string,
  url: string,
  tooltip: string,
  external = false,
): cog.Builder<dashboard.DashboardLink> {
  return {
    build: () => {
      const builder = new dashboard.DashboardLinkBuilder(title)
        .type(dashboard.DashboardLinkType.Link)
        .url(url)
        .icon(external ? 'external link' : 'dashboard')
        .tooltip(tooltip);
      const link = (external ? builder.targetBlank(true) : builder).build();
      delete link.placement;
      return link;
    },
  };
}

// Grafana 13 provisions dashboard files only in the classic JSON model, which DashboardBuilder makes; the SDK
// marks it deprecated in favour of the v2 model, but a v2 file fails to load ("dashboard appears to be in v2
// format", grafana/grafana#127928).
// eslint-disable-next-line @typescript-eslint/no-deprecated
export type ClassicDashboard = dashboard.Dashboard;

/** Builds the SPM dashboard model that grafana/dashboards/spm.json holds. */
export function spmDashboard(): ClassicDashboard {
  let id = 0;
  const next = (): number => ++id;
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- see ClassicDashboard
  const builder = new dashboard.DashboardBuilder('Service Performance Monitoring')
    .uid(SPM_DASHBOARD_UID)
    .description(
      'RED metrics (rate, errors, duration) per service and operation from OpenTelemetry span metrics.',
    )
    .tags(['opentelemetry', 'spm', 'span-metrics'])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    // 15 min, as Jaeger's Monitor tab: a request made now is a visible step, not a pixel at the edge
    .time({ from: 'now-15m', to: 'now' })
    // every signal is in Prometheus within 5 s (p95, npm run bench); Grafana's lowest allowed refresh by default
    .refresh('5s')
    .timepicker(new dashboard.TimePickerBuilder().refreshIntervals(['5s', '10s', '30s', '1m', '5m']))
    .variables(variables())
    .annotation(builtInAnnotations())
    .link(
      dashboardLink(
        'Jaeger Monitor tab',
        `${JAEGER_UI_URL}/monitor`,
        'The same span metrics in Jaeger’s Service Performance Monitoring view',
        true,
      ),
    )
    // The service's SLOs, burn rates and error budgets (grafana/src/slo.ts), keeping the service.
    .link(
      dashboardLink(
        'SLOs and error budgets',
        `/d/${SLO_DASHBOARD_UID}?var-service=$${VARIABLES.service}`,
        'Is this service within its objectives, and how fast is it burning its error budget?',
      ),
    )
    .withRow(new dashboard.RowBuilder('$service at a glance (${span_kind:text} spans)').id(next()))
    .withPanel(
      statPanel(next(), 'Request rate', 'Calls per second right now, all operations together.')
        .unit('reqps')
        .thresholds(thresholds([...RATE_STEPS]))
        .withTarget(promRange('A', callRate(RATE), 'requests/s')),
    )
    .withPanel(
      statPanel(
        next(),
        'Error rate',
        'Share of calls that failed in the last rate window: green below 25 % (the lab fails ~10 % by design), orange from 25 %, red from 35 %.',
      )
        .unit('percentunit')
        .thresholds(ERROR_THRESHOLDS)
        .withTarget(promRange('A', errorRatio(RATE), 'error rate')),
    )
    .withPanel(
      statPanel(
        next(),
        'P95 latency',
        '95 % of calls finished faster than this in the last rate window: green below 5 s, orange from 5 s, red from 7.5 s.',
      )
        .unit('ms')
        .thresholds(thresholds([...P95_STEPS]))
        .withTarget(promRange('A', latencyQuantile(0.95, RATE), 'P95')),
    )
    .withRow(new dashboard.RowBuilder('Rate, errors, duration over time').id(next()))
    .withPanel(latencyPanel(next()))
    .withPanel(requestRatePanel(next()))
    .withPanel(errorRatePanel(next()))
    .withPanel(statusCodePanel(next()))
    .withRow(new dashboard.RowBuilder('Operations').id(next()))
    .withPanel(operationsPanel(next()))
    .withRow(new dashboard.RowBuilder('Dependencies and traces').id(next()))
    .withPanel(serviceGraphPanel(next()))
    .withPanel(errorTracesPanel(next()));
  return builder.build();
}
