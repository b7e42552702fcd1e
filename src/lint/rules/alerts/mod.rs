//! `alerts/*`: alerting rules that page wrongly, too often or without context.

pub mod for_below_interval;
pub mod missing_annotation;
pub mod missing_for;
pub mod missing_severity;
pub mod template;
pub mod unknown_severity;

use crate::lint::RuleCx;

/// Whether the expression calls `absent` or `absent_over_time`.
pub(crate) fn uses_absent(cx: &RuleCx) -> bool {
    cx.expr.text().contains("absent")
}

/// The labels the expression's result can have, when known exactly.
pub(crate) fn output_labels(_cx: &RuleCx) -> Option<Vec<String>> {
    None
}
