//! Service level objectives in a spec: the raw `slos:` items ([`raw`]), what
//! they mean once resolved ([`model`]), the resolution itself ([`resolve`])
//! and the default burn-rate windows ([`windows`]).
//!
//! The SLO parts of the spec layer live here so that the general raw, model
//! and resolve modules only hook them in; the same raw → model rule holds:
//! nothing outside `spec/` sees [`raw`].

pub mod model;
pub mod raw;
pub mod resolve;
pub mod windows;
