//! The generated Alertmanager configuration, proven with Alertmanager's own
//! tool: `amtool check-config` accepts it, and for every alert the generated
//! rules can fire `amtool config routes test --verify.receivers=...` answers
//! exactly the receivers its spec names. `promspec routes test` must give
//! the same answer as amtool on all those alerts, and on label sets no spec
//! defines (the fallbacks).
//!
//! `amtool` comes from Debian's `prometheus-alertmanager` package, installed
//! by `scripts/test.sh`. A missing tool fails the tests: it is never skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::root;
use promspec::compile::alertmanager;
use promspec::compile::conventions as names;
use promspec::pipeline;
use promspec::routing::answer;
use promspec::routing::config::Config;
use promspec::routing::eval;
use promspec::routing::matcher::Labels;
use promspec::routing::read;
use promspec::source::SourceMap;
use promspec::spec::model::Workspace;

/// The bundled specs and the routing fixture.
fn spec_dirs() -> [PathBuf; 3] {
    [
        root().join("specs"),
        root().join("tests/fixtures/routing/ok"),
        root().join("tests/fixtures/verdict/alerts-section"),
    ]
}

fn workspace(dir: &Path) -> Workspace {
    let loaded = pipeline::load(dir).unwrap();
    assert!(
        !loaded.diagnostics.has_errors(),
        "{}: {:#?}",
        dir.display(),
        loaded.diagnostics
    );
    loaded.workspace.unwrap()
}

/// The configuration file compiled in memory, written to a temporary file.
fn written_config(ws: &Workspace) -> (tempfile::TempDir, PathBuf, String) {
    let outputs = pipeline::compile(ws);
    let content = outputs
        .iter()
        .find(|o| o.path == names::ALERTMANAGER_PATH)
        .expect("the build produces the Alertmanager configuration")
        .content
        .clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alertmanager.yml");
    std::fs::write(&path, &content).unwrap();
    (dir, path, content)
}

fn amtool(args: &[&str]) -> std::process::Output {
    Command::new("amtool")
        .args(args)
        .output()
        .expect("amtool must be installed (apt-get install prometheus-alertmanager; scripts/test.sh does it)")
}

fn label_args(labels: &Labels) -> Vec<String> {
    labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect()
}

/// What `amtool config routes test` answers for `labels`, and whether
/// `--verify.receivers=expected` passed.
fn amtool_routes(config: &Path, labels: &Labels, expected: Option<&str>) -> (String, bool) {
    let file = format!("--config.file={}", config.display());
    let verify = expected.map(|e| format!("--verify.receivers={e}"));
    let mut args = vec!["config", "routes", "test", file.as_str()];
    if let Some(v) = &verify {
        args.push(v);
    }
    let labels = label_args(labels);
    args.extend(labels.iter().map(String::as_str));
    let out = amtool(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let first = stdout.lines().next().unwrap_or_default().trim().to_string();
    (first, out.status.success())
}

fn read_back(path: &Path) -> Config {
    let mut sources = SourceMap::new();
    let id = sources.add(path, std::fs::read_to_string(path).unwrap());
    read::read(&sources, id).expect("promspec reads back the configuration it wrote")
}

#[test]
fn amtool_accepts_the_generated_configurations() {
    for dir in spec_dirs() {
        let ws = workspace(&dir);
        let (_guard, path, _) = written_config(&ws);
        let out = amtool(&["check-config", &path.display().to_string()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: amtool check-config failed:\n{stdout}\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("SUCCESS"), "{stdout}");
        let receivers = ws.project.receivers.len() + 1;
        assert!(
            stdout.contains(&format!("- {receivers} receivers")),
            "{stdout}"
        );
    }
}

#[test]
fn the_committed_configuration_is_what_the_specs_produce() {
    let ws = workspace(&root().join("specs"));
    let (_guard, _, content) = written_config(&ws);
    let committed =
        std::fs::read_to_string(root().join("generated").join(names::ALERTMANAGER_PATH)).unwrap();
    assert!(
        committed == content,
        "generated/{} is stale: run `promspec build`",
        names::ALERTMANAGER_PATH
    );
}

/// Every alert the generated rules can fire reaches exactly the receivers
/// its spec names, according to amtool, to promspec's evaluator on the
/// in-memory configuration and on the file read back.
#[test]
fn every_generated_alert_routes_to_exactly_its_spec_receivers() {
    let mut total = 0;
    for dir in spec_dirs() {
        let ws = workspace(&dir);
        let (_guard, path, _) = written_config(&ws);
        let config = alertmanager::config(&ws.project, &ws.features);
        let from_file = read_back(&path);
        let alerts = alertmanager::alerts(&ws.project, &ws.features);
        let rules: usize = ws
            .features
            .iter()
            .flat_map(|f| &f.thresholds)
            .map(|t| t.levels.len() + usize::from(t.no_data.is_some()))
            .sum::<usize>()
            + ws.features.iter().map(|f| f.alerts.len()).sum::<usize>()
            + ws.features
                .iter()
                .flat_map(|f| &f.slos)
                .map(|s| s.tiers.len() + usize::from(s.no_data.is_some()))
                .sum::<usize>();
        assert_eq!(alerts.len(), rules, "one case per alerting rule");
        for alert in &alerts {
            let expected = alert.expected_receivers().join(",");
            let (answer, verified) = amtool_routes(&path, &alert.labels, Some(&expected));
            let case = format!(
                "{}: {} {} {:?}",
                dir.display(),
                alert.alertname,
                alert.level.level.as_str(),
                alert.labels
            );
            assert!(
                verified,
                "{case}\namtool answers `{answer}`, the spec says `{expected}`"
            );
            assert_eq!(answer, expected, "{case}");
            assert_eq!(
                eval::receivers(&config.route, &alert.labels).join(","),
                expected,
                "{case}: promspec's evaluator disagrees"
            );
            assert_eq!(
                eval::receivers(&from_file.route, &alert.labels).join(","),
                expected,
                "{case}: promspec's evaluator disagrees on the file read back"
            );
            total += 1;
        }
    }
    assert!(total >= 70, "{total} alerts proven");
}

/// Label sets no spec defines: promspec's answer equals amtool's.
#[test]
fn promspec_and_amtool_agree_on_alerts_no_spec_defines() {
    for dir in spec_dirs() {
        let ws = workspace(&dir);
        let (_guard, path, _) = written_config(&ws);
        let config = read_back(&path);
        let mut probes: Vec<Labels> = Vec::new();
        let labels = |pairs: &[(&str, &str)]| -> Labels {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        for feature in &ws.features {
            for severity in ["critical", "warning", "info", "page", ""] {
                probes.push(labels(&[
                    ("alertname", "HandWritten"),
                    ("feature", &feature.slug),
                    ("severity", severity),
                ]));
            }
        }
        for severity in ["critical", "warning", "info", "debug"] {
            probes.push(labels(&[("alertname", "Other"), ("severity", severity)]));
            probes.push(labels(&[
                ("alertname", "Other"),
                ("feature", "not-a-feature"),
                ("severity", severity),
            ]));
        }
        probes.push(labels(&[("alertname", "Watchdog")]));
        for probe in &probes {
            let (amtool_answer, ok) = amtool_routes(&path, probe, None);
            assert!(ok, "amtool failed on {probe:?}");
            assert_eq!(
                answer::answer(&config, probe).receivers_line(),
                amtool_answer,
                "{}: {probe:?}",
                dir.display()
            );
        }
    }
}

fn promspec(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_promspec"))
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

/// The command a user runs answers like amtool, from the specs and from the
/// committed file.
#[test]
fn routes_test_command_answers_like_amtool() {
    let ws = workspace(&root().join("specs"));
    let committed = root().join("generated").join(names::ALERTMANAGER_PATH);
    let alerts = alertmanager::alerts(&ws.project, &ws.features);
    for alert in alerts.iter().step_by(7) {
        let (amtool_answer, _) = amtool_routes(&committed, &alert.labels, None);
        let args = label_args(&alert.labels);
        let mut from_specs = vec!["routes", "test"];
        from_specs.extend(args.iter().map(String::as_str));
        let mut from_file = vec![
            "routes",
            "test",
            "--config",
            "generated/alertmanager/alertmanager.yml",
        ];
        from_file.extend(args.iter().map(String::as_str));
        for cmd in [from_specs, from_file] {
            let out = promspec(&cmd);
            assert_eq!(out.status.code(), Some(0), "{cmd:?}");
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            assert_eq!(
                stdout.lines().next(),
                Some(amtool_answer.as_str()),
                "{cmd:?}"
            );
        }
    }
}

#[test]
fn routes_test_shows_routes_and_inhibition() {
    let out = promspec(&[
        "routes",
        "test",
        "feature=camp-backend",
        "alertname=CampBackendDbConnections",
        "severity=warning",
        "instance=db-1:9187",
    ]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));

    let verify = promspec(&[
        "routes",
        "test",
        "--verify",
        "pager-oncall",
        "feature=camp-backend",
        "alertname=CampBackendDbConnections",
        "severity=critical",
    ]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&verify.stderr).contains(
            "expected receivers `pager-oncall`, but the alert reaches `pager-oncall,slack-ops-critical,email-dba`"
        ),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );

    let bad = promspec(&["routes", "test", "severity=~crit.*"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("write labels as `name=value`"));
}

#[test]
fn routes_test_reports_a_broken_configuration_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alertmanager.yml");
    std::fs::write(
        &path,
        "route:\n  receiver: default\n  routes:\n    - matchers: ['severity=~\"(\"']\n      receiver: nobody\nreceivers:\n  - name: default\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_promspec"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args([
            "routes",
            "test",
            "--config",
            "alertmanager.yml",
            "--format",
            "concise",
            "severity=critical",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("alertmanager.yml:4:18: error[alertmanager/invalid-config] invalid regex `(`: unclosed group"),
        "{stdout}"
    );
    assert!(
        stdout.contains("alertmanager.yml:4:7: error[alertmanager/invalid-config] receiver `nobody` is not defined"),
        "{stdout}"
    );
}

/// The fixture's generated configuration and routing table, reviewed as a whole.
#[test]
fn the_fixture_compiles_to_reviewed_files() {
    let ws = workspace(&root().join("tests/fixtures/routing/ok"));
    let outputs = pipeline::compile(&ws);
    for path in [names::ALERTMANAGER_PATH, names::ROUTING_DOCS_PATH] {
        let output = outputs.iter().find(|o| o.path == path).unwrap();
        insta::with_settings!({snapshot_suffix => path.replace('/', "-"), omit_expression => true}, {
            insta::assert_snapshot!("routing_fixture", output.content);
        });
    }
}
