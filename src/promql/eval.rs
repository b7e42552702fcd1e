//! A small PromQL evaluator over synthetic series.
//!
//! It predicts what Prometheus 2 computes for a threshold query when the
//! inputs are known exactly, so that the unit-test generator can choose
//! input series and state, before promtool runs, when an alert fires and
//! with which value and labels.
//!
//! It covers the subset threshold queries use: selectors (with `offset`),
//! `rate`/`increase`/`delta`/`irate`/`idelta`, a few `*_over_time` and math
//! functions, `histogram_quantile`, `label_replace`, the aggregations `sum`,
//! `avg`, `min`, `max`, `count` and `group`, `absent` and
//! `absent_over_time`, arithmetic, comparisons (filter
//! and `bool`), vector matching (`on`, `ignoring`, `group_left/right`) and
//! `and`/`or`/`unless`. It follows Prometheus 2.42's semantics where they
//! matter for values: closed range windows, extrapolated rates, the
//! incremental mean of `avg`. Anything else is [`EvalError::Unsupported`],
//! and the caller falls back to something simpler. It is not a query
//! engine: there are no staleness markers, native histograms or `@`.
//!
//! A [`Program`] is made from the facade's parsed [`super::Expr`], whose
//! nesting depth the parser bounds (see [`super::MAX_DEPTH`]). Evaluation
//! frames are larger than the parser's, so checking support also rejects
//! nesting deeper than [`MAX_EVAL_DEPTH`]; evaluation walks the same tree, so
//! neither recursive pass can exhaust the stack.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::Duration;

use super::MatchOp;
use super::facts;
use super::parse::Regexes;
use promql_parser::label::{MatchOp as AstMatchOp, Matcher};
use promql_parser::parser::{
    AggregateExpr, BinaryExpr, Call, Expr, LabelModifier, MatrixSelector, Offset,
    VectorMatchCardinality, VectorSelector,
};

/// A label set, sorted by name; the metric name is the `__name__` label.
pub type Labels = BTreeMap<String, String>;

/// The label holding the metric name.
pub const METRIC_NAME: &str = "__name__";

/// Deepest nesting the evaluator runs (threshold queries nest far less):
/// small enough for a 2 MiB thread stack in a debug build.
pub const MAX_EVAL_DEPTH: usize = 64;

/// How far back an instant selector looks for a sample (Prometheus' default).
const LOOKBACK_MS: i64 = 5 * 60 * 1000;

/// Why an expression cannot be evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// The expression does not parse.
    #[error("invalid PromQL: {0}")]
    Syntax(String),
    /// The expression uses something the evaluator does not implement.
    #[error("{0} is not supported")]
    Unsupported(String),
    /// Prometheus would fail too (e.g. a many-to-many match).
    #[error("{0}")]
    Runtime(String),
}

/// One input series: labels and samples in ascending time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Labels, `__name__` included.
    pub labels: Labels,
    /// `(milliseconds, value)` pairs, ascending.
    pub samples: Vec<(i64, f64)>,
}

/// One output sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Labels of the result series.
    pub labels: Labels,
    /// Its value.
    pub value: f64,
}

/// The series an expression is evaluated over.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    series: Vec<Series>,
    /// Per series, how many samples up to each index are below their predecessor.
    decreases: Vec<Vec<u32>>,
}

impl Dataset {
    /// A dataset of `series` (sorted by labels, like a TSDB returns them).
    pub fn new(mut series: Vec<Series>) -> Dataset {
        series.sort_by(|a, b| a.labels.cmp(&b.labels));
        let decreases = series
            .iter()
            .map(|s| {
                let mut n = 0;
                let mut out = Vec::with_capacity(s.samples.len());
                for (i, (_, v)) in s.samples.iter().enumerate() {
                    if i > 0 && *v < s.samples[i - 1].1 {
                        n += 1;
                    }
                    out.push(n);
                }
                out
            })
            .collect();
        Dataset { series, decreases }
    }

    /// The series, sorted by labels.
    pub fn series(&self) -> &[Series] {
        &self.series
    }
}

/// One label matcher of a selector.
#[derive(Debug, Clone)]
pub struct LabelMatcher {
    /// The label name.
    pub name: String,
    /// The operator.
    pub kind: MatchOp,
    /// The value or pattern as written.
    pub value: String,
    /// The anchored regex of `=~` and `!~`.
    regex: Option<regex::Regex>,
}

impl LabelMatcher {
    fn new(m: &Matcher, regexes: &Regexes) -> Result<LabelMatcher, EvalError> {
        let (kind, value) = facts::matcher(m, regexes);
        let regex = match &m.op {
            AstMatchOp::Re(re) | AstMatchOp::NotRe(re) => Some(re.clone()),
            // A regex the parser held as a placeholder is compiled here.
            _ if matches!(kind, MatchOp::Regex | MatchOp::NotRegex) => Some(
                regex::Regex::new(&format!("^(?:{value})$"))
                    .map_err(|_| EvalError::Unsupported(format!("the regex `{value}`")))?,
            ),
            _ => None,
        };
        Ok(LabelMatcher {
            name: m.name.clone(),
            kind,
            value: value.to_string(),
            regex,
        })
    }

    /// Whether a label value (`""` when the label is absent) satisfies the matcher.
    pub fn matches(&self, value: &str) -> bool {
        match (self.kind, &self.regex) {
            (MatchOp::Equal, _) => self.value == value,
            (MatchOp::NotEqual, _) => self.value != value,
            (MatchOp::Regex, Some(re)) => re.is_match(value),
            (MatchOp::NotRegex, Some(re)) => !re.is_match(value),
            (MatchOp::Regex | MatchOp::NotRegex, None) => false,
        }
    }
}

/// A vector selector found in an expression, with how it is used.
#[derive(Debug, Clone)]
pub struct Selector {
    /// The metric name, when the selector names one.
    pub metric: Option<String>,
    /// The label matchers other than the metric name.
    pub matchers: Vec<LabelMatcher>,
    /// The range, for a range selector.
    pub range: Option<Duration>,
    /// Its `offset` (negative offsets are rejected).
    pub offset: Duration,
    /// Whether the series are read as counters (argument of `rate`, `increase`, `irate`, `resets`).
    pub counter: bool,
    /// The quantile, when the series feed `histogram_quantile` with a literal quantile.
    pub histogram_quantile: Option<f64>,
}

impl Selector {
    /// Whether `labels` are selected.
    pub fn matches(&self, labels: &Labels) -> bool {
        let get = |n: &str| labels.get(n).map(String::as_str).unwrap_or("");
        self.metric.as_deref().is_none_or(|m| get(METRIC_NAME) == m)
            && self.matchers.iter().all(|m| m.matches(get(&m.name)))
    }
}

/// A parsed expression ready to be evaluated.
#[derive(Debug, Clone)]
pub struct Program {
    expr: super::Expr,
    selectors: Vec<Selector>,
    grouping: BTreeSet<String>,
}

/// Parse `text` and check that every construct in it is supported.
///
/// The text is parsed in the `prometheus3` dialect, which accepts everything
/// `prometheus2` does except `holt_winters` (which the evaluator does not
/// support either): the evaluator, not the dialect, decides what it runs.
/// Callers that already hold a parsed expression use [`Program::new`].
pub fn program(text: &str) -> Result<Program, EvalError> {
    let expr = super::parse(text, super::Dialect::Prometheus3)
        .map_err(|e| EvalError::Syntax(e.message))?;
    Program::new(&expr)
}

impl Program {
    /// Checks that every construct of `expr` is supported.
    pub fn new(expr: &super::Expr) -> Result<Program, EvalError> {
        let mut walk = Walk {
            regexes: &expr.regexes,
            selectors: Vec::new(),
            grouping: BTreeSet::new(),
            depth: 0,
        };
        walk.expr(&expr.ast, Use::default())?;
        Ok(Program {
            selectors: walk.selectors,
            grouping: walk.grouping,
            expr: expr.clone(),
        })
    }

    /// Every selector, in the order they appear.
    pub fn selectors(&self) -> &[Selector] {
        &self.selectors
    }

    /// Every label named in `by`, `without`, `on`, `ignoring` and `group_*` clauses.
    pub fn grouping_labels(&self) -> &BTreeSet<String> {
        &self.grouping
    }

    /// The longest range plus offset any selector reads.
    pub fn max_range(&self) -> Duration {
        self.selectors
            .iter()
            .map(|s| s.range.unwrap_or_default() + s.offset)
            .max()
            .unwrap_or_default()
    }

    /// Evaluate at `at_ms` (milliseconds since the epoch of the data).
    pub fn eval(&self, data: &Dataset, at_ms: i64) -> Result<Vec<Sample>, EvalError> {
        let ctx = Ctx {
            data,
            t: at_ms,
            selectors: &self.selectors,
            next: std::cell::Cell::new(0),
        };
        match ctx.eval(&self.expr.ast)? {
            Value::Scalar(v) => Ok(vec![Sample {
                labels: Labels::new(),
                value: v,
            }]),
            Value::Vector(v) => Ok(v),
            Value::Matrix(_) | Value::Str(_) => Err(EvalError::Unsupported(
                "an expression that is not an instant vector or scalar".into(),
            )),
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Use {
    counter: bool,
    histogram_quantile: Option<f64>,
}

struct Walk<'r> {
    regexes: &'r Regexes,
    selectors: Vec<Selector>,
    grouping: BTreeSet<String>,
    /// Nesting depth of the node being checked.
    depth: usize,
}

const FUNCTIONS: &[&str] = &[
    "rate",
    "increase",
    "delta",
    "irate",
    "idelta",
    "max_over_time",
    "min_over_time",
    "last_over_time",
    "count_over_time",
    "abs",
    "ceil",
    "floor",
    "clamp",
    "clamp_min",
    "clamp_max",
    "histogram_quantile",
    "label_replace",
    "vector",
    "scalar",
    "time",
    "absent",
    "absent_over_time",
];

impl Walk<'_> {
    fn selector(
        &mut self,
        vs: &VectorSelector,
        range: Option<Duration>,
        usage: Use,
    ) -> Result<(), EvalError> {
        if vs.at.is_some() {
            return Err(EvalError::Unsupported("the `@` modifier".into()));
        }
        if !vs.matchers.or_matchers.is_empty() {
            return Err(EvalError::Unsupported("`or` inside a selector".into()));
        }
        let offset = match &vs.offset {
            None => Duration::ZERO,
            Some(Offset::Pos(d)) => *d,
            Some(Offset::Neg(_)) => return Err(EvalError::Unsupported("a negative offset".into())),
        };
        let mut metric = vs.name.clone();
        let mut matchers = Vec::new();
        for m in &vs.matchers.matchers {
            let matcher = LabelMatcher::new(m, self.regexes)?;
            if m.name == METRIC_NAME && matcher.kind == MatchOp::Equal {
                metric = Some(matcher.value);
            } else {
                matchers.push(matcher);
            }
        }
        self.selectors.push(Selector {
            metric,
            matchers,
            range,
            offset,
            counter: usage.counter,
            histogram_quantile: usage.histogram_quantile,
        });
        Ok(())
    }

    fn modifier(&mut self, m: &Option<LabelModifier>) {
        if let Some(m) = m {
            self.grouping.extend(m.labels().labels.iter().cloned());
        }
    }

    fn expr(&mut self, e: &Expr, usage: Use) -> Result<(), EvalError> {
        self.depth += 1;
        if self.depth > MAX_EVAL_DEPTH {
            return Err(EvalError::Unsupported(format!(
                "nesting deeper than {MAX_EVAL_DEPTH} levels"
            )));
        }
        let result = self.check(e, usage);
        self.depth -= 1;
        result
    }

    fn check(&mut self, e: &Expr, usage: Use) -> Result<(), EvalError> {
        match e {
            Expr::NumberLiteral(_) | Expr::StringLiteral(_) => Ok(()),
            Expr::Paren(p) => self.expr(&p.expr, usage),
            Expr::Unary(u) => self.expr(&u.expr, usage),
            Expr::VectorSelector(vs) => self.selector(vs, None, usage),
            Expr::MatrixSelector(ms) => self.selector(&ms.vs, Some(ms.range), usage),
            Expr::Aggregate(a) => {
                let op = a.op.to_string();
                if !matches!(
                    op.as_str(),
                    "sum" | "avg" | "min" | "max" | "count" | "group"
                ) {
                    return Err(EvalError::Unsupported(format!("the aggregation `{op}`")));
                }
                self.modifier(&a.modifier);
                self.expr(&a.expr, usage)
            }
            Expr::Binary(b) => {
                let op = b.op.to_string();
                if !matches!(
                    op.as_str(),
                    "+" | "-"
                        | "*"
                        | "/"
                        | "%"
                        | "^"
                        | "=="
                        | "!="
                        | ">"
                        | "<"
                        | ">="
                        | "<="
                        | "and"
                        | "or"
                        | "unless"
                ) {
                    return Err(EvalError::Unsupported(format!("the operator `{op}`")));
                }
                if let Some(m) = &b.modifier {
                    if m.fill_values.lhs.is_some() || m.fill_values.rhs.is_some() {
                        return Err(EvalError::Unsupported("`fill` modifiers".into()));
                    }
                    self.modifier(&m.matching);
                    if let Some(l) = m.card.labels() {
                        self.grouping.extend(l.labels.iter().cloned());
                    }
                }
                self.expr(&b.lhs, usage)?;
                self.expr(&b.rhs, usage)
            }
            Expr::Call(c) => {
                let name = c.func.name;
                if !FUNCTIONS.contains(&name) {
                    return Err(EvalError::Unsupported(format!("the function `{name}`")));
                }
                let mut inner = usage;
                if matches!(name, "rate" | "increase" | "irate") {
                    inner.counter = true;
                }
                if name == "histogram_quantile" {
                    inner.histogram_quantile = match c.args.args.first().map(|a| a.as_ref()) {
                        Some(Expr::NumberLiteral(n)) => Some(n.val),
                        _ => None,
                    };
                }
                for a in &c.args.args {
                    self.expr(a, inner)?;
                }
                Ok(())
            }
            Expr::Subquery(_) => Err(EvalError::Unsupported("subqueries".into())),
            Expr::Extension(_) => Err(EvalError::Unsupported("extensions".into())),
        }
    }
}

/// A range of samples of one series.
struct Window<'a> {
    labels: Labels,
    points: &'a [(i64, f64)],
    /// Whether a sample in the window is below its predecessor (a counter reset).
    resets: bool,
    start: i64,
    end: i64,
    range: Duration,
}

enum Value<'a> {
    Scalar(f64),
    Vector(Vec<Sample>),
    Matrix(Vec<Window<'a>>),
    Str(String),
}

struct Ctx<'a> {
    data: &'a Dataset,
    t: i64,
    /// The program's selectors: evaluation meets them in the order `Walk` listed them.
    selectors: &'a [Selector],
    next: std::cell::Cell<usize>,
}

fn ms(d: Duration) -> i64 {
    d.as_millis() as i64
}

fn offset_ms(o: &Option<Offset>) -> i64 {
    match o {
        Some(Offset::Pos(d)) => ms(*d),
        Some(Offset::Neg(d)) => -ms(*d),
        None => 0,
    }
}

/// The labels of `absent(...)`'s result, as Prometheus builds them from
/// its selector: the first equality matcher of each label sets it, any
/// other matcher of that label (after it or not) removes it; the metric
/// name is never kept.
fn absent_labels(selector: &Selector) -> Labels {
    let mut out = Labels::new();
    let mut has = BTreeSet::new();
    for m in &selector.matchers {
        if m.name == METRIC_NAME {
            continue;
        }
        if m.kind == MatchOp::Equal && has.insert(m.name.clone()) {
            out.insert(m.name.clone(), m.value.clone());
        } else {
            out.remove(&m.name);
        }
    }
    out
}

fn drop_name(mut l: Labels) -> Labels {
    l.remove(METRIC_NAME);
    l
}

impl<'a> Ctx<'a> {
    fn next_selector(&self) -> &'a Selector {
        let i = self.next.get();
        self.next.set(i + 1);
        &self.selectors[i]
    }

    fn eval(&self, e: &Expr) -> Result<Value<'a>, EvalError> {
        match e {
            Expr::NumberLiteral(n) => Ok(Value::Scalar(n.val)),
            Expr::StringLiteral(s) => Ok(Value::Str(s.val.clone())),
            Expr::Paren(p) => self.eval(&p.expr),
            Expr::Unary(u) => match self.eval(&u.expr)? {
                Value::Scalar(v) => Ok(Value::Scalar(-v)),
                Value::Vector(v) => Ok(Value::Vector(
                    v.into_iter()
                        .map(|s| Sample {
                            labels: drop_name(s.labels),
                            value: -s.value,
                        })
                        .collect(),
                )),
                _ => Err(EvalError::Unsupported("unary minus on a range".into())),
            },
            Expr::VectorSelector(vs) => Ok(Value::Vector(self.instant(vs))),
            Expr::MatrixSelector(m) => Ok(Value::Matrix(self.range(m))),
            Expr::Call(c) => self.call(c),
            Expr::Aggregate(a) => self.aggregate(a),
            Expr::Binary(b) => self.binary(b),
            Expr::Subquery(_) | Expr::Extension(_) => {
                Err(EvalError::Unsupported("subqueries".into()))
            }
        }
    }

    fn instant(&self, vs: &VectorSelector) -> Vec<Sample> {
        let sel = self.next_selector();
        let t = self.t - offset_ms(&vs.offset);
        let mut out = Vec::new();
        for s in &self.data.series {
            if !sel.matches(&s.labels) {
                continue;
            }
            let i = s.samples.partition_point(|(ts, _)| *ts <= t);
            if i == 0 {
                continue;
            }
            let (ts, v) = s.samples[i - 1];
            if ts >= t - LOOKBACK_MS {
                out.push(Sample {
                    labels: s.labels.clone(),
                    value: v,
                });
            }
        }
        out
    }

    fn range(&self, m: &MatrixSelector) -> Vec<Window<'a>> {
        let sel = self.next_selector();
        let end = self.t - offset_ms(&m.vs.offset);
        let start = end - ms(m.range);
        let mut out = Vec::new();
        for (s, dec) in self.data.series.iter().zip(&self.data.decreases) {
            if !sel.matches(&s.labels) {
                continue;
            }
            // Prometheus 2 range windows are closed at both ends.
            let lo = s.samples.partition_point(|(ts, _)| *ts < start);
            let hi = s.samples.partition_point(|(ts, _)| *ts <= end);
            out.push(Window {
                labels: s.labels.clone(),
                points: &s.samples[lo..hi],
                resets: hi > lo + 1 && dec[hi - 1] != dec[lo],
                start,
                end,
                range: m.range,
            });
        }
        out
    }

    fn args(&self, c: &Call) -> Result<Vec<Value<'a>>, EvalError> {
        c.args.args.iter().map(|a| self.eval(a)).collect()
    }

    fn call(&self, c: &Call) -> Result<Value<'a>, EvalError> {
        let name = c.func.name;
        let mut args = self.args(c)?;
        let vector = |v: Value<'a>| match v {
            Value::Vector(v) => Ok(v),
            _ => Err(EvalError::Unsupported(format!("`{name}` on a non-vector"))),
        };
        let scalar = |v: &Value<'a>| match v {
            Value::Scalar(v) => Ok(*v),
            _ => Err(EvalError::Unsupported(format!(
                "a non-literal scalar argument of `{name}`"
            ))),
        };
        let string = |v: &Value<'a>| match v {
            Value::Str(s) => Ok(s.clone()),
            _ => Err(EvalError::Unsupported(format!("`{name}` argument"))),
        };
        let map_vec = |v: Vec<Sample>, f: &dyn Fn(f64) -> f64| {
            v.into_iter()
                .map(|s| Sample {
                    labels: drop_name(s.labels),
                    value: f(s.value),
                })
                .collect::<Vec<_>>()
        };
        match name {
            "rate" | "increase" | "delta" | "irate" | "idelta" | "max_over_time"
            | "min_over_time" | "last_over_time" | "count_over_time" => {
                let Some(Value::Matrix(windows)) = args.pop() else {
                    return Err(EvalError::Unsupported(format!("`{name}` without a range")));
                };
                let mut out = Vec::new();
                for w in windows {
                    let value = match name {
                        "rate" => extrapolated_rate(&w, true, true),
                        "increase" => extrapolated_rate(&w, true, false),
                        "delta" => extrapolated_rate(&w, false, false),
                        "irate" => instant_value(&w, true),
                        "idelta" => instant_value(&w, false),
                        "max_over_time" => {
                            over_time(&w, |a, b| if b > a || a.is_nan() { b } else { a })
                        }
                        "min_over_time" => {
                            over_time(&w, |a, b| if b < a || a.is_nan() { b } else { a })
                        }
                        "last_over_time" => w.points.last().map(|p| p.1),
                        _ => (!w.points.is_empty()).then_some(w.points.len() as f64),
                    };
                    if let Some(value) = value {
                        out.push(Sample {
                            labels: drop_name(w.labels),
                            value,
                        });
                    }
                }
                Ok(Value::Vector(out))
            }
            "abs" => Ok(Value::Vector(map_vec(vector(args.remove(0))?, &f64::abs))),
            "ceil" => Ok(Value::Vector(map_vec(vector(args.remove(0))?, &f64::ceil))),
            "floor" => Ok(Value::Vector(map_vec(vector(args.remove(0))?, &f64::floor))),
            "clamp_min" => {
                let min = scalar(&args[1])?;
                Ok(Value::Vector(map_vec(vector(args.remove(0))?, &|v| {
                    go_max(v, min)
                })))
            }
            "clamp_max" => {
                let max = scalar(&args[1])?;
                Ok(Value::Vector(map_vec(vector(args.remove(0))?, &|v| {
                    go_min(v, max)
                })))
            }
            "clamp" => {
                let (min, max) = (scalar(&args[1])?, scalar(&args[2])?);
                if max < min {
                    return Ok(Value::Vector(Vec::new()));
                }
                Ok(Value::Vector(map_vec(vector(args.remove(0))?, &|v| {
                    go_max(min, go_min(max, v))
                })))
            }
            "absent" | "absent_over_time" => {
                let present = match args.pop() {
                    Some(Value::Vector(v)) => !v.is_empty(),
                    Some(Value::Matrix(w)) => w.iter().any(|w| !w.points.is_empty()),
                    _ => return Err(EvalError::Unsupported(format!("`{name}` argument"))),
                };
                Ok(Value::Vector(if present {
                    Vec::new()
                } else {
                    // A selector argument was the last one evaluated.
                    let selector = matches!(
                        c.args.args.first().map(|a| a.as_ref()),
                        Some(Expr::VectorSelector(_) | Expr::MatrixSelector(_))
                    )
                    .then(|| self.next.get().checked_sub(1))
                    .flatten()
                    .and_then(|i| self.selectors.get(i));
                    vec![Sample {
                        labels: selector.map(absent_labels).unwrap_or_default(),
                        value: 1.0,
                    }]
                }))
            }
            "vector" => Ok(Value::Vector(vec![Sample {
                labels: Labels::new(),
                value: scalar(&args[0])?,
            }])),
            "scalar" => {
                let v = vector(args.remove(0))?;
                Ok(Value::Scalar(if v.len() == 1 {
                    v[0].value
                } else {
                    f64::NAN
                }))
            }
            "time" => Ok(Value::Scalar(self.t as f64 / 1000.0)),
            "histogram_quantile" => {
                let q = scalar(&args[0])?;
                Ok(Value::Vector(histogram_quantile(
                    q,
                    vector(args.remove(1))?,
                )))
            }
            "label_replace" => {
                let (dst, repl, src, re) = (
                    string(&args[1])?,
                    string(&args[2])?,
                    string(&args[3])?,
                    string(&args[4])?,
                );
                let re = regex::Regex::new(&format!("^(?s:{re})$"))
                    .map_err(|e| EvalError::Runtime(format!("invalid regex: {e}")))?;
                let mut out = Vec::new();
                for mut s in vector(args.remove(0))? {
                    let value = s.labels.get(&src).cloned().unwrap_or_default();
                    if let Some(caps) = re.captures(&value) {
                        let mut res = String::new();
                        caps.expand(&repl, &mut res);
                        if res.is_empty() {
                            s.labels.remove(&dst);
                        } else {
                            s.labels.insert(dst.clone(), res);
                        }
                    }
                    out.push(s);
                }
                check_unique(&out)?;
                Ok(Value::Vector(out))
            }
            other => Err(EvalError::Unsupported(format!("the function `{other}`"))),
        }
    }

    fn aggregate(&self, a: &AggregateExpr) -> Result<Value<'a>, EvalError> {
        let op = a.op.to_string();
        let Value::Vector(input) = self.eval(&a.expr)? else {
            return Err(EvalError::Unsupported("aggregating a non-vector".into()));
        };
        struct Group {
            labels: Labels,
            value: f64,
            mean: f64,
            count: f64,
        }
        let mut groups: Vec<Group> = Vec::new();
        let mut index: HashMap<Labels, usize> = HashMap::new();
        for s in input {
            let key: Labels = match &a.modifier {
                Some(LabelModifier::Include(by)) => s
                    .labels
                    .iter()
                    .filter(|(k, _)| by.labels.contains(k) && k.as_str() != METRIC_NAME)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                Some(LabelModifier::Exclude(without)) => s
                    .labels
                    .iter()
                    .filter(|(k, _)| !without.labels.contains(k) && k.as_str() != METRIC_NAME)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                None => Labels::new(),
            };
            match index.get(&key) {
                None => {
                    index.insert(key.clone(), groups.len());
                    groups.push(Group {
                        labels: key,
                        value: s.value,
                        mean: s.value,
                        count: 1.0,
                    });
                }
                Some(&i) => {
                    let g = &mut groups[i];
                    g.count += 1.0;
                    match op.as_str() {
                        "sum" => g.value += s.value,
                        "avg" => {
                            // Prometheus 2.42's incremental mean.
                            g.mean += s.value / g.count - g.mean / g.count;
                        }
                        "max" if g.value < s.value || g.value.is_nan() => g.value = s.value,
                        "min" if g.value > s.value || g.value.is_nan() => g.value = s.value,
                        _ => {}
                    }
                }
            }
        }
        Ok(Value::Vector(
            groups
                .into_iter()
                .map(|g| Sample {
                    value: match op.as_str() {
                        "avg" => g.mean,
                        "count" => g.count,
                        "group" => 1.0,
                        _ => g.value,
                    },
                    labels: g.labels,
                })
                .collect(),
        ))
    }

    fn binary(&self, b: &BinaryExpr) -> Result<Value<'a>, EvalError> {
        let op = b.op.to_string();
        let return_bool = b.return_bool();
        let lhs = self.eval(&b.lhs)?;
        let rhs = self.eval(&b.rhs)?;
        let comparison = matches!(op.as_str(), "==" | "!=" | ">" | "<" | ">=" | "<=");
        match (lhs, rhs) {
            (Value::Scalar(l), Value::Scalar(r)) => {
                let (v, keep) = elem(&op, l, r);
                Ok(Value::Scalar(if comparison {
                    if keep { 1.0 } else { 0.0 }
                } else {
                    v
                }))
            }
            (Value::Vector(v), Value::Scalar(s)) => {
                Ok(Value::Vector(vector_scalar(&op, v, s, false, return_bool)))
            }
            (Value::Scalar(s), Value::Vector(v)) => {
                Ok(Value::Vector(vector_scalar(&op, v, s, true, return_bool)))
            }
            (Value::Vector(l), Value::Vector(r)) => {
                let m = b.modifier.as_ref();
                let on = matches!(
                    m.and_then(|m| m.matching.as_ref()),
                    Some(LabelModifier::Include(_))
                );
                let names: Vec<String> = m
                    .and_then(|m| m.matching.as_ref())
                    .map(|m| m.labels().labels.clone())
                    .unwrap_or_default();
                let card = m
                    .map(|m| m.card.clone())
                    .unwrap_or(VectorMatchCardinality::OneToOne);
                let sig = |l: &Labels| -> Vec<(String, String)> {
                    if on {
                        names
                            .iter()
                            .map(|n| (n.clone(), l.get(n).cloned().unwrap_or_default()))
                            .collect()
                    } else {
                        l.iter()
                            .filter(|(k, _)| k.as_str() != METRIC_NAME && !names.contains(k))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect()
                    }
                };
                match op.as_str() {
                    "and" | "unless" => {
                        let right: HashSet<_> = r.iter().map(|s| sig(&s.labels)).collect();
                        let keep_present = op == "and";
                        Ok(Value::Vector(
                            l.into_iter()
                                .filter(|s| right.contains(&sig(&s.labels)) == keep_present)
                                .collect(),
                        ))
                    }
                    "or" => {
                        let left: HashSet<_> = l.iter().map(|s| sig(&s.labels)).collect();
                        let mut out = l;
                        out.extend(r.into_iter().filter(|s| !left.contains(&sig(&s.labels))));
                        Ok(Value::Vector(out))
                    }
                    _ => {
                        let (many, one, swapped, include) = match &card {
                            VectorMatchCardinality::OneToMany(inc) => {
                                (r, l, true, inc.labels.clone())
                            }
                            VectorMatchCardinality::ManyToOne(inc) => {
                                (l, r, false, inc.labels.clone())
                            }
                            _ => (l, r, false, Vec::new()),
                        };
                        let one_to_one = matches!(card, VectorMatchCardinality::OneToOne);
                        let mut right: HashMap<Vec<(String, String)>, &Sample> = HashMap::new();
                        for s in &one {
                            if right.insert(sig(&s.labels), s).is_some() {
                                return Err(EvalError::Runtime(
                                    "found duplicate series for the match group on the right-hand side".into(),
                                ));
                            }
                        }
                        let mut matched: HashSet<Vec<(String, String)>> = HashSet::new();
                        let mut out = Vec::new();
                        for ls in many {
                            let key = sig(&ls.labels);
                            let Some(rs) = right.get(&key) else { continue };
                            if one_to_one && !matched.insert(key) {
                                return Err(EvalError::Runtime(
                                    "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)".into(),
                                ));
                            }
                            let (vl, vr) = if swapped {
                                (rs.value, ls.value)
                            } else {
                                (ls.value, rs.value)
                            };
                            let (mut value, keep) = elem(&op, vl, vr);
                            if return_bool {
                                value = if keep { 1.0 } else { 0.0 };
                            } else if !keep {
                                continue;
                            }
                            let mut labels = ls.labels.clone();
                            if drops_name(&op) || return_bool {
                                labels.remove(METRIC_NAME);
                            }
                            if one_to_one {
                                if on {
                                    labels.retain(|k, _| names.contains(k));
                                } else {
                                    labels.retain(|k, _| !names.contains(k));
                                }
                            }
                            for n in &include {
                                match rs.labels.get(n) {
                                    Some(v) if !v.is_empty() => {
                                        labels.insert(n.clone(), v.clone());
                                    }
                                    _ => {
                                        labels.remove(n);
                                    }
                                }
                            }
                            out.push(Sample { labels, value });
                        }
                        check_unique(&out)?;
                        Ok(Value::Vector(out))
                    }
                }
            }
            _ => Err(EvalError::Unsupported(format!(
                "`{op}` between these operand types"
            ))),
        }
    }
}

fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

fn drops_name(op: &str) -> bool {
    matches!(op, "+" | "-" | "*" | "/" | "%" | "^")
}

/// Prometheus' `vectorElemBinop`: the value and, for comparisons, whether it holds.
fn elem(op: &str, l: f64, r: f64) -> (f64, bool) {
    match op {
        "+" => (l + r, true),
        "-" => (l - r, true),
        "*" => (l * r, true),
        "/" => (l / r, true),
        "%" => (l % r, true),
        "^" => (l.powf(r), true),
        "==" => (l, l == r),
        "!=" => (l, l != r),
        ">" => (l, l > r),
        "<" => (l, l < r),
        ">=" => (l, l >= r),
        "<=" => (l, l <= r),
        _ => (f64::NAN, false),
    }
}

fn vector_scalar(op: &str, v: Vec<Sample>, s: f64, swap: bool, return_bool: bool) -> Vec<Sample> {
    let comparison = matches!(op, "==" | "!=" | ">" | "<" | ">=" | "<=");
    let mut out = Vec::new();
    for mut sample in v {
        let (lv, rv) = if swap {
            (s, sample.value)
        } else {
            (sample.value, s)
        };
        let (mut value, mut keep) = elem(op, lv, rv);
        if comparison && swap {
            value = rv;
        }
        if return_bool {
            value = if keep { 1.0 } else { 0.0 };
            keep = true;
        }
        if keep {
            sample.value = value;
            if drops_name(op) || return_bool {
                sample.labels.remove(METRIC_NAME);
            }
            out.push(sample);
        }
    }
    out
}

fn check_unique(v: &[Sample]) -> Result<(), EvalError> {
    let mut seen = HashSet::new();
    for s in v {
        if !seen.insert(&s.labels) {
            return Err(EvalError::Runtime(
                "vector cannot contain metrics with the same labelset".into(),
            ));
        }
    }
    Ok(())
}

/// Prometheus 2.42's `extrapolatedRate`.
fn extrapolated_rate(w: &Window<'_>, is_counter: bool, is_rate: bool) -> Option<f64> {
    let p = w.points;
    if p.len() < 2 {
        return None;
    }
    let (first, last) = (p[0], p[p.len() - 1]);
    let mut result = last.1 - first.1;
    // A negative first sample is below the loop's initial zero: it adds zero.
    if is_counter && w.resets {
        let mut last_value = 0.0;
        for &(_, v) in p {
            if v < last_value {
                result += last_value;
            }
            last_value = v;
        }
    }
    let mut to_start = (first.0 - w.start) as f64 / 1000.0;
    let to_end = (w.end - last.0) as f64 / 1000.0;
    let sampled = (last.0 - first.0) as f64 / 1000.0;
    let average = sampled / (p.len() - 1) as f64;
    if is_counter && result > 0.0 && first.1 >= 0.0 {
        let to_zero = sampled * (first.1 / result);
        if to_zero < to_start {
            to_start = to_zero;
        }
    }
    let threshold = average * 1.1;
    let mut interval = sampled;
    interval += if to_start < threshold {
        to_start
    } else {
        average / 2.0
    };
    interval += if to_end < threshold {
        to_end
    } else {
        average / 2.0
    };
    let mut factor = interval / sampled;
    if is_rate {
        factor /= w.range.as_secs_f64();
    }
    Some(result * factor)
}

/// Prometheus' `instantValue` (`irate`, `idelta`).
fn instant_value(w: &Window<'_>, is_rate: bool) -> Option<f64> {
    let p = w.points;
    if p.len() < 2 {
        return None;
    }
    let (prev, last) = (p[p.len() - 2], p[p.len() - 1]);
    let mut result = if is_rate && last.1 < prev.1 {
        last.1
    } else {
        last.1 - prev.1
    };
    let interval = last.0 - prev.0;
    if interval == 0 {
        return None;
    }
    if is_rate {
        result /= interval as f64 / 1000.0;
    }
    Some(result)
}

fn over_time(w: &Window<'_>, f: impl Fn(f64, f64) -> f64) -> Option<f64> {
    let mut it = w.points.iter().map(|p| p.1);
    let first = it.next()?;
    Some(it.fold(first, f))
}

/// Prometheus 2.42's `histogram_quantile` over classic buckets.
fn histogram_quantile(q: f64, v: Vec<Sample>) -> Vec<Sample> {
    let mut groups: Vec<(Labels, Vec<(f64, f64)>)> = Vec::new();
    for s in v {
        let Some(le) = s.labels.get("le").and_then(|le| parse_go_float(le)) else {
            continue;
        };
        let mut key = s.labels.clone();
        key.remove("le");
        key.remove(METRIC_NAME);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, b)) => b.push((le, s.value)),
            None => groups.push((key, vec![(le, s.value)])),
        }
    }
    groups
        .into_iter()
        .map(|(labels, buckets)| Sample {
            labels,
            value: bucket_quantile(q, buckets),
        })
        .collect()
}

fn parse_go_float(s: &str) -> Option<f64> {
    match s {
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        _ => s.parse().ok(),
    }
}

fn bucket_quantile(q: f64, mut buckets: Vec<(f64, f64)>) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    if buckets.last().is_none_or(|b| b.0 != f64::INFINITY) {
        return f64::NAN;
    }
    // Coalesce buckets with the same upper bound.
    let mut merged: Vec<(f64, f64)> = Vec::new();
    for (le, c) in buckets {
        match merged.last_mut() {
            Some(last) if last.0 == le => last.1 += c,
            _ => merged.push((le, c)),
        }
    }
    let mut max = f64::NEG_INFINITY;
    for b in &mut merged {
        if b.1 > max {
            max = b.1;
        } else if b.1 < max {
            b.1 = max;
        }
    }
    if merged.len() < 2 {
        return f64::NAN;
    }
    let observations = merged[merged.len() - 1].1;
    if observations == 0.0 {
        return f64::NAN;
    }
    let mut rank = q * observations;
    let n = merged.len() - 1;
    let b = merged[..n].partition_point(|b| b.1 < rank);
    if b == n {
        return merged[n - 1].0;
    }
    if b == 0 && merged[0].0 <= 0.0 {
        return merged[0].0;
    }
    let (mut start, end, mut count) = (0.0, merged[b].0, merged[b].1);
    if b > 0 {
        start = merged[b - 1].0;
        count -= merged[b - 1].1;
        rank -= merged[b - 1].1;
    }
    start + (end - start) * (rank / count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(labels: &[(&str, &str)], samples: &[f64]) -> Series {
        Series {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            samples: samples
                .iter()
                .enumerate()
                .map(|(i, v)| (i as i64 * 60_000, *v))
                .collect(),
        }
    }

    fn eval(q: &str, data: &Dataset, minute: i64) -> Vec<Sample> {
        program(q).unwrap().eval(data, minute * 60_000).unwrap()
    }

    #[test]
    fn absent_returns_the_equality_matchers_when_nothing_matches() {
        let data = Dataset::new(vec![series(
            &[("__name__", "up"), ("job", "node")],
            &[1.0, 1.0],
        )]);
        assert!(eval(r#"absent(up{job="node"})"#, &data, 1).is_empty());
        let out = eval(
            r#"absent(up{job="db",instance=~"a.*",env="x",env="y"})"#,
            &data,
            1,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].value, 1.0);
        assert_eq!(
            out[0].labels,
            Labels::from([("job".to_string(), "db".to_string())])
        );
        // The last sample at 1m is inside a 5m window until 6m.
        let q = r#"absent_over_time(up{job="node"}[5m])"#;
        assert!(eval(q, &data, 6).is_empty());
        assert_eq!(eval(q, &data, 7).len(), 1);
    }

    #[test]
    fn rate_extrapolates_like_prometheus_2() {
        let counter: Vec<f64> = (0..=10).map(|i| i as f64 * 60.0).collect();
        let data = Dataset::new(vec![series(
            &[("__name__", "c_total"), ("instance", "a")],
            &counter,
        )]);
        let q = "sum(rate(c_total[5m]))";
        assert!(eval(q, &data, 0).is_empty(), "one sample: no rate");
        assert_eq!(eval(q, &data, 1)[0].value, 0.2);
        assert_eq!(eval(q, &data, 3)[0].value, 0.6000000000000001);
        assert_eq!(eval(q, &data, 7)[0].value, 1.0);
    }

    #[test]
    fn ratios_matching_and_filters() {
        let data = Dataset::new(vec![
            series(
                &[("__name__", "r_total"), ("code", "500"), ("instance", "a")],
                &[0.0, 6.0, 12.0],
            ),
            series(
                &[("__name__", "r_total"), ("code", "200"), ("instance", "a")],
                &[0.0, 54.0, 108.0],
            ),
            series(&[("__name__", "up"), ("instance", "a")], &[1.0, 1.0, 1.0]),
        ]);
        let q = r#"sum by (instance) (rate(r_total{code=~"5.."}[1m])) / (sum by (instance) (rate(r_total[1m])) > 0) and on (instance) (up == 1)"#;
        let out = eval(q, &data, 2);
        assert_eq!(out.len(), 1);
        assert!((out[0].value - 0.1).abs() < 1e-12);
        assert_eq!(out[0].labels.get("instance").map(String::as_str), Some("a"));
        assert!(eval("up == 0", &data, 2).is_empty());
        assert_eq!(
            eval("up > 0", &data, 2)[0]
                .labels
                .get(METRIC_NAME)
                .map(String::as_str),
            Some("up"),
            "filters keep the name"
        );
    }

    #[test]
    fn histogram_quantile_interpolates_inside_the_bucket() {
        let b = |le: &str, v: f64| {
            series(
                &[("__name__", "d_bucket"), ("le", le)],
                &[0.0, v * 60.0, v * 120.0],
            )
        };
        let data = Dataset::new(vec![b("1", 0.0), b("2", 1.0), b("+Inf", 1.0)]);
        let out = eval(
            "histogram_quantile(0.95, sum by (le) (rate(d_bucket[1m])))",
            &data,
            2,
        );
        assert!((out[0].value - 1.95).abs() < 1e-12);
    }

    #[test]
    fn reports_what_it_cannot_evaluate() {
        assert!(matches!(
            program("predict_linear(x[1h], 3600)"),
            Err(EvalError::Unsupported(_))
        ));
        assert!(matches!(
            program("topk(3, x)"),
            Err(EvalError::Unsupported(_))
        ));
        let p = program(
            r#"sum by (instance) (rate(x_total{job="a"}[5m])) / on (instance) group_left () y"#,
        )
        .unwrap();
        assert_eq!(p.selectors().len(), 2);
        assert!(p.selectors()[0].counter);
        assert_eq!(p.selectors()[0].range, Some(Duration::from_secs(300)));
        assert!(p.grouping_labels().contains("instance"));
    }
}
