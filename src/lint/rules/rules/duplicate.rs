//! `rules/duplicate`: two rules with the same name and labels in one file.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, FileCx};
use crate::rulefile::Rule;
use crate::source::Span;

fn duplicate(span: Span, first: Span, rule: &Rule) -> Diagnostic {
    Diagnostic::warning(
        "rules/duplicate",
        format!(
            "{} `{}` is defined twice with the same labels",
            if rule.is_alert() { "alert" } else { "recording rule" },
            rule.name.value
        ),
    )
    .with_label(span, "defined again here")
    .with_secondary(first, "first defined here")
    .with_help(if rule.is_alert() {
        "give the rules different labels (e.g. `severity`) or merge them"
    } else {
        "two recording rules writing the same series overwrite each other; rename one or add a distinguishing label"
    })
}

declare_rule! {
    /// ## What it does
    /// Reports two rules in one file with the same name (`alert` or
    /// `record`) and the same `labels`, as `promtool check rules` does.
    ///
    /// ## Why is this bad?
    /// Two recording rules with the same name and labels write the same
    /// series: the results overwrite each other and the series jumps between
    /// two expressions. Two such alerts produce alerts with identical
    /// labels, so Alertmanager cannot tell them apart. Usually one of them
    /// is a copy that was meant to be edited.
    ///
    /// ## Example
    /// ```yaml
    /// - record: job:http_requests:rate5m
    ///   expr: sum by (job) (rate(http_requests_total[5m]))
    /// - record: job:http_requests:rate5m
    ///   expr: sum by (job) (rate(http_requests_total{code!~"5.."}[5m]))
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - record: job:http_requests:rate5m
    ///   expr: sum by (job) (rate(http_requests_total[5m]))
    /// - record: job:http_requests_ok:rate5m
    ///   expr: sum by (job) (rate(http_requests_total{code!~"5.."}[5m]))
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct Duplicate => Check::File(check);
}

fn check(cx: &FileCx, out: &mut Vec<Diagnostic>) {
    // (name, sorted labels) → first rule with them.
    type Key<'a> = (&'a str, Vec<(&'a str, &'a str)>);
    let mut seen: std::collections::HashMap<Key, &Rule> = std::collections::HashMap::new();
    for (_, rule) in cx.file.rules() {
        let mut labels: Vec<(&str, &str)> = rule
            .labels
            .iter()
            .map(|p| (p.key.value.as_str(), p.value.value.as_str()))
            .collect();
        labels.sort_unstable();
        match seen.entry((rule.name.value.as_str(), labels)) {
            std::collections::hash_map::Entry::Occupied(first) => {
                out.push(duplicate(rule.name.span, first.get().name.span, rule));
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(rule);
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
            "rules/duplicate",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x > 1\n        labels: {severity: warning}\n      - alert: A\n        expr: x > 2\n        labels: {severity: critical}\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "rules/duplicate",
            "groups:\n  - name: a\n    rules:\n      - record: job:http_requests:rate5m\n        expr: sum by (job) (rate(http_requests_total[5m]))\n  - name: b\n    rules:\n      - record: job:http_requests:rate5m\n        expr: sum by (job) (rate(http_requests_total{code!~\"5..\"}[5m]))\n",
        ));
    }
}
