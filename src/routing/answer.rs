//! The answer to "where does an alert with these labels go": receivers in
//! Alertmanager's order, the route each one is reached through with its
//! effective settings, the inhibit rules that concern the alert, and, for
//! a given instant, which receivers its time intervals mute.

use std::fmt::Write;

use crate::routing::config::{Config, GroupBy, Route};
use crate::routing::eval::{self, Inhibition};
use crate::routing::hours::{self, State};
use crate::routing::matcher::{Labels, MatchOp, Matcher, format_set};
use crate::spec::model::TimeInterval;
use crate::spec::units::format_duration;

/// Why a `LABEL=VALUE` argument is not a label.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{arg}` is not a label: {reason}")]
pub struct LabelError {
    /// The argument.
    pub arg: String,
    /// What is wrong.
    pub reason: String,
}

/// Parse `name=value` arguments (values may be double-quoted) into labels,
/// as `amtool config routes test` does.
pub fn parse_labels<S: AsRef<str>>(args: &[S]) -> Result<Labels, LabelError> {
    let mut labels = Labels::new();
    for arg in args {
        let arg = arg.as_ref();
        let error = |reason: &str| LabelError {
            arg: arg.to_string(),
            reason: reason.to_string(),
        };
        let m = Matcher::parse(arg).map_err(|e| error(&e))?;
        if m.op != MatchOp::Equal {
            return Err(error("write labels as `name=value`"));
        }
        labels.insert(m.name, m.value);
    }
    Ok(labels)
}

/// Where an alert goes.
#[derive(Debug, Clone)]
pub struct Answer<'a> {
    /// The routes it is delivered through, in order.
    pub deliveries: Vec<eval::Delivery<'a>>,
    /// Rules that mute this alert while another alert fires.
    pub inhibited_by: Vec<Inhibition<'a>>,
    /// Rules through which this alert mutes other alerts.
    pub inhibits: Vec<Inhibition<'a>>,
}

impl Answer<'_> {
    /// The receivers, in order (what `amtool config routes test` prints).
    pub fn receivers(&self) -> Vec<&str> {
        self.deliveries.iter().map(|d| d.receiver()).collect()
    }

    /// The receivers joined by commas, as `amtool` prints them.
    pub fn receivers_line(&self) -> String {
        self.receivers().join(",")
    }
}

/// Evaluate `config` for an alert with `labels`.
pub fn answer<'a>(config: &'a Config, labels: &Labels) -> Answer<'a> {
    Answer {
        deliveries: eval::route(&config.route, labels),
        inhibited_by: eval::inhibited_by(&config.inhibit_rules, labels),
        inhibits: eval::inhibits(&config.inhibit_rules, labels),
    }
}

fn path(routes: &[&Route]) -> String {
    let mut parts = vec!["root".to_string()];
    for r in routes.iter().skip(1) {
        parts.push(format_set(&r.matchers));
    }
    parts.join(" → ")
}

/// The answer as text: the receivers line first (as `amtool` prints it),
/// then one block per delivery and one line per inhibit rule.
pub fn render(answer: &Answer) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", answer.receivers_line());
    for d in &answer.deliveries {
        let o = &d.options;
        let group_by = match &o.group_by {
            GroupBy::All => "every label".to_string(),
            GroupBy::Labels(l) if l.is_empty() => "nothing".to_string(),
            GroupBy::Labels(l) => l.join(", "),
        };
        let _ = writeln!(out, "\n{}", o.receiver);
        let _ = writeln!(out, "  route:    {}", path(&d.path));
        let _ = writeln!(
            out,
            "  grouping: by {group_by}; group_wait {}, group_interval {}, repeat_interval {}",
            format_duration(o.group_wait),
            format_duration(o.group_interval),
            format_duration(o.repeat_interval)
        );
        if !o.active_time_intervals.is_empty() {
            let _ = writeln!(out, "  active:   {}", o.active_time_intervals.join(", "));
        }
        if !o.mute_time_intervals.is_empty() {
            let _ = writeln!(out, "  muted:    {}", o.mute_time_intervals.join(", "));
        }
    }
    if !answer.inhibited_by.is_empty() || !answer.inhibits.is_empty() {
        out.push('\n');
    }
    for i in &answer.inhibited_by {
        let _ = writeln!(
            out,
            "muted while an alert matching {} fires (inhibit rule {})",
            format_set(&i.other),
            i.index + 1
        );
    }
    for i in &answer.inhibits {
        let _ = writeln!(
            out,
            "mutes the alerts matching {} while it fires (inhibit rule {})",
            format_set(&i.other),
            i.index + 1
        );
    }
    out
}

/// Which deliveries of `answer` notify at `at` and which are muted there by
/// their time intervals (defined in `intervals`): one line per delivery,
/// under a heading that shows the instant as `written`.
pub fn render_at(
    answer: &Answer,
    intervals: &[TimeInterval],
    at: jiff::Timestamp,
    written: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\nat {written}:");
    for d in &answer.deliveries {
        let o = &d.options;
        let state = hours::state(
            &o.active_time_intervals,
            &o.mute_time_intervals,
            intervals,
            at,
        );
        let _ = match state {
            State::Notifies => writeln!(out, "  {}: notifies", o.receiver),
            State::OutsideActive(names) => writeln!(
                out,
                "  {}: muted (outside {})",
                o.receiver,
                names.join(", ")
            ),
            State::InsideMute(name) => {
                writeln!(out, "  {}: muted (inside {name})", o.receiver)
            }
        };
    }
    out
}
