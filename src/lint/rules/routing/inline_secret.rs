//! `routing/inline-secret`.
//!
//! Secrets written in their own inline field (`api_url`, `routing_key`,
//! `auth_password`) are reported by the resolver with this id, since they
//! never reach the model. This file judges what does reach it, at the span
//! of each value: `*_file` fields holding the secret itself instead of a
//! path, URLs carrying credentials or tokens (`grafana_url`, webhook `url`),
//! a webhook URL pasted into a Slack `channel`, and a password in the SMTP
//! `smarthost` or `auth_username`.
//!
//! A diagnostic never contains the secret: URLs are shown masked
//! (`https://****@grafana.example.com`) and other values not at all.

use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::source::{SourceMap, Span};
use crate::spec::model::{Integration, Workspace};

/// The diagnostic for a secret written where a file path, a plain URL or a
/// plain name belongs. `what` says what the value holds, masked if shown.
pub fn inline_secret(span: Span, field: &str, owner: &str, what: &str, help: &str) -> Diagnostic {
    Diagnostic::error(
        "routing/inline-secret",
        format!("`{field}` of {owner} holds {what}"),
    )
    .with_label(span, "secret in the spec")
    .with_help(help.to_string())
    .with_redacted(span)
}

declare_rule! {
    /// ## What it does
    /// Finds secrets written into a spec: a Slack webhook URL, a PagerDuty
    /// or Opsgenie key, an SMTP password, credentials or tokens in a URL —
    /// inline fields (`api_url`, `routing_key`, `auth_password`...),
    /// `*_file` fields that hold the secret instead of a path, credentials in
    /// `grafana_url` (`https://admin:password@grafana...`), a token in a
    /// webhook URL's query string, a webhook URL in a Slack `channel`, and a
    /// password in `smarthost` (`user:password@host:587`) or
    /// `auth_username` (`user:password`). The finding shows the value
    /// masked, never the secret.
    ///
    /// ## Why is this bad?
    /// Specs live in version control and the generated files are committed:
    /// a secret in either is leaked to everyone who can read the repository,
    /// and rotating it means rewriting history. `grafana_url` is copied into
    /// the `dashboard_url` annotation of every alert, so its credentials
    /// would also reach every notification. promspec never copies a secret
    /// into generated files.
    ///
    /// ## Example
    /// ```yaml
    /// grafana_url: https://admin:hunter2@grafana.example.com
    /// receivers:
    ///   slack-ops:
    ///     slack:
    ///       channel: "#ops"
    ///       api_url: https://hooks.slack.com/services/T000/B000/XXXX
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// grafana_url: https://grafana.example.com
    /// receivers:
    ///   slack-ops:
    ///     slack:
    ///       channel: "#ops"
    ///       api_url_file: /etc/alertmanager/secrets/slack-webhook-url
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct InlineSecret => Check::Workspace(check);
}

const FILE_HELP: &str = "put the secret in a file readable by Alertmanager and write the file's \
                         path here, e.g. `/etc/alertmanager/secrets/<name>`";

const URL_HELP: &str = "give a URL without the secret and authenticate another way (network \
                        policy, a proxy adding the credentials); a secret in a spec ends up in \
                        version control and in every generated file";

/// Query parameters whose value is a credential.
const SECRET_PARAMS: [&str; 14] = [
    "token",
    "access_token",
    "auth_token",
    "api_token",
    "key",
    "apikey",
    "api_key",
    "secret",
    "client_secret",
    "password",
    "passwd",
    "pwd",
    "sig",
    "signature",
];

/// Path prefixes after which a webhook URL's path is itself the secret.
const SECRET_PATHS: [&str; 4] = [
    "hooks.slack.com/services/",
    "discord.com/api/webhooks/",
    "discordapp.com/api/webhooks/",
    "webhook.office.com/webhookb2/",
];

/// What a `*_file` value holds when it is not a path, if it looks like a secret.
fn not_a_path(value: &str) -> Option<&'static str> {
    if value.contains("://") {
        return Some("a URL instead of a file path");
    }
    let token_like = value.len() >= 16
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    token_like.then_some("what looks like a key instead of a file path")
}

/// `url` with every secret part replaced by `****`, if it carries any.
pub fn mask_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let mut secret = false;
    let host = match authority.rsplit_once('@') {
        Some((_, host)) => {
            secret = true;
            format!("****@{host}")
        }
        None => authority.to_string(),
    };
    let (before_fragment, fragment) = match tail.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (tail, None),
    };
    let (path, query) = match before_fragment.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (before_fragment, None),
    };
    let lower = format!("{host}{path}").to_ascii_lowercase();
    let path = match SECRET_PATHS
        .iter()
        .find_map(|p| lower.find(p).map(|i| i + p.len()))
    {
        Some(end) if end < lower.len() => {
            secret = true;
            let keep = end - host.len();
            format!("{}****", &path[..keep])
        }
        _ => path.to_string(),
    };
    let query = query.map(|q| {
        q.split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if SECRET_PARAMS.contains(&k.to_ascii_lowercase().as_str()) => {
                    secret = true;
                    format!("{k}=****")
                }
                _ => kv.to_string(),
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    if !secret {
        return None;
    }
    let mut out = format!("{scheme}://{host}{path}");
    if let Some(q) = query {
        out.push('?');
        out.push_str(&q);
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    Some(out)
}

/// Report every secret that reached the model, at the span of its value.
pub fn check(ws: &Workspace, _sources: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let project = &ws.project;
    if let (Some(span), Some(masked)) = (project.grafana_url_span, mask_url(&project.grafana_url)) {
        out.push(inline_secret(
            span,
            "grafana_url",
            "the project",
            &format!("a URL with credentials: `{masked}`"),
            "write the address only, e.g. `https://grafana.example.com`: it is copied into the \
             `dashboard_url` annotation of every alert and into every notification",
        ));
    }
    if let Some(smtp) = &project.alertmanager.smtp {
        if smtp.smarthost.contains('@') {
            out.push(inline_secret(
                smtp.smarthost_span,
                "smarthost",
                "the SMTP settings",
                "credentials (`****@host:port`)",
                "write `host:port` only, the user in `auth_username` and the password in a file \
                 named by `auth_password_file`",
            ));
        }
        if let (Some(user), Some(span)) = (&smtp.auth_username, smtp.auth_username_span)
            && user.contains(':')
        {
            out.push(inline_secret(
                span,
                "auth_username",
                "the SMTP settings",
                "what looks like `user:password`",
                "write the user name only and put the password in a file named by \
                 `auth_password_file`",
            ));
        }
    }
    for r in &project.receivers {
        let owner = format!("receiver `{}`", r.name);
        for i in &r.integrations {
            let files: Vec<(&str, &Option<String>)> = match i {
                Integration::Slack {
                    channel,
                    api_url_file,
                    ..
                } => {
                    if channel.contains("://") {
                        let what = match mask_url(channel) {
                            Some(masked) => format!("a webhook URL (`{masked}`), not a channel"),
                            None => "a URL, not a channel".to_string(),
                        };
                        out.push(inline_secret(
                            r.field_span("slack.channel"),
                            "channel",
                            &owner,
                            &what,
                            "write the channel name such as `#ops-alerts`; the webhook URL is a \
                             secret: put it in a file named by `api_url_file`",
                        ));
                    }
                    vec![("slack.api_url_file", api_url_file)]
                }
                Integration::Pagerduty {
                    routing_key_file,
                    service_key_file,
                    ..
                } => vec![
                    ("pagerduty.routing_key_file", routing_key_file),
                    ("pagerduty.service_key_file", service_key_file),
                ],
                Integration::Opsgenie { api_key_file, .. } => {
                    vec![("opsgenie.api_key_file", api_key_file)]
                }
                Integration::Webhook { url, url_file, .. } => {
                    if let Some(masked) = url.as_deref().and_then(mask_url) {
                        out.push(inline_secret(
                            r.field_span("webhook.url"),
                            "url",
                            &owner,
                            &format!("a URL carrying a secret: `{masked}`"),
                            URL_HELP,
                        ));
                    }
                    vec![("webhook.url_file", url_file)]
                }
                Integration::Email { .. } => Vec::new(),
            };
            for (key, value) in files {
                if let Some(what) = value.as_deref().and_then(not_a_path) {
                    let field = key.split_once('.').map_or(key, |(_, f)| f);
                    out.push(inline_secret(
                        r.field_span(key),
                        field,
                        &owner,
                        what,
                        FILE_HELP,
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test::{feature, load};

    #[test]
    fn recognises_secrets() {
        assert!(not_a_path("/etc/alertmanager/secrets/slack").is_none());
        assert!(not_a_path("secrets/pagerduty-key.txt").is_none());
        assert!(not_a_path("https://hooks.slack.com/services/T0/B0/X").is_some());
        assert!(not_a_path("e93facc04764012d7bfb002500d5d1a6").is_some());
        assert!(mask_url("http://alert-bridge.internal:9000/alerts").is_none());
        assert!(mask_url("https://grafana.example.com/d/x?orgId=1").is_none());
    }

    #[test]
    fn masks_every_secret_part() {
        assert_eq!(
            mask_url("https://admin:hunter2@grafana.example.com").as_deref(),
            Some("https://****@grafana.example.com")
        );
        assert_eq!(
            mask_url("https://hooks.example.com/alert?team=ops&Token=abc123#x").as_deref(),
            Some("https://hooks.example.com/alert?team=ops&Token=****#x")
        );
        assert_eq!(
            mask_url("https://hooks.slack.com/services/T0/B0/XXXX").as_deref(),
            Some("https://hooks.slack.com/services/****")
        );
        for masked in [
            mask_url("https://u:p4ss@h.example.com/?key=s3cr3t").unwrap(),
            mask_url("https://hooks.slack.com/services/T0/B0/XXXX").unwrap(),
        ] {
            for secret in ["p4ss", "s3cr3t", "XXXX"] {
                assert!(!masked.contains(secret), "{masked}");
            }
        }
    }

    #[test]
    fn pass_on_the_init_project() {
        let threshold = "  - id: errors\n    query: sum by (instance) (rate(errors_total[5m]))\n    unit: per_second\n    warning: {above: 1/s}\n    critical: {above: 5/s}\n    info: {above: 0.5/s}\n";
        let (ws, sources) = load(&[("checkout", &feature("checkout", threshold))]);
        assert!(check(&ws, &sources).is_empty());
    }
}
