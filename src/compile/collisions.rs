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
    .with_help("rename the feature: the names of its generated files come from it")
}

/// A collision no feature causes: a defect of promspec, still never written.
fn unowned_collision(path: &str) -> Diagnostic {
    Diagnostic::error(
        "spec/output-collision",
        format!("two generated files would both be written at `{path}`"),
    )
    .with_help("this is a defect of promspec; please report it with the specs that cause it")
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
        if a == b {
            // The same path twice: a feature's file and a shared one (a
            // feature's paths contain its slug, so no two features share one).
            let other = shared_name(a).unwrap_or("another generated file");
            out.push(match owner(a) {
                Some(f) => output_collision(f, a, other),
                None => unowned_collision(a),
            });
            continue;
        }
        out.push(match (owner(a), owner(b)) {
            (Some(fa), Some(fb)) if fa.slug != fb.slug => output_collision(fb, b, &describe(a))
                .with_secondary(fa.slug_span, "the other feature"),
            (_, Some(fb)) => output_collision(fb, b, &describe(a)),
            (Some(fa), None) => output_collision(fa, a, &describe(b)),
            (None, None) => unowned_collision(a),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::testing::{feature, load, render};

    const THRESHOLD: &str = "  - id: errors\n    query: sum(rate(errors_total[5m]))\n    unit: per_second\n    warning: {above: 1/s}\n";

    fn collisions(slugs: &[&str]) -> String {
        let specs: Vec<(String, String)> = slugs
            .iter()
            .map(|s| (s.to_string(), feature(s, THRESHOLD)))
            .collect();
        let specs: Vec<(&str, &str)> = specs
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let (ws, sources) = load(&specs);
        let diags = check(&ws.features, &crate::compile::all(&ws));
        render(&diags, &sources)
    }

    #[test]
    fn distinct_names_pass() {
        assert_eq!(
            collisions(&["billing", "routing-api", "service-overview"]),
            ""
        );
    }

    #[test]
    fn routing_collides_with_the_routing_table() {
        insta::assert_snapshot!(collisions(&["billing", "routing"]));
    }

    #[test]
    fn overview_collides_with_the_overview_dashboard() {
        let text = collisions(&["overview"]);
        assert!(
            text.contains(
                "feature `overview` would write `grafana/overview.json`, which is also the"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_file_and_a_directory_of_one_name_collide() {
        let (ws, _) = load(&[("billing", &feature("billing", THRESHOLD))]);
        let mut outputs = crate::compile::all(&ws);
        outputs.push(Output {
            path: "docs/billing.md/x".into(),
            content: String::new(),
        });
        outputs.push(Output {
            path: "GRAFANA/billing.json".into(),
            content: String::new(),
        });
        let diags = check(&ws.features, &outputs);
        assert_eq!(diags.len(), 2, "{diags:#?}");
        assert!(
            diags
                .iter()
                .all(|d| d.labels[0].span == ws.features[0].slug_span)
        );
    }
}
