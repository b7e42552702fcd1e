//! The linter: rules that judge specs and rule files.
//!
//! - [`registry`] is the one table of rules (id, category, default severity,
//!   the rule type whose doc comment is its user documentation);
//! - [`rules`] holds one file per rule, under a directory per id group
//!   (`rules/alerts/missing_for.rs` is `alerts/missing-for`);
//! - [`load`] finds and reads what to lint (specs, plain rule files,
//!   `PrometheusRule` manifests) into the rule-file IR;
//! - [`baseline`] records a run's findings and drops them from later runs;
//! - [`run`] parses every expression once, runs the rules over both cores,
//!   applies [`settings`] (severities, options) and [`suppress`] (inline
//!   `# promspec: disable=<id>` comments) and returns sorted diagnostics.
//!
//! Rules judge; they never print, read files or parse PromQL: they get the
//! IR, the parsed expression with its facts and their options from a
//! context, and push diagnostics built by constructor functions.
//!
//! # Adding a rule
//!
//! 1. Create `src/lint/rules/<group>/<name>.rs` (the id is `<group>/<name>`
//!    with `-` for `_`), and add `pub mod <name>;` to the group's `mod.rs`.
//! 2. In the file, in this order: the diagnostic constructor(s); the rule
//!    type declared with [`declare_rule!`](registry) whose doc comment has the
//!    sections `## What it does`, `## Why is this bad?`, `## Example`,
//!    `## Use instead` and `## Options`, and whose check names what it runs
//!    on (see [`Check`]); the check function; tests with a passing and a
//!    failing case and a snapshot of the rendered diagnostic.
//! 3. Add one line to [`registry::RULES`], keeping the table sorted by id.
//! 4. `cargo test` checks the contract: the id matches the file, the doc
//!    has every section, and the fixtures behave.
//!
//! A check written as `fn check(ws: &Workspace, sources: &SourceMap) ->
//! Vec<Diagnostic>` (routing, dashboards) registers as [`Check::Workspace`].
//!
//! # One verdict
//!
//! `build`, `test` and `lint` judge specs with the same engine: [`specs::check`]
//! runs every registered rule over a spec workspace with the project's
//! severities and the files' suppressions. An error it reports stops `build`
//! before anything is written; `lint` reports exactly the same findings.

pub mod baseline;
pub mod load;
pub mod notification;
pub mod parallel;
pub mod registry;
pub mod rules;
pub mod run;
pub mod settings;
pub mod specs;
pub mod suppress;
pub mod template;

#[cfg(test)]
mod slo_specs;
#[cfg(test)]
pub(crate) mod testing;

use crate::diag::Diagnostic;
use crate::rulefile::{Group, Rule, RuleFile};
use crate::source::SourceMap;
use crate::spec::model::{Feature, Threshold, Workspace};

pub use registry::{Category, RULES, RuleMeta};
pub use settings::Settings;

/// What a rule runs on, and the function that judges it.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// Reported by the engine itself (`promql/syntax`).
    Engine,
    /// Once per alerting or recording rule whose expression parses.
    Rule(fn(&RuleCx, &mut Vec<Diagnostic>)),
    /// Once per rule group.
    Group(fn(&GroupCx, &mut Vec<Diagnostic>)),
    /// Once per rule file.
    File(fn(&FileCx, &mut Vec<Diagnostic>)),
    /// Once per spec threshold.
    Threshold(fn(&ThresholdCx, &mut Vec<Diagnostic>)),
    /// Once per spec SLO.
    Slo(fn(&SloCx, &mut Vec<Diagnostic>)),
    /// Once per spec workspace (routing, dashboards, units).
    Workspace(fn(&Workspace, &SourceMap) -> Vec<Diagnostic>),
}

impl Check {
    /// What the rule runs on, for `explain`.
    pub fn target(&self) -> &'static str {
        match self {
            Check::Engine => "every expression",
            Check::Rule(_) => "alerting and recording rules",
            Check::Group(_) => "rule groups",
            Check::File(_) => "rule files",
            Check::Threshold(_) => "spec thresholds",
            Check::Slo(_) => "spec SLOs",
            Check::Workspace(_) => "the spec workspace",
        }
    }
}

/// What a rule-level check sees.
pub struct RuleCx<'a> {
    /// The rule.
    pub rule: &'a Rule,
    /// Its group.
    pub group: &'a Group,
    /// Its file.
    pub file: &'a RuleFile,
    /// The parsed expression, parsed once per run in the settings' dialect
    /// (its output labels are computed on first use and shared).
    pub expr: &'a crate::promql::Expr,
    /// The expression's facts (`expr.facts()`), for brevity.
    pub facts: &'a crate::promql::ExprFacts,
    /// Options and intervals.
    pub settings: &'a Settings,
    /// Every file, to point inside expressions.
    pub sources: &'a SourceMap,
}

impl RuleCx<'_> {
    /// The span in the file of `range`, a byte range of the expression.
    pub fn expr_span(&self, range: std::ops::Range<usize>) -> crate::source::Span {
        self.rule.expr.span_of(self.sources, range)
    }
}

/// What a group-level check sees.
pub struct GroupCx<'a> {
    /// The group.
    pub group: &'a Group,
    /// Its file.
    pub file: &'a RuleFile,
    /// Options and intervals.
    pub settings: &'a Settings,
}

/// What a file-level check sees.
pub struct FileCx<'a> {
    /// The file.
    pub file: &'a RuleFile,
    /// Options and intervals.
    pub settings: &'a Settings,
}

/// What a threshold-level check sees.
pub struct ThresholdCx<'a> {
    /// The threshold.
    pub threshold: &'a Threshold,
    /// Its feature.
    pub feature: &'a Feature,
    /// Options and intervals.
    pub settings: &'a Settings,
}

/// What an SLO-level check sees.
pub struct SloCx<'a> {
    /// The SLO.
    pub slo: &'a crate::spec::slo::model::Slo,
    /// Its feature.
    pub feature: &'a Feature,
    /// Options, intervals and the metrics catalog.
    pub settings: &'a Settings,
}

/// The one-line summary of a rule id, if the id is a registered rule.
pub fn summary(id: &str) -> Option<String> {
    registry::find(id).map(RuleMeta::summary)
}
