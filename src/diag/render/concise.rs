//! The concise format: `file:line:col: severity[id] message`.

use std::io::{self, Write};

use super::position;
use crate::diag::Diagnostic;
use crate::source::SourceMap;

pub(super) fn emit(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    out: &mut dyn Write,
) -> io::Result<()> {
    for d in diagnostics {
        match position(d, sources) {
            Some(p) => writeln!(
                out,
                "{}:{}:{}: {}[{}] {}",
                p.file,
                p.line,
                p.column,
                d.severity.as_str(),
                d.id,
                d.message
            )?,
            None => writeln!(out, "{}[{}] {}", d.severity.as_str(), d.id, d.message)?,
        }
    }
    Ok(())
}
