//! `alerts/missing-for`: an alert that fires on a single evaluation.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn missing_for(span: Span, name: &str) -> Diagnostic {
    Diagnostic::warning(
        "alerts/missing-for",
        format!("alert `{name}` fires on the first evaluation that matches"),
    )
    .with_label(span, "no `for`")
    .with_help(
        "add `for: 5m` (or the time the condition must hold) so a single spike does not page",
    )
}

declare_rule! {
    /// ## What it does
    /// Reports an alerting rule without `for` (or with `for: 0s`).
    ///
    /// ## Why is this bad?
    /// Without `for`, one evaluation that matches fires the alert: a single
    /// scrape spike, a restart or a rollout pages someone, and the alert
    /// flaps between firing and resolved. Alerts on `absent()` are left to
    /// `alerts/absent-without-for`.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighLatency
    ///   expr: job:request_latency_seconds:p95 > 0.5
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - alert: HighLatency
    ///   expr: job:request_latency_seconds:p95 > 0.5
    ///   for: 10m
    /// ```
    ///
    /// ## Options
    /// None. Turn the rule off for alerts that must fire at once with
    /// `# promspec: disable=alerts/missing-for` above the rule.
    pub struct MissingFor => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if !cx.rule.is_alert() || cx.rule.for_.as_ref().is_some_and(|f| !f.value.is_zero()) {
        return;
    }
    if super::uses_absent(cx) {
        return;
    }
    let span = cx.rule.for_.as_ref().map_or(cx.rule.name.span, |f| f.span);
    out.push(missing_for(span, &cx.rule.name.value));
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "alerts/missing-for",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 5m\n      - alert: B\n        expr: absent(up)\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "alerts/missing-for",
            "groups:\n  - name: g\n    rules:\n      - alert: InstanceDown\n        expr: up == 0\n      - alert: Zero\n        expr: up == 0\n        for: 0s\n",
        ));
    }
}
