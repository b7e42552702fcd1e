//! `thresholds/label-collision`: an alert label the query's series already carry.

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::promql::{Expr, MatchOp, OutputLabels};
use crate::source::{SourceMap, Span};
use crate::spec::model::{Feature, Threshold, Workspace};

/// The id of this rule.
pub const ID: &str = "thresholds/label-collision";

fn kept_label(span: Span, label: &str, threshold: &Threshold) -> Diagnostic {
    Diagnostic::error(
        ID,
        format!(
            "label `{label}` overwrites a label the query of `{}` keeps",
            threshold.id
        ),
    )
    .with_label(span, format!("the query's series differ by `{label}`"))
    .with_secondary(threshold.query.span, format!("keeps `{label}`"))
    .with_help(format!(
        "as soon as two series differ only by `{label}`, Prometheus fails the rule with \
         \"vector contains metrics with the same labelset after applying alert labels\" and \
         the alert never fires; remove the label, rename it, or aggregate `{label}` away in the query"
    ))
}

fn may_carry(span: Span, label: &str, threshold: &Threshold) -> Diagnostic {
    Diagnostic::warning(
        ID,
        format!(
            "label `{label}` may overwrite a label the query of `{}` keeps",
            threshold.id
        ),
    )
    .with_label(span, format!("the query's series can differ by `{label}`"))
    .with_secondary(
        threshold.query.span,
        format!("does not aggregate `{label}` away"),
    )
    .with_help(format!(
        "if two series can differ only by `{label}`, Prometheus fails the rule with \"vector \
         contains metrics with the same labelset after applying alert labels\"; aggregate with \
         `by (...)` so the output labels are known, or rename the label"
    ))
}

fn reserved_kept(label: &str, threshold: &Threshold) -> Diagnostic {
    Diagnostic::error(
        ID,
        format!(
            "the query of `{}` keeps `{label}`, which promspec sets on every generated rule",
            threshold.id
        ),
    )
    .with_label(threshold.query.span, format!("keeps `{label}`"))
    .with_help(format!(
        "as soon as two series differ only by `{label}`, Prometheus fails the rule with \
         \"vector contains metrics with the same labelset\"; aggregate `{label}` away or rename \
         it with `label_replace`"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a label that a threshold's alerts set (through `labels:` of
    /// the threshold, the feature or the project) while the threshold's
    /// query keeps a label of the same name: an error when the query keeps
    /// it by name (`sum by (instance)`), a warning when the query keeps all
    /// labels of a selector that every scraped series carries (`job`,
    /// `instance`) or that it matches with `=~`, `!=` or `!~`. A query that
    /// keeps a label promspec sets itself (`feature`, `threshold`, `team`,
    /// `severity`, `priority`) by name is an error too.
    ///
    /// ## Why is this bad?
    /// Prometheus sets alert labels on every series of the alert's result,
    /// replacing what was there. Two series that differ only by that label
    /// become identical, and Prometheus fails the whole rule with "vector
    /// contains metrics with the same labelset after applying alert labels":
    /// the alert stops firing exactly when two instances misbehave.
    ///
    /// ## Example
    /// ```yaml
    /// - id: replication-lag
    ///   query: max by (instance) (pg_replication_lag_seconds)
    ///   unit: seconds
    ///   labels: {instance: db-1}
    ///   critical: {above: 30s}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - id: replication-lag
    ///   query: max by (instance) (pg_replication_lag_seconds)
    ///   unit: seconds
    ///   labels: {cluster: db-main}
    ///   critical: {above: 30s}
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct LabelCollision => Check::Workspace(check);
}

/// Labels promspec sets itself on the recording rule or the alerts.
const PROMSPEC_LABELS: [&str; 5] = ["feature", "threshold", "team", "severity", "priority"];

/// Labels every scraped series carries.
const TARGET_LABELS: [&str; 2] = ["job", "instance"];

/// Report the labels of every threshold that collide with its query's labels.
pub fn check(ws: &Workspace, _sources: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for feature in &ws.features {
        for threshold in &feature.thresholds {
            // A query that does not parse has its own diagnostic.
            if let Ok(expr) = threshold.query.parse(ws.project.dialect) {
                judge(feature, threshold, expr, &mut out);
            }
        }
    }
    out
}

/// Judge one threshold whose query parsed as `expr`.
pub fn judge(feature: &Feature, threshold: &Threshold, expr: &Expr, out: &mut Vec<Diagnostic>) {
    let output = expr.output_labels();
    // Threshold labels win over feature and project labels of the same name.
    let mut added: BTreeMap<&str, Span> = BTreeMap::new();
    for (label, span) in feature.label_spans.iter().chain(&threshold.label_spans) {
        added.insert(label, *span);
    }
    for label in PROMSPEC_LABELS {
        if matches!(&output, OutputLabels::Exactly(kept) if kept.contains(label))
            && !pinned(expr, label)
        {
            out.push(reserved_kept(label, threshold));
        }
    }
    for (label, span) in added {
        if !output.may_have(label) || pinned(expr, label) {
            continue;
        }
        match &output {
            OutputLabels::Exactly(_) => out.push(kept_label(span, label, threshold)),
            OutputLabels::AllExcept(_) => {
                let matched = expr.facts().selectors.iter().any(|s| {
                    s.matchers
                        .iter()
                        .any(|m| m.name == label && m.op != MatchOp::Equal)
                });
                if TARGET_LABELS.contains(&label) || matched {
                    out.push(may_carry(span, label, threshold));
                }
            }
        }
    }
}

/// Whether every selector fixes `label` to one value (`{instance="db-1"}`),
/// so the series cannot differ by it.
fn pinned(expr: &Expr, label: &str) -> bool {
    let selectors = &expr.facts().selectors;
    !selectors.is_empty()
        && selectors.iter().all(|s| {
            s.matchers
                .iter()
                .any(|m| m.name == label && m.op == MatchOp::Equal)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test::{feature, load, render};

    fn run(threshold: &str) -> (Vec<Diagnostic>, String) {
        let (ws, sources) = load(&[("shop", &feature("shop", threshold))]);
        let diags = check(&ws, &sources);
        let text = render(&diags, &sources);
        (diags, text)
    }

    #[test]
    fn pass() {
        for threshold in [
            // Aggregated away.
            "  - id: lag\n    query: max(pg_lag_seconds)\n    unit: seconds\n    labels: {instance: db-1}\n    critical: {above: 30s}\n",
            // Fixed by the selector.
            "  - id: lag\n    query: max by (instance) (pg_lag_seconds{instance=\"db-1\"})\n    unit: seconds\n    labels: {instance: db-1}\n    critical: {above: 30s}\n",
            // A label the series are not known to carry.
            "  - id: lag\n    query: pg_lag_seconds\n    unit: seconds\n    labels: {cluster: main}\n    critical: {above: 30s}\n",
        ] {
            let (diags, text) = run(threshold);
            assert!(diags.is_empty(), "{text}");
        }
    }

    #[test]
    fn fail_kept_by_name() {
        let (diags, text) = run(
            "  - id: lag\n    query: max by (instance) (pg_lag_seconds)\n    unit: seconds\n    labels: {instance: db-1}\n    critical: {above: 30s}\n",
        );
        assert_eq!(diags.len(), 1, "{text}");
        assert_eq!(diags[0].severity, crate::diag::Severity::Error);
        insta::assert_snapshot!(text);
    }

    #[test]
    fn fail_promspec_label() {
        let (diags, text) = run(
            "  - id: alerts\n    query: sum by (severity) (ALERTS)\n    unit: count\n    critical: {above: 10}\n",
        );
        assert_eq!(diags.len(), 1, "{text}");
        assert!(diags[0].message.contains("`severity`"), "{text}");
    }

    #[test]
    fn fail_scraped_label() {
        let (diags, text) = run(
            "  - id: load\n    query: node_load1\n    unit: count\n    labels: {job: node}\n    warning: {above: 4}\n",
        );
        assert_eq!(diags.len(), 1, "{text}");
        assert_eq!(diags[0].severity, crate::diag::Severity::Warning);
    }
}
