//! `alerts/template`: broken Go templates, and templates that read what the
//! alert does not have or put the value into a label.

use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::template;
use crate::lint::{Check, RuleCx};
use crate::promql::OutputLabels;
use crate::source::Span;

fn invalid_template(span: Span, field: &str, message: &str) -> Diagnostic {
    Diagnostic::error(
        "alerts/template",
        format!("the template in `{field}` is invalid: {message}"),
    )
    .with_label(span, "here")
    .with_help(
        "Prometheus refuses to load a rule file with a broken template; fix the `{{ ... }}` action",
    )
}

fn value_in_label(span: Span, key: &str) -> Diagnostic {
    Diagnostic::error(
        "alerts/template",
        format!("label `{key}` contains the alert's value"),
    )
    .with_label(span, "changes on every evaluation")
    .with_help("labels identify an alert: each new value starts a new alert and resolves the old one; move the value into an annotation")
}

fn missing_label(span: Span, field: &str, label: &str) -> Diagnostic {
    Diagnostic::warning(
        "alerts/template",
        format!("`{field}` reads label `{label}`, which the expression's result does not have"),
    )
    .with_label(span, "always empty")
    .with_help(format!(
        "keep `{label}` in the expression (e.g. `sum by ({label}, ...)`), or guard it with `{{{{ with $labels.{label} }}}}...{{{{ end }}}}`"
    ))
}

declare_rule! {
    /// ## What it does
    /// Checks the Go templates in an alert's labels and annotations: the
    /// syntax (unclosed actions, unknown functions, undefined variables,
    /// blocks without `end`), references to labels the expression's result
    /// cannot have, and the alert's value put into a label.
    ///
    /// ## Why is this bad?
    /// A broken template makes Prometheus refuse the whole rule file.
    /// `$labels.instance` after `sum by (job)` renders as an empty string,
    /// so the notification says "high latency on " and nothing more. And a
    /// label that holds `$value` changes with every evaluation: each change
    /// resolves the alert and fires a new one.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighLatency
    ///   expr: sum by (job) (rate(http_request_duration_seconds_sum[5m])) > 1
    ///   labels:
    ///     value: "{{ $value }}"
    ///   annotations:
    ///     summary: High latency on {{ $labels.instance }}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - alert: HighLatency
    ///   expr: sum by (job) (rate(http_request_duration_seconds_sum[5m])) > 1
    ///   annotations:
    ///     summary: High latency on {{ $labels.job }} ({{ $value }})
    /// ```
    ///
    /// ## Options
    /// None. Syntax errors and values in labels are errors (Prometheus
    /// rejects the first, the second breaks alert identity); a reference to
    /// a missing label is a warning. References guarded by `{{ with }}` or
    /// `{{ if }}` are not reported: a missing label is expected there.
    pub struct Template => Check::Rule(check);
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    if !cx.rule.is_alert() {
        return;
    }
    // Missing labels are reported only when the result's labels are known exactly.
    let known = match cx.expr.output_labels() {
        OutputLabels::Exactly(labels) => Some(labels),
        OutputLabels::AllExcept(_) => None,
    };
    for (field, pair, is_label) in cx.rule.labels.iter().map(|p| ("labels", p, true)).chain(
        cx.rule
            .annotations
            .iter()
            .map(|p| ("annotations", p, false)),
    ) {
        let scan = template::scan(&pair.value.value);
        let name = format!("{field}.{}", pair.key.value);
        if let Some(p) = &scan.problem {
            out.push(invalid_template(
                pair.span_of(cx.sources, p.range.clone()),
                &name,
                &p.message,
            ));
            continue;
        }
        if is_label && let Some(v) = scan.values.first() {
            out.push(value_in_label(
                pair.span_of(cx.sources, v.clone()),
                &pair.key.value,
            ));
        }
        if let Some(known) = known {
            for r in scan.labels.iter().filter(|r| !r.guarded) {
                let set_by_rule = cx.rule.label(&r.name).is_some();
                if !set_by_rule
                    && !known.contains(&r.name)
                    && !super::dropped_by_aggregation(cx, &r.name)
                {
                    out.push(missing_label(
                        pair.span_of(cx.sources, r.range.clone()),
                        &name,
                        &r.name,
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn pass() {
        assert_rules_pass(
            "alerts/template",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum by (job) (rate(x_total[5m])) > 1\n        labels: {severity: warning}\n        annotations:\n          summary: '{{ $labels.job }} {{ with $labels.instance }}{{ . }}{{ end }} {{ $value | humanize }}'\n",
        );
    }

    #[test]
    fn fail() {
        insta::assert_snapshot!(rules_fail(
            "alerts/template",
            "groups:\n  - name: g\n    rules:\n      - alert: HighLatency\n        expr: sum by (job) (rate(http_request_duration_seconds_sum[5m])) > 1\n        labels:\n          value: '{{ $value }}'\n        annotations:\n          summary: High latency on {{ $labels.instance }}\n          description: '{{ $value | humanise }}'\n",
        ));
    }
}
