//! The project file: settings, priorities, receivers, time intervals,
//! severities, SMTP and lint severities.

use std::time::Duration;

use super::receivers::{inline_secret, receiver};
use super::time::time_range;
use super::url::{base_url, host_port, invalid_host_port, invalid_url};
use super::{Resolver, language, lint_severity, receiver_refs};
use crate::diag::Diagnostic;
use crate::source::SourceId;
use crate::spec::model::*;
use crate::spec::raw;

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

    let mut time_intervals = Vec::new();
    for (name, ranges) in raw.time_intervals.iter().flat_map(|m| m.entries.iter()) {
        time_intervals.push(TimeInterval {
            name: name.value.clone(),
            ranges: ranges.iter().map(|t| time_range(t, &mut r)).collect(),
            span: name.span,
        });
    }
    let interval_names: Vec<String> = time_intervals.iter().map(|t| t.name.clone()).collect();

    let mut receivers = Vec::new();
    for (name, def) in raw.receivers.iter().flat_map(|m| m.entries.iter()) {
        r.slug(name, "receiver name");
        receivers.push(receiver(def, name, &interval_names, &mut r));
    }
    let receiver_names: Vec<String> = receivers.iter().map(|x| x.name.clone()).collect();

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
                // An address with `user:password@` is a secret, judged by
                // `routing/inline-secret` without quoting it.
                if !s.smarthost.value.contains('@')
                    && let Err(problem) = host_port(&s.smarthost.value)
                {
                    r.report(invalid_host_port(&s.smarthost, problem));
                }
                Smtp {
                    smarthost: s.smarthost.value.clone(),
                    smarthost_span: s.smarthost.span,
                    from: s.from.value.clone(),
                    auth_username: s.auth_username.as_ref().map(|v| v.value.clone()),
                    auth_username_span: s.auth_username.as_ref().map(|v| v.span),
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
            templates_dir: a.templates_dir.as_ref().map(|d| d.value.clone()),
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
    let slo_windows = crate::spec::slo::resolve::project_windows(&raw.slo_windows, &mut r);
    let targets = crate::spec::targets::resolve(raw.targets.as_ref(), r.diagnostics);
    if let Some(url) = &raw.grafana_url
        && let Err(problem) = base_url(&url.value)
    {
        r.report(invalid_url(
            url,
            "grafana_url",
            problem,
            "every `dashboard_url` annotation and dashboard link is built from it",
        ));
    }
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
        grafana_url_span: raw.grafana_url.as_ref().map(|u| u.span),
        dialect,
        evaluation_interval,
        scrape_interval,
        docs_language,
        default_for,
        default_keep_firing_for,
        label_spans: Resolver::label_spans(&raw.labels, &labels),
        labels,
        alertmanager,
        priorities,
        severities,
        receivers,
        time_intervals,
        lint_rules,
        targets,
        lint: Default::default(),
        slo_windows,
    }
}
