//! Prometheus rule files: one recording rule per threshold holding the
//! value, one alerting rule per level comparing the recorded series.
//!
//! Alert and dashboard read the same recorded series. Levels of a threshold
//! share the alert name and differ by the `severity` label.

use std::collections::BTreeMap;

use crate::compile::Output;
use crate::compile::conventions as names;
use crate::compile::yaml_out::{self, Value};
use crate::spec::model::{Feature, Language, LevelRule, Project, Threshold};
use crate::spec::units::{self, Unit, format_number};

/// One generated rule, kept as data so tests and linters can inspect it.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// A recording rule.
    Record {
        /// Series name.
        record: String,
        /// Expression.
        expr: String,
        /// Labels.
        labels: BTreeMap<String, String>,
    },
    /// An alerting rule.
    Alert {
        /// Alert name.
        alert: String,
        /// Expression.
        expr: String,
        /// `for`.
        for_: String,
        /// `keep_firing_for`.
        keep_firing_for: Option<String>,
        /// Labels.
        labels: BTreeMap<String, String>,
        /// Annotations.
        annotations: BTreeMap<String, String>,
    },
}

/// The rules of one feature.
pub fn rules(project: &Project, feature: &Feature) -> Vec<Rule> {
    let mut out = Vec::new();
    for (index, threshold) in feature.thresholds.iter().enumerate() {
        let record = names::record_name(feature, threshold);
        let mut labels = BTreeMap::new();
        labels.insert(names::FEATURE_LABEL.to_string(), feature.slug.clone());
        labels.insert(names::THRESHOLD_LABEL.to_string(), threshold.id.clone());
        out.push(Rule::Record {
            record: record.clone(),
            expr: threshold.query.text.trim().to_string(),
            labels,
        });
        for level in &threshold.levels {
            out.push(alert_rule(project, feature, threshold, index, level));
        }
    }
    out
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

fn alert_rule(
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
    let mut labels = feature.labels.clone();
    labels.extend(threshold.labels.clone());
    labels.insert(names::FEATURE_LABEL.into(), feature.slug.clone());
    labels.insert(names::TEAM_LABEL.into(), feature.team.clone());
    labels.insert(
        names::SEVERITY_LABEL.into(),
        names::severity_value(level.level).into(),
    );
    labels.insert(names::PRIORITY_LABEL.into(), level.priority.clone());
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
    Rule::Alert {
        alert: names::alert_name(feature, threshold),
        expr,
        for_: units::format_duration(level.for_),
        keep_firing_for: level.keep_firing_for.map(units::format_duration),
        labels,
        annotations,
    }
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
        (Language::Ja, crate::spec::model::Direction::Above) => {
            format!("{}が{}を超えています", threshold.title, value)
        }
        (Language::Ja, crate::spec::model::Direction::Below) => {
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
                crate::spec::model::Direction::Above => "を超えて",
                crate::spec::model::Direction::Below => "を下回って",
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

/// Render the rules of a feature as a rule file.
pub fn render(project: &Project, feature: &Feature, rules: &[Rule]) -> String {
    let items: Vec<Value> = rules
        .iter()
        .map(|r| match r {
            Rule::Record {
                record,
                expr,
                labels,
            } => {
                let mut m = Value::map();
                m.push("record", Value::str(record))
                    .push("expr", Value::str(expr))
                    .push("labels", Value::string_map(labels));
                m
            }
            Rule::Alert {
                alert,
                expr,
                for_,
                keep_firing_for,
                labels,
                annotations,
            } => {
                let mut m = Value::map();
                m.push("alert", Value::str(alert))
                    .push("expr", Value::str(expr))
                    .push("for", Value::str(for_));
                if let Some(k) = keep_firing_for {
                    m.push("keep_firing_for", Value::str(k));
                }
                m.push("labels", Value::string_map(labels))
                    .push("annotations", Value::string_map(annotations));
                m
            }
        })
        .collect();
    let mut group = Value::map();
    group
        .push("name", Value::str(names::group_name(feature)))
        .push(
            "interval",
            Value::str(units::format_duration(project.evaluation_interval)),
        )
        .push("rules", Value::Seq(items));
    let mut doc = Value::map();
    doc.push("groups", Value::Seq(vec![group]));
    let mut out = names::yaml_header(&names::spec_path(&feature.slug));
    out.push_str(&yaml_out::to_string(&doc));
    out
}

/// The rule file of every feature.
pub fn compile(project: &Project, features: &[Feature]) -> Vec<Output> {
    features
        .iter()
        .map(|f| Output {
            path: names::rules_path(f),
            content: render(project, f, &rules(project, f)),
        })
        .collect()
}
