//! The generated promtool unit tests, run by the real promtool: they pass for
//! every bundled spec and for the edge-case fixture, and they fail when a
//! threshold in the rule file moves by 10% or a `for` changes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use promspec::compile::conventions;
use promspec::compile::unittests::{self, Drive, LevelProbe, ThresholdTest};
use promspec::compile::{lower, prometheus};
use promspec::pipeline;
use promspec::promtool;
use promspec::rulefile::model::{FileKind, Group};
use promspec::rulefile::{Rule, RuleFile};
use promspec::source::Spanned;
use promspec::spec::model::{Direction, Feature, Project, Workspace};
use promspec::spec::units::format_duration;

const EDGE_CASES: &str = "tests/fixtures/unittests/specs";

fn promtool_bin() -> PathBuf {
    // Never skipped: scripts/test.sh installs promtool.
    promtool::locate(None).unwrap_or_else(|e| panic!("{e}"))
}

fn workspace(dir: &str) -> Workspace {
    let loaded = pipeline::load(Path::new(dir)).expect("specs load");
    assert!(
        !loaded.diagnostics.has_errors(),
        "{dir} has errors: {:?}",
        loaded.diagnostics
    );
    loaded.workspace.expect("a workspace")
}

/// Run `jobs` on every core; results in order.
fn parallel<T: Sync, R: Send>(jobs: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut out: Vec<Option<R>> = jobs.iter().map(|_| None).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let f = &f;
                s.spawn(move || {
                    jobs.iter()
                        .enumerate()
                        .skip(w)
                        .step_by(workers)
                        .map(|(i, j)| (i, f(j)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (i, r) in h.join().expect("worker") {
                out[i] = Some(r);
            }
        }
    });
    out.into_iter().map(|r| r.expect("result")).collect()
}

#[test]
fn generated_tests_pass_promtool() {
    let bin = promtool_bin();
    let mut files: Vec<PathBuf> = std::fs::read_dir("generated/prometheus")
        .expect("generated/prometheus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".test.yml"))
        .collect();
    files.sort();
    let ws = workspace("specs");
    assert_eq!(
        files.len(),
        ws.features.len(),
        "one test file per bundled feature; run `promspec build`"
    );
    let outcomes = parallel(&files, |f| {
        promtool::test_rules(&bin, f).expect("promtool runs")
    });
    for (file, outcome) in files.iter().zip(outcomes) {
        assert!(
            outcome.passed,
            "`promtool test rules {}` failed: {:#?}",
            file.display(),
            outcome
        );
    }
}

#[test]
fn every_bundled_threshold_is_tested_from_its_sources() {
    let ws = workspace("specs");
    for feature in &ws.features {
        for t in unittests::plan(&ws.project, feature) {
            assert!(
                matches!(t.drive, Drive::Sources { .. }),
                "{}: {:?}",
                t.group,
                t.drive
            );
        }
    }
}

#[test]
fn edge_case_tests_pass_promtool() {
    let ws = workspace(EDGE_CASES);
    let scratch = tempfile::tempdir().expect("tempdir");
    let report = promtool::run(&ws, &promtool_bin(), scratch.path()).expect("promtool runs");
    assert!(!report.failed(), "{report}");
    let feature = &ws.features[0];
    let drives: Vec<(String, bool)> = unittests::plan(&ws.project, feature)
        .into_iter()
        .map(|t| {
            let direct = match t.drive {
                Drive::Sources { .. } => false,
                Drive::Direct { .. } => true,
                Drive::Untested { reason } => panic!("{}: no test: {reason}", t.group),
            };
            (t.threshold, direct)
        })
        .collect();
    for (threshold, direct) in drives {
        assert_eq!(
            direct,
            threshold == "disk-forecast",
            "{threshold}: only the `predict_linear` query is driven directly"
        );
    }
}

/// One rule-file change that the tests must catch.
struct Mutation {
    name: String,
    feature: Feature,
    project: Project,
    test: ThresholdTest,
    rules: Vec<Rule>,
}

/// The rules of the threshold at `index`: its recording rule and its alerts.
fn threshold_rules(all: &[Rule], index: usize) -> Vec<Rule> {
    let mut blocks: Vec<Vec<Rule>> = Vec::new();
    for r in all {
        if r.is_alert() {
            blocks.last_mut().expect("record first").push(r.clone());
        } else {
            blocks.push(vec![r.clone()]);
        }
    }
    blocks.swap_remove(index)
}

fn with_alert(
    rules: &[Rule],
    level: usize,
    change: impl FnOnce(&mut String, &mut Duration),
) -> Vec<Rule> {
    let mut rules = rules.to_vec();
    let alert = &mut rules[1 + level];
    assert!(alert.is_alert(), "alert expected");
    change(
        &mut alert.expr.text,
        &mut alert.for_.as_mut().expect("an alert has `for`").value,
    );
    rules
}

fn moved_threshold(l: &LevelProbe, up: bool) -> f64 {
    let step = 0.1 * l.scale;
    if up { l.value + step } else { l.value - step }
}

fn mutations(ws: &Workspace) -> Vec<Mutation> {
    let mut out = Vec::new();
    for feature in &ws.features {
        let interval = feature.evaluation_interval;
        let all = lower::feature(&ws.project, feature).groups.remove(0).rules;
        for (index, test) in unittests::plan(&ws.project, feature)
            .into_iter()
            .enumerate()
        {
            if matches!(test.drive, Drive::Untested { .. }) {
                continue;
            }
            let rules = threshold_rules(&all, index);
            let mut push = |name: String, rules: Vec<Rule>| {
                out.push(Mutation {
                    name: format!("{}: {name}", test.group),
                    feature: feature.clone(),
                    project: ws.project.clone(),
                    test: test.clone(),
                    rules,
                })
            };
            push("unchanged rules".into(), rules.clone());
            for (li, l) in test.levels.iter().enumerate() {
                for up in [true, false] {
                    let v = moved_threshold(l, up);
                    let dir = match (l.direction, up) {
                        (Direction::Above, true) | (Direction::Below, false) => "away from",
                        _ => "towards",
                    };
                    push(
                        format!(
                            "{} level moved {dir} its quiet side: {} -> {}",
                            l.level.as_str(),
                            l.value,
                            lower::promql_number(v)
                        ),
                        with_alert(&rules, li, |expr, _| {
                            let (head, _) = expr.rsplit_once(' ').expect("comparison");
                            *expr = format!("{head} {}", lower::promql_number(v));
                        }),
                    );
                }
                let mut fors = vec![l.for_ + interval];
                if l.for_ >= interval {
                    fors.push(l.for_ - interval);
                }
                for f in fors {
                    push(
                        format!(
                            "{} level `for` {} -> {}",
                            l.level.as_str(),
                            format_duration(l.for_),
                            format_duration(f)
                        ),
                        with_alert(&rules, li, |_, for_| *for_ = f),
                    );
                }
            }
        }
    }
    out
}

/// Run promtool on the test of `m.test` against `m.rules` only; whether it passed.
fn run_mutation(bin: &Path, m: &Mutation) -> promtool::Outcome {
    // Only the threshold's rules are written: the SLOs and their tests
    // have their own mutation test (`slo::`), the other alerts theirs
    // (`alerts_section::`).
    let mut feature = m.feature.clone();
    feature.slos.clear();
    feature.alerts.clear();
    for t in &mut feature.thresholds {
        t.no_data = None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let rules_path = dir.path().join(conventions::rules_path(&feature));
    let tests_path = dir.path().join(conventions::rule_tests_path(&feature));
    std::fs::create_dir_all(rules_path.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &rules_path,
        prometheus::render(
            &feature,
            &RuleFile {
                source: feature.source,
                kind: FileKind::Spec,
                groups: vec![Group {
                    name: Spanned::new(conventions::group_name(&feature), feature.slug_span),
                    interval: Some(feature.group_interval()),
                    rules: m.rules.clone(),
                    span: feature.slug_span,
                }],
            },
        ),
    )
    .expect("write rules");
    std::fs::write(
        &tests_path,
        unittests::render(&m.project, &feature, std::slice::from_ref(&m.test)),
    )
    .expect("write tests");
    promtool::test_rules(bin, &tests_path).expect("promtool runs")
}

#[test]
fn tests_fail_when_a_threshold_or_for_changes() {
    let bin = promtool_bin();
    let mut all = mutations(&workspace("specs"));
    all.extend(mutations(&workspace(EDGE_CASES)));
    let started = std::time::Instant::now();
    let outcomes = parallel(&all, |m| run_mutation(&bin, m));
    let mut wrong = Vec::new();
    let mut changed = 0;
    for (m, o) in all.iter().zip(&outcomes) {
        if m.name.ends_with("unchanged rules") {
            if !o.passed {
                wrong.push(format!("{} fail: {o:?}", m.name));
            }
            continue;
        }
        changed += 1;
        if o.passed {
            wrong.push(format!("{} still passes", m.name));
        } else if !o.failures.contains_key(&m.test.group) {
            wrong.push(format!("{} fails without naming its test: {o:?}", m.name));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} runs went wrong:\n{}",
        wrong.len(),
        all.len(),
        wrong.join("\n")
    );
    assert!(changed > 100, "only {changed} mutations");
    eprintln!(
        "{changed} mutations of the rule files, each caught by promtool ({:?})",
        started.elapsed().max(Duration::ZERO)
    );
}

#[test]
fn a_threshold_without_a_test_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        Path::new(EDGE_CASES).join("promspec.yaml"),
        dir.path().join("promspec.yaml"),
    )
    .expect("copy project");
    std::fs::write(
        dir.path().join("slow.yaml"),
        "feature: slow\nteam: qa\nthresholds:\n  - id: yearly\n    query: max(x{job=\"a\"})\n    unit: count\n    warning: {above: 1, for: 1y}\n",
    )
    .expect("write spec");
    let ws = workspace(&dir.path().to_string_lossy());
    let plan = unittests::plan(&ws.project, &ws.features[0]);
    let Drive::Untested { reason } = &plan[0].drive else {
        panic!("{:?}", plan[0].drive)
    };
    assert!(reason.contains("evaluations"), "{reason}");
    let text = unittests::render(&ws.project, &ws.features[0], &plan);
    assert!(text.contains(&format!("  # No test: {reason}.")), "{text}");
    let scratch = tempfile::tempdir().expect("tempdir");
    let report = promtool::run(&ws, &promtool_bin(), scratch.path()).expect("promtool runs");
    assert!(!report.failed(), "{report}");
    assert!(
        report.to_string().contains("  no test  yearly: "),
        "{report}"
    );
}

/// A feature at 30s in a project at 2m: the generated test steps every 30s,
/// and an alert with `for: 1m` fires two evaluations after its value
/// crosses the level, not at the project's next 2m evaluation.
#[test]
fn a_feature_interval_sets_the_step_an_alert_fires_at() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let specs = tmp.path().join("specs");
    std::fs::create_dir(&specs).expect("mkdir");
    let project =
        std::fs::read_to_string(Path::new(EDGE_CASES).join("promspec.yaml")).expect("project");
    assert!(project.contains("\nevaluation_interval: 30s\n"));
    std::fs::write(
        specs.join("promspec.yaml"),
        project.replace(
            "\nevaluation_interval: 30s\n",
            "\nevaluation_interval: 2m\n",
        ),
    )
    .expect("write project");
    std::fs::write(
        specs.join("fast.yaml"),
        "feature: fast\nteam: ops\nevaluation_interval: 30s\nthresholds:\n  - id: queue\n    query: max(queue_depth{job=\"q\"})\n    unit: count\n    warning: {above: 10, for: 1m}\n",
    )
    .expect("write spec");
    let build = crate::support::promspec(tmp.path(), &["build"]);
    assert!(
        build.status.success(),
        "{}",
        crate::support::text(&build.stderr)
    );
    let prom = tmp.path().join("generated/prometheus");
    let test_path = prom.join("fast.test.yml");
    let test_text = std::fs::read_to_string(&test_path).expect("test file");
    let test = crate::support::yaml_to_json(&test_text);
    assert_eq!(test["evaluation_interval"], "30s", "{test_text}");
    let group = &test["tests"][0];
    assert_eq!(group["interval"], "30s", "{test_text}");

    // The timeline crosses the level at T and says the alert fires at T + 1m.
    let secs = |d: &str| {
        promspec::spec::units::parse_duration(d)
            .unwrap_or_else(|| panic!("`{d}` is a duration"))
            .as_secs()
    };
    let (crossed, fires) = test_text
        .lines()
        .find_map(|l| {
            let rest = l.trim_start().strip_prefix("# ")?;
            let (at, what) = rest.split_once(": ")?;
            let fires = what.split("which fires at ").nth(1)?.trim_end_matches(')');
            Some((secs(at), secs(fires)))
        })
        .unwrap_or_else(|| panic!("no crossing in the timeline:\n{test_text}"));
    assert_eq!(fires - crossed, 60, "{test_text}");
    // Quiet one 30s step before, firing at that step.
    let checks = group["alert_rule_test"].as_array().expect("alert tests");
    let at = |t: u64| {
        checks
            .iter()
            .find(|c| secs(c["eval_time"].as_str().unwrap()) == t)
            .unwrap_or_else(|| panic!("no check at {t}s:\n{test_text}"))
    };
    assert_eq!(
        at(fires - 30)["exp_alerts"].as_array().map(Vec::len),
        Some(0)
    );
    assert_eq!(at(fires)["exp_alerts"].as_array().map(Vec::len), Some(1));

    // promtool agrees, and catches a `for` 30s longer.
    let bin = promtool_bin();
    let outcome = promtool::test_rules(&bin, &test_path).expect("promtool runs");
    assert!(outcome.passed, "{outcome:#?}");
    let rules_path = prom.join("fast.rules.yml");
    let rules = std::fs::read_to_string(&rules_path).expect("rules");
    assert!(rules.contains("    interval: 30s\n"), "{rules}");
    assert_eq!(rules.matches("for: 1m\n").count(), 1, "{rules}");
    std::fs::write(&rules_path, rules.replace("for: 1m\n", "for: 1m30s\n")).expect("mutate");
    let outcome = promtool::test_rules(&bin, &test_path).expect("promtool runs");
    assert!(!outcome.passed, "a `for: 1m30s` must fail the 30s test");
}
