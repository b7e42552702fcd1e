//! `promql/irate-in-alert`: `irate()` in an alerting rule.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn irate_in_alert(span: Span) -> Diagnostic {
    Diagnostic::warning("promql/irate-in-alert", "`irate()` in an alerting rule")
        .with_label(span, "uses only the last two samples")
        .with_help(
            "use `rate()`: it averages over the whole range, so one spike does not fire the alert",
        )
}

declare_rule! {
    /// ## What it does
    /// Reports `irate()` in the expression of an alerting rule.
    ///
    /// ## Why is this bad?
    /// `irate()` looks only at the last two samples of the range: it is
    /// made for zoomed-in graphs of fast-moving counters. In an alert it
    /// makes the value jump with every scrape, so the alert flaps, and the
    /// range written in the selector is mostly ignored.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighRequestRate
    ///   expr: sum(irate(http_requests_total[5m])) > 1000
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - alert: HighRequestRate
    ///   expr: sum(rate(http_requests_total[5m])) > 1000
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct IrateInAlert => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if !cx.rule.is_alert() {
        return;
    }
    for call in cx.facts.calls.iter().filter(|c| c.name == "irate") {
        out.push(irate_in_alert(cx.expr_span(call.name_span.clone())));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "promql/irate-in-alert",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(rate(http_requests_total[5m])) > 1000\n      - record: job:r:irate\n        expr: irate(http_requests_total[1m])\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/irate-in-alert",
            "groups:\n  - name: g\n    rules:\n      - alert: HighRequestRate\n        expr: sum(irate(http_requests_total[5m])) > 1000\n",
        ));
    }
}
