//! The Grafana dashboard JSON model, as far as promspec emits it.
//!
//! Field names and shapes follow Grafana's published types (`Dashboard`,
//! `Panel`, `RowPanel`, `FieldConfigSource`, `VariableModel`,
//! `AnnotationQuery` in `@grafana/schema`, and the `timeseries` and `stat`
//! panel configurations). The test suite type-checks every generated
//! dashboard against those types, so a field added here that Grafana does
//! not know fails the build.
//!
//! Only serialization is needed: the structs are built by the compilers in
//! this module's siblings and written with [`to_json`]. Field order is the
//! JSON key order; `description` comes first in [`Dashboard`] so the
//! generated marker sits at the start of the file, where the writer looks
//! for it.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

/// The version of Grafana's dashboard JSON model promspec writes.
///
/// 39 is what Grafana 10.4 and 11.0–11.2 write; later Grafana releases
/// migrate it forward when they load the dashboard, so one file imports
/// into Grafana 10.4 and every release after it.
pub const SCHEMA_VERSION: u32 = 39;

/// Columns of Grafana's dashboard grid.
pub const GRID_WIDTH: u32 = 24;

/// A whole dashboard.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// Holds the generated marker first, then the feature's description.
    pub description: String,
    /// Stable identifier, at most 40 characters.
    pub uid: String,
    /// Title shown in Grafana.
    pub title: String,
    /// Tags for search and dashboard links.
    pub tags: Vec<String>,
    /// Whether Grafana lets users edit it (generated dashboards: no).
    pub editable: bool,
    /// Crosshair sharing between panels.
    pub graph_tooltip: CursorSync,
    /// Default time range.
    pub time: TimeRange,
    /// Time zone (`browser`).
    pub timezone: String,
    /// Auto-refresh interval.
    pub refresh: String,
    /// Version of the JSON model.
    pub schema_version: u32,
    /// Links shown at the top of the dashboard.
    pub links: Vec<Link>,
    /// Template variables.
    pub templating: Templating,
    /// Annotation queries.
    pub annotations: Annotations,
    /// Panels in reading order, rows included.
    pub panels: Vec<Panel>,
}

/// How panels share the crosshair and tooltip (Grafana's `DashboardCursorSync`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorSync {
    /// Each panel on its own.
    Off,
    /// A shared crosshair.
    Crosshair,
    /// A shared crosshair and tooltip.
    Tooltip,
}

impl Serialize for CursorSync {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(match self {
            CursorSync::Off => 0,
            CursorSync::Crosshair => 1,
            CursorSync::Tooltip => 2,
        })
    }
}

/// A relative time range such as `now-6h` to `now`.
#[derive(Debug, Clone, Serialize)]
pub struct TimeRange {
    /// Start.
    pub from: String,
    /// End.
    pub to: String,
}

/// A dashboard or panel link (Grafana's `DashboardLink`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// Text of the link.
    pub title: String,
    /// `link` (a URL) or `dashboards` (dashboards with the tags).
    #[serde(rename = "type")]
    pub kind: LinkKind,
    /// Target of a `link`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Tags of the dashboards a `dashboards` link lists.
    pub tags: Vec<String>,
    /// Show the dashboards in a drop-down.
    pub as_dropdown: bool,
    /// Icon name.
    pub icon: String,
    /// Carry the template variables over.
    pub include_vars: bool,
    /// Carry the time range over.
    pub keep_time: bool,
    /// Open in a new tab.
    pub target_blank: bool,
    /// Hover text.
    pub tooltip: String,
}

/// What a [`Link`] points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    /// A URL.
    Link,
    /// Dashboards found by tag.
    Dashboards,
}

impl Link {
    /// A link to a URL, opened in a new tab.
    pub fn url(title: impl Into<String>, url: impl Into<String>, icon: &str) -> Self {
        let title = title.into();
        Link {
            tooltip: title.clone(),
            title,
            kind: LinkKind::Link,
            url: Some(url.into()),
            tags: Vec::new(),
            as_dropdown: false,
            icon: icon.into(),
            include_vars: false,
            keep_time: false,
            target_blank: true,
        }
    }

    /// A drop-down of the dashboards tagged `tag`, keeping variables and time.
    pub fn tagged(title: impl Into<String>, tag: &str) -> Self {
        let title = title.into();
        Link {
            tooltip: title.clone(),
            title,
            kind: LinkKind::Dashboards,
            url: None,
            tags: vec![tag.into()],
            as_dropdown: true,
            icon: "external link".into(),
            include_vars: true,
            keep_time: true,
            target_blank: false,
        }
    }
}

/// The template variables of a dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct Templating {
    /// Variables in display order.
    pub list: Vec<Variable>,
}

/// A template variable (Grafana's `VariableModel`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Variable {
    /// Kind of variable (`datasource`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Name used as `${name}`.
    pub name: String,
    /// Label shown in the variable bar.
    pub label: String,
    /// For a `datasource` variable: the plugin id (`prometheus`).
    pub query: String,
    /// Regex filtering the options.
    pub regex: String,
    /// 0 = shown.
    pub hide: u8,
    /// 1 = refresh on dashboard load.
    pub refresh: u8,
    /// Allow several values.
    pub multi: bool,
    /// Offer "All".
    pub include_all: bool,
    /// The regex "All" stands for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_value: Option<String>,
    /// Where a `query` variable's values come from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datasource: Option<DataSourceRef>,
    /// Order of the values (1 = alphabetical).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<u8>,
    /// Static options (none: Grafana fills them).
    pub options: Vec<()>,
}

impl Variable {
    /// A variable choosing a Prometheus data source.
    pub fn prometheus_datasource(name: &str, label: impl Into<String>) -> Self {
        Variable {
            kind: "datasource".into(),
            name: name.into(),
            label: label.into(),
            query: "prometheus".into(),
            regex: String::new(),
            hide: 0,
            refresh: 1,
            multi: false,
            include_all: false,
            all_value: None,
            datasource: None,
            sort: None,
            options: Vec::new(),
        }
    }

    /// A multi-value variable of the values of `label` that `query` returns
    /// (Prometheus `label_values`), refreshed with the time range; "All"
    /// matches every value, and series without the label too.
    pub fn label_values(
        name: &str,
        label: impl Into<String>,
        datasource: DataSourceRef,
        query: String,
    ) -> Self {
        Variable {
            kind: "query".into(),
            name: name.into(),
            label: label.into(),
            query,
            regex: String::new(),
            hide: 0,
            refresh: 2,
            multi: true,
            include_all: true,
            all_value: Some(".*".into()),
            datasource: Some(datasource),
            sort: Some(1),
            options: Vec::new(),
        }
    }
}

/// The annotation queries of a dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct Annotations {
    /// Queries in display order.
    pub list: Vec<Annotation>,
}

/// An annotation query (Grafana's `AnnotationQuery`).
///
/// Grafana's Prometheus data source keeps the query in `target` and reads
/// `titleFormat`, `textFormat`, `tagKeys` and `useValueForTime` from the
/// annotation itself.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    /// Display name of the toggle.
    pub name: String,
    /// Where the events come from.
    pub datasource: DataSourceRef,
    /// Queried on every refresh.
    pub enable: bool,
    /// Whether the toggle is hidden.
    pub hide: bool,
    /// Colour of the markers.
    pub icon_color: String,
    /// `1` for Grafana's own built-in annotations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub built_in: Option<u8>,
    /// `dashboard` for the built-in annotations.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The Prometheus query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Query>,
    /// Event title template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_format: Option<String>,
    /// Event text template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_format: Option<String>,
    /// Labels turned into event tags, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_keys: Option<String>,
    /// Use the sample value as the event time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_value_for_time: Option<bool>,
}

impl Annotation {
    /// Grafana's built-in "Annotations & Alerts" query, as Grafana adds it.
    pub fn built_in() -> Self {
        Annotation {
            name: "Annotations & Alerts".into(),
            datasource: DataSourceRef {
                kind: "grafana".into(),
                uid: "-- Grafana --".into(),
            },
            enable: true,
            hide: true,
            icon_color: "rgba(0, 211, 255, 1)".into(),
            built_in: Some(1),
            kind: Some("dashboard".into()),
            target: None,
            title_format: None,
            text_format: None,
            tag_keys: None,
            use_value_for_time: None,
        }
    }
}

/// A reference to a data source by type and uid (a `${variable}` here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataSourceRef {
    /// Plugin id.
    #[serde(rename = "type")]
    pub kind: String,
    /// Data source uid or a variable reference.
    pub uid: String,
}

/// A Prometheus query of a panel or an annotation.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Query {
    /// Query id within the panel.
    pub ref_id: String,
    /// Data source.
    pub datasource: DataSourceRef,
    /// The PromQL expression.
    pub expr: String,
    /// Series name template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legend_format: Option<String>,
    /// A range query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<bool>,
    /// An instant query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instant: Option<bool>,
    /// Query editor mode (`code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub editor_mode: Option<String>,
    /// Minimum step (annotations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
}

/// A panel of any kind promspec emits, tagged by Grafana's `type`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Panel {
    /// A graph over time.
    Timeseries(TimeSeriesPanel),
    /// A single big value.
    Stat(StatPanel),
    /// A row header grouping the panels below it.
    Row(RowPanel),
}

impl Panel {
    /// The panel id.
    pub fn id(&self) -> u32 {
        match self {
            Panel::Timeseries(p) => p.id,
            Panel::Stat(p) => p.id,
            Panel::Row(p) => p.id,
        }
    }

    /// The panel position.
    pub fn grid_pos(&self) -> GridPos {
        match self {
            Panel::Timeseries(p) => p.grid_pos,
            Panel::Stat(p) => p.grid_pos,
            Panel::Row(p) => p.grid_pos,
        }
    }
}

/// A row header (Grafana's `RowPanel`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowPanel {
    /// Panel id.
    pub id: u32,
    /// Row title.
    pub title: String,
    /// Whether the row starts folded.
    pub collapsed: bool,
    /// Position (full width, one unit high).
    pub grid_pos: GridPos,
    /// Panels kept inside a collapsed row (none: rows start open).
    pub panels: Vec<()>,
}

/// A data panel: common fields, its options and its field custom config.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VizPanel<O, C> {
    /// Panel id, unique in the dashboard.
    pub id: u32,
    /// Title.
    pub title: String,
    /// Markdown shown in the panel's info tooltip.
    pub description: String,
    /// Data source of every target.
    pub datasource: DataSourceRef,
    /// Position on the 24-column grid.
    pub grid_pos: GridPos,
    /// Links in the panel header.
    pub links: Vec<Link>,
    /// Queries.
    pub targets: Vec<Query>,
    /// Field defaults and overrides.
    pub field_config: FieldConfigSource<C>,
    /// Panel-type specific options.
    pub options: O,
}

/// A time-series panel.
pub type TimeSeriesPanel = VizPanel<TimeSeriesOptions, GraphFieldConfig>;

/// A stat panel (its fields have no custom config).
pub type StatPanel = VizPanel<StatOptions, NoCustom>;

/// The custom field config of panels that have none.
#[derive(Debug, Clone, Copy, Serialize)]
pub enum NoCustom {}

/// Where a panel sits on the 24-column grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GridPos {
    /// Height in grid units.
    pub h: u32,
    /// Width in columns.
    pub w: u32,
    /// Column.
    pub x: u32,
    /// Row.
    pub y: u32,
}

/// Field defaults and overrides.
#[derive(Debug, Clone, Serialize)]
pub struct FieldConfigSource<C> {
    /// Applied to every field.
    pub defaults: FieldConfig<C>,
    /// Applied to matching fields.
    pub overrides: Vec<Override>,
}

/// How values are displayed (Grafana's `FieldConfig`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldConfig<C> {
    /// Grafana unit id (`s`, `percentunit`, `bytes` ...).
    pub unit: String,
    /// Colour scheme of the series.
    pub color: FieldColor,
    /// Threshold steps.
    pub thresholds: Thresholds,
    /// Text mappings of values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mappings: Vec<ValueMapping>,
    /// What to show when there is no data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_value: Option<String>,
    /// Panel-type specific field config.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom: Option<C>,
}

/// How a field is coloured (Grafana's `FieldColor`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldColor {
    /// `palette-classic`, `thresholds` or `fixed`.
    pub mode: String,
    /// The colour in `fixed` mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_color: Option<String>,
}

impl FieldColor {
    /// Colour series from Grafana's classic palette.
    pub fn palette() -> Self {
        FieldColor {
            mode: "palette-classic".into(),
            fixed_color: None,
        }
    }

    /// Colour values by the threshold step they fall in.
    pub fn by_thresholds() -> Self {
        FieldColor {
            mode: "thresholds".into(),
            fixed_color: None,
        }
    }

    /// One fixed colour.
    pub fn fixed(color: &str) -> Self {
        FieldColor {
            mode: "fixed".into(),
            fixed_color: Some(color.into()),
        }
    }
}

/// Threshold steps (Grafana's `ThresholdsConfig`).
#[derive(Debug, Clone, Serialize)]
pub struct Thresholds {
    /// `absolute`: step values are values of the field.
    pub mode: String,
    /// Steps in ascending order; the first has no value (minus infinity).
    pub steps: Vec<Step>,
}

impl Thresholds {
    /// Absolute steps.
    pub fn absolute(steps: Vec<Step>) -> Self {
        Thresholds {
            mode: "absolute".into(),
            steps,
        }
    }
}

/// One threshold step: values from `value` upwards get `color`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Colour name.
    pub color: String,
    /// Lower bound; `None` for the base step.
    #[serde(serialize_with = "number")]
    pub value: Option<f64>,
}

/// A value-to-text mapping.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ValueMapping {
    /// Exact values to text and colour.
    Value {
        /// Value (as text) → result.
        options: BTreeMap<String, MappingResult>,
    },
}

/// What a mapped value shows.
#[derive(Debug, Clone, Serialize)]
pub struct MappingResult {
    /// Text shown instead of the value.
    pub text: String,
    /// Colour.
    pub color: String,
    /// Order in the legend.
    pub index: u32,
}

/// Field config for fields that match a matcher.
#[derive(Debug, Clone, Serialize)]
pub struct Override {
    /// Which fields.
    pub matcher: Matcher,
    /// What changes.
    pub properties: Vec<Property>,
}

/// A field matcher (`byName`).
#[derive(Debug, Clone, Serialize)]
pub struct Matcher {
    /// Matcher id.
    pub id: String,
    /// Its argument (the field name).
    pub options: String,
}

/// One overridden property.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "id", content = "value", rename_all = "lowercase")]
pub enum Property {
    /// The field colour.
    Color(FieldColor),
}

/// Options of a time-series panel (`timeseries` panel config).
#[derive(Debug, Clone, Serialize)]
pub struct TimeSeriesOptions {
    /// Legend.
    pub legend: Legend,
    /// Tooltip.
    pub tooltip: Tooltip,
}

/// Legend options.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Legend {
    /// Reductions shown in the legend.
    pub calcs: Vec<String>,
    /// `list` or `table`.
    pub display_mode: String,
    /// `bottom` or `right`.
    pub placement: String,
    /// Whether it is shown.
    pub show_legend: bool,
}

/// Tooltip options.
#[derive(Debug, Clone, Serialize)]
pub struct Tooltip {
    /// `single`, `multi` or `none`.
    pub mode: String,
    /// `asc`, `desc` or `none`.
    pub sort: String,
}

/// Custom field config of a time-series panel (`GraphFieldConfig`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphFieldConfig {
    /// `line`, `bars` or `points`.
    pub draw_style: String,
    /// Line width in pixels.
    pub line_width: u32,
    /// Area fill under the line, 0–100.
    pub fill_opacity: u32,
    /// `auto`, `never` or `always`.
    pub show_points: String,
    /// Connect across missing values.
    pub span_nulls: bool,
    /// The axis reaches down at least to this value.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "number")]
    pub axis_soft_min: Option<f64>,
    /// The axis reaches up at least to this value, so threshold lines show.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "number")]
    pub axis_soft_max: Option<f64>,
    /// How threshold steps are drawn.
    pub thresholds_style: ThresholdsStyle,
}

/// How threshold steps are drawn on a graph.
#[derive(Debug, Clone, Serialize)]
pub struct ThresholdsStyle {
    /// `line`, `dashed`, `area`, `off` ...
    pub mode: String,
}

/// Options of a stat panel (`stat` panel config).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatOptions {
    /// How values are reduced to one.
    pub reduce_options: ReduceOptions,
    /// `auto`, `horizontal` or `vertical`.
    pub orientation: String,
    /// `auto`, `value`, `value_and_name` ...
    pub text_mode: String,
    /// `value`, `background` or `none`.
    pub color_mode: String,
    /// Sparkline: `area` or `none`.
    pub graph_mode: String,
    /// `auto` or `center`.
    pub justify_mode: String,
    /// Show the change over the range.
    pub show_percent_change: bool,
    /// Colour of the change.
    pub percent_change_color_mode: String,
    /// Name beside value on wide panels.
    pub wide_layout: bool,
}

/// How a stat panel reduces a series to one value.
#[derive(Debug, Clone, Serialize)]
pub struct ReduceOptions {
    /// Reducers (`lastNotNull`).
    pub calcs: Vec<String>,
    /// Which fields (empty: numeric fields).
    pub fields: String,
    /// Show every value instead of a reduction.
    pub values: bool,
}

/// Write whole numbers without a fraction (`3`, not `3.0`), like the rule files.
fn number<S: Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => s.serialize_i64(*v as i64),
        Some(v) => s.serialize_f64(*v),
        None => s.serialize_none(),
    }
}

/// Render a dashboard as pretty JSON with a final newline.
pub fn to_json(dashboard: &Dashboard) -> String {
    let mut out = serde_json::to_string_pretty(dashboard)
        .expect("dashboards contain only strings, numbers and lists");
    out.push('\n');
    out
}
