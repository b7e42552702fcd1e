//! The rule engines beyond one Prometheus: prometheus-operator
//! `PrometheusRule` manifests, Grafana Mimir / Cortex rule namespaces, Thanos
//! Ruler and VictoriaMetrics vmalert rule files.
//!
//! Every target renders the same rule groups as the Prometheus renderer
//! ([`prometheus::group`]) from the one IR ([`lower::feature`]) and adds
//! only what its engine reads: a manifest around them, or group options.
//! Paths come from [`conventions`](names).

use crate::compile::conventions as names;
use crate::compile::yaml_out::{self, Value};
use crate::compile::{Output, lower, prometheus};
use crate::spec::model::{Feature, Project};
use crate::spec::targets::{MimirTarget, OperatorTarget, ThanosTarget, VmalertTarget};
use crate::spec::units;

/// The outputs of every target the project names besides Prometheus.
pub fn compile(project: &Project, features: &[Feature]) -> Vec<Output> {
    let targets = &project.targets;
    let mut out = Vec::new();
    for feature in features {
        let groups = || -> Vec<Value> {
            lower::feature(project, feature)
                .groups
                .iter()
                .map(prometheus::group)
                .collect()
        };
        if let Some(t) = &targets.operator {
            out.push(Output {
                path: names::target_path(names::Target::PrometheusOperator, feature),
                content: operator(t, feature, groups()),
            });
        }
        if let Some(t) = &targets.mimir {
            out.push(Output {
                path: names::target_path(names::Target::Mimir, feature),
                content: mimir(t, feature, groups()),
            });
        }
        if let Some(t) = &targets.thanos {
            out.push(Output {
                path: names::target_path(names::Target::Thanos, feature),
                content: thanos(t, feature, groups()),
            });
        }
        if let Some(t) = &targets.vmalert {
            out.push(Output {
                path: names::target_path(names::Target::Vmalert, feature),
                content: vmalert(t, feature, groups()),
            });
        }
    }
    out
}

fn document(feature: &Feature, extra_header: &str, doc: &Value) -> String {
    let mut out = names::yaml_header(&names::spec_path(&feature.slug));
    out.push_str(extra_header);
    out.push_str(&yaml_out::to_string(doc));
    out
}

/// A `PrometheusRule` manifest (`monitoring.coreos.com/v1`) holding the
/// feature's groups under `spec.groups`.
fn operator(target: &OperatorTarget, feature: &Feature, groups: Vec<Value>) -> String {
    let mut metadata = Value::map();
    metadata
        .push("name", Value::str(names::operator_rule_name(feature)))
        .push("namespace", Value::str(&target.namespace));
    let mut labels = target.labels.clone();
    labels.insert(names::FEATURE_LABEL.into(), feature.slug.clone());
    labels.insert("app.kubernetes.io/managed-by".into(), "promspec".into());
    metadata.push("labels", Value::string_map(&labels));
    let mut spec = Value::map();
    spec.push("groups", Value::Seq(groups));
    let mut doc = Value::map();
    doc.push("apiVersion", Value::str("monitoring.coreos.com/v1"))
        .push("kind", Value::str("PrometheusRule"))
        .push("metadata", metadata)
        .push("spec", spec);
    document(feature, "", &doc)
}

/// One rule namespace as `mimirtool rules sync --rule-dirs` reads it:
/// `namespace:` (the feature) and `groups:` with Mimir's group options.
fn mimir(target: &MimirTarget, feature: &Feature, groups: Vec<Value>) -> String {
    let groups = groups
        .into_iter()
        .map(|mut g| {
            if !target.source_tenants.is_empty() {
                g.push(
                    "source_tenants",
                    Value::Seq(target.source_tenants.iter().map(Value::str).collect()),
                );
            }
            if let Some(offset) = target.query_offset {
                g.push("query_offset", Value::str(units::format_duration(offset)));
            }
            g
        })
        .collect();
    let mut doc = Value::map();
    doc.push("namespace", Value::str(&feature.slug))
        .push("groups", Value::Seq(groups));
    let tenant = match &target.tenant {
        Some(t) => {
            format!("# Sync with: mimirtool rules sync --rule-dirs generated/mimir --id {t}\n")
        }
        None => "# Sync with: mimirtool rules sync --rule-dirs generated/mimir --id <tenant>\n"
            .to_string(),
    };
    document(feature, &tenant, &doc)
}

/// A Thanos Ruler rule file: every group gets `partial_response_strategy`.
fn thanos(target: &ThanosTarget, feature: &Feature, groups: Vec<Value>) -> String {
    let groups = groups
        .into_iter()
        .map(|mut g| {
            g.push(
                "partial_response_strategy",
                Value::str(target.partial_response_strategy.as_str()),
            );
            g
        })
        .collect();
    let mut doc = Value::map();
    doc.push("groups", Value::Seq(groups));
    document(feature, "", &doc)
}

/// A vmalert rule file: Prometheus groups with vmalert's group options.
fn vmalert(target: &VmalertTarget, feature: &Feature, groups: Vec<Value>) -> String {
    let groups = groups
        .into_iter()
        .map(|mut g| {
            if let Some(c) = target.concurrency {
                g.push("concurrency", Value::Int(i64::from(c)));
            }
            g
        })
        .collect();
    let mut doc = Value::map();
    doc.push("groups", Value::Seq(groups));
    document(feature, "", &doc)
}
