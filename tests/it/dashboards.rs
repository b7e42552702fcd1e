//! The dashboards say what the alerts do: for every threshold of the bundled
//! specs, the threshold lines are the alert rules' comparison values, the
//! panels plot the series the alerts compare, and every alert's
//! `dashboard_url` opens an existing panel of an existing dashboard; an
//! `alerts:` entry's opens the stat that counts that alert's firing series.
//!
//! Both sides are read back from `generated/` (the rule files as YAML, the
//! dashboards as JSON), as Prometheus and Grafana would read them.

use std::collections::{BTreeMap, BTreeSet};

use std::path::Path;

use crate::support::root;
use promspec::compile::conventions as names;
use promspec::promql::MatchOp;
use promspec::source::SourceId;
use promspec::yaml::{self, Node};
use serde_json::Value;

/// An alert rule read back from a generated rule file.
#[derive(Debug)]
struct Alert {
    name: String,
    selector: String,
    operator: String,
    value: f64,
    dashboard_url: String,
}

fn scalar<'a>(node: &'a Node, key: &str) -> &'a str {
    node.get(key)
        .and_then(Node::as_scalar)
        .map(|s| s.value.as_str())
        .unwrap_or_else(|| panic!("rule without `{key}`"))
}

fn alerts() -> Vec<Alert> {
    let mut out = Vec::new();
    let dir = root().join("generated/prometheus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".rules.yml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let docs = yaml::parse(SourceId(0), &text).unwrap();
        for group in docs[0].root.get("groups").unwrap().as_seq().unwrap() {
            for rule in group.get("rules").unwrap().as_seq().unwrap() {
                // Threshold alerts only: SLO alerts (with an `slo` label)
                // compare two windows and have their own dashboard row.
                if rule.get("alert").is_none()
                    || rule.get("labels").and_then(|l| l.get("slo")).is_some()
                {
                    continue;
                }
                // `<selector> <op> <number>`, as the compiler writes it;
                // `alerts:` entries (written as is) have no threshold panel.
                let expr = scalar(rule, "expr");
                if !expr.contains("threshold=\"") {
                    continue;
                }
                let (rest, number) = expr.rsplit_once(' ').unwrap();
                let (selector, operator) = rest.rsplit_once(' ').unwrap();
                out.push(Alert {
                    name: scalar(rule, "alert").to_string(),
                    selector: selector.to_string(),
                    operator: operator.to_string(),
                    value: number.parse().unwrap(),
                    dashboard_url: scalar(rule.get("annotations").unwrap(), "dashboard_url")
                        .to_string(),
                });
            }
        }
    }
    out
}

/// Every generated dashboard by uid.
fn dashboards() -> BTreeMap<String, Value> {
    std::fs::read_dir(root().join("generated/grafana"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let d: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (d["uid"].as_str().unwrap().to_string(), d)
        })
        .collect()
}

fn panels(dashboard: &Value) -> &Vec<Value> {
    dashboard["panels"].as_array().unwrap()
}

/// Every alerting rule of the rule files in `dir`: its name and its
/// `dashboard_url`.
pub fn alert_urls(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let file = entry.unwrap().path();
        if !file.to_string_lossy().ends_with(".rules.yml") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let docs = yaml::parse(SourceId(0), &text).unwrap();
        for group in docs[0].root.get("groups").unwrap().as_seq().unwrap() {
            for rule in group.get("rules").unwrap().as_seq().unwrap() {
                if rule.get("alert").is_some() {
                    out.push((
                        scalar(rule, "alert").to_string(),
                        scalar(rule.get("annotations").unwrap(), "dashboard_url").to_string(),
                    ));
                }
            }
        }
    }
    out.sort();
    out
}

/// The alert names a panel's queries select from `ALERTS` (`alertname="…"`),
/// read back by parsing each query as PromQL.
pub fn queried_alertnames(panel: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for expr in target_exprs(panel) {
        let parsed = promspec::promql::parse(expr, Default::default())
            .unwrap_or_else(|e| panic!("invalid PromQL `{expr}`: {e:?}"));
        for selector in &parsed.facts().selectors {
            if selector.metric.as_deref() != Some("ALERTS") {
                continue;
            }
            out.extend(
                selector
                    .matchers
                    .iter()
                    .filter(|m| m.name == "alertname" && m.op == MatchOp::Equal)
                    .map(|m| m.value.clone()),
            );
        }
    }
    out
}

/// The panel `id` of `dashboard`.
pub fn panel(dashboard: &Value, id: u64) -> Option<&Value> {
    panels(dashboard).iter().find(|p| p["id"] == id)
}

/// `https://grafana.example.com/d/<uid>/<slug>?viewPanel=<id>` → (uid, id).
pub fn panel_ref(url: &str) -> (String, u64) {
    let (path, query) = url
        .split_once('?')
        .unwrap_or_else(|| panic!("{url} opens no panel"));
    let uid = path.split("/d/").nth(1).unwrap().split('/').next().unwrap();
    let id = query.strip_prefix("viewPanel=").unwrap().parse().unwrap();
    (uid.to_string(), id)
}

fn step_values(panel: &Value) -> BTreeSet<String> {
    panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["value"].is_null())
        .map(|s| s["value"].as_f64().unwrap().to_string())
        .collect()
}

fn target_exprs(panel: &Value) -> Vec<&str> {
    panel["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["expr"].as_str().unwrap())
        .collect()
}

/// The instance filter a per-instance panel adds to the alert's selector.
const INSTANCE_FILTER: &str = ",instance=~\"$instance\"}";

/// The series a panel plots, without the dashboard's instance filter.
fn plotted_series(panel: &Value) -> Vec<String> {
    target_exprs(panel)
        .into_iter()
        .map(|e| match e.strip_suffix(INSTANCE_FILTER) {
            Some(selector) => format!("{selector}}}"),
            None => e.to_string(),
        })
        .collect()
}

#[test]
fn threshold_lines_equal_alert_levels() {
    let alerts = alerts();
    let dashboards = dashboards();
    // Levels of one threshold share the alert name.
    let mut by_name: BTreeMap<&str, Vec<&Alert>> = BTreeMap::new();
    for a in &alerts {
        by_name.entry(&a.name).or_default().push(a);
    }
    let threshold_count: usize = [
        "camp-backend",
        "feature-flag-api",
        "mirai-knowledge-app",
        "mycats",
        "new-feature",
    ]
    .iter()
    .map(|f| {
        let text = std::fs::read_to_string(root().join(format!("specs/{f}.yaml"))).unwrap();
        // Thresholds only: the `alerts:` and `slos:` sections come after.
        let thresholds = text
            .split("\nalerts:")
            .next()
            .unwrap()
            .split("\nslos:")
            .next()
            .unwrap();
        thresholds
            .lines()
            .filter(|l| l.starts_with("  - id: "))
            .count()
    })
    .sum();
    assert_eq!(
        by_name.len(),
        threshold_count,
        "one alert name per threshold"
    );

    for (name, levels) in &by_name {
        let urls: BTreeSet<&str> = levels.iter().map(|a| a.dashboard_url.as_str()).collect();
        assert_eq!(urls.len(), 1, "{name}: levels link to different panels");
        let (uid, id) = panel_ref(urls.first().unwrap());
        let dashboard = &dashboards[&uid];
        let graph = panels(dashboard)
            .iter()
            .find(|p| p["id"] == id)
            .unwrap_or_else(|| panic!("{name}: no panel {id} in {uid}"));
        assert_eq!(graph["type"], "timeseries", "{name}");
        assert_eq!(
            graph["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"], "line",
            "{name}: levels are drawn as lines"
        );

        let selectors: BTreeSet<&str> = levels.iter().map(|a| a.selector.as_str()).collect();
        assert_eq!(selectors.len(), 1, "{name}");
        let selector = *selectors.first().unwrap();
        assert_eq!(
            plotted_series(graph),
            [selector],
            "{name}: the graph plots what the alert compares"
        );

        let levels_values: BTreeSet<String> = levels.iter().map(|a| a.value.to_string()).collect();
        assert_eq!(
            step_values(graph),
            levels_values,
            "{name}: threshold lines ≠ alert levels"
        );

        // The stat panel beside it shows the same series coloured by the same levels.
        let stat = panels(dashboard)
            .iter()
            .find(|p| p["type"] == "stat" && plotted_series(p) == [selector])
            .unwrap_or_else(|| panic!("{name}: no stat panel"));
        assert_eq!(
            step_values(stat),
            levels_values,
            "{name}: stat steps ≠ alert levels"
        );

        // Below a `below` level the stat is in alert; above an `above` level too.
        let steps = stat["fieldConfig"]["defaults"]["thresholds"]["steps"]
            .as_array()
            .unwrap();
        for a in levels {
            let colour_from = |v: f64| {
                steps
                    .iter()
                    .rev()
                    .find(|s| s["value"].as_f64().is_none_or(|sv| sv <= v))
                    .map(|s| s["color"].as_str().unwrap())
                    .unwrap()
            };
            let firing = match a.operator.as_str() {
                ">" => colour_from(a.value * 1.0001 + 1e-9),
                "<" => colour_from(a.value * 0.9999 - 1e-9),
                op => panic!("{name}: unexpected operator {op}"),
            };
            assert_ne!(firing, "green", "{name}: a firing value is coloured as OK");
        }
    }
}

/// Every alert (threshold levels, `alerts:` entries, no-data and SLO
/// alerts) opens an existing panel; an `alerts:` entry opens the stat that
/// counts its own firing series.
#[test]
fn every_dashboard_url_points_at_an_existing_panel() {
    let dashboards = dashboards();
    let loaded = promspec::pipeline::load(&root().join("specs")).unwrap();
    let ws = loaded.workspace.unwrap();
    let entries: BTreeSet<String> = ws
        .features
        .iter()
        .flat_map(|f| f.alerts.iter().map(|a| names::spec_alert_name(f, a)))
        .collect();
    assert!(
        !entries.is_empty(),
        "the bundled specs have `alerts:` entries"
    );
    let mut opened = BTreeSet::new();
    let urls = alert_urls(&root().join("generated/prometheus"));
    assert!(urls.len() > entries.len());
    for (name, url) in urls {
        let (uid, id) = panel_ref(&url);
        let dashboard = dashboards
            .get(&uid)
            .unwrap_or_else(|| panic!("{name}: no dashboard with uid {uid}"));
        let panel = panel(dashboard, id)
            .unwrap_or_else(|| panic!("{name}: dashboard {uid} has no panel {id}"));
        if entries.contains(&name) {
            assert_eq!(panel["type"], "stat", "{name}: {panel:#}");
            assert_eq!(queried_alertnames(panel), [name.as_str()], "{panel:#}");
            opened.insert(name);
        }
    }
    assert_eq!(opened, entries, "every `alerts:` entry opens its own panel");
}

#[test]
fn every_target_uses_the_datasource_variable() {
    for (uid, dashboard) in dashboards() {
        let vars = dashboard["templating"]["list"].as_array().unwrap();
        assert!(
            vars.iter().any(|v| v["name"] == "datasource"
                && v["type"] == "datasource"
                && v["query"] == "prometheus"),
            "{uid}: no prometheus datasource variable"
        );
        for panel in panels(&dashboard).iter().filter(|p| p["type"] != "row") {
            assert_eq!(panel["datasource"]["uid"], "${datasource}", "{uid}");
            for t in panel["targets"].as_array().unwrap() {
                assert_eq!(t["datasource"]["uid"], "${datasource}", "{uid}");
            }
        }
        let annotations = dashboard["annotations"]["list"].as_array().unwrap();
        let alerts: Vec<_> = annotations
            .iter()
            .filter(|a| a["builtIn"].is_null())
            .collect();
        assert_eq!(alerts.len(), 1, "{uid}: one firing-alerts annotation");
        assert_eq!(alerts[0]["datasource"]["uid"], "${datasource}");
        assert!(
            alerts[0]["target"]["expr"]
                .as_str()
                .unwrap()
                .starts_with("ALERTS{alertstate=\"firing\",feature"),
            "{uid}"
        );
    }
}

#[test]
fn panels_have_unique_ids_and_do_not_overlap() {
    for (uid, dashboard) in dashboards() {
        let mut ids = BTreeSet::new();
        let mut cells = BTreeSet::new();
        for p in panels(&dashboard) {
            assert!(
                ids.insert(p["id"].as_u64().unwrap()),
                "{uid}: duplicate id {}",
                p["id"]
            );
            let g = &p["gridPos"];
            let (x, y, w, h) = (
                g["x"].as_u64().unwrap(),
                g["y"].as_u64().unwrap(),
                g["w"].as_u64().unwrap(),
                g["h"].as_u64().unwrap(),
            );
            assert!(
                x + w <= 24,
                "{uid}: panel {} is wider than the grid",
                p["id"]
            );
            for cx in x..x + w {
                for cy in y..y + h {
                    assert!(
                        cells.insert((cx, cy)),
                        "{uid}: panel {} overlaps another",
                        p["id"]
                    );
                }
            }
        }
        assert!(
            uid.len() <= 40,
            "{uid}: longer than Grafana's 40 characters"
        );
    }
}

/// A file as the pipeline compiles it from the bundled specs.
fn compiled(path: &str) -> String {
    let loaded = promspec::pipeline::load(&root().join("specs")).unwrap();
    promspec::pipeline::compile(loaded.workspace.as_ref().unwrap())
        .into_iter()
        .find(|o| o.path == path)
        .unwrap_or_else(|| panic!("{path} is not generated"))
        .content
}

#[test]
fn snapshot_of_a_feature_dashboard() {
    insta::assert_snapshot!(
        "dashboard-new-feature",
        compiled("grafana/new-feature.json")
    );
}

#[test]
fn snapshot_of_a_dashboard_with_per_instance_and_below_thresholds() {
    insta::assert_snapshot!("dashboard-mycats", compiled("grafana/mycats.json"));
}

/// The "Other alerts" row of a feature with an `alerts:` entry (Japanese).
#[test]
fn snapshot_of_the_other_alerts_row() {
    let dashboard: Value =
        serde_json::from_str(&compiled("grafana/feature-flag-api.json")).unwrap();
    let row: Vec<&Value> = panels(&dashboard)
        .iter()
        .filter(|p| p["id"].as_u64().unwrap() >= u64::from(names::SPEC_ALERTS_ROW_PANEL_ID))
        .collect();
    insta::assert_json_snapshot!("dashboard-other-alerts-row", row);
}

#[test]
fn snapshot_of_the_overview_dashboard() {
    insta::assert_snapshot!("dashboard-overview", compiled("grafana/overview.json"));
}

#[test]
fn every_dashboard_query_is_valid_promql() {
    for (uid, dashboard) in dashboards() {
        let mut exprs: Vec<String> = panels(&dashboard)
            .iter()
            .filter(|p| p["type"] != "row")
            .flat_map(|p| {
                target_exprs(p)
                    .into_iter()
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .collect();
        for a in dashboard["annotations"]["list"].as_array().unwrap() {
            if let Some(expr) = a["target"]["expr"].as_str() {
                exprs.push(expr.to_string());
            }
        }
        assert!(!exprs.is_empty());
        for expr in exprs {
            assert!(
                promspec::promql::parse(&expr, Default::default()).is_ok(),
                "{uid}: invalid PromQL `{expr}`"
            );
        }
    }
}

#[test]
fn per_instance_panels_are_filtered_by_the_instance_variable() {
    let mut filtered = 0;
    for (uid, dashboard) in dashboards() {
        let uses = panels(&dashboard)
            .iter()
            .filter(|p| p["type"] != "row")
            .filter(|p| target_exprs(p).iter().any(|e| e.ends_with(INSTANCE_FILTER)))
            .count();
        filtered += uses;
        let var = dashboard["templating"]["list"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == "instance");
        match var {
            Some(v) => {
                assert!(uses > 0, "{uid}: an instance variable nothing uses");
                assert_eq!(v["type"], "query");
                assert_eq!(v["datasource"]["uid"], "${datasource}");
                assert_eq!(v["includeAll"], true);
                assert_eq!(
                    v["allValue"], ".*",
                    "{uid}: All must keep series without the label"
                );
                let query = v["query"].as_str().unwrap();
                let selector = query
                    .strip_prefix("label_values(")
                    .and_then(|q| q.strip_suffix(", instance)"))
                    .unwrap();
                assert!(promspec::promql::parse(selector, Default::default()).is_ok());
            }
            None => assert_eq!(uses, 0, "{uid}: panels use $instance but it is not defined"),
        }
    }
    assert!(filtered > 0);
}
