//! The single table of lint rules: id, category, default severity, and the
//! rule type whose doc comment is the user documentation and whose check
//! says what the rule runs on.
//!
//! Ids are permanent: a renamed rule keeps its old id in [`REDIRECTS`], and
//! an id is never reused.

use crate::diag::Severity;
use crate::lint::rules::{alerts, promql, rules, thresholds};
use crate::lint::Check;

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
    pub fn summary(&self) -> &'static str {
        let body = self
            .doc
            .split_once("## What it does")
            .map(|(_, rest)| rest)
            .unwrap_or(self.doc)
            .trim_start();
        let line = body.lines().next().unwrap_or("").trim();
        line
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
    rule!("alerts/missing-annotation", Style, Warning, alerts::missing_annotation::MissingAnnotation),
    rule!("alerts/missing-for", Suspicious, Warning, alerts::missing_for::MissingFor),
    rule!("alerts/missing-severity", Style, Warning, alerts::missing_severity::MissingSeverity),
    rule!("alerts/unknown-severity", Style, Warning, alerts::unknown_severity::UnknownSeverity),
    rule!("alerts/template", Correctness, Error, alerts::template::Template),
    rule!("alerts/for-below-interval", Suspicious, Warning, alerts::for_below_interval::ForBelowInterval),
    rule!("promql/syntax", Correctness, Error, promql::syntax::Syntax),
    rule!("rules/duplicate", Correctness, Warning, rules::duplicate::Duplicate),
    rule!("rules/empty-group", Suspicious, Warning, rules::empty_group::EmptyGroup),
    rule!("rules/group-interval", Suspicious, Warning, rules::group_interval::GroupInterval),
    rule!("rules/recording-name", Style, Warning, rules::recording_name::RecordingName),
    rule!("rules/template-in-record", Correctness, Warning, rules::template_in_record::TemplateInRecord),
    rule!("thresholds/for-order", Suspicious, Warning, thresholds::for_order::ForOrder),
    rule!("thresholds/order", Correctness, Error, thresholds::order::Order),
    rule!("thresholds/unreachable", Correctness, Error, thresholds::unreachable::Unreachable),
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
