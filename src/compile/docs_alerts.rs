//! The table of a feature's runbook (`docs/<feature>.md`) for the alerts
//! that are not threshold levels: every entry of `alerts:` (its expression)
//! and every threshold's no-data alert, with alert name, condition, level,
//! `for`, channels, response time and action, in the feature's language.
//!
//! The values are the ones the alerting rules carry: both come from the
//! same resolved model. [`super::docs`] calls [`render`].

use std::fmt::Write as _;

use crate::compile::conventions as names;
use crate::compile::markdown;
use crate::compile::words;
use crate::spec::model::{Feature, Language, LevelRule, Project};
use crate::spec::units::format_duration;

struct Words {
    heading: &'static str,
    intro: &'static str,
    columns: [&'static str; 8],
    no_data: &'static str,
    no_data_for: &'static str,
    immediately: &'static str,
}

fn words(lang: Language) -> Words {
    match lang {
        Language::Ja => Words {
            heading: "閾値以外のアラート",
            intro: "式が系列を返している間に発報するアラートと、閾値のクエリが読む系列が途絶えたときのデータなしアラートです。",
            columns: [
                "アラート",
                "名前",
                "条件",
                "重大度",
                "継続時間",
                "通知先",
                "対応時間",
                "対応",
            ],
            no_data: "データなし",
            no_data_for: "以上データなし",
            immediately: "即時",
        },
        Language::En => Words {
            heading: "Other alerts",
            intro: "Alerts that fire while their expression returns series, and the no-data alerts that fire when the series a threshold's query reads are gone.",
            columns: [
                "Alert",
                "Name",
                "Condition",
                "Severity",
                "Duration",
                "Channel",
                "Response time",
                "Action",
            ],
            no_data: "no data",
            no_data_for: "no data for ",
            immediately: "at once",
        },
    }
}

/// Append the table of `feature`'s other alerts to `out` (nothing when it
/// has none); `channels` names where a level's receivers notify.
pub fn render(
    out: &mut String,
    project: &Project,
    feature: &Feature,
    channels: &dyn Fn(&[String]) -> String,
) {
    let lang = feature.docs_language;
    let w = words(lang);
    let mut rows: Vec<[String; 8]> = Vec::new();
    for (index, t) in feature.thresholds.iter().enumerate() {
        let Some(n) = &t.no_data else { continue };
        let condition = match lang {
            Language::Ja => format!("{}{}", words::duration_ja(n.window), w.no_data_for),
            Language::En => format!("{}{}", w.no_data_for, format_duration(n.window)),
        };
        rows.push(row(
            project,
            feature,
            format!(
                "[{} ({})]({})",
                markdown::cell(&t.title),
                w.no_data,
                names::dashboard_url(&project.grafana_url, feature, index)
            ),
            names::no_data_alert_name(feature, t),
            condition,
            &n.alert,
            w.immediately,
            t.action.as_deref(),
            t.runbook.as_deref(),
            channels,
        ));
    }
    for a in &feature.alerts {
        rows.push(row(
            project,
            feature,
            markdown::cell(&a.title),
            names::spec_alert_name(feature, a),
            format!("`{}`", markdown::cell(a.expr.text.trim()).replace('`', "'")),
            &a.level,
            w.immediately,
            a.action.as_deref(),
            a.runbook.as_deref(),
            channels,
        ));
    }
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## {}\n\n{}\n", w.heading, w.intro);
    markdown::header(out, &w.columns);
    for r in rows {
        markdown::row(out, r);
    }
}

#[allow(clippy::too_many_arguments)]
fn row(
    project: &Project,
    feature: &Feature,
    title: String,
    alertname: String,
    condition: String,
    level: &LevelRule,
    immediately: &str,
    action: Option<&str>,
    runbook: Option<&str>,
    channels: &dyn Fn(&[String]) -> String,
) -> [String; 8] {
    let lang = feature.docs_language;
    // A no-data alert's `for_` is its window; an alert without `for` fires
    // on the first evaluation that returns a series.
    let duration = if level.for_.is_zero() {
        immediately.to_string()
    } else {
        format_duration(level.for_)
    };
    let response = match project.priority(&level.priority) {
        Some(p) => format!("{} {}", p.name, words::within(p.response_time, lang)),
        None => level.priority.clone(),
    };
    let mut act = action.map(markdown::cell).unwrap_or_default();
    if let Some(url) = runbook {
        let link = format!("[{}]({url})", words::runbook(lang));
        act = if act.is_empty() {
            link
        } else {
            format!("{act} ({link})")
        };
    }
    if act.is_empty() {
        act = "-".into();
    }
    [
        title,
        markdown::code(&alertname),
        condition,
        words::level(level.level, lang).to_string(),
        duration,
        channels(&level.receivers),
        response,
        act,
    ]
}
