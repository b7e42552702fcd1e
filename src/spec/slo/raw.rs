//! The raw SLO types: the `slos:` items of a feature spec and the project's
//! `slo_windows:` table, as written.
//!
//! Like the rest of the raw layer, every scalar keeps its span and values
//! stay strings until [`resolve`](super::resolve) interprets them; the doc
//! comments are the field documentation of the JSON schema.

use crate::source::Spanned;
use crate::spec::decode::{Expression, NamedMap, raw_struct};
use crate::spec::raw::{Duration, Quantity, Str};

raw_struct! {
    /// A service level objective: an SLI, an objective over a period, and
    /// multi-window multi-burn-rate alerts on its error budget.
    Slo as "slo" {
        /// Slug, unique within the feature: `^[a-z][a-z0-9-]*$`.
        id: Str,
        /// Title as the runbook writes it.
        title: Option<Str>,
        /// What the SLO promises.
        description: Option<Str>,
        /// Runbook URL of this SLO (default: the feature's).
        runbook: Option<Str>,
        /// Objective: the share of good events, e.g. `99.9%`.
        objective: Quantity,
        /// Compliance period the error budget is spent over (default `30d`).
        period: Option<Duration>,
        /// The service level indicator: exactly one of `events`, `latency`, `availability`, `error_ratio`.
        sli: Sli,
        /// Extra labels on this SLO's alerts.
        labels: Option<NamedMap<Str>>,
        /// Burn-rate alerting: tiers, windows, severities and receivers.
        alerting: Option<SloAlerting>,
    }
}

raw_struct! {
    /// The service level indicator: exactly one kind.
    Sli as "SLI" {
        /// Bad and total events. Queries with a `{{.window}}` placeholder are used as written; plain selectors of counters are wrapped in `sum(rate(…[window]))`.
        events: Option<EventsSli>,
        /// Requests slower than a histogram bucket boundary are errors.
        latency: Option<LatencySli>,
        /// A 0/1 gauge such as `up` or `probe_success`: the share of samples at 0 is the error ratio.
        availability: Option<AvailabilitySli>,
        /// A query returning the error ratio itself, with a `{{.window}}` placeholder.
        error_ratio: Option<Expression>,
    }
}

raw_struct! {
    /// An events SLI: errors over total.
    EventsSli as "events SLI" {
        /// Bad events: a query with `{{.window}}` giving a rate, or a counter selector.
        errors: Expression,
        /// All events: a query with `{{.window}}` giving a rate, or a counter selector.
        total: Expression,
    }
}

raw_struct! {
    /// A latency SLI from a classic histogram.
    LatencySli as "latency SLI" {
        /// Selector of the histogram's `_bucket` series, e.g. `http_request_duration_seconds_bucket{job="api"}`.
        histogram: Expression,
        /// Requests slower than this are errors; must be one of the histogram's `le` boundaries, e.g. `200ms`.
        threshold: Quantity,
    }
}

raw_struct! {
    /// An availability SLI from a 0/1 gauge.
    AvailabilitySli as "availability SLI" {
        /// Selector of a gauge that is 1 when up and 0 when down, e.g. `up{job="api"}` or `probe_success{job="blackbox"}`.
        series: Expression,
    }
}

raw_struct! {
    /// Burn-rate alerting of an SLO.
    SloAlerting as "SLO alerting" {
        /// Generate no alert for this SLO (recording rules only).
        disable: Option<Spanned<bool>>,
        /// Alert name (default: `<Feature><Slo>ErrorBudgetBurn`).
        name: Option<Str>,
        /// Windows of the four tiers, replacing the project's table and the defaults.
        windows: Option<TierWindows>,
        /// The page alerts (fast burn): severity `critical` unless set.
        page: Option<AlertKind>,
        /// The ticket alerts (slow burn): severity `warning` unless set.
        ticket: Option<AlertKind>,
        /// Low-traffic guard: no burn-rate alert fires while the long window holds fewer events than this.
        min_events: Option<Quantity>,
        /// The alert fired when the SLI's source series vanish.
        no_data: Option<NoData>,
    }
}

raw_struct! {
    /// The page or ticket alerts of an SLO.
    AlertKind as "SLO alert" {
        /// Generate neither tier of this kind.
        disable: Option<Spanned<bool>>,
        /// Alert level: `critical`, `warning` or `info`.
        severity: Option<Str>,
        /// Priority override, e.g. `P0`.
        priority: Option<Str>,
        /// Receivers override (default: the feature's or the severity's receivers).
        notify: Option<Vec<Str>>,
        /// The quick tier (short windows, high burn factor).
        quick: Option<TierOptions>,
        /// The slow tier (longer windows, lower burn factor).
        slow: Option<TierOptions>,
    }
}

raw_struct! {
    /// Options of one tier.
    TierOptions as "SLO alert tier" {
        /// Generate no alert for this tier.
        disable: Option<Spanned<bool>>,
        /// How long both windows must burn before the alert fires (default: half the short window, whole minutes, as Pyrra).
        for_ as "for": Option<Duration>,
    }
}

raw_struct! {
    /// The no-data alert of an SLO.
    NoData as "SLO no-data alert" {
        /// Generate no no-data alert.
        disable: Option<Spanned<bool>>,
        /// How long the source series must be absent (default `10m`).
        for_ as "for": Option<Duration>,
        /// Alert level (default: the ticket alerts' level).
        severity: Option<Str>,
    }
}

raw_struct! {
    /// Windows of the four burn-rate tiers (a Sloth `AlertWindows` spec).
    TierWindows as "SLO windows" {
        /// The page tiers.
        page: TierPair,
        /// The ticket tiers.
        ticket: TierPair,
    }
}

raw_struct! {
    /// Windows of an SLO period, for every SLO of the project with that period.
    PeriodWindows as "SLO windows of a period" {
        /// The SLO period these windows are for, e.g. `7d`.
        period: Duration,
        /// The page tiers.
        page: TierPair,
        /// The ticket tiers.
        ticket: TierPair,
    }
}

raw_struct! {
    /// The quick and the slow tier of one alert kind.
    TierPair as "SLO tier windows" {
        /// The quick tier.
        quick: BurnWindow,
        /// The slow tier.
        slow: BurnWindow,
    }
}

raw_struct! {
    /// One tier's windows: the alert fires when both windows burn the budget at `budget_consumed × period / long` times the sustainable rate.
    BurnWindow as "SLO burn window" {
        /// Share of the period's error budget spent in the long window when the alert fires, e.g. `2%` (Sloth's `errorBudgetPercent`).
        budget_consumed: Quantity,
        /// Short window, e.g. `5m`: makes the alert reset quickly.
        short: Duration,
        /// Long window, e.g. `1h`: the burn is measured over it.
        long: Duration,
    }
}
