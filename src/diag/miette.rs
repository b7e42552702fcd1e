//! Adapter from [`Diagnostic`] to [`miette::Diagnostic`].
//!
//! The only place that knows miette's diagnostic trait; the source text is
//! attached here, at render time.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceSpan};

use super::{Diagnostic, Severity};
use crate::source::SourceMap;

/// A diagnostic with its source attached, ready for miette's handlers.
pub struct Attached<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<NamedSource<Arc<str>>>,
}

impl<'a> Attached<'a> {
    /// Attach the file of the diagnostic's primary span, its secrets masked.
    pub fn new(diagnostic: &'a Diagnostic, sources: &SourceMap) -> Self {
        let source = diagnostic.primary_span().map(|span| {
            let file = sources.get(span.source);
            let secrets = diagnostic
                .redacted
                .iter()
                .filter(|r| r.source == span.source);
            let text = if diagnostic.redacted.is_empty() {
                file.text.clone()
            } else {
                // Same length, so every span still points at the same place.
                let mut bytes = file.text.as_bytes().to_vec();
                for r in secrets {
                    let end = (r.end as usize).min(bytes.len());
                    let start = (r.start as usize).min(end);
                    bytes[start..end].fill(b'*');
                }
                Arc::from(String::from_utf8_lossy(&bytes).as_ref())
            };
            NamedSource::new(file.name(), text)
        });
        Attached { diagnostic, source }
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

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let file = self.diagnostic.primary_span()?.source;
        let labels = self
            .diagnostic
            .labels
            .iter()
            .filter(move |l| l.span.source == file)
            .map(|l| {
                let span = SourceSpan::new((l.span.start as usize).into(), l.span.len());
                let text = (!l.message.is_empty()).then(|| l.message.clone());
                if l.primary {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                }
            });
        Some(Box::new(labels))
    }
}
