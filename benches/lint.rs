//! Where `promspec lint` spends its time: YAML, rule-file loading, PromQL
//! parsing with facts (the facade's `promql::parse`), and whole runs on the
//! corpus and a 10,000-rule file.
//! `scripts/bench.sh` compares whole runs with promtool.

use std::path::{Path, PathBuf};

use promspec::promql::{self, Dialect, Expr};
use promspec::source::SourceId;

fn main() {
    divan::main();
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/rules")
}

/// A rule file with `n` recording and `n` alerting rules.
fn big_file(n: usize) -> String {
    let mut s = String::from("groups:\n");
    for g in 0..n / 25 {
        s.push_str(&format!(
            "  - name: group-{g}\n    interval: 1m\n    rules:\n"
        ));
        for r in 0..25 {
            let i = g * 25 + r;
            s.push_str(&format!(
                "      - record: job:http_requests_{i}:rate5m\n        expr: sum by (job, instance) (rate(http_requests_total{{job=\"svc-{i}\", code=~\"5..\"}}[5m]))\n      - alert: HighErrorRatio{i}\n        expr: |\n          sum by (job) (rate(http_requests_total{{job=\"svc-{i}\", code=~\"5..\"}}[5m]))\n            / sum by (job) (rate(http_requests_total{{job=\"svc-{i}\"}}[5m])) > 0.05\n        for: 5m\n        labels:\n          severity: critical\n        annotations:\n          summary: High error ratio on {{{{ $labels.job }}}}\n          runbook_url: https://runbooks.example.com/errors\n"
            ));
        }
    }
    s
}

#[divan::bench(sample_count = 10)]
fn yaml_parse_10k(bencher: divan::Bencher) {
    let text = big_file(5_000);
    bencher.bench(|| promspec::yaml::parse(SourceId(0), &text).unwrap());
}

#[divan::bench(sample_count = 10)]
fn rulefile_load_10k(bencher: divan::Bencher) {
    let text = big_file(5_000);
    let mut sources = promspec::source::SourceMap::new();
    let id = sources.add("10k.rules.yml", text);
    bencher.bench(|| promspec::lint::load::load_rule_file(&sources, id, true, 0));
}

#[divan::bench(args = [
    "up == 0",
    "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])) / sum by (job) (rate(http_requests_total[5m])) > 0.05",
    "histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket{job=\"api\"}[5m])))",
])]
fn facts(expr: &str) -> Expr {
    promql::parse(divan::black_box(expr), Dialect::Prometheus2).unwrap()
}

#[divan::bench(sample_count = 10)]
fn lint_corpus() -> usize {
    promspec::lint::load::lint(&[corpus()])
        .unwrap()
        .diagnostics
        .len()
}

#[divan::bench(sample_count = 5)]
fn lint_10k(bencher: divan::Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("10k.rules.yml");
    std::fs::write(&path, big_file(5_000)).unwrap();
    bencher.bench(|| {
        promspec::lint::load::lint(std::slice::from_ref(&path))
            .unwrap()
            .diagnostics
            .len()
    });
}
