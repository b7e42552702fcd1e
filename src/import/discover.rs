//! The rule files named on the command line: files as given, directories
//! walked (sorted, links to directories not followed) for `*.yml`/`*.yaml`.

use std::io;
use std::path::{Path, PathBuf};

/// Every rule file under `paths`, in a stable order, each once.
pub fn rule_files(paths: &[PathBuf]) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        if meta.is_dir() {
            walk(path, &mut out)?;
        } else {
            out.push(path.clone());
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|p| seen.insert(p.clone()));
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let mut entries = std::fs::read_dir(dir)
        .and_then(|rd| {
            rd.map(|e| e.map(|e| e.path()))
                .collect::<io::Result<Vec<_>>>()
        })
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
    entries.sort();
    for path in entries {
        let Ok(meta) = path.symlink_metadata() else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, out)?;
        } else if is_rule_file(&path) && path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

fn is_rule_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yml" | "yaml")
    )
}
