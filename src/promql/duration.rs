//! Prometheus durations: `5m`, `1h30m`, `500ms`, `2w`, `1y`.
//!
//! Same rules as Prometheus' `model.ParseDuration` and `Duration.String`: units
//! `y` (365d), `w`, `d`, `h`, `m`, `s`, `ms`, each at most once and in that
//! order, integer amounts only.

use std::time::Duration;

const UNITS: [(&str, u64); 7] = [
    ("y", 365 * 24 * 3_600_000),
    ("w", 7 * 24 * 3_600_000),
    ("d", 24 * 3_600_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

/// Parses a Prometheus duration such as `5m`, `1h30m` or `500ms`.
///
/// Returns `None` for anything Prometheus rejects: an empty string, a unit out
/// of order or repeated, a fraction (`1.5h`), an unknown unit, an overflow.
/// `0` (without a unit) is accepted, as in Prometheus.
pub fn parse_duration(s: &str) -> Option<Duration> {
    if s == "0" {
        return Some(Duration::ZERO);
    }
    if s.is_empty() {
        return None;
    }
    let bytes = s.as_bytes();
    let mut pos = 0;
    let mut next_unit = 0; // index into UNITS: units must come in order
    let mut total_ms: u64 = 0;
    while pos < bytes.len() {
        let digits_start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        if pos == digits_start {
            return None;
        }
        let amount: u64 = s[digits_start..pos].parse().ok()?;
        let rest = &s[pos..];
        let index = (next_unit..UNITS.len()).find(|&i| {
            let unit = UNITS[i].0;
            // `m` must not swallow the `m` of `ms`.
            rest.starts_with(unit) && !(unit == "m" && rest.starts_with("ms"))
        })?;
        let (unit, ms) = UNITS[index];
        pos += unit.len();
        next_unit = index + 1;
        total_ms = total_ms.checked_add(amount.checked_mul(ms)?)?;
    }
    // Prometheus stores durations as int64 nanoseconds.
    if total_ms > (i64::MAX as u64) / 1_000_000 {
        return None;
    }
    Some(Duration::from_millis(total_ms))
}

/// Formats a duration the way Prometheus prints it: `1h30m`, `500ms`, `0s`.
///
/// Years and weeks are used only when they divide the duration exactly
/// (`90d`, not `12w6d`); sub-millisecond parts are dropped.
pub fn format_duration(d: Duration) -> String {
    let mut ms = d.as_millis();
    if ms == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (unit, mult) in UNITS {
        let mult = u128::from(mult);
        let exact_only = unit == "y" || unit == "w";
        if exact_only && !ms.is_multiple_of(mult) {
            continue;
        }
        let amount = ms / mult;
        if amount > 0 {
            out.push_str(&amount.to_string());
            out.push_str(unit);
            ms -= amount * mult;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prometheus_durations() {
        let cases = [
            ("5m", 300_000),
            ("1h30m", 5_400_000),
            ("500ms", 500),
            ("1m500ms", 60_500),
            ("2w", 14 * 86_400_000),
            ("1y", 365 * 86_400_000),
            ("1d2h3m4s5ms", 93_784_005),
            ("0", 0),
            ("0s", 0),
        ];
        for (text, ms) in cases {
            assert_eq!(
                parse_duration(text),
                Some(Duration::from_millis(ms)),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_what_prometheus_rejects() {
        for text in [
            "", "5", "1.5h", "5x", "m", "30m1h", "1h1h", "5M", " 5m", "5m ", "-5m",
        ] {
            assert_eq!(parse_duration(text), None, "{text:?}");
        }
        assert_eq!(parse_duration("99999999999999999999y"), None);
    }

    #[test]
    fn formats_like_prometheus() {
        let cases = [
            (0, "0s"),
            (500, "500ms"),
            (60_000, "1m"),
            (5_400_000, "1h30m"),
            (90 * 86_400_000, "90d"),
            (14 * 86_400_000, "2w"),
            (365 * 86_400_000, "1y"),
            (93_784_005, "1d2h3m4s5ms"),
        ];
        for (ms, text) in cases {
            assert_eq!(format_duration(Duration::from_millis(ms)), text);
        }
    }

    #[test]
    fn round_trips() {
        for text in ["5m", "1h30m", "500ms", "2w", "1y", "90d", "1d2h3m4s5ms"] {
            assert_eq!(format_duration(parse_duration(text).unwrap()), text);
        }
    }
}
