//! `promql/rate-of-sum`: `rate()` over a subquery that already aggregated counters.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn rate_of_sum(span: Span, function: &str) -> Diagnostic {
    Diagnostic::warning(
        "promql/rate-of-sum",
        format!("`{function}()` over an aggregation of counters"),
    )
    .with_label(span, "aggregates first, then computes the rate")
    .with_help(format!(
        "a reset of one counter looks like a drop of the sum; take the {function} first, then aggregate: `sum({function}(x_total[5m]))`"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports `rate()`, `irate()` or `increase()` over a subquery that
    /// aggregates, such as `rate(sum(x_total)[5m:])`.
    ///
    /// ## Why is this bad?
    /// Counter resets are detected per series. Once counters are summed,
    /// the restart of one instance shows up as a drop of the total, which
    /// `rate()` reads as a reset of the sum: the result spikes by the size
    /// of the whole sum. Rates must be taken before aggregating.
    ///
    /// ## Example
    /// ```yaml
    /// expr: rate(sum by (job) (http_requests_total)[5m:])
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// expr: sum by (job) (rate(http_requests_total[5m]))
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct RateOfSum => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    for call in &cx.facts.calls {
        if matches!(call.name, "rate" | "irate" | "increase") && call.aggregated_subquery_arg {
            out.push(rate_of_sum(cx.expr_span(call.name_span.clone()), call.name));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "promql/rate-of-sum",
            "groups:\n  - name: g\n    rules:\n      - record: job:r:rate5m\n        expr: sum by (job) (rate(http_requests_total[5m]))\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/rate-of-sum",
            "groups:\n  - name: g\n    rules:\n      - record: job:r:rate5m\n        expr: rate(sum by (job) (http_requests_total)[5m:])\n",
        ));
    }
}
