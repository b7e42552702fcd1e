//! End to end, on the real engines: a fixture spec is compiled; a real
//! Prometheus (Debian's `prometheus` 2.42) evaluates the generated rules every
//! second while scraping gauges this test serves on loopback; a real
//! Alertmanager (`prometheus-alertmanager` 0.25) runs the generated
//! configuration with every receiver posting to this test. The alerts must
//! arrive at exactly the receivers the spec names, a critical alert must mute
//! its warning (and stop muting it once it resolves), and nothing else may
//! arrive. An SLO with windows scaled down to seconds shows multi-window
//! burn-rate alerting end to end: the fast page tier notifies, the slower
//! tiers are muted. The same spec's `vmalert` rule files run in a real vmalert over a
//! real single-node VictoriaMetrics fed by pushed samples. Every daemon is
//! stopped when its test ends, whatever happens; a missing binary fails the
//! test (`scripts/test.sh` installs them).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use promspec::compile::alertmanager;
use promspec::pipeline;
use promspec::spec::model::Integration;
use serde_json::Value;

use crate::daemon::{Daemon, free_port, get, read_request, respond, serve};

const FIXTURE: &str = "tests/fixtures/e2e/specs";
const PROMETHEUS: &str = "/usr/bin/prometheus";
const ALERTMANAGER: &str = "/usr/bin/prometheus-alertmanager";
const VICTORIA_METRICS: &str = "/usr/bin/victoria-metrics";
const VMALERT: &str = "/usr/bin/vmalert";

/// Gauges in the text exposition format, changeable while served.
#[derive(Clone)]
struct Metrics(Arc<Mutex<BTreeMap<&'static str, f64>>>);

impl Metrics {
    fn serve(initial: &[(&'static str, f64)]) -> (Metrics, u16) {
        let metrics = Metrics(Arc::new(Mutex::new(initial.iter().copied().collect())));
        let shared = metrics.clone();
        let port = serve(move |stream| {
            if read_request(stream).is_some() {
                let text: String = shared
                    .0
                    .lock()
                    .expect("metrics")
                    .iter()
                    .map(|(name, v)| format!("# TYPE {name} gauge\n{name} {v}\n"))
                    .collect();
                respond(stream, "text/plain; version=0.0.4", &text);
            }
        });
        (metrics, port)
    }

    fn set(&self, name: &'static str, value: f64) {
        self.0.lock().expect("metrics").insert(name, value);
    }
}

/// One notified alert: receiver (the webhook path), alert name, severity.
type Delivery = (String, String, String);

/// A notified alert with its labels.
type Received = (Delivery, BTreeMap<String, String>);

/// Every firing alert posted to `/<receiver>`, with its labels.
#[derive(Clone)]
struct Webhook(Arc<Mutex<Vec<Received>>>);

impl Webhook {
    fn serve() -> (Webhook, u16) {
        let hook = Webhook(Arc::new(Mutex::new(Vec::new())));
        let shared = hook.clone();
        let port = serve(move |stream| {
            let Some((path, body)) = read_request(stream) else {
                return;
            };
            respond(stream, "text/plain", "");
            let receiver = path.trim_start_matches('/').to_string();
            let payload: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let alerts = payload["alerts"].as_array().cloned().unwrap_or_default();
            let mut log = shared.0.lock().expect("webhook");
            for a in alerts.iter().filter(|a| a["status"] == "firing") {
                let labels: BTreeMap<String, String> = a["labels"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                            .collect()
                    })
                    .unwrap_or_default();
                let label = |k: &str| labels.get(k).cloned().unwrap_or_default();
                log.push((
                    (receiver.clone(), label("alertname"), label("severity")),
                    labels,
                ));
            }
        });
        (hook, port)
    }

    fn delivered(&self) -> BTreeSet<Delivery> {
        self.0
            .lock()
            .expect("webhook")
            .iter()
            .map(|(d, _)| d.clone())
            .collect()
    }

    fn labels_of(&self, d: &Delivery) -> BTreeMap<String, String> {
        self.0
            .lock()
            .expect("webhook")
            .iter()
            .find(|(x, _)| x == d)
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    }
}

fn delivery(receiver: &str, alertname: &str, severity: &str) -> Delivery {
    (receiver.into(), alertname.into(), severity.into())
}

fn show(set: &BTreeSet<Delivery>) -> String {
    set.iter()
        .map(|(r, a, s)| format!("  {r}: {a} ({s})"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The generated Alertmanager configuration with every receiver posting to
/// `base/<receiver>` instead of its real integrations.
fn alertmanager_config(ws: &promspec::spec::model::Workspace, base: &str) -> String {
    let mut config = alertmanager::config(&ws.project, &ws.features);
    for r in &mut config.receivers {
        r.integrations = vec![Integration::Webhook {
            url: Some(format!("{base}/{}", r.name)),
            url_file: None,
            send_resolved: false,
            max_alerts: 0,
        }];
    }
    alertmanager::render_config(&ws.project, &config)
}

/// A real Prometheus in `dir` evaluating `rule_files` every second, scraping
/// the gauges on `metrics_port` and notifying the Alertmanager on `am_port`.
fn start_prometheus(
    dir: &Path,
    rule_files: &[PathBuf],
    am_port: u16,
    metrics_port: u16,
) -> (Daemon, u16) {
    let prom_config = dir.join("prometheus.yml");
    let rule_list: String = rule_files
        .iter()
        .map(|p| format!("  - {}\n", p.display()))
        .collect();
    std::fs::write(
        &prom_config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
             rule_files:\n{rule_list}\
             alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:{am_port}']\n\
             scrape_configs:\n  - job_name: e2e\n    static_configs:\n      - targets: ['127.0.0.1:{metrics_port}']\n"
        ),
    )
    .expect("write prometheus.yml");
    let prom_port = free_port();
    let prom = Daemon::start(
        "Prometheus",
        PROMETHEUS,
        &[
            format!("--config.file={}", prom_config.display()),
            format!("--storage.tsdb.path={}", dir.join("prom-data").display()),
            format!("--web.listen-address=127.0.0.1:{prom_port}"),
        ],
        dir.join("prometheus.log"),
        prom_port,
    );
    (prom, prom_port)
}

/// A real Alertmanager running the generated configuration in `dir`, every
/// receiver posting to the webhook on `hook_port`.
fn start_alertmanager(
    ws: &promspec::spec::model::Workspace,
    dir: &Path,
    hook_port: u16,
) -> (Daemon, u16) {
    let am_config = dir.join("alertmanager.yml");
    std::fs::write(
        &am_config,
        alertmanager_config(ws, &format!("http://127.0.0.1:{hook_port}")),
    )
    .expect("write alertmanager.yml");
    let am_port = free_port();
    let am = Daemon::start(
        "Alertmanager",
        ALERTMANAGER,
        &[
            format!("--config.file={}", am_config.display()),
            format!("--storage.path={}", dir.join("am-data").display()),
            format!("--web.listen-address=127.0.0.1:{am_port}"),
            "--cluster.listen-address=".into(),
        ],
        dir.join("alertmanager.log"),
        am_port,
    );
    (am, am_port)
}

#[test]
fn alerts_reach_exactly_the_receivers_the_spec_names() {
    let started = Instant::now();
    let loaded = pipeline::load(Path::new(FIXTURE)).expect("fixture loads");
    assert!(!loaded.diagnostics.has_errors(), "{:?}", loaded.diagnostics);
    let ws = loaded.workspace.expect("workspace");
    let dir = tempfile::tempdir().expect("tempdir");

    let mut rule_files = Vec::new();
    for o in pipeline::compile(&ws) {
        if o.path.ends_with(".rules.yml") {
            let path = dir.path().join(o.path.replace('/', "_"));
            std::fs::write(&path, &o.content).expect("write rules");
            rule_files.push(path);
        }
    }
    assert!(!rule_files.is_empty());

    let (metrics, metrics_port) = Metrics::serve(&[
        ("e2e_queue_depth", 5.0),
        ("e2e_workers", 4.0),
        ("e2e_payment_error_ratio", 0.001),
        ("e2e_latency_seconds", 0.1),
    ]);
    let (hook, hook_port) = Webhook::serve();

    let (am, am_port) = start_alertmanager(&ws, dir.path(), hook_port);

    let (prom, prom_port) = start_prometheus(dir.path(), &rule_files, am_port, metrics_port);

    // The generated recording rule produces its series from the scraped gauge.
    prom.wait_until(
        Duration::from_secs(15),
        "recording the threshold values",
        || {
            let (_, body) = get(prom_port, "/api/v1/query?query=checkout:queue_depth:count");
            serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v["data"]["result"].as_array().map(|r| !r.is_empty()))
                .unwrap_or(false)
        },
    );

    // Quiet: every value on the quiet side of its levels, for longer than `for`.
    std::thread::sleep(Duration::from_secs(4));
    assert!(
        hook.delivered().is_empty(),
        "alerts arrived while every value was quiet:\n{}",
        show(&hook.delivered())
    );

    // Queue depth above both levels, too few workers, payment errors above info.
    metrics.set("e2e_queue_depth", 100.0);
    metrics.set("e2e_workers", 1.0);
    metrics.set("e2e_payment_error_ratio", 0.02);
    let expected: BTreeSet<Delivery> = [
        delivery("pager", "CheckoutQueueDepth", "critical"),
        delivery("chat-critical", "CheckoutQueueDepth", "critical"),
        delivery("chat-warning", "CheckoutWorkers", "warning"),
        delivery("tickets", "CheckoutPaymentErrors", "info"),
    ]
    .into();
    am.wait_until(
        Duration::from_secs(30),
        "delivering every expected alert",
        || hook.delivered().is_superset(&expected),
    );

    // The queue-depth warning fires in Prometheus and is muted by its critical.
    let firing = prom.get_json("/api/v1/alerts");
    let warning_fires = firing["data"]["alerts"].as_array().is_some_and(|alerts| {
        alerts.iter().any(|a| {
            a["labels"]["alertname"] == "CheckoutQueueDepth"
                && a["labels"]["severity"] == "warning"
                && a["state"] == "firing"
        })
    });
    assert!(
        warning_fires,
        "the queue-depth warning does not fire: {firing}"
    );
    let in_am = am.get_json("/api/v2/alerts");
    let muted = in_am.as_array().is_some_and(|alerts| {
        alerts.iter().any(|a| {
            a["labels"]["alertname"] == "CheckoutQueueDepth"
                && a["labels"]["severity"] == "warning"
                && a["status"]["state"] == "suppressed"
                && a["status"]["inhibitedBy"]
                    .as_array()
                    .is_some_and(|i| !i.is_empty())
        })
    });
    assert!(
        muted,
        "Alertmanager does not mute the queue-depth warning: {in_am}"
    );

    // Nothing else arrives: not the muted warning, not the quiet thresholds,
    // not the payment-errors critical level, nothing unrouted.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        hook.delivered(),
        expected,
        "\nexpected:\n{}\ndelivered:\n{}",
        show(&expected),
        show(&hook.delivered())
    );
    let labels = hook.labels_of(&delivery("pager", "CheckoutQueueDepth", "critical"));
    for (k, v) in [
        ("feature", "checkout"),
        ("team", "shop"),
        ("priority", "P1"),
        ("threshold", "queue-depth"),
    ] {
        assert_eq!(
            labels.get(k).map(String::as_str),
            Some(v),
            "label `{k}` of {labels:?}"
        );
    }

    // The critical clears: its warning is no longer muted and reaches its channel.
    metrics.set("e2e_queue_depth", 20.0);
    let mut expected = expected;
    expected.insert(delivery("chat-warning", "CheckoutQueueDepth", "warning"));
    am.wait_until(
        Duration::from_secs(20),
        "delivering the unmuted warning",
        || hook.delivered().is_superset(&expected),
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        hook.delivered(),
        expected,
        "\nexpected:\n{}\ndelivered:\n{}",
        show(&expected),
        show(&hook.delivered())
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the end-to-end run took {:?}",
        started.elapsed()
    );
}

/// Push `metrics` to VictoriaMetrics every half second, as `job="e2e"`,
/// `instance="a"`, until the returned flag is cleared.
fn push_forever(metrics: Metrics, vm_port: u16) -> Arc<std::sync::atomic::AtomicBool> {
    let running = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let flag = running.clone();
    std::thread::spawn(move || {
        while flag.load(std::sync::atomic::Ordering::Relaxed) {
            let body: String = metrics
                .0
                .lock()
                .expect("metrics")
                .iter()
                .map(|(name, v)| format!("{name}{{job=\"e2e\",instance=\"a\"}} {v}\n"))
                .collect();
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", vm_port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let _ = write!(
                    stream,
                    "POST /api/v1/import/prometheus HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.read_to_end(&mut Vec::new());
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    });
    running
}

/// The same spec on VictoriaMetrics: the `vmalert` target's rule files run in
/// a real vmalert over a real single-node VictoriaMetrics fed by pushed
/// samples, notifying the real Alertmanager: a threshold crossing reaches
/// exactly its receivers and the critical mutes its warning.
#[test]
fn vmalert_delivers_a_threshold_crossing_to_its_receivers() {
    let loaded = pipeline::load(Path::new(FIXTURE)).expect("fixture loads");
    let mut ws = loaded.workspace.expect("workspace");
    ws.project.targets.vmalert = Some(promspec::spec::targets::VmalertTarget { concurrency: None });
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rule_files = Vec::new();
    for o in pipeline::compile(&ws) {
        if o.path.starts_with("vmalert/") {
            let path = dir.path().join(o.path.replace('/', "_"));
            std::fs::write(&path, &o.content).expect("write rules");
            rule_files.push(path);
        }
    }
    assert!(
        !rule_files.is_empty(),
        "the vmalert target writes rule files"
    );

    let (hook, hook_port) = Webhook::serve();
    let (am, am_port) = start_alertmanager(&ws, dir.path(), hook_port);
    let vm_port = free_port();
    let _vm = Daemon::start_probed(
        "VictoriaMetrics",
        VICTORIA_METRICS,
        &[
            format!("-httpListenAddr=127.0.0.1:{vm_port}"),
            format!("-storageDataPath={}", dir.path().join("vm-data").display()),
            "-search.latencyOffset=0s".into(),
            "-retentionPeriod=1d".into(),
        ],
        dir.path().join("victoria-metrics.log"),
        vm_port,
        "/health",
    );
    let metrics = Metrics(Arc::new(Mutex::new(
        [
            ("e2e_queue_depth", 5.0),
            ("e2e_workers", 4.0),
            ("e2e_payment_error_ratio", 0.001),
            ("e2e_latency_seconds", 0.1),
        ]
        .into_iter()
        .collect(),
    )));
    let pushing = push_forever(metrics.clone(), vm_port);
    let vmalert_port = free_port();
    let mut args = vec![
        format!("-datasource.url=http://127.0.0.1:{vm_port}"),
        format!("-notifier.url=http://127.0.0.1:{am_port}"),
        // The recorded series go back into VictoriaMetrics, where the alerts read them.
        format!("-remoteWrite.url=http://127.0.0.1:{vm_port}"),
        format!("-httpListenAddr=127.0.0.1:{vmalert_port}"),
        "-evaluationInterval=1s".into(),
    ];
    args.extend(rule_files.iter().map(|p| format!("-rule={}", p.display())));
    let vmalert = Daemon::start_probed(
        "vmalert",
        VMALERT,
        &args,
        dir.path().join("vmalert.log"),
        vmalert_port,
        "/health",
    );

    std::thread::sleep(Duration::from_secs(4));
    assert!(
        hook.delivered().is_empty(),
        "alerts arrived while every value was quiet:\n{}\nvmalert log:\n{}",
        show(&hook.delivered()),
        vmalert.log_tail()
    );
    metrics.set("e2e_queue_depth", 100.0);
    let expected: BTreeSet<Delivery> = [
        delivery("pager", "CheckoutQueueDepth", "critical"),
        delivery("chat-critical", "CheckoutQueueDepth", "critical"),
    ]
    .into();
    am.wait_until(
        Duration::from_secs(40),
        "delivering the queue-depth critical from vmalert",
        || hook.delivered().is_superset(&expected),
    );
    // The warning fires in vmalert too, but its critical mutes it.
    std::thread::sleep(Duration::from_secs(3));
    pushing.store(false, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(
        hook.delivered(),
        expected,
        "\nexpected:\n{}\ndelivered:\n{}\nvmalert log:\n{}",
        show(&expected),
        show(&hook.delivered()),
        vmalert.log_tail()
    );
    let labels = hook.labels_of(&delivery("pager", "CheckoutQueueDepth", "critical"));
    assert_eq!(labels.get("feature").map(String::as_str), Some("checkout"));
}

/// An SLO whose windows are scaled down to seconds: 90% available over an
/// hour, the page tiers over 2s/6s and 6s/20s, the ticket tiers over 20s/1m
/// and 1m/5m.
const BURN_SPEC: &str = "feature: burn
title: Burn
team: shop
runbook: https://runbooks.example.com/burn
slos:
  - id: availability
    title: Availability
    objective: 90%
    period: 1h
    sli:
      availability:
        series: e2e_up{job=\"e2e\"}
    alerting:
      windows:
        page:
          quick: {budget_consumed: 1%, short: 2s, long: 6s}
          slow: {budget_consumed: 2%, short: 6s, long: 20s}
        ticket:
          quick: {budget_consumed: 5%, short: 20s, long: 1m}
          slow: {budget_consumed: 10%, short: 1m, long: 5m}
      no_data: {disable: true}
";

/// Multi-window burn-rate alerting on the real engines: when the service
/// goes down, the fast page tier fires and reaches exactly the critical
/// receivers; the slower page tier fires in Prometheus too, but Alertmanager
/// mutes it (tier inhibition), so it notifies nobody.
#[test]
fn a_fast_burn_pages_and_mutes_the_slower_tiers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let specs = dir.path().join("specs");
    std::fs::create_dir(&specs).unwrap();
    std::fs::copy(
        Path::new(FIXTURE).join("promspec.yaml"),
        specs.join("promspec.yaml"),
    )
    .unwrap();
    std::fs::write(specs.join("burn.yaml"), BURN_SPEC).unwrap();
    let loaded = pipeline::load(&specs).expect("specs load");
    assert!(!loaded.diagnostics.has_errors(), "{:?}", loaded.diagnostics);
    let ws = loaded.workspace.expect("workspace");
    let rules = dir.path().join("burn.rules.yml");
    let compiled = pipeline::compile(&ws);
    let rule_file = compiled
        .iter()
        .find(|o| o.path == "prometheus/burn.rules.yml")
        .expect("the SLO's rule file");
    std::fs::write(&rules, &rule_file.content).unwrap();

    let (metrics, metrics_port) = Metrics::serve(&[("e2e_up", 1.0)]);
    let (hook, hook_port) = Webhook::serve();
    let (am, am_port) = start_alertmanager(&ws, dir.path(), hook_port);
    let (prom, _) = start_prometheus(dir.path(), &[rules], am_port, metrics_port);

    // Healthy: no tier fires.
    std::thread::sleep(Duration::from_secs(4));
    assert!(hook.delivered().is_empty(), "{}", show(&hook.delivered()));

    // Down: the page-quick tier pages the critical receivers.
    metrics.set("e2e_up", 0.0);
    let tier_of = |labels: &BTreeMap<String, String>| labels.get("slo_tier").cloned();
    let expected: BTreeSet<Delivery> = [
        delivery("pager", "BurnAvailabilityErrorBudgetBurn", "critical"),
        delivery(
            "chat-critical",
            "BurnAvailabilityErrorBudgetBurn",
            "critical",
        ),
    ]
    .into();
    am.wait_until(
        Duration::from_secs(40),
        "delivering the page-quick burn-rate alert",
        || hook.delivered().is_superset(&expected),
    );

    // The page-slow tier fires in Prometheus, and Alertmanager mutes it.
    let slow_fires = || {
        prom.get_json("/api/v1/alerts")["data"]["alerts"]
            .as_array()
            .is_some_and(|alerts| {
                alerts
                    .iter()
                    .any(|a| a["labels"]["slo_tier"] == "page-slow" && a["state"] == "firing")
            })
    };
    prom.wait_until(
        Duration::from_secs(40),
        "firing the page-slow tier",
        slow_fires,
    );
    am.wait_until(Duration::from_secs(20), "muting the page-slow tier", || {
        am.get_json("/api/v2/alerts")
            .as_array()
            .is_some_and(|alerts| {
                alerts.iter().any(|a| {
                    a["labels"]["slo_tier"] == "page-slow"
                        && a["status"]["state"] == "suppressed"
                        && a["status"]["inhibitedBy"]
                            .as_array()
                            .is_some_and(|i| !i.is_empty())
                })
            })
    });
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        hook.delivered(),
        expected,
        "\nexpected:\n{}\ndelivered:\n{}",
        show(&expected),
        show(&hook.delivered())
    );
    let tiers: BTreeSet<Option<String>> = hook
        .0
        .lock()
        .expect("webhook")
        .iter()
        .map(|(_, labels)| tier_of(labels))
        .collect();
    assert_eq!(
        tiers,
        [Some("page-quick".to_string())].into(),
        "only the fastest tier notifies"
    );
}
