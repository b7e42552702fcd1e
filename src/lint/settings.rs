//! Resolved lint settings: severities per rule and the options rules read.
//!
//! Built once per `promspec.yaml` from its [`LintConfig`]; unknown rule ids
//! in `lint.rules` are reported here, so rules only ever see valid values.

use std::collections::HashMap;
use std::time::Duration;

use crate::diag::{Diagnostic, Severity};
use crate::lint::registry;
use crate::promql::Dialect;
use crate::spec::lint_config::LintConfig;

/// Default annotations `alerts/missing-annotation` asks for.
pub const DEFAULT_ANNOTATIONS: &[&str] = &["summary", "description", "runbook_url"];

/// What rules read: intervals, dialect, severities and options.
#[derive(Debug, Clone)]
pub struct Settings {
    /// PromQL dialect expressions must be valid in.
    pub dialect: Dialect,
    /// Scrape interval of the targets (default 15s).
    pub scrape_interval: Duration,
    /// Default evaluation interval of rule groups (default 1m).
    pub evaluation_interval: Duration,
    /// Whether `evaluation_interval` was given (a project, `promspec.yaml`),
    /// rather than assumed: plain rule files do not say how often their
    /// groups run.
    pub evaluation_interval_known: bool,
    /// Overrides: id → severity (`None` = off).
    overrides: HashMap<&'static str, Option<Severity>>,
    /// Annotations every alert must have.
    pub required_annotations: Vec<String>,
    /// Allowed `severity` label values, when known: set in `lint.severity_values`,
    /// or the levels of a spec project.
    pub severity_values: Option<Vec<String>>,
    /// Labels routing needs on every alert.
    pub routing_labels: Vec<String>,
    /// The project's metrics catalog (`catalog.yaml` next to the project
    /// file), when there is one: metric types are facts, not guesses.
    pub catalog: Option<std::sync::Arc<crate::catalog::Catalog>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            dialect: Dialect::default(),
            scrape_interval: Duration::from_secs(15),
            evaluation_interval: Duration::from_secs(60),
            evaluation_interval_known: false,
            overrides: HashMap::new(),
            required_annotations: DEFAULT_ANNOTATIONS.iter().map(|s| s.to_string()).collect(),
            severity_values: None,
            routing_labels: Vec::new(),
            catalog: None,
        }
    }
}

impl Settings {
    /// Settings from a `promspec.yaml`; unknown rule ids are reported.
    pub fn from_config(config: &LintConfig, diagnostics: &mut Vec<Diagnostic>) -> Settings {
        let mut s = Settings::default();
        if let Some(d) = config.dialect {
            s.dialect = d;
        }
        if let Some(d) = config.scrape_interval {
            s.scrape_interval = d;
        }
        if let Some(d) = config.evaluation_interval {
            s.evaluation_interval = d;
            s.evaluation_interval_known = true;
        }
        if let Some(a) = &config.required_annotations {
            s.required_annotations = a.clone();
        }
        s.severity_values = config.severity_values.clone();
        s.routing_labels = config.routing_labels.clone();
        for (id, severity) in &config.rules {
            match registry::find(&id.value) {
                Some(rule) => {
                    s.overrides.insert(rule.id, *severity);
                }
                None => diagnostics.push(unknown_rule(id)),
            }
        }
        s
    }

    /// The severity of rule `id`, or `None` when the rule is off.
    pub fn severity(&self, id: &str) -> Option<Severity> {
        if let Some(s) = self.overrides.get(id) {
            return *s;
        }
        registry::find(id).and_then(|r| r.default_severity)
    }

    /// The severity set for rule `id` in the settings, if any (`Some(None)` = off).
    pub fn override_of(&self, id: &str) -> Option<Option<Severity>> {
        self.overrides.get(id).copied()
    }

    /// Whether rule `id` runs.
    pub fn enabled(&self, id: &str) -> bool {
        self.severity(id).is_some()
    }

    /// Turn rule `id` on or off, or change its severity (tests, CLI).
    pub fn set(&mut self, id: &'static str, severity: Option<Severity>) {
        self.overrides.insert(id, severity);
    }
}

fn unknown_rule(id: &crate::source::Spanned<String>) -> Diagnostic {
    let ids = registry::RULES.iter().map(|r| r.id);
    let d = Diagnostic::error(
        "lint/unknown-rule",
        format!("unknown lint rule `{}`", id.value),
    )
    .with_label(id.span, "no rule has this id");
    match crate::spec::decode::did_you_mean(&id.value, ids) {
        Some(best) => d.with_help(format!(
            "did you mean `{best}`? `promspec explain --list` lists every rule"
        )),
        None => d.with_help("`promspec explain --list` lists every rule"),
    }
}
