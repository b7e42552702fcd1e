//! The generated runbook tables carry the numbers of the operations
//! runbooks the specs were written from.
//!
//! The runbooks' threshold tables are transcribed below cell for cell, as
//! the runbooks write them (`> 3秒`, `1000/分`, `80個`, `70-85%`). Each cell
//! is read in the threshold's unit and compared with the generated table's
//! cell, which writes the value as the spec does (`> 3s`, `> 1000/min`).

use std::collections::BTreeMap;

use crate::support::root;
use promspec::pipeline;
use promspec::spec::model::{Threshold, Workspace};
use promspec::spec::units::{self, Unit};

struct Compiled {
    workspace: Workspace,
    docs: BTreeMap<String, String>,
}

fn compiled() -> Compiled {
    let loaded = pipeline::load(&root().join("specs")).unwrap();
    let workspace = loaded.workspace.unwrap();
    let docs = pipeline::compile(&workspace)
        .into_iter()
        // The routing table has its own tests (tests/alertmanager.rs).
        .filter(|o| {
            o.path.starts_with("docs/")
                && o.path != promspec::compile::conventions::ROUTING_DOCS_PATH
        })
        .map(|o| (o.path, o.content))
        .collect();
    Compiled { workspace, docs }
}

/// The rows of a generated table: metric title → column heading → cell.
fn table(markdown: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut head: Vec<String> = Vec::new();
    for line in markdown.lines() {
        let Some(inner) = line.strip_prefix("| ").and_then(|l| l.strip_suffix(" |")) else {
            head.clear();
            continue;
        };
        let cells: Vec<String> = inner.split(" | ").map(str::to_string).collect();
        if head.is_empty() {
            head = cells;
        } else if cells[0] != "---" && ["メトリクス", "Metric"].contains(&head[0].as_str()) {
            // `[title](url)` → title
            let title = cells[0]
                .strip_prefix('[')
                .and_then(|c| c.split_once("]("))
                .map_or(cells[0].clone(), |(t, _)| t.to_string());
            let row = head.iter().cloned().zip(cells).collect();
            out.insert(title, row);
        }
    }
    out
}

fn threshold<'a>(c: &'a Compiled, feature: &str, title: &str) -> &'a Threshold {
    c.workspace
        .features
        .iter()
        .find(|f| f.slug == feature)
        .unwrap()
        .thresholds
        .iter()
        .find(|t| t.title == title)
        .unwrap_or_else(|| panic!("{feature}: no threshold titled {title}"))
}

/// A runbook cell in spec notation: `> 3秒` → `3s`, `70-85%` → `70%`
/// (the lower bound of a warning band), `1000/分` → `1000/min`.
fn seed_value(cell: &str, unit: Unit) -> f64 {
    let mut v = cell
        .trim()
        .trim_start_matches(['>', '<'])
        .trim()
        .to_string();
    if let Some((value, _note)) = v.split_once(" (") {
        v = value.to_string();
    }
    if let Some((low, high)) = v.split_once('-') {
        // `70-85%`: the band starts at 70%; keep the high side's unit.
        let suffix = high.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
        v = format!("{low}{suffix}");
    }
    let v = v
        .replace(" req/s", "/s")
        .replace("/分", "/min")
        .replace("/日", "/d")
        .replace("秒", "s")
        .replace('個', "");
    // A per-day count in a `count` threshold over a day's increase.
    let v = if unit == Unit::Count {
        v.trim_end_matches("/d").to_string()
    } else {
        v
    };
    units::parse_value(&v, unit).unwrap_or_else(|e| panic!("`{cell}`: {}", e.message))
}

/// A generated cell: `> 3s` → (`>`, 3.0).
fn doc_value(cell: &str, unit: Unit) -> (&str, f64) {
    let (op, written) = cell
        .split_once(' ')
        .unwrap_or_else(|| panic!("cell `{cell}`"));
    (op, units::parse_value(written, unit).unwrap())
}

/// (feature, metric, generated column, runbook cell, direction).
const SEED_CELLS: &[(&str, &str, &str, &str, &str)] = &[
    // new-feature: メトリクス | 閾値 | 監視ツール | 対応
    (
        "new-feature",
        "新機能APIレスポンスタイム",
        "警告",
        "> 3秒",
        ">",
    ),
    (
        "new-feature",
        "新機能使用率",
        "情報",
        "< 10% (導入後1ヶ月)",
        "<",
    ),
    ("new-feature", "新機能エラー率", "危険", "> 5%", ">"),
    (
        "new-feature",
        "新機能データベースクエリ時間",
        "警告",
        "> 2秒",
        ">",
    ),
    // camp-backend: メトリクス | 閾値（警告） | 閾値（危険） | 確認間隔
    ("camp-backend", "CPU使用率", "警告", "70%", ">"),
    ("camp-backend", "CPU使用率", "危険", "90%", ">"),
    ("camp-backend", "メモリ使用率", "警告", "80%", ">"),
    ("camp-backend", "メモリ使用率", "危険", "95%", ">"),
    ("camp-backend", "ディスク使用率", "警告", "80%", ">"),
    ("camp-backend", "ディスク使用率", "危険", "90%", ">"),
    ("camp-backend", "ネットワーク帯域", "警告", "80%", ">"),
    ("camp-backend", "ネットワーク帯域", "危険", "95%", ">"),
    ("camp-backend", "エラーレート", "警告", "1%", ">"),
    ("camp-backend", "エラーレート", "危険", "5%", ">"),
    ("camp-backend", "P95レスポンスタイム", "警告", "1秒", ">"),
    ("camp-backend", "P95レスポンスタイム", "危険", "3秒", ">"),
    ("camp-backend", "リクエスト数", "警告", "1000/分", ">"),
    ("camp-backend", "リクエスト数", "危険", "5000/分", ">"),
    ("camp-backend", "データベース接続数", "警告", "80%", ">"),
    ("camp-backend", "データベース接続数", "危険", "95%", ">"),
    ("camp-backend", "接続数", "警告", "80個", ">"),
    ("camp-backend", "接続数", "危険", "95個", ">"),
    ("camp-backend", "レプリケーション遅延", "警告", "10秒", ">"),
    ("camp-backend", "レプリケーション遅延", "危険", "60秒", ">"),
    ("camp-backend", "ディスクI/O", "警告", "80%", ">"),
    ("camp-backend", "ディスクI/O", "危険", "95%", ">"),
    ("camp-backend", "デッドロック", "警告", "1/分", ">"),
    ("camp-backend", "デッドロック", "危険", "5/分", ">"),
    // mirai-knowledge-app: 項目 | 正常範囲 | 警告 | 危険
    ("mirai-knowledge-app", "CPU使用率", "警告", "70-85%", ">"),
    ("mirai-knowledge-app", "CPU使用率", "危険", "> 85%", ">"),
    ("mirai-knowledge-app", "メモリ使用率", "警告", "75-90%", ">"),
    ("mirai-knowledge-app", "メモリ使用率", "危険", "> 90%", ">"),
    (
        "mirai-knowledge-app",
        "ディスク使用率",
        "警告",
        "80-90%",
        ">",
    ),
    (
        "mirai-knowledge-app",
        "ディスク使用率",
        "危険",
        "> 90%",
        ">",
    ),
    (
        "mirai-knowledge-app",
        "レスポンスタイムP95",
        "警告",
        "2-5秒",
        ">",
    ),
    (
        "mirai-knowledge-app",
        "レスポンスタイムP95",
        "危険",
        "> 5秒",
        ">",
    ),
    ("mirai-knowledge-app", "エラー率", "警告", "1-5%", ">"),
    ("mirai-knowledge-app", "エラー率", "危険", "> 5%", ">"),
    (
        "mirai-knowledge-app",
        "リクエスト数",
        "危険",
        "> 1000 req/s",
        ">",
    ),
    ("mirai-knowledge-app", "接続数", "警告", "50-80", ">"),
    ("mirai-knowledge-app", "接続数", "危険", "> 80", ">"),
    (
        "mirai-knowledge-app",
        "クエリ時間P95",
        "警告",
        "100-500ms",
        ">",
    ),
    (
        "mirai-knowledge-app",
        "クエリ時間P95",
        "危険",
        "> 500ms",
        ">",
    ),
    ("mirai-knowledge-app", "デッドロック", "危険", "> 3/日", ">"),
    // mycats: 項目 | 確認方法 | 正常値 | アラート条件 (正常値 bounds the warning)
    ("mycats", "API応答時間", "警告", "< 500ms", ">"),
    ("mycats", "API応答時間", "危険", "> 3秒", ">"),
    ("mycats", "メモリ使用量", "警告", "< 80%", ">"),
    ("mycats", "メモリ使用量", "危険", "> 90%", ">"),
    ("mycats", "CPU使用率", "警告", "< 70%", ">"),
    ("mycats", "CPU使用率", "危険", "> 85%", ">"),
    ("mycats", "ディスク使用量", "警告", "< 80%", ">"),
    ("mycats", "ディスク使用量", "危険", "> 90%", ">"),
    // feature-flag-api: alert examples, `condition`
    (
        "feature-flag-api",
        "API High Error Rate",
        "危険",
        "> 1%",
        ">",
    ),
    (
        "feature-flag-api",
        "Database Connection Pool Full",
        "警告",
        "> 90%",
        ">",
    ),
    (
        "feature-flag-api",
        "Cache Memory Usage High",
        "警告",
        "> 80%",
        ">",
    ),
    (
        "feature-flag-api",
        "API Response Time High",
        "警告",
        "> 500ms",
        ">",
    ),
];

/// Cells whose runbook wording is not a number of the same form:
/// (feature, metric, column, runbook cell, generated cell, why they agree).
const WORDED_CELLS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "mirai-knowledge-app",
        "デッドロック",
        "警告",
        "1-3/日",
        "> 0",
        "a whole number of deadlocks above 0 is at least 1",
    ),
    (
        "mycats",
        "データベース接続",
        "危険",
        "接続失敗",
        "< 1",
        "pg_up is 1 when connected and 0 when the connection fails",
    ),
];

/// (feature, metric, runbook duration): where the runbooks give one.
const SEED_DURATIONS: &[(&str, &str, &str)] = &[
    ("new-feature", "新機能APIレスポンスタイム", "2m"),
    ("new-feature", "新機能エラー率", "5m"),
    ("feature-flag-api", "API High Error Rate", "5m"),
    ("feature-flag-api", "Database Connection Pool Full", "2m"),
    ("feature-flag-api", "Cache Memory Usage High", "5m"),
    ("feature-flag-api", "API Response Time High", "5m"),
];

fn cell<'a>(
    tables: &'a BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
    feature: &str,
    metric: &str,
    column: &str,
) -> &'a str {
    tables[feature]
        .get(metric)
        .unwrap_or_else(|| panic!("{feature}: no row {metric}"))
        .get(column)
        .unwrap_or_else(|| panic!("{feature}: no column {column}"))
}

fn tables(c: &Compiled) -> BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>> {
    c.docs
        .iter()
        .map(|(path, text)| {
            let feature = path.trim_start_matches("docs/").trim_end_matches(".md");
            (feature.to_string(), table(text))
        })
        .collect()
}

#[test]
fn runbook_tables_carry_the_runbooks_numbers() {
    let c = compiled();
    let tables = tables(&c);
    for (feature, metric, column, seed, op) in SEED_CELLS {
        let unit = threshold(&c, feature, metric).unit;
        let generated = cell(&tables, feature, metric, column);
        let (doc_op, doc) = doc_value(generated, unit);
        let expected = seed_value(seed, unit);
        assert_eq!(
            (doc_op, doc),
            (*op, expected),
            "{feature} / {metric} / {column}: the runbook says `{seed}`, the table `{generated}`"
        );
    }
    for (feature, metric, column, seed, generated, why) in WORDED_CELLS {
        assert_eq!(
            cell(&tables, feature, metric, column),
            *generated,
            "{feature} / {metric}: the runbook says `{seed}` ({why})"
        );
    }
    for (feature, metric, duration) in SEED_DURATIONS {
        assert_eq!(
            cell(&tables, feature, metric, "継続時間"),
            *duration,
            "{feature} / {metric}"
        );
    }
}

#[test]
fn every_threshold_has_a_row_with_its_levels() {
    let c = compiled();
    let tables = tables(&c);
    for feature in &c.workspace.features {
        let rows = &tables[&feature.slug];
        assert_eq!(rows.len(), feature.thresholds.len(), "{}", feature.slug);
        for t in &feature.thresholds {
            for level in &t.levels {
                let column = promspec::compile::words::level(level.level, feature.docs_language);
                assert_eq!(
                    rows[&t.title][column],
                    format!("{} {}", level.direction.operator(), level.written),
                    "{} / {}",
                    feature.slug,
                    t.id
                );
            }
        }
    }
}

#[test]
fn the_new_feature_runbook_notifies_its_slack_channel() {
    let c = compiled();
    let tables = tables(&c);
    for (metric, row) in &tables["new-feature"] {
        assert!(row["通知先"].contains("#new-feature-alerts"), "{metric}");
    }
}

#[test]
fn snapshots_of_the_runbook_tables() {
    let c = compiled();
    for (path, text) in &c.docs {
        let name = path.trim_start_matches("docs/").trim_end_matches(".md");
        insta::assert_snapshot!(format!("docs-{name}"), text);
    }
}
