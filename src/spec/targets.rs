//! Deployment targets: the rule engines a project's rules are written for
//! (`targets:` in the project file), resolved from the raw layer.
//!
//! Without `targets:`, a project deploys to one Prometheus, as before. Each
//! other target adds an output tree under `generated/<target>/` with the same
//! rule groups, wrapped the way that engine loads them.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::diag::Diagnostic;
use crate::source::Span;
use crate::spec::raw;
use crate::spec::units;

/// Where the rules run.
#[derive(Debug, Clone, PartialEq)]
pub struct Targets {
    /// Plain Prometheus rule files and their unit tests.
    pub prometheus: bool,
    /// prometheus-operator `PrometheusRule` manifests.
    pub operator: Option<OperatorTarget>,
    /// Grafana Mimir / Cortex rule namespaces.
    pub mimir: Option<MimirTarget>,
    /// Thanos Ruler rule files.
    pub thanos: Option<ThanosTarget>,
    /// VictoriaMetrics vmalert rule files.
    pub vmalert: Option<VmalertTarget>,
    /// Where `targets:` was written (the project file's span when absent).
    pub span: Option<Span>,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            prometheus: true,
            operator: None,
            mimir: None,
            thanos: None,
            vmalert: None,
            span: None,
        }
    }
}

/// prometheus-operator options.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorTarget {
    /// Namespace of the manifests.
    pub namespace: String,
    /// Labels of the manifests (what the `ruleSelector` matches).
    pub labels: BTreeMap<String, String>,
}

/// Mimir / Cortex options.
#[derive(Debug, Clone, PartialEq)]
pub struct MimirTarget {
    /// The tenant the rules are synced to.
    pub tenant: Option<String>,
    /// Tenants a federated group queries.
    pub source_tenants: Vec<String>,
    /// `query_offset` of every group.
    pub query_offset: Option<Duration>,
}

/// Thanos Ruler options.
#[derive(Debug, Clone, PartialEq)]
pub struct ThanosTarget {
    /// `partial_response_strategy` of every group.
    pub partial_response_strategy: PartialResponse,
}

/// What Thanos does when a store does not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartialResponse {
    /// Fail the evaluation (an alert never fires on half the data).
    Abort,
    /// Evaluate on what answered, with a warning.
    Warn,
}

impl PartialResponse {
    /// The value as Thanos spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            PartialResponse::Abort => "abort",
            PartialResponse::Warn => "warn",
        }
    }
}

/// vmalert options.
#[derive(Debug, Clone, PartialEq)]
pub struct VmalertTarget {
    /// Rules of a group evaluated at once.
    pub concurrency: Option<u32>,
}

/// Resolve `targets:`; problems go to `diagnostics` at their spans.
pub fn resolve(raw: Option<&raw::Targets>, diagnostics: &mut Vec<Diagnostic>) -> Targets {
    let Some(raw) = raw else {
        return Targets::default();
    };
    let operator = raw.prometheus_operator.as_ref().map(|o| OperatorTarget {
        namespace: o
            .namespace
            .as_ref()
            .map(|n| {
                if !is_dns_label(&n.value) {
                    diagnostics.push(
                        Diagnostic::error(
                            "spec/invalid-value",
                            format!("`{}` is not a Kubernetes namespace name", n.value),
                        )
                        .with_label(n.span, "not a DNS label")
                        .with_help("use lower-case letters, digits and `-`, at most 63 characters, starting and ending with a letter or digit"),
                    );
                }
                n.value.clone()
            })
            .unwrap_or_else(|| "monitoring".into()),
        labels: o
            .labels
            .iter()
            .flat_map(|m| m.entries.iter())
            .map(|(k, v)| (k.value.clone(), v.value.clone()))
            .collect(),
    });
    let mimir = raw.mimir.as_ref().map(|m| MimirTarget {
        tenant: m.tenant.as_ref().map(|t| t.value.clone()),
        source_tenants: m
            .source_tenants
            .iter()
            .flatten()
            .map(|t| t.value.clone())
            .collect(),
        query_offset: m
            .query_offset
            .as_ref()
            .and_then(|d| duration(d, diagnostics)),
    });
    let thanos = raw.thanos.as_ref().map(|t| ThanosTarget {
        partial_response_strategy: match t.partial_response_strategy.as_ref() {
            None => PartialResponse::Abort,
            Some(s) => match s.value.as_str() {
                "abort" => PartialResponse::Abort,
                "warn" => PartialResponse::Warn,
                other => {
                    diagnostics.push(
                        Diagnostic::error(
                            "spec/invalid-value",
                            format!("unknown partial response strategy `{other}`"),
                        )
                        .with_label(s.span, "Thanos accepts `abort` or `warn`")
                        .with_help(
                            "`abort` (the default) keeps alerts from firing on partial data",
                        ),
                    );
                    PartialResponse::Abort
                }
            },
        },
    });
    let vmalert = raw.vmalert.as_ref().map(|v| VmalertTarget {
        concurrency: v.concurrency.as_ref().map(|c| &c.0).and_then(|c| {
            match c.value.parse::<u32>() {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    diagnostics.push(
                        Diagnostic::error(
                            "spec/invalid-value",
                            format!("`{}` is not a concurrency", c.value),
                        )
                        .with_label(c.span, "expected a whole number of at least 1")
                        .with_help(
                            "vmalert evaluates this many rules of a group at once, e.g. `2`",
                        ),
                    );
                    None
                }
            }
        }),
    });
    Targets {
        prometheus: raw.prometheus.is_some(),
        operator,
        mimir,
        thanos,
        vmalert,
        span: Some(raw.span),
    }
}

fn duration(d: &raw::Duration, diagnostics: &mut Vec<Diagnostic>) -> Option<Duration> {
    let parsed = units::parse_duration(&d.0.value);
    if parsed.is_none() {
        diagnostics.push(
            Diagnostic::error(
                "spec/invalid-duration",
                format!("`{}` is not a duration", d.0.value),
            )
            .with_label(d.0.span, "expected a Prometheus duration")
            .with_help("write a number followed by ms, s, m, h, d, w or y, e.g. `30s`, `5m`"),
        );
    }
    parsed
}

/// Whether `s` is an RFC 1123 DNS label (a Kubernetes namespace name).
fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}
