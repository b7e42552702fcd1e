//! A small, deterministic YAML emitter for generated files.
//!
//! Block style with two-space indentation, keys in the order given, strings
//! plain only when YAML 1.1 and 1.2 readers both read them back as the same
//! string, double-quoted otherwise, multi-line strings as literal blocks.

use std::fmt::Write;

/// A YAML value to emit.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float (written with Rust's shortest round-trip form).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A sequence.
    Seq(Vec<Value>),
    /// A mapping in the given order.
    Map(Vec<(String, Value)>),
}

impl Value {
    /// A string value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }

    /// An empty mapping to fill with [`Value::push`].
    pub fn map() -> Value {
        Value::Map(Vec::new())
    }

    /// Append `key: value` to a mapping (no-op on other values).
    pub fn push(&mut self, key: impl Into<String>, value: Value) -> &mut Self {
        if let Value::Map(entries) = self {
            entries.push((key.into(), value));
        }
        self
    }

    /// A mapping of string pairs.
    pub fn string_map<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a String)>) -> Value {
        Value::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (k.clone(), Value::str(v)))
                .collect(),
        )
    }
}

/// Render `value` as a YAML document body.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    emit(value, 0, &mut out, Context::Document);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Context {
    Document,
    MapValue,
    SeqItem,
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn emit(value: &Value, level: usize, out: &mut String, ctx: Context) {
    match value {
        Value::Map(entries) if entries.is_empty() => out.push_str(if ctx == Context::Document {
            "{}\n"
        } else {
            " {}\n"
        }),
        Value::Seq(items) if items.is_empty() => out.push_str(if ctx == Context::Document {
            "[]\n"
        } else {
            " []\n"
        }),
        Value::Map(entries) => {
            if ctx == Context::MapValue {
                out.push('\n');
            }
            for (i, (k, v)) in entries.iter().enumerate() {
                if !(ctx == Context::SeqItem && i == 0) {
                    indent(out, level);
                }
                out.push_str(&scalar_text(k, level));
                out.push(':');
                emit(v, level + 2, out, Context::MapValue);
            }
        }
        Value::Seq(items) => {
            if ctx == Context::MapValue {
                out.push('\n');
            }
            // Sequences inside a mapping are indented by two under their key.
            for (i, item) in items.iter().enumerate() {
                if !(ctx == Context::SeqItem && i == 0) {
                    indent(out, level);
                }
                out.push_str("- ");
                match item {
                    Value::Map(e) if !e.is_empty() => emit(item, level + 2, out, Context::SeqItem),
                    Value::Seq(s) if !s.is_empty() => emit(item, level + 2, out, Context::SeqItem),
                    _ => {
                        out.push_str(&scalar_text_value(item, level + 2));
                        out.push('\n');
                    }
                }
            }
        }
        scalar => {
            if ctx != Context::Document {
                out.push(' ');
            }
            out.push_str(&scalar_text_value(scalar, level));
            out.push('\n');
        }
    }
}

fn scalar_text_value(value: &Value, level: usize) -> String {
    match value {
        Value::Str(s) => scalar_text(s, level),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => {
            let s = format!("{f}");
            if s.contains(['.', 'e', 'E']) || s.contains("inf") || s.contains("NaN") {
                s
            } else {
                format!("{s}.0")
            }
        }
        Value::Bool(b) => b.to_string(),
        Value::Map(_) => "{}".into(),
        Value::Seq(_) => "[]".into(),
    }
}

/// Whether `s` reads back as the same string when written plain.
pub fn is_plain_safe(s: &str) -> bool {
    if s.is_empty() || s.trim() != s || s.contains(['\n', '\t', '\r']) {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | "null"
            | "~"
            | ".inf"
            | "-.inf"
            | ".nan"
    ) {
        return false;
    }
    // Anything a YAML 1.1 or 1.2 reader takes for a number is quoted.
    !looks_numeric(s) && s.chars().all(|c| !c.is_control())
}

/// Whether a YAML 1.1 or 1.2 reader would resolve the plain scalar `s` to a
/// number: decimal, octal, hexadecimal, binary, float or sexagesimal.
fn looks_numeric(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    let all = |t: &str, ok: fn(char) -> bool| !t.is_empty() && t.chars().all(|c| ok(c) || c == '_');
    if let Some(hex) = t.strip_prefix("0x") {
        return all(hex, |c| c.is_ascii_hexdigit());
    }
    if let Some(oct) = t.strip_prefix("0o") {
        return all(oct, |c| c.is_digit(8));
    }
    if let Some(bin) = t.strip_prefix("0b") {
        return all(bin, |c| c == '0' || c == '1');
    }
    // Sexagesimal (YAML 1.1): 1:30, 190:20:30.15
    if t.contains(':') {
        let mut parts = t.split(':');
        let head = parts.next().unwrap_or("");
        return all(head, |c| c.is_ascii_digit())
            && parts.all(|p| {
                let int = p.split('.').next().unwrap_or("");
                !int.is_empty() && int.len() <= 2 && int.chars().all(|c| c.is_ascii_digit())
            });
    }
    // Decimal integers and floats, with optional exponent.
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let mantissa_ok = mantissa.chars().any(|c| c.is_ascii_digit())
        && mantissa
            .chars()
            .all(|c| c.is_ascii_digit() || c == '_' || c == '.')
        && mantissa.matches('.').count() <= 1;
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

fn scalar_text(s: &str, level: usize) -> String {
    if is_plain_safe(s) {
        return s.to_string();
    }
    if s.contains('\n')
        && !s.contains('\t')
        && !s.contains('\r')
        && s.lines().all(|l| l.trim_end() == l)
        && !s.starts_with(' ')
    {
        let mut out = String::from(if s.ends_with('\n') { "|" } else { "|-" });
        for line in s.trim_end_matches('\n').split('\n') {
            out.push('\n');
            if !line.is_empty() {
                for _ in 0..level {
                    out.push(' ');
                }
                out.push_str(line);
            }
        }
        return out;
    }
    double_quoted(s)
}

/// A YAML double-quoted scalar.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emits_block_yaml() {
        let mut rule = Value::map();
        rule.push("alert", Value::str("X"))
            .push("expr", Value::str("a > 1"))
            .push("for", Value::str("5m"))
            .push(
                "labels",
                Value::Map(vec![("severity".into(), Value::str("no"))]),
            );
        let mut group = Value::map();
        group
            .push("name", Value::str("g"))
            .push("rules", Value::Seq(vec![rule]));
        let mut doc = Value::map();
        doc.push("groups", Value::Seq(vec![group]));
        assert_eq!(
            to_string(&doc),
            "groups:\n  - name: g\n    rules:\n      - alert: X\n        expr: a > 1\n        for: 5m\n        labels:\n          severity: \"no\"\n"
        );
    }

    #[test]
    fn quotes_what_would_change_meaning() {
        for s in [
            "", "yes", "010", "1.5", "a: b", "#x", "- x", " x", "{a}", "50%",
        ] {
            let plain = is_plain_safe(s);
            assert!(!plain || s == "50%", "{s:?} must be quoted");
        }
        assert!(is_plain_safe("rate(x[5m]) > 0.5"));
        assert!(is_plain_safe("新機能"));
        for s in ["1d", "5m", "30s", "P1", "1h30m", "v1.2.3", "0xZZ"] {
            assert!(is_plain_safe(s), "{s:?} reads back as a string");
        }
        for s in [
            "1_000",
            "0x1F",
            "0o17",
            "0b101",
            "1e3",
            "-2.5",
            ".5",
            "1:30",
            "190:20:30.15",
        ] {
            assert!(!is_plain_safe(s), "{s:?} reads back as a number");
        }
    }
}
