//! Adopting `promspec lint` on a repository that already has rule files:
//! baselines that survive moving rules, the one-line summary, `--quiet`,
//! and YAML files of other shapes (CI workflows, compose files) skipped
//! quietly while broken rule files stay errors.

use std::path::Path;

use crate::support::{promspec, text};

const HIGH_ERRORS: &str = "      - alert: HighErrors\n        expr: rate(errors_total{job=~\"api\"}[5m]) > 1\n        labels: {severity: warning}\n        annotations: {summary: errors}\n";
const JOB_UP: &str = "      - record: job_up\n        expr: sum by (job) (up)\n";
const NEW_BAD: &str = "      - record: instance_down\n        expr: up{instance=~\"a\"} == 0\n";

fn rule_file(rules: &[&str]) -> String {
    format!("groups:\n  - name: g\n    rules:\n{}", rules.concat())
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn concise(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["lint", "--format", "concise"];
    all.extend(args);
    let out = promspec(dir, &all);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn a_baseline_suppresses_recorded_findings_and_reports_only_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    write(dir, "rules/a.yml", &rule_file(&[JOB_UP, HIGH_ERRORS]));

    let (code, before, _) = concise(dir, &["rules"]);
    assert_eq!(code, Some(0));
    let recorded = before.lines().count();
    assert!(recorded >= 2, "{before}");

    let (code, stdout, stderr) = concise(dir, &["rules", "--write-baseline", "baseline.json"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, "", "writing a baseline prints no findings");
    assert_eq!(
        stderr,
        format!("checked 1 file, 2 rules: recorded {recorded} findings in baseline.json\n")
    );
    let file = std::fs::read_to_string(dir.join("baseline.json")).unwrap();
    assert!(!file.contains("\"line\""), "no line numbers: {file}");
    assert!(file.contains("\"name\": \"HighErrors\""), "{file}");

    // Same tree: nothing to report.
    let (code, stdout, stderr) = concise(dir, &["rules", "--baseline", "baseline.json"]);
    assert_eq!(code, Some(0));
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        format!(
            "checked 1 file, 2 rules: no problems ({recorded} known findings in the baseline)\n"
        )
    );

    // Rules moved within the file, the expression reflowed: still suppressed.
    let moved = rule_file(&[
        HIGH_ERRORS,
        "      # a comment pushes everything down\n",
        &JOB_UP.replace(
            "sum by (job) (up)",
            "|\n          sum by (job) (\n            up\n          )",
        ),
    ]);
    write(dir, "rules/a.yml", &moved);
    let (code, stdout, _) = concise(dir, &["rules", "--baseline", "baseline.json"]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""));

    // A new bad rule: only its findings.
    write(dir, "rules/a.yml", &format!("{moved}{NEW_BAD}"));
    let (code, stdout, stderr) = concise(dir, &["rules", "--baseline", "baseline.json"]);
    assert_eq!(code, Some(0));
    let new: Vec<&str> = stdout.lines().collect();
    assert!(!new.is_empty());
    let first_new_line = moved.lines().count() + 1;
    for line in &new {
        let at: usize = line.split(':').nth(1).unwrap().parse().unwrap();
        assert!(at >= first_new_line, "only the new rule: {stdout}");
        assert!(!before.contains(line.split_once(' ').unwrap().1), "{line}");
    }
    assert!(stdout.contains("instance_down"), "{stdout}");
    assert!(
        stderr.starts_with(&format!(
            "checked 1 file, 3 rules: 0 errors, {} warnings, 0 notes",
            new.len()
        )),
        "{stderr}"
    );

    // An edited expression is a new finding.
    write(
        dir,
        "rules/a.yml",
        &rule_file(&[JOB_UP, &HIGH_ERRORS.replace("> 1", "> 2")]),
    );
    let (_, stdout, _) = concise(dir, &["rules", "--baseline", "baseline.json"]);
    assert!(stdout.contains("promql/useless-regex"), "{stdout}");
    assert!(!stdout.contains("rules/recording-name"), "{stdout}");

    // A baseline that is no baseline is a usage error.
    write(dir, "bad.json", "{}");
    let (code, _, stderr) = concise(dir, &["rules", "--baseline", "bad.json"]);
    assert_eq!(code, Some(2), "{stderr}");
    let (code, _, _) = concise(dir, &["rules", "--baseline", "missing.json"]);
    assert_eq!(code, Some(2));
}

#[test]
fn a_clean_run_says_so_in_one_line_and_quiet_says_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    write(
        dir,
        "rules/ok.yml",
        "groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n",
    );
    let out = promspec(dir, &["lint", "rules"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(text(&out.stderr), "checked 1 file, 1 rule: no problems\n");

    let out = promspec(dir, &["lint", "rules", "--quiet"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        (text(&out.stdout), text(&out.stderr)),
        (String::new(), String::new())
    );

    // Quiet still prints findings, only them.
    write(dir, "rules/bad.yml", &rule_file(&[JOB_UP]));
    let (code, stdout, stderr) = concise(dir, &["rules", "-q"]);
    assert_eq!(code, Some(0));
    assert_eq!(stderr, "");
    assert!(
        stdout.starts_with("rules/bad.yml:4:17: warning[rules/recording-name]"),
        "{stdout}"
    );
}

#[test]
fn color_is_chosen_by_flag() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    write(dir, "rules/bad.yml", &rule_file(&[JOB_UP]));
    let esc = |args: &[&str]| {
        let mut all = vec!["lint", "rules"];
        all.extend(args);
        text(&promspec(dir, &all).stderr).contains('\u{1b}')
    };
    assert!(esc(&["--color", "always"]));
    assert!(!esc(&["--color", "never"]));
    assert!(!esc(&[]), "auto: not a terminal");
    let out = promspec(dir, &["lint", "rules", "--color", "sometimes"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn yaml_files_of_other_shapes_are_skipped_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    write(
        dir,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test\n",
    );
    write(dir, "compose.yaml", "services:\n  web:\n    image: nginx\n");
    write(
        dir,
        "k8s/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
    );
    write(
        dir,
        "rules/ok.yml",
        "groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n",
    );
    // As pre-commit passes them: every staged YAML file, by name.
    let staged = [
        ".github/workflows/ci.yml",
        "compose.yaml",
        "k8s/deploy.yaml",
        "rules/ok.yml",
    ];
    let (code, stdout, stderr) = concise(dir, &staged);
    assert_eq!(code, Some(0));
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "checked 1 file, 1 rule: no problems (skipped 3 other YAML files, see --report-unknown)\n"
    );

    let mut asked = staged.to_vec();
    asked.push("--report-unknown");
    let (code, stdout, _) = concise(dir, &asked);
    assert_eq!(code, Some(0), "a warning only");
    let reported: Vec<&str> = stdout.lines().collect();
    assert_eq!(reported.len(), 3, "{stdout}");
    for (line, file) in reported.iter().zip(&staged) {
        assert!(
            line.starts_with(&format!("{file}:1:1: warning[rulefile/unknown-shape]")),
            "{line}"
        );
    }

    // Other tools' configs with a `rules:` key are other shapes too.
    write(dir, ".eslintrc.yml", "rules:\n  semi: [error, always]\n");
    write(
        dir,
        ".yamllint.yaml",
        "extends: default\nrules:\n  line-length: disable\n",
    );
    write(
        dir,
        "semgrep.yml",
        "rules:\n  - id: no-eval\n    pattern: eval(...)\n    message: no\n    languages: [js]\n    severity: ERROR\n",
    );
    let (code, stdout, stderr) = concise(dir, &[".eslintrc.yml", ".yamllint.yaml", "semgrep.yml"]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""));
    assert!(stderr.contains("skipped 3 other YAML files"), "{stderr}");

    // Something that looks like rules but has no `groups:` is an error, flag or not.
    write(
        dir,
        "rules/flat.yml",
        "rules:\n  - alert: Down\n    expr: up == 0\n",
    );
    write(dir, "rules/list.yml", "- alert: Down\n  expr: up == 0\n");
    let (code, stdout, _) = concise(dir, &["rules/flat.yml", "rules/list.yml"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        stdout.matches("error[rulefile/unknown-shape]").count(),
        2,
        "{stdout}"
    );
    assert!(stdout.contains("has no `groups:`"), "{stdout}");
    // And a YAML syntax error is still one.
    write(dir, "rules/broken.yml", "groups: [\n");
    let (code, stdout, _) = concise(dir, &["rules/broken.yml"]);
    assert_eq!(code, Some(1));
    assert!(stdout.contains("error[rulefile/parse]"), "{stdout}");
}

#[test]
fn a_baseline_keys_spec_findings_by_threshold_not_by_line() {
    let (guard, specs) = crate::support::project();
    let dir = guard.path();
    let path = specs.join("mycats.yaml");
    let spec = std::fs::read_to_string(&path).unwrap();
    let needle = "probe_duration_seconds{job=\"mycats-health\"}";
    assert!(spec.contains(needle));
    let spec = spec.replacen(needle, "probe_duration_seconds{job=~\"mycats-health\"}", 1);
    std::fs::write(&path, &spec).unwrap();
    let (_, stdout, _) = concise(dir, &["specs"]);
    assert!(stdout.contains("specs/mycats.yaml:"), "{stdout}");

    let (code, _, _) = concise(dir, &["specs", "--write-baseline", "baseline.json"]);
    assert_eq!(code, Some(0));
    // Comments above push every threshold down.
    std::fs::write(&path, format!("# one\n# two\n# three\n{spec}")).unwrap();
    let (code, stdout, stderr) = concise(dir, &["specs", "--baseline", "baseline.json"]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""), "{stderr}");
    assert!(
        stderr.contains(": no problems (1 known finding in the baseline)"),
        "{stderr}"
    );
}
