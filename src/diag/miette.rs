//! Adapter from [`Diagnostic`] to [`miette::Diagnostic`].
//!
//! The only place that knows miette's diagnostic trait; the source text is
//! attached here, at render time.
//!
//! miette reads snippets through [`SourceCode::read_span`], whose default
//! implementation for text scans the file from its first byte for every
//! label. [`Excerpt`] answers the same questions from the file's line index
//! instead, so rendering a diagnostic costs the size of its snippet, not of
//! its file. A snippet line longer than [`MAX_LINE`] bytes (a 65 KB
//! single-line expression) is shown as a window around the primary label:
//! miette cannot draw labels past column 65,535, and a page-wide line helps
//! nobody.

use std::borrow::Cow;
use std::fmt;

use miette::{LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use super::{Diagnostic, Severity};
use crate::source::{SourceFile, SourceMap};

/// Lines longer than this (in bytes) are shown as a window around the label.
pub const MAX_LINE: usize = 1024;

/// Bytes shown before the primary label in a window.
const WINDOW_BEFORE: usize = 60;

/// Bytes shown from the primary label on in a window.
const WINDOW_AFTER: usize = 100;

/// A diagnostic with its source attached, ready for miette's handlers.
pub struct Attached<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<Excerpt<'a>>,
    labels: Vec<LabeledSpan>,
}

impl<'a> Attached<'a> {
    /// Attach the file of the diagnostic's primary span, its secrets masked.
    pub fn new(diagnostic: &'a Diagnostic, sources: &'a SourceMap) -> Self {
        let Some(primary) = diagnostic.primary_span() else {
            return Attached {
                diagnostic,
                source: None,
                labels: Vec::new(),
            };
        };
        let masked = masked(sources.get(primary.source), diagnostic);
        let file = masked.as_ref();
        let name = file.name();
        let labels: Vec<&super::Label> = diagnostic
            .labels
            .iter()
            .filter(|l| l.span.source == primary.source)
            .collect();
        let long = labels.iter().any(|l| {
            let first = file.line_index(l.span.start as usize).saturating_sub(1);
            let last = (file.line_index(l.span.end as usize) + 1).min(file.line_count() - 1);
            (first..=last).any(|line| file.line_end(line) - file.line_start(line) > MAX_LINE)
        });
        if long {
            let (window, label) = Window::around(file, primary.range(), diagnostic);
            return Attached {
                diagnostic,
                source: Some(Excerpt::Window { name, window }),
                labels: vec![label],
            };
        }
        let labels = labels
            .into_iter()
            .map(|l| {
                let span = SourceSpan::new((l.span.start as usize).into(), l.span.len());
                let text = (!l.message.is_empty()).then(|| l.message.clone());
                if l.primary {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                }
            })
            .collect();
        Attached {
            diagnostic,
            source: Some(Excerpt::File { name, file: masked }),
            labels,
        }
    }
}

impl fmt::Debug for Attached<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Attached<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Attached<'_> {}

impl miette::Diagnostic for Attached<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.id))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// What miette reads snippets from.
enum Excerpt<'a> {
    /// The whole file, read through its line index.
    File {
        name: String,
        file: Cow<'a, SourceFile>,
    },
    /// One over-long line, cut to a window around the primary label.
    Window { name: String, window: Window },
}

impl SourceCode for Excerpt<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        match self {
            Excerpt::File { name, file } => read_span(name, file, span, before, after),
            Excerpt::Window { name, window } => Ok(Box::new(MietteSpanContents::new_named(
                name.clone(),
                window.text.as_bytes(),
                SourceSpan::new(0.into(), window.text.len()),
                window.line,
                if before == 0 { window.column } else { 0 },
                window.line,
            ))),
        }
    }
}

/// The file, with the diagnostic's secrets masked: a copy of the same
/// length, so every span still points at the same place.
fn masked<'a>(file: &'a SourceFile, diagnostic: &Diagnostic) -> Cow<'a, SourceFile> {
    let source = diagnostic.primary_span().map(|s| s.source);
    let secrets: Vec<_> = diagnostic
        .redacted
        .iter()
        .filter(|r| Some(r.source) == source)
        .collect();
    if secrets.is_empty() {
        return Cow::Borrowed(file);
    }
    let mut bytes = file.text.as_bytes().to_vec();
    for r in secrets {
        let end = (r.end as usize).min(bytes.len());
        let start = (r.start as usize).min(end);
        bytes[start..end].fill(b'*');
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Cow::Owned(SourceFile::new(file.path.clone(), text))
}

/// miette's snippet reading (`context_info` for `str`), answered from the
/// line index: the same contents, line, column and line count, without
/// scanning the file from its start.
fn read_span<'b>(
    name: &str,
    file: &'b SourceFile,
    span: &SourceSpan,
    before: usize,
    after: usize,
) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
    let text = file.text.as_bytes();
    let len = text.len();
    let offset = span.offset();
    // The last byte the span covers; miette stops scanning there.
    let last = (offset + span.len()).saturating_sub(1);
    if last > len {
        return Err(MietteError::OutOfBounds);
    }
    let line = file.line_index(offset);
    let (start, start_line, column) = if before == 0 {
        (
            offset.min(len),
            line,
            offset.min(len) - file.line_start(line),
        )
    } else {
        let first = line.saturating_sub(before);
        (file.line_start(first), first, 0)
    };
    let end = if after == 0 || last >= len {
        (last + 1).min(len)
    } else {
        // After the span, through `after` more line breaks past the one
        // ending the span's last line.
        let first_break_line = file.line_index(last + 1);
        file.line_start(first_break_line + after + 1)
    };
    let start = start.min(end);
    // Line breaks before the end of the contents.
    let line_count = file.line_index(end);
    Ok(Box::new(MietteSpanContents::new_named(
        name.to_string(),
        &text[start..end],
        SourceSpan::new(start.into(), end - start),
        start_line,
        column,
        line_count,
    )))
}

/// A window of one line around the primary label, for lines too long to show.
struct Window {
    /// The shown text: `…`, a slice of the line, `…`.
    text: String,
    /// 0-based line of the label.
    line: usize,
    /// Byte column of the label in its line.
    column: usize,
}

impl Window {
    /// The window around `primary` and the primary label, moved into it.
    fn around(
        file: &SourceFile,
        primary: std::ops::Range<usize>,
        diagnostic: &Diagnostic,
    ) -> (Window, LabeledSpan) {
        let text = &file.text;
        let line = file.line_index(primary.start);
        let (line_start, line_end) = (file.line_start(line), file.line_end(line));
        let at = primary.start.clamp(line_start, line_end);
        let mut from = at.saturating_sub(WINDOW_BEFORE).max(line_start);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (at + WINDOW_AFTER).min(line_end);
        while !text.is_char_boundary(to) {
            to += 1;
        }
        let prefix = if from > line_start { "…" } else { "" };
        let suffix = if to < line_end { "…" } else { "" };
        let shown = format!("{prefix}{}{suffix}", &text[from..to]);
        let start = prefix.len() + (at - from);
        let end = prefix.len() + (primary.end.clamp(at, to) - from);
        let message = diagnostic
            .labels
            .iter()
            .find(|l| l.primary)
            .or(diagnostic.labels.first())
            .map(|l| l.message.clone())
            .filter(|m| !m.is_empty());
        let label =
            LabeledSpan::new_primary_with_span(message, SourceSpan::new(start.into(), end - start));
        let window = Window {
            text: shown,
            line,
            column: at - line_start,
        };
        (window, label)
    }
}
