//! Feature specs hold what is not a threshold: `alerts:`, `records:`, a
//! threshold's `no_data:` and verbatim alert names (`alert:`).
//!
//! On the fixture project `tests/fixtures/verdict/alerts-section` (all of
//! them at once) the generated rules pass `promtool check rules`, the
//! generated unit tests pass `promtool test rules` and fail once an alert's
//! expression is changed, the Alertmanager configuration passes `amtool
//! check-config` and routes each alert to its receivers, and the runbook and
//! routing tables list the alerts. An invalid expression is rejected at its
//! line and column by `build` and `lint` alike; two alerts of a feature with
//! one name are rejected at the second name.

use std::path::Path;
use std::process::Command;

use crate::support::{promspec, root, text};

fn fixture(case: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    crate::support::copy_dir(
        &root().join("tests/fixtures/verdict").join(case),
        &tmp.path().join("specs"),
    );
    tmp
}

fn built() -> tempfile::TempDir {
    let tmp = fixture("alerts-section");
    let out = promspec(tmp.path(), &["build"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    tmp
}

fn tool(name: &str, dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(name)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} must be installed (scripts/test.sh does it): {e}"));
    (
        out.status.success(),
        format!("{}{}", text(&out.stdout), text(&out.stderr)),
    )
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join("generated").join(path)).unwrap()
}

#[test]
fn promtool_accepts_the_rules_and_passes_the_generated_tests() {
    let tmp = built();
    let out_dir = tmp.path().join("generated/prometheus");
    let (ok, out) = tool("promtool", &out_dir, &["check", "rules", "node.rules.yml"]);
    assert!(ok, "{out}");
    assert!(out.contains("SUCCESS: 7 rules found"), "{out}");
    let (ok, out) = tool("promtool", &out_dir, &["test", "rules", "node.test.yml"]);
    assert!(ok, "{out}");

    let rules = read(tmp.path(), "prometheus/node.rules.yml");
    // Records first, as written; then the threshold under its verbatim name,
    // its no-data alert, and the alerts.
    let order: Vec<usize> = [
        "record: instance:node_cpu_busy:ratio5m",
        "record: node:cpu_usage:percent",
        "alert: HighCpuUsage\n",
        "alert: HighCpuUsageNoData",
        "alert: NodeExporterDown",
        "alert: NodeDiskFilling",
    ]
    .iter()
    .map(|s| rules.find(s).unwrap_or_else(|| panic!("{s} in\n{rules}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{rules}");
    assert!(
        rules.contains(
            "expr: absent_over_time(node_cpu_seconds_total{job=\"node\",mode=\"idle\"}[10m])"
        ),
        "{rules}"
    );

    // Every other alert has its test groups: absent and present for the
    // absence alerts, one timeline for the comparison.
    let tests = read(tmp.path(), "prometheus/node.test.yml");
    for group in [
        "name: node/no-data/cpu-usage/absent",
        "name: node/no-data/cpu-usage/present",
        "name: node/alert/exporter-down/absent",
        "name: node/alert/exporter-down/present",
        "name: node/alert/disk-filling",
    ] {
        assert!(tests.contains(group), "{group} in\n{tests}");
    }
}

#[test]
fn the_generated_tests_fail_when_an_alert_changes() {
    let tmp = built();
    let out_dir = tmp.path().join("generated/prometheus");
    let rules = read(tmp.path(), "prometheus/node.rules.yml");
    for (from, to, group) in [
        (
            "absent(up{job=\"node\"})",
            "absent(up{job=\"nodes\"})",
            "node/alert/exporter-down/present",
        ),
        ("< 1000000000", "< 1100000000", "node/alert/disk-filling"),
        ("[10m])", "[5m])", "node/no-data/cpu-usage/absent"),
    ] {
        assert!(rules.contains(from), "{from}");
        std::fs::write(out_dir.join("node.rules.yml"), rules.replacen(from, to, 1)).unwrap();
        let (ok, out) = tool("promtool", &out_dir, &["test", "rules", "node.test.yml"]);
        assert!(!ok, "{from} → {to} must fail a test:\n{out}");
        assert!(out.contains(&format!("name: {group}")), "{group}:\n{out}");
    }
}

#[test]
fn alertmanager_routes_each_alert_at_its_level() {
    let tmp = built();
    let config = tmp.path().join("generated/alertmanager/alertmanager.yml");
    let (ok, out) = tool(
        "amtool",
        tmp.path(),
        &["check-config", config.to_str().unwrap()],
    );
    assert!(ok, "{out}");
    for (labels, receivers) in [
        (
            &[
                "alertname=NodeExporterDown",
                "severity=critical",
                "priority=P1",
            ][..],
            "pager-oncall,slack-ops",
        ),
        // `notify: [pager-oncall]` replaces the warning level's receivers.
        (
            &[
                "alertname=NodeDiskFilling",
                "severity=warning",
                "priority=P1",
            ][..],
            "pager-oncall",
        ),
        (
            &[
                "alertname=HighCpuUsageNoData",
                "severity=warning",
                "priority=P2",
            ][..],
            "slack-ops",
        ),
    ] {
        let mut args = vec![
            "config".to_string(),
            "routes".into(),
            "test".into(),
            format!("--config.file={}", config.display()),
            format!("--verify.receivers={receivers}"),
            "feature=node".into(),
            "team=ops".into(),
        ];
        args.extend(labels.iter().map(|l| l.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, out) = tool("amtool", tmp.path(), &args);
        assert!(ok, "{labels:?} → {receivers}: {out}");
    }
    let routing = read(tmp.path(), "docs/routing.md");
    for row in [
        "| `node` | `NodeExporterDown` | critical | `pager-oncall`, `slack-ops` | P1 (High) | 1h |",
        "| `node` | `NodeDiskFilling` | warning | `pager-oncall` | P1 (High) | 1h |",
        "| `node` | `HighCpuUsageNoData` | warning | `slack-ops` | P2 (Medium) | 4h |",
    ] {
        assert!(routing.contains(row), "{row} in\n{routing}");
    }
}

#[test]
fn the_runbook_lists_the_other_alerts() {
    let tmp = built();
    let docs = read(tmp.path(), "docs/node.md");
    assert!(docs.contains("## Other alerts"), "{docs}");
    for row in [
        "| Node exporter down | `NodeExporterDown` | `absent(up{job=\"node\"})` | Critical | 5m |",
        "| `HighCpuUsageNoData` | no data for 10m | Warning | 10m |",
        "| Disk filling up | `NodeDiskFilling` |",
    ] {
        assert!(docs.contains(row), "{row} in\n{docs}");
    }
}

/// `build` and `lint` both exit 1 and report the finding `place` (concise).
fn refused_by_build_and_lint(dir: &std::path::Path, place: &str) {
    for args in [
        &["build", "--format", "concise"][..],
        &["lint", "specs", "--format", "concise"][..],
    ] {
        let out = promspec(dir, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            text(&out.stdout).contains(place),
            "{args:?}: {}",
            text(&out.stdout)
        );
    }
}

#[test]
fn an_invalid_expression_is_rejected_at_its_place_by_build_and_lint() {
    let tmp = fixture("alerts-invalid-expr");
    let place = "node.yaml:7:31: error[promql/syntax]";
    refused_by_build_and_lint(tmp.path(), place);
    assert!(!tmp.path().join("generated").exists());
}

#[test]
fn two_alerts_with_one_name_are_rejected() {
    let tmp = fixture("alerts-name-collision");
    let place = "node.yaml:13:12: error[alerts/name-collision] two alerts of this feature are named `HighCpuUsage`";
    refused_by_build_and_lint(tmp.path(), place);
}
