//! What notifications say and when they leave, on the real Alertmanager.
//!
//! A project with three Slack receivers is compiled; a real
//! `prometheus-alertmanager` 0.25 runs the generated `alertmanager.yml` and
//! `promspec.tmpl`, every receiver's `api_url_file` pointing at a capture
//! server on loopback. A posted alert must arrive as a Slack message whose
//! title, colour, text and links carry the alert's summary, severity,
//! priority, feature, instance, runbook and dashboard; a receiver that
//! writes its own title gets it; a receiver whose own hours exclude now is
//! not notified while the others are; a receiver whose title promspec
//! refuses (`routing/notification-template`) fails in Alertmanager too,
//! and every template the rule accepts or refuses in a table renders or
//! fails alike in `amtool template render`. A PagerDuty receiver whose
//! `url` is the capture server gets Events API v2 events whose severity
//! follows the level and whose details and links carry the alert's. Email
//! receivers whose `smtp.smarthost` is a plain SMTP capture server on
//! loopback get mail whose Subject is promspec's title (or the receiver's
//! own `email.subject`) and whose HTML part carries the alert's fields and
//! links. `promspec routes test --at` must say
//! the same of the bundled specs: the DBA is mailed during business hours
//! only, on-call is paged always.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use promspec::compile::{alertmanager, conventions as names, lower};
use promspec::pipeline;
use serde_json::{Value, json};

use crate::daemon::{Daemon, Mail, free_port, post_json, read_request, respond, serve, serve_smtp};
use crate::support::{promspec, root, text};

const ALERTMANAGER: &str = "/usr/bin/prometheus-alertmanager";

const FEATURE: &str = r#"feature: checkout
team: payments
runbook: https://runbooks.example.com/checkout
thresholds:
  - id: queue-depth
    title: Queue depth
    query: max by (instance) (checkout_queue_depth)
    unit: count
    warning: {above: 10}
    critical: {above: 50}
"#;

fn project_file(dir: &Path) -> String {
    let url_file = |name: &str| dir.join(format!("{name}-url")).display().to_string();
    format!(
        r##"project: notify
grafana_url: https://grafana.example.com
priorities:
  P1: {{title: High, response_time: 1h, group_wait: 1s}}
  P2: {{title: Medium, response_time: 4h, group_wait: 1s}}
severities:
  critical: {{priority: P1, receivers: [slack-team, slack-custom, slack-dba, slack-broken]}}
  warning: {{priority: P2, receivers: [slack-team]}}
receivers:
  slack-team:
    slack: {{channel: "#team", api_url_file: {team}}}
  slack-custom:
    slack:
      channel: "#custom"
      api_url_file: {custom}
      title: "custom {{{{ .CommonLabels.alertname }}}} on {{{{ .CommonLabels.instance }}}}"
  slack-dba:
    slack: {{channel: "#dba", api_url_file: {dba}}}
    active_time_intervals: [long-ago]
  slack-broken:
    slack:
      channel: "#broken"
      api_url_file: {broken}
      title: "{{{{ .CommonLabels.alertname | trimSpace }}}}"
time_intervals:
  long-ago:
    - years: ["2001"]
"##,
        team = url_file("team"),
        custom = url_file("custom"),
        dba = url_file("dba"),
        broken = url_file("broken"),
    )
}

/// Every Slack message posted to the capture server, by path.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<(String, Value)>>>);

impl Capture {
    fn serve() -> (Capture, u16) {
        let capture = Capture::default();
        let shared = capture.clone();
        let port = serve(move |stream| {
            let Some((path, body)) = read_request(stream) else {
                return;
            };
            respond(stream, "text/plain", "ok");
            let payload = serde_json::from_slice(&body).unwrap_or(Value::Null);
            shared.0.lock().expect("capture").push((path, payload));
        });
        (capture, port)
    }

    fn at(&self, path: &str) -> Vec<Value> {
        self.0
            .lock()
            .expect("capture")
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

#[test]
fn slack_messages_carry_the_alert_and_its_links() {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("specs");
    std::fs::create_dir(&specs).unwrap();
    std::fs::write(specs.join("promspec.yaml"), project_file(dir.path())).unwrap();
    std::fs::write(specs.join("checkout.yaml"), FEATURE).unwrap();
    let loaded = pipeline::load(&specs).unwrap();
    // The one error: a title that Alertmanager cannot render (promspec
    // refuses to build it; compiled here anyway, as an unchecked build would).
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == promspec::diag::Severity::Error)
        .map(|d| format!("{}: {}", d.id, d.message))
        .collect();
    assert_eq!(
        errors,
        [
            "routing/notification-template: the template in `slack.title` of receiver \
          `slack-broken` cannot render: function `trimSpace` is not defined"
        ],
    );
    let ws = loaded.workspace.unwrap();

    // The generated configuration and templates, side by side as deployed.
    let am_dir = dir.path().join("alertmanager");
    std::fs::create_dir(&am_dir).unwrap();
    for o in pipeline::compile(&ws) {
        if o.path == names::ALERTMANAGER_PATH || o.path == names::ALERTMANAGER_TEMPLATES_PATH {
            let name = o.path.rsplit('/').next().unwrap();
            std::fs::write(am_dir.join(name), &o.content).unwrap();
        }
    }
    assert!(am_dir.join("promspec.tmpl").is_file());

    let (capture, capture_port) = Capture::serve();
    for name in ["team", "custom", "dba", "broken"] {
        std::fs::write(
            dir.path().join(format!("{name}-url")),
            format!("http://127.0.0.1:{capture_port}/{name}\n"),
        )
        .unwrap();
    }

    // The critical alert as Prometheus would send it: the generated rule's
    // labels and annotations, on one instance.
    let alert = alertmanager::alerts(&ws.project, &ws.features)
        .into_iter()
        .find(|a| a.level.level.as_str() == "critical")
        .expect("a critical alert");
    let rules = lower::feature(&ws.project, &ws.features[0]);
    let rule = rules
        .groups
        .iter()
        .flat_map(|g| &g.rules)
        .find(|r| {
            r.is_alert()
                && r.name.value == alert.alertname
                && r.label("severity")
                    .is_some_and(|p| p.value.value == "critical")
        })
        .expect("the alerting rule");
    let annotations: BTreeMap<String, String> = rule
        .annotations
        .iter()
        .map(|p| (p.key.value.clone(), p.value.value.clone()))
        .collect();
    let mut labels = alert.labels.clone();
    labels.insert("instance".into(), "shop-1".into());

    let am_port = free_port();
    let am = Daemon::start(
        "Alertmanager",
        ALERTMANAGER,
        &[
            format!(
                "--config.file={}",
                am_dir.join("alertmanager.yml").display()
            ),
            format!("--storage.path={}", dir.path().join("am-data").display()),
            format!("--web.listen-address=127.0.0.1:{am_port}"),
            "--cluster.listen-address=".into(),
        ],
        dir.path().join("alertmanager.log"),
        am_port,
    );
    let body = json!([{ "labels": labels, "annotations": annotations }]).to_string();
    let (status, answer) = post_json(am_port, "/api/v2/alerts", &body);
    assert_eq!(status, 200, "{answer}");

    am.wait_until(
        Duration::from_secs(30),
        "notifying both Slack channels",
        || !capture.at("/team").is_empty() && !capture.at("/custom").is_empty(),
    );
    // The receiver whose title promspec refuses fails in Alertmanager too.
    let log = dir.path().join("alertmanager.log");
    am.wait_until(
        Duration::from_secs(30),
        "failing the broken receiver's notification",
        || {
            std::fs::read_to_string(&log).is_ok_and(|l| {
                l.lines().any(|line| {
                    line.contains("Notify for alerts failed")
                        && line.contains("slack-broken/slack[0]")
                        && line.contains(r#"function \"trimSpace\" not defined"#)
                })
            })
        },
    );
    // The DBA's route is notified in the same flush, if at all.
    let flushed = Instant::now();
    while flushed.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(100));
    }

    let annotation = |k: &str| annotations.get(k).cloned().unwrap_or_default();
    let (summary, runbook, dashboard) = (
        annotation("summary"),
        annotation("runbook_url"),
        annotation("dashboard_url"),
    );
    assert!(!summary.is_empty() && !runbook.is_empty() && !dashboard.is_empty());

    let message = &capture.at("/team")[0];
    assert_eq!(message["channel"], "#team", "{message:#}");
    let attachment = &message["attachments"][0];
    assert_eq!(
        attachment["title"],
        format!("[FIRING:1] P1 critical: {summary} (checkout)"),
        "{message:#}"
    );
    assert_eq!(attachment["title_link"], dashboard.as_str(), "{message:#}");
    assert_eq!(attachment["color"], "danger", "{message:#}");
    let text = attachment["text"].as_str().unwrap_or_default();
    for expected in [
        format!("*{}*: {summary}", alert.alertname),
        "severity: `critical`".to_string(),
        "priority: `P1`".to_string(),
        "feature: `checkout`".to_string(),
        "team: `payments`".to_string(),
        "instance: `shop-1`".to_string(),
        format!("<{runbook}|runbook>"),
        format!("<{dashboard}|dashboard>"),
    ] {
        assert!(text.contains(&expected), "{expected:?} not in:\n{text}");
    }

    // The receiver's own title replaces promspec's; the text is still promspec's.
    let custom = &capture.at("/custom")[0]["attachments"][0];
    assert_eq!(
        custom["title"],
        format!("custom {} on shop-1", alert.alertname),
        "{custom:#}"
    );
    assert!(
        custom["text"]
            .as_str()
            .is_some_and(|t| t.contains(&format!("<{runbook}|runbook>"))),
        "{custom:#}"
    );

    assert!(
        capture.at("/broken").is_empty(),
        "{:#?}",
        capture.at("/broken")
    );

    // Outside its own hours, the DBA's receiver is not notified.
    assert!(
        capture.at("/dba").is_empty(),
        "the DBA was notified outside its hours: {:#?}",
        capture.at("/dba")
    );
}

/// The receivers and their state at `at`, from `promspec routes test --at`.
fn states_at(args: &[&str], at: &str) -> Vec<String> {
    let mut all = vec!["routes", "test", "--at", at];
    all.extend_from_slice(args);
    all.extend([
        "feature=camp-backend",
        "alertname=CampBackendDeadlocks",
        "severity=critical",
        "instance=db-1",
    ]);
    let out = promspec(root(), &all);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let (_, states) = stdout
        .split_once(&format!("\nat {at}:\n"))
        .unwrap_or_else(|| panic!("no `at` section in:\n{stdout}"));
    states.lines().map(|l| l.trim().to_string()).collect()
}

#[test]
fn the_dba_is_mailed_in_business_hours_and_on_call_paged_always() {
    let config = root().join("generated").join(names::ALERTMANAGER_PATH);
    let config = config.display().to_string();
    for source in [vec![], vec!["--config", config.as_str()]] {
        // Saturday 10:00 and Monday 10:00 in Tokyo (平日 9-18時).
        assert_eq!(
            states_at(&source, "2026-03-07T10:00:00+09:00"),
            [
                "pager-oncall: notifies",
                "slack-ops-critical: notifies",
                "email-dba: muted (outside business-hours)",
            ],
            "{source:?}"
        );
        assert_eq!(
            states_at(&source, "2026-03-09T10:00:00+09:00"),
            [
                "pager-oncall: notifies",
                "slack-ops-critical: notifies",
                "email-dba: notifies",
            ],
            "{source:?}"
        );
        // Monday 18:30 in Tokyo: after the DBA's hours.
        assert_eq!(
            states_at(&source, "2026-03-09T09:30:00Z")[2],
            "email-dba: muted (outside business-hours)",
            "{source:?}"
        );
    }
}

/// Whether `promspec` refuses `text` as a Slack receiver's title with
/// `routing/notification-template`.
fn rule_refuses(text: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("specs");
    std::fs::create_dir(&specs).unwrap();
    let project = format!(
        "project: t\ngrafana_url: https://grafana.example.com\npriorities:\n  P1: {{response_time: 1h}}\nseverities:\n  critical: {{priority: P1, receivers: [ops]}}\n  warning: {{priority: P1, receivers: [ops]}}\nreceivers:\n  ops:\n    slack:\n      channel: '#ops'\n      api_url_file: /etc/alertmanager/slack\n      title: |-\n        {text}\n"
    );
    std::fs::write(specs.join("promspec.yaml"), project).unwrap();
    std::fs::write(specs.join("checkout.yaml"), FEATURE).unwrap();
    let loaded = pipeline::load(&specs).unwrap();
    let ids: Vec<&str> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == promspec::diag::Severity::Error)
        .map(|d| d.id)
        .collect();
    assert!(
        ids.iter().all(|id| *id == "routing/notification-template"),
        "{text}: {ids:?}"
    );
    !ids.is_empty()
}

/// What `amtool template render` says of `text`, with promspec's and
/// Alertmanager's own templates loaded: `Err` with its message when the
/// template cannot render.
fn amtool_renders(text: &str, templates_dir: &Path) -> Result<String, String> {
    let out = std::process::Command::new("amtool")
        .args([
            "template",
            "render",
            &format!("--template.glob={}/*.tmpl", templates_dir.display()),
            // Alertmanager's own templates, which the Debian amtool does not load itself.
            "--template.glob=/usr/share/prometheus/alertmanager/*.tmpl",
            &format!("--template.text={text}"),
        ])
        .output()
        .expect("amtool must be installed (scripts/test.sh installs it)");
    if out.status.success() {
        Ok(text_of(&out.stdout))
    } else {
        Err(text_of(&out.stderr))
    }
}

fn text_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The rule's findings are true: every receiver template it accepts renders
/// in Alertmanager 0.25 (`amtool template render`, the code path of a
/// notification), and every one it refuses fails there.
#[test]
fn the_template_rule_agrees_with_alertmanager() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("promspec.tmpl"),
        alertmanager::templates::file(),
    )
    .unwrap();
    let accepted = [
        "{{ .CommonLabels.alertname }} on {{ .CommonLabels.instance }}",
        r#"{{ template "promspec.title" . }} {{ template "slack.default.title" . }}"#,
        r#"{{ range .Alerts }}{{ .Labels.instance | toUpper }} {{ .StartsAt.Format "15:04" }} {{ .Fingerprint }}{{ end }}"#,
        r#"{{ range .CommonLabels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}{{ .GroupLabels.Names | join "," }}"#,
        "{{ with index .Alerts 0 }}{{ .GeneratorURL }} {{ .Annotations.summary }}{{ end }} {{ $.ExternalURL }} {{ .Receiver }}",
        r#"{{ reReplaceAll "a" "b" .Status | title }}{{ if match "^crit" .CommonLabels.severity }}!{{ end }}"#,
        r#"{{ range $i, $a := .Alerts }}{{ $a.Labels.job }}{{ end }}{{ len .Alerts.Firing }}{{ .CommonAnnotations.Remove (stringSlice "x") }}"#,
        r#"{{ define "mine" }}{{ .Status }}{{ end }}{{ template "mine" . }} {{/* it's mine */}}"#,
    ];
    let refused = [
        ("{{ .CommonLabels.alertname | trimSpace }}", "trimSpace"),
        ("{{ humanize 3 }}", "humanize"),
        ("{{ $labels.instance }}", "$labels"),
        ("{{ .Labels.instance }}", "can't evaluate field Labels"),
        (
            "{{ range .Alerts }}{{ .Value }}{{ end }}",
            "can't evaluate field Value",
        ),
        (
            "{{ .CommonLabels.severity.name }}",
            "can't evaluate field name",
        ),
        (r#"{{ template "promspec.titel" . }}"#, "not defined"),
        ("{{ if .Status }}firing", "unexpected EOF"),
        ("{{ .Status", "unclosed action"),
    ];
    let mut failures = Vec::new();
    for text in accepted {
        if rule_refuses(text) {
            failures.push(format!("the rule refuses {text:?}"));
        }
        if let Err(e) = amtool_renders(text, dir.path()) {
            failures.push(format!("Alertmanager cannot render {text:?}: {e}"));
        }
    }
    for (text, because) in refused {
        if !rule_refuses(text) {
            failures.push(format!("the rule accepts {text:?}"));
        }
        match amtool_renders(text, dir.path()) {
            Ok(out) => failures.push(format!("Alertmanager renders {text:?} as {out:?}")),
            Err(e) if !e.contains(because) => failures.push(format!(
                "Alertmanager fails on {text:?} but not for {because:?}: {e}"
            )),
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The labels and annotations Prometheus would send for the alert of
/// `level` of the workspace's first feature, on `instance`.
fn firing(
    ws: &promspec::spec::model::Workspace,
    level: &str,
    instance: &str,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let alert = alertmanager::alerts(&ws.project, &ws.features)
        .into_iter()
        .find(|a| a.level.level.as_str() == level)
        .unwrap_or_else(|| panic!("a {level} alert"));
    let rules = lower::feature(&ws.project, &ws.features[0]);
    let rule = rules
        .groups
        .iter()
        .flat_map(|g| &g.rules)
        .find(|r| {
            r.is_alert()
                && r.name.value == alert.alertname
                && r.label("severity").is_some_and(|p| p.value.value == level)
        })
        .expect("the alerting rule");
    let annotations = rule
        .annotations
        .iter()
        .map(|p| (p.key.value.clone(), p.value.value.clone()))
        .collect();
    let mut labels = alert.labels.clone();
    labels.insert("instance".into(), instance.into());
    (labels, annotations)
}

/// Compile `specs` into `dir/alertmanager/` (configuration and templates,
/// side by side as deployed), letting `edit` change the configuration's
/// text, and start Alertmanager on it.
fn alertmanager_on(
    specs: &Path,
    dir: &Path,
    edit: impl Fn(String) -> String,
) -> (promspec::spec::model::Workspace, Daemon, u16) {
    let loaded = pipeline::load(specs).unwrap();
    assert!(
        !loaded.diagnostics.has_errors(),
        "{:#?}",
        loaded.diagnostics
    );
    let ws = loaded.workspace.unwrap();
    let am_dir = dir.join("alertmanager");
    std::fs::create_dir_all(&am_dir).unwrap();
    for o in pipeline::compile(&ws) {
        if o.path == names::ALERTMANAGER_PATH {
            std::fs::write(am_dir.join("alertmanager.yml"), edit(o.content)).unwrap();
        } else if o.path == names::ALERTMANAGER_TEMPLATES_PATH {
            std::fs::write(am_dir.join("promspec.tmpl"), &o.content).unwrap();
        }
    }
    let port = free_port();
    let am = Daemon::start(
        "Alertmanager",
        ALERTMANAGER,
        &[
            format!(
                "--config.file={}",
                am_dir.join("alertmanager.yml").display()
            ),
            format!("--storage.path={}", dir.join("am-data").display()),
            format!("--web.listen-address=127.0.0.1:{port}"),
            "--cluster.listen-address=".into(),
        ],
        dir.join("alertmanager.log"),
        port,
    );
    (ws, am, port)
}

/// PagerDuty's Events API v2 event as Alertmanager sends it: the severity
/// follows the level, the summary is promspec's title, the details and
/// links carry what on-call needs.
#[test]
fn pagerduty_events_follow_the_level_and_carry_the_links() {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("specs");
    std::fs::create_dir(&specs).unwrap();
    let key_file = dir.path().join("pagerduty-routing-key");
    std::fs::write(&key_file, "0123456789abcdef0123456789abcdef\n").unwrap();
    std::fs::write(
        specs.join("promspec.yaml"),
        format!(
            "project: notify\ngrafana_url: https://grafana.example.com\npriorities:\n  P1: {{title: High, response_time: 1h, group_wait: 1s}}\n  P2: {{title: Medium, response_time: 4h, group_wait: 1s}}\nseverities:\n  critical: {{priority: P1, receivers: [pager]}}\n  warning: {{priority: P2, receivers: [pager]}}\nreceivers:\n  pager:\n    pagerduty: {{routing_key_file: {}}}\n",
            key_file.display()
        ),
    )
    .unwrap();
    std::fs::write(specs.join("checkout.yaml"), FEATURE).unwrap();

    let (capture, capture_port) = Capture::serve();
    // Alertmanager posts to PagerDuty's `url`; here, the capture server.
    let key_line = format!("- routing_key_file: {}\n", key_file.display());
    let (ws, am, am_port) = alertmanager_on(&specs, dir.path(), |config| {
        assert!(config.contains(&key_line), "{config}");
        config.replace(
            &key_line,
            &format!("{key_line}        url: http://127.0.0.1:{capture_port}/pagerduty\n"),
        )
    });

    // The warning first: once the critical alert fires, it inhibits the
    // warning of the same alert name and feature.
    let mut posted = BTreeMap::new();
    for (n, level) in ["warning", "critical"].into_iter().enumerate() {
        let instance = format!("shop-{}", n + 1);
        let (labels, annotations) = firing(&ws, level, &instance);
        let body = json!([{ "labels": labels, "annotations": annotations }]).to_string();
        let (status, answer) = post_json(am_port, "/api/v2/alerts", &body);
        assert_eq!(status, 200, "{answer}");
        posted.insert(level, annotations);
        am.wait_until(
            Duration::from_secs(30),
            &format!("sending the {level} event"),
            || capture.at("/pagerduty").len() > n,
        );
    }

    for (level, priority, instance) in [("warning", "P2", "shop-1"), ("critical", "P1", "shop-2")] {
        let annotations = &posted[level];
        let (summary, runbook, dashboard) = (
            &annotations["summary"],
            &annotations["runbook_url"],
            &annotations["dashboard_url"],
        );
        let events = capture.at("/pagerduty");
        let event = events
            .iter()
            .find(|e| e["payload"]["custom_details"]["severity"] == level)
            .unwrap_or_else(|| panic!("no {level} event in {events:#?}"));
        assert_eq!(event["routing_key"], "0123456789abcdef0123456789abcdef");
        assert_eq!(event["event_action"], "trigger", "{event:#}");
        let payload = &event["payload"];
        assert_eq!(payload["severity"], level, "{event:#}");
        assert_eq!(
            payload["summary"],
            format!("[FIRING:1] {priority} {level}: {summary} (checkout)"),
            "{event:#}"
        );
        let details = &payload["custom_details"];
        for (key, value) in [
            ("priority", priority),
            ("feature", "checkout"),
            ("team", "payments"),
            ("instance", instance),
            ("summary", summary.as_str()),
            ("runbook_url", runbook.as_str()),
            ("dashboard_url", dashboard.as_str()),
        ] {
            assert_eq!(details[key], value, "{key} in {event:#}");
        }
        assert!(runbook.starts_with("https://runbooks.example.com/checkout"));
        assert!(dashboard.starts_with("https://grafana.example.com/d/"));
        assert_eq!(
            event["links"],
            json!([
                {"href": runbook, "text": "Runbook"},
                {"href": dashboard, "text": "Dashboard"},
            ]),
            "{event:#}"
        );
    }
}

/// A delivered mail as its reader sees it: the (unfolded) header `name`.
fn header(mail: &Mail, name: &str) -> Option<String> {
    let (head, _) = mail.data.split_once("\r\n\r\n")?;
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.split("\r\n").find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_string())
    })
}

/// The decoded body of the part of `mail` (a `multipart/*` message, as
/// Alertmanager sends) whose type is `content_type`.
fn part(mail: &Mail, content_type: &str) -> Option<String> {
    let content = header(mail, "Content-Type")?;
    let boundary = content
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let (_, body) = mail.data.split_once("\r\n\r\n")?;
    body.split(&format!("--{boundary}")).find_map(|part| {
        let part = Mail {
            from: String::new(),
            to: Vec::new(),
            data: part.trim_start_matches("\r\n").to_string(),
        };
        let kind = header(&part, "Content-Type")?;
        if !kind.starts_with(content_type) {
            return None;
        }
        let (_, text) = part.data.split_once("\r\n\r\n")?;
        match header(&part, "Content-Transfer-Encoding").as_deref() {
            Some("quoted-printable") => Some(quoted_printable(text)),
            None | Some("7bit") | Some("8bit") => Some(text.to_string()),
            Some(other) => panic!("a part in {other}, which this test does not decode"),
        }
    })
}

/// Quoted-printable decoded (RFC 2045): `=XX` bytes, `=` line breaks removed.
fn quoted_printable(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            let rest = &bytes[i + 1..];
            if rest.starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("UTF-8 once decoded")
}

/// HTML text with the entities Go's `html/template` writes replaced by
/// their characters.
fn unescape_html(text: &str) -> String {
    [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&#34;", "\""),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&#43;", "+"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(text.to_string(), |t, (entity, c)| t.replace(entity, c))
}

/// Mail from a real Alertmanager through the generated `smtp` settings
/// (plain SMTP, `require_tls: false`, the smarthost a loopback capture
/// server): the Subject is promspec's title, or the receiver's own
/// `email.subject`; the HTML part carries the alert's fields and links.
#[test]
fn email_carries_the_alert_and_its_links() {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("specs");
    std::fs::create_dir(&specs).unwrap();
    let mails = Arc::new(Mutex::new(Vec::<Mail>::new()));
    let shared = mails.clone();
    let smtp_port = serve_smtp(move |mail| shared.lock().expect("mails").push(mail));
    std::fs::write(
        specs.join("promspec.yaml"),
        format!(
            r##"project: notify
grafana_url: https://grafana.example.com
alertmanager:
  smtp:
    smarthost: 127.0.0.1:{smtp_port}
    from: alertmanager@example.com
    require_tls: false
priorities:
  P1: {{title: High, response_time: 1h, group_wait: 1s}}
  P2: {{title: Medium, response_time: 4h, group_wait: 1s}}
severities:
  critical: {{priority: P1, receivers: [mail-team, mail-custom]}}
  warning: {{priority: P2, receivers: [mail-team]}}
receivers:
  mail-team:
    email: {{to: team@example.com}}
  mail-custom:
    email:
      to: custom@example.com
      subject: "custom {{{{ .CommonLabels.alertname }}}} on {{{{ .CommonLabels.instance }}}}"
"##
        ),
    )
    .unwrap();
    std::fs::write(specs.join("checkout.yaml"), FEATURE).unwrap();

    let (ws, am, am_port) = alertmanager_on(&specs, dir.path(), |config| {
        assert!(
            config.contains(&format!("smtp_smarthost: 127.0.0.1:{smtp_port}"))
                && config.contains("smtp_require_tls: false"),
            "{config}"
        );
        config
    });
    let (labels, annotations) = firing(&ws, "critical", "shop-1");
    let body = json!([{ "labels": labels, "annotations": annotations }]).to_string();
    let (status, answer) = post_json(am_port, "/api/v2/alerts", &body);
    assert_eq!(status, 200, "{answer}");
    let to = |address: &str| {
        mails
            .lock()
            .expect("mails")
            .iter()
            .find(|m| m.to == [address])
            .cloned()
    };
    am.wait_until(Duration::from_secs(30), "mailing both receivers", || {
        to("team@example.com").is_some() && to("custom@example.com").is_some()
    });

    let (summary, runbook, dashboard) = (
        &annotations["summary"],
        &annotations["runbook_url"],
        &annotations["dashboard_url"],
    );
    let alertname = &labels["alertname"];
    let mail = to("team@example.com").unwrap();
    assert_eq!(mail.from, "alertmanager@example.com");
    assert_eq!(
        header(&mail, "Subject").as_deref(),
        Some(format!("[FIRING:1] P1 critical: {summary} (checkout)").as_str()),
        "{}",
        mail.data
    );
    let html = part(&mail, "text/html").unwrap_or_else(|| panic!("no HTML part:\n{}", mail.data));
    let html = unescape_html(&html);
    for expected in [
        format!("<h2>[FIRING:1] P1 critical: {summary} (checkout)</h2>"),
        format!("<h3>{alertname}: {summary}</h3>"),
        r#"<th align="left">severity</th><td>critical</td>"#.to_string(),
        r#"<th align="left">priority</th><td>P1</td>"#.to_string(),
        r#"<th align="left">feature</th><td>checkout</td>"#.to_string(),
        r#"<th align="left">team</th><td>payments</td>"#.to_string(),
        r#"<th align="left">instance</th><td>shop-1</td>"#.to_string(),
        format!(r#"<a href="{runbook}">Runbook</a>"#),
        format!(r#"<a href="{dashboard}">Dashboard</a>"#),
    ] {
        assert!(html.contains(&expected), "{expected:?} not in:\n{html}");
    }
    // Alertmanager's start of the alert, to the second, in UTC.
    let since = html
        .split_once(r#"<th align="left">since</th><td>"#)
        .and_then(|(_, rest)| rest.split_once("</td>"))
        .map_or("", |(since, _)| since);
    assert!(
        since.len() == "2026-03-09 10:00:00 UTC".len() && since.ends_with(" UTC"),
        "since {since:?}"
    );
    assert!(runbook.starts_with("https://runbooks.example.com/checkout"));
    assert!(dashboard.starts_with("https://grafana.example.com/d/"));
    let text = part(&mail, "text/plain").unwrap_or_default();
    for expected in [
        format!("runbook: {runbook}"),
        format!("dashboard: {dashboard}"),
    ] {
        assert!(text.contains(&expected), "{expected:?} not in:\n{text}");
    }

    // The receiver's own subject replaces promspec's; the body is still promspec's.
    let custom = to("custom@example.com").unwrap();
    assert_eq!(
        header(&custom, "Subject").as_deref(),
        Some(format!("custom {alertname} on shop-1").as_str()),
        "{}",
        custom.data
    );
    let html = unescape_html(&part(&custom, "text/html").unwrap_or_default());
    assert!(
        html.contains(&format!(r#"<a href="{runbook}">Runbook</a>"#)),
        "{html}"
    );
}
