//! `rules/empty-group`: a rule group without rules.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, GroupCx};
use crate::rulefile::model::FileKind;
use crate::source::Span;

fn empty_group(span: Span, name: &str) -> Diagnostic {
    Diagnostic::warning("rules/empty-group", format!("group `{name}` has no rules"))
        .with_label(span, "empty group")
        .with_help("add rules to the group or remove it")
}

declare_rule! {
    /// ## What it does
    /// Reports a rule group with no rules.
    ///
    /// ## Why is this bad?
    /// An empty group does nothing. It is usually left over from moving
    /// rules elsewhere, or its rules were indented under the wrong key.
    ///
    /// ## Example
    /// ```yaml
    /// groups:
    ///   - name: api
    ///     rules: []
    /// ```
    ///
    /// ## Use instead
    /// Remove the group, or give it rules.
    ///
    /// ## Options
    /// None.
    pub struct EmptyGroup => Check::Group(check);
}

fn check(cx: &GroupCx, out: &mut Vec<Diagnostic>) {
    // A spec has no groups of its own: a feature without thresholds is not
    // an empty group someone wrote.
    if cx.group.rules.is_empty() && cx.file.kind != FileKind::Spec {
        out.push(empty_group(cx.group.name.span, &cx.group.name.value));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "rules/empty-group",
            "groups:\n  - name: g\n    rules:\n      - record: a:b:c\n        expr: up\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "rules/empty-group",
            "groups:\n  - name: api\n    rules: []\n",
        ));
    }
}
