//! A specs directory → the resolved [`Workspace`]: discover the files, decode
//! and resolve each, check that file names and feature slugs agree.
//!
//! Owns reading a specs directory; judging the result is the lint engine's
//! job (the lint engine's `specs` entry), so every command gets the same
//! verdict.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};
use crate::source::SourceMap;
use crate::spec::model::{Feature, Workspace};
use crate::spec::resolve;
use crate::spec::{lint_config, load};

/// Why a specs directory cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The directory or a file in it cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// There is no project file.
    #[error(
        "{dir} has no project file `{}`; run `promspec init` to create one",
        load::PROJECT_FILE
    )]
    NoProject {
        /// The directory.
        dir: String,
    },
}

/// Read, decode and resolve every spec in `specs_dir` into `sources`.
///
/// Returns the workspace (absent when the project file is unusable) and the
/// loader's findings (shape, units, references), sorted.
pub fn load(
    specs_dir: &Path,
    sources: &mut SourceMap,
) -> Result<(Option<Workspace>, Diagnostics), LoadError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| LoadError::Io { path, source }
    };
    let files = load::discover(specs_dir).map_err(io(specs_dir))?;
    let project_path = files.project.ok_or_else(|| LoadError::NoProject {
        dir: specs_dir.display().to_string(),
    })?;
    let mut diags = Vec::new();
    let text = std::fs::read_to_string(&project_path).map_err(io(&project_path))?;
    let project_id = sources.add(&project_path, text);
    let mut comments = BTreeMap::new();
    let project = load::project(sources, project_id, &mut diags).map(|(raw, doc)| {
        let mut project = resolve::resolve_project(&raw, project_id, &mut diags);
        // Shape errors of `lint:` are the decoder's to report (above).
        project.lint = lint_config::read(&doc.root, &mut Vec::new());
        comments.insert(project_id, doc.comments);
        project
    });

    let mut features: Vec<Feature> = Vec::new();
    for path in &files.features {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        let id = sources.add(path, text);
        let Some((raw, doc)) = load::feature(sources, id, &mut diags) else {
            continue;
        };
        comments.insert(id, doc.comments);
        let Some(project) = &project else { continue };
        let feature = resolve::resolve_feature(&raw, project, id, &mut diags);
        check_file_name(path, &feature, &mut diags);
        if let Some(first) = features.iter().find(|f| f.slug == feature.slug) {
            diags.push(
                Diagnostic::error(
                    "spec/duplicate-id",
                    format!("feature `{}` is defined twice", feature.slug),
                )
                .with_label(feature.slug_span, "defined again here")
                .with_secondary(first.slug_span, "first defined here")
                .with_help("each feature has one spec file; rename one of them"),
            );
            continue;
        }
        features.push(feature);
    }
    features.sort_by(|a, b| a.slug.cmp(&b.slug));
    let workspace = project.map(|project| Workspace {
        project,
        features,
        comments,
    });
    let mut diagnostics = Diagnostics::new();
    diagnostics.extend(diags);
    diagnostics.sort();
    Ok((workspace, diagnostics))
}

fn check_file_name(path: &Path, feature: &Feature, diags: &mut Vec<Diagnostic>) {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if stem != feature.slug {
        diags.push(
            Diagnostic::error(
                "spec/file-name",
                format!("the spec of feature `{}` is in `{stem}.yaml`", feature.slug),
            )
            .with_label(feature.slug_span, "does not match the file name")
            .with_help(format!(
                "rename the file to `{}.yaml` or change `feature:`",
                feature.slug
            )),
        );
    }
}
