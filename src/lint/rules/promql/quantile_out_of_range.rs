//! `promql/quantile-out-of-range`: a quantile outside 0..1.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;
use crate::spec::units::format_number;

fn out_of_range(span: Span, function: &str, q: f64) -> Diagnostic {
    Diagnostic::error(
        "promql/quantile-out-of-range",
        format!(
            "`{function}()` asks for quantile `{}`, outside 0..1",
            format_number(q)
        ),
    )
    .with_label(span, "not a quantile")
    .with_help(format!(
        "quantiles run from 0 to 1: the 95th percentile is `0.95`, not `{}`",
        format_number(q)
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports `histogram_quantile()` or `quantile_over_time()` with a
    /// quantile below 0 or above 1.
    ///
    /// ## Why is this bad?
    /// Prometheus returns `+Inf` or `-Inf` for such a quantile, so the
    /// alert compares infinity with its threshold: it always fires or never
    /// does. The usual cause is writing the percentile (`95`) instead of the
    /// quantile (`0.95`).
    ///
    /// ## Example
    /// ```yaml
    /// expr: histogram_quantile(95, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// expr: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 1
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct QuantileOutOfRange => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    for call in &cx.facts.calls {
        if !matches!(call.name, "histogram_quantile" | "quantile_over_time") {
            continue;
        }
        if let Some(Some(q)) = call.number_args.first()
            && !(0.0..=1.0).contains(q)
        {
            out.push(out_of_range(
                cx.expr_span(call.name_span.clone()),
                call.name,
                *q,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "promql/quantile-out-of-range",
            "groups:\n  - name: g\n    rules:\n      - record: a:b:p95\n        expr: histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/quantile-out-of-range",
            "groups:\n  - name: g\n    rules:\n      - alert: SlowRequests\n        expr: histogram_quantile(95, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 1\n",
        ));
    }
}
