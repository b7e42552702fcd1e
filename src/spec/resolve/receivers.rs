//! Receivers and their integrations. Secrets written in their own inline
//! field (`api_url`, `routing_key`...) are refused here, since they never
//! reach the model; values that do reach it keep their spans
//! ([`Receiver::field_spans`]) for the `routing/inline-secret` rule.

use super::Resolver;
use super::url::{absolute_url, invalid_url};
use crate::diag::Diagnostic;
use crate::source::Spanned;
use crate::spec::model::*;
use crate::spec::raw;

pub(super) fn inline_secret(field: &raw::Str, name: &str, file_field: &str) -> Diagnostic {
    Diagnostic::error(
        "routing/inline-secret",
        format!("`{name}` holds a secret written inline"),
    )
    .with_label(field.span, "secret in the spec")
    .with_redacted(field.span)
    .with_help(format!(
        "move the value to a file readable by Alertmanager and reference it with `{file_field}`; \
             a secret in a spec ends up in version control and generated files"
    ))
}

fn send_resolved(v: &Option<Spanned<bool>>, default: bool) -> bool {
    v.as_ref().map_or(default, |b| b.value)
}

fn file_ref(v: &Option<raw::Str>) -> Option<String> {
    v.as_ref().map(|s| s.value.clone())
}

/// The notification fields written in the spec, by Alertmanager field name.
fn overrides(fields: &[(&'static str, &Option<raw::Str>)]) -> Vec<(&'static str, String)> {
    fields
        .iter()
        .filter_map(|(key, v)| v.as_ref().map(|v| (*key, v.value.clone())))
        .collect()
}

/// Resolve one receiver; `intervals` are the names of the project's time intervals.
pub(super) fn receiver(
    def: &raw::ReceiverDef,
    name: &raw::Str,
    intervals: &[String],
    r: &mut Resolver,
) -> Receiver {
    let mut hours = |list: &Option<Vec<raw::Str>>| {
        r.names_exist(
            list.as_deref().unwrap_or_default(),
            intervals,
            "spec/unknown-time-interval",
            "time interval",
            "`time_intervals` of the project file",
        )
    };
    let active_time_intervals = hours(&def.active_time_intervals);
    let mute_time_intervals = hours(&def.mute_time_intervals);
    let mut written: Vec<(&'static str, Option<&raw::Str>)> = Vec::new();
    if let Some(s) = &def.slack {
        written.push(("slack.channel", Some(&s.channel)));
        written.push(("slack.api_url_file", s.api_url_file.as_ref()));
        written.push(("slack.title", s.title.as_ref()));
        written.push(("slack.text", s.text.as_ref()));
    }
    if let Some(e) = &def.email {
        written.push(("email.to", Some(&e.to)));
        written.push(("email.subject", e.subject.as_ref()));
        written.push(("email.html", e.html.as_ref()));
    }
    if let Some(p) = &def.pagerduty {
        written.push(("pagerduty.routing_key_file", p.routing_key_file.as_ref()));
        written.push(("pagerduty.service_key_file", p.service_key_file.as_ref()));
        written.push(("pagerduty.description", p.description.as_ref()));
    }
    if let Some(o) = &def.opsgenie {
        written.push(("opsgenie.api_key_file", o.api_key_file.as_ref()));
        written.push(("opsgenie.priority", o.priority.as_ref()));
        written.push(("opsgenie.message", o.message.as_ref()));
        written.push(("opsgenie.description", o.description.as_ref()));
    }
    if let Some(w) = &def.webhook {
        written.push(("webhook.url", w.url.as_ref()));
        written.push(("webhook.url_file", w.url_file.as_ref()));
    }
    Receiver {
        name: name.value.clone(),
        integrations: integrations(def, name, r),
        active_time_intervals,
        mute_time_intervals,
        span: name.span,
        field_spans: written
            .into_iter()
            .filter_map(|(field, value)| value.map(|v| (field, v.span)))
            .collect(),
    }
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
            overrides: overrides(&[("title", &s.title), ("text", &s.text)]),
        });
    }
    if let Some(e) = &def.email {
        out.push(Integration::Email {
            to: e.to.value.clone(),
            send_resolved: send_resolved(&e.send_resolved, false),
            overrides: overrides(&[("subject", &e.subject), ("html", &e.html)]),
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
            overrides: overrides(&[("description", &p.description)]),
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
            overrides: overrides(&[("message", &o.message), ("description", &o.description)]),
        });
    }
    if let Some(w) = &def.webhook {
        if let Some(url) = &w.url
            && let Err(problem) = absolute_url(&url.value)
        {
            r.report(invalid_url(
                url,
                "url",
                problem,
                "Alertmanager refuses the configuration",
            ));
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
