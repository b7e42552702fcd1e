//! `promql/impossible-selector`: matchers that no series can satisfy together.

use crate::diag::Diagnostic;
use crate::lint::facts::{MatchKind, Matcher};
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn impossible(span: Span, other: Span, a: &Matcher, b: &Matcher) -> Diagnostic {
    let show = |m: &Matcher| {
        let op = match m.kind {
            MatchKind::Equal => "=",
            MatchKind::NotEqual => "!=",
            MatchKind::Regex => "=~",
            MatchKind::NotRegex => "!~",
        };
        format!("{}{op}\"{}\"", m.name, m.value)
    };
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
        let mut matchers: Vec<Matcher> = s.matchers.clone();
        if let Some(name) = &s.name {
            matchers.insert(
                0,
                Matcher {
                    name: "__name__".into(),
                    kind: MatchKind::Equal,
                    value: name.clone(),
                    span: s.span.clone(),
                },
            );
        }
        for (i, a) in matchers.iter().enumerate() {
            for b in &matchers[i + 1..] {
                if a.name != b.name {
                    continue;
                }
                let contradiction = match (a.kind, b.kind) {
                    (MatchKind::Equal, MatchKind::Equal) => a.value != b.value,
                    (MatchKind::Equal, MatchKind::NotEqual)
                    | (MatchKind::NotEqual, MatchKind::Equal) => a.value == b.value,
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
