//! `alerts/missing-severity`: an alert without a `severity` label.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn missing_severity(span: Span, name: &str) -> Diagnostic {
    Diagnostic::warning(
        "alerts/missing-severity",
        format!("alert `{name}` has no `severity` label"),
    )
    .with_label(span, "no `severity` label")
    .with_help("add `labels: {severity: warning}` (or critical, info); Alertmanager routes on it")
}

declare_rule! {
    /// ## What it does
    /// Reports an alerting rule without a `severity` label.
    ///
    /// ## Why is this bad?
    /// Alertmanager routes, inhibits and silences by `severity`: an alert
    /// without it falls through to the default route, is never inhibited
    /// by its critical sibling, and pages with no hint of urgency.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: DiskFull
    ///   expr: node_filesystem_avail_bytes < 1e9
    ///   for: 10m
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - alert: DiskFull
    ///   expr: node_filesystem_avail_bytes < 1e9
    ///   for: 10m
    ///   labels:
    ///     severity: warning
    /// ```
    ///
    /// ## Options
    /// None; `alerts/unknown-severity` checks the value.
    pub struct MissingSeverity => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if cx.rule.is_alert() && cx.rule.label("severity").is_none() {
        out.push(missing_severity(cx.rule.name.span, &cx.rule.name.value));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "alerts/missing-severity",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels: {severity: critical}\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "alerts/missing-severity",
            "groups:\n  - name: g\n    rules:\n      - alert: DiskFull\n        expr: up == 0\n        labels:\n          team: storage\n",
        ));
    }
}
