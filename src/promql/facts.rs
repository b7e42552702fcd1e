//! [`ExprFacts`]: what an expression selects, calls, aggregates and compares.
//!
//! Built once per expression by walking promql-parser's AST and the
//! `super::syntax` tree side by side: the AST gives values (names, matchers,
//! durations, grouping labels), the tree gives byte spans. The two have the
//! same shape node for node; if they ever disagree (a bug), the walk carries on
//! with the whole expression as the span rather than failing.

use std::ops::Range;
use std::time::Duration;

use promql_parser::label::MatchOp as AstMatchOp;
use promql_parser::parser::token;
use promql_parser::parser::value::ValueType as AstValueType;
use promql_parser::parser::{
    Expr as Ast, LabelModifier, Offset as AstOffset, VectorMatchCardinality, VectorSelector,
};

use super::ValueType;
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

/// A label matching operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    pub name: String,
    /// The span of the name token.
    pub name_span: Range<usize>,
    /// The span of the whole call, through the closing parenthesis.
    pub span: Range<usize>,
    /// The number of arguments.
    pub args: usize,
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

/// Builds the facts of `ast`; spans come from `tree` when it is available.
pub(super) fn build(ast: &Ast, tree: Option<&Tree>, text_len: usize) -> ExprFacts {
    let mut walker = Walker {
        tree,
        facts: ExprFacts::default(),
        whole: 0..text_len,
        mismatch: false,
    };
    walker.walk(ast, tree.map(|t| t.root));
    if cfg!(test) {
        assert!(!walker.mismatch, "AST and syntax tree disagree: {ast:?}");
    }
    walker.facts.top_level_comparison = top_level_comparison(ast, &walker.facts);
    walker.facts
}

fn top_level_comparison(ast: &Ast, facts: &ExprFacts) -> Option<Comparison> {
    let mut node = ast;
    while let Ast::Paren(p) = node {
        node = &p.expr;
    }
    let Ast::Binary(_) = node else { return None };
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

struct Walker<'t> {
    tree: Option<&'t Tree>,
    facts: ExprFacts,
    whole: Range<usize>,
    /// Set when the tree's shape differs from the AST's (a bug; tests assert on it).
    mismatch: bool,
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

fn labels(modifier: &LabelModifier) -> Vec<String> {
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

    fn walk(&mut self, ast: &Ast, node: Option<NodeId>) {
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
                self.facts.aggregations.push(Aggregation {
                    op: AggregateOp::from_token(agg.op.id()).unwrap_or(AggregateOp::Sum),
                    op_span: op_token.map_or_else(|| self.whole.clone(), |t| self.token_span(t)),
                    span: self.span(node),
                    grouping: match &agg.modifier {
                        None => Grouping::None,
                        Some(m @ LabelModifier::Include(_)) => Grouping::By(labels(m)),
                        Some(m @ LabelModifier::Exclude(_)) => Grouping::Without(labels(m)),
                    },
                    param: agg.param.as_deref().and_then(number_value),
                    selectors: first_selector..first_selector,
                });
                let first_arg = self.first_arg(args.as_ref(), usize::from(agg.param.is_some()) + 1);
                if let Some(param) = &agg.param {
                    self.walk(param, first_arg);
                }
                let expr_node = first_arg
                    .map(|_| self.arg_node(args.as_ref(), usize::from(agg.param.is_some())));
                self.walk(&agg.expr, expr_node.flatten());
                self.facts.aggregations[index].selectors =
                    first_selector..self.facts.selectors.len();
            }
            Ast::Unary(unary) => {
                let operand = match kind {
                    Some(NodeKind::Unary { operand }) => Some(operand),
                    _ => None,
                };
                self.walk(&unary.expr, operand);
            }
            Ast::Binary(bin) => {
                let (lhs_node, op_token, rhs_node) = match kind {
                    Some(NodeKind::Binary { lhs, op, rhs }) => (Some(lhs), Some(op), Some(rhs)),
                    _ => (None, None, None),
                };
                let op = BinaryOperator::from_token(bin.op.id()).unwrap_or(BinaryOperator::Add);
                let modifier = bin.modifier.as_ref();
                self.facts.binary_ops.push(BinaryOp {
                    op,
                    is_comparison: op.is_comparison(),
                    return_bool: modifier.is_some_and(|m| m.return_bool),
                    matching: modifier.and_then(|m| m.matching.as_ref()).map(|m| match m {
                        LabelModifier::Include(_) => VectorMatching::On(labels(m)),
                        LabelModifier::Exclude(_) => VectorMatching::Ignoring(labels(m)),
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
                    rhs_number: number_value(&bin.rhs),
                });
                self.walk(&bin.lhs, lhs_node);
                self.walk(&bin.rhs, rhs_node);
            }
            Ast::Paren(paren) => {
                let inner = match kind {
                    Some(NodeKind::Paren { inner }) => Some(inner),
                    _ => None,
                };
                self.walk(&paren.expr, inner);
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
                self.walk(&sub.expr, inner);
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
                self.facts.calls.push(Call {
                    name: call.func.name.to_string(),
                    name_span: name_token
                        .map_or_else(|| self.whole.clone(), |t| self.token_span(t)),
                    span: self.span(node),
                    args: call.args.args.len(),
                    selectors: first_selector..first_selector,
                });
                let first_arg = self.first_arg(args.as_ref(), call.args.args.len());
                for (i, arg) in call.args.args.iter().enumerate() {
                    let arg_node = first_arg.and_then(|_| self.arg_node(args.as_ref(), i));
                    self.walk(arg, arg_node);
                }
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
        let syntax_matchers = match (self.tree, kind) {
            (Some(tree), Some(NodeKind::Selector(sel)))
                if sel.matchers.len() == ast_matchers().count() =>
            {
                Some(&tree.matchers[sel.matchers.clone()])
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
                let (span, value_span) = match (self.tree, syntax_matchers) {
                    (Some(tree), Some(syn)) => {
                        (tree.matcher_span(&syn[i]), tree.token_span(syn[i].value))
                    }
                    _ => (span.clone(), span.clone()),
                };
                LabelMatcher {
                    name: m.name.clone(),
                    op: match m.op {
                        AstMatchOp::Equal => MatchOp::Equal,
                        AstMatchOp::NotEqual => MatchOp::NotEqual,
                        AstMatchOp::Re(_) => MatchOp::Regex,
                        AstMatchOp::NotRe(_) => MatchOp::NotRegex,
                    },
                    value: m.value.clone(),
                    span,
                    value_span,
                }
            })
            .collect();
        let metric = vs.name.clone().or_else(|| {
            let mut names = matchers
                .iter()
                .filter(|m| m.name == "__name__" && m.op == MatchOp::Equal);
            match (names.next(), names.next()) {
                (Some(only), None) => Some(only.value.clone()),
                _ => None,
            }
        });
        self.facts.selectors.push(Selector {
            metric,
            matchers,
            range,
            offset: offset(&vs.offset),
            has_at: vs.at.is_some(),
            span,
        });
    }
}
