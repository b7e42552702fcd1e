//! Default burn-rate windows: the SRE workbook's table for 30 and 28 days,
//! scaled to any other period.
//!
//! Reference: <https://sre.google/workbook/alerting-on-slos/> ("Recommended
//! parameters for an SLO-based alert"), the windows Sloth ships as
//! `google-30d` and `google-28d`.

use std::time::Duration;

use super::model::{BurnWindow, TierKind};

const MINUTE: u64 = 60;
const HOUR: u64 = 3600;
const DAY: u64 = 86400;

/// The workbook's windows, (budget consumed, short, long) per tier, fastest first.
const WORKBOOK: [(f64, u64, u64); 4] = [
    (0.02, 5 * MINUTE, HOUR),
    (0.05, 30 * MINUTE, 6 * HOUR),
    (0.10, 2 * HOUR, DAY),
    (0.10, 6 * HOUR, 3 * DAY),
];

/// The period the workbook's windows are written for.
pub const WORKBOOK_PERIOD: Duration = Duration::from_secs(30 * DAY);

/// Whether `period` is one the workbook's table is meant for (30 or 28 days).
pub fn is_workbook_period(period: Duration) -> bool {
    period == WORKBOOK_PERIOD || period == Duration::from_secs(28 * DAY)
}

fn workbook(kind: TierKind) -> BurnWindow {
    let (budget_consumed, short, long) = WORKBOOK[kind as usize];
    BurnWindow {
        budget_consumed,
        short: Duration::from_secs(short),
        long: Duration::from_secs(long),
    }
}

/// The default window of `kind` for `period`: the workbook's for 30 and 28
/// days; otherwise the 30-day windows scaled by `period / 30d` and rounded
/// to whole minutes (at least one), with the same budget shares — so the
/// burn factors stay close to the workbook's.
pub fn default_window(kind: TierKind, period: Duration) -> BurnWindow {
    let w = workbook(kind);
    if is_workbook_period(period) {
        return w;
    }
    let scale = period.as_secs_f64() / WORKBOOK_PERIOD.as_secs_f64();
    let round = |d: Duration| {
        let minutes = (d.as_secs_f64() * scale / MINUTE as f64).round().max(1.0);
        Duration::from_secs(minutes as u64 * MINUTE)
    };
    BurnWindow {
        budget_consumed: w.budget_consumed,
        short: round(w.short),
        long: round(w.long),
    }
}

/// The default `for` of a tier: half its short window in whole minutes, at
/// least `floor` — Pyrra's 2m, 15m, 1h and 3h for the workbook windows.
pub fn default_for(window: &BurnWindow, floor: Duration) -> Duration {
    let half_minutes = window.short.as_secs() / 2 / MINUTE;
    Duration::from_secs(half_minutes * MINUTE).max(floor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(n: u64) -> Duration {
        Duration::from_secs(n * DAY)
    }

    #[test]
    fn workbook_factors() {
        let factors: Vec<f64> = TierKind::ALL
            .map(|k| default_window(k, days(30)).factor(days(30)))
            .to_vec();
        assert_eq!(factors, [14.4, 6.0, 3.0, 1.0]);
        let factors: Vec<f64> = TierKind::ALL
            .map(|k| default_window(k, days(28)).factor(days(28)))
            .to_vec();
        assert_eq!(factors, [13.44, 5.6, 2.8, 0.933333333333]);
    }

    #[test]
    fn scaled_windows_keep_factors_close() {
        let w = default_window(TierKind::PageQuick, days(7));
        assert_eq!(w.short, Duration::from_secs(60));
        assert_eq!(w.long, Duration::from_secs(14 * 60));
        let w = default_window(TierKind::TicketSlow, days(7));
        assert_eq!(w.long, Duration::from_secs(1008 * 60));
        assert!((w.factor(days(7)) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn pyrra_for() {
        let fors: Vec<u64> = TierKind::ALL
            .map(|k| default_for(&default_window(k, days(28)), Duration::from_secs(60)).as_secs())
            .to_vec();
        assert_eq!(fors, [120, 900, 3600, 3 * 3600]);
    }
}
