//! `alerts/missing-comparison`: an alert whose expression has no condition.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn missing_comparison(span: Span, name: &str) -> Diagnostic {
    Diagnostic::warning(
        "alerts/missing-comparison",
        format!("alert `{name}` fires whenever its series exist"),
    )
    .with_label(span, "no comparison")
    .with_help("compare the value with a threshold, e.g. `... > 0.05`; an alert fires for every series the expression returns")
}

declare_rule! {
    /// ## What it does
    /// Reports an alerting rule whose expression has no comparison (`>`,
    /// `<`, `==`, ...) and no `absent()`: it returns a series whenever the
    /// metric exists.
    ///
    /// ## Why is this bad?
    /// An alert fires for every series its expression returns. Without a
    /// comparison, `rate(errors_total[5m])` returns a series for every
    /// instance all the time, so the alert fires permanently, usually
    /// because the threshold was forgotten or moved into a recording rule.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighErrorRate
    ///   expr: sum by (job) (rate(http_errors_total[5m]))
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - alert: HighErrorRate
    ///   expr: sum by (job) (rate(http_errors_total[5m])) > 1
    /// ```
    ///
    /// ## Options
    /// None. A deliberate always-firing alert (a dead man's switch such as
    /// `vector(1)`) can be marked with `# promspec: disable=alerts/missing-comparison`.
    pub struct MissingComparison => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if cx.rule.is_alert() && !cx.facts.filtered && cx.facts.top_level_bool().is_none() {
        // `vector(1)` and friends are deliberate: a watchdog that always fires.
        if cx.facts.selectors.is_empty() {
            return;
        }
        out.push(missing_comparison(
            cx.rule
                .expr
                .span_of(cx.sources, 0..cx.rule.expr.text.trim_end().len()),
            &cx.rule.name.value,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "alerts/missing-comparison",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum by (job) (rate(x_total[5m])) > 1\n      - alert: B\n        expr: absent(up{job=\"api\"})\n      - alert: Watchdog\n        expr: vector(1)\n      - alert: C\n        expr: up unless on(job) (x > 1)\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "alerts/missing-comparison",
            "groups:\n  - name: g\n    rules:\n      - alert: HighErrorRate\n        expr: sum by (job) (rate(http_errors_total[5m]))\n",
        ));
    }
}
