//! Playing a rule group forward in time: the recorded series at every
//! evaluation, then each alerting rule's state (pending, firing, kept
//! firing) with the labels and annotations Prometheus gives its alerts.
//!
//! The state machine follows Prometheus 2.42's alerting rule: an alert is
//! pending from the first evaluation its expression returns it, fires once
//! it has been active for `for`, keeps firing for `keep_firing_for` after
//! the expression stops returning it, and a pending alert that disappears is
//! dropped.

use std::collections::{BTreeMap, HashSet};

use super::gotemplate::Template;
use crate::promql::eval::{Dataset, Labels, METRIC_NAME, Program, Sample, Series};

/// An alerting rule as the simulation needs it.
pub(super) struct AlertRule {
    /// The parsed expression.
    pub program: Program,
    /// `for`, in milliseconds.
    pub for_ms: i64,
    /// `keep_firing_for`, in milliseconds.
    pub keep_ms: i64,
    /// Rule labels.
    pub labels: BTreeMap<String, String>,
    /// Annotation templates by name.
    pub annotations: Vec<(String, Template)>,
}

impl AlertRule {
    /// The annotations of `alert`, rendered with `value` (its own or a nearby one).
    pub fn annotations(
        &self,
        alert: &Firing,
        value: f64,
    ) -> Result<BTreeMap<String, String>, String> {
        self.annotations
            .iter()
            .map(|(k, t)| {
                t.render(&alert.template_labels, value)
                    .map(|text| (k.clone(), text))
                    .map_err(|e| format!("annotation `{k}` uses {e}, which cannot be predicted"))
            })
            .collect()
    }
}

/// One firing alert at one evaluation.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Firing {
    /// The index of the rule (the level) in the rules given.
    pub rule: usize,
    /// Labels, without `alertname`.
    pub labels: BTreeMap<String, String>,
    /// The value the annotations are rendered with.
    pub value: f64,
    /// The labels the templates saw.
    pub template_labels: Labels,
}

/// The outcome of a simulation.
pub(super) struct Trace {
    /// The recorded samples at each evaluation.
    pub recorded: Vec<Vec<Sample>>,
    /// The firing alerts at each evaluation, sorted by labels.
    pub firing: Vec<Vec<Firing>>,
}

impl Trace {
    /// Whether the rule at index `rule` has a firing alert at `step`.
    pub fn fires(&self, step: usize, rule: usize) -> bool {
        self.firing[step].iter().any(|f| f.rule == rule)
    }
}

struct Active {
    firing: bool,
    active_at: i64,
    keep_since: Option<i64>,
    firing_state: Firing,
}

/// Evaluate `rules` over `recorded` (one entry per evaluation, `interval_ms` apart).
pub(super) fn run(
    recorded: Vec<Vec<Sample>>,
    rules: &[AlertRule],
    interval_ms: i64,
) -> Result<Trace, String> {
    play(recorded, rules, interval_ms, |step, t| {
        std::borrow::Cow::Owned(Dataset::new(
            step.iter()
                .map(|s| Series {
                    labels: s.labels.clone(),
                    samples: vec![(t, s.value)],
                })
                .collect(),
        ))
    })
}

/// Evaluate `rules` over the whole input `data` at every evaluation (for
/// rules that read source series themselves); `recorded` is kept in the
/// trace as the value the rules compare, one entry per evaluation.
pub(super) fn run_on(
    data: &Dataset,
    recorded: Vec<Vec<Sample>>,
    rules: &[AlertRule],
    interval_ms: i64,
) -> Result<Trace, String> {
    play(recorded, rules, interval_ms, |_, _| {
        std::borrow::Cow::Borrowed(data)
    })
}

fn play<'d>(
    recorded: Vec<Vec<Sample>>,
    rules: &[AlertRule],
    interval_ms: i64,
    data_at: impl Fn(&[Sample], i64) -> std::borrow::Cow<'d, Dataset>,
) -> Result<Trace, String> {
    let mut states: Vec<BTreeMap<Labels, Active>> = rules.iter().map(|_| BTreeMap::new()).collect();
    let mut firing = Vec::with_capacity(recorded.len());
    for (step, samples) in recorded.iter().enumerate() {
        let t = step as i64 * interval_ms;
        // Only this evaluation's samples: series not recorded now are stale.
        let data = data_at(samples, t);
        let data = data.as_ref();
        let mut now = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let out = rule.program.eval(data, t).map_err(|e| e.to_string())?;
            let active = &mut states[i];
            let mut seen = HashSet::new();
            for s in out {
                let mut labels = s.labels.clone();
                labels.remove(METRIC_NAME);
                for (k, v) in &rule.labels {
                    labels.insert(k.clone(), v.clone());
                }
                let state = Firing {
                    rule: i,
                    labels: labels.clone(),
                    value: s.value,
                    template_labels: s.labels.clone(),
                };
                seen.insert(labels.clone());
                match active.get_mut(&labels) {
                    Some(a) => a.firing_state = state,
                    None => {
                        active.insert(
                            labels,
                            Active {
                                firing: false,
                                active_at: t,
                                keep_since: None,
                                firing_state: state,
                            },
                        );
                    }
                }
            }
            let mut gone = Vec::new();
            for (labels, a) in active.iter_mut() {
                if !seen.contains(labels) {
                    let mut keep = false;
                    if a.firing && rule.keep_ms > 0 {
                        let since = *a.keep_since.get_or_insert(t);
                        keep = t - since < rule.keep_ms;
                    }
                    if !keep {
                        gone.push(labels.clone());
                        continue;
                    }
                } else {
                    a.keep_since = None;
                }
                if !a.firing && t - a.active_at >= rule.for_ms {
                    a.firing = true;
                }
            }
            for g in gone {
                active.remove(&g);
            }
            now.extend(
                active
                    .values()
                    .filter(|a| a.firing)
                    .map(|a| a.firing_state.clone()),
            );
        }
        now.sort_by(|a, b| a.labels.cmp(&b.labels).then(a.rule.cmp(&b.rule)));
        firing.push(now);
    }
    Ok(Trace { recorded, firing })
}
