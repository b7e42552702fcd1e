//! `routing/reserved-receiver`.

use crate::compile::conventions as names;
use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::source::SourceMap;
use crate::spec::model::{Receiver, Workspace};

/// The diagnostic for a receiver using the name promspec reserves.
pub fn reserved_receiver(receiver: &Receiver) -> Diagnostic {
    Diagnostic::error(
        "routing/reserved-receiver",
        format!("receiver name `{}` is reserved", receiver.name),
    )
    .with_label(receiver.span, "promspec defines this receiver itself")
    .with_help(format!(
        "`{}` is the root receiver of the generated routing and notifies nobody; rename this receiver",
        names::UNROUTED_RECEIVER
    ))
}

declare_rule! {
    /// ## What it does
    /// Finds a receiver named `promspec-unrouted`, the name of the receiver
    /// promspec generates for alerts that no route delivers.
    ///
    /// ## Why is this bad?
    /// Alertmanager rejects two receivers with one name, and alerts meant to
    /// be dropped would reach the project's receiver, or the other way round.
    ///
    /// ## Example
    /// ```yaml
    /// receivers:
    ///   promspec-unrouted:
    ///     email: {to: ops@example.com}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// receivers:
    ///   email-ops:
    ///     email: {to: ops@example.com}
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct ReservedReceiver => Check::Workspace(check);
}

/// Report receivers named like the generated unrouted receiver.
pub fn check(ws: &Workspace, _sources: &SourceMap) -> Vec<Diagnostic> {
    ws.project
        .receivers
        .iter()
        .filter(|r| r.name == names::UNROUTED_RECEIVER)
        .map(reserved_receiver)
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
