//! The resolved model: what the specs mean, after defaults and references.
//!
//! Built only by [`resolve`](super::resolve). Every item keeps the span it
//! came from so later stages (lint, compile) can point back into the spec.
//! Nothing here is optional because "not resolved yet".

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::promql::{self, Dialect};
use crate::source::{SourceId, SourceMap, Span, Spanned};
use crate::spec::units::Unit;
use crate::yaml::{self, Style};

/// Everything one build reads: the project and its features.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The project file.
    pub project: Project,
    /// The features, sorted by slug.
    pub features: Vec<Feature>,
    /// The YAML comments of every spec file (for `# promspec:` directives),
    /// kept from the one parse of each file.
    pub comments: std::collections::BTreeMap<crate::source::SourceId, Vec<crate::yaml::Comment>>,
}

/// Language of generated runbook tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// English headings.
    #[default]
    En,
    /// Japanese headings, as in the seeds.
    Ja,
}

/// The project file, resolved.
#[derive(Debug, Clone)]
pub struct Project {
    /// The file it came from (None when a project has no file, e.g. linting plain rules).
    pub source: Option<SourceId>,
    /// Project name.
    pub name: String,
    /// Base URL of Grafana, without trailing slash.
    pub grafana_url: String,
    /// Where `grafana_url` was written (None when defaulted).
    pub grafana_url_span: Option<Span>,
    /// PromQL dialect.
    pub dialect: Dialect,
    /// Rule group evaluation interval.
    pub evaluation_interval: Duration,
    /// Scrape interval of the targets.
    pub scrape_interval: Duration,
    /// Language of runbook tables.
    pub docs_language: Language,
    /// Default `for`.
    pub default_for: Duration,
    /// Default `keep_firing_for`.
    pub default_keep_firing_for: Option<Duration>,
    /// Labels on every alert.
    pub labels: BTreeMap<String, String>,
    /// Where each label was written (its key).
    pub label_spans: BTreeMap<String, Span>,
    /// Alertmanager global settings.
    pub alertmanager: AlertmanagerSettings,
    /// Priorities by name, in spec order.
    pub priorities: Vec<Priority>,
    /// Levels, ordered critical, warning, info (only those defined).
    pub severities: Vec<SeverityConfig>,
    /// Receivers, in spec order.
    pub receivers: Vec<Receiver>,
    /// Time intervals, in spec order.
    pub time_intervals: Vec<TimeInterval>,
    /// Lint severity overrides: rule id → severity (None = off).
    pub lint_rules: Vec<(String, Option<crate::diag::Severity>, Span)>,
    /// The rule engines the rules are written for.
    pub targets: crate::spec::targets::Targets,
    /// The `lint:` settings (and the keys lint reads) as written.
    pub lint: crate::spec::lint_config::LintConfig,
    /// Burn-rate windows of SLO periods, from the project file.
    pub slo_windows: Vec<crate::spec::slo::model::PeriodWindows>,
}

impl Project {
    /// The priority named `name`.
    pub fn priority(&self, name: &str) -> Option<&Priority> {
        self.priorities.iter().find(|p| p.name == name)
    }

    /// The configuration of `level`.
    pub fn severity(&self, level: Level) -> Option<&SeverityConfig> {
        self.severities.iter().find(|s| s.level == level)
    }

    /// The receiver named `name`.
    pub fn receiver(&self, name: &str) -> Option<&Receiver> {
        self.receivers.iter().find(|r| r.name == name)
    }
}

/// Alertmanager global settings.
#[derive(Debug, Clone, Default)]
pub struct AlertmanagerSettings {
    /// SMTP for email receivers.
    pub smtp: Option<Smtp>,
    /// `resolve_timeout`.
    pub resolve_timeout: Option<Duration>,
    /// `group_by` of every route.
    pub group_by: Vec<String>,
    /// Where the deployed Alertmanager finds the notification templates
    /// (None: next to `alertmanager.yml`).
    pub templates_dir: Option<String>,
}

/// SMTP settings.
#[derive(Debug, Clone)]
pub struct Smtp {
    /// `host:port`.
    pub smarthost: String,
    /// Where `smarthost` was written.
    pub smarthost_span: Span,
    /// Sender.
    pub from: String,
    /// User name.
    pub auth_username: Option<String>,
    /// Where `auth_username` was written.
    pub auth_username_span: Option<Span>,
    /// Password file.
    pub auth_password_file: Option<String>,
    /// STARTTLS required.
    pub require_tls: bool,
}

/// A priority such as `P1`.
#[derive(Debug, Clone)]
pub struct Priority {
    /// `P0`..`P4`.
    pub name: String,
    /// Short title.
    pub title: Option<String>,
    /// Meaning.
    pub description: Option<String>,
    /// Response time.
    pub response_time: Duration,
    /// Re-notification interval.
    pub repeat_interval: Duration,
    /// First notification delay.
    pub group_wait: Duration,
    /// Delay for new alerts of a group.
    pub group_interval: Duration,
    /// Escalation.
    pub escalation: Option<String>,
    /// Where it was defined.
    pub span: Span,
}

/// An alert level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Most severe.
    Critical,
    /// Middle.
    Warning,
    /// Least severe.
    Info,
}

impl Level {
    /// The levels from most to least severe.
    pub const ALL: [Level; 3] = [Level::Critical, Level::Warning, Level::Info];

    /// The `severity` label value.
    pub fn as_str(&self) -> &'static str {
        match self {
            Level::Critical => "critical",
            Level::Warning => "warning",
            Level::Info => "info",
        }
    }

    /// Parse a level name.
    pub fn parse(s: &str) -> Option<Level> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// The configuration of one level.
#[derive(Debug, Clone)]
pub struct SeverityConfig {
    /// Which level.
    pub level: Level,
    /// Default priority.
    pub priority: String,
    /// Default receivers (only those defined in the project).
    pub receivers: Vec<String>,
    /// The receivers as written, with their spans (routing lints check them).
    pub receiver_refs: Vec<Spanned<String>>,
    /// Notify only within these intervals.
    pub active_time_intervals: Vec<String>,
    /// Do not notify within these intervals.
    pub mute_time_intervals: Vec<String>,
    /// Where it was defined.
    pub span: Span,
}

/// A notification integration of a receiver. Secrets are file references.
#[derive(Debug, Clone, PartialEq)]
pub enum Integration {
    /// Slack.
    Slack {
        /// Channel.
        channel: String,
        /// File with the webhook URL.
        api_url_file: Option<String>,
        /// Notify on resolve.
        send_resolved: bool,
        /// Notification fields the spec writes itself, replacing promspec's
        /// templates: (field, Alertmanager template), e.g. `("title", ...)`.
        overrides: Vec<(&'static str, String)>,
    },
    /// Email.
    Email {
        /// Recipients.
        to: String,
        /// Notify on resolve.
        send_resolved: bool,
        /// Notification fields the spec writes itself, replacing promspec's
        /// templates: (field, Alertmanager template), e.g. `("title", ...)`.
        overrides: Vec<(&'static str, String)>,
    },
    /// PagerDuty.
    Pagerduty {
        /// File with the routing key.
        routing_key_file: Option<String>,
        /// File with the service key.
        service_key_file: Option<String>,
        /// Notify on resolve.
        send_resolved: bool,
        /// Notification fields the spec writes itself, replacing promspec's
        /// templates: (field, Alertmanager template), e.g. `("title", ...)`.
        overrides: Vec<(&'static str, String)>,
    },
    /// Opsgenie.
    Opsgenie {
        /// File with the API key.
        api_key_file: Option<String>,
        /// Opsgenie priority.
        priority: Option<String>,
        /// Notify on resolve.
        send_resolved: bool,
        /// Notification fields the spec writes itself, replacing promspec's
        /// templates: (field, Alertmanager template), e.g. `("title", ...)`.
        overrides: Vec<(&'static str, String)>,
    },
    /// Webhook.
    Webhook {
        /// URL.
        url: Option<String>,
        /// File with the URL.
        url_file: Option<String>,
        /// Notify on resolve.
        send_resolved: bool,
        /// Max alerts per message.
        max_alerts: u32,
    },
}

/// A receiver.
#[derive(Debug, Clone)]
pub struct Receiver {
    /// Name.
    pub name: String,
    /// Integrations.
    pub integrations: Vec<Integration>,
    /// Notify only within these intervals (empty: the level's).
    pub active_time_intervals: Vec<String>,
    /// Do not notify within these intervals (besides the level's).
    pub mute_time_intervals: Vec<String>,
    /// Where it was defined (its name).
    pub span: Span,
    /// Where each value of its integrations was written, keyed
    /// `<integration>.<field>` (`slack.channel`, `webhook.url`).
    pub field_spans: Vec<(&'static str, Span)>,
}

impl Receiver {
    /// The span of `field` (`slack.channel`), or the receiver's name when
    /// the field was not written.
    pub fn field_span(&self, field: &str) -> Span {
        self.field_spans
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(self.span, |(_, s)| *s)
    }
}

/// A named time interval.
#[derive(Debug, Clone)]
pub struct TimeInterval {
    /// Name.
    pub name: String,
    /// Ranges (any of them matches).
    pub ranges: Vec<TimeRange>,
    /// Where it was defined.
    pub span: Span,
}

/// One range of a time interval, in Alertmanager's syntax.
#[derive(Debug, Clone, Default)]
pub struct TimeRange {
    /// `(start, end)` as `HH:MM`.
    pub times: Vec<(String, String)>,
    /// Weekdays or ranges.
    pub weekdays: Vec<String>,
    /// Days of month.
    pub days_of_month: Vec<String>,
    /// Months.
    pub months: Vec<String>,
    /// Years.
    pub years: Vec<String>,
    /// Time zone.
    pub location: Option<String>,
}

/// A PromQL expression written in a spec, with what is needed to point inside it.
#[derive(Debug, Clone)]
pub struct Query {
    /// The expression text (decoded).
    pub text: String,
    /// The span of the YAML scalar.
    pub span: Span,
    /// How the scalar was written.
    pub style: Style,
    /// The text parsed by the PromQL facade, per dialect, on first use (see
    /// [`Query::parse`]); shared with the rule-file IR expressions lowered
    /// from this query ([`Query::shared_parse`]).
    parsed: Arc<promql::ParseOnce>,
}

impl Query {
    /// A query of `text`, not parsed yet.
    pub fn new(text: String, span: Span, style: Style) -> Query {
        Query {
            text,
            span,
            style,
            parsed: Default::default(),
        }
    }

    /// The expression parsed in `dialect`: parsed once per dialect, on first
    /// use, and shared by every stage that reads it (the syntax check, lint
    /// rules, dashboards).
    pub fn parse(&self, dialect: Dialect) -> Result<&promql::Expr, &promql::SyntaxError> {
        self.parsed.get(&self.text, dialect)
    }

    /// The parse cache of this query, for an IR expression of the same text.
    pub fn shared_parse(&self) -> Arc<promql::ParseOnce> {
        Arc::clone(&self.parsed)
    }

    /// The span in the file of `range`, a byte range inside [`Query::text`].
    pub fn span_of(&self, sources: &SourceMap, range: std::ops::Range<usize>) -> Span {
        let file = sources.get(self.span.source);
        let raw = &file.text[self.span.range()];
        let scalar = yaml::Scalar {
            value: self.text.clone(),
            style: self.style,
        };
        let start = yaml::source_offset(&scalar, raw, self.span.start as usize, range.start);
        let end = if range.end > range.start {
            yaml::source_offset(&scalar, raw, self.span.start as usize, range.end - 1) + 1
        } else {
            start
        };
        Span::new(self.span.source, start..end.max(start))
    }
}

/// A feature spec, resolved.
#[derive(Debug, Clone)]
pub struct Feature {
    /// The file.
    pub source: SourceId,
    /// Slug.
    pub slug: String,
    /// Span of the slug.
    pub slug_span: Span,
    /// Title (the slug if none).
    pub title: String,
    /// Team.
    pub team: String,
    /// Runbook URL.
    pub runbook: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Labels on every alert of the feature (project labels merged in).
    pub labels: BTreeMap<String, String>,
    /// Where each label was written (its key, in the project file for a
    /// project label).
    pub label_spans: BTreeMap<String, Span>,
    /// Runbook language.
    pub docs_language: Language,
    /// How often the feature's rule groups are evaluated: its own
    /// `evaluation_interval`, else the project's.
    pub evaluation_interval: Duration,
    /// Where the feature's own `evaluation_interval` was written (None when
    /// it is the project's).
    pub evaluation_interval_span: Option<Span>,
    /// Thresholds in spec order.
    pub thresholds: Vec<Threshold>,
    /// SLOs in spec order.
    pub slos: Vec<Slo>,
    /// Alerting rules that are not thresholds, in spec order.
    pub alerts: Vec<Alert>,
    /// Recording rules kept as written, in spec order.
    pub records: Vec<Record>,
}

impl Feature {
    /// The interval of the feature's rule groups, spanned where it was
    /// written (the slug when it is the project's).
    pub fn group_interval(&self) -> Spanned<Duration> {
        Spanned::new(
            self.evaluation_interval,
            self.evaluation_interval_span.unwrap_or(self.slug_span),
        )
    }
}

/// Above or below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Fires when the value is greater than the level.
    Above,
    /// Fires when the value is less than the level.
    Below,
}

impl Direction {
    /// The PromQL comparison operator.
    pub fn operator(&self) -> &'static str {
        match self {
            Direction::Above => ">",
            Direction::Below => "<",
        }
    }

    /// The spec key (`above`/`below`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::Above => "above",
            Direction::Below => "below",
        }
    }
}

/// One metric threshold.
#[derive(Debug, Clone)]
pub struct Threshold {
    /// Slug.
    pub id: String,
    /// Span of the id.
    pub id_span: Span,
    /// Title (the id if none).
    pub title: String,
    /// Group.
    pub group: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Action.
    pub action: Option<String>,
    /// Runbook URL (the feature's when not set).
    pub runbook: Option<String>,
    /// The query.
    pub query: Query,
    /// Unit.
    pub unit: Unit,
    /// Extra labels.
    pub labels: BTreeMap<String, String>,
    /// Where each extra label was written (its key).
    pub label_spans: BTreeMap<String, Span>,
    /// The levels, ordered critical, warning, info.
    pub levels: Vec<LevelRule>,
    /// The alert name as written (`alert:`), when the spec sets one.
    pub alert: Option<Spanned<String>>,
    /// The alert on absent source series, when the spec asks for one.
    pub no_data: Option<NoData>,
    /// Span of the whole threshold mapping.
    pub span: Span,
}

/// The no-data alert of a threshold: fires when every series its query
/// reads has been absent for `window`.
#[derive(Debug, Clone)]
pub struct NoData {
    /// Level, priority and receivers (`direction` and `value` are unused;
    /// `for_` is the window, the alerting rule itself has no `for`).
    pub alert: LevelRule,
    /// The `absent_over_time` window.
    pub window: Duration,
}

/// An alerting rule that is not a threshold (`alerts:`), kept as written.
#[derive(Debug, Clone)]
pub struct Alert {
    /// Slug.
    pub id: String,
    /// Span of the id.
    pub id_span: Span,
    /// The alert name as written (`alert:`), when the spec sets one.
    pub alert: Option<Spanned<String>>,
    /// Title (the id if none).
    pub title: String,
    /// Group.
    pub group: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Action.
    pub action: Option<String>,
    /// Runbook URL (the feature's when not set).
    pub runbook: Option<String>,
    /// The expression.
    pub expr: Query,
    /// Extra labels.
    pub labels: BTreeMap<String, String>,
    /// Where each extra label was written (its key).
    pub label_spans: BTreeMap<String, Span>,
    /// Annotations as written.
    pub annotations: BTreeMap<String, String>,
    /// Level, priority, receivers, `for` (zero when not written) and
    /// `keep_firing_for` (`direction`, `value` and `written` are unused).
    pub level: LevelRule,
    /// Span of the whole alert mapping.
    pub span: Span,
}

/// A recording rule kept as written (`records:`).
#[derive(Debug, Clone)]
pub struct Record {
    /// The recorded series name, with its span.
    pub name: Spanned<String>,
    /// The expression.
    pub expr: Query,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Span of the whole mapping.
    pub span: Span,
}

/// One level of a threshold: a comparison held for a while.
#[derive(Debug, Clone)]
pub struct LevelRule {
    /// Which level.
    pub level: Level,
    /// Above or below.
    pub direction: Direction,
    /// The value in the query's unit.
    pub value: f64,
    /// The value as the spec writes it (`3s`, `5%`).
    pub written: String,
    /// Span of the value.
    pub value_span: Span,
    /// How long the condition holds before firing.
    pub for_: Duration,
    /// Span of `for` (the level's span if defaulted).
    pub for_span: Span,
    /// Keep firing after recovery.
    pub keep_firing_for: Option<Duration>,
    /// Priority name.
    pub priority: String,
    /// Receivers (only those defined in the project).
    pub receivers: Vec<String>,
    /// The receivers as written in a `notify` list, with their spans (empty
    /// when the level uses its severity's receivers).
    pub receiver_refs: Vec<Spanned<String>>,
    /// Where the receivers were chosen (for diagnostics).
    pub receivers_span: Span,
    /// Summary override.
    pub summary: Option<String>,
    /// Span of the level mapping.
    pub span: Span,
}

pub use crate::spec::slo::model::Slo;
