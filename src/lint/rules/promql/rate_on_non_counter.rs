//! `promql/rate-on-non-counter`: `rate()` and friends over a gauge.

use crate::catalog::MetricType;
use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

/// Functions that only make sense on counters.
const COUNTER_FUNCTIONS: &[&str] = &["rate", "irate", "increase", "resets"];

fn rate_on_gauge(span: Span, function: &str, metric: &str, suffix: &str) -> Diagnostic {
    let instead = if matches!(suffix, "_up" | "_info") {
        format!("to count how often `{metric}` changed use `changes({metric}[1h])`")
    } else {
        format!(
            "for how fast `{metric}` changes use `deriv({metric}[5m])` (per second) or `delta({metric}[1h])`"
        )
    };
    Diagnostic::warning(
        "promql/rate-on-non-counter",
        format!("`{function}()` over `{metric}`, which its name (`{suffix}`) says is a gauge"),
    )
    .with_label(span, "a gauge, not a counter")
    .with_help(format!(
        "`{function}()` reads every decrease of a gauge as a counter reset and adds the value back; {instead}; if `{metric}` really is a counter, add `# promspec: disable=promql/rate-on-non-counter` above the rule"
    ))
}

fn rate_on_catalog_gauge(span: Span, function: &str, metric: &str, kind: MetricType) -> Diagnostic {
    Diagnostic::warning(
        "promql/rate-on-non-counter",
        format!(
            "`{function}()` over `{metric}`, which the metrics catalog says is a {}",
            kind.as_str()
        ),
    )
    .with_label(span, format!("a {}, not a counter", kind.as_str()))
    .with_help(format!(
        "`{function}()` reads every decrease of a gauge as a counter reset and adds the value back; for how fast `{metric}` changes use `deriv({metric}[5m])` (per second) or `delta({metric}[1h])`; if the catalog is wrong, fix its `type` in catalog.yaml"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports `rate()`, `irate()`, `increase()` or `resets()` over a metric
    /// whose name says it is a gauge: it ends in `_ratio`, `_percent`,
    /// `_celsius`, `_temperature`, `_up`, `_info`, `_utilization`,
    /// `_in_flight`, `_in_progress`, `_queue_length`, or is a byte level
    /// (`_free_bytes`, `_used_bytes`, `_size_bytes`, `_limit_bytes`,
    /// `node_memory_*_bytes`...).
    ///
    /// With a metrics catalog (`catalog.yaml` next to the project file,
    /// written by `promspec catalog import`), the type the exporter declares
    /// decides instead of the name: a catalog gauge is reported whatever its
    /// name, a catalog counter, histogram or summary never is. Names the
    /// catalog does not know (or knows as `unknown`) fall back to the name
    /// rule.
    ///
    /// ## Why is this bad?
    /// These functions assume the series only goes up, and read every
    /// decrease as a counter reset. On a gauge (memory in use, queue length,
    /// temperature) each dip becomes a huge jump: the result is garbage that
    /// looks plausible.
    ///
    /// A missing `_total` proves nothing: Envoy, CouchDB, ClickHouse, SNMP,
    /// MongoDB, kubelet and many more export real counters without it, and
    /// `_bytes` or `_seconds` alone are as often counters (`ifHCInOctets`,
    /// `..._transmit_bytes`, `..._query_time_seconds`). So the rule reports
    /// only names that positively mean a gauge; recorded series (names with
    /// `:`) are not checked.
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
    /// None. For a counter whose name ends like a gauge, add
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
        {
            continue;
        }
        let known = cx
            .settings
            .catalog
            .as_ref()
            .and_then(|c| c.series_type(metric));
        match known {
            Some(MetricType::Counter | MetricType::Histogram | MetricType::Summary) => continue,
            Some(MetricType::Unknown) | None => {}
            Some(kind) => {
                out.push(rate_on_catalog_gauge(
                    cx.expr_span(s.name_span.clone()),
                    function,
                    metric,
                    kind,
                ));
                continue;
            }
        }
        if let Some(suffix) = super::gauge_suffix(metric) {
            out.push(rate_on_gauge(
                cx.expr_span(s.name_span.clone()),
                function,
                metric,
                suffix,
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
            "promql/rate-on-non-counter",
            "groups:\n  - name: g\n    rules:\n      - record: job:http_requests:rate5m\n        expr: sum by (job) (rate(http_requests_total[5m])) + rate(job:x:sum[5m])\n      - alert: CounterWithoutTotal\n        expr: rate(envoy_cluster_upstream_rq_timeout[5m]) + rate(ifHCInOctets[5m]) * 8 + rate(junos_interface_transmit_bytes[1m]) + rate(elasticsearch_indices_search_query_time_seconds[1m]) > 1\n",
        );
    }

    #[test]
    fn the_catalog_decides_over_the_name() {
        let rules = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(node_memory_Active_bytes[5m]) + rate(queue_depth[5m]) + rate(jobs_ratio[5m]) > 1\n";
        let catalog = "metrics:\n  node_memory_Active_bytes: {type: counter}\n  queue_depth: {type: gauge}\n  jobs_ratio: {type: unknown}\n";
        insta::assert_snapshot!(with_catalog("promql/rate-on-non-counter", rules, catalog));
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/rate-on-non-counter",
            "groups:\n  - name: g\n    rules:\n      - alert: MemoryGrowing\n        expr: rate(node_memory_Active_bytes[5m]) > 1e6\n      - alert: OsdFlapping\n        expr: rate(ceph_osd_up[5m]) * 60 > 1\n",
        ));
    }
}
