//! `promql/syntax`: an expression that does not parse.

use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::promql::SyntaxError;
use crate::rulefile::Expression;
use crate::source::{SourceMap, Span};

/// The diagnostic for `error` inside `expr`, pointing at the offending token.
pub fn diagnostic(expr: &Expression, sources: &SourceMap, error: &SyntaxError) -> Diagnostic {
    let span = expr.span_of(sources, error.span.clone());
    Diagnostic::error(
        "promql/syntax",
        format!("invalid PromQL: {}", error.message),
    )
    .with_label(span, "here")
    .with_help(error.help.clone().unwrap_or_else(|| {
        "fix the expression; Prometheus refuses to load a rule file with invalid PromQL".into()
    }))
}

/// The diagnostic for an SLI query that must be a selector (promspec wraps
/// it in `sum(rate(…))`) and is not.
pub fn not_a_selector(span: Span, text: &str) -> Diagnostic {
    Diagnostic::error(
        "promql/syntax",
        format!("`{}` is not a selector", text.trim()),
    )
    .with_label(span, "promspec wraps this in `rate()` and needs a plain selector")
    .with_help("write a selector such as `http_requests_total{code=~\"5..\"}`, or a full query with a `[{{.window}}]` range")
}

declare_rule! {
    /// ## What it does
    /// Reports an expression that is not valid PromQL in the project's dialect.
    ///
    /// ## Why is this bad?
    /// Prometheus refuses to load the whole rule file, so every rule in it
    /// stops working, not only the broken one. The finding points at the
    /// offending token inside the expression, also inside block scalars
    /// (`|`, `>-`) and quoted strings.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighErrorRate
    ///   expr: sum(rate(http_errors_total[5m]) > 1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - alert: HighErrorRate
    ///   expr: sum(rate(http_errors_total[5m])) > 1
    /// ```
    ///
    /// ## Options
    /// The dialect (`prometheus2`, the default, or `prometheus3`) is set by
    /// `dialect:` in `promspec.yaml`: `holt_winters` is valid only in
    /// `prometheus2`, `double_exponential_smoothing` only in `prometheus3`.
    pub struct Syntax => Check::Engine;
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "promql/syntax",
            "groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/syntax",
            "groups:\n  - name: g\n    rules:\n      - alert: HighErrorRate\n        expr: |\n          sum(rate(http_errors_total[5m]) > 1\n",
        ));
    }
}
