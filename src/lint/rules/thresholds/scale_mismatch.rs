//! `thresholds/scale-mismatch`: levels in percent on a query that returns a
//! ratio, or the reverse.

use std::ops::Range;

use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::promql::{AggregateOp, BinaryOperator, Expr, ExprFacts};
use crate::source::SourceMap;
use crate::spec::model::{Direction, LevelRule, Threshold, Workspace};
use crate::spec::units::{Unit, format_number};

/// The id of this rule.
pub const ID: &str = "thresholds/scale-mismatch";

fn percent_on_ratio(level: &LevelRule, certain: bool) -> Diagnostic {
    let effect = match level.direction {
        Direction::Above => "can never fire",
        Direction::Below => "fires all the time",
    };
    let message = format!(
        "the {} level `{}: {}` {effect}: the query returns a ratio from 0 to 1, not a percentage",
        level.level.as_str(),
        level.direction.as_str(),
        level.written,
    );
    let d = if certain {
        Diagnostic::error(ID, message)
    } else {
        Diagnostic::warning(ID, message)
    };
    d.with_label(
        level.value_span,
        format!("{} on a 0–100 scale", format_number(level.value)),
    )
    .with_help(
        "use `unit: ratio` and keep the levels in percent (`75%` then means 0.75), or multiply \
         the query by 100",
    )
}

fn ratio_on_percent(level: &LevelRule, metric: &str) -> Diagnostic {
    Diagnostic::warning(
        ID,
        format!(
            "the {} level `{}: {}` is compared as {} but `{metric}` is in percent (0 to 100)",
            level.level.as_str(),
            level.direction.as_str(),
            level.written,
            format_number(level.value),
        ),
    )
    .with_label(level.value_span, "a ratio level on a 0–100 value")
    .with_help("use `unit: percent` so that `5%` means 5, or divide the query by 100")
}

declare_rule! {
    /// ## What it does
    /// Reports levels whose scale does not match what the query returns:
    /// - `unit: percent` (0 to 100) on a query that returns a ratio from 0
    ///   to 1 — a division of two series of the same unit
    ///   (`avail_bytes / size_bytes`, `rate(errors_total) /
    ///   rate(requests_total)`), `1 -` such a division, or a `_ratio`
    ///   metric — with a level above 1: an error when both sides of the
    ///   division read the same metric or the same base unit (bytes,
    ///   seconds), a warning for other counters;
    /// - `unit: ratio` on a `_percent` metric (a warning).
    ///
    /// ## Why is this bad?
    /// With `unit: percent`, `above: 75%` compares the value with 75. A ratio
    /// never gets there: the alert can never fire (and a `below` level fires
    /// all the time). The reverse compares a 0–100 value with 0.05 and fires
    /// at the slightest load.
    ///
    /// ## Example
    /// ```yaml
    /// - id: disk-usage
    ///   query: 1 - node_filesystem_avail_bytes / node_filesystem_size_bytes
    ///   unit: percent
    ///   warning: {above: 75%}
    ///   critical: {above: 90%}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - id: disk-usage
    ///   query: 1 - node_filesystem_avail_bytes / node_filesystem_size_bytes
    ///   unit: ratio
    ///   warning: {above: 75%}
    ///   critical: {above: 90%}
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct ScaleMismatch => Check::Workspace(check);
}

/// Report every threshold whose levels and query disagree on the scale.
pub fn check(ws: &Workspace, _sources: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for feature in &ws.features {
        for threshold in &feature.thresholds {
            // A query that does not parse has its own diagnostic.
            if let Ok(expr) = threshold.query.parse(ws.project.dialect) {
                judge(threshold, expr, &mut out);
            }
        }
    }
    out
}

/// What a query returns, as far as its shape tells.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scale {
    /// A ratio from 0 to 1; `certain` when both sides read the same metric
    /// or the same base unit.
    Ratio { certain: bool },
    /// A value in percent, from the named metric.
    Percent { metric: String },
}

/// Judge one threshold whose query parsed as `expr`.
pub fn judge(threshold: &Threshold, expr: &Expr, out: &mut Vec<Diagnostic>) {
    let text = expr.text();
    let scale = scale(expr.facts(), text, 0..text.len());
    match (threshold.unit, scale) {
        (Unit::Percent, Some(Scale::Ratio { certain })) => {
            for level in threshold.levels.iter().filter(|l| l.value > 1.0) {
                out.push(percent_on_ratio(level, certain));
            }
        }
        (Unit::Ratio, Some(Scale::Percent { metric })) => {
            for level in threshold.levels.iter().filter(|l| l.value <= 1.0) {
                out.push(ratio_on_percent(level, &metric));
            }
        }
        _ => {}
    }
}

/// `range` without surrounding whitespace and parentheses.
fn is_wrapping(text: &str, outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start
        && inner.end <= outer.end
        && text[outer.start..inner.start]
            .chars()
            .all(|c| c == '(' || c.is_whitespace())
        && text[inner.end..outer.end]
            .chars()
            .all(|c| c == ')' || c.is_whitespace())
}

/// The scale of the sub-expression spanning `range` (parentheses allowed
/// around it), from the facts of the whole expression.
fn scale(facts: &ExprFacts, text: &str, range: Range<usize>) -> Option<Scale> {
    let top = facts
        .binary_ops
        .iter()
        .find(|b| is_wrapping(text, &range, &b.span));
    let Some(op) = top else {
        return metric_scale(facts, &range);
    };
    let lhs = op.span.start..op.op_span.start;
    let rhs = op.op_span.end..op.span.end;
    match op.op {
        // `1 - ratio` is a ratio.
        BinaryOperator::Sub if op.lhs_number == Some(1.0) => {
            scale(facts, text, rhs).filter(|s| matches!(s, Scale::Ratio { .. }))
        }
        BinaryOperator::Div => {
            let units = |r: &Range<usize>| -> Vec<(String, String)> {
                facts
                    .selectors
                    .iter()
                    .filter(|s| r.start <= s.span.start && s.span.end <= r.end)
                    .filter_map(|s| s.metric.clone())
                    .map(|m| (base_unit(&m).to_string(), m))
                    .collect()
            };
            let (top, bottom) = (units(&lhs), units(&rhs));
            let all: Vec<&(String, String)> = top.iter().chain(&bottom).collect();
            if top.is_empty() || bottom.is_empty() || all.iter().any(|(u, _)| *u != all[0].0) {
                return None;
            }
            let same_metric = all.iter().all(|(_, m)| *m == all[0].1);
            let measured = matches!(all[0].0.as_str(), "bytes" | "seconds");
            Some(Scale::Ratio {
                certain: same_metric || measured,
            })
        }
        _ => None,
    }
}

/// The scale of a sub-expression without arithmetic: every selector reads a
/// `_ratio` (or every one a `_percent`) metric, through aggregations that
/// keep the scale.
fn metric_scale(facts: &ExprFacts, range: &Range<usize>) -> Option<Scale> {
    let inside = |r: &Range<usize>| range.start <= r.start && r.end <= range.end;
    let keeps_scale = facts
        .aggregations
        .iter()
        .filter(|a| inside(&a.span))
        .all(|a| {
            matches!(
                a.op,
                AggregateOp::Avg
                    | AggregateOp::Min
                    | AggregateOp::Max
                    | AggregateOp::Quantile
                    | AggregateOp::Topk
                    | AggregateOp::Bottomk
            )
        });
    let metrics: Vec<&str> = facts
        .selectors
        .iter()
        .filter(|s| inside(&s.span))
        .filter_map(|s| s.metric.as_deref())
        .collect();
    if !keeps_scale || metrics.is_empty() {
        return None;
    }
    if metrics.iter().all(|m| m.ends_with("_ratio")) {
        return Some(Scale::Ratio { certain: true });
    }
    if metrics.iter().all(|m| m.ends_with("_percent")) {
        return Some(Scale::Percent {
            metric: metrics[0].to_string(),
        });
    }
    None
}

/// The unit a metric name ends in, by Prometheus' naming conventions:
/// counters (`_total`, and the `_count` and `_bucket` series of histograms)
/// count events; otherwise the last word (`bytes`, `seconds`...).
fn base_unit(metric: &str) -> &str {
    if ["_total", "_count", "_bucket"]
        .iter()
        .any(|s| metric.ends_with(s))
    {
        return "events";
    }
    metric.rsplit('_').next().unwrap_or(metric)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test::{feature, load, render};

    fn run(threshold: &str) -> (Vec<Diagnostic>, String) {
        let (ws, sources) = load(&[("node", &feature("node", threshold))]);
        let diags = check(&ws, &sources);
        let text = render(&diags, &sources);
        (diags, text)
    }

    #[test]
    fn pass() {
        for (query, unit, level) in [
            (
                "1 - node_filesystem_avail_bytes / node_filesystem_size_bytes",
                "ratio",
                "90%",
            ),
            (
                "100 * (1 - node_filesystem_avail_bytes / node_filesystem_size_bytes)",
                "percent",
                "90%",
            ),
            // Average latency, not a ratio.
            (
                "rate(http_request_duration_seconds_sum[5m]) / rate(http_request_duration_seconds_count[5m])",
                "percent",
                "90%",
            ),
            ("avg(cpu_usage_percent)", "percent", "90%"),
        ] {
            let (diags, text) = run(&format!(
                "  - id: usage\n    query: {query}\n    unit: {unit}\n    warning: {{above: {level}}}\n"
            ));
            assert!(diags.is_empty(), "{query}: {text}");
        }
    }

    #[test]
    fn fail_percent_on_ratio() {
        let (diags, text) = run(
            "  - id: usage\n    query: 1 - (node_filesystem_avail_bytes / node_filesystem_size_bytes)\n    unit: percent\n    warning: {above: 75%}\n    critical: {above: 90%}\n",
        );
        assert_eq!(diags.len(), 2, "{text}");
        assert!(
            diags
                .iter()
                .all(|d| d.severity == crate::diag::Severity::Error)
        );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn counters_of_different_names_warn() {
        let (diags, text) = run(
            "  - id: errors\n    query: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))\n    unit: percent\n    critical: {above: 5%}\n",
        );
        assert_eq!(diags.len(), 1, "{text}");
        assert_eq!(diags[0].severity, crate::diag::Severity::Warning);
    }

    #[test]
    fn fail_ratio_on_percent_metric() {
        let (diags, text) = run(
            "  - id: cpu\n    query: max(cpu_usage_percent)\n    unit: ratio\n    critical: {above: 90%}\n",
        );
        assert_eq!(diags.len(), 1, "{text}");
    }
}
