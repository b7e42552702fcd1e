//! promspec: monitoring as code.
//!
//! One YAML spec per feature holds its metric thresholds. The pipeline:
//!
//! 1. [`spec::load`] reads `specs/` into raw types, every value with its span;
//! 2. [`spec::resolve`] turns them into the [`spec::model`], applying defaults
//!    and checking references;
//! 3. [`promql`] parses every query and [`lint`] judges specs and rules;
//! 4. nothing is compiled while an error-level diagnostic exists;
//! 5. [`compile`] produces every artifact (Prometheus rules, ...) in memory,
//!    and [`compile::write`] writes them atomically or compares them with disk.
//!
//! [`pipeline`] sequences these stages for every command; [`promtool`] runs
//! the generated unit tests with the real promtool.

pub mod catalog;
pub mod cli;
pub mod compile;
pub mod diag;
pub mod import;
pub mod lint;
pub mod pipeline;
pub mod promql;
pub mod promtool;
pub mod review;
pub mod routing;
pub mod rulefile;
pub mod source;
pub mod spec;
pub mod yaml;
