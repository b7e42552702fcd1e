//! The single table of lint rules: id, category, default severity, and the
//! rule type whose doc comment is the user documentation and whose check
//! says what the rule runs on.
//!
//! Ids are permanent: a renamed rule keeps its old id in [`REDIRECTS`], and
//! an id is never reused.

use crate::diag::Severity;
use crate::lint::Check;
use crate::lint::rules::{alerts, dashboards, promql, routing, rules, slos, targets, thresholds};

/// What kind of problem a rule finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    /// The rule or spec is wrong: it cannot work as written.
    Correctness,
    /// Probably wrong: it works, but rarely the way the author meant.
    Suspicious,
    /// Conventions that keep rules readable and routable.
    Style,
    /// Strict checks that may not fit every team.
    Pedantic,
}

impl Category {
    /// The lower-case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Category::Correctness => "correctness",
            Category::Suspicious => "suspicious",
            Category::Style => "style",
            Category::Pedantic => "pedantic",
        }
    }
}

/// One registered lint rule.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    /// Permanent id, `group/name`.
    pub id: &'static str,
    /// What kind of problem it finds.
    pub category: Category,
    /// Severity unless the settings override it; `None` = off by default.
    pub default_severity: Option<Severity>,
    /// The user documentation (Markdown, with the fixed sections).
    pub doc: &'static str,
    /// What it runs on and the function that judges.
    pub check: Check,
}

impl RuleMeta {
    /// The one-line summary: the first sentence of "What it does".
    pub fn summary(&self) -> String {
        let body = self
            .doc
            .split_once("## What it does")
            .map(|(_, rest)| rest)
            .unwrap_or(self.doc);
        let paragraph: Vec<&str> = body
            .lines()
            .map(str::trim)
            .skip_while(|l| l.is_empty())
            .take_while(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let text = paragraph.join(" ");
        // The first `. ` outside code spans that starts a new sentence.
        let mut in_code = false;
        let bytes = text.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            match b {
                b'`' => in_code = !in_code,
                b'.' if !in_code
                    && bytes.get(i + 1) == Some(&b' ')
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_uppercase) =>
                {
                    return text[..=i].to_string();
                }
                _ => {}
            }
        }
        text
    }

    /// The documentation without the leading space of each `///` line.
    pub fn documentation(&self) -> String {
        self.doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Declare a rule type: its doc comment becomes [`RuleMeta::doc`] and the
/// check says what it runs on.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub struct MissingFor => Check::Rule(check);
/// }
/// ```
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident => $check:expr;
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy)]
        $vis struct $name;

        impl $name {
            /// The user documentation of the rule.
            pub const DOC: &'static str = concat!($($doc, "\n"),*);
            /// What the rule runs on.
            pub const CHECK: $crate::lint::Check = $check;
        }
    };
}

pub(crate) use declare_rule;

macro_rules! rule {
    ($id:literal, $category:ident, $severity:ident, $ty:path) => {{
        use $ty as T;
        RuleMeta {
            id: $id,
            category: Category::$category,
            default_severity: rule!(@sev $severity),
            doc: T::DOC,
            check: T::CHECK,
        }
    }};
    (@sev Off) => { None };
    (@sev $s:ident) => { Some(Severity::$s) };
}

/// Every lint rule, sorted by id.
pub static RULES: &[RuleMeta] = &[
    rule!(
        "alerts/absent-without-for",
        Suspicious,
        Warning,
        alerts::absent_without_for::AbsentWithoutFor
    ),
    rule!(
        "alerts/bool-comparison",
        Correctness,
        Error,
        alerts::bool_comparison::BoolComparison
    ),
    rule!(
        "alerts/for-below-interval",
        Suspicious,
        Warning,
        alerts::for_below_interval::ForBelowInterval
    ),
    rule!(
        "alerts/missing-annotation",
        Style,
        Warning,
        alerts::missing_annotation::MissingAnnotation
    ),
    rule!(
        "alerts/missing-comparison",
        Suspicious,
        Warning,
        alerts::missing_comparison::MissingComparison
    ),
    rule!(
        "alerts/missing-for",
        Suspicious,
        Off,
        alerts::missing_for::MissingFor
    ),
    rule!(
        "alerts/missing-severity",
        Style,
        Warning,
        alerts::missing_severity::MissingSeverity
    ),
    rule!(
        "alerts/name-collision",
        Correctness,
        Error,
        alerts::name_collision::NameCollision
    ),
    rule!(
        "alerts/name-style",
        Style,
        Off,
        alerts::name_style::NameStyle
    ),
    rule!(
        "alerts/suspicious-name",
        Suspicious,
        Warning,
        alerts::suspicious_name::SuspiciousName
    ),
    rule!(
        "alerts/template",
        Correctness,
        Error,
        alerts::template::Template
    ),
    rule!(
        "alerts/unknown-severity",
        Style,
        Warning,
        alerts::unknown_severity::UnknownSeverity
    ),
    rule!(
        "dashboards/duplicate-uid",
        Correctness,
        Error,
        dashboards::duplicate_uid::DuplicateUid
    ),
    rule!(
        "dashboards/uid-too-long",
        Style,
        Warning,
        dashboards::uid_too_long::UidTooLong
    ),
    rule!(
        "promql/aggregation-drops-label",
        Suspicious,
        Warning,
        promql::aggregation_drops_label::AggregationDropsLabel
    ),
    rule!(
        "promql/counter-without-rate",
        Suspicious,
        Warning,
        promql::counter_without_rate::CounterWithoutRate
    ),
    rule!(
        "promql/deprecated-function",
        Suspicious,
        Warning,
        promql::deprecated_function::DeprecatedFunction
    ),
    rule!(
        "promql/histogram-quantile-without-le",
        Correctness,
        Error,
        promql::histogram_quantile_without_le::HistogramQuantileWithoutLe
    ),
    rule!(
        "promql/impossible-selector",
        Correctness,
        Error,
        promql::impossible_selector::ImpossibleSelector
    ),
    rule!(
        "promql/irate-in-alert",
        Suspicious,
        Warning,
        promql::irate_in_alert::IrateInAlert
    ),
    rule!(
        "promql/nan-prone-division",
        Pedantic,
        Info,
        promql::nan_prone_division::NanProneDivision
    ),
    rule!(
        "promql/quantile-out-of-range",
        Correctness,
        Error,
        promql::quantile_out_of_range::QuantileOutOfRange
    ),
    rule!(
        "promql/range-too-short",
        Correctness,
        Warning,
        promql::range_too_short::RangeTooShort
    ),
    rule!(
        "promql/rate-of-sum",
        Correctness,
        Warning,
        promql::rate_of_sum::RateOfSum
    ),
    rule!(
        "promql/rate-on-non-counter",
        Suspicious,
        Warning,
        promql::rate_on_non_counter::RateOnNonCounter
    ),
    rule!("promql/syntax", Correctness, Error, promql::syntax::Syntax),
    rule!(
        "promql/unknown-label",
        Correctness,
        Warning,
        promql::unknown_label::UnknownLabel
    ),
    rule!(
        "promql/unknown-metric",
        Correctness,
        Warning,
        promql::unknown_metric::UnknownMetric
    ),
    rule!(
        "promql/useless-regex",
        Style,
        Warning,
        promql::useless_regex::UselessRegex
    ),
    rule!(
        "routing/incomplete-receiver",
        Correctness,
        Error,
        routing::incomplete_receiver::IncompleteReceiver
    ),
    rule!(
        "routing/inhibit-missing-label",
        Suspicious,
        Warning,
        routing::inhibit_missing_label::InhibitMissingLabel
    ),
    rule!(
        "routing/inline-secret",
        Correctness,
        Error,
        routing::inline_secret::InlineSecret
    ),
    rule!(
        "routing/notification-template",
        Correctness,
        Error,
        routing::notification_template::NotificationTemplate
    ),
    rule!(
        "routing/reserved-receiver",
        Correctness,
        Error,
        routing::reserved_receiver::ReservedReceiver
    ),
    rule!(
        "routing/unknown-receiver",
        Correctness,
        Error,
        routing::unknown_receiver::UnknownReceiver
    ),
    rule!(
        "routing/unrouted-alert",
        Suspicious,
        Warning,
        routing::unrouted_alert::UnroutedAlert
    ),
    rule!(
        "routing/unused-receiver",
        Suspicious,
        Warning,
        routing::unused_receiver::UnusedReceiver
    ),
    rule!(
        "rules/duplicate",
        Correctness,
        Warning,
        rules::duplicate::Duplicate
    ),
    rule!(
        "rules/empty-group",
        Suspicious,
        Warning,
        rules::empty_group::EmptyGroup
    ),
    rule!(
        "rules/group-interval",
        Suspicious,
        Warning,
        rules::group_interval::GroupInterval
    ),
    rule!(
        "rules/recording-name",
        Style,
        Warning,
        rules::recording_name::RecordingName
    ),
    rule!(
        "rules/template-in-record",
        Correctness,
        Warning,
        rules::template_in_record::TemplateInRecord
    ),
    rule!(
        "slos/errors-not-subset",
        Suspicious,
        Warning,
        slos::errors_not_subset::ErrorsNotSubset
    ),
    rule!(
        "slos/latency-bucket",
        Correctness,
        Error,
        slos::latency_bucket::LatencyBucket
    ),
    rule!(
        "slos/window-range",
        Correctness,
        Error,
        slos::window_range::WindowRange
    ),
    rule!(
        "targets/unsupported-field",
        Correctness,
        Error,
        targets::unsupported_field::UnsupportedField
    ),
    rule!(
        "thresholds/comparison-in-query",
        Correctness,
        Error,
        thresholds::comparison_in_query::ComparisonInQuery
    ),
    rule!(
        "thresholds/for-order",
        Suspicious,
        Warning,
        thresholds::for_order::ForOrder
    ),
    rule!(
        "thresholds/label-collision",
        Correctness,
        Error,
        thresholds::label_collision::LabelCollision
    ),
    rule!(
        "thresholds/order",
        Correctness,
        Error,
        thresholds::order::Order
    ),
    rule!(
        "thresholds/scale-mismatch",
        Correctness,
        Error,
        thresholds::scale_mismatch::ScaleMismatch
    ),
    rule!(
        "thresholds/unit-mismatch",
        Suspicious,
        Warning,
        thresholds::unit_mismatch::UnitMismatch
    ),
    rule!(
        "thresholds/unreachable",
        Correctness,
        Error,
        thresholds::unreachable::Unreachable
    ),
];

/// Renamed ids: old id → current id.
pub static REDIRECTS: &[(&str, &str)] = &[];

/// The rule with id `id` (following redirects).
pub fn find(id: &str) -> Option<&'static RuleMeta> {
    let id = REDIRECTS
        .iter()
        .find(|(old, _)| *old == id)
        .map(|(_, new)| *new)
        .unwrap_or(id);
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sorted_unique_and_match_their_files() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted, "RULES must be sorted by id, without repeats");
        assert!(RULES.len() >= 30, "{} rules", RULES.len());
        for id in ids {
            let (group, name) = id.split_once('/').unwrap();
            let file = format!(
                "{}/src/lint/rules/{group}/{}.rs",
                env!("CARGO_MANIFEST_DIR"),
                name.replace('-', "_")
            );
            assert!(std::path::Path::new(&file).exists(), "{id}: no {file}");
            assert!(
                crate::diag::codes::find(id).is_none(),
                "{id} is both a rule and a code"
            );
        }
    }

    #[test]
    fn every_rule_documents_every_section() {
        for r in RULES {
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
                "## Options",
            ] {
                assert!(r.doc.contains(section), "{} lacks `{section}`", r.id);
            }
            assert!(!r.summary().is_empty(), "{} has no summary", r.id);
        }
    }
}
