//! `promql/unknown-label`: a label, or a label value, that the metrics
//! catalog says the selected metrics do not have.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::catalog::{Catalog, MetricType};
use crate::diag::Diagnostic;
use crate::lint::registry::declare_rule;
use crate::lint::{Check, RuleCx};
use crate::promql::{AggregateOp, GroupModifier, Grouping, MatchOp, Selector, VectorMatching};
use crate::source::Span;

const ID: &str = "promql/unknown-label";

fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>, min: f64) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > min)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The known label `label` is most likely a misspelling of: a few edits
/// away (at most one per three characters, at most two).
fn misspelling_of<'a>(label: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let budget = (label.chars().count() / 3).clamp(1, 2);
    known
        .map(|k| (strsim::damerau_levenshtein(label, k), k))
        .filter(|(d, _)| *d <= budget)
        .min()
        .map(|(_, k)| k)
}

fn unknown_label(span: Span, metrics: &str, label: &str, meant: &str) -> Diagnostic {
    Diagnostic::warning(
        ID,
        format!("the metrics catalog has no label `{label}` on {metrics}"),
    )
    .with_label(span, format!("did you mean `{meant}`?"))
    .with_help(format!(
        "write `{meant}` if that is the label meant; if `{label}` is right (a target label added by relabelling, say), add it to `target_labels` in catalog.yaml"
    ))
}

fn wrong_series(span: Span, label: &str, metric: &str, carrier: &str) -> Diagnostic {
    Diagnostic::warning(
        ID,
        format!("`{metric}` has no label `{label}`: only `{carrier}` has it"),
    )
    .with_label(span, format!("not on `{metric}`"))
    .with_help(format!(
        "`{label}` belongs to the `{carrier}` series of the family; select `{carrier}` where `{label}` is needed, or leave `{label}` out here"
    ))
}

/// For `le` on a histogram's `_sum`/`_count` or `quantile` on a summary's:
/// the series of the same family that has the label.
fn carrier(catalog: &Catalog, metrics: &[&str], label: &str) -> Option<(String, String)> {
    metrics.iter().find_map(|metric| {
        let (family, m) = catalog.family(metric)?;
        let has = m.labels.as_ref()?.contains(label);
        let series = match (label, m.kind) {
            ("le", MetricType::Histogram | MetricType::GaugeHistogram) => {
                format!("{family}_bucket")
            }
            ("quantile", MetricType::Summary) => family.to_string(),
            _ => return None,
        };
        (has && series != *metric).then(|| (metric.to_string(), series))
    })
}

fn unknown_value(
    span: Span,
    metric: &str,
    label: &str,
    (op, value): (MatchOp, &str),
    known: &BTreeSet<String>,
) -> Diagnostic {
    let effect = if op == MatchOp::NotEqual {
        "excludes no series"
    } else {
        "matches no series"
    };
    let d = Diagnostic::warning(
        ID,
        format!("`{label}` of `{metric}` is never `{value}` in the metrics catalog"),
    );
    match closest(value, known.iter().map(String::as_str), 0.8) {
        Some(c) => d
            .with_label(span, format!("did you mean `{c}`?"))
            .with_help(format!(
                "write `{c}` if that is the value meant; if `{value}` is right, add it to `values.{label}` of `{metric}` in catalog.yaml (or delete that list: then any value is accepted)"
            )),
        None => d
            .with_label(span, effect)
            .with_help(format!(
                "the values are {}; if `{value}` is right, add it to `values.{label}` of `{metric}` in catalog.yaml (or delete that list: then any value is accepted)",
                list(known.iter().map(String::as_str))
            )),
    }
}

fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.map(|i| format!("`{i}`")).collect();
    match items.len() {
        0 => "none".to_string(),
        n if n > 12 => format!("{} and {} more", items[..12].join(", "), n - 12),
        _ => items.join(", "),
    }
}

declare_rule! {
    /// ## What it does
    /// Reports label names and label values that the project's metrics
    /// catalog says the selected metrics do not have. It runs when the
    /// catalog lists labels (written by `promspec catalog fetch`, or by
    /// `promspec catalog import` from `/metrics` output or the series API),
    /// and reports
    ///
    /// - a selector's label matcher on a label its metric does not have
    ///   (`node_cpu_seconds_total{mdoe="idle"}`);
    /// - a `by`, `without`, `on`, `ignoring`, `group_left` or `group_right`
    ///   label that none of the metrics involved has;
    /// - `le` on a histogram's `_sum` or `_count`, `quantile` on a
    ///   summary's: only the `_bucket` series (the summary itself) have it;
    /// - an `=` or `!=` matcher whose value the label never has, for the
    ///   low-cardinality labels whose values the catalog lists
    ///   (`mode="idel"` matches nothing, `mode!="idel"` excludes nothing),
    ///
    /// each with the closest known name or value. A label name is reported
    /// only as a misspelling of a known one (at most one edit per three
    /// characters, at most two): any other name may be a target label that
    /// relabelling adds in your deployment. Labels the scrape adds (`job`,
    /// `instance`, the catalog's `target_labels`, and those service
    /// discovery usually adds: `namespace`, `pod`, `node`, `cluster`,
    /// `environment`...) are always known. Nothing is reported where the
    /// labels are not certain: metrics the catalog does not know or knows
    /// without labels, recorded series, and clauses over `label_replace`,
    /// `label_join` or `count_values`, which make labels of their own.
    ///
    /// ## Why is this bad?
    /// PromQL accepts any label name. A matcher on a label the series do
    /// not have selects nothing (or, negated, everything); a `by (...)`
    /// label nobody has groups everything into one series. The alert is
    /// silent or wrong, and nothing says so without a live Prometheus.
    ///
    /// ## Example
    /// ```yaml
    /// expr: sum by (instnace) (rate(node_cpu_seconds_total{mdoe="idle"}[5m])) < 0.1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// expr: sum by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) < 0.1
    /// ```
    ///
    /// ## Options
    /// None. Without a catalog, or for metrics it has no labels for, the
    /// rule is silent. Which label values a catalog lists is decided at
    /// import (at most 20 values, never host or deployment names such as
    /// `instance`, `device` or `fstype`); delete a `values` list in
    /// catalog.yaml to accept any value of that label.
    pub struct UnknownLabel => Check::Rule(check);
}

/// The labels the series of `s` can carry, when the catalog is certain.
fn labels_of<'c>(cx: &RuleCx, catalog: &'c Catalog, s: &Selector) -> Option<BTreeSet<&'c str>> {
    let metric = s.metric.as_deref()?;
    if metric.contains(':')
        || crate::catalog::SYNTHETIC.contains(&metric)
        || cx.file.rules().any(|(_, r)| r.name.value == metric)
    {
        return None;
    }
    catalog.series_labels(metric)
}

fn check(cx: &RuleCx, out: &mut Vec<Diagnostic>) {
    let Some(catalog) = cx.settings.catalog.as_deref() else {
        return;
    };
    let text = cx.expr.text();
    let targets: BTreeSet<&str> = crate::catalog::labels::TARGET_LABELS
        .iter()
        .copied()
        .chain(catalog.target_labels.iter().map(String::as_str))
        .collect();
    let allowed = |known: &BTreeSet<&str>, label: &str| {
        label == "__name__" || catalog.is_target_label(label) || known.contains(label)
    };

    // Selector matchers.
    for s in &cx.facts.selectors {
        let Some(known) = labels_of(cx, catalog, s) else {
            continue;
        };
        let metric = s.metric.as_deref().unwrap_or_default();
        for m in &s.matchers {
            if !allowed(&known, &m.name) {
                // `label=""` asks for series without the label: true of all.
                // `label=""` asks for series without the label: true of all.
                if m.op == MatchOp::Equal && m.value.is_empty() {
                    continue;
                }
                let span = cx.expr_span(name_range(text, &m.span, &m.name));
                if let Some((on, series)) = carrier(catalog, &[metric], &m.name) {
                    out.push(wrong_series(span, &m.name, &on, &series));
                } else if let Some(meant) =
                    misspelling_of(&m.name, known.iter().chain(&targets).copied())
                {
                    out.push(unknown_label(span, &format!("`{metric}`"), &m.name, meant));
                }
                continue;
            }
            // Generated SLO rules write their own `le`: slos/latency-bucket.
            if matches!(m.op, MatchOp::Equal | MatchOp::NotEqual)
                && (cx.rule.expr.exact || m.name != "le")
                && let Some(values) = catalog.label_values(metric, &m.name)
                && !values.contains(&m.value)
            {
                out.push(unknown_value(
                    cx.expr_span(m.value_span.clone()),
                    metric,
                    &m.name,
                    (m.op, &m.value),
                    values,
                ));
            }
        }
    }

    // Grouping and matching clauses: the union of the labels of every
    // selector inside, when all are known and nothing makes labels.
    let involved =
        |span: &Range<usize>| -> Option<(BTreeSet<&str>, Vec<&str>)> {
            let mut known = BTreeSet::new();
            let mut metrics = Vec::new();
            let mut any = false;
            for s in cx.facts.selectors.iter().filter(|s| within(&s.span, span)) {
                known.extend(labels_of(cx, catalog, s)?);
                metrics.push(s.metric.as_deref()?);
                any = true;
            }
            let makes_labels =
                cx.facts.calls.iter().any(|c| {
                    matches!(c.name, "label_replace" | "label_join") && within(&c.span, span)
                }) || cx
                    .facts
                    .aggregations
                    .iter()
                    .any(|a| a.op == AggregateOp::CountValues && within(&a.span, span));
            (any && !makes_labels).then_some((known, metrics))
        };
    let describe = |metrics: &[&str]| -> String {
        let mut m: Vec<&str> = metrics.to_vec();
        m.sort_unstable();
        m.dedup();
        match m.as_slice() {
            [one] => format!("`{one}`"),
            many => format!("any of {}", list(many.iter().copied())),
        }
    };

    for a in &cx.facts.aggregations {
        let (Grouping::By(labels) | Grouping::Without(labels)) = &a.grouping else {
            continue;
        };
        let Some((known, metrics)) = involved(&a.span) else {
            continue;
        };
        let clause = grouping_clause(text, a.op_span.end, &a.span);
        for label in labels.iter().filter(|l| !allowed(&known, l)) {
            let range = clause
                .as_ref()
                .and_then(|c| label_in(text, c, label))
                .unwrap_or_else(|| a.op_span.clone());
            if let Some((on, series)) = carrier(catalog, &metrics, label) {
                out.push(wrong_series(cx.expr_span(range), label, &on, &series));
            } else if let Some(meant) = misspelling_of(label, known.iter().chain(&targets).copied())
            {
                out.push(unknown_label(
                    cx.expr_span(range),
                    &describe(&metrics),
                    label,
                    meant,
                ));
            }
        }
    }

    for op in &cx.facts.binary_ops {
        let mut labels: Vec<&String> = Vec::new();
        if let Some(VectorMatching::On(l) | VectorMatching::Ignoring(l)) = &op.matching {
            labels.extend(l);
        }
        if let Some(GroupModifier::Left(l) | GroupModifier::Right(l)) = &op.group {
            labels.extend(l);
        }
        if labels.is_empty() {
            continue;
        }
        let Some((known, metrics)) = involved(&op.span) else {
            continue;
        };
        let between = op.lhs_span.end..op.rhs_span.start;
        for label in labels.into_iter().filter(|l| !allowed(&known, l)) {
            let range = label_in(text, &between, label).unwrap_or_else(|| op.op_span.clone());
            if let Some((on, series)) = carrier(catalog, &metrics, label) {
                out.push(wrong_series(cx.expr_span(range), label, &on, &series));
            } else if let Some(meant) = misspelling_of(label, known.iter().chain(&targets).copied())
            {
                out.push(unknown_label(
                    cx.expr_span(range),
                    &describe(&metrics),
                    label,
                    meant,
                ));
            }
        }
    }
}

fn within(inner: &Range<usize>, outer: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// Where the label name `name` of a matcher spanning `span` is written.
fn name_range(text: &str, span: &Range<usize>, name: &str) -> Range<usize> {
    text.get(span.clone())
        .and_then(|t| t.find(name))
        .map_or(span.clone(), |i| {
            span.start + i..span.start + i + name.len()
        })
}

/// The byte range of an aggregation's `by (...)`/`without (...)` clause:
/// right after the operator, or closing the aggregation (`sum(x) by (job)`).
fn grouping_clause(text: &str, op_end: usize, span: &Range<usize>) -> Option<Range<usize>> {
    static CLAUSE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\b(by|without)\s*\([^()]*\)").expect("a valid regex")
    });
    let body = text.get(op_end..span.end)?;
    let trimmed = body.trim_start();
    let clause = if trimmed.starts_with("by") || trimmed.starts_with("without") {
        CLAUSE.find(body)?
    } else {
        CLAUSE.find_iter(body).last()?
    };
    Some(op_end + clause.start()..op_end + clause.end())
}

/// The byte range of `label` inside the parentheses of `region`.
fn label_in(text: &str, region: &Range<usize>, label: &str) -> Option<Range<usize>> {
    let t = text.get(region.clone())?;
    let mut from = 0;
    while let Some(i) = t[from..].find(label) {
        let start = from + i;
        let end = start + label.len();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if !word(t[..start].chars().next_back()) && !word(t[end..].chars().next()) {
            // Inside a parenthesised list, not the keyword itself.
            if t[..start]
                .rfind('(')
                .is_some_and(|p| t[..start].rfind(')').is_none_or(|c| c < p))
            {
                return Some(region.start + start..region.start + end);
            }
        }
        from = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    const CATALOG: &str = "target_labels: [env]\nmetrics:\n  node_cpu_seconds_total:\n    type: counter\n    labels: [cpu, mode]\n    values:\n      mode: [idle, iowait, system, user]\n  node_uname_info:\n    type: gauge\n    labels: [nodename, release]\n  http_request_duration_seconds:\n    type: histogram\n    labels: [le, route]\n    values:\n      le: [\"0.1\", \"0.5\", \"+Inf\"]\n  no_labels_known: {type: gauge}\n";

    const RULES: &str = "groups:\n  - name: g\n    rules:\n      - record: instance:busy\n        expr: label_replace(sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m])), \"host\", \"$1\", \"instance\", \"(.*)\")\n";

    #[test]
    fn pass() {
        let ok = format!(
            "{RULES}      - alert: Fine\n        expr: sum by (le, env, job) (rate(http_request_duration_seconds_bucket{{route=\"/\", le=\"0.5\"}}[5m])) > 1 and on (instance) group_left (nodename) node_uname_info and sum by (host) (label_replace(node_cpu_seconds_total, \"host\", \"$1\", \"instance\", \"(.*)\")) > 0 and instance:busy{{host=\"a\"}} > 0 and no_labels_known{{anything=\"x\"}} and count by (mode) (node_cpu_seconds_total{{cpu=\"0\", zone=\"\"}}) > 0 and sum by (shard, node) (node_cpu_seconds_total{{tier=\"db\", fleet=\"a\"}}) > 0\n"
        );
        assert_catalog_pass(ID_, &ok, CATALOG);
        assert_rules_pass(ID_, &ok);
    }

    const ID_: &str = "promql/unknown-label";

    #[test]
    fn fail() {
        insta::assert_snapshot!(with_catalog(
            ID_,
            "groups:\n  - name: g\n    rules:\n      - alert: Typos\n        expr: sum by (instnace) (rate(node_cpu_seconds_total{mdoe=\"idle\"}[5m])) > 1 and sum without (rout) (rate(http_request_duration_seconds_sum[5m])) > 0 and node_cpu_seconds_total{mode=\"idel\", mode!=\"stolen\"} and on (nodname) node_uname_info and sum(rate(http_request_duration_seconds_sum{le=\"0.5\"}[5m])) by (le) > 0\n",
            CATALOG
        ));
    }
}
