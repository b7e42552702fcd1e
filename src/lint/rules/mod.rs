//! One file per lint rule, one directory per id group.

pub mod alerts;
pub mod promql;
pub mod rules;
pub mod thresholds;
