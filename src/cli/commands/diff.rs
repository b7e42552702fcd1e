//! `promspec diff`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cli::ExitStatus;
use crate::cli::args::{DiffArgs, DiffFormat};
use crate::cli::output::{error, out};
use crate::cli::project;
use crate::pipeline;
use crate::review;
use crate::spec::model::Workspace;

/// Compare the specs with BASE and print what changes.
pub fn run(args: DiffArgs) -> ExitStatus {
    let specs = project::locate(args.specs.as_deref()).specs;
    let head = match workspace(&specs) {
        Ok(ws) => ws,
        Err(e) => {
            error(e);
            return ExitStatus::Error;
        }
    };
    let checkout;
    let base_dir = if Path::new(&args.base).is_dir() {
        let dir = PathBuf::from(&args.base);
        if dir.join("promspec.yaml").is_file() {
            dir
        } else {
            // The same layout as the working tree's project.
            dir.join(args.specs.as_deref().unwrap_or(Path::new("specs")))
        }
    } else {
        checkout = match git_checkout(&args.base, &specs) {
            Ok(dir) => dir,
            Err(e) => {
                error(e);
                return ExitStatus::Error;
            }
        };
        checkout.path().to_path_buf()
    };
    let base = match workspace(&base_dir) {
        Ok(ws) => ws,
        Err(e) => {
            error(format!("{} (base {})", e, args.base));
            return ExitStatus::Error;
        }
    };
    let changes = review::compare(&base, &head);
    let text = match args.format {
        DiffFormat::Human => review::human(&changes),
        DiffFormat::Markdown => review::markdown(&changes),
        DiffFormat::Json => review::json(&changes),
    };
    out(format_args!("{text}"));
    ExitStatus::Success
}

/// The resolved workspace of `dir`, whatever its findings (a reviewer wants
/// to see what a change does even while lint still complains).
fn workspace(dir: &Path) -> Result<Workspace, String> {
    let loaded = pipeline::load(dir).map_err(|e| e.to_string())?;
    loaded.workspace.ok_or_else(|| {
        format!(
            "{}: the project file cannot be read; run `promspec lint`",
            dir.display()
        )
    })
}

/// The specs directory as committed at `revision`, in a temporary directory.
fn git_checkout(revision: &str, specs: &Path) -> Result<tempfile::TempDir, String> {
    let git = |args: &[&str]| -> Result<Vec<u8>, String> {
        let out = Command::new("git")
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(out.stdout)
    };
    let spec_dir = specs
        .canonicalize()
        .map_err(|e| format!("cannot read {}: {e}", specs.display()))?;
    let root = String::from_utf8_lossy(&git(&["rev-parse", "--show-toplevel"])?)
        .trim()
        .to_string();
    let root = Path::new(&root)
        .canonicalize()
        .map_err(|e| format!("cannot read the repository root: {e}"))?;
    let relative = spec_dir
        .strip_prefix(&root)
        .map_err(|_| format!("{} is not inside the git repository", specs.display()))?;
    let relative = relative.to_string_lossy().replace('\\', "/");
    let listing = git(&["ls-tree", "--name-only", &format!("{revision}:{relative}")])?;
    let dir =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    for name in String::from_utf8_lossy(&listing).lines() {
        if !(name.ends_with(".yaml") || name.ends_with(".yml")) || name.contains('/') {
            continue;
        }
        let content = git(&["show", &format!("{revision}:{relative}/{name}")])?;
        std::fs::write(dir.path().join(name), content)
            .map_err(|e| format!("cannot write a temporary file: {e}"))?;
    }
    Ok(dir)
}
