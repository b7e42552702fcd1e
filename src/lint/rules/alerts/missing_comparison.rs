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
    /// None. An alert on the presence of chosen series (every selector read
    /// as is, picking series by a label's value, such as
    /// `kube_pod_status_phase{phase="Failed"}`) is not reported: the
    /// matchers are its condition. A deliberate always-firing alert (a dead man's switch such as
    /// `vector(1)`) can be marked with `# promspec: disable=alerts/missing-comparison`.
    pub struct MissingComparison => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if cx.rule.is_alert() && !cx.facts.filtered && cx.facts.top_level_bool().is_none() {
        // `vector(1)` and friends are deliberate: a watchdog that always fires.
        if cx.facts.selectors.is_empty() || presence_test(cx) {
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

/// Whether the alert fires on the existence of chosen series: every
/// selector is read as is and picks series by a label's value
/// (`pg_index_size{indexrelname=~".*ccnew.*"}`, `kube_pod_status_phase{phase="Failed"}`).
fn presence_test(cx: &RuleCx) -> bool {
    use crate::promql::MatchOp;
    cx.facts.selectors.iter().all(|s| {
        s.range.is_none()
            && s.functions.is_empty()
            && s.aggregations.is_empty()
            && s.matchers.iter().any(|m| {
                matches!(m.op, MatchOp::Equal | MatchOp::Regex)
                    && !matches!(m.name.as_str(), "__name__" | "job" | "instance")
                    && !m.value.is_empty()
            })
    })
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "alerts/missing-comparison",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum by (job) (rate(x_total[5m])) > 1\n      - alert: B\n        expr: absent(up{job=\"api\"})\n      - alert: Watchdog\n        expr: vector(1)\n      - alert: C\n        expr: up unless on(job) (x > 1)\n      - alert: LeftoverIndex\n        expr: pg_index_size{indexrelname=~\".*ccnew.*\"}\n",
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
