//! One verdict: `promspec build` and `promspec lint` judge a specs directory
//! with the same engine, severities and suppressions.
//!
//! Over every specs directory the tests know (the bundled specs, every
//! fixture project, every invalid-spec fixture and the verdict cases in
//! `tests/fixtures/verdict/`), both commands must report exactly the same
//! findings (id, severity, file, line, column, message) and agree on the exit
//! status; when that status is 1, `build` has written nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{promspec, root, text};

/// One finding as both commands print it in `--format json`.
type Finding = (String, String, String, u64, u64, String);

/// Every specs directory to judge, each copied into its own temporary
/// project (`<tmp>/specs`), with a readable name.
fn cases() -> Vec<(String, tempfile::TempDir)> {
    let mut dirs: Vec<(String, PathBuf)> = vec![
        ("bundled".into(), root().join("specs")),
        ("e2e".into(), root().join("tests/fixtures/e2e/specs")),
        (
            "unittests".into(),
            root().join("tests/fixtures/unittests/specs"),
        ),
    ];
    for group in ["routing", "verdict", "invalid-projects"] {
        let Ok(entries) = std::fs::read_dir(root().join("tests/fixtures").join(group)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let specs = if path.join("specs").is_dir() {
                path.join("specs")
            } else {
                path.clone()
            };
            if specs.join("promspec.yaml").is_file() {
                let name = path.file_name().unwrap().to_string_lossy();
                dirs.push((format!("{group}/{name}"), specs));
            }
        }
    }
    let mut cases: Vec<(String, tempfile::TempDir)> = dirs
        .into_iter()
        .map(|(name, dir)| {
            let tmp = tempfile::tempdir().unwrap();
            crate::support::copy_dir(&dir, &tmp.path().join("specs"));
            (name, tmp)
        })
        .collect();
    // The invalid-spec fixtures: one file each beside the fixtures' project
    // file (or in its place, for `project-*`).
    let invalid = root().join("tests/fixtures/spec-invalid");
    for entry in std::fs::read_dir(&invalid).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "promspec" {
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        let specs = tmp.path().join("specs");
        std::fs::create_dir(&specs).unwrap();
        if name.starts_with("project-") {
            std::fs::copy(&path, specs.join("promspec.yaml")).unwrap();
        } else {
            std::fs::copy(invalid.join("promspec.yaml"), specs.join("promspec.yaml")).unwrap();
            std::fs::copy(&path, specs.join(format!("{name}.yaml"))).unwrap();
        }
        cases.push((format!("spec-invalid/{name}"), tmp));
    }
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    cases
}

fn findings(stdout: &[u8], what: &str) -> BTreeSet<Finding> {
    let json: Value = serde_json::from_slice(stdout)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}):\n{}", text(stdout)));
    json.as_array()
        .unwrap_or_else(|| panic!("{what}: not a list"))
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
            let n = |k: &str| d[k].as_u64().unwrap_or_default();
            (
                s("id"),
                s("severity"),
                s("file"),
                n("line"),
                n("column"),
                s("message"),
            )
        })
        .collect()
}

fn show(set: &BTreeSet<Finding>) -> String {
    set.iter()
        .map(|(id, sev, file, line, col, msg)| {
            format!("  {file}:{line}:{col}: {sev}[{id}] {msg}\n")
        })
        .collect()
}

#[test]
fn build_and_lint_report_the_same_findings_and_agree_on_the_exit_status() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failing = 0;
    for (name, tmp) in &cases {
        let dir = tmp.path();
        let build = promspec(
            dir,
            &[
                "build", "--format", "json", "--specs", "specs", "--out", "out",
            ],
        );
        let lint = promspec(dir, &["lint", "specs", "--format", "json"]);
        let built = findings(&build.stdout, &format!("{name}: build"));
        let linted = findings(&lint.stdout, &format!("{name}: lint"));
        assert_eq!(
            built,
            linted,
            "{name}: build and lint disagree\nbuild only:\n{}lint only:\n{}",
            show(&built.difference(&linted).cloned().collect()),
            show(&linted.difference(&built).cloned().collect()),
        );
        let has_errors = built.iter().any(|f| f.1 == "error");
        let expected = if has_errors { 1 } else { 0 };
        assert_eq!(
            build.status.code(),
            Some(expected),
            "{name}: build\n{}{}",
            show(&built),
            text(&build.stderr)
        );
        assert_eq!(lint.status.code(), Some(expected), "{name}: lint");
        let written = dir.join("out").exists();
        assert_eq!(
            written, !has_errors,
            "{name}: build writes exactly when no error is found"
        );
        failing += usize::from(has_errors);
    }
    // The catalog must hold both verdicts.
    assert!(failing >= 20 && failing < cases.len(), "{failing} failing");
}

/// The cases named in the issue that made build and lint disagree, each at
/// its place.
#[test]
fn errors_lint_reports_stop_the_build_at_their_place() {
    for (case, place) in [
        ("level-order", "shop.yaml:10:23: error[thresholds/order]"),
        (
            "ratio-above-100",
            "shop.yaml:9:23: error[thresholds/unreachable]",
        ),
        (
            "quantile-without-le",
            "shop.yaml:8:12: error[promql/histogram-quantile-without-le]",
        ),
        (
            "quantile-95",
            "shop.yaml:7:12: error[promql/quantile-out-of-range]",
        ),
        ("promql-syntax", "shop.yaml:7:15: error[promql/syntax]"),
        (
            "severity-raised",
            "shop.yaml:5:9: error[alerts/missing-annotation]",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        crate::support::copy_dir(
            &root().join("tests/fixtures/verdict").join(case),
            &tmp.path().join("specs"),
        );
        let out = promspec(tmp.path(), &["build", "--format", "concise"]);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{case}: {stdout}");
        assert!(stdout.contains(place), "{case}: {stdout}");
        assert!(
            !tmp.path().join("generated").exists(),
            "{case}: nothing is written"
        );
        let test = promspec(tmp.path(), &["test", "--format", "concise"]);
        assert_eq!(
            test.status.code(),
            Some(1),
            "{case}: `promspec test` agrees"
        );
    }
    // Suppressed or lowered, the same inversion builds (with a warning when lowered).
    for (case, warns) in [("suppressed-order", false), ("severity-lowered", true)] {
        let tmp = tempfile::tempdir().unwrap();
        crate::support::copy_dir(
            &root().join("tests/fixtures/verdict").join(case),
            &tmp.path().join("specs"),
        );
        let out = promspec(tmp.path(), &["build", "--format", "concise"]);
        assert_eq!(out.status.code(), Some(0), "{case}: {}", text(&out.stderr));
        assert_eq!(
            text(&out.stdout).contains("warning[thresholds/order]"),
            warns,
            "{case}"
        );
        assert!(Path::new(&tmp.path().join("generated/prometheus/shop.rules.yml")).is_file());
    }
}

/// A metrics catalog next to the project file is read by `build` as by
/// `lint`: the misspelled metric is reported by both, at the same place.
#[test]
fn build_reads_the_metrics_catalog_like_lint() {
    let tmp = tempfile::tempdir().unwrap();
    crate::support::copy_dir(
        &root().join("tests/fixtures/verdict/catalog"),
        &tmp.path().join("specs"),
    );
    let build = promspec(tmp.path(), &["build", "--format", "concise"]);
    let lint = promspec(tmp.path(), &["lint", "specs", "--format", "concise"]);
    let place = "shop.yaml:8:56: warning[promql/unknown-metric]";
    assert!(
        text(&build.stdout).contains(place),
        "{}",
        text(&build.stdout)
    );
    assert!(text(&lint.stdout).contains(place), "{}", text(&lint.stdout));
}
