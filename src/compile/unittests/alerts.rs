//! promtool unit tests of the alerts that are not threshold levels: the
//! entries of `alerts:` and the no-data alerts of thresholds, appended to
//! `generated/prometheus/<feature>.test.yml`.
//!
//! Two shapes are driven, the rest is skipped with a comment saying why:
//!
//! - an expression that calls `absent()` or `absent_over_time()` (every
//!   no-data alert): the series it reads are present, then vanish; the test
//!   asserts no alert while they are present, none just before the alert
//!   fires and the alert (labels and annotations) once it does;
//! - a comparison `X op N` with a number: `X` is driven from its source
//!   series like a threshold query (just on the quiet side of `N`, then
//!   across it, then back), and the alert must fire exactly when its `for`
//!   has elapsed and resolve after.
//!
//! As for thresholds, nothing expected is written by hand: the inputs are
//! played forward with the rule of the IR ([`simulate::run_on`]) and the
//! file asserts that state.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::compile::conventions as names;
use crate::compile::lower;
use crate::compile::yaml_out::Value;
use crate::promql::eval::{self, Dataset, Labels, METRIC_NAME};
use crate::promql::{self, BinaryOperator, Dialect, Side};
use crate::rulefile::Rule;
use crate::spec::model::{Direction, Feature, Level, Project};
use crate::spec::units::{self, format_duration};

use super::inputs::{Kind, Model, round6};
use super::{
    Body, Check, Ctx, ExpectedAlert, Failure, LevelProbe, MARGIN, Run, check_length, dataset_of,
    group_value, schedule, series_text, simulate, steps_of,
};

/// The test groups of `feature`'s other alerts, and a comment per alert
/// that has none.
pub fn groups(project: &Project, feature: &Feature) -> (Vec<Value>, Vec<String>) {
    let file = lower::feature(project, feature);
    let rules: Vec<&Rule> = file.groups.iter().flat_map(|g| &g.rules).collect();
    let find = |name: &str| {
        rules
            .iter()
            .copied()
            .find(|r| r.is_alert() && r.name.value == name)
    };
    let mut items: Vec<(String, &Rule)> = Vec::new();
    for t in &feature.thresholds {
        if t.no_data.is_some()
            && let Some(rule) = find(&names::no_data_alert_name(feature, t))
        {
            items.push((format!("{}/no-data/{}", feature.slug, t.id), rule));
        }
    }
    for a in &feature.alerts {
        if let Some(rule) = find(&names::spec_alert_name(feature, a)) {
            items.push((format!("{}/alert/{}", feature.slug, a.id), rule));
        }
    }
    let interval_ms = feature.evaluation_interval.as_millis() as i64;
    let mut out = Vec::new();
    let mut untested = Vec::new();
    for (group, rule) in items {
        let planned = if interval_ms <= 0 {
            Err("the evaluation interval is zero".to_string())
        } else {
            plan(rule, interval_ms)
        };
        match planned {
            Ok(bodies) => {
                for (suffix, body) in bodies {
                    out.push(group_value(&format!("{group}{suffix}"), &body));
                }
            }
            Err(reason) => untested.push(format!("{}: no test: {reason}.", rule.name.value)),
        }
    }
    (out, untested)
}

fn plan(rule: &Rule, interval_ms: i64) -> Result<Vec<(&'static str, Body)>, String> {
    let expr = promql::parse(&rule.expr.text, Dialect::Prometheus3).map_err(|e| e.message)?;
    let facts = expr.facts();
    if facts.calls_function("absent") || facts.calls_function("absent_over_time") {
        return absence(rule, interval_ms);
    }
    let Some(cmp) = facts.top_level_comparison.as_ref() else {
        return Err("the evaluator drives only `absent(...)` and comparisons `X op N`".into());
    };
    let (Some(n), Some(side), false) = (cmp.threshold, cmp.threshold_side, cmp.return_bool) else {
        return Err("its comparison is not with a number".into());
    };
    let direction = match cmp.normalized_op() {
        BinaryOperator::Gt | BinaryOperator::Ge => Direction::Above,
        BinaryOperator::Lt | BinaryOperator::Le => Direction::Below,
        _ => return Err("its comparison is `==` or `!=`".into()),
    };
    let op = &facts.binary_ops[cmp.binary_op];
    let span = match side {
        Side::Left => op.rhs_span.clone(),
        Side::Right => op.lhs_span.clone(),
    };
    let value_text = rule.expr.text.get(span).ok_or("an operand out of range")?;
    comparison(rule, value_text, direction, n, interval_ms)
}

fn failure(f: Failure) -> String {
    match f {
        Failure::Fragile => "its values land too close to its threshold".into(),
        Failure::Other(e) => e,
    }
}

fn ctx<'a>(rules: &'a [&'a Rule], interval_ms: i64, data: &'a Dataset) -> Ctx<'a> {
    static NO_LABELS: std::sync::OnceLock<std::collections::BTreeMap<String, String>> =
        std::sync::OnceLock::new();
    Ctx {
        interval_ms,
        record: "",
        record_labels: NO_LABELS.get_or_init(Default::default),
        alerts: rules,
        unit: units::Unit::Count,
        full: Some(data),
    }
}

/// The checks of `rule` at `steps` of `trace`.
fn checks(
    trace: &simulate::Trace,
    rules: &[simulate::AlertRule],
    name: &str,
    steps: &BTreeSet<usize>,
) -> Result<Vec<Check>, String> {
    let mut out = Vec::new();
    for &step in steps {
        let mut alerts = Vec::new();
        for f in &trace.firing[step] {
            alerts.push(ExpectedAlert {
                labels: f.labels.clone(),
                annotations: rules[f.rule].annotations(f, f.value)?,
            });
        }
        alerts.sort_by(|a, b| {
            a.labels
                .cmp(&b.labels)
                .then_with(|| a.annotations.cmp(&b.annotations))
        });
        out.push(Check {
            step,
            alertname: name.to_string(),
            alerts,
        });
    }
    Ok(out)
}

/// The series of `model`'s inputs holding steady for `samples` samples.
fn steady_series(model: &Model, samples: usize) -> Result<Vec<(Labels, Vec<Run>)>, String> {
    model
        .inputs
        .iter()
        .map(|input| {
            let step = match input.kind {
                Kind::Gauge => 0.0,
                Kind::Counter => 1.0,
                Kind::Histogram { .. } => {
                    return Err("it reads histogram buckets".to_string());
                }
            };
            let start = if step == 0.0 { 1.0 } else { 0.0 };
            Ok((
                input.labels.clone(),
                vec![Run {
                    start,
                    step,
                    count: samples,
                }],
            ))
        })
        .collect()
}

/// An alert on absent series: present, then gone.
fn absence(rule: &Rule, interval_ms: i64) -> Result<Vec<(&'static str, Body)>, String> {
    let program = eval::program(&rule.expr.text).map_err(|e| e.to_string())?;
    let model = Model::new(program.clone(), interval_ms)?;
    let w = steps_of(program.max_range(), interval_ms);
    let lookback = steps_of(Duration::from_secs(300), interval_ms);
    let f = steps_of(
        rule.for_.as_ref().map_or(Duration::ZERO, |d| d.value),
        interval_ms,
    );
    let present = w + 2;
    let total = present + w.max(lookback) + f + 4;
    let name = &rule.name.value;
    let run = |series: &[(Labels, Vec<Run>)]| {
        let data = dataset_of(series, interval_ms);
        let alerts = [rule];
        let c = ctx(&alerts, interval_ms, &data);
        let rules = c.alert_rules().map_err(failure)?;
        let trace = simulate::run_on(&data, vec![Vec::new(); total], &rules, interval_ms)?;
        Ok::<_, String>((trace, rules))
    };
    let interval = Duration::from_millis(interval_ms as u64);
    let text = |series: &[(Labels, Vec<Run>)]| {
        let mut s: Vec<(String, String)> = series
            .iter()
            .map(|(l, r)| (series_text(l), super::runs_text(r)))
            .collect();
        s.sort();
        s
    };
    let at = |s: usize| format_duration(interval * s as u32);

    // Present for a while, then gone.
    let vanishing = steady_series(&model, present)?;
    let (trace, rules) = run(&vanishing)?;
    if (0..present).any(|s| trace.fires(s, 0)) {
        return Err("it fires while its series are present".into());
    }
    let fire = (present..total)
        .find(|&s| trace.fires(s, 0))
        .ok_or("it does not fire when its series vanish")?;
    let steps: BTreeSet<usize> = [present - 1, fire - 1, fire, total - 1].into();
    let gone = Body {
        interval,
        input_series: text(&vanishing),
        checks: checks(&trace, &rules, name, &steps)?,
        timeline: vec![
            format!("0s: every series it reads present (no alert)"),
            format!(
                "{}: the series vanish; the alert fires at {}",
                at(present),
                at(fire)
            ),
        ],
    };

    // Present all along.
    let staying = steady_series(&model, total)?;
    let (trace, rules) = run(&staying)?;
    if (0..total).any(|s| trace.fires(s, 0)) {
        return Err("it fires while its series are present".into());
    }
    let steps: BTreeSet<usize> = [fire, total - 1].into();
    let kept = Body {
        interval,
        input_series: text(&staying),
        checks: checks(&trace, &rules, name, &steps)?,
        timeline: vec![format!(
            "0s: every series it reads present all along (no alert)"
        )],
    };
    Ok(vec![("/absent", gone), ("/present", kept)])
}

/// An alert `X op N`: `X` driven across `N` from its source series.
fn comparison(
    rule: &Rule,
    value_text: &str,
    direction: Direction,
    n: f64,
    interval_ms: i64,
) -> Result<Vec<(&'static str, Body)>, String> {
    let program = eval::program(value_text).map_err(|e| e.to_string())?;
    let model = Model::new(program, interval_ms)?;
    let sign = match direction {
        Direction::Above => 1.0,
        Direction::Below => -1.0,
    };
    let scale = if n != 0.0 { n.abs() } else { 1.0 };
    let mut reason = String::new();
    for (attempt, factor) in super::CROSS_FACTORS.into_iter().enumerate() {
        let margin = MARGIN * 0.9f64.powi(attempt as i32);
        let probe = LevelProbe {
            level: Level::Critical,
            direction,
            value: n,
            scale,
            quiet: if n == 0.0 {
                0.0
            } else {
                round6(n - sign * margin * scale)
            },
            cross: round6(n + sign * margin * factor * scale),
            for_: rule.for_.as_ref().map_or(Duration::ZERO, |d| d.value),
            keep_firing_for: rule.keep_firing_for.as_ref().map(|d| d.value),
        };
        let levels = [probe];
        let window = model.window_ms();
        if window > super::LONG_WINDOW_MS {
            return Err("it reads a window longer than an hour".into());
        }
        let phases = schedule(&levels, window, interval_ms);
        let total = check_length(&phases).map_err(failure)?;
        let mut targets: Vec<f64> = phases.iter().map(|p| p.target).collect();
        targets.sort_by(f64::total_cmp);
        targets.dedup();
        for knob in 0..model.inputs.len() {
            let Some(xs) = model.solve_knob(knob, &targets) else {
                reason = "no single source series moves it to every value the test needs".into();
                continue;
            };
            let empty = Dataset::default();
            let alerts = [rule];
            let series = match ctx(&alerts, interval_ms, &empty)
                .source_series(&model, knob, &targets, &xs, &phases, false)
            {
                Ok(s) => s,
                Err(e) => {
                    reason = e;
                    continue;
                }
            };
            let data = dataset_of(&series, interval_ms);
            let mut recorded = Vec::with_capacity(total);
            for step in 0..total {
                let out = model
                    .program
                    .eval(&data, step as i64 * interval_ms)
                    .map_err(|e| e.to_string())?;
                recorded.push(
                    out.into_iter()
                        .map(|mut s| {
                            s.labels.remove(METRIC_NAME);
                            s
                        })
                        .collect(),
                );
            }
            match ctx(&alerts, interval_ms, &data).body(&levels, &phases, recorded, series) {
                Ok(body) => return Ok(vec![("", body)]),
                Err(Failure::Fragile) => {
                    reason = "its values land too close to its threshold".into();
                    break;
                }
                Err(Failure::Other(e)) => return Err(e),
            }
        }
    }
    Err(reason)
}
