//! promtool unit tests of every SLO burn-rate tier, appended to
//! `generated/prometheus/<feature>.test.yml`.
//!
//! For each tier two test groups (`<feature>/slo/<slo>/<tier>-below` and
//! `-above`) hold the SLO's recorded error ratios constant: the tier's short
//! and long windows just under (by [`MARGIN`]) or just over its threshold
//! (factor × error budget), every other window at 0. After the tier's `for`
//! the alerts that must be firing are exactly the tiers whose two windows
//! are both over their own threshold and whose `for` has elapsed: just under
//! fires nothing of that tier, just over fires that tier. The expectations
//! (labels, annotations rendered with the alert's value) come from the rules
//! of the IR, not from hand-written text; an objective moved by a tenth of
//! a percent or a window moved by one step makes a test fail.
//!
//! The recorded ratios are the inputs (the SLI's own queries are not
//! driven): the recording rules find no source series and record nothing.
//! A low-traffic guard is fed a counter for its total events when the total
//! is a selector; an SLO whose guard reads a templated query gets no test.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::compile::conventions as names;
use crate::compile::lower;
use crate::compile::slo::selector;
use crate::compile::yaml_out::Value;
use crate::rulefile::Rule;
use crate::spec::model::{Feature, Project};
use crate::spec::slo::model::{BurnTier, Sli, Slo};
use crate::spec::units::{format_duration, format_number};

use super::gotemplate;
use super::label_map;

/// How far under or over a tier's threshold the ratios sit, as a fraction.
pub const MARGIN: f64 = 0.01;

/// The promtool test group name of one tier's case.
pub fn group_name(feature: &Feature, slo: &Slo, tier: &BurnTier, above: bool) -> String {
    format!(
        "{}/slo/{}/{}-{}",
        feature.slug,
        slo.id,
        tier.kind.as_str(),
        if above { "above" } else { "below" }
    )
}

/// The test groups of every SLO tier of `feature`, and a comment per SLO
/// that has none.
pub fn groups(project: &Project, feature: &Feature) -> (Vec<Value>, Vec<String>) {
    let file = lower::feature(project, feature);
    let rules: Vec<&Rule> = file.groups.iter().flat_map(|g| &g.rules).collect();
    let mut out = Vec::new();
    let mut untested = Vec::new();
    for slo in &feature.slos {
        let alertname = names::slo_alert_name(feature, slo);
        if slo.tiers.is_empty()
            || !rules
                .iter()
                .any(|r| r.is_alert() && r.name.value == alertname)
        {
            continue;
        }
        let guard = match (slo.min_events, &slo.sli) {
            (None, _) => None,
            (Some(_), Sli::Events { total, .. }) if !total.templated => {
                Some(total.query.text.trim().to_string())
            }
            (Some(_), Sli::Latency { histogram, .. }) => Some(crate::compile::slo::with_matcher(
                &histogram.text,
                "le=\"+Inf\"",
            )),
            (Some(_), _) => {
                untested.push(format!(
                    "{}: no SLO test: its low-traffic guard reads a query, not a selector it can feed.",
                    slo.id
                ));
                continue;
            }
        };
        for tier in &slo.tiers {
            for above in [false, true] {
                out.push(group(feature, slo, tier, above, &rules, guard.as_deref()));
            }
        }
    }
    (out, untested)
}

fn group(
    feature: &Feature,
    slo: &Slo,
    tier: &BurnTier,
    above: bool,
    rules: &[&Rule],
    guard: Option<&str>,
) -> Value {
    let interval = feature.evaluation_interval;
    let eval = tier.alert.for_ + interval;
    let steps = (eval.as_millis() / interval.as_millis().max(1)) as usize + 1;
    let value = tier.alert.value * if above { 1.0 + MARGIN } else { 1.0 - MARGIN };
    let ratio = |w: Duration| {
        if w == tier.window.short || w == tier.window.long {
            value
        } else {
            0.0
        }
    };
    let mut input = Vec::new();
    for w in slo.windows() {
        let mut m = Value::map();
        m.push(
            "series",
            Value::str(selector(
                feature,
                slo,
                &names::slo_error_ratio_record(feature, w),
            )),
        )
        .push(
            "values",
            Value::str(format!("{}x{steps}", format_number(ratio(w)))),
        );
        input.push(m);
    }
    if let (Some(total), Some(min)) = (guard, slo.min_events) {
        let mut m = Value::map();
        m.push("series", Value::str(total)).push(
            "values",
            Value::str(format!("0+{}x{steps}", format_number(min.max(1.0)))),
        );
        input.push(m);
    }

    // What fires at `eval`: every tier over its threshold on both windows
    // whose `for` has elapsed.
    let alertname = names::slo_alert_name(feature, slo);
    let mut alerts = Vec::new();
    for t in &slo.tiers {
        let (short, long) = (ratio(t.window.short), ratio(t.window.long));
        if !(short > t.alert.value && long > t.alert.value && t.alert.for_ <= eval) {
            continue;
        }
        let Some(rule) = rules.iter().find(|r| {
            r.is_alert()
                && r.name.value == alertname
                && r.label(names::SLO_TIER_LABEL)
                    .is_some_and(|p| p.value.value == t.kind.as_str())
        }) else {
            continue;
        };
        let mut labels = label_map(&rule.labels);
        labels.insert(names::FEATURE_LABEL.into(), feature.slug.clone());
        labels.insert(names::SLO_LABEL.into(), slo.id.clone());
        let annotations: BTreeMap<String, String> = label_map(&rule.annotations)
            .into_iter()
            .map(|(k, v)| {
                let text = gotemplate::render(&v, &labels, short).unwrap_or(v);
                (k, text)
            })
            .collect();
        let mut m = Value::map();
        m.push("exp_labels", Value::string_map(&labels))
            .push("exp_annotations", Value::string_map(&annotations));
        alerts.push(m);
    }
    let mut check = Value::map();
    check
        .push("eval_time", Value::str(format_duration(eval)))
        .push("alertname", Value::str(&alertname))
        .push("exp_alerts", Value::Seq(alerts));
    let mut g = Value::map();
    g.push("name", Value::str(group_name(feature, slo, tier, above)))
        .push("interval", Value::str(format_duration(interval)))
        .push("input_series", Value::Seq(input))
        .push("alert_rule_test", Value::Seq(vec![check]));
    g
}
