//! `routing/unused-receiver`.

use crate::compile::alertmanager;
use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::source::SourceMap;
use crate::spec::model::{Receiver, Workspace};

/// The diagnostic for a receiver no route uses.
pub fn unused_receiver(receiver: &Receiver) -> Diagnostic {
    Diagnostic::warning(
        "routing/unused-receiver",
        format!("receiver `{}` receives no alert", receiver.name),
    )
    .with_label(receiver.span, "no route delivers to this receiver")
    .with_help("name it in a `notify` list or under `severities` in the project file, or remove it")
}

declare_rule! {
    /// ## What it does
    /// Finds receivers defined in the project file that no route of the
    /// generated Alertmanager configuration delivers to: no severity and no
    /// `notify` list of an alert names them.
    ///
    /// ## Why is this bad?
    /// An unused receiver is usually a forgotten reference: the team it was
    /// meant for does not hear about the alerts someone expected it to get.
    /// Otherwise it is dead configuration holding secrets' file paths.
    ///
    /// ## Example
    /// ```yaml
    /// receivers:
    ///   slack-db-team:
    ///     slack: {channel: "#db", api_url_file: /etc/alertmanager/slack-url}
    /// # ...and no `notify` or severity names slack-db-team
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// thresholds:
    ///   - id: replication-lag
    ///     notify: {warning: [slack-db-team]}
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct UnusedReceiver => Check::Workspace(check);
}

/// Report the project's receivers that the generated route tree never uses.
pub fn check(ws: &Workspace, _sources: &SourceMap) -> Vec<Diagnostic> {
    let config = alertmanager::config(&ws.project, &ws.features);
    let used: Vec<&str> = config
        .route
        .walk()
        .into_iter()
        .filter_map(|r| r.receiver.as_deref())
        .collect();
    ws.project
        .receivers
        .iter()
        .filter(|r| !used.contains(&r.name.as_str()))
        .map(unused_receiver)
        .collect()
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
