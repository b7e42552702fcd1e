//! `promspec diff`: each kind of change a reviewer must see, against a git
//! revision and against a directory, in every format.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::{copy_dir, promspec, root, text};

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=promspec",
            "-c",
            "user.email=promspec@example.com",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

/// A git repository whose `specs/` holds the end-to-end fixture, committed.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &root().join("tests/fixtures/e2e/specs"),
        &dir.path().join("specs"),
    );
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "specs"]);
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: no `{from}`", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn changes(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["diff", "--format", "json"];
    all.extend_from_slice(args);
    let out = promspec(dir, &all);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn find<'a>(changes: &'a [Value], area: &str, kind: &str, subject: &str) -> &'a Value {
    changes
        .iter()
        .find(|c| {
            c["area"] == area
                && c["kind"] == kind
                && c["subject"].as_str().unwrap().contains(subject)
        })
        .unwrap_or_else(|| panic!("no {area} {kind} of {subject} in {changes:#?}"))
}

#[test]
fn an_unchanged_tree_reports_nothing() {
    let dir = repo();
    assert!(changes(dir.path(), &[]).is_empty());
    let out = promspec(dir.path(), &["diff"]);
    assert_eq!(
        text(&out.stdout),
        "no change to alerts, routing or dashboards\n"
    );
}

#[test]
fn every_kind_of_change_is_reported_against_head() {
    let dir = repo();
    let checkout = dir.path().join("specs/checkout.yaml");
    let project = dir.path().join("specs/promspec.yaml");
    // Level value and `for`.
    edit(
        &checkout,
        "warning: {above: 10}",
        "warning: {above: 20, for: 10m}",
    );
    // Receivers of a level.
    edit(
        &checkout,
        "critical: {above: 5%, notify: [pager]}",
        "critical: {above: 5%}",
    );
    // A renamed threshold (same query): its alert name changes.
    edit(&checkout, "- id: workers", "- id: worker-count");
    // A removed threshold (the last one) and an added one.
    let text_now = std::fs::read_to_string(&checkout).unwrap();
    let cut = text_now.find("  # Stays quiet").unwrap();
    std::fs::write(
        &checkout,
        format!(
            "{}  - id: stock\n    title: Stock\n    query: min(e2e_stock{{job=\"e2e\"}})\n    unit: count\n    warning: {{below: 5}}\n",
            &text_now[..cut]
        ),
    )
    .unwrap();
    // The feature's own evaluation interval (the project evaluates every 1s).
    edit(
        &checkout,
        "team: shop\n",
        "team: shop\nevaluation_interval: 2s\n",
    );
    // A priority's response time.
    edit(
        &project,
        "P1: {title: High, response_time: 1h,",
        "P1: {title: High, response_time: 15m,",
    );

    let found = changes(dir.path(), &[]);
    let level = find(&found, "alert", "level", "CheckoutQueueDepth (warning)");
    assert_eq!(level["before"], "above 10");
    assert_eq!(level["after"], "above 20");
    let for_ = find(&found, "alert", "for", "CheckoutQueueDepth (warning)");
    assert_eq!(for_["after"], "10m");
    let receivers = find(
        &found,
        "alert",
        "receivers",
        "CheckoutPaymentErrors (critical)",
    );
    assert_eq!(receivers["before"], "pager");
    let renamed = find(&found, "alert", "renamed", "CheckoutWorkers (warning)");
    assert_eq!(renamed["after"], "CheckoutWorkerCount");
    assert!(renamed["note"].as_str().unwrap().contains("silences"));
    find(&found, "alert", "removed", "CheckoutLatency (warning)");
    find(&found, "alert", "added", "CheckoutStock (warning)");
    let response = find(
        &found,
        "alert",
        "response time",
        "CheckoutQueueDepth (critical)",
    );
    assert_eq!(
        (response["before"].as_str(), response["after"].as_str()),
        (Some("1h"), Some("15m"))
    );
    let interval = find(&found, "feature", "evaluation interval", "checkout");
    assert_eq!(
        (interval["before"].as_str(), interval["after"].as_str()),
        (Some("1s"), Some("2s"))
    );
    // A panel now showing another threshold: old links open the new one.
    for (old, new) in [("latency", "stock"), ("workers", "worker-count")] {
        assert!(
            found.iter().any(|c| c["area"] == "dashboard"
                && c["kind"] == "panel"
                && c["before"] == old
                && c["after"] == new),
            "panel {old} → {new}: {found:#?}"
        );
    }

    // Markdown for a pull-request comment: a table with the same rows.
    let md = text(&promspec(dir.path(), &["diff", "--format", "markdown"]).stdout);
    assert!(
        md.starts_with("### promspec: what this change does"),
        "{md}"
    );
    assert_eq!(
        md.lines().filter(|l| l.starts_with("| alert ")).count(),
        found.iter().filter(|c| c["area"] == "alert").count()
    );
    // Human: one line per change.
    let human = text(&promspec(dir.path(), &["diff"]).stdout);
    assert_eq!(human.lines().count(), found.len(), "{human}");
}

#[test]
fn time_intervals_and_dashboards_against_a_directory() {
    let base = tempfile::tempdir().unwrap();
    copy_dir(&root().join("specs"), &base.path().join("specs"));
    let head = tempfile::tempdir().unwrap();
    copy_dir(&root().join("specs"), &head.path().join("specs"));
    let project = head.path().join("specs/promspec.yaml");
    let text_now = std::fs::read_to_string(&project).unwrap();
    assert!(
        text_now.contains("time_intervals:"),
        "the bundled project has business hours"
    );
    edit(&project, "18:00", "19:00");
    let base_specs = base.path().join("specs");
    let found = changes(head.path(), &[base_specs.to_str().unwrap()]);
    let hours = find(&found, "time interval", "hours", "");
    assert!(
        hours["after"].as_str().unwrap().contains("19:00"),
        "{hours}"
    );
    // A bad base is an error (exit 2), not a silent empty report.
    let out = promspec(head.path(), &["diff", "no-such-revision"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn a_receivers_own_hours_and_templates_against_a_directory() {
    let base = tempfile::tempdir().unwrap();
    copy_dir(&root().join("specs"), &base.path().join("specs"));
    let head = tempfile::tempdir().unwrap();
    copy_dir(&root().join("specs"), &head.path().join("specs"));
    let project = head.path().join("specs/promspec.yaml");
    // The DBA is mailed at any hour now, except during a new maintenance window.
    edit(
        &project,
        "      to: dba@example.com\n    active_time_intervals: [business-hours]\n",
        "      to: dba@example.com\n    mute_time_intervals: [maintenance]\n",
    );
    edit(
        &project,
        "time_intervals:\n",
        "time_intervals:\n  maintenance:\n    - weekdays: [sunday]\n",
    );
    // On-call's page and a Slack channel's messages say something else.
    edit(
        &project,
        "      routing_key_file: /etc/alertmanager/secrets/pagerduty-routing-key\n",
        "      routing_key_file: /etc/alertmanager/secrets/pagerduty-routing-key\n      description: '{{ .CommonLabels.alertname }} | {{ .CommonLabels.instance }}'\n",
    );
    edit(
        &project,
        "      channel: \"#ops-alerts\"\n",
        "      channel: \"#ops-alerts\"\n      text: |\n        {{ range .Alerts }}{{ .Annotations.summary }}\n        {{ end }}\n",
    );
    let base_specs = base.path().join("specs");
    let base_arg = base_specs.to_str().unwrap();
    let found = changes(head.path(), &[base_arg]);

    let active = find(&found, "receiver", "active hours", "email-dba");
    assert_eq!(
        (active["before"].as_str(), active["after"].as_str()),
        (Some("business-hours"), Some("the level's"))
    );
    let muted = find(&found, "receiver", "muted hours", "email-dba");
    assert_eq!(
        (muted["before"].as_str(), muted["after"].as_str()),
        (Some("none"), Some("maintenance"))
    );
    let page = find(
        &found,
        "receiver",
        "template",
        "pager-oncall pagerduty.description",
    );
    assert_eq!(page["before"], r#"{{ template "promspec.title" . }}"#);
    assert_eq!(
        page["after"],
        "{{ .CommonLabels.alertname }} | {{ .CommonLabels.instance }}"
    );
    let slack = find(
        &found,
        "receiver",
        "template",
        "slack-ops-alerts slack.text",
    );
    assert_eq!(
        slack["after"],
        "{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}\n"
    );
    // Fields left alone are not reported.
    assert!(
        !found
            .iter()
            .any(|c| c["subject"].as_str().unwrap().contains("slack.title")),
        "{found:#?}"
    );

    // Human: one line per change, the multi-line template on its line.
    let human = text(&promspec(head.path(), &["diff", base_arg]).stdout);
    assert_eq!(human.lines().count(), found.len(), "{human}");
    assert!(
        human.contains(
            "receiver email-dba: active hours business-hours → the level's — outside these time intervals"
        ),
        "{human}"
    );
    assert!(
        human.contains(r#"→ {{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}\n — what the notification says"#),
        "{human}"
    );
    // Markdown: a table row per change, `|` escaped, rows on one line.
    let md = text(&promspec(head.path(), &["diff", base_arg, "--format", "markdown"]).stdout);
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| receiver "))
        .collect();
    assert_eq!(
        rows.len(),
        found.iter().filter(|c| c["area"] == "receiver").count(),
        "{md}"
    );
    assert!(
        rows.iter()
            .any(|r| r
                .contains(r"| `{{ .CommonLabels.alertname }} \| {{ .CommonLabels.instance }}` |")),
        "{md}"
    );
}
