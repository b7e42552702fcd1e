//! Route evaluation and inhibition with Alertmanager's semantics
//! (`dispatch/route.go`, `inhibit/inhibit.go`): a route matches when all of
//! its matchers accept the alert; its children are tried in order and the
//! first match stops the search unless it has `continue: true`; a route
//! none of whose children match delivers itself. Receiver, grouping and
//! timing are inherited from the parent; time intervals are not.

use std::time::Duration;

use crate::routing::config::{GroupBy, InhibitRule, Route};
use crate::routing::matcher::{Labels, Matcher, all_match};

/// Alertmanager's defaults of the root route.
pub const DEFAULT_GROUP_WAIT: Duration = Duration::from_secs(30);
/// Default `group_interval`.
pub const DEFAULT_GROUP_INTERVAL: Duration = Duration::from_secs(5 * 60);
/// Default `repeat_interval`.
pub const DEFAULT_REPEAT_INTERVAL: Duration = Duration::from_secs(4 * 3600);

/// The effective settings of a route after inheritance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteOptions {
    /// Receiver.
    pub receiver: String,
    /// Grouping.
    pub group_by: GroupBy,
    /// `group_wait`.
    pub group_wait: Duration,
    /// `group_interval`.
    pub group_interval: Duration,
    /// `repeat_interval`.
    pub repeat_interval: Duration,
    /// Active time intervals of this route.
    pub active_time_intervals: Vec<String>,
    /// Mute time intervals of this route.
    pub mute_time_intervals: Vec<String>,
}

/// One route an alert is delivered through.
#[derive(Debug, Clone)]
pub struct Delivery<'a> {
    /// The routes from the root to the matching route (root first).
    pub path: Vec<&'a Route>,
    /// Its effective settings.
    pub options: RouteOptions,
}

impl Delivery<'_> {
    /// The receiver.
    pub fn receiver(&self) -> &str {
        &self.options.receiver
    }
}

/// The routes an alert with `labels` is delivered through, in the order
/// Alertmanager lists them (the receivers `amtool config routes test` prints).
pub fn route<'a>(root: &'a Route, labels: &Labels) -> Vec<Delivery<'a>> {
    let options = RouteOptions {
        receiver: root.receiver.clone().unwrap_or_default(),
        group_by: root.group_by.clone().unwrap_or(GroupBy::Labels(Vec::new())),
        group_wait: root.group_wait.unwrap_or(DEFAULT_GROUP_WAIT),
        group_interval: root.group_interval.unwrap_or(DEFAULT_GROUP_INTERVAL),
        repeat_interval: root.repeat_interval.unwrap_or(DEFAULT_REPEAT_INTERVAL),
        active_time_intervals: root.active_time_intervals.clone(),
        mute_time_intervals: root.mute_time_intervals.clone(),
    };
    // The root route matches every alert, whatever its matchers say.
    matches(root, options, labels, &mut Vec::new())
}

/// The receivers of [`route`], in order.
pub fn receivers(root: &Route, labels: &Labels) -> Vec<String> {
    route(root, labels)
        .iter()
        .map(|d| d.receiver().to_string())
        .collect()
}

fn matches<'a>(
    node: &'a Route,
    options: RouteOptions,
    labels: &Labels,
    path: &mut Vec<&'a Route>,
) -> Vec<Delivery<'a>> {
    path.push(node);
    let mut all = Vec::new();
    for child in &node.routes {
        if !all_match(&child.matchers, labels) {
            continue;
        }
        let child_options = RouteOptions {
            receiver: child
                .receiver
                .clone()
                .unwrap_or_else(|| options.receiver.clone()),
            group_by: child
                .group_by
                .clone()
                .unwrap_or_else(|| options.group_by.clone()),
            group_wait: child.group_wait.unwrap_or(options.group_wait),
            group_interval: child.group_interval.unwrap_or(options.group_interval),
            repeat_interval: child.repeat_interval.unwrap_or(options.repeat_interval),
            active_time_intervals: child.active_time_intervals.clone(),
            mute_time_intervals: child.mute_time_intervals.clone(),
        };
        all.extend(matches(child, child_options, labels, path));
        if !child.continue_ {
            break;
        }
    }
    if all.is_empty() {
        all.push(Delivery {
            path: path.clone(),
            options,
        });
    }
    path.pop();
    all
}

/// How an inhibit rule relates to one alert.
#[derive(Debug, Clone)]
pub struct Inhibition<'a> {
    /// Position of the rule in `inhibit_rules` (0-based).
    pub index: usize,
    /// The rule.
    pub rule: &'a InhibitRule,
    /// The other alerts concerned: the rule's matchers for the other side,
    /// plus the `equal` labels set to this alert's values.
    pub other: Vec<Matcher>,
}

/// The inhibit rules that mute an alert with `labels` while an alert
/// matching [`Inhibition::other`] fires.
pub fn inhibited_by<'a>(rules: &'a [InhibitRule], labels: &Labels) -> Vec<Inhibition<'a>> {
    rules
        .iter()
        .enumerate()
        .filter(|(_, r)| all_match(&r.target_matchers, labels))
        .map(|(index, rule)| Inhibition {
            index,
            rule,
            other: with_equal(&rule.source_matchers, &rule.equal, labels),
        })
        .collect()
}

/// The inhibit rules through which an alert with `labels` mutes the alerts
/// matching [`Inhibition::other`].
pub fn inhibits<'a>(rules: &'a [InhibitRule], labels: &Labels) -> Vec<Inhibition<'a>> {
    rules
        .iter()
        .enumerate()
        .filter(|(_, r)| all_match(&r.source_matchers, labels))
        .map(|(index, rule)| Inhibition {
            index,
            rule,
            other: with_equal(&rule.target_matchers, &rule.equal, labels),
        })
        .collect()
}

/// Whether a firing alert `source` mutes alert `target` through `rule`.
/// As in Alertmanager, when the target matches both sides of the rule, a
/// source that also matches both sides does not mute it.
pub fn mutes(rule: &InhibitRule, source: &Labels, target: &Labels) -> bool {
    let value = |l: &Labels, n: &String| l.get(n).cloned().unwrap_or_default();
    let two_sided =
        all_match(&rule.source_matchers, target) && all_match(&rule.target_matchers, source);
    all_match(&rule.source_matchers, source)
        && all_match(&rule.target_matchers, target)
        && !two_sided
        && rule
            .equal
            .iter()
            .all(|n| value(source, n) == value(target, n))
}

fn with_equal(matchers: &[Matcher], equal: &[String], labels: &Labels) -> Vec<Matcher> {
    let mut out = matchers.to_vec();
    for name in equal {
        let value = labels.get(name).cloned().unwrap_or_default();
        out.push(Matcher::equal(name.clone(), value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn leaf(receiver: &str, matchers: &str, continue_: bool) -> Route {
        Route {
            receiver: Some(receiver.into()),
            matchers: Matcher::parse_list(matchers).unwrap(),
            continue_,
            ..Route::default()
        }
    }

    #[test]
    fn first_match_continue_and_fallback() {
        let root = Route {
            receiver: Some("default".into()),
            routes: vec![
                Route {
                    matchers: Matcher::parse_list("team=a").unwrap(),
                    repeat_interval: Some(Duration::from_secs(60)),
                    routes: vec![
                        leaf("a1", "severity=critical", true),
                        leaf("a2", "severity=critical", false),
                        leaf("a3", "severity=critical", false),
                    ],
                    ..Route::default()
                },
                leaf("other", "", false),
            ],
            ..Route::default()
        };
        let crit = labels(&[("team", "a"), ("severity", "critical")]);
        assert_eq!(receivers(&root, &crit), ["a1", "a2"]);
        let d = route(&root, &crit);
        assert_eq!(d[0].options.repeat_interval, Duration::from_secs(60));
        assert_eq!(d[0].options.group_wait, DEFAULT_GROUP_WAIT);
        assert_eq!(d[0].path.len(), 3);
        // The team route matches but none of its children: it delivers itself,
        // with the receiver inherited from the root.
        assert_eq!(receivers(&root, &labels(&[("team", "a")])), ["default"]);
        assert_eq!(receivers(&root, &labels(&[])), ["other"]);
    }

    #[test]
    fn inhibition_needs_equal_labels() {
        let rule = InhibitRule {
            source_matchers: Matcher::parse_list("severity=critical").unwrap(),
            target_matchers: Matcher::parse_list("severity=~warning|info").unwrap(),
            equal: vec!["alertname".into()],
            span: None,
        };
        let crit = labels(&[("alertname", "X"), ("severity", "critical")]);
        let warn = labels(&[("alertname", "X"), ("severity", "warning")]);
        let other = labels(&[("alertname", "Y"), ("severity", "warning")]);
        assert!(mutes(&rule, &crit, &warn));
        assert!(!mutes(&rule, &crit, &other));
        assert!(!mutes(&rule, &warn, &crit));
        let by = inhibited_by(std::slice::from_ref(&rule), &warn);
        assert_eq!(
            crate::routing::matcher::format_set(&by[0].other),
            r#"{severity="critical", alertname="X"}"#
        );
        assert_eq!(inhibits(std::slice::from_ref(&rule), &crit).len(), 1);
    }
}
