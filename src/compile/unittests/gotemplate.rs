//! Rendering alert annotations the way Prometheus 2 does, so that a unit
//! test can state the exact text promtool will produce.
//!
//! Prometheus expands annotations with Go's `text/template` and its own
//! functions. This module implements the subset generated and hand-written
//! annotations use: `$value`, `$labels.<name>`, `.`, string and number
//! literals, pipes, `with`/`if`/`else`/`end`, trim markers, and the
//! functions `humanize`, `humanize1024`, `humanizeDuration`,
//! `humanizePercentage`, `printf`, `toUpper`, `toLower`. Numbers are
//! formatted like Go's `fmt` (`%v`, `%.4g`, `%.1f`). Anything else is an
//! error: the caller then does not claim to know the text.

use std::collections::BTreeMap;

/// Why a template cannot be rendered here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    nodes: Vec<Node>,
}

impl Template {
    /// Parse `text`, or say which construct is not supported.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        Ok(Template {
            nodes: parse(text)?,
        })
    }

    /// The text for an alert with `labels` and `value`.
    pub fn render(
        &self,
        labels: &BTreeMap<String, String>,
        value: f64,
    ) -> Result<String, TemplateError> {
        let mut out = String::new();
        let scope = Scope {
            labels,
            value,
            dot: Val::Nil,
        };
        exec(&self.nodes, &scope, &mut out)?;
        Ok(out)
    }
}

/// Render `template` for an alert with `labels` and `value`.
pub fn render(
    template: &str,
    labels: &BTreeMap<String, String>,
    value: f64,
) -> Result<String, TemplateError> {
    Template::parse(template)?.render(labels, value)
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Str(String),
    Num(f64),
    Nil,
}

impl Val {
    fn truthy(&self) -> bool {
        match self {
            Val::Str(s) => !s.is_empty(),
            Val::Num(n) => *n != 0.0,
            Val::Nil => false,
        }
    }

    fn print(&self) -> String {
        match self {
            Val::Str(s) => s.clone(),
            Val::Num(n) => go_shortest(*n),
            Val::Nil => "<no value>".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Value,
    Label(String),
    Dot,
    Str(String),
    Num(f64),
    Func(String),
}

type Pipeline = Vec<Vec<Operand>>;

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Print(Pipeline),
    With(Pipeline, Vec<Node>, Vec<Node>),
    If(Pipeline, Vec<Node>, Vec<Node>),
}

struct Scope<'a> {
    labels: &'a BTreeMap<String, String>,
    value: f64,
    dot: Val,
}

enum Piece {
    Text(String),
    Action(String),
}

fn lex(template: &str) -> Result<Vec<Piece>, TemplateError> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let mut text = rest[..start].to_string();
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| TemplateError("unclosed action".into()))?;
        let mut action = &after[..end];
        if let Some(a) = action.strip_prefix("- ") {
            text = text.trim_end().to_string();
            action = a;
        }
        let mut trim_next = false;
        if let Some(a) = action.strip_suffix(" -") {
            trim_next = true;
            action = a;
        }
        pieces.push(Piece::Text(text));
        pieces.push(Piece::Action(action.trim().to_string()));
        rest = &after[end + 2..];
        if trim_next {
            rest = rest.trim_start();
        }
    }
    pieces.push(Piece::Text(rest.to_string()));
    Ok(pieces)
}

fn tokens(action: &str) -> Result<Vec<String>, TemplateError> {
    let mut out = Vec::new();
    let chars: Vec<char> = action.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' {
            let mut s = String::from('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    s.push(chars[i]);
                    i += 1;
                }
                s.push(chars[i]);
                i += 1;
            }
            if i == chars.len() {
                return Err(TemplateError("unterminated string".into()));
            }
            s.push('"');
            i += 1;
            out.push(s);
        } else if c == '`' {
            let close = chars[i + 1..]
                .iter()
                .position(|&c| c == '`')
                .ok_or_else(|| TemplateError("unterminated raw string".into()))?;
            out.push(chars[i..i + close + 2].iter().collect());
            i += close + 2;
        } else if c == '|' {
            out.push("|".into());
            i += 1;
        } else if c == '(' || c == ')' {
            return Err(TemplateError("parenthesised pipelines".into()));
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '|' {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        }
    }
    Ok(out)
}

fn unquote(tok: &str) -> Result<String, TemplateError> {
    if let Some(raw) = tok.strip_prefix('`') {
        return Ok(raw.trim_end_matches('`').to_string());
    }
    let inner = &tok[1..tok.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            other => {
                return Err(TemplateError(format!(
                    "escape `\\{}`",
                    other.unwrap_or(' ')
                )));
            }
        }
    }
    Ok(out)
}

fn pipeline(toks: &[String]) -> Result<Pipeline, TemplateError> {
    let mut cmds = Vec::new();
    for cmd in toks.split(|t| t == "|") {
        if cmd.is_empty() {
            return Err(TemplateError("empty command in a pipeline".into()));
        }
        let mut ops = Vec::new();
        for t in cmd {
            let op = if t == "$value" || t == ".Value" {
                Operand::Value
            } else if let Some(l) = t.strip_prefix("$labels.").or(t.strip_prefix(".Labels.")) {
                Operand::Label(l.to_string())
            } else if t == "." {
                Operand::Dot
            } else if t.starts_with('"') || t.starts_with('`') {
                Operand::Str(unquote(t)?)
            } else if let Ok(n) = t.parse::<f64>() {
                Operand::Num(n)
            } else if matches!(
                t.as_str(),
                "humanize"
                    | "humanize1024"
                    | "humanizeDuration"
                    | "humanizePercentage"
                    | "printf"
                    | "toUpper"
                    | "toLower"
            ) {
                Operand::Func(t.clone())
            } else {
                return Err(TemplateError(format!("`{t}`")));
            };
            ops.push(op);
        }
        cmds.push(ops);
    }
    Ok(cmds)
}

fn parse(template: &str) -> Result<Vec<Node>, TemplateError> {
    let pieces = lex(template)?;
    let mut pos = 0;
    let (nodes, end) = parse_list(&pieces, &mut pos, 0)?;
    if end.is_some() {
        return Err(TemplateError("unexpected `end` or `else`".into()));
    }
    Ok(nodes)
}

/// How deeply `with`/`if` blocks may nest. Parsing, rendering and dropping
/// the tree recurse once per level; real annotations nest two or three.
pub const MAX_NESTING: usize = 100;

/// Parse nodes until `end` or `else` (returned) or the end of input (None),
/// inside `depth` enclosing blocks.
fn parse_list(
    pieces: &[Piece],
    pos: &mut usize,
    depth: usize,
) -> Result<(Vec<Node>, Option<String>), TemplateError> {
    if depth > MAX_NESTING {
        return Err(TemplateError(format!(
            "blocks nested deeper than {MAX_NESTING} levels"
        )));
    }
    let mut nodes = Vec::new();
    while *pos < pieces.len() {
        let piece = &pieces[*pos];
        *pos += 1;
        match piece {
            Piece::Text(t) => {
                if !t.is_empty() {
                    nodes.push(Node::Text(t.clone()));
                }
            }
            Piece::Action(a) => {
                if a.starts_with("/*") {
                    continue;
                }
                let toks = tokens(a)?;
                match toks.first().map(String::as_str) {
                    Some("end") | Some("else") => return Ok((nodes, Some(toks[0].clone()))),
                    Some(kw @ ("with" | "if")) => {
                        let cond = pipeline(&toks[1..])?;
                        let (body, end) = parse_list(pieces, pos, depth + 1)?;
                        let otherwise = match end.as_deref() {
                            Some("else") => {
                                let (e, end2) = parse_list(pieces, pos, depth + 1)?;
                                if end2.as_deref() != Some("end") {
                                    return Err(TemplateError("missing `end`".into()));
                                }
                                e
                            }
                            Some("end") => Vec::new(),
                            _ => return Err(TemplateError("missing `end`".into())),
                        };
                        nodes.push(if kw == "with" {
                            Node::With(cond, body, otherwise)
                        } else {
                            Node::If(cond, body, otherwise)
                        });
                    }
                    Some(other)
                        if other.starts_with('$') && toks.get(1).is_some_and(|t| t == ":=") =>
                    {
                        return Err(TemplateError("variable declarations".into()));
                    }
                    Some(_) => nodes.push(Node::Print(pipeline(&toks)?)),
                    None => return Err(TemplateError("empty action".into())),
                }
            }
        }
    }
    Ok((nodes, None))
}

fn exec(nodes: &[Node], scope: &Scope<'_>, out: &mut String) -> Result<(), TemplateError> {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Print(p) => out.push_str(&eval_pipeline(p, scope)?.print()),
            Node::With(p, body, otherwise) => {
                let v = eval_pipeline(p, scope)?;
                if v.truthy() {
                    let inner = Scope {
                        labels: scope.labels,
                        value: scope.value,
                        dot: v,
                    };
                    exec(body, &inner, out)?;
                } else {
                    exec(otherwise, scope, out)?;
                }
            }
            Node::If(p, body, otherwise) => {
                if eval_pipeline(p, scope)?.truthy() {
                    exec(body, scope, out)?;
                } else {
                    exec(otherwise, scope, out)?;
                }
            }
        }
    }
    Ok(())
}

fn operand(op: &Operand, scope: &Scope<'_>) -> Val {
    match op {
        Operand::Value => Val::Num(scope.value),
        // Prometheus executes templates with `missingkey=zero`.
        Operand::Label(l) => Val::Str(scope.labels.get(l).cloned().unwrap_or_default()),
        Operand::Dot => scope.dot.clone(),
        Operand::Str(s) => Val::Str(s.clone()),
        Operand::Num(n) => Val::Num(*n),
        Operand::Func(_) => Val::Nil,
    }
}

fn eval_pipeline(p: &Pipeline, scope: &Scope<'_>) -> Result<Val, TemplateError> {
    let mut piped: Option<Val> = None;
    for cmd in p {
        let v = match &cmd[0] {
            Operand::Func(f) => {
                let mut args: Vec<Val> = cmd[1..].iter().map(|o| operand(o, scope)).collect();
                if let Some(v) = piped.take() {
                    args.push(v);
                }
                call(f, &args)?
            }
            other => {
                if cmd.len() > 1 || piped.is_some() {
                    return Err(TemplateError("arguments to a non-function".into()));
                }
                operand(other, scope)
            }
        };
        piped = Some(v);
    }
    piped.ok_or_else(|| TemplateError("empty pipeline".into()))
}

fn number(v: &Val) -> Result<f64, TemplateError> {
    match v {
        Val::Num(n) => Ok(*n),
        Val::Str(s) => s
            .parse()
            .map_err(|_| TemplateError(format!("`{s}` is not a number"))),
        Val::Nil => Err(TemplateError("missing argument".into())),
    }
}

fn call(f: &str, args: &[Val]) -> Result<Val, TemplateError> {
    let one = || -> Result<&Val, TemplateError> {
        match args {
            [v] => Ok(v),
            _ => Err(TemplateError(format!("`{f}` takes one argument"))),
        }
    };
    Ok(Val::Str(match f {
        "humanize" => humanize(number(one()?)?),
        "humanize1024" => humanize1024(number(one()?)?),
        "humanizeDuration" => humanize_duration(number(one()?)?),
        "humanizePercentage" => format!("{}%", go_g(number(one()?)? * 100.0, 4)),
        "toUpper" => one()?.print().to_uppercase(),
        "toLower" => one()?.print().to_lowercase(),
        "printf" => {
            let Some(Val::Str(format)) = args.first() else {
                return Err(TemplateError("printf without a format".into()));
            };
            printf(format, &args[1..])?
        }
        other => return Err(TemplateError(format!("`{other}`"))),
    }))
}

/// The largest `printf` precision rendered here.
const MAX_PRECISION: usize = 1_000;

fn printf(format: &str, args: &[Val]) -> Result<String, TemplateError> {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut precision: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut digits = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
            // Rust's formatting panics past 65,535 digits; Go refuses past
            // 1e6. Longer than any annotation needs: not claimed.
            precision = match digits.parse::<usize>() {
                Ok(p) if p <= MAX_PRECISION => Some(p),
                _ if digits.is_empty() => Some(0),
                _ => {
                    return Err(TemplateError(format!(
                        "printf precision `.{digits}` above {MAX_PRECISION}"
                    )));
                }
            };
        }
        let verb = chars
            .next()
            .ok_or_else(|| TemplateError("dangling `%`".into()))?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = args
            .next()
            .ok_or_else(|| TemplateError("printf is missing an argument".into()))?;
        match (verb, arg) {
            ('f', v) => {
                let n = number(v)?;
                out.push_str(
                    &go_special(n).unwrap_or_else(|| format!("{n:.*}", precision.unwrap_or(6))),
                );
            }
            ('g', v) => {
                let n = number(v)?;
                out.push_str(&match precision {
                    Some(p) => go_g(n, p.max(1)),
                    None => go_shortest(n),
                });
            }
            ('v', v) | ('s', v) if precision.is_none() => out.push_str(&v.print()),
            _ => return Err(TemplateError(format!("printf verb `%{verb}`"))),
        }
    }
    Ok(out)
}

fn go_special(v: f64) -> Option<String> {
    if v.is_nan() {
        Some("NaN".into())
    } else if v == f64::INFINITY {
        Some("+Inf".into())
    } else if v == f64::NEG_INFINITY {
        Some("-Inf".into())
    } else {
        None
    }
}

/// Decimal digits (no trailing zeros) and the decimal point position of `v`,
/// rounded to `precision` significant digits, or shortest when `None`.
fn digits(v: f64, precision: Option<usize>) -> (bool, String, i32) {
    let s = match precision {
        Some(p) => format!("{:.*e}", p.saturating_sub(1), v.abs()),
        None => format!("{:e}", v.abs()),
    };
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut d: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    while d.len() > 1 && d.ends_with('0') {
        d.pop();
    }
    (v.is_sign_negative() && v != 0.0, d, exp + 1)
}

fn layout(neg: bool, d: &str, dp: i32, use_e: bool) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if d == "0" {
        out.push('0');
        if use_e {
            out.push_str("e+00");
        }
        return out;
    }
    if use_e {
        out.push_str(&d[..1]);
        if d.len() > 1 {
            out.push('.');
            out.push_str(&d[1..]);
        }
        let e = dp - 1;
        out.push_str(&format!("e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs()));
        return out;
    }
    let nd = d.len() as i32;
    if dp <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-dp) as usize));
        out.push_str(d);
    } else if dp >= nd {
        out.push_str(d);
        out.push_str(&"0".repeat((dp - nd) as usize));
    } else {
        out.push_str(&d[..dp as usize]);
        out.push('.');
        out.push_str(&d[dp as usize..]);
    }
    out
}

/// Go's `%.<precision>g`.
pub fn go_g(v: f64, precision: usize) -> String {
    if let Some(s) = go_special(v) {
        return s;
    }
    let (neg, d, dp) = digits(v, Some(precision));
    let nd = d.len() as i32;
    let mut eprec = precision as i32;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    let exp = dp - 1;
    layout(neg, &d, dp, exp < -4 || exp >= eprec)
}

/// Go's `%v` of a float64 (shortest representation).
pub fn go_shortest(v: f64) -> String {
    if let Some(s) = go_special(v) {
        return s;
    }
    let (neg, d, dp) = digits(v, None);
    let exp = dp - 1;
    layout(neg, &d, dp, !(-4..6).contains(&exp))
}

/// Prometheus' `humanize`.
pub fn humanize(mut v: f64) -> String {
    if v == 0.0 || v.is_nan() || v.is_infinite() {
        return go_g(v, 4);
    }
    let mut prefix = "";
    if v.abs() >= 1.0 {
        for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
            if v.abs() < 1000.0 {
                break;
            }
            prefix = p;
            v /= 1000.0;
        }
    } else {
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if v.abs() >= 1.0 {
                break;
            }
            prefix = p;
            v *= 1000.0;
        }
    }
    format!("{}{prefix}", go_g(v, 4))
}

/// Prometheus' `humanize1024`.
pub fn humanize1024(mut v: f64) -> String {
    if v.abs() <= 1.0 || v.is_nan() || v.is_infinite() {
        return go_g(v, 4);
    }
    let mut prefix = "";
    for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
        if v.abs() < 1024.0 {
            break;
        }
        prefix = p;
        v /= 1024.0;
    }
    format!("{}{prefix}", go_g(v, 4))
}

/// Prometheus' `humanizeDuration`.
pub fn humanize_duration(mut v: f64) -> String {
    if v.is_nan() || v.is_infinite() {
        return go_g(v, 4);
    }
    if v == 0.0 {
        return format!("{}s", go_g(v, 4));
    }
    if v.abs() >= 1.0 {
        let mut sign = "";
        if v < 0.0 {
            sign = "-";
            v = -v;
        }
        let duration = v as i64;
        let seconds = duration % 60;
        let minutes = (duration / 60) % 60;
        let hours = (duration / 60 / 60) % 24;
        let days = duration / 60 / 60 / 24;
        if days != 0 {
            return format!("{sign}{days}d {hours}h {minutes}m {seconds}s");
        }
        if hours != 0 {
            return format!("{sign}{hours}h {minutes}m {seconds}s");
        }
        if minutes != 0 {
            return format!("{sign}{minutes}m {seconds}s");
        }
        return format!("{sign}{}s", go_g(v, 4));
    }
    let mut prefix = "";
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
        if v.abs() >= 1.0 {
            break;
        }
        prefix = p;
        v *= 1000.0;
    }
    format!("{}{prefix}s", go_g(v, 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_number_formats() {
        assert_eq!(go_g(100.0, 4), "100");
        assert_eq!(go_g(1.5, 4), "1.5");
        assert_eq!(go_g(0.05, 4), "0.05");
        assert_eq!(go_g(12345.0, 4), "1.234e+04");
        assert_eq!(go_g(123456.7, 4), "1.235e+05");
        assert_eq!(go_g(0.00001234, 4), "1.234e-05");
        assert_eq!(go_g(0.0, 4), "0");
        assert_eq!(go_shortest(0.6000000000000001), "0.6000000000000001");
        assert_eq!(go_shortest(1.0), "1");
        assert_eq!(go_shortest(1e6), "1e+06");
        assert_eq!(go_shortest(999999.5), "999999.5");
        assert_eq!(go_shortest(123456789.0), "1.23456789e+08");
    }

    #[test]
    fn prometheus_humanizers() {
        assert_eq!(humanize(1234.0), "1.234k");
        assert_eq!(humanize(0.05), "50m");
        assert_eq!(humanize(0.0), "0");
        assert_eq!(humanize_duration(3.15), "3.15s");
        assert_eq!(humanize_duration(63.0), "1m 3s");
        assert_eq!(humanize_duration(0.5), "500ms");
        assert_eq!(humanize_duration(0.0), "0s");
        assert_eq!(humanize1024(536870912.0), "512Mi");
    }

    #[test]
    fn renders_generated_annotations() {
        let mut labels = BTreeMap::new();
        labels.insert("instance".to_string(), "app-1".to_string());
        let t = "X{{ with $labels.instance }} ({{ . }}){{ end }} is {{ $value | humanizePercentage }}, {{ printf \"%.1f\" $value }}%";
        assert_eq!(
            render(t, &labels, 0.0525).unwrap(),
            "X (app-1) is 5.25%, 0.1%"
        );
        assert_eq!(
            render(t, &BTreeMap::new(), 0.0525).unwrap(),
            "X is 5.25%, 0.1%"
        );
        assert_eq!(render("{{ $value }}", &labels, 1.0).unwrap(), "1");
        assert_eq!(render("{{- \"a\" -}} b", &labels, 1.0).unwrap(), "ab");
        assert!(render("{{ range $labels }}{{ end }}", &labels, 1.0).is_err());
    }

    #[test]
    fn huge_printf_precision_is_not_claimed() {
        let labels = BTreeMap::new();
        assert_eq!(
            render("{{ printf \"%.3f\" $value }}", &labels, 1.0).unwrap(),
            "1.000"
        );
        for t in [
            "{{ printf \"%.70000g\" $value }}",
            "{{ printf \"%.70000f\" $value }}",
            "{{ printf \"%.1358684837g\" $value }}",
            "{{ printf \"%.99999999999999999999999f\" $value }}",
        ] {
            let e = render(t, &labels, 1.0).unwrap_err();
            assert!(e.0.contains("printf precision"), "{t}: {e}");
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let labels = BTreeMap::new();
        let deep = |n: usize| format!("{}x{}", "{{ if 1 }}".repeat(n), "{{ end }}".repeat(n));
        assert_eq!(render(&deep(MAX_NESTING), &labels, 1.0).unwrap(), "x");
        let e = render(&deep(100_000), &labels, 1.0).unwrap_err();
        assert_eq!(e.0, "blocks nested deeper than 100 levels");
        let e = render(&"{{ with $value }}".repeat(100_000), &labels, 1.0).unwrap_err();
        assert_eq!(e.0, "blocks nested deeper than 100 levels");
    }
}
