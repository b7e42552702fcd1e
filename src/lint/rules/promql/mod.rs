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
pub mod useless_regex;

/// Suffixes of counter series: `_total`, and the parts of histograms and summaries.
pub(crate) const COUNTER_SUFFIXES: &[&str] = &["_total", "_count", "_sum", "_bucket"];

/// Whether a metric name follows the counter naming conventions.
pub(crate) fn looks_like_counter(name: &str) -> bool {
    COUNTER_SUFFIXES.iter().any(|s| name.ends_with(s))
}
