//! A recognizer for promql-parser's grammar that keeps token positions.
//!
//! promql-parser builds the real AST (values, types, semantic checks) but
//! records no positions and reports every grammar error as "invalid promql
//! query". This module walks the same grammar over [`super::lexer`] tokens
//! and produces a light tree of token ranges whose shape mirrors the crate's
//! AST node for node, so that `super::facts` can pair the two. On bad input
//! it names the first unexpected token and what the grammar expected there.
//!
//! It mirrors the crate's grammar (`promql.y` in promql-parser 0.11),
//! including its quirks: keywords such as `sum` or `offset` are metric names
//! where an expression starts, a leading `+` leaves no node, and postfix
//! ranges, `offset` and `@` bind tighter than any operator. It also notes the
//! syntax that only some Prometheus versions accept ([`Feature`]), which
//! `super::dialect` judges. It never judges types; the crate does.

use super::lexer::{Tok, Token};

/// Index of a node in [`Tree::nodes`].
pub(super) type NodeId = usize;

/// Deepest nesting accepted, to keep recursion bounded.
const MAX_DEPTH: usize = 500;

/// The shape of a parsed expression, with token positions.
#[derive(Debug)]
pub(super) struct Tree {
    pub(super) tokens: Vec<Token>,
    pub(super) nodes: Vec<Node>,
    /// Arguments of calls and aggregations, referenced by [`NodeKind`] ranges.
    pub(super) args: Vec<NodeId>,
    /// Label matchers of selectors, referenced by [`Selector::matchers`].
    pub(super) matchers: Vec<MatcherSyntax>,
    pub(super) root: NodeId,
    /// Version-dependent syntax met on the way, in source order.
    pub(super) features: Vec<(Feature, usize)>,
    /// Unary `+` tokens and their operands: the crate keeps no node for them,
    /// so it does not check the operand's type as Prometheus does.
    pub(super) unary_plus: Vec<(usize, NodeId)>,
}

/// One node: what it is and its first and last token (inclusive).
#[derive(Clone, Debug)]
pub(super) struct Node {
    pub(super) kind: NodeKind,
    pub(super) first: usize,
    pub(super) last: usize,
}

/// Node kinds, one per promql-parser AST variant (plus two for invalid postfixes).
#[derive(Clone, Debug)]
pub(super) enum NodeKind {
    Number,
    String,
    Selector(Selector),
    Call {
        name: usize,
        args: std::ops::Range<usize>,
    },
    Aggregate {
        op: usize,
        args: std::ops::Range<usize>,
    },
    Unary {
        operand: NodeId,
    },
    Binary {
        lhs: NodeId,
        op: usize,
        rhs: NodeId,
    },
    Paren {
        inner: NodeId,
    },
    Subquery {
        inner: NodeId,
        open: usize,
        close: usize,
    },
    /// A range applied to something that is not a plain selector (always invalid).
    BadRange {
        inner: NodeId,
        open: usize,
        close: usize,
    },
    /// `offset` or `@` applied to something that cannot take it (always invalid).
    BadModifier {
        inner: NodeId,
        keyword: usize,
    },
}

/// A vector or range selector, including its range, `offset` and `@`.
#[derive(Clone, Debug)]
pub(super) struct Selector {
    pub(super) matchers: std::ops::Range<usize>,
    /// Tokens `[` and `]` of the range.
    pub(super) range: Option<(usize, usize)>,
}

/// One label matcher inside braces.
#[derive(Clone, Copy, Debug)]
pub(super) struct MatcherSyntax {
    pub(super) first: usize,
    /// The value string token (the name itself for a quoted metric name).
    pub(super) value: usize,
}

/// Syntax that not every Prometheus version accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Feature {
    /// A duration such as `5m` used as a number (Prometheus 3).
    DurationAsNumber,
    /// A number such as `300` used as a duration (Prometheus 3).
    NumberAsDuration,
    /// `{"my.metric"}` (Prometheus 3 UTF-8 names).
    QuotedMetricName,
    /// `{"my.label"="x"}` or `by ("my.label")` (Prometheus 3 UTF-8 names).
    QuotedLabelName,
    /// `fill(...)`, `fill_left(...)`, `fill_right(...)` binary modifiers.
    FillModifier,
    /// `or` between label matchers (a promql-parser extension).
    OrMatcher,
}

/// The first token the grammar cannot accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct GrammarError {
    pub(super) token: usize,
    pub(super) expected: &'static str,
}

impl Tree {
    /// Byte range of a node.
    pub(super) fn span(&self, id: NodeId) -> std::ops::Range<usize> {
        let node = &self.nodes[id];
        self.tokens[node.first].start()..self.tokens[node.last].end()
    }

    /// Byte range of a token.
    pub(super) fn token_span(&self, index: usize) -> std::ops::Range<usize> {
        self.tokens[index].span()
    }

    /// Byte range of a matcher.
    pub(super) fn matcher_span(&self, m: &MatcherSyntax) -> std::ops::Range<usize> {
        self.tokens[m.first].start()..self.tokens[m.value].end()
    }

    /// Children of a node, in source order.
    pub(super) fn children(&self, id: NodeId) -> Vec<NodeId> {
        match &self.nodes[id].kind {
            NodeKind::Number | NodeKind::String | NodeKind::Selector(_) => Vec::new(),
            NodeKind::Call { args, .. } | NodeKind::Aggregate { args, .. } => {
                self.args[args.clone()].to_vec()
            }
            NodeKind::Unary { operand } => vec![*operand],
            NodeKind::Binary { lhs, rhs, .. } => vec![*lhs, *rhs],
            NodeKind::Paren { inner }
            | NodeKind::Subquery { inner, .. }
            | NodeKind::BadRange { inner, .. }
            | NodeKind::BadModifier { inner, .. } => vec![*inner],
        }
    }
}

/// Recognizes `tokens` (ending with [`Tok::Eof`]).
pub(super) fn parse(tokens: Vec<Token>) -> Result<Tree, GrammarError> {
    let mut p = Parser {
        tree: Tree {
            nodes: Vec::with_capacity(tokens.len() / 3 + 1),
            tokens,
            args: Vec::new(),
            matchers: Vec::new(),
            root: 0,
            features: Vec::new(),
            unary_plus: Vec::new(),
        },
        pos: 0,
        depth: 0,
        pending_args: Vec::new(),
    };
    if p.peek() == Tok::Eof {
        return Err(p.unexpected("an expression"));
    }
    let root = p.expr(0)?;
    if p.peek() != Tok::Eof {
        return Err(p.unexpected("an operator or the end of the expression"));
    }
    p.tree.root = root;
    Ok(p.tree)
}

struct Parser {
    tree: Tree,
    pos: usize,
    depth: usize,
    /// Stack of argument node ids being collected by nested calls.
    pending_args: Vec<NodeId>,
}

type PResult<T> = Result<T, GrammarError>;

const POW_PRECEDENCE: u8 = 6;

impl Parser {
    fn peek(&self) -> Tok {
        self.peek_at(0)
    }

    fn peek_at(&self, offset: usize) -> Tok {
        self.tree
            .tokens
            .get(self.pos + offset)
            .map_or(Tok::Eof, |t| t.kind)
    }

    fn bump(&mut self) -> usize {
        let at = self.pos;
        if at + 1 < self.tree.tokens.len() {
            self.pos += 1;
        }
        at
    }

    fn unexpected(&self, expected: &'static str) -> GrammarError {
        GrammarError {
            token: self.pos,
            expected,
        }
    }

    fn expect(&mut self, kind: Tok, expected: &'static str) -> PResult<usize> {
        if self.peek() == kind {
            Ok(self.bump())
        } else {
            Err(self.unexpected(expected))
        }
    }

    fn feature(&mut self, feature: Feature, token: usize) {
        self.tree.features.push((feature, token));
    }

    fn node(&mut self, kind: NodeKind, first: usize, last: usize) -> NodeId {
        self.tree.nodes.push(Node { kind, first, last });
        self.tree.nodes.len() - 1
    }

    fn first(&self, id: NodeId) -> usize {
        self.tree.nodes[id].first
    }

    fn last(&self, id: NodeId) -> usize {
        self.tree.nodes[id].last
    }

    /// `expr` with operators of at least `min_precedence` (precedence climbing).
    fn expr(&mut self, min_precedence: u8) -> PResult<NodeId> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.unexpected("a less deeply nested expression"));
        }
        let mut lhs = self.unary()?;
        while let Some(precedence) = self.peek().binary_precedence() {
            if precedence < min_precedence {
                break;
            }
            let op_kind = self.peek();
            let op = self.bump();
            self.bin_modifiers()?;
            let next = if op_kind == Tok::Pow {
                precedence
            } else {
                precedence + 1
            };
            let rhs = self.expr(next)?;
            let (first, last) = (self.first(lhs), self.last(rhs));
            lhs = self.node(NodeKind::Binary { lhs, op, rhs }, first, last);
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn unary(&mut self) -> PResult<NodeId> {
        match self.peek() {
            Tok::Add => {
                // The crate keeps no node for a unary plus.
                let plus = self.bump();
                let operand = self.expr(POW_PRECEDENCE)?;
                self.tree.unary_plus.push((plus, operand));
                Ok(operand)
            }
            Tok::Sub => {
                let op = self.bump();
                let operand = self.expr(POW_PRECEDENCE)?;
                let last = self.last(operand);
                Ok(self.node(NodeKind::Unary { operand }, op, last))
            }
            _ => {
                let primary = self.primary()?;
                self.postfix(primary)
            }
        }
    }

    fn primary(&mut self) -> PResult<NodeId> {
        let kind = self.peek();
        match kind {
            Tok::Number => {
                let at = self.bump();
                Ok(self.node(NodeKind::Number, at, at))
            }
            Tok::Duration => {
                let at = self.bump();
                self.feature(Feature::DurationAsNumber, at);
                Ok(self.node(NodeKind::Number, at, at))
            }
            Tok::String => {
                let at = self.bump();
                Ok(self.node(NodeKind::String, at, at))
            }
            Tok::LParen => {
                let open = self.bump();
                let inner = self.expr(0)?;
                let close = self.expect(Tok::RParen, "`)`")?;
                Ok(self.node(NodeKind::Paren { inner }, open, close))
            }
            Tok::LBrace => self.selector(self.pos),
            k if k.is_aggregator()
                && matches!(self.peek_at(1), Tok::LParen | Tok::By | Tok::Without) =>
            {
                self.aggregate()
            }
            Tok::Identifier | Tok::Start | Tok::End if self.peek_at(1) == Tok::LParen => {
                let name = self.bump();
                self.bump();
                let (args, close) = self.call_args()?;
                Ok(self.node(NodeKind::Call { name, args }, name, close))
            }
            k if k.is_metric_identifier() => {
                let name = self.bump();
                self.selector(name)
            }
            _ => Err(self.unexpected("an expression")),
        }
    }

    /// A selector whose first token is `first` (a metric name, or `{`).
    fn selector(&mut self, first: usize) -> PResult<NodeId> {
        let start = self.tree.matchers.len();
        let mut last = first;
        if self.peek() == Tok::LBrace {
            last = self.label_matchers()?;
        }
        let matchers = start..self.tree.matchers.len();
        Ok(self.node(
            NodeKind::Selector(Selector {
                matchers,
                range: None,
            }),
            first,
            last,
        ))
    }

    /// `{ matcher, ... }`; returns the index of `}`.
    fn label_matchers(&mut self) -> PResult<usize> {
        self.bump();
        if self.peek() == Tok::RBrace {
            return Ok(self.bump());
        }
        loop {
            self.matcher()?;
            match self.peek() {
                Tok::Comma => {
                    self.bump();
                    if self.peek() == Tok::RBrace {
                        return Ok(self.bump());
                    }
                }
                Tok::Or => {
                    let at = self.bump();
                    self.feature(Feature::OrMatcher, at);
                }
                Tok::RBrace => return Ok(self.bump()),
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
    }

    fn matcher(&mut self) -> PResult<()> {
        let first = self.pos;
        match self.peek() {
            Tok::Identifier => {
                self.bump();
            }
            Tok::String => {
                self.bump();
                if !self.peek().is_match_op() {
                    self.feature(Feature::QuotedMetricName, first);
                    self.tree.matchers.push(MatcherSyntax {
                        first,
                        value: first,
                    });
                    return Ok(());
                }
                self.feature(Feature::QuotedLabelName, first);
            }
            _ => return Err(self.unexpected("a label name")),
        }
        if !self.peek().is_match_op() {
            return Err(self.unexpected("a label matching operator (`=`, `!=`, `=~` or `!~`)"));
        }
        self.bump();
        let value = self.expect(Tok::String, "a quoted string")?;
        self.tree.matchers.push(MatcherSyntax { first, value });
        Ok(())
    }

    /// `sum [by|without (...)] (args) [by|without (...)]`.
    fn aggregate(&mut self) -> PResult<NodeId> {
        let op = self.bump();
        let leading = matches!(self.peek(), Tok::By | Tok::Without);
        if leading {
            self.bump();
            self.grouping_labels()?;
        }
        self.expect(Tok::LParen, "`(`")?;
        let (args, mut last) = self.call_args()?;
        if !leading && matches!(self.peek(), Tok::By | Tok::Without) {
            self.bump();
            last = self.grouping_labels()?;
        }
        Ok(self.node(NodeKind::Aggregate { op, args }, op, last))
    }

    /// Arguments after `(`, through `)`; returns the argument range and the `)` index.
    fn call_args(&mut self) -> PResult<(std::ops::Range<usize>, usize)> {
        let base = self.pending_args.len();
        let close = if self.peek() == Tok::RParen {
            self.bump()
        } else {
            loop {
                let arg = self.expr(0)?;
                self.pending_args.push(arg);
                match self.peek() {
                    Tok::Comma => {
                        let comma = self.bump();
                        if self.peek() == Tok::RParen {
                            // Trailing commas are rejected by the crate: point at the comma.
                            return Err(GrammarError {
                                token: comma,
                                expected: "another argument",
                            });
                        }
                    }
                    Tok::RParen => break self.bump(),
                    _ => return Err(self.unexpected("`,` or `)`")),
                }
            }
        };
        let start = self.tree.args.len();
        self.tree.args.extend(self.pending_args.drain(base..));
        Ok((start..self.tree.args.len(), close))
    }

    /// `( label, ... )`; returns the index of `)`.
    fn grouping_labels(&mut self) -> PResult<usize> {
        self.expect(Tok::LParen, "`(` and a list of label names")?;
        if self.peek() == Tok::RParen {
            return Ok(self.bump());
        }
        loop {
            match self.peek() {
                Tok::String => {
                    let at = self.bump();
                    self.feature(Feature::QuotedLabelName, at);
                }
                k if k.is_maybe_label() => {
                    self.bump();
                }
                _ => return Err(self.unexpected("a label name")),
            }
            match self.peek() {
                Tok::Comma => {
                    self.bump();
                    if self.peek() == Tok::RParen {
                        return Ok(self.bump());
                    }
                }
                Tok::RParen => return Ok(self.bump()),
                _ => return Err(self.unexpected("`,` or `)`")),
            }
        }
    }

    /// `[bool] [on|ignoring (...) [group_left|group_right [(...)]]] [fill...]`.
    fn bin_modifiers(&mut self) -> PResult<()> {
        if self.peek() == Tok::Bool {
            self.bump();
        }
        match self.peek() {
            Tok::On | Tok::Ignoring => {
                self.bump();
                self.grouping_labels()?;
                if matches!(self.peek(), Tok::GroupLeft | Tok::GroupRight) {
                    self.bump();
                    if self.peek() == Tok::LParen {
                        self.grouping_labels()?;
                    }
                }
            }
            Tok::GroupLeft | Tok::GroupRight => {
                return Err(self.unexpected("an expression (`group_left` and `group_right` need `on(...)` or `ignoring(...)` first)"));
            }
            _ => {}
        }
        let first = self.peek();
        if matches!(first, Tok::Fill | Tok::FillLeft | Tok::FillRight) {
            let at = self.bump();
            self.feature(Feature::FillModifier, at);
            self.fill_value()?;
            let second = match first {
                Tok::FillLeft => Tok::FillRight,
                Tok::FillRight => Tok::FillLeft,
                _ => Tok::Eof,
            };
            if second != Tok::Eof && self.peek() == second {
                self.bump();
                self.fill_value()?;
            }
        }
        Ok(())
    }

    fn fill_value(&mut self) -> PResult<()> {
        self.expect(Tok::LParen, "`(`")?;
        if matches!(self.peek(), Tok::Add | Tok::Sub) {
            self.bump();
        }
        self.expect(Tok::Number, "a number")?;
        self.expect(Tok::RParen, "`)`")?;
        Ok(())
    }

    /// A duration in a range, a subquery or an `offset`.
    fn duration(&mut self) -> PResult<usize> {
        match self.peek() {
            Tok::Duration => Ok(self.bump()),
            Tok::Number => {
                let at = self.bump();
                self.feature(Feature::NumberAsDuration, at);
                Ok(at)
            }
            _ => Err(self.unexpected("a duration such as `5m`")),
        }
    }

    /// Ranges, subqueries, `offset` and `@` after a primary expression.
    fn postfix(&mut self, mut base: NodeId) -> PResult<NodeId> {
        loop {
            match self.peek() {
                Tok::LBracket => {
                    let open = self.bump();
                    self.duration()?;
                    match self.peek() {
                        Tok::RBracket => {
                            let close = self.bump();
                            base = self.apply_range(base, open, close);
                        }
                        Tok::Colon => {
                            self.bump();
                            if matches!(self.peek(), Tok::Duration | Tok::Number) {
                                self.duration()?;
                            }
                            let close = self.expect(Tok::RBracket, "`]`")?;
                            let first = self.first(base);
                            base = self.node(
                                NodeKind::Subquery {
                                    inner: base,
                                    open,
                                    close,
                                },
                                first,
                                close,
                            );
                        }
                        _ => return Err(self.unexpected("`]` or `:`")),
                    }
                }
                Tok::Offset => {
                    let keyword = self.bump();
                    if matches!(self.peek(), Tok::Add | Tok::Sub) {
                        self.bump();
                    }
                    let last = self.duration()?;
                    base = self.apply_modifier(base, keyword, last);
                }
                Tok::At => {
                    let keyword = self.bump();
                    let last = match self.peek() {
                        Tok::Add | Tok::Sub => {
                            self.bump();
                            self.at_number()?
                        }
                        Tok::Number | Tok::Duration => self.at_number()?,
                        Tok::Start | Tok::End => {
                            self.bump();
                            self.expect(Tok::LParen, "`(`")?;
                            self.expect(Tok::RParen, "`)`")?
                        }
                        _ => {
                            return Err(
                                self.unexpected("a timestamp, `start()` or `end()` after `@`")
                            );
                        }
                    };
                    base = self.apply_modifier(base, keyword, last);
                }
                _ => return Ok(base),
            }
        }
    }

    fn at_number(&mut self) -> PResult<usize> {
        match self.peek() {
            Tok::Number => Ok(self.bump()),
            Tok::Duration => {
                let at = self.bump();
                self.feature(Feature::DurationAsNumber, at);
                Ok(at)
            }
            _ => Err(self.unexpected("a timestamp")),
        }
    }

    fn apply_range(&mut self, base: NodeId, open: usize, close: usize) -> NodeId {
        if let NodeKind::Selector(sel) = &mut self.tree.nodes[base].kind
            && sel.range.is_none()
        {
            sel.range = Some((open, close));
            self.tree.nodes[base].last = close;
            return base;
        }
        let first = self.first(base);
        self.node(
            NodeKind::BadRange {
                inner: base,
                open,
                close,
            },
            first,
            close,
        )
    }

    fn apply_modifier(&mut self, base: NodeId, keyword: usize, last: usize) -> NodeId {
        if matches!(
            self.tree.nodes[base].kind,
            NodeKind::Selector(_) | NodeKind::Subquery { .. }
        ) {
            self.tree.nodes[base].last = last;
            return base;
        }
        let first = self.first(base);
        self.node(
            NodeKind::BadModifier {
                inner: base,
                keyword,
            },
            first,
            last,
        )
    }
}
