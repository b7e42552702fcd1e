//! Resolved specs → the rule-file IR: the one description of the rules a
//! feature compiles into, with spans back into the spec.
//!
//! One threshold becomes one recording rule (the value) and one alerting
//! rule per level, comparing the recorded series; levels share the alert
//! name and differ by the `severity` label. The Prometheus renderer, the
//! unit-test generator, the Alertmanager routing and the linter all read this
//! IR, so the linter judges exactly what `promspec build` writes and nothing
//! parses generated text back.
//!
//! Before the thresholds come the feature's `records:`, kept as written;
//! after a threshold's levels its no-data alert, and after every threshold
//! the `alerts:` of the feature ([`spec_alerts`]).
//!
//! Spans: a recording rule's expression points at the threshold's `query`
//! exactly (PromQL findings point inside it); an alert's `for` at the level's
//! `for`; everything else at the level or threshold it belongs to.

use std::collections::BTreeMap;

use crate::compile::conventions as names;
use crate::compile::slo;
use crate::compile::spec_alerts;
use crate::rulefile::RuleFile;
use crate::rulefile::model::{Expression, FileKind, Group, Pair, Rule, RuleKind};
use crate::source::{Span, Spanned};
use crate::spec::model::{Direction, Feature, Language, LevelRule, Project, Record, Threshold};
use crate::spec::units::{self, Unit, format_number};
use crate::yaml::Style;

/// The rules `feature` compiles into, as one IR file: the thresholds' group,
/// then the SLOs' group when the feature has SLOs ([`slo::group`]).
pub fn feature(project: &Project, feature: &Feature) -> RuleFile {
    let mut rules: Vec<Rule> = feature.records.iter().map(record).collect();
    for (index, threshold) in feature.thresholds.iter().enumerate() {
        let mut labels = BTreeMap::new();
        labels.insert(names::FEATURE_LABEL.to_string(), feature.slug.clone());
        labels.insert(names::THRESHOLD_LABEL.to_string(), threshold.id.clone());
        rules.push(Rule {
            kind: RuleKind::Recording,
            name: Spanned::new(names::record_name(feature, threshold), threshold.id_span),
            // As written (offsets map into the spec); the renderer trims it.
            expr: Expression::from_query(&threshold.query),
            for_: None,
            keep_firing_for: None,
            labels: pairs(labels, threshold.span),
            annotations: Vec::new(),
            span: threshold.span,
        });
        for level in &threshold.levels {
            rules.push(alert(project, feature, threshold, index, level));
        }
        if let Some(no_data) = &threshold.no_data
            && let Some(rule) = spec_alerts::no_data(project, feature, threshold, index, no_data)
        {
            rules.push(rule);
        }
    }
    rules.extend(
        feature
            .alerts
            .iter()
            .enumerate()
            .map(|(index, a)| spec_alerts::alert(project, feature, index, a)),
    );
    let slos = slo::group(project, feature);
    let mut groups = Vec::new();
    // A feature with SLOs and no threshold has no (empty) threshold group.
    if !rules.is_empty() || slos.is_none() {
        groups.push(Group {
            name: Spanned::new(names::group_name(feature), feature.slug_span),
            interval: Some(feature.group_interval()),
            rules,
            span: feature.slug_span,
        });
    }
    groups.extend(slos);
    RuleFile {
        source: feature.source,
        kind: FileKind::Spec,
        groups,
    }
}

/// A recording rule of `records:`, as written.
fn record(r: &Record) -> Rule {
    Rule {
        kind: RuleKind::Recording,
        name: r.name.clone(),
        expr: Expression::from_query(&r.expr),
        for_: None,
        keep_firing_for: None,
        labels: pairs(r.labels.clone(), r.span),
        annotations: Vec::new(),
        span: r.span,
    }
}

/// The selector of a threshold's recorded series.
pub fn recorded_selector(feature: &Feature, threshold: &Threshold) -> String {
    format!(
        "{}{{{}=\"{}\",{}=\"{}\"}}",
        names::record_name(feature, threshold),
        names::FEATURE_LABEL,
        feature.slug,
        names::THRESHOLD_LABEL,
        threshold.id
    )
}

/// The comparison value as written into PromQL.
pub fn promql_number(v: f64) -> String {
    format_number(v)
}

fn alert(
    project: &Project,
    feature: &Feature,
    threshold: &Threshold,
    index: usize,
    level: &LevelRule,
) -> Rule {
    let expr = format!(
        "{} {} {}",
        recorded_selector(feature, threshold),
        level.direction.operator(),
        promql_number(level.value)
    );
    let labels = alert_labels(feature, &threshold.labels, level);
    let mut annotations = BTreeMap::new();
    annotations.insert("summary".into(), summary(feature, threshold, level));
    annotations.insert("description".into(), description(feature, threshold, level));
    if let Some(runbook) = &threshold.runbook {
        annotations.insert("runbook_url".into(), runbook.clone());
    }
    annotations.insert(
        "dashboard_url".into(),
        names::dashboard_url(&project.grafana_url, feature, index),
    );
    Rule {
        kind: RuleKind::Alerting,
        name: Spanned::new(
            names::alert_name(feature, threshold),
            threshold
                .alert
                .as_ref()
                .map_or(threshold.id_span, |a| a.span),
        ),
        expr: Expression {
            text: expr,
            span: level.value_span,
            style: Style::Plain,
            exact: false,
            parsed: Default::default(),
        },
        for_: Some(Spanned::new(level.for_, level.for_span)),
        keep_firing_for: level.keep_firing_for.map(|d| Spanned::new(d, level.span)),
        labels: pairs(labels, level.span),
        annotations: pairs(annotations, level.span),
        span: level.span,
    }
}

/// The labels of every alert promspec generates: the feature's labels, then
/// `own` (the threshold's or the SLO's), then `feature`, `team`, `severity`
/// and `priority`, which nothing overrides.
pub fn alert_labels(
    feature: &Feature,
    own: &BTreeMap<String, String>,
    level: &LevelRule,
) -> BTreeMap<String, String> {
    let mut labels = feature.labels.clone();
    labels.extend(own.clone());
    labels.insert(names::FEATURE_LABEL.into(), feature.slug.clone());
    labels.insert(names::TEAM_LABEL.into(), feature.team.clone());
    labels.insert(
        names::SEVERITY_LABEL.into(),
        names::severity_value(level.level).into(),
    );
    labels.insert(names::PRIORITY_LABEL.into(), level.priority.clone());
    labels
}

/// The Go template that renders `$value` in the threshold's unit.
pub fn value_template(unit: Unit) -> &'static str {
    match unit {
        Unit::Seconds => "{{ $value | humanizeDuration }}",
        Unit::Ratio => "{{ $value | humanizePercentage }}",
        Unit::Percent => "{{ printf \"%.1f\" $value }}%",
        Unit::Bytes => "{{ $value | humanize1024 }}B",
        Unit::BytesPerSecond => "{{ $value | humanize1024 }}B/s",
        Unit::PerSecond => "{{ $value | humanize }}/s",
        Unit::Count => "{{ $value | humanize }}",
    }
}

fn summary(feature: &Feature, threshold: &Threshold, level: &LevelRule) -> String {
    if let Some(s) = &level.summary {
        return s.clone();
    }
    let value = units::humanize(level.value, threshold.unit);
    match (feature.docs_language, level.direction) {
        (Language::Ja, Direction::Above) => {
            format!("{}が{}を超えています", threshold.title, value)
        }
        (Language::Ja, Direction::Below) => {
            format!("{}が{}を下回っています", threshold.title, value)
        }
        (Language::En, d) => format!("{} is {} {}", threshold.title, d.as_str(), value),
    }
}

fn description(feature: &Feature, threshold: &Threshold, level: &LevelRule) -> String {
    let value = value_template(threshold.unit);
    let limit = units::humanize(level.value, threshold.unit);
    let for_ = units::format_duration(level.for_);
    let instance = "{{ with $labels.instance }} ({{ . }}){{ end }}";
    match feature.docs_language {
        Language::Ja => {
            let verb = match level.direction {
                Direction::Above => "を超えて",
                Direction::Below => "を下回って",
            };
            format!(
                "{}{instance}の現在値は {value} です。{} レベルの閾値 {limit} {verb}{for_}以上継続しています。",
                threshold.title,
                level.level.as_str()
            )
        }
        Language::En => format!(
            "{}{instance} is {value}, {} the {} level of {limit} for more than {for_}.",
            threshold.title,
            level.direction.as_str(),
            level.level.as_str()
        ),
    }
}

pub(crate) fn pairs(map: BTreeMap<String, String>, span: Span) -> Vec<Pair> {
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
    use std::collections::BTreeMap;
    use std::time::Duration;

    use crate::spec::targets::{
        MimirTarget, OperatorTarget, PartialResponse, ThanosTarget, VmalertTarget,
    };
    use crate::spec::testing::load;

    const FAST: &str = "feature: fast\nteam: ops\nevaluation_interval: 30s\nthresholds:\n  - id: queue\n    query: max(queue_depth)\n    warning: {above: 10, for: 1m}\nslos:\n  - id: up\n    objective: 99.9%\n    sli:\n      availability:\n        series: up{job=\"x\"}\n";

    #[test]
    fn every_group_of_a_feature_runs_at_its_own_interval() {
        let (ws, _) = load(&[("fast", FAST)]);
        let feature = &ws.features[0];
        let file = super::feature(&ws.project, feature);
        assert_eq!(
            file.groups.len(),
            2,
            "the threshold group and the SLO group"
        );
        for g in &file.groups {
            let interval = g.interval.as_ref().expect("an interval");
            assert_eq!(interval.value, Duration::from_secs(30), "{}", g.name.value);
            // Findings on the interval point at where the feature sets it.
            assert_eq!(Some(interval.span), feature.evaluation_interval_span);
        }
    }

    #[test]
    fn every_target_writes_the_feature_interval() {
        let (mut ws, _) = load(&[("fast", FAST)]);
        let targets = &mut ws.project.targets;
        targets.operator = Some(OperatorTarget {
            namespace: "monitoring".into(),
            labels: BTreeMap::new(),
        });
        targets.mimir = Some(MimirTarget {
            tenant: None,
            source_tenants: Vec::new(),
            query_offset: None,
        });
        targets.thanos = Some(ThanosTarget {
            partial_response_strategy: PartialResponse::Abort,
        });
        targets.vmalert = Some(VmalertTarget { concurrency: None });
        let mut outputs = crate::compile::prometheus::compile(&ws.project, &ws.features);
        outputs.extend(crate::compile::targets::compile(&ws.project, &ws.features));
        assert_eq!(outputs.len(), 5, "prometheus and the four targets");
        for o in &outputs {
            let intervals: Vec<&str> = o
                .content
                .lines()
                .filter_map(|l| l.trim_start().strip_prefix("interval: "))
                .collect();
            assert_eq!(intervals, ["30s", "30s"], "{}", o.path);
        }
        let tests = crate::compile::unittests::plan(&ws.project, &ws.features[0]);
        let text = crate::compile::unittests::render(&ws.project, &ws.features[0], &tests);
        assert!(text.contains("\nevaluation_interval: 30s\n"), "{text}");
        assert!(text.contains("\n    interval: 30s\n"), "{text}");
        assert!(!text.contains("interval: 1m"), "{text}");
    }
}
