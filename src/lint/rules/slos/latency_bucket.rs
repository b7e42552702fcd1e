//! `slos/latency-bucket`: a latency SLO's threshold that is not one of the
//! histogram's bucket boundaries.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, SloCx};
use crate::source::Span;
use crate::spec::slo::model::Sli;

const ID: &str = "slos/latency-bucket";

fn not_a_bucket(span: Span, threshold: &str, metric: &str, bounds: &[f64]) -> Diagnostic {
    let list: Vec<String> = bounds
        .iter()
        .filter(|b| b.is_finite())
        .map(|b| seconds(*b))
        .collect();
    Diagnostic::error(
        ID,
        format!("`{threshold}` is not a bucket boundary of `{metric}`"),
    )
    .with_label(span, "no `le` bucket has this bound")
    .with_help(format!(
        "the SLI counts requests in the bucket `le` = the threshold, which does not exist: it reads no series and the SLO is never computed; use one of the boundaries ({}), or add a bucket at `{threshold}` to the application's histogram and re-import its catalog",
        list.join(", ")
    ))
}

/// A bound in seconds as the spec would write it (`250ms`, `1s`).
fn seconds(b: f64) -> String {
    if b < 1.0 {
        format!("{}ms", crate::spec::units::format_number(b * 1000.0))
    } else {
        format!("{}s", crate::spec::units::format_number(b))
    }
}

declare_rule! {
    /// ## What it does
    /// When the metrics catalog lists the `le` values of a latency SLO's
    /// histogram (imported from the application's `/metrics` or fetched
    /// from Prometheus), reports a `threshold` that is not one of them.
    ///
    /// ## Why is this bad?
    /// A latency SLI counts the requests in the bucket whose `le` is the
    /// threshold. A classic histogram has only the buckets the application
    /// defines: for any other bound the selector `le="0.3"` matches no
    /// series, the ratio is empty and neither the SLO nor its burn-rate
    /// alerts ever say anything.
    ///
    /// ## Example
    /// ```yaml
    /// # buckets: 0.1, 0.25, 0.5, 1, +Inf
    /// sli:
    ///   latency:
    ///     histogram: http_request_duration_seconds_bucket{job="api"}
    ///     threshold: 300ms
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// sli:
    ///   latency:
    ///     histogram: http_request_duration_seconds_bucket{job="api"}
    ///     threshold: 250ms
    /// ```
    ///
    /// ## Options
    /// None. Without a catalog, or when it lists no `le` values for the
    /// histogram, the rule is silent.
    pub struct LatencyBucket => Check::Slo(check);
}

fn check(cx: &SloCx, out: &mut Vec<Diagnostic>) {
    let Some(catalog) = cx.settings.catalog.as_deref() else {
        return;
    };
    let Sli::Latency {
        histogram,
        le,
        threshold_written,
        threshold_span,
    } = &cx.slo.sli
    else {
        return;
    };
    let Ok(expr) = histogram.parse(cx.settings.dialect) else {
        return;
    };
    let Some(metric) = expr
        .facts()
        .selectors
        .first()
        .and_then(|s| s.metric.as_deref())
    else {
        return;
    };
    let Some(values) = catalog.label_values(metric, "le") else {
        return;
    };
    let mut bounds: Vec<f64> = values.iter().filter_map(|v| v.parse().ok()).collect();
    bounds.sort_by(f64::total_cmp);
    let same = |b: &f64| (b - le).abs() <= le.abs() * 1e-9;
    if !bounds.iter().any(same) {
        out.push(not_a_bucket(
            *threshold_span,
            threshold_written,
            metric,
            &bounds,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    const CATALOG: &str = "metrics:\n  http_request_duration_seconds:\n    type: histogram\n    labels: [le]\n    values:\n      le: [\"0.1\", \"0.25\", \"0.5\", \"1\", \"+Inf\"]\n";

    fn spec(threshold: &str) -> String {
        format!(
            "feature: f\nteam: t\nslos:\n  - id: latency\n    objective: 99%\n    sli:\n      latency:\n        histogram: http_request_duration_seconds_bucket{{job=\"api\"}}\n        threshold: {threshold}\n"
        )
    }

    #[test]
    fn pass() {
        assert_spec_catalog_pass("slos/latency-bucket", &spec("250ms"), CATALOG);
        assert_spec_catalog_pass("slos/latency-bucket", &spec("1s"), CATALOG);
        assert_spec_pass("slos/latency-bucket", &spec("300ms"));
        // The generated `le="0.3"` is this rule's, reported once, here.
        assert_spec_catalog_pass("promql/unknown-label", &spec("300ms"), CATALOG);
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(spec_with_catalog(
            "slos/latency-bucket",
            &spec("300ms"),
            CATALOG
        ));
    }
}
