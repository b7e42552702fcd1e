//! Lint rules, one file per rule: the directory is the id group and the
//! file the id name (`dashboards/uid_too_long.rs` ↔ `dashboards/uid-too-long`).
//! [`registry`](super::registry) lists them all.
//!
//! Every rule is run by [`run`](super::run) with its context, the same way
//! for `build`, `test` and `lint`. Rules judge resolved data and never
//! print, read files or write.

pub mod alerts;
pub mod dashboards;
pub mod promql;
pub mod routing;
#[allow(clippy::module_inception)] // the `rules/*` id group
pub mod rules;
pub mod slos;
pub mod targets;
pub mod thresholds;

#[cfg(test)]
pub(crate) mod test {
    //! Load inline specs and render what a rule reports (shared with the
    //! compiler's tests, so it lives with the specs).
    pub use crate::spec::testing::{feature, load, render};
}
