//! Real-world proof: promspec lints the rule files of public projects in
//! `tests/corpus/` (sources and licenses in `tests/corpus/SOURCES.md`)
//! without a panic, agrees with promtool on the syntax of every expression,
//! and reports no duplicate rule that promtool does not (promtool reports
//! every same-name same-labels pair; promspec leaves out pairs that
//! provably write different series).
//!
//! Set `PROMSPEC_CORPUS` to a directory of more rule files to run the same
//! checks on them.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{corpora, yaml_files};
use promspec::lint::load::lint;
use promspec::promql::{self, Dialect};
use promspec::rulefile::load::{Shape, rule_file, shape};
use promspec::source::SourceId;
use promspec::yaml;

/// The repository's corpus directory.
fn corpus_dir() -> PathBuf {
    crate::support::root().join("tests/corpus")
}

/// Every expression of every rule file under `dir`, with the file it came from.
fn expressions(dir: &Path) -> Vec<(PathBuf, String)> {
    let paths = yaml_files(dir);
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let docs = yaml::parse(SourceId(0), &text).unwrap();
        for doc in docs {
            let s = shape(&doc.root);
            if matches!(s, Shape::Plain | Shape::Operator) {
                let file = rule_file(SourceId(0), &doc.root, s, &mut Vec::new());
                for (_, rule) in file.rules() {
                    out.push((path.clone(), rule.expr.text.clone()));
                }
            }
        }
    }
    out
}

#[test]
fn lints_every_file_without_a_panic() {
    for dir in corpora("corpus") {
        let report = lint(std::slice::from_ref(&dir)).expect("the corpus is readable");
        let paths = yaml_files(&dir);
        assert!(
            report.files >= paths.len(),
            "{} of {}",
            report.files,
            paths.len()
        );
        // The corpus files are all accepted by promtool: no finding may claim otherwise.
        for d in report.diagnostics.iter() {
            assert!(
                !d.id.starts_with("rulefile/")
                    && d.id != "promql/syntax"
                    && !d.message.starts_with("the template in"),
                "promtool accepts the corpus, promspec reports {}: {}",
                d.id,
                d.message
            );
        }
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for d in report.diagnostics.iter() {
            *counts.entry(d.id).or_default() += 1;
        }
        eprintln!(
            "{}: {} files, findings per rule:",
            dir.display(),
            report.files
        );
        for (id, n) in counts {
            eprintln!("  {id:<40} {n}");
        }
    }
}

/// Deterministic broken variants of an expression, so that rejections are
/// compared too, not only acceptances.
fn mutants(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let cut = |at: usize| {
        let mut at = at.min(expr.len());
        while !expr.is_char_boundary(at) {
            at -= 1;
        }
        expr[..at].to_string()
    };
    out.push(cut(expr.len() * 2 / 3));
    if let Some(i) = expr.rfind(')') {
        out.push(format!("{}{}", &expr[..i], &expr[i + 1..]));
    }
    if let Some(i) = expr.find('(') {
        out.push(format!("{}[{}", &expr[..i], &expr[i + 1..]));
    }
    if let Some(i) = expr.find('"') {
        out.push(format!("{}{}", &expr[..i], &expr[i + 1..]));
    }
    out.push(format!("{expr} >"));
    if let Some(i) = expr.find("=~\"") {
        // An invalid regex, and one that only an escaped quote keeps valid.
        out.push(format!("{}=~\"({}", &expr[..i], &expr[i + 3..]));
        out.push(format!("{}=~\"\\\"{}", &expr[..i], &expr[i + 3..]));
        out.push(format!("{}=~\"\\'{}", &expr[..i], &expr[i + 3..]));
    }
    out
}

/// promtool's verdict on each expression: `Ok(())` or its error text.
fn promtool_verdicts(exprs: &[String]) -> Vec<Result<(), String>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exprs.rules.yml");
    let mut text = String::from("groups:\n  - name: corpus\n    rules:\n");
    for (i, e) in exprs.iter().enumerate() {
        text.push_str(&format!(
            "      - record: r{i}\n        expr: {}\n",
            serde_json::to_string(e).unwrap()
        ));
    }
    std::fs::write(&path, text).unwrap();
    let out = Command::new("promtool")
        .args(["check", "rules"])
        .arg(&path)
        .output()
        .expect("promtool is installed (scripts/test.sh installs it)");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut errors: HashMap<usize, String> = HashMap::new();
    for line in stderr.lines().chain(stdout.lines()) {
        let Some(rest) = line.split_once(", \"r").map(|(_, r)| r) else {
            continue;
        };
        let Some((index, message)) = rest.split_once("\": ") else {
            continue;
        };
        if let Ok(i) = index.parse::<usize>() {
            errors.insert(i, message.to_string());
        }
    }
    assert!(
        out.status.success() || !errors.is_empty(),
        "promtool failed without per-rule errors:\n{stderr}"
    );
    (0..exprs.len())
        .map(|i| match errors.remove(&i) {
            Some(e) => Err(e),
            None => Ok(()),
        })
        .collect()
}

#[test]
fn syntax_verdicts_equal_promtools() {
    for dir in corpora("corpus") {
        let found = expressions(&dir);
        assert!(!found.is_empty());
        let mut exprs: Vec<String> = Vec::new();
        let mut origin: Vec<PathBuf> = Vec::new();
        for (path, e) in &found {
            exprs.push(e.clone());
            origin.push(path.clone());
            for m in mutants(e) {
                exprs.push(m);
                origin.push(path.clone());
            }
        }
        let theirs = promtool_verdicts(&exprs);
        let mut disagreements = Vec::new();
        for ((e, path), verdict) in exprs.iter().zip(&origin).zip(&theirs) {
            // The facade's parse (with its regex placeholders) is also the
            // linter's one parse per rule.
            let ours = promql::parse(e, Dialect::Prometheus2);
            if ours.is_ok() != verdict.is_ok() {
                disagreements.push(format!(
                    "{}: {e:?}\n  promtool: {verdict:?}\n  promspec: {:?}",
                    path.display(),
                    ours.err().map(|e| e.message)
                ));
            }
        }
        let rejected = theirs.iter().filter(|v| v.is_err()).count();
        eprintln!(
            "{}: {} expressions ({} from the files, {} rejected by promtool)",
            dir.display(),
            exprs.len(),
            found.len(),
            rejected
        );
        assert!(
            disagreements.is_empty(),
            "{} of {} verdicts differ:\n{}",
            disagreements.len(),
            exprs.len(),
            disagreements.join("\n")
        );
    }
}

#[test]
fn duplicates_are_a_subset_of_promtools_lint() {
    // MANIFEST.tsv: file, ..., lint_duplicates (promtool 2.42's count of
    // distinct duplicated name+labels pairs).
    let manifest = std::fs::read_to_string(corpus_dir().join("MANIFEST.tsv")).unwrap();
    let mut header = None;
    for line in manifest.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let Some(h) = &header else {
            header = Some(cols.iter().map(|c| c.to_string()).collect::<Vec<_>>());
            continue;
        };
        let col = |name: &str| cols[h.iter().position(|c| c == name).unwrap()];
        let expected: usize = col("lint_duplicates").parse().unwrap();
        let path = corpus_dir().join("rules").join(col("file"));
        let report = lint(std::slice::from_ref(&path)).unwrap();
        // One key per first definition: later copies point back at it.
        let mut keys: Vec<(String, u32)> = report
            .diagnostics
            .iter()
            .filter(|d| d.id == "rules/duplicate")
            .map(|d| {
                let first = d.labels.iter().find(|l| !l.primary).unwrap();
                (d.message.clone(), first.span.start)
            })
            .collect();
        keys.sort();
        keys.dedup();
        assert!(
            keys.len() <= expected,
            "{}: promtool finds {expected} duplicated rules, promspec more: {keys:?}",
            path.display()
        );
    }
}
