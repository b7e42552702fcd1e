//! The linter: rules that judge specs and rule files.

pub mod rules;

/// The one-line summary of a rule id, if the id is known.
pub fn summary(id: &str) -> Option<&'static str> {
    rules::find(id).map(|r| r.summary())
}
