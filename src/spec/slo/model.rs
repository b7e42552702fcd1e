//! The resolved SLO model: what an `slos:` item means once its period,
//! windows, tiers and routing are known.
//!
//! Built only by [`resolve`](super::resolve); compile and lint read it.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::source::Span;
use crate::spec::model::{LevelRule, Query};

/// The placeholder of SLI queries that stands for each window.
pub const WINDOW_PLACEHOLDER: &str = "{{.window}}";

/// A service level objective.
#[derive(Debug, Clone)]
pub struct Slo {
    /// Slug.
    pub id: String,
    /// Span of the id.
    pub id_span: Span,
    /// Title (the id if none).
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Runbook URL (the feature's when not set).
    pub runbook: Option<String>,
    /// Objective as a ratio (0.999).
    pub objective: f64,
    /// The objective as written (`99.9%`).
    pub objective_written: String,
    /// Span of the objective.
    pub objective_span: Span,
    /// Compliance period.
    pub period: Duration,
    /// The indicator.
    pub sli: Sli,
    /// Extra labels on the SLO's alerts.
    pub labels: BTreeMap<String, String>,
    /// Alert name shared by the tiers (they differ by the tier label).
    pub alert_name: Option<String>,
    /// Where the windows come from.
    pub windows_source: WindowsSource,
    /// The burn-rate tiers that alert, fastest first.
    pub tiers: Vec<BurnTier>,
    /// Low-traffic guard: minimum events in a tier's long window.
    pub min_events: Option<f64>,
    /// The alert on vanished source series.
    pub no_data: Option<NoDataAlert>,
    /// Span of the whole item.
    pub span: Span,
}

impl Slo {
    /// The error budget: `1 - objective`, without float noise.
    pub fn error_budget(&self) -> f64 {
        round_ratio(1.0 - self.objective)
    }

    /// Every window a tier reads (short and long), shortest first, without repetitions.
    pub fn windows(&self) -> Vec<Duration> {
        let mut out: Vec<Duration> = self
            .tiers
            .iter()
            .flat_map(|t| [t.window.short, t.window.long])
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The window whose ratio is averaged over the period and shown as the
    /// current burn rate: the shortest alert window, or 5m without alerts.
    pub fn base_window(&self) -> Duration {
        self.windows()
            .first()
            .copied()
            .unwrap_or(Duration::from_secs(300))
    }
}

/// Round away binary noise (`1 - 0.999` → `0.001`).
pub fn round_ratio(v: f64) -> f64 {
    format!("{v:.12}").parse().unwrap_or(v)
}

/// An SLI query: used as written (with `{{.window}}`) or a selector promspec wraps.
#[derive(Debug, Clone)]
pub struct SliQuery {
    /// The query as written.
    pub query: Query,
    /// Whether it contains [`WINDOW_PLACEHOLDER`] (else it is a selector).
    pub templated: bool,
}

impl SliQuery {
    /// A query of the spec, classified by its placeholder.
    pub fn new(query: Query) -> Self {
        let templated = query.text.contains(WINDOW_PLACEHOLDER);
        SliQuery { query, templated }
    }
}

/// The kinds of service level indicator.
#[derive(Debug, Clone)]
pub enum Sli {
    /// Errors over total events.
    Events {
        /// Bad events.
        errors: SliQuery,
        /// All events.
        total: SliQuery,
    },
    /// Requests slower than a bucket boundary over all requests.
    Latency {
        /// Selector of the `_bucket` series.
        histogram: Query,
        /// The boundary in seconds.
        le: f64,
        /// The threshold as written (`200ms`).
        threshold_written: String,
        /// Span of the threshold.
        threshold_span: Span,
    },
    /// The share of samples at 0 of a 0/1 gauge.
    Availability {
        /// Selector of the gauge.
        series: Query,
    },
    /// A query giving the error ratio, with `{{.window}}`.
    ErrorRatio {
        /// The query.
        query: Query,
    },
}

impl Sli {
    /// The kind's name as the spec writes it.
    pub fn kind(&self) -> &'static str {
        match self {
            Sli::Events { .. } => "events",
            Sli::Latency { .. } => "latency",
            Sli::Availability { .. } => "availability",
            Sli::ErrorRatio { .. } => "error_ratio",
        }
    }
}

/// Where an SLO's windows come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowsSource {
    /// The SLO's own `alerting.windows`.
    Slo,
    /// The project's `slo_windows` entry of the SLO's period.
    Project,
    /// The SRE workbook's windows for 30 or 28 days.
    Workbook,
    /// The workbook's 30-day windows scaled to the period.
    Scaled,
}

/// The four tiers: page or ticket, quick or slow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TierKind {
    /// Page, short windows.
    PageQuick,
    /// Page, longer windows.
    PageSlow,
    /// Ticket, short windows.
    TicketQuick,
    /// Ticket, longer windows.
    TicketSlow,
}

impl TierKind {
    /// Every tier, fastest first.
    pub const ALL: [TierKind; 4] = [
        TierKind::PageQuick,
        TierKind::PageSlow,
        TierKind::TicketQuick,
        TierKind::TicketSlow,
    ];

    /// The tier label value (`page-quick`).
    pub fn as_str(&self) -> &'static str {
        match self {
            TierKind::PageQuick => "page-quick",
            TierKind::PageSlow => "page-slow",
            TierKind::TicketQuick => "ticket-quick",
            TierKind::TicketSlow => "ticket-slow",
        }
    }

    /// Whether it is a page tier.
    pub fn is_page(&self) -> bool {
        matches!(self, TierKind::PageQuick | TierKind::PageSlow)
    }
}

/// The windows of one tier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BurnWindow {
    /// Share of the period's budget spent in the long window when the tier fires.
    pub budget_consumed: f64,
    /// Short window.
    pub short: Duration,
    /// Long window.
    pub long: Duration,
}

impl BurnWindow {
    /// The burn factor: `budget_consumed × period / long`.
    pub fn factor(&self, period: Duration) -> f64 {
        round_ratio(self.budget_consumed * period.as_secs_f64() / self.long.as_secs_f64())
    }
}

/// The windows of one period from the project file.
#[derive(Debug, Clone)]
pub struct PeriodWindows {
    /// The period.
    pub period: Duration,
    /// The four tiers' windows, fastest first.
    pub windows: [BurnWindow; 4],
    /// Where the entry was written.
    pub span: Span,
}

/// One alerting tier of an SLO.
#[derive(Debug, Clone)]
pub struct BurnTier {
    /// Which tier.
    pub kind: TierKind,
    /// Its windows.
    pub window: BurnWindow,
    /// The burn factor.
    pub factor: f64,
    /// The alert level, priority, receivers and `for`; `value` is the error
    /// ratio both windows must exceed (`factor × error budget`).
    pub alert: LevelRule,
}

/// The alert on vanished source series.
#[derive(Debug, Clone)]
pub struct NoDataAlert {
    /// Level, priority, receivers and `for` (`value` is unused: 0).
    pub alert: LevelRule,
}
