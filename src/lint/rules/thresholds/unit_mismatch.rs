//! `thresholds/unit-mismatch`.

use std::ops::Range;

use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::promql;
use crate::source::{SourceMap, Span};
use crate::spec::model::{LevelRule, Threshold, Workspace};
use crate::spec::units::{Unit, format_number};

/// The id of this rule.
pub const ID: &str = "thresholds/unit-mismatch";

fn percent_looks_like_ratio(span: Span, rule: &LevelRule) -> Diagnostic {
    Diagnostic::warning(
        ID,
        format!(
            "`{}` on a `percent` threshold means {}%, not {}%",
            rule.written,
            rule.written,
            format_number((rule.value * 100.0 * 1e6).round() / 1e6)
        ),
    )
    .with_label(span, "every level of this threshold is at most 1")
    .with_help(
        "if the query returns a fraction from 0 to 1, use `unit: ratio` (shown as 0–100%); \
         if it returns 0–100, write the level with a `%` sign to confirm it",
    )
}

fn ratio_scaled_by_100(span: Span) -> Diagnostic {
    Diagnostic::warning(
        ID,
        "the query multiplies by 100 but the threshold's unit is `ratio`",
    )
    .with_label(span, "this returns 0–100, which Grafana shows as 0–10000%")
    .with_help("use `unit: percent`, or remove the `100 *` to keep a fraction from 0 to 1")
}

fn seconds_from_milliseconds(span: Span, metric: &str) -> Diagnostic {
    Diagnostic::warning(
        ID,
        format!("`{metric}` is in milliseconds but the threshold's unit is `seconds`"),
    )
    .with_label(
        span,
        "Grafana shows these values as seconds, 1000 times too large",
    )
    .with_help("divide the query by 1000, or use a metric measured in seconds")
}

declare_rule! {
    /// ## What it does
    /// Reports a threshold whose `unit` does not match what its query returns,
    /// so Grafana (and the alert text) would display the values wrongly:
    /// - a `percent` threshold whose levels are all plain numbers ≤ 1, which
    ///   look like ratios (`above: 0.8` meaning 80%);
    /// - a `ratio` threshold whose query multiplies by 100;
    /// - a `seconds` threshold reading a `_milliseconds` metric without
    ///   dividing by 1000.
    ///
    /// ## Why is this bad?
    /// The unit chooses how Grafana displays the value and how the spec's
    /// levels are read: `percentunit` shows 0.8 as 80%, `percent` shows 0.8 as
    /// 0.8%. With the wrong unit the panel shows 8000% error rates or 0.8%
    /// CPU, and `above: 0.8` on a 0–100 series fires almost always.
    ///
    /// ## Example
    /// ```yaml
    /// - id: error-ratio
    ///   query: 100 * sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))
    ///   unit: ratio
    ///   critical: {above: 5%}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - id: error-ratio
    ///   query: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))
    ///   unit: ratio
    ///   critical: {above: 5%}
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct UnitMismatch => Check::Workspace(check);
}

/// Report every threshold whose unit disagrees with its query or levels.
pub fn check(ws: &Workspace, sources: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for feature in &ws.features {
        for threshold in &feature.thresholds {
            // A query that does not parse has its own diagnostic.
            if promql::parse(&threshold.query.text, ws.project.dialect).is_err() {
                continue;
            }
            out.extend(check_threshold(threshold, sources));
        }
    }
    out
}

fn check_threshold(t: &Threshold, sources: &SourceMap) -> Option<Diagnostic> {
    let tokens = tokens(&t.query.text);
    match t.unit {
        Unit::Percent => {
            let ratio_like = !t.levels.is_empty()
                && t.levels
                    .iter()
                    .all(|l| !l.written.contains('%') && l.value.abs() <= 1.0);
            ratio_like.then(|| percent_looks_like_ratio(t.levels[0].value_span, &t.levels[0]))
        }
        Unit::Ratio => {
            scaled_by_100(&tokens).map(|range| ratio_scaled_by_100(t.query.span_of(sources, range)))
        }
        Unit::Seconds => {
            let divided = tokens.windows(2).any(|w| {
                w[0].kind == Kind::Operator && w[0].text == "/" && is_number(w[1].text, 1000.0)
            });
            if divided {
                return None;
            }
            tokens
                .iter()
                .find(|tok| tok.kind == Kind::Identifier && is_milliseconds_metric(tok.text))
                .map(|tok| {
                    seconds_from_milliseconds(t.query.span_of(sources, tok.range.clone()), tok.text)
                })
        }
        _ => None,
    }
}

fn is_milliseconds_metric(name: &str) -> bool {
    ["_milliseconds", "_ms"].iter().any(|suffix| {
        name.ends_with(suffix)
            || ["_bucket", "_sum", "_count", "_total"]
                .iter()
                .any(|s| name.ends_with(&format!("{suffix}{s}")))
    })
}

fn is_number(text: &str, value: f64) -> bool {
    text.parse::<f64>().is_ok_and(|v| v == value)
}

/// The range of a `100 *` or `* 100` outside any parentheses.
fn scaled_by_100(tokens: &[Token]) -> Option<Range<usize>> {
    let mut depth = 0i32;
    for (i, tok) in tokens.iter().enumerate() {
        match tok.text {
            "(" => depth += 1,
            ")" => depth -= 1,
            _ => {}
        }
        if depth != 0 || !is_number(tok.text, 100.0) || tok.kind != Kind::Number {
            continue;
        }
        let star = |j: Option<usize>| {
            j.and_then(|j| tokens.get(j))
                .filter(|t| t.kind == Kind::Operator && t.text == "*")
        };
        if let Some(s) = star(i.checked_sub(1)) {
            return Some(s.range.start..tok.range.end);
        }
        if let Some(s) = star(Some(i + 1)) {
            return Some(tok.range.start..s.range.end);
        }
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Identifier,
    Number,
    Operator,
    Paren,
}

#[derive(Debug)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
    range: Range<usize>,
}

/// The tokens of a PromQL expression outside label matchers and strings:
/// just enough to see scaling and metric names. (To be replaced by the
/// PromQL facade's expression facts.)
fn tokens(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b'{' => {
                // Skip label matchers, quoted values included.
                while i < bytes.len() && bytes[i] != b'}' {
                    if matches!(bytes[i], b'"' | b'\'' | b'`') {
                        i = skip_string(bytes, i);
                    } else {
                        i += 1;
                    }
                }
                i += 1;
            }
            b'[' => {
                while i < bytes.len() && bytes[i] != b']' {
                    i += 1;
                }
                i += 1;
            }
            b'"' | b'\'' | b'`' => i = skip_string(bytes, i),
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' | b')' => {
                i += 1;
                out.push(Token {
                    kind: Kind::Paren,
                    text: &text[start..i],
                    range: start..i,
                });
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b':' => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b':')
                {
                    i += 1;
                }
                out.push(Token {
                    kind: Kind::Identifier,
                    text: &text[start..i],
                    range: start..i,
                });
            }
            c if c.is_ascii_digit() || c == b'.' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
                out.push(Token {
                    kind: Kind::Number,
                    text: &text[start..i],
                    range: start..i,
                });
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                // One character, which may be longer than a byte.
                i += text[i..].chars().next().map_or(1, char::len_utf8);
                out.push(Token {
                    kind: Kind::Operator,
                    text: &text[start..i],
                    range: start..i,
                });
            }
        }
    }
    out
}

/// The index just past the string starting at `start`.
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() && bytes[i] != quote {
        if bytes[i] == b'\\' && quote != b'`' {
            i += 1;
        }
        i += 1;
    }
    (i + 1).min(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test::{feature, load, render};

    fn run(threshold: &str) -> (Vec<Diagnostic>, String) {
        let (ws, sources) = load(&[("checkout", &feature("checkout", threshold))]);
        let diags = check(&ws, &sources);
        let rendered = render(&diags, &sources);
        (diags, rendered)
    }

    #[test]
    fn pass() {
        for threshold in [
            // A ratio with a ratio unit.
            "  - id: errors\n    query: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))\n    unit: ratio\n    critical: {above: 5%}\n",
            // A percentage scaled by 100 with a percent unit.
            "  - id: cpu\n    query: 100 * (1 - avg(rate(node_cpu_seconds_total{mode=\"idle\"}[5m])))\n    unit: percent\n    warning: {above: 80%}\n",
            // 100 inside a function argument or a matcher is not a scale.
            "  - id: errors\n    query: sum(rate(errors_total{code=\"100\"}[5m])) / clamp_min(sum(rate(requests_total[5m])) * 100, 1)\n    unit: ratio\n    critical: {above: 5%}\n",
            // Milliseconds divided by 1000.
            "  - id: latency\n    query: histogram_quantile(0.95, sum by (le) (rate(request_duration_milliseconds_bucket[5m]))) / 1000\n    unit: seconds\n    warning: {above: 3s}\n",
            // A small percentage written with its sign.
            "  - id: packet-loss\n    query: 100 * sum(rate(dropped_total[5m])) / sum(rate(packets_total[5m]))\n    unit: percent\n    warning: {above: 0.5%}\n",
        ] {
            let (diags, rendered) = run(threshold);
            assert!(diags.is_empty(), "{threshold}\n{rendered}");
        }
    }

    #[test]
    fn tokens_of_any_text() {
        // Unicode outside strings is not PromQL, but must not break the scan.
        let t = tokens("100 * 値 / \"率\" {a=\"値\"} [5m] # コメント");
        let texts: Vec<&str> = t.iter().map(|t| t.text).collect();
        assert_eq!(texts, ["100", "*", "値", "/"]);
    }

    #[test]
    fn fail_ratio_scaled_by_100() {
        let (diags, rendered) = run(
            "  - id: errors\n    query: 100 * sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))\n    unit: ratio\n    critical: {above: 5%}\n",
        );
        assert_eq!(diags.len(), 1);
        insta::assert_snapshot!(rendered);
    }

    #[test]
    fn fail_percent_levels_like_ratios() {
        let (diags, rendered) = run(
            "  - id: cpu\n    query: 1 - avg(rate(node_cpu_seconds_total{mode=\"idle\"}[5m]))\n    unit: percent\n    warning: {above: 0.8}\n    critical: {above: 0.95}\n",
        );
        assert_eq!(diags.len(), 1);
        insta::assert_snapshot!(rendered);
    }

    #[test]
    fn fail_seconds_from_milliseconds() {
        let (diags, rendered) = run(
            "  - id: latency\n    query: histogram_quantile(0.95, sum by (le) (rate(request_duration_milliseconds_bucket[5m])))\n    unit: seconds\n    warning: {above: 3s}\n",
        );
        assert_eq!(diags.len(), 1);
        insta::assert_snapshot!(rendered);
    }
}
