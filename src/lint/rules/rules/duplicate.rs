//! `rules/duplicate`: two rules with the same name and labels in one file.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, FileCx};
use crate::promql::{self, Dialect, LabelMatcher, MatchOp, OutputLabels};
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
    /// `record`) and the same `labels` that can write the same series.
    ///
    /// `promtool check rules` reports every pair with the same name and
    /// labels; this rule leaves out the pairs whose expressions provably
    /// write different series, a common and correct way to build one
    /// recorded metric from parts: different output labels (`sum by
    /// (verb)` and `sum`), or a kept label that the two select apart
    /// (`code=~"2.."` and `code=~"3.."` grouped by `code`, `mode="iowait"`
    /// and `mode!="iowait"`).
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
    // (name, sorted labels) → the rules with them so far.
    type Key<'a> = (&'a str, Vec<(&'a str, &'a str)>);
    let mut seen: std::collections::HashMap<Key, Vec<&Rule>> = std::collections::HashMap::new();
    for (_, rule) in cx.file.rules() {
        let mut labels: Vec<(&str, &str)> = rule
            .labels
            .iter()
            .map(|p| (p.key.value.as_str(), p.value.value.as_str()))
            .collect();
        labels.sort_unstable();
        let earlier = seen.entry((rule.name.value.as_str(), labels)).or_default();
        if let Some(first) = earlier
            .iter()
            .find(|e| !disjoint(e, rule, cx.settings.dialect))
        {
            out.push(duplicate(rule.name.span, first.name.span, rule));
        }
        earlier.push(rule);
    }
}

/// Whether two rules with the same name and labels provably write
/// different series: their results carry different label sets (`sum by
/// (verb)` and `sum`), or both keep a label whose values they pick apart
/// (`code=~"2.."` and `code=~"3.."`, `mode="iowait"` and `mode!="iowait"`).
/// Only such pairs are parsed again, through the PromQL facade.
fn disjoint(a: &Rule, b: &Rule, dialect: Dialect) -> bool {
    let (Ok(x), Ok(y)) = (
        promql::parse(&a.expr.text, dialect),
        promql::parse(&b.expr.text, dialect),
    ) else {
        return false;
    };
    let (lx, ly) = (x.output_labels(), y.output_labels());
    if let (OutputLabels::Exactly(p), OutputLabels::Exactly(q)) = (lx, ly)
        && p != q
    {
        return true;
    }
    let picks = |e: &promql::Expr, label: &str| -> Option<Vec<LabelMatcher>> {
        let sel = &e.facts().selectors;
        let all: Option<Vec<LabelMatcher>> = sel
            .iter()
            .map(|s| s.matchers.iter().find(|m| m.name == label).cloned())
            .collect();
        all.filter(|v| !v.is_empty())
    };
    let labels: std::collections::BTreeSet<&str> = x
        .facts()
        .selectors
        .iter()
        .flat_map(|s| s.matchers.iter().map(|m| m.name.as_str()))
        .filter(|l| *l != "__name__")
        .collect();
    labels.into_iter().any(|label| {
        lx.may_have(label)
            && ly.may_have(label)
            && match (picks(&x, label), picks(&y, label)) {
                (Some(p), Some(q)) => p.iter().all(|m| q.iter().all(|n| exclusive(m, n))),
                _ => false,
            }
    })
}

/// Whether no label value satisfies both matchers (decided only for the
/// plain cases: values, and regexes that start with different literals).
fn exclusive(a: &LabelMatcher, b: &LabelMatcher) -> bool {
    use MatchOp::*;
    let prefix = |r: &str| -> String {
        r.chars()
            .take_while(|c| !".[](){}*+?|^$\\".contains(*c))
            .collect()
    };
    let apart =
        |p: &str, q: &str| !p.is_empty() && !q.is_empty() && !p.starts_with(q) && !q.starts_with(p);
    match (a.op, b.op) {
        (Equal, Equal) => a.value != b.value,
        (Equal, NotEqual) | (NotEqual, Equal) => a.value == b.value,
        (Regex, Regex) => apart(&prefix(&a.value), &prefix(&b.value)),
        (Equal, Regex) => {
            let p = prefix(&b.value);
            !p.is_empty() && !a.value.starts_with(&p)
        }
        (Regex, Equal) => exclusive(b, a),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "rules/duplicate",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x > 1\n        labels: {severity: warning}\n      - alert: A\n        expr: x > 2\n        labels: {severity: critical}\n      - record: code:requests:increase1h\n        expr: sum by (code) (increase(requests_total{code=~\"2..\"}[1h]))\n      - record: code:requests:increase1h\n        expr: sum by (code) (increase(requests_total{code=~\"3..\"}[1h]))\n      - record: instance_mode:cpu:rate1m\n        expr: sum without (cpu) (rate(cpu_seconds_total{mode!=\"iowait\"}[1m]))\n      - record: instance_mode:cpu:rate1m\n        expr: sum without (cpu) (deriv(cpu_seconds_total{mode=\"iowait\"}[1m]) > 0)\n",
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
