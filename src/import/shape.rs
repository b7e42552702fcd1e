//! Reading one hand-written alert as a threshold candidate: its comparison
//! (`<query> <op> <number>`), its severity as a level, and the unit its
//! value is in.
//!
//! Owns the judgement "is this alert a value above/below a level, and which
//! one"; it never decides what a whole group becomes (`convert` does).

use crate::promql::{self, BinaryOperator, Dialect, Side};
use crate::spec::model::{Direction, Level};
use crate::spec::units::{Unit, format_number, parse_number};

/// An alert expression of the form `<query> <op> <number>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The query text, trimmed (parentheses around the whole query kept).
    pub query: String,
    /// Above or below.
    pub direction: Direction,
    /// The number compared with.
    pub value: f64,
    /// The number as the spec writes it (parses back to `value` exactly).
    pub written: String,
}

/// Why an alert expression is not a threshold comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAComparison {
    /// The expression does not parse (the linter reports why).
    Syntax,
    /// The outermost operation is not a comparison with a number.
    Shape,
    /// `bool` turns the comparison into a 0/1 value.
    Bool,
    /// `>=`, `<=`, `==`, `!=`: no `above`/`below` holds them exactly.
    Operator(&'static str),
    /// A number the compiled rule would not write back exactly.
    Inexact(String),
}

impl NotAComparison {
    /// Why, in the words of the import summary.
    pub fn reason(&self) -> String {
        match self {
            NotAComparison::Syntax => "the expression does not parse".into(),
            NotAComparison::Shape => "not of the form `<query> > <number>` or `< <number>`".into(),
            NotAComparison::Bool => "the comparison uses `bool`".into(),
            NotAComparison::Operator(op) => {
                format!("`{op}` has no exact `above`/`below` form (levels compare strictly)")
            }
            NotAComparison::Inexact(n) => {
                format!("the number `{n}` would not be written back exactly")
            }
        }
    }
}

/// Read `expr` as `<query> <op> <number>` (or `<number> <op> <query>`).
pub fn comparison(expr: &str, dialect: Dialect) -> Result<Comparison, NotAComparison> {
    let parsed = promql::parse(expr, dialect).map_err(|_| NotAComparison::Syntax)?;
    let facts = parsed.facts();
    let cmp = facts
        .top_level_comparison
        .as_ref()
        .ok_or(NotAComparison::Shape)?;
    if cmp.return_bool {
        return Err(NotAComparison::Bool);
    }
    let (Some(value), Some(side)) = (cmp.threshold, cmp.threshold_side) else {
        return Err(NotAComparison::Shape);
    };
    let op = facts
        .binary_ops
        .get(cmp.binary_op)
        .ok_or(NotAComparison::Shape)?;
    // `1 > 2`: both sides numbers, nothing to record.
    if op.lhs_number.is_some() && op.rhs_number.is_some() {
        return Err(NotAComparison::Shape);
    }
    let direction = match cmp.normalized_op() {
        BinaryOperator::Gt => Direction::Above,
        BinaryOperator::Lt => Direction::Below,
        other => return Err(NotAComparison::Operator(other.as_str())),
    };
    let query_span = match side {
        Side::Left => op.rhs_span.clone(),
        Side::Right => op.lhs_span.clone(),
    };
    let query = expr
        .get(query_span)
        .ok_or(NotAComparison::Shape)?
        .trim()
        .to_string();
    if query.is_empty() {
        return Err(NotAComparison::Shape);
    }
    let written = exact_number(value).ok_or_else(|| NotAComparison::Inexact(value.to_string()))?;
    Ok(Comparison {
        query,
        direction,
        value,
        written,
    })
}

/// The number as a spec value that reads back as exactly `v` and that the
/// compiler writes back as exactly `v`; `None` when there is no such text.
pub fn exact_number(v: f64) -> Option<String> {
    if !v.is_finite() {
        return None;
    }
    // Rust's shortest round-trip form, never in exponent notation.
    let text = format!("{v}");
    let reads_back = parse_number(&text) == Some(v);
    let compiles_back = format_number(v).parse::<f64>().ok() == Some(v);
    (reads_back && compiles_back).then_some(text)
}

/// A `severity` label value as a level, and whether it was renamed.
pub fn level_of(severity: &str) -> Option<Level> {
    let s = severity.trim().to_ascii_lowercase();
    Some(match s.as_str() {
        "critical" | "crit" | "page" | "pager" | "paging" | "emergency" | "alert" | "fatal"
        | "error" | "high" | "major" | "disaster" | "p0" | "p1" | "s1" | "s2" | "sev1" | "sev2"
        | "sev-1" | "sev-2" => Level::Critical,
        "warning" | "warn" | "ticket" | "medium" | "minor" | "average" | "p2" | "p3" | "s3"
        | "s4" | "sev3" | "sev4" | "sev-3" | "sev-4" => Level::Warning,
        "info" | "informational" | "information" | "notice" | "low" | "p4" | "p5" | "s5"
        | "sev5" => Level::Info,
        _ => return None,
    })
}

/// The unit of a threshold's value: from how its annotations render
/// `$value`, else from the metric name of its query, else from a division
/// of like by like (a ratio), else `count`.
pub fn infer_unit(query: &str, annotations: &[&str], dialect: Dialect) -> Unit {
    for text in annotations {
        if let Some(unit) = humanized_unit(text) {
            return unit;
        }
    }
    let Ok(parsed) = promql::parse(query, dialect) else {
        return Unit::Count;
    };
    let facts = parsed.facts();
    metric_unit(facts)
        .or_else(|| ratio_unit(facts))
        .unwrap_or(Unit::Count)
}

/// What one series in a division measures, as far as its name tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quantity {
    Bytes,
    Seconds,
    /// The rate or increase of a counter of events (`_total`).
    Events,
    /// The rate or increase of a counter of bytes (`_bytes_total`).
    BytesFlow,
    /// The rate or increase of a counter of seconds (`_seconds_total`).
    SecondsFlow,
}

fn quantity(selector: &promql::Selector) -> Option<Quantity> {
    let name = selector.metric.as_deref()?;
    let counted = selector
        .functions
        .iter()
        .any(|f| matches!(*f, "rate" | "irate" | "increase"));
    let reshaped = selector.functions.iter().any(|f| {
        !matches!(
            *f,
            "rate"
                | "irate"
                | "increase"
                | "avg_over_time"
                | "max_over_time"
                | "min_over_time"
                | "last_over_time"
        )
    });
    if reshaped {
        return None;
    }
    match name.strip_suffix("_total") {
        Some(counter) if counted => Some(if counter.ends_with("_bytes") {
            Quantity::BytesFlow
        } else if counter.ends_with("_seconds") {
            Quantity::SecondsFlow
        } else {
            Quantity::Events
        }),
        Some(_) => None,
        None if counted => None,
        None if name.ends_with("_bytes") => Some(Quantity::Bytes),
        None if name.ends_with("_seconds") => Some(Quantity::Seconds),
        None => None,
    }
}

/// `errors / requests`, `avail_bytes / size_bytes`, `1 - a / b`, `100 * a /
/// b`: one division of series measuring the same quantity (bytes by bytes,
/// events by events), otherwise only sums and products with numbers and
/// aggregations that keep the quantity. A ratio, or a percent when the
/// division is multiplied by 100.
fn ratio_unit(facts: &promql::ExprFacts) -> Option<Unit> {
    let arithmetic: Vec<&promql::BinaryOp> = facts
        .binary_ops
        .iter()
        .filter(|op| op.op.is_arithmetic())
        .collect();
    if facts.binary_ops.iter().any(|op| !op.op.is_arithmetic()) {
        return None;
    }
    let [division] = arithmetic
        .iter()
        .filter(|op| op.lhs_number.is_none() && op.rhs_number.is_none())
        .copied()
        .collect::<Vec<_>>()[..]
    else {
        return None;
    };
    if division.op != BinaryOperator::Div {
        return None;
    }
    let mut percent = false;
    for op in &arithmetic {
        if std::ptr::eq(*op, division) {
            continue;
        }
        let number = op.lhs_number.or(op.rhs_number);
        match (op.op, number) {
            (BinaryOperator::Sub, Some(n)) if op.lhs_number.is_some() && n == 1.0 => {}
            (BinaryOperator::Mul, Some(n)) if n == 100.0 && !percent => percent = true,
            _ => return None,
        }
    }
    let keeps = |a: &promql::Aggregation| {
        matches!(
            a.op,
            promql::AggregateOp::Sum
                | promql::AggregateOp::Avg
                | promql::AggregateOp::Max
                | promql::AggregateOp::Min
        )
    };
    if !facts.aggregations.iter().all(keeps) {
        return None;
    }
    let side = |range: &std::ops::Range<usize>| -> Option<Quantity> {
        let mut found = None;
        for s in facts
            .selectors
            .iter()
            .filter(|s| s.span.start >= range.start && s.span.end <= range.end)
        {
            let q = quantity(s)?;
            if found.is_some_and(|f| f != q) {
                return None;
            }
            found = Some(q);
        }
        found
    };
    let (lhs, rhs) = (side(&division.lhs_span)?, side(&division.rhs_span)?);
    if lhs != rhs || facts.selectors.len() < 2 {
        return None;
    }
    Some(if percent { Unit::Percent } else { Unit::Ratio })
}

/// `{{ $value | humanizeDuration }}` and the like, inside one action.
fn humanized_unit(template: &str) -> Option<Unit> {
    for action in template.split("{{").skip(1) {
        let action = action.split("}}").next().unwrap_or("");
        if !action.contains("$value") {
            continue;
        }
        if action.contains("humanizeDuration") {
            return Some(Unit::Seconds);
        }
        if action.contains("humanizePercentage") {
            return Some(Unit::Ratio);
        }
        if action.contains("humanize1024") {
            return Some(Unit::Bytes);
        }
    }
    None
}

/// The unit a query's single metric name suffix says, when nothing in the
/// query changes what the value means (arithmetic between two series,
/// counting).
fn metric_unit(facts: &promql::ExprFacts) -> Option<Unit> {
    // A ratio of two series, a product, a count: the name says nothing.
    let mixes = facts
        .binary_ops
        .iter()
        .any(|op| op.op.is_arithmetic() && op.lhs_number.is_none() && op.rhs_number.is_none());
    let scaled = facts.binary_ops.iter().any(|op| {
        op.op.is_arithmetic() && op.op != BinaryOperator::Sub && op.op != BinaryOperator::Add
    });
    if mixes || scaled {
        return None;
    }
    if facts.aggregations.iter().any(|a| {
        matches!(
            a.op,
            promql::AggregateOp::Count | promql::AggregateOp::CountValues
        )
    }) {
        return None;
    }
    let mut names: Vec<&str> = facts
        .selectors
        .iter()
        .filter_map(|s| s.metric.as_deref())
        .collect();
    names.sort_unstable();
    names.dedup();
    let [name] = names.as_slice() else {
        return None;
    };
    let selector = facts
        .selectors
        .iter()
        .find(|s| s.metric.as_deref() == Some(name))?;
    let per_second = !selector.functions.contains(&"histogram_quantile")
        && selector
            .functions
            .iter()
            .any(|f| matches!(*f, "rate" | "irate" | "deriv"));
    let changed = selector.functions.iter().any(|f| {
        !matches!(
            *f,
            "rate"
                | "irate"
                | "histogram_quantile"
                | "avg_over_time"
                | "max_over_time"
                | "min_over_time"
                | "last_over_time"
                | "quantile_over_time"
                | "abs"
                | "clamp_min"
                | "clamp_max"
        )
    });
    if changed {
        return None;
    }
    let base = name
        .strip_suffix("_bucket")
        .filter(|_| selector.functions.contains(&"histogram_quantile"))
        .unwrap_or(name);
    let unit = if let Some(counter) = base.strip_suffix("_total") {
        match (per_second, counter.ends_with("_bytes")) {
            (true, true) => Unit::BytesPerSecond,
            (true, false) if counter.ends_with("_seconds") => return None,
            (true, false) => Unit::PerSecond,
            (false, _) => return None,
        }
    } else if per_second {
        return None;
    } else if base.ends_with("_seconds") {
        Unit::Seconds
    } else if base.ends_with("_bytes") {
        Unit::Bytes
    } else if base.ends_with("_ratio") {
        Unit::Ratio
    } else if base.ends_with("_percent") || base.ends_with("_percentage") {
        Unit::Percent
    } else {
        return None;
    };
    Some(unit)
}

/// Whether `value` lies in the range the unit can take, so that the
/// linter's bounds (a ratio is at most 1, sizes are never negative) hold.
pub fn fits(unit: Unit, value: f64) -> bool {
    let lower = matches!(
        unit,
        Unit::Ratio | Unit::Percent | Unit::Bytes | Unit::Seconds | Unit::BytesPerSecond
    );
    (!lower || value >= 0.0) && unit.upper_bound().is_none_or(|max| value <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(expr: &str) -> Result<Comparison, NotAComparison> {
        comparison(expr, Dialect::Prometheus2)
    }

    #[test]
    fn reads_comparisons_with_a_number() {
        let c = cmp("node_load1 > 5").unwrap();
        assert_eq!(
            (c.query.as_str(), c.direction, c.value),
            ("node_load1", Direction::Above, 5.0)
        );
        let c = cmp("0.2 > rate(x_total[5m])").unwrap();
        assert_eq!(
            (c.query.as_str(), c.direction),
            ("rate(x_total[5m])", Direction::Below)
        );
        let c = cmp("0.1 > node_filesystem_avail_bytes / node_filesystem_size_bytes").unwrap();
        assert_eq!((c.direction, c.value), (Direction::Below, 0.1));
        let c = cmp("(sum(a) / sum(b)) < 1e-3").unwrap();
        assert_eq!(
            (c.query.as_str(), c.value, c.written.as_str()),
            ("(sum(a) / sum(b))", 0.001, "0.001")
        );
    }

    #[test]
    fn refuses_what_above_and_below_cannot_hold() {
        assert_eq!(cmp("x >= 5"), Err(NotAComparison::Operator(">=")));
        assert_eq!(cmp("5 >= x"), Err(NotAComparison::Operator("<=")));
        assert_eq!(cmp("x == 0"), Err(NotAComparison::Operator("==")));
        assert_eq!(cmp("x > bool 5"), Err(NotAComparison::Bool));
        assert_eq!(cmp("absent(up)"), Err(NotAComparison::Shape));
        assert_eq!(cmp("a > b"), Err(NotAComparison::Shape));
        assert_eq!(cmp("a > 1 and b"), Err(NotAComparison::Shape));
        assert_eq!(cmp("x >"), Err(NotAComparison::Syntax));
        assert!(matches!(
            cmp("x > 1.234567890123456"),
            Err(NotAComparison::Inexact(_))
        ));
    }

    #[test]
    fn numbers_round_trip_exactly() {
        for v in [0.9, 80.0, 1e-3, 0.05, 1e20, 3600.0, -5.0] {
            let text = exact_number(v).unwrap();
            assert_eq!(text.parse::<f64>().unwrap(), v);
        }
        assert_eq!(exact_number(0.1 + 0.2), None);
    }

    #[test]
    fn severities_map_to_levels() {
        assert_eq!(level_of("page"), Some(Level::Critical));
        assert_eq!(level_of("S4"), Some(Level::Warning));
        assert_eq!(level_of("info"), Some(Level::Info));
        assert_eq!(level_of("none"), None);
    }

    #[test]
    fn units_from_templates_and_names() {
        let d = Dialect::Prometheus2;
        assert_eq!(
            infer_unit("x", &["{{ $value | humanizeDuration }}"], d),
            Unit::Seconds
        );
        assert_eq!(
            infer_unit("x", &["{{ humanizePercentage $value }}"], d),
            Unit::Ratio
        );
        assert_eq!(
            infer_unit("x", &["{{ $labels.instance | humanize1024 }}"], d),
            Unit::Count
        );
        assert_eq!(infer_unit("node_memory_free_bytes", &[], d), Unit::Bytes);
        assert_eq!(
            infer_unit(
                "histogram_quantile(0.9, sum by (le) (rate(req_seconds_bucket[5m])))",
                &[],
                d
            ),
            Unit::Seconds
        );
        assert_eq!(infer_unit("rate(x_seconds_total[5m])", &[], d), Unit::Count);
        assert_eq!(
            infer_unit("rate(tx_bytes_total[5m])", &[], d),
            Unit::BytesPerSecond
        );
        assert_eq!(infer_unit("a_bytes / b_bytes", &[], d), Unit::Ratio);
        assert_eq!(
            infer_unit(
                "1 - node_filesystem_avail_bytes / node_filesystem_size_bytes",
                &[],
                d
            ),
            Unit::Ratio
        );
        assert_eq!(
            infer_unit(
                "100 * sum(rate(http_errors_total[5m])) / sum(rate(http_requests_total[5m]))",
                &[],
                d
            ),
            Unit::Percent
        );
        // Unlike quantities, counting, a counter's raw value: nothing certain.
        assert_eq!(infer_unit("a_bytes / b_seconds", &[], d), Unit::Count);
        assert_eq!(
            infer_unit("count(up == 0) / count(up)", &[], d),
            Unit::Count
        );
        assert_eq!(
            infer_unit("errors_total / requests_total", &[], d),
            Unit::Count
        );
        assert_eq!(infer_unit("a_bytes / b_bytes * 8", &[], d), Unit::Count);
        assert_eq!(infer_unit("cache_hit_ratio", &[], d), Unit::Ratio);
        assert_eq!(infer_unit("up", &[], d), Unit::Count);
    }
}
