//! `alerts/missing-for`: an alert on a noisy reading that fires on a single evaluation.

use std::time::Duration;

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::rules::promql::judging_comparison;
use crate::lint::{Check, RuleCx};
use crate::promql::{BinaryOperator, Selector};
use crate::source::Span;

/// Functions over a window that already debounce (they count events or
/// summarize the whole window).
const WINDOWED: &[&str] = &[
    "increase",
    "changes",
    "resets",
    "min_over_time",
    "max_over_time",
    "avg_over_time",
    "sum_over_time",
    "count_over_time",
    "quantile_over_time",
    "present_over_time",
];

/// Per-second functions: debounced only when they detect any event (`> 0`).
const PER_SECOND: &[&str] = &["rate", "irate", "delta", "idelta", "deriv"];

/// Windows at least this long hold the condition by themselves.
const LONG: Duration = Duration::from_secs(3600);

fn missing_for(span: Span, name: &str) -> Diagnostic {
    Diagnostic::warning(
        "alerts/missing-for",
        format!("alert `{name}` fires on the first evaluation that matches"),
    )
    .with_label(span, "no `for`")
    .with_help(
        "add `for:` with how long the condition must hold before someone is paged (e.g. `for: 5m`), so one scrape spike, restart or rollout does not page; if the condition is a sticky state that cannot spike, add `# promspec: disable=alerts/missing-for` above the rule",
    )
}

declare_rule! {
    /// ## What it does
    /// Reports an alerting rule without `for` (or with `for: 0s`) whose
    /// expression reads an instant value: a gauge compared with a
    /// threshold, or a rate above a non-zero threshold.
    ///
    /// Off by default: whether a reading can spike depends on the metric
    /// (a certificate's remaining lifetime only counts down, a failed
    /// config reload stays failed until the next reload), which the
    /// expression does not say. On real-world rule files a third of the
    /// findings were such sticky states (precision below 95%). Turn it on
    /// in `promspec.yaml` (`lint: {rules: {alerts/missing-for: warning}}`).
    ///
    /// ## Why is this bad?
    /// Without `for`, one evaluation that matches fires the alert: a single
    /// scrape spike, a restart or a rollout pages someone, and the alert
    /// flaps between firing and resolved.
    ///
    /// Not reported, because the expression already debounces: alerts on
    /// `absent()` (left to `alerts/absent-without-for`); constant
    /// expressions (`vector(1)`, a dead man's switch); event alerts whose
    /// every series is read over a window (`increase(...) > 0`,
    /// `changes(...)`, `min_over_time(...)`, `rate(...) > 0`); windows of an
    /// hour or more (`[1h]`, `[30d]`, recorded `..._rate6h`); multi-window
    /// burn-rate alerts (the same ratio over two windows joined by `and`,
    /// as Sloth and the SRE workbook write them); and `time() - x` compared
    /// with an hour or more.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighLatency
    ///   expr: job:request_latency_seconds:p95 > 0.5
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - alert: HighLatency
    ///   expr: job:request_latency_seconds:p95 > 0.5
    ///   for: 10m
    /// ```
    ///
    /// ## Options
    /// None. Turn the rule off for an alert that must fire at once with
    /// `# promspec: disable=alerts/missing-for` above the rule.
    pub struct MissingFor => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if !cx.rule.is_alert() || cx.rule.for_.as_ref().is_some_and(|f| !f.value.is_zero()) {
        return;
    }
    if super::uses_absent(cx) || debounced(cx) {
        return;
    }
    let span = cx.rule.for_.as_ref().map_or(cx.rule.name.span, |f| f.span);
    out.push(missing_for(span, &cx.rule.name.value));
}

/// Whether the expression itself holds the condition over time.
fn debounced(cx: &RuleCx) -> bool {
    let facts = cx.facts;
    let selectors = &facts.selectors;
    if selectors.is_empty() {
        return true;
    }
    let event = |s: &Selector| {
        let Some(f) = s.function() else { return false };
        s.range.is_some()
            && (WINDOWED.contains(&f)
                || PER_SECOND.contains(&f)
                    && matches!(
                        judging_comparison(facts, &s.span),
                        Some((BinaryOperator::Gt, Some(t))) if t == 0.0
                    ))
    };
    if selectors.iter().all(event) {
        return true;
    }
    if selectors
        .iter()
        .all(|s| window(s).is_some_and(|w| w >= LONG))
    {
        return true;
    }
    if facts.calls_function("time")
        && facts
            .top_level_comparison
            .as_ref()
            .and_then(|c| c.threshold)
            .is_some_and(|t| t >= LONG.as_secs_f64())
    {
        return true;
    }
    burn_rate(cx)
}

/// The window a selector reads: its range, or a window written in a
/// recorded series' name (`slo:sli_error:ratio_rate30m`).
fn window(s: &Selector) -> Option<Duration> {
    s.range.or_else(|| {
        s.metric
            .as_deref()
            .and_then(|m| name_window(m).map(|(_, w)| w))
    })
}

/// The window token of a name and its duration: `rate5m` in
/// `job:errors:rate5m` gives `(range of "5m", 5m)`.
fn name_window(name: &str) -> Option<(std::ops::Range<usize>, Duration)> {
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()) {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let unit_end = i + 1;
            let at_boundary = bytes
                .get(unit_end)
                .is_none_or(|b| !b.is_ascii_alphanumeric());
            if unit_end <= bytes.len()
                && at_boundary
                && matches!(bytes.get(i), Some(b's' | b'm' | b'h' | b'd' | b'w' | b'y'))
                && let Some(d) = crate::promql::parse_duration(&name[start..unit_end])
            {
                return Some((start..unit_end, d));
            }
        } else {
            i += 1;
        }
    }
    None
}

/// Whether the alert is a multi-window burn-rate alert: an `and` whose two
/// sides read the same series (names equal once their window is taken
/// out) over different windows.
fn burn_rate(cx: &RuleCx) -> bool {
    let facts = cx.facts;
    let side = |range: &std::ops::Range<usize>| {
        let mut reads = Vec::new();
        for s in &facts.selectors {
            if range.start <= s.span.start && s.span.end <= range.end {
                let Some(m) = s.metric.as_deref() else {
                    continue;
                };
                let stem = match name_window(m) {
                    Some((r, _)) => format!("{}{{w}}{}", &m[..r.start], &m[r.end..]),
                    None => m.to_string(),
                };
                reads.push((stem, window(s)));
            }
        }
        reads
    };
    facts
        .binary_ops
        .iter()
        .filter(|b| b.op == BinaryOperator::And)
        .any(|b| {
            let (left, right) = (side(&b.lhs_span), side(&b.rhs_span));
            left.iter().any(|(stem, w)| {
                w.is_some()
                    && right
                        .iter()
                        .any(|(other, v)| other == stem && v.is_some() && v != w)
            })
        })
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "alerts/missing-for",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 5m\n      - alert: B\n        expr: absent(up)\n      - alert: DeadMansSwitch\n        expr: vector(1)\n      - alert: Failures\n        expr: increase(compactions_failed_total[5m]) > 0\n      - alert: BurnRate\n        expr: (slo:sli_error:ratio_rate5m > (14.4 * 0.001)) and ignoring (sloth_window) (slo:sli_error:ratio_rate1h > (14.4 * 0.001))\n      - alert: BurnRateRanges\n        expr: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m])) > 0.0144 and sum(rate(errors_total[1h])) / sum(rate(requests_total[1h])) > 0.0144\n      - alert: Monthly\n        expr: slo:sli_error:ratio_rate30d > 0.001\n      - alert: Stale\n        expr: time() - last_success_timestamp_seconds > 86400\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "alerts/missing-for",
            "groups:\n  - name: g\n    rules:\n      - alert: InstanceDown\n        expr: up == 0\n      - alert: Zero\n        expr: up == 0\n        for: 0s\n      - alert: Burst\n        expr: rate(errors_total[1m]) > 100\n",
        ));
    }
}
