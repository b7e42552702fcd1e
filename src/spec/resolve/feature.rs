//! Feature specs: labels, thresholds and levels (SLOs resolve in `spec::slo`).

use super::url::{absolute_url, invalid_url};
use super::{Resolver, language, query, receiver_refs};
use crate::diag::Diagnostic;
use crate::source::SourceId;
use crate::source::{Span, Spanned};
use crate::spec::decode::did_you_mean;
use crate::spec::model::*;
use crate::spec::raw;
use crate::spec::units::{self, Unit};

/// Resolve one feature spec against the project.
pub fn resolve_feature(
    raw: &raw::FeatureSpec,
    project: &Project,
    source: SourceId,
    diagnostics: &mut Vec<Diagnostic>,
) -> Feature {
    let mut r = Resolver { diagnostics };
    r.slug(&raw.feature, "feature slug");
    runbook_url(&raw.runbook, &mut r);
    let mut labels = project.labels.clone();
    let mut label_spans = project.label_spans.clone();
    let own = r.labels(&raw.labels);
    label_spans.extend(Resolver::label_spans(&raw.labels, &own));
    labels.extend(own);
    let docs_language = language(&raw.docs_language, &mut r).unwrap_or(project.docs_language);
    // Checked as the project's `evaluation_interval` is; a wrong one falls
    // back to the project's.
    let evaluation_interval = r.duration_or(&raw.evaluation_interval, project.evaluation_interval);
    let mut taken: Vec<Spanned<String>> = Vec::new();
    let mut thresholds = Vec::new();
    for t in raw.thresholds.iter().flatten() {
        r.slug(&t.id, "threshold id");
        runbook_url(&t.runbook, &mut r);
        unique_id(&t.id, "threshold id", &mut taken, &mut r);
        if let Some(th) = threshold(t, raw, project, &mut r) {
            thresholds.push(th);
        }
    }
    let slos = crate::spec::slo::resolve::slos(raw, project, evaluation_interval, &mut r);
    taken.extend(
        raw.slos
            .iter()
            .flatten()
            .map(|s| Spanned::new(s.id.value.clone(), s.id.span)),
    );
    let alerts = super::alerts::alerts(raw, project, &mut taken, &mut r);
    let records = super::alerts::records(raw, &mut r);
    Feature {
        source,
        slug: raw.feature.value.clone(),
        slug_span: raw.feature.span,
        title: raw
            .title
            .as_ref()
            .map_or_else(|| raw.feature.value.clone(), |t| t.value.clone()),
        team: raw.team.value.clone(),
        runbook: raw.runbook.as_ref().map(|u| u.value.clone()),
        description: raw.description.as_ref().map(|d| d.value.clone()),
        labels,
        label_spans,
        docs_language,
        evaluation_interval,
        evaluation_interval_span: raw.evaluation_interval.as_ref().map(|d| d.0.span),
        thresholds,
        slos,
        alerts,
        records,
    }
}

/// Report `id` when a threshold or an alert of the feature already uses it;
/// remember it otherwise.
pub(super) fn unique_id(
    id: &raw::Str,
    what: &str,
    taken: &mut Vec<Spanned<String>>,
    r: &mut Resolver,
) {
    if let Some(first) = taken.iter().find(|o| o.value == id.value) {
        r.report(
            Diagnostic::error(
                "spec/duplicate-id",
                format!("{what} `{}` is used twice", id.value),
            )
            .with_label(id.span, "used again here")
            .with_secondary(first.span, "first used here")
            .with_help(
                "ids name the rules, alerts and panels of a feature: make each threshold, alert and SLO id unique",
            ),
        );
        return;
    }
    taken.push(Spanned::new(id.value.clone(), id.span));
}
fn threshold(
    t: &raw::Threshold,
    feature: &raw::FeatureSpec,
    project: &Project,
    r: &mut Resolver,
) -> Option<Threshold> {
    let unit = match &t.unit {
        None => Unit::Count,
        Some(u) => match Unit::parse(&u.value) {
            Some(unit) => unit,
            None => {
                let names = Unit::ALL.map(|(n, _)| n);
                let mut d =
                    Diagnostic::error("spec/invalid-unit", format!("unknown unit `{}`", u.value))
                        .with_label(u.span, "not a unit promspec knows");
                d = match did_you_mean(&u.value, names) {
                    Some(best) => d.with_help(format!(
                        "did you mean `{best}`? units are: {}",
                        names.join(", ")
                    )),
                    None => d.with_help(format!("units are: {}", names.join(", "))),
                };
                r.report(d);
                return None;
            }
        },
    };
    let mut levels = Vec::new();
    for (level, raw_level) in [
        (Level::Critical, &t.critical),
        (Level::Warning, &t.warning),
        (Level::Info, &t.info),
    ] {
        let Some(l) = raw_level else { continue };
        if let Some(rule) = level_rule(level, l, t, feature, project, unit, r) {
            levels.push(rule);
        }
    }
    if t.critical.is_none() && t.warning.is_none() && t.info.is_none() {
        r.report(
            Diagnostic::error(
                "spec/no-levels",
                format!("threshold `{}` has no alert level", t.id.value),
            )
            .with_label(t.id.span, "nothing fires for this threshold")
            .with_help("add `critical:`, `warning:` or `info:` with `above:` or `below:`"),
        );
    }
    let labels = r.labels(&t.labels);
    let alert = super::alerts::alert_name(&t.alert, r);
    let no_data = super::alerts::no_data(t, feature, project, r);
    Some(Threshold {
        id: t.id.value.clone(),
        id_span: t.id.span,
        title: t
            .title
            .as_ref()
            .map_or_else(|| t.id.value.clone(), |v| v.value.clone()),
        group: t.group.as_ref().map(|v| v.value.clone()),
        description: t.description.as_ref().map(|v| v.value.clone()),
        action: t.action.as_ref().map(|v| v.value.clone()),
        runbook: t
            .runbook
            .as_ref()
            .or(feature.runbook.as_ref())
            .map(|v| v.value.clone()),
        query: query(&t.query),
        unit,
        label_spans: Resolver::label_spans(&t.labels, &labels),
        labels,
        levels,
        alert,
        no_data,
        span: t.span,
    })
}

/// Report a runbook that is not an absolute http(s) URL.
pub(super) fn runbook_url(runbook: &Option<raw::Str>, r: &mut Resolver) {
    if let Some(url) = runbook
        && let Err(problem) = absolute_url(&url.value)
    {
        r.report(invalid_url(
            url,
            "runbook",
            problem,
            "the `runbook_url` annotation of every alert links to it",
        ));
    }
}

/// The priority of a level: the one written (reported when the project does
/// not define it), else the severity's default; `missing_severity` is the
/// finding when the project defines no such severity either.
pub(in crate::spec) fn level_priority(
    r: &mut Resolver,
    written: Option<&raw::Str>,
    project: &Project,
    level: Level,
    missing_severity: impl FnOnce() -> Diagnostic,
) -> String {
    match written {
        Some(p) => {
            let known: Vec<String> = project.priorities.iter().map(|p| p.name.clone()).collect();
            r.names_exist(
                std::slice::from_ref(p),
                &known,
                "spec/unknown-priority",
                "priority",
                "`priorities` of the project file",
            );
            p.value.clone()
        }
        None => match project.severity(level) {
            Some(s) => s.priority.clone(),
            None => {
                r.report(missing_severity());
                String::new()
            }
        },
    }
}

/// The receivers of a level: those of the `notify` list that applies (every
/// reference kept with its span, for the routing lints), else the
/// severity's defaults; and where the choice was written (`fallback`).
pub(in crate::spec) fn level_receivers(
    chosen: Option<&Vec<raw::Str>>,
    project: &Project,
    severity: Option<&SeverityConfig>,
    fallback: Span,
) -> (Vec<String>, Vec<Spanned<String>>, Span) {
    let known: Vec<String> = project.receivers.iter().map(|x| x.name.clone()).collect();
    match chosen {
        Some(list) => {
            let span = list.first().map_or(fallback, |f| f.span);
            let (names, refs) = receiver_refs(list, &known);
            (names, refs, span)
        }
        None => (
            severity.map(|s| s.receivers.clone()).unwrap_or_default(),
            Vec::new(),
            fallback,
        ),
    }
}

pub(in crate::spec) fn notify_for(n: &Option<raw::Notify>, level: Level) -> Option<&Vec<raw::Str>> {
    let n = n.as_ref()?;
    match level {
        Level::Critical => n.critical.as_ref(),
        Level::Warning => n.warning.as_ref(),
        Level::Info => n.info.as_ref(),
    }
}

fn level_rule(
    level: Level,
    l: &raw::Level,
    t: &raw::Threshold,
    feature: &raw::FeatureSpec,
    project: &Project,
    unit: Unit,
    r: &mut Resolver,
) -> Option<LevelRule> {
    let (direction, quantity) = match (&l.above, &l.below) {
        (Some(a), None) => (Direction::Above, a),
        (None, Some(b)) => (Direction::Below, b),
        (Some(a), Some(_)) => {
            r.report(
                Diagnostic::error(
                    "spec/invalid-level",
                    format!("the {} level has both `above` and `below`", level.as_str()),
                )
                .with_label(a.0.span, "one direction per level")
                .with_help("keep one of `above` and `below`; a range needs two thresholds"),
            );
            return None;
        }
        (None, None) => {
            r.report(
                Diagnostic::error(
                    "spec/invalid-level",
                    format!(
                        "the {} level has neither `above` nor `below`",
                        level.as_str()
                    ),
                )
                .with_label(l.span, "no comparison")
                .with_help(format!(
                    "add `above: <value>` or `below: <value>` in the unit `{unit}`"
                )),
            );
            return None;
        }
    };
    let value = match units::parse_value(&quantity.0.value, unit) {
        Ok(v) => v,
        Err(e) => {
            r.report(
                Diagnostic::error("spec/invalid-unit", e.message)
                    .with_label(quantity.0.span, format!("does not fit the unit `{unit}`"))
                    .with_help(e.help),
            );
            return None;
        }
    };
    let for_ = r.duration_or(&l.for_, project.default_for);
    let keep_firing_for = match &l.keep_firing_for {
        Some(k) => r.duration(k),
        None => project.default_keep_firing_for,
    };
    let severity = project.severity(level);
    let priority =
        level_priority(r, l.priority.as_ref(), project, level, || {
            Diagnostic::error(
            "spec/unknown-severity",
            format!("the project defines no `{}` severity", level.as_str()),
        )
        .with_label(t.id.span, format!("this threshold has a {} level", level.as_str()))
        .with_help(format!(
            "add `{}: {{priority: ..., receivers: [...]}}` under `severities` in the project file",
            level.as_str()
        ))
        });
    let chosen = l
        .notify
        .as_ref()
        .or_else(|| notify_for(&t.notify, level))
        .or_else(|| notify_for(&feature.notify, level));
    let (receivers, receiver_refs, receivers_span) =
        level_receivers(chosen, project, severity, l.span);
    Some(LevelRule {
        level,
        direction,
        value,
        written: quantity.0.value.clone(),
        value_span: quantity.0.span,
        for_,
        for_span: l.for_.as_ref().map_or(l.span, |f| f.0.span),
        keep_firing_for,
        priority,
        receivers,
        receiver_refs,
        receivers_span,
        summary: l.summary.as_ref().map(|s| s.value.clone()),
        span: l.span,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::spec::testing::{load, render};

    const THRESHOLD: &str =
        "  - id: queue\n    query: max(queue_depth)\n    warning: {above: 10, for: 1m}\n";

    #[test]
    fn a_feature_interval_overrides_the_projects_for_that_feature_only() {
        let fast =
            format!("feature: fast\nteam: ops\nevaluation_interval: 30s\nthresholds:\n{THRESHOLD}");
        let slow = format!("feature: slow\nteam: ops\nthresholds:\n{THRESHOLD}");
        let (ws, _) = load(&[("fast", &fast), ("slow", &slow)]);
        let by = |slug: &str| ws.features.iter().find(|f| f.slug == slug).unwrap();
        assert_eq!(ws.project.evaluation_interval, Duration::from_secs(60));
        assert_eq!(by("fast").evaluation_interval, Duration::from_secs(30));
        assert!(by("fast").evaluation_interval_span.is_some());
        assert_eq!(by("slow").evaluation_interval, Duration::from_secs(60));
        assert_eq!(by("slow").evaluation_interval_span, None);
    }

    #[test]
    fn a_bad_feature_interval_is_an_error_at_its_value() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("promspec.yaml"),
            include_str!("../../cli/templates/promspec.yaml"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("fast.yaml"),
            format!(
                "feature: fast\nteam: ops\nevaluation_interval: often\nthresholds:\n{THRESHOLD}"
            ),
        )
        .unwrap();
        let mut sources = crate::source::SourceMap::new();
        let (ws, diags) = crate::spec::workspace::load(dir.path(), &mut sources).unwrap();
        let items: Vec<_> = diags.iter().cloned().collect();
        let rendered = render(&items, &sources);
        assert!(diags.has_errors(), "{rendered}");
        assert!(
            rendered.contains("spec/invalid-duration")
                && rendered.contains("`often` is not a duration"),
            "{rendered}"
        );
        assert!(
            rendered.contains("evaluation_interval: often"),
            "{rendered}"
        );
        // Carried on as the project's, like any other wrong value.
        if let Some(ws) = ws {
            assert_eq!(ws.features[0].evaluation_interval, Duration::from_secs(60));
        }
    }

    #[test]
    fn slo_tiers_default_for_is_at_least_the_feature_interval() {
        let slo = "slos:\n  - id: up\n    objective: 99.9%\n    sli:\n      availability:\n        series: up{job=\"x\"}\n";
        let shared = format!("feature: shared\nteam: ops\n{slo}");
        let slow = format!("feature: slow\nteam: ops\nevaluation_interval: 10m\n{slo}");
        let (ws, _) = load(&[("shared", &shared), ("slow", &slow)]);
        let fors = |slug: &str| -> Vec<Duration> {
            let f = ws.features.iter().find(|f| f.slug == slug).unwrap();
            f.slos[0].tiers.iter().map(|t| t.alert.for_).collect()
        };
        // Half the short window (2m for the 5m one) at the project's 1m...
        assert!(
            fors("shared").contains(&Duration::from_secs(120)),
            "{:?}",
            fors("shared")
        );
        // ...but never less than the feature's own interval.
        assert!(
            fors("slow").iter().all(|f| *f >= Duration::from_secs(600)),
            "{:?}",
            fors("slow")
        );
    }
}
