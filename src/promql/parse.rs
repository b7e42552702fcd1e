//! Parsing: promql-parser decides validity and builds the AST; this module
//! prepares its input and assembles the [`Expr`].
//!
//! Workarounds for promql-parser 0.11, all applied here and nowhere else:
//! - a backtick string containing a backslash is rejected by the crate (its
//!   lexer treats `\` as an escape even in raw strings): such strings are
//!   handed to it as the equivalent double-quoted string
//!   ([`rewrite_raw_strings`]); spans never see the rewrite because they come
//!   from our own tokens of the original text;
//! - `holt_winters` is unknown to the crate: it is registered once as an extra
//!   function, and the dialect decides whether it is allowed;
//! - a number used as a duration that does not fit a `Duration` (`x[1e400]`,
//!   `offset inf`) makes the crate panic: it is rejected before, and the call
//!   is wrapped in `catch_unwind` besides;
//! - an `@` timestamp beyond Prometheus' range (`x @ 1e20`) is accepted by the
//!   crate: it is rejected here, as Prometheus does;
//! - a unary `+` leaves no node in the crate's AST, so the crate does not
//!   check its operand (`+x[5m]`): it is checked here ([`check_unary_plus`]);
//! - the crate and every pass over its AST recurse once per level of
//!   nesting, and its AST is dropped recursively: an expression nested
//!   deeper than [`MAX_DEPTH`] is rejected on the token stream before the
//!   crate sees it ([`check_depth`]), so no pass can exhaust the stack;
//! - the crate compiles every regex matcher into a full regex engine (about
//!   85µs each, which dominates linting real rule files): a valid regex in a
//!   selector with a metric name is handed to it as a plain matcher with a
//!   placeholder value, and the facade reads the regex back from [`Regexes`].

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Once;

use promql_parser::parser::function::{Function, register_extra_functions};
use promql_parser::parser::value::ValueType as AstValueType;
use promql_parser::parser::{self as crate_parser};

use super::lexer::{self, Tok, Token, string_literal};
use super::syntax::Tree;
use super::{Dialect, Expr, SyntaxError, ValueType, diagnose, dialect, facts, syntax};

/// Parses and checks `text`; see [`super::parse()`].
pub(super) fn parse(text: &str, dialect: Dialect) -> Result<Expr, SyntaxError> {
    parse_with(text, dialect, true)
}

/// [`parse`] without regex placeholders, to test that they change nothing.
#[cfg(test)]
pub(super) fn parse_without_placeholders(
    text: &str,
    dialect: Dialect,
) -> Result<Expr, SyntaxError> {
    parse_with(text, dialect, false)
}

fn parse_with(text: &str, dialect: Dialect, placeholders: bool) -> Result<Expr, SyntaxError> {
    let tokens = match lexer::tokenize(text) {
        Ok(tokens) => tokens,
        Err(err) => return Err(diagnose::lex_error(text, err, dialect)),
    };
    if let Some(err) = check_number_ranges(text, &tokens) {
        return Err(err);
    }
    check_depth(&tokens)?;
    let (input, mut regexes) = crate_input(text, &tokens, placeholders);
    let ast = match parse_with_crate(&input) {
        Ok(ast) => ast,
        // Placeholders never change the verdict, but the message on the
        // original text is the one to show.
        Err(_) if !regexes.is_empty() => {
            regexes = Regexes::default();
            match parse_with_crate(&rewrite_raw_strings(text, &tokens)) {
                Ok(ast) => ast,
                Err(message) => return Err(diagnose::parse_error(text, tokens, &message)),
            }
        }
        Err(message) => return Err(diagnose::parse_error(text, tokens, &message)),
    };
    // The tree only fails here if it disagrees with the crate; facts then fall
    // back to whole-expression spans instead of failing a valid expression.
    let tree = syntax::parse(tokens).ok();
    if cfg!(test) {
        assert!(
            tree.is_some(),
            "syntax tree rejects what the crate accepts: {text:?}"
        );
    }
    if let Some(tree) = &tree {
        check_unary_plus(text, tree)?;
    }
    let facts = facts::build(&ast, tree.as_ref(), text.len(), &regexes);
    dialect::check(dialect, text, tree.as_ref(), &facts)?;
    Ok(Expr {
        text: text.to_string(),
        ast,
        regexes,
        facts,
        dialect,
        output_labels: std::sync::OnceLock::new(),
    })
}

/// Deepest nesting accepted, counted on the tokens before promql-parser runs.
///
/// The count is an upper bound of the depth of the crate's AST: every
/// parenthesis (of a call, an aggregation or a group) is one level, and so
/// is every operator and subquery of the same argument at that level (a
/// chain `a + b + c` nests one binary node per operator, and `(a) + b`
/// puts the group one level below the `+`). Real rules stay far below it
/// (the corpus of public rule files tops out at 14).
pub const MAX_DEPTH: usize = 256;

/// One open parenthesis while counting depth (see [`check_depth`]).
#[derive(Default)]
struct Level {
    /// Operators (and subquery colons) in the current argument.
    ops: usize,
    /// Deepest closed group in the current argument.
    child: usize,
    /// Deepest earlier argument (arguments are siblings, not nested).
    args: usize,
}

/// Rejects an expression nested deeper than [`MAX_DEPTH`], at the first token
/// where the bound is exceeded.
///
/// The depth along the path to the current token is the sum, over open
/// parentheses, of one plus the operators met so far in their current
/// argument, plus the deepest group already closed in the innermost one.
fn check_depth(tokens: &[Token]) -> Result<(), SyntaxError> {
    let mut levels: Vec<Level> = vec![Level::default()];
    // Sum over open levels of 1 + ops, kept up to date.
    let mut path = 1;
    for t in tokens {
        match t.kind {
            Tok::LParen => {
                levels.push(Level::default());
                path += 1;
            }
            Tok::RParen if levels.len() > 1 => {
                let closed = levels.pop().unwrap_or_default();
                path -= 1 + closed.ops;
                let depth = 1 + closed.args.max(closed.ops + closed.child);
                if let Some(parent) = levels.last_mut() {
                    parent.child = parent.child.max(depth);
                }
            }
            Tok::Comma => {
                if let Some(level) = levels.last_mut() {
                    path -= level.ops;
                    level.args = level.args.max(level.ops + level.child);
                    level.ops = 0;
                    level.child = 0;
                }
            }
            // A `:` only appears in a subquery's brackets.
            kind if kind.binary_precedence().is_some() || kind == Tok::Colon => {
                if let Some(level) = levels.last_mut() {
                    level.ops += 1;
                    path += 1;
                }
            }
            _ => {}
        }
        let child = levels.last().map_or(0, |l| l.child);
        if path + child > MAX_DEPTH {
            return Err(diagnose::too_deep(MAX_DEPTH, t.span()));
        }
    }
    Ok(())
}

/// The regex matchers handed to promql-parser as placeholders, by index.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Regexes(Vec<String>);

/// The prefix of a placeholder value; an expression that contains it is
/// handed to the crate unchanged, so a placeholder is never ambiguous.
const PLACEHOLDER: &str = "__promspec_regex_";

impl Regexes {
    /// The regex that `value` stands for, when it is a placeholder.
    pub(super) fn lookup(&self, value: &str) -> Option<&str> {
        let index: usize = value.strip_prefix(PLACEHOLDER)?.parse().ok()?;
        self.0.get(index).map(String::as_str)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The text handed to promql-parser: backtick strings with a backslash
/// rewritten (see [`rewrite_raw_strings`]), and regex matchers that cannot
/// change the verdict replaced by placeholders (`job=~"a.*"` becomes
/// `job="__promspec_regex_0"`).
///
/// A regex is replaced only when it is valid for Rust's `regex` (as the crate
/// compiles it) without counted repetitions (which can exceed the compiled
/// size limit), in a selector that names its metric before the braces (a
/// selector without one needs a matcher that does not match the empty
/// string, which depends on the regex), and not on `__name__`.
fn crate_input<'a>(text: &'a str, tokens: &[Token], placeholders: bool) -> (Cow<'a, str>, Regexes) {
    let mut regexes = Vec::new();
    // Byte ranges to replace, with the index of the regex a placeholder
    // stands for (`None`: a raw string to double-quote).
    let mut edits: Vec<(std::ops::Range<usize>, Option<usize>)> = Vec::new();
    let rewritable = placeholders && !text.contains(PLACEHOLDER);
    let mut named_braces = false;
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            Tok::LBrace => {
                named_braces =
                    i > 0 && matches!(tokens[i - 1].kind, Tok::Identifier | Tok::MetricIdentifier);
            }
            Tok::RBrace => named_braces = false,
            Tok::EqlRegex | Tok::NeqRegex if rewritable && named_braces && i > 0 => {
                let name = tokens[i - 1];
                let Some(value) = tokens.get(i + 1).filter(|v| v.kind == Tok::String) else {
                    continue;
                };
                if name.kind != Tok::Identifier || &text[name.span()] == "__name__" {
                    continue;
                }
                let Some(pattern) = unquote(&text[value.span()]) else {
                    continue;
                };
                if pattern.contains('{') || !valid_regex(&pattern) {
                    continue;
                }
                edits.push((t.start()..value.end(), Some(regexes.len())));
                regexes.push(pattern);
            }
            Tok::String
                if text.as_bytes()[t.start()] == b'`'
                    && text[t.span()].contains('\\')
                    && edits.last().is_none_or(|(r, _)| r.end <= t.start()) =>
            {
                edits.push((t.span(), None));
            }
            _ => {}
        }
    }
    if edits.is_empty() {
        return (Cow::Borrowed(text), Regexes::default());
    }
    let mut out = String::with_capacity(text.len() + 16 * edits.len());
    let mut copied = 0;
    for (range, placeholder) in edits {
        out.push_str(&text[copied..range.start]);
        match placeholder {
            Some(index) => {
                // The edit starts at the operator: `=~` or `!~`.
                let op = if text[range.start..].starts_with('!') {
                    "!="
                } else {
                    "="
                };
                out.push_str(&format!("{op}\"{PLACEHOLDER}{index}\""));
            }
            None => out.push_str(&string_literal(&text[range.start + 1..range.end - 1])),
        }
        copied = range.end;
    }
    out.push_str(&text[copied..]);
    (Cow::Owned(out), Regexes(regexes))
}

/// The value of a string literal, or `None` when it does not decode.
fn unquote(literal: &str) -> Option<String> {
    if literal.starts_with('`') {
        return Some(literal[1..literal.len() - 1].to_string());
    }
    promql_parser::util::unquote_string(literal).ok()
}

/// Whether the crate accepts `pattern` as a label regex (it anchors it).
/// Rule files repeat the same few patterns, so valid ones are remembered per
/// thread.
fn valid_regex(pattern: &str) -> bool {
    thread_local! {
        static VALID: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
    }
    /// Patterns remembered at most, so that memory stays bounded.
    const REMEMBERED: usize = 4096;
    if VALID.with(|v| v.borrow().contains(pattern)) {
        return true;
    }
    let ok = regex_syntax::Parser::new()
        .parse(&format!("^(?:{pattern})$"))
        .is_ok();
    if ok {
        VALID.with(|v| {
            let mut valid = v.borrow_mut();
            if valid.len() >= REMEMBERED {
                valid.clear();
            }
            valid.insert(pattern.to_string());
        });
    }
    ok
}

/// Runs promql-parser on (possibly rewritten) text.
pub(super) fn parse_with_crate(text: &str) -> Result<crate_parser::Expr, String> {
    static EXTRA_FUNCTIONS: Once = Once::new();
    EXTRA_FUNCTIONS.call_once(|| {
        // Prometheus 2 has `holt_winters`; promql-parser only knows the
        // Prometheus 3 name. Registration fails only on a name clash with a
        // built-in, in which case the crate already knows the function.
        let _ = register_extra_functions(vec![Function::new(
            "holt_winters",
            vec![
                AstValueType::Matrix,
                AstValueType::Scalar,
                AstValueType::Scalar,
            ],
            0,
            AstValueType::Vector,
            false,
        )]);
    });
    std::panic::catch_unwind(|| crate_parser::parse(text))
        .unwrap_or_else(|_| Err("the PromQL parser crashed on this expression".to_string()))
}

/// Re-lexes `text` and parses it with the crate, for the error path.
pub(super) fn reparse(text: &str) -> Result<crate_parser::Expr, String> {
    match lexer::tokenize(text) {
        Ok(tokens) => parse_with_crate(&rewrite_raw_strings(text, &tokens)),
        Err(err) => Err(err.message),
    }
}

/// Replaces backtick strings that contain a backslash by the equivalent
/// double-quoted string, which promql-parser lexes correctly.
pub(super) fn rewrite_raw_strings<'a>(text: &'a str, tokens: &[Token]) -> Cow<'a, str> {
    crate_input(text, tokens, false).0
}

/// Rejects number literals that Prometheus cannot hold where they stand: a
/// duration that no `Duration` holds (promql-parser would panic), an `@`
/// timestamp beyond Prometheus' millisecond range (promql-parser accepts it).
fn check_number_ranges(text: &str, tokens: &[Token]) -> Option<SyntaxError> {
    let before = |i: usize, back: usize| i.checked_sub(back).map(|j| tokens[j].kind);
    for (i, t) in tokens.iter().enumerate() {
        if t.kind != Tok::Number || i == 0 {
            continue;
        }
        let prev = before(i, 1);
        let signed = matches!(prev, Some(Tok::Add | Tok::Sub));
        let keyword = if signed { before(i, 2) } else { prev };
        let in_duration =
            matches!(prev, Some(Tok::LBracket | Tok::Colon)) || keyword == Some(Tok::Offset);
        let in_timestamp = keyword == Some(Tok::At);
        if !in_duration && !in_timestamp {
            continue;
        }
        let literal = &text[t.span()];
        let Ok(value) = promql_parser::util::parse_str_radix(literal) else {
            continue;
        };
        if in_duration && !(value.is_finite() && (0.0..1.0e15).contains(&value)) {
            return Some(diagnose::duration_out_of_range(literal, t.span()));
        }
        // Prometheus keeps timestamps as int64 milliseconds.
        if in_timestamp && !(value.is_finite() && value.abs() <= (i64::MAX / 1000) as f64) {
            return Some(diagnose::timestamp_out_of_range(literal, t.span()));
        }
    }
    None
}

/// Prometheus rejects `+` before a range vector or a string, as it does `-`;
/// promql-parser drops the `+` without checking.
fn check_unary_plus(text: &str, tree: &Tree) -> Result<(), SyntaxError> {
    for &(plus, operand) in &tree.unary_plus {
        let span = tree.span(operand);
        let value_type = match reparse(&text[span.clone()]) {
            Ok(ast) => facts::value_type(&ast),
            Err(_) => continue,
        };
        if matches!(value_type, ValueType::Matrix | ValueType::String) {
            return Err(diagnose::unary_operand(
                value_type,
                tree.token_span(plus).start..span.end,
            ));
        }
    }
    Ok(())
}
