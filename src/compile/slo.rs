//! SLOs → rules of the rule-file IR: the SLI's error ratio per window, the
//! period's error ratio, objective, error budget, burn rates and remaining
//! budget, and the multi-window multi-burn-rate alerts.
//!
//! Each tier fires when both its short and its long window burn the error
//! budget faster than its factor: `ratio(short) > factor × (1 − objective)
//! and ratio(long) > factor × (1 − objective)` (SRE workbook, chapter
//! "Alerting on SLOs", as Sloth and Pyrra). The tiers of one SLO share the
//! alert name and differ by the `slo_tier` label, so Alertmanager can let a
//! faster tier mute the slower ones. All names come from
//! [`conventions`](super::conventions); only [`lower`](super::lower) calls
//! this module.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::compile::conventions as names;
use crate::promql::{self, Dialect, SyntaxError};
use crate::rulefile::model::{Expression, Group, Pair, Rule, RuleKind};
use crate::source::{Span, Spanned};
use crate::spec::model::{Feature, Language, LevelRule, Project, Query};
use crate::spec::slo::model::{BurnTier, Sli, SliQuery, Slo, WINDOW_PLACEHOLDER};
use crate::spec::units::{self, Unit, format_duration, format_number};
use crate::yaml::Style;

/// A duration exactly as long as [`WINDOW_PLACEHOLDER`], so that offsets of
/// a syntax error in the substituted text are offsets in the spec's text.
const SAME_LENGTH_WINDOW: &str = "1234567890s";

/// What is wrong with one query of an SLI.
#[derive(Debug, Clone)]
pub enum SliProblem {
    /// It does not parse (placeholders replaced by a window).
    Syntax(SyntaxError),
    /// It must be a plain selector (promspec wraps it) and is not.
    NotSelector,
}

/// Every query of `slo`'s SLI that cannot be compiled, with its problem.
pub fn sli_problems(slo: &Slo, dialect: Dialect) -> Vec<(&Query, SliProblem)> {
    let mut out = Vec::new();
    let check = |query: &Query, templated: bool| -> Option<SliProblem> {
        if templated {
            let text = query.text.replace(WINDOW_PLACEHOLDER, SAME_LENGTH_WINDOW);
            return promql::parse(&text, dialect).err().map(SliProblem::Syntax);
        }
        match promql::parse(&query.text, dialect) {
            Err(e) => Some(SliProblem::Syntax(e)),
            Ok(expr) => {
                let sels = &expr.facts().selectors;
                let whole = query.text.trim();
                let is_selector = sels.len() == 1
                    && sels[0].range.is_none()
                    && sels[0].offset.is_none()
                    && !sels[0].has_at
                    && query.text[sels[0].span.clone()].trim() == whole;
                (!is_selector).then_some(SliProblem::NotSelector)
            }
        }
    };
    let queries: Vec<(&Query, bool)> = match &slo.sli {
        Sli::Events { errors, total } => vec![
            (&errors.query, errors.templated),
            (&total.query, total.templated),
        ],
        Sli::Latency { histogram, .. } => vec![(histogram, false)],
        Sli::Availability { series } => vec![(series, false)],
        Sli::ErrorRatio { query } => vec![(query, true)],
    };
    for (query, templated) in queries {
        if let Some(p) = check(query, templated) {
            out.push((query, p));
        }
    }
    out
}

/// The SLO rule group of `feature`, or `None` when it has no SLO to compile.
pub fn group(project: &Project, feature: &Feature) -> Option<Group> {
    let rules: Vec<Rule> = feature
        .slos
        .iter()
        .filter(|slo| sli_problems(slo, project.dialect).is_empty())
        .flat_map(|slo| slo_rules(project, feature, slo))
        .collect();
    if rules.is_empty() {
        return None;
    }
    Some(Group {
        name: Spanned::new(names::slo_group_name(feature), feature.slug_span),
        interval: Some(feature.group_interval()),
        rules,
        span: feature.slug_span,
    })
}

/// The selector of one of `slo`'s recorded series.
pub fn selector(feature: &Feature, slo: &Slo, record: &str) -> String {
    format!(
        "{record}{{{}=\"{}\",{}=\"{}\"}}",
        names::FEATURE_LABEL,
        feature.slug,
        names::SLO_LABEL,
        slo.id
    )
}

fn series_labels(feature: &Feature, slo: &Slo) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    labels.insert(names::FEATURE_LABEL.to_string(), feature.slug.clone());
    labels.insert(names::SLO_LABEL.to_string(), slo.id.clone());
    labels
}

fn sli_span(slo: &Slo) -> Span {
    match &slo.sli {
        Sli::Events { errors, .. } => errors.query.span,
        Sli::Latency { histogram, .. } => histogram.span,
        Sli::Availability { series } => series.span,
        Sli::ErrorRatio { query } => query.span,
    }
}

fn record(name: String, expr: String, feature: &Feature, slo: &Slo, span: Span) -> Rule {
    Rule {
        kind: RuleKind::Recording,
        name: Spanned::new(name, slo.id_span),
        expr: Expression {
            text: expr,
            span,
            style: Style::Plain,
            exact: false,
            parsed: Default::default(),
        },
        for_: None,
        keep_firing_for: None,
        labels: pairs(series_labels(feature, slo), slo.span),
        annotations: Vec::new(),
        span: slo.span,
    }
}

fn slo_rules(project: &Project, feature: &Feature, slo: &Slo) -> Vec<Rule> {
    let mut rules = Vec::new();
    let mut windows = slo.windows();
    if windows.is_empty() {
        windows.push(slo.base_window());
    }
    let sli = sli_span(slo);
    for w in &windows {
        rules.push(record(
            names::slo_error_ratio_record(feature, *w),
            error_ratio(slo, *w, project.dialect),
            feature,
            slo,
            sli,
        ));
    }
    let sel = |record: String| selector(feature, slo, &record);
    let base = sel(names::slo_error_ratio_record(feature, slo.base_window()));
    rules.push(record(
        names::slo_error_ratio_record(feature, slo.period),
        format!("avg_over_time({base}[{}])", format_duration(slo.period)),
        feature,
        slo,
        slo.span,
    ));
    let budget = slo.error_budget();
    rules.push(record(
        names::slo_objective_record(feature),
        format!("vector({})", format_number(slo.objective)),
        feature,
        slo,
        slo.objective_span,
    ));
    rules.push(record(
        names::slo_error_budget_record(feature),
        format!("vector({})", format_number(budget)),
        feature,
        slo,
        slo.objective_span,
    ));
    for w in windows.iter().chain([&slo.period]) {
        rules.push(record(
            names::slo_burn_rate_record(feature, *w),
            format!(
                "{} / {}",
                sel(names::slo_error_ratio_record(feature, *w)),
                format_number(budget)
            ),
            feature,
            slo,
            slo.objective_span,
        ));
    }
    rules.push(record(
        names::slo_budget_remaining_record(feature),
        format!(
            "1 - {}",
            sel(names::slo_burn_rate_record(feature, slo.period))
        ),
        feature,
        slo,
        slo.span,
    ));
    for tier in &slo.tiers {
        rules.push(tier_alert(project, feature, slo, tier));
    }
    if let Some(no_data) = &slo.no_data {
        rules.push(no_data_alert(project, feature, slo, &no_data.alert));
    }
    rules
}

fn substitute(query: &Query, window: Duration) -> String {
    query
        .text
        .trim()
        .replace(WINDOW_PLACEHOLDER, &format_duration(window))
}

/// `selector` with one more matcher (`metric{a="b"}` + `le="0.2"`).
pub fn with_matcher(selector: &str, matcher: &str) -> String {
    let s = selector.trim();
    match s.strip_suffix('}') {
        Some(inner) => {
            let inner = inner.trim_end();
            let inner = inner.strip_suffix(',').unwrap_or(inner);
            if inner.ends_with('{') {
                format!("{inner}{matcher}}}")
            } else {
                format!("{inner},{matcher}}}")
            }
        }
        None => format!("{s}{{{matcher}}}"),
    }
}

/// The `le` value of a bucket boundary as the dialect's Prometheus stores it
/// (Prometheus 3 normalises whole numbers to `1.0`).
fn le_value(le: f64, dialect: Dialect) -> String {
    let n = format_number(le);
    if dialect == Dialect::Prometheus3 && !n.contains(['.', 'e']) {
        format!("{n}.0")
    } else {
        n
    }
}

fn events_rate(q: &SliQuery, window: Duration) -> String {
    if q.templated {
        format!("({})", substitute(&q.query, window))
    } else {
        format!(
            "sum(rate({}[{}]))",
            q.query.text.trim(),
            format_duration(window)
        )
    }
}

/// The SLI's error ratio over `window`.
pub fn error_ratio(slo: &Slo, window: Duration, dialect: Dialect) -> String {
    let w = format_duration(window);
    match &slo.sli {
        Sli::Events { errors, total } => format!(
            "{}\n/\n{}",
            events_rate(errors, window),
            events_rate(total, window)
        ),
        Sli::Latency { histogram, le, .. } => {
            let all = with_matcher(&histogram.text, "le=\"+Inf\"");
            let fast = with_matcher(
                &histogram.text,
                &format!("le=\"{}\"", le_value(*le, dialect)),
            );
            format!(
                "(\n  sum(rate({all}[{w}]))\n  -\n  sum(rate({fast}[{w}]))\n)\n/\nsum(rate({all}[{w}]))"
            )
        }
        Sli::Availability { series } => {
            format!("1 - avg(avg_over_time({}[{w}]))", series.text.trim())
        }
        Sli::ErrorRatio { query } => substitute(query, window),
    }
}

/// How many events the SLI counted over `window`, if it counts events.
fn events_in(slo: &Slo, window: Duration) -> Option<String> {
    let w = format_duration(window);
    match &slo.sli {
        Sli::Events { total, .. } if total.templated => Some(format!(
            "({}) * {}",
            substitute(&total.query, window),
            window.as_secs()
        )),
        Sli::Events { total, .. } => {
            Some(format!("sum(increase({}[{w}]))", total.query.text.trim()))
        }
        Sli::Latency { histogram, .. } => Some(format!(
            "sum(increase({}[{w}]))",
            with_matcher(&histogram.text, "le=\"+Inf\"")
        )),
        Sli::Availability { .. } | Sli::ErrorRatio { .. } => None,
    }
}

/// The expression whose absence means the SLI has no data.
fn source_of(slo: &Slo, dialect: Dialect) -> String {
    let base = slo.base_window();
    match &slo.sli {
        Sli::Events { total, .. } if total.templated => substitute(&total.query, base),
        Sli::Events { total, .. } => total.query.text.trim().to_string(),
        Sli::Latency { histogram, .. } => with_matcher(&histogram.text, "le=\"+Inf\""),
        Sli::Availability { series } => series.text.trim().to_string(),
        Sli::ErrorRatio { .. } => error_ratio(slo, base, dialect),
    }
}

/// The error ratio a tier's windows must both exceed, as written in PromQL.
pub fn tier_threshold(slo: &Slo, tier: &BurnTier) -> String {
    format!(
        "({} * {})",
        format_number(tier.factor),
        format_number(slo.error_budget())
    )
}

fn alert_labels(
    feature: &Feature,
    slo: &Slo,
    level: &LevelRule,
    tier: Option<&BurnTier>,
) -> BTreeMap<String, String> {
    let mut labels = super::lower::alert_labels(feature, &slo.labels, level);
    labels.insert(names::SLO_LABEL.into(), slo.id.clone());
    if let Some(t) = tier {
        labels.insert(names::SLO_TIER_LABEL.into(), t.kind.as_str().into());
    }
    labels
}

fn annotations(
    project: &Project,
    feature: &Feature,
    slo: &Slo,
    summary: String,
    description: String,
) -> BTreeMap<String, String> {
    let mut a = BTreeMap::new();
    a.insert("summary".into(), summary);
    a.insert("description".into(), description);
    if let Some(runbook) = &slo.runbook {
        a.insert("runbook_url".into(), runbook.clone());
    }
    let index = feature
        .slos
        .iter()
        .position(|s| s.id == slo.id)
        .unwrap_or_default();
    a.insert(
        "dashboard_url".into(),
        names::slo_dashboard_url(&project.grafana_url, feature, index),
    );
    a
}

fn tier_alert(project: &Project, feature: &Feature, slo: &Slo, tier: &BurnTier) -> Rule {
    let threshold = tier_threshold(slo, tier);
    let short = selector(
        feature,
        slo,
        &names::slo_error_ratio_record(feature, tier.window.short),
    );
    let long = selector(
        feature,
        slo,
        &names::slo_error_ratio_record(feature, tier.window.long),
    );
    let mut expr = format!("{short} > {threshold}\nand\n{long} > {threshold}");
    if let (Some(min), Some(events)) = (slo.min_events, events_in(slo, tier.window.long)) {
        expr.push_str(&format!("\nand on ()\n{events} >= {}", format_number(min)));
    }
    let level = &tier.alert;
    let factor = format_number(tier.factor);
    let (short_w, long_w) = (
        format_duration(tier.window.short),
        format_duration(tier.window.long),
    );
    let consumed = units::humanize(tier.window.budget_consumed, Unit::Ratio);
    let limit = units::humanize(level.value, Unit::Ratio);
    let period = format_duration(slo.period);
    let tier_name = tier.kind.as_str();
    let (summary, description) = match feature.docs_language {
        Language::Ja => (
            format!(
                "{}のエラーバジェットが{factor}倍の速さで消費されています ({tier_name})",
                slo.title
            ),
            format!(
                "{} (目標 {} / {period}) のエラー率は直近{short_w}で {{{{ $value | humanizePercentage }}}} です。{short_w}と{long_w}の両方で {limit} を超えています。この速さが続くと{long_w}で期間のエラーバジェットの{consumed}を消費します。",
                slo.title, slo.objective_written
            ),
        ),
        Language::En => (
            format!(
                "{} is burning its error budget {factor}x too fast ({tier_name})",
                slo.title
            ),
            format!(
                "{} (objective {} over {period}): the error ratio is {{{{ $value | humanizePercentage }}}} over the last {short_w}, and above {limit} over both {short_w} and {long_w}. At this rate {consumed} of the period's error budget is spent within {long_w}.",
                slo.title, slo.objective_written
            ),
        ),
    };
    Rule {
        kind: RuleKind::Alerting,
        name: Spanned::new(names::slo_alert_name(feature, slo), slo.id_span),
        expr: Expression {
            text: expr,
            span: level.value_span,
            style: Style::Plain,
            exact: false,
            parsed: Default::default(),
        },
        for_: Some(Spanned::new(level.for_, level.for_span)),
        keep_firing_for: None,
        labels: pairs(alert_labels(feature, slo, level, Some(tier)), level.span),
        annotations: pairs(
            annotations(project, feature, slo, summary, description),
            level.span,
        ),
        span: level.span,
    }
}

fn no_data_alert(project: &Project, feature: &Feature, slo: &Slo, level: &LevelRule) -> Rule {
    let for_ = format_duration(level.for_);
    let (summary, description) = match feature.docs_language {
        Language::Ja => (
            format!("{}のSLIのデータがありません", slo.title),
            format!(
                "{} のSLIの元になる系列が{for_}以上ありません。バーンレートアラートは発火できません。エクスポーターとスクレイプ設定を確認してください。",
                slo.title
            ),
        ),
        Language::En => (
            format!("{} has no SLI data", slo.title),
            format!(
                "The source series of the {} SLI have been absent for {for_}; its burn-rate alerts cannot fire. Check the exporter and the scrape configuration.",
                slo.title
            ),
        ),
    };
    Rule {
        kind: RuleKind::Alerting,
        name: Spanned::new(names::slo_no_data_alert_name(feature, slo), slo.id_span),
        expr: Expression {
            text: format!("absent({})", source_of(slo, project.dialect)),
            span: sli_span(slo),
            style: Style::Plain,
            exact: false,
            parsed: Default::default(),
        },
        for_: Some(Spanned::new(level.for_, level.for_span)),
        keep_firing_for: None,
        labels: pairs(alert_labels(feature, slo, level, None), level.span),
        annotations: pairs(
            annotations(project, feature, slo, summary, description),
            level.span,
        ),
        span: level.span,
    }
}

fn pairs(map: BTreeMap<String, String>, span: Span) -> Vec<Pair> {
    map.into_iter()
        .map(|(k, v)| Pair {
            key: Spanned::new(k, span),
            value: Spanned::new(v, span),
            style: Style::Plain,
            exact: false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers_are_added_to_selectors() {
        assert_eq!(with_matcher("m", "le=\"1\""), "m{le=\"1\"}");
        assert_eq!(with_matcher("m{}", "le=\"1\""), "m{le=\"1\"}");
        assert_eq!(
            with_matcher("m{a=\"b\"}", "le=\"1\""),
            "m{a=\"b\",le=\"1\"}"
        );
        assert_eq!(
            with_matcher("m{a=\"b\", }", "le=\"1\""),
            "m{a=\"b\",le=\"1\"}"
        );
    }

    #[test]
    fn le_follows_the_dialect() {
        assert_eq!(le_value(0.2, Dialect::Prometheus2), "0.2");
        assert_eq!(le_value(1.0, Dialect::Prometheus2), "1");
        assert_eq!(le_value(1.0, Dialect::Prometheus3), "1.0");
    }
}
