//! The orchestration every command uses: load → resolve → check → gate →
//! compile. Returns outputs and diagnostics; never prints, never writes.

use std::path::Path;

use crate::compile::{self, Output};
use crate::diag::{Diagnostic, Diagnostics};
use crate::promql;
use crate::source::{SourceMap, Span};
use crate::spec::load;
use crate::spec::model::{Feature, Query, Workspace};
use crate::spec::resolve;

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

/// Read, decode and resolve every spec in `specs_dir`, then check the queries.
pub fn load(specs_dir: &Path) -> Result<Loaded, LoadError> {
    let mut sources = SourceMap::new();
    let (workspace, diagnostics) = load_into(specs_dir, &mut sources)?;
    Ok(Loaded {
        sources,
        workspace,
        diagnostics,
    })
}

/// [`load`] into an existing source map, so specs and other files share one
/// run (`promspec lint specs/ rules/`).
pub fn load_into(
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
    let raw_project = load::project(sources, project_id, &mut diags);
    let project = raw_project
        .as_ref()
        .map(|raw| resolve::resolve_project(raw, project_id, &mut diags));

    let mut features: Vec<Feature> = Vec::new();
    for path in &files.features {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        let id = sources.add(path, text);
        let Some(raw) = load::feature(sources, id, &mut diags) else {
            continue;
        };
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
    let workspace = project.map(|project| Workspace { project, features });
    if let Some(ws) = &workspace {
        check_queries(ws, sources, &mut diags);
        diags.extend(crate::lint::rules::check(ws, sources));
    }
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

/// A `promql/syntax` diagnostic for `error` inside `query`.
pub fn syntax_diagnostic(
    query: &Query,
    sources: &SourceMap,
    error: &promql::SyntaxError,
) -> Diagnostic {
    let span: Span = query.span_of(sources, error.span.clone());
    let d = Diagnostic::error(
        "promql/syntax",
        format!("invalid PromQL: {}", error.message),
    )
    .with_label(span, "here");
    match &error.help {
        Some(h) => d.with_help(h.clone()),
        None => d.with_help("fix the expression; `promtool check rules` accepts only valid PromQL"),
    }
}

/// Parse every query of the workspace; report syntax errors at their place.
fn check_queries(ws: &Workspace, sources: &SourceMap, diags: &mut Vec<Diagnostic>) {
    let dialect = ws.project.dialect;
    for feature in &ws.features {
        for t in &feature.thresholds {
            if let Err(e) = t.query.parse(dialect) {
                diags.push(syntax_diagnostic(&t.query, sources, e));
            }
        }
        for slo in &feature.slos {
            for q in [&slo.errors, &slo.total] {
                let text = q.text.replace("{{.window}}", "5m");
                if let Err(e) = promql::parse(&text, dialect) {
                    diags.push(syntax_diagnostic(q, sources, &e));
                }
            }
        }
    }
}

/// Every artifact of the workspace, in a stable order.
pub fn compile(ws: &Workspace) -> Vec<Output> {
    let mut outputs = compile::prometheus::compile(&ws.project, &ws.features);
    outputs.extend(compile::alertmanager::compile(&ws.project, &ws.features));
    outputs.extend(compile::grafana::compile(&ws.project, &ws.features));
    outputs.extend(compile::docs::compile(&ws.project, &ws.features));
    outputs.extend(compile::unittests::compile(&ws.project, &ws.features));
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    outputs
}
