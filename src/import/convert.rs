//! Rules → features: which feature each rule goes to, and whether an alert
//! becomes a threshold level or stays an alert.
//!
//! An alert name whose rules all read `<query> > <number>` or `< <number>`
//! on the same query and labels, with severities that map to distinct
//! levels and no annotation other than `summary`, `description` and
//! `runbook_url`, becomes one threshold with one level per rule. Any other
//! alert is kept as written, with the reason in the feature's notes.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::import::shape::{self, Comparison};
use crate::import::{Alert, Feature, LevelRule, Options, Record, Split, Threshold, slug, unique};
use crate::rulefile::{Group, Rule, RuleFile};
use crate::spec::model::Level;
use crate::spec::units::{Unit, format_duration};

/// The level of an alert whose severity is missing or unknown.
pub const DEFAULT_LEVEL: Level = Level::Warning;

/// Annotations a threshold keeps; any other keeps the alert as written.
const THRESHOLD_ANNOTATIONS: &[&str] = &["summary", "description", "runbook_url"];

/// A rule file read from the command line.
pub struct Source<'a> {
    /// The path as given.
    pub path: String,
    /// The rules.
    pub file: &'a RuleFile,
}

struct Bucket<'a> {
    key: String,
    title: String,
    /// How often the rules are evaluated: their groups' `interval:`, else
    /// the project's evaluation interval.
    interval: Duration,
    /// Set when the rules of `key` come from groups evaluated at different
    /// intervals: the feature the other rules went to.
    split_from: Option<String>,
    sources: Vec<String>,
    rules: Vec<(&'a Group, &'a Rule)>,
}

/// How often `group` is evaluated: its `interval:` (`0s` means the global
/// one), else the project's.
fn group_interval(group: &Group, options: &Options) -> Duration {
    group
        .interval
        .as_ref()
        .map(|i| i.value)
        .filter(|i| !i.is_zero())
        .unwrap_or(options.evaluation_interval)
}

/// Split the rules of `sources` into features and convert them.
///
/// A feature has one evaluation interval: rules that would share a feature
/// (the same group name or label value) but come from groups evaluated at
/// different intervals go to one feature per interval, the later ones with
/// the interval in their title and slug (`payments-30s`), and a note says so.
pub fn features(sources: &[Source<'_>], options: &Options) -> Vec<Feature> {
    let mut buckets: Vec<Bucket<'_>> = Vec::new();
    for source in sources {
        for (group, rule) in source.file.rules() {
            let (key, title) = match &options.split {
                Split::Label(label) => match rule.label(label) {
                    Some(p) => (
                        format!("label\u{0}{}", p.value.value),
                        p.value.value.clone(),
                    ),
                    None => (
                        format!("group\u{0}{}", group.name.value),
                        group.name.value.clone(),
                    ),
                },
                Split::Group => (
                    format!("group\u{0}{}", group.name.value),
                    group.name.value.clone(),
                ),
            };
            let interval = group_interval(group, options);
            let index = match buckets
                .iter()
                .position(|b| b.key == key && b.interval == interval)
            {
                Some(i) => i,
                None => {
                    // The first interval seen for a key keeps its title.
                    let first = buckets.iter().find(|b| b.key == key);
                    let split_from = first.map(|b| b.title.clone());
                    let title = match first {
                        Some(_) => format!("{title} {}", format_duration(interval)),
                        None => title,
                    };
                    buckets.push(Bucket {
                        key,
                        title,
                        interval,
                        split_from,
                        sources: Vec::new(),
                        rules: Vec::new(),
                    });
                    buckets.len() - 1
                }
            };
            let bucket = &mut buckets[index];
            if !bucket.sources.contains(&source.path) {
                bucket.sources.push(source.path.clone());
            }
            bucket.rules.push((group, rule));
        }
    }
    let mut slugs = BTreeSet::new();
    buckets
        .iter()
        .map(|b| feature(b, options, &mut slugs))
        .collect()
}

fn feature(bucket: &Bucket<'_>, options: &Options, slugs: &mut BTreeSet<String>) -> Feature {
    let feature_slug = unique(&slug(&bucket.title, "rules"), slugs);
    let team = team_of(&bucket.rules).unwrap_or_else(|| options.team.clone());
    let mut notes = Vec::new();
    let evaluation_interval =
        (bucket.interval != options.evaluation_interval).then_some(bucket.interval);
    if let Some(interval) = evaluation_interval {
        notes.push(format!(
            "its groups' `interval: {0}` is kept as `evaluation_interval: {0}` (the project evaluates every {1})",
            format_duration(interval),
            format_duration(options.evaluation_interval)
        ));
    }
    if let Some(other) = &bucket.split_from {
        notes.push(format!(
            "split from `{other}`: its rules come from groups evaluated every {}, and a feature has one evaluation interval",
            format_duration(bucket.interval)
        ));
    }
    let mut records = Vec::new();
    // Alerts by name, in order of first appearance.
    let mut by_name: Vec<(String, Vec<&Rule>)> = Vec::new();
    for (_, rule) in &bucket.rules {
        if !rule.is_alert() {
            records.push(Record {
                record: rule.name.value.clone(),
                expr: rule.expr.text.trim().to_string(),
                labels: labels(rule),
            });
            continue;
        }
        match by_name.iter_mut().find(|(n, _)| *n == rule.name.value) {
            Some((_, rules)) => rules.push(rule),
            None => by_name.push((rule.name.value.clone(), vec![rule])),
        }
    }
    let mut ids = BTreeSet::new();
    let mut thresholds = Vec::new();
    let mut alerts = Vec::new();
    for (name, rules) in &by_name {
        match threshold(name, rules, options) {
            Ok(mut t) => {
                t.id = unique(&slug(name, "alert"), &mut ids);
                for rule in rules {
                    note_labels(rule, &team, &mut notes);
                }
                thresholds.push(t);
            }
            Err(reason) => {
                for rule in rules {
                    let mut alert = kept(rule, &reason);
                    alert.id = unique(&slug(name, "alert"), &mut ids);
                    note_kept(&alert, rule, &mut notes);
                    note_labels(rule, &team, &mut notes);
                    alerts.push(alert);
                }
            }
        }
    }
    Feature {
        slug: feature_slug,
        title: bucket.title.clone(),
        team,
        evaluation_interval,
        sources: bucket.sources.clone(),
        thresholds,
        alerts,
        records,
        notes,
    }
}

/// The most common `team` label of the rules (the first on a tie).
fn team_of(rules: &[(&Group, &Rule)]) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for (_, rule) in rules {
        let Some(team) = rule.label("team") else {
            continue;
        };
        let team = crate::import::slug(&team.value.value, "team");
        match counts.iter_mut().find(|(t, _)| *t == team) {
            Some((_, n)) => *n += 1,
            None => counts.push((team, 1)),
        }
    }
    let max = counts.iter().map(|(_, n)| *n).max()?;
    counts.into_iter().find(|(_, n)| *n == max).map(|(t, _)| t)
}

/// Labels other than `severity`.
fn labels(rule: &Rule) -> BTreeMap<String, String> {
    rule.labels
        .iter()
        .filter(|p| p.key.value != "severity")
        .map(|p| (p.key.value.clone(), p.value.value.clone()))
        .collect()
}

fn severity(rule: &Rule) -> Option<&str> {
    rule.label("severity").map(|p| p.value.value.as_str())
}

fn threshold(name: &str, rules: &[&Rule], options: &Options) -> Result<Threshold, String> {
    let mut levels = Vec::new();
    let mut query: Option<String> = None;
    let mut common_labels: Option<BTreeMap<String, String>> = None;
    let mut templates: Vec<&str> = Vec::new();
    for rule in rules {
        let cmp: Comparison =
            shape::comparison(&rule.expr.text, options.dialect).map_err(|e| e.reason())?;
        let Some(severity) = severity(rule) else {
            return Err("it has no `severity` label".into());
        };
        let Some(level) = shape::level_of(severity) else {
            return Err(format!("severity `{severity}` maps to no level"));
        };
        if let Some(extra) = rule
            .annotations
            .iter()
            .find(|a| !THRESHOLD_ANNOTATIONS.contains(&a.key.value.as_str()))
        {
            return Err(format!(
                "annotation `{}` has no place in a threshold",
                extra.key.value
            ));
        }
        if levels.iter().any(|l: &LevelRule| l.level == level) {
            return Err(format!(
                "{} rules named `{name}` map to the {} level",
                rules.len(),
                level.as_str()
            ));
        }
        if query.as_ref().is_some_and(|q| *q != cmp.query) {
            return Err(format!(
                "the rules named `{name}` compare different queries"
            ));
        }
        let own = labels(rule);
        if common_labels.as_ref().is_some_and(|l| *l != own) {
            return Err(format!(
                "the rules named `{name}` differ in labels other than `severity`"
            ));
        }
        templates.extend(rule.annotations.iter().map(|a| a.value.value.as_str()));
        query = Some(cmp.query.clone());
        common_labels = Some(own);
        levels.push(LevelRule {
            level,
            severity: severity.to_string(),
            direction: cmp.direction,
            value: cmp.value,
            written: cmp.written,
            for_: rule.for_.as_ref().map_or(Duration::ZERO, |f| f.value),
            keep_firing_for: rule.keep_firing_for.as_ref().map(|k| k.value),
            summary: rule.annotation("summary").map(|a| a.value.value.clone()),
        });
    }
    let query = query.ok_or("no rule")?;
    let mut unit = shape::infer_unit(&query, &templates, options.dialect);
    if !levels.iter().all(|l| shape::fits(unit, l.value)) {
        unit = Unit::Count;
    }
    if unit == Unit::Percent {
        for l in &mut levels {
            l.written = format!("{}%", l.written);
        }
    }
    levels.sort_by_key(|l| l.level);
    // The most severe rule's texts describe the threshold.
    let first = rules
        .iter()
        .find(|r| severity(r).and_then(shape::level_of) == Some(levels[0].level))
        .unwrap_or(&rules[0]);
    let mut labels = common_labels.unwrap_or_default();
    labels.remove("team");
    Ok(Threshold {
        id: String::new(),
        alert: Some(name.to_string()),
        query,
        unit,
        labels,
        runbook: first
            .annotation("runbook_url")
            .map(|a| a.value.value.clone()),
        description: first
            .annotation("description")
            .map(|a| a.value.value.clone()),
        levels,
        originals: rules.iter().map(|r| kept(r, "")).collect(),
    })
}

/// An alert kept as written.
fn kept(rule: &Rule, reason: &str) -> Alert {
    let mut labels = labels(rule);
    labels.remove("team");
    Alert {
        id: String::new(),
        alert: Some(rule.name.value.clone()),
        expr: rule.expr.text.trim().to_string(),
        for_: rule.for_.as_ref().map(|f| f.value),
        keep_firing_for: rule.keep_firing_for.as_ref().map(|k| k.value),
        level: severity(rule)
            .and_then(shape::level_of)
            .unwrap_or(DEFAULT_LEVEL),
        labels,
        annotations: rule
            .annotations
            .iter()
            .map(|a| (a.key.value.clone(), a.value.value.clone()))
            .collect(),
        reason: reason.to_string(),
        suppress: Vec::new(),
    }
}

fn note_kept(alert: &Alert, rule: &Rule, notes: &mut Vec<String>) {
    let mut note = format!("`{}` kept as alert: {}", rule.name.value, alert.reason);
    match severity(rule) {
        None => note.push_str(&format!("; no severity, level {}", DEFAULT_LEVEL.as_str())),
        Some(s) if shape::level_of(s).is_none() => note.push_str(&format!(
            "; unknown severity `{s}`, level {}",
            DEFAULT_LEVEL.as_str()
        )),
        _ => {}
    }
    if !notes.contains(&note) {
        notes.push(note);
    }
}

/// Labels the generated alert overrides.
fn note_labels(rule: &Rule, team: &str, notes: &mut Vec<String>) {
    if let Some(s) = severity(rule).filter(|s| shape::level_of(s).is_some_and(|l| l.as_str() != *s))
    {
        let level = shape::level_of(s).map_or("", |l| l.as_str());
        let note = format!("severity `{s}` becomes level {level}");
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    if let Some(t) = rule.label("team").filter(|t| t.value.value != team) {
        let note = format!(
            "`{}`: label team=`{}` becomes the feature's team `{team}`",
            rule.name.value, t.value.value
        );
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
}

/// The alerts a threshold came from, kept as written because of `reason`.
pub fn demote(threshold: &Threshold, reason: &str, ids: &mut BTreeSet<String>) -> Vec<Alert> {
    ids.remove(&threshold.id);
    threshold
        .originals
        .iter()
        .map(|a| {
            let mut a = a.clone();
            a.reason = reason.to_string();
            a.id = unique(&threshold.id, ids);
            a
        })
        .collect()
}
