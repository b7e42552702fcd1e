//! The generated configuration in a running Alertmanager: every generated
//! alert is posted to a real `prometheus-alertmanager` (Debian's
//! `prometheus-alertmanager` package, installed by `scripts/test.sh`; a
//! missing binary fails the test), which must report for each alert the
//! receivers its spec names, and must mute exactly the alerts promspec's
//! inhibition model says are muted.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::root;
use promspec::compile::alertmanager;
use promspec::compile::conventions as names;
use promspec::pipeline;
use promspec::routing::eval;
use promspec::routing::matcher::Labels;
use serde_json::{Value, json};

/// A running Alertmanager, stopped when dropped.
struct Daemon {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    fn start(config: &str) -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("alertmanager.yml");
        std::fs::write(&file, config).unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("prometheus-alertmanager")
            .arg(format!("--config.file={}", file.display()))
            .arg(format!("--storage.path={}", dir.path().join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus-alertmanager must be installed (apt-get install prometheus-alertmanager; scripts/test.sh does it)");
        let daemon = Daemon {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while daemon.request("GET", "/-/ready", None).0 != 200 {
            assert!(
                Instant::now() < deadline,
                "Alertmanager did not become ready"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        daemon
    }

    /// One HTTP/1.0 request (no chunked responses); returns status and body.
    fn request(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return (0, String::new());
        };
        let body = body.unwrap_or("");
        let request = format!(
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(request.as_bytes()).is_err() {
            return (0, String::new());
        }
        let mut response = String::new();
        if stream.read_to_string(&mut response).is_err() {
            return (0, String::new());
        }
        let status = response
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = response
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_string();
        (status, body)
    }
}

#[test]
fn a_running_alertmanager_delivers_and_mutes_as_the_specs_say() {
    for dir in [
        root().join("specs"),
        root().join("tests/fixtures/routing/ok"),
    ] {
        check_dir(&dir);
    }
}

fn check_dir(dir: &Path) {
    let loaded = pipeline::load(dir).unwrap();
    assert!(!loaded.diagnostics.has_errors());
    let ws = loaded.workspace.unwrap();
    let outputs = pipeline::compile(&ws);
    let config_text = &outputs
        .iter()
        .find(|o| o.path == names::ALERTMANAGER_PATH)
        .unwrap()
        .content;
    let config = alertmanager::config(&ws.project, &ws.features);
    let alerts = alertmanager::alerts(&ws.project, &ws.features);

    // Every alert fires on instance `a`; the lower levels also on `b`,
    // where no critical alert mutes them.
    let mut firing: Vec<(Labels, String)> = Vec::new();
    for alert in &alerts {
        for instance in ["a", "b"] {
            if instance == "b" && alert.level.level.as_str() == "critical" {
                continue;
            }
            let mut labels = alert.labels.clone();
            labels.insert("instance".into(), instance.into());
            firing.push((labels, alert.expected_receivers().join(",")));
        }
    }
    let muted = |target: &Labels| {
        config.inhibit_rules.iter().any(|rule| {
            firing
                .iter()
                .any(|(source, _)| eval::mutes(rule, source, target))
        })
    };

    let daemon = Daemon::start(config_text);
    let body: Vec<Value> = firing.iter().map(|(l, _)| json!({ "labels": l })).collect();
    let (status, text) = daemon.request(
        "POST",
        "/api/v2/alerts",
        Some(&Value::Array(body).to_string()),
    );
    assert_eq!(status, 200, "{text}");

    // Alertmanager's inhibitor learns of new alerts asynchronously: ask until
    // every mute it must compute is visible (or the deadline passes and the
    // assertions below say what is wrong).
    let deadline = Instant::now() + Duration::from_secs(15);
    let reported: Vec<Value> = loop {
        let (status, text) = daemon.request("GET", "/api/v2/alerts", None);
        assert_eq!(status, 200, "{text}");
        let reported: Vec<Value> = serde_json::from_str(&text).unwrap();
        let settled = reported.len() == firing.len()
            && reported.iter().all(|a| {
                let labels: Labels = a["labels"]
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                            .collect()
                    })
                    .unwrap_or_default();
                let inhibited = a["status"]["inhibitedBy"]
                    .as_array()
                    .is_some_and(|v| !v.is_empty());
                inhibited == muted(&labels)
            });
        if settled || Instant::now() > deadline {
            break reported;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(reported.len(), firing.len(), "{}", dir.display());
    let mut muted_count = 0;
    for (labels, expected) in &firing {
        let found = reported
            .iter()
            .find(|a| {
                a["labels"].as_object().is_some_and(|o| {
                    o.len() == labels.len()
                        && labels
                            .iter()
                            .all(|(k, v)| o.get(k).and_then(Value::as_str) == Some(v))
                })
            })
            .unwrap_or_else(|| panic!("Alertmanager lost {labels:?}"));
        let receivers: Vec<&str> = found["receivers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(receivers.join(","), *expected, "{labels:?}");
        let inhibited = !found["status"]["inhibitedBy"]
            .as_array()
            .unwrap()
            .is_empty();
        assert_eq!(inhibited, muted(labels), "inhibition of {labels:?}");
        muted_count += usize::from(inhibited);
    }
    // The bundled specs and the fixture have thresholds with a critical and
    // a lower level: some alerts must be muted, never those on instance `b`.
    assert!(muted_count > 0, "{}", dir.display());
}
