//! Specs: loading, decoding and resolving the YAML that operators write.
//!
//! The raw layer ([`raw`]) mirrors the YAML with a span on every value; the
//! model ([`model`]) is resolved and typed. Only [`resolve`] converts one into
//! the other, and nothing past `resolve` sees raw types. Loading collects
//! every problem of a file, not just the first.

pub mod decode;
pub mod lint_config;
pub mod load;
pub mod model;
pub mod raw;
pub mod resolve;
pub mod schema;
pub mod slo;
pub mod targets;
#[cfg(test)]
pub(crate) mod testing;
pub mod units;
pub mod workspace;
