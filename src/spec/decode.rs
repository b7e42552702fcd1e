//! Decoding YAML nodes into the raw spec types, collecting every error.
//!
//! Unlike a serde deserializer, decoding does not stop at the first problem:
//! an unknown field, a wrong type or a missing required field is recorded as
//! a diagnostic and decoding goes on with the siblings, so one run shows
//! every shape error of a file.

use crate::diag::Diagnostic;
use crate::source::{Span, Spanned};
use crate::yaml::{Node, NodeKind, Style};

/// Collects diagnostics while raw types are decoded.
pub struct Decoder {
    /// Diagnostics found so far.
    pub diagnostics: Vec<Diagnostic>,
}

impl Decoder {
    /// A decoder with no findings yet.
    pub fn new() -> Self {
        Decoder {
            diagnostics: Vec::new(),
        }
    }

    /// Record a diagnostic.
    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The entries of a mapping, or a type error.
    pub fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [(Node, Node)]> {
        match &node.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => {
                self.report(expected(node, &format!("a mapping ({what})")));
                None
            }
        }
    }

    /// Report every key of `entries` that is not in `fields`, with a "did you mean" hint.
    pub fn unknown_keys(&mut self, entries: &[(Node, Node)], fields: &[&str], what: &str) {
        for (key, _) in entries {
            let Some(k) = key.as_scalar() else {
                self.report(
                    Diagnostic::error("spec/unknown-field", "a mapping key must be a plain string")
                        .with_label(key.span, "complex key"),
                );
                continue;
            };
            if fields.contains(&k.value.as_str()) {
                continue;
            }
            let mut d = Diagnostic::error(
                "spec/unknown-field",
                format!("unknown field `{}` in {what}", k.value),
            )
            .with_label(key.span, "not a field of this mapping");
            d = match did_you_mean(&k.value, fields.iter().copied()) {
                Some(best) => d.with_help(format!(
                    "did you mean `{best}`? valid fields are: {}",
                    fields.join(", ")
                )),
                None => d.with_help(format!("valid fields are: {}", fields.join(", "))),
            };
            self.report(d);
        }
    }

    /// Decode field `name` of a mapping.
    pub fn field<T: FromNode>(
        &mut self,
        map: &Node,
        entries: &[(Node, Node)],
        name: &str,
        what: &str,
    ) -> Option<T> {
        let value = entries
            .iter()
            .find(|(k, _)| k.as_scalar().is_some_and(|s| s.value == name))
            .map(|(_, v)| v);
        match value {
            Some(v) => T::from_node(v, self),
            None => match T::missing() {
                Some(v) => Some(v),
                None => {
                    let first_key = entries.first().map(|(k, _)| k.span).unwrap_or(map.span);
                    self.report(
                        Diagnostic::error(
                            "spec/missing-field",
                            format!("missing required field `{name}` in {what}"),
                        )
                        .with_label(first_key, format!("this {what} has no `{name}`"))
                        .with_help(format!("add `{name}:` to the {what}")),
                    );
                    None
                }
            },
        }
    }
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

/// The longest input [`did_you_mean`] compares.
pub const MAX_TYPO_LEN: usize = 128;

/// The closest candidate to `input`, if one is close enough to be a likely typo.
///
/// Names people type are short; an input longer than [`MAX_TYPO_LEN`] is
/// not a typo of one, and comparing it would cost its length times every
/// candidate's (a hostile 70,000-character time zone took seconds).
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if input.len() > MAX_TYPO_LEN {
        return None;
    }
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(input, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A type error at `node`.
pub fn expected(node: &Node, what: &str) -> Diagnostic {
    let d = Diagnostic::error(
        "spec/invalid-type",
        format!("expected {what}, found {}", node.kind_name()),
    )
    .with_label(node.span, format!("expected {what} here"));
    let help = if what.starts_with("a sequence") {
        "write a list: one `- item` per line, or `[a, b]`"
    } else if what.starts_with("a mapping") {
        "write `key: value` pairs, one per line, or `{key: value}`"
    } else if what.starts_with("a string") || what.starts_with("a PromQL") {
        "write a single value; quote it if it contains `: ` or starts with a special character"
    } else {
        return d;
    };
    d.with_help(help)
}

/// Raw types that can be decoded from a YAML node.
pub trait FromNode: Sized {
    /// Decode `node`, reporting problems to `cx`; `None` when it cannot be decoded.
    fn from_node(node: &Node, cx: &mut Decoder) -> Option<Self>;

    /// The value of an absent field: `None` means the field is required.
    fn missing() -> Option<Self> {
        None
    }
}

impl FromNode for Spanned<String> {
    fn from_node(node: &Node, cx: &mut Decoder) -> Option<Self> {
        match node.as_scalar() {
            Some(s) if !s.is_null() => Some(Spanned::new(s.value.clone(), node.span)),
            _ => {
                cx.report(expected(node, "a string"));
                None
            }
        }
    }
}

impl FromNode for Spanned<bool> {
    fn from_node(node: &Node, cx: &mut Decoder) -> Option<Self> {
        let s = node.as_scalar();
        match s.map(|s| (s.value.as_str(), s.style)) {
            Some(("true", Style::Plain)) => Some(Spanned::new(true, node.span)),
            Some(("false", Style::Plain)) => Some(Spanned::new(false, node.span)),
            Some((v, Style::Plain))
                if matches!(
                    v.to_ascii_lowercase().as_str(),
                    "yes" | "no" | "on" | "off" | "y" | "n"
                ) =>
            {
                cx.report(
                    Diagnostic::error("spec/invalid-type", format!("`{v}` is not a boolean"))
                        .with_label(node.span, "YAML 1.1 boolean spelling")
                        .with_help("write `true` or `false`"),
                );
                None
            }
            _ => {
                cx.report(expected(node, "`true` or `false`"));
                None
            }
        }
    }
}

impl<T: FromNode> FromNode for Option<T> {
    fn from_node(node: &Node, cx: &mut Decoder) -> Option<Self> {
        if node.is_null() {
            return Some(None);
        }
        Some(T::from_node(node, cx))
    }

    fn missing() -> Option<Self> {
        Some(None)
    }
}

impl<T: FromNode> FromNode for Vec<T> {
    fn from_node(node: &Node, cx: &mut Decoder) -> Option<Self> {
        match &node.kind {
            NodeKind::Seq(items) => {
                Some(items.iter().filter_map(|i| T::from_node(i, cx)).collect())
            }
            _ => {
                cx.report(expected(node, "a sequence"));
                None
            }
        }
    }
}

/// A mapping from names to values, in source order, with the span of each name.
#[derive(Debug, Clone)]
pub struct NamedMap<T> {
    /// The entries.
    pub entries: Vec<(Spanned<String>, T)>,
    /// Where the mapping was written.
    pub span: Span,
}

impl<T> NamedMap<T> {
    /// The value for `name`.
    pub fn get(&self, name: &str) -> Option<&T> {
        self.entries
            .iter()
            .find(|(k, _)| k.value == name)
            .map(|(_, v)| v)
    }

    /// The names, in source order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.value.as_str())
    }
}

impl<T: FromNode> FromNode for NamedMap<T> {
    fn from_node(node: &Node, cx: &mut Decoder) -> Option<Self> {
        let entries = cx.map(node, "names to values")?;
        let mut out = Vec::new();
        for (k, v) in entries {
            let Some(name) = Spanned::<String>::from_node(k, cx) else {
                continue;
            };
            if let Some(value) = T::from_node(v, cx) {
                out.push((name, value));
            }
        }
        Some(NamedMap {
            entries: out,
            span: node.span,
        })
    }
}

/// A scalar kept with its notation, for text whose inner positions matter (PromQL).
#[derive(Debug, Clone)]
pub struct Expression {
    /// The decoded text.
    pub value: String,
    /// Where the scalar was written.
    pub span: Span,
    /// How it was written.
    pub style: Style,
}

impl FromNode for Expression {
    fn from_node(node: &Node, cx: &mut Decoder) -> Option<Self> {
        match node.as_scalar() {
            Some(s) if !s.is_null() => Some(Expression {
                value: s.value.clone(),
                span: node.span,
                style: s.style,
            }),
            _ => {
                cx.report(expected(node, "a PromQL expression"));
                None
            }
        }
    }
}

/// Declare a raw struct: the Rust type, its JSON schema and its decoder from
/// one field list, so the three can never disagree.
macro_rules! raw_struct {
    (
        $(#[$meta:meta])*
        $name:ident as $what:literal {
            $(
                $(#[$fmeta:meta])*
                $field:ident $(as $key:literal)? : $ty:ty
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, schemars::JsonSchema)]
        #[schemars(deny_unknown_fields)]
        pub struct $name {
            /// Where the mapping was written.
            #[schemars(skip)]
            pub span: $crate::source::Span,
            $(
                $(#[$fmeta])*
                $(#[schemars(rename = $key)])?
                pub $field: $ty,
            )*
        }

        impl $name {
            /// The YAML keys this mapping accepts.
            pub const FIELDS: &'static [&'static str] = &[$(raw_struct!(@key $field $(, $key)?)),*];
        }

        impl $crate::spec::decode::FromNode for $name {
            fn from_node(
                node: &$crate::yaml::Node,
                cx: &mut $crate::spec::decode::Decoder,
            ) -> Option<Self> {
                let entries = cx.map(node, $what)?;
                cx.unknown_keys(entries, Self::FIELDS, $what);
                $(
                    let $field = cx.field::<$ty>(node, entries, raw_struct!(@key $field $(, $key)?), $what);
                )*
                Some($name { span: node.span, $($field: $field?,)* })
            }
        }
    };
    (@key $field:ident) => { stringify!($field) };
    (@key $field:ident, $key:literal) => { $key };
}

pub(crate) use raw_struct;

impl FromNode for crate::spec::raw::Quantity {
    fn from_node(node: &Node, cx: &mut Decoder) -> Option<Self> {
        Spanned::<String>::from_node(node, cx).map(crate::spec::raw::Quantity)
    }
}

impl FromNode for crate::spec::raw::Count {
    fn from_node(node: &Node, cx: &mut Decoder) -> Option<Self> {
        Spanned::<String>::from_node(node, cx).map(crate::spec::raw::Count)
    }
}

impl FromNode for crate::spec::raw::Duration {
    fn from_node(node: &Node, cx: &mut Decoder) -> Option<Self> {
        Spanned::<String>::from_node(node, cx).map(crate::spec::raw::Duration)
    }
}
