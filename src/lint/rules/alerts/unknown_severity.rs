//! `alerts/unknown-severity`: a `severity` label value routing does not know.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn unknown_severity(span: Span, value: &str, allowed: &[String]) -> Diagnostic {
    let list = allowed
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let d = Diagnostic::warning(
        "alerts/unknown-severity",
        format!("`{value}` is not a known severity"),
    )
    .with_label(span, "unknown severity");
    match crate::spec::decode::did_you_mean(value, allowed.iter().map(String::as_str)) {
        Some(best) => d.with_help(format!(
            "did you mean `{best}`? known severities are {list}"
        )),
        None => d.with_help(format!("known severities are {list}")),
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a `severity` label whose value is not one of the known
    /// severities: the levels of the spec project (`critical`, `warning`,
    /// `info`), or the values listed in `lint.severity_values`.
    ///
    /// ## Why is this bad?
    /// Routes and inhibition rules match exact values: `severity: crit` or
    /// `severity: Critical` matches no route and the alert goes to the
    /// default receiver, or nowhere.
    ///
    /// ## Example
    /// ```yaml
    /// labels:
    ///   severity: Critical
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// labels:
    ///   severity: critical
    /// ```
    ///
    /// ## Options
    /// `lint.severity_values` in `promspec.yaml` lists the known values.
    /// Plain rule files without that setting are not checked: teams use
    /// many schemes (`page`/`ticket`, `s1`..`s4`).
    pub struct UnknownSeverity => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    let Some(label) = cx.rule.label("severity") else {
        return;
    };
    let value = &label.value.value;
    if !cx.rule.is_alert() || value.contains("{{") {
        return;
    }
    let Some(allowed) = &cx.settings.severity_values else {
        return;
    };
    if !allowed.iter().any(|v| v == value) {
        out.push(unknown_severity(label.value.span, value, allowed));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    fn settings() -> crate::lint::Settings {
        let mut s = crate::lint::Settings::default();
        s.severity_values = Some(vec!["critical".into(), "warning".into(), "info".into()]);
        s
    }

    #[test]
    fn pass() {
        let out = only(
            "alerts/unknown-severity",
            lint_rules_with(
                "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels: {severity: critical}\n",
                settings(),
            ),
        );
        assert!(out.1.is_empty());
        // Without a list of known values, nothing is checked.
        assert_rules_pass(
            "alerts/unknown-severity",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels: {severity: page}\n",
        );
    }

    #[test]
    fn fail() {
        let out = only(
            "alerts/unknown-severity",
            lint_rules_with(
                "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels:\n          severity: Critical\n",
                settings(),
            ),
        );
        assert!(!out.1.is_empty());
        insta::assert_snapshot!(render(&out));
    }
}
