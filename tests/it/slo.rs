//! SLOs in the bundled specs (issue 11): the dashboard shows what the
//! burn-rate alerts do.

use std::collections::BTreeMap;

use promspec::source::SourceId;
use promspec::yaml::{self, Node};
use serde_json::Value;

use crate::support::root;

fn scalar<'a>(node: &'a Node, key: &str) -> &'a str {
    &node.get(key).and_then(Node::as_scalar).unwrap().value
}

/// Every burn-rate alert of the generated rule files: (alert name, tier,
/// factor, dashboard_url).
fn burn_rate_alerts() -> Vec<(String, String, f64, String)> {
    let factor_re = regex::Regex::new(r"> \(([0-9.e+-]+) \* ([0-9.e+-]+)\)").unwrap();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("generated/prometheus")).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".rules.yml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let docs = yaml::parse(SourceId(0), &text).unwrap();
        for group in docs[0].root.get("groups").unwrap().as_seq().unwrap() {
            for rule in group.get("rules").unwrap().as_seq().unwrap() {
                let Some(tier) = rule.get("labels").and_then(|l| l.get("slo_tier")) else {
                    continue;
                };
                let expr = scalar(rule, "expr");
                let c = factor_re.captures(expr).unwrap();
                out.push((
                    scalar(rule, "alert").to_string(),
                    tier.as_scalar().unwrap().value.clone(),
                    c[1].parse().unwrap(),
                    scalar(rule.get("annotations").unwrap(), "dashboard_url").to_string(),
                ));
            }
        }
    }
    out
}

fn panels_by_id(uid: &str) -> BTreeMap<u64, Value> {
    for entry in std::fs::read_dir(root().join("generated/grafana")).unwrap() {
        let d: Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        if d["uid"] == uid {
            return d["panels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p["id"].as_u64().unwrap(), p.clone()))
                .collect();
        }
    }
    panic!("no dashboard `{uid}`");
}

#[test]
fn burn_rate_alerts_link_to_a_panel_that_draws_their_factor() {
    let alerts = burn_rate_alerts();
    assert!(
        alerts.len() >= 12,
        "feature-flag-api carries three SLOs of four tiers"
    );
    let url_re = regex::Regex::new(r"/d/([^/]+)/[^?]+\?viewPanel=(\d+)$").unwrap();
    for (name, tier, factor, url) in alerts {
        let c = url_re
            .captures(&url)
            .unwrap_or_else(|| panic!("{name} {tier}: `{url}` names no panel"));
        let panels = panels_by_id(&c[1]);
        let panel = &panels[&c[2].parse::<u64>().unwrap()];
        let lines: Vec<f64> = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["value"].as_f64())
            .collect();
        assert!(
            lines.contains(&factor),
            "{name} {tier}: panel `{}` draws {lines:?}, not the factor {factor}",
            panel["title"]
        );
        assert_eq!(
            panel["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"],
            "line"
        );
    }
}

fn workspace() -> promspec::spec::model::Workspace {
    let loaded = promspec::pipeline::load(&root().join("specs")).expect("specs load");
    assert!(!loaded.diagnostics.has_errors(), "{:?}", loaded.diagnostics);
    loaded.workspace.expect("a workspace")
}

/// The rules of `rules_of` and the generated tests of `tests_of`, run by promtool.
fn run(
    project: &promspec::spec::model::Project,
    rules_of: &promspec::spec::model::Feature,
    tests_of: &promspec::spec::model::Feature,
) -> promspec::promtool::Outcome {
    use promspec::compile::{conventions, lower, prometheus, unittests};
    let dir = tempfile::tempdir().unwrap();
    let rules_path = dir.path().join(conventions::rules_path(rules_of));
    let tests_path = dir.path().join(conventions::rule_tests_path(tests_of));
    std::fs::create_dir_all(rules_path.parent().unwrap()).unwrap();
    std::fs::write(
        &rules_path,
        prometheus::render(rules_of, &lower::feature(project, rules_of)),
    )
    .unwrap();
    std::fs::write(
        &tests_path,
        unittests::render(project, tests_of, &unittests::plan(project, tests_of)),
    )
    .unwrap();
    let bin = promspec::promtool::locate(None).unwrap_or_else(|e| panic!("{e}"));
    promspec::promtool::test_rules(&bin, &tests_path).expect("promtool runs")
}

/// The generated tests of every burn-rate tier pass, and fail when an
/// objective moves by a tenth of a percent or a tier's window by one
/// evaluation interval.
#[test]
fn tier_tests_fail_when_an_objective_or_a_window_moves() {
    use promspec::spec::slo::model::round_ratio;
    let ws = workspace();
    let mut mutations = Vec::new();
    for feature in ws.features.iter().filter(|f| !f.slos.is_empty()) {
        assert!(
            run(&ws.project, feature, feature).passed,
            "{}: the generated tests fail on the generated rules",
            feature.slug
        );
        for (i, slo) in feature.slos.iter().enumerate() {
            let mut objective = feature.clone();
            let s = &mut objective.slos[i];
            s.objective = round_ratio(s.objective - 0.001);
            let budget = s.error_budget();
            for t in &mut s.tiers {
                t.alert.value = round_ratio(t.factor * budget);
            }
            mutations.push((
                format!("{}/{} objective", feature.slug, slo.id),
                objective,
                feature,
            ));
            for (k, tier) in slo.tiers.iter().enumerate() {
                let mut window = feature.clone();
                window.slos[i].tiers[k].window.long += feature.evaluation_interval;
                mutations.push((
                    format!(
                        "{}/{} {} long window",
                        feature.slug,
                        slo.id,
                        tier.kind.as_str()
                    ),
                    window,
                    feature,
                ));
            }
        }
    }
    assert!(mutations.len() >= 15, "{} mutations", mutations.len());
    for (name, mutated, original) in &mutations {
        let outcome = run(&ws.project, mutated, original);
        assert!(!outcome.passed, "{name}: the tests still pass");
        assert!(
            outcome.failures.keys().any(|g| g.contains("/slo/")),
            "{name}: fails without naming an SLO test: {outcome:?}"
        );
    }
}
