//! `promql/nan-prone-division`: an alert dividing by something that can be zero.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn nan_prone(span: Span) -> Diagnostic {
    Diagnostic::warning(
        "promql/nan-prone-division",
        "the divisor can be zero, and then the ratio is `NaN`",
    )
    .with_label(span, "unguarded division")
    .with_help("filter the divisor, e.g. `/ (sum(rate(requests_total[5m])) > 0)`, or clamp it with `clamp_min(..., 1)`, so a quiet period does not hide the alert")
}

declare_rule! {
    /// ## What it does
    /// Reports a division in an alerting rule whose divisor is a rate or a
    /// sum that can be zero, with no `> 0` filter or `clamp_min()`.
    ///
    /// ## Why is this bad?
    /// When nothing happens (no requests at night, a stopped job), the
    /// divisor is zero and the ratio is `NaN`. `NaN > 0.05` is false, so the
    /// error-ratio alert silently stops evaluating to anything; and a ratio
    /// that reads `NaN` in a dashboard looks like missing data. Filtering
    /// the divisor makes "no traffic" explicit.
    ///
    /// ## Example
    /// ```yaml
    /// expr: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m])) > 0.05
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// expr: sum(rate(errors_total[5m])) / (sum(rate(requests_total[5m])) > 0) > 0.05
    /// ```
    ///
    /// ## Options
    /// None. Reported as `info` by default: often the `NaN` is harmless.
    pub struct NanProneDivision => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if !cx.rule.is_alert() {
        return;
    }
    for b in cx.facts.binary_ops.iter().filter(|b| b.rhs_unguarded) {
        out.push(nan_prone(cx.expr_span(b.op_span.clone())));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "promql/nan-prone-division",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(rate(errors_total[5m])) / (sum(rate(requests_total[5m])) > 0) > 0.05\n      - alert: B\n        expr: x / 100 > 1\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/nan-prone-division",
            "groups:\n  - name: g\n    rules:\n      - alert: HighErrorRatio\n        expr: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m])) > 0.05\n",
        ));
    }
}
