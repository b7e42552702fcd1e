//! `promql/range-too-short`: a range that holds fewer than two samples.

use std::time::Duration;

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;
use crate::spec::units::format_duration;

/// Functions that need at least two samples in their range.
const TWO_SAMPLES: &[&str] = &[
    "rate",
    "irate",
    "increase",
    "delta",
    "idelta",
    "deriv",
    "resets",
    "changes",
    "predict_linear",
];

fn range_too_short(span: Span, function: &str, range: Duration, scrape: Duration) -> Diagnostic {
    Diagnostic::warning(
        "promql/range-too-short",
        format!(
            "`{function}()` over `[{}]` sees at most one sample at a `{}` scrape interval",
            format_duration(range),
            format_duration(scrape)
        ),
    )
    .with_label(span, "too short")
    .with_help(format!(
        "`{function}()` needs two samples; use at least `[{}]` (4 scrape intervals) so a missed scrape does not empty the result",
        format_duration(scrape * 4)
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports `rate()`, `increase()`, `irate()`, `deriv()` and similar
    /// functions over a range shorter than two scrape intervals.
    ///
    /// ## Why is this bad?
    /// These functions need at least two samples in the range. With a 15s
    /// scrape interval, `rate(x[20s])` usually sees one sample and returns
    /// nothing: the alert can never fire and the graph has holes. The usual
    /// advice is a range of at least four scrape intervals, so a single
    /// failed scrape does not empty the result.
    ///
    /// ## Example
    /// ```yaml
    /// expr: rate(http_requests_total[20s]) > 10
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// expr: rate(http_requests_total[1m]) > 10
    /// ```
    ///
    /// ## Options
    /// `scrape_interval` in `promspec.yaml` (default `15s`).
    pub struct RangeTooShort => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    let scrape = cx.settings.scrape_interval;
    for s in &cx.facts.selectors {
        let (Some(range), Some(function)) = (s.range, s.function()) else {
            continue;
        };
        if TWO_SAMPLES.contains(&function) && range < scrape * 2 {
            let span = s.range_span.clone().unwrap_or(s.span.clone());
            out.push(range_too_short(cx.expr_span(span), function, range, scrape));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "promql/range-too-short",
            "groups:\n  - name: g\n    rules:\n      - record: job:r:rate1m\n        expr: sum by (job) (rate(http_requests_total[1m]))\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "promql/range-too-short",
            "groups:\n  - name: g\n    rules:\n      - alert: TooManyRequests\n        expr: rate(http_requests_total[20s]) > 10\n",
        ));
    }
}
