//! `thresholds/unit-mismatch`.

use std::ops::Range;

use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::promql::{self, BinaryOperator, ExprFacts};
use crate::source::{SourceMap, Span};
use crate::spec::model::{LevelRule, Threshold, Workspace};
use crate::spec::units::{Unit, format_number};

/// The id of this rule.
pub const ID: &str = "thresholds/unit-mismatch";

fn percent_looks_like_ratio(span: Span, rule: &LevelRule) -> Diagnostic {
    Diagnostic::warning(
        ID,
        format!(
            "`{}` on a `percent` threshold means {}%, not {}%",
            rule.written,
            rule.written,
            format_number((rule.value * 100.0 * 1e6).round() / 1e6)
        ),
    )
    .with_label(span, "every level of this threshold is at most 1")
    .with_help(
        "if the query returns a fraction from 0 to 1, use `unit: ratio` (shown as 0–100%); \
         if it returns 0–100, write the level with a `%` sign to confirm it",
    )
}

fn ratio_scaled_by_100(span: Span) -> Diagnostic {
    Diagnostic::warning(
        ID,
        "the query multiplies by 100 but the threshold's unit is `ratio`",
    )
    .with_label(span, "this returns 0–100, which Grafana shows as 0–10000%")
    .with_help("use `unit: percent`, or remove the `100 *` to keep a fraction from 0 to 1")
}

fn seconds_from_milliseconds(span: Span, metric: &str) -> Diagnostic {
    Diagnostic::warning(
        ID,
        format!("`{metric}` is in milliseconds but the threshold's unit is `seconds`"),
    )
    .with_label(
        span,
        "Grafana shows these values as seconds, 1000 times too large",
    )
    .with_help("divide the query by 1000, or use a metric measured in seconds")
}

declare_rule! {
    /// ## What it does
    /// Reports a threshold whose `unit` does not match what its query returns,
    /// so Grafana (and the alert text) would display the values wrongly:
    /// - a `percent` threshold whose levels are all plain numbers ≤ 1, which
    ///   look like ratios (`above: 0.8` meaning 80%);
    /// - a `ratio` threshold whose query multiplies by 100;
    /// - a `seconds` threshold reading a `_milliseconds` metric without
    ///   dividing by 1000.
    ///
    /// ## Why is this bad?
    /// The unit chooses how Grafana displays the value and how the spec's
    /// levels are read: `percentunit` shows 0.8 as 80%, `percent` shows 0.8 as
    /// 0.8%. With the wrong unit the panel shows 8000% error rates or 0.8%
    /// CPU, and `above: 0.8` on a 0–100 series fires almost always.
    ///
    /// ## Example
    /// ```yaml
    /// - id: error-ratio
    ///   query: 100 * sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))
    ///   unit: ratio
    ///   critical: {above: 5%}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - id: error-ratio
    ///   query: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))
    ///   unit: ratio
    ///   critical: {above: 5%}
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct UnitMismatch => Check::Workspace(check);
}

/// Report every threshold whose unit disagrees with its query or levels.
pub fn check(ws: &Workspace, sources: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for feature in &ws.features {
        for threshold in &feature.thresholds {
            // A query that does not parse has its own diagnostic.
            let Ok(expr) = threshold.query.parse(ws.project.dialect) else {
                continue;
            };
            out.extend(check_threshold(threshold, expr, sources));
        }
    }
    out
}

fn check_threshold(t: &Threshold, expr: &promql::Expr, sources: &SourceMap) -> Option<Diagnostic> {
    let facts = expr.facts();
    match t.unit {
        Unit::Percent => {
            let ratio_like = !t.levels.is_empty()
                && t.levels
                    .iter()
                    .all(|l| !l.written.contains('%') && l.value.abs() <= 1.0);
            ratio_like.then(|| percent_looks_like_ratio(t.levels[0].value_span, &t.levels[0]))
        }
        Unit::Ratio => {
            scaled_by_100(facts).map(|range| ratio_scaled_by_100(t.query.span_of(sources, range)))
        }
        Unit::Seconds => {
            let divided = facts
                .binary_ops
                .iter()
                .any(|b| b.op == BinaryOperator::Div && b.rhs_number == Some(1000.0));
            if divided {
                return None;
            }
            facts.selectors.iter().find_map(|s| {
                let metric = s.metric.as_deref().filter(|m| is_milliseconds_metric(m))?;
                Some(seconds_from_milliseconds(
                    t.query.span_of(sources, s.name_span.clone()),
                    metric,
                ))
            })
        }
        _ => None,
    }
}

fn is_milliseconds_metric(name: &str) -> bool {
    ["_milliseconds", "_ms"].iter().any(|suffix| {
        name.ends_with(suffix)
            || ["_bucket", "_sum", "_count", "_total"]
                .iter()
                .any(|s| name.ends_with(&format!("{suffix}{s}")))
    })
}

/// The span of a `100 *` or `* 100` outside any parentheses, call or
/// aggregation: a scale of the whole result.
fn scaled_by_100(facts: &ExprFacts) -> Option<Range<usize>> {
    facts
        .binary_ops
        .iter()
        .filter(|b| b.outermost && b.op == BinaryOperator::Mul)
        .find_map(|b| {
            if b.lhs_number == Some(100.0) {
                Some(b.lhs_span.start..b.op_span.end)
            } else if b.rhs_number == Some(100.0) {
                Some(b.op_span.start..b.rhs_span.end)
            } else {
                None
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test::{feature, load, render};

    fn run(threshold: &str) -> (Vec<Diagnostic>, String) {
        let (ws, sources) = load(&[("checkout", &feature("checkout", threshold))]);
        let diags = check(&ws, &sources);
        let rendered = render(&diags, &sources);
        (diags, rendered)
    }

    #[test]
    fn pass() {
        for threshold in [
            // A ratio with a ratio unit.
            "  - id: errors\n    query: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))\n    unit: ratio\n    critical: {above: 5%}\n",
            // A percentage scaled by 100 with a percent unit.
            "  - id: cpu\n    query: 100 * (1 - avg(rate(node_cpu_seconds_total{mode=\"idle\"}[5m])))\n    unit: percent\n    warning: {above: 80%}\n",
            // 100 inside a function argument or a matcher is not a scale.
            "  - id: errors\n    query: sum(rate(errors_total{code=\"100\"}[5m])) / clamp_min(sum(rate(requests_total[5m])) * 100, 1)\n    unit: ratio\n    critical: {above: 5%}\n",
            // Milliseconds divided by 1000.
            "  - id: latency\n    query: histogram_quantile(0.95, sum by (le) (rate(request_duration_milliseconds_bucket[5m]))) / 1000\n    unit: seconds\n    warning: {above: 3s}\n",
            // A small percentage written with its sign.
            "  - id: packet-loss\n    query: 100 * sum(rate(dropped_total[5m])) / sum(rate(packets_total[5m]))\n    unit: percent\n    warning: {above: 0.5%}\n",
        ] {
            let (diags, rendered) = run(threshold);
            assert!(diags.is_empty(), "{threshold}\n{rendered}");
        }
    }

    #[test]
    fn fail_ratio_scaled_by_100() {
        let (diags, rendered) = run(
            "  - id: errors\n    query: 100 * sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))\n    unit: ratio\n    critical: {above: 5%}\n",
        );
        assert_eq!(diags.len(), 1);
        insta::assert_snapshot!(rendered);
    }

    #[test]
    fn fail_percent_levels_like_ratios() {
        let (diags, rendered) = run(
            "  - id: cpu\n    query: 1 - avg(rate(node_cpu_seconds_total{mode=\"idle\"}[5m]))\n    unit: percent\n    warning: {above: 0.8}\n    critical: {above: 0.95}\n",
        );
        assert_eq!(diags.len(), 1);
        insta::assert_snapshot!(rendered);
    }

    #[test]
    fn fail_seconds_from_milliseconds() {
        let (diags, rendered) = run(
            "  - id: latency\n    query: histogram_quantile(0.95, sum by (le) (rate(request_duration_milliseconds_bucket[5m])))\n    unit: seconds\n    warning: {above: 3s}\n",
        );
        assert_eq!(diags.len(), 1);
        insta::assert_snapshot!(rendered);
    }
}
