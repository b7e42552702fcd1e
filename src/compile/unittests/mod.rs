//! promtool unit tests derived from every threshold and level:
//! `generated/prometheus/<feature>.test.yml`.
//!
//! For each threshold one test group plays a timeline: the query's value
//! held just on the quiet side of each level (no alert), then just across it
//! (the alert fires exactly when its `for` has elapsed, with the labels and
//! annotations the rule produces), then back to quiet (the alert resolves,
//! after `keep_firing_for` if set). Values sit a few percent from each level,
//! so a threshold moved by 10% or a changed `for` makes the test fail.
//!
//! The timeline drives the query's source series where the query can be
//! evaluated here ([`crate::promql::eval`]) and one input moves it to each
//! wanted value (`inputs`), so the recording rule and the alert are tested
//! together. Otherwise the recorded series itself is the input, and the file
//! says why. What the test expects is not written by hand: the rule group is
//! played forward (`simulate`) with the rules of the IR that
//! [`super::lower::feature`] produces, and the
//! file asserts that state at the moments that matter.
//!
//! This module reads the model and the generated rules; it never writes files
//! and never runs promtool.

mod alerts;
pub mod gotemplate;
mod inputs;
mod simulate;
pub mod slo;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use crate::compile::Output;
use crate::compile::conventions as names;
use crate::compile::lower;
use crate::compile::yaml_out::{self, Value};
use crate::promql::eval::{self, Dataset, Labels, METRIC_NAME, Sample, Series};
use crate::rulefile::Rule;
use crate::spec::model::{Direction, Feature, Level, Project, Threshold};
use crate::spec::units::{self, format_duration};

use gotemplate::Template;
use inputs::{Kind, Layout, Model, round6};
use simulate::{AlertRule, Trace};

/// How far from a level the quiet and crossing values sit, as a fraction of
/// the level (less when another level is closer).
const MARGIN: f64 = 0.05;

/// Windows longer than this are driven by jumps rather than steady growth.
const LONG_WINDOW_MS: i64 = 3_600_000;

/// The most evaluations one test may take (promtool runs them all).
const MAX_STEPS: usize = 20_000;

fn check_length(phases: &[Phase]) -> Result<usize, Failure> {
    let total: usize = phases.iter().map(|p| p.steps).sum();
    if total > MAX_STEPS {
        return Err(Failure::Other(format!(
            "its timeline needs {total} evaluations, more than the {MAX_STEPS} a test may take"
        )));
    }
    Ok(total)
}

/// What the test of one level is built around.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelProbe {
    /// The level.
    pub level: Level,
    /// Above or below.
    pub direction: Direction,
    /// The threshold value of the level.
    pub value: f64,
    /// The size of a 100% move of this level (its value, or a unit step for a zero level).
    pub scale: f64,
    /// The value held on the quiet side.
    pub quiet: f64,
    /// The value held across the level.
    pub cross: f64,
    /// `for`.
    pub for_: Duration,
    /// `keep_firing_for`.
    pub keep_firing_for: Option<Duration>,
}

/// How a threshold's test feeds the rules.
#[derive(Debug, Clone, PartialEq)]
pub enum Drive {
    /// Through the query's source series; `knob` is the one that moves.
    Sources {
        /// The metric whose values move the query.
        knob: String,
        /// Every source metric.
        metrics: Vec<String>,
    },
    /// The recorded series is supplied directly.
    Direct {
        /// Why the sources are not driven.
        reason: String,
    },
    /// No test could be derived.
    Untested {
        /// Why.
        reason: String,
    },
}

/// The unit test of one threshold.
#[derive(Debug, Clone)]
pub struct ThresholdTest {
    /// The threshold id.
    pub threshold: String,
    /// The promtool test group name.
    pub group: String,
    /// The levels, in the order of the rule file.
    pub levels: Vec<LevelProbe>,
    /// How the rules are fed.
    pub drive: Drive,
    body: Option<Body>,
}

#[derive(Debug, Clone)]
struct Body {
    interval: Duration,
    input_series: Vec<(String, String)>,
    checks: Vec<Check>,
    timeline: Vec<String>,
}

#[derive(Debug, Clone)]
struct Check {
    step: usize,
    alertname: String,
    alerts: Vec<ExpectedAlert>,
}

#[derive(Debug, Clone)]
struct ExpectedAlert {
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
}

/// The unit tests of every feature.
pub fn compile(project: &Project, features: &[Feature]) -> Vec<Output> {
    if !project.targets.prometheus {
        return Vec::new();
    }
    features
        .iter()
        .map(|f| Output {
            path: names::rule_tests_path(f),
            content: render(project, f, &plan(project, f)),
        })
        .collect()
}

/// The test of every threshold of `feature`, in spec order.
pub fn plan(project: &Project, feature: &Feature) -> Vec<ThresholdTest> {
    let file = lower::feature(project, feature);
    let rules: Vec<&Rule> = file.groups.iter().flat_map(|g| &g.rules).collect();
    // A threshold's block: its recording rule and the alerting rules of its
    // levels after it (its no-data alert and the `alerts:` have other names).
    let block_of = |t: &Threshold| {
        let alertname = names::alert_name(feature, t);
        let Some(start) = rules.iter().position(|r| {
            !r.is_alert()
                && r.label(names::THRESHOLD_LABEL)
                    .is_some_and(|p| p.value.value == t.id)
        }) else {
            return Vec::new();
        };
        let mut block = vec![rules[start]];
        block.extend(
            rules[start + 1..]
                .iter()
                .take_while(|r| r.is_alert())
                .filter(|r| r.name.value == alertname)
                .copied(),
        );
        block
    };
    feature
        .thresholds
        .iter()
        .map(|t| plan_threshold(feature, t, &block_of(t)))
        .collect()
}

fn plan_threshold(feature: &Feature, threshold: &Threshold, rules: &[&Rule]) -> ThresholdTest {
    let group = names::rule_test_group_name(feature, threshold);
    let base = ThresholdTest {
        threshold: threshold.id.clone(),
        group,
        levels: probes(threshold, MARGIN, CROSS_FACTORS[0]),
        drive: Drive::Untested {
            reason: String::new(),
        },
        body: None,
    };
    let Some(record_rule) = rules.first().copied().filter(|r| !r.is_alert()) else {
        return untested(base, "the threshold has no recording rule");
    };
    let record = &record_rule.name.value;
    let expr = &record_rule.expr.text;
    let record_labels = &label_map(&record_rule.labels);
    let alerts: Vec<&Rule> = rules[1..].to_vec();
    if alerts.len() != threshold.levels.len() {
        return untested(
            base,
            "the threshold's alerting rules do not match its levels",
        );
    }
    let ctx = Ctx {
        interval_ms: feature.evaluation_interval.as_millis() as i64,
        record,
        record_labels,
        alerts: &alerts,
        unit: threshold.unit,
        full: None,
    };
    if ctx.interval_ms <= 0 {
        return untested(base, "the evaluation interval is zero");
    }
    let mut direct_reason = match eval::program(expr) {
        Err(e) => e.to_string(),
        Ok(program) => match Model::new(program, ctx.interval_ms) {
            Err(e) => e,
            Ok(model) => {
                let mut reason = String::new();
                for (attempt, factor) in CROSS_FACTORS.into_iter().enumerate() {
                    let margin = MARGIN * 0.9f64.powi(attempt as i32);
                    let levels = probes(threshold, margin, factor);
                    match ctx.sources_test(&model, &levels) {
                        Ok((body, drive)) => {
                            return ThresholdTest {
                                levels,
                                drive,
                                body: Some(body),
                                ..base
                            };
                        }
                        Err(Failure::Fragile) => {
                            reason = "its values land too close to a level".into()
                        }
                        Err(Failure::Other(e)) => {
                            reason = e;
                            break;
                        }
                    }
                }
                reason
            }
        },
    };
    if direct_reason.is_empty() {
        direct_reason = "the query cannot be driven from its sources".into();
    }
    let mut last = String::new();
    for (attempt, factor) in CROSS_FACTORS.into_iter().enumerate() {
        let margin = MARGIN * 0.9f64.powi(attempt as i32);
        let levels = probes(threshold, margin, factor);
        match ctx.direct_test(expr, &levels) {
            Ok(body) => {
                return ThresholdTest {
                    levels,
                    drive: Drive::Direct {
                        reason: direct_reason,
                    },
                    body: Some(body),
                    ..base
                };
            }
            Err(Failure::Fragile) => last = "its values land too close to a level".into(),
            Err(Failure::Other(e)) => {
                last = e;
                break;
            }
        }
    }
    untested(base, &last)
}

fn untested(mut t: ThresholdTest, reason: &str) -> ThresholdTest {
    t.drive = Drive::Untested {
        reason: reason.to_string(),
    };
    t.body = None;
    t
}

/// How much further than the quiet value the crossing value sits, per
/// attempt: asymmetric, so that a window blending the two does not land
/// exactly on the level.
const CROSS_FACTORS: [f64; 5] = [1.1, 1.2, 1.3, 1.15, 1.25];

/// The quiet and crossing values of every level, `margin` away from it
/// (the crossing value `factor` times further).
fn probes(threshold: &Threshold, margin: f64, factor: f64) -> Vec<LevelProbe> {
    threshold
        .levels
        .iter()
        .map(|l| {
            let v = l.value;
            let sign = match l.direction {
                Direction::Above => 1.0,
                Direction::Below => -1.0,
            };
            let others: Vec<f64> = threshold
                .levels
                .iter()
                .map(|o| o.value)
                .filter(|o| *o != v)
                .collect();
            let scale = if v != 0.0 {
                v.abs()
            } else {
                others.iter().map(|o| o.abs()).fold(1.0, f64::min)
            };
            let mut d = margin;
            for o in &others {
                d = d.min(0.4 * (o - v).abs() / scale);
            }
            let quiet = if v == 0.0 {
                0.0
            } else {
                round6(v - sign * d * scale)
            };
            let mut cross = round6(v + sign * (d * factor).min(2.0 * margin) * scale);
            // Stay within what the unit can be (a ratio above 100% does not happen).
            if let Some(bound) = threshold.unit.upper_bound()
                && cross > bound
                && v < bound
            {
                cross = round6(v + (bound - v) * 0.5);
            }
            LevelProbe {
                level: l.level,
                direction: l.direction,
                value: v,
                scale,
                quiet,
                cross,
                for_: l.for_,
                keep_firing_for: l.keep_firing_for,
            }
        })
        .collect()
}

enum Failure {
    /// A value lands so close to a level, or to a rounding boundary of an
    /// annotation, that floating-point noise could decide the outcome.
    Fragile,
    Other(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum PhaseKind {
    Quiet(usize),
    Cross(usize),
    Recover,
}

#[derive(Debug, Clone)]
struct Phase {
    kind: PhaseKind,
    target: f64,
    steps: usize,
}

struct Ctx<'a> {
    interval_ms: i64,
    record: &'a str,
    record_labels: &'a BTreeMap<String, String>,
    alerts: &'a [&'a Rule],
    unit: units::Unit,
    /// The source series, when the alerts read them themselves (entries of
    /// `alerts:`) instead of the recorded series.
    full: Option<&'a Dataset>,
}

fn steps_of(d: Duration, interval_ms: i64) -> usize {
    ((d.as_millis() as i64 + interval_ms - 1) / interval_ms) as usize
}

/// The phases of the timeline: quiet then across each level (above-levels
/// upwards, then below-levels downwards), then back to a value where no
/// level fires.
fn schedule(levels: &[LevelProbe], window_ms: i64, interval_ms: i64) -> Vec<Phase> {
    let mut order: Vec<usize> = (0..levels.len())
        .filter(|&i| levels[i].direction == Direction::Above)
        .collect();
    order.sort_by(|&a, &b| levels[a].value.total_cmp(&levels[b].value));
    let mut below: Vec<usize> = (0..levels.len())
        .filter(|&i| levels[i].direction == Direction::Below)
        .collect();
    below.sort_by(|&a, &b| levels[b].value.total_cmp(&levels[a].value));
    order.extend(below);
    let w = (window_ms / interval_ms) as usize;
    let f = |l: &LevelProbe| steps_of(l.for_, interval_ms);
    let k = |l: &LevelProbe| {
        l.keep_firing_for
            .map(|d| steps_of(d, interval_ms))
            .unwrap_or(0)
    };
    let max_f = levels.iter().map(f).max().unwrap_or(0);
    let max_k = levels.iter().map(k).max().unwrap_or(0);
    let mut phases = Vec::new();
    for (n, &i) in order.iter().enumerate() {
        let l = &levels[i];
        let hold = w + f(l) + k(l) + 2;
        // Rates over a window ramp up from the first sample: let alerts
        // raised by the ramp settle before the first assertion.
        let warm_up = if n == 0 && w > 0 {
            w + max_f + max_k
        } else {
            0
        };
        phases.push(Phase {
            kind: PhaseKind::Quiet(i),
            target: l.quiet,
            steps: hold + warm_up,
        });
        phases.push(Phase {
            kind: PhaseKind::Cross(i),
            target: l.cross,
            steps: hold,
        });
    }
    let fires = |v: f64| {
        levels.iter().any(|l| match l.direction {
            Direction::Above => v > l.value,
            Direction::Below => v < l.value,
        })
    };
    if let Some(neutral) = order.iter().map(|&i| levels[i].quiet).find(|&v| !fires(v)) {
        phases.push(Phase {
            kind: PhaseKind::Recover,
            target: neutral,
            steps: w + max_k + 3,
        });
    }
    phases
}

/// The timeline over a long window: phases without settling time (values
/// step at once), then a recovery that waits for the jumps to leave the
/// window. None when the phases do not fit in one window.
fn burst_schedule(levels: &[LevelProbe], window_ms: i64, interval_ms: i64) -> Option<Vec<Phase>> {
    let mut phases = schedule(levels, 0, interval_ms);
    let n = phases.len();
    if n < 3 || phases[n - 1].kind != PhaseKind::Recover {
        return None;
    }
    let w = (window_ms / interval_ms) as usize;
    let starts: Vec<usize> = phases
        .iter()
        .scan(0, |s, p| {
            let here = *s;
            *s += p.steps;
            Some(here)
        })
        .collect();
    let (first_jump, last_jump) = (starts[1], starts[n - 2]);
    if last_jump + 3 >= first_jump + w || starts[n - 1] > first_jump + w {
        return None;
    }
    // The recovery starts when the first jump after the first phase leaves.
    phases[n - 2].steps += first_jump + w - starts[n - 1];
    let max_k = levels
        .iter()
        .map(|l| {
            l.keep_firing_for
                .map(|d| steps_of(d, interval_ms))
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0);
    phases[n - 1].steps = last_jump - first_jump + max_k + 3;
    Some(phases)
}

/// One run of values in promtool's series notation: `start+stepxN`.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: f64,
    step: f64,
    count: usize,
}

/// Runs of a counter growing by `increments[p]` per sample during phase `p`.
fn counter_runs(phases: &[Phase], increments: &[f64]) -> Vec<Run> {
    let per_sample: Vec<f64> = phases
        .iter()
        .zip(increments)
        .flat_map(|(p, &inc)| std::iter::repeat_n(inc, p.steps))
        .collect();
    runs_from_increments(&per_sample)
}

/// Runs of a counter whose window sum must equal `rates[p]` times the
/// window during phase `p`: it jumps by the difference at the start of each
/// phase (at the first sample after the initial zero for the first phase),
/// and the first jump is repeated when it leaves the window, so that the
/// recovery phase (last) returns to the first phase's value once the later
/// jumps have left.
fn burst_runs(
    phases: &[Phase],
    rates: &[f64],
    window_s: f64,
    window_steps: usize,
) -> Result<Vec<Run>, String> {
    let total: usize = phases.iter().map(|p| p.steps).sum();
    let mut increments = vec![0.0; total];
    let sums: Vec<f64> = rates.iter().map(|r| round6(r * window_s)).collect();
    let last = phases.len() - 1;
    if sums[last] != sums[0] {
        return Err("the recovery value differs from the first one".into());
    }
    let mut start = 0;
    let mut previous = 0.0;
    for (p, phase) in phases.iter().enumerate().take(last) {
        let jump = sums[p] - previous;
        if jump < 0.0 {
            return Err("a counter would have to fall within one window".into());
        }
        increments[start.max(1)] += jump;
        previous = sums[p];
        start += phase.steps;
    }
    if 1 + window_steps < total {
        increments[1 + window_steps] += sums[0];
    }
    if 1 + 2 * window_steps < total {
        return Err("the timeline is longer than two windows".into());
    }
    Ok(runs_from_increments(&increments))
}

/// Compress per-sample increments into runs (the first increment is
/// ignored: a counter starts at zero).
fn runs_from_increments(increments: &[f64]) -> Vec<Run> {
    let n = increments.len();
    let mut runs = Vec::new();
    let mut i = 0;
    let mut value = 0.0;
    while i < n {
        let step = increments.get(i + 1).copied().unwrap_or(0.0);
        let mut count = 1;
        while i + count < n && increments[i + count] == step {
            count += 1;
        }
        let run = Run {
            start: value,
            step,
            count,
        };
        let last = expand(std::iter::once(&run))
            .last()
            .copied()
            .unwrap_or(value);
        runs.push(run);
        i += count;
        if i < n {
            value = last + increments[i];
        }
    }
    runs
}

/// Runs of a gauge holding `values[p]` during phase `p`.
fn gauge_runs(phases: &[Phase], values: &[f64]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for (p, &v) in phases.iter().zip(values) {
        match runs.last_mut() {
            Some(r) if r.start == v => r.count += p.steps,
            _ => runs.push(Run {
                start: v,
                step: 0.0,
                count: p.steps,
            }),
        }
    }
    runs
}

/// The sample values promtool expands `runs` into (it adds the step repeatedly).
fn expand<'r>(runs: impl Iterator<Item = &'r Run>) -> Vec<f64> {
    let mut out = Vec::new();
    for r in runs {
        let mut v = r.start;
        for _ in 0..r.count {
            out.push(v);
            v += r.step;
        }
    }
    out
}

fn number(v: f64) -> String {
    if v == 0.0 { "0".into() } else { format!("{v}") }
}

fn runs_text(runs: &[Run]) -> String {
    runs.iter()
        .map(|r| {
            let n = r.count - 1;
            if r.step == 0.0 {
                format!("{}x{n}", number(r.start))
            } else {
                let sign = if r.step < 0.0 { '-' } else { '+' };
                format!("{}{sign}{}x{n}", number(r.start), number(r.step.abs()))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn series_text(labels: &Labels) -> String {
    let name = labels.get(METRIC_NAME).cloned().unwrap_or_default();
    let rest: Vec<String> = labels
        .iter()
        .filter(|(k, _)| k.as_str() != METRIC_NAME)
        .map(|(k, v)| {
            let escaped = v
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("{k}=\"{escaped}\"")
        })
        .collect();
    format!("{name}{{{}}}", rest.join(","))
}

fn samples_of(runs: &[Run], interval_ms: i64) -> Vec<(i64, f64)> {
    expand(runs.iter())
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i as i64 * interval_ms, v))
        .collect()
}

/// The evaluator's dataset of input series written as runs of values, one
/// sample per evaluation step.
fn dataset_of(series: &[(Labels, Vec<Run>)], interval_ms: i64) -> Dataset {
    Dataset::new(
        series
            .iter()
            .map(|(labels, runs)| Series {
                labels: labels.clone(),
                samples: samples_of(runs, interval_ms),
            })
            .collect(),
    )
}

impl Ctx<'_> {
    fn alert_rules(&self) -> Result<Vec<AlertRule>, Failure> {
        self.alerts
            .iter()
            .map(|r| {
                if !r.is_alert() {
                    return Err(Failure::Other("a recording rule among alerts".into()));
                }
                let ms = |d: Option<&crate::source::Spanned<Duration>>| {
                    d.map_or(0, |d| d.value.as_millis().min(i64::MAX as u128) as i64)
                };
                let annotations = r
                    .annotations
                    .iter()
                    .map(|p| {
                        let (k, v) = (&p.key.value, &p.value.value);
                        Template::parse(v).map(|t| (k.clone(), t)).map_err(|e| {
                            Failure::Other(format!(
                                "annotation `{k}` uses {e}, which cannot be predicted"
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?;
                Ok(AlertRule {
                    program: eval::program(&r.expr.text)
                        .map_err(|e| Failure::Other(e.to_string()))?,
                    for_ms: ms(r.for_.as_ref()),
                    keep_ms: ms(r.keep_firing_for.as_ref()),
                    labels: label_map(&r.labels),
                    annotations,
                })
            })
            .collect()
    }

    fn alert_name(&self, i: usize) -> String {
        self.alerts[i].name.value.clone()
    }

    fn relabel(&self, s: Sample) -> Sample {
        let mut labels = s.labels;
        labels.insert(METRIC_NAME.into(), self.record.to_string());
        for (k, v) in self.record_labels {
            labels.insert(k.clone(), v.clone());
        }
        Sample {
            labels,
            value: s.value,
        }
    }

    /// A test that drives the query's source series.
    fn sources_test(&self, model: &Model, levels: &[LevelProbe]) -> Result<(Body, Drive), Failure> {
        let window = model.window_ms();
        let burst = window > LONG_WINDOW_MS;
        let phases = if burst {
            burst_schedule(levels, window, self.interval_ms).ok_or_else(|| {
                Failure::Other("its levels cannot all be reached within one window".into())
            })?
        } else {
            schedule(levels, window, self.interval_ms)
        };
        let total = check_length(&phases)?;
        let mut targets: Vec<f64> = phases.iter().map(|p| p.target).collect();
        targets.sort_by(f64::total_cmp);
        targets.dedup();
        let mut reason =
            "no single source series moves the query to every value the test needs".to_string();
        for knob in 0..model.inputs.len() {
            let Some(xs) = model.solve_knob(knob, &targets) else {
                continue;
            };
            let series = match self.source_series(model, knob, &targets, &xs, &phases, burst) {
                Ok(s) => s,
                Err(e) => {
                    reason = e;
                    continue;
                }
            };
            let data = dataset_of(&series, self.interval_ms);
            let mut recorded = Vec::with_capacity(total);
            for step in 0..total {
                let out = model
                    .program
                    .eval(&data, step as i64 * self.interval_ms)
                    .map_err(|e| Failure::Other(e.to_string()))?;
                recorded.push(out.into_iter().map(|s| self.relabel(s)).collect());
            }
            let body = self.body(levels, &phases, recorded, series)?;
            let metric = |l: &Labels| l.get(METRIC_NAME).cloned().unwrap_or_default();
            let metrics: BTreeSet<String> =
                model.inputs.iter().map(|i| metric(&i.labels)).collect();
            return Ok((
                body,
                Drive::Sources {
                    knob: metric(&model.inputs[knob].labels),
                    metrics: metrics.into_iter().collect(),
                },
            ));
        }
        Err(Failure::Other(reason))
    }

    /// The input series when input `knob` takes `xs[i]` for `targets[i]`.
    ///
    /// Counters grow at a steady speed per phase, except over long windows
    /// (`burst`): there they jump once at the start of each phase and stay
    /// flat, so that the windowed value steps at once instead of blending
    /// for a whole window, and the test stays short.
    fn source_series(
        &self,
        model: &Model,
        knob: usize,
        targets: &[f64],
        xs: &[f64],
        phases: &[Phase],
        burst: bool,
    ) -> Result<Vec<(Labels, Vec<Run>)>, String> {
        let knob_value = |target: f64| {
            let i = targets.iter().position(|t| *t == target).unwrap_or(0);
            xs[i]
        };
        let interval_s = self.interval_ms as f64 / 1000.0;
        let window_s = model.window_ms() as f64 / 1000.0;
        let window_steps = (model.window_ms() / self.interval_ms) as usize;
        let counter = |rates: &[f64]| -> Result<Vec<Run>, String> {
            if burst {
                burst_runs(phases, rates, window_s, window_steps)
            } else {
                let inc: Vec<f64> = rates.iter().map(|r| round6(r * interval_s)).collect();
                Ok(counter_runs(phases, &inc))
            }
        };
        let mut series: Vec<(Labels, Vec<Run>)> = Vec::new();
        for (i, input) in model.inputs.iter().enumerate() {
            let value = |p: &Phase| {
                if i == knob {
                    knob_value(p.target)
                } else {
                    model.baseline()[i]
                }
            };
            match input.kind {
                Kind::Counter => {
                    let rates: Vec<f64> = phases.iter().map(value).collect();
                    series.push((input.labels.clone(), counter(&rates)?));
                }
                Kind::Gauge => {
                    let v: Vec<f64> = phases.iter().map(|p| round6(value(p))).collect();
                    series.push((input.labels.clone(), gauge_runs(phases, &v)));
                }
                Kind::Histogram { q } => {
                    let points: Vec<f64> = phases.iter().map(|p| round6(value(p))).collect();
                    let layout = Layout::new(q, &points);
                    for (le, text) in layout.bounds() {
                        let mut labels = input.labels.clone();
                        labels.insert("le".into(), text);
                        let rates: Vec<f64> =
                            points.iter().map(|&p| layout.bucket_rate(le, p)).collect();
                        series.push((labels, counter(&rates)?));
                    }
                }
            }
        }
        Ok(series)
    }

    /// A test that supplies the recorded series directly.
    fn direct_test(&self, query: &str, levels: &[LevelProbe]) -> Result<Body, Failure> {
        let phases = schedule(levels, 0, self.interval_ms);
        check_length(&phases)?;
        let mut labels = Labels::new();
        labels.insert(METRIC_NAME.into(), self.record.to_string());
        for (k, v) in self.record_labels {
            labels.insert(k.clone(), v.clone());
        }
        let values: Vec<f64> = phases.iter().map(|p| p.target).collect();
        let runs = gauge_runs(&phases, &values);
        let samples = samples_of(&runs, self.interval_ms);
        // The recording rule still runs: it must produce nothing from absent sources.
        if let Ok(p) = eval::program(query) {
            let data = Dataset::new(vec![Series {
                labels: labels.clone(),
                samples: samples.clone(),
            }]);
            if p.eval(&data, 0).is_ok_and(|o| !o.is_empty()) {
                return Err(Failure::Other(
                    "the query returns a series even without its sources".into(),
                ));
            }
        }
        let recorded = samples
            .iter()
            .map(|&(_, v)| {
                vec![Sample {
                    labels: labels.clone(),
                    value: v,
                }]
            })
            .collect();
        self.body(levels, &phases, recorded, vec![(labels, runs)])
    }

    /// Play the rules over `recorded` and pick the moments to assert.
    fn body(
        &self,
        levels: &[LevelProbe],
        phases: &[Phase],
        recorded: Vec<Vec<Sample>>,
        series: Vec<(Labels, Vec<Run>)>,
    ) -> Result<Body, Failure> {
        let rules = self.alert_rules()?;
        let exact = exact_values(&series);
        let trace = match self.full {
            Some(data) => simulate::run_on(data, recorded, &rules, self.interval_ms),
            None => simulate::run(recorded, &rules, self.interval_ms),
        }
        .map_err(Failure::Other)?;
        check_levels(&trace, levels)?;
        let mut steps: BTreeSet<usize> = BTreeSet::new();
        let mut timeline = Vec::new();
        let mut start = 0usize;
        let at =
            |s: usize| format_duration(Duration::from_millis(s as u64 * self.interval_ms as u64));
        let show = |v: f64| units::humanize(v, self.unit);
        for p in phases {
            let end = start + p.steps - 1;
            match p.kind {
                PhaseKind::Quiet(l) => {
                    if trace.fires(end, l) {
                        return Err(Failure::Other("an alert fires on its quiet side".into()));
                    }
                    steps.insert(end);
                    timeline.push(format!(
                        "{}: {} (just inside the {} level)",
                        at(start),
                        show(p.target),
                        levels[l].level.as_str()
                    ));
                }
                PhaseKind::Cross(l) => {
                    let fire = (start..=end)
                        .find(|&s| trace.fires(s, l) && (s == 0 || !trace.fires(s - 1, l)))
                        .ok_or_else(|| {
                            Failure::Other("an alert never fires across its level".into())
                        })?;
                    if !trace.fires(end, l) || fire == 0 {
                        return Err(Failure::Other(
                            "an alert stops firing across its level".into(),
                        ));
                    }
                    steps.extend([fire - 1, fire, end]);
                    timeline.push(format!(
                        "{}: {} (across the {} level, which fires at {})",
                        at(start),
                        show(p.target),
                        levels[l].level.as_str(),
                        at(fire)
                    ));
                }
                PhaseKind::Recover => {
                    let mut resolved = Vec::new();
                    for (l, level) in levels.iter().enumerate() {
                        if start == 0 || !trace.fires(start - 1, l) {
                            continue;
                        }
                        let res = (start..=end)
                            .find(|&s| !trace.fires(s, l))
                            .ok_or_else(|| Failure::Other("an alert never resolves".into()))?;
                        steps.extend([res - 1, res]);
                        resolved.push(format!("{} resolves at {}", level.level.as_str(), at(res)));
                    }
                    let mut line = format!("{}: back to {}", at(start), show(p.target));
                    if !resolved.is_empty() {
                        line.push_str(&format!(" ({})", resolved.join(", ")));
                    }
                    timeline.push(line);
                }
            }
            start = end + 1;
        }
        let names: BTreeSet<String> = (0..self.alerts.len()).map(|i| self.alert_name(i)).collect();
        let mut checks = Vec::new();
        for &step in &steps {
            for name in &names {
                let mut alerts = Vec::new();
                for f in trace.firing[step]
                    .iter()
                    .filter(|f| &self.alert_name(f.rule) == name)
                {
                    let rule = &rules[f.rule];
                    let annotations = rule.annotations(f, f.value).map_err(Failure::Other)?;
                    // Refuse an annotation whose text would change if its
                    // value moved by a billionth: noise could decide it,
                    // unless the value is exact in any evaluator.
                    let noise = if exact(f.value) {
                        [].as_slice()
                    } else {
                        [1.0 + 1e-9, 1.0 - 1e-9].as_slice()
                    };
                    for &factor in noise {
                        if rule
                            .annotations(f, f.value * factor)
                            .map_err(Failure::Other)?
                            != annotations
                        {
                            return Err(Failure::Fragile);
                        }
                    }
                    alerts.push(ExpectedAlert {
                        labels: f.labels.clone(),
                        annotations,
                    });
                }
                alerts.sort_by(|a, b| {
                    a.labels
                        .cmp(&b.labels)
                        .then_with(|| a.annotations.cmp(&b.annotations))
                });
                checks.push(Check {
                    step,
                    alertname: name.clone(),
                    alerts,
                });
            }
        }
        let mut input_series: Vec<(String, String)> = series
            .iter()
            .map(|(labels, runs)| (series_text(labels), runs_text(runs)))
            .collect();
        input_series.sort();
        Ok(Body {
            interval: Duration::from_millis(self.interval_ms as u64),
            input_series,
            checks,
            timeline,
        })
    }
}

/// Which alert values every evaluator computes bit for bit from `series`:
/// a value an input holds as written (a selection, `max`, `min`, a filter
/// pass it through unchanged), and, when every input is a flat run of
/// integers (no counter), any integer below 2^53 (sums and counts of
/// integers are exact in any order). An annotation that prints such a
/// value (`{{ $value }}`) cannot be decided by floating-point noise.
fn exact_values(series: &[(Labels, Vec<Run>)]) -> impl Fn(f64) -> bool + use<> {
    let mut held = BTreeSet::new();
    let mut flat_integers = true;
    for (_, runs) in series {
        for r in runs {
            if r.step == 0.0 {
                held.insert(r.start.to_bits());
            }
            if r.step != 0.0 || r.start.fract() != 0.0 || r.start.abs() >= 2f64.powi(53) {
                flat_integers = false;
            }
        }
    }
    move |v: f64| {
        held.contains(&v.to_bits())
            || (flat_integers && v.fract() == 0.0 && v.abs() < 2f64.powi(53))
    }
}

/// Refuse timelines whose outcome floating-point noise could decide: a
/// recorded value within a hair of a level.
fn check_levels(trace: &Trace, levels: &[LevelProbe]) -> Result<(), Failure> {
    for samples in &trace.recorded {
        for s in samples {
            for l in levels {
                let d = (s.value - l.value).abs();
                if d <= 1e-9 * l.value.abs().max(1e-12) && !(s.value == 0.0 && l.value == 0.0) {
                    return Err(Failure::Fragile);
                }
            }
        }
    }
    Ok(())
}

fn level_summary(l: &LevelProbe, unit: units::Unit) -> String {
    let mut s = format!(
        "{} {} {} for {}",
        l.level.as_str(),
        l.direction.as_str(),
        units::humanize(l.value, unit),
        format_duration(l.for_)
    );
    if let Some(k) = l.keep_firing_for {
        s.push_str(&format!(", keep firing for {}", format_duration(k)));
    }
    s
}

fn relative(from_dir_of: &str, to: &str) -> String {
    let from = Path::new(from_dir_of).parent().unwrap_or(Path::new(""));
    let to_path = Path::new(to);
    let common = from
        .components()
        .zip(to_path.components())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = from.components().count() - common;
    let mut parts: Vec<String> = vec!["..".to_string(); ups];
    parts.extend(
        to_path
            .components()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Render the unit tests of `feature` as a promtool test file.
pub fn render(project: &Project, feature: &Feature, tests: &[ThresholdTest]) -> String {
    let test_path = names::rule_tests_path(feature);
    let mut top = Value::map();
    top.push(
        "rule_files",
        Value::Seq(vec![Value::str(relative(
            &test_path,
            &names::rules_path(feature),
        ))]),
    )
    .push(
        "evaluation_interval",
        Value::str(format_duration(feature.evaluation_interval)),
    );
    let mut out = names::yaml_header(&names::spec_path(&feature.slug));
    out.push_str(&yaml_out::to_string(&top));
    let (slo_groups, mut slo_untested) = slo::groups(project, feature);
    let (alert_groups, alert_untested) = alerts::groups(project, feature);
    slo_untested.extend(alert_untested);
    if tests.is_empty() && slo_groups.is_empty() && alert_groups.is_empty() {
        for c in &slo_untested {
            out.push_str(&format!("# {c}\n"));
        }
        out.push_str("tests: []\n");
        return out;
    }
    out.push_str("tests:\n");
    let threshold_of = |id: &str| feature.thresholds.iter().find(|t| t.id == id);
    for t in tests {
        let unit = threshold_of(&t.threshold)
            .map(|th| th.unit)
            .unwrap_or(units::Unit::Count);
        let mut comment = vec![format!(
            "{}: {}.",
            t.threshold,
            t.levels
                .iter()
                .map(|l| level_summary(l, unit))
                .collect::<Vec<_>>()
                .join("; ")
        )];
        match &t.drive {
            Drive::Sources { knob, metrics } => {
                let others: Vec<&String> = metrics.iter().filter(|m| *m != knob).collect();
                let mut line = format!("Drives the source series: `{knob}` moves");
                if !others.is_empty() {
                    line.push_str(&format!(
                        ", {} stay{} at 1",
                        others.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "),
                        if others.len() == 1 { "s" } else { "" }
                    ));
                }
                line.push_str("; the recording rule and the alert are tested together.");
                comment.push(line);
            }
            Drive::Direct { reason } => comment.push(format!(
                "The recorded series is supplied directly ({reason}); the recording rule is not exercised."
            )),
            Drive::Untested { reason } => comment.push(format!("No test: {reason}.")),
        }
        let Some(body) = &t.body else {
            for c in comment {
                out.push_str(&format!("  # {c}\n"));
            }
            continue;
        };
        comment.extend(body.timeline.iter().cloned());
        for c in comment {
            out.push_str(&format!("  # {c}\n"));
        }
        let group = group_value(&t.group, body);
        out.push_str(&indent(&yaml_out::to_string(&Value::Seq(vec![group])), 2));
    }
    for c in &slo_untested {
        out.push_str(&format!("  # {c}\n"));
    }
    if !alert_groups.is_empty() {
        out.push_str("  # Other alerts: the series an absence alert reads vanish (it fires) or stay (it does not); a comparison `X op N` is driven across `N`.\n");
        out.push_str(&indent(&yaml_out::to_string(&Value::Seq(alert_groups)), 2));
    }
    if !slo_groups.is_empty() {
        out.push_str(&format!(
            "  # SLO burn-rate tiers: the recorded error ratios held just under and just over each tier's threshold ({}%).\n",
            format_number_pct(slo::MARGIN)
        ));
        out.push_str(&indent(&yaml_out::to_string(&Value::Seq(slo_groups)), 2));
    }
    out
}

/// One promtool test group of `body`.
fn group_value(name: &str, body: &Body) -> Value {
    let input: Vec<Value> = body
        .input_series
        .iter()
        .map(|(s, v)| {
            let mut m = Value::map();
            m.push("series", Value::str(s))
                .push("values", Value::str(v));
            m
        })
        .collect();
    let checks: Vec<Value> = body
        .checks
        .iter()
        .map(|c| {
            let alerts: Vec<Value> = c
                .alerts
                .iter()
                .map(|a| {
                    let mut m = Value::map();
                    m.push("exp_labels", Value::string_map(&a.labels))
                        .push("exp_annotations", Value::string_map(&a.annotations));
                    m
                })
                .collect();
            let mut m = Value::map();
            m.push(
                "eval_time",
                Value::str(format_duration(body.interval * c.step as u32)),
            )
            .push("alertname", Value::str(&c.alertname))
            .push("exp_alerts", Value::Seq(alerts));
            m
        })
        .collect();
    let mut group = Value::map();
    group
        .push("name", Value::str(name))
        .push("interval", Value::str(format_duration(body.interval)))
        .push("input_series", Value::Seq(input))
        .push("alert_rule_test", Value::Seq(checks));
    group
}

fn format_number_pct(fraction: f64) -> String {
    units::format_number(fraction * 100.0)
}

/// The labels (or annotations) of an IR rule as a map.
fn label_map(pairs: &[crate::rulefile::model::Pair]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|p| (p.key.value.clone(), p.value.value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_expand_like_promtool() {
        let phases = [
            Phase {
                kind: PhaseKind::Recover,
                target: 0.0,
                steps: 3,
            },
            Phase {
                kind: PhaseKind::Recover,
                target: 0.0,
                steps: 2,
            },
        ];
        let runs = counter_runs(&phases, &[60.0, 30.0]);
        assert_eq!(runs_text(&runs), "0+60x2 150+30x1");
        assert_eq!(expand(runs.iter()), vec![0.0, 60.0, 120.0, 150.0, 180.0]);
        let runs = gauge_runs(&phases, &[2.5, 2.5]);
        assert_eq!(runs_text(&runs), "2.5x4");
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative("prometheus/a.test.yml", "prometheus/a.rules.yml"),
            "a.rules.yml"
        );
        assert_eq!(
            relative("tests/a.test.yml", "rules/a.rules.yml"),
            "../rules/a.rules.yml"
        );
    }
}
