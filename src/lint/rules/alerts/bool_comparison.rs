//! `alerts/bool-comparison`: an alert whose comparison uses `bool`.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn bool_comparison(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error(
        "alerts/bool-comparison",
        format!("alert `{name}` compares with `bool`, so it always fires"),
    )
    .with_label(span, "returns 0 or 1 instead of filtering")
    .with_help("remove `bool`: an alert fires for every series returned, and `bool` returns every series, with value 0 when the condition is false")
}

declare_rule! {
    /// ## What it does
    /// Reports an alerting rule whose top-level comparison has the `bool`
    /// modifier (`x > bool 5`).
    ///
    /// ## Why is this bad?
    /// Without `bool`, a comparison drops the series for which it is false,
    /// which is what makes an alert conditional. With `bool`, every series
    /// is returned with the value 0 or 1, so the alert fires all the time,
    /// for every series.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighLoad
    ///   expr: node_load1 > bool 10
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - alert: HighLoad
    ///   expr: node_load1 > 10
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct BoolComparison => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if cx.rule.is_alert()
        && let Some(op) = cx.facts.top_level_bool()
    {
        out.push(bool_comparison(
            cx.expr_span(op.op_span.clone()),
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
            "alerts/bool-comparison",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: node_load1 > 10\n      - record: a:b:c\n        expr: node_load1 > bool 10\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "alerts/bool-comparison",
            "groups:\n  - name: g\n    rules:\n      - alert: HighLoad\n        expr: node_load1 > bool 10\n",
        ));
    }
}
