//! `thresholds/comparison-in-query`: a threshold query that filters its own value.

use crate::diag::Diagnostic;
use crate::lint::Check;
use crate::lint::registry::declare_rule;
use crate::promql::{self, BinaryOperator, Comparison, Expr};
use crate::source::{SourceMap, Span};
use crate::spec::model::{Direction, LevelRule, Threshold, Workspace};

/// The id of this rule.
pub const ID: &str = "thresholds/comparison-in-query";

fn filter_in_query(op_span: Span, op: BinaryOperator, threshold: &Threshold) -> Diagnostic {
    Diagnostic::warning(
        ID,
        format!(
            "the query of `{}` filters its value with `{}`",
            threshold.id,
            op.as_str()
        ),
    )
    .with_label(
        op_span,
        "the recorded series is absent whenever this is false",
    )
    .with_help(
        "promspec records the query and compares the recorded value with each level: remove \
         the comparison from `query` and express it as a level (`above:` / `below:`), so the \
         dashboard shows the value without gaps and the alert compares once",
    )
}

fn never_fires(level: &LevelRule, op_span: Span, filter: &str) -> Diagnostic {
    Diagnostic::error(
        ID,
        format!(
            "the {} level `{}: {}` can never fire: the query keeps only values {filter}",
            level.level.as_str(),
            level.direction.as_str(),
            level.written,
        ),
    )
    .with_label(level.value_span, "never reached")
    .with_secondary(op_span, "the query drops every other value here")
    .with_help(
        "remove the comparison from `query`; the levels are the comparisons, and each one \
         sees the unfiltered value",
    )
}

declare_rule! {
    /// ## What it does
    /// Reports a threshold whose `query` ends in a comparison without
    /// `bool` (`... < 10e9`), which filters series instead of returning the
    /// value. It is an error when a level can never fire because the filter
    /// drops every value that would reach it, a warning otherwise.
    ///
    /// ## Why is this bad?
    /// promspec records the query and compares the recorded series with each
    /// level. A filter in the query makes the recorded series disappear
    /// whenever the condition is false, so the dashboard has gaps and the
    /// alert compares twice; a level on the other side of the filter (`query:
    /// free_bytes < 10e9` with `above: 20GB`) never fires.
    ///
    /// ## Example
    /// ```yaml
    /// - id: disk-free
    ///   query: node_filesystem_avail_bytes{mountpoint="/"} < 10e9
    ///   unit: bytes
    ///   warning: {below: 5GB}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - id: disk-free
    ///   query: node_filesystem_avail_bytes{mountpoint="/"}
    ///   unit: bytes
    ///   warning: {below: 5GB}
    /// ```
    ///
    /// ## Options
    /// None.
    pub struct ComparisonInQuery => Check::Workspace(check);
}

/// Report every threshold whose query filters its own value.
pub fn check(ws: &Workspace, sources: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for feature in &ws.features {
        for threshold in &feature.thresholds {
            // A query that does not parse has its own diagnostic.
            if let Ok(expr) = threshold.query.parse(ws.project.dialect) {
                judge(threshold, expr, sources, &mut out);
            }
        }
    }
    out
}

/// Judge one threshold whose query parsed as `expr`.
pub fn judge(threshold: &Threshold, expr: &Expr, sources: &SourceMap, out: &mut Vec<Diagnostic>) {
    let facts = expr.facts();
    let Some(comparison) = &facts.top_level_comparison else {
        return;
    };
    if comparison.return_bool {
        return;
    }
    let op = &facts.binary_ops[comparison.binary_op];
    let op_span = threshold.query.span_of(sources, op.op_span.clone());
    // The bound as written (`10e9`), on whichever side it is.
    let text = expr.text();
    let bound = match comparison.threshold_side {
        Some(promql::Side::Left) => &text[op.span.start..op.op_span.start],
        _ => &text[op.op_span.end..op.span.end],
    }
    .trim();
    let mut contradicted = false;
    for level in &threshold.levels {
        if let Some(filter) = unreachable_level(comparison, level, bound) {
            out.push(never_fires(level, op_span, &filter));
            contradicted = true;
        }
    }
    if !contradicted {
        out.push(filter_in_query(op_span, comparison.op, threshold));
    }
}

/// The filter, in words, when it drops every value that `level` fires on.
fn unreachable_level(comparison: &Comparison, level: &LevelRule, shown: &str) -> Option<String> {
    let bound = comparison.threshold?;
    let op = comparison.normalized_op();
    let shown = format!("`{shown}`");
    match (op, level.direction) {
        // Values kept: < bound (or <=); fires above the level.
        (BinaryOperator::Lt, Direction::Above) if level.value >= bound => {
            Some(format!("below {shown}"))
        }
        (BinaryOperator::Le, Direction::Above) if level.value >= bound => {
            Some(format!("up to {shown}"))
        }
        (BinaryOperator::Gt, Direction::Below) if level.value <= bound => {
            Some(format!("above {shown}"))
        }
        (BinaryOperator::Ge, Direction::Below) if level.value <= bound => {
            Some(format!("from {shown} up"))
        }
        (BinaryOperator::Eq, Direction::Above) if level.value >= bound => {
            Some(format!("equal to {shown}"))
        }
        (BinaryOperator::Eq, Direction::Below) if level.value <= bound => {
            Some(format!("equal to {shown}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test::{feature, load, render};

    fn run(threshold: &str) -> (Vec<Diagnostic>, String) {
        let (ws, sources) = load(&[("disk", &feature("disk", threshold))]);
        let diags = check(&ws, &sources);
        let text = render(&diags, &sources);
        (diags, text)
    }

    #[test]
    fn pass() {
        for query in [
            "node_filesystem_avail_bytes",
            "(node_load1 > bool 4) * 1",
            "sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))",
        ] {
            let (diags, text) = run(&format!(
                "  - id: free\n    query: {query}\n    unit: count\n    warning: {{below: 5}}\n"
            ));
            assert!(diags.is_empty(), "{query}: {text}");
        }
    }

    #[test]
    fn fail_filter() {
        let (diags, text) = run(
            "  - id: free\n    query: node_filesystem_avail_bytes < 10e9\n    unit: bytes\n    warning: {below: 5GB}\n",
        );
        assert_eq!(diags.len(), 1, "{text}");
        assert_eq!(diags[0].severity, crate::diag::Severity::Warning);
        insta::assert_snapshot!(text);
    }

    #[test]
    fn fail_never_fires() {
        let (diags, text) = run(
            "  - id: free\n    query: node_filesystem_avail_bytes < 10e9\n    unit: bytes\n    warning: {above: 20GB}\n",
        );
        assert_eq!(diags.len(), 1, "{text}");
        assert_eq!(diags[0].severity, crate::diag::Severity::Error);
        insta::assert_snapshot!(text);
    }
}
