//! `rules/group-interval`: a group evaluated too rarely for its series to stay
//! fresh, or more often than its data changes.

use std::time::Duration;

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, GroupCx};
use crate::rulefile::model::FileKind;
use crate::source::Span;
use crate::spec::units::format_duration;

/// Prometheus' lookback delta: a series with no sample for this long is stale.
pub const LOOKBACK: Duration = Duration::from_secs(300);

fn too_long(span: Span, interval: Duration) -> Diagnostic {
    Diagnostic::warning(
        "rules/group-interval",
        format!(
            "interval `{}` is longer than the 5m lookback window",
            format_duration(interval)
        ),
    )
    .with_label(span, "recorded series go stale between evaluations")
    .with_help("evaluate at most every `5m`; for slow data, record with a longer range instead of a longer interval")
}

fn too_short(span: Span, interval: Duration, scrape: Duration) -> Diagnostic {
    Diagnostic::warning(
        "rules/group-interval",
        format!(
            "interval `{}` is shorter than the scrape interval `{}`",
            format_duration(interval),
            format_duration(scrape)
        ),
    )
    .with_label(span, "evaluates the same samples again")
    .with_help(format!(
        "use `interval: {}` or longer; evaluating faster than data arrives only costs CPU",
        format_duration(scrape)
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a group `interval` longer than Prometheus' 5 minute lookback
    /// window, or shorter than the scrape interval.
    ///
    /// ## Why is this bad?
    /// A query sees a series only if it has a sample in the last 5 minutes.
    /// A group evaluated every 10 minutes writes its recorded series too
    /// rarely: dashboards and alerts reading them see gaps half of the time,
    /// and alerts on them resolve and fire again. An interval shorter than
    /// the scrape interval re-evaluates the same samples and only costs CPU.
    ///
    /// ## Example
    /// ```yaml
    /// groups:
    ///   - name: capacity
    ///     interval: 15m
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// groups:
    ///   - name: capacity
    ///     interval: 5m
    /// ```
    ///
    /// ## Options
    /// `scrape_interval` in `promspec.yaml` (default `15s`).
    pub struct GroupInterval => Check::Group(check);
}

fn check(cx: &GroupCx, out: &mut Vec<Diagnostic>) {
    let Some(interval) = &cx.group.interval else {
        return;
    };
    if cx.file.kind == FileKind::Spec {
        return;
    }
    if interval.value > LOOKBACK {
        out.push(too_long(interval.span, interval.value));
    } else if interval.value < cx.settings.scrape_interval && !interval.value.is_zero() {
        out.push(too_short(
            interval.span,
            interval.value,
            cx.settings.scrape_interval,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "rules/group-interval",
            "groups:\n  - name: g\n    interval: 1m\n    rules:\n      - record: a:b:c\n        expr: up\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "rules/group-interval",
            "groups:\n  - name: capacity\n    interval: 15m\n    rules:\n      - record: a:b:c\n        expr: up\n  - name: fast\n    interval: 5s\n    rules:\n      - record: a:b:d\n        expr: up\n",
        ));
    }
}
