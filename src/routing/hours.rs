//! Whether a route notifies at a given instant: time intervals evaluated as
//! Alertmanager 0.25 does (`timeinterval/timeinterval.go`). An interval
//! holds when any of its ranges holds; a range holds when each of its
//! fields (times of day, weekdays, days of the month, months, years) is
//! empty or contains the instant, in the range's `location` (UTC unless
//! set). A route is muted while the instant is in one of its mute
//! intervals, or outside all of its active intervals when it has some.
//!
//! Values are those promspec checked when resolving the specs; an interval
//! read from a file is evaluated leniently (a value that cannot be read
//! never holds).

use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};

use crate::spec::model::{TimeInterval, TimeRange};
use crate::spec::resolve::{MONTHS, WEEKDAYS};

/// Why a route does or does not notify at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// It notifies.
    Notifies,
    /// Outside every one of its active intervals (their names).
    OutsideActive(Vec<String>),
    /// Inside this mute interval.
    InsideMute(String),
}

/// The state at `at` of a route with these intervals; `intervals` are the
/// configuration's definitions (an undefined name never holds).
pub fn state(
    active: &[String],
    mute: &[String],
    intervals: &[TimeInterval],
    at: Timestamp,
) -> State {
    let holds = |name: &String| {
        intervals
            .iter()
            .find(|i| &i.name == name)
            .is_some_and(|i| contains(i, at))
    };
    if let Some(m) = mute.iter().find(|m| holds(m)) {
        return State::InsideMute(m.clone());
    }
    if !active.is_empty() && !active.iter().any(holds) {
        return State::OutsideActive(active.to_vec());
    }
    State::Notifies
}

/// Whether `interval` holds at `at`.
pub fn contains(interval: &TimeInterval, at: Timestamp) -> bool {
    interval.ranges.iter().any(|r| range_contains(r, at))
}

fn zone(location: &Option<String>) -> Option<TimeZone> {
    match location.as_deref() {
        None | Some("") | Some("UTC") => Some(TimeZone::UTC),
        Some("Local") => Some(TimeZone::system()),
        Some(name) => TimeZone::get(name).ok(),
    }
}

fn range_contains(r: &TimeRange, at: Timestamp) -> bool {
    let Some(tz) = zone(&r.location) else {
        return false;
    };
    let t = at.to_zoned_datetime(tz);
    let minute = i32::from(t.hour()) * 60 + i32::from(t.minute());
    let times = r.times.is_empty()
        || r.times.iter().any(|(start, end)| {
            matches!((minutes(start), minutes(end)), (Some(s), Some(e)) if s <= minute && minute < e)
        });
    let weekday = i32::from(t.weekday().to_sunday_zero_offset());
    let weekdays = r.weekdays.is_empty()
        || r.weekdays
            .iter()
            .any(|w| in_range(w, weekday, |v| named(v, &WEEKDAYS, 0)));
    let days = r.days_of_month.is_empty() || r.days_of_month.iter().any(|d| day_matches(d, &t));
    let month = i32::from(t.month());
    let months = r.months.is_empty()
        || r.months.iter().any(|m| {
            in_range(m, month, |v| {
                named(v, &MONTHS, 1).or_else(|| v.parse().ok())
            })
        });
    let year = i32::from(t.year());
    let years = r.years.is_empty()
        || r.years
            .iter()
            .any(|y| in_range(y, year, |v| v.parse().ok()));
    times && weekdays && days && months && years
}

/// `HH:MM` as minutes of the day (`24:00` is 1440).
fn minutes(hhmm: &str) -> Option<i32> {
    let (h, m) = hhmm.split_once(':')?;
    Some(h.parse::<i32>().ok()? * 60 + m.parse::<i32>().ok()?)
}

fn named(value: &str, names: &[&str], first: i32) -> Option<i32> {
    let lower = value.to_ascii_lowercase();
    names
        .iter()
        .position(|n| *n == lower)
        .map(|i| i as i32 + first)
}

/// Whether `value` lies in `spec`, a single value or `start:end` (inclusive).
fn in_range(spec: &str, value: i32, parse: impl Fn(&str) -> Option<i32>) -> bool {
    let (start, end) = spec.split_once(':').unwrap_or((spec, spec));
    match (parse(start.trim()), parse(end.trim())) {
        (Some(s), Some(e)) => s <= value && value <= e,
        _ => false,
    }
}

/// Days of the month, negative ones counted from the month's end (`-1`
/// is its last day), as Alertmanager clamps them.
fn day_matches(spec: &str, t: &ZonedDateTime) -> bool {
    let len = i32::from(t.days_in_month());
    let absolute = |v: &str| -> Option<i32> {
        let n: i32 = v.parse().ok()?;
        Some(if n < 0 {
            (len + n + 1).max(1)
        } else {
            n.min(len)
        })
    };
    in_range(spec, i32::from(t.day()), absolute)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn business_hours() -> TimeInterval {
        TimeInterval {
            name: "business-hours".into(),
            ranges: vec![TimeRange {
                times: vec![("09:00".into(), "18:00".into())],
                weekdays: vec!["monday:friday".into()],
                location: Some("Asia/Tokyo".into()),
                ..TimeRange::default()
            }],
            span: crate::source::Span::default(),
        }
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn business_hours_in_their_time_zone() {
        let b = business_hours();
        // Monday 10:00 in Tokyo is Monday 01:00 UTC.
        assert!(contains(&b, at("2024-06-03T01:00:00Z")));
        // Monday 18:00 in Tokyo: the end is exclusive.
        assert!(!contains(&b, at("2024-06-03T09:00:00Z")));
        // Saturday 10:00 in Tokyo.
        assert!(!contains(&b, at("2024-06-08T01:00:00Z")));
        // Sunday 23:30 UTC is Monday 08:30 in Tokyo: too early.
        assert!(!contains(&b, at("2024-06-02T23:30:00Z")));
    }

    #[test]
    fn active_and_mute_intervals() {
        let all = [business_hours()];
        let names = vec!["business-hours".to_string()];
        let saturday = at("2024-06-08T01:00:00Z");
        let monday = at("2024-06-03T01:00:00Z");
        assert_eq!(
            state(&names, &[], &all, saturday),
            State::OutsideActive(names.clone())
        );
        assert_eq!(state(&names, &[], &all, monday), State::Notifies);
        assert_eq!(
            state(&[], &names, &all, monday),
            State::InsideMute("business-hours".into())
        );
        assert_eq!(state(&[], &[], &all, saturday), State::Notifies);
    }

    #[test]
    fn days_months_and_years() {
        let t = at("2024-02-29T12:00:00Z").to_zoned_datetime(TimeZone::UTC);
        assert!(day_matches("-1", &t));
        assert!(day_matches("20:-1", &t));
        assert!(!day_matches("1:28", &t));
        let range = TimeRange {
            months: vec!["january:march".into()],
            years: vec!["2024".into()],
            ..TimeRange::default()
        };
        assert!(range_contains(&range, at("2024-02-29T12:00:00Z")));
        assert!(!range_contains(&range, at("2025-02-28T12:00:00Z")));
        assert!(!range_contains(&range, at("2024-04-01T12:00:00Z")));
    }
}
