//! `promspec catalog import`: a real node_exporter's `/metrics` output and
//! the JSON of Prometheus' `/api/v1/metadata` into a sorted YAML catalog.

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
