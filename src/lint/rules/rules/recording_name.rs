//! `rules/recording-name`: a recorded series named like a raw metric.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn recording_name(span: Span, name: &str) -> Diagnostic {
    Diagnostic::warning(
        "rules/recording-name",
        format!("recording rule `{name}` is not named `level:metric:operations`"),
    )
    .with_label(span, "no `:` in the name")
    .with_help(format!(
        "name it after the labels it keeps, the metric and the operations, e.g. `job:{name}:rate5m`"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a recording rule whose name has no colon, i.e. does not
    /// follow the `level:metric:operations` convention.
    ///
    /// ## Why is this bad?
    /// Colons are reserved for recorded series: a name without one looks
    /// like a metric an exporter exposes, so readers look for it in the
    /// wrong place, and it may collide with a real metric of that name.
    /// The convention also says which labels remain (`job:`) and what was
    /// done (`:rate5m`), which makes recorded series reusable.
    ///
    /// ## Example
    /// ```yaml
    /// - record: http_requests_rate
    ///   expr: sum by (job) (rate(http_requests_total[5m]))
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - record: job:http_requests:rate5m
    ///   expr: sum by (job) (rate(http_requests_total[5m]))
    /// ```
    ///
    /// ## Options
    /// None. Constant series (`expr: 1` with static labels, such as an
    /// `_info` series of metadata) are not checked: they aggregate nothing.
    ///
    /// ## References
    /// <https://prometheus.io/docs/practices/rules/>
    pub struct RecordingName => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    // A constant (`expr: 1` with static labels, an info series) aggregates
    // nothing: the convention does not apply.
    if cx.facts.selectors.is_empty() {
        return;
    }
    if !cx.rule.is_alert() && !cx.rule.name.value.contains(':') {
        out.push(recording_name(cx.rule.name.span, &cx.rule.name.value));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "rules/recording-name",
            "groups:\n  - name: g\n    rules:\n      - record: job:http_requests:rate5m\n        expr: sum by (job) (rate(http_requests_total[5m]))\n      - record: component_saturation_info\n        expr: \"1\"\n        labels: {component: cpu}\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "rules/recording-name",
            "groups:\n  - name: g\n    rules:\n      - record: http_requests_rate\n        expr: sum by (job) (rate(http_requests_total[5m]))\n",
        ));
    }
}
