//! `routing/inhibit-missing-label`.

use crate::promql::OutputLabels;

use crate::compile::alertmanager::routes;
use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::source::SourceMap;
use crate::spec::model::{Feature, Level, Threshold, Workspace};

/// The diagnostic for a threshold whose alerts differ by `labels`, which
/// the inhibit rule does not compare.
pub fn inhibit_missing_label(
    feature: &Feature,
    threshold: &Threshold,
    labels: &[String],
) -> Diagnostic {
    let list = labels
        .iter()
        .map(|l| format!("`{l}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut d = Diagnostic::warning(
        "routing/inhibit-missing-label",
        format!(
            "a critical `{}` alert mutes the lower levels whatever their {list}",
            crate::compile::conventions::alert_name(feature, threshold)
        ),
    )
    .with_label(threshold.query.span, format!("its alerts differ by {list}"));
    if let Some(critical) = threshold.levels.iter().find(|l| l.level == Level::Critical) {
        d = d.with_secondary(
            critical.span,
            "inhibits the warning and info alerts of this threshold",
        );
    }
    d.with_help(format!(
        "add {list} to `alertmanager.group_by` in the project file: inhibit rules compare the \
         grouping labels, so a critical alert then mutes only the lower levels with the same {list}"
    ))
}

declare_rule! {
    /// ## What it does
    /// Finds thresholds with a critical and a lower level whose alerts are
    /// told apart by labels of the query (`sum by (instance) (...)`) that the
    /// generated inhibit rule does not compare. The rule's `equal` lists the
    /// alert name, the feature and the project's `group_by` labels, the
    /// labels both sides of every inhibition carry.
    ///
    /// ## Why is this bad?
    /// While the critical alert of one instance fires, Alertmanager mutes
    /// the warnings of every instance of the same alert: a second database
    /// filling up goes unnoticed because the first one is already critical.
    ///
    /// ## Example
    /// ```yaml
    /// # promspec.yaml: no `alertmanager.group_by` (alertname, feature, severity)
    /// - id: db-connections
    ///   query: sum by (instance) (pg_stat_activity_count)
    ///   warning: {above: 80}
    ///   critical: {above: 95}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// alertmanager:
    ///   group_by: [alertname, feature, severity, instance]
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct InhibitMissingLabel => Check::Workspace(check);
}

/// Report thresholds whose alerts differ by labels inhibition does not compare.
pub fn check(ws: &Workspace, _sources: &SourceMap) -> Vec<Diagnostic> {
    if routes::inhibit_rules(&ws.project).is_empty() {
        return Vec::new();
    }
    let equal = routes::inhibit_equal(&ws.project);
    let mut out = Vec::new();
    for feature in &ws.features {
        for t in &feature.thresholds {
            let has = |level| t.levels.iter().any(|l| l.level == level);
            if !has(Level::Critical) || !(has(Level::Warning) || has(Level::Info)) {
                continue;
            }
            let Ok(expr) = t.query.parse(ws.project.dialect) else {
                continue;
            };
            let OutputLabels::Exactly(labels) = expr.output_labels() else {
                continue;
            };
            let missing: Vec<String> = labels
                .iter()
                .filter(|l| !equal.contains(*l))
                .cloned()
                .collect();
            if !missing.is_empty() {
                out.push(inhibit_missing_label(feature, t, &missing));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::check;
    use crate::lint::rules::test::{feature, load};
    use crate::promql::{Dialect, OutputLabels};

    /// The labels every result series of `query` carries, when known exactly.
    fn output_labels(query: &str) -> Option<BTreeSet<String>> {
        match crate::promql::parse(query, Dialect::Prometheus2)
            .ok()?
            .output_labels()
        {
            OutputLabels::Exactly(labels) => Some(labels.clone()),
            OutputLabels::AllExcept(_) => None,
        }
    }

    fn set(labels: &[&str]) -> Option<BTreeSet<String>> {
        Some(labels.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn knows_the_labels_of_aggregations() {
        assert_eq!(
            output_labels("sum by (instance) (rate(x[5m]))"),
            set(&["instance"])
        );
        assert_eq!(
            output_labels("100 * (1 - avg by (instance) (rate(x[5m])))"),
            set(&["instance"])
        );
        assert_eq!(
            output_labels("histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))"),
            set(&[])
        );
        assert_eq!(
            output_labels("sum by (instance) (a) / on (instance) (max by (instance) (b) > 0)"),
            set(&["instance"])
        );
        assert_eq!(
            output_labels("sum(rate(x[5m])) / (sum(rate(y[5m])) > 0)"),
            set(&[])
        );
        assert_eq!(output_labels("node_memory_MemAvailable_bytes / 2"), None);
        assert_eq!(output_labels("topk(3, x)"), None);
        assert_eq!(output_labels("sum without (pod) (x)"), None);
    }

    #[test]
    fn pass_on_the_init_project() {
        let threshold = "  - id: errors\n    query: sum by (instance) (rate(errors_total[5m]))\n    unit: per_second\n    warning: {above: 1/s}\n    critical: {above: 5/s}\n    info: {above: 0.5/s}\n";
        let (ws, sources) = load(&[("checkout", &feature("checkout", threshold))]);
        assert!(check(&ws, &sources).is_empty());
    }
}
