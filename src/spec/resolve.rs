//! Raw → model: defaults applied, units normalised, references checked.
//!
//! The only place that turns raw types into model types. It never reads
//! files and never parses PromQL; every problem it finds keeps the span of
//! the value the operator wrote.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use crate::diag::{Diagnostic, Severity};
use crate::source::{SourceId, Spanned};
use crate::spec::decode::{NamedMap, did_you_mean};
use crate::spec::model::*;
use crate::spec::raw;
use crate::spec::units::{self, Unit};

/// Labels promspec sets itself; a spec may not set them.
pub const RESERVED_LABELS: [&str; 4] = ["feature", "team", "severity", "priority"];

fn is_slug(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.ends_with('-')
}

fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn invalid_slug(value: &Spanned<String>, what: &str) -> Diagnostic {
    Diagnostic::error(
        "spec/invalid-slug",
        format!("`{}` is not a valid {what}", value.value),
    )
    .with_label(value.span, "must match ^[a-z][a-z0-9-]*$")
    .with_help("use lower-case letters, digits and `-`, starting with a letter, e.g. `api-latency`")
}

/// Collects diagnostics while resolving.
pub(super) struct Resolver<'a> {
    pub(super) diagnostics: &'a mut Vec<Diagnostic>,
}

impl Resolver<'_> {
    pub(super) fn report(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    pub(super) fn duration(&mut self, raw: &raw::Duration) -> Option<Duration> {
        let text = &raw.0.value;
        match units::parse_duration(text) {
            Some(d) => Some(d),
            None => {
                self.report(
                    Diagnostic::error("spec/invalid-duration", format!("`{text}` is not a duration"))
                        .with_label(raw.0.span, "expected a Prometheus duration")
                        .with_help("write a number followed by ms, s, m, h, d, w or y, e.g. `30s`, `5m`, `1h30m`"),
                );
                None
            }
        }
    }

    pub(super) fn duration_or(
        &mut self,
        raw: &Option<raw::Duration>,
        default: Duration,
    ) -> Duration {
        raw.as_ref()
            .and_then(|d| self.duration(d))
            .unwrap_or(default)
    }

    pub(super) fn labels(&mut self, raw: &Option<NamedMap<raw::Str>>) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (k, v) in raw.iter().flat_map(|m| m.entries.iter()) {
            if !is_label_name(&k.value) {
                self.report(
                    Diagnostic::error(
                        "spec/invalid-label",
                        format!("`{}` is not a valid label name", k.value),
                    )
                    .with_label(k.span, "must match ^[a-zA-Z_][a-zA-Z0-9_]*$")
                    .with_help("use letters, digits and `_`, e.g. `service`"),
                );
                continue;
            }
            if RESERVED_LABELS.contains(&k.value.as_str()) {
                self.report(
                    Diagnostic::error(
                        "spec/reserved-label",
                        format!("label `{}` is set by promspec", k.value),
                    )
                    .with_label(k.span, "reserved label")
                    .with_help(format!(
                        "promspec sets {} itself; remove this label or use another name",
                        RESERVED_LABELS.map(|l| format!("`{l}`")).join(", ")
                    )),
                );
                continue;
            }
            out.insert(k.value.clone(), v.value.clone());
        }
        out
    }

    pub(super) fn slug(&mut self, value: &Spanned<String>, what: &str) {
        if !is_slug(&value.value) {
            self.report(invalid_slug(value, what));
        }
    }

    pub(super) fn names_exist(
        &mut self,
        refs: &[raw::Str],
        known: &[String],
        id: &'static str,
        what: &str,
        define_in: &str,
    ) -> Vec<String> {
        let plural = match what.strip_suffix('y') {
            Some(stem) => format!("{stem}ies"),
            None => format!("{what}s"),
        };
        let mut out = Vec::new();
        for r in refs {
            if known.contains(&r.value) {
                out.push(r.value.clone());
                continue;
            }
            let mut d = Diagnostic::error(id, format!("unknown {what} `{}`", r.value))
                .with_label(r.span, format!("no {what} of this name"));
            d = match did_you_mean(&r.value, known.iter().map(String::as_str)) {
                Some(best) => d.with_help(format!(
                    "did you mean `{best}`? {what}s are defined in {define_in}"
                )),
                None if known.is_empty() => {
                    d.with_help(format!("no {what} is defined; add it to {define_in}"))
                }
                None => d.with_help(format!("known {plural}: {}", known.join(", "))),
            };
            self.report(d);
        }
        out
    }
}

/// The known receivers among `refs`, and every reference as written.
///
/// Unknown receivers are not reported here: the routing lints
/// (`routing/unknown-receiver`) judge the references kept in the model.
pub(super) fn receiver_refs(
    refs: &[raw::Str],
    known: &[String],
) -> (Vec<String>, Vec<Spanned<String>>) {
    let names = refs
        .iter()
        .filter(|r| known.contains(&r.value))
        .map(|r| r.value.clone())
        .collect();
    (names, refs.to_vec())
}

fn inline_secret(field: &raw::Str, name: &str, file_field: &str) -> Diagnostic {
    Diagnostic::error(
        "routing/inline-secret",
        format!("`{name}` holds a secret written inline"),
    )
    .with_label(field.span, "secret in the spec")
    .with_help(format!(
        "move the value to a file readable by Alertmanager and reference it with `{file_field}`; \
             a secret in a spec ends up in version control and generated files"
    ))
}

/// Resolve the project file. Always returns a project (with defaults where values were wrong).
pub fn resolve_project(
    raw: &raw::ProjectFile,
    source: SourceId,
    diagnostics: &mut Vec<Diagnostic>,
) -> Project {
    let mut r = Resolver { diagnostics };
    let dialect = match &raw.dialect {
        None => crate::promql::Dialect::default(),
        Some(d) => d.value.parse().unwrap_or_else(|_| {
            r.report(
                Diagnostic::error(
                    "spec/invalid-value",
                    format!("unknown dialect `{}`", d.value),
                )
                .with_label(d.span, "not a PromQL dialect")
                .with_help("choose `prometheus2` or `prometheus3`"),
            );
            Default::default()
        }),
    };
    let docs_language = language(&raw.docs_language, &mut r).unwrap_or_default();
    let defaults = raw.defaults.as_ref();
    let default_for = r.duration_or(
        &defaults.and_then(|d| d.for_.clone()),
        Duration::from_secs(300),
    );
    let default_keep_firing_for = defaults
        .and_then(|d| d.keep_firing_for.as_ref())
        .and_then(|d| r.duration(d));

    let mut priorities = Vec::new();
    for (name, p) in raw.priorities.iter().flat_map(|m| m.entries.iter()) {
        let response_time = r
            .duration(&p.response_time)
            .unwrap_or(Duration::from_secs(3600));
        let repeat_interval = r.duration_or(
            &p.repeat_interval,
            response_time.max(Duration::from_secs(60)),
        );
        priorities.push(Priority {
            name: name.value.clone(),
            title: p.title.as_ref().map(|t| t.value.clone()),
            description: p.description.as_ref().map(|t| t.value.clone()),
            response_time,
            repeat_interval,
            group_wait: r.duration_or(&p.group_wait, Duration::from_secs(30)),
            group_interval: r.duration_or(&p.group_interval, Duration::from_secs(300)),
            escalation: p.escalation.as_ref().map(|t| t.value.clone()),
            span: name.span,
        });
    }
    let priority_names: Vec<String> = priorities.iter().map(|p| p.name.clone()).collect();

    let mut receivers = Vec::new();
    for (name, def) in raw.receivers.iter().flat_map(|m| m.entries.iter()) {
        r.slug(name, "receiver name");
        receivers.push(Receiver {
            name: name.value.clone(),
            integrations: integrations(def, name, &mut r),
            span: name.span,
        });
    }
    let receiver_names: Vec<String> = receivers.iter().map(|x| x.name.clone()).collect();

    let mut time_intervals = Vec::new();
    for (name, ranges) in raw.time_intervals.iter().flat_map(|m| m.entries.iter()) {
        time_intervals.push(TimeInterval {
            name: name.value.clone(),
            ranges: ranges.iter().map(|t| time_range(t, &mut r)).collect(),
            span: name.span,
        });
    }
    let interval_names: Vec<String> = time_intervals.iter().map(|t| t.name.clone()).collect();

    let mut severities = Vec::new();
    for (name, s) in &raw.severities.entries {
        let Some(level) = Level::parse(&name.value) else {
            r.report(
                Diagnostic::error(
                    "spec/unknown-severity",
                    format!("unknown severity `{}`", name.value),
                )
                .with_label(name.span, "not an alert level")
                .with_help("the levels are `critical`, `warning` and `info`"),
            );
            continue;
        };
        r.names_exist(
            std::slice::from_ref(&s.priority),
            &priority_names,
            "spec/unknown-priority",
            "priority",
            "`priorities` of the project file",
        );
        let (receivers, receiver_refs) =
            receiver_refs(s.receivers.as_deref().unwrap_or_default(), &receiver_names);
        let active = r.names_exist(
            s.active_time_intervals.as_deref().unwrap_or_default(),
            &interval_names,
            "spec/unknown-time-interval",
            "time interval",
            "`time_intervals` of the project file",
        );
        let mute = r.names_exist(
            s.mute_time_intervals.as_deref().unwrap_or_default(),
            &interval_names,
            "spec/unknown-time-interval",
            "time interval",
            "`time_intervals` of the project file",
        );
        severities.push(SeverityConfig {
            level,
            priority: s.priority.value.clone(),
            receivers,
            receiver_refs,
            active_time_intervals: active,
            mute_time_intervals: mute,
            span: name.span,
        });
    }
    severities.sort_by_key(|s| s.level);

    let alertmanager = match &raw.alertmanager {
        None => AlertmanagerSettings::default(),
        Some(a) => AlertmanagerSettings {
            smtp: a.smtp.as_ref().map(|s| {
                if let Some(p) = &s.auth_password {
                    r.report(inline_secret(p, "auth_password", "auth_password_file"));
                }
                Smtp {
                    smarthost: s.smarthost.value.clone(),
                    from: s.from.value.clone(),
                    auth_username: s.auth_username.as_ref().map(|v| v.value.clone()),
                    auth_password_file: s.auth_password_file.as_ref().map(|v| v.value.clone()),
                    require_tls: s.require_tls.as_ref().is_none_or(|v| v.value),
                }
            }),
            resolve_timeout: a.resolve_timeout.as_ref().and_then(|d| r.duration(d)),
            group_by: a
                .group_by
                .iter()
                .flatten()
                .map(|g| g.value.clone())
                .collect(),
        },
    };

    let mut lint_rules = Vec::new();
    for (id, sev) in raw
        .lint
        .iter()
        .flat_map(|l| l.rules.iter())
        .flat_map(|m| m.entries.iter())
    {
        let severity = match lint_severity(sev) {
            Ok(severity) => severity,
            Err(d) => {
                r.report(d);
                continue;
            }
        };
        lint_rules.push((id.value.clone(), severity, id.span));
    }

    let evaluation_interval = r.duration_or(&raw.evaluation_interval, Duration::from_secs(60));
    let scrape_interval = r.duration_or(&raw.scrape_interval, Duration::from_secs(15));
    let labels = r.labels(&raw.labels);
    let slo_windows = super::slo::resolve::project_windows(&raw.slo_windows, &mut r);
    Project {
        source: Some(source),
        name: raw
            .project
            .as_ref()
            .map(|p| p.value.clone())
            .unwrap_or_else(|| "promspec".into()),
        grafana_url: raw
            .grafana_url
            .as_ref()
            .map(|u| u.value.trim_end_matches('/').to_string())
            .unwrap_or_else(|| "http://localhost:3000".into()),
        dialect,
        evaluation_interval,
        scrape_interval,
        docs_language,
        default_for,
        default_keep_firing_for,
        labels,
        alertmanager,
        priorities,
        severities,
        receivers,
        time_intervals,
        lint_rules,
        slo_windows,
    }
}

/// A lint rule severity as written in `lint.rules`: `error`, `warning`,
/// `info`, or `off` (`None`).
pub(crate) fn lint_severity(sev: &raw::Str) -> Result<Option<Severity>, Diagnostic> {
    match sev.value.as_str() {
        "off" => Ok(None),
        other => Severity::parse(other).map(Some).ok_or_else(|| {
            Diagnostic::error(
                "spec/invalid-value",
                format!("`{other}` is not a lint severity"),
            )
            .with_label(sev.span, "unknown severity")
            .with_help("choose `error`, `warning`, `info` or `off`")
        }),
    }
}

fn language(raw: &Option<raw::Str>, r: &mut Resolver) -> Option<Language> {
    let l = raw.as_ref()?;
    match l.value.as_str() {
        "en" => Some(Language::En),
        "ja" => Some(Language::Ja),
        other => {
            r.report(
                Diagnostic::error("spec/invalid-value", format!("unknown language `{other}`"))
                    .with_label(l.span, "not a supported language")
                    .with_help("choose `en` or `ja`"),
            );
            None
        }
    }
}

fn send_resolved(v: &Option<Spanned<bool>>, default: bool) -> bool {
    v.as_ref().map_or(default, |b| b.value)
}

fn file_ref(v: &Option<raw::Str>) -> Option<String> {
    v.as_ref().map(|s| s.value.clone())
}

fn integrations(def: &raw::ReceiverDef, name: &raw::Str, r: &mut Resolver) -> Vec<Integration> {
    let mut out = Vec::new();
    if let Some(s) = &def.slack {
        if let Some(url) = &s.api_url {
            r.report(inline_secret(url, "api_url", "api_url_file"));
        }
        out.push(Integration::Slack {
            channel: s.channel.value.clone(),
            api_url_file: file_ref(&s.api_url_file),
            send_resolved: send_resolved(&s.send_resolved, true),
        });
    }
    if let Some(e) = &def.email {
        out.push(Integration::Email {
            to: e.to.value.clone(),
            send_resolved: send_resolved(&e.send_resolved, false),
        });
    }
    if let Some(p) = &def.pagerduty {
        if let Some(k) = &p.routing_key {
            r.report(inline_secret(k, "routing_key", "routing_key_file"));
        }
        if let Some(k) = &p.service_key {
            r.report(inline_secret(k, "service_key", "service_key_file"));
        }
        out.push(Integration::Pagerduty {
            routing_key_file: file_ref(&p.routing_key_file),
            service_key_file: file_ref(&p.service_key_file),
            send_resolved: send_resolved(&p.send_resolved, true),
        });
    }
    if let Some(o) = &def.opsgenie {
        if let Some(k) = &o.api_key {
            r.report(inline_secret(k, "api_key", "api_key_file"));
        }
        out.push(Integration::Opsgenie {
            api_key_file: file_ref(&o.api_key_file),
            priority: o.priority.as_ref().map(|p| p.value.clone()),
            send_resolved: send_resolved(&o.send_resolved, true),
        });
    }
    if let Some(w) = &def.webhook {
        if let Some(url) = &w.url
            && let Some(rest) = url.value.split_once("://").map(|(_, rest)| rest)
            && rest
                .split('/')
                .next()
                .is_some_and(|host| host.contains('@'))
        {
            r.report(inline_secret(url, "url", "url_file"));
        }
        let max_alerts = w
            .max_alerts
            .as_ref()
            .and_then(|m| match m.value.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    r.report(
                        Diagnostic::error(
                            "spec/invalid-value",
                            format!("`{}` is not a count", m.value),
                        )
                        .with_label(m.span, "expected a whole number")
                        .with_help("write 0 for no limit"),
                    );
                    None
                }
            })
            .unwrap_or(0);
        out.push(Integration::Webhook {
            url: file_ref(&w.url),
            url_file: file_ref(&w.url_file),
            send_resolved: send_resolved(&w.send_resolved, true),
            max_alerts,
        });
    }
    if out.is_empty() {
        r.report(
            Diagnostic::error(
                "spec/empty-receiver",
                format!("receiver `{}` has no integration", name.value),
            )
            .with_label(name.span, "notifies nobody")
            .with_help("add one of: slack, email, pagerduty, opsgenie, webhook"),
        );
    }
    out
}

fn time_range(t: &raw::TimeRange, r: &mut Resolver) -> TimeRange {
    let list = |v: &Option<Vec<raw::Str>>| {
        v.iter()
            .flatten()
            .map(|s| s.value.clone())
            .collect::<Vec<_>>()
    };
    let mut times = Vec::new();
    for tod in t.times.iter().flatten() {
        for v in [&tod.start_time, &tod.end_time] {
            let ok = v
                .value
                .split_once(':')
                .and_then(|(h, m)| Some((h.parse::<u32>().ok()?, m.parse::<u32>().ok()?)))
                .is_some_and(|(h, m)| {
                    h.to_string().len() <= 2
                        && m < 60
                        && m.to_string().len() <= 2
                        && (h < 24 || (h == 24 && m == 0))
                });
            if !ok {
                r.report(
                    Diagnostic::error(
                        "spec/invalid-value",
                        format!("`{}` is not a time of day", v.value),
                    )
                    .with_label(v.span, "expected HH:MM")
                    .with_help(
                        "write a 24-hour time such as `09:00` or `18:30` (`24:00` ends the day)",
                    ),
                );
            }
        }
        times.push((tod.start_time.value.clone(), tod.end_time.value.clone()));
    }
    const DAYS: [&str; 7] = [
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
    ];
    for w in t.weekdays.iter().flatten() {
        for part in w.value.split(':') {
            if !DAYS.contains(&part.to_ascii_lowercase().as_str()) {
                r.report(
                    Diagnostic::error(
                        "spec/invalid-value",
                        format!("`{}` is not a weekday or range", w.value),
                    )
                    .with_label(w.span, "unknown weekday")
                    .with_help(
                        "write a weekday such as `monday` or a range such as `monday:friday`",
                    ),
                );
                break;
            }
        }
    }
    TimeRange {
        times,
        weekdays: list(&t.weekdays),
        days_of_month: list(&t.days_of_month),
        months: list(&t.months),
        years: list(&t.years),
        location: t.location.as_ref().map(|l| l.value.clone()),
    }
}

/// Resolve one feature spec against the project.
pub fn resolve_feature(
    raw: &raw::FeatureSpec,
    project: &Project,
    source: SourceId,
    diagnostics: &mut Vec<Diagnostic>,
) -> Feature {
    let mut r = Resolver { diagnostics };
    r.slug(&raw.feature, "feature slug");
    let mut labels = project.labels.clone();
    labels.extend(r.labels(&raw.labels));
    let docs_language = language(&raw.docs_language, &mut r).unwrap_or(project.docs_language);
    let mut seen: HashSet<&str> = HashSet::new();
    let mut thresholds = Vec::new();
    for t in raw.thresholds.iter().flatten() {
        r.slug(&t.id, "threshold id");
        if !seen.insert(&t.id.value) {
            let first = raw
                .thresholds
                .iter()
                .flatten()
                .find(|o| o.id.value == t.id.value)
                .map(|o| o.id.span)
                .unwrap_or(t.id.span);
            r.report(
                Diagnostic::error(
                    "spec/duplicate-id",
                    format!("threshold id `{}` is used twice", t.id.value),
                )
                .with_label(t.id.span, "used again here")
                .with_secondary(first, "first used here")
                .with_help(
                    "threshold ids name the recording rule, alert and panel: make each one unique",
                ),
            );
        }
        if let Some(th) = threshold(t, raw, project, &mut r) {
            thresholds.push(th);
        }
    }
    let slos = super::slo::resolve::slos(raw, project, &mut r);
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
        docs_language,
        thresholds,
        slos,
    }
}

pub(super) fn query(e: &crate::spec::decode::Expression) -> Query {
    Query {
        text: e.value.clone(),
        span: e.span,
        style: e.style,
    }
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
        labels,
        levels,
        span: t.span,
    })
}

pub(super) fn notify_for(n: &Option<raw::Notify>, level: Level) -> Option<&Vec<raw::Str>> {
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
    let priorities: Vec<String> = project.priorities.iter().map(|p| p.name.clone()).collect();
    let severity = project.severity(level);
    let priority = match &l.priority {
        Some(p) => {
            r.names_exist(
                std::slice::from_ref(p),
                &priorities,
                "spec/unknown-priority",
                "priority",
                "`priorities` of the project file",
            );
            p.value.clone()
        }
        None => match severity {
            Some(s) => s.priority.clone(),
            None => {
                let span = t.id.span;
                r.report(
                    Diagnostic::error(
                        "spec/unknown-severity",
                        format!("the project defines no `{}` severity", level.as_str()),
                    )
                    .with_label(span, format!("this threshold has a {} level", level.as_str()))
                    .with_help(format!(
                        "add `{}: {{priority: ..., receivers: [...]}}` under `severities` in the project file",
                        level.as_str()
                    )),
                );
                String::new()
            }
        },
    };
    let receiver_names: Vec<String> = project.receivers.iter().map(|x| x.name.clone()).collect();
    let chosen = l
        .notify
        .as_ref()
        .or_else(|| notify_for(&t.notify, level))
        .or_else(|| notify_for(&feature.notify, level));
    let (receivers, receiver_refs, receivers_span) = match chosen {
        Some(list) => {
            let span = list.first().map_or(l.span, |f| f.span);
            let (names, refs) = receiver_refs(list, &receiver_names);
            (names, refs, span)
        }
        None => (
            severity.map(|s| s.receivers.clone()).unwrap_or_default(),
            Vec::new(),
            l.span,
        ),
    };
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
