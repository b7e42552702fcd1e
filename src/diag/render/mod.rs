//! Emitters: one per output format, all reading the same [`Diagnostic`]s.
//!
//! Only `human` uses miette. Every emitter writes to a `Write` sink and
//! computes lines and columns itself from the [`SourceMap`].

mod concise;
mod github;
mod human;
mod json;
mod sarif;

use std::io::{self, Write};

use super::Diagnostic;
use crate::source::SourceMap;

pub use human::render_human;

/// The closed set of output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// miette reports with source snippets (colour on a terminal).
    #[default]
    Human,
    /// `file:line:col: severity[id] message`, one per line (pre-commit).
    Concise,
    /// A JSON array of findings.
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
}

impl OutputFormat {
    /// Every format with its name.
    pub const ALL: [(&'static str, OutputFormat); 5] = [
        ("human", OutputFormat::Human),
        ("concise", OutputFormat::Concise),
        ("json", OutputFormat::Json),
        ("sarif", OutputFormat::Sarif),
        ("github", OutputFormat::Github),
    ];
}

/// The one-line description of a diagnostic id (a lint rule's summary or a
/// code's), for formats that describe the ids they use (SARIF). Given by the
/// caller, who knows the rule registry; `diag` does not.
pub type Describe = fn(&str) -> Option<String>;

/// Options of the renderers.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Use colours.
    pub color: bool,
    /// Wrap width.
    pub width: usize,
    /// Describes the ids in SARIF's rule table.
    pub describe: Describe,
}

impl RenderOptions {
    /// Plain text at `width` columns; ids described by the codes table only.
    pub fn plain(width: usize) -> Self {
        RenderOptions {
            color: false,
            width,
            describe: |id| super::codes::find(id).map(|c| c.summary.to_string()),
        }
    }
}

/// Write `diagnostics` in `format` to `out`.
pub fn emit(
    format: OutputFormat,
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Human => human::emit(diagnostics, sources, options, out),
        OutputFormat::Concise => concise::emit(diagnostics, sources, out),
        OutputFormat::Json => json::emit(diagnostics, sources, out),
        OutputFormat::Sarif => sarif::emit(diagnostics, sources, options.describe, out),
        OutputFormat::Github => github::emit(diagnostics, sources, out),
    }
}

/// Position of a diagnostic: file name, start line/col and end line/col (1-based).
pub(crate) struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub(crate) fn position(d: &Diagnostic, sources: &SourceMap) -> Option<Position> {
    let span = d.primary_span()?;
    let file = sources.get(span.source);
    let (line, column) = file.line_col(span.start as usize);
    let (end_line, end_column) = file.line_col(span.end as usize);
    Some(Position {
        file: file.name(),
        line,
        column,
        end_line,
        end_column,
    })
}

/// A JSON array whose elements are built one at a time while it is written.
pub(crate) struct Lazy<'a, F: Fn(&Diagnostic) -> serde_json::Value> {
    diagnostics: &'a [Diagnostic],
    element: &'a F,
}

impl<'a, F: Fn(&Diagnostic) -> serde_json::Value> Lazy<'a, F> {
    pub(crate) fn new(diagnostics: &'a [Diagnostic], element: &'a F) -> Self {
        Lazy {
            diagnostics,
            element,
        }
    }
}

impl<F: Fn(&Diagnostic) -> serde_json::Value> serde::Serialize for Lazy<'_, F> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.diagnostics.len()))?;
        for d in self.diagnostics {
            seq.serialize_element(&(self.element)(d))?;
        }
        seq.end()
    }
}
