//! PromQL facade: parse an expression once, then answer questions about it.
//!
//! **Owns** everything PromQL: this is the only module that imports the
//! `promql_parser` crate, and no type of that crate appears in its public
//! API. Callers get an [`Expr`] (the parsed expression with its source text),
//! its [`ExprFacts`] (selectors, calls, aggregations, binary operators,
//! subqueries, each with byte spans into the expression text and the context
//! lint rules ask about: functions and aggregations around a selector,
//! number arguments, unguarded divisions, whether the result is filtered),
//! its [`ValueType`] and a conservative [`OutputLabels`] analysis, or a
//! [`SyntaxError`] whose span points at the offending token. Every consumer
//! (lint rules, dashboards, inhibition, the unit-test generator's evaluator)
//! reads this one analysis; there is no other PromQL parser or tokenizer.
//!
//! **Produces** spans relative to the expression text only, taken from the
//! syntax tree. Mapping them into a YAML file (block scalars, quoting,
//! indentation) is the caller's job.
//!
//! **Must not** read files, print, or judge style: lint rules do that with the
//! facts computed here. Facts are computed once, at parse time; output labels
//! on first use. [`parse()`] never panics, whatever the input.
//!
//! How it works, because promql-parser 0.11 records no positions:
//! - `lexer` re-tokenizes the text exactly like the crate (byte spans);
//! - `syntax` walks the crate's grammar over those tokens and builds a tree of
//!   token ranges shaped like the crate's AST; it also names the first
//!   unexpected token of a grammar error, which the crate reports only as
//!   "invalid promql query";
//! - `parse` runs the crate (the authority on validity and types) behind a
//!   panic guard, after rejecting numbers it cannot hold and nesting deeper
//!   than [`MAX_DEPTH`] on the tokens; it hands valid regex matchers to the
//!   crate as placeholders (the crate compiles every regex, ~85µs each) and
//!   works around its known gaps (backslashes in backtick strings,
//!   `holt_winters`);
//! - `diagnose` turns failures into [`SyntaxError`]s; a semantic error is
//!   located by re-parsing the sub-expressions of the tree and keeping the
//!   innermost one that fails with the same message (error path only);
//! - `dialect` applies the [`Dialect`] (Prometheus 2 or 3) on top;
//! - `facts` pairs the crate's AST with the tree, node for node, to attach
//!   spans; `labels` computes [`OutputLabels`] from the AST.
//! - [`eval`] evaluates a parsed expression over synthetic series with
//!   Prometheus 2.42's semantics, for the unit-test generator (its own small
//!   types, depth-bounded).
//!
//! Known gaps, all inherited from promql-parser 0.11:
//! - Prometheus 3 experimental syntax it does not parse is an error in both
//!   dialects: duration arithmetic (`[5m * 2]`, with a hint in the
//!   `prometheus3` dialect) and the `anchored` / `smoothed` modifiers; the
//!   words `anchored` and `smoothed` cannot be metric or label names outside
//!   braces either (the crate lexes them as keywords);
//! - the `prometheus3` dialect does not ask for feature flags: experimental
//!   functions (`double_exponential_smoothing`, `info`, `limitk`...) are
//!   accepted as if enabled;
//! - regexes are checked with Rust's `regex`, not Go's RE2 (tiny differences);
//! - semantic messages are the crate's (restyled with backticks and
//!   Prometheus' type names), not Prometheus' own wording.
//!
//! Where promtool 2.42 has a bug, the `prometheus2` dialect stays strict: it
//! rejects an identifier inside a range (`x[5m x]`, ignored by promtool) and
//! `@ start()` / `@ end()` before a range (`x @ end() [5m]`).

mod diagnose;
mod dialect;
mod duration;
pub mod eval;
mod facts;
mod labels;
mod lexer;
mod parse;
mod syntax;
#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use std::sync::OnceLock;

pub use duration::{format_duration, parse_duration};
pub use facts::{
    AggregateOp, Aggregation, BinaryOp, BinaryOperator, Call, Comparison, ExprFacts, GroupModifier,
    Grouping, LabelMatcher, MatchOp, Offset, Selector, Side, Subquery, VectorMatching,
};
pub use labels::OutputLabels;
pub use lexer::string_literal;
pub use parse::MAX_DEPTH;

/// Which Prometheus version's PromQL an expression is checked against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// What `promtool` 2.42 accepts: `holt_winters` yes; UTF-8 quoted names,
    /// durations as numbers and functions added later are errors.
    #[default]
    Prometheus2,
    /// Prometheus 3: `holt_winters` is an error (it was renamed
    /// `double_exponential_smoothing`), newer syntax and functions are accepted.
    Prometheus3,
}

impl Dialect {
    /// The name used in settings: `prometheus2` or `prometheus3`.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Prometheus2 => "prometheus2",
            Dialect::Prometheus3 => "prometheus3",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a dialect name that is neither `prometheus2` nor `prometheus3`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownDialect(pub String);

impl fmt::Display for UnknownDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown PromQL dialect `{}`; valid dialects are: `prometheus2`, `prometheus3`",
            self.0
        )
    }
}

impl std::error::Error for UnknownDialect {}

impl FromStr for Dialect {
    type Err = UnknownDialect;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "prometheus2" => Ok(Dialect::Prometheus2),
            "prometheus3" => Ok(Dialect::Prometheus3),
            other => Err(UnknownDialect(other.to_string())),
        }
    }
}

/// The type an expression evaluates to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// A single number.
    Scalar,
    /// An instant vector: one sample per series.
    Vector,
    /// A range vector: samples over a time range per series.
    Matrix,
    /// A string literal.
    String,
}

impl ValueType {
    /// The name Prometheus uses in messages (`instant vector`, `range vector`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Scalar => "scalar",
            ValueType::Vector => "instant vector",
            ValueType::Matrix => "range vector",
            ValueType::String => "string",
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an expression does not parse, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// A short finding, e.g. "unexpected `)`; expected an expression", or the
    /// parser's own semantic message.
    pub message: String,
    /// Byte range of the offending token inside the expression text; empty only
    /// when the expression itself is empty.
    pub span: Range<usize>,
    /// How to fix it, when there is something useful to say.
    pub help: Option<String>,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// A parsed PromQL expression: its source text, its AST (private) and its facts.
#[derive(Clone, Debug)]
pub struct Expr {
    text: String,
    ast: promql_parser::parser::Expr,
    /// Regex matchers the AST holds as placeholders (see `parse`).
    regexes: parse::Regexes,
    facts: ExprFacts,
    dialect: Dialect,
    output_labels: std::sync::OnceLock<OutputLabels>,
}

impl Expr {
    /// The expression text, exactly as given to [`parse()`].
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The dialect the expression was checked against.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Selectors, calls, aggregations, operators and subqueries, with spans.
    pub fn facts(&self) -> &ExprFacts {
        &self.facts
    }

    /// The type the whole expression evaluates to.
    pub fn value_type(&self) -> ValueType {
        facts::value_type(&self.ast)
    }

    /// Whether `other` has the same syntax tree: the same operators,
    /// functions, selectors, matchers, numbers and modifiers in the same
    /// structure, whatever the spacing, comments or number spelling
    /// (`1e3` and `1000`). Two such expressions return the same series on
    /// any data.
    pub fn same_tree(&self, other: &Expr) -> bool {
        self.ast == other.ast && self.regexes == other.regexes
    }

    /// Which labels the result series can carry (conservative); computed
    /// on first use.
    pub fn output_labels(&self) -> &OutputLabels {
        self.output_labels
            .get_or_init(|| labels::output_labels(&self.ast, &self.regexes))
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Parses `text` as a PromQL expression of the given dialect.
///
/// On success the facts are already computed. On failure the error's span
/// points at the offending token of `text`. Never panics: promql-parser runs
/// behind a panic guard, on input whose numbers and nesting depth it can hold
/// (an expression nested deeper than [`MAX_DEPTH`] levels is an error).
pub fn parse(text: &str, dialect: Dialect) -> Result<Expr, SyntaxError> {
    parse::parse(text, dialect)
}

/// The parse of one expression text, made on first use, once per dialect:
/// shared (behind an `Arc`) by every holder of the same text, so a spec
/// query is parsed once for the syntax check, the threshold rules, the
/// rule-level lint rules of its recording rule, dashboards and inhibition.
#[derive(Debug, Default)]
pub struct ParseOnce([OnceLock<Result<Expr, SyntaxError>>; 2]);

impl ParseOnce {
    /// `text` parsed in `dialect`; `text` must be the same on every call.
    pub fn get(&self, text: &str, dialect: Dialect) -> Result<&Expr, &SyntaxError> {
        let slot = match dialect {
            Dialect::Prometheus2 => &self.0[0],
            Dialect::Prometheus3 => &self.0[1],
        };
        slot.get_or_init(|| parse(text, dialect)).as_ref()
    }
}
