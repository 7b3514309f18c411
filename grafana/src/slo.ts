// The SLO dashboard, as code: for one service, each SLO's objective, its error ratio now, what is left of the
// day's error budget, the burn rate against the page thresholds, the error ratio over the alert windows and the
// SLO alerts in force. It reads the recordings of the rules Sloth generates from slos/ (prometheus/rules/).
// `npm run dashboards` writes grafana/dashboards/slo.json; the SPM dashboard links here.

import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

import {
  ALERTS_METRIC,
  DATASOURCES,
  PAGE_BURN,
  SLO_DASHBOARD_UID,
  SLO_RECORDINGS,
  SPM_DASHBOARD_UID,
} from './names.ts';
import {
  type ClassicDashboard,
  dashboardLink,
  legendTable,
  promRange,
  promTable,
  statPanel,
  thresholds,
  tooltipAll,
} from './spm.ts';

const PROMETHEUS = { type: DATASOURCES.prometheus.type, uid: DATASOURCES.prometheus.uid };
/** The dashboard's one variable: Sloth labels every recording with sloth_service. */
const SERVICE = 'service';
const OF_SERVICE = `sloth_service="$${SERVICE}"`;
const PER_SLO = '{{sloth_slo}}';

function serviceVariable(): dashboard.QueryVariableBuilder {
  const query = `label_values(${SLO_RECORDINGS.objective}, sloth_service)`;
  return new dashboard.QueryVariableBuilder(SERVICE)
    .label('Service')
    .description('Service whose SLOs every panel shows (the sloth_service label of the SLO recordings).')
    .datasource(PROMETHEUS)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
}

function burnRatePanel(id: number): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .id(id)
    .title('Burn rate')
    .description(
      'How many times faster than the objective allows the error budget is spent, over the last minute: 1 spends the day’s budget in a day. The page fires above 14.4 (5 m and 1 m windows) or 6 (30 m and 5 m): the dashed lines.',
    )
    .datasource(PROMETHEUS)
    .min(0)
    .height(9)
    .span(12)
    .legend(legendTable())
    .tooltip(tooltipAll())
    .thresholds(
      thresholds([
        { value: null, color: 'green' },
        { value: PAGE_BURN.slow, color: 'orange' },
        { value: PAGE_BURN.fast, color: 'red' },
      ]),
    )
    .thresholdsStyle(
      new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed),
    )
    .withTarget(promRange('A', `max by (sloth_slo) (${SLO_RECORDINGS.burnRate}{${OF_SERVICE}})`, PER_SLO));
}

function windowsPanel(id: number): timeseries.PanelBuilder {
  const window = (refId: string, metric: string, label: string): ReturnType<typeof promRange> =>
    promRange(refId, `max by (sloth_slo) (${metric}{${OF_SERVICE}})`, `${PER_SLO} ${label}`);
  return new timeseries.PanelBuilder()
    .id(id)
    .title('Error ratio over the alert windows')
    .description(
      'Share of requests outside the objective over 1 m, 5 m and 30 m: an alert needs a long and a short window above its threshold, so a blip alone never pages and the page ends soon after the fault.',
    )
    .datasource(PROMETHEUS)
    .unit('percentunit')
    .min(0)
    .height(9)
    .span(12)
    .legend(legendTable())
    .tooltip(tooltipAll())
    .withTarget(window('A', SLO_RECORDINGS.errorRatio1m, '1m'))
    .withTarget(window('B', SLO_RECORDINGS.errorRatio5m, '5m'))
    .withTarget(window('C', SLO_RECORDINGS.errorRatio30m, '30m'));
}

function alertsPanel(id: number): table.PanelBuilder {
  return new table.PanelBuilder()
    .id(id)
    .title('SLO alerts in force')
    .description(
      'Alerts of this service’s SLOs that Prometheus holds now: pending (its condition holds, not yet long enough) or firing (sent to Alertmanager). Empty is good.',
    )
    .datasource(PROMETHEUS)
    .height(7)
    .span(24)
    .withTarget(promTable('A', `${ALERTS_METRIC}{${OF_SERVICE}}`))
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: { Time: true, Value: true, __name__: true, sloth_id: true, lab: true },
        indexByName: { alertname: 0, sloth_slo: 1, sloth_severity: 2, alertstate: 3 },
      },
    });
}

/** Builds the SLO dashboard model that grafana/dashboards/slo.json holds. */
export function sloDashboard(): ClassicDashboard {
  let id = 0;
  const next = (): number => ++id;
  return (
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- see ClassicDashboard
    new dashboard.DashboardBuilder('SLOs and error budgets')
      .uid(SLO_DASHBOARD_UID)
      .description(
        'Availability and latency SLOs of each service, from the rules Sloth generates from slos/.',
      )
      .tags(['opentelemetry', 'slo', 'sloth'])
      .editable()
      .tooltip(dashboard.DashboardCursorSync.Crosshair)
      .time({ from: 'now-30m', to: 'now' }) // the page's slow long window, in view
      .refresh('5s')
      .timepicker(new dashboard.TimePickerBuilder().refreshIntervals(['5s', '10s', '30s', '1m', '5m']))
      .variables([serviceVariable()])
      // Back to the SPM dashboard, keeping the service.
      .link(
        dashboardLink(
          'Service Performance Monitoring',
          `/d/${SPM_DASHBOARD_UID}?var-service=$${SERVICE}`,
          'Rate, errors and duration of this service, per operation',
        ),
      )
      .withRow(new dashboard.RowBuilder('$service: objectives now').id(next()))
      .withPanel(
        statPanel(
          next(),
          'Objective',
          'The share of requests each SLO promises (slos/specs/): 99 % leaves a 1 % budget.',
        )
          .unit('percentunit')
          .decimals(1)
          .withTarget(
            promRange('A', `max by (sloth_slo) (${SLO_RECORDINGS.objective}{${OF_SERVICE}})`, PER_SLO),
          ),
      )
      .withPanel(
        statPanel(
          next(),
          'Errors now (5 m)',
          'Share of requests outside the objective over the last 5 minutes: failed (availability) or slower than 2.5 s (latency).',
        )
          .unit('percentunit')
          .thresholds(
            thresholds([
              { value: null, color: 'green' },
              { value: 0.01, color: 'red' },
            ]),
          )
          .withTarget(
            promRange('A', `max by (sloth_slo) (${SLO_RECORDINGS.errorRatio5m}{${OF_SERVICE}})`, PER_SLO),
          ),
      )
      .withPanel(
        statPanel(
          next(),
          'Error budget left today',
          'What is left of the budget of the SLO period (one day): 100 % untouched, 0 % spent; below 0 the objective is missed.',
        )
          .unit('percentunit')
          .thresholds(
            thresholds([
              { value: null, color: 'red' },
              { value: 0, color: 'orange' },
              { value: 0.5, color: 'green' },
            ]),
          )
          .withTarget(
            promRange('A', `min by (sloth_slo) (${SLO_RECORDINGS.budgetRemaining}{${OF_SERVICE}})`, PER_SLO),
          ),
      )
      .withRow(new dashboard.RowBuilder('How fast the budget burns').id(next()))
      .withPanel(burnRatePanel(next()))
      .withPanel(windowsPanel(next()))
      .withRow(new dashboard.RowBuilder('Alerts').id(next()))
      .withPanel(alertsPanel(next()))
      .build()
  );
}
