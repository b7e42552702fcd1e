//! The catalog on real components: Debian's `prometheus` scraping Debian's
//! `prometheus-node-exporter`, `prometheus-postgres-exporter` (against a
//! PostgreSQL 15 started here), `prometheus-redis-exporter` (against a
//! `redis-server` started here) and `prometheus-blackbox-exporter` (probing
//! node_exporter). `promspec catalog fetch` reads the server into a catalog
//! and the bundled specs are linted against it: every exporter query
//! resolves, the metrics no exporter here exposes are exactly the ones the
//! committed catalog declares by hand, a misspelled metric, label or label
//! value in a copy is reported at its span. Fails (does not skip) when a
//! binary is missing.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::daemon::{Daemon, free_port, get};
use crate::support::{project, promspec, root, text};
use promspec::catalog::{Catalog, MetricType};
use promspec::source::SourceId;

const PROMETHEUS: &str = "/usr/bin/prometheus";
const NODE_EXPORTER: &str = "/usr/bin/prometheus-node-exporter";
const POSTGRES_EXPORTER: &str = "/usr/bin/prometheus-postgres-exporter";
const REDIS_EXPORTER: &str = "/usr/bin/prometheus-redis-exporter";
const BLACKBOX_EXPORTER: &str = "/usr/bin/prometheus-blackbox-exporter";
const REDIS: &str = "/usr/bin/redis-server";
const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// Every daemon of the run; dropped (stopped) together.
struct Stack {
    _daemons: Vec<Daemon>,
    prometheus: u16,
    _pg_dir: tempfile::TempDir,
}

/// The uid and gid of `user`, from `id`.
fn ids_of(user: &str) -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id").args([flag, user]).output().unwrap();
        assert!(
            out.status.success(),
            "no user {user}: {}",
            text(&out.stderr)
        );
        text(&out.stdout).trim().parse().unwrap()
    };
    (id("-u"), id("-g"))
}

/// `binary` run as the `postgres` user when the tests run as root (initdb
/// and postgres refuse root), as the current user otherwise.
fn postgres_command(binary: &str) -> Command {
    use std::os::unix::process::CommandExt;
    let path = format!("{PG_BIN}/{binary}");
    assert!(
        Path::new(&path).is_file(),
        "{path} is missing: install postgresql-15"
    );
    let mut command = Command::new(path);
    let me = text(&Command::new("id").arg("-u").output().unwrap().stdout);
    if me.trim() == "0" {
        let (uid, gid) = ids_of("postgres");
        command.uid(uid).gid(gid);
    }
    command
}

/// PostgreSQL in its own directory (readable by the `postgres` user) on a
/// random loopback port, trusting local connections.
fn start_postgres(dir: &Path, log: &Path) -> (Daemon, u16) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let data = dir.join("data");
    let out = postgres_command("initdb")
        .args(["-A", "trust", "-U", "postgres", "-D"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "initdb: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let port = free_port();
    let mut postgres = postgres_command("postgres");
    postgres
        .arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string(), "-k"])
        .arg(dir)
        .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]);
    let daemon = Daemon::start_tcp("PostgreSQL", postgres, log.to_path_buf(), port, true);
    (daemon, port)
}

fn start_stack(dir: &Path) -> Stack {
    let mut daemons = Vec::new();

    let node = free_port();
    daemons.push(Daemon::start_probed(
        "node_exporter",
        NODE_EXPORTER,
        &[
            format!("--web.listen-address=127.0.0.1:{node}"),
            "--collector.textfile.directory=".into(),
        ],
        dir.join("node_exporter.log"),
        node,
        "/metrics",
    ));

    let pg_dir = tempfile::tempdir().unwrap();
    let (pg, pg_port) = start_postgres(pg_dir.path(), &dir.join("postgres.log"));
    daemons.push(pg);
    let pg_exporter = free_port();
    let mut command = Command::new(POSTGRES_EXPORTER);
    command
        .arg(format!("--web.listen-address=127.0.0.1:{pg_exporter}"))
        .env(
            "DATA_SOURCE_NAME",
            format!("postgresql://postgres@127.0.0.1:{pg_port}/postgres?sslmode=disable"),
        );
    daemons.push(Daemon::start_tcp(
        "postgres_exporter",
        command,
        dir.join("postgres_exporter.log"),
        pg_exporter,
        false,
    ));

    let redis_port = free_port();
    let mut redis = Command::new(REDIS);
    redis.args([
        "--port",
        &redis_port.to_string(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]);
    redis.current_dir(dir);
    daemons.push(Daemon::start_tcp(
        "redis-server",
        redis,
        dir.join("redis.log"),
        redis_port,
        false,
    ));
    let redis_exporter = free_port();
    daemons.push(Daemon::start_probed(
        "redis_exporter",
        REDIS_EXPORTER,
        &[
            format!("--web.listen-address=127.0.0.1:{redis_exporter}"),
            format!("--redis.addr=redis://127.0.0.1:{redis_port}"),
        ],
        dir.join("redis_exporter.log"),
        redis_exporter,
        "/metrics",
    ));

    let blackbox = free_port();
    std::fs::write(
        dir.join("blackbox.yml"),
        "modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n",
    )
    .unwrap();
    daemons.push(Daemon::start_probed(
        "blackbox_exporter",
        BLACKBOX_EXPORTER,
        &[
            format!("--config.file={}", dir.join("blackbox.yml").display()),
            format!("--web.listen-address=127.0.0.1:{blackbox}"),
        ],
        dir.join("blackbox_exporter.log"),
        blackbox,
        "/metrics",
    ));

    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n\
             \x20 - job_name: node\n    static_configs: [{{targets: ['127.0.0.1:{node}']}}]\n\
             \x20 - job_name: postgres\n    static_configs: [{{targets: ['127.0.0.1:{pg_exporter}']}}]\n\
             \x20 - job_name: redis\n    static_configs: [{{targets: ['127.0.0.1:{redis_exporter}']}}]\n\
             \x20 - job_name: blackbox\n    metrics_path: /probe\n    params: {{module: [http_2xx], target: ['http://127.0.0.1:{node}/']}}\n    static_configs: [{{targets: ['127.0.0.1:{blackbox}']}}]\n"
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
    prometheus.wait_until(
        Duration::from_secs(30),
        "scraping every exporter with PostgreSQL and Redis up",
        || {
            let metadata = get(prom_port, "/api/v1/metadata").1;
            let connected = get(
                prom_port,
                "/api/v1/query?query=count(pg_up%3D%3D1)%2Bcount(redis_up%3D%3D1)",
            )
            .1;
            [
                "node_cpu_seconds_total",
                "pg_stat_activity_count",
                "redis_memory_used_bytes",
                "probe_duration_seconds",
            ]
            .iter()
            .all(|m| metadata.contains(m))
                && connected.contains("\"2\"")
        },
    );
    daemons.push(prometheus);
    Stack {
        _daemons: daemons,
        prometheus: prom_port,
        _pg_dir: pg_dir,
    }
}

fn concise_lint(dir: &Path, path: &str) -> String {
    let out = promspec(dir, &["lint", path, "--format", "concise"]);
    text(&out.stdout)
}

/// The metric named in each `promql/unknown-metric` line.
fn unknown_metrics(stdout: &str) -> Vec<String> {
    let mut metrics: Vec<String> = stdout
        .lines()
        .filter(|l| l.contains("[promql/unknown-metric]"))
        .map(|l| l.split('`').nth(1).unwrap().to_string())
        .collect();
    metrics.sort();
    metrics
}

/// Where `needle` is written in `text`, as `line:col`.
fn position(text: &str, needle: &str) -> String {
    let offset = text.find(needle).unwrap();
    let row = text[..offset].lines().count();
    let col = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("{row}:{col}")
}

#[test]
fn a_catalog_fetched_from_a_real_prometheus_resolves_the_bundled_specs() {
    let (guard, specs) = project();
    let dir = guard.path();
    let stack = start_stack(dir);
    let url = format!("http://127.0.0.1:{}", stack.prometheus);

    // Only what this server says: no committed catalog to merge with.
    std::fs::remove_file(specs.join("catalog.yaml")).unwrap();
    let out = promspec(
        dir,
        &[
            "catalog",
            "fetch",
            "--prometheus",
            &url,
            "-o",
            "specs/catalog.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(specs.join("catalog.yaml")).unwrap();
    let live = Catalog::parse(SourceId(0), &written).expect("the fetched catalog reads");
    let m = |name: &str| {
        live.metrics
            .get(name)
            .unwrap_or_else(|| panic!("{name} not fetched"))
    };
    assert_eq!(m("node_cpu_seconds_total").kind, MetricType::Counter);
    assert_eq!(
        m("node_cpu_seconds_total")
            .listed("mode")
            .map(|v| v.contains("idle")),
        Some(true)
    );
    assert_eq!(m("pg_stat_activity_count").kind, MetricType::Gauge);
    assert!(
        m("pg_stat_activity_count")
            .listed("state")
            .is_some_and(|v| v.contains("idle in transaction")),
        "{written}"
    );
    assert_eq!(m("redis_memory_used_bytes").kind, MetricType::Gauge);
    assert_eq!(m("probe_duration_seconds").kind, MetricType::Gauge);
    // Target labels are the scrape's, never a metric's; host names are not listed.
    assert!(live.target_labels.contains("job") && live.target_labels.contains("instance"));
    assert!(!m("pg_up").labels.as_ref().unwrap().contains("job"));
    assert_eq!(m("node_filesystem_avail_bytes").listed("fstype"), None);
    // A second fetch merges into the same bytes.
    let again = promspec(
        dir,
        &[
            "catalog",
            "fetch",
            "--prometheus",
            &url,
            "-o",
            "specs/catalog.yaml",
        ],
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));

    // `--match` narrows to the families of the selected series.
    let redis_only = promspec(
        dir,
        &[
            "catalog",
            "fetch",
            "--prometheus",
            &url,
            "--match",
            "{job=\"redis\"}",
        ],
    );
    let redis_only = Catalog::parse(SourceId(0), &text(&redis_only.stdout)).unwrap();
    assert!(redis_only.metrics.contains_key("redis_memory_used_bytes"));
    assert!(!redis_only.metrics.contains_key("node_cpu_seconds_total"));

    // Every exporter query of the bundled specs resolves, with its labels
    // and values; what stays unknown is exactly what the committed catalog
    // declares by hand (the applications' metrics, postgres_exporter 0.13's
    // replication metrics that Debian's 0.11 lacks).
    let stdout = concise_lint(dir, "specs");
    let committed = Catalog::parse(
        SourceId(0),
        &std::fs::read_to_string(root().join("specs/catalog.yaml")).unwrap(),
    )
    .unwrap();
    let mut by_hand: Vec<String> = committed
        .metrics
        .iter()
        .filter(|(_, m)| m.help.contains("Declared by hand") || m.help.contains("declared by hand"))
        .map(|(n, _)| n.clone())
        .collect();
    by_hand.sort();
    let unknown: Vec<String> = unknown_metrics(&stdout)
        .into_iter()
        .map(|s| committed.family(&s).map_or(s, |(f, _)| f.to_string()))
        .collect();
    let mut unknown_families = unknown.clone();
    unknown_families.sort();
    unknown_families.dedup();
    assert_eq!(unknown_families, by_hand, "{stdout}");
    assert!(
        stdout
            .lines()
            .all(|l| l.contains("[promql/unknown-metric]")),
        "no other finding against the live catalog: {stdout}"
    );
    // The committed catalog agrees with the server on every exporter metric.
    for (name, live_metric) in &live.metrics {
        if let Some(c) = committed.metrics.get(name) {
            assert_eq!(c.kind, live_metric.kind, "{name}");
        }
    }

    // A misspelled metric, label and label value in a copy, each at its span.
    let path = specs.join("mycats.yaml");
    let spec = std::fs::read_to_string(&path).unwrap();
    let typo = spec
        .replacen(
            "node_memory_MemAvailable_bytes",
            "node_memory_MemAvailabe_bytes",
            1,
        )
        .replacen("mode=\"idle\"", "mdoe=\"idle\"", 1);
    std::fs::write(&path, &typo).unwrap();
    let stdout = concise_lint(dir, "specs/mycats.yaml");
    let at = |needle: &str, rule: &str, message: &str| {
        let expected = format!(
            "specs/mycats.yaml:{}: warning[{rule}] {message}",
            position(&typo, needle)
        );
        assert!(
            stdout.lines().any(|l| l == expected),
            "{expected}\n{stdout}"
        );
    };
    at(
        "node_memory_MemAvailabe_bytes",
        "promql/unknown-metric",
        "the metrics catalog has no metric `node_memory_MemAvailabe_bytes`",
    );
    at(
        "mdoe",
        "promql/unknown-label",
        "the metrics catalog has no label `mdoe` on `node_cpu_seconds_total`",
    );
    let human = text(&promspec(dir, &["lint", "specs/mycats.yaml"]).stderr);
    assert!(
        human.contains("did you mean `node_memory_MemAvailable_bytes`?")
            && human.contains("did you mean `mode`?"),
        "{human}"
    );

    // A postgres state that does not exist, in camp-backend's connection count.
    let path = specs.join("camp-backend.yaml");
    let spec = std::fs::read_to_string(&path).unwrap();
    let needle = "pg_stat_activity_count{job=\"camp-backend-postgres\"}";
    assert!(spec.contains(needle));
    let typo = spec.replacen(
        needle,
        "pg_stat_activity_count{job=\"camp-backend-postgres\",state=\"idle_in_transaction\"}",
        1,
    );
    std::fs::write(&path, &typo).unwrap();
    let stdout = concise_lint(dir, "specs/camp-backend.yaml");
    let expected = format!(
        "specs/camp-backend.yaml:{}: warning[promql/unknown-label] `state` of `pg_stat_activity_count` is never `idle_in_transaction` in the metrics catalog",
        position(&typo, "\"idle_in_transaction\"")
    );
    assert!(
        stdout.lines().any(|l| l == expected),
        "{expected}\n{stdout}"
    );
    let human = text(&promspec(dir, &["lint", "specs/camp-backend.yaml"]).stderr);
    assert!(
        human.contains("did you mean `idle in transaction`?"),
        "{human}"
    );
}
