//! Every alert the generated rules can produce, with the labels
//! Alertmanager sees and the receivers its spec says it goes to.

use crate::compile::conventions as names;
use crate::compile::lower;
use crate::routing::matcher::Labels;
use crate::rulefile::Rule;
use crate::spec::model::{
    Alert as SpecAlert, Feature, LevelRule, Project, SeverityConfig, Slo, Threshold,
};
use crate::spec::slo::model::TierKind;

/// One alert (threshold × level, or SLO × burn-rate tier) and where its
/// spec sends it.
#[derive(Debug, Clone)]
pub struct Alert<'a> {
    /// The feature.
    pub feature: &'a Feature,
    /// The threshold (None for an SLO alert and an entry of `alerts:`);
    /// with [`Alert::no_data`], the threshold whose no-data alert this is.
    pub threshold: Option<&'a Threshold>,
    /// Whether this is the no-data alert of [`Alert::threshold`].
    pub no_data: bool,
    /// The entry of `alerts:` (None otherwise).
    pub spec_alert: Option<&'a SpecAlert>,
    /// The SLO and the tier (None for the no-data alert) of an SLO alert.
    pub slo: Option<(&'a Slo, Option<TierKind>)>,
    /// The level.
    pub level: &'a LevelRule,
    /// The alert name.
    pub alertname: String,
    /// The labels every instance of the alert carries: the alerting rule's
    /// labels, `alertname`, and the labels of the recorded series it reads.
    /// The query may add more (e.g. `instance`).
    pub labels: Labels,
    /// The receivers the spec names, without repetitions, in spec order
    /// (empty: the alert notifies nobody).
    pub receivers: Vec<String>,
}

impl Alert<'_> {
    /// The receivers Alertmanager must answer for this alert, in order:
    /// the spec's receivers, or the unrouted receiver when there is none.
    pub fn expected_receivers(&self) -> Vec<String> {
        if self.receivers.is_empty() {
            vec![names::UNROUTED_RECEIVER.to_string()]
        } else {
            self.receivers.clone()
        }
    }

    /// The configuration of the alert's level.
    pub fn severity<'p>(&self, project: &'p Project) -> Option<&'p SeverityConfig> {
        project.severity(self.level.level)
    }
}

/// `names` without repetitions, first occurrence kept.
pub fn dedup(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !out.contains(n) {
            out.push(n.clone());
        }
    }
    out
}

/// The labels of the alerting rule `alertname` of `severity`, with
/// `feature` and `alertname`; None when no such rule was compiled.
fn alert_labels(
    rules: &[&Rule],
    feature: &Feature,
    alertname: &str,
    severity: &str,
) -> Option<Labels> {
    let rule = rules.iter().find(|r| {
        r.is_alert()
            && r.name.value == alertname
            && r.label(names::SEVERITY_LABEL)
                .is_some_and(|p| p.value.value == severity)
    })?;
    let mut labels = Labels::new();
    labels.insert(names::FEATURE_LABEL.into(), feature.slug.clone());
    labels.extend(
        rule.labels
            .iter()
            .map(|p| (p.key.value.clone(), p.value.value.clone())),
    );
    labels.insert(names::ALERTNAME_LABEL.into(), alertname.to_string());
    Some(labels)
}

/// The labels of the alerting rule named `alertname` whose `key` label is `value`.
fn rule_labels(rules: &[&Rule], alertname: &str, key: &str, value: &str) -> Vec<(String, String)> {
    rules
        .iter()
        .find(|r| {
            r.is_alert()
                && r.name.value == alertname
                && r.label(key).is_some_and(|p| p.value.value == value)
        })
        .into_iter()
        .flat_map(|r| &r.labels)
        .map(|p| (p.key.value.clone(), p.value.value.clone()))
        .collect()
}

/// Every alert of `features`, in feature order: thresholds (in threshold and
/// level order, each followed by its no-data alert), then SLOs (tiers
/// fastest first, then the no-data alert), then the entries of `alerts:`.
pub fn alerts<'a>(project: &Project, features: &'a [Feature]) -> Vec<Alert<'a>> {
    let mut out = Vec::new();
    for feature in features {
        let file = lower::feature(project, feature);
        let rules: Vec<&Rule> = file.groups.iter().flat_map(|g| &g.rules).collect();
        for threshold in &feature.thresholds {
            let alertname = names::alert_name(feature, threshold);
            for level in &threshold.levels {
                let severity = names::severity_value(level.level);
                let rule_labels = rules.iter().find(|r| {
                    r.is_alert()
                        && r.name.value == alertname
                        && r.label(names::SEVERITY_LABEL)
                            .is_some_and(|p| p.value.value == severity)
                });
                let mut labels = Labels::new();
                labels.insert(names::FEATURE_LABEL.into(), feature.slug.clone());
                labels.insert(names::THRESHOLD_LABEL.into(), threshold.id.clone());
                labels.extend(
                    rule_labels
                        .into_iter()
                        .flat_map(|r| &r.labels)
                        .map(|p| (p.key.value.clone(), p.value.value.clone())),
                );
                labels.insert(names::ALERTNAME_LABEL.into(), alertname.clone());
                out.push(Alert {
                    feature,
                    threshold: Some(threshold),
                    no_data: false,
                    spec_alert: None,
                    slo: None,
                    level,
                    alertname: alertname.clone(),
                    labels,
                    receivers: dedup(&level.receivers),
                });
            }
            if let Some(n) = &threshold.no_data {
                let alertname = names::no_data_alert_name(feature, threshold);
                let severity = names::severity_value(n.alert.level);
                if let Some(labels) = alert_labels(&rules, feature, &alertname, severity) {
                    out.push(Alert {
                        feature,
                        threshold: Some(threshold),
                        no_data: true,
                        spec_alert: None,
                        slo: None,
                        level: &n.alert,
                        alertname,
                        labels,
                        receivers: dedup(&n.alert.receivers),
                    });
                }
            }
        }
        for slo in &feature.slos {
            if !rules.iter().any(|r| {
                r.label(names::SLO_LABEL)
                    .is_some_and(|p| p.value.value == slo.id)
            }) {
                continue; // not compiled (its SLI does not parse)
            }
            let alertname = names::slo_alert_name(feature, slo);
            let tiers = slo.tiers.iter().map(|t| {
                (
                    Some(t.kind),
                    &t.alert,
                    alertname.clone(),
                    (names::SLO_TIER_LABEL, t.kind.as_str()),
                )
            });
            let no_data = slo.no_data.iter().map(|n| {
                (
                    None,
                    &n.alert,
                    names::slo_no_data_alert_name(feature, slo),
                    (names::SLO_LABEL, slo.id.as_str()),
                )
            });
            for (tier, level, alertname, (key, value)) in tiers.chain(no_data) {
                let mut labels = Labels::new();
                labels.insert(names::FEATURE_LABEL.into(), feature.slug.clone());
                labels.insert(names::SLO_LABEL.into(), slo.id.clone());
                labels.extend(rule_labels(&rules, &alertname, key, value));
                labels.insert(names::ALERTNAME_LABEL.into(), alertname.clone());
                out.push(Alert {
                    feature,
                    threshold: None,
                    no_data: false,
                    spec_alert: None,
                    slo: Some((slo, tier)),
                    level,
                    alertname,
                    labels,
                    receivers: dedup(&level.receivers),
                });
            }
        }
        for a in &feature.alerts {
            let alertname = names::spec_alert_name(feature, a);
            let severity = names::severity_value(a.level.level);
            if let Some(labels) = alert_labels(&rules, feature, &alertname, severity) {
                out.push(Alert {
                    feature,
                    threshold: None,
                    no_data: false,
                    spec_alert: Some(a),
                    slo: None,
                    level: &a.level,
                    alertname,
                    labels,
                    receivers: dedup(&a.level.receivers),
                });
            }
        }
    }
    out
}
