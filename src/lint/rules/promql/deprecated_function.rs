//! `promql/deprecated-function`: a function that is deprecated or removed.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::promql::Dialect;
use crate::source::Span;

/// Deprecated functions: name, replacement, what happened.
pub const DEPRECATED: &[(&str, &str, &str)] = &[(
    "holt_winters",
    "double_exponential_smoothing",
    "renamed in Prometheus 3, where `holt_winters` no longer exists",
)];

fn deprecated(
    span: Span,
    name: &str,
    replacement: &str,
    why: &str,
    dialect: Dialect,
) -> Diagnostic {
    let help = match dialect {
        Dialect::Prometheus3 => format!(
            "use `{replacement}` (an experimental function: enable `--enable-feature=promql-experimental-functions`)"
        ),
        Dialect::Prometheus2 => format!(
            "it works in Prometheus 2, but the rule breaks on upgrade; plan the switch to `{replacement}`"
        ),
    };
    Diagnostic::warning(
        "promql/deprecated-function",
        format!("`{name}()` is deprecated: {why}"),
    )
    .with_label(span, "deprecated")
    .with_help(help)
}

declare_rule! {
    /// ## What it does
    /// Reports functions that are deprecated or removed in a newer
    /// Prometheus: `holt_winters()`, renamed `double_exponential_smoothing()`
    /// in Prometheus 3.
    ///
    /// ## Why is this bad?
    /// A rule file with a removed function stops loading when Prometheus is
    /// upgraded, and every rule in it stops with it. Finding these before
    /// the upgrade turns an outage into a planned change.
    ///
    /// ## Example
    /// ```yaml
    /// expr: holt_winters(node_load1[10m], 0.5, 0.5) > 10
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # Prometheus 3, with promql-experimental-functions enabled
    /// expr: double_exponential_smoothing(node_load1[10m], 0.5, 0.5) > 10
    /// ```
    ///
    /// ## Options
    /// `dialect:` in `promspec.yaml` decides the advice.
    pub struct DeprecatedFunction => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    for call in &cx.facts.calls {
        if let Some((name, replacement, why)) = DEPRECATED.iter().find(|(n, _, _)| *n == call.name)
        {
            out.push(deprecated(
                cx.expr_span(call.name_span.clone()),
                name,
                replacement,
                why,
                cx.settings.dialect,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "promql/deprecated-function",
            "groups:\n  - name: g\n    rules:\n      - record: a:b:c\n        expr: predict_linear(node_load1[10m], 3600)\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/deprecated-function",
            "groups:\n  - name: g\n    rules:\n      - alert: LoadTrend\n        expr: holt_winters(node_load1[10m], 0.5, 0.5) > 10\n",
        ));
    }
}
