//! Lint rules, one file per rule; the directory is the id group and the
//! file the id name (`routing/unknown_receiver.rs` ↔ `routing/unknown-receiver`).

use std::sync::OnceLock;

pub mod routing;

/// The documentation of one rule, taken from its doc comment.
#[derive(Debug, Clone, Copy)]
pub struct RuleDoc {
    /// The permanent id.
    pub id: &'static str,
    /// The doc comment: What it does · Why is this bad? · Example · Use instead.
    pub docs: &'static str,
}

impl RuleDoc {
    /// The first sentence of "What it does", on one line.
    pub fn summary(&self) -> &'static str {
        static SUMMARIES: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
        let all = SUMMARIES.get_or_init(|| {
            all()
                .iter()
                .map(|r| (r.id, first_sentence(r.docs)))
                .collect()
        });
        all.iter()
            .find(|(id, _)| *id == self.id)
            .map_or("", |(_, s)| s.as_str())
    }

    /// The documentation as Markdown, doc-comment indentation removed.
    pub fn markdown(&self) -> String {
        self.docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }
}

/// The first sentence of the first paragraph that is not a heading.
fn first_sentence(docs: &str) -> String {
    let paragraph: Vec<&str> = docs
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty() || l.starts_with('#'))
        .take_while(|l| !l.is_empty())
        .collect();
    let text = paragraph.join(" ");
    match text.find(". ").or_else(|| text.find(": ")) {
        Some(end) => format!("{}.", &text[..end]),
        None => text,
    }
}

/// Declares a rule type whose doc comment is its user documentation.
macro_rules! declare_rule {
    ($(#[doc = $doc:expr])* $name:ident = $id:literal) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl $name {
            /// The rule's id.
            pub const ID: &'static str = $id;
            /// The rule's documentation.
            pub const DOC: $crate::lint::rules::RuleDoc = $crate::lint::rules::RuleDoc {
                id: $id,
                docs: concat!($($doc, "\n"),*),
            };
        }
    };
}
pub(crate) use declare_rule;

/// Every rule's documentation.
pub fn all() -> Vec<RuleDoc> {
    routing::RULES.to_vec()
}

/// The documentation of rule `id`.
pub fn find(id: &str) -> Option<RuleDoc> {
    all().into_iter().find(|r| r.id == id)
}
