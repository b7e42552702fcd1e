//! `promql/useless-regex`: a regex matcher that is a plain string, matches
//! everything, or carries anchors Prometheus adds anyway.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::promql::MatchOp;
use crate::source::Span;

fn plain_string(span: Span, label: &str, value: &str, negated: bool) -> Diagnostic {
    let (re, eq) = if negated { ("!~", "!=") } else { ("=~", "=") };
    Diagnostic::warning(
        "promql/useless-regex",
        format!("`{label}{re}\"{value}\"` is a regex without regex syntax"),
    )
    .with_label(span, format!("use `{eq}`"))
    .with_help(format!(
        "write `{label}{eq}\"{value}\"`: it says the same, reads as an exact match and is cheaper"
    ))
}

fn matches_everything(span: Span, label: &str, negated: bool) -> Diagnostic {
    Diagnostic::warning(
        "promql/useless-regex",
        if negated {
            format!("`{label}!~\".*\"` matches nothing")
        } else {
            format!("`{label}=~\".*\"` matches every series")
        },
    )
    .with_label(
        span,
        if negated {
            "excludes everything"
        } else {
            "filters nothing"
        },
    )
    .with_help(if negated {
        "the selector never returns a series; remove the matcher or fix the pattern"
    } else {
        "remove the matcher; to require the label, write `=~\".+\"`"
    })
}

fn anchored(span: Span, label: &str, value: &str) -> Diagnostic {
    let bare = value.trim_start_matches('^').trim_end_matches('$');
    Diagnostic::warning(
        "promql/useless-regex",
        format!("the anchors in `{label}=~\"{value}\"` are redundant"),
    )
    .with_label(span, "always anchored")
    .with_help(format!(
        "Prometheus anchors every regex at both ends; write `\"{bare}\"`"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports regex matchers that need no regex: `=~"foo"` (a plain string),
    /// `=~".*"` (matches every series), and `^`/`$` anchors (Prometheus
    /// anchors every label regex already).
    ///
    /// ## Why is this bad?
    /// `=~"api"` reads as "contains api" to many people, but Prometheus
    /// anchors the regex, so it means exactly `="api"`: the reader is
    /// misled and the query is slower. `=~".*"` filters nothing (and
    /// `!~".*"` excludes everything), and anchors suggest the author
    /// expected a partial match.
    ///
    /// ## Example
    /// ```yaml
    /// expr: rate(http_requests_total{job=~"api", path=~".*", code=~"^5..$"}[5m])
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// expr: rate(http_requests_total{job="api", code=~"5.."}[5m])
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct UselessRegex => Check::Rule(check);
}

fn is_literal(value: &str) -> bool {
    !value.chars().any(|c| ".+*?()[]{}|\\^$".contains(c))
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    for s in &cx.facts.selectors {
        for m in &s.matchers {
            let negated = match m.op {
                MatchOp::Regex => false,
                MatchOp::NotRegex => true,
                _ => continue,
            };
            let span = cx.expr_span(m.span.clone());
            if m.value == ".*" {
                out.push(matches_everything(span, &m.name, negated));
            } else if is_literal(&m.value) {
                out.push(plain_string(span, &m.name, &m.value, negated));
            } else if (m.value.starts_with('^')
                || m.value.ends_with('$') && !m.value.ends_with("\\$"))
                && !m.value.contains('|')
            {
                out.push(anchored(span, &m.name, &m.value));
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
            "promql/useless-regex",
            "groups:\n  - name: g\n    rules:\n      - record: a:b:c\n        expr: rate(x_total{job=~\"api|web\", code=~\"5..\", instance=~\".+\"}[5m])\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/useless-regex",
            "groups:\n  - name: g\n    rules:\n      - record: a:b:c\n        expr: rate(http_requests_total{job=~\"api\", path=~\".*\", code=~\"^5..$\"}[5m])\n",
        ));
    }
}
