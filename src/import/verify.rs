//! Judging the imported specs with the engine `build` uses, before anything
//! is written, and settling what would stop the build.
//!
//! The project file (the existing one, or the one import creates), the
//! feature specs already in the directory and the imported specs are read
//! and resolved in memory and linted with the project's settings and
//! metrics catalog. A threshold with an error-level finding becomes its
//! original alerts again (kept as written, the finding is the reason). An
//! alert kept as written with an error-level lint finding gets an inline
//! `# promspec: disable=<rule>` comment: the rule is imported as it ran,
//! and the comment shows what the linter objects to. What is left is
//! returned: the import stops on it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::catalog;
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::import::{Feature, convert, emit};
use crate::lint;
use crate::source::{SourceId, SourceMap, Span};
use crate::spec::model::Workspace;
use crate::spec::{lint_config, load, resolve};

/// How many times findings are settled and the specs judged again.
const ROUNDS: usize = 4;

/// The project file the specs are judged against.
pub struct ProjectText {
    /// Where it is (or will be).
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// What is left after settling: the findings that stop the import and the files they point into.
pub struct Verdict {
    /// Every file read.
    pub sources: SourceMap,
    /// Error-level findings nothing settled.
    pub errors: Diagnostics,
}

/// Judge `features` and settle their findings; `existing` are the feature
/// specs already in `specs_dir` (path, text).
pub fn settle(
    features: &mut [Feature],
    project: &ProjectText,
    existing: &[(PathBuf, String)],
    specs_dir: &Path,
) -> std::io::Result<Verdict> {
    let mut round = 0;
    loop {
        let (sources, diags, items) = judge(features, project, existing, specs_dir)?;
        let errors: Vec<&Diagnostic> = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        let mut changed = false;
        let mut demoted: BTreeMap<(usize, String), String> = BTreeMap::new();
        let mut left = Diagnostics::new();
        for d in &errors {
            let found = d.primary_span().and_then(|span| locate(&items, span));
            match found {
                Some((fi, Item::Threshold(id))) => {
                    demoted
                        .entry((fi, id))
                        .or_insert_with(|| format!("{} ({})", d.message, d.id));
                }
                Some((fi, Item::Alert(id))) if lint::summary(d.id).is_some() && is_rule(d.id) => {
                    let alert = features[fi].alerts.iter_mut().find(|a| a.id == id);
                    if let Some(a) = alert.filter(|a| !a.suppress.iter().any(|s| s == d.id)) {
                        a.suppress.push(d.id.to_string());
                        changed = true;
                    } else {
                        left.push((*d).clone());
                    }
                }
                _ => left.push((*d).clone()),
            }
        }
        for ((fi, id), reason) in demoted {
            let feature = &mut features[fi];
            let Some(pos) = feature.thresholds.iter().position(|t| t.id == id) else {
                continue;
            };
            let threshold = feature.thresholds.remove(pos);
            let mut ids: BTreeSet<String> = feature
                .thresholds
                .iter()
                .map(|t| t.id.clone())
                .chain(feature.alerts.iter().map(|a| a.id.clone()))
                .collect();
            ids.insert(threshold.id.clone());
            let alerts =
                convert::demote(&threshold, &format!("as a threshold: {reason}"), &mut ids);
            feature.notes.push(format!(
                "`{}` kept as alert: as a threshold: {reason}",
                threshold.alert.as_deref().unwrap_or(&threshold.id)
            ));
            feature.alerts.extend(alerts);
            changed = true;
        }
        round += 1;
        if !changed || round >= ROUNDS {
            left.sort();
            return Ok(Verdict {
                sources,
                errors: left,
            });
        }
    }
}

fn is_rule(id: &str) -> bool {
    lint::registry::find(id).is_some()
}

#[derive(Debug, Clone)]
enum Item {
    Threshold(String),
    Alert(String),
}

/// Where each imported item was written: (feature index, source, span, item).
type Items = Vec<(usize, SourceId, Span, Item)>;

fn locate(items: &Items, span: Span) -> Option<(usize, Item)> {
    items
        .iter()
        .find(|(_, source, s, _)| {
            *source == span.source && s.start <= span.start && span.end <= s.end
        })
        .map(|(fi, _, _, item)| (*fi, item.clone()))
}

fn judge(
    features: &[Feature],
    project: &ProjectText,
    existing: &[(PathBuf, String)],
    specs_dir: &Path,
) -> std::io::Result<(SourceMap, Vec<Diagnostic>, Items)> {
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let mut comments = BTreeMap::new();
    let project_id = sources.add(&project.path, project.text.clone());
    let Some(resolved) = load::project(&sources, project_id, &mut diags).map(|(raw, doc)| {
        let mut p = resolve::resolve_project(&raw, project_id, &mut diags);
        p.lint = lint_config::read(&doc.root, &mut Vec::new());
        comments.insert(project_id, doc.comments);
        p
    }) else {
        return Ok((sources, diags, Vec::new()));
    };
    let mut items = Vec::new();
    let mut resolved_features = Vec::new();
    let mut texts: Vec<(Option<usize>, PathBuf, String)> = existing
        .iter()
        .map(|(p, t)| (None, p.clone(), t.clone()))
        .collect();
    for (i, f) in features.iter().enumerate() {
        texts.push((
            Some(i),
            specs_dir.join(format!("{}.yaml", f.slug)),
            emit::feature(f),
        ));
    }
    for (index, path, text) in texts {
        let id = sources.add(&path, text);
        let Some((raw, doc)) = load::feature(&sources, id, &mut diags) else {
            continue;
        };
        if let Some(fi) = index {
            for (key, make) in [
                ("thresholds", Item::Threshold as fn(String) -> Item),
                ("alerts", Item::Alert as fn(String) -> Item),
            ] {
                for node in doc.root.get(key).and_then(|n| n.as_seq()).unwrap_or(&[]) {
                    if let Some(item_id) = node.get("id").and_then(|n| n.as_scalar()) {
                        items.push((fi, id, node.span, make(item_id.value.clone())));
                    }
                }
            }
        }
        comments.insert(id, doc.comments);
        resolved_features.push(resolve::resolve_feature(&raw, &resolved, id, &mut diags));
    }
    resolved_features.sort_by(|a, b| a.slug.cmp(&b.slug));
    let ws = Workspace {
        project: resolved,
        features: resolved_features,
        comments,
    };
    let catalog = catalog::read_dir(specs_dir, &mut sources, &mut diags)?;
    diags.extend(lint::specs::check_with_catalog(&ws, &sources, catalog));
    Ok((sources, diags, items))
}
