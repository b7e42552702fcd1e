//! An Alertmanager [`Config`] as YAML, in the field names and notation of
//! Alertmanager 0.25 (`matchers`, `time_intervals`, `*_file` secrets).

use crate::compile::alertmanager::templates;
use crate::compile::yaml_out::Value;
use crate::routing::config::{Config, GroupBy, InhibitRule, Receiver, Route};
use crate::routing::matcher::Matcher;
use crate::spec::model::{Integration, Project, TimeInterval};
use crate::spec::units::format_duration;

fn strings<S: AsRef<str>>(items: &[S]) -> Value {
    Value::Seq(items.iter().map(|s| Value::str(s.as_ref())).collect())
}

fn matchers(ms: &[Matcher]) -> Value {
    Value::Seq(ms.iter().map(|m| Value::str(m.to_string())).collect())
}

fn route(r: &Route) -> Value {
    let mut m = Value::map();
    if !r.matchers.is_empty() {
        m.push("matchers", matchers(&r.matchers));
    }
    if let Some(receiver) = &r.receiver {
        m.push("receiver", Value::str(receiver));
    }
    if r.continue_ {
        m.push("continue", Value::Bool(true));
    }
    match &r.group_by {
        Some(GroupBy::Labels(labels)) => {
            m.push("group_by", strings(labels));
        }
        Some(GroupBy::All) => {
            m.push("group_by", strings(&["..."]));
        }
        None => {}
    }
    for (key, d) in [
        ("group_wait", r.group_wait),
        ("group_interval", r.group_interval),
        ("repeat_interval", r.repeat_interval),
    ] {
        if let Some(d) = d {
            m.push(key, Value::str(format_duration(d)));
        }
    }
    if !r.active_time_intervals.is_empty() {
        m.push("active_time_intervals", strings(&r.active_time_intervals));
    }
    if !r.mute_time_intervals.is_empty() {
        m.push("mute_time_intervals", strings(&r.mute_time_intervals));
    }
    if !r.routes.is_empty() {
        m.push("routes", Value::Seq(r.routes.iter().map(route).collect()));
    }
    m
}

/// The Opsgenie priority of an alert when the spec sets none: the alert's
/// `priority` label mapped onto Opsgenie's P1..P5 (`P<n>` names by number,
/// other names by rank in the project file).
pub fn opsgenie_priority_template(project: &Project) -> String {
    if project.priorities.is_empty() {
        return "P3".into();
    }
    let mut out = String::new();
    for (rank, p) in project.priorities.iter().enumerate() {
        let n = p
            .name
            .strip_prefix('P')
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(rank + 1)
            .clamp(1, 5);
        let keyword = if rank == 0 { "if" } else { "else if" };
        out.push_str(&format!(
            "{{{{ {keyword} eq .CommonLabels.priority \"{}\" }}}}P{n}",
            p.name
        ));
    }
    out.push_str("{{ else }}P3{{ end }}");
    out
}

/// The templated fields `defaults`, each replaced by the spec's override of
/// the same name, pushed onto `m`.
fn templated(m: &mut Value, defaults: Vec<(&'static str, String)>, overrides: &[(&str, String)]) {
    for (key, default) in defaults {
        let value = overrides
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(default, |(_, v)| v.clone());
        m.push(key, Value::str(value));
    }
}

fn details() -> Value {
    let mut d = Value::map();
    for (key, value) in templates::details() {
        d.push(key, Value::str(value));
    }
    d
}

fn integration(i: &Integration, project: &Project) -> (&'static str, Value) {
    let mut m = Value::map();
    let opt = |m: &mut Value, key: &str, v: &Option<String>| {
        if let Some(v) = v {
            m.push(key, Value::str(v));
        }
    };
    let key = match i {
        Integration::Slack {
            channel,
            api_url_file,
            send_resolved,
            overrides,
        } => {
            opt(&mut m, "api_url_file", api_url_file);
            m.push("channel", Value::str(channel))
                .push("send_resolved", Value::Bool(*send_resolved));
            templated(&mut m, templates::slack(), overrides);
            "slack_configs"
        }
        Integration::Email {
            to,
            send_resolved,
            overrides,
        } => {
            m.push("to", Value::str(to))
                .push("send_resolved", Value::Bool(*send_resolved));
            let mut fields = templates::email();
            // The subject is a header, which Alertmanager names `Subject`.
            let (_, subject) = fields.remove(0);
            let subject = overrides
                .iter()
                .find(|(k, _)| *k == "subject")
                .map_or(subject, |(_, v)| v.clone());
            let mut headers = Value::map();
            headers.push("Subject", Value::str(subject));
            m.push("headers", headers);
            templated(&mut m, fields, overrides);
            "email_configs"
        }
        Integration::Pagerduty {
            routing_key_file,
            service_key_file,
            send_resolved,
            overrides,
        } => {
            opt(&mut m, "routing_key_file", routing_key_file);
            opt(&mut m, "service_key_file", service_key_file);
            m.push("send_resolved", Value::Bool(*send_resolved));
            templated(&mut m, templates::pagerduty(), overrides);
            m.push("details", details());
            let links = templates::pagerduty_links()
                .into_iter()
                .map(|(text, href)| {
                    let mut l = Value::map();
                    l.push("href", Value::str(href))
                        .push("text", Value::str(text));
                    l
                })
                .collect();
            m.push("links", Value::Seq(links));
            "pagerduty_configs"
        }
        Integration::Opsgenie {
            api_key_file,
            priority,
            send_resolved,
            overrides,
        } => {
            opt(&mut m, "api_key_file", api_key_file);
            let priority = priority
                .clone()
                .unwrap_or_else(|| opsgenie_priority_template(project));
            m.push("priority", Value::str(priority))
                .push("send_resolved", Value::Bool(*send_resolved));
            templated(&mut m, templates::opsgenie(), overrides);
            m.push("details", details());
            "opsgenie_configs"
        }
        Integration::Webhook {
            url,
            url_file,
            send_resolved,
            max_alerts,
        } => {
            opt(&mut m, "url", url);
            opt(&mut m, "url_file", url_file);
            m.push("send_resolved", Value::Bool(*send_resolved));
            if *max_alerts > 0 {
                m.push("max_alerts", Value::Int(i64::from(*max_alerts)));
            }
            "webhook_configs"
        }
    };
    (key, m)
}

fn receiver(r: &Receiver, project: &Project) -> Value {
    let mut m = Value::map();
    m.push("name", Value::str(&r.name));
    // Integrations of one kind are grouped under one `*_configs` key, kinds in a fixed order.
    let mut by_kind: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for i in &r.integrations {
        let (key, v) = integration(i, project);
        match by_kind.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(v),
            None => by_kind.push((key, vec![v])),
        }
    }
    by_kind.sort_by_key(|(k, _)| *k);
    for (key, list) in by_kind {
        m.push(key, Value::Seq(list));
    }
    m
}

fn inhibit_rule(r: &InhibitRule) -> Value {
    let mut m = Value::map();
    m.push("source_matchers", matchers(&r.source_matchers))
        .push("target_matchers", matchers(&r.target_matchers))
        .push("equal", strings(&r.equal));
    m
}

fn time_interval(t: &TimeInterval) -> Value {
    let ranges = t
        .ranges
        .iter()
        .map(|r| {
            let mut m = Value::map();
            if !r.times.is_empty() {
                let times = r
                    .times
                    .iter()
                    .map(|(start, end)| {
                        let mut t = Value::map();
                        t.push("start_time", Value::str(start))
                            .push("end_time", Value::str(end));
                        t
                    })
                    .collect();
                m.push("times", Value::Seq(times));
            }
            for (key, list) in [
                ("weekdays", &r.weekdays),
                ("days_of_month", &r.days_of_month),
                ("months", &r.months),
                ("years", &r.years),
            ] {
                if !list.is_empty() {
                    m.push(key, strings(list));
                }
            }
            if let Some(l) = &r.location {
                m.push("location", Value::str(l));
            }
            m
        })
        .collect();
    let mut m = Value::map();
    m.push("name", Value::str(&t.name))
        .push("time_intervals", Value::Seq(ranges));
    m
}

/// The configuration as a YAML value.
pub fn to_value(config: &Config, project: &Project) -> Value {
    let mut global = Value::map();
    if let Some(d) = config.global.resolve_timeout {
        global.push("resolve_timeout", Value::str(format_duration(d)));
    }
    if let Some(smtp) = &config.global.smtp {
        global
            .push("smtp_smarthost", Value::str(&smtp.smarthost))
            .push("smtp_from", Value::str(&smtp.from));
        if let Some(u) = &smtp.auth_username {
            global.push("smtp_auth_username", Value::str(u));
        }
        if let Some(p) = &smtp.auth_password_file {
            global.push("smtp_auth_password_file", Value::str(p));
        }
        global.push("smtp_require_tls", Value::Bool(smtp.require_tls));
    }
    let mut doc = Value::map();
    if !matches!(&global, Value::Map(entries) if entries.is_empty()) {
        doc.push("global", global);
    }
    doc.push(
        "templates",
        Value::Seq(vec![Value::str(templates::reference(project))]),
    );
    doc.push("route", route(&config.route)).push(
        "receivers",
        Value::Seq(
            config
                .receivers
                .iter()
                .map(|r| receiver(r, project))
                .collect(),
        ),
    );
    if !config.inhibit_rules.is_empty() {
        doc.push(
            "inhibit_rules",
            Value::Seq(config.inhibit_rules.iter().map(inhibit_rule).collect()),
        );
    }
    if !config.time_intervals.is_empty() {
        doc.push(
            "time_intervals",
            Value::Seq(config.time_intervals.iter().map(time_interval).collect()),
        );
    }
    doc
}
