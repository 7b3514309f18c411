// The foundation SDK's types that a dashboard JSON must satisfy, by the keys validate.ts looks them up with:
// the dashboard itself, each datasource's query, and each panel plugin's `options` and `fieldConfig.defaults.custom`,
// and the standard field config that overrides set.

import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as dashboardv2 from '@grafana/grafana-foundation-sdk/dashboardv2';
import type * as nodegraph from '@grafana/grafana-foundation-sdk/nodegraph';
import type * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import type * as stat from '@grafana/grafana-foundation-sdk/stat';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type * as tempo from '@grafana/grafana-foundation-sdk/tempo';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

import type { ClassicDashboard } from './spm.ts';

export interface SdkModel {
  dashboard: ClassicDashboard;
  /**
   * A field's standard config: what an override's non-`custom.` property ids name. The classic model types a
   * field's `links` as dashboard links, but they are data links (title, url, targetBlank), as v2 types them.
   */
  fieldConfig: Omit<dashboard.FieldConfig, 'links'> & { links?: dashboardv2.DataLink[] };
  'query:prometheus': prometheus.Dataquery;
  'query:tempo': tempo.Dataquery;
  'options:timeseries': timeseries.Options;
  'custom:timeseries': timeseries.FieldConfig;
  'options:table': table.Options;
  'custom:table': table.FieldConfig;
  'options:stat': stat.Options;
  'options:nodeGraph': nodegraph.Options;
}
