//! `promspec test` as a user sees it: the report per feature and threshold,
//! the exit status, and the message when promtool is missing.

use crate::support::{root, text};
use std::path::Path;
use std::process::{Command, Output};

const FIXTURE: &str = "tests/fixtures/e2e/specs";

fn promspec(args: &[&str], path: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_promspec"));
    cmd.current_dir(root()).env("NO_COLOR", "1").args(args);
    if let Some(p) = path {
        cmd.env("PATH", p);
    }
    cmd.output().expect("promspec runs")
}

#[test]
fn reports_every_threshold_and_exits_0() {
    let out = promspec(&["test", "--specs", FIXTURE], None);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.starts_with(
            "checkout\n  ok       queue-depth\n  ok       workers\n  ok       payment-errors\n  ok       latency\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("4 thresholds in 1 feature: 4 passed, 0 failed, 0 without a test"),
        "{stdout}"
    );
}

#[test]
fn names_the_failing_threshold_and_exits_1() {
    // promtool itself, run after the workers level in the rule file moved
    // from 2 to 1.5: its test must fail, the others pass.
    let dir = tempfile::tempdir().expect("tempdir");
    let promtool = dir.path().join("promtool");
    std::fs::write(
        &promtool,
        "#!/bin/sh\nrules=\"$(dirname \"$3\")/checkout.rules.yml\"\n\
         sed -i 's/threshold=\"workers\"} < 2$/threshold=\"workers\"} < 1.5/' \"$rules\"\n\
         exec promtool \"$@\"\n",
    )
    .expect("write wrapper");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&promtool, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let out = promspec(
        &[
            "test",
            "--specs",
            FIXTURE,
            "--promtool",
            &promtool.to_string_lossy(),
        ],
        None,
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("  ok       queue-depth\n"), "{stdout}");
    assert!(stdout.contains("  FAILED   workers\n"), "{stdout}");
    assert!(stdout.contains("alertname: CheckoutWorkers"), "{stdout}");
    assert!(
        stdout.contains("4 thresholds in 1 feature: 3 passed, 1 failed, 0 without a test"),
        "{stdout}"
    );
}

#[test]
fn without_promtool_says_how_to_install_it_and_exits_2() {
    let empty = tempfile::tempdir().expect("tempdir");
    let out = promspec(&["test", "--specs", FIXTURE], Some(empty.path()));
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("promtool was not found on PATH")
            && stderr.contains("`apt-get install prometheus`"),
        "{stderr}"
    );

    let out = promspec(
        &[
            "test",
            "--specs",
            FIXTURE,
            "--promtool",
            "/nonexistent/promtool",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("promtool `/nonexistent/promtool` does not exist"),
        "{}",
        text(&out.stderr)
    );
}
