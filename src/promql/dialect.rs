//! The PromQL dialect: what Prometheus 2 (as `promtool` 2.42) and Prometheus 3
//! accept beyond or short of promql-parser.
//!
//! Runs after promql-parser accepted the expression, on the facts and on the
//! version-dependent syntax the `super::syntax` tree noted. Reports the first
//! offending construct in source order.

use super::facts::{AggregateOp, ExprFacts};
use super::syntax::{Feature, Tree};
use super::{Dialect, SyntaxError, diagnose};

/// Functions that Prometheus 2.42 knows (checked against `promtool` 2.42),
/// sorted for binary search.
const PROMETHEUS2_FUNCTIONS: &[&str] = &[
    "abs",
    "absent",
    "absent_over_time",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "avg_over_time",
    "ceil",
    "changes",
    "clamp",
    "clamp_max",
    "clamp_min",
    "cos",
    "cosh",
    "count_over_time",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "days_in_month",
    "deg",
    "delta",
    "deriv",
    "exp",
    "floor",
    "histogram_count",
    "histogram_fraction",
    "histogram_quantile",
    "histogram_sum",
    "holt_winters",
    "hour",
    "idelta",
    "increase",
    "irate",
    "label_join",
    "label_replace",
    "last_over_time",
    "ln",
    "log10",
    "log2",
    "max_over_time",
    "min_over_time",
    "minute",
    "month",
    "pi",
    "predict_linear",
    "present_over_time",
    "quantile_over_time",
    "rad",
    "rate",
    "resets",
    "round",
    "scalar",
    "sgn",
    "sin",
    "sinh",
    "sort",
    "sort_desc",
    "sqrt",
    "stddev_over_time",
    "stdvar_over_time",
    "sum_over_time",
    "tan",
    "tanh",
    "time",
    "timestamp",
    "vector",
    "year",
];

/// Functions that promql-parser 0.11 knows beyond Prometheus 2.42 (Prometheus 3,
/// some of them experimental there).
const NEWER_FUNCTIONS: &[&str] = &[
    "double_exponential_smoothing",
    "end",
    "first_over_time",
    "histogram_avg",
    "histogram_quantiles",
    "histogram_stddev",
    "histogram_stdvar",
    "info",
    "integral",
    "mad_over_time",
    "max_of",
    "min_of",
    "range",
    "sort_by_label",
    "sort_by_label_desc",
    "start",
    "start_timestamp",
    "step",
    "ts_of_first_over_time",
    "ts_of_last_over_time",
    "ts_of_max_over_time",
    "ts_of_min_over_time",
];

/// Every function name known in some dialect (for suggestions).
pub(super) fn known_functions() -> impl Iterator<Item = &'static str> {
    PROMETHEUS2_FUNCTIONS.iter().chain(NEWER_FUNCTIONS).copied()
}

/// Checks what the dialect forbids; the first offence in source order wins.
pub(super) fn check(
    dialect: Dialect,
    text: &str,
    tree: Option<&Tree>,
    facts: &ExprFacts,
) -> Result<(), SyntaxError> {
    // Fast path: nothing version-dependent in the expression.
    let calls_ok = facts.calls.iter().all(|c| match dialect {
        Dialect::Prometheus2 => PROMETHEUS2_FUNCTIONS.binary_search(&c.name).is_ok(),
        Dialect::Prometheus3 => c.name != "holt_winters",
    });
    let aggregations_ok = dialect == Dialect::Prometheus3
        || facts
            .aggregations
            .iter()
            .all(|a| !matches!(a.op, AggregateOp::Limitk | AggregateOp::LimitRatio));
    if calls_ok && aggregations_ok && tree.is_none_or(|t| t.features.is_empty()) {
        return Ok(());
    }
    offences(dialect, text, tree, facts)
}

#[cold]
#[inline(never)]
fn offences(
    dialect: Dialect,
    text: &str,
    tree: Option<&Tree>,
    facts: &ExprFacts,
) -> Result<(), SyntaxError> {
    let mut offences: Vec<SyntaxError> = Vec::new();
    if let Some(tree) = tree {
        for &(feature, token) in &tree.features {
            let span = tree.token_span(token);
            let literal = &text[span.clone()];
            let offence = match (feature, dialect) {
                (Feature::OrMatcher, _) => Some(diagnose::or_matcher(span)),
                (Feature::DurationAsNumber, Dialect::Prometheus2) => {
                    Some(diagnose::duration_as_number(literal, span))
                }
                (Feature::NumberAsDuration, Dialect::Prometheus2) => {
                    Some(diagnose::number_as_duration(literal, span))
                }
                (Feature::QuotedMetricName, Dialect::Prometheus2) => {
                    Some(diagnose::quoted_name("metric", literal, span))
                }
                (Feature::QuotedLabelName, Dialect::Prometheus2) => {
                    Some(diagnose::quoted_name("label", literal, span))
                }
                (Feature::FillModifier, Dialect::Prometheus2) => {
                    Some(diagnose::fill_modifier(literal, span))
                }
                _ => None,
            };
            offences.extend(offence);
        }
    }
    for call in &facts.calls {
        match dialect {
            Dialect::Prometheus2 if PROMETHEUS2_FUNCTIONS.binary_search(&call.name).is_err() => {
                offences.push(diagnose::function_needs_prometheus3(
                    call.name,
                    call.name_span.clone(),
                ));
            }
            Dialect::Prometheus3 if call.name == "holt_winters" => {
                offences.push(diagnose::holt_winters_renamed(call.name_span.clone()));
            }
            _ => {}
        }
    }
    if dialect == Dialect::Prometheus2 {
        for agg in &facts.aggregations {
            if matches!(agg.op, AggregateOp::Limitk | AggregateOp::LimitRatio) {
                offences.push(diagnose::aggregation_needs_prometheus3(
                    agg.op.as_str(),
                    agg.op_span.clone(),
                ));
            }
        }
    }
    match offences.into_iter().min_by_key(|e| e.span.start) {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_lists_are_sorted_and_disjoint() {
        assert!(PROMETHEUS2_FUNCTIONS.is_sorted());
        assert!(NEWER_FUNCTIONS.is_sorted());
        assert!(
            NEWER_FUNCTIONS
                .iter()
                .all(|f| PROMETHEUS2_FUNCTIONS.binary_search(f).is_err())
        );
    }
}
