//! Rule files, groups and rules, each field with the span it came from.

use std::sync::Arc;
use std::time::Duration;

use crate::promql::{Dialect, Expr, ParseOnce, SyntaxError};
use crate::source::{SourceId, SourceMap, Span, Spanned};
use crate::yaml::{self, Style};

/// Where a rule file came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A plain Prometheus rule file (`groups:` at the top).
    Plain,
    /// A prometheus-operator `PrometheusRule` manifest (`spec.groups`).
    Operator,
    /// The rules promspec generates from a feature spec; spans point into the spec.
    Spec,
}

/// One rule file (or, for a spec, the rules it compiles into).
#[derive(Debug, Clone)]
pub struct RuleFile {
    /// The file the spans point into.
    pub source: SourceId,
    /// How the file was written.
    pub kind: FileKind,
    /// The groups, in file order.
    pub groups: Vec<Group>,
}

/// A rule group.
#[derive(Debug, Clone)]
pub struct Group {
    /// `name`.
    pub name: Spanned<String>,
    /// `interval`, if set.
    pub interval: Option<Spanned<Duration>>,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// The whole group mapping.
    pub span: Span,
}

/// Alerting or recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// `alert:`.
    Alerting,
    /// `record:`.
    Recording,
}

impl RuleKind {
    /// The YAML key naming the rule (`alert` or `record`).
    pub fn key(&self) -> &'static str {
        match self {
            RuleKind::Alerting => "alert",
            RuleKind::Recording => "record",
        }
    }
}

/// A key/value pair of `labels:` or `annotations:`.
#[derive(Debug, Clone)]
pub struct Pair {
    /// The key.
    pub key: Spanned<String>,
    /// The value.
    pub value: Spanned<String>,
    /// How the value was written, to point inside it.
    pub style: Style,
    /// Whether offsets inside the value map exactly to the file.
    pub exact: bool,
}

impl Pair {
    /// The span of `range`, a byte range inside the value.
    pub fn span_of(&self, sources: &SourceMap, range: std::ops::Range<usize>) -> Span {
        inner_span(
            sources,
            &self.value.value,
            self.value.span,
            self.style,
            self.exact,
            range,
        )
    }
}

/// One alerting or recording rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Alerting or recording.
    pub kind: RuleKind,
    /// The alert name or the recorded series name.
    pub name: Spanned<String>,
    /// The expression.
    pub expr: Expression,
    /// `for` (alerting rules).
    pub for_: Option<Spanned<Duration>>,
    /// `keep_firing_for` (alerting rules).
    pub keep_firing_for: Option<Spanned<Duration>>,
    /// `labels`, in file order.
    pub labels: Vec<Pair>,
    /// `annotations`, in file order.
    pub annotations: Vec<Pair>,
    /// The whole rule (for generated rules, the spec item it came from).
    pub span: Span,
}

impl Rule {
    /// The label `key`, if set.
    pub fn label(&self, key: &str) -> Option<&Pair> {
        self.labels.iter().find(|p| p.key.value == key)
    }

    /// The annotation `key`, if set.
    pub fn annotation(&self, key: &str) -> Option<&Pair> {
        self.annotations.iter().find(|p| p.key.value == key)
    }

    /// Whether this is an alerting rule.
    pub fn is_alert(&self) -> bool {
        self.kind == RuleKind::Alerting
    }
}

/// A PromQL expression with what is needed to point inside it.
#[derive(Debug, Clone)]
pub struct Expression {
    /// The decoded text.
    pub text: String,
    /// The span of the YAML scalar (or of the spec value it was built from).
    pub span: Span,
    /// How the scalar was written.
    pub style: Style,
    /// Whether byte offsets in [`Expression::text`] map exactly into the
    /// file. False for expressions promspec assembled itself (a generated
    /// alert's comparison): every inner range maps to the whole span.
    pub exact: bool,
    /// The parse of [`Expression::text`], made once (see
    /// [`Expression::parse`]); shared with the spec query it was lowered from.
    pub parsed: Arc<ParseOnce>,
}

impl Expression {
    /// A spec query as an expression of the IR (offsets map exactly).
    pub fn from_query(query: &crate::spec::model::Query) -> Self {
        Expression {
            text: query.text.clone(),
            span: query.span,
            style: query.style,
            exact: true,
            parsed: query.shared_parse(),
        }
    }

    /// The text parsed in `dialect`, once: the lint engine's rule checks,
    /// and for a spec query also its syntax check and threshold rules, read
    /// the same parse.
    pub fn parse(&self, dialect: Dialect) -> Result<&Expr, &SyntaxError> {
        self.parsed.get(&self.text, dialect)
    }

    /// The span in the file of `range`, a byte range inside the text.
    pub fn span_of(&self, sources: &SourceMap, range: std::ops::Range<usize>) -> Span {
        inner_span(
            sources, &self.text, self.span, self.style, self.exact, range,
        )
    }
}

fn inner_span(
    sources: &SourceMap,
    text: &str,
    span: Span,
    style: Style,
    exact: bool,
    range: std::ops::Range<usize>,
) -> Span {
    if !exact {
        return span;
    }
    let file = sources.get(span.source);
    let Some(raw) = file.text.get(span.range()) else {
        return span;
    };
    let scalar = yaml::Scalar {
        value: text.to_string(),
        style,
    };
    let at = |offset| yaml::source_offset(&scalar, raw, span.start as usize, offset);
    let start = at(range.start);
    let end = match text.get(..range.end).and_then(|t| t.chars().next_back()) {
        Some(last) if range.end > range.start => at(range.end - last.len_utf8()) + last.len_utf8(),
        _ => start,
    };
    Span::new(span.source, start..end.max(start))
}

impl RuleFile {
    /// Every rule with its group, in file order.
    pub fn rules(&self) -> impl Iterator<Item = (&Group, &Rule)> {
        self.groups
            .iter()
            .flat_map(|g| g.rules.iter().map(move |r| (g, r)))
    }
}
