//! `promql/aggregation-drops-label`: an aggregation removes a label that the
//! alert's templates or routing need.

use std::ops::Range;

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::template;
use crate::lint::{Check, RuleCx};
use crate::promql::{Expr, Grouping, OutputLabels};
use crate::source::Span;

fn drops_label(span: Span, used: Option<(Span, String)>, label: &str, op: &str) -> Diagnostic {
    let d = Diagnostic::warning(
        "promql/aggregation-drops-label",
        format!("`{op}` removes label `{label}`, which the alert needs"),
    )
    .with_label(span, format!("`{label}` is not kept here"));
    let d = match used {
        Some((at, by)) => d.with_secondary(at, format!("`{label}` is read by {by}")),
        None => d,
    };
    d.with_help(format!(
        "add `{label}` to the aggregation's `by (...)` clause (or remove it from `without (...)`)"
    ))
}

/// The span of the aggregation that removes `label`, when the result lacks it.
/// Where an aggregation removes `label` from a result whose labels are known
/// exactly (and do not include it), and the aggregation operator.
pub(crate) fn dropping(expr: &Expr, label: &str) -> Option<(Range<usize>, &'static str)> {
    let OutputLabels::Exactly(labels) = expr.output_labels() else {
        return None;
    };
    if labels.contains(label) {
        return None;
    }
    expr.facts()
        .aggregations
        .iter()
        .find(|a| !a.op.keeps_input_series() && removes(&a.grouping, label))
        .map(|a| (a.op_span.clone(), a.op.as_str()))
}

/// Whether an aggregation with `grouping` removes `label`.
pub(crate) fn removes(grouping: &Grouping, label: &str) -> bool {
    match grouping {
        Grouping::None => true,
        Grouping::By(kept) => !kept.iter().any(|l| l == label),
        Grouping::Without(dropped) => dropped.iter().any(|l| l == label),
    }
}

declare_rule! {
    /// ## What it does
    /// Reports an aggregation (`sum`, `max by (...)`, `avg without (...)`)
    /// that removes a label the alert needs: one its labels or annotations
    /// read through `$labels`, or one Alertmanager groups or routes by
    /// (`alertmanager.group_by` and `lint.routing_labels` in `promspec.yaml`).
    ///
    /// ## Why is this bad?
    /// After `sum by (job)`, the only label left is `job`. A summary that
    /// says `{{ $labels.instance }} is down` renders as " is down", and a
    /// route that groups by `cluster` puts every cluster's alert into one
    /// notification, or misses its route entirely.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighErrorRate
    ///   expr: sum by (job) (rate(http_errors_total[5m])) > 1
    ///   annotations:
    ///     summary: Errors on {{ $labels.instance }}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - alert: HighErrorRate
    ///   expr: sum by (job, instance) (rate(http_errors_total[5m])) > 1
    ///   annotations:
    ///     summary: Errors on {{ $labels.instance }}
    /// ```
    ///
    /// ## Options
    /// `lint.routing_labels` lists labels routing needs besides
    /// `alertmanager.group_by`. Labels the rule sets in its own `labels:`
    /// and references guarded by `{{ with }}` are not reported.
    pub struct AggregationDropsLabel => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if !cx.rule.is_alert() {
        return;
    }
    let mut needed: Vec<(String, Option<(Span, String)>)> = Vec::new();
    for (field, pair) in cx
        .rule
        .labels
        .iter()
        .map(|p| ("labels", p))
        .chain(cx.rule.annotations.iter().map(|p| ("annotations", p)))
    {
        let scan = template::scan(&pair.value.value);
        for r in scan.labels.iter().filter(|r| !r.guarded) {
            needed.push((
                r.name.clone(),
                Some((
                    pair.span_of(cx.sources, r.range.clone()),
                    format!("`{field}.{}`", pair.key.value),
                )),
            ));
        }
    }
    for l in &cx.settings.routing_labels {
        needed.push((l.clone(), None));
    }
    let mut seen = Vec::new();
    for (label, used) in needed {
        if label == "alertname" || cx.rule.label(&label).is_some() || seen.contains(&label) {
            continue;
        }
        if let Some((span, op)) = dropping(cx.expr, &label) {
            let used = used.or_else(|| Some((cx.rule.name.span, "routing".to_string())));
            out.push(drops_label(cx.expr_span(span), used, &label, op));
            seen.push(label);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "promql/aggregation-drops-label",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum by (job, instance) (rate(http_errors_total[5m])) > 1\n        annotations:\n          summary: 'Errors on {{ $labels.instance }} {{ with $labels.pod }}{{ . }}{{ end }}'\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/aggregation-drops-label",
            "groups:\n  - name: g\n    rules:\n      - alert: HighErrorRate\n        expr: sum by (job) (rate(http_errors_total[5m])) > 1\n        annotations:\n          summary: Errors on {{ $labels.instance }}\n",
        ));
    }
}
