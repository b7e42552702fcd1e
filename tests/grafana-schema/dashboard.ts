// The type every generated dashboard must have: Grafana's published
// `Dashboard` from @grafana/schema, with each panel's `options` and
// `fieldConfig.defaults.custom` narrowed to the published types of its
// panel plugin (`timeseries`, `stat`), which the generic `Panel` type leaves
// open (`Record<string, unknown>`).
//
// The test suite writes one module per dashboard,
//   import type { CheckedDashboard } from '../dashboard';
//   export const dashboard: CheckedDashboard = <the JSON>;
// and runs `tsc --noEmit` over them: an unknown field, a wrong type or a
// missing required field anywhere in the JSON is a compile error.

import type {
  AnnotationQuery,
  DataQuery,
  Dashboard,
  FieldConfig,
  FieldConfigSource,
  Panel,
  RowPanel,
} from '@grafana/schema';
import type {
  FieldConfig as TimeSeriesFieldConfig,
  Options as TimeSeriesOptions,
} from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';

// JSON cannot hold TypeScript enum members, only their values: turn every
// string enum into the union of its values (`GraphThresholdsStyleMode` →
// `'line' | 'area' | ...`). Numeric enums already accept their values.
// Optional and required properties are kept as they are.
type Json<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends Array<infer U>
      ? Array<Json<U>>
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

// The Prometheus query of a panel target or an annotation. @grafana/schema
// publishes only the common `DataQuery` part; these are the fields of
// Grafana's Prometheus data source query that promspec writes.
type PrometheusQuery = DataQuery & {
  expr: string;
  legendFormat?: string;
  range?: boolean;
  instant?: boolean;
  editorMode?: 'code' | 'builder';
  interval?: string;
};

// Grafana's Prometheus annotation support keeps the query in `target` and
// reads these fields from the annotation itself.
type PrometheusAnnotation = AnnotationQuery<PrometheusQuery> & {
  titleFormat?: string;
  textFormat?: string;
  tagKeys?: string;
  useValueForTime?: boolean;
};

// A panel of plugin `T` whose options and custom field config are `O`, `C`.
type PluginPanel<T extends string, O, C> = Omit<Panel, 'type' | 'options' | 'fieldConfig' | 'targets'> & {
  type: T;
  options: O;
  targets: PrometheusQuery[];
  fieldConfig: Omit<FieldConfigSource, 'defaults'> & {
    defaults: Omit<FieldConfig, 'custom'> & ([C] extends [never] ? { custom?: never } : { custom: C });
  };
};

export type TimeSeriesPanel = Json<PluginPanel<'timeseries', TimeSeriesOptions, TimeSeriesFieldConfig>>;
export type StatPanel = Json<PluginPanel<'stat', StatOptions, never>>;
export type CheckedRowPanel = Json<RowPanel>;

export type CheckedDashboard = Json<Omit<Dashboard, 'panels' | 'annotations'>> & {
  panels: Array<TimeSeriesPanel | StatPanel | CheckedRowPanel>;
  annotations: { list: Array<Json<PrometheusAnnotation>> };
};

// The narrowed type is still a Grafana `Dashboard`: this fails to compile
// if the narrowing above ever loosened a published type instead.
type Is<A, B> = [A] extends [B] ? true : false;
export const narrowsTheDashboardType: Is<CheckedDashboard, Json<Dashboard>> = true;
