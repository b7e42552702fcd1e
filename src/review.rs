//! `promspec diff`: what a change to the specs does to what is deployed,
//! in the terms a reviewer cares about — alerts added, removed or renamed,
//! level values, `for`, receivers, priorities and response times, a
//! feature's evaluation interval, time
//! intervals, a receiver's own hours and notification templates,
//! dashboards and their panels — instead of a raw text diff of
//! `generated/` (swamped by the unit-test files).
//!
//! Owns comparing two resolved workspaces and rendering the report (human,
//! Markdown for a pull-request comment, JSON). Reading the base revision
//! out of git is the CLI's job.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::compile::alertmanager::{self, Alert, templates};
use crate::compile::conventions as names;
use crate::spec::model::{Integration, Receiver, TimeInterval, Workspace};
use crate::spec::units::format_duration;

/// One change a reviewer should see.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// What changed: `alert`, `feature`, `dashboard`, `time interval`, `receiver`.
    pub area: &'static str,
    /// The thing that changed (an alert name with its severity, a uid...).
    pub subject: String,
    /// The kind of change: `added`, `removed`, `renamed`, `level`, `for`, ...
    pub kind: &'static str,
    /// The value before, when there was one.
    pub before: Option<String>,
    /// The value after, when there is one.
    pub after: Option<String>,
    /// Why it matters, when that is not obvious.
    pub note: Option<String>,
}

/// Every change from `base` to `head`, in a stable order.
pub fn compare(base: &Workspace, head: &Workspace) -> Vec<Change> {
    let mut out = Vec::new();
    alerts(base, head, &mut out);
    evaluation_intervals(base, head, &mut out);
    dashboards(base, head, &mut out);
    intervals(
        &base.project.time_intervals,
        &head.project.time_intervals,
        &mut out,
    );
    receivers(base, head, &mut out);
    out.sort();
    out.dedup();
    out
}

/// What identifies one alert across revisions: feature, threshold, level.
type AlertKey = (String, String, &'static str);

/// The facts of one alert that a reviewer compares.
#[derive(Debug, Clone, PartialEq)]
struct AlertFacts {
    alertname: String,
    severity: &'static str,
    query: String,
    condition: String,
    for_: String,
    keep_firing_for: Option<String>,
    receivers: Vec<String>,
    priority: String,
    response_time: Option<String>,
    active: Vec<String>,
    muted: Vec<String>,
}

fn alert_facts(ws: &Workspace) -> BTreeMap<AlertKey, AlertFacts> {
    alertmanager::alerts(&ws.project, &ws.features)
        .iter()
        .map(|a: &Alert| {
            let severity = names::severity_value(a.level.level);
            let config = a.severity(&ws.project);
            // A threshold by its id and query; an SLO alert by its SLO and tier.
            let (item, query) = match (a.threshold, a.slo, a.spec_alert) {
                (Some(t), _, _) if a.no_data => {
                    (format!("{} no data", t.id), normalize(&t.query.text))
                }
                (Some(t), _, _) => (t.id.clone(), normalize(&t.query.text)),
                (None, _, Some(s)) => (format!("alert {}", s.id), normalize(&s.expr.text)),
                (None, Some((slo, tier)), _) => {
                    let item = match tier {
                        Some(tier) => format!("slo {} {tier:?}", slo.id),
                        None => format!("slo {} no data", slo.id),
                    };
                    (item.clone(), item)
                }
                (None, None, None) => (a.alertname.clone(), a.alertname.clone()),
            };
            (
                (a.feature.slug.clone(), item, severity),
                AlertFacts {
                    alertname: a.alertname.clone(),
                    severity,
                    query,
                    condition: if a.no_data {
                        format!("no data for {}", format_duration(a.level.for_))
                    } else if a.spec_alert.is_some() {
                        "its expression returns series".to_string()
                    } else {
                        format!("{} {}", a.level.direction.as_str(), a.level.written.trim())
                    },
                    for_: format_duration(a.level.for_),
                    keep_firing_for: a.level.keep_firing_for.map(format_duration),
                    receivers: a.expected_receivers(),
                    priority: a.level.priority.clone(),
                    response_time: ws
                        .project
                        .priority(&a.level.priority)
                        .map(|p| format_duration(p.response_time)),
                    active: config
                        .map(|c| c.active_time_intervals.clone())
                        .unwrap_or_default(),
                    muted: config
                        .map(|c| c.mute_time_intervals.clone())
                        .unwrap_or_default(),
                },
            )
        })
        .collect()
}

fn normalize(query: &str) -> String {
    query.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn subject(f: &AlertFacts) -> String {
    format!("{} ({})", f.alertname, f.severity)
}

fn alerts(base: &Workspace, head: &Workspace, out: &mut Vec<Change>) {
    let before = alert_facts(base);
    let after = alert_facts(head);
    let removed: Vec<&AlertKey> = before.keys().filter(|k| !after.contains_key(*k)).collect();
    let added: Vec<&AlertKey> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    // A removed and an added alert of the same severity reading the same
    // query are one alert under a new name.
    let mut renamed_to: BTreeSet<&AlertKey> = BTreeSet::new();
    let mut renamed_from: BTreeSet<&AlertKey> = BTreeSet::new();
    for old in &removed {
        let o = &before[*old];
        if let Some(new) = added.iter().find(|k| {
            !renamed_to.contains(**k) && {
                let n = &after[**k];
                n.severity == o.severity && n.query == o.query
            }
        }) {
            renamed_to.insert(new);
            renamed_from.insert(old);
            details(o, &after[*new], out);
        }
    }
    for old in removed.into_iter().filter(|k| !renamed_from.contains(*k)) {
        let o = &before[old];
        out.push(Change {
            area: "alert",
            subject: subject(o),
            kind: "removed",
            before: Some(format!("{} for {}", o.condition, o.for_)),
            after: None,
            note: None,
        });
    }
    for new in added.into_iter().filter(|k| !renamed_to.contains(*k)) {
        let n = &after[new];
        out.push(Change {
            area: "alert",
            subject: subject(n),
            kind: "added",
            before: None,
            after: Some(format!(
                "{} for {} → {}",
                n.condition,
                n.for_,
                n.receivers.join(", ")
            )),
            note: None,
        });
    }
    for (key, o) in &before {
        if let Some(n) = after.get(key) {
            details(o, n, out);
        }
    }
}

/// The differences between two versions of one alert.
fn details(o: &AlertFacts, n: &AlertFacts, out: &mut Vec<Change>) {
    // A threshold or alert kept under a new name (`alert:`, or a renamed id).
    if n.alertname != o.alertname {
        out.push(Change {
            area: "alert",
            subject: subject(o),
            kind: "renamed",
            before: Some(o.alertname.clone()),
            after: Some(n.alertname.clone()),
            note: Some(
                "silences, inhibitions and dashboards that match the old `alertname` stop matching"
                    .into(),
            ),
        });
    }
    let mut push = |kind: &'static str, before: String, after: String, note: Option<&str>| {
        if before != after {
            out.push(Change {
                area: "alert",
                subject: subject(n),
                kind,
                before: Some(before),
                after: Some(after),
                note: note.map(str::to_string),
            });
        }
    };
    push("level", o.condition.clone(), n.condition.clone(), None);
    push("for", o.for_.clone(), n.for_.clone(), None);
    let none = || "none".to_string();
    push(
        "keep_firing_for",
        o.keep_firing_for.clone().unwrap_or_else(none),
        n.keep_firing_for.clone().unwrap_or_else(none),
        None,
    );
    push("query", o.query.clone(), n.query.clone(), None);
    push(
        "receivers",
        o.receivers.join(", "),
        n.receivers.join(", "),
        Some("who gets notified"),
    );
    push("priority", o.priority.clone(), n.priority.clone(), None);
    push(
        "response time",
        o.response_time.clone().unwrap_or_else(none),
        n.response_time.clone().unwrap_or_else(none),
        None,
    );
    push(
        "active hours",
        list(&o.active),
        list(&n.active),
        Some("outside these time intervals the alert notifies nobody"),
    );
    push("muted hours", list(&o.muted), list(&n.muted), None);
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "always".into()
    } else {
        items.join(", ")
    }
}

/// Per feature in both revisions: how often its rule groups are evaluated
/// (its own `evaluation_interval`, else the project's).
fn evaluation_intervals(base: &Workspace, head: &Workspace, out: &mut Vec<Change>) {
    for new in &head.features {
        let Some(old) = base.features.iter().find(|f| f.slug == new.slug) else {
            continue;
        };
        if old.evaluation_interval != new.evaluation_interval {
            out.push(Change {
                area: "feature",
                subject: new.slug.clone(),
                kind: "evaluation interval",
                before: Some(format_duration(old.evaluation_interval)),
                after: Some(format_duration(new.evaluation_interval)),
                note: Some(
                    "its alerts are evaluated this often: a `for` shorter than it waits one interval, and alerts fire and resolve that much later or sooner"
                        .into(),
                ),
            });
        }
    }
}

fn dashboards(base: &Workspace, head: &Workspace, out: &mut Vec<Change>) {
    // Per feature: its dashboard uid, and which threshold each panel shows.
    let panels = |ws: &Workspace| -> BTreeMap<String, (String, BTreeMap<u32, String>)> {
        ws.features
            .iter()
            .map(|f| {
                let panels = f
                    .thresholds
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (names::timeseries_panel_id(i), t.id.clone()))
                    .collect();
                (f.slug.clone(), (names::dashboard_uid(&f.slug), panels))
            })
            .collect()
    };
    let before = panels(base);
    let after = panels(head);
    let change = |subject: String,
                  kind,
                  before: Option<String>,
                  after: Option<String>,
                  note: Option<&str>| Change {
        area: "dashboard",
        subject,
        kind,
        before,
        after,
        note: note.map(str::to_string),
    };
    for (slug, (uid, old_panels)) in &before {
        let Some((new_uid, new_panels)) = after.get(slug) else {
            out.push(change(
                uid.clone(),
                "removed",
                Some(slug.clone()),
                None,
                Some("links to it in old notifications and bookmarks break"),
            ));
            continue;
        };
        if uid != new_uid {
            out.push(change(
                slug.clone(),
                "uid",
                Some(uid.clone()),
                Some(new_uid.clone()),
                Some("every `dashboard_url` of the feature's alerts changes"),
            ));
        }
        for (id, threshold) in old_panels {
            let subject = format!("{new_uid} viewPanel={id}");
            match new_panels.get(id) {
                None => out.push(change(subject, "removed", Some(threshold.clone()), None, None)),
                Some(now) if now != threshold => out.push(change(
                    subject,
                    "panel",
                    Some(threshold.clone()),
                    Some(now.clone()),
                    Some("links in notifications sent before the change open the new threshold's panel"),
                )),
                _ => {}
            }
        }
        for (id, threshold) in new_panels {
            if !old_panels.contains_key(id) {
                out.push(change(
                    format!("{new_uid} viewPanel={id}"),
                    "added",
                    None,
                    Some(threshold.clone()),
                    None,
                ));
            }
        }
    }
    for (slug, (uid, _)) in &after {
        if !before.contains_key(slug) {
            out.push(change(uid.clone(), "added", None, Some(slug.clone()), None));
        }
    }
}

fn describe_interval(i: &TimeInterval) -> String {
    i.ranges
        .iter()
        .map(|r| {
            let mut parts = Vec::new();
            if !r.weekdays.is_empty() {
                parts.push(r.weekdays.join(","));
            }
            if !r.times.is_empty() {
                parts.push(
                    r.times
                        .iter()
                        .map(|(a, b)| format!("{a}-{b}"))
                        .collect::<Vec<_>>()
                        .join(","),
                );
            }
            if !r.days_of_month.is_empty() {
                parts.push(format!("days {}", r.days_of_month.join(",")));
            }
            if !r.months.is_empty() {
                parts.push(format!("months {}", r.months.join(",")));
            }
            if let Some(location) = &r.location {
                parts.push(location.clone());
            }
            parts.join(" ")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn intervals(before: &[TimeInterval], after: &[TimeInterval], out: &mut Vec<Change>) {
    let map = |v: &[TimeInterval]| -> BTreeMap<String, String> {
        v.iter()
            .map(|i| (i.name.clone(), describe_interval(i)))
            .collect()
    };
    let (before, after) = (map(before), map(after));
    for (name, old) in &before {
        match after.get(name) {
            None => out.push(Change {
                area: "time interval",
                subject: name.clone(),
                kind: "removed",
                before: Some(old.clone()),
                after: None,
                note: None,
            }),
            Some(new) if new != old => out.push(Change {
                area: "time interval",
                subject: name.clone(),
                kind: "hours",
                before: Some(old.clone()),
                after: Some(new.clone()),
                note: Some("every alert active or muted in this interval follows".into()),
            }),
            _ => {}
        }
    }
    for (name, new) in &after {
        if !before.contains_key(name) {
            out.push(Change {
                area: "time interval",
                subject: name.clone(),
                kind: "added",
                before: None,
                after: Some(new.clone()),
                note: None,
            });
        }
    }
}

fn receivers(base: &Workspace, head: &Workspace, out: &mut Vec<Change>) {
    let names = |ws: &Workspace| -> BTreeSet<String> {
        ws.project
            .receivers
            .iter()
            .map(|r| r.name.clone())
            .collect()
    };
    let (before, after) = (names(base), names(head));
    for r in before.difference(&after) {
        out.push(Change {
            area: "receiver",
            subject: r.clone(),
            kind: "removed",
            before: Some(r.clone()),
            after: None,
            note: None,
        });
    }
    for r in after.difference(&before) {
        out.push(Change {
            area: "receiver",
            subject: r.clone(),
            kind: "added",
            before: None,
            after: Some(r.clone()),
            note: None,
        });
    }
    for old in &base.project.receivers {
        if let Some(new) = head.project.receivers.iter().find(|r| r.name == old.name) {
            receiver_details(old, new, out);
        }
    }
}

/// The differences between two versions of one receiver: its own hours and
/// the templates of the notification fields it may write itself.
fn receiver_details(o: &Receiver, n: &Receiver, out: &mut Vec<Change>) {
    let mut push = |subject: String, kind, before: String, after: String, note: &str| {
        if before != after {
            out.push(Change {
                area: "receiver",
                subject,
                kind,
                before: Some(before),
                after: Some(after),
                note: Some(note.to_string()),
            });
        }
    };
    let hours = |list: &[String], none: &str| {
        if list.is_empty() {
            none.to_string()
        } else {
            list.join(", ")
        }
    };
    push(
        n.name.clone(),
        "active hours",
        hours(&o.active_time_intervals, "the level's"),
        hours(&n.active_time_intervals, "the level's"),
        "outside these time intervals the receiver is not notified, whatever the level",
    );
    push(
        n.name.clone(),
        "muted hours",
        hours(&o.mute_time_intervals, "none"),
        hours(&n.mute_time_intervals, "none"),
        "within these time intervals the receiver is not notified",
    );
    let (before, after) = (templated_fields(o), templated_fields(n));
    for (field, old) in &before {
        if let Some(new) = after.get(field) {
            push(
                format!("{} {field}", n.name),
                "template",
                old.clone(),
                new.clone(),
                "what the notification says",
            );
        }
    }
}

/// The notification fields a receiver may write itself, by
/// `<integration>.<field>`: its own template, else promspec's.
fn templated_fields(r: &Receiver) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for i in &r.integrations {
        let (kind, defaults, overrides) = match i {
            Integration::Slack { overrides, .. } => ("slack", templates::slack(), overrides),
            Integration::Email { overrides, .. } => ("email", templates::email(), overrides),
            Integration::Pagerduty { overrides, .. } => {
                ("pagerduty", templates::pagerduty(), overrides)
            }
            Integration::Opsgenie { overrides, .. } => {
                ("opsgenie", templates::opsgenie(), overrides)
            }
            Integration::Webhook { .. } => continue,
        };
        for (field, default) in defaults {
            if templates::OVERRIDABLE.contains(&(kind, field)) {
                let value = overrides
                    .iter()
                    .find(|(k, _)| *k == field)
                    .map_or(default, |(_, v)| v.clone());
                out.insert(format!("{kind}.{field}"), value);
            }
        }
    }
    out
}

/// `text` on one line: control characters (a newline in an alert name, a
/// multi-line template) shown escaped, so each change stays one line.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The report for a terminal.
pub fn human(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "no change to alerts, routing or dashboards\n".into();
    }
    let mut out = String::new();
    for c in changes {
        let (before, after) = (
            c.before.as_deref().map(one_line),
            c.after.as_deref().map(one_line),
        );
        let _ = write!(out, "{} {}: {}", c.area, one_line(&c.subject), c.kind);
        match (&before, &after) {
            (Some(b), Some(a)) => {
                let _ = write!(out, " {b} → {a}");
            }
            (None, Some(a)) => {
                let _ = write!(out, " {a}");
            }
            (Some(b), None) => {
                let _ = write!(out, " (was {b})");
            }
            (None, None) => {}
        }
        if let Some(note) = &c.note {
            let _ = write!(out, " — {}", one_line(note));
        }
        out.push('\n');
    }
    out
}

/// The report as a Markdown table, for a pull-request comment.
pub fn markdown(changes: &[Change]) -> String {
    let mut out = String::from("### promspec: what this change does\n\n");
    if changes.is_empty() {
        out.push_str("No change to alerts, routing or dashboards.\n");
        return out;
    }
    out.push_str("| | what | change | before | after | why it matters |\n| --- | --- | --- | --- | --- | --- |\n");
    let cell = |s: &Option<String>| {
        s.as_deref()
            .map(crate::compile::markdown::code)
            .unwrap_or_default()
    };
    for c in changes {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            c.area,
            crate::compile::markdown::text(&c.subject),
            c.kind,
            cell(&c.before),
            cell(&c.after),
            c.note.as_deref().unwrap_or("").replace('|', "\\|"),
        );
    }
    out
}

/// The report as JSON.
pub fn json(changes: &[Change]) -> String {
    let mut s = serde_json::to_string_pretty(changes).expect("changes serialize");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_change_stays_one_line_in_the_human_report() {
        let change = Change {
            area: "alert",
            subject: "Disk\nFull (critical)".into(),
            kind: "renamed",
            before: Some("a\tb".into()),
            after: Some("{{ .X }}\n{{ .Y }}".into()),
            note: Some("silences on the old\nname".into()),
        };
        let text = human(&[change]);
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.starts_with(r"alert Disk\nFull (critical): renamed a\tb → "));
        assert!(text.contains(r"{{ .X }}\n{{ .Y }}"));
    }
}
