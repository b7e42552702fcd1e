//! `routing/unrouted-alert`.

use crate::compile::alertmanager::{self, Alert};
use crate::compile::conventions as names;
use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::routing::eval;
use crate::source::SourceMap;
use crate::spec::model::{SeverityConfig, Workspace};

/// The diagnostic for an alert that reaches only the unrouted receiver;
/// `severity` is the configuration it took its (empty) receivers from, if any.
pub fn unrouted_alert(alert: &Alert, severity: Option<&SeverityConfig>) -> Diagnostic {
    let level = alert.level.level.as_str();
    let d = Diagnostic::warning(
        "routing/unrouted-alert",
        format!("the {level} alert `{}` notifies nobody", alert.alertname),
    )
    .with_label(alert.level.receivers_span, "no receiver for this level");
    let d = match severity {
        Some(s) => d.with_secondary(s.span, format!("the {level} severity names no receivers")),
        None => d,
    };
    d.with_help(format!(
        "it reaches Alertmanager's default receiver `{}`, which drops it; name receivers in \
         `notify` (level, threshold or feature) or under `severities.{level}.receivers` in the \
         project file",
        names::UNROUTED_RECEIVER
    ))
}

declare_rule! {
    /// ## What it does
    /// Finds alerts that the generated Alertmanager routing delivers to no
    /// receiver: their level, threshold and feature name no receivers, and
    /// neither does the project's severity.
    ///
    /// ## Why is this bad?
    /// Such an alert fires in Prometheus but reaches the default receiver
    /// `promspec-unrouted`, which notifies nobody: the condition goes unseen.
    ///
    /// ## Example
    /// ```yaml
    /// warning: {above: 80%, notify: []}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// warning: {above: 80%, notify: [slack-ops-alerts]}
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct UnroutedAlert => Check::Workspace(check);
}

/// Evaluate the generated routing for every alert; report those that reach
/// only the unrouted receiver.
pub fn check(ws: &Workspace, _sources: &SourceMap) -> Vec<Diagnostic> {
    let alerts = alertmanager::alerts(&ws.project, &ws.features);
    let config = alertmanager::routes::config(&ws.project, &ws.features, &alerts);
    // An undefined receiver (`routing/unknown-receiver`) or a receiver named
    // like the unrouted one (`routing/reserved-receiver`) is reported already.
    let reported_elsewhere = |a: &&Alert| {
        let refs = if a.level.receiver_refs.is_empty() {
            ws.project
                .severity(a.level.level)
                .map_or(&[][..], |s| &s.receiver_refs)
        } else {
            &a.level.receiver_refs
        };
        refs.iter()
            .any(|r| ws.project.receiver(&r.value).is_none() || r.value == names::UNROUTED_RECEIVER)
    };
    alerts
        .iter()
        .filter(|a| !reported_elsewhere(a))
        .filter(|a| eval::receivers(&config.route, &a.labels) == [names::UNROUTED_RECEIVER])
        .map(|a| {
            let from_severity =
                a.level.receiver_refs.is_empty() && a.level.receivers_span == a.level.span;
            unrouted_alert(
                a,
                ws.project.severity(a.level.level).filter(|_| from_severity),
            )
        })
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
