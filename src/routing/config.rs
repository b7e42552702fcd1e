//! The parts of an Alertmanager configuration promspec writes and reads,
//! as typed data: global settings, the route tree, receivers, inhibit rules
//! and time intervals.

use std::time::Duration;

use crate::routing::matcher::Matcher;
use crate::source::Span;
use crate::spec::model::{Integration, Smtp, TimeInterval};

/// A whole Alertmanager configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The `global` section.
    pub global: Global,
    /// The root of the route tree.
    pub route: Route,
    /// Receivers, in output order.
    pub receivers: Vec<Receiver>,
    /// Inhibit rules, in output order.
    pub inhibit_rules: Vec<InhibitRule>,
    /// Named time intervals.
    pub time_intervals: Vec<TimeInterval>,
}

impl Config {
    /// The receiver named `name`.
    pub fn receiver(&self, name: &str) -> Option<&Receiver> {
        self.receivers.iter().find(|r| r.name == name)
    }
}

/// The `global` section.
#[derive(Debug, Clone, Default)]
pub struct Global {
    /// SMTP settings for email receivers.
    pub smtp: Option<Smtp>,
    /// `resolve_timeout`.
    pub resolve_timeout: Option<Duration>,
}

/// `group_by` of a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    /// Group by these labels (empty: one group for every alert).
    Labels(Vec<String>),
    /// `group_by: ['...']`: every label, i.e. no grouping.
    All,
}

/// One node of the route tree.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Route {
    /// Receiver (inherited from the parent when `None`).
    pub receiver: Option<String>,
    /// Matchers; all must accept the alert.
    pub matchers: Vec<Matcher>,
    /// Keep matching the following siblings after this route matched.
    pub continue_: bool,
    /// Grouping labels (inherited when `None`).
    pub group_by: Option<GroupBy>,
    /// `group_wait` (inherited when `None`).
    pub group_wait: Option<Duration>,
    /// `group_interval` (inherited when `None`).
    pub group_interval: Option<Duration>,
    /// `repeat_interval` (inherited when `None`).
    pub repeat_interval: Option<Duration>,
    /// Notify only within these intervals (never inherited).
    pub active_time_intervals: Vec<String>,
    /// Do not notify within these intervals (never inherited).
    pub mute_time_intervals: Vec<String>,
    /// Child routes, tried in order.
    pub routes: Vec<Route>,
    /// Where the route was read from, for a configuration read from a file.
    pub span: Option<Span>,
}

impl Route {
    /// Every route of the tree, depth first, this one included.
    pub fn walk(&self) -> Vec<&Route> {
        let mut out = vec![self];
        for child in &self.routes {
            out.extend(child.walk());
        }
        out
    }
}

/// A receiver and its integrations (none for a receiver that drops alerts).
#[derive(Debug, Clone, PartialEq)]
pub struct Receiver {
    /// Name.
    pub name: String,
    /// Integrations; empty when read from a file (only names matter for routing).
    pub integrations: Vec<Integration>,
}

/// An inhibit rule: while a source alert fires, matching target alerts with
/// the same values of the `equal` labels are muted.
#[derive(Debug, Clone, PartialEq)]
pub struct InhibitRule {
    /// Matchers of the muting alert.
    pub source_matchers: Vec<Matcher>,
    /// Matchers of the muted alerts.
    pub target_matchers: Vec<Matcher>,
    /// Labels whose values must be equal on both.
    pub equal: Vec<String>,
    /// Where the rule was read from, for a configuration read from a file.
    pub span: Option<Span>,
}
