//! `thresholds/for-order`: a more severe level that waits longer than a
//! milder one.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, ThresholdCx};
use crate::spec::model::LevelRule;
use crate::spec::units::format_duration;

fn waits_longer(severe: &LevelRule, mild: &LevelRule) -> Diagnostic {
    Diagnostic::warning(
        "thresholds/for-order",
        format!(
            "the {} level waits `{}`, longer than the {} level's `{}`",
            severe.level.as_str(),
            format_duration(severe.for_),
            mild.level.as_str(),
            format_duration(mild.for_)
        ),
    )
    .with_label(
        severe.for_span,
        format!("{} waits longer", severe.level.as_str()),
    )
    .with_secondary(mild.for_span, format!("{} level", mild.level.as_str()))
    .with_help(format!(
        "the worse condition should be confirmed at least as fast: use `for: {}` or less for {}",
        format_duration(mild.for_),
        severe.level.as_str()
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a threshold whose more severe level has a longer `for` than
    /// a milder level comparing in the same direction.
    ///
    /// ## Why is this bad?
    /// When the value crosses the critical line it has already crossed the
    /// warning line. If critical then waits longer, the worse the problem,
    /// the later someone is paged: an outage that jumps straight past both
    /// lines notifies as a warning first. The severe level should confirm
    /// at least as fast as the mild one.
    ///
    /// ## Example
    /// ```yaml
    /// warning:  {above: 80%, for: 5m}
    /// critical: {above: 95%, for: 30m}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// warning:  {above: 80%, for: 30m}
    /// critical: {above: 95%, for: 5m}
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct ForOrder => Check::Threshold(check);
}

fn check(cx: &ThresholdCx, out: &mut Vec<Diagnostic>) {
    for (severe, mild) in super::pairs(cx.threshold) {
        if severe.for_ > mild.for_ {
            out.push(waits_longer(severe, mild));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    const HEAD: &str = "feature: shop\nteam: web\nthresholds:\n  - id: cpu\n    query: avg(rate(process_cpu_seconds_total[5m]))\n    unit: ratio\n";

    #[test]
    fn pass() {
        assert_spec_pass(
            "thresholds/for-order",
            &format!(
                "{HEAD}    warning: {{above: 80%, for: 30m}}\n    critical: {{above: 95%, for: 5m}}\n"
            ),
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(spec_fail(
            "thresholds/for-order",
            &format!(
                "{HEAD}    warning: {{above: 80%, for: 5m}}\n    critical: {{above: 95%, for: 30m}}\n"
            ),
        ));
    }
}
