//! The lint settings of a `promspec.yaml`, read on their own.
//!
//! Specs get them from the project file; plain rule files from the nearest
//! `promspec.yaml` up the directory tree, which may hold only the keys read
//! here (`dialect`, `scrape_interval`, `evaluation_interval`,
//! `alertmanager.group_by` and `lint`). Other keys are left to the project
//! loader, so a full project file and a small lint-only file both work.

use std::time::Duration;

use crate::diag::{Diagnostic, Severity};
use crate::promql::Dialect;
use crate::source::Spanned;
use crate::spec::decode::{Decoder, FromNode};
use crate::spec::raw;
use crate::spec::units;
use crate::yaml::Node;

/// Lint-relevant settings of one `promspec.yaml`, values as written where unset.
#[derive(Debug, Clone, Default)]
pub struct LintConfig {
    /// PromQL dialect.
    pub dialect: Option<Dialect>,
    /// Scrape interval of the targets.
    pub scrape_interval: Option<Duration>,
    /// Rule evaluation interval.
    pub evaluation_interval: Option<Duration>,
    /// Severity per rule id (`None` = off), with the span of the id.
    pub rules: Vec<(Spanned<String>, Option<Severity>)>,
    /// Required annotations.
    pub required_annotations: Option<Vec<String>>,
    /// Allowed `severity` label values.
    pub severity_values: Option<Vec<String>>,
    /// Labels routing needs (`alertmanager.group_by` and `lint.routing_labels`).
    pub routing_labels: Vec<String>,
}

/// Read the lint settings of a `promspec.yaml` root node.
pub fn read(root: &Node, diagnostics: &mut Vec<Diagnostic>) -> LintConfig {
    let mut cx = Decoder::new();
    let mut config = LintConfig::default();
    let duration = |key: &str, cx: &mut Decoder| -> Option<Duration> {
        let node = root.get(key)?;
        let text = Spanned::<String>::from_node(node, cx)?;
        let d = units::parse_duration(&text.value);
        if d.is_none() {
            cx.report(
                Diagnostic::error(
                    "spec/invalid-duration",
                    format!("`{}` is not a duration", text.value),
                )
                .with_label(text.span, "not a duration")
                .with_help("write a number followed by ms, s, m, h, d, w or y: `15s`, `1m`"),
            );
        }
        d
    };
    config.scrape_interval = duration("scrape_interval", &mut cx);
    config.evaluation_interval = duration("evaluation_interval", &mut cx);
    if let Some(d) = root
        .get("dialect")
        .and_then(|n| Spanned::<String>::from_node(n, &mut cx))
    {
        match d.value.parse() {
            Ok(dialect) => config.dialect = Some(dialect),
            Err(message) => cx.report(
                Diagnostic::error("spec/invalid-value", message.to_string())
                    .with_label(d.span, "unknown dialect")
                    .with_help("choose `prometheus2` or `prometheus3`"),
            ),
        }
    }
    if let Some(group_by) = root
        .get("alertmanager")
        .and_then(|a| a.get("group_by"))
        .and_then(|g| Vec::<raw::Str>::from_node(g, &mut cx))
    {
        config
            .routing_labels
            .extend(group_by.into_iter().map(|g| g.value));
    }
    let lint = root
        .get("lint")
        .filter(|n| !n.is_null())
        .and_then(|n| raw::LintSettings::from_node(n, &mut cx));
    if let Some(lint) = lint {
        for (id, sev) in lint.rules.iter().flat_map(|m| m.entries.iter()) {
            let severity = match crate::spec::resolve::lint_severity(sev) {
                Ok(severity) => severity,
                Err(d) => {
                    cx.report(d);
                    continue;
                }
            };
            config.rules.push((id.clone(), severity));
        }
        let strings =
            |v: Option<Vec<raw::Str>>| v.map(|v| v.into_iter().map(|s| s.value).collect());
        config.required_annotations = strings(lint.required_annotations);
        config.severity_values = strings(lint.severity_values);
        if let Some(labels) = strings(lint.routing_labels) {
            config.routing_labels.extend(labels);
        }
    }
    config.routing_labels.sort();
    config.routing_labels.dedup();
    diagnostics.extend(cx.diagnostics);
    config
}
