//! Every invalid-spec fixture renders the diagnostics an operator would see.
//!
//! Each `tests/fixtures/spec-invalid/<case>.yaml` is a feature spec loaded
//! next to the fixtures' project file; each `project-<case>.yaml` is a
//! project file loaded alone. The rendered miette reports are snapshots.

use std::path::Path;

use promspec::pipeline;

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spec-invalid")
}

/// Load the case in a temporary specs directory and render every diagnostic.
fn render_case(name: &str) -> (String, bool) {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("specs");
    std::fs::create_dir(&specs).unwrap();
    let fixture = fixtures().join(format!("{name}.yaml"));
    if let Some(project) = name.strip_prefix("project-") {
        let _ = project;
        std::fs::copy(&fixture, specs.join("promspec.yaml")).unwrap();
    } else {
        std::fs::copy(
            fixtures().join("promspec.yaml"),
            specs.join("promspec.yaml"),
        )
        .unwrap();
        std::fs::copy(&fixture, specs.join(format!("{name}.yaml"))).unwrap();
    }
    let loaded = pipeline::load(&specs).unwrap();
    let items: Vec<_> = loaded.diagnostics.iter().cloned().collect();
    (
        crate::support::render_human(&items, &loaded.sources, &specs),
        loaded.diagnostics.has_errors(),
    )
}

#[test]
fn every_invalid_fixture_fails_with_its_diagnostics() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|n| n != "promspec")
        .collect();
    names.sort();
    assert!(
        names.len() >= 20,
        "at least 20 invalid-spec fixtures, found {}",
        names.len()
    );
    for name in names {
        let (rendered, has_errors) = render_case(&name);
        assert!(
            has_errors,
            "{name}: an invalid spec must produce an error\n{rendered}"
        );
        insta::with_settings!({snapshot_suffix => name.clone(), prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!("spec_invalid", rendered);
        });
    }
}

#[test]
fn the_fixtures_project_file_alone_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("promspec.yaml"),
        dir.path().join("promspec.yaml"),
    )
    .unwrap();
    let loaded = pipeline::load(dir.path()).unwrap();
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
}
