//! Test helpers: load inline specs with the project file `promspec init`
//! writes, and render diagnostics as a person sees them.

use crate::diag::Diagnostic;
use crate::diag::render::{OutputFormat, RenderOptions, emit};
use crate::source::SourceMap;
use crate::spec::model::Workspace;
use crate::spec::workspace;

/// The project file `promspec init` writes.
const PROJECT: &str = include_str!("../cli/templates/promspec.yaml");

/// Load `features` (`(file stem, yaml)`) with the default project file.
pub fn load(features: &[(&str, &str)]) -> (Workspace, SourceMap) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("promspec.yaml"), PROJECT).unwrap();
    for (stem, text) in features {
        std::fs::write(dir.path().join(format!("{stem}.yaml")), text).unwrap();
    }
    let mut sources = SourceMap::new();
    let (workspace, _) = workspace::load(dir.path(), &mut sources).unwrap();
    (workspace.unwrap(), sources)
}

/// A feature spec with one threshold.
pub fn feature(slug: &str, threshold: &str) -> String {
    format!("feature: {slug}\nteam: ops\nthresholds:\n{threshold}")
}

/// The diagnostics rendered as a person sees them, file names shortened.
pub fn render(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = Vec::new();
    emit(
        OutputFormat::Human,
        diags,
        sources,
        RenderOptions::plain(80),
        &mut out,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut shortened = text.clone();
    for (_, file) in sources.files() {
        let name = file.name();
        if let Some(base) = std::path::Path::new(&name).file_name() {
            shortened = shortened.replace(&name, &base.to_string_lossy());
        }
    }
    shortened
}
