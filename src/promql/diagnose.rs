//! Turning failures into [`SyntaxError`]s that point at the offending token.
//!
//! Every error of the module is built by a constructor function here. The
//! locating logic runs only on the error path, so it may re-parse:
//! - lexer errors already carry their position;
//! - grammar errors ("invalid promql query" from the crate) are located by the
//!   `super::syntax` recognizer, which names the unexpected token and what was
//!   expected instead;
//! - semantic errors (a type mismatch, an unknown function...) are located by
//!   re-parsing the sub-expressions of the syntax tree from the root down and
//!   keeping the innermost one that fails with the same message, then
//!   narrowing to the token the message is about.

use std::ops::Range;

use super::lexer::{LexError, Tok, Token};
use super::parse::reparse;
use super::syntax::{self, GrammarError, NodeId, NodeKind, Tree};
use super::{Dialect, SyntaxError, dialect, duration::parse_duration, facts::value_type};

const INVALID_QUERY: &str = "invalid promql query";
const NO_EXPRESSION: &str = "no expression found in input";

fn error(message: impl Into<String>, span: Range<usize>, help: Option<String>) -> SyntaxError {
    SyntaxError {
        message: message.into(),
        span,
        help,
    }
}

/// A lexer error, with a hint about duration arithmetic in Prometheus 3.
#[cold]
pub(super) fn lex_error(text: &str, err: LexError, dialect: Dialect) -> SyntaxError {
    let mut help = err.help.map(str::to_string);
    if dialect == Dialect::Prometheus3 && err.message.ends_with("inside brackets") {
        let ch = text[err.span.clone()].chars().next().unwrap_or(' ');
        if "+-*/%^()".contains(ch) || ch.is_ascii_alphabetic() {
            help = Some(
                "duration arithmetic such as `[5m * 2]` is experimental in Prometheus 3 \
                 and not supported by promspec's PromQL parser; write the duration out"
                    .to_string(),
            );
        }
    }
    error(err.message, err.span, help)
}

/// An expression with nothing but whitespace or comments.
fn empty_expression(text: &str) -> SyntaxError {
    error(
        "empty expression",
        0..text.len(),
        Some("write a PromQL expression, such as `up == 0`".to_string()),
    )
}

/// An expression nested deeper than the facade accepts.
#[cold]
pub(super) fn too_deep(max: usize, span: Range<usize>) -> SyntaxError {
    error(
        format!("the expression is nested too deeply (more than {max} levels)"),
        span,
        Some(
            "nesting counts parentheses, calls, aggregations and the operators at each \
             level; split the expression into recording rules"
                .to_string(),
        ),
    )
}

/// A number used as a duration that no duration can hold.
#[cold]
pub(super) fn duration_out_of_range(literal: &str, span: Range<usize>) -> SyntaxError {
    error(
        format!("duration `{literal}` is out of range"),
        span,
        Some("write the duration with a unit, such as `5m`".to_string()),
    )
}

/// `x @ 1e20`: Prometheus keeps timestamps as int64 milliseconds.
#[cold]
pub(super) fn timestamp_out_of_range(literal: &str, span: Range<usize>) -> SyntaxError {
    error(
        format!("timestamp `{literal}` is out of range for `@`"),
        span,
        Some("`@` takes a Unix timestamp in seconds, such as `@ 1700000000`".to_string()),
    )
}

/// `+x[5m]`: promql-parser does not check the operand of a unary `+`.
#[cold]
pub(super) fn unary_operand(value_type: super::ValueType, span: Range<usize>) -> SyntaxError {
    error(
        format!(
            "unary expression only allowed on expressions of type scalar or instant vector, \
             got {value_type}"
        ),
        span,
        None,
    )
}

/// `{a="1" or b="2"}`: a promql-parser extension, not PromQL.
#[cold]
pub(super) fn or_matcher(span: Range<usize>) -> SyntaxError {
    error(
        "`or` between label matchers is not supported by Prometheus",
        span,
        Some(
            "use a regex matcher (`label=~\"a|b\"`) or combine two selectors with `or`".to_string(),
        ),
    )
}

fn needs_prometheus3_help() -> Option<String> {
    Some(
        "the `prometheus2` dialect accepts what Prometheus 2.42 accepts; \
         set the PromQL dialect to `prometheus3` if all your servers run Prometheus 3"
            .to_string(),
    )
}

/// `time() - 5m`: durations as numbers.
#[cold]
pub(super) fn duration_as_number(literal: &str, span: Range<usize>) -> SyntaxError {
    error(
        format!("using the duration `{literal}` as a number needs Prometheus 3"),
        span,
        needs_prometheus3_help(),
    )
}

/// `x[300]`: numbers as durations.
#[cold]
pub(super) fn number_as_duration(literal: &str, span: Range<usize>) -> SyntaxError {
    error(
        format!("a duration without a unit (`{literal}`) needs Prometheus 3"),
        span,
        Some(format!(
            "write it with a unit, as in `{literal}s`; Prometheus 2 requires one"
        )),
    )
}

/// `{"my.metric"}` or `by ("my.label")`: UTF-8 quoted names.
#[cold]
pub(super) fn quoted_name(what: &str, literal: &str, span: Range<usize>) -> SyntaxError {
    error(
        format!("quoted {what} name {literal} needs Prometheus 3"),
        span,
        needs_prometheus3_help(),
    )
}

/// `a + fill(0) b`.
#[cold]
pub(super) fn fill_modifier(literal: &str, span: Range<usize>) -> SyntaxError {
    error(
        format!("the `{literal}` modifier needs Prometheus 3"),
        span,
        needs_prometheus3_help(),
    )
}

/// A function that Prometheus 2.42 does not know.
#[cold]
pub(super) fn function_needs_prometheus3(name: &str, span: Range<usize>) -> SyntaxError {
    error(
        format!("function `{name}` needs Prometheus 3"),
        span,
        needs_prometheus3_help(),
    )
}

/// `limitk` or `limit_ratio` in the Prometheus 2 dialect.
#[cold]
pub(super) fn aggregation_needs_prometheus3(op: &str, span: Range<usize>) -> SyntaxError {
    error(
        format!("aggregation `{op}` needs Prometheus 3"),
        span,
        needs_prometheus3_help(),
    )
}

/// `holt_winters` in the Prometheus 3 dialect.
#[cold]
pub(super) fn holt_winters_renamed(span: Range<usize>) -> SyntaxError {
    error(
        "function `holt_winters` was renamed to `double_exponential_smoothing` in Prometheus 3",
        span,
        Some(
            "use `double_exponential_smoothing(...)` with the same arguments; in Prometheus 3 \
             it needs `--enable-feature=promql-experimental-functions`"
                .to_string(),
        ),
    )
}

/// A failure reported by promql-parser, located with the syntax tree.
#[cold]
pub(super) fn parse_error(text: &str, tokens: Vec<Token>, message: &str) -> SyntaxError {
    if tokens.len() <= 1 {
        return empty_expression(text);
    }
    let grammar = syntax::parse(tokens.clone());
    match (grammar, message) {
        (Err(g), INVALID_QUERY | NO_EXPRESSION) => unexpected_token(text, &tokens, g),
        (Err(g), _) => {
            // The crate's error productions: the recognizer knows where.
            let (span, _) = grammar_span(&tokens, g);
            let help = if message.starts_with("unexpected <group_") {
                Some(
                    "`group_left` and `group_right` need `on (...)` or `ignoring (...)` \
                     before them"
                        .to_string(),
                )
            } else if message.starts_with("trailing commas") {
                Some("remove the trailing comma".to_string())
            } else {
                None
            };
            semantic(message, span, help)
        }
        (Ok(tree), INVALID_QUERY | NO_EXPRESSION) => {
            // The recognizer accepts what the crate rejects: should not happen.
            let span = tree.span(tree.root);
            error("invalid PromQL expression", span, None)
        }
        (Ok(tree), _) => {
            let node = innermost_failing(text, &tree, message);
            let (span, help) = narrow(text, &tree, node, message);
            semantic(message, span, help)
        }
    }
}

/// Where a grammar error is: the unexpected token, or the last token at the end.
fn grammar_span(tokens: &[Token], g: GrammarError) -> (Range<usize>, Tok) {
    let token = tokens[g.token];
    if token.kind == Tok::Eof && g.token > 0 {
        (tokens[g.token - 1].span(), Tok::Eof)
    } else {
        (token.span(), token.kind)
    }
}

fn unexpected_token(text: &str, tokens: &[Token], g: GrammarError) -> SyntaxError {
    let (span, kind) = grammar_span(tokens, g);
    let literal = &text[span.clone()];
    let found = match kind {
        Tok::Eof => "end of input".to_string(),
        Tok::Identifier | Tok::MetricIdentifier | Tok::Number | Tok::Duration | Tok::String => {
            format!("{} `{literal}`", kind.describe())
        }
        _ => format!("`{literal}`"),
    };
    let help = match (kind, g.expected) {
        (Tok::Eof, _) => Some(format!(
            "the expression ends after `{literal}`; complete it or remove `{literal}`"
        )),
        (Tok::Eql, expected) if expected.starts_with("an operator") => {
            Some("the equality operator is `==`".to_string())
        }
        _ => None,
    };
    error(
        format!("unexpected {found}; expected {}", g.expected),
        span,
        help,
    )
}

/// A semantic message from the crate, in promspec's style.
fn semantic(message: &str, span: Range<usize>, help: Option<String>) -> SyntaxError {
    error(restyle(message), span, help)
}

/// Backticks for quoted values and Prometheus' names for value types.
fn restyle(message: &str) -> String {
    let mut out = message.replace('\'', "`").replace(" BOOL ", " `bool` ");
    for (from, to) in [
        ("type matrix", "type range vector"),
        ("type vector", "type instant vector"),
        ("got matrix", "got range vector"),
        ("got vector", "got instant vector"),
        ("got: matrix", "got range vector"),
        ("got: string", "got string"),
        ("scalar or vector", "scalar or instant vector"),
        ("allowed on vector,", "allowed on an instant vector,"),
        (
            "an vector selector or matrix selector",
            "an instant vector selector, a range vector selector",
        ),
        ("unexpected <group_left>", "unexpected `group_left`"),
        (
            "missing unit character in duration",
            "missing range duration; expected a duration such as `5m`",
        ),
        ("unexpected <group_right>", "unexpected `group_right`"),
    ] {
        out = out.replace(from, to);
    }
    if let Some(rest) = out.strip_prefix("unknown function with name ") {
        out = format!("unknown function {rest}");
    }
    if let Some(number) = out.strip_prefix("ParseFloatError. ") {
        let literal = number.split(' ').next().unwrap_or(number);
        out = format!("invalid number `{literal}`");
    }
    out
}

/// The node whose text alone fails with `message`, as deep as possible.
fn innermost_failing(text: &str, tree: &Tree, message: &str) -> NodeId {
    let mut node = tree.root;
    'descend: loop {
        for child in tree.children(node) {
            let span = tree.span(child);
            if matches!(reparse(&text[span]), Err(m) if m == message) {
                node = child;
                continue 'descend;
            }
        }
        return node;
    }
}

/// Token indexes of a node, first to last.
fn node_tokens(tree: &Tree, node: NodeId) -> Range<usize> {
    let n = &tree.nodes[node];
    n.first..n.last + 1
}

/// The first token of `kind` in the node, after the token `after` when given.
fn find_token(tree: &Tree, node: NodeId, kind: Tok, after: Option<usize>) -> Option<usize> {
    node_tokens(tree, node)
        .filter(|&i| after.is_none_or(|a| i > a))
        .find(|&i| tree.tokens[i].kind == kind)
}

/// The text between the first pair of quotes (`'x'`) in a crate message.
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('\'')? + 1;
    let len = message[start..].find('\'')?;
    Some(&message[start..start + len])
}

/// The value type of a sub-expression, by parsing it alone.
fn type_of(text: &str, tree: &Tree, node: NodeId) -> Option<&'static str> {
    let ast = reparse(&text[tree.span(node)]).ok()?;
    // The crate's names, as they appear in its messages.
    Some(match value_type(&ast) {
        super::ValueType::Scalar => "scalar",
        super::ValueType::Vector => "vector",
        super::ValueType::Matrix => "matrix",
        super::ValueType::String => "string",
    })
}

/// Narrows a failing node to the token the message is about; adds help.
fn narrow(text: &str, tree: &Tree, node: NodeId, message: &str) -> (Range<usize>, Option<String>) {
    let whole = tree.span(node);
    let kind = tree.nodes[node].kind.clone();
    let token_span = |i: usize| tree.token_span(i);
    let brackets = |open: usize, close: usize| token_span(open).start..token_span(close).end;
    let children = tree.children(node);
    let help = |text: &str| Some(text.to_string());

    if message.starts_with("unknown function with name")
        && let NodeKind::Call { name, .. } = kind
    {
        return (token_span(name), suggest_function(&text[token_span(name)]));
    }
    if message.contains("argument(s) in call to")
        && let NodeKind::Call { name, .. } = kind
    {
        let numbers: Vec<usize> = message
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|s| s.parse().ok())
            .collect();
        if let [allowed, got] = numbers[..]
            && got > allowed
            && allowed < children.len()
        {
            let extra = tree.span(children[allowed]).start..whole.end - 1;
            return (extra, help("remove the extra arguments"));
        }
        return (token_span(name), None);
    }
    if let Some(rest) = message.strip_prefix("expected type ") {
        // "expected type matrix in call to function 'rate', got vector"
        let expected = rest.split(" in ").next().unwrap_or("");
        let got = rest.rsplit("got ").next().unwrap_or("");
        let culprit = children
            .iter()
            .copied()
            .find(|&c| type_of(text, tree, c) == Some(got));
        let hint = match (expected, got) {
            ("matrix", "vector") => help("add a range to the selector, as in `rate(metric[5m])`"),
            ("vector", "matrix") => help(
                "remove the range, or use a `*_over_time` function to turn a range vector \
                 into an instant vector",
            ),
            _ => None,
        };
        return (culprit.map_or(whole, |c| tree.span(c)), hint);
    }
    if let NodeKind::Binary { lhs, op, rhs } = kind {
        return narrow_binary(text, tree, node, message, (lhs, op, rhs));
    }
    if message.starts_with("subquery is only allowed")
        && let NodeKind::Subquery { open, close, .. } = kind
    {
        return (brackets(open, close), None);
    }
    if message.starts_with("ranges only allowed")
        && let NodeKind::BadRange { open, close, .. } = kind
    {
        return (
            brackets(open, close),
            help(
                "a range applies to a selector, as in `metric[5m]`; \
                 use a subquery such as `[5m:1m]` for other expressions",
            ),
        );
    }
    if message.ends_with("allowed before range")
        && let NodeKind::Selector(sel) = &kind
        && let Some((open, close)) = sel.range
    {
        return (
            brackets(open, close),
            help("put the range first, as in `metric[5m] offset 1h`"),
        );
    }
    if message.ends_with("may not be set multiple times") {
        let keyword = if message.starts_with('@') {
            Tok::At
        } else {
            Tok::Offset
        };
        let first = find_token(tree, node, keyword, None);
        if let Some(second) = first.and_then(|f| find_token(tree, node, keyword, Some(f))) {
            return (token_span(second), None);
        }
    }
    if message.contains("modifier must be preceded by")
        && let NodeKind::BadModifier { keyword, .. } = kind
    {
        return (
            token_span(keyword).start..whole.end,
            help(
                "`offset` and `@` apply to selectors and subqueries, \
                 as in `rate(metric[5m] offset 1h)`",
            ),
        );
    }
    if (message.starts_with("duration must be greater than 0")
        || message.starts_with("not a valid duration string"))
        && let Some(i) = bad_duration_token(text, tree, node)
    {
        return (token_span(i), None);
    }
    if let Some(regex) = message.strip_prefix("illegal regex for ")
        && let Some(i) = matcher_values(tree, node)
            .find(|&i| unquoted(&text[token_span(i)]).as_deref() == Some(regex))
    {
        return (
            token_span(i),
            help("Prometheus regexes use RE2 syntax and are fully anchored"),
        );
    }
    if let Some(label) = message.strip_suffix(" is not valid label in grouping opts")
        && let Some(i) = node_tokens(tree, node).find(|&i| &text[token_span(i)] == label)
    {
        return (token_span(i), None);
    }
    if message.starts_with("metric name must not be set twice")
        && let Some(i) = node_tokens(tree, node)
            .find(|&i| tree.tokens[i].kind == Tok::Identifier && &text[token_span(i)] == "__name__")
    {
        return (token_span(i), None);
    }
    if message.starts_with("vector selector must contain at least one non-empty matcher") {
        return (
            whole,
            help(
                "add a metric name or a matcher that does not match the empty string, \
                 such as `job=~\".+\"`",
            ),
        );
    }
    if message.contains("arguments for aggregate expression")
        && let NodeKind::Aggregate { op, .. } = kind
    {
        return (
            token_span(op),
            help(
                "only `topk`, `bottomk`, `quantile`, `count_values`, `limitk` and \
                 `limit_ratio` take a parameter before the expression",
            ),
        );
    }
    if message.starts_with("timestamp out of bounds")
        && let Some(at) = find_token(tree, node, Tok::At, None)
    {
        return (token_span(at).start..whole.end, None);
    }
    (whole, None)
}

/// Narrows a failing binary operation: to its operator, `bool`, `on` or an operand.
fn narrow_binary(
    text: &str,
    tree: &Tree,
    node: NodeId,
    message: &str,
    (lhs, op, rhs): (NodeId, usize, NodeId),
) -> (Range<usize>, Option<String>) {
    let op_span = tree.token_span(op);
    let after_op = |kind: Tok| find_token(tree, node, kind, Some(op));
    let group = || after_op(Tok::GroupLeft).or_else(|| after_op(Tok::GroupRight));
    let at = |token: Option<usize>| token.map_or(op_span.clone(), |i| tree.token_span(i));
    if message.starts_with("comparisons between scalars") {
        let help = "add `bool` after the operator, as in `1 > bool 0`";
        return (op_span, Some(help.to_string()));
    }
    if message.starts_with("bool modifier") {
        return (at(after_op(Tok::Bool)), None);
    }
    if message.starts_with("binary expression must contain") {
        let bad = [lhs, rhs]
            .into_iter()
            .find(|&side| matches!(type_of(text, tree, side), Some("matrix" | "string")));
        return (bad.map_or(op_span, |b| tree.span(b)), None);
    }
    if message.starts_with("no grouping allowed") {
        return (at(group()), None);
    }
    if message.starts_with("vector matching only allowed") {
        return (
            at(after_op(Tok::On).or_else(|| after_op(Tok::Ignoring))),
            None,
        );
    }
    if message.contains("must not occur in ON and GROUP clause") {
        let label = quoted(message).unwrap_or("");
        let in_group = group().and_then(|g| {
            (g + 1..tree.nodes[rhs].first).find(|&i| &text[tree.token_span(i)] == label)
        });
        return (at(in_group), None);
    }
    (op_span, None)
}

/// The duration token of a node that is zero or malformed.
fn bad_duration_token(text: &str, tree: &Tree, node: NodeId) -> Option<usize> {
    node_tokens(tree, node).find(|&i| {
        let kind = tree.tokens[i].kind;
        let prev = if i > 0 {
            tree.tokens[i - 1].kind
        } else {
            Tok::Eof
        };
        let in_duration = matches!(
            prev,
            Tok::LBracket | Tok::Colon | Tok::Offset | Tok::Add | Tok::Sub
        );
        let literal = &text[tree.token_span(i)];
        match kind {
            Tok::Duration => in_duration && parse_duration(literal).is_none_or(|d| d.is_zero()),
            Tok::Number => {
                in_duration && promql_parser::util::parse_str_radix(literal).is_ok_and(|v| v == 0.0)
            }
            _ => false,
        }
    })
}

/// Token indexes of the matcher values of the selectors in a node.
fn matcher_values(tree: &Tree, node: NodeId) -> impl Iterator<Item = usize> + '_ {
    let tokens = node_tokens(tree, node);
    tree.matchers
        .iter()
        .filter(move |m| tokens.contains(&m.value))
        .map(|m| m.value)
}

fn unquoted(literal: &str) -> Option<String> {
    if literal.starts_with('`') && literal.ends_with('`') && literal.len() >= 2 {
        return Some(literal[1..literal.len() - 1].to_string());
    }
    promql_parser::util::unquote_string(literal).ok()
}

/// "did you mean ...?" for an unknown function name.
fn suggest_function(name: &str) -> Option<String> {
    let best = dialect::known_functions()
        .map(|f| (edit_distance(name, f), f))
        .filter(|&(d, _)| d <= 1 || (d == 2 && name.len() >= 6))
        .min()?;
    Some(format!("did you mean `{}`?", best.1))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}
