//! Alertmanager's routing semantics, independent of specs: the typed
//! configuration promspec generates ([`config`]), label matchers
//! ([`matcher`]), route evaluation and inhibition exactly as Alertmanager
//! does them ([`eval`]), whether a route notifies at a given time
//! ([`hours`]), and reading a configuration file back ([`read`]).
//!
//! `promspec routes test` and the routing lints use this module to answer
//! "where does this alert go"; it never reads files itself (callers hand in
//! a [`SourceMap`](crate::source::SourceMap)) and never prints.

pub mod answer;
pub mod config;
pub mod eval;
pub mod hours;
pub mod matcher;
pub mod read;
