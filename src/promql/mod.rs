//! PromQL facade (placeholder until the full facade lands).

pub mod eval;

use std::ops::Range;

/// PromQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// Prometheus 2.x.
    #[default]
    Prometheus2,
    /// Prometheus 3.x.
    Prometheus3,
}

impl std::str::FromStr for Dialect {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "prometheus2" => Ok(Dialect::Prometheus2),
            "prometheus3" => Ok(Dialect::Prometheus3),
            _ => Err(format!("unknown dialect `{s}`")),
        }
    }
}

/// A parsed expression.
pub struct Expr {
    text: String,
}

impl Expr {
    /// The source text.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// A syntax error with its position in the expression.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    /// Message.
    pub message: String,
    /// Byte range in the expression.
    pub span: Range<usize>,
    /// Help.
    pub help: Option<String>,
}

/// Parse an expression.
pub fn parse(text: &str, _dialect: Dialect) -> Result<Expr, SyntaxError> {
    match promql_parser::parser::parse(text) {
        Ok(_) => Ok(Expr {
            text: text.to_string(),
        }),
        Err(message) => Err(SyntaxError {
            message,
            span: 0..text.len(),
            help: None,
        }),
    }
}
