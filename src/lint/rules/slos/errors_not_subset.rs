//! `slos/errors-not-subset`.

use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::promql::{Dialect, LabelMatcher, Selector};
use crate::source::SourceMap;
use crate::spec::model::{Query, Workspace};
use crate::spec::slo::model::{Sli, Slo};

/// The id of this rule.
pub const ID: &str = "slos/errors-not-subset";

/// Name parts that say what is counted (bad, all, ...) rather than what
/// is measured: two metrics whose names differ only by these are an
/// errors/total pair (`x_errors_total` and `x_requests_total`).
const COUNTING_WORDS: &[&str] = &[
    "total",
    "count",
    "sum",
    "bucket",
    "errors",
    "error",
    "err",
    "failures",
    "failure",
    "failed",
    "fail",
    "fails",
    "bad",
    "good",
    "ok",
    "success",
    "successes",
    "successful",
    "requests",
    "request",
    "reqs",
    "calls",
    "call",
    "events",
    "event",
    "attempts",
    "attempt",
    "handled",
    "started",
    "processed",
    "received",
    "sent",
    "completed",
    "all",
    "rejected",
    "dropped",
    "timeouts",
    "timeout",
    "aborted",
];

fn missing_matchers(
    slo: &Slo,
    errors: &Query,
    total: &Query,
    missing: &[&LabelMatcher],
    sources: &SourceMap,
) -> Diagnostic {
    let written: Vec<String> = missing
        .iter()
        .map(|m| format!("{}{}\"{}\"", m.name, m.op, m.value))
        .collect();
    let quoted: Vec<String> = written.iter().map(|w| format!("`{w}`")).collect();
    let labels: Vec<String> = missing.iter().map(|m| format!("`{}`", m.name)).collect();
    let d = Diagnostic::warning(
        ID,
        format!(
            "the errors of SLO `{}` are not limited to {} like its total",
            slo.id,
            quoted.join(", ")
        ),
    )
    .with_label(
        errors.span,
        format!("counts errors of any {}", labels.join(", ")),
    );
    let d = missing.iter().fold(d, |d, m| {
        d.with_secondary(
            total.span_of(sources, m.span.clone()),
            "total counts only these",
        )
    });
    d.with_help(format!(
        "errors counted outside the total's series can push the error ratio above 1: \
         add {} to the errors selector",
        quoted.join(", ")
    ))
}

fn unrelated_metrics(slo: &Slo, errors: &Query, total: &Query, e: &str, t: &str) -> Diagnostic {
    Diagnostic::warning(
        ID,
        format!(
            "the errors of SLO `{}` (`{e}`) and its total (`{t}`) are different metrics",
            slo.id
        ),
    )
    .with_label(errors.span, format!("errors read `{e}`"))
    .with_secondary(total.span, format!("total reads `{t}`"))
    .with_help(format!(
        "errors should be a part of the events total counts, or the ratio can exceed 1: \
         select the errors from `{t}` with a matcher, e.g. `{t}{{code=~\"5..\"}}`, \
         or use the errors counter of the same family"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports an `events` SLI whose `errors` selector can count series its
    /// `total` does not: `errors` lacks a label matcher `total` has, or the
    /// two read unrelated metrics. Only plain selectors are judged (not
    /// queries with `{{.window}}`); metric names that differ only by words
    /// such as `errors`, `requests` or `total` (`x_errors_total` and
    /// `x_requests_total`) are taken as a pair.
    ///
    /// ## Why is this bad?
    /// The error ratio is `errors / total`. When errors come from more
    /// series (another job, another handler) or from an unrelated metric,
    /// the ratio is no longer a share of the events: it can exceed 1, burns
    /// the budget for errors the SLO does not cover and pages for them.
    ///
    /// ## Example
    /// ```yaml
    /// events:
    ///   errors: http_requests_total{code=~"5.."}
    ///   total: http_requests_total{job="api"}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// events:
    ///   errors: http_requests_total{job="api", code=~"5.."}
    ///   total: http_requests_total{job="api"}
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct ErrorsNotSubset => Check::Workspace(check);
}

/// The expression's only selector, when the query is just that selector.
fn plain_selector(query: &Query, dialect: Dialect) -> Option<&Selector> {
    let facts = query.parse(dialect).ok()?.facts();
    let plain = facts.selectors.len() == 1
        && facts.calls.is_empty()
        && facts.aggregations.is_empty()
        && facts.binary_ops.is_empty()
        && facts.subqueries.is_empty();
    let s = facts.selectors.first().filter(|_| plain)?;
    (s.range.is_none() && s.offset.is_none() && !s.has_at).then_some(s)
}

/// The measured part of a metric name: its words without the counting ones.
fn base(name: &str) -> Vec<&str> {
    name.split('_')
        .filter(|w| !w.is_empty() && !COUNTING_WORDS.contains(w))
        .collect()
}

/// Whether two different metric names are surely not an errors/total pair:
/// their measured parts differ and they share no leading word (namespace).
fn unrelated(errors: &str, total: &str) -> bool {
    let (e, t) = (base(errors), base(total));
    if e.is_empty() || t.is_empty() || e == t {
        return false;
    }
    errors.split('_').next() != total.split('_').next()
}

fn judge(
    slo: &Slo,
    errors: &Query,
    total: &Query,
    ws: &Workspace,
    sources: &SourceMap,
) -> Vec<Diagnostic> {
    let dialect = ws.project.dialect;
    let (Some(e), Some(t)) = (
        plain_selector(errors, dialect),
        plain_selector(total, dialect),
    ) else {
        return Vec::new();
    };
    let (Some(e_name), Some(t_name)) = (&e.metric, &t.metric) else {
        return Vec::new();
    };
    if e_name != t_name && unrelated(e_name, t_name) {
        return vec![unrelated_metrics(slo, errors, total, e_name, t_name)];
    }
    let missing: Vec<&LabelMatcher> = t
        .matchers
        .iter()
        .filter(|m| m.name != "__name__")
        .filter(|m| !e.matchers.iter().any(|em| em.name == m.name))
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    vec![missing_matchers(slo, errors, total, &missing, sources)]
}

/// Report every events SLI whose errors can count what total does not.
pub fn check(ws: &Workspace, sources: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for slo in ws.features.iter().flat_map(|f| &f.slos) {
        if let Sli::Events { errors, total } = &slo.sli
            && !errors.templated
            && !total.templated
        {
            out.extend(judge(slo, &errors.query, &total.query, ws, sources));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test::{load, render};

    fn spec(errors: &str, total: &str) -> String {
        format!(
            "feature: shop\nteam: ops\nslos:\n  - id: checkout\n    objective: 99.9%\n    sli:\n      events:\n        errors: '{errors}'\n        total: '{total}'\n"
        )
    }

    fn findings(errors: &str, total: &str) -> Vec<String> {
        let (ws, sources) = load(&[("shop", &spec(errors, total))]);
        check(&ws, &sources)
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn pass() {
        for (errors, total) in [
            (r#"http_requests_total{code=~"5.."}"#, "http_requests_total"),
            (
                r#"http_requests_total{job="api", code=~"5.."}"#,
                r#"http_requests_total{job="api"}"#,
            ),
            // A matcher on the same label may narrow it: unsure, so silent.
            (
                r#"http_requests_total{job="api-eu"}"#,
                r#"http_requests_total{job=~"api.*"}"#,
            ),
            ("shop_errors_total", "shop_requests_total"),
            ("shop_errors_total", "shop_total"),
            (
                "shop_checkout_failures_total",
                "shop_checkout_attempts_total",
            ),
            (
                r#"grpc_server_handled_total{grpc_code!="OK"}"#,
                "grpc_server_started_total",
            ),
            ("errors_total", "requests_total"),
            // Templated and computed queries are not judged.
            (
                "sum(rate(other_total[{{.window}}]))",
                "sum(rate(http_requests_total[{{.window}}]))",
            ),
            ("sum(other_total)", r#"http_requests_total{job="api"}"#),
        ] {
            assert_eq!(
                findings(errors, total),
                Vec::<String>::new(),
                "{errors} / {total}"
            );
        }
    }

    #[test]
    fn different_metrics() {
        assert_eq!(
            findings("nginx_http_errors_total", "shop_requests_total"),
            [
                "the errors of SLO `checkout` (`nginx_http_errors_total`) and its total (`shop_requests_total`) are different metrics"
            ]
        );
    }

    #[test]
    fn fail() {
        let (ws, sources) = load(&[(
            "shop",
            &spec(
                r#"http_requests_total{code=~"5.."}"#,
                r#"http_requests_total{job="api", handler="/checkout"}"#,
            ),
        )]);
        let diags = check(&ws, &sources);
        assert_eq!(diags.len(), 1);
        insta::assert_snapshot!(render(&diags, &sources));
    }
}
