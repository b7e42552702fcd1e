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

/// Prefixes of widely deployed exporters' counters that predate the `_total`
/// convention (postgres_exporter, mysqld_exporter, node_exporter's vmstat).
pub(crate) const LEGACY_COUNTER_PREFIXES: &[&str] = &[
    "pg_stat_database_",
    "pg_stat_bgwriter_",
    "pg_stat_user_tables_n_",
    "mysql_global_status_",
    "node_vmstat_",
];

/// Whether a metric name follows the counter naming conventions (or is a
/// well-known legacy counter).
pub(crate) fn looks_like_counter(name: &str) -> bool {
    COUNTER_SUFFIXES.iter().any(|s| name.ends_with(s))
        || LEGACY_COUNTER_PREFIXES.iter().any(|p| name.starts_with(p))
}
