//! The module tree's dependency arrows run one way:
//! source → diag → yaml → promql → spec → rulefile/routing → compile → lint →
//! pipeline/promtool/review → cli.
//!
//! Read off the code: every `crate::<module>` path written in a module's
//! files (doc comments and `#[cfg(test)]` modules included, since a doc link
//! is a dependency of the reader too) must name a module of a lower layer.
//! Only `src/promql` may name the PromQL parser crate.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::root;

/// Layers, lowest first; a module may use modules of its own or lower layers
/// but never of a higher one (and never another module of its own layer,
/// unless listed together as siblings that do not use each other).
const LAYERS: &[&[&str]] = &[
    &["source"],
    &["diag"],
    &["yaml"],
    &["promql"],
    &["spec"],
    &["rulefile", "routing", "catalog"],
    &["compile"],
    &["lint"],
    &["pipeline", "promtool", "review", "import"],
    &["cli"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn files(path: &Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            files(&entry.unwrap().path(), out);
        }
    } else if path.is_file() && path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_path_buf());
    }
}

/// The modules that `module`'s files name as `crate::<name>`.
fn uses(module: &str) -> BTreeSet<String> {
    let src = root().join("src");
    let mut paths = Vec::new();
    files(&src.join(module), &mut paths);
    files(&src.join(format!("{module}.rs")), &mut paths);
    let mut out = BTreeSet::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() && name != module {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn dependency_arrows_run_one_way() {
    let mut modules = Vec::new();
    for entry in std::fs::read_dir(root().join("src")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if matches!(name.as_str(), "lib" | "main") {
            continue;
        }
        modules.push(name);
    }
    modules.sort();
    modules.dedup();
    let mut back_edges = Vec::new();
    for module in &modules {
        let Some(from) = layer(module) else {
            panic!("module `{module}` has no layer in LAYERS: place it");
        };
        for used in uses(module) {
            let Some(to) = layer(&used) else {
                continue; // `crate::` followed by an item of lib.rs, not a module
            };
            if to >= from {
                back_edges.push(format!("{module} → {used}"));
            }
        }
    }
    assert!(
        back_edges.is_empty(),
        "dependency arrows that run upwards or sideways:\n  {}",
        back_edges.join("\n  ")
    );
}

#[test]
fn only_the_promql_facade_names_the_parser_crate() {
    let mut paths = Vec::new();
    files(&root().join("src"), &mut paths);
    let outside: Vec<String> = paths
        .iter()
        .filter(|p| !p.starts_with(root().join("src/promql")))
        .filter(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .contains("promql_parser")
        })
        .map(|p| p.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    assert!(outside.is_empty(), "promql_parser used in {outside:?}");
}

#[test]
fn only_catalog_fetch_talks_to_the_network() {
    let mut paths = Vec::new();
    files(&root().join("src"), &mut paths);
    let outside: Vec<String> = paths
        .iter()
        .filter(|p| *p != &root().join("src/catalog/fetch.rs"))
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            text.contains("ureq::") || text.contains("TcpStream") || text.contains("UdpSocket")
        })
        .map(|p| p.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    assert!(outside.is_empty(), "network access in {outside:?}");
}
