//! The SLO rows of a feature dashboard: per SLO a row with the SLI against
//! its objective, the error budget left over the period, and the burn rate
//! of every alert window with the tiers' factors drawn as lines.
//!
//! The panels read the series the SLO's recording rules write (names from
//! [`conventions`](crate::compile::conventions)), and the lines are the
//! factors the burn-rate alerts compare with, so the dashboard shows what
//! the alerts do.

use crate::compile::conventions as names;
use crate::compile::grafana::feature::{datasource, stat_options};
use crate::compile::grafana::model::*;
use crate::compile::grafana::steps::{OK_COLOR, level_color};
use crate::compile::slo::selector;
use crate::spec::model::{Feature, Language};
use crate::spec::slo::model::Slo;
use crate::spec::units::{Unit, format_duration, format_number, humanize};

/// Height of an SLO's panels.
const PANEL_HEIGHT: u32 = 8;
/// Width of each of an SLO's three panels.
const PANEL_WIDTH: u32 = GRID_WIDTH / 3;

struct Words {
    sli: &'static str,
    objective: &'static str,
    budget: &'static str,
    burn_rate: &'static str,
    period: &'static str,
}

fn words(lang: Language) -> Words {
    match lang {
        Language::Ja => Words {
            sli: "SLI と目標",
            objective: "目標",
            budget: "残りエラーバジェット",
            burn_rate: "バーンレート",
            period: "期間",
        },
        Language::En => Words {
            sli: "SLI against objective",
            objective: "objective",
            budget: "Error budget left",
            burn_rate: "Burn rate",
            period: "period",
        },
    }
}

/// Red below `limit`, green from it: an SLI under its objective, a budget
/// spent past zero.
pub(super) fn red_below(limit: f64) -> Thresholds {
    Thresholds::absolute(vec![
        Step {
            color: level_color(crate::spec::model::Level::Critical).into(),
            value: None,
        },
        Step {
            color: OK_COLOR.into(),
            value: Some(limit),
        },
    ])
}

fn query(ref_id: &str, expr: String, legend: String) -> Query {
    Query {
        ref_id: ref_id.into(),
        datasource: datasource(),
        expr,
        legend_format: Some(legend),
        range: Some(true),
        instant: Some(false),
        editor_mode: Some("code".into()),
        interval: None,
    }
}

fn graph(lines: bool, soft_max: Option<f64>) -> GraphFieldConfig {
    GraphFieldConfig {
        draw_style: "line".into(),
        line_width: 1,
        fill_opacity: 10,
        show_points: "never".into(),
        span_nulls: false,
        axis_soft_min: Some(0.0),
        axis_soft_max: soft_max,
        thresholds_style: ThresholdsStyle {
            mode: if lines { "line" } else { "off" }.into(),
        },
    }
}

fn options() -> TimeSeriesOptions {
    TimeSeriesOptions {
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
    }
}

fn description(feature: &Feature, slo: &Slo) -> String {
    let mut out = String::new();
    if let Some(d) = &slo.description {
        out.push_str(d.trim());
        out.push_str("\n\n");
    }
    let w = words(feature.docs_language);
    out.push_str(&format!(
        "{}: {} / {}: {}",
        w.objective,
        slo.objective_written.trim(),
        w.period,
        format_duration(slo.period)
    ));
    for tier in &slo.tiers {
        out.push_str(&format!(
            "\n- `{}`: {} / {} > {}× ({})",
            tier.kind.as_str(),
            format_duration(tier.window.short),
            format_duration(tier.window.long),
            format_number(tier.factor),
            humanize(tier.alert.value, Unit::Ratio)
        ));
    }
    out
}

/// The panels of every SLO of `feature`, starting at row `y`.
pub fn panels(feature: &Feature, mut y: u32) -> Vec<Panel> {
    let mut out = Vec::new();
    for (index, slo) in feature.slos.iter().enumerate() {
        let w = words(feature.docs_language);
        out.push(Panel::Row(RowPanel {
            id: names::slo_row_panel_id(index),
            title: format!("SLO: {}", slo.title),
            collapsed: false,
            grid_pos: GridPos {
                h: 1,
                w: GRID_WIDTH,
                x: 0,
                y,
            },
            panels: Vec::new(),
        }));
        y += 1;
        let pos = |column: u32| GridPos {
            h: PANEL_HEIGHT,
            w: PANEL_WIDTH,
            x: column * PANEL_WIDTH,
            y,
        };
        let links: Vec<Link> = slo
            .runbook
            .iter()
            .map(|url| {
                Link::url(
                    crate::compile::words::runbook(feature.docs_language),
                    url,
                    "doc",
                )
            })
            .collect();
        let sel = |record: String| selector(feature, slo, &record);
        let base = slo.base_window();

        // SLI (good ratio) over the shortest window, the objective as a line.
        out.push(Panel::Timeseries(VizPanel {
            id: names::slo_sli_panel_id(index),
            title: format!("{}: {}", slo.title, w.sli),
            description: description(feature, slo),
            datasource: datasource(),
            grid_pos: pos(0),
            links: links.clone(),
            targets: vec![query(
                "A",
                format!("1 - {}", sel(names::slo_error_ratio_record(feature, base))),
                format!("SLI {}", format_duration(base)),
            )],
            field_config: FieldConfigSource {
                defaults: FieldConfig {
                    unit: "percentunit".into(),
                    color: FieldColor::palette(),
                    thresholds: red_below(slo.objective),
                    mappings: Vec::new(),
                    no_value: None,
                    custom: Some(GraphFieldConfig {
                        axis_soft_min: None,
                        ..graph(true, Some(1.0))
                    }),
                },
                overrides: Vec::new(),
            },
            options: options(),
        }));

        // The error budget left over the period.
        out.push(Panel::Stat(VizPanel {
            id: names::slo_budget_panel_id(index),
            title: format!(
                "{}: {} ({})",
                slo.title,
                w.budget,
                format_duration(slo.period)
            ),
            description: description(feature, slo),
            datasource: datasource(),
            grid_pos: pos(1),
            links: links.clone(),
            targets: vec![query(
                "A",
                sel(names::slo_budget_remaining_record(feature)),
                w.budget.into(),
            )],
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
            options: stat_options("auto"),
        }));

        // Burn rate per window; each tier's factor as a line.
        let mut windows = slo.windows();
        if windows.is_empty() {
            windows.push(base);
        }
        let targets: Vec<Query> = windows
            .iter()
            .enumerate()
            .map(|(i, win)| {
                query(
                    &ref_id(i),
                    sel(names::slo_burn_rate_record(feature, *win)),
                    format_duration(*win),
                )
            })
            .collect();
        let mut steps = vec![Step {
            color: OK_COLOR.into(),
            value: None,
        }];
        let mut factors: Vec<(f64, &'static str)> = slo
            .tiers
            .iter()
            .map(|t| (t.factor, level_color(t.alert.level)))
            .collect();
        factors.sort_by(|a, b| a.0.total_cmp(&b.0));
        factors.dedup_by(|a, b| a.0 == b.0);
        let max = factors.last().map(|f| f.0);
        steps.extend(factors.into_iter().map(|(f, color)| Step {
            color: color.into(),
            value: Some(f),
        }));
        out.push(Panel::Timeseries(VizPanel {
            id: names::slo_burn_rate_panel_id(index),
            title: format!("{}: {}", slo.title, w.burn_rate),
            description: description(feature, slo),
            datasource: datasource(),
            grid_pos: pos(2),
            links,
            targets,
            field_config: FieldConfigSource {
                defaults: FieldConfig {
                    unit: "short".into(),
                    color: FieldColor::palette(),
                    thresholds: Thresholds::absolute(steps),
                    mappings: Vec::new(),
                    no_value: None,
                    custom: Some(graph(true, max)),
                },
                overrides: Vec::new(),
            },
            options: options(),
        }));
        y += PANEL_HEIGHT;
    }
    out
}

/// `A`, `B`, … `Z`, `AA`, …: the ref ids of a panel's targets.
fn ref_id(i: usize) -> String {
    let letter = |n: usize| char::from(b'A' + (n % 26) as u8);
    if i < 26 {
        letter(i).to_string()
    } else {
        format!("{}{}", letter(i / 26 - 1), letter(i))
    }
}
