//! `promspec catalog import` and `fetch`: a real node_exporter's `/metrics`
//! output and the JSON of Prometheus' `/api/v1/metadata`, `/api/v1/series`,
//! `/api/v1/labels` and `/api/v1/label/<name>/values` into a sorted YAML
//! catalog; the bundled specs against the committed catalog.

use crate::support::{promspec, root, text};
use promspec::catalog::{Catalog, MetricType};
use promspec::source::SourceId;

fn fixture() -> std::path::PathBuf {
    root().join("tests/fixtures/catalog/node_exporter.prom")
}

#[test]
fn imports_node_exporter_metrics_into_a_sorted_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = fixture();
    let out = promspec(
        dir.path(),
        &[
            "catalog",
            "import",
            fixture.to_str().unwrap(),
            "-o",
            "catalog.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(dir.path().join("catalog.yaml")).unwrap();
    let declared = std::fs::read_to_string(&fixture)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("# TYPE "))
        .count();
    assert_eq!(
        text(&out.stderr),
        format!("wrote {declared} metrics to catalog.yaml\n")
    );

    let catalog = Catalog::parse(SourceId(0), &written).expect("the catalog reads back");
    assert_eq!(catalog.metrics.len(), declared);
    let kind = |name: &str| catalog.metrics[name].kind;
    assert_eq!(kind("node_cpu_seconds_total"), MetricType::Counter);
    assert_eq!(kind("node_memory_MemAvailable_bytes"), MetricType::Gauge);
    assert_eq!(kind("go_gc_duration_seconds"), MetricType::Summary);
    assert_eq!(
        kind("node_netstat_Icmp_InErrors"),
        MetricType::Unknown,
        "untyped"
    );
    assert_eq!(
        catalog.metrics["node_cpu_seconds_total"].help,
        "Seconds the CPUs spent in each mode."
    );
    assert_eq!(
        catalog.series_type("go_gc_duration_seconds_count"),
        Some(MetricType::Counter)
    );

    // Sorted, one block per metric: the names appear in order.
    let names: Vec<&str> = written
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("    "))
        .map(|l| l.trim().trim_end_matches(':'))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);

    // The same input gives the same bytes; stdout when no -o.
    let again = promspec(
        dir.path(),
        &["catalog", "import", fixture.to_str().unwrap()],
    );
    assert_eq!(text(&again.stdout), written);
}

#[test]
fn metadata_json_merges_with_exposition() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("metadata.json"),
        r#"{"status":"success","data":{"node_netstat_Icmp_InErrors":[{"type":"counter","help":"","unit":""}],"pg_up":[{"type":"gauge","help":"Whether the last scrape of metrics from PostgreSQL was able to connect to the server (1 for yes, 0 for no).","unit":""}]}}"#,
    )
    .unwrap();
    let fixture = fixture();
    let out = promspec(
        dir.path(),
        &[
            "catalog",
            "import",
            fixture.to_str().unwrap(),
            "metadata.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let catalog = Catalog::parse(SourceId(0), &text(&out.stdout)).unwrap();
    assert_eq!(catalog.metrics["pg_up"].kind, MetricType::Gauge);
    assert_eq!(
        catalog.metrics["node_netstat_Icmp_InErrors"].kind,
        MetricType::Counter,
        "a declared type fills in an untyped one"
    );

    std::fs::write(dir.path().join("page.html"), "<html></html>\n").unwrap();
    let out = promspec(dir.path(), &["catalog", "import", "page.html"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("page.html: line 1:"),
        "{}",
        text(&out.stderr)
    );
}

/// A project holding the bundled specs and, instead of the committed
/// catalog, the one imported from the node_exporter fixture.
fn project_with_catalog() -> (tempfile::TempDir, std::path::PathBuf) {
    let (guard, specs) = crate::support::project();
    std::fs::remove_file(specs.join("catalog.yaml")).unwrap();
    let fixture = fixture();
    let out = promspec(
        guard.path(),
        &[
            "catalog",
            "import",
            fixture.to_str().unwrap(),
            "-o",
            "specs/catalog.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    (guard, specs)
}

fn concise_lint(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let mut all = vec!["lint", "--format", "concise"];
    all.extend(args);
    let out = promspec(dir, &all);
    (out.status.code(), text(&out.stdout))
}

#[test]
fn the_node_exporter_queries_of_the_bundled_specs_resolve() {
    let (guard, _) = project_with_catalog();
    let (code, stdout) = concise_lint(guard.path(), &["specs"]);
    assert_eq!(code, Some(0), "{stdout}");
    // Only node_exporter's metrics are in this catalog: every node_* query
    // resolves, other exporters' metrics are reported once each.
    let unknown: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("[promql/unknown-metric]"))
        .collect();
    assert!(
        !unknown.is_empty(),
        "postgres and blackbox metrics are not in it"
    );
    let mut metrics = Vec::new();
    for line in &unknown {
        let metric = line.split('`').nth(1).unwrap();
        assert!(!metric.starts_with("node_"), "{line}");
        metrics.push(metric);
    }
    let mut deduped = metrics.clone();
    deduped.sort();
    deduped.dedup();
    assert_eq!(metrics.len(), deduped.len(), "once per metric: {stdout}");
    assert!(
        stdout
            .lines()
            .all(|l| l.contains("[promql/unknown-metric]")),
        "the catalog adds no other finding: {stdout}"
    );
    // Without a catalog the rule is silent.
    std::fs::remove_file(guard.path().join("specs/catalog.yaml")).unwrap();
    let (code, stdout) = concise_lint(guard.path(), &["specs"]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""));
}

#[test]
fn a_misspelled_metric_is_reported_at_its_span_with_the_right_name() {
    let (guard, specs) = project_with_catalog();
    let path = specs.join("mycats.yaml");
    let spec = std::fs::read_to_string(&path).unwrap();
    assert!(spec.contains("node_cpu_seconds_total"));
    let typo = spec.replacen("node_cpu_seconds_total", "node_cpu_second_total", 1);
    std::fs::write(&path, &typo).unwrap();
    let (_, stdout) = concise_lint(guard.path(), &["specs"]);
    let line = stdout
        .lines()
        .find(|l| l.contains("`node_cpu_second_total`"))
        .unwrap_or_else(|| panic!("not reported: {stdout}"));
    let offset = typo.find("node_cpu_second_total").unwrap();
    let row = typo[..offset].lines().count();
    let col = offset - typo[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
    assert!(
        line.starts_with(&format!(
            "specs/mycats.yaml:{row}:{col}: warning[promql/unknown-metric]"
        )),
        "{line}"
    );
    let out = promspec(guard.path(), &["lint", "specs/mycats.yaml"]);
    assert!(
        text(&out.stderr).contains("did you mean `node_cpu_seconds_total`?"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn rule_files_use_the_catalog_next_to_their_promspec_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("promspec.yaml"), "lint: {}\n").unwrap();
    std::fs::write(
        rules.join("catalog.yaml"),
        "metrics:\n  master_authentication_failures: {type: counter}\n  queue_depth: {type: gauge}\n",
    )
    .unwrap();
    std::fs::write(
        rules.join("a.yml"),
        "groups:\n  - name: g\n    rules:\n      - alert: QueueGrowing\n        expr: rate(queue_depth[5m]) > 1\n        labels: {severity: warning}\n        annotations: {summary: s, description: d, runbook_url: r}\n      - alert: AuthFailures\n        expr: rate(master_authentication_failures[5m]) > 1 and rate(queue_dept[5m]) > 0\n        labels: {severity: warning}\n        annotations: {summary: s, description: d, runbook_url: r}\n",
    )
    .unwrap();
    let (code, stdout) = concise_lint(dir.path(), &["rules"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        stdout,
        "\
rules/a.yml:5:20: warning[promql/rate-on-non-counter] `rate()` over `queue_depth`, which the metrics catalog says is a gauge
rules/a.yml:9:69: warning[promql/unknown-metric] the metrics catalog has no metric `queue_dept`
"
    );

    std::fs::write(rules.join("catalog.yaml"), "metrics:\n  x: {type: meter}\n").unwrap();
    let (code, stdout) = concise_lint(dir.path(), &["rules"]);
    assert_eq!(code, Some(1));
    assert!(
        stdout.contains("rules/catalog.yaml:2:13: error[catalog/invalid]"),
        "{stdout}"
    );
}

#[test]
fn the_bundled_specs_lint_clean_against_the_committed_catalog() {
    let (guard, specs) = crate::support::project();
    let committed = std::fs::read_to_string(specs.join("catalog.yaml")).unwrap();
    // The file is what promspec writes: sorted, normalised.
    let catalog = Catalog::parse(SourceId(0), &committed).expect("the committed catalog reads");
    assert_eq!(catalog.to_yaml(), committed);
    for exporter in ["node_", "pg_", "redis_", "probe_"] {
        assert!(
            catalog
                .metrics
                .keys()
                .filter(|k| k.starts_with(exporter))
                .count()
                > 5,
            "{exporter}"
        );
    }
    let out = promspec(guard.path(), &["lint", "specs", "--format", "concise"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "");
    assert!(
        text(&out.stderr).ends_with(": no problems\n"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn series_labels_and_values_json_add_labels_and_low_cardinality_values() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| std::fs::write(dir.path().join(name), body).unwrap();
    write(
        "metadata.json",
        r#"{"status":"success","data":{"req_duration_seconds":[{"type":"histogram","help":"Latency.","unit":""}],"jobs_total":[{"type":"counter","help":"","unit":""}]}}"#,
    );
    // Series: `up` gives the target labels (here a relabelled `env`).
    write(
        "series.json",
        r#"{"status":"success","data":[
            {"__name__":"up","job":"api","instance":"a:1","env":"prod"},
            {"__name__":"req_duration_seconds_bucket","job":"api","instance":"a:1","env":"prod","route":"/","le":"0.1"},
            {"__name__":"req_duration_seconds_bucket","job":"api","instance":"a:1","env":"prod","route":"/x","le":"+Inf"},
            {"__name__":"req_duration_seconds_count","job":"api","instance":"a:1","env":"prod","route":"/"},
            {"__name__":"job:req:rate5m","job":"api"}
        ]}"#,
    );
    write(
        "labels.json",
        r#"{"status":"success","data":["__name__","instance","job","kind","queue"]}"#,
    );
    write(
        "kind.json",
        r#"{"status":"success","data":["batch","cron"]}"#,
    );
    let import = |args: &[&str]| {
        let mut all = vec!["catalog", "import", "-o", "catalog.yaml"];
        all.extend(args);
        let out = promspec(dir.path(), &all);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    };
    import(&["series.json", "metadata.json"]);
    import(&[
        "--metric",
        "jobs_total",
        "labels.json",
        "--values",
        "kind=kind.json",
    ]);
    let written = std::fs::read_to_string(dir.path().join("catalog.yaml")).unwrap();
    assert_eq!(
        written,
        "\
# promspec metrics catalog (promspec catalog import); review changes like code.
target_labels: [env, instance, job]
metrics:
  jobs_total:
    type: counter
    labels: [kind, queue]
    values:
      kind: [\"batch\", \"cron\"]
  req_duration_seconds:
    type: histogram
    help: \"Latency.\"
    labels: [le, route]
    values:
      le: [\"+Inf\", \"0.1\"]
      route: [\"/\", \"/x\"]
"
    );

    // A bare list says nothing about which metric: an error, exit 2.
    let out = promspec(dir.path(), &["catalog", "import", "labels.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--metric"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn fetch_errors_are_diagnostics_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let port = crate::daemon::free_port();
    let url = format!("http://127.0.0.1:{port}");
    let out = promspec(
        dir.path(),
        &[
            "catalog",
            "fetch",
            "--prometheus",
            &url,
            "-o",
            "catalog.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("catalog/fetch") && stderr.contains(&format!("GET {url}/api/v1/metadata")),
        "{stderr}"
    );
    assert!(!dir.path().join("catalog.yaml").exists(), "nothing written");

    let out = promspec(
        dir.path(),
        &["catalog", "fetch", "--prometheus", "localhost:9090"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not an http:// or https:// URL"),
        "{}",
        text(&out.stderr)
    );
}

/// The rule files of the precision corpus, next to a project file and the
/// committed catalog (node, postgres, redis and blackbox exporters).
fn corpus_with_catalog() -> tempfile::TempDir {
    fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy_tree(&path, &target);
            } else {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &root().join("tests/corpus/rules"),
        &dir.path().join("corpus"),
    );
    copy_tree(
        &root().join("tests/precision/rules"),
        &dir.path().join("precision"),
    );
    std::fs::write(dir.path().join("promspec.yaml"), "lint: {}\n").unwrap();
    std::fs::copy(
        root().join("specs/catalog.yaml"),
        dir.path().join("catalog.yaml"),
    )
    .unwrap();
    dir
}

fn catalog_findings(dir: &std::path::Path) -> Vec<String> {
    let out = promspec(dir, &["lint", "corpus", "precision", "--format", "concise"]);
    text(&out.stdout)
        .lines()
        .filter(|l| l.contains("[promql/unknown-label]") || l.contains("[slos/latency-bucket]"))
        .map(str::to_string)
        .collect()
}

#[test]
fn unknown_label_is_precise_on_the_corpus_and_finds_its_misspellings() {
    let dir = corpus_with_catalog();
    // 92 real rule files, hundreds of node, postgres, redis and blackbox
    // queries, many with deployment labels (`environment`, `type`, `node`,
    // `namespace`) that relabelling adds: no finding.
    assert_eq!(catalog_findings(dir.path()), Vec::<String>::new());

    // Misspellings put into copies are each found, at their span.
    let node = dir
        .path()
        .join("corpus/awesome-prometheus-alerts/host-and-hardware/node-exporter.yml");
    let pg = dir
        .path()
        .join("corpus/awesome-prometheus-alerts/postgresql/postgres-exporter.yml");
    let edit = |path: &std::path::Path, from: &str, to: &str| {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains(from), "{from}");
        std::fs::write(path, text.replacen(from, to, 1)).unwrap();
    };
    edit(&node, "{mode=\"idle\"}", "{mdoe=\"idle\"}");
    edit(&node, "avg without (cpu)", "avg without (cpuu)");
    edit(&node, "{mode=\"idle\"}", "{mode=\"idel\"}");
    edit(
        &pg,
        "sum by (instance, job, server) (pg_stat_activity_count)",
        "sum by (instance, job, server, sate) (pg_stat_activity_count)",
    );
    let found = catalog_findings(dir.path());
    let messages: Vec<&str> = found
        .iter()
        .map(|l| l.split_once(": warning").map_or(l.as_str(), |(_, m)| m))
        .collect();
    assert_eq!(
        messages,
        [
            "[promql/unknown-label] the metrics catalog has no label `cpuu` on `node_cpu_seconds_total`",
            "[promql/unknown-label] the metrics catalog has no label `mdoe` on `node_cpu_seconds_total`",
            "[promql/unknown-label] `mode` of `node_cpu_seconds_total` is never `idel` in the metrics catalog",
            "[promql/unknown-label] the metrics catalog has no label `sate` on `pg_stat_activity_count`",
        ],
        "{found:#?}"
    );
}
