//! `alerts/absent-without-for`: an `absent()` alert that fires on one missed scrape.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn absent_without_for(span: Span, name: &str) -> Diagnostic {
    Diagnostic::warning(
        "alerts/absent-without-for",
        format!("alert `{name}` uses `absent()` without `for`"),
    )
    .with_label(span, "fires on the first evaluation without data")
    .with_help("add `for: 5m` or longer: a restart, a redeploy or one failed scrape makes a series absent for a moment")
}

declare_rule! {
    /// ## What it does
    /// Reports an alerting rule that uses `absent()` or `absent_over_time()`
    /// and has no `for` (or `for: 0s`).
    ///
    /// ## Why is this bad?
    /// Series disappear briefly all the time: a target restarts, a pod is
    /// rescheduled, a scrape times out, Prometheus itself restarts. An
    /// `absent()` alert without `for` pages for each of these blips, and
    /// people learn to ignore it right before the day the exporter is
    /// really gone.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: ExporterMissing
    ///   expr: absent(up{job="node"})
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - alert: ExporterMissing
    ///   expr: absent(up{job="node"})
    ///   for: 10m
    /// ```
    ///
    /// ## Options
    /// None. An `absent()` that is an operand of `and` or `unless` filters
    /// other series and is not reported: the other side decides when the
    /// alert fires. Nor is `absent_over_time()` over a window of 5m or more
    /// (`absent_over_time(up{job="node"}[10m])`, as promspec's no-data
    /// alerts write it): it fires only after the whole window went without
    /// a sample.
    pub struct AbsentWithoutFor => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if !cx.rule.is_alert() || cx.rule.for_.as_ref().is_some_and(|f| !f.value.is_zero()) {
        return;
    }
    if let Some(call) = cx
        .facts
        .calls
        .iter()
        .filter(|c| matches!(c.name, "absent" | "absent_over_time"))
        .filter(|c| !(c.name == "absent_over_time" && long_window(cx, &c.span)))
        .find(|c| !filters_other_series(cx, &c.span))
    {
        out.push(absent_without_for(
            cx.expr_span(call.name_span.clone()),
            &cx.rule.name.value,
        ));
    }
}

/// A window this long holds the absence as long as the `for` the finding asks for.
const LONG_ENOUGH: std::time::Duration = std::time::Duration::from_secs(300);

/// Whether every selector of the `absent_over_time()` call at `span` reads
/// a window of at least [`LONG_ENOUGH`]: the call returns a series only
/// after that long without a sample, so a blip does not fire it.
fn long_window(cx: &RuleCx, span: &std::ops::Range<usize>) -> bool {
    let mut inside = cx
        .facts
        .selectors
        .iter()
        .filter(|s| span.start <= s.span.start && s.span.end <= span.end)
        .peekable();
    inside.peek().is_some() && inside.all(|s| s.range.is_some_and(|r| r >= LONG_ENOUGH))
}

/// Whether the `absent()` call at `span` is an operand of `and` or
/// `unless`: then it filters other series, and whether the alert fires is
/// decided by those, not by the absence alone.
fn filters_other_series(cx: &RuleCx, span: &std::ops::Range<usize>) -> bool {
    use crate::promql::BinaryOperator;
    let inside = |r: &std::ops::Range<usize>| r.start <= span.start && span.end <= r.end;
    cx.facts.binary_ops.iter().any(|b| {
        matches!(b.op, BinaryOperator::And | BinaryOperator::Unless)
            && (inside(&b.lhs_span) || inside(&b.rhs_span))
    })
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "alerts/absent-without-for",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: absent(up{job=\"node\"})\n        for: 10m\n      - alert: CronjobTooLong\n        expr: kube_job_status_start_time > 0 and absent(kube_job_status_completion_time)\n      - alert: NoData\n        expr: absent_over_time(up{job=\"a\"}[10m]) or absent_over_time(up{job=\"b\"}[5m])\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "alerts/absent-without-for",
            "groups:\n  - name: g\n    rules:\n      - alert: ExporterMissing\n        expr: absent(up{job=\"node\"})\n",
        ));
    }

    #[test]
    fn short_absent_over_time_fails() {
        assert!(
            rules_fail(
                "alerts/absent-without-for",
                "groups:\n  - name: g\n    rules:\n      - alert: Gone\n        expr: absent_over_time(up{job=\"node\"}[1m])\n",
            )
            .contains("alerts/absent-without-for")
        );
    }
}
