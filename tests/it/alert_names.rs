//! Alert names as Prometheus accepts them (any non-empty string), not only
//! identifiers: a project whose alerts are named with parentheses, `%`,
//! `>`, quotes, a backslash, a pipe, backticks, Unicode and spaces builds,
//! and every artifact carries each name verbatim and is accepted by its
//! consumer: promtool (rules and the generated unit tests), amtool
//! (config, and routing each name exactly as promspec does), the Markdown
//! tables (one cell per column, the name as written), the feature
//! dashboard (each alert's stat queries `ALERTS` for the name as written)
//! and `promspec diff`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::dashboards::{alert_urls, panel, panel_ref, queried_alertnames};
use crate::support::{copy_dir, promspec, root, text, yaml_to_json};

/// The fixture's alert names, as the specs write them.
const NAMES: &[&str] = &[
    "PostgresqlBloatIndexHigh(>80%)",
    r#"Disk "root" \ full | 90%"#,
    "接続数が多い (>80%)",
    r"Slow `query` \| a_b_*c*",
    "Elasticsearch production cluster unhealthy",
    r#"Replica "lag" \ `high`"#,
    r#"Disk "root" \ full | 90%NoData"#,
];

fn built() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &root().join("tests/fixtures/alert-names/specs"),
        &dir.path().join("specs"),
    );
    let out = promspec(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir
}

fn tool(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} must be installed: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// `name=value` in Alertmanager's matcher notation, the value quoted.
fn label_arg(name: &str, value: &str) -> String {
    let escaped = value
        .replace('\\', r"\\")
        .replace('\n', r"\n")
        .replace('"', "\\\"");
    format!("{name}=\"{escaped}\"")
}

#[test]
fn hostile_names_build_and_every_consumer_accepts_them() {
    let dir = built();
    let p = dir.path();
    tool(
        p,
        "promtool",
        &["check", "rules", "generated/prometheus/hostile.rules.yml"],
    );
    tool(
        p,
        "promtool",
        &["test", "rules", "generated/prometheus/hostile.test.yml"],
    );
    tool(
        p,
        "amtool",
        &["check-config", "generated/alertmanager/alertmanager.yml"],
    );

    // The rule file and the unit tests carry every name verbatim.
    let rules = yaml_to_json(
        &std::fs::read_to_string(p.join("generated/prometheus/hostile.rules.yml")).unwrap(),
    );
    let alerts: Vec<&str> = rules["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap())
        .filter_map(|r| r["alert"].as_str())
        .collect();
    let tests = yaml_to_json(
        &std::fs::read_to_string(p.join("generated/prometheus/hostile.test.yml")).unwrap(),
    );
    let tested: Vec<&str> = tests["tests"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["alert_rule_test"].as_array().into_iter().flatten())
        .filter_map(|c| c["alertname"].as_str())
        .collect();
    for name in NAMES {
        assert!(alerts.contains(name), "{name:?} not in {alerts:?}");
    }
    for name in &NAMES[..4] {
        assert!(tested.contains(name), "{name:?} untested: {tested:?}");
    }

    // Routing: amtool and `promspec routes test` send each name to the same
    // receivers, and the override by name (`notify: [dba]`) applies, to the
    // critical level and to its critical no-data alert alike.
    let config = "generated/alertmanager/alertmanager.yml";
    for (name, severity, receiver) in [
        (NAMES[0], "critical", "pager"),
        (NAMES[1], "critical", "dba"),
        (NAMES[2], "warning", "dba"),
        (NAMES[3], "info", "chat"),
        (NAMES[4], "critical", "dba"),
        (NAMES[5], "warning", "chat"),
        (NAMES[6], "critical", "dba"),
    ] {
        let alertname = label_arg("alertname", name);
        let severity = format!("severity={severity}");
        let amtool = tool(
            p,
            "amtool",
            &[
                "config",
                "routes",
                "test",
                "--config.file",
                config,
                "feature=hostile",
                &severity,
                &alertname,
            ],
        );
        let ours = promspec(
            p,
            &["routes", "test", "feature=hostile", &severity, &alertname],
        );
        assert!(ours.status.success(), "{}", text(&ours.stderr));
        let ours = text(&ours.stdout);
        assert_eq!(amtool.trim(), receiver, "{name:?}");
        assert_eq!(ours.lines().next(), Some(receiver), "{name:?}: {ours}");
    }

    // routing.md: every row has its columns, and the name cell shows the name.
    let routing = std::fs::read_to_string(p.join("generated/docs/routing.md")).unwrap();
    let header = routing
        .lines()
        .find(|l| l.starts_with('|'))
        .expect("a table");
    let columns = cells(header).len();
    let mut shown = Vec::new();
    for line in routing.lines().filter(|l| l.starts_with("| `hostile`")) {
        let row = cells(line);
        assert_eq!(row.len(), columns, "{line}");
        shown.push(inline_code(&row[1]));
    }
    for name in NAMES {
        assert!(shown.iter().any(|s| s == name), "{name:?} not in {shown:?}");
    }
    // The alerts table of the feature's runbook page, likewise.
    let page = std::fs::read_to_string(p.join("generated/docs/hostile.md")).unwrap();
    let row = page
        .lines()
        .find(|l| l.starts_with("| cluster |"))
        .expect("the alert's row");
    assert_eq!(inline_code(&cells(row)[1]), NAMES[4]);
}

/// The feature dashboard parses, every query in it is PromQL, and each
/// alert that is not a threshold level has a stat querying `ALERTS` for its
/// name as written; an `alerts:` entry's `dashboard_url` opens that stat.
#[test]
fn the_dashboard_queries_each_hostile_name_as_written() {
    let dir = built();
    let p = dir.path();
    let json = std::fs::read_to_string(p.join("generated/grafana/hostile.json")).unwrap();
    let dashboard: Value = serde_json::from_str(&json).unwrap();
    let panels = dashboard["panels"].as_array().unwrap();
    let mut queried = Vec::new();
    for panel in panels.iter().filter(|p| p["type"] != "row") {
        // Parses every target (in the fixture's dialect), or fails.
        queried.extend(queried_alertnames(panel));
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            assert!(
                promspec::promql::parse(expr, promspec::promql::Dialect::Prometheus2).is_ok(),
                "{expr}"
            );
        }
    }
    // The `alerts:` entries and the no-data alert, one stat each.
    assert_eq!(queried, [NAMES[4], NAMES[5], NAMES[6]]);

    let urls = alert_urls(&p.join("generated/prometheus"));
    for name in &NAMES[4..6] {
        let (_, url) = urls
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name:?} not in {urls:?}"));
        let (uid, id) = panel_ref(url);
        assert_eq!(uid, dashboard["uid"].as_str().unwrap());
        let stat = panel(&dashboard, id).unwrap_or_else(|| panic!("{name:?}: no panel {id}"));
        assert_eq!(stat["type"], "stat");
        assert_eq!(queried_alertnames(stat), [*name]);
    }
}

#[test]
fn diff_reports_a_renamed_hostile_name_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let head = dir.path().join("head");
    copy_dir(
        &root().join("tests/fixtures/alert-names/specs"),
        &base.join("specs"),
    );
    copy_dir(
        &root().join("tests/fixtures/alert-names/specs"),
        &head.join("specs"),
    );
    let spec = head.join("specs/hostile.yaml");
    let before = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(
        &spec,
        before.replace(
            "PostgresqlBloatIndexHigh(>80%)",
            "PG | bloat `index` (>80%)",
        ),
    )
    .unwrap();
    let base_specs = base.join("specs");
    let md = promspec(
        &head,
        &["diff", "--format", "markdown", base_specs.to_str().unwrap()],
    );
    assert_eq!(md.status.code(), Some(0), "{}", text(&md.stderr));
    let md = text(&md.stdout);
    let header = md.lines().find(|l| l.starts_with("| |")).expect("a table");
    let columns = cells(header).len();
    let renamed: Vec<Vec<String>> = md
        .lines()
        .filter(|l| l.starts_with("| alert "))
        .map(cells)
        .collect();
    assert!(!renamed.is_empty(), "{md}");
    for row in &renamed {
        assert_eq!(row.len(), columns, "{row:?}");
    }
    assert!(
        renamed.iter().any(|r| {
            inline_code(&r[3]) == "PostgresqlBloatIndexHigh(>80%)"
                && inline_code(&r[4]) == "PG | bloat `index` (>80%)"
        }),
        "{md}"
    );
}

/// The cells of a GitHub-flavored Markdown table row, as GitHub splits
/// them: a backslash escapes the next character (so `\|` stays in its
/// cell, and `\|` then unescapes to `|`).
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('|') => cell.push('|'),
                Some(n) => {
                    cell.push('\\');
                    cell.push(n);
                }
                None => cell.push('\\'),
            },
            '|' => out.push(std::mem::take(&mut cell).trim().to_string()),
            c => cell.push(c),
        }
    }
    if !cell.trim().is_empty() {
        out.push(cell.trim().to_string());
    }
    out
}

/// The text an inline code cell shows: a CommonMark code span (any fence,
/// one padding space stripped from each side when both are present) or
/// `<code>` with numeric character references.
fn inline_code(cell: &str) -> String {
    if let Some(html) = cell
        .strip_prefix("<code>")
        .and_then(|c| c.strip_suffix("</code>"))
    {
        let mut out = String::new();
        let mut rest = html;
        while let Some(i) = rest.find("&#") {
            out.push_str(&rest[..i]);
            let end = rest[i..].find(';').unwrap() + i;
            let code: u32 = rest[i + 2..end].parse().unwrap();
            out.push(char::from_u32(code).unwrap());
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        return out;
    }
    let fence = cell.len() - cell.trim_start_matches('`').len();
    assert!(fence > 0, "not inline code: {cell}");
    let closing = cell.rfind(&"`".repeat(fence)[..]).unwrap();
    let inner = &cell[fence..closing];
    assert_eq!(&cell[closing..], "`".repeat(fence), "{cell}");
    match inner.strip_prefix(' ').and_then(|i| i.strip_suffix(' ')) {
        Some(stripped) if !inner.trim().is_empty() => stripped.to_string(),
        _ => inner.to_string(),
    }
}
