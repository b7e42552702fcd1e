//! The dashboard of one feature: a row per threshold group, and per
//! threshold a time-series panel of the recorded series with the alert
//! levels drawn as lines, beside a stat panel of the current value; the
//! SLO rows; then a row of the alerts that are not threshold levels (the
//! `alerts:` entries, then the thresholds' no-data alerts), one stat each
//! counting the alert's firing series. An `alerts:` entry's `dashboard_url`
//! opens its stat; a no-data alert's opens its threshold's graph, where the
//! missing series show.

use std::collections::BTreeMap;

use crate::compile::conventions as names;
use crate::compile::grafana::model::*;
use crate::compile::grafana::steps::{self, OK_COLOR, level_color};
use crate::compile::lower::recorded_selector;
use crate::compile::{markdown, words};
use crate::promql::{Dialect, string_literal};
use crate::spec::model::{Alert, Feature, Language, LevelRule, Threshold};
use crate::spec::units::format_duration;

/// Width of a time-series panel; the stat panel fills the rest of the row.
const GRAPH_WIDTH: u32 = 16;
/// Height of a threshold's panels.
const PANEL_HEIGHT: u32 = 8;
/// Width of the stat of an alert that is not a threshold level.
const ALERT_WIDTH: u32 = 6;
/// Height of the stat of an alert that is not a threshold level.
const ALERT_HEIGHT: u32 = 4;

/// The words of a feature dashboard.
struct Words {
    datasource: &'static str,
    firing: &'static str,
    current: &'static str,
    dashboards: &'static str,
    recorded: &'static str,
    instance: &'static str,
    other_alerts: &'static str,
    alert: &'static str,
    firing_series: &'static str,
    ok: &'static str,
}

fn words(lang: Language) -> Words {
    match lang {
        Language::Ja => Words {
            datasource: "データソース",
            firing: "発報中のアラート",
            current: "現在値",
            dashboards: "promspec ダッシュボード",
            recorded: "記録系列",
            instance: "インスタンス",
            other_alerts: "閾値以外のアラート",
            alert: "アラート",
            firing_series: "発報中の系列数",
            ok: "正常",
        },
        Language::En => Words {
            datasource: "Data source",
            firing: "Firing alerts",
            current: "current",
            dashboards: "promspec dashboards",
            recorded: "Recorded series",
            instance: "Instance",
            other_alerts: "Other alerts",
            alert: "Alert",
            firing_series: "firing series",
            ok: "OK",
        },
    }
}

/// The data source every target of a generated dashboard uses.
pub fn datasource() -> DataSourceRef {
    DataSourceRef {
        kind: "prometheus".into(),
        uid: format!("${{{}}}", names::DATASOURCE_VARIABLE),
    }
}

/// The datasource template variable.
pub fn datasource_variable(lang: Language) -> Variable {
    Variable::prometheus_datasource(names::DATASOURCE_VARIABLE, words(lang).datasource)
}

/// The selector of the firing alerts of the given features.
pub fn firing_alerts(features: &[&Feature]) -> String {
    let feature = match features {
        [one] => format!("{}=\"{}\"", names::FEATURE_LABEL, one.slug),
        many => format!(
            "{}=~\"{}\"",
            names::FEATURE_LABEL,
            many.iter()
                .map(|f| f.slug.as_str())
                .collect::<Vec<_>>()
                .join("|")
        ),
    };
    format!(
        "{}{{{}=\"firing\",{feature}}}",
        names::ALERTS_METRIC,
        names::ALERTSTATE_LABEL
    )
}

/// The annotation marking when alerts of the features were firing.
pub fn alerts_annotation(features: &[&Feature], lang: Language) -> Annotation {
    Annotation {
        name: words(lang).firing.into(),
        datasource: datasource(),
        enable: true,
        hide: false,
        icon_color: "red".into(),
        built_in: None,
        kind: None,
        target: Some(Query {
            ref_id: "Anno".into(),
            datasource: datasource(),
            expr: firing_alerts(features),
            legend_format: None,
            range: None,
            instant: None,
            editor_mode: None,
            interval: Some("60s".into()),
        }),
        title_format: Some("{{alertname}}".into()),
        text_format: Some(format!(
            "{{{{{}}}}} {{{{{}}}}} {{{{{}}}}}",
            names::SEVERITY_LABEL,
            names::PRIORITY_LABEL,
            names::FEATURE_LABEL
        )),
        tag_keys: Some(
            [
                names::SEVERITY_LABEL,
                names::PRIORITY_LABEL,
                names::THRESHOLD_LABEL,
            ]
            .join(","),
        ),
        use_value_for_time: Some(false),
    }
}

/// The dashboard of `feature`, whose queries are PromQL of `dialect`.
pub fn dashboard(feature: &Feature, dialect: Dialect) -> Dashboard {
    let lang = feature.docs_language;
    let per_instance: Vec<bool> = feature
        .thresholds
        .iter()
        .map(|t| per_instance(t, dialect))
        .collect();
    let w = words(lang);
    let mut description = names::dashboard_marker(&names::spec_path(&feature.slug));
    if let Some(d) = &feature.description {
        description.push_str("\n\n");
        description.push_str(d.trim());
    }
    let mut links = Vec::new();
    if let Some(runbook) = &feature.runbook {
        links.push(Link::url(words::runbook(lang), runbook, "doc"));
    }
    links.push(Link::tagged(w.dashboards, names::DASHBOARD_TAG));

    Dashboard {
        description,
        uid: names::dashboard_uid(&feature.slug),
        title: feature.title.clone(),
        tags: vec![
            names::DASHBOARD_TAG.into(),
            feature.slug.clone(),
            feature.team.clone(),
        ],
        editable: false,
        graph_tooltip: CursorSync::Crosshair,
        time: TimeRange {
            from: "now-6h".into(),
            to: "now".into(),
        },
        timezone: "browser".into(),
        refresh: "1m".into(),
        schema_version: SCHEMA_VERSION,
        links,
        templating: Templating {
            list: std::iter::once(datasource_variable(lang))
                .chain(instance_variable(feature, &per_instance))
                .collect(),
        },
        annotations: Annotations {
            list: vec![Annotation::built_in(), alerts_annotation(&[feature], lang)],
        },
        panels: panels(feature, &per_instance, dialect),
    }
}

/// The thresholds of one group, each with its index in the feature (which
/// names its panels).
#[derive(Debug)]
pub struct Section<'a> {
    /// The group; `None` for thresholds without one.
    pub group: Option<&'a str>,
    /// The thresholds in spec order.
    pub thresholds: Vec<(usize, &'a Threshold)>,
}

/// Thresholds in dashboard order: ungrouped first, then by group in the
/// order groups first appear; spec order inside a group.
pub fn layout(feature: &Feature) -> Vec<Section<'_>> {
    let mut sections = vec![Section {
        group: None,
        thresholds: Vec::new(),
    }];
    for (index, t) in feature.thresholds.iter().enumerate() {
        let group = t.group.as_deref();
        match sections.iter_mut().find(|s| s.group == group) {
            Some(section) => section.thresholds.push((index, t)),
            None => sections.push(Section {
                group,
                thresholds: vec![(index, t)],
            }),
        }
    }
    sections.retain(|s| s.group.is_some() || !s.thresholds.is_empty());
    sections
}

/// The panels; `per_instance[i]` tells whether threshold `i` has series per instance.
fn panels(feature: &Feature, per_instance: &[bool], dialect: Dialect) -> Vec<Panel> {
    let mut panels = Vec::new();
    let mut y = 0;
    let mut row_index = 0;
    for Section { group, thresholds } in layout(feature) {
        if let Some(title) = group {
            panels.push(Panel::Row(RowPanel {
                id: names::row_panel_id(row_index),
                title: title.into(),
                collapsed: false,
                grid_pos: GridPos {
                    h: 1,
                    w: GRID_WIDTH,
                    x: 0,
                    y,
                },
                panels: Vec::new(),
            }));
            row_index += 1;
            y += 1;
        }
        for (index, threshold) in thresholds {
            let target = target(feature, threshold, per_instance[index]);
            panels.push(Panel::Timeseries(timeseries(
                feature,
                index,
                threshold,
                target.clone(),
                y,
            )));
            panels.push(Panel::Stat(stat(feature, index, threshold, target, y)));
            y += PANEL_HEIGHT;
        }
    }
    panels.extend(super::slo::panels(feature, y));
    let y = panels
        .iter()
        .map(|p| p.grid_pos().y + p.grid_pos().h)
        .max()
        .unwrap_or(0);
    panels.extend(other_alert_panels(feature, dialect, y));
    panels
}

/// An alert that is not a threshold level, as its stat shows it.
struct OtherAlert<'a> {
    id: u32,
    name: String,
    title: String,
    level: &'a LevelRule,
    description: Option<&'a str>,
    /// When it fires, in a sentence.
    condition: String,
    /// The expression, for an `alerts:` entry.
    expr: Option<&'a str>,
    runbook: Option<&'a str>,
}

/// The row of the alerts that are not threshold levels, from `y`: the
/// `alerts:` entries, then the no-data alerts of the thresholds whose
/// query reads series (those that get a rule); nothing when there are none.
fn other_alert_panels(feature: &Feature, dialect: Dialect, y: u32) -> Vec<Panel> {
    let lang = feature.docs_language;
    let w = words(lang);
    let mut alerts: Vec<OtherAlert> = feature
        .alerts
        .iter()
        .enumerate()
        .map(|(index, a)| OtherAlert {
            id: names::spec_alert_panel_id(index),
            name: names::spec_alert_name(feature, a),
            title: a.title.clone(),
            level: &a.level,
            description: a.description.as_deref(),
            condition: expression_condition(a, lang),
            expr: Some(&a.expr.text),
            runbook: a.runbook.as_deref(),
        })
        .collect();
    for (index, t) in feature.thresholds.iter().enumerate() {
        let Some(no_data) = &t.no_data else { continue };
        let reads_series = t
            .query
            .parse(dialect)
            .is_ok_and(|e| !e.facts().selectors.is_empty());
        if !reads_series {
            continue;
        }
        let window = format_duration(no_data.window);
        alerts.push(OtherAlert {
            id: names::no_data_panel_id(index),
            name: names::no_data_alert_name(feature, t),
            title: match lang {
                Language::Ja => format!("{} (データなし)", t.title),
                Language::En => format!("{} (no data)", t.title),
            },
            level: &no_data.alert,
            description: None,
            condition: match lang {
                Language::Ja => format!("クエリが読む系列が {window} 以上ないと発報"),
                Language::En => {
                    format!("fires when the series the query reads are absent for {window}")
                }
            },
            expr: None,
            runbook: t.runbook.as_deref(),
        });
    }
    if alerts.is_empty() {
        return Vec::new();
    }
    let mut out = vec![Panel::Row(RowPanel {
        id: names::SPEC_ALERTS_ROW_PANEL_ID,
        title: w.other_alerts.into(),
        collapsed: false,
        grid_pos: GridPos {
            h: 1,
            w: GRID_WIDTH,
            x: 0,
            y,
        },
        panels: Vec::new(),
    })];
    let per_line = GRID_WIDTH / ALERT_WIDTH;
    for (n, alert) in (0u32..).zip(&alerts) {
        let grid_pos = GridPos {
            h: ALERT_HEIGHT,
            w: ALERT_WIDTH,
            x: n % per_line * ALERT_WIDTH,
            y: y + 1 + n / per_line * ALERT_HEIGHT,
        };
        out.push(Panel::Stat(other_alert_stat(feature, alert, grid_pos)));
    }
    out
}

/// When an `alerts:` entry fires, in a sentence.
fn expression_condition(alert: &Alert, lang: Language) -> String {
    let for_ = alert.level.for_;
    match (lang, for_.is_zero()) {
        (Language::Ja, true) => "式が系列を返すとすぐに発報".into(),
        (Language::Ja, false) => {
            format!("式が系列を返す状態が {} 続くと発報", format_duration(for_))
        }
        (Language::En, true) => "fires as soon as the expression returns series".into(),
        (Language::En, false) => format!(
            "fires when the expression returns series for {}",
            format_duration(for_)
        ),
    }
}

/// The query of an alert's stat: how many of its series fire now (the
/// name quoted as a PromQL string, whatever it holds), 0 when none.
pub fn firing_count(feature: &Feature, alertname: &str) -> String {
    format!(
        "count({}{{{}={},{}=\"firing\",{}=\"{}\"}}) or vector(0)",
        names::ALERTS_METRIC,
        names::ALERTNAME_LABEL,
        string_literal(alertname),
        names::ALERTSTATE_LABEL,
        names::FEATURE_LABEL,
        feature.slug
    )
}

fn other_alert_stat(feature: &Feature, alert: &OtherAlert, grid_pos: GridPos) -> StatPanel {
    let lang = feature.docs_language;
    let w = words(lang);
    let level = alert.level.level;
    let mut description = String::new();
    if let Some(d) = alert.description {
        description.push_str(d.trim());
        description.push_str("\n\n");
    }
    description.push_str(&format!(
        "- {} ({}): {}\n- {} {}: {} (0: {})",
        words::level(level, lang),
        alert.level.priority,
        alert.condition,
        w.alert,
        markdown::inline_code(&alert.name),
        w.firing_series,
        w.ok
    ));
    if let Some(expr) = alert.expr {
        description.push_str("\n\n");
        description.push_str(&markdown::code_block(expr.trim(), "promql"));
    }
    let mut mappings = BTreeMap::new();
    mappings.insert(
        "0".to_string(),
        MappingResult {
            text: w.ok.into(),
            color: OK_COLOR.into(),
            index: 0,
        },
    );
    VizPanel {
        id: alert.id,
        title: alert.title.clone(),
        description,
        datasource: datasource(),
        grid_pos,
        links: alert
            .runbook
            .iter()
            .map(|url| Link::url(words::runbook(lang), *url, "doc"))
            .collect(),
        targets: vec![Query {
            ref_id: "A".into(),
            datasource: datasource(),
            expr: firing_count(feature, &alert.name),
            legend_format: Some(w.firing_series.into()),
            range: Some(true),
            instant: Some(false),
            editor_mode: Some("code".into()),
            interval: None,
        }],
        field_config: FieldConfigSource {
            defaults: FieldConfig {
                unit: "none".into(),
                color: FieldColor::by_thresholds(),
                thresholds: Thresholds::absolute(vec![
                    Step {
                        color: OK_COLOR.into(),
                        value: None,
                    },
                    Step {
                        color: level_color(level).into(),
                        value: Some(1.0),
                    },
                ]),
                mappings: vec![ValueMapping::Value { options: mappings }],
                no_value: None,
                custom: None,
            },
            overrides: Vec::new(),
        },
        options: stat_options("value"),
    }
}

/// Whether a threshold's series are per instance: the query's result may
/// carry the `instance` label.
pub fn per_instance(threshold: &Threshold, dialect: Dialect) -> bool {
    threshold
        .query
        .parse(dialect)
        .map(|expr| expr.output_labels().may_have(names::INSTANCE_LABEL))
        .unwrap_or(true)
}

/// The variable filtering per-instance panels, if any threshold has them.
fn instance_variable(feature: &Feature, per_instance: &[bool]) -> Option<Variable> {
    per_instance.iter().any(|&p| p).then(|| {
        Variable::label_values(
            names::INSTANCE_LABEL,
            words(feature.docs_language).instance,
            datasource(),
            format!(
                "label_values({{{}=\"{}\",{}!=\"\"}}, {})",
                names::FEATURE_LABEL,
                feature.slug,
                names::THRESHOLD_LABEL,
                names::INSTANCE_LABEL
            ),
        )
    })
}

fn target(feature: &Feature, threshold: &Threshold, per_instance: bool) -> Query {
    let selector = recorded_selector(feature, threshold);
    let (expr, legend) = if per_instance {
        (
            // `record{feature="f",threshold="t"}` + `instance=~"$instance"`.
            format!(
                "{},{}=~\"${}\"}}",
                selector.trim_end_matches('}'),
                names::INSTANCE_LABEL,
                names::INSTANCE_LABEL
            ),
            format!("{{{{{}}}}}", names::INSTANCE_LABEL),
        )
    } else {
        (selector, threshold.title.clone())
    };
    Query {
        ref_id: "A".into(),
        datasource: datasource(),
        expr,
        legend_format: Some(legend),
        range: Some(true),
        instant: Some(false),
        editor_mode: Some("code".into()),
        interval: None,
    }
}

/// The panel description: what is measured, when each level fires, the series.
pub fn panel_description(feature: &Feature, threshold: &Threshold) -> String {
    let lang = feature.docs_language;
    let mut out = String::new();
    if let Some(d) = &threshold.description {
        out.push_str(d.trim());
        out.push_str("\n\n");
    }
    for rule in &threshold.levels {
        let priority = &rule.priority;
        out.push_str(&format!(
            "- {} ({priority}): {}\n",
            words::level(rule.level, lang),
            words::condition(rule, lang)
        ));
    }
    out.push_str(&format!(
        "\n{}: `{}`",
        words(lang).recorded,
        recorded_selector(feature, threshold)
    ));
    out
}

fn panel_links(feature: &Feature, threshold: &Threshold) -> Vec<Link> {
    threshold
        .runbook
        .iter()
        .map(|url| Link::url(words::runbook(feature.docs_language), url, "doc"))
        .collect()
}

fn timeseries(
    feature: &Feature,
    index: usize,
    threshold: &Threshold,
    target: Query,
    y: u32,
) -> TimeSeriesPanel {
    let values = steps::values(threshold);
    VizPanel {
        id: names::timeseries_panel_id(index),
        title: threshold.title.clone(),
        description: panel_description(feature, threshold),
        datasource: datasource(),
        grid_pos: GridPos {
            h: PANEL_HEIGHT,
            w: GRAPH_WIDTH,
            x: 0,
            y,
        },
        links: panel_links(feature, threshold),
        targets: vec![target],
        field_config: FieldConfigSource {
            defaults: FieldConfig {
                unit: steps::grafana_unit(threshold.unit).into(),
                color: FieldColor::palette(),
                thresholds: Thresholds::absolute(steps::line_steps(threshold)),
                mappings: Vec::new(),
                no_value: None,
                custom: Some(GraphFieldConfig {
                    draw_style: "line".into(),
                    line_width: 1,
                    fill_opacity: 10,
                    show_points: "never".into(),
                    span_nulls: false,
                    // Keep every threshold line in view even when the
                    // value is far from it.
                    axis_soft_min: Some(values.first().map_or(0.0, |v| v.min(0.0))),
                    axis_soft_max: values.last().copied(),
                    thresholds_style: ThresholdsStyle {
                        mode: "line".into(),
                    },
                }),
            },
            overrides: Vec::new(),
        },
        options: TimeSeriesOptions {
            legend: Legend {
                calcs: Vec::new(),
                display_mode: "list".into(),
                placement: "bottom".into(),
                show_legend: true,
            },
            tooltip: Tooltip {
                mode: "multi".into(),
                sort: "desc".into(),
            },
        },
    }
}

fn stat(
    feature: &Feature,
    index: usize,
    threshold: &Threshold,
    target: Query,
    y: u32,
) -> StatPanel {
    VizPanel {
        id: names::stat_panel_id(index),
        title: format!(
            "{} ({})",
            threshold.title,
            words(feature.docs_language).current
        ),
        description: panel_description(feature, threshold),
        datasource: datasource(),
        grid_pos: GridPos {
            h: PANEL_HEIGHT,
            w: GRID_WIDTH - GRAPH_WIDTH,
            x: GRAPH_WIDTH,
            y,
        },
        links: panel_links(feature, threshold),
        targets: vec![target],
        field_config: FieldConfigSource {
            defaults: FieldConfig {
                unit: steps::grafana_unit(threshold.unit).into(),
                color: FieldColor::by_thresholds(),
                thresholds: Thresholds::absolute(steps::state_steps(threshold)),
                mappings: Vec::new(),
                no_value: None,
                custom: None,
            },
            overrides: Vec::new(),
        },
        options: stat_options("auto"),
    }
}

/// Stat options: the last value, on a coloured background, with a sparkline.
pub fn stat_options(text_mode: &str) -> StatOptions {
    StatOptions {
        reduce_options: ReduceOptions {
            calcs: vec!["lastNotNull".into()],
            fields: String::new(),
            values: false,
        },
        orientation: "auto".into(),
        text_mode: text_mode.into(),
        color_mode: "background".into(),
        graph_mode: "area".into(),
        justify_mode: "auto".into(),
        show_percent_change: false,
        percent_change_color_mode: "standard".into(),
        wide_layout: true,
    }
}
