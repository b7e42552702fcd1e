//! The catalog on real components: Debian's `prometheus-node-exporter`
//! scraped by Debian's `prometheus`; its `/metrics` output and Prometheus'
//! `/api/v1/metadata` are imported with `promspec catalog import`, and the
//! bundled specs are linted against the result: every node_exporter query
//! resolves, a misspelled one is reported. Fails (does not skip) when the
//! binaries are missing.

use std::time::Duration;

use crate::daemon::{Daemon, free_port, get};
use crate::support::{project, promspec, text};

const PROMETHEUS: &str = "/usr/bin/prometheus";
const NODE_EXPORTER: &str = "/usr/bin/prometheus-node-exporter";

#[test]
fn a_catalog_from_a_real_prometheus_resolves_the_bundled_node_exporter_queries() {
    let (guard, specs) = project();
    let dir = guard.path();

    let ne_port = free_port();
    let _node_exporter = Daemon::start_probed(
        "node_exporter",
        NODE_EXPORTER,
        &[
            format!("--web.listen-address=127.0.0.1:{ne_port}"),
            "--collector.textfile.directory=".into(),
        ],
        dir.join("node_exporter.log"),
        ne_port,
        "/metrics",
    );
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ['127.0.0.1:{ne_port}']\n"
        ),
    )
    .unwrap();
    let prom_port = free_port();
    let prometheus = Daemon::start_probed(
        "Prometheus",
        PROMETHEUS,
        &[
            format!("--config.file={}", config.display()),
            format!("--storage.tsdb.path={}", dir.join("prom-data").display()),
            format!("--web.listen-address=127.0.0.1:{prom_port}"),
        ],
        dir.join("prometheus.log"),
        prom_port,
        "/-/ready",
    );
    let mut metadata = String::new();
    prometheus.wait_until(
        Duration::from_secs(20),
        "serving node_exporter's metadata",
        || {
            metadata = get(prom_port, "/api/v1/metadata").1;
            metadata.contains("node_cpu_seconds_total")
        },
    );
    std::fs::write(dir.join("metadata.json"), &metadata).unwrap();
    let (status, exposition) = get(ne_port, "/metrics");
    assert_eq!(status, 200);
    std::fs::write(dir.join("node.prom"), &exposition).unwrap();

    let out = promspec(
        dir,
        &[
            "catalog",
            "import",
            "metadata.json",
            "node.prom",
            "-o",
            "specs/catalog.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let catalog = std::fs::read_to_string(specs.join("catalog.yaml")).unwrap();
    assert!(
        catalog.contains("  node_cpu_seconds_total:\n    type: counter\n"),
        "{catalog}"
    );

    // Every node_* metric the bundled specs query is in the catalog.
    let out = promspec(dir, &["lint", "specs", "--format", "concise"]);
    let stdout = text(&out.stdout);
    let unresolved: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("[promql/unknown-metric]") && l.contains("`node_"))
        .collect();
    assert!(unresolved.is_empty(), "{unresolved:#?}");
    assert!(
        !stdout.contains("[promql/rate-on-non-counter]"),
        "the specs rate only counters: {stdout}"
    );

    // A misspelled node_exporter metric in a copy is reported with the right name.
    let path = specs.join("mycats.yaml");
    let spec = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        spec.replacen(
            "node_memory_MemAvailable_bytes",
            "node_memory_MemAvailabe_bytes",
            1,
        ),
    )
    .unwrap();
    let out = promspec(dir, &["lint", "specs/mycats.yaml"]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("the metrics catalog has no metric `node_memory_MemAvailabe_bytes`")
            && stderr.contains("did you mean `node_memory_MemAvailable_bytes`?"),
        "{stderr}"
    );
}
