//! The SARIF 2.1.0 format for code scanning.

use std::collections::BTreeSet;
use std::io::{self, Write};

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Value, json};

use super::{Lazy, position};
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
    let rule_index: std::collections::HashMap<&str, usize> = rule_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    let result = |d: &Diagnostic| {
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
            "ruleIndex": rule_index.get(d.id),
            "level": level,
            "message": {"text": text},
            "locations": locations,
        })
    };
    // The log is written as it is built, one result at a time: a run with
    // many findings never holds all of them as JSON values. Keys are in the
    // order a JSON object map sorts them.
    let log = Log {
        tool: json!({"driver": {
            "name": "promspec",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://promspec.dev",
            "rules": rules,
        }}),
        results: Lazy::new(diagnostics, &result),
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// The SARIF log: `$schema`, `runs` (one run), `version`.
struct Log<'a, F: Fn(&Diagnostic) -> Value> {
    tool: Value,
    results: Lazy<'a, F>,
}

impl<F: Fn(&Diagnostic) -> Value> Serialize for Log<'_, F> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Run<'b, 'a, F: Fn(&Diagnostic) -> Value>(&'b Log<'a, F>);
        impl<F: Fn(&Diagnostic) -> Value> Serialize for Run<'_, '_, F> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("results", &self.0.results)?;
                map.serialize_entry("tool", &self.0.tool)?;
                map.end()
            }
        }
        struct Runs<'b, 'a, F: Fn(&Diagnostic) -> Value>(&'b Log<'a, F>);
        impl<F: Fn(&Diagnostic) -> Value> Serialize for Runs<'_, '_, F> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(1))?;
                seq.serialize_element(&Run(self.0))?;
                seq.end()
            }
        }
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("$schema", "https://json.schemastore.org/sarif-2.1.0.json")?;
        map.serialize_entry("runs", &Runs(self))?;
        map.serialize_entry("version", "2.1.0")?;
        map.end()
    }
}
