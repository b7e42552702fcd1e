//! One file per lint rule, one directory per id group.

pub mod alerts;
pub mod promql;
#[allow(clippy::module_inception)] // the `rules/*` id group
pub mod rules;
pub mod thresholds;
