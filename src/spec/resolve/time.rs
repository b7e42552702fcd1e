//! Time intervals, checked as Alertmanager 0.25 reads them.
//!
//! Alertmanager's `timeinterval` package refuses the whole configuration
//! when one value is wrong, so every rule it applies is applied here, at the
//! span of the value: times of day match `^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$`
//! and a range ends after it starts; weekdays are names (`monday`) or ranges
//! of names within one week, which runs from sunday to saturday; days of the
//! month are 1..31 or -31..-1 (counted from the end), and a range cannot end
//! before it starts in a 28-day month; months are names or numbers; years are
//! whole numbers; ranges are `start:end` and case does not matter. A month
//! outside 1..12, which Alertmanager accepts but never matches, is refused
//! too.
//!
//! The time zone is looked up like Go's `time.LoadLocation`: `UTC`, `Local`
//! or an exact (case-sensitive) IANA name, from `jiff`'s bundled copy of
//! the IANA database (which `routing::hours` also evaluates intervals with).
//!
//! Values are kept as written in the model even when wrong, so what an
//! unchecked build would emit can be reproduced; the error stops `build`.

use super::Resolver;
use crate::diag::Diagnostic;
use crate::spec::decode::did_you_mean;
use crate::spec::model::TimeRange;
use crate::spec::raw;

/// Alertmanager's weekday names, Sunday first (index = days from Sunday).
pub const WEEKDAYS: [&str; 7] = [
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
];

/// Alertmanager's month names, January first.
pub const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn invalid(value: &raw::Str, message: String, label: &str, help: impl Into<String>) -> Diagnostic {
    Diagnostic::error("spec/invalid-value", message)
        .with_label(value.span, label)
        .with_help(help)
}

fn bad_time_of_day(value: &raw::Str) -> Diagnostic {
    invalid(
        value,
        format!("`{}` is not a time of day", value.value),
        "expected HH:MM with two-digit hours",
        "write a 24-hour time with two digits for the hour, such as `09:00` or `18:30`; \
         `24:00` ends the day",
    )
}

fn time_range_backwards(end: &raw::Str, start: &raw::Str) -> Diagnostic {
    invalid(
        end,
        format!(
            "the time range `{}`–`{}` does not end after it starts",
            start.value, end.value
        ),
        "must be later than `start_time`",
        "Alertmanager refuses a range whose end is not after its start; a range across \
         midnight is two ranges, e.g. `22:00`–`24:00` and `00:00`–`06:00`",
    )
}

fn unknown_time_zone(value: &raw::Str, suggestion: Option<&str>) -> Diagnostic {
    let help = match suggestion {
        Some(best) => format!(
            "did you mean `{best}`? time zones are IANA names (`Area/City`), written exactly \
             as in the tz database"
        ),
        None => "write an IANA time zone name (`Area/City`) such as `Asia/Tokyo` or \
                 `Europe/Berlin`, or `UTC`"
            .to_string(),
    };
    invalid(
        value,
        format!("unknown time zone `{}`", value.value),
        "not in the IANA time zone database",
        help,
    )
}

/// Resolve one range of a time interval, reporting every value Alertmanager
/// would refuse.
pub(super) fn time_range(t: &raw::TimeRange, r: &mut Resolver) -> TimeRange {
    let list = |v: &Option<Vec<raw::Str>>| {
        v.iter()
            .flatten()
            .map(|s| s.value.clone())
            .collect::<Vec<_>>()
    };
    let mut times = Vec::new();
    for tod in t.times.iter().flatten() {
        let start = minute_of_day(&tod.start_time.value);
        let end = minute_of_day(&tod.end_time.value);
        if start.is_none() {
            r.report(bad_time_of_day(&tod.start_time));
        }
        if end.is_none() {
            r.report(bad_time_of_day(&tod.end_time));
        }
        if let (Some(start), Some(end)) = (start, end)
            && start >= end
        {
            r.report(time_range_backwards(&tod.end_time, &tod.start_time));
        }
        times.push((tod.start_time.value.clone(), tod.end_time.value.clone()));
    }
    for w in t.weekdays.iter().flatten() {
        if let Err(d) = weekday_range(w) {
            r.report(d);
        }
    }
    for d in t.days_of_month.iter().flatten() {
        if let Err(d) = day_of_month_range(d) {
            r.report(d);
        }
    }
    for m in t.months.iter().flatten() {
        if let Err(d) = month_range(m) {
            r.report(d);
        }
    }
    for y in t.years.iter().flatten() {
        if let Err(d) = year_range(y) {
            r.report(d);
        }
    }
    if let Some(location) = &t.location
        && let Err(suggestion) = time_zone(&location.value)
    {
        r.report(unknown_time_zone(location, suggestion.as_deref()));
    }
    TimeRange {
        times,
        weekdays: list(&t.weekdays),
        days_of_month: list(&t.days_of_month),
        months: list(&t.months),
        years: list(&t.years),
        location: t.location.as_ref().map(|l| l.value.clone()),
    }
}

/// Minutes since midnight of `HH:MM`, as Alertmanager's `parseTime` reads it.
fn minute_of_day(s: &str) -> Option<u32> {
    if s == "24:00" {
        return Some(24 * 60);
    }
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 5 || b[2] != b':' || !digits(0..2) || !digits(3..5) {
        return None;
    }
    let hours = u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0');
    let minutes = u32::from(b[3] - b'0') * 10 + u32::from(b[4] - b'0');
    (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
}

/// Split `start:end` (or a single member) after lower-casing, as
/// Alertmanager's `stringableRangeFromString` does.
fn split_range(value: &raw::Str, what: &str, example: &str) -> Result<Vec<String>, Diagnostic> {
    let lower = value.value.to_lowercase();
    let parts: Vec<String> = lower.split(':').map(str::to_string).collect();
    if parts.len() > 2 {
        return Err(invalid(
            value,
            format!("`{}` is not a {what} or range", value.value),
            "more than one `:`",
            format!(
                "a range has one start and one end, e.g. `{example}`; list separate ranges as separate items"
            ),
        ));
    }
    Ok(parts)
}

/// Go's `strconv.Atoi`: an optional sign and ASCII digits, nothing else.
fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn weekday_range(value: &raw::Str) -> Result<(), Diagnostic> {
    let parts = split_range(value, "weekday", "monday:friday")?;
    let mut days = Vec::new();
    for part in &parts {
        match WEEKDAYS.iter().position(|d| d == part) {
            Some(i) => days.push(i),
            None => {
                let help = match did_you_mean(part, WEEKDAYS) {
                    Some(best) => format!("did you mean `{best}`? weekdays are written as full English names, e.g. `monday` or `monday:friday`"),
                    None => "weekdays are written as full English names, e.g. `monday` or `monday:friday`".to_string(),
                };
                return Err(invalid(
                    value,
                    format!("`{}` is not a weekday or range", value.value),
                    &format!("`{part}` is not a weekday"),
                    help,
                ));
            }
        }
    }
    if let [start, end] = days[..]
        && start > end
    {
        return Err(invalid(
            value,
            format!("the weekday range `{}` ends before it starts", value.value),
            "Alertmanager's week runs from sunday to saturday",
            format!(
                "a range cannot wrap around the week: list `{}:saturday` and `sunday:{}` separately",
                WEEKDAYS[start], WEEKDAYS[end]
            ),
        ));
    }
    Ok(())
}

fn day_of_month_range(value: &raw::Str) -> Result<(), Diagnostic> {
    let parts = split_range(value, "day of the month", "1:15")?;
    let mut days = Vec::new();
    for part in &parts {
        match atoi(part) {
            Some(d) if d != 0 && (-31..=31).contains(&d) => days.push(d),
            _ => {
                return Err(invalid(
                    value,
                    format!("`{}` is not a day of the month or range", value.value),
                    &format!("`{part}` is not a day of the month"),
                    "write a number from 1 to 31, or from -1 (the last day) to -31, \
                     or a range such as `1:15` or `-7:-1`",
                ));
            }
        }
    }
    if let [start, end] = days[..] {
        if start < 0 && end > 0 {
            return Err(invalid(
                value,
                format!(
                    "the day-of-month range `{}` starts from the end of the month but ends from its start",
                    value.value
                ),
                "the end must be negative too",
                "count both ends from the end of the month (`-7:-1`) or both from its start (`20:31`)",
            ));
        }
        // Alertmanager's own check, with its arithmetic (`-1` counts as 27).
        let in_short_month = |d: i64| if d < 0 { 28 + d } else { d };
        if in_short_month(start) > in_short_month(end) {
            return Err(invalid(
                value,
                format!(
                    "the day-of-month range `{}` ends before it starts",
                    value.value
                ),
                "empty in a 28-day month",
                "Alertmanager refuses a range that ends before it starts in a 28-day month; \
                 swap the ends or split the range",
            ));
        }
    }
    Ok(())
}

fn month_range(value: &raw::Str) -> Result<(), Diagnostic> {
    let parts = split_range(value, "month", "january:march")?;
    let mut months = Vec::new();
    for part in &parts {
        let month = MONTHS
            .iter()
            .position(|m| m == part)
            .map(|i| i as i64 + 1)
            .or_else(|| atoi(part));
        match month {
            Some(m) if (1..=12).contains(&m) => months.push(m),
            Some(_) => {
                return Err(invalid(
                    value,
                    format!("`{}` is not a month or range", value.value),
                    &format!("`{part}` is not a month number: months run from 1 to 12"),
                    "Alertmanager never matches a month outside 1..12; write 1..12 or a name such as `march`",
                ));
            }
            None => {
                let help = match did_you_mean(part, MONTHS) {
                    Some(best) => format!("did you mean `{best}`? months are full English names or numbers 1..12"),
                    None => "months are full English names (`march`) or numbers 1..12, or ranges such as `january:march`".to_string(),
                };
                return Err(invalid(
                    value,
                    format!("`{}` is not a month or range", value.value),
                    &format!("`{part}` is not a month"),
                    help,
                ));
            }
        }
    }
    if let [start, end] = months[..]
        && start > end
    {
        return Err(invalid(
            value,
            format!("the month range `{}` ends before it starts", value.value),
            "a range cannot wrap around the year",
            format!(
                "list `{}:december` and `january:{}` separately",
                MONTHS[start as usize - 1],
                MONTHS[end as usize - 1]
            ),
        ));
    }
    Ok(())
}

fn year_range(value: &raw::Str) -> Result<(), Diagnostic> {
    let parts = split_range(value, "year", "2026:2027")?;
    let mut years = Vec::new();
    for part in &parts {
        match atoi(part) {
            Some(y) => years.push(y),
            None => {
                return Err(invalid(
                    value,
                    format!("`{}` is not a year or range", value.value),
                    &format!("`{part}` is not a number"),
                    "write a year such as `2026` or a range such as `2026:2027`",
                ));
            }
        }
    }
    if let [start, end] = years[..]
        && start > end
    {
        return Err(invalid(
            value,
            format!("the year range `{}` ends before it starts", value.value),
            "always empty",
            "write the earlier year first",
        ));
    }
    Ok(())
}

/// Whether Go's `time.LoadLocation` (as Alertmanager calls it) accepts
/// `name`; on failure, the name the operator probably meant.
fn time_zone(name: &str) -> Result<(), Option<String>> {
    if matches!(name, "" | "UTC" | "Local") {
        return Ok(());
    }
    let db = jiff::tz::db();
    let names: Vec<String> = db.available().map(|n| n.as_str().to_string()).collect();
    if names.iter().any(|n| n == name) {
        return Ok(());
    }
    Err(suggest_time_zone(name, &names))
}

fn suggest_time_zone(name: &str, names: &[String]) -> Option<String> {
    let wanted = name.trim().replace(' ', "_");
    // Right name, wrong case: `asia/tokyo`.
    if let Some(exact) = names.iter().find(|n| n.eq_ignore_ascii_case(&wanted)) {
        return Some(exact.clone());
    }
    // A city without its area: `Berlin`, `new york`.
    let city = names.iter().filter(|n| n.contains('/')).find(|n| {
        n.rsplit('/')
            .next()
            .is_some_and(|c| c.eq_ignore_ascii_case(&wanted))
    });
    if let Some(city) = city {
        return Some(city.clone());
    }
    did_you_mean(&wanted, names.iter().map(String::as_str)).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_follow_alertmanager() {
        assert_eq!(minute_of_day("00:00"), Some(0));
        assert_eq!(minute_of_day("09:30"), Some(570));
        assert_eq!(minute_of_day("24:00"), Some(1440));
        for bad in [
            "9:00", "24:01", "25:00", "09:60", "0900", "+9:00", "09:00 ", "",
        ] {
            assert_eq!(minute_of_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn time_zones_are_exact_iana_names() {
        for ok in [
            "Asia/Tokyo",
            "Europe/Berlin",
            "UTC",
            "Local",
            "",
            "Japan",
            "Etc/GMT+9",
        ] {
            assert_eq!(time_zone(ok), Ok(()), "{ok}");
        }
        assert_eq!(time_zone("Berlin"), Err(Some("Europe/Berlin".into())));
        assert_eq!(time_zone("asia/tokyo"), Err(Some("Asia/Tokyo".into())));
        assert_eq!(time_zone("New York"), Err(Some("America/New_York".into())));
        assert!(time_zone("../etc/passwd").is_err());
    }

    fn value(text: &str) -> raw::Str {
        crate::source::Spanned {
            value: text.to_string(),
            span: crate::source::Span::new(crate::source::SourceId::default(), 0..text.len()),
        }
    }

    #[test]
    fn ranges_follow_alertmanager() {
        for ok in [
            "monday",
            "Monday:FRIDAY",
            "sunday:saturday",
            "friday:friday",
        ] {
            assert!(weekday_range(&value(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "saturday:sunday",
            "1",
            "mon",
            "monday:tuesday:friday",
            " monday",
        ] {
            assert!(weekday_range(&value(bad)).is_err(), "{bad}");
        }
        for ok in ["1", "-1", "1:31", "5:-1", "-7:-1", "20:-8"] {
            assert!(day_of_month_range(&value(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "0", "32", "-32", "-1:5", "20:-15", "-3:-5", "20:-9", "first",
        ] {
            assert!(day_of_month_range(&value(bad)).is_err(), "{bad}");
        }
        for ok in ["january", "1:december", "March:MAY", "12"] {
            assert!(month_range(&value(ok)).is_ok(), "{ok}");
        }
        for bad in ["0", "13", "jan", "december:january"] {
            assert!(month_range(&value(bad)).is_err(), "{bad}");
        }
        for ok in ["2026", "2026:2027", "-5", "+2026"] {
            assert!(year_range(&value(ok)).is_ok(), "{ok}");
        }
        for bad in ["2027:2026", "next", "2026.5"] {
            assert!(year_range(&value(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn atoi_is_gos() {
        assert_eq!(atoi("-1"), Some(-1));
        assert_eq!(atoi("+5"), Some(5));
        assert_eq!(atoi(" 5"), None);
        assert_eq!(atoi("5a"), None);
        assert_eq!(atoi("-"), None);
    }
}
