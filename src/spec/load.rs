//! Discovering and reading spec files into raw types.
//!
//! `specs/promspec.yaml` is the project file; every other `*.yaml`/`*.yml`
//! file in the directory is one feature spec. Reading a file yields its raw
//! type and every shape diagnostic (parse errors, unknown fields, wrong types).

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::source::{SourceId, SourceMap};
use crate::spec::decode::{Decoder, FromNode};
use crate::spec::raw;
use crate::yaml;

/// Name of the project file inside the specs directory.
pub const PROJECT_FILE: &str = "promspec.yaml";

/// The metrics catalog that may sit next to the project file; not a spec.
pub const CATALOG_FILE: &str = "catalog.yaml";

/// The spec files of a directory.
#[derive(Debug, Clone)]
pub struct SpecFiles {
    /// The project file, if present.
    pub project: Option<PathBuf>,
    /// Feature specs, sorted by path.
    pub features: Vec<PathBuf>,
}

/// Find the project file and feature specs in `dir` (not recursive).
pub fn discover(dir: &Path) -> std::io::Result<SpecFiles> {
    let mut features = Vec::new();
    let mut project = None;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !path.is_file() || !(name.ends_with(".yaml") || name.ends_with(".yml")) {
            continue;
        }
        if name == PROJECT_FILE || name == "promspec.yml" {
            project = Some(path);
        } else if name == CATALOG_FILE {
            continue;
        } else {
            features.push(path);
        }
    }
    features.sort();
    Ok(SpecFiles { project, features })
}

/// Parse `source` as YAML and decode its single document as `T`; the
/// parsed document (its comments, its nodes) comes along, so nothing parses
/// the file again.
pub fn decode_file<T: FromNode>(
    sources: &SourceMap,
    source: SourceId,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(T, yaml::Document)> {
    let file = sources.get(source);
    let docs = match yaml::parse(source, &file.text) {
        Ok(docs) => docs,
        Err(d) => {
            diagnostics.push(d);
            return None;
        }
    };
    let mut docs = docs.into_iter();
    let Some(doc) = docs.next() else {
        diagnostics.push(
            Diagnostic::error("spec/parse", "the file is empty")
                .with_label(crate::source::Span::new(source, 0..0), "no YAML document")
                .with_help("a spec is a YAML mapping; run `promspec init` for an example"),
        );
        return None;
    };
    if let Some(second) = docs.next() {
        diagnostics.push(
            Diagnostic::error("spec/parse", "a spec file holds one YAML document")
                .with_label(second.root.span, "second document")
                .with_help("put each feature in its own file"),
        );
    }
    let mut cx = Decoder::new();
    let value = T::from_node(&doc.root, &mut cx);
    diagnostics.extend(cx.diagnostics);
    value.map(|v| (v, doc))
}

/// Decode the project file.
pub fn project(
    sources: &SourceMap,
    source: SourceId,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(raw::ProjectFile, yaml::Document)> {
    decode_file(sources, source, diagnostics)
}

/// Decode a feature spec.
pub fn feature(
    sources: &SourceMap,
    source: SourceId,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(raw::FeatureSpec, yaml::Document)> {
    decode_file(sources, source, diagnostics)
}
