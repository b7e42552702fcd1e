//! `promspec lint` and `promspec explain` as a user sees them: each output
//! format, exit codes, `--fail-on`, suppressions, the pre-commit hook, and
//! SARIF output valid against the official SARIF 2.1.0 schema.

use crate::support::{promspec, root, text};
use std::path::PathBuf;

/// A temporary directory holding the lint fixtures under `rules/`.
fn fixtures() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    for entry in std::fs::read_dir(root().join("tests/fixtures/lint")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, rules.join(path.file_name().unwrap())).unwrap();
    }
    let path = dir.path().to_path_buf();
    (dir, path)
}

#[test]
fn concise_lists_every_finding_with_its_position() {
    let (_guard, dir) = fixtures();
    let out = promspec(&dir, &["lint", "rules", "--format", "concise"]);
    assert_eq!(out.status.code(), Some(1), "errors fail the run");
    assert_eq!(
        text(&out.stdout),
        "\
rules/bad.rules.yml:5:15: warning[promql/aggregation-drops-label] `sum` removes label `instance`, which the alert needs
rules/bad.rules.yml:15:18: warning[promql/useless-regex] `job=~\"api\"` is a regex without regex syntax
rules/bad.rules.yml:22:17: warning[rules/recording-name] recording rule `job_latency_p95` is not named `level:metric:operations`
rules/bad.rules.yml:23:15: error[promql/histogram-quantile-without-le] `histogram_quantile()` gets buckets without the `le` label
rules/broken.rules.yml:5:18: error[promql/syntax] invalid PromQL: unclosed `(`
"
    );
}

#[test]
fn fail_on_decides_the_exit_code() {
    let (_guard, dir) = fixtures();
    let warnings = dir.join("warn.rules.yml");
    std::fs::write(
        &warnings,
        "groups:\n  - name: g\n    rules:\n      - record: job_up\n        expr: sum by (job) (up)\n",
    )
    .unwrap();
    let out = promspec(&dir, &["lint", "warn.rules.yml"]);
    assert_eq!(out.status.code(), Some(0), "warnings alone pass");
    assert!(text(&out.stderr).contains("rules/recording-name"));
    let out = promspec(&dir, &["lint", "warn.rules.yml", "--fail-on", "warning"]);
    assert_eq!(out.status.code(), Some(1));
    let out = promspec(
        &dir,
        &["lint", "rules/operator.yaml", "--fail-on", "warning"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = promspec(&dir, &["lint", "no/such/file.yml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn globs_and_operator_manifests() {
    let (_guard, dir) = fixtures();
    let out = promspec(&dir, &["lint", "rules/*.yaml", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json, serde_json::json!([]));
}

#[test]
fn json_and_github_formats() {
    let (_guard, dir) = fixtures();
    let out = promspec(
        &dir,
        &["lint", "rules/broken.rules.yml", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["id"], "promql/syntax");
    assert_eq!(json[0]["file"], "rules/broken.rules.yml");
    assert_eq!(json[0]["line"], 5);
    assert_eq!(json[0]["column"], 18);
    let out = promspec(
        &dir,
        &["lint", "rules/broken.rules.yml", "--format", "github"],
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout
            .starts_with("::error file=rules/broken.rules.yml,line=5,col=18,endLine=5,endColumn="),
        "{stdout}"
    );
    assert!(
        stdout.contains("title=promql/syntax::invalid PromQL"),
        "{stdout}"
    );
}

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    let (_guard, dir) = fixtures();
    let out = promspec(&dir, &["lint", "rules", "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    // The official schema's `language` patterns have an unbalanced `]`,
    // which the meta-schema's `format: regex` check rejects; they constrain
    // a property promspec does not write, so use a valid equivalent.
    fn fix_patterns(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m.iter_mut() {
                    if k == "pattern" && v == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" {
                        *v = serde_json::json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
                    } else {
                        fix_patterns(v);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(fix_patterns),
            _ => {}
        }
    }
    let mut schema = schema;
    fix_patterns(&mut schema);
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(
        rules
            .iter()
            .all(|r| r["shortDescription"]["text"] != r["id"])
    );
}

#[test]
fn disable_comments_suppress_and_stale_ones_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    // `alerts/missing-for` is off by default; the project turns it on.
    std::fs::write(
        dir.path().join("promspec.yaml"),
        "lint:\n  rules:\n    alerts/missing-for: warning\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("r.yml"),
        "\
# promspec: disable-file=alerts/missing-annotation
groups:
  - name: g
    rules:
      # promspec: disable=alerts/missing-for reason: a page on every blip is wanted here
      - alert: A
        expr: up == 0
        labels: {severity: critical}
      # promspec: disable=alerts/missing-for
      - alert: B
        expr: up == 0
        for: 5m
        labels: {severity: critical}
      # promspec: disable=alerts/missing-fur
      # promspec: enable=alerts/missing-for
      - alert: C
        expr: up == 0
        for: 5m
        labels: {severity: critical}
",
    )
    .unwrap();
    let out = promspec(dir.path(), &["lint", "r.yml", "--format", "concise"]);
    assert_eq!(
        text(&out.stdout),
        "\
r.yml:9:7: warning[lint/unused-disable] `alerts/missing-for` is disabled here but reports nothing
r.yml:14:7: warning[lint/invalid-disable] unknown lint rule `alerts/missing-fur` in a disable comment
r.yml:15:7: warning[lint/invalid-disable] `enable=alerts/missing-for` is not a promspec directive
"
    );
}

#[test]
fn lint_settings_next_to_plain_rule_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("promspec.yaml"),
        "scrape_interval: 1m\nlint:\n  rules:\n    alerts/missing-annotation: off\n    rules/recording-name: error\n    alerts/missing-fore: off\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("r.yml"),
        "groups:\n  - name: g\n    rules:\n      - record: job_up\n        expr: sum by (job) (rate(x_total[1m]))\n",
    )
    .unwrap();
    let out = promspec(dir.path(), &["lint", "r.yml", "--format", "concise"]);
    assert_eq!(
        text(&out.stdout),
        "\
promspec.yaml:6:5: error[lint/unknown-rule] unknown lint rule `alerts/missing-fore`
r.yml:4:17: error[rules/recording-name] recording rule `job_up` is not named `level:metric:operations`
r.yml:5:41: warning[promql/range-too-short] `rate()` over `[1m]` sees at most one sample at a `1m` scrape interval
"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_bundled_project_is_clean() {
    let out = promspec(root(), &["lint", "--format", "concise"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(text(&out.stdout), "");
}

#[test]
fn explain_documents_every_rule_and_code() {
    let dir = tempfile::tempdir().unwrap();
    let out = promspec(dir.path(), &["explain", "--list"]);
    let list = text(&out.stdout);
    for rule in promspec::lint::RULES {
        assert!(list.contains(rule.id), "{} missing from --list", rule.id);
        let out = promspec(dir.path(), &["explain", rule.id]);
        assert_eq!(out.status.code(), Some(0));
        let doc = text(&out.stdout);
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Use instead",
            "## Options",
        ] {
            assert!(doc.contains(section), "{}: no {section}", rule.id);
        }
    }
    for code in promspec::diag::codes::CODES {
        assert!(list.contains(code.id), "{} missing from --list", code.id);
        let out = promspec(dir.path(), &["explain", code.id]);
        assert_eq!(out.status.code(), Some(0));
    }
}

#[test]
fn pre_commit_hook_runs_promspec_lint() {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let docs = promspec::yaml::parse(promspec::source::SourceId(0), &text).unwrap();
    let hooks = docs[0].root.as_seq().expect("a list of hooks");
    let hook = &hooks[0];
    let get = |k: &str| {
        hook.get(k)
            .and_then(|n| n.as_scalar())
            .map(|s| s.value.clone())
    };
    assert_eq!(get("id").as_deref(), Some("promspec-lint"));
    assert_eq!(
        get("entry").as_deref(),
        Some("promspec lint --format concise")
    );
    assert_eq!(get("language").as_deref(), Some("rust"));
    let files = get("files").unwrap();
    assert_eq!(files, "\\.(ya?ml)$");
}
