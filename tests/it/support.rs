//! Helpers shared by the integration tests: the repository root, the
//! promspec binary, temporary projects.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use promspec::yaml::{Node, NodeKind, Style};
use serde_json::Value;

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The promspec binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_promspec")
}

/// Run promspec in `dir` without colors.
pub fn promspec(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

/// Lossy UTF-8.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A temporary project holding a copy of the bundled specs under `specs/`.
pub fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("specs");
    copy_dir(&root().join("specs"), &specs);
    (dir, specs)
}

/// Copy the regular files of `from` (not recursive) into a new directory `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// The JSON an editor's YAML language server sees for `node` (YAML 1.2 core schema).
pub fn to_json(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Scalar(s) if s.style != Style::Plain => Value::String(s.value.clone()),
        NodeKind::Scalar(s) => match s.value.as_str() {
            "" | "~" | "null" => Value::Null,
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            v => v
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| v.parse::<f64>().map(Value::from))
                .unwrap_or_else(|_| Value::String(v.to_string())),
        },
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.as_scalar().unwrap().value.clone(), to_json(v)))
                .collect(),
        ),
    }
}

/// Parse a YAML document's text into JSON (YAML 1.2 core schema).
pub fn yaml_to_json(text: &str) -> Value {
    let docs = promspec::yaml::parse(promspec::source::SourceId::default(), text)
        .unwrap_or_else(|d| panic!("not YAML: {}", d.message));
    to_json(&docs[0].root)
}

/// Diagnostics as a person reads them (human format, no colour, 80
/// columns), with `dir/` shown as `specs/`.
pub fn render_human(
    diagnostics: &[promspec::diag::Diagnostic],
    sources: &promspec::source::SourceMap,
    dir: &Path,
) -> String {
    use promspec::diag::render::{OutputFormat, RenderOptions, emit};
    let mut out = Vec::new();
    emit(
        OutputFormat::Human,
        diagnostics,
        sources,
        RenderOptions::plain(80),
        &mut out,
    )
    .unwrap();
    String::from_utf8(out)
        .unwrap()
        .replace(&format!("{}/", dir.display()), "specs/")
}

/// The rule-file corpora: `tests/<sub>` in the repository, and the
/// directory `PROMSPEC_CORPUS` names when set (a larger local corpus).
pub fn corpora(sub: &str) -> Vec<PathBuf> {
    let mut dirs = vec![root().join("tests").join(sub)];
    if let Some(extra) = std::env::var_os("PROMSPEC_CORPUS") {
        dirs.push(PathBuf::from(extra));
    }
    dirs
}

/// Every `.yml`/`.yaml` file below `dir`, in a stable order.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out
}
