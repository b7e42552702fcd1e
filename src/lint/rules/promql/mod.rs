//! `promql/*`: expressions that are invalid, or valid but wrong.

pub mod aggregation_drops_label;
pub mod counter_without_rate;
pub mod deprecated_function;
pub mod histogram_quantile_without_le;
pub mod impossible_selector;
pub mod irate_in_alert;
pub mod nan_prone_division;
pub mod quantile_out_of_range;
pub mod range_too_short;
pub mod rate_of_sum;
pub mod rate_on_non_counter;
pub mod syntax;
pub mod unknown_label;
pub mod unknown_metric;
pub mod useless_regex;

/// Suffixes of counter series: `_total`, and the parts of histograms and summaries.
pub(crate) const COUNTER_SUFFIXES: &[&str] = &["_total", "_count", "_sum", "_bucket"];

/// Name endings that positively mean a gauge: a ratio, a percentage, a
/// temperature, a state (`_up`), an info series, work in progress, or a
/// byte count that is a level (free, used, size, limit), not a flow.
pub(crate) const GAUGE_SUFFIXES: &[&str] = &[
    "_info",
    "_ratio",
    "_percent",
    "_percentage",
    "_celsius",
    "_fahrenheit",
    "_temperature",
    "_up",
    "_utilization",
    "_in_flight",
    "_inflight",
    "_in_progress",
    "_queue_length",
    "_free_bytes",
    "_avail_bytes",
    "_available_bytes",
    "_used_bytes",
    "_usage_bytes",
    "_size_bytes",
    "_limit_bytes",
    "_capacity_bytes",
    "_working_set_bytes",
    "_resident_memory_bytes",
    "_virtual_memory_bytes",
];

/// The name ending that says `name` is a gauge, if one does. Counter
/// suffixes win (`x_ratio_total` is a counter); node_exporter's
/// `node_memory_*_bytes` are gauges too.
pub(crate) fn gauge_suffix(name: &str) -> Option<&'static str> {
    if COUNTER_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        return None;
    }
    if name.starts_with("node_memory_") && name.ends_with("_bytes") {
        return Some("_bytes");
    }
    GAUGE_SUFFIXES.iter().copied().find(|s| name.ends_with(s))
}

/// The comparison that judges the value at `range` of an expression: the
/// innermost comparison without `bool` whose operand contains `range`, with
/// its operator as seen from that operand (`5 < x` gives `>` for `x`) and
/// the number on the other side, when it is one.
pub(crate) fn judging_comparison(
    facts: &crate::promql::ExprFacts,
    range: &std::ops::Range<usize>,
) -> Option<(crate::promql::BinaryOperator, Option<f64>)> {
    let inside =
        |outer: &std::ops::Range<usize>| outer.start <= range.start && range.end <= outer.end;
    facts
        .binary_ops
        .iter()
        .filter(|b| b.is_comparison && !b.return_bool)
        .filter_map(|b| {
            if inside(&b.lhs_span) {
                Some((b, b.op, b.rhs_number))
            } else if inside(&b.rhs_span) {
                Some((b, b.op.flipped(), b.lhs_number))
            } else {
                None
            }
        })
        .min_by_key(|(b, ..)| b.span.end - b.span.start)
        .map(|(_, op, n)| (op, n))
}
