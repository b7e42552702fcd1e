//! The routing lint rules, as an operator sees them: one fixture directory
//! per rule under `tests/fixtures/routing/<rule>/` (a project file and a
//! feature spec), its rendered diagnostics as a snapshot.

use std::path::{Path, PathBuf};
use std::process::Command;

use promspec::lint::{RULES, RuleMeta};
use promspec::pipeline;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/routing")
}

/// Load a fixture directory; render its `routing/*` diagnostics with paths
/// relative to it (the fixtures are minimal specs: other rules, such as
/// `alerts/missing-annotation`, report on them too).
fn render(dir: &Path) -> (String, Vec<&'static str>) {
    let loaded = pipeline::load(dir).unwrap();
    let items: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.id.starts_with("routing/"))
        .cloned()
        .collect();
    let text = crate::support::render_human(&items, &loaded.sources, dir);
    (text, items.iter().map(|d| d.id).collect())
}

#[test]
fn every_routing_rule_has_a_failing_fixture_with_its_diagnostics() {
    let mut cases: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "ok")
        .collect();
    cases.sort();
    let rule_ids: Vec<&str> = routing_rules().map(|r| r.id).collect();
    let fixture_ids: Vec<String> = cases.iter().map(|c| format!("routing/{c}")).collect();
    assert_eq!(rule_ids, fixture_ids, "one fixture per routing rule");
    for case in cases {
        let (rendered, ids) = render(&fixtures().join(&case));
        let id = format!("routing/{case}");
        // A secret written inline is dropped, so the receiver also lacks its
        // `*_file` reference: both findings point at the same fix.
        let also = match case.as_str() {
            "inline-secret" => "routing/incomplete-receiver",
            _ => "",
        };
        assert!(
            ids.iter().all(|i| *i == id || *i == also),
            "{case}: only `{id}` is expected here\n{rendered}"
        );
        assert!(!ids.is_empty(), "{case}: the fixture must fail");
        insta::with_settings!({snapshot_suffix => case.clone(), prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!("routing_lint", rendered);
        });
    }
}

fn routing_rules() -> impl Iterator<Item = &'static RuleMeta> {
    RULES.iter().filter(|r| r.id.starts_with("routing/"))
}

#[test]
fn every_routing_rule_is_documented() {
    for rule in routing_rules() {
        let docs = rule.documentation();
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Use instead",
        ] {
            assert!(docs.contains(section), "{}: missing `{section}`", rule.id);
        }
        assert!(
            rule.summary().ends_with('.'),
            "{}: {}",
            rule.id,
            rule.summary()
        );
        let out = Command::new(env!("CARGO_BIN_EXE_promspec"))
            .args(["explain", rule.id])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", rule.id);
        assert!(String::from_utf8_lossy(&out.stdout).contains("## Why is this bad?"));
    }
}

#[test]
fn the_bundled_specs_pass_every_routing_rule() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let (rendered, ids) = render(&specs);
    assert!(ids.is_empty(), "{rendered}");
    let (rendered, ids) = render(&fixtures().join("ok"));
    assert_eq!(ids, ["routing/unrouted-alert"], "{rendered}");
}

#[test]
fn a_spec_with_an_inline_secret_or_unknown_receiver_fails_the_build() {
    for (case, place) in [
        (
            "inline-secret",
            "promspec.yaml:15:16: error[routing/inline-secret]",
        ),
        (
            "unknown-receiver",
            "checkout.yaml:4:14: error[routing/unknown-receiver]",
        ),
    ] {
        let out_dir = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_promspec"))
            .env("NO_COLOR", "1")
            .args(["build", "--format", "concise", "--specs"])
            .arg(fixtures().join(case))
            .arg("--out")
            .arg(out_dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{case}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(place), "{case}: {stdout}");
        assert_eq!(
            std::fs::read_dir(out_dir.path()).unwrap().count(),
            0,
            "{case}: nothing is written"
        );
    }
}
