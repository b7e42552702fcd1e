//! Reading hand-written rule files into the IR.
//!
//! A YAML document is a plain rule file when it has `groups:` at the top and
//! a prometheus-operator manifest when it is `kind: PrometheusRule` (or has
//! `spec.groups`). The loader reports what Prometheus itself would refuse to
//! load (unknown fields, a rule that is both or neither alerting and
//! recording, a missing `expr`, a bad duration, repeated group names) and
//! keeps going, so one run shows every problem of a file. Thanos, Mimir and
//! vmalert group fields (`partial_response_strategy`, `source_tenants`,
//! `concurrency`, ...) and mimirtool's top-level `namespace:` are accepted.

use std::time::Duration;

use crate::diag::Diagnostic;
use crate::rulefile::model::{Expression, FileKind, Group, Pair, Rule, RuleFile, RuleKind};
use crate::source::{SourceId, Span, Spanned};
use crate::spec::units;
use crate::yaml::{Node, NodeKind};

/// What a YAML document is, judged by its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A plain Prometheus rule file.
    Plain,
    /// A prometheus-operator `PrometheusRule` manifest.
    Operator,
    /// A promspec feature spec (`feature:` and `thresholds:`/`team:`).
    FeatureSpec,
    /// A promspec project file (`severities:`).
    ProjectFile,
    /// Another Kubernetes object (skipped in manifest bundles).
    OtherManifest,
    /// Anything else.
    Unknown,
}

/// Judge the shape of a document's root.
pub fn shape(root: &Node) -> Shape {
    if root.as_map().is_none() {
        return Shape::Unknown;
    }
    if root.get("groups").is_some() {
        return Shape::Plain;
    }
    let kind = root
        .get("kind")
        .and_then(Node::as_scalar)
        .map(|s| s.value.as_str());
    if kind == Some("PrometheusRule") || root.get("spec").and_then(|s| s.get("groups")).is_some() {
        return Shape::Operator;
    }
    if kind.is_some() && root.get("apiVersion").is_some() {
        return Shape::OtherManifest;
    }
    if root.get("feature").is_some() {
        return Shape::FeatureSpec;
    }
    if root.get("severities").is_some() {
        return Shape::ProjectFile;
    }
    Shape::Unknown
}

const GROUP_FIELDS: &[&str] = &[
    "name",
    "interval",
    "query_offset",
    "limit",
    "labels",
    "rules",
    // Thanos
    "partial_response_strategy",
    // Mimir / Cortex
    "source_tenants",
    "evaluation_delay",
    "align_evaluation_time_on_interval",
    // VictoriaMetrics vmalert
    "concurrency",
    "type",
    "params",
    "headers",
    "notifier_headers",
    "eval_offset",
    "eval_delay",
    "eval_alignment",
];

const RULE_FIELDS: &[&str] = &[
    "record",
    "alert",
    "expr",
    "for",
    "keep_firing_for",
    "labels",
    "annotations",
];

struct Loader<'d> {
    diags: &'d mut Vec<Diagnostic>,
}

/// Read one document of shape [`Shape::Plain`] or [`Shape::Operator`].
pub fn rule_file(
    source: SourceId,
    root: &Node,
    shape: Shape,
    diags: &mut Vec<Diagnostic>,
) -> RuleFile {
    let mut loader = Loader { diags };
    let (kind, groups) = match shape {
        Shape::Operator => {
            let groups = root.get("spec").and_then(|s| s.get("groups"));
            if groups.is_none() {
                loader
                    .diags
                    .push(missing(root, "spec.groups", "PrometheusRule manifest"));
            }
            (FileKind::Operator, groups)
        }
        _ => {
            // `namespace:` names the file's rule namespace for `mimirtool rules sync`.
            loader.unknown_keys(root, &["groups", "namespace"], "rule file");
            (FileKind::Plain, root.get("groups"))
        }
    };
    let groups = match groups {
        Some(g) if g.is_null() => Vec::new(),
        Some(g) => match g.as_seq() {
            Some(items) => items.iter().filter_map(|g| loader.group(g)).collect(),
            None => {
                loader.diags.push(invalid_type(g, "a sequence of groups"));
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    loader.repeated_groups(&groups);
    RuleFile {
        source,
        kind,
        groups,
    }
}

impl Loader<'_> {
    fn unknown_keys(&mut self, node: &Node, fields: &[&str], what: &str) {
        let Some(entries) = node.as_map() else { return };
        for (key, _) in entries {
            let name = key.as_scalar().map(|s| s.value.as_str()).unwrap_or("?");
            if fields.contains(&name) {
                continue;
            }
            let mut d = Diagnostic::error(
                "rulefile/unknown-field",
                format!("unknown field `{name}` in {what}"),
            )
            .with_label(key.span, "Prometheus refuses to load a file with this key");
            d = match crate::spec::decode::did_you_mean(name, fields.iter().copied()) {
                Some(best) => d.with_help(format!(
                    "did you mean `{best}`? valid fields are: {}",
                    fields.join(", ")
                )),
                None => d.with_help(format!("valid fields are: {}", fields.join(", "))),
            };
            self.diags.push(d);
        }
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        match node.as_scalar() {
            Some(s) if !s.is_null() => Some(Spanned::new(s.value.clone(), node.span)),
            _ => {
                self.diags.push(invalid_type(node, what));
                None
            }
        }
    }

    fn duration(&mut self, node: &Node, field: &str) -> Option<Spanned<Duration>> {
        let text = self.string(node, "a duration")?;
        match units::parse_duration(&text.value) {
            Some(d) => Some(Spanned::new(d, text.span)),
            None => {
                self.diags.push(
                    Diagnostic::error(
                        "rulefile/invalid-value",
                        format!("`{}` is not a duration", text.value),
                    )
                    .with_label(text.span, format!("invalid `{field}`"))
                    .with_help(
                        "write a number followed by ms, s, m, h, d, w or y, largest unit first: `30s`, `5m`, `1h30m`",
                    ),
                );
                None
            }
        }
    }

    fn group(&mut self, node: &Node) -> Option<Group> {
        if node.as_map().is_none() {
            self.diags.push(invalid_type(node, "a group mapping"));
            return None;
        }
        self.unknown_keys(node, GROUP_FIELDS, "rule group");
        let name = match node.get("name") {
            Some(n) => self.string(n, "a group name")?,
            None => {
                self.diags.push(missing(node, "name", "rule group"));
                return None;
            }
        };
        if name.value.is_empty() {
            self.diags.push(
                Diagnostic::error("rulefile/missing-field", "the group name is empty")
                    .with_label(name.span, "empty name")
                    .with_help("give every group a name that is unique in the file"),
            );
        }
        let interval = node
            .get("interval")
            .and_then(|n| self.duration(n, "interval"));
        if let Some(n) = node.get("query_offset") {
            self.duration(n, "query_offset");
        }
        if let Some(n) = node.get("evaluation_delay") {
            self.duration(n, "evaluation_delay");
        }
        if let Some(n) = node.get("limit")
            && let Some(s) = self.string(n, "a number")
            && s.value.parse::<u64>().is_err()
        {
            self.diags.push(
                Diagnostic::error(
                    "rulefile/invalid-value",
                    format!("`{}` is not a limit", s.value),
                )
                .with_label(s.span, "expected a whole number")
                .with_help(
                    "`limit` is the maximum number of alerts or series per rule; 0 means no limit",
                ),
            );
        }
        if let Some(n) = node.get("partial_response_strategy")
            && let Some(s) = self.string(n, "`warn` or `abort`")
            && !matches!(s.value.as_str(), "warn" | "abort")
        {
            self.diags.push(
                Diagnostic::error(
                    "rulefile/invalid-value",
                    format!("`{}` is not a partial response strategy", s.value),
                )
                .with_label(s.span, "unknown strategy")
                .with_help("Thanos accepts `warn` or `abort`"),
            );
        }
        let rules = match node.get("rules") {
            None => Vec::new(),
            Some(r) if r.is_null() => Vec::new(),
            Some(r) => match r.as_seq() {
                Some(items) => {
                    // Exact size: a large file holds hundreds of thousands of rules.
                    let mut rules: Vec<Rule> = items.iter().filter_map(|r| self.rule(r)).collect();
                    rules.shrink_to_fit();
                    rules
                }
                None => {
                    self.diags.push(invalid_type(r, "a sequence of rules"));
                    Vec::new()
                }
            },
        };
        Some(Group {
            name,
            interval,
            rules,
            span: content_span(node),
        })
    }

    fn rule(&mut self, node: &Node) -> Option<Rule> {
        if node.as_map().is_none() {
            self.diags.push(invalid_type(node, "a rule mapping"));
            return None;
        }
        self.unknown_keys(node, RULE_FIELDS, "rule");
        let (kind, name_node) = match (node.get("alert"), node.get("record")) {
            (Some(a), None) => (RuleKind::Alerting, a),
            (None, Some(r)) => (RuleKind::Recording, r),
            (Some(a), Some(_)) => {
                self.diags.push(
                    Diagnostic::error(
                        "rulefile/invalid-value",
                        "a rule has both `alert` and `record`",
                    )
                    .with_label(a.span, "alerting rule name")
                    .with_help("split it into an alerting rule and a recording rule"),
                );
                return None;
            }
            (None, None) => {
                self.diags.push(
                    Diagnostic::error(
                        "rulefile/missing-field",
                        "a rule has neither `alert` nor `record`",
                    )
                    .with_label(first_key(node), "this rule has no name")
                    .with_help("add `alert: <Name>` for an alerting rule or `record: <level:metric:operations>` for a recording rule"),
                );
                return None;
            }
        };
        let name = self.string(name_node, "a rule name")?;
        if kind == RuleKind::Recording && !is_metric_name(&name.value) {
            self.diags.push(
                Diagnostic::error(
                    "rulefile/invalid-value",
                    format!("`{}` is not a valid series name", name.value),
                )
                .with_label(name.span, "invalid recording rule name")
                .with_help("series names match ^[a-zA-Z_:][a-zA-Z0-9_:]*$"),
            );
        }
        let expr_node = match node.get("expr") {
            Some(e) => e,
            None => {
                self.diags.push(missing(node, "expr", "rule"));
                return None;
            }
        };
        let expr = match expr_node.as_scalar() {
            Some(s) if !s.value.trim().is_empty() => Expression {
                text: s.value.clone(),
                span: expr_node.span,
                style: s.style,
                exact: true,
                parsed: Default::default(),
            },
            Some(_) => {
                self.diags.push(
                    Diagnostic::error("rulefile/missing-field", "the expression is empty")
                        .with_label(expr_node.span, "empty `expr`")
                        .with_help("write the PromQL expression the rule evaluates"),
                );
                return None;
            }
            None => {
                self.diags
                    .push(invalid_type(expr_node, "a PromQL expression"));
                return None;
            }
        };
        let for_ = node.get("for").and_then(|n| self.duration(n, "for"));
        let keep_firing_for = node
            .get("keep_firing_for")
            .and_then(|n| self.duration(n, "keep_firing_for"));
        let labels = self.pairs(node.get("labels"), "labels", true);
        let annotations = self.pairs(node.get("annotations"), "annotations", false);
        if kind == RuleKind::Recording {
            for field in ["for", "keep_firing_for", "annotations"] {
                if let Some((key, _)) = node
                    .as_map()
                    .and_then(|m| m.iter().find(|(k, _)| key_is(k, field)))
                {
                    self.diags.push(
                        Diagnostic::error(
                            "rulefile/invalid-value",
                            format!("a recording rule cannot have `{field}`"),
                        )
                        .with_label(key.span, "only alerting rules have this field")
                        .with_help(format!(
                            "remove `{field}`, or turn the rule into an alerting rule with `alert:`"
                        )),
                    );
                }
            }
        }
        Some(Rule {
            kind,
            name,
            expr,
            for_,
            keep_firing_for,
            labels,
            annotations,
            span: content_span(node),
        })
    }

    fn pairs(&mut self, node: Option<&Node>, what: &str, label_names: bool) -> Vec<Pair> {
        let Some(node) = node.filter(|n| !n.is_null()) else {
            return Vec::new();
        };
        let Some(entries) = node.as_map() else {
            self.diags
                .push(invalid_type(node, &format!("a mapping of {what}")));
            return Vec::new();
        };
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let Some(key) = self.string(k, "a name") else {
                continue;
            };
            if label_names && !is_label_name(&key.value) {
                self.diags.push(
                    Diagnostic::error(
                        "rulefile/invalid-value",
                        format!("`{}` is not a valid label name", key.value),
                    )
                    .with_label(key.span, "invalid label name")
                    .with_help("label names match ^[a-zA-Z_][a-zA-Z0-9_]*$"),
                );
            }
            let (value, style) = match &v.kind {
                NodeKind::Scalar(s) => (Spanned::new(s.value.clone(), v.span), s.style),
                _ => {
                    self.diags.push(invalid_type(v, "a string"));
                    continue;
                }
            };
            out.push(Pair {
                key,
                value,
                style,
                exact: true,
            });
        }
        out
    }

    fn repeated_groups(&mut self, groups: &[Group]) {
        repeated_groups(groups, self.diags);
    }
}

/// A mapping's span from its first key to the end of its last value: YAML
/// puts the end of a block mapping where the next item starts, which would
/// count the comments between two rules as part of the first.
/// Report every group whose name an earlier group of the same file already
/// has (`rulefile/duplicate-group`), in one pass.
pub fn repeated_groups(groups: &[Group], diags: &mut Vec<Diagnostic>) {
    let mut first: std::collections::HashMap<&str, &Group> = std::collections::HashMap::new();
    for g in groups {
        match first.get(g.name.value.as_str()) {
            Some(first) => diags.push(
                Diagnostic::error(
                    "rulefile/duplicate-group",
                    format!("group `{}` is defined twice in this file", g.name.value),
                )
                .with_label(g.name.span, "defined again here")
                .with_secondary(first.name.span, "first defined here")
                .with_help("group names are unique per file; rename or merge the groups"),
            ),
            None => {
                first.insert(&g.name.value, g);
            }
        }
    }
}

fn content_span(node: &Node) -> Span {
    let last = match &node.kind {
        NodeKind::Scalar(_) => return node.span,
        NodeKind::Map(m) => m.last().map(|(_, v)| v),
        NodeKind::Seq(items) => items.last(),
    };
    let end = last.map_or(node.span.end, |v| content_span(v).end);
    Span {
        end: end.max(node.span.start),
        ..node.span
    }
}

fn key_is(key: &Node, name: &str) -> bool {
    key.as_scalar().is_some_and(|s| s.value == name)
}

fn first_key(node: &Node) -> Span {
    node.as_map()
        .and_then(|m| m.first())
        .map(|(k, _)| k.span)
        .unwrap_or(node.span)
}

fn missing(node: &Node, field: &str, what: &str) -> Diagnostic {
    Diagnostic::error(
        "rulefile/missing-field",
        format!("missing required field `{field}` in {what}"),
    )
    .with_label(first_key(node), format!("this {what} has no `{field}`"))
    .with_help(format!("add `{field}:` to the {what}"))
}

fn invalid_type(node: &Node, what: &str) -> Diagnostic {
    Diagnostic::error(
        "rulefile/invalid-value",
        format!("expected {what}, found {}", node.kind_name()),
    )
    .with_label(node.span, format!("expected {what} here"))
}

/// Whether `name` is a valid Prometheus label name.
pub fn is_label_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Whether `name` is a valid Prometheus metric name (colons allowed).
pub fn is_metric_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_' || b == b':')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn load(text: &str) -> (Vec<RuleFile>, Vec<Diagnostic>) {
        let docs = yaml::parse(SourceId(0), text).unwrap();
        let mut diags = Vec::new();
        let files = docs
            .iter()
            .filter_map(|d| match shape(&d.root) {
                s @ (Shape::Plain | Shape::Operator) => {
                    Some(rule_file(SourceId(0), &d.root, s, &mut diags))
                }
                _ => None,
            })
            .collect();
        (files, diags)
    }

    #[test]
    fn plain_file_with_spans() {
        let text = "groups:\n  - name: g\n    interval: 30s\n    partial_response_strategy: warn\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 5m\n        labels: {severity: critical}\n      - record: job:up:sum\n        expr: sum by (job) (up)\n";
        let (files, diags) = load(text);
        assert!(diags.is_empty(), "{diags:?}");
        let g = &files[0].groups[0];
        assert_eq!(g.interval.as_ref().unwrap().value, Duration::from_secs(30));
        assert_eq!(g.rules.len(), 2);
        let alert = &g.rules[0];
        assert_eq!(&text[alert.expr.span.range()], "up == 0");
        assert_eq!(alert.for_.as_ref().unwrap().value, Duration::from_secs(300));
        assert_eq!(
            &text[alert.label("severity").unwrap().value.span.range()],
            "critical"
        );
        assert_eq!(g.rules[1].kind, RuleKind::Recording);
    }

    #[test]
    fn operator_manifest() {
        let text = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: x}\nspec:\n  groups:\n    - name: g\n      rules:\n        - alert: A\n          expr: vector(1)\n---\napiVersion: v1\nkind: ConfigMap\n";
        let (files, diags) = load(text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].kind, FileKind::Operator);
        assert_eq!(files[0].groups[0].rules[0].name.value, "A");
    }

    #[test]
    fn structural_errors_are_all_reported() {
        let text = "groups:\n  - name: g\n    rules:\n      - alert: A\n        record: b\n        expr: x\n      - expr: y\n      - record: c\n        expr: z\n        for: 5m\n        labelz: {}\n  - name: g\n    interval: 5x\n";
        let (_, diags) = load(text);
        let ids: Vec<_> = diags.iter().map(|d| d.id).collect();
        assert_eq!(
            ids,
            [
                "rulefile/invalid-value",
                "rulefile/missing-field",
                "rulefile/unknown-field",
                "rulefile/invalid-value",
                "rulefile/invalid-value",
                "rulefile/duplicate-group"
            ],
            "{diags:#?}"
        );
    }
}
