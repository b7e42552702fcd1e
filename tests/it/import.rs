//! `promspec import` on real rule files: every file of the corpus
//! (`tests/corpus/rules`, plus `PROMSPEC_CORPUS` when set) imports, the
//! result builds and promtool accepts its rule files; and every converted
//! threshold fires exactly when the original alert fires.
//!
//! Equivalence: for each threshold, the unit test `build` generates drives
//! the query's source series across its levels and back. The same input
//! series are fed to one promtool test that loads BOTH the original rule
//! file and the generated one; at every evaluation of the timeline the
//! firing `ALERTS` of the original (no `feature` label) and of the imported
//! alert (`feature="<slug>"`) must be the same series once the labels
//! promspec adds are ignored, level by level, and the original must fire
//! at least once (the test is not vacuous). Each runs at the interval of
//! the original's group, which the imported feature keeps as its
//! `evaluation_interval` (one promtool test file per interval).
//!
//! A threshold whose generated test feeds the recorded series directly
//! (its query cannot be driven from its sources here) is proven by
//! construction instead: per level, the original expression and
//! `<imported query> <op> <number>` (op and number read from the generated
//! alert, which compares the recorded series of that query) parse to the
//! same syntax tree, and `for` and `keep_firing_for` are the same, so both
//! alerts fire on the same series at the same evaluations. The tally counts
//! driven-proven, structurally-proven and neither; neither must be empty.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::json;

use crate::support::{corpora, promspec, text, yaml_files, yaml_to_json};
use promspec::import::shape::level_of;
use promspec::spec::units::format_duration;

#[derive(Default, Debug)]
struct Tally {
    files: usize,
    thresholds: usize,
    levels: usize,
    alerts: usize,
    records: usize,
    /// Proven by running both rule files on the driven source series.
    equivalent: usize,
    /// Proven by construction (same syntax tree, `for`, `keep_firing_for`).
    structural: usize,
    /// Why the generated test of the structurally-proven ones is not driven.
    not_driven: BTreeMap<String, usize>,
    /// Neither: `file: threshold: why`.
    neither: Vec<String>,
}

#[test]
fn corpus_imports_build_and_fire_like_the_originals() {
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for dir in corpora("corpus/rules") {
        for path in yaml_files(&dir) {
            if let Err(e) = import_one(&dir, &path, &mut tally) {
                failures.push(format!("{}: {e}", path.display()));
            }
        }
    }
    eprintln!("{tally:#?}");
    eprintln!(
        "thresholds: {}, driven-proven: {}, structurally-proven: {}, neither: {}",
        tally.thresholds,
        tally.equivalent,
        tally.structural,
        tally.neither.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(tally.files > 0 && tally.thresholds > 0 && tally.equivalent > 0);
    assert!(
        tally.neither.is_empty(),
        "thresholds proven neither by driving nor by construction:\n{}",
        tally.neither.join("\n")
    );
    assert_eq!(
        tally.equivalent + tally.structural,
        tally.thresholds,
        "{tally:#?}"
    );
}

fn import_one(corpus: &Path, path: &Path, tally: &mut Tally) -> Result<(), String> {
    let rel = path
        .strip_prefix(corpus)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let tmp = tempfile::tempdir().unwrap();
    let specs = tmp.path().join("specs");
    let out = Command::new(crate::support::bin())
        .current_dir(corpus)
        .env("NO_COLOR", "1")
        .args(["import", &rel, "--specs"])
        .arg(&specs)
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(format!(
            "import failed:\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        ));
    }
    let summary = text(&out.stdout);
    tally.files += 1;
    if summary.contains("into 0 spec files") {
        // Documented: a file whose groups hold no rule gives no spec.
        let rules = original_rule_count(&std::fs::read_to_string(path).unwrap());
        return if rules == 0 {
            *tally
                .not_driven
                .entry("file holds no rules".into())
                .or_default() += 0;
            Ok(())
        } else {
            Err(format!("{rules} rules, no spec:\n{summary}"))
        };
    }
    let build = promspec(tmp.path(), &["build"]);
    if !build.status.success() {
        return Err(format!("build failed:\n{}", text(&build.stderr)));
    }
    let prom = tmp.path().join("generated/prometheus");
    if !prom.is_dir() {
        return Err(format!(
            "build wrote no rule file:\n{summary}{}",
            text(&build.stderr)
        ));
    }
    let mut rule_files: Vec<PathBuf> = std::fs::read_dir(&prom)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".rules.yml"))
        .collect();
    rule_files.sort();
    let check = Command::new("promtool")
        .arg("check")
        .arg("rules")
        .args(&rule_files)
        .output()
        .expect("promtool must be installed");
    if !check.status.success() {
        return Err(format!("promtool check rules:\n{}", text(&check.stderr)));
    }

    // The original as written: each group keeps its own `interval:`.
    let original = std::fs::read_to_string(path).unwrap();
    let original_path = tmp.path().join("original.yml");
    std::fs::write(&original_path, &original).unwrap();
    let original_intervals = original_intervals(&original);
    let severities = original_severities(&original);
    let original_rules = original_alerts(&original);
    let generated_rules: Vec<serde_json::Value> = rule_files
        .iter()
        .map(|p| yaml_to_json(&std::fs::read_to_string(p).unwrap()))
        .collect();
    let prove = |slug: &str, t: &serde_json::Value, reason: String, tally: &mut Tally| {
        let id = t["id"].as_str().unwrap();
        match structural(slug, t, &original_rules, &generated_rules) {
            Ok(()) => {
                tally.structural += 1;
                *tally.not_driven.entry(reason).or_default() += 1;
            }
            Err(why) => tally
                .neither
                .push(format!("{rel}: {id}: {why} (not driven: {reason})")),
        }
    };

    // Per evaluation interval, the side-by-side tests: a promtool test file
    // has one `evaluation_interval`, the one both rule files run at.
    let mut tests: BTreeMap<Duration, Vec<serde_json::Value>> = BTreeMap::new();
    let mut names = Vec::new();
    for spec_path in spec_files(&specs) {
        let spec = yaml_to_json(&std::fs::read_to_string(&spec_path).unwrap());
        let slug = spec["feature"].as_str().unwrap().to_string();
        // The feature's interval: its own, else the project's (1m, the
        // project file import creates).
        let interval = spec["evaluation_interval"]
            .as_str()
            .map_or(Duration::from_secs(60), |d| {
                promspec::spec::units::parse_duration(d).expect("a duration")
            });
        let thresholds = spec["thresholds"].as_array().cloned().unwrap_or_default();
        tally.alerts += spec["alerts"].as_array().map_or(0, Vec::len);
        tally.records += spec["records"].as_array().map_or(0, Vec::len);
        if thresholds.is_empty() {
            continue;
        }
        let generated =
            yaml_to_json(&std::fs::read_to_string(prom.join(format!("{slug}.test.yml"))).unwrap());
        let generated_text =
            std::fs::read_to_string(prom.join(format!("{slug}.test.yml"))).unwrap();
        for t in &thresholds {
            tally.thresholds += 1;
            let id = t["id"].as_str().unwrap();
            let Some(alert) = t["alert"].as_str() else {
                tally
                    .neither
                    .push(format!("{rel}: {id}: the original alert name was not kept"));
                continue;
            };
            let levels: Vec<&str> = ["critical", "warning", "info"]
                .into_iter()
                .filter(|l| t.get(*l).is_some())
                .collect();
            tally.levels += levels.len();
            let group = format!("{slug}/{id}");
            let Some(test) = generated["tests"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["name"] == group.as_str())
            else {
                prove(&slug, t, reason(&generated_text, id), tally);
                continue;
            };
            // The imported feature runs at the interval of the original's group.
            match original_intervals.get(alert) {
                Some(own) if own.len() == 1 && own.contains(&interval) => {}
                own => {
                    return Err(format!(
                        "{alert}: the imported feature `{slug}` is evaluated every {}, the original's groups every {own:?}",
                        format_duration(interval)
                    ));
                }
            }
            let generated_interval = generated["evaluation_interval"].as_str().unwrap_or("");
            if generated_interval != format_duration(interval) {
                return Err(format!(
                    "{slug}: the generated test runs every `{generated_interval}`, the feature every {}",
                    format_duration(interval)
                ));
            }
            let inputs = test["input_series"].as_array().unwrap();
            let record_prefix = format!("{}:{}:", slug.replace('-', "_"), id.replace('-', "_"));
            if inputs
                .iter()
                .any(|s| s["series"].as_str().unwrap().starts_with(&record_prefix))
            {
                prove(&slug, t, reason(&generated_text, id), tally);
                continue;
            }
            let end = test["alert_rule_test"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| seconds(c["eval_time"].as_str().unwrap()))
                .max()
                .unwrap();
            let mut diffs = Vec::new();
            for level in &levels {
                let originals: Vec<&String> = severities
                    .get(alert)
                    .into_iter()
                    .flatten()
                    .filter(|s| level_of(s).map(|l| l.as_str()) == Some(*level))
                    .collect();
                assert_eq!(originals.len(), 1, "{rel}: {alert} {level}: {originals:?}");
                let a = format!(
                    "ALERTS{{alertname={},alertstate=\"firing\",feature=\"\",severity={}}}",
                    quote(alert),
                    quote(originals[0])
                );
                let b = format!(
                    "ALERTS{{alertname={},alertstate=\"firing\",feature={},severity=\"{level}\"}}",
                    quote(alert),
                    quote(&slug)
                );
                let ign = "ignoring(feature, threshold, team, priority, severity)";
                diffs.push(format!("({a} unless {ign} {b}) or ({b} unless {ign} {a})"));
            }
            let any_original = format!(
                "ALERTS{{alertname={},alertstate=\"firing\",feature=\"\"}}",
                quote(alert)
            );
            let step = format_duration(interval);
            names.push(group.clone());
            tests.entry(interval).or_default().push(json!({
                "name": group,
                "interval": test["interval"],
                "input_series": test["input_series"],
                "promql_expr_test": [
                    {
                        "expr": format!("count_over_time(({})[{end}s:{step}])", diffs.join(" or ")),
                        "eval_time": format!("{end}s"),
                        "exp_samples": [],
                    },
                    {
                        "expr": format!("clamp_max(max_over_time(count({any_original})[{end}s:{step}]), 1)"),
                        "eval_time": format!("{end}s"),
                        "exp_samples": [{"labels": "{}", "value": 1}],
                    },
                ],
            }));
        }
    }
    let mut rule_paths = vec![original_path.to_string_lossy().into_owned()];
    rule_paths.extend(rule_files.iter().map(|p| p.to_string_lossy().into_owned()));
    for (interval, tests) in tests {
        let file = json!({
            "rule_files": rule_paths,
            "evaluation_interval": format_duration(interval),
            "tests": tests,
        });
        let test_path = tmp.path().join(format!(
            "equivalence-{}.test.json",
            format_duration(interval)
        ));
        std::fs::write(&test_path, serde_json::to_string_pretty(&file).unwrap()).unwrap();
        let run = Command::new("promtool")
            .args(["test", "rules"])
            .arg(&test_path)
            .output()
            .expect("promtool must be installed");
        if !run.status.success() {
            return Err(format!(
                "the imported alerts do not fire like the originals (every {}):\n{}{}",
                format_duration(interval),
                text(&run.stdout),
                text(&run.stderr)
            ));
        }
    }
    tally.equivalent += names.len();
    Ok(())
}

/// One original alerting rule: expression, `for`, `keep_firing_for`.
type OriginalAlert = (String, Duration, Duration);

/// (alert name, level) → the original alerting rules of that level.
fn original_alerts(text: &str) -> BTreeMap<(String, String), Vec<OriginalAlert>> {
    let mut out: BTreeMap<(String, String), Vec<OriginalAlert>> = BTreeMap::new();
    let doc = yaml_to_json(text);
    let groups = doc["groups"]
        .as_array()
        .or_else(|| doc["spec"]["groups"].as_array())
        .cloned()
        .unwrap_or_default();
    for g in groups {
        for r in g["rules"].as_array().cloned().unwrap_or_default() {
            let (Some(name), Some(expr)) = (r["alert"].as_str(), r["expr"].as_str()) else {
                continue;
            };
            let level = r["labels"]["severity"]
                .as_str()
                .and_then(level_of)
                .map_or("warning", |l| l.as_str());
            out.entry((name.to_string(), level.to_string()))
                .or_default()
                .push((
                    expr.to_string(),
                    duration(&r["for"]),
                    duration(&r["keep_firing_for"]),
                ));
        }
    }
    out
}

fn duration(v: &serde_json::Value) -> Duration {
    v.as_str()
        .and_then(promspec::spec::units::parse_duration)
        .unwrap_or_default()
}

/// The proof by construction of threshold `t` of feature `slug`: for each of
/// its levels, the generated alert compares the recorded series of the
/// generated recording rule with a number; the original expression parses
/// to the same tree as `<recording rule's expr> <op> <number>` (or the
/// number first, as the original writes it); `for` and `keep_firing_for`
/// are the same.
fn structural(
    slug: &str,
    t: &serde_json::Value,
    originals: &BTreeMap<(String, String), Vec<OriginalAlert>>,
    generated: &[serde_json::Value],
) -> Result<(), String> {
    use promspec::promql::{self, Dialect, Side};
    let id = t["id"].as_str().unwrap();
    let name = t["alert"].as_str().ok_or("no alert name")?;
    let rules: Vec<&serde_json::Value> = generated
        .iter()
        .flat_map(|f| f["groups"].as_array().into_iter().flatten())
        .flat_map(|g| g["rules"].as_array().into_iter().flatten())
        .filter(|r| r["labels"]["feature"] == slug)
        .collect();
    let record = rules
        .iter()
        .find(|r| r["record"].is_string() && r["labels"]["threshold"] == id)
        .ok_or("no recording rule")?;
    let record_name = record["record"].as_str().unwrap();
    let query = record["expr"].as_str().unwrap();
    let parse = |e: &str| promql::parse(e, Dialect::Prometheus2).map_err(|e| e.to_string());
    let mut levels = 0;
    for level in ["critical", "warning", "info"] {
        if t.get(level).is_none() {
            continue;
        }
        levels += 1;
        let alert = rules
            .iter()
            .find(|r| r["alert"] == name && r["labels"]["severity"] == level)
            .ok_or_else(|| format!("no generated {level} alert"))?;
        let expr = alert["expr"].as_str().unwrap();
        if !expr.starts_with(&format!("{record_name}{{")) {
            return Err(format!(
                "the {level} alert does not read `{record_name}`: {expr}"
            ));
        }
        let cmp = parse(expr)?
            .facts()
            .top_level_comparison
            .clone()
            .ok_or_else(|| format!("the {level} alert is not a comparison: {expr}"))?;
        let (Some(number), Some(Side::Right), false) =
            (cmp.threshold, cmp.threshold_side, cmp.return_bool)
        else {
            return Err(format!(
                "the {level} alert is not `<series> <op> <number>`: {expr}"
            ));
        };
        let op = cmp.op;
        let [(original, for_, keep)] = originals
            .get(&(name.to_string(), level.to_string()))
            .map(Vec::as_slice)
            .unwrap_or_default()
        else {
            return Err(format!("not one original {level} rule"));
        };
        let original_tree = parse(original)?;
        let same = [
            format!("{query} {} {number}", op.as_str()),
            format!("{number} {} {query}", op.flipped().as_str()),
            // Parentheses around the whole expression change nothing.
            format!("({query} {} {number})", op.as_str()),
            format!("({number} {} {query})", op.flipped().as_str()),
        ]
        .iter()
        .any(|c| parse(c).is_ok_and(|c| c.same_tree(&original_tree)));
        if !same {
            return Err(format!(
                "{level}: `{original}` is not `{query} {} {number}`",
                op.as_str()
            ));
        }
        if duration(&alert["for"]) != *for_ || duration(&alert["keep_firing_for"]) != *keep {
            return Err(format!("{level}: `for` or `keep_firing_for` differs"));
        }
    }
    if levels == 0 {
        return Err("no level".into());
    }
    Ok(())
}

fn spec_files(specs: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(specs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "promspec.yaml")
        .collect();
    out.sort();
    out
}

fn original_rule_count(text: &str) -> usize {
    let doc = yaml_to_json(text);
    doc["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| g["rules"].as_array().map_or(0, Vec::len))
        .sum()
}

/// Alert name → the `severity` values of its rules in the original file.
fn original_severities(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let doc = yaml_to_json(text);
    let groups = doc["groups"]
        .as_array()
        .or_else(|| doc["spec"]["groups"].as_array())
        .cloned()
        .unwrap_or_default();
    for g in groups {
        for r in g["rules"].as_array().cloned().unwrap_or_default() {
            if let (Some(name), Some(sev)) = (r["alert"].as_str(), r["labels"]["severity"].as_str())
            {
                out.entry(name.to_string())
                    .or_default()
                    .push(sev.to_string());
            }
        }
    }
    out
}

/// Alert name → the intervals of the groups that hold it (a group without
/// `interval:`, or with `0s`, runs at the project's 1m).
fn original_intervals(text: &str) -> BTreeMap<String, BTreeSet<Duration>> {
    let mut out: BTreeMap<String, BTreeSet<Duration>> = BTreeMap::new();
    let doc = yaml_to_json(text);
    let groups = doc["groups"]
        .as_array()
        .or_else(|| doc["spec"]["groups"].as_array())
        .cloned()
        .unwrap_or_default();
    for g in groups {
        let interval = Some(duration(&g["interval"]))
            .filter(|d| !d.is_zero())
            .unwrap_or(Duration::from_secs(60));
        for r in g["rules"].as_array().cloned().unwrap_or_default() {
            if let Some(name) = r["alert"].as_str() {
                out.entry(name.to_string()).or_default().insert(interval);
            }
        }
    }
    out
}

/// Why the generated test of threshold `id` does not drive its sources.
fn reason(generated: &str, id: &str) -> String {
    let mut lines = generated
        .lines()
        .skip_while(|l| !l.trim_start().starts_with(&format!("# {id}:")));
    lines.next();
    lines
        .next()
        .map(|l| l.trim_start_matches([' ', '#']).to_string())
        .unwrap_or_else(|| "no generated test".into())
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn seconds(d: &str) -> u64 {
    let mut total = 0;
    let mut n = 0u64;
    let mut chars = d.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(digit) = c.to_digit(10) {
            n = n * 10 + u64::from(digit);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'd' => 86400,
            's' => 1,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                n = 0;
                continue;
            }
            'm' => 60,
            other => panic!("duration unit {other}"),
        };
        total += n * unit;
        n = 0;
    }
    total
}

const RULES: &str = r#"groups:
  - name: api
    rules:
      - alert: HighLatency
        expr: histogram_quantile(0.99, sum by (le) (rate(req_seconds_bucket[5m]))) > 0.5
        for: 5m
        labels: {severity: ticket, team: web}
      - alert: HighLatency
        expr: histogram_quantile(0.99, sum by (le) (rate(req_seconds_bucket[5m]))) > 2
        for: 1m
        labels: {severity: page, team: web}
      - alert: QueueFull
        expr: queue_length >= 100
        labels: {severity: warning, team: jobs}
"#;

/// `rules` written to `rules.yml` in a new directory and imported there
/// with `--split-by label:team`; the directory and the printed summary.
fn import_split_by_team(rules: &str) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("rules.yml"), rules).unwrap();
    let out = promspec(
        tmp.path(),
        &["import", "rules.yml", "--split-by", "label:team"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    (tmp, text(&out.stdout))
}

#[test]
fn import_splits_by_label_and_never_overwrites() {
    let (tmp, summary) = import_split_by_team(RULES);
    assert!(
        summary.contains("specs/web.yaml: 1 threshold (2 levels), 0 alerts, 0 records"),
        "{summary}"
    );
    assert!(
        summary.contains("specs/jobs.yaml: 0 thresholds (0 levels), 1 alert, 0 records"),
        "{summary}"
    );
    assert!(
        summary.contains("`QueueFull` kept as alert: `>=` has no exact `above`/`below` form"),
        "{summary}"
    );
    assert!(
        summary.contains("severity `ticket` becomes level warning"),
        "{summary}"
    );
    let web = std::fs::read_to_string(tmp.path().join("specs/web.yaml")).unwrap();
    assert!(web.starts_with("# yaml-language-server"), "{web}");
    assert!(
        web.contains("# Imported by `promspec import` from rules.yml.\n"),
        "{web}"
    );
    assert!(
        web.contains("    unit: seconds\n    critical:\n      above: 2\n      for: 1m\n"),
        "{web}"
    );
    let build = promspec(tmp.path(), &["build"]);
    assert!(build.status.success(), "{}", text(&build.stderr));

    // A second import would overwrite: nothing is written, exit 2.
    let again = promspec(
        tmp.path(),
        &["import", "rules.yml", "--split-by", "label:team"],
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("already exists; import never overwrites a file"));
    // A dangling link counts as an existing file: never written through.
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("nowhere"), other.join("api.yaml")).unwrap();
    let linked = promspec(tmp.path(), &["import", "rules.yml", "--specs", "other"]);
    assert_eq!(linked.status.code(), Some(2), "{}", text(&linked.stderr));
    assert!(!tmp.path().join("nowhere").exists());
    assert!(!other.join("promspec.yaml").exists());
}

/// Every alert keeps its name, however it is written: the corpus files
/// whose names are not identifiers (`PostgresqlBloatIndexHigh(>80%)`)
/// import, build, and the generated rule files hold each original name.
#[test]
fn import_keeps_every_original_alert_name() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/rules");
    let mut hostile = 0;
    for rel in [
        "awesome-prometheus-alerts/postgresql/postgres-exporter.yml",
        "awesome-prometheus-alerts/mysql/mysqld-exporter.yml",
    ] {
        let original = std::fs::read_to_string(corpus.join(rel)).unwrap();
        let names: Vec<String> = original_severities(&original)
            .into_keys()
            .chain(
                yaml_to_json(&original)["groups"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|g| g["rules"].as_array().into_iter().flatten())
                    .filter_map(|r| r["alert"].as_str().map(str::to_string)),
            )
            .collect();
        hostile += names
            .iter()
            .filter(|n| !promspec::spec::resolve::is_identifier_alert_name(n))
            .count();
        let tmp = tempfile::tempdir().unwrap();
        let specs = tmp.path().join("specs");
        let out = Command::new(crate::support::bin())
            .current_dir(&corpus)
            .env("NO_COLOR", "1")
            .args(["import", rel, "--specs"])
            .arg(&specs)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            !text(&out.stdout).contains("default name applies"),
            "{}",
            text(&out.stdout)
        );
        let build = promspec(tmp.path(), &["build"]);
        assert!(build.status.success(), "{}", text(&build.stderr));
        let mut generated = Vec::new();
        for entry in std::fs::read_dir(tmp.path().join("generated/prometheus")).unwrap() {
            let path = entry.unwrap().path();
            if path.to_string_lossy().ends_with(".rules.yml") {
                let doc = yaml_to_json(&std::fs::read_to_string(&path).unwrap());
                for g in doc["groups"].as_array().unwrap() {
                    for r in g["rules"].as_array().unwrap() {
                        if let Some(a) = r["alert"].as_str() {
                            generated.push(a.to_string());
                        }
                    }
                }
            }
        }
        for name in &names {
            assert!(generated.contains(name), "{rel}: `{name}` was renamed");
        }
    }
    assert!(
        hostile >= 4,
        "the files hold names that are not identifiers"
    );
}

/// Rules of one team from groups evaluated at two intervals.
const TWO_INTERVALS: &str = r#"groups:
  - name: payments
    rules:
      - alert: PaymentsSlow
        expr: histogram_quantile(0.95, sum by (le) (rate(payment_duration_seconds_bucket[5m]))) > 2
        for: 5m
        labels: {severity: warning, team: payments}
  - name: payments-fast
    interval: 30s
    rules:
      - alert: PaymentsDown
        expr: sum(up{job="payments"}) < 1
        for: 1m
        labels: {severity: critical, team: payments}
"#;

#[test]
fn import_keeps_group_intervals_and_never_merges_two() {
    let (tmp, summary) = import_split_by_team(TWO_INTERVALS);
    // One feature per interval: the first met keeps the plain name.
    assert!(
        summary.contains("specs/payments.yaml: 1 threshold (1 level), 0 alerts, 0 records"),
        "{summary}"
    );
    assert!(
        summary.contains("specs/payments-30s.yaml: 1 threshold (1 level), 0 alerts, 0 records"),
        "{summary}"
    );
    assert!(
        summary.contains("split from `payments`: its rules come from groups evaluated every 30s"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "its groups' `interval: 30s` is kept as `evaluation_interval: 30s` (the project evaluates every 1m)"
        ),
        "{summary}"
    );
    let plain = std::fs::read_to_string(tmp.path().join("specs/payments.yaml")).unwrap();
    assert!(!plain.contains("evaluation_interval"), "{plain}");
    let fast = std::fs::read_to_string(tmp.path().join("specs/payments-30s.yaml")).unwrap();
    assert!(
        fast.contains("team: payments\nevaluation_interval: 30s\n"),
        "{fast}"
    );
    let build = promspec(tmp.path(), &["build"]);
    assert!(build.status.success(), "{}", text(&build.stderr));
    let rules = std::fs::read_to_string(
        tmp.path()
            .join("generated/prometheus/payments-30s.rules.yml"),
    )
    .unwrap();
    assert!(rules.contains("    interval: 30s\n"), "{rules}");
    let tests = std::fs::read_to_string(
        tmp.path()
            .join("generated/prometheus/payments-30s.test.yml"),
    )
    .unwrap();
    assert!(tests.contains("\nevaluation_interval: 30s\n"), "{tests}");

    // Side by side with the original, each at its group's interval.
    let mut tally = Tally::default();
    import_one(tmp.path(), &tmp.path().join("rules.yml"), &mut tally).unwrap();
    assert_eq!(
        (tally.thresholds, tally.equivalent, tally.neither.len()),
        (2, 2, 0),
        "{tally:#?}"
    );
}
