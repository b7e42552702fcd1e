//! The model → an Alertmanager [`Config`]: receivers, the route tree and
//! inhibit rules.
//!
//! The tree has three levels under the root:
//!
//! 1. one route per feature, `feature="<slug>"`;
//! 2. per severity, one delivery route per distinct (priority, receivers)
//!    of the feature's alerts, matching `severity` and the alert names —
//!    except the delivery equal to the project's default for the severity,
//!    which matches `severity` alone and comes last, so that alerts no spec
//!    defines still reach the project's receivers of their severity;
//! 3. one route per receiver, all but the last with `continue: true`, so an
//!    alert reaches every receiver its spec names, in order.
//!
//! Priority sets `group_wait`, `group_interval` and `repeat_interval`; the
//! time intervals of the severity and of the receiver ([`receiver_hours`])
//! are set on each receiver route (Alertmanager does not inherit them). The same severity defaults follow the feature
//! routes at the root for alerts of other features; alerts without a known
//! severity reach the root's receiver, which notifies nobody.

use crate::compile::alertmanager::alerts::{Alert, dedup};
use crate::compile::conventions as names;
use crate::routing::config::{Config, Global, GroupBy, InhibitRule, Receiver, Route};
use crate::routing::matcher::Matcher;
use crate::spec::model::{Feature, Level, Project};
use crate::spec::slo::model::TierKind;

/// The grouping labels of every route.
pub fn group_by(project: &Project) -> Vec<String> {
    if project.alertmanager.group_by.is_empty() {
        names::DEFAULT_GROUP_BY.map(String::from).to_vec()
    } else {
        project.alertmanager.group_by.clone()
    }
}

/// The labels inhibition compares: the alert name, the feature, and the
/// grouping labels that both levels of one threshold carry with the same
/// value (every grouping label except `severity` and `priority`).
pub fn inhibit_equal(project: &Project) -> Vec<String> {
    let mut out = vec![
        names::ALERTNAME_LABEL.to_string(),
        names::FEATURE_LABEL.to_string(),
    ];
    for l in group_by(project) {
        if l != names::SEVERITY_LABEL
            && l != names::PRIORITY_LABEL
            && l != "..."
            && !out.contains(&l)
        {
            out.push(l);
        }
    }
    out
}

/// Where one group of alerts goes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Delivery {
    priority: String,
    receivers: Vec<String>,
}

/// The hours of `receiver` for alerts of `level`: (active, mute) time
/// intervals. The receiver's own active intervals replace the level's
/// (Alertmanager cannot intersect two lists); mute intervals add up.
pub fn receiver_hours(
    project: &Project,
    level: Level,
    receiver: &str,
) -> (Vec<String>, Vec<String>) {
    let severity = project.severity(level);
    let own = project.receiver(receiver);
    let active = match own {
        Some(r) if !r.active_time_intervals.is_empty() => r.active_time_intervals.clone(),
        _ => severity
            .map(|s| s.active_time_intervals.clone())
            .unwrap_or_default(),
    };
    let mut mute = severity
        .map(|s| s.mute_time_intervals.clone())
        .unwrap_or_default();
    for m in own.iter().flat_map(|r| &r.mute_time_intervals) {
        if !mute.contains(m) {
            mute.push(m.clone());
        }
    }
    (active, mute)
}

fn delivery_route(project: &Project, level: Level, matchers: Vec<Matcher>, d: &Delivery) -> Route {
    let priority = project.priority(&d.priority);
    let base = Route {
        matchers,
        group_wait: priority.map(|p| p.group_wait),
        group_interval: priority.map(|p| p.group_interval),
        repeat_interval: priority.map(|p| p.repeat_interval),
        ..Route::default()
    };
    // Time intervals are set where notifications leave: Alertmanager does
    // not inherit them from a parent route.
    let with_intervals = |receiver: &str, route: Route| {
        let (active, mute) = receiver_hours(project, level, receiver);
        Route {
            active_time_intervals: active,
            mute_time_intervals: mute,
            ..route
        }
    };
    let leaf = |receiver: &str, continue_: bool| {
        with_intervals(
            receiver,
            Route {
                receiver: Some(receiver.to_string()),
                continue_,
                ..Route::default()
            },
        )
    };
    match d.receivers.as_slice() {
        [] => Route {
            receiver: Some(names::UNROUTED_RECEIVER.to_string()),
            ..base
        },
        [only] => Route {
            receiver: Some(only.clone()),
            ..with_intervals(only, base)
        },
        many => Route {
            routes: many
                .iter()
                .enumerate()
                .map(|(i, r)| leaf(r, i + 1 < many.len()))
                .collect(),
            ..base
        },
    }
}

fn severity_matcher(level: Level) -> Matcher {
    Matcher::equal(names::SEVERITY_LABEL, names::severity_value(level))
}

/// The project's default delivery of `level`, if the level is configured.
fn default_delivery(project: &Project, level: Level) -> Option<Delivery> {
    project.severity(level).map(|s| Delivery {
        priority: s.priority.clone(),
        receivers: dedup(&s.receivers),
    })
}

/// The routes of one feature.
fn feature_route(project: &Project, feature: &Feature, alerts: &[Alert]) -> Route {
    let mut routes = Vec::new();
    for level in Level::ALL {
        let default = default_delivery(project, level);
        let mut groups: Vec<(Delivery, Vec<&str>)> = Vec::new();
        for a in alerts
            .iter()
            .filter(|a| a.feature.slug == feature.slug && a.level.level == level)
        {
            let d = Delivery {
                priority: a.level.priority.clone(),
                receivers: a.receivers.clone(),
            };
            if Some(&d) == default.as_ref() {
                continue;
            }
            match groups.iter_mut().find(|(g, _)| *g == d) {
                // The tiers of an SLO share their alert name.
                Some((_, list)) if list.contains(&a.alertname.as_str()) => {}
                Some((_, list)) => list.push(&a.alertname),
                None => groups.push((d, vec![&a.alertname])),
            }
        }
        for (d, alertnames) in &groups {
            let by_name = match alertnames.as_slice() {
                [one] => Matcher::equal(names::ALERTNAME_LABEL, *one),
                many => Matcher::any_of(names::ALERTNAME_LABEL, many),
            };
            routes.push(delivery_route(
                project,
                level,
                vec![severity_matcher(level), by_name],
                d,
            ));
        }
        if let Some(d) = &default {
            routes.push(delivery_route(
                project,
                level,
                vec![severity_matcher(level)],
                d,
            ));
        }
    }
    Route {
        matchers: vec![Matcher::equal(names::FEATURE_LABEL, &feature.slug)],
        routes,
        ..Route::default()
    }
}

/// The inhibit rules: a critical alert mutes the warning and info alerts
/// with the same name, feature and grouping labels.
pub fn inhibit_rules(project: &Project) -> Vec<InhibitRule> {
    let lower: Vec<&str> = [Level::Warning, Level::Info]
        .into_iter()
        .filter(|l| project.severity(*l).is_some())
        .map(names::severity_value)
        .collect();
    if project.severity(Level::Critical).is_none() || lower.is_empty() {
        return Vec::new();
    }
    let target = match lower.as_slice() {
        [one] => Matcher::equal(names::SEVERITY_LABEL, *one),
        many => Matcher::any_of(names::SEVERITY_LABEL, many),
    };
    vec![InhibitRule {
        source_matchers: vec![severity_matcher(Level::Critical)],
        target_matchers: vec![target],
        equal: inhibit_equal(project),
        span: None,
    }]
}

/// The inhibit rules of SLO tiers: a firing tier mutes the slower tiers of
/// the same SLO (same alert name, feature, `slo` and grouping labels), so a
/// fast burn pages once instead of once per tier.
pub fn slo_inhibit_rules(project: &Project, features: &[Feature]) -> Vec<InhibitRule> {
    let present: Vec<TierKind> = TierKind::ALL
        .into_iter()
        .filter(|k| {
            features
                .iter()
                .flat_map(|f| &f.slos)
                .any(|s| s.tiers.iter().any(|t| t.kind == *k))
        })
        .collect();
    let mut equal = inhibit_equal(project);
    equal.push(names::SLO_LABEL.to_string());
    let mut out = Vec::new();
    for (i, faster) in present.iter().enumerate() {
        let slower: Vec<&str> = present[i + 1..].iter().map(|k| k.as_str()).collect();
        let target = match slower.as_slice() {
            [] => continue,
            [one] => Matcher::equal(names::SLO_TIER_LABEL, *one),
            many => Matcher::any_of(names::SLO_TIER_LABEL, many),
        };
        out.push(InhibitRule {
            source_matchers: vec![Matcher::equal(names::SLO_TIER_LABEL, faster.as_str())],
            target_matchers: vec![target],
            equal: equal.clone(),
            span: None,
        });
    }
    out
}

/// The whole configuration for `alerts` of `features`.
pub fn config(project: &Project, features: &[Feature], alerts: &[Alert]) -> Config {
    let mut routes: Vec<Route> = features
        .iter()
        .map(|f| feature_route(project, f, alerts))
        .collect();
    for level in Level::ALL {
        if let Some(d) = default_delivery(project, level) {
            routes.push(delivery_route(
                project,
                level,
                vec![severity_matcher(level)],
                &d,
            ));
        }
    }
    let route = Route {
        receiver: Some(names::UNROUTED_RECEIVER.to_string()),
        group_by: Some(GroupBy::Labels(group_by(project))),
        routes,
        ..Route::default()
    };
    let mut receivers: Vec<Receiver> = project
        .receivers
        .iter()
        .map(|r| Receiver {
            name: r.name.clone(),
            integrations: r.integrations.clone(),
        })
        .collect();
    receivers.push(Receiver {
        name: names::UNROUTED_RECEIVER.to_string(),
        integrations: Vec::new(),
    });
    Config {
        global: Global {
            smtp: project.alertmanager.smtp.clone(),
            resolve_timeout: project.alertmanager.resolve_timeout,
        },
        route,
        receivers,
        inhibit_rules: inhibit_rules(project)
            .into_iter()
            .chain(slo_inhibit_rules(project, features))
            .collect(),
        time_intervals: project.time_intervals.clone(),
    }
}
