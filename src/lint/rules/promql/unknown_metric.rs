//! `promql/unknown-metric`: a metric the project's metrics catalog does not know.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn unknown_metric(span: Span, metric: &str, closest: Option<&str>) -> Diagnostic {
    let d = Diagnostic::warning(
        "promql/unknown-metric",
        format!("the metrics catalog has no metric `{metric}`"),
    );
    match closest {
        Some(c) => d
            .with_label(span, format!("did you mean `{c}`?"))
            .with_help(format!(
                "write `{c}` if that is the metric meant; if `{metric}` is right, import its exporter's `/metrics` into the catalog with `promspec catalog import`"
            )),
        None => d.with_label(span, "not in catalog.yaml").with_help(format!(
            "import the `/metrics` of the exporter that exposes `{metric}` into the catalog with `promspec catalog import`; until then the query matches nothing"
        )),
    }
}

declare_rule! {
    /// ## What it does
    /// When the project has a metrics catalog (`catalog.yaml` next to
    /// `promspec.yaml`, written by `promspec catalog import` from exporters'
    /// `/metrics` output or Prometheus' `/api/v1/metadata`), reports a
    /// selector whose metric the catalog does not know, with the closest
    /// known name. A histogram's `_bucket`, `_sum` and `_count` series and a
    /// counter's `_total` are known with their family. Recorded series
    /// (names with `:`), rules recorded in the same file and the series
    /// Prometheus writes itself (`up`, `ALERTS`, `scrape_*`) are not
    /// checked. `promspec lint` reports each unknown metric once, at its
    /// first use.
    ///
    /// ## Why is this bad?
    /// A misspelled metric is valid PromQL that selects nothing: the alert
    /// can never fire and nothing says so. Without a catalog this is only
    /// visible against a live Prometheus.
    ///
    /// ## Example
    /// ```yaml
    /// expr: rate(node_cpu_second_total{mode="idle"}[5m]) < 0.1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// expr: rate(node_cpu_seconds_total{mode="idle"}[5m]) < 0.1
    /// ```
    ///
    /// ## Options
    /// None. Without a catalog the rule is silent.
    pub struct UnknownMetric => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    let Some(catalog) = &cx.settings.catalog else {
        return;
    };
    for s in &cx.facts.selectors {
        let Some(metric) = s.metric.as_deref() else {
            continue;
        };
        if metric.contains(':')
            || crate::catalog::SYNTHETIC.contains(&metric)
            || catalog.family(metric).is_some()
            || cx.file.rules().any(|(_, r)| r.name.value == metric)
        {
            continue;
        }
        let closest = catalog
            .metrics
            .keys()
            .filter(|k| could_be_close(metric, k))
            .map(|k| (strsim::jaro_winkler(metric, k), k.as_str()))
            .filter(|(score, _)| *score > 0.9)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, k)| k);
        out.push(unknown_metric(
            cx.expr_span(s.name_span.clone()),
            metric,
            closest,
        ));
    }
}

/// Whether the Jaro-Winkler similarity of `a` and `b` can exceed 0.9 given
/// their lengths alone (Jaro at most `(m/|a| + m/|b| + 1) / 3` with `m` the
/// shorter length; Winkler's prefix bonus at most `0.4 * (1 - jaro)`):
/// skips most of a large catalog before comparing.
fn could_be_close(a: &str, b: &str) -> bool {
    let (la, lb) = (a.len() as f64, b.len() as f64);
    let m = la.min(lb);
    let jaro = (m / la + m / lb + 1.0) / 3.0;
    jaro + 0.4 * (1.0 - jaro) > 0.9
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    const CATALOG: &str = "metrics:\n  node_cpu_seconds_total: {type: counter}\n  http_request_duration_seconds: {type: histogram}\n";

    #[test]
    fn pass() {
        assert_rules_pass(
            "promql/unknown-metric",
            "groups:\n  - name: g\n    rules:\n      - alert: NoCatalogNoFinding\n        expr: rate(whatever_total[5m]) > 1\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(with_catalog(
            "promql/unknown-metric",
            "groups:\n  - name: g\n    rules:\n      - record: job_busy\n        expr: sum by (job) (rate(node_cpu_second_total{mode!=\"idle\"}[5m]))\n      - alert: Known\n        expr: job_busy > 1 and on (job) up == 1 and histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 1 and rate(node_cpu_seconds_total[5m]) > 0 and absent(totally_unrelated_thing)\n",
            CATALOG
        ));
    }
}
