//! What lint rules know about one PromQL expression, computed once from its
//! syntax tree and shared by every rule: selectors (metric, matchers, range,
//! the functions around them), function calls, aggregations, binary
//! operations, whether the result is filtered by a comparison, and which
//! labels the result can carry.
//!
//! Positions are byte ranges of the expression text, found by locating each
//! node's token in order of appearance.

use std::collections::BTreeSet;
use std::ops::Range;
use std::time::Duration;

use promql_parser::label::MatchOp;
use promql_parser::parser::{self, Expr, LabelModifier, VectorMatchCardinality};

/// How a matcher compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// `=`.
    Equal,
    /// `!=`.
    NotEqual,
    /// `=~`.
    Regex,
    /// `!~`.
    NotRegex,
}

/// One label matcher.
#[derive(Debug, Clone, PartialEq)]
pub struct Matcher {
    /// Label name (`__name__` for the metric name written inside braces).
    pub name: String,
    /// Comparison.
    pub kind: MatchKind,
    /// Value as written (decoded).
    pub value: String,
    /// Where the matcher is written.
    pub span: Range<usize>,
}

/// A vector or range selector.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    /// The metric name, if written before the braces.
    pub name: Option<String>,
    /// The matchers inside the braces.
    pub matchers: Vec<Matcher>,
    /// The range, for `x[5m]`.
    pub range: Option<Duration>,
    /// Where the range `[5m]` is written.
    pub range_span: Option<Range<usize>>,
    /// Functions around the selector, outermost first.
    pub enclosing: Vec<&'static str>,
    /// Whether the selector sits inside a subquery.
    pub in_subquery: bool,
    /// Aggregation operators around the selector, outermost first.
    pub aggregated: Vec<String>,
    /// Where the selector is written.
    pub span: Range<usize>,
}

impl Selector {
    /// The metric name, from the name or an `__name__="..."` matcher.
    pub fn metric(&self) -> Option<&str> {
        self.name.as_deref().or_else(|| {
            self.matchers
                .iter()
                .find(|m| m.name == "__name__" && m.kind == MatchKind::Equal)
                .map(|m| m.value.as_str())
        })
    }

    /// The innermost function around the selector.
    pub fn function(&self) -> Option<&'static str> {
        self.enclosing.last().copied()
    }
}

/// A function call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Function name.
    pub name: &'static str,
    /// Functions around the call, outermost first.
    pub enclosing: Vec<&'static str>,
    /// Number literal arguments by position.
    pub numbers: Vec<Option<f64>>,
    /// Whether the first argument is a subquery or contains an aggregation.
    pub aggregated_argument: bool,
    /// Labels the first vector argument's result keeps (`None` = unknown).
    pub argument_labels: Option<BTreeSet<String>>,
    /// Where the function name is written.
    pub span: Range<usize>,
}

/// An aggregation such as `sum by (job) (...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregation {
    /// Operator name.
    pub op: String,
    /// `by (...)` labels.
    pub by: Option<Vec<String>>,
    /// `without (...)` labels.
    pub without: Option<Vec<String>>,
    /// Where the operator is written.
    pub span: Range<usize>,
}

/// A binary operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Binary {
    /// Operator as written (`/`, `>`, `and`...).
    pub op: String,
    /// Whether it is a comparison.
    pub comparison: bool,
    /// Whether the comparison has `bool`.
    pub bool_modifier: bool,
    /// Whether the right-hand side is a number literal.
    pub rhs_number: bool,
    /// Whether the right-hand side can be zero or missing in a way that
    /// divides by zero: it is not a number literal and not clamped or
    /// filtered with a comparison.
    pub rhs_unguarded: bool,
    /// Where the operator is written.
    pub span: Range<usize>,
}

/// Everything rules know about one expression.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Selectors in order of appearance.
    pub selectors: Vec<Selector>,
    /// Calls in order of appearance.
    pub calls: Vec<Call>,
    /// Aggregations in order of appearance.
    pub aggregations: Vec<Aggregation>,
    /// Binary operations in order of appearance.
    pub binaries: Vec<Binary>,
    /// Whether the result is filtered by a comparison (without `bool`), so
    /// that an alert fires only when the condition holds.
    pub filtered: bool,
    /// Whether the top-level operation is a comparison with `bool`.
    pub top_level_bool: Option<Range<usize>>,
    /// Labels the result can have, when known exactly (`None` = any).
    pub output_labels: Option<BTreeSet<String>>,
}

impl Facts {
    /// Parse `text` and compute its facts; the error message if it does not parse.
    pub fn analyze(text: &str) -> Result<Facts, String> {
        register_prometheus2_functions();
        // The parser compiles every regex matcher into a full regex engine,
        // which costs about 85µs each and dominates the run on real rule
        // files. When every regex is checked valid up front, parse a copy
        // in which regex matchers are plain (placeholder) matchers.
        let (expr, regexes) = match regex_free(text) {
            Some((rewritten, regexes)) => match parser::parse(&rewritten) {
                Ok(expr) => (expr, regexes),
                Err(_) => (parser::parse(text)?, Vec::new()),
            },
            None => (parser::parse(text)?, Vec::new()),
        };
        let mut w = Walker {
            regexes,
            text,
            facts: Facts::default(),
            last: 0,
            enclosing: Vec::new(),
            aggregated: Vec::new(),
            in_subquery: false,
        };
        w.walk(&expr);
        let mut facts = w.facts;
        facts.filtered = filtered(&expr);
        facts.output_labels = labels_of(&expr);
        if let Expr::Binary(b) = strip(&expr)
            && b.op.is_comparison_operator()
            && b.modifier.as_ref().is_some_and(|m| m.return_bool)
        {
            facts.top_level_bool = facts
                .binaries
                .iter()
                .find(|x| x.bool_modifier)
                .map(|x| x.span.clone());
        }
        Ok(facts)
    }

    /// Whether the expression calls `name`.
    pub fn calls(&self, name: &str) -> bool {
        self.calls.iter().any(|c| c.name == name)
    }
}

/// Prometheus 2 functions the parser crate no longer knows (`holt_winters`,
/// renamed `double_exponential_smoothing` in Prometheus 3), so that
/// `promql/deprecated-function` can point at them instead of a syntax error.
fn register_prometheus2_functions() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use promql_parser::parser::value::ValueType;
        let _ = parser::register_extra_functions(vec![parser::Function::new(
            "holt_winters",
            vec![ValueType::Matrix, ValueType::Scalar, ValueType::Scalar],
            0,
            ValueType::Vector,
            false,
        )]);
    });
}

fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip(&p.expr),
        _ => e,
    }
}

/// Whether the expression's samples exist only when a condition holds.
fn filtered(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => filtered(&p.expr),
        Expr::Binary(b) => {
            let op = b.op.to_string();
            if b.op.is_comparison_operator() {
                !b.modifier.as_ref().is_some_and(|m| m.return_bool)
            } else if op == "and" || op == "unless" {
                // Set operators keep only the series the other side allows.
                true
            } else if op == "or" {
                filtered(&b.lhs) && filtered(&b.rhs)
            } else {
                filtered(&b.lhs) || filtered(&b.rhs)
            }
        }
        Expr::Aggregate(a) => filtered(&a.expr),
        Expr::Call(c) => {
            matches!(c.func.name, "absent" | "absent_over_time")
                || c.args.args.iter().any(|a| filtered(a))
        }
        Expr::Subquery(s) => filtered(&s.expr),
        Expr::Unary(u) => filtered(&u.expr),
        _ => false,
    }
}

/// The prefix of the placeholder values standing in for regex matchers.
const PLACEHOLDER: &str = "__promspec_regex_";

/// The index of the regex a placeholder value stands for.
fn placeholder(value: &str) -> Option<usize> {
    value.strip_prefix(PLACEHOLDER)?.parse().ok()
}

/// `text` with every regex matcher (`=~"..."`, `!~"..."`) replaced by a
/// plain matcher with a placeholder value, and the regexes it replaced;
/// `None` when a regex is not valid, uses an escape this scan does not
/// decode, or sits in a selector without a metric name (where Prometheus
/// needs the regex to decide whether the selector can match anything):
/// those expressions take the parser's own path.
fn regex_free(text: &str) -> Option<(String, Vec<(MatchKind, String)>)> {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut regexes = Vec::new();
    let mut last = 0;
    let mut i = 0;
    let mut brace_has_name = false;
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' | b'\'' | b'`' => i = skip_string(b, i)?,
            b'{' => {
                let before = text[..i].trim_end();
                brace_has_name = before
                    .bytes()
                    .last()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b':');
                i += 1;
            }
            c @ (b'=' | b'!') if b.get(i + 1) == Some(&b'~') => {
                if !brace_has_name {
                    return None;
                }
                let mut j = i + 2;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j >= b.len() || !matches!(b[j], b'"' | b'\'' | b'`') {
                    return None;
                }
                let end = skip_string(b, j)?;
                let value = unquote(&text[j..end])?;
                if !valid_regex(&value) {
                    return None;
                }
                let kind = if c == b'=' {
                    MatchKind::Regex
                } else {
                    MatchKind::NotRegex
                };
                out.push_str(&text[last..i]);
                out.push_str(if c == b'=' { "=" } else { "!=" });
                out.push_str(&format!("\"{PLACEHOLDER}{}\"", regexes.len()));
                regexes.push((kind, value));
                last = end;
                i = end;
            }
            _ => i += 1,
        }
    }
    if regexes.is_empty() {
        return None;
    }
    out.push_str(&text[last..]);
    Some((out, regexes))
}

/// Whether Prometheus accepts `pattern` as a label regex (it anchors it).
/// Rule files repeat the same few patterns, so verdicts are remembered per thread.
fn valid_regex(pattern: &str) -> bool {
    thread_local! {
        static VALID: std::cell::RefCell<std::collections::HashSet<String>> =
            std::cell::RefCell::new(std::collections::HashSet::new());
    }
    if VALID.with(|v| v.borrow().contains(pattern)) {
        return true;
    }
    let ok = regex_syntax::Parser::new()
        .parse(&format!("^(?:{pattern})$"))
        .is_ok();
    if ok {
        VALID.with(|v| v.borrow_mut().insert(pattern.to_string()));
    }
    ok
}

/// The offset just past the string starting at `start`, or `None` if it does not end.
fn skip_string(b: &[u8], start: usize) -> Option<usize> {
    let quote = b[start];
    let mut i = start + 1;
    while i < b.len() {
        if b[i] == b'\\' && quote != b'`' {
            i += 2;
            continue;
        }
        if b[i] == quote {
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// The value of a PromQL string literal, for the escapes that need no
/// numeric decoding; `None` for others (the parser decodes those).
fn unquote(lit: &str) -> Option<String> {
    let quote = lit.chars().next()?;
    let inner = &lit[1..lit.len() - 1];
    if quote == '`' {
        return Some(inner.to_string());
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            'a' => '\u{7}',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{b}',
            '\\' => '\\',
            c @ ('"' | '\'') if c == quote => c,
            _ => return None,
        });
    }
    Some(out)
}

/// Whether an expression evaluates to a scalar (no labels at all).
fn is_scalar(e: &Expr) -> bool {
    match strip(e) {
        Expr::NumberLiteral(_) => true,
        Expr::Call(c) => matches!(c.func.name, "time" | "scalar" | "pi"),
        Expr::Unary(u) => is_scalar(&u.expr),
        Expr::Binary(b) => is_scalar(&b.lhs) && is_scalar(&b.rhs),
        _ => false,
    }
}

fn names(l: &promql_parser::label::Labels) -> Vec<String> {
    l.labels.iter().map(|s| s.to_string()).collect()
}

/// The labels of the expression's result, when known exactly.
pub(crate) fn labels_of(e: &Expr) -> Option<BTreeSet<String>> {
    match e {
        Expr::Paren(p) => labels_of(&p.expr),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) => Some(BTreeSet::new()),
        Expr::VectorSelector(_) | Expr::MatrixSelector(_) => None,
        Expr::Unary(u) => labels_of(&u.expr),
        Expr::Subquery(s) => labels_of(&s.expr),
        Expr::Aggregate(a) => {
            let op = a.op.to_string();
            match op.as_str() {
                "topk" | "bottomk" | "limitk" | "limit_ratio" => labels_of(&a.expr),
                _ => {
                    let mut out: BTreeSet<String> = match &a.modifier {
                        Some(LabelModifier::Include(l)) => names(l).into_iter().collect(),
                        Some(LabelModifier::Exclude(l)) => {
                            let mut inner = labels_of(&a.expr)?;
                            for n in names(l) {
                                inner.remove(&n);
                            }
                            inner
                        }
                        None => BTreeSet::new(),
                    };
                    if op == "count_values"
                        && let Some(p) = &a.param
                        && let Expr::StringLiteral(s) = strip(p)
                    {
                        out.insert(s.val.clone());
                    }
                    Some(out)
                }
            }
        }
        Expr::Call(c) => match c.func.name {
            "vector" | "time" | "scalar" => Some(BTreeSet::new()),
            "absent" | "absent_over_time" => {
                let sel = c.args.args.first().map(|a| strip(a));
                let vs = match sel {
                    Some(Expr::VectorSelector(v)) => Some(v),
                    Some(Expr::MatrixSelector(m)) => Some(&m.vs),
                    _ => None,
                };
                Some(
                    vs.map(|v| {
                        v.matchers
                            .matchers
                            .iter()
                            .filter(|m| {
                                matches!(m.op, MatchOp::Equal)
                                    && m.name != "__name__"
                                    && placeholder(&m.value).is_none()
                            })
                            .map(|m| m.name.clone())
                            .collect()
                    })
                    .unwrap_or_default(),
                )
            }
            "label_replace" => {
                let mut inner = labels_of(c.args.args.first()?)?;
                if let Some(Expr::StringLiteral(dst)) = c.args.args.get(1).map(|a| strip(a)) {
                    inner.insert(dst.val.clone());
                }
                Some(inner)
            }
            "label_join" => {
                let mut inner = labels_of(c.args.args.first()?)?;
                if let Some(Expr::StringLiteral(dst)) = c.args.args.get(1).map(|a| strip(a)) {
                    inner.insert(dst.val.clone());
                }
                Some(inner)
            }
            "histogram_quantile" => {
                let mut inner = labels_of(c.args.args.get(1)?)?;
                inner.remove("le");
                Some(inner)
            }
            _ => {
                // Functions keep their vector argument's labels.
                let arg = c.args.args.iter().find(|a| {
                    !matches!(strip(a), Expr::NumberLiteral(_) | Expr::StringLiteral(_))
                })?;
                labels_of(arg)
            }
        },
        Expr::Binary(b) => {
            let lhs_scalar = is_scalar(&b.lhs);
            let rhs_scalar = is_scalar(&b.rhs);
            if rhs_scalar {
                return labels_of(&b.lhs);
            }
            if lhs_scalar {
                return labels_of(&b.rhs);
            }
            let op = b.op.to_string();
            if op == "or" {
                let mut l = labels_of(&b.lhs)?;
                l.extend(labels_of(&b.rhs)?);
                return Some(l);
            }
            if op == "and" || op == "unless" {
                return labels_of(&b.lhs);
            }
            let m = b.modifier.as_ref();
            match m.map(|m| (&m.card, &m.matching)) {
                Some((VectorMatchCardinality::OneToOne, Some(LabelModifier::Include(on)))) => {
                    Some(names(on).into_iter().collect())
                }
                Some((VectorMatchCardinality::OneToOne, Some(LabelModifier::Exclude(ig)))) => {
                    let mut l = labels_of(&b.lhs)?;
                    for n in names(ig) {
                        l.remove(&n);
                    }
                    Some(l)
                }
                Some((VectorMatchCardinality::ManyToOne(extra), _)) => {
                    let mut l = labels_of(&b.lhs)?;
                    l.extend(names(extra));
                    Some(l)
                }
                Some((VectorMatchCardinality::OneToMany(extra), _)) => {
                    let mut l = labels_of(&b.rhs)?;
                    l.extend(names(extra));
                    Some(l)
                }
                _ => labels_of(&b.lhs),
            }
        }
        Expr::Extension(_) => None,
    }
}

struct Walker<'t> {
    text: &'t str,
    regexes: Vec<(MatchKind, String)>,
    facts: Facts,
    last: usize,
    enclosing: Vec<&'static str>,
    aggregated: Vec<String>,
    in_subquery: bool,
}

impl Walker<'_> {
    /// The next occurrence of `token` (as a word) after the last token found.
    fn locate(&mut self, token: &str) -> Range<usize> {
        let bytes = self.text.as_bytes();
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b':';
        let word_token = token.bytes().all(word);
        let mut at = self.last;
        while let Some(i) = self
            .text
            .get(at..)
            .and_then(|t| t.find(token))
            .map(|i| at + i)
        {
            let end = i + token.len();
            let before_ok = !word_token || i == 0 || !word(bytes[i - 1]);
            let after_ok = !word_token || end >= bytes.len() || !word(bytes[end]);
            if before_ok && after_ok {
                self.last = end;
                return i..end;
            }
            at = i + 1;
        }
        self.last..self.last
    }

    fn selector(&mut self, vs: &promql_parser::parser::VectorSelector, range: Option<Duration>) {
        let span = match &vs.name {
            Some(n) => self.locate(n),
            None => self.locate("{"),
        };
        let mut matchers = Vec::new();
        for m in &vs.matchers.matchers {
            if vs.name.is_some() && m.name == "__name__" {
                continue;
            }
            let (kind, value) = match (&m.op, placeholder(&m.value)) {
                (_, Some(i)) => self.regexes[i].clone(),
                (MatchOp::Equal, None) => (MatchKind::Equal, m.value.clone()),
                (MatchOp::NotEqual, None) => (MatchKind::NotEqual, m.value.clone()),
                (MatchOp::Re(_), None) => (MatchKind::Regex, m.value.clone()),
                (MatchOp::NotRe(_), None) => (MatchKind::NotRegex, m.value.clone()),
            };
            let name_span = self.locate(&m.name);
            // The matcher runs from its name to the closing quote of its value.
            let end = closing_quote(&self.text[name_span.end..])
                .map_or(name_span.end, |e| name_span.end + e);
            self.last = self.last.max(end);
            matchers.push(Matcher {
                name: m.name.clone(),
                kind,
                value,
                span: name_span.start..end,
            });
        }
        let range_span = range.and_then(|_| {
            let after = matchers.last().map_or(span.end, |m| m.span.end);
            let rest = &self.text[after..];
            let open = rest.find('[')?;
            let close = rest[open..].find(']')?;
            Some(after + open..after + open + close + 1)
        });
        self.facts.selectors.push(Selector {
            name: vs.name.clone(),
            matchers,
            range,
            range_span,
            enclosing: self.enclosing.clone(),
            in_subquery: self.in_subquery,
            aggregated: self.aggregated.clone(),
            span,
        });
    }

    fn walk(&mut self, e: &Expr) {
        match e {
            Expr::Paren(p) => self.walk(&p.expr),
            Expr::Unary(u) => self.walk(&u.expr),
            Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
            Expr::VectorSelector(vs) => self.selector(vs, None),
            Expr::MatrixSelector(m) => self.selector(&m.vs, Some(m.range)),
            Expr::Subquery(s) => {
                let was = self.in_subquery;
                self.in_subquery = true;
                self.walk(&s.expr);
                self.in_subquery = was;
            }
            Expr::Aggregate(a) => {
                let op = a.op.to_string();
                let span = self.locate(&op);
                let (by, without) = match &a.modifier {
                    Some(LabelModifier::Include(l)) => (Some(names(l)), None),
                    Some(LabelModifier::Exclude(l)) => (None, Some(names(l))),
                    None => (None, None),
                };
                self.facts.aggregations.push(Aggregation {
                    op: op.clone(),
                    by,
                    without,
                    span,
                });
                if let Some(p) = &a.param {
                    self.walk(p);
                }
                self.aggregated.push(op);
                self.walk(&a.expr);
                self.aggregated.pop();
            }
            Expr::Call(c) => {
                let span = self.locate(c.func.name);
                let numbers = c
                    .args
                    .args
                    .iter()
                    .map(|a| match strip(a) {
                        Expr::NumberLiteral(n) => Some(n.val),
                        _ => None,
                    })
                    .collect();
                let first_vector =
                    c.args.args.iter().find(|a| {
                        !matches!(strip(a), Expr::NumberLiteral(_) | Expr::StringLiteral(_))
                    });
                let aggregated_argument = first_vector.is_some_and(
                    |a| matches!(strip(a), Expr::Subquery(s) if contains_aggregation(&s.expr)),
                );
                let argument_labels = first_vector.and_then(|a| labels_of(a));
                self.facts.calls.push(Call {
                    name: c.func.name,
                    enclosing: self.enclosing.clone(),
                    numbers,
                    aggregated_argument,
                    argument_labels,
                    span,
                });
                self.enclosing.push(c.func.name);
                for a in &c.args.args {
                    self.walk(a);
                }
                self.enclosing.pop();
            }
            Expr::Binary(b) => {
                // Operands are located in text order: the left side first.
                self.walk(&b.lhs);
                let op = b.op.to_string();
                let span = self.locate(&op);
                let rhs_number = matches!(strip(&b.rhs), Expr::NumberLiteral(_));
                self.facts.binaries.push(Binary {
                    comparison: b.op.is_comparison_operator(),
                    bool_modifier: b.modifier.as_ref().is_some_and(|m| m.return_bool),
                    rhs_number,
                    rhs_unguarded: op == "/" && !rhs_number && !guarded(&b.rhs),
                    op,
                    span,
                });
                self.walk(&b.rhs);
            }
        }
    }
}

/// The offset just past the closing quote of the first quoted string in `rest`.
fn closing_quote(rest: &str) -> Option<usize> {
    let q = rest.find(['"', '\'', '`'])?;
    let quote = rest.as_bytes()[q];
    let b = rest.as_bytes();
    let mut i = q + 1;
    while i < b.len() && b[i] != quote {
        if b[i] == b'\\' && quote != b'`' {
            i += 1;
        }
        i += 1;
    }
    Some((i + 1).min(rest.len()))
}

fn contains_aggregation(e: &Expr) -> bool {
    match e {
        Expr::Aggregate(_) => true,
        Expr::Paren(p) => contains_aggregation(&p.expr),
        Expr::Binary(b) => contains_aggregation(&b.lhs) || contains_aggregation(&b.rhs),
        Expr::Call(c) => c.args.args.iter().any(|a| contains_aggregation(a)),
        Expr::Unary(u) => contains_aggregation(&u.expr),
        _ => false,
    }
}

/// Whether a divisor cannot be zero: clamped, filtered by a comparison, or
/// a constant.
fn guarded(e: &Expr) -> bool {
    match strip(e) {
        Expr::NumberLiteral(n) => n.val != 0.0,
        Expr::Binary(b) => {
            b.op.is_comparison_operator() && !b.modifier.as_ref().is_some_and(|m| m.return_bool)
                || (b.op.to_string() == "+" && (guarded(&b.lhs) || guarded(&b.rhs)))
                || (b.op.to_string() == "or" && (guarded(&b.lhs) || guarded(&b.rhs)))
        }
        Expr::Call(c) => {
            matches!(
                c.func.name,
                "clamp_min" | "clamp" | "time" | "vector" | "scalar" | "timestamp"
            )
        }
        Expr::Aggregate(a) => {
            let op = a.op.to_string();
            matches!(op.as_str(), "count" | "group") || guarded(&a.expr)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(e: &str) -> Option<Vec<String>> {
        Facts::analyze(e)
            .unwrap()
            .output_labels
            .map(|l| l.into_iter().collect())
    }

    #[test]
    fn output_labels() {
        assert_eq!(labels("up"), None);
        assert_eq!(labels("sum by (job) (up) > 1"), Some(vec!["job".into()]));
        assert_eq!(labels("sum(up)"), Some(vec![]));
        assert_eq!(
            labels("histogram_quantile(0.9, sum by (le, job) (rate(x_bucket[5m])))"),
            Some(vec!["job".into()])
        );
        assert_eq!(labels("absent(up{job=\"a\"})"), Some(vec!["job".into()]));
        assert_eq!(labels("a / on(job) b"), Some(vec!["job".into()]));
    }

    #[test]
    fn selectors_and_spans() {
        let text = "sum(rate(http_requests_total{code=~\"5..\"}[1m])) / sum(rate(http_requests_total[5m])) > 0.1";
        let f = Facts::analyze(text).unwrap();
        assert_eq!(f.selectors.len(), 2);
        assert_eq!(
            &text[f.selectors[0].matchers[0].span.clone()],
            "code=~\"5..\""
        );
        assert_eq!(&text[f.selectors[0].range_span.clone().unwrap()], "[1m]");
        assert_eq!(&text[f.selectors[1].range_span.clone().unwrap()], "[5m]");
        assert_eq!(
            f.selectors[1].span.start,
            text.rfind("http_requests_total").unwrap()
        );
        assert_eq!(f.selectors[0].enclosing, vec!["rate"]);
        assert!(f.filtered);
        assert!(f.binaries[0].rhs_unguarded);
    }
}
