//! `promql/*`: expressions that are invalid, or valid but wrong.

pub mod syntax;
