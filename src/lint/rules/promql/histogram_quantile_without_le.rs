//! `promql/histogram-quantile-without-le`: `histogram_quantile()` over buckets
//! whose `le` label was aggregated away.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::rules::promql::aggregation_drops_label::removes;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn without_le(span: Span, aggregation: Option<Span>) -> Diagnostic {
    let d = Diagnostic::error(
        "promql/histogram-quantile-without-le",
        "`histogram_quantile()` gets buckets without the `le` label",
    )
    .with_label(span, "no `le` to compute a quantile from");
    let d = match aggregation {
        Some(a) => d.with_secondary(a, "`le` is removed here"),
        None => d,
    };
    d.with_help("keep `le` in the aggregation: `sum by (le) (rate(x_bucket[5m]))`, or `by (le, job)` to keep more")
}

declare_rule! {
    /// ## What it does
    /// Reports `histogram_quantile()` over classic histogram buckets whose
    /// `le` label an aggregation removed (`sum(...)`, `sum by (job)`,
    /// `sum without (le)`).
    ///
    /// ## Why is this bad?
    /// The quantile is computed from the bucket boundaries in `le`. Without
    /// it every bucket collapses into one series and the result is empty
    /// (or `NaN`): the latency alert never fires and the panel is blank.
    ///
    /// ## Example
    /// ```yaml
    /// expr: histogram_quantile(0.95, sum by (job) (rate(http_request_duration_seconds_bucket[5m])))
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// expr: histogram_quantile(0.95, sum by (job, le) (rate(http_request_duration_seconds_bucket[5m])))
    /// ```
    ///
    /// ## Options
    /// None. Native histograms (no `_bucket` series) have no `le` and are
    /// not affected: only arguments whose labels are known are checked.
    pub struct HistogramQuantileWithoutLe => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    for call in cx
        .facts
        .calls
        .iter()
        .filter(|c| c.name == "histogram_quantile")
    {
        // Reported only when the labels are known not to include `le`.
        if call
            .series_arg_labels
            .as_ref()
            .is_none_or(|labels| labels.may_have("le"))
        {
            continue;
        }
        // Only buckets of classic histograms have `le`.
        let buckets = cx
            .facts
            .selectors
            .iter()
            .any(|s| s.metric.as_deref().is_some_and(|m| m.ends_with("_bucket")));
        if !buckets {
            continue;
        }
        let aggregation = cx
            .facts
            .aggregations
            .iter()
            .find(|a| removes(&a.grouping, "le"))
            .map(|a| cx.expr_span(a.op_span.clone()));
        out.push(without_le(
            cx.expr_span(call.name_span.clone()),
            aggregation,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "promql/histogram-quantile-without-le",
            "groups:\n  - name: g\n    rules:\n      - record: job:latency:p95\n        expr: histogram_quantile(0.95, sum by (job, le) (rate(http_request_duration_seconds_bucket[5m])))\n",
        );
    }

    #[test]
    fn spec_query() {
        // A spec's query is linted as the recording rule it compiles into,
        // and the finding points inside the spec's block scalar.
        insta::assert_snapshot!(spec_fail(
            "promql/histogram-quantile-without-le",
            "feature: shop\nteam: web\nthresholds:\n  - id: latency\n    query: |\n      histogram_quantile(0.95,\n        sum by (job) (rate(http_request_duration_seconds_bucket[5m])))\n    unit: seconds\n    warning: {above: 3s, for: 5m}\n",
        ));
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/histogram-quantile-without-le",
            "groups:\n  - name: g\n    rules:\n      - record: job:latency:p95\n        expr: histogram_quantile(0.95, sum by (job) (rate(http_request_duration_seconds_bucket[5m])))\n",
        ));
    }

    #[test]
    fn fail_without_le() {
        // `without (le)` removes `le` even when the other labels are unknown.
        let rendered = rules_fail(
            "promql/histogram-quantile-without-le",
            "groups:\n  - name: g\n    rules:\n      - record: job:latency:p95\n        expr: histogram_quantile(0.95, sum without (le) (rate(x_bucket[5m])))\n",
        );
        assert!(rendered.contains("`le` is removed here"), "{rendered}");
    }
}
