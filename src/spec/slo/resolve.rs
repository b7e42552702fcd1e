//! Raw SLOs → model SLOs: objective, period, SLI kind, windows, tiers and
//! their routing.
//!
//! Called from [`crate::spec::resolve`] for each feature (and once for the
//! project's `slo_windows`). Like the rest of resolution it never reads
//! files and never parses PromQL; problems keep the span of the value the
//! operator wrote.

use std::collections::HashSet;
use std::time::Duration;

use crate::diag::Diagnostic;
use crate::source::{Span, Spanned};
use crate::spec::model::{Direction, Level, LevelRule, Project};
use crate::spec::raw;
use crate::spec::resolve::{
    Resolver, alert_name, level_priority, level_receivers, notify_for, query,
};
use crate::spec::units::{self, Unit, format_number};

use super::model::*;
use super::raw as sraw;
use super::windows;

const DEFAULT_PERIOD: Duration = Duration::from_secs(30 * 86400);
const DEFAULT_NO_DATA_FOR: Duration = Duration::from_secs(600);

fn invalid(span: Span, message: String, label: &str, help: &str) -> Diagnostic {
    Diagnostic::error("spec/invalid-value", message)
        .with_label(span, label.to_string())
        .with_help(help.to_string())
}

fn invalid_sli(span: Span, found: usize) -> Diagnostic {
    Diagnostic::error(
        "spec/invalid-sli",
        if found == 0 {
            "the SLI has no kind".to_string()
        } else {
            "the SLI has more than one kind".to_string()
        },
    )
    .with_label(span, "exactly one kind per SLI")
    .with_help("write one of `events`, `latency`, `availability` or `error_ratio`")
}

fn burn_window(w: &sraw::BurnWindow, r: &mut Resolver) -> Option<BurnWindow> {
    let budget = &w.budget_consumed.0;
    let budget_consumed = match units::parse_value(&budget.value, Unit::Ratio) {
        Ok(v) if v > 0.0 && v <= 1.0 => v,
        _ => {
            r.report(invalid(
                budget.span,
                format!("`{}` is not a share of the error budget", budget.value),
                "expected a percentage above 0% and at most 100%",
                "write the share of the period's budget spent in the long window, e.g. `2%`",
            ));
            return None;
        }
    };
    let short = r.duration(&w.short)?;
    let long = r.duration(&w.long)?;
    if short.is_zero() || short >= long {
        r.report(invalid(
            w.short.0.span,
            format!(
                "the short window `{}` is not shorter than the long window `{}`",
                w.short.0.value, w.long.0.value
            ),
            "must be shorter than `long`",
            "the short window makes the alert reset quickly; it is usually a twelfth of the long one, e.g. `short: 5m`, `long: 1h`",
        ));
        return None;
    }
    Some(BurnWindow {
        budget_consumed,
        short,
        long,
    })
}

fn tier_windows(
    page: &sraw::TierPair,
    ticket: &sraw::TierPair,
    r: &mut Resolver,
) -> Option<[BurnWindow; 4]> {
    let all = [
        burn_window(&page.quick, r),
        burn_window(&page.slow, r),
        burn_window(&ticket.quick, r),
        burn_window(&ticket.slow, r),
    ];
    let [a, b, c, d] = all;
    Some([a?, b?, c?, d?])
}

/// The project's `slo_windows` table.
pub(in crate::spec) fn project_windows(
    raw: &Option<Vec<sraw::PeriodWindows>>,
    r: &mut Resolver,
) -> Vec<PeriodWindows> {
    let mut out: Vec<PeriodWindows> = Vec::new();
    for p in raw.iter().flatten() {
        let Some(period) = r.duration(&p.period) else {
            continue;
        };
        if out.iter().any(|o| o.period == period) {
            r.report(
                Diagnostic::error(
                    "spec/duplicate-id",
                    format!("the SLO windows of `{}` are given twice", p.period.0.value),
                )
                .with_label(p.period.0.span, "period given again here")
                .with_help("keep one windows entry per period"),
            );
            continue;
        }
        if let Some(windows) = tier_windows(&p.page, &p.ticket, r) {
            out.push(PeriodWindows {
                period,
                windows,
                span: p.span,
            });
        }
    }
    out
}

/// The SLOs of a feature evaluated every `evaluation_interval` (the
/// feature's own, else the project's): the floor of a tier's default `for`.
pub(in crate::spec) fn slos(
    raw: &raw::FeatureSpec,
    project: &Project,
    evaluation_interval: Duration,
    r: &mut Resolver,
) -> Vec<Slo> {
    let mut ids: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for s in raw.slos.iter().flatten() {
        r.slug(&s.id, "SLO id");
        if !ids.insert(&s.id.value) {
            let first = raw
                .slos
                .iter()
                .flatten()
                .find(|o| o.id.value == s.id.value)
                .map_or(s.id.span, |o| o.id.span);
            r.report(
                Diagnostic::error(
                    "spec/duplicate-id",
                    format!("SLO id `{}` is used twice", s.id.value),
                )
                .with_label(s.id.span, "used again here")
                .with_secondary(first, "first used here")
                .with_help("SLO ids name the recorded series and alerts: make each one unique"),
            );
        }
        if let Some(slo) = slo(s, raw, project, evaluation_interval, r) {
            out.push(slo);
        }
    }
    out
}

fn slo(
    s: &sraw::Slo,
    feature: &raw::FeatureSpec,
    project: &Project,
    evaluation_interval: Duration,
    r: &mut Resolver,
) -> Option<Slo> {
    let objective = match units::parse_value(&s.objective.0.value, Unit::Ratio) {
        Ok(v) if v > 0.0 && v < 1.0 => Some(round_ratio(v)),
        _ => {
            r.report(
                Diagnostic::error(
                    "spec/invalid-unit",
                    format!("`{}` is not an objective", s.objective.0.value),
                )
                .with_label(
                    s.objective.0.span,
                    "expected a percentage between 0% and 100%",
                )
                .with_help("write the objective as a percentage such as `99.9%`"),
            );
            None
        }
    };
    let period = match &s.period {
        None => Some(DEFAULT_PERIOD),
        Some(p) => match r.duration(p) {
            Some(d) if d.is_zero() => {
                r.report(invalid(
                    p.0.span,
                    "the SLO period is zero".into(),
                    "must be longer than 0s",
                    "write the compliance period, e.g. `30d` or `28d`",
                ));
                None
            }
            other => other,
        },
    };
    let sli = sli(&s.sli, r);
    let labels = r.labels(&s.labels);
    let (objective, period, sli) = (objective?, period?, sli?);

    let alerting = s.alerting.as_ref();
    let disabled = |d: &Option<Spanned<bool>>| d.as_ref().is_some_and(|b| b.value);
    let mut tiers = Vec::new();
    let mut no_data = None;
    let mut windows_source = WindowsSource::Workbook;
    let mut min_events = None;
    let budget = round_ratio(1.0 - objective);
    if !alerting.is_some_and(|a| disabled(&a.disable)) {
        let own = alerting.and_then(|a| a.windows.as_ref());
        let table: [BurnWindow; 4] = if let Some(w) = own {
            windows_source = WindowsSource::Slo;
            tier_windows(&w.page, &w.ticket, r)?
        } else if let Some(p) = project.slo_windows.iter().find(|p| p.period == period) {
            windows_source = WindowsSource::Project;
            p.windows
        } else {
            if !windows::is_workbook_period(period) {
                windows_source = WindowsSource::Scaled;
            }
            TierKind::ALL.map(|k| windows::default_window(k, period))
        };
        let mut ticket_level = Level::Warning;
        for kind in TierKind::ALL {
            let (raw_kind, default_level) = if kind.is_page() {
                (alerting.and_then(|a| a.page.as_ref()), Level::Critical)
            } else {
                (alerting.and_then(|a| a.ticket.as_ref()), Level::Warning)
            };
            if raw_kind.is_some_and(|k| disabled(&k.disable)) {
                continue;
            }
            let raw_tier = raw_kind.and_then(|k| match kind {
                TierKind::PageQuick | TierKind::TicketQuick => k.quick.as_ref(),
                _ => k.slow.as_ref(),
            });
            if raw_tier.is_some_and(|t| disabled(&t.disable)) {
                continue;
            }
            let level = match raw_kind.and_then(|k| k.severity.as_ref()) {
                None => default_level,
                Some(sev) => level_of(sev, r)?,
            };
            if !kind.is_page() {
                ticket_level = level;
            }
            let window = table[kind as usize];
            let factor = window.factor(period);
            let for_ = match raw_tier.and_then(|t| t.for_.as_ref()) {
                Some(f) => r.duration(f)?,
                None => windows::default_for(&window, evaluation_interval),
            };
            let span = raw_tier
                .map(|t| t.span)
                .or(raw_kind.map(|k| k.span))
                .unwrap_or(s.span);
            let alert = level_rule(
                level,
                AlertSpec {
                    value: round_ratio(factor * budget),
                    written: format!(
                        "{} × {}",
                        format_number(factor),
                        units::humanize(budget, Unit::Ratio)
                    ),
                    value_span: s.objective.0.span,
                    for_,
                    for_span: raw_tier
                        .and_then(|t| t.for_.as_ref())
                        .map_or(span, |f| f.0.span),
                    priority: raw_kind.and_then(|k| k.priority.as_ref()),
                    notify: raw_kind.and_then(|k| k.notify.as_ref()),
                    span,
                },
                feature,
                project,
                r,
            );
            tiers.push(BurnTier {
                kind,
                window,
                factor,
                alert,
            });
        }
        if let Some(m) = alerting.and_then(|a| a.min_events.as_ref()) {
            match units::parse_number(&m.0.value) {
                Some(n) if n >= 0.0 => min_events = Some(n),
                _ => r.report(invalid(
                    m.0.span,
                    format!("`{}` is not a number of events", m.0.value),
                    "expected a number",
                    "write the fewest events the long window must hold for an alert to fire, e.g. `100`",
                )),
            }
            if matches!(sli, Sli::Availability { .. } | Sli::ErrorRatio { .. }) {
                r.report(invalid(
                    m.0.span,
                    format!("a {} SLI has no event count", sli.kind()),
                    "no events to count",
                    "`min_events` needs an `events` or `latency` SLI; remove it",
                ));
                min_events = None;
            }
        }
        let raw_no_data = alerting.and_then(|a| a.no_data.as_ref());
        if !raw_no_data.is_some_and(|n| disabled(&n.disable)) {
            let level = match raw_no_data.and_then(|n| n.severity.as_ref()) {
                None => ticket_level,
                Some(sev) => level_of(sev, r)?,
            };
            let span = raw_no_data.map_or(s.span, |n| n.span);
            let for_ = match raw_no_data.and_then(|n| n.for_.as_ref()) {
                Some(f) => r.duration(f)?,
                None => DEFAULT_NO_DATA_FOR,
            };
            no_data = Some(NoDataAlert {
                alert: level_rule(
                    level,
                    AlertSpec {
                        value: 0.0,
                        written: String::new(),
                        value_span: span,
                        for_,
                        for_span: raw_no_data
                            .and_then(|n| n.for_.as_ref())
                            .map_or(span, |f| f.0.span),
                        priority: None,
                        notify: None,
                        span,
                    },
                    feature,
                    project,
                    r,
                ),
            });
        }
    }

    Some(Slo {
        id: s.id.value.clone(),
        id_span: s.id.span,
        title: s
            .title
            .as_ref()
            .map_or_else(|| s.id.value.clone(), |t| t.value.clone()),
        description: s.description.as_ref().map(|d| d.value.clone()),
        runbook: s
            .runbook
            .as_ref()
            .or(feature.runbook.as_ref())
            .map(|v| v.value.clone()),
        objective,
        objective_written: s.objective.0.value.clone(),
        objective_span: s.objective.0.span,
        period,
        sli,
        labels,
        alert_name: alerting
            .and_then(|a| alert_name(&a.name, r))
            .map(|n| n.value),
        windows_source,
        tiers,
        min_events,
        no_data,
        span: s.span,
    })
}

fn level_of(sev: &raw::Str, r: &mut Resolver) -> Option<Level> {
    let level = Level::parse(&sev.value);
    if level.is_none() {
        r.report(
            Diagnostic::error(
                "spec/unknown-severity",
                format!("unknown severity `{}`", sev.value),
            )
            .with_label(sev.span, "not an alert level")
            .with_help("the levels are `critical`, `warning` and `info`"),
        );
    }
    level
}

fn sli(raw: &sraw::Sli, r: &mut Resolver) -> Option<Sli> {
    let found = [
        raw.events.is_some(),
        raw.latency.is_some(),
        raw.availability.is_some(),
        raw.error_ratio.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if found != 1 {
        r.report(invalid_sli(raw.span, found));
        return None;
    }
    if let Some(e) = &raw.events {
        return Some(Sli::Events {
            errors: SliQuery::new(query(&e.errors)),
            total: SliQuery::new(query(&e.total)),
        });
    }
    if let Some(l) = &raw.latency {
        let t = &l.threshold.0;
        let le = match units::parse_value(&t.value, Unit::Seconds) {
            Ok(v) if v > 0.0 => v,
            _ => {
                r.report(
                    Diagnostic::error(
                        "spec/invalid-unit",
                        format!("`{}` is not a latency threshold", t.value),
                    )
                    .with_label(t.span, "expected a duration above 0s")
                    .with_help("write the bucket boundary as a duration, e.g. `200ms` or `1s`"),
                );
                return None;
            }
        };
        return Some(Sli::Latency {
            histogram: query(&l.histogram),
            le,
            threshold_written: t.value.clone(),
            threshold_span: t.span,
        });
    }
    if let Some(a) = &raw.availability {
        return Some(Sli::Availability {
            series: query(&a.series),
        });
    }
    raw.error_ratio.as_ref().map(|q| {
        let query = query(q);
        if !query.text.contains(WINDOW_PLACEHOLDER) {
            r.report(
                Diagnostic::error(
                    "spec/invalid-sli",
                    "the error ratio query has no `{{.window}}` placeholder",
                )
                .with_label(query.span, "no window to substitute")
                .with_help("write the range of every rate as `[{{.window}}]`, e.g. `rate(errors_total[{{.window}}])`"),
            );
        }
        Sli::ErrorRatio { query }
    })
}

/// What a tier or the no-data alert sets of its [`LevelRule`].
struct AlertSpec<'a> {
    value: f64,
    written: String,
    value_span: Span,
    for_: Duration,
    for_span: Span,
    priority: Option<&'a raw::Str>,
    notify: Option<&'a Vec<raw::Str>>,
    span: Span,
}

fn level_rule(
    level: Level,
    a: AlertSpec,
    feature: &raw::FeatureSpec,
    project: &Project,
    r: &mut Resolver,
) -> LevelRule {
    let severity = project.severity(level);
    let priority = level_priority(r, a.priority, project, level, || {
        Diagnostic::error(
            "spec/unknown-severity",
            format!("the project defines no `{}` severity", level.as_str()),
        )
        .with_label(a.span, format!("this SLO alert has the {} level", level.as_str()))
        .with_help(format!(
            "add `{}: {{priority: ..., receivers: [...]}}` under `severities` in the project file, or set `severity:` here",
            level.as_str()
        ))
    });
    let chosen = a.notify.or_else(|| notify_for(&feature.notify, level));
    let (receivers, refs, receivers_span) = level_receivers(chosen, project, severity, a.span);
    LevelRule {
        level,
        direction: Direction::Above,
        value: a.value,
        written: a.written,
        value_span: a.value_span,
        for_: a.for_,
        for_span: a.for_span,
        keep_firing_for: None,
        priority,
        receivers,
        receiver_refs: refs,
        receivers_span,
        summary: None,
        span: a.span,
    }
}
