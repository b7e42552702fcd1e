//! Go `text/template` as Prometheus uses it in alert labels and annotations
//! and Alertmanager in receiver fields: just enough of the language to find
//! what makes Prometheus refuse a rule file or Alertmanager fail a
//! notification (unclosed actions, unterminated strings, unbalanced blocks,
//! unknown functions, undefined variables, fields the data does not have),
//! which templates a text calls and defines, and which labels and values a
//! template reads. Rules ask [`scan`] or [`scan_in`]; nothing here reports
//! diagnostics itself.

use std::collections::HashMap;
use std::ops::Range;

use super::notification::{self, Ty};

/// Go's `text/template` built-in functions.
pub const GO_BUILTINS: &[&str] = &[
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
    "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
];

/// Functions Prometheus adds for alert templates.
pub const PROMETHEUS_FUNCTIONS: &[&str] = &[
    "query",
    "first",
    "label",
    "value",
    "strvalue",
    "args",
    "reReplaceAll",
    "safeHtml",
    "match",
    "title",
    "toUpper",
    "toLower",
    "graphLink",
    "tableLink",
    "sortByLabel",
    "humanize",
    "humanize1024",
    "humanizeDuration",
    "humanizePercentage",
    "humanizeTimestamp",
    "toTime",
    "pathPrefix",
    "externalURL",
    "parseDuration",
    "stripPort",
    "stripDomain",
    "toDuration",
    "now",
];

/// How deeply blocks (`if`, `with`, `range`, ...) and parentheses may nest.
/// Real annotations nest two or three; the bound keeps the per-token look at
/// the enclosing blocks cheap on hostile input.
pub const MAX_NESTING: usize = 100;

/// Variables Prometheus defines before every alert template.
pub const VARIABLES: &[&str] = &["$", "$labels", "$externalLabels", "$externalURL", "$value"];

/// What a template may use: the functions and variables its program
/// defines, and the type of the data it runs on.
#[derive(Debug, Clone)]
pub struct Language {
    /// Defined functions, in groups.
    pub functions: &'static [&'static [&'static str]],
    /// Variables defined before the template runs.
    pub variables: &'static [&'static str],
    /// The type of `.` (and `$`) at the top: fields of [`Ty::Unknown`] are
    /// not checked.
    pub dot: Ty,
}

impl Language {
    /// Prometheus alert labels and annotations.
    pub fn prometheus() -> Language {
        Language {
            functions: &[GO_BUILTINS, PROMETHEUS_FUNCTIONS],
            variables: VARIABLES,
            dot: Ty::Unknown,
        }
    }

    fn defines(&self, name: &str) -> bool {
        self.functions.iter().any(|g| g.contains(&name))
    }
}

/// A problem that makes the template invalid.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// What is wrong.
    pub message: String,
    /// Where, as a byte range of the template text.
    pub range: Range<usize>,
}

/// A label read by the template: `$labels.x`, `.Labels.x` or `index $labels "x"`.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelRef {
    /// The label name.
    pub name: String,
    /// Where, as a byte range of the template text.
    pub range: Range<usize>,
    /// Whether the reference is the condition of an `if` or `with`, where a
    /// missing label is expected and handled.
    pub guarded: bool,
}

/// What a template does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scan {
    /// The first syntax problem, if any (Go stops at the first one too).
    pub problem: Option<Problem>,
    /// Labels the template reads.
    pub labels: Vec<LabelRef>,
    /// Places that read the alert's value (`$value`, `.Value`).
    pub values: Vec<Range<usize>>,
    /// Templates it calls (`{{ template "x" . }}`): name and where.
    pub calls: Vec<(String, Range<usize>)>,
    /// Templates it defines (`define`, `block`).
    pub defines: Vec<String>,
    /// Fields read that the data does not have (checked only when the
    /// language knows the type of the data): which field, on what, where.
    pub missing_fields: Vec<MissingField>,
}

/// A field read on a value that has no such field.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingField {
    /// The field name.
    pub name: String,
    /// The type of the value it was read on.
    pub on: Ty,
    /// Where the field name is, as a byte range of the template text.
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Var(String),
    Field(String),
    Str(String),
    Other,
    Pipe,
    Open,
    Close,
    Declare,
}

/// Scan a Prometheus alert template for problems, label references and
/// value reads.
pub fn scan(text: &str) -> Scan {
    scan_in(text, &Language::prometheus())
}

/// Scan a template of `language`.
pub fn scan_in(text: &str, language: &Language) -> Scan {
    let mut out = Scan::default();
    if !text.contains("{{") {
        return out;
    }
    // Open blocks: kind, the action, and the type of `.` inside.
    let mut blocks: Vec<(&'static str, Range<usize>, Ty)> = Vec::new();
    let mut declared: HashMap<String, Ty> = HashMap::new();
    let mut at = 0;
    while let Some(open) = text[at..].find("{{").map(|i| at + i) {
        let Some(close) = find_close(text, open + 2) else {
            out.problem = Some(Problem {
                message: "unclosed action: `{{` without `}}`".into(),
                range: open..open + 2,
            });
            return out;
        };
        at = close + 2;
        let mut inner = open + 2..close;
        if text[inner.clone()].starts_with('-') {
            inner.start += 1;
        }
        if text[inner.clone()].ends_with('-') && inner.end > inner.start {
            inner.end -= 1;
        }
        let body = text[inner.clone()].trim();
        if body.starts_with("/*") {
            if !body.ends_with("*/") {
                out.problem = Some(Problem {
                    message: "unclosed comment".into(),
                    range: open..close + 2,
                });
                return out;
            }
            continue;
        }
        let toks = match lex(text, inner.clone()) {
            Ok(t) => t,
            Err(p) => {
                out.problem = Some(p);
                return out;
            }
        };
        if toks.is_empty() {
            out.problem = Some(Problem {
                message: "missing value for command".into(),
                range: open..close + 2,
            });
            return out;
        }
        let action = open..close + 2;
        let first = match &toks[0].0 {
            Tok::Ident(w) => w.as_str(),
            _ => "",
        };
        // The type of `.` where the action's pipeline is evaluated.
        let mut dot = blocks.last().map_or(language.dot, |b| b.2);
        let mut guarded = false;
        let mut rest = &toks[..];
        match first {
            "if" | "with" | "range" | "define" | "block" => {
                if blocks.len() >= MAX_NESTING {
                    out.problem = Some(Problem {
                        message: format!("blocks nested deeper than {MAX_NESTING} levels"),
                        range: action,
                    });
                    return out;
                }
                rest = &toks[1..];
                let kind = match first {
                    "if" => "if",
                    "with" => "with",
                    "range" => "range",
                    "define" => "define",
                    _ => "block",
                };
                let inside = match kind {
                    "if" => dot,
                    "with" => pipeline_type(rest, dot, &declared, language),
                    "range" => notification::element(pipeline_type(rest, dot, &declared, language)),
                    _ => Ty::Unknown,
                };
                if matches!(kind, "define" | "block") {
                    if let Some((Tok::Str(name), _)) = toks.get(1) {
                        out.defines.push(name.clone());
                    }
                    rest = if kind == "block" {
                        toks.get(2..).unwrap_or_default()
                    } else {
                        &[]
                    };
                }
                blocks.push((kind, action.clone(), inside));
                guarded = kind != "range";
            }
            "else" => {
                let parent = blocks
                    .len()
                    .checked_sub(2)
                    .map_or(language.dot, |i| blocks[i].2);
                match blocks.last_mut() {
                    Some((kind, _, inside)) if matches!(*kind, "if" | "with" | "range") => {
                        *inside = parent;
                    }
                    _ => {
                        out.problem = Some(Problem {
                            message: "unexpected `else`".into(),
                            range: action,
                        });
                        return out;
                    }
                }
                dot = parent;
                rest = &toks[1..];
                if let Some((Tok::Ident(w), _)) = rest.first()
                    && (w == "if" || w == "with")
                {
                    guarded = true;
                    rest = &rest[1..];
                    if w == "with"
                        && let Some(last) = blocks.last_mut()
                    {
                        last.2 = pipeline_type(rest, dot, &declared, language);
                    }
                }
            }
            "end" => {
                if blocks.pop().is_none() {
                    out.problem = Some(Problem {
                        message: "unexpected `end`".into(),
                        range: action,
                    });
                    return out;
                }
                continue;
            }
            "template" => {
                if let Some((Tok::Str(name), range)) = toks.get(1) {
                    out.calls.push((name.clone(), range.clone()));
                }
                rest = toks.get(2..).unwrap_or_default();
            }
            "break" | "continue" => continue,
            _ => {}
        }
        // Declarations first, so `{{ $x := ... }}` defines `$x`; a variable
        // takes the type of what it is set to (the element for `range`'s last).
        if let Some(last) = rest.iter().rposition(|(t, _)| *t == Tok::Declare) {
            let value = pipeline_type(&rest[last + 1..], dot, &declared, language);
            let vars: Vec<&String> = rest[..last]
                .iter()
                .filter_map(|(t, _)| match t {
                    Tok::Var(v) => Some(v),
                    _ => None,
                })
                .collect();
            for (i, v) in vars.iter().enumerate() {
                let ty = match (first, i + 1 == vars.len()) {
                    ("range", true) => notification::element(value),
                    ("range", false) => Ty::Unknown,
                    _ => value,
                };
                declared.insert((*v).clone(), ty);
            }
        }
        let mut depth = 0i32;
        for (i, (tok, range)) in rest.iter().enumerate() {
            match tok {
                Tok::Open => {
                    depth += 1;
                    if depth as usize > MAX_NESTING {
                        out.problem = Some(Problem {
                            message: format!("parentheses nested deeper than {MAX_NESTING} levels"),
                            range: range.clone(),
                        });
                        return out;
                    }
                }
                Tok::Close => {
                    depth -= 1;
                    if depth < 0 {
                        out.problem = Some(Problem {
                            message: "unexpected `)`".into(),
                            range: range.clone(),
                        });
                        return out;
                    }
                }
                Tok::Ident(name) => {
                    let keyword = matches!(name.as_str(), "true" | "false" | "nil");
                    if !keyword && !language.defines(name) {
                        out.problem = Some(Problem {
                            message: format!("function `{name}` is not defined"),
                            range: range.clone(),
                        });
                        return out;
                    }
                    if name == "index"
                        && let Some((Tok::Var(v), _)) = rest.get(i + 1)
                        && v == "$labels"
                        && let Some((Tok::Str(label), r)) = rest.get(i + 2)
                    {
                        out.labels.push(LabelRef {
                            name: label.clone(),
                            range: r.clone(),
                            guarded,
                        });
                    }
                }
                Tok::Var(v) => {
                    let (base, field) = match v.split_once('.') {
                        Some((b, f)) => (b, Some(f)),
                        None => (v.as_str(), None),
                    };
                    let Some(ty) = variable_type(base, &declared, language) else {
                        out.problem = Some(Problem {
                            message: format!("undefined variable `{base}`"),
                            range: range.clone(),
                        });
                        return out;
                    };
                    if let Some(f) = field {
                        walk(ty, f, range.start + base.len() + 1, &mut out.missing_fields);
                    }
                    if base == "$value" {
                        out.values.push(range.clone());
                    }
                    if base == "$labels"
                        && let Some(f) = field
                    {
                        let name = f.split('.').next().unwrap_or(f);
                        out.labels.push(LabelRef {
                            name: name.to_string(),
                            range: range.start + base.len() + 1
                                ..range.start + base.len() + 1 + name.len(),
                            guarded,
                        });
                    }
                }
                Tok::Field(f) => {
                    // A field of a parenthesised result, `(index .Alerts 0).Labels`, is not `.`'s.
                    let chained =
                        i > 0 && rest[i - 1].0 == Tok::Close && rest[i - 1].1.end == range.start;
                    if !chained {
                        walk(dot, f, range.start + 1, &mut out.missing_fields);
                    }
                    let mut parts = f.split('.');
                    let outside = blocks
                        .iter()
                        .all(|(k, _, _)| !matches!(*k, "range" | "with"));
                    match parts.next() {
                        Some("Value") if outside => out.values.push(range.clone()),
                        Some("Labels") if outside => {
                            if let Some(name) = parts.next() {
                                let start = range.start + "Labels.".len() + 1;
                                out.labels.push(LabelRef {
                                    name: name.to_string(),
                                    range: start..start + name.len(),
                                    guarded,
                                });
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        if depth != 0 {
            out.problem = Some(Problem {
                message: "unclosed `(`".into(),
                range: action,
            });
            return out;
        }
    }
    if let Some((kind, range, _)) = blocks.pop() {
        out.problem = Some(Problem {
            message: format!("`{{{{ {kind} }}}}` has no `{{{{ end }}}}`"),
            range,
        });
    }
    out
}

/// The type of variable `name`; `None` when it is not defined.
fn variable_type(name: &str, declared: &HashMap<String, Ty>, language: &Language) -> Option<Ty> {
    if name == "$" {
        Some(language.dot)
    } else if let Some(ty) = declared.get(name) {
        Some(*ty)
    } else {
        language.variables.contains(&name).then_some(Ty::Unknown)
    }
}

/// Follow the fields `path` (`Alerts.Firing`, written at `start`) from a
/// value of type `ty`: the type reached, each missing field recorded.
fn walk(mut ty: Ty, path: &str, start: usize, missing: &mut Vec<MissingField>) -> Ty {
    let mut at = start;
    for name in path.split('.').filter(|n| !n.is_empty()) {
        match notification::field(ty, name) {
            Some(next) => ty = next,
            None => {
                missing.push(MissingField {
                    name: name.to_string(),
                    on: ty,
                    range: at..at + name.len(),
                });
                return Ty::Unknown;
            }
        }
        at += name.len() + 1;
    }
    ty
}

/// The type of a simple pipeline's value: a field chain, a variable's
/// field chain or `index <chain> <n>`; anything else is unknown.
fn pipeline_type(
    toks: &[(Tok, Range<usize>)],
    dot: Ty,
    declared: &HashMap<String, Ty>,
    language: &Language,
) -> Ty {
    let toks = match toks.iter().rposition(|(t, _)| *t == Tok::Declare) {
        Some(i) => &toks[i + 1..],
        None => toks,
    };
    let chain = |tok: &Tok| match tok {
        Tok::Field(f) => walk(dot, f, 0, &mut Vec::new()),
        Tok::Var(v) => {
            let (base, path) = v.split_once('.').unwrap_or((v, ""));
            variable_type(base, declared, language)
                .map_or(Ty::Unknown, |ty| walk(ty, path, 0, &mut Vec::new()))
        }
        _ => Ty::Unknown,
    };
    match toks {
        [(t, _)] => chain(t),
        [(Tok::Ident(f), _), (t, _), (Tok::Other, _)] if f == "index" => {
            notification::element(chain(t))
        }
        _ => Ty::Unknown,
    }
}

/// The offset of the `}}` closing the action whose body starts at `from`,
/// skipping strings; a comment (`/* ... */`) ends at the first `*/`.
fn find_close(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let body = text[from..].strip_prefix("- ").unwrap_or(&text[from..]);
    if body.starts_with("/*") {
        let start = text.len() - body.len() + 2;
        let end = start + text[start..].find("*/")? + 2;
        let after = &text[end..];
        let after = after.strip_prefix(" -").unwrap_or(after);
        return after
            .starts_with("}}")
            .then(|| text.len() - after.len())
            .or_else(|| text[end..].find("}}").map(|i| end + i));
    }
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => {
                let q = bytes[i];
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    i += 1;
                }
                i += 1;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn lex(text: &str, range: Range<usize>) -> Result<Vec<(Tok, Range<usize>)>, Problem> {
    let bytes = text.as_bytes();
    let mut toks = Vec::new();
    let mut i = range.start;
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while i < range.end {
        let b = bytes[i];
        let start = i;
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'"' | b'\'' | b'`' => {
                i += 1;
                while i < range.end && bytes[i] != b {
                    if bytes[i] == b'\\' && b != b'`' {
                        i += 1;
                    }
                    i += 1;
                }
                if i >= range.end {
                    return Err(Problem {
                        message: "unterminated quoted string".into(),
                        range: start..range.end,
                    });
                }
                i += 1;
                let value = text[start + 1..i - 1].to_string();
                toks.push((Tok::Str(value), start..i));
            }
            b'|' => {
                i += 1;
                toks.push((Tok::Pipe, start..i));
            }
            b'(' => {
                i += 1;
                toks.push((Tok::Open, start..i));
            }
            b')' => {
                i += 1;
                toks.push((Tok::Close, start..i));
            }
            b':' if bytes.get(i + 1) == Some(&b'=') => {
                i += 2;
                toks.push((Tok::Declare, start..i));
            }
            b'=' | b',' => {
                i += 1;
                toks.push((Tok::Declare, start..i));
            }
            b'$' => {
                i += 1;
                while i < range.end && (ident(bytes[i]) || bytes[i] == b'.') {
                    i += 1;
                }
                toks.push((Tok::Var(text[start..i].to_string()), start..i));
            }
            b'.' => {
                i += 1;
                while i < range.end && (ident(bytes[i]) || bytes[i] == b'.') {
                    i += 1;
                }
                toks.push((Tok::Field(text[start + 1..i].to_string()), start..i));
            }
            b'-' | b'+' | b'0'..=b'9' => {
                i += 1;
                while i < range.end && (ident(bytes[i]) || matches!(bytes[i], b'.' | b'+' | b'-')) {
                    i += 1;
                }
                toks.push((Tok::Other, start..i));
            }
            b if ident(b) => {
                while i < range.end && ident(bytes[i]) {
                    i += 1;
                }
                // A method or field access on an identifier result (`x.Y`) is rare; keep the name.
                while i < range.end && (ident(bytes[i]) || bytes[i] == b'.') {
                    i += 1;
                }
                let word = text[start..i].split('.').next().unwrap_or("").to_string();
                toks.push((Tok::Ident(word), start..i));
            }
            _ => {
                let c = text[i..].chars().next().map_or(1, char::len_utf8);
                return Err(Problem {
                    message: format!("unexpected `{}` in action", &text[i..i + c]),
                    range: i..i + c,
                });
            }
        }
    }
    Ok(toks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(t: &str) -> Option<String> {
        scan(t).problem.map(|p| p.message)
    }

    #[test]
    fn valid_templates() {
        for t in [
            "plain text",
            "{{ $labels.instance }} is down",
            "{{ $value | humanizePercentage }}",
            "{{ with $labels.instance }} ({{ . }}){{ end }}",
            "{{ if gt $value 1.0 }}high{{ else }}low{{ end }}",
            "{{ range query \"up\" }}{{ .Labels.job }}{{ end }}",
            "{{- $x := 1 -}}{{ $x }}",
            "{{ printf \"%.2f\" $value }}",
            "{{ index $labels \"le\" }}",
            "{{/* a comment */}}",
            "{{/* it's a comment */}}{{ $labels.job }}{{- /* \"quoted */ -}}",
            "{{ $labels.job }}: {{ \"}}\" }}",
        ] {
            assert_eq!(problem(t), None, "{t}");
        }
    }

    #[test]
    fn invalid_templates() {
        for (t, want) in [
            ("{{ $labels.instance }", "unclosed action"),
            (
                "{{ humanise $value }}",
                "function `humanise` is not defined",
            ),
            ("{{ $lables.job }}", "undefined variable `$lables`"),
            ("{{ if $value }}x", "has no"),
            ("{{ end }}", "unexpected `end`"),
            ("{{ printf \"%s }}", "unclosed action"),
            ("{{ (humanize $value }}", "unclosed `(`"),
        ] {
            let p = problem(t).unwrap_or_default();
            assert!(p.contains(want), "{t}: {p}");
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = |n: usize| format!("{}x{}", "{{ if 1 }}".repeat(n), "{{ end }}".repeat(n));
        assert_eq!(problem(&deep(MAX_NESTING)), None);
        assert_eq!(
            problem(&deep(100_000)).as_deref(),
            Some("blocks nested deeper than 100 levels")
        );
        let parens = format!("{{{{ {}1{} }}}}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(
            problem(&parens).as_deref(),
            Some("parentheses nested deeper than 100 levels")
        );
    }

    #[test]
    fn many_declarations_scan_in_linear_time() {
        let mut t = String::new();
        for i in 0..20_000 {
            t.push_str(&format!("{{{{ $v{i} := 1 }}}}{{{{ $v{i} }}}}"));
        }
        let started = std::time::Instant::now();
        assert_eq!(problem(&t), None);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn references() {
        let s = scan("{{ $labels.job }} {{ with $labels.instance }}{{ . }}{{ end }} {{ $value }}");
        assert_eq!(s.labels.len(), 2);
        assert_eq!(s.labels[0].name, "job");
        assert!(!s.labels[0].guarded);
        assert!(s.labels[1].guarded);
        assert_eq!(s.values.len(), 1);
    }
}
