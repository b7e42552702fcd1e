//! Lint precision on real-world rule files.
//!
//! `tests/precision/labels.tsv` holds findings of the lint rules on public
//! projects' rule files (`tests/corpus/rules/`, `tests/precision/rules/`),
//! each classified by reading the rule and its exporter's semantics: `TP`
//! (the finding is true and worth acting on), `FP` (it is not) or `MISS`
//! (true, but the rule can no longer know it without a metrics catalog: a
//! gauge whose name does not say so; counted against recall, never
//! required), with a one-line reason. The findings were sampled by cell: a cell is one rule
//! on one file, and every finding of that rule in that file is labeled.
//!
//! The test asserts, per rule, that every labeled true positive is still
//! reported, that no labeled false positive is, and that a sampled cell
//! holds no finding nobody has judged yet; it prints the precision per rule
//! before the fixes (the labels) and now.
//!
//! A finding is keyed by file, rule id, the name of the alerting or
//! recording rule it is in (or of its group), a hash of that rule's
//! expression with whitespace collapsed, and the text it points at: moving
//! a rule or reformatting its expression keeps the key.
//!
//! `PROMSPEC_PRECISION_DUMP=FILE` writes the keys of every finding on every
//! file below `tests/corpus/rules` and `tests/precision/rules` to FILE, the
//! starting point of a new sample.
//!
//! `tests/precision/second-review.tsv` is an independent second review of a
//! stratified sample of the labels; every row's settled verdict must be the
//! verdict `labels.tsv` holds, so a relabeling cannot silently undo it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use promspec::diag::Diagnostic;
use promspec::lint::load::{lint, load_rule_file};
use promspec::lint::run::{self, Input};
use promspec::lint::{RULES, Settings};
use promspec::rulefile::load::{Shape, rule_file, shape};
use promspec::source::SourceMap;
use promspec::yaml;

use crate::support::root;

const LABELS: &str = "tests/precision/labels.tsv";
const SECOND_REVIEW: &str = "tests/precision/second-review.tsv";

/// One finding's key, as stored in the labels.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    file: String,
    rule: String,
    name: String,
    hash: String,
    snippet: String,
}

/// A reported finding: its key and where it is.
struct Found {
    key: Key,
    line: usize,
    col: usize,
}

/// FNV-1a of the expression with runs of whitespace collapsed.
fn expr_hash(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut h: u64 = 0xcbf29ce484222325;
    for b in collapsed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{:08x}", h >> 32)
}

fn one_line(text: &str, max: usize) -> String {
    let s = text.split_whitespace().collect::<Vec<_>>().join(" ");
    s.chars().take(max).collect()
}

/// The path of `path` relative to the repository root, with `/`.
fn relative(path: &Path) -> String {
    let p = path.strip_prefix(root()).unwrap_or(path);
    p.to_string_lossy().replace('\\', "/")
}

/// The keys of every finding in `diagnostics`.
fn keys(sources: &SourceMap, diagnostics: &[Diagnostic]) -> Vec<Found> {
    // Rules and groups of every file, by source.
    let mut spans = BTreeMap::new();
    for (id, file) in sources.files() {
        let Ok(docs) = yaml::parse(id, &file.text) else {
            continue;
        };
        let mut items = Vec::new();
        for doc in docs {
            let s = shape(&doc.root);
            if matches!(s, Shape::Plain | Shape::Operator) {
                let rf = rule_file(id, &doc.root, s, &mut Vec::new());
                for g in &rf.groups {
                    items.push((g.span, g.name.value.clone(), "-".to_string()));
                    for r in &g.rules {
                        items.push((r.span, r.name.value.clone(), expr_hash(&r.expr.text)));
                    }
                }
            }
        }
        spans.insert(id, items);
    }
    diagnostics
        .iter()
        .filter_map(|d: &Diagnostic| {
            let span = d.primary_span()?;
            let file = sources.get(span.source);
            // The innermost rule or group holding the finding.
            let (name, hash) = spans
                .get(&span.source)
                .and_then(|items| {
                    items
                        .iter()
                        .filter(|(s, _, _)| s.start <= span.start && span.end <= s.end)
                        .min_by_key(|(s, _, _)| s.end - s.start)
                })
                .map(|(_, n, h)| (n.clone(), h.clone()))
                .unwrap_or_else(|| ("-".into(), "-".into()));
            let (line, col) = file.line_col(span.start as usize);
            Some(Found {
                key: Key {
                    file: relative(&file.path),
                    rule: d.id.to_string(),
                    name: one_line(&name, 80),
                    hash,
                    snippet: one_line(sources.slice(span), 60),
                },
                line,
                col,
            })
        })
        .collect()
}

/// One labeled finding.
struct Label {
    key: Key,
    true_positive: bool,
    /// True, but only a metrics catalog can tell: not required to be reported.
    needs_catalog: bool,
    reason: String,
}

fn labels() -> Vec<Label> {
    let text = std::fs::read_to_string(root().join(LABELS)).unwrap();
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if n == 0 || line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 8, "{LABELS}:{}: 8 columns expected", n + 1);
        let verdict = cols[6];
        assert!(
            matches!(verdict, "TP" | "FP" | "MISS"),
            "{LABELS}:{}: verdict `{verdict}`",
            n + 1
        );
        assert!(!cols[7].trim().is_empty(), "{LABELS}:{}: no reason", n + 1);
        out.push(Label {
            key: Key {
                file: cols[0].into(),
                rule: cols[1].into(),
                name: cols[2].into(),
                hash: cols[3].into(),
                snippet: cols[4].into(),
            },
            true_positive: verdict != "FP",
            needs_catalog: verdict == "MISS",
            reason: cols[7].into(),
        });
    }
    out
}

fn tsv_row(f: &Found) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}:{}",
        f.key.file, f.key.rule, f.key.name, f.key.hash, f.key.snippet, f.line, f.col
    )
}

/// Whether rule `id` is on by default.
fn default_on(id: &str) -> bool {
    promspec::lint::registry::find(id).is_some_and(|r| r.default_severity.is_some())
}

/// Lint `paths` as plain rule files with the default settings, or with every
/// rule on, and key the findings.
fn run_rules(paths: &[PathBuf], every_rule: bool) -> Vec<Found> {
    let mut settings = Settings::default();
    if every_rule {
        for r in RULES.iter().filter(|r| r.default_severity.is_none()) {
            settings.set(r.id, Some(promspec::diag::Severity::Warning));
        }
    }
    let mut sources = SourceMap::new();
    let ids: Vec<_> = paths
        .iter()
        .map(|p| sources.add(p, std::fs::read_to_string(p).unwrap()))
        .collect();
    let targets: Vec<_> = ids
        .iter()
        .filter_map(|&id| load_rule_file(&sources, id, true, 0).0)
        .collect();
    let diagnostics = run::run(&Input {
        sources: &sources,
        settings: std::slice::from_ref(&settings),
        targets: &targets,
        workspaces: &[],
    });
    keys(&sources, &diagnostics)
}

#[test]
fn labeled_findings_keep_their_verdict() {
    if let Some(out) = std::env::var_os("PROMSPEC_PRECISION_DUMP") {
        let dirs: Vec<PathBuf> = ["tests/corpus/rules", "tests/precision/rules"]
            .iter()
            .map(|d| root().join(d))
            .filter(|d| d.is_dir())
            .collect();
        let report = lint(&dirs).unwrap();
        let diagnostics: Vec<Diagnostic> = report.diagnostics.iter().cloned().collect();
        let rows: Vec<String> = keys(&report.sources, &diagnostics)
            .iter()
            .map(tsv_row)
            .collect();
        std::fs::write(out, rows.join("\n") + "\n").unwrap();
        return;
    }

    let labels = labels();
    assert!(labels.len() >= 300, "{} labeled findings", labels.len());
    let files: BTreeSet<&str> = labels.iter().map(|l| l.key.file.as_str()).collect();
    let paths: Vec<PathBuf> = files.iter().map(|f| root().join(f)).collect();
    // As a user runs it (default severities), and with every rule on, so
    // the true positives of opt-in rules are checked too.
    let found = run_rules(&paths, false);
    let found_all = run_rules(&paths, true);
    let reported_all: BTreeSet<&Key> = found_all.iter().map(|f| &f.key).collect();
    let reported: BTreeSet<&Key> = found.iter().map(|f| &f.key).collect();
    let cells: BTreeSet<(&str, &str)> = labels
        .iter()
        .map(|l| (l.key.file.as_str(), l.key.rule.as_str()))
        .collect();
    let labeled: BTreeSet<&Key> = labels.iter().map(|l| &l.key).collect();
    assert_eq!(labeled.len(), labels.len(), "{LABELS} repeats a key");

    let mut problems = Vec::new();
    let mut missed = Vec::new();
    // rule → (labeled TP, labeled FP, TP reported, FP reported,
    // TP reported when enabled, FP reported when enabled)
    let mut stats: BTreeMap<&str, [usize; 6]> = BTreeMap::new();
    for l in &labels {
        let s = stats.entry(&l.key.rule).or_default();
        let now = reported.contains(&l.key);
        let enabled_now = reported_all.contains(&l.key);
        match (l.true_positive, enabled_now) {
            (true, true) => s[4] += 1,
            (true, false) if !default_on(&l.key.rule) => problems.push(format!(
                "true positive of an opt-in rule no longer reported when the rule is on: {:?} ({})",
                l.key, l.reason
            )),
            (false, true) => s[5] += 1,
            _ => {}
        }
        if !default_on(&l.key.rule) && !now {
            // Off by default: the verdict is the opt-in run's (above).
            if l.true_positive {
                s[0] += 1;
            } else {
                s[1] += 1;
            }
            continue;
        }
        match (l.true_positive, now) {
            (true, true) => {
                s[0] += 1;
                s[2] += 1;
            }
            (true, false) if l.needs_catalog => {
                s[0] += 1;
                missed.push(format!("{:?} ({})", l.key, l.reason));
            }
            (true, false) => {
                s[0] += 1;
                problems.push(format!(
                    "true positive no longer reported: {:?} ({})",
                    l.key, l.reason
                ));
            }
            (false, true) => {
                s[1] += 1;
                s[3] += 1;
                problems.push(format!(
                    "false positive reported: {:?} ({})",
                    l.key, l.reason
                ));
            }
            (false, false) => s[1] += 1,
        }
    }
    for f in found.iter().chain(&found_all) {
        if cells.contains(&(f.key.file.as_str(), f.key.rule.as_str())) && !labeled.contains(&f.key)
        {
            problems.push(format!(
                "a finding in a sampled cell is not labeled, add it to {LABELS}:\n{}",
                tsv_row(f)
            ));
        }
    }

    eprintln!(
        "{:<36} {:>7} {:>4} {:>8} {:>8} {:>10}",
        "rule", "labeled", "FP", "before", "now", "opt-in on"
    );
    let pct = |tp: usize, fp: usize| {
        if tp + fp == 0 {
            "-".to_string()
        } else {
            format!("{:.1}%", 100.0 * tp as f64 / (tp + fp) as f64)
        }
    };
    for (rule, [tp, fp, tp_now, fp_now, tp_on, fp_on]) in &stats {
        let (now, on) = if default_on(rule) {
            (pct(*tp_now, *fp_now), String::new())
        } else {
            ("off".to_string(), pct(*tp_on, *fp_on))
        };
        eprintln!(
            "{rule:<36} {:>7} {fp:>4} {:>8} {now:>8} {on:>10}",
            tp + fp,
            pct(*tp, *fp),
        );
    }
    for m in &missed {
        eprintln!("missed without a catalog: {m}");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Every rule enabled by default that was sampled is precise now.
    for (rule, [_, _, tp_now, fp_now, _, _]) in &stats {
        if default_on(rule) && tp_now + fp_now > 0 {
            assert!(
                *tp_now as f64 / (*tp_now + *fp_now) as f64 >= 0.95,
                "{rule} is below 95% precision"
            );
        }
    }
}

#[test]
fn second_review_agrees_with_the_labels() {
    // (file, rule, name, at) → verdict, from the labels' own columns.
    let text = std::fs::read_to_string(root().join(LABELS)).unwrap();
    let verdicts: BTreeMap<(&str, &str, &str, &str), &str> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            // A finding only a catalog can make is still a true one.
            let verdict = if c[6] == "MISS" { "TP" } else { c[6] };
            ((c[0], c[1], c[2], c[5]), verdict)
        })
        .collect();
    let review = std::fs::read_to_string(root().join(SECOND_REVIEW)).unwrap();
    let mut rows = 0;
    let mut problems = Vec::new();
    for (n, line) in review.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let c: Vec<&str> = line.split('\t').collect();
        assert_eq!(c.len(), 9, "{SECOND_REVIEW}:{}: 9 columns expected", n + 1);
        rows += 1;
        let settled = c[7];
        match verdicts.get(&(c[0], c[1], c[2], c[3])) {
            None => problems.push(format!(
                "{SECOND_REVIEW}:{}: no labeled finding {} {} {} at {}",
                n + 1,
                c[0],
                c[1],
                c[2],
                c[3]
            )),
            Some(v) if *v != settled => problems.push(format!(
                "{SECOND_REVIEW}:{}: settled {settled}, but {LABELS} says {v}: {} {} {}",
                n + 1,
                c[0],
                c[1],
                c[2]
            )),
            Some(_) => {}
        }
    }
    assert!(rows >= 150, "{rows} reviewed findings");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
