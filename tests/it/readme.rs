//! The README's examples work as written, read from the README itself: the
//! example feature spec builds on the project `promspec init` scaffolds,
//! and the project file example holds every field of the project file's
//! JSON schema and builds, without a warning, with that feature spec.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{promspec, root, text, yaml_to_json};

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

/// The text of the section that starts with the heading `heading`, up to
/// the next heading of the same or a higher level (outside code blocks).
fn section<'a>(readme: &'a str, heading: &str) -> &'a str {
    let start = readme
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("the README has no `{heading}` section"));
    let level = heading.len() - heading.trim_start_matches('#').len();
    let body = &readme[start + heading.len() + 2..];
    let (mut offset, mut fenced) = (0, false);
    for line in body.split_inclusive('\n') {
        if line.starts_with("```") {
            fenced = !fenced;
        }
        let hashes = line.len() - line.trim_start_matches('#').len();
        if !fenced && hashes > 0 && hashes <= level && line[hashes..].starts_with(' ') {
            return &body[..offset];
        }
        offset += line.len();
    }
    body
}

/// The ```yaml blocks of `text`, in order.
fn yaml_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim_end() == "```yaml" => current = Some(String::new()),
            Some(block) if line.trim_end() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// The feature spec example: the first YAML block of "Writing a spec".
fn feature_example() -> String {
    let readme = readme();
    yaml_blocks(section(&readme, "## Writing a spec"))
        .into_iter()
        .next()
        .expect("a YAML example in `Writing a spec`")
}

/// The project file section and its complete example (the block after the
/// `readme-example: project-file` marker).
fn project_example() -> (String, String) {
    let readme = readme();
    let section = section(&readme, "## The project file").to_string();
    let marker = "<!-- readme-example: project-file -->";
    let after = section
        .split_once(marker)
        .unwrap_or_else(|| panic!("no `{marker}` in the project file section"))
        .1;
    let example = yaml_blocks(after).into_iter().next().unwrap();
    (section, example)
}

/// Run `promspec init` in a new directory and add the README's feature spec.
fn init_with_feature_example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = promspec(dir.path(), &["init"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::write(dir.path().join("specs/new-feature.yaml"), feature_example()).unwrap();
    dir
}

fn build_clean(dir: &std::path::Path) {
    let out = promspec(dir, &["build"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("warning") && !stderr.contains('×') && !stderr.contains('⚠'),
        "the README's examples build with findings:\n{stderr}"
    );
    assert!(
        dir.join("generated/prometheus/new-feature.rules.yml")
            .is_file()
    );
}

#[test]
fn the_readme_feature_spec_builds_on_an_init_project() {
    let dir = init_with_feature_example();
    build_clean(dir.path());
}

#[test]
fn the_readme_project_file_builds_with_the_feature_spec() {
    let dir = init_with_feature_example();
    let (_, example) = project_example();
    std::fs::write(dir.path().join("specs/promspec.yaml"), example).unwrap();
    build_clean(dir.path());
}

/// Every field path of `node` in the project schema, `<name>` for a map
/// entry and `[]` for a list item (`receivers.<name>.slack.title`).
fn schema_paths(
    node: &Value,
    defs: &Value,
    path: &str,
    seen: &[String],
    out: &mut BTreeSet<String>,
) {
    if let Some(r) = node["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap().to_string();
        if !seen.contains(&name) {
            let mut seen = seen.to_vec();
            seen.push(name.clone());
            schema_paths(&defs[&name], defs, path, &seen, out);
        }
        return;
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        for n in node[key].as_array().into_iter().flatten() {
            schema_paths(n, defs, path, seen, out);
        }
    }
    if node["items"].is_object() {
        schema_paths(&node["items"], defs, &format!("{path}[]"), seen, out);
    }
    if node["additionalProperties"].is_object() {
        let entry = format!("{path}.<name>");
        out.insert(entry.clone());
        schema_paths(&node["additionalProperties"], defs, &entry, seen, out);
    }
    for (key, value) in node["properties"].as_object().into_iter().flatten() {
        let p = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        out.insert(p.clone());
        schema_paths(value, defs, &p, seen, out);
    }
}

/// Every key path of a YAML document in the same notation, where the keys
/// under the maps named in `maps` count as `<name>`.
fn yaml_paths(value: &Value, path: &str, maps: &BTreeSet<String>, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(entries) => {
            for (key, v) in entries {
                let segment = if maps.contains(path) { "<name>" } else { key };
                let p = if path.is_empty() {
                    segment.to_string()
                } else {
                    format!("{path}.{segment}")
                };
                out.insert(p.clone());
                yaml_paths(v, &p, maps, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                yaml_paths(item, &format!("{path}[]"), maps, out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_readme_documents_every_project_field_with_an_example() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/project.schema.json")).unwrap(),
    )
    .unwrap();
    let mut fields = BTreeSet::new();
    schema_paths(&schema, &schema["$defs"], "", &[], &mut fields);
    assert!(
        fields.contains("receivers.<name>.slack.title"),
        "{fields:?}"
    );

    let (section, _) = project_example();
    let maps: BTreeSet<String> = fields
        .iter()
        .filter_map(|f| f.split_once(".<name>").map(|(m, _)| m.to_string()))
        .collect();
    let mut written = BTreeSet::new();
    for block in yaml_blocks(&section) {
        yaml_paths(&yaml_to_json(&block), "", &maps, &mut written);
    }
    // Inline secrets (and a file reference Alertmanager 0.25 cannot read)
    // are refused: the section names them instead of showing them.
    let refused = |f: &String| {
        [
            "auth_password",
            "api_url",
            "routing_key",
            "service_key",
            "api_key",
            "url_file",
        ]
        .iter()
        .any(|r| f.ends_with(&format!(".{r}")))
    };
    for field in &fields {
        if refused(field) {
            let last = field.rsplit('.').next().unwrap();
            assert!(
                section.contains(&format!("{last}`")),
                "the project file section does not say `{field}` is refused"
            );
        } else {
            assert!(
                written.contains(field),
                "the project file section has no example of `{field}`"
            );
        }
    }
    // And nothing the schema does not know.
    let unknown: Vec<&String> = written.iter().filter(|w| !fields.contains(*w)).collect();
    assert!(unknown.is_empty(), "not in the schema: {unknown:?}");
}
