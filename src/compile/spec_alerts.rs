//! The alerting rules of a feature that are not threshold levels: the
//! entries of `alerts:` (expression kept as written) and the no-data alert
//! of a threshold (`no_data:`).
//!
//! An entry of `alerts:` becomes one alerting rule whose expression points
//! at the spec's `expr` exactly, so PromQL findings land on the offending
//! token. Its labels and annotations follow the contract of every generated
//! alert: `feature`, `team`, `severity`, `priority`; `summary` (the title
//! when not written), `description` (the spec's description when not
//! written), `runbook_url` and `dashboard_url` (the alert's panel in the
//! feature dashboard, see `grafana::feature`).
//!
//! A no-data alert ORs `absent_over_time(<selector>[<window>])` over every
//! vector selector the threshold's query reads (matchers kept, range,
//! `offset` and `@` dropped): it fires once every one of them has been
//! absent for the whole window, which is why it needs no `for`.

use std::collections::BTreeMap;

use crate::compile::conventions as names;
use crate::compile::lower::{alert_labels, pairs};
use crate::rulefile::model::{Expression, Rule, RuleKind};
use crate::source::Spanned;
use crate::spec::model::{Alert, Feature, Language, NoData, Project, Threshold};
use crate::spec::units::format_duration;
use crate::yaml::Style;

/// The alerting rule of `a`, the entry `index` of the feature's `alerts:`
/// (the order that numbers their dashboard panels).
pub fn alert(project: &Project, feature: &Feature, index: usize, a: &Alert) -> Rule {
    let level = &a.level;
    let mut annotations = a.annotations.clone();
    annotations
        .entry("summary".into())
        .or_insert_with(|| a.title.clone());
    if let Some(d) = &a.description {
        annotations
            .entry("description".into())
            .or_insert_with(|| d.trim().to_string());
    }
    if let Some(runbook) = &a.runbook {
        annotations
            .entry("runbook_url".into())
            .or_insert_with(|| runbook.clone());
    }
    // The alert's own panel in the feature dashboard.
    annotations
        .entry("dashboard_url".into())
        .or_insert_with(|| names::spec_alert_dashboard_url(&project.grafana_url, feature, index));
    Rule {
        kind: RuleKind::Alerting,
        name: Spanned::new(
            names::spec_alert_name(feature, a),
            a.alert.as_ref().map_or(a.id_span, |n| n.span),
        ),
        expr: Expression::from_query(&a.expr),
        for_: (!level.for_.is_zero()).then(|| Spanned::new(level.for_, level.for_span)),
        keep_firing_for: level.keep_firing_for.map(|d| Spanned::new(d, level.span)),
        labels: pairs(alert_labels(feature, &a.labels, level), a.span),
        annotations: pairs(annotations, a.span),
        span: a.span,
    }
}

/// The selectors of `query` as instant selectors, each once, in order.
pub fn selectors(project: &Project, threshold: &Threshold) -> Option<Vec<String>> {
    let expr = threshold.query.parse(project.dialect).ok()?;
    let mut out: Vec<String> = Vec::new();
    for s in &expr.facts().selectors {
        let text = s.instant_text();
        if !out.contains(&text) {
            out.push(text);
        }
    }
    Some(out)
}

/// The expression of a no-data alert over `selectors`.
pub fn no_data_expr(selectors: &[String], window: std::time::Duration) -> String {
    let w = format_duration(window);
    selectors
        .iter()
        .map(|s| format!("absent_over_time({s}[{w}])"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The no-data alert of `threshold` (the `index`th of the feature), or
/// None when its query does not parse (reported by `promql/syntax`) or
/// reads no series.
pub fn no_data(
    project: &Project,
    feature: &Feature,
    threshold: &Threshold,
    index: usize,
    no_data: &NoData,
) -> Option<Rule> {
    let selectors = selectors(project, threshold)?;
    if selectors.is_empty() {
        return None;
    }
    let level = &no_data.alert;
    let window = format_duration(no_data.window);
    let (summary, description) = match feature.docs_language {
        Language::Ja => (
            format!("{}のデータがありません", threshold.title),
            format!(
                "{} のクエリが読む系列が{window}以上ありません。閾値のアラートは発火できません。エクスポーターとスクレイプ設定を確認してください。",
                threshold.title
            ),
        ),
        Language::En => (
            format!("{} has no data", threshold.title),
            format!(
                "The series the {} query reads have been absent for {window}; its threshold alerts cannot fire. Check the exporter and the scrape configuration.",
                threshold.title
            ),
        ),
    };
    let mut annotations = BTreeMap::new();
    annotations.insert("summary".to_string(), summary);
    annotations.insert("description".to_string(), description);
    if let Some(runbook) = &threshold.runbook {
        annotations.insert("runbook_url".into(), runbook.clone());
    }
    annotations.insert(
        "dashboard_url".into(),
        names::dashboard_url(&project.grafana_url, feature, index),
    );
    Some(Rule {
        kind: RuleKind::Alerting,
        name: Spanned::new(
            names::no_data_alert_name(feature, threshold),
            threshold.id_span,
        ),
        expr: Expression {
            text: no_data_expr(&selectors, no_data.window),
            // Findings on the generated expression point at the window.
            span: level.for_span,
            style: Style::Plain,
            exact: false,
            parsed: Default::default(),
        },
        for_: None,
        keep_firing_for: None,
        labels: pairs(alert_labels(feature, &threshold.labels, level), level.span),
        annotations: pairs(annotations, level.span),
        span: level.span,
    })
}
