//! The GitHub format: workflow commands that annotate the pull request.

use std::io::{self, Write};

use super::position;
use crate::diag::{Diagnostic, Severity};
use crate::source::SourceMap;

/// Escape data of a workflow command.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property of a workflow command.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub(super) fn emit(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    out: &mut dyn Write,
) -> io::Result<()> {
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        match position(d, sources) {
            Some(p) => writeln!(
                out,
                "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(&p.file),
                p.line,
                p.column,
                p.end_line,
                p.end_column,
                escape_property(d.id),
                escape_data(&message)
            )?,
            None => writeln!(
                out,
                "::{level} title={}::{}",
                escape_property(d.id),
                escape_data(&message)
            )?,
        }
    }
    Ok(())
}
