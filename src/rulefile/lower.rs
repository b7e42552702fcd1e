//! Resolved specs → the rule-file IR, with spans back into the spec.
//!
//! The rules are the compiler's own ([`compile::prometheus::rules`]), so the
//! linter judges exactly what `promspec build` writes. Each field points at
//! the spec value it came from: a recording rule's expression at the
//! threshold's `query` (exactly, so PromQL findings point inside it), an
//! alert's `for` at the level's `for`, everything else at the level or
//! threshold it belongs to.

use crate::compile::prometheus::{self, Rule as Compiled};
use crate::rulefile::model::{Expression, FileKind, Group, Pair, Rule, RuleFile, RuleKind};
use crate::source::{Span, Spanned};
use crate::spec::model::{Feature, Project};
use crate::yaml::Style;

/// The rules a feature compiles into, as one IR file whose spans point into the spec.
pub fn feature(project: &Project, feature: &Feature) -> RuleFile {
    let compiled = prometheus::rules(project, feature);
    let mut compiled = compiled.into_iter();
    let mut rules = Vec::new();
    for threshold in &feature.thresholds {
        if let Some(Compiled::Record { record, labels, .. }) = compiled.next() {
            rules.push(Rule {
                kind: RuleKind::Recording,
                name: Spanned::new(record, threshold.id_span),
                expr: Expression {
                    text: threshold.query.text.clone(),
                    span: threshold.query.span,
                    style: threshold.query.style,
                    exact: true,
                },
                for_: None,
                keep_firing_for: None,
                labels: pairs(labels, threshold.span),
                annotations: Vec::new(),
                span: threshold.span,
            });
        }
        for level in &threshold.levels {
            let Some(Compiled::Alert {
                alert,
                expr,
                labels,
                annotations,
                ..
            }) = compiled.next()
            else {
                continue;
            };
            rules.push(Rule {
                kind: RuleKind::Alerting,
                name: Spanned::new(alert, threshold.id_span),
                expr: Expression {
                    text: expr,
                    span: level.value_span,
                    style: Style::Plain,
                    exact: false,
                },
                for_: Some(Spanned::new(level.for_, level.for_span)),
                keep_firing_for: level.keep_firing_for.map(|d| Spanned::new(d, level.span)),
                labels: pairs(labels, level.span),
                annotations: pairs(annotations, level.span),
                span: level.span,
            });
        }
    }
    let group = Group {
        name: Spanned::new(
            crate::compile::conventions::group_name(feature),
            feature.slug_span,
        ),
        interval: Some(Spanned::new(project.evaluation_interval, feature.slug_span)),
        rules,
        span: feature.slug_span,
    };
    RuleFile {
        source: feature.source,
        kind: FileKind::Spec,
        groups: vec![group],
    }
}

fn pairs(map: std::collections::BTreeMap<String, String>, span: Span) -> Vec<Pair> {
    map.into_iter()
        .map(|(k, v)| Pair {
            key: Spanned::new(k, span),
            value: Spanned::new(v, span),
            style: Style::Plain,
            exact: false,
        })
        .collect()
}
