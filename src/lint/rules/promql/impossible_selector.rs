//! `promql/impossible-selector`: matchers that no series can satisfy together.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::promql::{LabelMatcher, MatchOp};
use crate::source::Span;

fn impossible(span: Span, other: Span, a: &LabelMatcher, b: &LabelMatcher) -> Diagnostic {
    let show = |m: &LabelMatcher| format!("{}{}\"{}\"", m.name, m.op, m.value);
    Diagnostic::error(
        "promql/impossible-selector",
        format!("`{}` and `{}` can never both match", show(a), show(b)),
    )
    .with_label(span, "contradicts the other matcher")
    .with_secondary(other, "other matcher")
    .with_help("the selector returns nothing, so the rule never fires; use `=~\"a|b\"` to match either value")
}

declare_rule! {
    /// ## What it does
    /// Reports a selector whose matchers contradict each other: the same
    /// label required to equal two different values, to equal and not equal
    /// the same value, or a metric name that differs from `__name__`.
    ///
    /// ## Why is this bad?
    /// No series has two values for one label, so the selector is always
    /// empty and the alert can never fire. The author usually meant "either
    /// value", which is `=~"a|b"`.
    ///
    /// ## Example
    /// ```yaml
    /// expr: up{job="api", job="web"} == 0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// expr: up{job=~"api|web"} == 0
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct ImpossibleSelector => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    for s in &cx.facts.selectors {
        let mut matchers: Vec<LabelMatcher> = s.matchers.clone();
        // A metric name written before the braces is a `__name__` matcher too.
        if let Some(name) = &s.metric
            && !s.matchers.iter().any(|m| m.name == "__name__")
        {
            matchers.insert(
                0,
                LabelMatcher {
                    name: "__name__".into(),
                    op: MatchOp::Equal,
                    value: name.clone(),
                    span: s.name_span.clone(),
                    value_span: s.name_span.clone(),
                },
            );
        }
        for (i, a) in matchers.iter().enumerate() {
            for b in &matchers[i + 1..] {
                if a.name != b.name {
                    continue;
                }
                let contradiction = match (a.op, b.op) {
                    (MatchOp::Equal, MatchOp::Equal) => a.value != b.value,
                    (MatchOp::Equal, MatchOp::NotEqual) | (MatchOp::NotEqual, MatchOp::Equal) => {
                        a.value == b.value
                    }
                    _ => false,
                };
                if contradiction {
                    out.push(impossible(
                        cx.expr_span(b.span.clone()),
                        cx.expr_span(a.span.clone()),
                        a,
                        b,
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "promql/impossible-selector",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up{job=~\"api|web\", job!=\"db\"} == 0\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/impossible-selector",
            "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up{job=\"api\", job=\"web\"} == 0 or node_load1{instance=\"a\", instance!=\"a\"} > 1\n",
        ));
    }
}
