//! `thresholds/unreachable`: a level whose value the unit cannot reach.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, ThresholdCx};
use crate::spec::model::{Direction, LevelRule};
use crate::spec::units::{Unit, format_number};

fn above_bound(level: &LevelRule, unit: Unit, bound: f64) -> Diagnostic {
    let max = match unit {
        Unit::Ratio => "1 (100%)".to_string(),
        _ => format!("{}%", format_number(bound)),
    };
    Diagnostic::error(
        "thresholds/unreachable",
        format!(
            "the {} level `above: {}` can never fire: a {} is at most {max}",
            level.level.as_str(),
            level.written,
            unit.name()
        ),
    )
    .with_label(level.value_span, "never reached")
    .with_help(match unit {
        Unit::Ratio => "a ratio runs from 0 to 1: write `5%` or `0.05`; for a value in percent use `unit: percent`",
        _ => "a percentage runs from 0 to 100; if the query returns a ratio (0 to 1), use `unit: ratio`",
    })
}

fn below_zero(level: &LevelRule, unit: Unit) -> Diagnostic {
    Diagnostic::error(
        "thresholds/unreachable",
        format!(
            "the {} level `below: {}` can never fire: a {} is never negative",
            level.level.as_str(),
            level.written,
            unit.name()
        ),
    )
    .with_label(level.value_span, "never reached")
    .with_help("compare against a positive value, e.g. `below: 1` to catch zero")
}

declare_rule! {
    /// ## What it does
    /// Reports a level that the threshold's unit can never reach: `above`
    /// 100% of a ratio or a percentage, or `below` zero (or exactly zero)
    /// for a unit that is never negative.
    ///
    /// ## Why is this bad?
    /// The alert exists on paper but never fires. The usual cause is a unit
    /// mix-up: a query that returns a ratio (0 to 1) with a threshold
    /// written in percent as a bare number (`above: 5` meaning 5%).
    ///
    /// ## Example
    /// ```yaml
    /// query: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))
    /// unit: ratio
    /// critical: {above: 5}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// query: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))
    /// unit: ratio
    /// critical: {above: 5%}
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct Unreachable => Check::Threshold(check);
}

fn check(cx: &ThresholdCx, out: &mut Vec<Diagnostic>) {
    let unit = cx.threshold.unit;
    for level in &cx.threshold.levels {
        match level.direction {
            Direction::Above => {
                if let Some(bound) = unit.upper_bound()
                    && level.value >= bound
                {
                    out.push(above_bound(level, unit, bound));
                }
            }
            Direction::Below => {
                if level.value <= 0.0 {
                    out.push(below_zero(level, unit));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    const HEAD: &str = "feature: shop\nteam: web\nthresholds:\n  - id: errors\n    query: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))\n    unit: ratio\n";

    #[test]
    fn pass() {
        assert_spec_pass(
            "thresholds/unreachable",
            &format!("{HEAD}    critical: {{above: 5%}}\n    info: {{below: 0.1%}}\n"),
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(spec_fail(
            "thresholds/unreachable",
            &format!("{HEAD}    critical: {{above: 5}}\n    info: {{below: 0}}\n"),
        ));
    }
}
