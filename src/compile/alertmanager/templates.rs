//! `alertmanager/promspec.tmpl`: the notification templates every generated
//! receiver uses (title, text, links, PagerDuty severity), and the fields of
//! each integration that call them.
//!
//! A receiver may write any of these fields itself in the project file
//! (`slack.title`, `email.subject`...); its text replaces the default call
//! and may still call the definitions of the file.

use crate::compile::conventions as names;
use crate::spec::model::Project;

/// The definitions, as written in `promspec.tmpl` (after its header).
const DEFINITIONS: &str = include_str!("promspec.tmpl");

/// The template file's content, header included.
pub fn file() -> String {
    let mut out = names::template_header(names::ALL_SPECS_SOURCE);
    out.push_str(DEFINITIONS);
    out
}

/// The path written into `templates:` of `alertmanager.yml`: the file name
/// alone (Alertmanager resolves it against the configuration's directory)
/// or joined to the project's `alertmanager.templates_dir`.
pub fn reference(project: &Project) -> String {
    let file = names::ALERTMANAGER_TEMPLATES_FILE;
    match project.alertmanager.templates_dir.as_deref() {
        None | Some("") | Some(".") => file.to_string(),
        Some(dir) => format!("{}/{file}", dir.trim_end_matches('/')),
    }
}

/// The fields a receiver may write itself, as `(integration, field)`; each
/// replaces the default of the same name below.
pub const OVERRIDABLE: &[(&str, &str)] = &[
    ("slack", "title"),
    ("slack", "text"),
    ("email", "subject"),
    ("email", "html"),
    ("pagerduty", "description"),
    ("opsgenie", "message"),
    ("opsgenie", "description"),
];

/// A call of the definition `name`.
fn call(name: &str) -> String {
    format!("{{{{ template \"{name}\" . }}}}")
}

/// The templated fields of a Slack integration, by Alertmanager field name.
pub fn slack() -> Vec<(&'static str, String)> {
    vec![
        ("title", call("promspec.title")),
        ("title_link", call("promspec.dashboard_url")),
        ("text", call("promspec.slack.text")),
        ("color", call("promspec.slack.color")),
        ("fallback", call("promspec.title")),
    ]
}

/// The templated fields of an email integration (`subject` is a header).
pub fn email() -> Vec<(&'static str, String)> {
    vec![
        ("subject", call("promspec.title")),
        ("html", call("promspec.email.html")),
        ("text", call("promspec.text")),
    ]
}

/// The fields of PagerDuty's and Opsgenie's `details`: what an on-call
/// engineer needs to act without opening the alert.
pub fn details() -> Vec<(&'static str, String)> {
    vec![
        ("summary", "{{ .CommonAnnotations.summary }}".to_string()),
        ("severity", "{{ .CommonLabels.severity }}".to_string()),
        ("priority", "{{ .CommonLabels.priority }}".to_string()),
        ("feature", "{{ .CommonLabels.feature }}".to_string()),
        ("team", "{{ .CommonLabels.team }}".to_string()),
        ("instance", call("promspec.instances")),
        ("runbook_url", call("promspec.runbook_url")),
        ("dashboard_url", call("promspec.dashboard_url")),
    ]
}

/// The templated scalar fields of a PagerDuty integration.
pub fn pagerduty() -> Vec<(&'static str, String)> {
    vec![
        ("description", call("promspec.title")),
        ("severity", call("promspec.pagerduty.severity")),
    ]
}

/// PagerDuty's `links`: (text, href template).
pub fn pagerduty_links() -> Vec<(&'static str, String)> {
    vec![
        ("Runbook", call("promspec.runbook_url")),
        ("Dashboard", call("promspec.dashboard_url")),
    ]
}

/// The templated scalar fields of an Opsgenie integration.
pub fn opsgenie() -> Vec<(&'static str, String)> {
    vec![
        ("message", call("promspec.title")),
        ("description", call("promspec.text")),
    ]
}
