//! Generated paths that would overwrite each other.
//!
//! Every compiler names its files through [`conventions`], and a feature's
//! slug is part of most names, so a feature called `routing` would write
//! `docs/routing.md` over the routing table and `overview` would replace the
//! overview dashboard. [`check`] compares every output path with every
//! other (ignoring case, for case-insensitive file systems, and a file with
//! a directory of the same name) and reports each collision at the slug of
//! the feature that causes it, before anything is written.

use std::collections::BTreeMap;

use crate::compile::Output;
use crate::compile::conventions as names;
use crate::diag::Diagnostic;
use crate::spec::model::Feature;

/// What a file that no single feature owns is, for messages.
fn shared_name(path: &str) -> Option<&'static str> {
    match path {
        names::ALERTMANAGER_PATH => Some("the Alertmanager configuration"),
        names::OVERVIEW_PATH => Some("the overview dashboard"),
        names::ROUTING_DOCS_PATH => Some("the routing table"),
        _ => None,
    }
}

fn output_collision(feature: &Feature, path: &str, other: &str) -> Diagnostic {
    Diagnostic::error(
        "spec/output-collision",
        format!(
            "feature `{}` would write `{path}`, which is also {other}",
            feature.slug
        ),
    )
    .with_label(
        feature.slug_span,
        "this name makes two generated files collide",
    )
    .with_help(format!(
        "rename the feature: `{}` names a file that another output already uses",
        feature.slug
    ))
}

/// Every collision between the paths of `outputs`, each reported at the
/// slug of a feature of `features` that produces one of the colliding files.
pub fn check(features: &[Feature], outputs: &[Output]) -> Vec<Diagnostic> {
    // Every path and every directory above it, by the name a
    // case-insensitive file system sees.
    let mut seen: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for output in outputs {
        seen.entry(output.path.to_lowercase())
            .or_default()
            .push(&output.path);
    }
    let mut clashes: Vec<(&str, &str)> = Vec::new();
    for paths in seen.values() {
        for (i, a) in paths.iter().enumerate() {
            for b in &paths[i + 1..] {
                clashes.push((a, b));
            }
        }
    }
    for output in outputs {
        let lower = output.path.to_lowercase();
        let mut dir = lower.as_str();
        while let Some((parent, _)) = dir.rsplit_once('/') {
            if let Some(files) = seen.get(parent) {
                for file in files {
                    clashes.push((file, &output.path));
                }
            }
            dir = parent;
        }
    }

    let owner = |path: &str| {
        features
            .iter()
            .find(|f| names::feature_paths(f).iter().any(|p| p == path))
    };
    let describe = |path: &str| match (owner(path), shared_name(path)) {
        (Some(f), _) => format!("`{path}` of feature `{}`", f.slug),
        (None, Some(name)) => format!("{name} (`{path}`)"),
        (None, None) => format!("`{path}`"),
    };
    let mut out = Vec::new();
    for (a, b) in clashes {
        out.push(match (owner(a), owner(b)) {
            (Some(fa), Some(fb)) if fa.slug != fb.slug => output_collision(fb, b, &describe(a))
                .with_secondary(fa.slug_span, "the other feature"),
            (_, Some(fb)) => output_collision(fb, b, &describe(a)),
            (Some(fa), None) => output_collision(fa, a, &describe(b)),
            (None, None) => Diagnostic::error(
                "spec/output-collision",
                format!("two generated files would both be written at `{a}`"),
            ),
        });
    }
    out
}
