//! The SARIF 2.1.0 format for code scanning.

use std::collections::BTreeSet;
use std::io::{self, Write};

use serde_json::json;

use super::position;
use crate::diag::{Diagnostic, Severity};
use crate::source::SourceMap;

pub(super) fn emit(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    describe: super::Describe,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rule_ids: BTreeSet<&str> = diagnostics.iter().map(|d| d.id).collect();
    let rules: Vec<_> = rule_ids
        .iter()
        .map(|id| {
            json!({
                "id": id,
                "name": id,
                "shortDescription": {"text": describe(id).unwrap_or_else(|| id.to_string())},
                "helpUri": format!("https://promspec.dev/rules/{id}"),
            })
        })
        .collect();
    let results: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let locations: Vec<_> = position(d, sources)
                .map(|p| {
                    json!({
                        "physicalLocation": {
                            "artifactLocation": {"uri": p.file.replace('\\', "/")},
                            "region": {
                                "startLine": p.line,
                                "startColumn": p.column,
                                "endLine": p.end_line,
                                "endColumn": p.end_column.max(if p.end_line == p.line { p.column } else { 1 }),
                            }
                        }
                    })
                })
                .into_iter()
                .collect();
            json!({
                "ruleId": d.id,
                "ruleIndex": rule_ids.iter().position(|r| *r == d.id),
                "level": level,
                "message": {"text": text},
                "locations": locations,
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "promspec",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://promspec.dev",
                "rules": rules,
            }},
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}
