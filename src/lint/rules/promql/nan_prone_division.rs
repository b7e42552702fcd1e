//! `promql/nan-prone-division`: a "too low" ratio alert that a zero divisor silences.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::promql::BinaryOperator;
use crate::source::Span;

/// Functions whose result drops to zero when traffic stops.
const TRAFFIC: &[&str] = &["rate", "irate", "increase", "delta", "idelta", "changes"];

fn nan_hides_low_ratio(span: Span, divisor: &str, op: &str, threshold: Option<f64>) -> Diagnostic {
    let limit = threshold.map_or_else(|| "the threshold".to_string(), |t| format!("`{t}`"));
    let compared = threshold.map_or_else(|| "...".to_string(), |t| t.to_string());
    Diagnostic::warning(
        "promql/nan-prone-division",
        format!("when the divisor is 0 the ratio is `NaN`, and `NaN {op} {compared}` is false"),
    )
    .with_label(span, "divisor can be 0")
    .with_help(format!(
        "the alert catches a ratio below {limit}, but when `{divisor}` is 0 (nothing got through at all) it stays silent; if that should page too, add `or {divisor} == 0` (or a separate no-traffic alert); if no traffic is fine, filter it with `/ ({divisor} > 0)` so the file says so"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a ratio that an alert compares with `<` or `<=` (a success
    /// ratio that must not fall, an availability) whose divisor is traffic
    /// read through `rate()`, `increase()` or similar, with no `> 0`
    /// filter or `clamp_min()` on it.
    ///
    /// ## Why is this bad?
    /// When traffic stops (an outage upstream, a stopped job), the divisor
    /// is zero and the ratio is `NaN`. `NaN < 0.99` is false: the alert
    /// meant to catch "too little succeeds" is silent exactly when nothing
    /// succeeds. Ratios compared with `>` (an error ratio above 5%) are not
    /// reported: there a `NaN` ratio not firing during a quiet period is
    /// what the alert should do.
    ///
    /// ## Example
    /// ```yaml
    /// expr: sum(rate(requests_ok_total[5m])) / sum(rate(requests_total[5m])) < 0.99
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// expr: |
    ///   sum(rate(requests_ok_total[5m])) / sum(rate(requests_total[5m])) < 0.99
    ///     or sum(rate(requests_total[5m])) == 0
    /// ```
    ///
    /// ## Options
    /// None. Reported as `info` by default. An expression that keeps only
    /// times with traffic (`... and sum(rate(requests_total[5m])) > 0`) is
    /// not reported: it says that no traffic is fine.
    pub struct NanProneDivision => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if !cx.rule.is_alert() {
        return;
    }
    if traffic_filtered(cx) {
        return;
    }
    let text = cx.expr.text();
    for b in cx.facts.binary_ops.iter().filter(|b| b.rhs_unguarded) {
        let traffic = cx.facts.selectors.iter().any(|s| {
            b.rhs_span.start <= s.span.start
                && s.span.end <= b.rhs_span.end
                && s.range.is_some()
                && s.function().is_some_and(|f| TRAFFIC.contains(&f))
        });
        if !traffic {
            continue;
        }
        let Some((op, threshold)) = super::judging_comparison(cx.facts, &b.span) else {
            continue;
        };
        if matches!(op, BinaryOperator::Lt | BinaryOperator::Le) {
            let divisor = text.get(b.rhs_span.clone()).unwrap_or("").trim();
            out.push(nan_hides_low_ratio(
                cx.expr_span(b.op_span.clone()),
                divisor,
                op.as_str(),
                threshold,
            ));
        }
    }
}

/// Whether the expression keeps only times with traffic (`... and
/// sum(rate(requests_total[5m])) > 0`): the author has said what no traffic
/// means.
fn traffic_filtered(cx: &RuleCx) -> bool {
    let ops = &cx.facts.binary_ops;
    ops.iter().filter(|a| a.op == BinaryOperator::And).any(|a| {
        ops.iter().any(|b| {
            b.op == BinaryOperator::Gt
                && b.rhs_number == Some(0.0)
                && (a.rhs_span.start <= b.span.start && b.span.end <= a.rhs_span.end
                    || a.lhs_span.start <= b.span.start && b.span.end <= a.lhs_span.end)
        })
    })
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "promql/nan-prone-division",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m])) > 0.05\n      - alert: B\n        expr: x / 100 < 1\n      - alert: C\n        expr: sum(rate(ok_total[5m])) / (sum(rate(requests_total[5m])) > 0) < 0.99\n      - alert: E\n        expr: rate(hits_total[5m]) / rate(gets_total[5m]) < 0.8 and rate(gets_total[5m]) > 0\n      - alert: D\n        expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.1\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/nan-prone-division",
            "groups:\n  - name: g\n    rules:\n      - alert: LowSuccessRatio\n        expr: sum(rate(requests_ok_total[5m])) / sum(rate(requests_total[5m])) < 0.99\n",
        ));
    }
}
