//! `routing/inline-secret`.
//!
//! Secrets written in their own inline field (`api_url`, `routing_key`,
//! `auth_password`, a URL with credentials) are reported by the resolver
//! with this id, since they never reach the model. This file judges what
//! does reach it: `*_file` fields holding the secret itself instead of a
//! path, and webhook URLs carrying a secret.

use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::source::SourceMap;
use crate::spec::model::{Integration, Receiver, Workspace};

/// The diagnostic for a secret written where a file path or plain URL belongs.
pub fn inline_secret(receiver: &Receiver, field: &str, what: &str, help: &str) -> Diagnostic {
    Diagnostic::error(
        "routing/inline-secret",
        format!("`{field}` of receiver `{}` holds {what}", receiver.name),
    )
    .with_label(receiver.span, "secret in the spec")
    .with_help(help.to_string())
}

declare_rule! {
    /// ## What it does
    /// Finds secrets written into a spec: a Slack webhook URL, a PagerDuty
    /// or Opsgenie key, an SMTP password, credentials or tokens in a webhook
    /// URL — inline fields (`api_url`, `routing_key`, `auth_password`...) and
    /// `*_file` fields that hold the secret instead of a path.
    ///
    /// ## Why is this bad?
    /// Specs live in version control and the generated Alertmanager
    /// configuration is committed: a secret in either is leaked to everyone
    /// who can read the repository, and rotating it means rewriting history.
    /// promspec never copies a secret into generated files.
    ///
    /// ## Example
    /// ```yaml
    /// receivers:
    ///   slack-ops:
    ///     slack:
    ///       channel: "#ops"
    ///       api_url: https://hooks.slack.com/services/T000/B000/XXXX
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
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

/// Whether a webhook URL carries a secret in its path or query.
fn secret_in_url(url: &str) -> bool {
    const NAMES: [&str; 9] = [
        "token",
        "access_token",
        "key",
        "apikey",
        "api_key",
        "secret",
        "password",
        "sig",
        "signature",
    ];
    let lower = url.to_ascii_lowercase();
    let query_secret = lower.split_once('?').is_some_and(|(_, q)| {
        q.split('&')
            .filter_map(|kv| kv.split('=').next())
            .any(|k| NAMES.contains(&k))
    });
    query_secret || lower.contains("hooks.slack.com/services/")
}

/// Report `*_file` fields holding a secret and webhook URLs carrying one.
pub fn check(ws: &Workspace, _sources: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for r in &ws.project.receivers {
        for i in &r.integrations {
            let files: Vec<(&str, &Option<String>)> = match i {
                Integration::Slack { api_url_file, .. } => vec![("api_url_file", api_url_file)],
                Integration::Pagerduty {
                    routing_key_file,
                    service_key_file,
                    ..
                } => vec![
                    ("routing_key_file", routing_key_file),
                    ("service_key_file", service_key_file),
                ],
                Integration::Opsgenie { api_key_file, .. } => vec![("api_key_file", api_key_file)],
                Integration::Webhook { url, url_file, .. } => {
                    if url.as_deref().is_some_and(secret_in_url) {
                        out.push(inline_secret(
                            r,
                            "url",
                            "a URL carrying a secret",
                            "give Alertmanager a URL without the secret and authenticate the endpoint \
                             another way (network policy, a proxy adding the credentials)",
                        ));
                    }
                    vec![("url_file", url_file)]
                }
                Integration::Email { .. } => Vec::new(),
            };
            for (field, value) in files {
                if let Some(what) = value.as_deref().and_then(not_a_path) {
                    out.push(inline_secret(r, field, what, FILE_HELP));
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
        assert!(secret_in_url("https://hooks.example.com/alert?token=abc"));
        assert!(secret_in_url("https://hooks.slack.com/services/T0/B0/X"));
        assert!(!secret_in_url("http://alert-bridge.internal:9000/alerts"));
    }

    #[test]
    fn pass_on_the_init_project() {
        let threshold = "  - id: errors\n    query: sum by (instance) (rate(errors_total[5m]))\n    unit: per_second\n    warning: {above: 1/s}\n    critical: {above: 5/s}\n    info: {above: 0.5/s}\n";
        let (ws, sources) = load(&[("checkout", &feature("checkout", threshold))]);
        assert!(check(&ws, &sources).is_empty());
    }
}
