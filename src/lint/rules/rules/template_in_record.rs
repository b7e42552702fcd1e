//! `rules/template-in-record`: a template in a recording rule's labels.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn template_in_record(span: Span, key: &str) -> Diagnostic {
    Diagnostic::warning(
        "rules/template-in-record",
        format!("label `{key}` of a recording rule contains a template"),
    )
    .with_label(span, "written as is, not expanded")
    .with_help("recording rules do not expand templates; compute the value in the expression (e.g. with `label_replace`) or use a fixed value")
}

declare_rule! {
    /// ## What it does
    /// Reports `{{ ... }}` in the labels of a recording rule.
    ///
    /// ## Why is this bad?
    /// Only alerting rules expand templates. A recording rule writes the
    /// text `{{ $labels.job }}` literally into the label, so every series
    /// gets the same meaningless value.
    ///
    /// ## Example
    /// ```yaml
    /// - record: job:up:sum
    ///   expr: sum by (job) (up)
    ///   labels:
    ///     service: "{{ $labels.job }}"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - record: job:up:sum
    ///   expr: label_replace(sum by (job) (up), "service", "$1", "job", "(.*)")
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct TemplateInRecord => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if cx.rule.is_alert() {
        return;
    }
    for pair in &cx.rule.labels {
        if let Some(at) = pair.value.value.find("{{") {
            out.push(template_in_record(
                pair.span_of(cx.sources, at..pair.value.value.len()),
                &pair.key.value,
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
            "rules/template-in-record",
            "groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n        labels: {service: api}\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "rules/template-in-record",
            "groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n        labels:\n          service: '{{ $labels.job }}'\n",
        ));
    }
}
