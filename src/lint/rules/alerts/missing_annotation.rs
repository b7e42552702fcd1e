//! `alerts/missing-annotation`: an alert without the annotations responders need.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::source::Span;

fn missing_annotation(span: Span, name: &str, missing: &[&str]) -> Diagnostic {
    let quoted: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
    let list = match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    };
    Diagnostic::warning(
        "alerts/missing-annotation",
        format!("alert `{name}` has no {list} annotation"),
    )
    .with_label(span, "missing annotations")
    .with_help(format!(
        "add {} under `annotations:`; the responder reads them in the notification",
        quoted.join(", ")
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports an alerting rule that lacks one of the required annotations
    /// (by default `summary`, `description` and `runbook_url`).
    ///
    /// ## Why is this bad?
    /// The annotations are what the person paged at night reads: what is
    /// wrong (`summary`), how bad and where (`description`), and what to do
    /// (`runbook_url`). An alert without them sends the responder searching.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: DiskFull
    ///   expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.05
    ///   for: 10m
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - alert: DiskFull
    ///   expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.05
    ///   for: 10m
    ///   annotations:
    ///     summary: Disk almost full on {{ $labels.instance }}
    ///     description: Only {{ $value | humanizePercentage }} of {{ $labels.mountpoint }} is free.
    ///     runbook_url: https://runbooks.example.com/disk-full
    /// ```
    ///
    /// ## Options
    /// `lint.required_annotations` in `promspec.yaml` replaces the list.
    /// Well-known equivalents count as present: `title` or `message` for
    /// `summary`, `message` or `details` for `description`, `runbook`,
    /// `runbook_link`, `playbook` or `playbook_url` for `runbook_url`.
    pub struct MissingAnnotation => Check::Rule(check);
}

/// Names that projects use for the same purpose as a default annotation
/// (GitLab's `title` and `runbook`, `message` in older mixins).
const EQUIVALENTS: &[(&str, &[&str])] = &[
    ("summary", &["title", "message"]),
    ("description", &["message", "details"]),
    (
        "runbook_url",
        &["runbook", "runbook_link", "playbook", "playbook_url"],
    ),
];

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if !cx.rule.is_alert() {
        return;
    }
    let has = |name: &str| {
        cx.rule.annotation(name).is_some()
            || EQUIVALENTS
                .iter()
                .filter(|(n, _)| *n == name)
                .flat_map(|(_, alts)| alts.iter())
                .any(|alt| cx.rule.annotation(alt).is_some())
    };
    let missing: Vec<&str> = cx
        .settings
        .required_annotations
        .iter()
        .map(String::as_str)
        .filter(|a| !has(a))
        .collect();
    if !missing.is_empty() {
        out.push(missing_annotation(
            cx.rule.name.span,
            &cx.rule.name.value,
            &missing,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "alerts/missing-annotation",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        annotations:\n          summary: s\n          description: d\n          runbook_url: https://r\n      - alert: GitLabStyle\n        expr: up == 0\n        annotations:\n          title: t\n          description: d\n          runbook: docs/r.md\n      - record: a:b:c\n        expr: up\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "alerts/missing-annotation",
            "groups:\n  - name: g\n    rules:\n      - alert: DiskFull\n        expr: up == 0\n        annotations:\n          summary: s\n",
        ));
    }

    #[test]
    fn spec_without_runbook() {
        insta::assert_snapshot!(spec_fail(
            "alerts/missing-annotation",
            "feature: shop\nteam: web\nthresholds:\n  - id: latency\n    query: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))\n    unit: seconds\n    warning: {above: 3s, for: 5m}\n",
        ));
    }
}
