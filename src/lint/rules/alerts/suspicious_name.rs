//! `alerts/suspicious-name`: an alert name with leading or trailing
//! whitespace or a control character (a newline, a tab).

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn suspicious_name(span: Span, name: &str, what: &str) -> Diagnostic {
    Diagnostic::warning(
        "alerts/suspicious-name",
        format!("alert name {name:?} {what}"),
    )
    .with_label(span, what.to_string())
    .with_help(
        "remove it: it is invisible in Alertmanager, Slack and the runbook tables, and a silence typed as the name reads will not match",
    )
}

/// What looks mistyped in `name`, if anything.
pub fn mistyped(name: &str) -> Option<&'static str> {
    if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else if name.starts_with(char::is_whitespace) {
        Some("starts with whitespace")
    } else if name.ends_with(char::is_whitespace) {
        Some("ends with whitespace")
    } else {
        None
    }
}

declare_rule! {
    /// ## What it does
    /// Reports an alert name that starts or ends with whitespace or holds
    /// a control character (a newline, a tab, a NUL).
    ///
    /// ## Why is this bad?
    /// Prometheus accepts such a name, but nobody reads it as written: a
    /// trailing space is invisible in Alertmanager's UI, Slack and the
    /// runbook tables, so a silence or an inhibition typed as the name
    /// reads (`alertname="DiskFull"`) never matches `"DiskFull "`; a
    /// newline usually comes from a YAML block scalar (`alert: |`) written
    /// by mistake.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: "DiskFull "
    ///   expr: node_filesystem_avail_bytes < 1e9
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - alert: DiskFull
    ///   expr: node_filesystem_avail_bytes < 1e9
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct SuspiciousName => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if !cx.rule.is_alert() {
        return;
    }
    if let Some(what) = mistyped(&cx.rule.name.value) {
        out.push(suspicious_name(
            cx.rule.name.span,
            &cx.rule.name.value,
            what,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::mistyped;
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "alerts/suspicious-name",
            "groups:\n  - name: g\n    rules:\n      - alert: \"Disk (root) full >90% | \\\"x\\\"\"\n        expr: up == 0\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "alerts/suspicious-name",
            "groups:\n  - name: g\n    rules:\n      - alert: \"DiskFull \"\n        expr: up == 0\n      - alert: \"Disk\\nFull\"\n        expr: up == 0\n",
        ));
    }

    #[test]
    fn what_looks_mistyped() {
        assert_eq!(mistyped(" A"), Some("starts with whitespace"));
        assert_eq!(mistyped("A\t"), Some("contains a control character"));
        assert_eq!(mistyped("A B (c)"), None);
    }
}
