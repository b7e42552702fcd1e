//! `alerts/for-below-interval`: a `for` shorter than the evaluation interval.

use std::time::Duration;

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;
use crate::spec::units::format_duration;

fn for_below_interval(span: Span, for_: Duration, interval: Duration) -> Diagnostic {
    Diagnostic::warning(
        "alerts/for-below-interval",
        format!(
            "`for: {}` is shorter than the evaluation interval `{}`",
            format_duration(for_),
            format_duration(interval)
        ),
    )
    .with_label(span, "rounded up to one evaluation interval")
    .with_help(format!(
        "the alert fires after `{}` anyway; write `for: {}` or longer so the file says what happens, or evaluate the group more often (`interval:`)",
        format_duration(interval),
        format_duration(interval)
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports an alerting rule whose `for` is shorter than the interval its
    /// group is evaluated at.
    ///
    /// ## Why is this bad?
    /// Prometheus checks `for` only when it evaluates the group, so
    /// `for: 30s` in a group evaluated every minute waits a full minute. The
    /// file promises a reaction time the alert cannot keep.
    ///
    /// ## Example
    /// ```yaml
    /// - name: api
    ///   interval: 1m
    ///   rules:
    ///     - alert: ApiDown
    ///       expr: up{job="api"} == 0
    ///       for: 30s
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///     - alert: ApiDown
    ///       expr: up{job="api"} == 0
    ///       for: 1m
    /// ```
    ///
    /// ## Options
    /// A feature spec's rules run at the feature's `evaluation_interval`
    /// when it sets one, else at the project's. In rule files, groups
    /// without `interval` use `evaluation_interval` from
    /// `promspec.yaml` or the spec project. When neither says it, such
    /// groups are not judged: the interval is the server's
    /// `global.evaluation_interval`, which the file does not show (cephadm
    /// and many others evaluate every 10–15s, where `for: 30s` is right).
    pub struct ForBelowInterval => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    let Some(for_) = &cx.rule.for_ else { return };
    // A plain rule file does not say how often a group without `interval`
    // runs (10s and 15s are common): only a known interval is judged.
    let interval = match &cx.group.interval {
        Some(i) => i.value,
        None if cx.settings.evaluation_interval_known => cx.settings.evaluation_interval,
        None => return,
    };
    if cx.rule.is_alert() && !for_.value.is_zero() && for_.value < interval {
        out.push(for_below_interval(for_.span, for_.value, interval));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "alerts/for-below-interval",
            "groups:\n  - name: g\n    interval: 30s\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 30s\n",
        );
    }

    /// A spec's groups run at the feature's own `evaluation_interval`
    /// (the test project's is 1m).
    #[test]
    fn spec_uses_the_feature_interval() {
        let spec = |interval: &str, for_: &str| {
            format!(
                "feature: shop\nteam: ops\nevaluation_interval: {interval}\nthresholds:\n  - id: queue\n    query: max(queue_depth)\n    warning: {{above: 10, for: {for_}}}\n"
            )
        };
        assert_spec_pass("alerts/for-below-interval", &spec("30s", "45s"));
        let found = spec_fail("alerts/for-below-interval", &spec("2m", "1m"));
        assert!(
            found.contains("`for: 1m` is shorter than the evaluation interval `2m`"),
            "{found}"
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "alerts/for-below-interval",
            "groups:\n  - name: g\n    interval: 1m\n    rules:\n      - alert: ApiDown\n        expr: up == 0\n        for: 30s\n",
        ));
    }
}
