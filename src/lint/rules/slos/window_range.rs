//! `slos/window-range`.

use std::time::Duration;

use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::promql::format_duration;
use crate::source::{SourceMap, Span};
use crate::spec::model::Workspace;
use crate::spec::slo::model::{BurnTier, Slo, WindowsSource};

/// The id of this rule.
pub const ID: &str = "slos/window-range";

/// Which window of a tier.
#[derive(Debug, Clone, Copy)]
enum Which {
    Short,
    Long,
}

impl Which {
    fn as_str(self) -> &'static str {
        match self {
            Which::Short => "short",
            Which::Long => "long",
        }
    }
}

/// Where the SLO's windows were written: its own `alerting.windows` (the
/// SLO's id stands for it: the model keeps no span per window), or the
/// project's `slo_windows` entry of its period.
fn window_spans(ws: &Workspace, slo: &Slo) -> (Span, Option<Span>) {
    let project = match slo.windows_source {
        WindowsSource::Project => ws
            .project
            .slo_windows
            .iter()
            .find(|p| p.period == slo.period)
            .map(|p| p.span),
        _ => None,
    };
    (slo.id_span, project)
}

fn with_source(d: Diagnostic, project: Option<Span>) -> Diagnostic {
    match project {
        Some(span) => d.with_secondary(span, "the windows come from the project's `slo_windows`"),
        None => d,
    }
}

/// Where to write the fix.
fn where_to_write(slo: &Slo) -> String {
    match slo.windows_source {
        WindowsSource::Slo => "in the SLO's `alerting.windows`".to_string(),
        WindowsSource::Project => format!(
            "in the project's `slo_windows` entry for `{}` (or in the SLO's `alerting.windows`)",
            format_duration(slo.period)
        ),
        WindowsSource::Workbook | WindowsSource::Scaled => format!(
            "by writing the SLO's `alerting.windows` (these are the defaults for a `{}` period)",
            format_duration(slo.period)
        ),
    }
}

fn shorter_than_two_scrapes(
    slo: &Slo,
    tier: &BurnTier,
    which: Which,
    window: Duration,
    scrape: Duration,
    (span, project): (Span, Option<Span>),
) -> Diagnostic {
    let d = Diagnostic::error(
        ID,
        format!(
            "the {} window `{}` of tier `{}` of SLO `{}` is shorter than two scrape intervals (`{}`)",
            which.as_str(),
            format_duration(window),
            tier.kind.as_str(),
            slo.id,
            format_duration(scrape),
        ),
    )
    .with_label(span, "a rate over this window has fewer than two samples");
    with_source(d, project).with_help(format!(
        "a rate needs two samples, so the ratio is empty and the tier never fires: \
         make the {} window at least `{}` (two scrape intervals) {}",
        which.as_str(),
        format_duration(scrape * 2),
        where_to_write(slo),
    ))
}

fn longer_than_period(
    slo: &Slo,
    tier: &BurnTier,
    which: Which,
    window: Duration,
    (span, project): (Span, Option<Span>),
) -> Diagnostic {
    let d = Diagnostic::error(
        ID,
        format!(
            "the {} window `{}` of tier `{}` of SLO `{}` is longer than its period `{}`",
            which.as_str(),
            format_duration(window),
            tier.kind.as_str(),
            slo.id,
            format_duration(slo.period),
        ),
    )
    .with_label(span, "this SLO's budget is spent over a shorter period");
    with_source(d, project).with_help(format!(
        "a burn rate is judged against the budget of one period: make the {} window at most \
         `{}` {}",
        which.as_str(),
        format_duration(slo.period),
        where_to_write(slo),
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a burn-rate window of an SLO tier (short or long, page or
    /// ticket) shorter than two scrape intervals (`scrape_interval` in the
    /// project file), or longer than the SLO's period.
    ///
    /// ## Why is this bad?
    /// A rate over a window with fewer than two samples returns nothing, so
    /// the tier's condition is never true and it never fires, however fast
    /// the budget burns. A window longer than the period mixes in errors the
    /// period's budget no longer counts, and the burn factor falls below 1:
    /// the tier fires for a budget that is not being spent too fast. The
    /// windows may be the SLO's own (`alerting.windows`), the project's
    /// `slo_windows` for the period, or the defaults scaled to a short
    /// period.
    ///
    /// ## Example
    /// ```yaml
    /// # promspec.yaml: scrape_interval: 1m
    /// period: 1d
    /// alerting:
    ///   windows:
    ///     page:
    ///       quick: {budget_consumed: 2%, short: 1m, long: 1h}
    ///     ticket:
    ///       slow: {budget_consumed: 10%, short: 6h, long: 3d}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// alerting:
    ///   windows:
    ///     page:
    ///       quick: {budget_consumed: 2%, short: 5m, long: 1h}
    ///     ticket:
    ///       slow: {budget_consumed: 10%, short: 2h, long: 1d}
    /// ```
    ///
    /// ## Options
    /// None; the scrape interval is the project's `scrape_interval`.
    pub struct WindowRange => Check::Workspace(check);
}

/// Report every tier window out of range.
pub fn check(ws: &Workspace, _sources: &SourceMap) -> Vec<Diagnostic> {
    let scrape = ws.project.scrape_interval;
    let mut out = Vec::new();
    for slo in ws.features.iter().flat_map(|f| &f.slos) {
        let spans = window_spans(ws, slo);
        for tier in &slo.tiers {
            for (which, window) in [
                (Which::Short, tier.window.short),
                (Which::Long, tier.window.long),
            ] {
                if !scrape.is_zero() && window < scrape * 2 {
                    out.push(shorter_than_two_scrapes(
                        slo, tier, which, window, scrape, spans,
                    ));
                } else if window > slo.period {
                    out.push(longer_than_period(slo, tier, which, window, spans));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test::{load, render};

    fn spec(period: &str, page_quick: &str, ticket_slow: &str) -> String {
        format!(
            "feature: shop\nteam: ops\nslos:\n  - id: checkout\n    objective: 99.9%\n    period: {period}\n    sli:\n      events:\n        errors: http_requests_total{{code=~\"5..\"}}\n        total: http_requests_total\n    alerting:\n      page: {{priority: P0}}\n      ticket: {{priority: P2}}\n      windows:\n        page:\n          quick: {{budget_consumed: 2%, {page_quick}}}\n          slow: {{budget_consumed: 5%, short: 30m, long: 6h}}\n        ticket:\n          quick: {{budget_consumed: 10%, short: 2h, long: 1d}}\n          slow: {{budget_consumed: 10%, {ticket_slow}}}\n"
        )
    }

    #[test]
    fn pass() {
        let (ws, sources) = load(&[(
            "shop",
            &spec("30d", "short: 5m, long: 1h", "short: 6h, long: 3d"),
        )]);
        assert_eq!(ws.features[0].slos[0].tiers.len(), 4);
        assert!(check(&ws, &sources).is_empty());
        // Exactly two scrape intervals is enough.
        let (ws, sources) = load(&[(
            "shop",
            &spec("30d", "short: 30s, long: 1h", "short: 6h, long: 30d"),
        )]);
        assert!(check(&ws, &sources).is_empty());
    }

    #[test]
    fn default_windows_of_a_short_period() {
        // A 1d period scales the 5m and 30m short windows of the page tiers
        // to 1m: fine at a 15s scrape, empty at a 1m scrape.
        let text = "feature: shop\nteam: ops\nslos:\n  - id: checkout\n    objective: 99%\n    period: 1d\n    sli: {availability: {series: up}}\n    alerting:\n      page: {priority: P0}\n";
        let (mut ws, sources) = load(&[("shop", text)]);
        assert!(check(&ws, &sources).is_empty());
        ws.project.scrape_interval = Duration::from_secs(60);
        let diags = check(&ws, &sources);
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "the short window `1m` of tier `page-quick` of SLO `checkout` is shorter than two scrape intervals (`1m`)",
                "the short window `1m` of tier `page-slow` of SLO `checkout` is shorter than two scrape intervals (`1m`)",
            ]
        );
    }

    #[test]
    fn fail() {
        let (ws, sources) = load(&[(
            "shop",
            &spec("7d", "short: 20s, long: 1h", "short: 6h, long: 8d"),
        )]);
        let diags = check(&ws, &sources);
        assert_eq!(diags.len(), 2);
        insta::assert_snapshot!(render(&diags, &sources));
    }
}
