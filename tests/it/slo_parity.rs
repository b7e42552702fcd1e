//! SLO parity with Sloth (issue 11).
//!
//! `tests/fixtures/sloth/` holds Sloth v0.16.0's own integration-test
//! expectations: `in-base.yaml` and the rules Sloth generates for it with a
//! 30-day period, a 28-day period and custom 7-day windows. The same SLOs,
//! written as a promspec spec, must give alert conditions with the same
//! windows and thresholds (factor × (1 − objective)), and both rule sets,
//! run by `promtool test rules` on the same input series (error ratios just
//! below and just above each tier's threshold), must fire at the same
//! evaluation times.
//!
//! Sloth fires one `page` alert for "quick or slow" and one `ticket` alert;
//! promspec fires one alert per tier (so a faster tier can mute a slower
//! one), so Sloth's page alert must fire exactly when promspec's page-quick
//! or page-slow tier does. The promspec tiers set `for: 0s` because Sloth's
//! alerts have no `for`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use promspec::pipeline;
use promspec::source::SourceId;
use promspec::spec::units::{format_duration, parse_duration};
use promspec::yaml::{self, Node};

use crate::support::root;

/// Sloth's version string, substituted for `{{ .version }}` in the .tpl files.
const SLOTH_VERSION: &str = "v0.16.0";
/// The promtool evaluation interval; Sloth's groups have none of their own.
const EVAL: Duration = Duration::from_secs(300);
/// Errors start at this time; before it the error ratio is 0.
const ERRORS_START: Duration = Duration::from_secs(3600);
/// The interval of the input samples: several samples in the shortest
/// (5m) window whether the window's start is closed (Prometheus 2) or open
/// (Prometheus 3).
const STEP: Duration = Duration::from_secs(150);
/// Requests per [`STEP`] of the good series.
const GOOD_PER_STEP: f64 = 250.0;
/// How far below or above a tier's threshold the error ratio is held.
const MARGIN: f64 = 0.02;

fn fixtures() -> std::path::PathBuf {
    root().join("tests/fixtures/sloth")
}

/// One period Sloth's expectations cover.
struct Case {
    /// The Sloth expectation file.
    sloth: &'static str,
    /// The SLO period.
    period: &'static str,
    /// Sloth's windows file for a period the defaults do not cover.
    windows: Option<&'static str>,
}

const CASES: [Case; 3] = [
    Case {
        sloth: "out-base.yaml.tpl",
        period: "30d",
        windows: None,
    },
    Case {
        sloth: "out-base-28d.yaml.tpl",
        period: "28d",
        windows: None,
    },
    Case {
        sloth: "out-base-custom-windows-7d.yaml.tpl",
        period: "7d",
        windows: Some("windows-7d.yaml"),
    },
];

/// One "short and long window above a threshold" condition.
#[derive(Debug, Clone, Copy)]
struct Clause {
    short: Duration,
    long: Duration,
    threshold: f64,
}

fn same_threshold(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

fn parse_yaml(text: &str) -> Node {
    yaml::parse(SourceId(0), text)
        .unwrap_or_else(|e| panic!("invalid YAML: {e:?}"))
        .into_iter()
        .find(|d| !d.root.is_null())
        .expect("a YAML document")
        .root
}

fn scalar<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.get(key)?.as_scalar().map(|s| s.value.as_str())
}

/// Sloth's expectation with its template variables substituted: the
/// version, and the `{{"{{…}}"}}` escapes of Prometheus templates.
fn sloth_rules(case: &Case) -> String {
    std::fs::read_to_string(fixtures().join(case.sloth))
        .unwrap()
        .replace("{{ .version }}", SLOTH_VERSION)
        .replace("{{\"{{", "{{")
        .replace("}}\"}}", "}}")
}

/// The `(short, long, threshold)` clauses of an alert expression: each
/// comparison `<name>:ratio_rate<window>{…} > (<factor> * <budget>)`, taken
/// two by two (short, then long).
fn clauses(expr: &str) -> Vec<Clause> {
    let re =
        regex::Regex::new(r":ratio_rate([0-9a-z]+)\{[^}]*\} > \(([0-9.e+-]+) \* ([0-9.e+-]+)\)")
            .unwrap();
    let found: Vec<(Duration, f64)> = re
        .captures_iter(expr)
        .map(|c| {
            let window = parse_duration(&c[1]).unwrap();
            let threshold = c[2].parse::<f64>().unwrap() * c[3].parse::<f64>().unwrap();
            (window, threshold)
        })
        .collect();
    assert!(
        found.len().is_multiple_of(2) && !found.is_empty(),
        "unexpected alert expression: {expr}"
    );
    found
        .chunks(2)
        .map(|pair| {
            assert!(same_threshold(pair[0].1, pair[1].1), "{expr}");
            Clause {
                short: pair[0].0,
                long: pair[1].0,
                threshold: pair[0].1,
            }
        })
        .collect()
}

/// Every alerting rule named `alertname`: (value of `label`, clauses).
fn alerts(rules: &str, alertname: &str, label: &str) -> Vec<(String, Vec<Clause>)> {
    let root = parse_yaml(rules);
    let mut out = Vec::new();
    for group in root.get("groups").and_then(Node::as_seq).unwrap() {
        for rule in group.get("rules").and_then(Node::as_seq).unwrap() {
            if scalar(rule, "alert") != Some(alertname) {
                continue;
            }
            let tier = rule
                .get("labels")
                .and_then(|l| scalar(l, label))
                .unwrap()
                .to_string();
            out.push((tier, clauses(scalar(rule, "expr").unwrap())));
        }
    }
    out
}

const PROJECT: &str = r#"project: sloth-parity
evaluation_interval: 5m
priorities:
  P1: {response_time: 15m}
  P2: {response_time: 4h}
severities:
  critical: {priority: P1, receivers: [pager]}
  warning: {priority: P2, receivers: [tickets]}
receivers:
  pager:
    webhook: {url: "http://127.0.0.1:9/pager"}
  tickets:
    webhook: {url: "http://127.0.0.1:9/tickets"}
"#;

/// `in-base.yaml` as a promspec spec (period and tiers' `for` set by the case).
const SPEC: &str = r#"feature: svc01
team: svc01
runbook: https://runbooks.example.com/svc01
labels:
  global01k1: global01v1
slos:
  - id: slo1
    description: This is SLO 01.
    objective: 99.9%
    period: PERIOD
    labels:
      global02k1: global02v1
    sli:
      events:
        errors: sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))
        total: sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))
    alerting:
      name: myServiceAlert
      page:
        quick: {for: 0s}
        slow: {for: 0s}
      ticket:
        quick: {for: 0s}
        slow: {for: 0s}
      no_data: {disable: true}
  - id: slo02
    description: This is SLO 02.
    objective: 95%
    period: PERIOD
    labels:
      global03k1: global03v1
    sli:
      error_ratio: |
        sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))
        /
        sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))
    alerting:
      disable: true
"#;

/// Sloth's `AlertWindows` file as the project's `slo_windows` entry.
fn slo_windows(file: &str) -> String {
    let root = parse_yaml(&std::fs::read_to_string(fixtures().join(file)).unwrap());
    let spec = root.get("spec").unwrap();
    let mut out = format!(
        "slo_windows:\n  - period: {}\n",
        scalar(spec, "sloPeriod").unwrap()
    );
    for kind in ["page", "ticket"] {
        out.push_str(&format!("    {kind}:\n"));
        for speed in ["quick", "slow"] {
            let w = spec.get(kind).and_then(|k| k.get(speed)).unwrap();
            out.push_str(&format!(
                "      {speed}: {{budget_consumed: {}%, short: {}, long: {}}}\n",
                scalar(w, "errorBudgetPercent").unwrap(),
                scalar(w, "shortWindow").unwrap(),
                scalar(w, "longWindow").unwrap(),
            ));
        }
    }
    out
}

/// The rule file promspec generates for the case.
fn promspec_rules(case: &Case) -> String {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("specs");
    std::fs::create_dir_all(&specs).unwrap();
    let mut project = PROJECT.to_string();
    if let Some(w) = case.windows {
        project.push_str(&slo_windows(w));
    }
    std::fs::write(specs.join("promspec.yaml"), project).unwrap();
    std::fs::write(
        specs.join("svc01.yaml"),
        SPEC.replace("PERIOD", case.period),
    )
    .unwrap();
    let loaded = pipeline::load(&specs).unwrap();
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == promspec::diag::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    pipeline::compile(loaded.workspace.as_ref().unwrap())
        .into_iter()
        .find(|o| o.path == "prometheus/svc01.rules.yml")
        .unwrap()
        .content
}

#[test]
fn alert_conditions_have_sloths_windows_and_thresholds() {
    for case in &CASES {
        let sloth = alerts(&sloth_rules(case), "myServiceAlert", "sloth_severity");
        let ours = alerts(&promspec_rules(case), "myServiceAlert", "slo_tier");
        assert_eq!(sloth.len(), 2, "{}: a page and a ticket alert", case.period);
        assert_eq!(ours.len(), 4, "{}: four tiers", case.period);
        for (kind, sloth_clauses) in &sloth {
            let ours: Vec<Clause> = ["quick", "slow"]
                .iter()
                .map(|speed| {
                    let tier = format!("{kind}-{speed}");
                    let (_, c) = ours.iter().find(|(t, _)| *t == tier).unwrap();
                    assert_eq!(c.len(), 1, "{tier}: one clause per tier");
                    c[0]
                })
                .collect();
            assert_eq!(sloth_clauses.len(), 2, "{kind}: quick or slow");
            for (s, o) in sloth_clauses.iter().zip(&ours) {
                assert_eq!(
                    (s.short, s.long),
                    (o.short, o.long),
                    "{} {kind}: windows",
                    case.period
                );
                assert!(
                    same_threshold(s.threshold, o.threshold),
                    "{} {kind}: threshold {} (Sloth) ≠ {} (promspec)",
                    case.period,
                    s.threshold,
                    o.threshold
                );
            }
        }
    }
}

/// One input scenario: the error ratio held from [`ERRORS_START`] on.
struct Scenario {
    name: String,
    ratio: f64,
    end: Duration,
    /// The promspec tier the ratio is just below or above.
    tier: String,
    above: bool,
}

fn scenarios(tiers: &[(String, Vec<Clause>)]) -> Vec<Scenario> {
    let mut out = Vec::new();
    for (tier, clauses) in tiers {
        let c = clauses[0];
        for above in [false, true] {
            let ratio = c.threshold * if above { 1.0 + MARGIN } else { 1.0 - MARGIN };
            out.push(Scenario {
                name: format!("{tier}-{}", if above { "above" } else { "below" }),
                ratio,
                // Long enough for the long window to fill at this ratio.
                end: ERRORS_START + c.long + EVAL * 6,
                tier: tier.clone(),
                above,
            });
        }
    }
    out
}

fn steps(d: Duration) -> u64 {
    d.as_secs() / STEP.as_secs()
}

/// The group names of a rule file, in file order.
fn group_names(rules: &str) -> Vec<String> {
    parse_yaml(rules)
        .get("groups")
        .and_then(Node::as_seq)
        .unwrap()
        .iter()
        .map(|g| scalar(g, "name").unwrap().to_string())
        .collect()
}

/// A promtool test file running `rules` over every scenario, expecting no
/// alert at every evaluation: promtool's failures list what fired.
///
/// The groups are evaluated in file order (`group_eval_order`): promtool
/// otherwise evaluates groups in random order, and Sloth's alerts, in a
/// group of their own, would sometimes read the recorded ratios of the
/// previous evaluation. (promspec's SLO rules are one group, evaluated in order.)
fn test_file(file: &str, rules: &str, scenarios: &[Scenario]) -> String {
    let mut out = format!(
        "rule_files: [{file}]\nevaluation_interval: {}\ngroup_eval_order: [{}]\ntests:\n",
        format_duration(EVAL),
        group_names(rules).join(", ")
    );
    for s in scenarios {
        let samples = steps(s.end);
        let quiet = steps(ERRORS_START);
        // Errors per step so that errors / (good + errors) = ratio.
        let errors = GOOD_PER_STEP * s.ratio / (1.0 - s.ratio);
        out.push_str(&format!(
            "  - name: {}\n    interval: {}\n    input_series:\n      - series: 'http_request_duration_seconds_count{{job=\"myservice\",code=\"200\"}}'\n        values: '0+{GOOD_PER_STEP}x{samples}'\n      - series: 'http_request_duration_seconds_count{{job=\"myservice\",code=\"500\"}}'\n        values: '0x{quiet} 0+{errors}x{}'\n    alert_rule_test:\n",
            s.name,
            format_duration(STEP),
            samples - quiet - 1
        ));
        let mut t = Duration::ZERO;
        while t <= s.end {
            out.push_str(&format!(
                "      - {{alertname: myServiceAlert, eval_time: {}, exp_alerts: []}}\n",
                format_duration(t)
            ));
            t += EVAL;
        }
    }
    out
}

/// What fired: scenario → evaluation time → the values of the tier labels
/// (`sloth_severity` for Sloth's alerts, `slo_tier` for promspec's).
type Fired = BTreeMap<String, BTreeMap<Duration, BTreeSet<String>>>;

fn run_promtool(dir: &Path, name: &str, test: &str) -> Fired {
    let path = dir.join(format!("{name}.test.yml"));
    std::fs::write(&path, test).unwrap();
    let out = Command::new("promtool")
        .args(["test", "rules"])
        .arg(&path)
        .output()
        .expect("promtool must be installed (apt-get install prometheus; scripts/test.sh does it)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("SUCCESS") || stderr.contains("alertname:"),
        "promtool could not run the test:\n{stdout}\n{stderr}"
    );
    let name_re = regex::Regex::new(r"^\s*name: (.+),$").unwrap();
    let alert_re = regex::Regex::new(r"^\s*alertname: \w+, time: (\w+),").unwrap();
    let tier_re = regex::Regex::new(r#"(?:sloth_severity|slo_tier)="([a-z-]+)""#).unwrap();
    let mut fired = Fired::new();
    let (mut scenario, mut time) = (String::new(), Duration::ZERO);
    for line in stdout.lines().chain(stderr.lines()) {
        if let Some(c) = name_re.captures(line) {
            scenario = c[1].to_string();
        } else if let Some(c) = alert_re.captures(line) {
            time = parse_duration(&c[1]).unwrap();
        } else if line.trim_start().starts_with("Labels:") {
            for c in tier_re.captures_iter(line) {
                fired
                    .entry(scenario.clone())
                    .or_default()
                    .entry(time)
                    .or_default()
                    .insert(c[1].to_string());
            }
        }
    }
    fired
}

#[test]
fn sloth_and_promspec_alerts_fire_at_the_same_evaluation_times() {
    for case in &CASES {
        let dir = tempfile::tempdir().unwrap();
        let sloth = sloth_rules(case);
        let ours = promspec_rules(case);
        std::fs::write(dir.path().join("sloth.rules.yml"), &sloth).unwrap();
        std::fs::write(dir.path().join("promspec.rules.yml"), &ours).unwrap();
        let tiers = alerts(&ours, "myServiceAlert", "slo_tier");
        let scenarios = scenarios(&tiers);
        let (sloth_fired, our_fired) = std::thread::scope(|scope| {
            let sloth = scope.spawn(|| {
                run_promtool(
                    dir.path(),
                    "sloth",
                    &test_file("sloth.rules.yml", &sloth, &scenarios),
                )
            });
            let ours = run_promtool(
                dir.path(),
                "promspec",
                &test_file("promspec.rules.yml", &ours, &scenarios),
            );
            (sloth.join().unwrap(), ours)
        });
        for s in &scenarios {
            let empty = BTreeMap::new();
            let sloth_at = sloth_fired.get(&s.name).unwrap_or(&empty);
            let ours_at = our_fired.get(&s.name).unwrap_or(&empty);
            let mut t = Duration::ZERO;
            let mut tier_fired = false;
            while t <= s.end {
                let none = BTreeSet::new();
                let sloth_kinds = sloth_at.get(&t).unwrap_or(&none);
                let our_tiers = ours_at.get(&t).unwrap_or(&none);
                let our_kinds: BTreeSet<String> = our_tiers
                    .iter()
                    .map(|tier| tier.split('-').next().unwrap().to_string())
                    .collect();
                assert_eq!(
                    sloth_kinds,
                    &our_kinds,
                    "{} {}: at {} Sloth fires {sloth_kinds:?}, promspec {our_tiers:?}",
                    case.period,
                    s.name,
                    format_duration(t)
                );
                tier_fired |= our_tiers.contains(&s.tier);
                t += EVAL;
            }
            assert_eq!(
                tier_fired,
                s.above,
                "{} {}: the {} tier {} fire",
                case.period,
                s.name,
                s.tier,
                if s.above { "must" } else { "must not" }
            );
        }
    }
}
