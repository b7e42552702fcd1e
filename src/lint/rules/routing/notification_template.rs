//! `routing/notification-template`: a receiver field that Alertmanager
//! renders as a template and that cannot render.

use std::ops::Range;

use crate::compile::alertmanager::templates;
use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::template::{self, MissingField, Scan};
use crate::lint::{Check, notification};
use crate::source::{SourceMap, Span};
use crate::spec::model::{Integration, Receiver, Workspace};
use crate::yaml::{self, Style};

const HELP: &str = "Alertmanager parses a receiver's templates only when it sends a \
                    notification: `amtool check-config` passes, and the notification fails";

fn broken(receiver: &Receiver, field: &str, span: Span, problem: &str) -> Diagnostic {
    Diagnostic::error(
        "routing/notification-template",
        format!(
            "the template in `{field}` of receiver `{}` cannot render: {problem}",
            receiver.name
        ),
    )
    .with_label(span, "Alertmanager fails the notification here")
}

/// A syntax error or an unknown function: Go's parser refuses the text.
fn invalid(receiver: &Receiver, field: &str, span: Span, message: &str) -> Diagnostic {
    let functions = notification::FUNCTIONS.join(", ");
    broken(receiver, field, span, message).with_help(format!(
        "{HELP}; fix the `{{{{ ... }}}}` action (Alertmanager 0.25's functions are Go's and \
         {functions}; `$labels` and `$value` exist in Prometheus annotations only)"
    ))
}

/// A field the notification data does not have.
fn missing_field(
    receiver: &Receiver,
    field: &str,
    span: Span,
    missing: &MissingField,
) -> Diagnostic {
    let fields: Vec<String> = notification::fields(missing.on)
        .iter()
        .map(|(f, _)| format!("`.{f}`"))
        .collect();
    let what = notification::describe(missing.on);
    let has = if fields.is_empty() {
        format!("{what} has no fields")
    } else {
        format!("{what} has {}", fields.join(", "))
    };
    broken(
        receiver,
        field,
        span,
        &format!("`{}` is not a field of {what}", missing.name),
    )
    .with_help(format!(
        "{HELP}; {has} (labels and annotations are read as `.CommonLabels.<name>` or, \
         inside `{{{{ range .Alerts }}}}`, `.Labels.<name>`)"
    ))
}

/// A call of a template that no file defines.
fn undefined_template(receiver: &Receiver, field: &str, span: Span, name: &str) -> Diagnostic {
    let own: Vec<String> = own_definitions().iter().map(|d| format!("`{d}`")).collect();
    broken(
        receiver,
        field,
        span,
        &format!("template `{name}` is not defined"),
    )
    .with_help(format!(
        "{HELP}; call one of promspec's templates ({}) or Alertmanager's own \
         (`slack.default.title`, `email.default.html`...)",
        own.join(", ")
    ))
}

declare_rule! {
    /// ## What it does
    /// Checks every receiver field that Alertmanager renders as a Go
    /// template: the templates a receiver writes itself (`slack.title`,
    /// `slack.text`, `email.subject`, `email.html`, `pagerduty.description`,
    /// `opsgenie.message`, `opsgenie.description`) and the templated values
    /// `slack.channel`, `email.to` and `opsgenie.priority`. It reports
    /// syntax errors, functions Alertmanager 0.25 does not define, calls of
    /// templates defined neither in `promspec.tmpl` nor by Alertmanager, and
    /// fields the notification data does not have (`.CommonLabels`,
    /// `.Alerts`, `.Status`...; per alert `.Labels`, `.Annotations`,
    /// `.StartsAt`...).
    ///
    /// ## Why is this bad?
    /// Alertmanager parses these templates only when it sends a
    /// notification. `amtool check-config` passes, the configuration
    /// loads, and the first alert's notification fails with "function not
    /// defined" or "can't evaluate field": nobody is told, at 3 a.m.
    ///
    /// ## Example
    /// ```yaml
    /// receivers:
    ///   slack-ops:
    ///     slack:
    ///       channel: "#ops"
    ///       api_url_file: /etc/alertmanager/secrets/slack
    ///       title: "{{ .Labels.alertname }} on {{ $labels.instance | trimSpace }}"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// receivers:
    ///   slack-ops:
    ///     slack:
    ///       channel: "#ops"
    ///       api_url_file: /etc/alertmanager/secrets/slack
    ///       title: "{{ .CommonLabels.alertname }} on {{ template \"promspec.instances\" . }}"
    /// ```
    ///
    /// ## Options
    /// None. Labels and annotations an alert lacks are not reported:
    /// Alertmanager renders them empty.
    pub struct NotificationTemplate => Check::Workspace(check);
}

/// The templates `promspec.tmpl` defines.
fn own_definitions() -> Vec<String> {
    template::scan_in(&templates::file(), &notification::language()).defines
}

/// An integration's kind, its templated values and its own templates.
type Templated<'a> = (
    &'static str,
    Vec<(&'static str, &'a str)>,
    &'a [(&'static str, String)],
);

/// The templated fields an integration writes, as `(field, value)`.
fn templated(i: &Integration) -> Vec<(String, &str)> {
    let (kind, own, overrides): Templated = match i {
        Integration::Slack {
            channel, overrides, ..
        } => ("slack", vec![("channel", channel.as_str())], overrides),
        Integration::Email { to, overrides, .. } => ("email", vec![("to", to.as_str())], overrides),
        Integration::Pagerduty { overrides, .. } => ("pagerduty", Vec::new(), overrides),
        Integration::Opsgenie {
            priority,
            overrides,
            ..
        } => (
            "opsgenie",
            priority.iter().map(|p| ("priority", p.as_str())).collect(),
            overrides,
        ),
        Integration::Webhook { .. } => return Vec::new(),
    };
    own.into_iter()
        .chain(overrides.iter().map(|(k, v)| (*k, v.as_str())))
        .map(|(field, value)| (format!("{kind}.{field}"), value))
        .collect()
}

/// Report receiver templates that cannot render.
pub fn check(ws: &Workspace, sources: &SourceMap) -> Vec<Diagnostic> {
    let language = notification::language();
    let mut known = own_definitions();
    known.extend(
        notification::DEFAULT_TEMPLATES
            .iter()
            .map(|s| s.to_string()),
    );
    let mut out = Vec::new();
    for r in &ws.project.receivers {
        for i in &r.integrations {
            for (field, text) in templated(i) {
                let written = r.field_span(&field);
                let at = |range: Range<usize>| inner_span(sources, written, text, range);
                let Scan {
                    problem,
                    calls,
                    defines,
                    missing_fields,
                    ..
                } = template::scan_in(text, &language);
                if let Some(p) = problem {
                    out.push(invalid(r, &field, at(p.range), &p.message));
                    continue;
                }
                for m in &missing_fields {
                    out.push(missing_field(r, &field, at(m.range.clone()), m));
                }
                for (name, range) in calls {
                    if !known.contains(&name) && !defines.contains(&name) {
                        out.push(undefined_template(r, &field, at(range), &name));
                    }
                }
            }
        }
    }
    out
}

/// The span in the file of `range`, a byte range of the value `text`
/// written at `span` (the whole span when the value was not written there).
fn inner_span(sources: &SourceMap, span: Span, text: &str, range: Range<usize>) -> Span {
    let file = sources.get(span.source);
    let Some(raw) = file.text.get(span.range()) else {
        return span;
    };
    let style = match raw.as_bytes().first() {
        Some(b'"') => Style::DoubleQuoted,
        Some(b'\'') => Style::SingleQuoted,
        _ => block_style(&file.text[..span.start as usize]).unwrap_or(Style::Plain),
    };
    let scalar = yaml::Scalar {
        value: text.to_string(),
        style,
    };
    let start = span.start as usize;
    let from = yaml::source_offset(&scalar, raw, start, range.start);
    let to = match text.get(..range.end).and_then(|t| t.chars().next_back()) {
        Some(last) if range.end > range.start => {
            yaml::source_offset(&scalar, raw, start, range.end - last.len_utf8()) + last.len_utf8()
        }
        _ => from,
    };
    Span::new(span.source, from..to.max(from))
}

/// The block scalar style whose header ends `before` (the text before a
/// block scalar's content), if any.
fn block_style(before: &str) -> Option<Style> {
    let header = before.trim_end().rsplit('\n').next()?;
    let header = header.split(" #").next()?.trim_end();
    let indicator = header.rsplit(' ').next()?;
    match indicator.as_bytes().first() {
        Some(b'|') => Some(Style::Literal),
        Some(b'>') => Some(Style::Folded),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::lint::rules::test::render;
    use crate::source::SourceMap;
    use crate::spec::model::Workspace;

    const FEATURE: &str = "feature: shop\nteam: web\nthresholds:\n  - id: errors\n    query: sum(rate(http_errors_total[5m]))\n    unit: per_second\n    critical: {above: 5/s}\n";

    fn load(receiver: &str) -> (Workspace, SourceMap) {
        let project = format!(
            "project: p\ngrafana_url: https://grafana.example.com\nalertmanager:\n  smtp: {{smarthost: 'smtp.example.com:587', from: am@example.com}}\npriorities:\n  P1: {{response_time: 1h}}\nseverities:\n  critical: {{priority: P1, receivers: [ops]}}\nreceivers:\n  ops:\n{receiver}"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("promspec.yaml"), project).unwrap();
        std::fs::write(dir.path().join("shop.yaml"), FEATURE).unwrap();
        let mut sources = SourceMap::new();
        let (ws, diags) = crate::spec::workspace::load(dir.path(), &mut sources).unwrap();
        assert!(!diags.has_errors(), "{diags:#?}");
        (ws.unwrap(), sources)
    }

    #[test]
    fn pass() {
        let (ws, sources) = load(concat!(
            "    slack:\n      channel: '#ops'\n      api_url_file: /s\n",
            "      title: '{{ .CommonLabels.alertname | toUpper }} {{ template \"promspec.instances\" . }}'\n",
            "      text: |\n        {{ range .Alerts.Firing }}{{ .Labels.instance }} {{ .Annotations.summary }} {{ .StartsAt.Format \"15:04\" }}\n        {{ end }}{{ range .CommonLabels.SortedPairs }}{{ .Name }}={{ .Value }}{{ end }}\n",
            "    email:\n      to: '{{ .GroupLabels.team }}@example.com'\n      subject: '{{ template \"email.default.subject\" . }}'\n      html: '{{ with index .Alerts 0 }}{{ .GeneratorURL }}{{ end }} {{ $.ExternalURL }}'\n",
        ));
        let found = check(&ws, &sources);
        assert!(found.is_empty(), "{}", render(&found, &sources));
    }

    #[test]
    fn fail() {
        let (ws, sources) = load(concat!(
            "    slack:\n      channel: '#ops'\n      api_url_file: /s\n",
            "      title: \"{{ .CommonLabels.alertname | trimSpace }}\"\n",
            "      text: |\n        {{ range .Alerts }}{{ .Labels.instance }}\n        {{ .Value }}{{ end }}\n",
            "    pagerduty:\n      routing_key_file: /k\n      description: '{{ template \"promspec.titel\" . }}'\n",
            "    opsgenie:\n      api_key_file: /k\n      message: '{{ $labels.instance }}'\n",
        ));
        insta::assert_snapshot!(render(&check(&ws, &sources), &sources));
    }
}
