//! `promql/counter-without-rate`: a counter's raw value compared as if it meant something.

use crate::catalog::MetricType;
use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::promql::{AggregateOp, BinaryOperator, Selector};
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

fn counter_without_rate(span: Span, metric: &str, threshold: f64, in_ratio: bool) -> Diagnostic {
    let instead = if in_ratio {
        format!(
            "a ratio of lifetime counters hides a recent burst under old history; divide rates instead, `rate({metric}[5m])` on this side and `rate(...[5m])` on the other"
        )
    } else {
        format!(
            "the value grows with uptime and restarts from zero, so the alert fires on old healthy instances and misses new failing ones; compare the recent change instead, e.g. `increase({metric}[1h]) > {threshold}`"
        )
    };
    Diagnostic::warning(
        "promql/counter-without-rate",
        format!("the raw value of counter `{metric}` is compared with `{threshold}`"),
    )
    .with_label(span, "events since the process started")
    .with_help(format!(
        "{instead}; if `{metric}` is a gauge despite its name, add `# promspec: disable=promql/counter-without-rate` above the rule"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a series named like a counter (`_total`) whose raw value an
    /// alert compares with `>` or `>=` against a non-zero number, directly
    /// or through arithmetic (`errors_total / requests_total > 0.1`),
    /// without `rate()`, `increase()` or another function that reads
    /// counters.
    ///
    /// ## Why is this bad?
    /// A counter's value is the number of events since the process started:
    /// it depends on uptime and drops to zero on every restart. An alert on
    /// `errors_total > 100` fires on long-running instances that are
    /// healthy and stays silent on a fresh one that is failing; a ratio of
    /// two lifetime counters hides a recent burst under old history.
    ///
    /// Many gauges end in `_total` too (capacities such as
    /// `container_fs_inodes_total`, counts of things such as
    /// `ceph_pg_total`), so the rule stays silent where the expression
    /// shows a gauge or a deliberate use: a sibling part of the same name
    /// (`x_used / x_total`, `x_total - x_active`), a comparison with `0`
    /// ("ever happened", "never happened"), `<`, `==` or `!=`, a
    /// hand-written increase (`x_total - x_total offset 10m`), or an uptime.
    ///
    /// With a metrics catalog (`catalog.yaml` next to the project file,
    /// written by `promspec catalog import`), the declared type decides: a
    /// catalog counter is judged whatever its name (and the name-based
    /// exceptions for gauges do not apply), a catalog gauge never is.
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
    let selectors = &cx.facts.selectors;
    for s in selectors {
        let Some(metric) = s.metric.as_deref() else {
            continue;
        };
        let known = cx
            .settings
            .catalog
            .as_ref()
            .and_then(|c| c.series_type(metric));
        // A catalog type is a fact; the name is the guess without one.
        let certain = match known {
            Some(MetricType::Counter) => true,
            Some(MetricType::Unknown) | None => false,
            Some(_) => continue,
        };
        let stem = match metric.strip_suffix("_total") {
            Some(stem) => stem,
            None if certain => metric,
            None => continue,
        };
        if metric.contains(':') || s.in_subquery || (!certain && metric.contains("uptime")) {
            continue;
        }
        let read_by_function = s.functions.iter().any(|f| ACCEPTING.contains(f));
        let counted = s.aggregations.iter().any(|a| COUNTING.contains(a));
        if read_by_function
            || counted
            || (!certain && has_part(selectors, stem))
            || hand_made_increase(selectors, metric)
        {
            continue;
        }
        let Some((op, Some(threshold))) = super::judging_comparison(cx.facts, &s.span) else {
            continue;
        };
        if matches!(op, BinaryOperator::Gt | BinaryOperator::Ge) && threshold != 0.0 {
            let in_ratio = cx.facts.binary_ops.iter().any(|b| {
                b.op == BinaryOperator::Div
                    && b.span.start <= s.span.start
                    && s.span.end <= b.span.end
            });
            out.push(counter_without_rate(
                cx.expr_span(s.name_span.clone()),
                metric,
                threshold,
                in_ratio,
            ));
        }
    }
}

/// Whether another metric of the expression is a part of `stem` (`stem_used`,
/// `stem_free`...): then `stem_total` is the whole, a gauge.
fn has_part(selectors: &[Selector], stem: &str) -> bool {
    selectors.iter().any(|o| {
        o.metric.as_deref().is_some_and(|m| {
            m.strip_prefix(stem)
                .is_some_and(|rest| rest.starts_with('_') && rest != "_total")
                && !super::COUNTER_SUFFIXES.iter().any(|s| m.ends_with(s))
        })
    })
}

/// Whether the expression reads `metric` with an `offset` too (`x - x offset 10m`).
fn hand_made_increase(selectors: &[Selector], metric: &str) -> bool {
    selectors
        .iter()
        .any(|o| o.metric.as_deref() == Some(metric) && o.offset.is_some())
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "promql/counter-without-rate",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: increase(http_errors_total[10m]) > 100 or count(http_errors_total) > 3\n      - alert: Capacity\n        expr: hdfs_bytes_used / hdfs_bytes_total > 0.9\n      - alert: Ever\n        expr: node_edac_uncorrectable_errors_total > 0\n      - alert: Few\n        expr: pages_domains_served_total < 1000\n      - alert: HandMade\n        expr: restarts_total - restarts_total offset 10m >= 1\n",
        );
    }

    #[test]
    fn the_catalog_decides_over_the_name() {
        let rules = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: argocd_repo_pending_request_total > 10 or master_authentication_failures > 5\n";
        let catalog = "metrics:\n  argocd_repo_pending_request_total: {type: gauge}\n  master_authentication_failures: {type: counter}\n";
        insta::assert_snapshot!(with_catalog("promql/counter-without-rate", rules, catalog));
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/counter-without-rate",
            "groups:\n  - name: g\n    rules:\n      - alert: ManyErrors\n        expr: sum by (job) (http_errors_total) > 100\n      - alert: FailureRatio\n        expr: tasks_failed_total / tasks_started_total > 0.1\n",
        ));
    }
}
