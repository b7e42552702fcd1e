//! `alerts/*`: alerting rules that page wrongly, too often or without context.

pub mod absent_without_for;
pub mod bool_comparison;
pub mod for_below_interval;
pub mod missing_annotation;
pub mod missing_comparison;
pub mod missing_for;
pub mod missing_severity;
pub mod name_collision;
pub mod name_style;
pub mod suspicious_name;
pub mod template;
pub mod unknown_severity;

use crate::lint::RuleCx;

/// Whether the expression calls `absent` or `absent_over_time`.
pub(crate) fn uses_absent(cx: &RuleCx) -> bool {
    cx.facts.calls_function("absent") || cx.facts.calls_function("absent_over_time")
}

/// Whether an aggregation of the expression removes `label` (reported by
/// `promql/aggregation-drops-label` rather than `alerts/template`).
pub(crate) fn dropped_by_aggregation(cx: &RuleCx, label: &str) -> bool {
    crate::lint::rules::promql::aggregation_drops_label::dropping(cx.expr, label).is_some()
}
