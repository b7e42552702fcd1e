//! `promql/rate-on-non-counter`: `rate()` and friends over a series that is not a counter.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

/// Functions that only make sense on counters.
const COUNTER_FUNCTIONS: &[&str] = &["rate", "irate", "increase", "resets"];

fn rate_on_non_counter(span: Span, function: &str, metric: &str) -> Diagnostic {
    Diagnostic::warning(
        "promql/rate-on-non-counter",
        format!("`{function}()` over `{metric}`, which is not named like a counter"),
    )
    .with_label(span, "not a counter name")
    .with_help(format!(
        "`{function}()` treats every decrease as a counter reset; for a gauge use `deriv()`, `delta()` or `avg_over_time()`; if `{metric}` is a counter, its name should end in `_total`"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports `rate()`, `irate()`, `increase()` or `resets()` over a metric
    /// whose name does not end in `_total`, `_count`, `_sum` or `_bucket`,
    /// the suffixes counters carry by convention.
    ///
    /// ## Why is this bad?
    /// These functions assume the series only goes up, and read every
    /// decrease as a counter reset. On a gauge (memory in use, queue length,
    /// temperature) each dip becomes a huge jump: the result is garbage that
    /// looks plausible. Recorded series (names with `:`) are not checked,
    /// since their type cannot be told from the name.
    ///
    /// ## Example
    /// ```yaml
    /// expr: rate(node_memory_Active_bytes[5m]) > 1e6
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// expr: deriv(node_memory_Active_bytes[5m]) > 1e6
    /// ```
    ///
    /// ## Options
    /// None. Well-known legacy counters of postgres_exporter
    /// (`pg_stat_database_*`), mysqld_exporter (`mysql_global_status_*`)
    /// and node_exporter (`node_vmstat_*`) are accepted. Disable the rule
    /// for another legacy counter without `_total` with
    /// `# promspec: disable=promql/rate-on-non-counter` above the rule.
    pub struct RateOnNonCounter => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    for s in &cx.facts.selectors {
        let (Some(function), Some(metric)) = (s.function(), s.metric.as_deref()) else {
            continue;
        };
        if s.range.is_none()
            || s.in_subquery
            || !COUNTER_FUNCTIONS.contains(&function)
            || metric.contains(':')
            || super::looks_like_counter(metric)
        {
            continue;
        }
        out.push(rate_on_non_counter(
            cx.expr_span(s.name_span.clone()),
            function,
            metric,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "promql/rate-on-non-counter",
            "groups:\n  - name: g\n    rules:\n      - record: job:http_requests:rate5m\n        expr: sum by (job) (rate(http_requests_total[5m])) + rate(job:x:sum[5m])\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/rate-on-non-counter",
            "groups:\n  - name: g\n    rules:\n      - alert: MemoryGrowing\n        expr: rate(node_memory_Active_bytes[5m]) > 1e6\n",
        ));
    }
}
