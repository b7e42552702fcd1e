//! [`ExprFacts`]: what an expression selects, calls, aggregates and compares.
//!
//! Built once per expression by walking promql-parser's AST and the
//! `super::syntax` tree side by side: the AST gives values (names, matchers,
//! durations, grouping labels), the tree gives byte spans. The two have the
//! same shape node for node; if they ever disagree (a bug), the walk carries on
//! with the whole expression as the span rather than failing.
//!
//! Besides what is written, the walk records the context of each node that
//! lint rules ask about: the functions and aggregations around a selector,
//! whether it sits in a subquery, the number arguments of a call and the
//! labels of its series argument, whether a division's divisor can be zero,
//! and whether the whole result is filtered by a comparison.

use std::ops::Range;
use std::time::Duration;

use promql_parser::label::{MatchOp as AstMatchOp, Matcher as AstMatcher};
use promql_parser::parser::token;
use promql_parser::parser::value::ValueType as AstValueType;
use promql_parser::parser::{
    Expr as Ast, LabelModifier, Offset as AstOffset, VectorMatchCardinality, VectorSelector,
};

use super::ValueType;
use super::labels::{self, OutputLabels};
use super::lexer::string_literal;
use super::parse::Regexes;
use super::syntax::{NodeId, NodeKind, Tree};

/// Everything lint rules usually want to know about an expression.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExprFacts {
    /// Every vector and range selector, in source order.
    pub selectors: Vec<Selector>,
    /// Every function call, in source order (outer calls first).
    pub calls: Vec<Call>,
    /// Every aggregation (`sum`, `topk`, ...), in source order (outer first).
    pub aggregations: Vec<Aggregation>,
    /// Every binary operation, outer operations first.
    pub binary_ops: Vec<BinaryOp>,
    /// Every subquery, outer subqueries first.
    pub subqueries: Vec<Subquery>,
    /// The outermost node, parentheses stripped, when it is a comparison.
    pub top_level_comparison: Option<Comparison>,
    /// Whether the result is filtered by a comparison without `bool` (or by
    /// `and`, `unless`, `absent`...), so that series exist only while a
    /// condition holds: what an alerting rule needs to fire selectively.
    pub filtered: bool,
}

impl ExprFacts {
    /// Whether the expression calls the function `name`.
    pub fn calls_function(&self, name: &str) -> bool {
        self.calls.iter().any(|c| c.name == name)
    }

    /// The outermost operation when it is a comparison with `bool` (which
    /// returns 0 or 1 for every series instead of filtering).
    pub fn top_level_bool(&self) -> Option<&BinaryOp> {
        let cmp = self.top_level_comparison.as_ref()?;
        cmp.return_bool
            .then(|| self.binary_ops.get(cmp.binary_op))
            .flatten()
    }
}

/// A vector selector (`metric{label="value"}`), possibly with a range.
#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    /// The metric name: written before the braces, or given by a single
    /// `__name__="..."` matcher or a quoted name (`{"my.metric"}`).
    pub metric: Option<String>,
    /// Label matchers as written inside the braces (a quoted metric name
    /// appears as a `__name__` matcher).
    pub matchers: Vec<LabelMatcher>,
    /// The range of a range selector (`[5m]`).
    pub range: Option<Duration>,
    /// The `offset` modifier.
    pub offset: Option<Offset>,
    /// Whether an `@` modifier is present.
    pub has_at: bool,
    /// The selector text: name, braces, range, `offset` and `@`.
    pub span: Range<usize>,
    /// The metric name token written before the braces; otherwise the
    /// matcher that names the metric; otherwise the whole selector.
    pub name_span: Range<usize>,
    /// The range as written, brackets included (`[5m]`).
    pub range_span: Option<Range<usize>>,
    /// The functions whose arguments contain the selector, outermost first.
    pub functions: Vec<&'static str>,
    /// The aggregations whose argument contains the selector, outermost first.
    pub aggregations: Vec<AggregateOp>,
    /// Whether the selector sits inside a subquery.
    pub in_subquery: bool,
}

impl Selector {
    /// The innermost function whose argument contains the selector.
    pub fn function(&self) -> Option<&'static str> {
        self.functions.last().copied()
    }

    /// The selector as an instant vector selector: the metric name and the
    /// matchers as written, without range, `offset` or `@`
    /// (`node_cpu_seconds_total{job="x",mode="idle"}`).
    pub fn instant_text(&self) -> String {
        let named_by_matcher = self.matchers.iter().any(|m| m.name == "__name__");
        let mut out = match (&self.metric, named_by_matcher) {
            (Some(m), false) => m.clone(),
            _ => String::new(),
        };
        if !self.matchers.is_empty() || out.is_empty() {
            let matchers: Vec<String> = self
                .matchers
                .iter()
                .map(|m| format!("{}{}{}", m.name, m.op.as_str(), string_literal(&m.value)))
                .collect();
            out.push('{');
            out.push_str(&matchers.join(","));
            out.push('}');
        }
        out
    }
}

/// One label matcher inside a selector's braces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelMatcher {
    /// The label name (`__name__` for a quoted metric name).
    pub name: String,
    /// The matching operator.
    pub op: MatchOp,
    /// The value, unquoted.
    pub value: String,
    /// The whole matcher text (`job=~"api.*"`).
    pub span: Range<usize>,
    /// The quoted value text (`"api.*"`).
    pub value_span: Range<usize>,
}

/// A label matching operator (of PromQL selectors and Alertmanager matchers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchOp {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `=~`
    Regex,
    /// `!~`
    NotRegex,
}

impl MatchOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }
}

impl std::fmt::Display for MatchOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `offset` modifier: `offset 5m` looks back, `offset -5m` looks ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offset {
    /// The absolute offset.
    pub duration: Duration,
    /// Whether the offset is negative (`offset -5m`).
    pub negative: bool,
}

/// A function call.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The function name.
    pub name: &'static str,
    /// The span of the name token.
    pub name_span: Range<usize>,
    /// The span of the whole call, through the closing parenthesis.
    pub span: Range<usize>,
    /// The number of arguments.
    pub args: usize,
    /// Per argument, its value when it is a number literal (parentheses and
    /// unary minus looked through).
    pub number_args: Vec<Option<f64>>,
    /// Whether the series argument is a subquery over an aggregation
    /// (`rate(sum(x)[5m:])`).
    pub aggregated_subquery_arg: bool,
    /// The labels of the first argument that is a vector or a range vector,
    /// when there is one.
    pub series_arg_labels: Option<OutputLabels>,
    /// Indexes into [`ExprFacts::selectors`] of the selectors inside the call.
    pub selectors: Range<usize>,
}

/// An aggregation such as `sum by (job) (...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregation {
    /// The aggregation operator.
    pub op: AggregateOp,
    /// The span of the operator token.
    pub op_span: Range<usize>,
    /// The span of the whole aggregation, grouping clause included.
    pub span: Range<usize>,
    /// The `by` / `without` clause.
    pub grouping: Grouping,
    /// The parameter (`k` of `topk`, `φ` of `quantile`) when it is a number literal.
    pub param: Option<f64>,
    /// Indexes into [`ExprFacts::selectors`] of the selectors inside the aggregation.
    pub selectors: Range<usize>,
}

/// An aggregation operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggregateOp {
    /// `sum`
    Sum,
    /// `avg`
    Avg,
    /// `count`
    Count,
    /// `min`
    Min,
    /// `max`
    Max,
    /// `group`
    Group,
    /// `stddev`
    Stddev,
    /// `stdvar`
    Stdvar,
    /// `topk`
    Topk,
    /// `bottomk`
    Bottomk,
    /// `count_values`
    CountValues,
    /// `quantile`
    Quantile,
    /// `limitk` (Prometheus 3)
    Limitk,
    /// `limit_ratio` (Prometheus 3)
    LimitRatio,
}

impl AggregateOp {
    /// The operator as written (lower case).
    pub fn as_str(self) -> &'static str {
        match self {
            AggregateOp::Sum => "sum",
            AggregateOp::Avg => "avg",
            AggregateOp::Count => "count",
            AggregateOp::Min => "min",
            AggregateOp::Max => "max",
            AggregateOp::Group => "group",
            AggregateOp::Stddev => "stddev",
            AggregateOp::Stdvar => "stdvar",
            AggregateOp::Topk => "topk",
            AggregateOp::Bottomk => "bottomk",
            AggregateOp::CountValues => "count_values",
            AggregateOp::Quantile => "quantile",
            AggregateOp::Limitk => "limitk",
            AggregateOp::LimitRatio => "limit_ratio",
        }
    }

    /// Whether the operator selects input series unchanged (`topk`, `bottomk`,
    /// `limitk`, `limit_ratio`) instead of computing new ones.
    pub fn keeps_input_series(self) -> bool {
        matches!(
            self,
            AggregateOp::Topk
                | AggregateOp::Bottomk
                | AggregateOp::Limitk
                | AggregateOp::LimitRatio
        )
    }

    fn from_token(id: token::TokenId) -> Option<Self> {
        Some(match id {
            token::T_SUM => AggregateOp::Sum,
            token::T_AVG => AggregateOp::Avg,
            token::T_COUNT => AggregateOp::Count,
            token::T_MIN => AggregateOp::Min,
            token::T_MAX => AggregateOp::Max,
            token::T_GROUP => AggregateOp::Group,
            token::T_STDDEV => AggregateOp::Stddev,
            token::T_STDVAR => AggregateOp::Stdvar,
            token::T_TOPK => AggregateOp::Topk,
            token::T_BOTTOMK => AggregateOp::Bottomk,
            token::T_COUNT_VALUES => AggregateOp::CountValues,
            token::T_QUANTILE => AggregateOp::Quantile,
            token::T_LIMITK => AggregateOp::Limitk,
            token::T_LIMIT_RATIO => AggregateOp::LimitRatio,
            _ => return None,
        })
    }
}

impl std::fmt::Display for AggregateOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The grouping clause of an aggregation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// No clause: everything is aggregated into one series.
    None,
    /// `by (labels)`: keep only these labels.
    By(Vec<String>),
    /// `without (labels)`: drop these labels (and the metric name).
    Without(Vec<String>),
}

/// A binary operation such as `a / b` or `x > 0.5`.
#[derive(Clone, Debug, PartialEq)]
pub struct BinaryOp {
    /// The operator.
    pub op: BinaryOperator,
    /// Whether the operator is a comparison (`==`, `!=`, `>`, `<`, `>=`, `<=`).
    pub is_comparison: bool,
    /// Whether the `bool` modifier is present.
    pub return_bool: bool,
    /// The `on (...)` / `ignoring (...)` clause.
    pub matching: Option<VectorMatching>,
    /// The `group_left (...)` / `group_right (...)` clause.
    pub group: Option<GroupModifier>,
    /// The span of the operator token.
    pub op_span: Range<usize>,
    /// The span of the whole operation.
    pub span: Range<usize>,
    /// The left operand's value when it is a number literal (parentheses stripped).
    pub lhs_number: Option<f64>,
    /// The right operand's value when it is a number literal (parentheses stripped).
    pub rhs_number: Option<f64>,
    /// The span of the left operand.
    pub lhs_span: Range<usize>,
    /// The span of the right operand.
    pub rhs_span: Range<usize>,
    /// For a division: whether the divisor can be zero or empty. It is
    /// guarded when it is a non-zero number, filtered by a comparison,
    /// clamped (`clamp_min`), a `count`/`group`, or a sum with a guarded term.
    pub rhs_unguarded: bool,
    /// Whether the operation is outside any parentheses, call, aggregation
    /// and subquery: part of the expression's outermost chain of operators.
    pub outermost: bool,
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOperator {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `^`
    Pow,
    /// `atan2`
    Atan2,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `<=`
    Le,
    /// `and`
    And,
    /// `or`
    Or,
    /// `unless`
    Unless,
}

impl BinaryOperator {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOperator::Add => "+",
            BinaryOperator::Sub => "-",
            BinaryOperator::Mul => "*",
            BinaryOperator::Div => "/",
            BinaryOperator::Mod => "%",
            BinaryOperator::Pow => "^",
            BinaryOperator::Atan2 => "atan2",
            BinaryOperator::Eq => "==",
            BinaryOperator::Ne => "!=",
            BinaryOperator::Gt => ">",
            BinaryOperator::Lt => "<",
            BinaryOperator::Ge => ">=",
            BinaryOperator::Le => "<=",
            BinaryOperator::And => "and",
            BinaryOperator::Or => "or",
            BinaryOperator::Unless => "unless",
        }
    }

    /// Whether this is a comparison operator.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOperator::Eq
                | BinaryOperator::Ne
                | BinaryOperator::Gt
                | BinaryOperator::Lt
                | BinaryOperator::Ge
                | BinaryOperator::Le
        )
    }

    /// Whether this is a set operator (`and`, `or`, `unless`).
    pub fn is_set_operator(self) -> bool {
        matches!(
            self,
            BinaryOperator::And | BinaryOperator::Or | BinaryOperator::Unless
        )
    }

    /// Whether this is an arithmetic operator (drops the metric name).
    pub fn is_arithmetic(self) -> bool {
        !self.is_comparison() && !self.is_set_operator()
    }

    /// The comparison with its operands swapped (`5 < x` is `x > 5`).
    pub fn flipped(self) -> Self {
        match self {
            BinaryOperator::Gt => BinaryOperator::Lt,
            BinaryOperator::Lt => BinaryOperator::Gt,
            BinaryOperator::Ge => BinaryOperator::Le,
            BinaryOperator::Le => BinaryOperator::Ge,
            other => other,
        }
    }

    fn from_token(id: token::TokenId) -> Option<Self> {
        Some(match id {
            token::T_ADD => BinaryOperator::Add,
            token::T_SUB => BinaryOperator::Sub,
            token::T_MUL => BinaryOperator::Mul,
            token::T_DIV => BinaryOperator::Div,
            token::T_MOD => BinaryOperator::Mod,
            token::T_POW => BinaryOperator::Pow,
            token::T_ATAN2 => BinaryOperator::Atan2,
            token::T_EQLC => BinaryOperator::Eq,
            token::T_NEQ => BinaryOperator::Ne,
            token::T_GTR => BinaryOperator::Gt,
            token::T_LSS => BinaryOperator::Lt,
            token::T_GTE => BinaryOperator::Ge,
            token::T_LTE => BinaryOperator::Le,
            token::T_LAND => BinaryOperator::And,
            token::T_LOR => BinaryOperator::Or,
            token::T_LUNLESS => BinaryOperator::Unless,
            _ => return None,
        })
    }
}

impl std::fmt::Display for BinaryOperator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which labels two vectors are matched on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VectorMatching {
    /// `on (labels)`
    On(Vec<String>),
    /// `ignoring (labels)`
    Ignoring(Vec<String>),
}

/// A many-to-one or one-to-many match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupModifier {
    /// `group_left (labels)`: the left side is the "many" side.
    Left(Vec<String>),
    /// `group_right (labels)`: the right side is the "many" side.
    Right(Vec<String>),
}

/// A subquery `expr[range:step]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Subquery {
    /// The range.
    pub range: Duration,
    /// The step, when given.
    pub step: Option<Duration>,
    /// The `offset` modifier.
    pub offset: Option<Offset>,
    /// The span of the whole subquery, inner expression included.
    pub span: Range<usize>,
}

/// Which operand of a binary operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The left operand.
    Left,
    /// The right operand.
    Right,
}

/// The outermost comparison of an expression, as in alerting rules.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The operator as written.
    pub op: BinaryOperator,
    /// The number literal compared against, when one side is a number.
    pub threshold: Option<f64>,
    /// Which side the threshold is on.
    pub threshold_side: Option<Side>,
    /// Whether the `bool` modifier is present.
    pub return_bool: bool,
    /// Index into [`ExprFacts::binary_ops`].
    pub binary_op: usize,
}

impl Comparison {
    /// The operator as if the threshold were on the right (`5 < x` gives `>`).
    pub fn normalized_op(&self) -> BinaryOperator {
        match self.threshold_side {
            Some(Side::Left) => self.op.flipped(),
            _ => self.op,
        }
    }
}

/// The value type of an AST node.
pub(super) fn value_type(ast: &Ast) -> ValueType {
    match ast.value_type() {
        AstValueType::Scalar => ValueType::Scalar,
        AstValueType::Vector => ValueType::Vector,
        AstValueType::Matrix => ValueType::Matrix,
        AstValueType::String => ValueType::String,
    }
}

/// The value of a number literal, looking through parentheses and unary minus.
pub(super) fn number_value(ast: &Ast) -> Option<f64> {
    match ast {
        Ast::NumberLiteral(n) => Some(n.val),
        Ast::Paren(p) => number_value(&p.expr),
        Ast::Unary(u) => number_value(&u.expr).map(|v| -v),
        _ => None,
    }
}

/// The operator and value of a matcher of the crate's AST, with the regex
/// matchers that `super::parse` handed to the crate as placeholders restored.
pub(super) fn matcher<'a>(m: &'a AstMatcher, regexes: &'a Regexes) -> (MatchOp, &'a str) {
    match (&m.op, regexes.lookup(&m.value)) {
        (AstMatchOp::Equal, Some(re)) => (MatchOp::Regex, re),
        (AstMatchOp::NotEqual, Some(re)) => (MatchOp::NotRegex, re),
        (AstMatchOp::Equal, None) => (MatchOp::Equal, &m.value),
        (AstMatchOp::NotEqual, None) => (MatchOp::NotEqual, &m.value),
        (AstMatchOp::Re(_), _) => (MatchOp::Regex, &m.value),
        (AstMatchOp::NotRe(_), _) => (MatchOp::NotRegex, &m.value),
    }
}

/// Builds the facts of `ast`; spans come from `tree` when it is available.
pub(super) fn build(
    ast: &Ast,
    tree: Option<&Tree>,
    text_len: usize,
    regexes: &Regexes,
) -> ExprFacts {
    let mut walker = Walker {
        tree,
        regexes,
        facts: ExprFacts::default(),
        whole: 0..text_len,
        mismatch: false,
        functions: Vec::new(),
        aggregations: Vec::new(),
        in_subquery: false,
    };
    walker.walk(ast, tree.map(|t| t.root), true);
    if cfg!(test) {
        assert!(!walker.mismatch, "AST and syntax tree disagree: {ast:?}");
    }
    walker.facts.top_level_comparison = top_level_comparison(ast, &walker.facts);
    walker.facts.filtered = filtered(ast);
    walker.facts
}

fn top_level_comparison(ast: &Ast, facts: &ExprFacts) -> Option<Comparison> {
    let Ast::Binary(_) = strip_parens(ast) else {
        return None;
    };
    // Binary operations are recorded outer first: the outermost one is index 0.
    let op = facts.binary_ops.first()?;
    if !op.is_comparison {
        return None;
    }
    let (threshold, threshold_side) = match (op.lhs_number, op.rhs_number) {
        (_, Some(v)) => (Some(v), Some(Side::Right)),
        (Some(v), None) => (Some(v), Some(Side::Left)),
        (None, None) => (None, None),
    };
    Some(Comparison {
        op: op.op,
        threshold,
        threshold_side,
        return_bool: op.return_bool,
        binary_op: 0,
    })
}

fn strip_parens(mut ast: &Ast) -> &Ast {
    while let Ast::Paren(p) = ast {
        ast = &p.expr;
    }
    ast
}

fn returns_bool(bin: &promql_parser::parser::BinaryExpr) -> bool {
    bin.modifier.as_ref().is_some_and(|m| m.return_bool)
}

/// Whether the expression's series exist only when a condition holds.
fn filtered(ast: &Ast) -> bool {
    match ast {
        Ast::Paren(p) => filtered(&p.expr),
        Ast::Binary(b) => match b.op.id() {
            _ if b.op.is_comparison_operator() => !returns_bool(b),
            // Set operators keep only the series the other side allows.
            token::T_LAND | token::T_LUNLESS => true,
            token::T_LOR => filtered(&b.lhs) && filtered(&b.rhs),
            _ => filtered(&b.lhs) || filtered(&b.rhs),
        },
        Ast::Aggregate(a) => filtered(&a.expr),
        Ast::Call(c) => {
            matches!(c.func.name, "absent" | "absent_over_time")
                || c.args.args.iter().any(|a| filtered(a))
        }
        Ast::Subquery(s) => filtered(&s.expr),
        Ast::Unary(u) => filtered(&u.expr),
        _ => false,
    }
}

fn contains_aggregation(ast: &Ast) -> bool {
    match ast {
        Ast::Aggregate(_) => true,
        Ast::Paren(p) => contains_aggregation(&p.expr),
        Ast::Binary(b) => contains_aggregation(&b.lhs) || contains_aggregation(&b.rhs),
        Ast::Call(c) => c.args.args.iter().any(|a| contains_aggregation(a)),
        Ast::Unary(u) => contains_aggregation(&u.expr),
        _ => false,
    }
}

/// Whether a divisor cannot be zero or empty: a non-zero constant, filtered
/// by a comparison, clamped, counted, or a sum with such a term.
fn guarded(ast: &Ast) -> bool {
    match strip_parens(ast) {
        Ast::NumberLiteral(n) => n.val != 0.0,
        Ast::Unary(u) => guarded(&u.expr),
        Ast::Binary(b) => {
            (b.op.is_comparison_operator() && !returns_bool(b))
                || (matches!(b.op.id(), token::T_ADD | token::T_LOR)
                    && (guarded(&b.lhs) || guarded(&b.rhs)))
        }
        Ast::Call(c) => matches!(
            c.func.name,
            "clamp_min" | "clamp" | "time" | "vector" | "scalar" | "timestamp"
        ),
        Ast::Aggregate(a) => {
            matches!(a.op.id(), token::T_COUNT | token::T_GROUP) || guarded(&a.expr)
        }
        _ => false,
    }
}

struct Walker<'t> {
    tree: Option<&'t Tree>,
    regexes: &'t Regexes,
    facts: ExprFacts,
    whole: Range<usize>,
    /// Set when the tree's shape differs from the AST's (a bug; tests assert on it).
    mismatch: bool,
    /// Functions around the node being walked, outermost first.
    functions: Vec<&'static str>,
    /// Aggregations around the node being walked, outermost first.
    aggregations: Vec<AggregateOp>,
    in_subquery: bool,
}

fn offset(offset: &Option<AstOffset>) -> Option<Offset> {
    offset.as_ref().map(|o| match o {
        AstOffset::Pos(d) => Offset {
            duration: *d,
            negative: false,
        },
        AstOffset::Neg(d) => Offset {
            duration: *d,
            negative: true,
        },
    })
}

fn label_list(modifier: &LabelModifier) -> Vec<String> {
    modifier.labels().labels.clone()
}

impl Walker<'_> {
    fn kind(&self, node: Option<NodeId>) -> Option<&NodeKind> {
        Some(&self.tree?.nodes[node?].kind)
    }

    fn span(&self, node: Option<NodeId>) -> Range<usize> {
        match (self.tree, node) {
            (Some(tree), Some(id)) => tree.span(id),
            _ => self.whole.clone(),
        }
    }

    fn token_span(&self, token: usize) -> Range<usize> {
        self.tree
            .map_or_else(|| self.whole.clone(), |t| t.token_span(token))
    }

    /// Walks `ast` (tree node `node`); `outermost` is true while only binary
    /// and unary operators lie between the node and the root.
    fn walk(&mut self, ast: &Ast, node: Option<NodeId>, outermost: bool) {
        let kind = self.kind(node).cloned();
        if let Some(kind) = &kind {
            let same_shape = matches!(
                (ast, kind),
                (Ast::Aggregate(_), NodeKind::Aggregate { .. })
                    | (Ast::Unary(_), NodeKind::Unary { .. })
                    | (Ast::Binary(_), NodeKind::Binary { .. })
                    | (Ast::Paren(_), NodeKind::Paren { .. })
                    | (Ast::Subquery(_), NodeKind::Subquery { .. })
                    | (
                        Ast::VectorSelector(_) | Ast::MatrixSelector(_),
                        NodeKind::Selector(_)
                    )
                    | (Ast::Call(_), NodeKind::Call { .. })
                    | (Ast::StringLiteral(_), NodeKind::String)
                    | (
                        Ast::NumberLiteral(_),
                        NodeKind::Number | NodeKind::Unary { .. }
                    )
                    | (Ast::Extension(_), _)
            );
            self.mismatch |= !same_shape;
        }
        match ast {
            Ast::Aggregate(agg) => {
                let (op_token, args) = match kind {
                    Some(NodeKind::Aggregate { op, args }) => (Some(op), Some(args)),
                    _ => (None, None),
                };
                let index = self.facts.aggregations.len();
                let first_selector = self.facts.selectors.len();
                let op = AggregateOp::from_token(agg.op.id()).unwrap_or(AggregateOp::Sum);
                self.facts.aggregations.push(Aggregation {
                    op,
                    op_span: op_token.map_or_else(|| self.whole.clone(), |t| self.token_span(t)),
                    span: self.span(node),
                    grouping: match &agg.modifier {
                        None => Grouping::None,
                        Some(m @ LabelModifier::Include(_)) => Grouping::By(label_list(m)),
                        Some(m @ LabelModifier::Exclude(_)) => Grouping::Without(label_list(m)),
                    },
                    param: agg.param.as_deref().and_then(number_value),
                    selectors: first_selector..first_selector,
                });
                let first_arg = self.first_arg(args.as_ref(), usize::from(agg.param.is_some()) + 1);
                if let Some(param) = &agg.param {
                    self.walk(param, first_arg, false);
                }
                let expr_node = first_arg
                    .map(|_| self.arg_node(args.as_ref(), usize::from(agg.param.is_some())));
                self.aggregations.push(op);
                self.walk(&agg.expr, expr_node.flatten(), false);
                self.aggregations.pop();
                self.facts.aggregations[index].selectors =
                    first_selector..self.facts.selectors.len();
            }
            Ast::Unary(unary) => {
                let operand = match kind {
                    Some(NodeKind::Unary { operand }) => Some(operand),
                    _ => None,
                };
                self.walk(&unary.expr, operand, outermost);
            }
            Ast::Binary(bin) => {
                let (lhs_node, op_token, rhs_node) = match kind {
                    Some(NodeKind::Binary { lhs, op, rhs }) => (Some(lhs), Some(op), Some(rhs)),
                    _ => (None, None, None),
                };
                let op = BinaryOperator::from_token(bin.op.id()).unwrap_or(BinaryOperator::Add);
                let modifier = bin.modifier.as_ref();
                let rhs_number = number_value(&bin.rhs);
                self.facts.binary_ops.push(BinaryOp {
                    op,
                    is_comparison: op.is_comparison(),
                    return_bool: returns_bool(bin),
                    matching: modifier.and_then(|m| m.matching.as_ref()).map(|m| match m {
                        LabelModifier::Include(_) => VectorMatching::On(label_list(m)),
                        LabelModifier::Exclude(_) => VectorMatching::Ignoring(label_list(m)),
                    }),
                    group: modifier.and_then(|m| match &m.card {
                        VectorMatchCardinality::ManyToOne(l) => {
                            Some(GroupModifier::Left(l.labels.clone()))
                        }
                        VectorMatchCardinality::OneToMany(l) => {
                            Some(GroupModifier::Right(l.labels.clone()))
                        }
                        _ => None,
                    }),
                    op_span: op_token.map_or_else(|| self.whole.clone(), |t| self.token_span(t)),
                    span: self.span(node),
                    lhs_number: number_value(&bin.lhs),
                    rhs_number,
                    lhs_span: self.span(lhs_node),
                    rhs_span: self.span(rhs_node),
                    rhs_unguarded: op == BinaryOperator::Div
                        && rhs_number.is_none()
                        && !guarded(&bin.rhs),
                    outermost,
                });
                self.walk(&bin.lhs, lhs_node, outermost);
                self.walk(&bin.rhs, rhs_node, outermost);
            }
            Ast::Paren(paren) => {
                let inner = match kind {
                    Some(NodeKind::Paren { inner }) => Some(inner),
                    _ => None,
                };
                self.walk(&paren.expr, inner, false);
            }
            Ast::Subquery(sub) => {
                let inner = match kind {
                    Some(NodeKind::Subquery { inner, .. }) => Some(inner),
                    _ => None,
                };
                self.facts.subqueries.push(Subquery {
                    range: sub.range,
                    step: sub.step,
                    offset: offset(&sub.offset),
                    span: self.span(node),
                });
                let was = std::mem::replace(&mut self.in_subquery, true);
                self.walk(&sub.expr, inner, false);
                self.in_subquery = was;
            }
            Ast::VectorSelector(vs) => self.selector(vs, None, node, kind.as_ref()),
            Ast::MatrixSelector(ms) => self.selector(&ms.vs, Some(ms.range), node, kind.as_ref()),
            Ast::Call(call) => {
                let (name_token, args) = match kind {
                    Some(NodeKind::Call { name, args }) => (Some(name), Some(args)),
                    _ => (None, None),
                };
                let index = self.facts.calls.len();
                let first_selector = self.facts.selectors.len();
                let series_arg = call.args.args.iter().find(|a| {
                    matches!(a.value_type(), AstValueType::Vector | AstValueType::Matrix)
                });
                self.facts.calls.push(Call {
                    name: call.func.name,
                    name_span: name_token
                        .map_or_else(|| self.whole.clone(), |t| self.token_span(t)),
                    span: self.span(node),
                    args: call.args.args.len(),
                    number_args: call.args.args.iter().map(|a| number_value(a)).collect(),
                    aggregated_subquery_arg: series_arg.is_some_and(|a| {
                        matches!(strip_parens(a), Ast::Subquery(s) if contains_aggregation(&s.expr))
                    }),
                    series_arg_labels: series_arg.map(|a| labels::output_labels(a, self.regexes)),
                    selectors: first_selector..first_selector,
                });
                let first_arg = self.first_arg(args.as_ref(), call.args.args.len());
                self.functions.push(call.func.name);
                for (i, arg) in call.args.args.iter().enumerate() {
                    let arg_node = first_arg.and_then(|_| self.arg_node(args.as_ref(), i));
                    self.walk(arg, arg_node, false);
                }
                self.functions.pop();
                self.facts.calls[index].selectors = first_selector..self.facts.selectors.len();
            }
            Ast::NumberLiteral(_) | Ast::StringLiteral(_) | Ast::Extension(_) => {}
        }
    }

    /// The tree node of the first of `expected` arguments, or `None` when the
    /// tree is missing or disagrees (then every argument goes without a node).
    fn first_arg(&mut self, args: Option<&Range<usize>>, expected: usize) -> Option<NodeId> {
        match (self.tree, args) {
            (Some(tree), Some(range)) if range.len() == expected => {
                tree.args.get(range.start).copied()
            }
            (tree, _) => {
                self.mismatch |= tree.is_some();
                None
            }
        }
    }

    /// The tree node of argument `i` (after [`Self::first_arg`] succeeded).
    fn arg_node(&self, args: Option<&Range<usize>>, i: usize) -> Option<NodeId> {
        let range = args?;
        self.tree?.args.get(range.start + i).copied()
    }

    fn selector(
        &mut self,
        vs: &VectorSelector,
        range: Option<Duration>,
        node: Option<NodeId>,
        kind: Option<&NodeKind>,
    ) {
        // After an `or` (a promql-parser extension that the dialects reject),
        // the crate moves every matcher into `or_matchers`, in source order.
        let ast_matchers = || {
            vs.matchers
                .matchers
                .iter()
                .chain(vs.matchers.or_matchers.iter().flatten())
        };
        let syntax = match (self.tree, kind) {
            (Some(tree), Some(NodeKind::Selector(sel)))
                if sel.matchers.len() == ast_matchers().count() =>
            {
                Some((tree, sel))
            }
            (tree, _) => {
                self.mismatch |= tree.is_some();
                None
            }
        };
        let span = self.span(node);
        let matchers: Vec<LabelMatcher> = ast_matchers()
            .enumerate()
            .map(|(i, m)| {
                let (span, value_span) = match syntax {
                    Some((tree, sel)) => {
                        let syn = &tree.matchers[sel.matchers.start + i];
                        (tree.matcher_span(syn), tree.token_span(syn.value))
                    }
                    None => (span.clone(), span.clone()),
                };
                let (op, value) = matcher(m, self.regexes);
                LabelMatcher {
                    name: m.name.clone(),
                    op,
                    value: value.to_string(),
                    span,
                    value_span,
                }
            })
            .collect();
        let name_matcher = || {
            let mut names = matchers
                .iter()
                .filter(|m| m.name == labels::METRIC_NAME && m.op == MatchOp::Equal);
            match (names.next(), names.next()) {
                (Some(only), None) => Some(only),
                _ => None,
            }
        };
        let name_token = match (syntax, node) {
            (Some((tree, _)), Some(id)) if vs.name.is_some() => {
                Some(tree.token_span(tree.nodes[id].first))
            }
            _ => None,
        };
        let name_span = name_token
            .or_else(|| name_matcher().map(|m| m.span.clone()))
            .unwrap_or_else(|| span.clone());
        let range_span = match syntax {
            Some((tree, sel)) => sel
                .range
                .map(|(open, close)| tree.token_span(open).start..tree.token_span(close).end),
            None => range.map(|_| span.clone()),
        };
        let metric = vs
            .name
            .clone()
            .or_else(|| name_matcher().map(|m| m.value.clone()));
        self.facts.selectors.push(Selector {
            metric,
            matchers,
            range,
            offset: offset(&vs.offset),
            has_at: vs.at.is_some(),
            span,
            name_span,
            range_span,
            functions: self.functions.clone(),
            aggregations: self.aggregations.clone(),
            in_subquery: self.in_subquery,
        });
    }
}
