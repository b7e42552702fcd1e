//! The JSON format: an array of findings with file, line and column.

use std::io::{self, Write};

use serde_json::json;

use super::{Lazy, position};
use crate::diag::Diagnostic;
use crate::source::SourceMap;

pub(super) fn emit(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    out: &mut dyn Write,
) -> io::Result<()> {
    let item = |d: &Diagnostic| {
        let p = position(d, sources);
        json!({
            "id": d.id,
            "severity": d.severity.as_str(),
            "message": d.message,
            "help": d.help,
            "file": p.as_ref().map(|p| p.file.clone()),
            "line": p.as_ref().map(|p| p.line),
            "column": p.as_ref().map(|p| p.column),
            "end_line": p.as_ref().map(|p| p.end_line),
            "end_column": p.as_ref().map(|p| p.end_column),
            "labels": d.labels.iter().map(|l| json!({
                "message": l.message,
                "primary": l.primary,
                "start": l.span.start,
                "end": l.span.end,
            })).collect::<Vec<_>>(),
        })
    };
    // One finding at a time: the array is never held as JSON values.
    let items = Lazy::new(diagnostics, &item);
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
}
