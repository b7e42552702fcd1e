//! What a feature spec holds besides thresholds and SLOs: the `alerts:`
//! section, the `records:` section, a threshold's `no_data:` alert and the
//! verbatim alert names (`alert:`) of thresholds and alerts.
//!
//! Expressions are kept as written; their PromQL is judged by the lint
//! engine on the rule-file IR (syntax at the expression's line and column).

use std::collections::BTreeMap;
use std::time::Duration;

use super::feature::{level_priority, level_receivers, notify_for};
use super::{Resolver, query};
use crate::diag::Diagnostic;
use crate::source::{Span, Spanned};
use crate::spec::model::*;
use crate::spec::raw;

/// The `absent_over_time` window of a no-data alert whose spec sets no `for`.
pub const DEFAULT_NO_DATA_WINDOW: Duration = Duration::from_secs(600);

/// Whether Prometheus accepts `s` as an alert name: any non-empty string
/// (rule files are UTF-8, so any string a spec holds).
/// [`is_identifier_alert_name`] is the conventional style.
pub fn is_alert_name(s: &str) -> bool {
    !s.is_empty()
}

/// Whether `s` is an identifier-style alert name (`^[a-zA-Z_][a-zA-Z0-9_]*$`),
/// the style `alerts/name-style` suggests.
pub fn is_identifier_alert_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `s` is a valid recorded series name (`^[a-zA-Z_:][a-zA-Z0-9_:]*$`).
pub fn is_record_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn invalid_alert_name(name: &raw::Str) -> Diagnostic {
    Diagnostic::error("spec/invalid-alert-name", "the alert name is empty")
        .with_label(name.span, "Prometheus rejects an empty alert name")
        .with_help(
            "name the alert, e.g. `NodeExporterDown`, or remove the empty name to get the default one",
        )
}

fn invalid_record_name(name: &raw::Str) -> Diagnostic {
    Diagnostic::error(
        "spec/invalid-record-name",
        format!("`{}` is not a valid recorded series name", name.value),
    )
    .with_label(name.span, "must match ^[a-zA-Z_:][a-zA-Z0-9_:]*$")
    .with_help("name it `level:metric:operations`, e.g. `job:http_requests:rate5m`")
}

fn unknown_level(level: &raw::Str) -> Diagnostic {
    Diagnostic::error(
        "spec/unknown-severity",
        format!("unknown level `{}`", level.value),
    )
    .with_label(level.span, "not an alert level")
    .with_help("the levels are `critical`, `warning` and `info`")
}

fn missing_severity(span: Span, what: &str, level: Level) -> Diagnostic {
    Diagnostic::error(
        "spec/unknown-severity",
        format!("the project defines no `{}` severity", level.as_str()),
    )
    .with_label(
        span,
        format!("this {what} has the {} level", level.as_str()),
    )
    .with_help(format!(
        "add `{}: {{priority: ..., receivers: [...]}}` under `severities` in the project file",
        level.as_str()
    ))
}

/// The verbatim alert name `alert:`, checked.
pub(in crate::spec) fn alert_name(
    raw: &Option<raw::Str>,
    r: &mut Resolver,
) -> Option<Spanned<String>> {
    let name = raw.as_ref()?;
    if !is_alert_name(&name.value) {
        r.report(invalid_alert_name(name));
    }
    Some(Spanned::new(name.value.clone(), name.span))
}

/// A level whose value does not matter (alerts, no-data alerts).
#[allow(clippy::too_many_arguments)]
fn level_rule(
    level: Level,
    for_: Duration,
    for_span: Span,
    keep_firing_for: Option<Duration>,
    priority: Option<&raw::Str>,
    notify: Option<&Vec<raw::Str>>,
    span: Span,
    what: &str,
    feature: &raw::FeatureSpec,
    project: &Project,
    r: &mut Resolver,
) -> LevelRule {
    let severity = project.severity(level);
    let priority = level_priority(r, priority, project, level, || {
        missing_severity(span, what, level)
    });
    let chosen = notify.or_else(|| notify_for(&feature.notify, level));
    let (receivers, receiver_refs, receivers_span) =
        level_receivers(chosen, project, severity, span);
    LevelRule {
        level,
        direction: Direction::Above,
        value: 0.0,
        written: String::new(),
        value_span: span,
        for_,
        for_span,
        keep_firing_for,
        priority,
        receivers,
        receiver_refs,
        receivers_span,
        summary: None,
        span,
    }
}

/// A threshold's `no_data:` alert, routed like that level of the threshold:
/// the level's own `notify` and `priority` when the threshold has the level,
/// else the threshold's `notify` for it, else the feature's, else the
/// severity's.
pub(super) fn no_data(
    t: &raw::Threshold,
    feature: &raw::FeatureSpec,
    project: &Project,
    r: &mut Resolver,
) -> Option<NoData> {
    let n = t.no_data.as_ref()?;
    let Some(level) = Level::parse(&n.level.value) else {
        r.report(unknown_level(&n.level));
        return None;
    };
    let window = match &n.for_ {
        Some(f) => r.duration(f)?,
        None => DEFAULT_NO_DATA_WINDOW,
    };
    if window.is_zero() {
        let span = n.for_.as_ref().map_or(n.span, |f| f.0.span);
        r.report(
            Diagnostic::error(
                "spec/invalid-value",
                "a no-data window of 0s never sees a sample",
            )
            .with_label(span, "the `absent_over_time` window")
            .with_help("write how long the series must be absent, e.g. `10m`"),
        );
        return None;
    }
    // The threshold's own level of that severity, when it has one: its
    // receivers and priority overrides apply to its no-data alert too.
    let same_level = match level {
        Level::Critical => t.critical.as_ref(),
        Level::Warning => t.warning.as_ref(),
        Level::Info => t.info.as_ref(),
    };
    let notify = same_level
        .and_then(|l| l.notify.as_ref())
        .or_else(|| notify_for(&t.notify, level));
    let alert = level_rule(
        level,
        window,
        n.for_.as_ref().map_or(n.span, |f| f.0.span),
        None,
        same_level.and_then(|l| l.priority.as_ref()),
        notify,
        n.span,
        "no-data alert",
        feature,
        project,
        r,
    );
    Some(NoData { alert, window })
}

/// The `alerts:` section.
pub(super) fn alerts(
    feature: &raw::FeatureSpec,
    project: &Project,
    taken: &mut Vec<Spanned<String>>,
    r: &mut Resolver,
) -> Vec<Alert> {
    let mut out = Vec::new();
    for a in feature.alerts.iter().flatten() {
        r.slug(&a.id, "alert id");
        super::feature::runbook_url(&a.runbook, r);
        super::feature::unique_id(&a.id, "alert id", taken, r);
        let alert = alert_name(&a.alert, r);
        let Some(level) = Level::parse(&a.level.value) else {
            r.report(unknown_level(&a.level));
            continue;
        };
        let for_ = a
            .for_
            .as_ref()
            .and_then(|f| r.duration(f))
            .unwrap_or_default();
        let keep_firing_for = a.keep_firing_for.as_ref().and_then(|k| r.duration(k));
        let level = level_rule(
            level,
            for_,
            a.for_.as_ref().map_or(a.level.span, |f| f.0.span),
            keep_firing_for,
            a.priority.as_ref(),
            a.notify.as_ref(),
            a.span,
            "alert",
            feature,
            project,
            r,
        );
        let labels = r.labels(&a.labels);
        let mut annotations = BTreeMap::new();
        for (k, v) in a.annotations.iter().flat_map(|m| m.entries.iter()) {
            if !super::is_label_name(&k.value) {
                r.report(
                    Diagnostic::error(
                        "spec/invalid-label",
                        format!("`{}` is not a valid annotation name", k.value),
                    )
                    .with_label(k.span, "must match ^[a-zA-Z_][a-zA-Z0-9_]*$")
                    .with_help("use letters, digits and `_`, e.g. `summary`"),
                );
                continue;
            }
            annotations.insert(k.value.clone(), v.value.clone());
        }
        out.push(Alert {
            id: a.id.value.clone(),
            id_span: a.id.span,
            alert,
            title: a
                .title
                .as_ref()
                .map_or_else(|| a.id.value.clone(), |v| v.value.clone()),
            group: a.group.as_ref().map(|v| v.value.clone()),
            description: a.description.as_ref().map(|v| v.value.clone()),
            action: a.action.as_ref().map(|v| v.value.clone()),
            runbook: a
                .runbook
                .as_ref()
                .or(feature.runbook.as_ref())
                .map(|v| v.value.clone()),
            expr: query(&a.expr),
            label_spans: Resolver::label_spans(&a.labels, &labels),
            labels,
            annotations,
            level,
            span: a.span,
        });
    }
    out
}

/// The `records:` section.
pub(super) fn records(feature: &raw::FeatureSpec, r: &mut Resolver) -> Vec<Record> {
    let mut out = Vec::new();
    for rec in feature.records.iter().flatten() {
        if !is_record_name(&rec.record.value) {
            r.report(invalid_record_name(&rec.record));
        }
        let mut labels = BTreeMap::new();
        for (k, v) in rec.labels.iter().flat_map(|m| m.entries.iter()) {
            if !super::is_label_name(&k.value) {
                r.report(
                    Diagnostic::error(
                        "spec/invalid-label",
                        format!("`{}` is not a valid label name", k.value),
                    )
                    .with_label(k.span, "must match ^[a-zA-Z_][a-zA-Z0-9_]*$")
                    .with_help("use letters, digits and `_`, e.g. `service`"),
                );
                continue;
            }
            labels.insert(k.value.clone(), v.value.clone());
        }
        out.push(Record {
            name: Spanned::new(rec.record.value.clone(), rec.record.span),
            expr: query(&rec.expr),
            labels,
            span: rec.span,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names() {
        for ok in ["HighCpu", "_x", "A1_b"] {
            assert!(is_alert_name(ok) && is_identifier_alert_name(ok), "{ok}");
        }
        // Prometheus accepts any non-empty name; the style check does not.
        for other in ["1x", "High-Cpu", "a:b", "日本", "Bloat(>80%)", " a", "a\nb"] {
            assert!(is_alert_name(other), "{other}");
            assert!(!is_identifier_alert_name(other), "{other}");
        }
        assert!(!is_alert_name(""));
    }

    #[test]
    fn record_names() {
        for ok in ["job:http_requests:rate5m", ":x", "_a", "up"] {
            assert!(is_record_name(ok), "{ok}");
        }
        for bad in ["", "1x", "a-b", "a{b}"] {
            assert!(!is_record_name(bad), "{bad}");
        }
    }
}
