//! Prometheus rule files: the rule-file IR of each feature
//! ([`lower::feature`]) rendered as YAML.

use std::collections::BTreeMap;

use crate::compile::conventions as names;
use crate::compile::yaml_out::{self, Value};
use crate::compile::{Output, lower};
use crate::rulefile::RuleFile;
use crate::rulefile::model::{Pair, Rule};
use crate::spec::model::{Feature, Project};
use crate::spec::units;

/// Render the rules of a feature (its IR, from [`lower::feature`]) as a rule file.
pub fn render(feature: &Feature, file: &RuleFile) -> String {
    let groups: Vec<Value> = file
        .groups
        .iter()
        .map(|g| {
            let items: Vec<Value> = g.rules.iter().map(rule).collect();
            let mut group = Value::map();
            group.push("name", Value::str(&g.name.value));
            if let Some(interval) = &g.interval {
                group.push(
                    "interval",
                    Value::str(units::format_duration(interval.value)),
                );
            }
            group.push("rules", Value::Seq(items));
            group
        })
        .collect();
    let mut doc = Value::map();
    doc.push("groups", Value::Seq(groups));
    let mut out = names::yaml_header(&names::spec_path(&feature.slug));
    out.push_str(&yaml_out::to_string(&doc));
    out
}

fn rule(r: &Rule) -> Value {
    let map = |pairs: &[Pair]| {
        Value::string_map(
            &pairs
                .iter()
                .map(|p| (p.key.value.clone(), p.value.value.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    };
    let mut m = Value::map();
    m.push(r.kind.key(), Value::str(&r.name.value))
        .push("expr", Value::str(r.expr.text.trim()));
    if let Some(for_) = &r.for_ {
        m.push("for", Value::str(units::format_duration(for_.value)));
    }
    if let Some(k) = &r.keep_firing_for {
        m.push(
            "keep_firing_for",
            Value::str(units::format_duration(k.value)),
        );
    }
    m.push("labels", map(&r.labels));
    if r.is_alert() {
        m.push("annotations", map(&r.annotations));
    }
    m
}

/// The rule file of every feature.
pub fn compile(project: &Project, features: &[Feature]) -> Vec<Output> {
    features
        .iter()
        .map(|f| Output {
            path: names::rules_path(f),
            content: render(f, &lower::feature(project, f)),
        })
        .collect()
}
