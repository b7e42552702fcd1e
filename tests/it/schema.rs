//! The JSON schemas in `schemas/` tell editors the truth: every bundled spec
//! validates against its schema, and a misspelled field is rejected by the
//! schema as it is by the loader.

use std::path::Path;

use crate::support::{root, to_json};
use promspec::source::SourceId;
use promspec::yaml;

fn validator(file: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("schemas").join(file)).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn errors(validator: &jsonschema::Validator, path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = yaml::parse(SourceId(0), &text).unwrap().remove(0);
    validator
        .iter_errors(&to_json(&doc.root))
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn every_bundled_spec_validates_against_its_schema() {
    let feature = validator("promspec.schema.json");
    let project = validator("project.schema.json");
    for entry in std::fs::read_dir(root().join("specs")).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() == promspec::catalog::FILE_NAME {
            continue; // the metrics catalog, not a spec
        }
        let v = if path.file_name().unwrap() == "promspec.yaml" {
            &project
        } else {
            &feature
        };
        let errors = errors(v, &path);
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let feature = validator("promspec.schema.json");
    let fixtures = root().join("tests/fixtures/spec-invalid");
    let unknown = errors(&feature, &fixtures.join("unknown-field.yaml"));
    assert_eq!(unknown.len(), 1, "{unknown:#?}");
    assert!(unknown[0].contains("critcal"), "{unknown:#?}");
    let missing = errors(&feature, &fixtures.join("missing-query.yaml"));
    assert!(missing.iter().any(|e| e.contains("query")), "{missing:#?}");
    let wrong = errors(&feature, &fixtures.join("wrong-type.yaml"));
    assert!(
        wrong.iter().any(|e| e.contains("/thresholds")),
        "{wrong:#?}"
    );
}
