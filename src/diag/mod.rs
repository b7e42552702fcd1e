//! Diagnostics: what every stage reports when input is wrong or suspicious.
//!
//! A [`Diagnostic`] holds an id (`spec/unknown-field`, `promql/syntax`, ...),
//! a severity, a message, labelled spans and an optional help line. It stores
//! spans only; the [`SourceMap`](crate::source::SourceMap) is attached by the
//! renderers in [`render`]. Stages never print: they push diagnostics into a
//! [`Diagnostics`] collection and the CLI picks an emitter.

pub mod codes;
pub mod miette;
pub mod render;

use crate::source::{SourceMap, Span};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A hint that does not fail anything.
    Info,
    /// Suspicious, fails only with `--fail-on warning`.
    Warning,
    /// Wrong: nothing is written and the exit code is 1.
    Error,
}

impl Severity {
    /// The lower-case name (`error`, `warning`, `info`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parse `error`, `warning` or `info`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// A span with a short text saying what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is wrong here (may be empty).
    pub message: String,
    /// The primary label is the place of the finding; others add context.
    pub primary: bool,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Permanent id such as `spec/invalid-unit`.
    pub id: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// Short, present-tense finding.
    pub message: String,
    /// Places; the first primary label is the location of the finding.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// Spans whose text is a secret: renderers that quote the source show
    /// them masked.
    pub redacted: Vec<Span>,
}

impl Diagnostic {
    /// An error-level diagnostic.
    pub fn error(id: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            id,
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            redacted: Vec::new(),
        }
    }

    /// A warning-level diagnostic.
    pub fn warning(id: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Self::error(id, message)
        }
    }

    /// Add the primary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        // Most findings have one label; a large run holds many findings.
        self.labels.reserve_exact(1);
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }

    /// Add a secondary label giving context.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    /// Add a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Mark `span` as a secret that a rendered source excerpt must not show.
    pub fn with_redacted(mut self, span: Span) -> Self {
        self.redacted.push(span);
        self
    }

    /// Set the severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The primary span, if any.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels
            .iter()
            .find(|l| l.primary)
            .or(self.labels.first())
            .map(|l| l.span)
    }
}

/// The findings of one run.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add one finding.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Add many findings.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    /// Whether any finding is at error level.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Whether any finding is at `severity` or above.
    pub fn any_at_least(&self, severity: Severity) -> bool {
        self.items.iter().any(|d| d.severity >= severity)
    }

    /// Number of findings.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is no finding.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The findings as a slice, in their current order.
    pub fn as_slice(&self) -> &[Diagnostic] {
        &self.items
    }

    /// The findings in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sort by file, position and id so output is stable.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| d.primary_span().map(|s| (s.source, s.start, s.end));
            key(a).cmp(&key(b)).then_with(|| a.id.cmp(b.id))
        });
        self.items.dedup();
    }

    /// Take the findings out.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    /// Keep only findings for which `keep` is true.
    pub fn retain(&mut self, keep: impl FnMut(&Diagnostic) -> bool) {
        self.items.retain(keep);
    }

    /// Mutable access, e.g. to apply severity overrides.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Diagnostic> {
        self.items.iter_mut()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// The 1-based line and column of a diagnostic's primary span, with the file name.
pub fn location(sources: &SourceMap, diagnostic: &Diagnostic) -> Option<(String, usize, usize)> {
    let span = diagnostic.primary_span()?;
    let file = sources.get(span.source);
    let (line, col) = file.line_col(span.start as usize);
    Some((file.name(), line, col))
}
