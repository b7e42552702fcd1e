//! `thresholds/order`: a more severe level that fires before a less severe one.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, ThresholdCx};
use crate::spec::model::{Direction, LevelRule};

fn out_of_order(severe: &LevelRule, mild: &LevelRule) -> Diagnostic {
    let (verb, fix) = match severe.direction {
        Direction::Above => ("lower", "higher"),
        Direction::Below => ("higher", "lower"),
    };
    Diagnostic::error(
        "thresholds/order",
        format!(
            "the {} level `{}` is {verb} than the {} level `{}`",
            severe.level.as_str(),
            severe.written,
            mild.level.as_str(),
            mild.written
        ),
    )
    .with_label(
        severe.value_span,
        format!("{} fires first", severe.level.as_str()),
    )
    .with_secondary(mild.value_span, format!("{} level", mild.level.as_str()))
    .with_help(format!(
        "the {} value must be {fix} than the {} value when both are `{}`; swap the values",
        severe.level.as_str(),
        mild.level.as_str(),
        severe.direction.as_str()
    ))
}

fn same_value(severe: &LevelRule, mild: &LevelRule) -> Diagnostic {
    Diagnostic::error(
        "thresholds/order",
        format!(
            "the {} and {} levels share the value `{}`",
            severe.level.as_str(),
            mild.level.as_str(),
            severe.written
        ),
    )
    .with_label(severe.value_span, format!("{} level", severe.level.as_str()))
    .with_secondary(mild.value_span, format!("{} level", mild.level.as_str()))
    .with_help(format!(
        "both fire together and {} inhibits {}, so the {} level never notifies; give it a value that is reached earlier, or remove it",
        severe.level.as_str(),
        mild.level.as_str(),
        mild.level.as_str()
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a threshold whose more severe level (critical) is reached
    /// before, or together with, a less severe one (warning, info).
    ///
    /// ## Why is this bad?
    /// Levels escalate: warning first, critical when it gets worse. With
    /// `warning: {above: 5s}` and `critical: {above: 3s}`, critical fires
    /// first and, since critical inhibits warning, the warning never
    /// notifies. Equal values make the milder level useless the same way.
    /// Usually the two values were swapped.
    ///
    /// ## Example
    /// ```yaml
    /// unit: seconds
    /// warning:  {above: 5s}
    /// critical: {above: 3s}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// unit: seconds
    /// warning:  {above: 3s}
    /// critical: {above: 5s}
    /// ```
    ///
    /// ## Options
    /// None. Levels that compare in different directions (a band: too
    /// high or too low) are not compared.
    pub struct Order => Check::Threshold(check);
}

fn check(cx: &ThresholdCx, out: &mut Vec<Diagnostic>) {
    for (severe, mild) in super::pairs(cx.threshold) {
        let reversed = match severe.direction {
            Direction::Above => severe.value < mild.value,
            Direction::Below => severe.value > mild.value,
        };
        if reversed {
            out.push(out_of_order(severe, mild));
        } else if severe.value == mild.value {
            out.push(same_value(severe, mild));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    const HEAD: &str = "feature: shop\nteam: web\nthresholds:\n  - id: latency\n    query: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))\n    unit: seconds\n";

    #[test]
    fn pass() {
        assert_spec_pass(
            "thresholds/order",
            &format!("{HEAD}    warning: {{above: 3s}}\n    critical: {{above: 5s}}\n"),
        );
    }

    #[test]
    fn suppressed_in_the_spec() {
        let (_, diags) = lint_spec(&format!(
            "{HEAD}    # promspec: disable=thresholds/order the levels are swapped on purpose\n    warning: {{above: 5s}}\n    critical: {{above: 3s}}\n"
        ));
        let ids: Vec<&str> = diags.iter().map(|d| d.id).collect();
        assert!(!ids.contains(&"thresholds/order"), "{ids:?}");
        assert!(!ids.contains(&"lint/unused-disable"), "{ids:?}");
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(spec_fail(
            "thresholds/order",
            &format!(
                "{HEAD}    warning: {{above: 5s}}\n    critical: {{above: 3s}}\n    info: {{above: 3s}}\n"
            ),
        ));
    }
}
