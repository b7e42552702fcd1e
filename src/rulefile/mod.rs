//! The Prometheus rule-file IR, shared by the compiler's output and the linter.
//!
//! [`model`] holds rule files, groups and rules with a span on every field:
//! into a hand-written rule file, or back into the spec field a generated
//! rule came from. [`load`] reads hand-written files (plain `groups:`
//! documents, Thanos/Mimir extras included, and prometheus-operator
//! `PrometheusRule` manifests), detecting which is which by shape.
//! The compiler lowers resolved specs into the same IR
//! (`compile::lower`). Nothing here judges
//! rules: that is the linter's job; the loader reports only what makes a
//! file unreadable for Prometheus (unknown fields, missing `expr`, ...).

pub mod load;
pub mod model;

pub use model::{Expression, Group, Rule, RuleFile, RuleKind};
