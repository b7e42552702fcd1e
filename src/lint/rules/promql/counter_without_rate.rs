//! `promql/counter-without-rate`: a counter's raw value used as if it meant something.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::promql::AggregateOp;
use crate::source::Span;

/// Functions for which a counter's raw value is the right input.
const ACCEPTING: &[&str] = &[
    "rate",
    "irate",
    "increase",
    "resets",
    "changes",
    "absent",
    "absent_over_time",
    "present_over_time",
    "count_over_time",
    "timestamp",
    "last_over_time",
    "idelta",
    "delta",
    "deriv",
    "label_replace",
    "label_join",
];

/// Aggregations that count series rather than read values.
const COUNTING: &[AggregateOp] = &[
    AggregateOp::Count,
    AggregateOp::Group,
    AggregateOp::CountValues,
];

fn counter_without_rate(span: Span, metric: &str) -> Diagnostic {
    Diagnostic::warning(
        "promql/counter-without-rate",
        format!("counter `{metric}` is used without `rate()` or `increase()`"),
    )
    .with_label(span, "raw counter value")
    .with_help(format!(
        "a counter only grows and restarts from zero; compare `rate({metric}[5m])` or `increase({metric}[1h])` instead of its value"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a series named like a counter (`_total`) whose raw value an
    /// alert compares, without `rate()`, `increase()` or another function
    /// that reads counters.
    ///
    /// ## Why is this bad?
    /// A counter's value is the number of events since the process started:
    /// it depends on uptime and drops to zero on every restart. An alert on
    /// `errors_total > 100` fires on long-running instances that are
    /// healthy and stays silent on a fresh one that is failing.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: ManyErrors
    ///   expr: http_errors_total > 100
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - alert: ManyErrors
    ///   expr: increase(http_errors_total[10m]) > 100
    /// ```
    ///
    /// ## Options
    /// None. Recording rules are not checked (they may prepare the series
    /// for a later `rate()`), nor are `count()` and `group()`.
    pub struct CounterWithoutRate => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if !cx.rule.is_alert() {
        return;
    }
    for s in &cx.facts.selectors {
        let Some(metric) = s.metric.as_deref() else {
            continue;
        };
        if !metric.ends_with("_total") || metric.contains(':') || s.in_subquery {
            continue;
        }
        let read_by_function = s.functions.iter().any(|f| ACCEPTING.contains(f));
        let counted = s.aggregations.iter().any(|a| COUNTING.contains(a));
        if !read_by_function && !counted {
            out.push(counter_without_rate(
                cx.expr_span(s.name_span.clone()),
                metric,
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
            "promql/counter-without-rate",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: increase(http_errors_total[10m]) > 100 or count(http_errors_total) > 3\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/counter-without-rate",
            "groups:\n  - name: g\n    rules:\n      - alert: ManyErrors\n        expr: sum by (job) (http_errors_total) > 100\n",
        ));
    }
}
