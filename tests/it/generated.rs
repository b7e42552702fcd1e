//! `generated/` and `schemas/` are exactly what the bundled specs produce.
//!
//! Fails with the diff and the command that regenerates them.

use crate::support::root;
use promspec::compile::conventions::BUILD_MANIFEST;
use promspec::compile::write;
use promspec::pipeline;
use promspec::spec::schema;

#[test]
fn generated_is_fresh() {
    let loaded = pipeline::load(&root().join("specs")).unwrap();
    assert!(
        loaded.diagnostics.is_empty(),
        "the bundled specs must be clean: {:#?}",
        loaded.diagnostics
    );
    let outputs = pipeline::compile(loaded.workspace.as_ref().unwrap());
    let plan = write::plan(&root().join("generated"), &outputs, BUILD_MANIFEST).unwrap();
    assert!(
        plan.is_up_to_date(),
        "generated/ is stale; run `cargo run -- build` and commit:\n{}",
        plan.diff()
    );
}

#[test]
fn compiling_twice_gives_the_same_bytes() {
    let a = pipeline::compile(
        pipeline::load(&root().join("specs"))
            .unwrap()
            .workspace
            .as_ref()
            .unwrap(),
    );
    let b = pipeline::compile(
        pipeline::load(&root().join("specs"))
            .unwrap()
            .workspace
            .as_ref()
            .unwrap(),
    );
    assert_eq!(a, b);
}

#[test]
fn schemas_are_in_sync_with_the_raw_types() {
    for (file, text) in [
        ("promspec.schema.json", schema::feature_schema()),
        ("project.schema.json", schema::project_schema()),
    ] {
        let on_disk = std::fs::read_to_string(root().join("schemas").join(file)).unwrap();
        assert!(
            on_disk == text,
            "schemas/{file} is stale; run `cargo run -- schema --write schemas` and commit"
        );
    }
}

#[test]
fn every_spec_names_its_schema_for_editors() {
    for entry in std::fs::read_dir(root().join("specs")).unwrap() {
        let path = entry.unwrap().path();
        // The metrics catalog is data promspec writes, not a spec.
        if path.file_name().unwrap() == promspec::spec::load::CATALOG_FILE {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let first = text.lines().next().unwrap_or_default();
        let expected = if path.file_name().unwrap() == "promspec.yaml" {
            "# yaml-language-server: $schema=../schemas/project.schema.json"
        } else {
            "# yaml-language-server: $schema=../schemas/promspec.schema.json"
        };
        assert_eq!(first, expected, "{}", path.display());
    }
}

#[test]
fn every_generated_file_carries_the_header() {
    let loaded = pipeline::load(&root().join("specs")).unwrap();
    for output in pipeline::compile(loaded.workspace.as_ref().unwrap()) {
        assert!(
            promspec::compile::conventions::is_generated(&output.content),
            "{} lacks the generated header",
            output.path
        );
    }
}
