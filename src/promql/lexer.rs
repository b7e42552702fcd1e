//! Tokens of a PromQL expression, with byte spans.
//!
//! This mirrors promql-parser's lexer (same token kinds, same spans, errors
//! at the same places, with messages in promspec's style), written again here because the crate's
//! lexer can only be walked through the `lrpar` traits, which are not a
//! dependency of promspec. The one deliberate difference: backtick strings are
//! raw (no escapes), as in Prometheus, where the crate wrongly rejects a
//! backslash inside them (see `super::parse::rewrite_raw_strings`).
//!
//! The lexer never panics and never allocates per token.

use std::fmt;
use std::ops::Range;

/// Kind of a token; the names follow promql-parser's `T_*` token ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    Eof,
    Comma,
    Colon,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Number,
    Duration,
    String,
    Identifier,
    MetricIdentifier,
    // Matching and comparison operators.
    Eql,
    EqlRegex,
    Neq,
    NeqRegex,
    EqlC,
    Gtr,
    Gte,
    Lss,
    Lte,
    // Arithmetic and set operators.
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Atan2,
    At,
    And,
    Or,
    Unless,
    // Aggregators.
    Avg,
    Bottomk,
    Count,
    CountValues,
    Group,
    Max,
    Min,
    Quantile,
    Stddev,
    Stdvar,
    Sum,
    Topk,
    Limitk,
    LimitRatio,
    // Keywords.
    Bool,
    By,
    GroupLeft,
    GroupRight,
    Fill,
    FillLeft,
    FillRight,
    Ignoring,
    Offset,
    Smoothed,
    Anchored,
    On,
    Without,
    Start,
    End,
}

impl Tok {
    /// Whether the token is an aggregation operator (`sum`, `topk`, ...).
    pub(super) fn is_aggregator(self) -> bool {
        matches!(
            self,
            Tok::Avg
                | Tok::Bottomk
                | Tok::Count
                | Tok::CountValues
                | Tok::Group
                | Tok::Max
                | Tok::Min
                | Tok::Quantile
                | Tok::Stddev
                | Tok::Stdvar
                | Tok::Sum
                | Tok::Topk
                | Tok::Limitk
                | Tok::LimitRatio
        )
    }

    /// Binding power of a binary operator (higher binds tighter), or `None`.
    pub(super) fn binary_precedence(self) -> Option<u8> {
        Some(match self {
            Tok::Or => 1,
            Tok::And | Tok::Unless => 2,
            Tok::EqlC | Tok::Neq | Tok::Gtr | Tok::Gte | Tok::Lss | Tok::Lte => 3,
            Tok::Add | Tok::Sub => 4,
            Tok::Mul | Tok::Div | Tok::Mod | Tok::Atan2 => 5,
            Tok::Pow => 6,
            _ => return None,
        })
    }

    /// Tokens that the grammar accepts as a metric name at the start of a selector.
    pub(super) fn is_metric_identifier(self) -> bool {
        self.is_aggregator()
            || matches!(
                self,
                Tok::By
                    | Tok::Fill
                    | Tok::FillLeft
                    | Tok::FillRight
                    | Tok::Identifier
                    | Tok::And
                    | Tok::Or
                    | Tok::Unless
                    | Tok::MetricIdentifier
                    | Tok::Offset
                    | Tok::Without
                    | Tok::Start
                    | Tok::End
            )
    }

    /// Tokens that the grammar accepts as a label name in `by (...)`, `on (...)`, ...
    pub(super) fn is_maybe_label(self) -> bool {
        self.is_aggregator()
            || matches!(
                self,
                Tok::Bool
                    | Tok::By
                    | Tok::Fill
                    | Tok::FillLeft
                    | Tok::FillRight
                    | Tok::GroupLeft
                    | Tok::GroupRight
                    | Tok::Identifier
                    | Tok::Ignoring
                    | Tok::And
                    | Tok::Or
                    | Tok::Unless
                    | Tok::MetricIdentifier
                    | Tok::Offset
                    | Tok::On
                    | Tok::Start
                    | Tok::End
                    | Tok::Atan2
            )
    }

    /// Label matching operators inside braces.
    pub(super) fn is_match_op(self) -> bool {
        matches!(self, Tok::Eql | Tok::Neq | Tok::EqlRegex | Tok::NeqRegex)
    }

    /// How a token is named in an error message.
    pub(super) fn describe(self) -> &'static str {
        match self {
            Tok::Eof => "end of input",
            Tok::Number => "number",
            Tok::Duration => "duration",
            Tok::String => "string",
            Tok::Identifier | Tok::MetricIdentifier => "identifier",
            _ => "token",
        }
    }
}

/// One token: its kind and its byte range in the lexed text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Token {
    pub(super) kind: Tok,
    // u32 keeps tokens small (12 bytes); `tokenize` rejects longer texts.
    start: u32,
    end: u32,
}

impl Token {
    /// The byte range of the token.
    pub(super) fn span(&self) -> Range<usize> {
        self.start()..self.end()
    }

    /// The first byte of the token.
    pub(super) fn start(&self) -> usize {
        self.start as usize
    }

    /// The byte after the token.
    pub(super) fn end(&self) -> usize {
        self.end as usize
    }
}

/// A lexing failure: promql-parser's message and where it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct LexError {
    pub(super) message: String,
    pub(super) span: Range<usize>,
    pub(super) help: Option<&'static str>,
}

const ESCAPE_SYMBOLS: &[u8] = b"abfnrtv\\01234567xuU";

fn keyword(word: &str) -> Option<Tok> {
    // Keywords are case-insensitive: lower-case into a stack buffer, no allocation.
    const LONGEST: usize = 12;
    if word.len() < 2 || word.len() > LONGEST {
        return None;
    }
    let mut buf = [0u8; LONGEST];
    for (dst, src) in buf.iter_mut().zip(word.bytes()) {
        *dst = src.to_ascii_lowercase();
    }
    Some(match &buf[..word.len()] {
        b"and" => Tok::And,
        b"or" => Tok::Or,
        b"unless" => Tok::Unless,
        b"atan2" => Tok::Atan2,
        b"sum" => Tok::Sum,
        b"avg" => Tok::Avg,
        b"count" => Tok::Count,
        b"min" => Tok::Min,
        b"max" => Tok::Max,
        b"group" => Tok::Group,
        b"stddev" => Tok::Stddev,
        b"stdvar" => Tok::Stdvar,
        b"topk" => Tok::Topk,
        b"bottomk" => Tok::Bottomk,
        b"count_values" => Tok::CountValues,
        b"quantile" => Tok::Quantile,
        b"limitk" => Tok::Limitk,
        b"limit_ratio" => Tok::LimitRatio,
        b"offset" => Tok::Offset,
        b"by" => Tok::By,
        b"without" => Tok::Without,
        b"on" => Tok::On,
        b"ignoring" => Tok::Ignoring,
        b"group_left" => Tok::GroupLeft,
        b"group_right" => Tok::GroupRight,
        b"bool" => Tok::Bool,
        b"smoothed" => Tok::Smoothed,
        b"anchored" => Tok::Anchored,
        b"fill" => Tok::Fill,
        b"fill_left" => Tok::FillLeft,
        b"fill_right" => Tok::FillRight,
        b"start" => Tok::Start,
        b"end" => Tok::End,
        b"inf" | b"nan" => Tok::Number,
        _ => return None,
    })
}

fn is_alpha(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphabetic()
}

fn is_alpha_numeric(b: u8) -> bool {
    is_alpha(b) || b.is_ascii_digit()
}

/// The double-quoted string literal whose value is `value` (any string: a
/// label value, an alert name): `\\`, `"`, line feeds and carriage
/// returns escaped, everything else as is. Prometheus, promql-parser and
/// [`tokenize`] read it back as `value`.
pub fn string_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Splits `text` into tokens, ending with one [`Tok::Eof`] token.
pub(super) fn tokenize(text: &str) -> Result<Vec<Token>, LexError> {
    if u32::try_from(text.len()).is_err() {
        return Err(LexError {
            message: "expression is too long".into(),
            span: 0..0,
            help: None,
        });
    }
    let mut lexer = Lexer {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        paren_depth: 0,
        tokens: Vec::with_capacity(text.len() / 5 + 4),
    };
    lexer.run()?;
    Ok(lexer.tokens)
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    paren_depth: usize,
    tokens: Vec<Token>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Expr,
    Braces,
    Brackets { colon: bool },
}

impl Lexer<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The character at `at` (for messages); text is valid UTF-8 so this exists.
    fn char_at(&self, at: usize) -> char {
        self.text[at..].chars().next().unwrap_or('\u{fffd}')
    }

    fn push(&mut self, kind: Tok, start: usize) {
        // Cannot truncate: `tokenize` rejects texts longer than u32::MAX.
        self.tokens.push(Token {
            kind,
            start: start as u32,
            end: self.pos as u32,
        });
    }

    // Errors are cold and out of line: they keep the hot lexing loop small.
    #[cold]
    #[inline(never)]
    fn error<T>(&self, message: fmt::Arguments<'_>, span: Range<usize>) -> Result<T, LexError> {
        Err(LexError {
            message: message.to_string(),
            span,
            help: None,
        })
    }

    #[cold]
    #[inline(never)]
    fn error_help<T>(
        &self,
        message: fmt::Arguments<'_>,
        span: Range<usize>,
        help: &'static str,
    ) -> Result<T, LexError> {
        Err(LexError {
            message: message.to_string(),
            span,
            help: Some(help),
        })
    }

    /// The span of the (possibly multi-byte) character at `at`.
    fn char_span(&self, at: usize) -> Range<usize> {
        at..(at + self.char_at(at).len_utf8()).min(self.text.len())
    }

    fn run(&mut self) -> Result<(), LexError> {
        let mut mode = Mode::Expr;
        loop {
            mode = match mode {
                Mode::Expr => {
                    if !self.expr_token(&mut mode)? {
                        return Ok(());
                    }
                    mode
                }
                Mode::Braces => self.brace_token()?,
                Mode::Brackets { colon } => self.bracket_token(colon)?,
            };
        }
    }

    fn skip_comment(&mut self) {
        while let Some(b) = self.peek() {
            self.pos += 1;
            if b == b'\r' || b == b'\n' {
                break;
            }
        }
    }

    /// Lexes one token outside braces and brackets; `false` at the end.
    fn expr_token(&mut self, mode: &mut Mode) -> Result<bool, LexError> {
        let start = self.pos;
        let Some(b) = self.peek() else {
            if self.paren_depth > 0 {
                let open = self.unclosed_paren();
                return self.error_help(format_args!("unclosed `(`"), open, "add the missing `)`");
            }
            self.push(Tok::Eof, start);
            return Ok(false);
        };
        self.pos += 1;
        let kind = match b {
            b'#' => {
                self.skip_comment();
                return Ok(true);
            }
            b'@' => Tok::At,
            b',' => Tok::Comma,
            b'*' => Tok::Mul,
            b'/' => Tok::Div,
            b'%' => Tok::Mod,
            b'+' => Tok::Add,
            b'-' => Tok::Sub,
            b'^' => Tok::Pow,
            b'=' => match self.peek() {
                Some(b'=') => {
                    self.pos += 1;
                    Tok::EqlC
                }
                Some(b'~') => {
                    return self.error_help(
                        format_args!("unexpected `=~` outside of a selector's braces"),
                        start..start + 2,
                        "label matchers go inside braces, as in `metric{label=~\"regex\"}`",
                    );
                }
                _ => Tok::Eql,
            },
            b'!' => match self.peek() {
                Some(b'=') => {
                    self.pos += 1;
                    Tok::Neq
                }
                Some(b'~') => {
                    return self.error_help(
                        format_args!("unexpected `!~` outside of a selector's braces"),
                        start..self.pos + 1,
                        "label matchers go inside braces, as in `metric{label!~\"regex\"}`",
                    );
                }
                Some(next) => {
                    let ch = self.char_at(self.pos);
                    let (message, end) = if next.is_ascii_whitespace() {
                        ("unexpected `!`".to_string(), self.pos)
                    } else {
                        (format!("unexpected `!{ch}`"), self.pos + ch.len_utf8())
                    };
                    return self.error_help(
                        format_args!("{message}"),
                        start..end,
                        "the not-equal operator is `!=`",
                    );
                }
                None => {
                    return self.error(format_args!("unexpected `!` at the end"), start..self.pos);
                }
            },
            b'<' => {
                if self.peek() == Some(b'=') {
                    self.pos += 1;
                    Tok::Lte
                } else {
                    Tok::Lss
                }
            }
            b'>' => {
                if self.peek() == Some(b'=') {
                    self.pos += 1;
                    Tok::Gte
                } else {
                    Tok::Gtr
                }
            }
            b if b.is_ascii_whitespace() => {
                while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
                    self.pos += 1;
                }
                return Ok(true);
            }
            b if b.is_ascii_digit() => {
                self.pos = start;
                self.number_or_duration()?
            }
            b'.' => match self.peek() {
                Some(d) if d.is_ascii_digit() => {
                    self.pos = start;
                    self.number_or_duration()?
                }
                Some(_) => {
                    let ch = self.char_at(self.pos);
                    return self.error(
                        format_args!("unexpected `.{ch}`"),
                        start..self.pos + ch.len_utf8(),
                    );
                }
                None => {
                    return self.error(format_args!("unexpected `.` at the end"), start..self.pos);
                }
            },
            b if is_alpha(b) || b == b':' => self.keyword_or_identifier(start),
            b'"' | b'\'' | b'`' => {
                self.string(b, start)?;
                Tok::String
            }
            b'(' => {
                self.paren_depth += 1;
                Tok::LParen
            }
            b')' => {
                if self.paren_depth == 0 {
                    return self.error_help(
                        format_args!("unexpected `)` without a matching `(`"),
                        start..self.pos,
                        "remove it, or add the missing `(` before it",
                    );
                }
                self.paren_depth -= 1;
                Tok::RParen
            }
            b'{' => {
                *mode = Mode::Braces;
                Tok::LBrace
            }
            b'}' => {
                return self.error(
                    format_args!("unexpected `}}` without a matching `{{`"),
                    start..self.pos,
                );
            }
            b'[' => {
                *mode = Mode::Brackets { colon: false };
                Tok::LBracket
            }
            b']' => {
                return self.error(
                    format_args!("unexpected `]` without a matching `[`"),
                    start..self.pos,
                );
            }
            _ => {
                let ch = self.char_at(start);
                return self.error(
                    format_args!("unexpected character `{ch}`"),
                    self.char_span(start),
                );
            }
        };
        self.push(kind, start);
        Ok(true)
    }

    /// The `(` left open at the end of the text: the last one whose depth never closes.
    fn unclosed_paren(&self) -> Range<usize> {
        let mut open: Vec<usize> = Vec::new();
        for t in &self.tokens {
            match t.kind {
                Tok::LParen => open.push(t.start()),
                Tok::RParen => {
                    open.pop();
                }
                _ => {}
            }
        }
        match open.last() {
            Some(&at) => at..at + 1,
            None => self.text.len()..self.text.len(),
        }
    }

    fn keyword_or_identifier(&mut self, start: usize) -> Tok {
        while self
            .peek()
            .is_some_and(|b| is_alpha_numeric(b) || b == b':')
        {
            self.pos += 1;
        }
        let word = &self.text[start..self.pos];
        match keyword(word) {
            Some(kind @ (Tok::Fill | Tok::FillLeft | Tok::FillRight)) => {
                // `fill` and friends are modifiers only when a `(` follows.
                let rest = &self.bytes[self.pos..];
                let next = rest.iter().find(|b| !b.is_ascii_whitespace());
                if next == Some(&b'(') {
                    kind
                } else {
                    Tok::Identifier
                }
            }
            Some(kind) => kind,
            None if word.contains(':') => Tok::MetricIdentifier,
            None => Tok::Identifier,
        }
    }

    /// Scans a quoted string; the opening quote at `start` is consumed.
    fn string(&mut self, quote: u8, start: usize) -> Result<(), LexError> {
        while let Some(b) = self.peek() {
            self.pos += 1;
            if b == quote {
                return Ok(());
            }
            if b == b'\\' && quote != b'`' {
                match self.peek() {
                    Some(e) if e == quote || ESCAPE_SYMBOLS.contains(&e) => self.pos += 1,
                    Some(_) => {
                        let ch = self.char_at(self.pos);
                        return self.error_help(
                            format_args!("unknown escape sequence `\\{ch}`"),
                            self.pos - 1..self.pos + ch.len_utf8(),
                            "inside double or single quotes a backslash starts an escape: \
                             write `\\\\` for a literal backslash, or use a backtick string",
                        );
                    }
                    None => {
                        return self.error(
                            format_args!("unterminated escape sequence"),
                            self.pos - 1..self.pos,
                        );
                    }
                }
            }
        }
        self.error_help(
            format_args!("unterminated string"),
            start..self.text.len(),
            match quote {
                b'"' => "close the string with `\"`",
                b'\'' => "close the string with `'`",
                _ => "close the string with a backtick",
            },
        )
    }

    /// Scans a number or a duration starting at `self.pos`.
    fn number_or_duration(&mut self) -> Result<Tok, LexError> {
        let start = self.pos;
        if self.scan_number() {
            return Ok(Tok::Number);
        }
        if self.scan_remaining_duration() {
            return Ok(Tok::Duration);
        }
        // The offending character is part of the message, as in the crate.
        let end = match self.peek() {
            Some(_) => self.pos + self.char_at(self.pos).len_utf8(),
            None => self.pos,
        };
        self.error_help(
            format_args!("bad number or duration `{}`", &self.text[start..end]),
            start..end,
            "durations are whole numbers with a unit (ms, s, m, h, d, w, y), as in `5m` or `1h30m`",
        )
    }

    fn accept(&mut self, f: impl Fn(u8) -> bool) -> bool {
        if self.peek().is_some_and(f) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn accept_run(&mut self, f: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&f) {
            self.pos += 1;
        }
    }

    /// True when the scanned text is a complete number (nothing alphabetic follows).
    fn scan_number(&mut self) -> bool {
        let mut hex = false;
        if self.accept(|b| b == b'0') && self.accept(|b| b == b'x' || b == b'X') {
            hex = true;
        }
        let digit = move |b: u8| {
            if hex {
                b.is_ascii_hexdigit()
            } else {
                b.is_ascii_digit()
            }
        };
        self.accept_run(digit);
        if self.accept(|b| b == b'.') {
            self.accept_run(digit);
        }
        if self.accept(|b| b == b'e' || b == b'E') {
            self.accept(|b| b == b'+' || b == b'-');
            self.accept_run(|b| b.is_ascii_digit());
        }
        !self.peek().is_some_and(|b| is_alpha(b) || b == b'.')
    }

    fn scan_remaining_duration(&mut self) -> bool {
        if !self.accept(|b| b"smhdwy".contains(&b)) {
            return false;
        }
        self.accept(|b| b == b's');
        while self.accept(|b| b.is_ascii_digit()) {
            self.accept_run(|b| b.is_ascii_digit());
            if !self.accept(|b| b"smhdw".contains(&b)) {
                return false;
            }
            self.accept(|b| b == b's');
        }
        !self.peek().is_some_and(is_alpha_numeric)
    }

    /// Lexes one token inside `{...}`.
    fn brace_token(&mut self) -> Result<Mode, LexError> {
        let start = self.pos;
        let Some(b) = self.peek() else {
            let open = self.last_open(Tok::LBrace);
            return self.error_help(format_args!("unclosed `{{`"), open, "add the missing `}`");
        };
        self.pos += 1;
        let kind = match b {
            b'#' => {
                self.skip_comment();
                return Ok(Mode::Braces);
            }
            b',' => Tok::Comma,
            b'o' | b'O' if matches!(self.peek(), Some(b'r' | b'R')) => {
                self.pos += 1;
                if self.peek() == Some(b' ') {
                    Tok::Or
                } else {
                    self.accept_run(is_alpha_numeric);
                    Tok::Identifier
                }
            }
            b if b.is_ascii_whitespace() => {
                self.accept_run(|b| b.is_ascii_whitespace());
                return Ok(Mode::Braces);
            }
            b if is_alpha(b) => {
                self.accept_run(is_alpha_numeric);
                Tok::Identifier
            }
            b'"' | b'\'' | b'`' => {
                self.string(b, start)?;
                Tok::String
            }
            b'=' => {
                if self.accept(|b| b == b'~') {
                    Tok::EqlRegex
                } else {
                    Tok::Eql
                }
            }
            b'!' => match self.peek() {
                Some(b'~') => {
                    self.pos += 1;
                    Tok::NeqRegex
                }
                Some(b'=') => {
                    self.pos += 1;
                    Tok::Neq
                }
                Some(_) => {
                    let ch = self.char_at(self.pos);
                    return self.error_help(
                        format_args!("unexpected `!{ch}` inside braces"),
                        start..self.pos + ch.len_utf8(),
                        "label matching operators are `=`, `!=`, `=~` and `!~`",
                    );
                }
                None => {
                    return self.error(format_args!("unexpected `!` at the end"), start..self.pos);
                }
            },
            b'{' => {
                return self.error(
                    format_args!("unexpected `{{` inside braces"),
                    start..self.pos,
                );
            }
            b'}' => {
                self.push(Tok::RBrace, start);
                return Ok(Mode::Expr);
            }
            _ => {
                let ch = self.char_at(start);
                return self.error_help(
                    format_args!("unexpected character `{ch}` inside braces"),
                    self.char_span(start),
                    "braces hold label matchers such as `job=\"api\"`, separated by commas",
                );
            }
        };
        self.push(kind, start);
        Ok(Mode::Braces)
    }

    /// Span of the last token of `kind` (the opener of an unfinished construct).
    fn last_open(&self, kind: Tok) -> Range<usize> {
        self.tokens
            .iter()
            .rev()
            .find(|t| t.kind == kind)
            .map_or(self.text.len()..self.text.len(), Token::span)
    }

    /// Lexes one token inside `[...]`.
    fn bracket_token(&mut self, colon: bool) -> Result<Mode, LexError> {
        let start = self.pos;
        let Some(b) = self.peek() else {
            let open = self.last_open(Tok::LBracket);
            return self.error_help(format_args!("unclosed `[`"), open, "add the missing `]`");
        };
        self.pos += 1;
        match b {
            b if b.is_ascii_whitespace() => {
                self.accept_run(|b| b.is_ascii_whitespace());
                Ok(Mode::Brackets { colon })
            }
            b':' => {
                if colon {
                    return self.error(
                        format_args!("unexpected second `:` inside brackets"),
                        start..self.pos,
                    );
                }
                if start > 0 && self.bytes[start - 1] == b'[' {
                    return self.error_help(
                        format_args!("missing subquery range before `:`"),
                        start..self.pos,
                        "a subquery reads `[range:step]`, as in `[1h:5m]`",
                    );
                }
                self.push(Tok::Colon, start);
                Ok(Mode::Brackets { colon: true })
            }
            b if b.is_ascii_digit() => {
                self.pos = start;
                let kind = self.number_or_duration()?;
                self.push(kind, start);
                Ok(Mode::Brackets { colon })
            }
            b']' => {
                self.push(Tok::RBracket, start);
                Ok(Mode::Expr)
            }
            b'[' => self.error(
                format_args!("unexpected `[` inside brackets"),
                start..self.pos,
            ),
            _ => {
                let ch = self.char_at(start);
                self.error_help(
                    format_args!("unexpected character `{ch}` inside brackets"),
                    self.char_span(start),
                    "brackets hold a range such as `[5m]` or a subquery range and step such as `[1h:5m]`",
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Tok, &str)> {
        tokenize(text)
            .unwrap()
            .into_iter()
            .map(|t| (t.kind, &text[t.span()]))
            .collect()
    }

    #[test]
    fn lexes_a_realistic_expression() {
        let got = kinds(r#"sum by (le) (rate(x_bucket{job=~"a|b"}[5m])) > 0.5"#);
        let expected = vec![
            (Tok::Sum, "sum"),
            (Tok::By, "by"),
            (Tok::LParen, "("),
            (Tok::Identifier, "le"),
            (Tok::RParen, ")"),
            (Tok::LParen, "("),
            (Tok::Identifier, "rate"),
            (Tok::LParen, "("),
            (Tok::Identifier, "x_bucket"),
            (Tok::LBrace, "{"),
            (Tok::Identifier, "job"),
            (Tok::EqlRegex, "=~"),
            (Tok::String, r#""a|b""#),
            (Tok::RBrace, "}"),
            (Tok::LBracket, "["),
            (Tok::Duration, "5m"),
            (Tok::RBracket, "]"),
            (Tok::RParen, ")"),
            (Tok::RParen, ")"),
            (Tok::Gtr, ">"),
            (Tok::Number, "0.5"),
            (Tok::Eof, ""),
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn keywords_are_case_insensitive_and_fill_needs_a_paren() {
        let got = kinds("SUM Inf fill fill (1) a:b");
        let expected = vec![
            (Tok::Sum, "SUM"),
            (Tok::Number, "Inf"),
            (Tok::Identifier, "fill"),
            (Tok::Fill, "fill"),
            (Tok::LParen, "("),
            (Tok::Number, "1"),
            (Tok::RParen, ")"),
            (Tok::MetricIdentifier, "a:b"),
            (Tok::Eof, ""),
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn backtick_strings_are_raw() {
        let got = kinds(r"x{a=~`\d+\`}");
        assert_eq!(got[4], (Tok::String, r"`\d+\`"));
    }

    #[test]
    fn errors_carry_a_span() {
        let err = tokenize("x[5x]").unwrap_err();
        assert_eq!(err.message, "bad number or duration `5x`");
        assert_eq!(err.span, 2..4);
        let err = tokenize("(a) + (b").unwrap_err();
        assert_eq!(err.message, "unclosed `(`");
        assert_eq!(err.span, 6..7);
        let err = tokenize("x{a=\"b").unwrap_err();
        assert_eq!(err.message, "unterminated string");
        assert_eq!(err.span, 4..6);
        let err = tokenize("x{a=\"b\"").unwrap_err();
        assert_eq!(err.message, "unclosed `{`");
        assert_eq!(err.span, 1..2);
    }
}
