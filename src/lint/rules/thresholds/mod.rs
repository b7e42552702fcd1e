//! `thresholds/*`: rules about the thresholds of a feature spec.

pub mod unit_mismatch;
