//! [`OutputLabels`]: which labels the series of a result can carry.
//!
//! A conservative analysis over promql-parser's AST that follows Prometheus'
//! evaluation rules: aggregations keep their `by` labels or drop their
//! `without` labels, most functions and arithmetic drop the metric name,
//! one-to-one matching `on (...)` keeps only the matching labels,
//! `group_left (...)` adds labels from the other side, `label_replace` adds
//! its destination label, `absent` keeps the equality matchers' labels.
//! "Conservative" means: when unsure, allow more labels, never fewer.

use std::collections::BTreeSet;
use std::fmt;

use promql_parser::parser::token;
use promql_parser::parser::value::ValueType as AstValueType;
use promql_parser::parser::{Expr as Ast, LabelModifier, VectorMatchCardinality};

use super::parse::Regexes;

/// The label holding the metric name.
pub(super) const METRIC_NAME: &str = "__name__";

/// The labels that the series of an expression's result can carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputLabels {
    /// At most these labels (after `sum by (a, b)`, `vector(1)`, a number...).
    Exactly(BTreeSet<String>),
    /// Any label except these (after a selector, `without (...)`, `rate(...)`
    /// which drops `__name__`...).
    AllExcept(BTreeSet<String>),
}

impl OutputLabels {
    /// Whether result series can carry `label`.
    pub fn may_have(&self, label: &str) -> bool {
        match self {
            OutputLabels::Exactly(set) => set.contains(label),
            OutputLabels::AllExcept(set) => !set.contains(label),
        }
    }

    fn none() -> Self {
        OutputLabels::Exactly(BTreeSet::new())
    }

    fn all() -> Self {
        OutputLabels::AllExcept(BTreeSet::new())
    }

    fn remove<'a>(self, labels: impl IntoIterator<Item = &'a str>) -> Self {
        match self {
            OutputLabels::Exactly(mut set) => {
                for l in labels {
                    set.remove(l);
                }
                OutputLabels::Exactly(set)
            }
            OutputLabels::AllExcept(mut set) => {
                set.extend(labels.into_iter().map(str::to_string));
                OutputLabels::AllExcept(set)
            }
        }
    }

    fn add<'a>(self, labels: impl IntoIterator<Item = &'a str>) -> Self {
        match self {
            OutputLabels::Exactly(mut set) => {
                set.extend(labels.into_iter().map(str::to_string));
                OutputLabels::Exactly(set)
            }
            OutputLabels::AllExcept(mut set) => {
                for l in labels {
                    set.remove(l);
                }
                OutputLabels::AllExcept(set)
            }
        }
    }

    fn keep_only(self, labels: &[String]) -> Self {
        let kept = labels
            .iter()
            .filter(|l| self.may_have(l))
            .cloned()
            .collect();
        OutputLabels::Exactly(kept)
    }

    fn drop_name(self) -> Self {
        self.remove([METRIC_NAME])
    }

    fn union(self, other: Self) -> Self {
        use OutputLabels::{AllExcept, Exactly};
        match (self, other) {
            (Exactly(mut a), Exactly(b)) => {
                a.extend(b);
                Exactly(a)
            }
            (AllExcept(a), AllExcept(b)) => AllExcept(a.intersection(&b).cloned().collect()),
            (Exactly(s), AllExcept(e)) | (AllExcept(e), Exactly(s)) => {
                AllExcept(e.difference(&s).cloned().collect())
            }
        }
    }
}

impl fmt::Display for OutputLabels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (prefix, set) = match self {
            OutputLabels::Exactly(set) => ("only", set),
            OutputLabels::AllExcept(set) => ("all except", set),
        };
        let list: Vec<String> = set.iter().map(|l| format!("`{l}`")).collect();
        write!(f, "{prefix} [{}]", list.join(", "))
    }
}

/// The output labels of an expression.
pub(super) fn output_labels(ast: &Ast, regexes: &Regexes) -> OutputLabels {
    match ast {
        Ast::NumberLiteral(_) | Ast::StringLiteral(_) => OutputLabels::none(),
        Ast::VectorSelector(_) | Ast::MatrixSelector(_) | Ast::Extension(_) => OutputLabels::all(),
        Ast::Paren(p) => output_labels(&p.expr, regexes),
        Ast::Subquery(s) => output_labels(&s.expr, regexes),
        Ast::Unary(u) => output_labels(&u.expr, regexes).drop_name(),
        Ast::Aggregate(agg) => {
            let inner = output_labels(&agg.expr, regexes);
            let op = agg.op.id();
            if matches!(
                op,
                token::T_TOPK | token::T_BOTTOMK | token::T_LIMITK | token::T_LIMIT_RATIO
            ) {
                // These select input series as they are.
                return inner;
            }
            let grouped = match &agg.modifier {
                None => OutputLabels::none(),
                Some(LabelModifier::Include(l)) => inner.keep_only(&l.labels),
                Some(LabelModifier::Exclude(l)) => inner
                    .remove(l.labels.iter().map(String::as_str))
                    .drop_name(),
            };
            if op == token::T_COUNT_VALUES {
                match agg.param.as_deref().and_then(string_value) {
                    Some(label) => grouped.add([label]),
                    None => OutputLabels::all(),
                }
            } else {
                grouped
            }
        }
        Ast::Call(call) => call_labels(call, regexes),
        Ast::Binary(bin) => {
            let lhs_type = bin.lhs.value_type();
            let rhs_type = bin.rhs.value_type();
            let scalar = AstValueType::Scalar;
            if lhs_type == scalar && rhs_type == scalar {
                return OutputLabels::none();
            }
            let modifier = bin.modifier.as_ref();
            let return_bool = modifier.is_some_and(|m| m.return_bool);
            let op = bin.op;
            let drop_name = return_bool || !(op.is_comparison_operator() || op.is_set_operator());
            let result = if lhs_type == scalar {
                output_labels(&bin.rhs, regexes)
            } else if rhs_type == scalar {
                output_labels(&bin.lhs, regexes)
            } else if op.id() == token::T_LOR {
                output_labels(&bin.lhs, regexes).union(output_labels(&bin.rhs, regexes))
            } else if op.is_set_operator() {
                output_labels(&bin.lhs, regexes)
            } else {
                match modifier.map(|m| &m.card) {
                    Some(VectorMatchCardinality::ManyToOne(extra)) => {
                        output_labels(&bin.lhs, regexes)
                            .add(extra.labels.iter().map(String::as_str))
                    }
                    Some(VectorMatchCardinality::OneToMany(extra)) => {
                        output_labels(&bin.rhs, regexes)
                            .add(extra.labels.iter().map(String::as_str))
                    }
                    _ => {
                        let lhs = output_labels(&bin.lhs, regexes);
                        match modifier.and_then(|m| m.matching.as_ref()) {
                            Some(LabelModifier::Include(on)) => lhs.keep_only(&on.labels),
                            Some(LabelModifier::Exclude(ignoring)) => {
                                lhs.remove(ignoring.labels.iter().map(String::as_str))
                            }
                            None => lhs,
                        }
                    }
                }
            };
            if drop_name {
                result.drop_name()
            } else {
                result
            }
        }
    }
}

fn string_value(ast: &Ast) -> Option<&str> {
    match ast {
        Ast::StringLiteral(s) => Some(&s.val),
        Ast::Paren(p) => string_value(&p.expr),
        _ => None,
    }
}

fn strip_parens(mut ast: &Ast) -> &Ast {
    while let Ast::Paren(p) = ast {
        ast = &p.expr;
    }
    ast
}

fn call_labels(call: &promql_parser::parser::Call, regexes: &Regexes) -> OutputLabels {
    let args = &call.args.args;
    if matches!(
        call.func.return_type,
        AstValueType::Scalar | AstValueType::String
    ) {
        return OutputLabels::none();
    }
    // The argument whose series the result is made of.
    let series_arg = args
        .iter()
        .find(|a| matches!(a.value_type(), AstValueType::Vector | AstValueType::Matrix));
    let Some(series_arg) = series_arg else {
        // `vector(1)`, `hour()` and friends: a single series without labels.
        return OutputLabels::none();
    };
    let inner = output_labels(series_arg, regexes);
    let string_arg = |i: usize| args.get(i).and_then(|a| string_value(a));
    match call.func.name {
        "absent" | "absent_over_time" => match strip_parens(series_arg) {
            Ast::VectorSelector(vs) => absent_labels(&vs.matchers.matchers, regexes),
            Ast::MatrixSelector(ms) => absent_labels(&ms.vs.matchers.matchers, regexes),
            _ => OutputLabels::none(),
        },
        "label_replace" | "label_join" => match string_arg(1) {
            Some(dst) => inner.add([dst]),
            None => OutputLabels::all(),
        },
        "sort" | "sort_desc" | "sort_by_label" | "sort_by_label_desc" | "last_over_time"
        | "first_over_time" => inner,
        "histogram_quantile" => inner.drop_name().remove(["le"]),
        "histogram_quantiles" => match string_arg(1) {
            Some(label) => inner.drop_name().remove(["le"]).add([label]),
            None => OutputLabels::all(),
        },
        // `info` adds labels from info metrics: anything may appear.
        "info" => OutputLabels::all(),
        _ => inner.drop_name(),
    }
}

fn absent_labels(matchers: &[promql_parser::label::Matcher], regexes: &Regexes) -> OutputLabels {
    // A regex matcher handed to the crate as a placeholder is not an equality.
    let labels = matchers
        .iter()
        .filter(|m| {
            m.name != METRIC_NAME
                && m.op == promql_parser::label::MatchOp::Equal
                && regexes.lookup(&m.value).is_none()
        })
        .map(|m| m.name.clone())
        .collect();
    OutputLabels::Exactly(labels)
}
