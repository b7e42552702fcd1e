//! The real upstream tools accept what promspec generates.
//!
//! `promtool` comes from Debian's `prometheus` package, installed by
//! `scripts/test.sh`. A missing tool fails the test: it is never skipped.

use crate::support::root;
use std::process::Command;

fn promtool(args: &[&str]) -> std::process::Output {
    Command::new("promtool")
        .args(args)
        .output()
        .expect("promtool must be installed (apt-get install prometheus; scripts/test.sh does it)")
}

#[test]
fn promtool_accepts_every_generated_rule_file() {
    let dir = root().join("generated/prometheus");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".rules.yml"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "one rule file per bundled spec");
    let mut args = vec!["check", "rules"];
    args.extend(files.iter().map(String::as_str));
    let out = promtool(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "promtool check rules failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.matches("SUCCESS").count(), 5, "{stdout}");
}

#[test]
fn promtool_rejects_what_promspec_rejects() {
    // The compiler's syntax gate and promtool agree on a broken query.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.rules.yml");
    std::fs::write(
        &file,
        "groups:\n  - name: g\n    rules:\n      - record: a:b:c\n        expr: sum(rate(x[5m])\n",
    )
    .unwrap();
    assert!(
        !promtool(&["check", "rules", &file.display().to_string()])
            .status
            .success()
    );
    assert!(promspec::promql::parse("sum(rate(x[5m])", Default::default()).is_err());
}
