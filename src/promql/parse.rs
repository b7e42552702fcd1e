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
//!   check its operand (`+x[5m]`): it is checked here ([`check_unary_plus`]).

use std::borrow::Cow;
use std::sync::Once;

use promql_parser::parser::function::{Function, register_extra_functions};
use promql_parser::parser::value::ValueType as AstValueType;
use promql_parser::parser::{self as crate_parser};

use super::lexer::{self, Tok, Token};
use super::syntax::Tree;
use super::{Dialect, Expr, SyntaxError, ValueType, diagnose, dialect, facts, syntax};

/// Parses and checks `text`; see [`super::parse()`].
pub(super) fn parse(text: &str, dialect: Dialect) -> Result<Expr, SyntaxError> {
    let tokens = match lexer::tokenize(text) {
        Ok(tokens) => tokens,
        Err(err) => return Err(diagnose::lex_error(text, err, dialect)),
    };
    if let Some(err) = check_number_ranges(text, &tokens) {
        return Err(err);
    }
    let ast = match parse_with_crate(&rewrite_raw_strings(text, &tokens)) {
        Ok(ast) => ast,
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
    let facts = facts::build(&ast, tree.as_ref(), text.len());
    dialect::check(dialect, text, tree.as_ref(), &facts)?;
    Ok(Expr {
        text: text.to_string(),
        ast,
        facts,
        dialect,
    })
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
    let needs_rewrite = |t: &&Token| {
        t.kind == Tok::String && text.as_bytes()[t.start()] == b'`' && text[t.span()].contains('\\')
    };
    if !text.contains('`') || !tokens.iter().any(|t| needs_rewrite(&t)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(rewrite(text, tokens.iter().filter(needs_rewrite)))
}

#[cold]
#[inline(never)]
fn rewrite<'t>(text: &str, raw_strings: impl Iterator<Item = &'t Token>) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut copied = 0;
    for t in raw_strings {
        out.push_str(&text[copied..t.start()]);
        out.push('"');
        for ch in text[t.start() + 1..t.end() - 1].chars() {
            match ch {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                other => out.push(other),
            }
        }
        out.push('"');
        copied = t.end();
    }
    out.push_str(&text[copied..]);
    out
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
