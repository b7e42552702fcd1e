//! Imported features and the minimal project file as YAML text, with the
//! crate's deterministic emitter ([`crate::compile::yaml_out`]): keys in the
//! order a person reads a spec, a header saying where the rules came from.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::compile::yaml_out::{self, Value};
use crate::import::{Alert, Feature, LevelRule, Record, Threshold};
use crate::spec::model::Level;
use crate::spec::units::format_duration;

/// The name of the placeholder receiver of a created project file.
pub const PLACEHOLDER_RECEIVER: &str = "placeholder";

/// The spec text of `feature`.
pub fn feature(feature: &Feature) -> String {
    let mut doc = Value::map();
    doc.push("feature", Value::str(&feature.slug))
        .push("title", Value::str(&feature.title))
        .push("team", Value::str(&feature.team));
    if let Some(interval) = feature.evaluation_interval {
        doc.push("evaluation_interval", duration(interval));
    }
    if !feature.thresholds.is_empty() {
        doc.push(
            "thresholds",
            Value::Seq(feature.thresholds.iter().map(threshold).collect()),
        );
    }
    if !feature.alerts.is_empty() {
        doc.push(
            "alerts",
            Value::Seq(feature.alerts.iter().map(alert).collect()),
        );
    }
    if !feature.records.is_empty() {
        doc.push(
            "records",
            Value::Seq(feature.records.iter().map(record).collect()),
        );
    }
    let mut text =
        String::from("# yaml-language-server: $schema=../schemas/promspec.schema.json\n");
    text.push_str(&format!(
        "# Imported by `promspec import` from {}.\n",
        feature.sources.join(", ")
    ));
    let body = yaml_out::to_string(&doc);
    // Suppressions sit on the line before the item they apply to.
    for line in body.lines() {
        if let Some(id) = line.strip_prefix("  - id: ")
            && let Some(a) = feature
                .alerts
                .iter()
                .find(|a| a.id == id && !a.suppress.is_empty())
        {
            text.push_str(&format!(
                "  # promspec: disable={} imported as written\n",
                a.suppress.join(",")
            ));
        }
        text.push_str(line);
        text.push('\n');
    }
    text
}

fn string_map(map: &BTreeMap<String, String>) -> Value {
    Value::string_map(map.iter())
}

fn number(written: &str) -> Value {
    if let Ok(i) = written.parse::<i64>() {
        return Value::Int(i);
    }
    match written.parse::<f64>() {
        Ok(f) if !written.ends_with('%') => Value::Float(f),
        _ => Value::str(written),
    }
}

fn duration(d: Duration) -> Value {
    Value::str(format_duration(d))
}

fn threshold(t: &Threshold) -> Value {
    let mut v = Value::map();
    v.push("id", Value::str(&t.id));
    if let Some(name) = &t.alert {
        v.push("alert", Value::str(name));
    }
    if let Some(d) = &t.description {
        v.push("description", Value::str(d));
    }
    if let Some(r) = &t.runbook {
        v.push("runbook", Value::str(r));
    }
    v.push("query", Value::str(&t.query))
        .push("unit", Value::str(t.unit.name()));
    if !t.labels.is_empty() {
        v.push("labels", string_map(&t.labels));
    }
    for l in &t.levels {
        v.push(l.level.as_str(), level(l));
    }
    v
}

fn level(l: &LevelRule) -> Value {
    let mut v = Value::map();
    v.push(l.direction.as_str(), number(&l.written))
        .push("for", duration(l.for_));
    if let Some(k) = l.keep_firing_for {
        v.push("keep_firing_for", duration(k));
    }
    if let Some(s) = &l.summary {
        v.push("summary", Value::str(s));
    }
    v
}

fn alert(a: &Alert) -> Value {
    let mut v = Value::map();
    v.push("id", Value::str(&a.id));
    if let Some(name) = &a.alert {
        v.push("alert", Value::str(name));
    }
    v.push("expr", Value::str(&a.expr));
    if let Some(f) = a.for_ {
        v.push("for", duration(f));
    }
    if let Some(k) = a.keep_firing_for {
        v.push("keep_firing_for", duration(k));
    }
    v.push("level", Value::str(a.level.as_str()));
    if !a.labels.is_empty() {
        v.push("labels", string_map(&a.labels));
    }
    if !a.annotations.is_empty() {
        v.push(
            "annotations",
            Value::Map(
                a.annotations
                    .iter()
                    .map(|(k, val)| (k.clone(), Value::str(val)))
                    .collect(),
            ),
        );
    }
    v
}

fn record(r: &Record) -> Value {
    let mut v = Value::map();
    v.push("record", Value::str(&r.record))
        .push("expr", Value::str(&r.expr));
    if !r.labels.is_empty() {
        v.push("labels", string_map(&r.labels));
    }
    v
}

/// The levels the features use.
pub fn levels_used(features: &[Feature]) -> BTreeSet<Level> {
    let mut out = BTreeSet::new();
    for f in features {
        out.extend(
            f.thresholds
                .iter()
                .flat_map(|t| t.levels.iter().map(|l| l.level)),
        );
        out.extend(f.alerts.iter().map(|a| a.level));
    }
    out
}

/// A minimal project file: every level in `levels` (at least `warning`)
/// with a priority and the placeholder receiver.
pub fn project(levels: &BTreeSet<Level>, evaluation_interval: Duration) -> String {
    let mut levels = levels.clone();
    if levels.is_empty() {
        levels.insert(Level::Warning);
    }
    let priority = |l: Level| match l {
        Level::Critical => ("P1", "High", "1h"),
        Level::Warning => ("P2", "Medium", "4h"),
        Level::Info => ("P3", "Low", "1d"),
    };
    let mut priorities = Value::map();
    let mut severities = Value::map();
    for l in &levels {
        let (name, title, response) = priority(*l);
        let mut p = Value::map();
        p.push("title", Value::str(title))
            .push("response_time", Value::str(response));
        priorities.push(name, p);
        let mut s = Value::map();
        s.push("priority", Value::str(name)).push(
            "receivers",
            Value::Seq(vec![Value::str(PLACEHOLDER_RECEIVER)]),
        );
        severities.push(l.as_str(), s);
    }
    let mut webhook = Value::map();
    webhook.push("url", Value::str("http://127.0.0.1:9/replace-me"));
    let mut receiver = Value::map();
    receiver.push("webhook", webhook);
    let mut receivers = Value::map();
    receivers.push(PLACEHOLDER_RECEIVER, receiver);
    let mut defaults = Value::map();
    defaults.push("for", Value::str("5m"));
    let mut doc = Value::map();
    doc.push("project", Value::str("imported"))
        .push("grafana_url", Value::str("https://grafana.example.com"))
        .push("evaluation_interval", duration(evaluation_interval))
        .push("defaults", defaults)
        .push("priorities", priorities)
        .push("severities", severities)
        .push("receivers", receivers);
    let mut text = String::from(
        "# yaml-language-server: $schema=../schemas/project.schema.json\n\
         # Created by `promspec import`: the smallest project file the imported specs build with.\n\
         # Replace the placeholder receiver with where notifications should go.\n",
    );
    text.push_str(&yaml_out::to_string(&doc));
    text
}
