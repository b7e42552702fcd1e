//! The overview dashboard: every feature on one page. Firing alerts by
//! severity over time and now, then one stat per feature showing the most
//! severe level firing, linking to the feature's dashboard.

use std::collections::BTreeMap;

use crate::compile::conventions as names;
use crate::compile::grafana::feature::{
    alerts_annotation, datasource, datasource_variable, firing_alerts, stat_options,
};
use crate::compile::grafana::model::*;
use crate::compile::grafana::slo::red_below;
use crate::compile::grafana::steps::{OK_COLOR, level_color};
use crate::compile::words;
use crate::spec::model::{Feature, Language, Level, Project};

/// Width of a feature's stat.
const FEATURE_WIDTH: u32 = 6;
/// Height of a feature's stat.
const FEATURE_HEIGHT: u32 = 4;
/// Height of the alert panels.
const ALERTS_HEIGHT: u32 = 8;

struct Words {
    title: &'static str,
    by_severity: &'static str,
    firing_now: &'static str,
    features: &'static str,
    slos: &'static str,
    budget_left: &'static str,
    ok: &'static str,
    dashboard: &'static str,
    team: &'static str,
    state: &'static str,
}

fn words(lang: Language) -> Words {
    match lang {
        Language::Ja => Words {
            title: "監視概要",
            by_severity: "発報中のアラート (重大度別)",
            firing_now: "発報中のアラート",
            features: "機能",
            slos: "SLO",
            budget_left: "残りエラーバジェット (SLO別)",
            ok: "正常",
            dashboard: "ダッシュボード",
            team: "チーム",
            state: "発報中の最も重大なレベル",
        },
        Language::En => Words {
            title: "overview",
            by_severity: "Firing alerts by severity",
            firing_now: "Firing alerts",
            features: "Features",
            slos: "SLOs",
            budget_left: "Error budget left, per SLO",
            ok: "OK",
            dashboard: "Dashboard",
            team: "Team",
            state: "The most severe level firing",
        },
    }
}

/// The rank of a level in the per-feature state: info 1 … critical 3; 0 is OK.
pub fn level_rank(level: Level) -> u32 {
    match level {
        Level::Info => 1,
        Level::Warning => 2,
        Level::Critical => 3,
    }
}

/// The overview dashboard of `features`.
pub fn dashboard(project: &Project, features: &[Feature]) -> Dashboard {
    let lang = project.docs_language;
    let w = words(lang);
    let all: Vec<&Feature> = features.iter().collect();
    let by_severity = format!(
        "sum by ({}) ({})",
        names::SEVERITY_LABEL,
        firing_alerts(&all)
    );
    let severity_colors: Vec<Override> = Level::ALL
        .iter()
        .map(|l| Override {
            matcher: Matcher {
                id: "byName".into(),
                options: names::severity_value(*l).into(),
            },
            properties: vec![Property::Color(FieldColor::fixed(level_color(*l)))],
        })
        .collect();
    let query = |expr: String, legend: String| Query {
        ref_id: "A".into(),
        datasource: datasource(),
        expr,
        legend_format: Some(legend),
        range: Some(true),
        instant: Some(false),
        editor_mode: Some("code".into()),
        interval: None,
    };
    let severity_legend = format!("{{{{{}}}}}", names::SEVERITY_LABEL);
    let ok_only = || {
        Thresholds::absolute(vec![Step {
            color: OK_COLOR.into(),
            value: None,
        }])
    };

    let mut panels = vec![
        Panel::Timeseries(VizPanel {
            id: names::OVERVIEW_ALERTS_TIMESERIES_PANEL_ID,
            title: w.by_severity.into(),
            description: String::new(),
            datasource: datasource(),
            grid_pos: GridPos {
                h: ALERTS_HEIGHT,
                w: 16,
                x: 0,
                y: 0,
            },
            links: Vec::new(),
            targets: vec![query(by_severity.clone(), severity_legend.clone())],
            field_config: FieldConfigSource {
                defaults: FieldConfig {
                    unit: "short".into(),
                    color: FieldColor::palette(),
                    thresholds: ok_only(),
                    mappings: Vec::new(),
                    no_value: None,
                    custom: Some(GraphFieldConfig {
                        draw_style: "line".into(),
                        line_width: 1,
                        fill_opacity: 10,
                        show_points: "never".into(),
                        span_nulls: false,
                        axis_soft_min: Some(0.0),
                        axis_soft_max: None,
                        thresholds_style: ThresholdsStyle { mode: "off".into() },
                    }),
                },
                overrides: severity_colors.clone(),
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
        }),
        Panel::Stat(VizPanel {
            id: names::OVERVIEW_ALERTS_STAT_PANEL_ID,
            title: w.firing_now.into(),
            description: String::new(),
            datasource: datasource(),
            grid_pos: GridPos {
                h: ALERTS_HEIGHT,
                w: GRID_WIDTH - 16,
                x: 16,
                y: 0,
            },
            links: Vec::new(),
            targets: vec![query(by_severity, severity_legend)],
            field_config: FieldConfigSource {
                defaults: FieldConfig {
                    unit: "short".into(),
                    color: FieldColor::by_thresholds(),
                    thresholds: ok_only(),
                    mappings: Vec::new(),
                    no_value: Some("0".into()),
                    custom: None,
                },
                overrides: severity_colors,
            },
            options: stat_options("value_and_name"),
        }),
        Panel::Row(RowPanel {
            id: names::row_panel_id(0),
            title: w.features.into(),
            collapsed: false,
            grid_pos: GridPos {
                h: 1,
                w: GRID_WIDTH,
                x: 0,
                y: ALERTS_HEIGHT,
            },
            panels: Vec::new(),
        }),
    ];

    let per_line = (GRID_WIDTH / FEATURE_WIDTH) as usize;
    for (index, feature) in features.iter().enumerate() {
        panels.push(Panel::Stat(feature_stat(project, feature, index, per_line)));
    }
    // The SLOs' state: the error budget each has left over its period.
    let with_slos: Vec<&Feature> = features.iter().filter(|f| !f.slos.is_empty()).collect();
    if !with_slos.is_empty() {
        let y = ALERTS_HEIGHT + 1 + features.len().div_ceil(per_line) as u32 * FEATURE_HEIGHT;
        panels.push(Panel::Row(RowPanel {
            id: names::row_panel_id(1),
            title: w.slos.into(),
            collapsed: false,
            grid_pos: GridPos {
                h: 1,
                w: GRID_WIDTH,
                x: 0,
                y,
            },
            panels: Vec::new(),
        }));
        let targets = with_slos
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut q = query(
                    names::slo_budget_remaining_record(f),
                    "{{feature}} {{slo}}".into(),
                );
                q.ref_id = refs(i);
                q
            })
            .collect();
        panels.push(Panel::Stat(VizPanel {
            id: names::OVERVIEW_SLO_BUDGET_PANEL_ID,
            title: w.budget_left.into(),
            description: String::new(),
            datasource: datasource(),
            grid_pos: GridPos {
                h: FEATURE_HEIGHT,
                w: GRID_WIDTH,
                x: 0,
                y: y + 1,
            },
            links: Vec::new(),
            targets,
            field_config: FieldConfigSource {
                defaults: FieldConfig {
                    unit: "percentunit".into(),
                    color: FieldColor::by_thresholds(),
                    thresholds: red_below(0.0),
                    mappings: Vec::new(),
                    no_value: None,
                    custom: None,
                },
                overrides: Vec::new(),
            },
            options: stat_options("value_and_name"),
        }));
    }

    Dashboard {
        description: names::dashboard_marker("specs/*.yaml"),
        uid: names::OVERVIEW_UID.into(),
        title: format!("{} {}", project.name, w.title),
        tags: vec![names::DASHBOARD_TAG.into()],
        editable: false,
        graph_tooltip: CursorSync::Crosshair,
        time: TimeRange {
            from: "now-24h".into(),
            to: "now".into(),
        },
        timezone: "browser".into(),
        refresh: "1m".into(),
        schema_version: SCHEMA_VERSION,
        links: vec![Link::tagged("promspec", names::DASHBOARD_TAG)],
        templating: Templating {
            list: vec![datasource_variable(lang)],
        },
        annotations: Annotations {
            list: vec![Annotation::built_in(), alerts_annotation(&all, lang)],
        },
        panels,
    }
}

/// Grafana's query ids: A, B, ... Z, AA, AB, ...
fn refs(i: usize) -> String {
    let letter = |n: usize| char::from(b'A' + (n % 26) as u8);
    if i < 26 {
        letter(i).to_string()
    } else {
        format!("{}{}", letter(i / 26 - 1), letter(i))
    }
}

fn feature_stat(project: &Project, feature: &Feature, index: usize, per_line: usize) -> StatPanel {
    let lang = project.docs_language;
    let w = words(lang);
    // The most severe level firing: critical 3, warning 2, info 1, none 0.
    let ranked: Vec<String> = Level::ALL
        .iter()
        .map(|l| {
            let firing = firing_alerts(&[feature]);
            let selector = format!(
                "{},{}=\"{}\"}}",
                firing.trim_end_matches('}'),
                names::SEVERITY_LABEL,
                names::severity_value(*l)
            );
            format!("{} * {selector}", level_rank(*l))
        })
        .collect();
    let expr = format!("max({}) or vector(0)", ranked.join(" or "));
    let mut mappings = BTreeMap::new();
    mappings.insert(
        "0".to_string(),
        MappingResult {
            text: w.ok.into(),
            color: OK_COLOR.into(),
            index: 0,
        },
    );
    let mut steps = vec![Step {
        color: OK_COLOR.into(),
        value: None,
    }];
    for level in Level::ALL.iter().rev() {
        let rank = level_rank(*level);
        mappings.insert(
            rank.to_string(),
            MappingResult {
                text: words::level(*level, lang).into(),
                color: level_color(*level).into(),
                index: rank,
            },
        );
        steps.push(Step {
            color: level_color(*level).into(),
            value: Some(f64::from(rank)),
        });
    }
    let url = names::feature_dashboard_url(&project.grafana_url, feature);
    let mut links = vec![Link::url(w.dashboard, url, "dashboard")];
    if let Some(runbook) = &feature.runbook {
        links.push(Link::url(words::runbook(lang), runbook, "doc"));
    }
    let row = (index / per_line) as u32;
    let col = (index % per_line) as u32;
    VizPanel {
        id: names::overview_feature_panel_id(index),
        title: feature.title.clone(),
        description: format!("{}. {}: {}", w.state, w.team, feature.team),
        datasource: datasource(),
        grid_pos: GridPos {
            h: FEATURE_HEIGHT,
            w: FEATURE_WIDTH,
            x: col * FEATURE_WIDTH,
            y: ALERTS_HEIGHT + 1 + row * FEATURE_HEIGHT,
        },
        links,
        targets: vec![Query {
            ref_id: "A".into(),
            datasource: datasource(),
            expr,
            legend_format: Some(feature.slug.clone()),
            range: Some(true),
            instant: Some(false),
            editor_mode: Some("code".into()),
            interval: None,
        }],
        field_config: FieldConfigSource {
            defaults: FieldConfig {
                unit: "none".into(),
                color: FieldColor::by_thresholds(),
                thresholds: Thresholds::absolute(steps),
                mappings: vec![ValueMapping::Value { options: mappings }],
                no_value: None,
                custom: None,
            },
            overrides: Vec::new(),
        },
        options: StatOptions {
            graph_mode: "none".into(),
            ..stat_options("value")
        },
    }
}
