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
