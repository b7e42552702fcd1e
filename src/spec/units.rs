//! Units operators think in: durations, percentages, bytes, rates.
//!
//! Parses the value of a threshold level (`3s`, `500ms`, `5%`, `512MiB`,
//! `1000/min`) into the number the PromQL query returns, for the
//! threshold's [`Unit`], and renders numbers back for humans.

use std::fmt;
use std::time::Duration;

/// What a threshold's query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unit {
    /// Seconds; values as durations (`3s`, `500ms`) or numbers.
    Seconds,
    /// A fraction 0..1; values as `5%` or `0.05`.
    Ratio,
    /// A percentage 0..100; values as `80%` or `80`.
    Percent,
    /// Bytes; values as `512MiB`, `2GB` or numbers.
    Bytes,
    /// Bytes per second; values as `10MiB/s`, `1GB/min` or numbers.
    BytesPerSecond,
    /// Events per second; values as `5/s`, `1000/min`, `3/h`, `1/d` or numbers.
    PerSecond,
    /// A plain number.
    Count,
}

impl Unit {
    /// Every unit with its spec name.
    pub const ALL: [(&'static str, Unit); 7] = [
        ("seconds", Unit::Seconds),
        ("ratio", Unit::Ratio),
        ("percent", Unit::Percent),
        ("bytes", Unit::Bytes),
        ("bytes_per_second", Unit::BytesPerSecond),
        ("per_second", Unit::PerSecond),
        ("count", Unit::Count),
    ];

    /// Parse a spec unit name.
    pub fn parse(name: &str) -> Option<Unit> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, u)| *u)
    }

    /// The spec name of the unit.
    pub fn name(&self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, u)| u == self)
            .map(|(n, _)| *n)
            .unwrap_or("count")
    }

    /// What a value in this unit may look like, for help texts.
    pub fn examples(&self) -> &'static str {
        match self {
            Unit::Seconds => "a duration such as `500ms`, `3s`, `2m`, or a number of seconds",
            Unit::Ratio => "a percentage such as `5%`, or a fraction such as `0.05`",
            Unit::Percent => "a percentage such as `80%`, or a number such as `80`",
            Unit::Bytes => "a size such as `512MiB`, `2GB`, or a number of bytes",
            Unit::BytesPerSecond => "a rate such as `10MiB/s`, `1GB/min`, or bytes per second",
            Unit::PerSecond => {
                "a rate such as `5/s`, `1000/min`, `3/h`, `1/d`, or a number per second"
            }
            Unit::Count => "a number such as `80` or `0.5`",
        }
    }

    /// The largest meaningful value, if the unit is bounded.
    pub fn upper_bound(&self) -> Option<f64> {
        match self {
            Unit::Ratio => Some(1.0),
            Unit::Percent => Some(100.0),
            _ => None,
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a value could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitError {
    /// What is wrong, e.g. "`5%` is not a size".
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// Parse a plain decimal number, rejecting YAML 1.1 surprises (`010`, `0x1F`, `1_000`).
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty()
        || !digits.bytes().all(|b| {
            b.is_ascii_digit() || b == b'.' || b == b'e' || b == b'E' || b == b'-' || b == b'+'
        })
        || !digits.as_bytes()[0].is_ascii_digit() && digits.as_bytes()[0] != b'.'
    {
        return None;
    }
    let int_part = digits.split(['.', 'e', 'E']).next().unwrap_or("");
    if int_part.len() > 1 && int_part.starts_with('0') {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Parse a Prometheus duration (`500ms`, `30s`, `5m`, `1h30m`, `2d`, `1w`, `1y`),
/// ignoring surrounding whitespace.
pub fn parse_duration(text: &str) -> Option<Duration> {
    crate::promql::parse_duration(text.trim())
}

/// Render a duration the Prometheus way (`1h30m`, `500ms`, `0s`).
pub fn format_duration(d: Duration) -> String {
    crate::promql::format_duration(d)
}

/// Parse a threshold value written in `unit` into the number the query returns.
pub fn parse_value(text: &str, unit: Unit) -> Result<f64, UnitError> {
    let t = text.trim();
    let fail = |what: &str| UnitError {
        message: format!("`{t}` is not {what}"),
        help: format!(
            "the threshold's unit is `{unit}`: write {}",
            unit.examples()
        ),
    };
    let value = parse_in_unit(t, unit, fail)?;
    check_magnitude(t, value, unit)?;
    Ok(value)
}

/// The largest number of seconds a threshold may hold: what a Go
/// `time.Duration` (and so Prometheus' `humanizeDuration` and `for:`) can
/// represent, about 292 years.
pub const MAX_SECONDS: f64 = 9_223_372_036.0;

/// Refuse values no query can meaningfully be compared with: numbers that
/// overflow once scaled by their suffix (1 followed by 305 zeros, in `PiB`), and durations longer
/// than Prometheus can represent.
fn check_magnitude(t: &str, value: f64, unit: Unit) -> Result<(), UnitError> {
    if !value.is_finite() {
        return Err(UnitError {
            message: format!("`{t}` is too large to be a number"),
            help: format!(
                "the threshold's unit is `{unit}`: write {}",
                unit.examples()
            ),
        });
    }
    if unit == Unit::Seconds && value.abs() > MAX_SECONDS {
        return Err(UnitError {
            message: format!("`{t}` is longer than Prometheus can represent"),
            help: "a duration threshold must be at most 292 years (9223372036 seconds); \
                   check the value and its suffix"
                .to_string(),
        });
    }
    Ok(())
}

fn parse_in_unit(t: &str, unit: Unit, fail: impl Fn(&str) -> UnitError) -> Result<f64, UnitError> {
    if let Some(n) = parse_number(t) {
        return Ok(n);
    }
    if has_leading_zero(t) {
        return Err(UnitError {
            message: format!("`{t}` has a leading zero"),
            help: format!(
                "YAML 1.1 tools read `{t}` as an octal number and YAML 1.2 tools as a decimal one; write it without the leading zero"
            ),
        });
    }
    match unit {
        Unit::Seconds => parse_duration(t)
            .map(|d| d.as_secs_f64())
            .ok_or_else(|| fail("a duration")),
        Unit::Ratio => parse_percent(t)
            .map(|p| p / 100.0)
            .ok_or_else(|| fail("a percentage or a fraction")),
        Unit::Percent => parse_percent(t).ok_or_else(|| fail("a percentage")),
        Unit::Bytes => parse_bytes(t).ok_or_else(|| fail("a size")),
        Unit::BytesPerSecond => {
            let (amount, per) = t.split_once('/').ok_or_else(|| fail("a rate of bytes"))?;
            let bytes = parse_bytes(amount).ok_or_else(|| fail("a rate of bytes"))?;
            let secs = per_seconds(per).ok_or_else(|| fail("a rate of bytes"))?;
            Ok(bytes / secs)
        }
        Unit::PerSecond => {
            let (amount, per) = t.split_once('/').ok_or_else(|| fail("a rate"))?;
            let n = parse_number(amount).ok_or_else(|| fail("a rate"))?;
            let secs = per_seconds(per).ok_or_else(|| fail("a rate"))?;
            Ok(n / secs)
        }
        Unit::Count => Err(fail("a number")),
    }
}

fn has_leading_zero(t: &str) -> bool {
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

fn parse_percent(t: &str) -> Option<f64> {
    parse_number(t.strip_suffix('%')?.trim_end())
}

fn parse_bytes(t: &str) -> Option<f64> {
    let t = t.trim();
    let split = t.find(|c: char| c.is_ascii_alphabetic())?;
    let n = parse_number(t[..split].trim_end())?;
    let factor: f64 = match &t[split..] {
        "B" => 1.0,
        "kB" | "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        "PB" => 1e15,
        "KiB" => 1024.0,
        "MiB" => 1024f64.powi(2),
        "GiB" => 1024f64.powi(3),
        "TiB" => 1024f64.powi(4),
        "PiB" => 1024f64.powi(5),
        _ => return None,
    };
    Some(n * factor)
}

fn per_seconds(per: &str) -> Option<f64> {
    Some(match per.trim() {
        "s" | "sec" | "second" => 1.0,
        "m" | "min" | "minute" => 60.0,
        "h" | "hour" => 3600.0,
        "d" | "day" => 86400.0,
        _ => return None,
    })
}

/// Render a number without float noise (`0.05`, `3`, `1e-06`).
pub fn format_number(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let s = format!("{v}");
    if s.len() > 12 {
        // Round away binary noise such as 0.30000000000000004.
        let r: f64 = format!("{v:.10}").parse().unwrap_or(v);
        return format!("{r}");
    }
    s
}

/// Render a value of `unit` for humans (`3s`, `5%`, `512MiB`, `16.67/s`).
pub fn humanize(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Seconds => {
            if value > 0.0 && value < 1.0 {
                format!(
                    "{}ms",
                    format_number((value * 1000.0 * 1000.0).round() / 1000.0)
                )
            } else if let Some(d) = (value >= 60.0 && (value / 60.0).fract() == 0.0
                || value >= 3600.0)
                .then(|| Duration::try_from_secs_f64(value).ok())
                .flatten()
            {
                format_duration(d)
            } else {
                format!("{}s", format_number(value))
            }
        }
        Unit::Ratio => format!("{}%", format_number(round_sig(value * 100.0))),
        Unit::Percent => format!("{}%", format_number(round_sig(value))),
        Unit::Bytes => humanize_bytes(value),
        Unit::BytesPerSecond => format!("{}/s", humanize_bytes(value)),
        Unit::PerSecond => format!("{}/s", format_number(round_sig(value))),
        Unit::Count => format_number(round_sig(value)),
    }
}

fn round_sig(v: f64) -> f64 {
    if v == 0.0 {
        return 0.0;
    }
    let digits = 6 - v.abs().log10().ceil() as i32;
    let f = 10f64.powi(digits.max(0));
    (v * f).round() / f
}

fn humanize_bytes(v: f64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut x = v;
    let mut i = 0;
    while x.abs() >= 1024.0 && i < UNITS.len() - 1 {
        x /= 1024.0;
        i += 1;
    }
    format!("{}{}", format_number(round_sig(x)), UNITS[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_operator_units() {
        assert_eq!(parse_value("3s", Unit::Seconds), Ok(3.0));
        assert_eq!(parse_value("500ms", Unit::Seconds), Ok(0.5));
        assert_eq!(parse_value("2m", Unit::Seconds), Ok(120.0));
        assert_eq!(parse_value("5%", Unit::Ratio), Ok(0.05));
        assert_eq!(parse_value("0.05", Unit::Ratio), Ok(0.05));
        assert_eq!(parse_value("80%", Unit::Percent), Ok(80.0));
        assert_eq!(parse_value("512MiB", Unit::Bytes), Ok(536870912.0));
        assert_eq!(parse_value("2GB", Unit::Bytes), Ok(2e9));
        assert_eq!(
            parse_value("1000/min", Unit::PerSecond).map(|v| (v * 1e6).round()),
            Ok(16666667.0)
        );
        assert_eq!(parse_value("80", Unit::Count), Ok(80.0));
    }

    #[test]
    fn values_that_do_not_fit_the_unit() {
        let e = parse_value("5%", Unit::Bytes).unwrap_err();
        assert_eq!(e.message, "`5%` is not a size");
        assert!(parse_value("3s", Unit::Ratio).is_err());
        assert!(parse_value("3x", Unit::Seconds).is_err());
        assert!(
            parse_value("010", Unit::Count).is_err(),
            "leading zero is ambiguous"
        );
        assert!(parse_value("0x10", Unit::Count).is_err());
    }

    #[test]
    fn durations_roundtrip() {
        for s in ["500ms", "30s", "5m", "1h30m", "2d", "1w"] {
            assert_eq!(format_duration(parse_duration(s).unwrap()), s);
        }
        assert!(parse_duration("5m1h").is_none());
        assert!(parse_duration("5").is_none());
        assert!(parse_duration("-5m").is_none());
    }

    #[test]
    fn absurd_values_are_refused() {
        for text in ["1e20", "1.8e19", "18446744073709551616", "-1e20"] {
            let e = parse_value(text, Unit::Seconds).unwrap_err();
            assert!(
                e.message.contains("longer than Prometheus"),
                "{text}: {e:?}"
            );
        }
        let huge = format!("1{}PiB", "0".repeat(305));
        let e = parse_value(&huge, Unit::Bytes).unwrap_err();
        assert!(e.message.contains("too large"), "{e:?}");
        assert!(parse_value("1e308/s", Unit::PerSecond).is_ok());
        assert_eq!(parse_value("1e20", Unit::Count), Ok(1e20));
        assert_eq!(
            parse_value("292y", Unit::Seconds),
            Ok(292.0 * 365.0 * 86400.0)
        );
    }

    #[test]
    fn humanizing_is_total() {
        for v in [
            1e20,
            1.8e19,
            18446744073709551616.0,
            -1e20,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            for (_, unit) in Unit::ALL {
                assert!(!humanize(v, unit).is_empty());
            }
        }
        assert_eq!(humanize(1e20, Unit::Seconds), "100000000000000000000s");
    }

    #[test]
    fn humanized_values() {
        assert_eq!(humanize(3.0, Unit::Seconds), "3s");
        assert_eq!(humanize(0.5, Unit::Seconds), "500ms");
        assert_eq!(humanize(120.0, Unit::Seconds), "2m");
        assert_eq!(humanize(0.05, Unit::Ratio), "5%");
        assert_eq!(humanize(0.015, Unit::Ratio), "1.5%");
        assert_eq!(humanize(536870912.0, Unit::Bytes), "512MiB");
        assert_eq!(humanize(0.1 + 0.2, Unit::Count), "0.3");
    }
}
