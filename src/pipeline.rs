//! The orchestration every command uses: load → resolve → judge (the lint
//! engine) → gate → compile. Returns outputs and diagnostics; never prints, never writes.

use std::path::Path;

use crate::catalog;
use crate::compile::{self, Output};
use crate::diag::Diagnostics;
use crate::lint;
use crate::source::SourceMap;
use crate::spec::model::Workspace;
use crate::spec::workspace;

/// What loading a specs directory produced.
#[derive(Debug)]
pub struct Loaded {
    /// Every file read.
    pub sources: SourceMap,
    /// The resolved workspace (present unless the project file is unusable).
    pub workspace: Option<Workspace>,
    /// Every finding so far.
    pub diagnostics: Diagnostics,
}

pub use crate::spec::workspace::LoadError;

/// Read, decode and resolve every spec in `specs_dir`, then judge the
/// workspace with the lint engine (the project's severities and the files'
/// suppressions applied): the one verdict of `build`, `test` and `lint`.
pub fn load(specs_dir: &Path) -> Result<Loaded, LoadError> {
    let mut sources = SourceMap::new();
    let (workspace, mut diagnostics) = workspace::load(specs_dir, &mut sources)?;
    if let Some(ws) = &workspace {
        // The metrics catalog next to the project file, as `lint` reads it.
        let mut found = Vec::new();
        let catalog = catalog::read_dir(specs_dir, &mut sources, &mut found).map_err(|source| {
            LoadError::Io {
                path: specs_dir.join(catalog::FILE_NAME).display().to_string(),
                source,
            }
        })?;
        diagnostics.extend(found);
        diagnostics.extend(lint::specs::check_with_catalog(ws, &sources, catalog));
        diagnostics.sort();
    }
    Ok(Loaded {
        sources,
        workspace,
        diagnostics,
    })
}

/// Every artifact of the workspace, in a stable order.
pub fn compile(ws: &Workspace) -> Vec<Output> {
    compile::all(ws)
}
