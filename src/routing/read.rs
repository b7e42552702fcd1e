//! Reading the routing parts of an Alertmanager configuration file: the
//! route tree, receiver names, inhibit rules and time intervals.
//!
//! Integrations and global settings are not read: routing does not depend
//! on them. Every problem is a diagnostic at its place in the file.

use std::time::Duration;

use crate::diag::Diagnostic;
use crate::routing::config::{Config, Global, GroupBy, InhibitRule, Receiver, Route};
use crate::routing::matcher::{MatchOp, Matcher};
use crate::source::{SourceId, SourceMap, Span};
use crate::spec::model::{TimeInterval, TimeRange};
use crate::spec::units;
use crate::yaml::{self, Node};

/// The id of every problem found while reading a configuration file.
pub const INVALID_CONFIG: &str = "alertmanager/invalid-config";

fn invalid(span: Span, message: impl Into<String>, label: &str) -> Diagnostic {
    Diagnostic::error(INVALID_CONFIG, message)
        .with_label(span, label)
        .with_help(
            "`amtool check-config <file>` reports what Alertmanager itself thinks of the file",
        )
}

/// Read the configuration in file `id` of `sources`.
pub fn read(sources: &SourceMap, id: SourceId) -> Result<Config, Vec<Diagnostic>> {
    let text = &sources.get(id).text;
    let docs = yaml::parse(id, text).map_err(|d| vec![d])?;
    let whole = Span::new(id, 0..text.len());
    let Some(doc) = docs.into_iter().next() else {
        return Err(vec![invalid(
            whole,
            "the file is empty",
            "no configuration",
        )]);
    };
    let mut reader = Reader::default();
    let config = reader.config(&doc.root, whole);
    if reader.diagnostics.is_empty() {
        Ok(config)
    } else {
        Err(reader.diagnostics)
    }
}

#[derive(Default)]
struct Reader {
    diagnostics: Vec<Diagnostic>,
}

impl Reader {
    fn report(&mut self, span: Span, message: impl Into<String>, label: &str) {
        self.diagnostics.push(invalid(span, message, label));
    }

    fn config(&mut self, root: &Node, whole: Span) -> Config {
        if root.as_map().is_none() {
            self.report(
                root.span,
                "the configuration is not a mapping",
                "expected `route:`, `receivers:`, ...",
            );
        }
        let route = match root.get("route") {
            Some(r) => self.route(r),
            None => {
                self.report(whole, "the configuration has no `route`", "no root route");
                Route::default()
            }
        };
        if route.receiver.is_none() && root.get("route").is_some() {
            let span = root.get("route").map_or(whole, |r| r.span);
            self.report(span, "the root route has no receiver", "add `receiver:`");
        }
        let receivers = self
            .seq(root.get("receivers"))
            .iter()
            .filter_map(|r| {
                let name = self.string(r.get("name").unwrap_or(r), "a receiver name")?;
                Some(Receiver {
                    name,
                    integrations: Vec::new(),
                })
            })
            .collect::<Vec<_>>();
        let mut time_intervals = Vec::new();
        for key in ["time_intervals", "mute_time_intervals"] {
            for t in self.seq(root.get(key)) {
                let node = t.get("name").unwrap_or(t);
                if let Some(name) = self.string(node, "a time interval name") {
                    let ranges = self
                        .seq(t.get("time_intervals"))
                        .iter()
                        .map(|r| self.time_range(r))
                        .collect();
                    time_intervals.push(TimeInterval {
                        name,
                        ranges,
                        span: node.span,
                    });
                }
            }
        }
        let inhibit_rules = self
            .seq(root.get("inhibit_rules"))
            .iter()
            .map(|r| self.inhibit_rule(r))
            .collect();
        let config = Config {
            global: Global::default(),
            route,
            receivers,
            inhibit_rules,
            time_intervals,
        };
        self.check_references(&config, root);
        config
    }

    fn check_references(&mut self, config: &Config, root: &Node) {
        let fallback = root.span;
        for r in config.route.walk() {
            let span = r.span.unwrap_or(fallback);
            if let Some(name) = &r.receiver
                && config.receiver(name).is_none()
            {
                self.report(
                    span,
                    format!("receiver `{name}` is not defined"),
                    "undefined receiver",
                );
            }
            for t in r.active_time_intervals.iter().chain(&r.mute_time_intervals) {
                if !config.time_intervals.iter().any(|i| &i.name == t) {
                    self.report(
                        span,
                        format!("time interval `{t}` is not defined"),
                        "undefined time interval",
                    );
                }
            }
        }
    }

    fn seq<'n>(&mut self, node: Option<&'n Node>) -> &'n [Node] {
        match node {
            None => &[],
            Some(n) if n.is_null() => &[],
            Some(n) => match n.as_seq() {
                Some(items) => items,
                None => {
                    self.report(
                        n.span,
                        format!("expected a sequence, found {}", n.kind_name()),
                        "not a list",
                    );
                    &[]
                }
            },
        }
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match node.as_scalar() {
            Some(s) if !s.is_null() => Some(s.value.clone()),
            _ => {
                self.report(
                    node.span,
                    format!("expected {what}, found {}", node.kind_name()),
                    "expected a string",
                );
                None
            }
        }
    }

    fn strings(&mut self, node: Option<&Node>, what: &str) -> Vec<String> {
        self.seq(node)
            .iter()
            .filter_map(|n| self.string(n, what))
            .collect()
    }

    fn duration(&mut self, node: Option<&Node>) -> Option<Duration> {
        let node = node?;
        let text = self.string(node, "a duration")?;
        let d = units::parse_duration(&text);
        if d.is_none() {
            self.report(
                node.span,
                format!("`{text}` is not a duration"),
                "expected e.g. `30s`, `5m`, `4h`",
            );
        }
        d
    }

    /// The matchers of `node` under `{prefix}matchers`, `{prefix}match` and
    /// `{prefix}match_re` (the last two are Alertmanager's older notation).
    fn matchers(&mut self, node: &Node, prefix: &str) -> Vec<Matcher> {
        let mut out = Vec::new();
        if let Some(list) = node.get(&format!("{prefix}matchers")) {
            for item in self.seq(Some(list)) {
                let Some(text) = self.string(item, "a matcher") else {
                    continue;
                };
                match Matcher::parse_list(&text) {
                    Ok(ms) => out.extend(ms),
                    Err(e) => self.report(item.span, e, "invalid matcher"),
                }
            }
        }
        for (suffix, op) in [("match", MatchOp::Equal), ("match_re", MatchOp::Regex)] {
            let key = format!("{prefix}{suffix}");
            let Some(map) = node.get(&key) else { continue };
            let Some(entries) = map.as_map() else {
                self.report(
                    map.span,
                    format!("`{key}` is not a mapping"),
                    "expected `label: value` pairs",
                );
                continue;
            };
            for (k, v) in entries {
                let (Some(name), Some(value)) = (
                    self.string(k, "a label name"),
                    self.string(v, "a label value"),
                ) else {
                    continue;
                };
                match Matcher::new(name, op, value) {
                    Ok(m) => out.push(m),
                    Err(e) => self.report(v.span, e, "invalid regex"),
                }
            }
        }
        out
    }

    fn route(&mut self, node: &Node) -> Route {
        if node.as_map().is_none() {
            self.report(
                node.span,
                format!("a route is a mapping, found {}", node.kind_name()),
                "not a route",
            );
            return Route::default();
        }
        let receiver = node
            .get("receiver")
            .and_then(|n| self.string(n, "a receiver name"));
        let group_by = node.get("group_by").map(|g| {
            let labels = self.strings(Some(g), "a label name");
            if labels.iter().any(|l| l == "...") {
                GroupBy::All
            } else {
                GroupBy::Labels(labels)
            }
        });
        let continue_ = match node
            .get("continue")
            .map(|c| (c, c.as_scalar().map(|s| s.value.as_str())))
        {
            None => false,
            Some((_, Some("true"))) => true,
            Some((_, Some("false"))) => false,
            Some((c, _)) => {
                self.report(
                    c.span,
                    "`continue` is not a boolean",
                    "expected `true` or `false`",
                );
                false
            }
        };
        let routes = self
            .seq(node.get("routes"))
            .iter()
            .map(|r| self.route(r))
            .collect();
        Route {
            receiver,
            matchers: self.matchers(node, ""),
            continue_,
            group_by,
            group_wait: self.duration(node.get("group_wait")),
            group_interval: self.duration(node.get("group_interval")),
            repeat_interval: self.duration(node.get("repeat_interval")),
            active_time_intervals: self
                .strings(node.get("active_time_intervals"), "a time interval name"),
            mute_time_intervals: self
                .strings(node.get("mute_time_intervals"), "a time interval name"),
            routes,
            span: Some(node.span),
        }
    }

    /// One range of a time interval, values as written (checked by
    /// Alertmanager, evaluated leniently by [`hours`](crate::routing::hours)).
    fn time_range(&mut self, node: &Node) -> TimeRange {
        let times = self
            .seq(node.get("times"))
            .iter()
            .filter_map(|t| {
                let start = self.string(t.get("start_time").unwrap_or(t), "a time of day")?;
                let end = self.string(t.get("end_time").unwrap_or(t), "a time of day")?;
                Some((start, end))
            })
            .collect();
        TimeRange {
            times,
            weekdays: self.strings(node.get("weekdays"), "a weekday"),
            days_of_month: self.strings(node.get("days_of_month"), "a day of the month"),
            months: self.strings(node.get("months"), "a month"),
            years: self.strings(node.get("years"), "a year"),
            location: node
                .get("location")
                .and_then(|l| self.string(l, "a time zone")),
        }
    }

    fn inhibit_rule(&mut self, node: &Node) -> InhibitRule {
        InhibitRule {
            source_matchers: self.matchers(node, "source_"),
            target_matchers: self.matchers(node, "target_"),
            equal: self.strings(node.get("equal"), "a label name"),
            span: Some(node.span),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::eval;
    use crate::routing::matcher::Labels;

    fn read_str(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let mut sources = SourceMap::new();
        let id = sources.add("alertmanager.yml", text.to_string());
        read(&sources, id)
    }

    #[test]
    fn reads_routes_and_inhibit_rules() {
        let config = read_str(
            r#"
route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: ['{team="a", severity=~"critical|warning"}']
      receiver: a
      continue: true
    - match: {team: a}
      match_re: {severity: crit.*}
      receiver: b
      repeat_interval: 1h
receivers:
  - name: default
  - name: a
  - name: b
inhibit_rules:
  - source_match: {severity: critical}
    target_matchers: [severity="warning"]
    equal: [alertname]
"#,
        )
        .unwrap();
        let labels: Labels = [("team", "a"), ("severity", "critical")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(eval::receivers(&config.route, &labels), ["a", "b"]);
        assert_eq!(
            config.inhibit_rules[0].source_matchers[0].to_string(),
            r#"severity="critical""#
        );
        assert_eq!(config.inhibit_rules[0].target_matchers.len(), 1);
    }

    #[test]
    fn reports_problems_at_their_place() {
        let errors = read_str("route:\n  receiver: nobody\n  routes:\n    - matchers: ['a=~(']\n      group_wait: soon\nreceivers: []\n").unwrap_err();
        let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].starts_with("invalid regex"));
        assert_eq!(messages[1], "`soon` is not a duration");
        assert_eq!(messages[2], "receiver `nobody` is not defined");
        assert!(read_str("receivers: []\n").is_err());
    }
}
