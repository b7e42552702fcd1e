//! Threshold steps and units: how a threshold's levels look in Grafana.
//!
//! The step values are the numbers the alert rules compare with, written
//! the same way ([`promql_number`]), so the line an operator sees is the
//! level at which the alert fires.
//!
//! Two colourings, because Grafana colours the values *from* a step upwards
//! and draws a step's line in the step's colour:
//! - [`state_steps`] colour values by the alert state they are in. For an
//!   `above` threshold that is green, then warning, then critical upwards;
//!   for a `below` threshold the order is reversed (critical at the bottom).
//!   Stat panels use these.
//! - [`line_steps`] colour each step by the level whose line it is, so a
//!   critical line is red whichever way the threshold points. Time-series
//!   panels draw them as lines only.

use crate::compile::grafana::model::Step;
use crate::compile::lower::promql_number;
use crate::spec::model::{Direction, Level, Threshold};
use crate::spec::units::Unit;

/// The colour of values that trigger nothing.
pub const OK_COLOR: &str = "green";

/// The colour of a level.
pub fn level_color(level: Level) -> &'static str {
    match level {
        Level::Critical => "red",
        Level::Warning => "orange",
        Level::Info => "blue",
    }
}

/// The Grafana unit id that displays values of `unit` as the spec means them.
pub fn grafana_unit(unit: Unit) -> &'static str {
    match unit {
        Unit::Seconds => "s",
        Unit::Ratio => "percentunit",
        Unit::Percent => "percent",
        Unit::Bytes => "bytes",
        Unit::BytesPerSecond => "Bps",
        // "events per second" without claiming they are requests or operations.
        Unit::PerSecond => "suffix:/s",
        Unit::Count => "short",
    }
}

/// The value a level's alert compares with, as the rule file writes it.
pub fn level_value(value: f64) -> f64 {
    promql_number(value).parse().unwrap_or(value)
}

/// The distinct comparison values of a threshold, ascending.
pub fn values(threshold: &Threshold) -> Vec<f64> {
    let mut values: Vec<f64> = threshold
        .levels
        .iter()
        .map(|l| level_value(l.value))
        .filter(|v| v.is_finite())
        .collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    values
}

/// Steps colouring each value by the most severe level it triggers.
pub fn state_steps(threshold: &Threshold) -> Vec<Step> {
    let values = values(threshold);
    let mut steps = Vec::with_capacity(values.len() + 1);
    // The interval below the first value, then one interval per value.
    let bounds: Vec<(Option<f64>, Option<f64>)> = std::iter::once(None)
        .chain(values.iter().copied().map(Some))
        .zip(
            values
                .iter()
                .copied()
                .map(Some)
                .chain(std::iter::once(None)),
        )
        .collect();
    for (from, to) in bounds {
        let state = threshold
            .levels
            .iter()
            .filter(|l| {
                let v = level_value(l.value);
                match l.direction {
                    // Values in [from, to) are above v when from >= v.
                    Direction::Above => from.is_some_and(|f| f >= v),
                    // ... and below v when to <= v.
                    Direction::Below => to.is_some_and(|t| t <= v),
                }
            })
            .map(|l| l.level)
            .min();
        steps.push(Step {
            color: state.map_or(OK_COLOR, level_color).into(),
            value: from,
        });
    }
    steps
}

/// Steps whose lines are coloured by the level they mark.
pub fn line_steps(threshold: &Threshold) -> Vec<Step> {
    let mut steps = vec![Step {
        color: OK_COLOR.into(),
        value: None,
    }];
    for v in values(threshold) {
        let level = threshold
            .levels
            .iter()
            .filter(|l| level_value(l.value) == v)
            .map(|l| l.level)
            .min()
            .unwrap_or(Level::Info);
        steps.push(Step {
            color: level_color(level).into(),
            value: Some(v),
        });
    }
    steps
}
