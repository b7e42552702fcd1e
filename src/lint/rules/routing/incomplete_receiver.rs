//! `routing/incomplete-receiver`.

use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::source::SourceMap;
use crate::spec::model::{Integration, Receiver, Workspace};

/// The diagnostic for an integration Alertmanager cannot use as written.
pub fn incomplete_receiver(receiver: &Receiver, problem: &str, help: &str) -> Diagnostic {
    Diagnostic::error(
        "routing/incomplete-receiver",
        format!("receiver `{}` {problem}", receiver.name),
    )
    .with_label(receiver.span, "Alertmanager rejects this receiver")
    .with_help(help.to_string())
}

declare_rule! {
    /// ## What it does
    /// Finds receivers that Alertmanager (0.25, the version promspec's
    /// output is checked against) would reject: Slack without
    /// `api_url_file`, PagerDuty without a key file, Opsgenie without
    /// `api_key_file`, email without the project's SMTP settings, a webhook
    /// without `url` or with `url_file` (which Alertmanager reads only from
    /// 0.26 on).
    ///
    /// ## Why is this bad?
    /// `amtool check-config` fails on the generated configuration and
    /// Alertmanager refuses to load it: no alert is delivered at all.
    ///
    /// ## Example
    /// ```yaml
    /// receivers:
    ///   email-dba:
    ///     email: {to: dba@example.com}
    /// # ...and no `alertmanager.smtp` in the project file
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// alertmanager:
    ///   smtp:
    ///     smarthost: smtp.example.com:587
    ///     from: alertmanager@example.com
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct IncompleteReceiver => Check::Workspace(check);
}

/// Report integrations missing what Alertmanager requires.
pub fn check(ws: &Workspace, _sources: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for r in &ws.project.receivers {
        for i in &r.integrations {
            let problem = match i {
                Integration::Slack {
                    api_url_file: None, ..
                } => Some((
                    "has no Slack webhook",
                    "add `api_url_file` with the path of a file holding the incoming-webhook URL \
                     (never the URL itself in `api_url`)",
                )),
                Integration::Pagerduty {
                    routing_key_file: None,
                    service_key_file: None,
                    ..
                } => Some((
                    "has no PagerDuty key",
                    "add `routing_key_file` with the path of a file holding the Events API v2 \
                     routing key (never the key itself)",
                )),
                Integration::Opsgenie {
                    api_key_file: None, ..
                } => Some((
                    "has no Opsgenie API key",
                    "add `api_key_file` with the path of a file holding the API key (never the \
                     key itself)",
                )),
                Integration::Email { .. } if ws.project.alertmanager.smtp.is_none() => Some((
                    "sends email but the project has no SMTP settings",
                    "add `alertmanager.smtp` (`smarthost`, `from`) to the project file",
                )),
                Integration::Webhook {
                    url_file: Some(_), ..
                } => Some((
                    "reads its webhook URL from a file, which Alertmanager 0.25 cannot do",
                    "write the URL in `url` (without credentials: authenticate the endpoint otherwise)",
                )),
                Integration::Webhook { url: None, .. } => Some((
                    "has no webhook URL",
                    "add `url` with the endpoint to post alerts to",
                )),
                _ => None,
            };
            if let Some((problem, help)) = problem {
                out.push(incomplete_receiver(r, problem, help));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::lint::rules::test::{feature, load};

    #[test]
    fn pass_on_the_init_project() {
        let threshold = "  - id: errors\n    query: sum by (instance) (rate(errors_total[5m]))\n    unit: per_second\n    warning: {above: 1/s}\n    critical: {above: 5/s}\n    info: {above: 0.5/s}\n";
        let (ws, sources) = load(&[("checkout", &feature("checkout", threshold))]);
        assert!(check(&ws, &sources).is_empty());
    }
}
