//! YAML with a span on every node.
//!
//! The only module that imports the YAML parser (`granit-parser`, the
//! maintained event parser beneath serde-saphyr). It builds a small [`Node`]
//! tree in which every scalar, key, sequence and mapping keeps its byte
//! span, keeps comments (for `# promspec: disable=...`), rejects duplicate
//! keys, and refuses alias expansion beyond a node budget so an alias bomb
//! fails fast. Scalars stay text: whether `no` is a string or a boolean is
//! decided by the consumer that knows the field's type, never by YAML 1.1
//! rules.

use granit_parser::{Event, Options, Parser, ScalarStyle, ScanError};
use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::source::{SourceId, Span};

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Unquoted.
    Plain,
    /// `'...'`.
    SingleQuoted,
    /// `"..."`.
    DoubleQuoted,
    /// `|` block.
    Literal,
    /// `>` block.
    Folded,
}

/// A scalar: its decoded text and how it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// The value after YAML escape processing.
    pub value: String,
    /// The notation.
    pub style: Style,
}

impl Scalar {
    /// Whether the scalar is a YAML null (`~`, `null`, or nothing at all).
    pub fn is_null(&self) -> bool {
        self.style == Style::Plain
            && matches!(self.value.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }
}

/// The content of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar.
    Scalar(Scalar),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order. Keys are nodes (usually scalars).
    Map(Vec<(Node, Node)>),
}

/// A YAML node with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The content.
    pub kind: NodeKind,
    /// Where the node was written.
    pub span: Span,
}

impl Node {
    /// The scalar, if this node is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The mapping entries, if this node is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The sequence items, if this node is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this node is a null scalar.
    pub fn is_null(&self) -> bool {
        self.as_scalar().is_some_and(Scalar::is_null)
    }

    /// The value for key `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_scalar().is_some_and(|s| s.value == key))
            .map(|(_, v)| v)
    }

    /// A human name of the node's kind (`a mapping`, `a string`, ...).
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar(s) if s.is_null() => "null",
            NodeKind::Scalar(_) => "a scalar",
            NodeKind::Seq(_) => "a sequence",
            NodeKind::Map(_) => "a mapping",
        }
    }
}

/// A YAML comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    /// The text after `#`.
    pub text: String,
    /// The span of the whole comment, `#` included.
    pub span: Span,
}

/// One parsed YAML document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The root node (a null scalar for an empty document).
    pub root: Node,
    /// The comments of the document, in source order.
    pub comments: Vec<Comment>,
}

/// Limits that protect the loader.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Maximum number of nodes after alias expansion, per document.
    pub max_nodes: usize,
}

impl Limits {
    /// Limits proportional to the size of the input: generous for real files,
    /// fatal for an alias bomb.
    pub fn for_text(text: &str) -> Self {
        Limits {
            max_nodes: 100_000 + text.len() * 2,
        }
    }
}

/// Parse every document of `text`.
///
/// Returns the documents, or a single `spec/parse` diagnostic at the place
/// where the YAML stops being valid.
pub fn parse(source: SourceId, text: &str) -> Result<Vec<Document>, Diagnostic> {
    let mut options = Options::default();
    options.set_emit_comments(true);
    let parser = Parser::new_from_str_with_options(text, options);
    Builder {
        source,
        text,
        parser,
        anchors: HashMap::new(),
        nodes: 0,
        limits: Limits::for_text(text),
        comments: Vec::new(),
    }
    .documents()
}

struct Builder<'a> {
    source: SourceId,
    text: &'a str,
    parser: Parser<'a, granit_parser::StrInput<'a>>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    limits: Limits,
    comments: Vec<Comment>,
}

type Ev<'a> = (Event<'a>, granit_parser::Span);

impl<'a> Builder<'a> {
    fn span(&self, span: &granit_parser::Span) -> Span {
        let start = span.start.byte_offset().unwrap_or(0);
        let end = span.end.byte_offset().unwrap_or(start);
        Span::new(self.source, start..end.max(start))
    }

    fn scan_error(&self, e: ScanError) -> Diagnostic {
        let offset = e.marker().byte_offset().unwrap_or(self.text.len());
        let start = offset.min(self.text.len());
        let mut end = start;
        if let Some(c) = self.text[start..].chars().next() {
            end += c.len_utf8();
        }
        Diagnostic::error("spec/parse", format!("invalid YAML: {}", e.info()))
            .with_label(
                Span::new(self.source, start..end),
                "the YAML is invalid here",
            )
            .with_help("check the indentation and quoting around this place")
    }

    /// Next event that is not a comment; comments are collected.
    fn next(&mut self) -> Result<Option<Ev<'a>>, Diagnostic> {
        loop {
            match self.parser.next_event() {
                None => return Ok(None),
                Some(Err(e)) => return Err(self.scan_error(e)),
                Some(Ok((Event::Comment(text, _), span))) => {
                    let span = self.span(&span);
                    self.comments.push(Comment {
                        text: text.into_owned(),
                        span,
                    });
                }
                Some(Ok(ev)) => return Ok(Some(ev)),
            }
        }
    }

    fn documents(mut self) -> Result<Vec<Document>, Diagnostic> {
        let mut docs = Vec::new();
        while let Some((ev, span)) = self.next()? {
            match ev {
                Event::StreamStart => {}
                Event::StreamEnd => break,
                Event::DocumentStart(..) => {
                    self.anchors.clear();
                    self.nodes = 0;
                    let root = match self.next()? {
                        Some((Event::DocumentEnd, span)) => {
                            let span = self.span(&span);
                            empty(span)
                        }
                        Some(ev) => {
                            let node = self.node(ev)?;
                            self.expect_document_end()?;
                            node
                        }
                        None => empty(self.span(&span)),
                    };
                    let comments = std::mem::take(&mut self.comments);
                    docs.push(Document { root, comments });
                }
                _ => {}
            }
        }
        if let Some(last) = docs.last_mut() {
            // Comments after the last document end still belong to it.
            last.comments.append(&mut self.comments);
        }
        Ok(docs)
    }

    fn expect_document_end(&mut self) -> Result<(), Diagnostic> {
        match self.next()? {
            Some((Event::DocumentEnd, _)) | None => Ok(()),
            Some((_, span)) => {
                let span = self.span(&span);
                Err(
                    Diagnostic::error("spec/parse", "unexpected content after the document")
                        .with_label(span, "not part of the document"),
                )
            }
        }
    }

    fn count(&mut self, n: usize, span: Span) -> Result<(), Diagnostic> {
        self.nodes += n;
        if self.nodes > self.limits.max_nodes {
            return Err(Diagnostic::error(
                "spec/parse",
                format!(
                    "the document expands to more than {} nodes through aliases",
                    self.limits.max_nodes
                ),
            )
            .with_label(span, "expansion stopped here")
            .with_help(
                "anchors and aliases that nest repeatedly blow up memory; write the values out",
            ));
        }
        Ok(())
    }

    fn node(&mut self, (ev, raw_span): Ev<'a>) -> Result<Node, Diagnostic> {
        let span = self.span(&raw_span);
        match ev {
            Event::Scalar(value, style, anchor, _tag) => {
                self.count(1, span)?;
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                let node = Node {
                    kind: NodeKind::Scalar(Scalar {
                        value: value.into_owned(),
                        style,
                    }),
                    span,
                };
                self.anchor(anchor, &node);
                Ok(node)
            }
            Event::SequenceStart(_, anchor, _) => {
                self.count(1, span)?;
                let mut items = Vec::new();
                let end = loop {
                    match self.next()? {
                        Some((Event::SequenceEnd, end)) => break self.span(&end),
                        Some(ev) => items.push(self.node(ev)?),
                        None => break span,
                    }
                };
                let node = Node {
                    kind: NodeKind::Seq(items),
                    span: span.to(end),
                };
                self.anchor(anchor, &node);
                Ok(node)
            }
            Event::MappingStart(_, anchor, _) => {
                self.count(1, span)?;
                let mut entries: Vec<(Node, Node)> = Vec::new();
                // Keys that came from `<<:` merges may be overridden by explicit keys.
                let mut merged: Vec<bool> = Vec::new();
                let end = loop {
                    let key = match self.next()? {
                        Some((Event::MappingEnd, end)) => break self.span(&end),
                        Some(ev) => self.node(ev)?,
                        None => break span,
                    };
                    let value = match self.next()? {
                        Some(ev) => self.node(ev)?,
                        None => empty(key.span),
                    };
                    if let Some(k) = key.as_scalar()
                        && k.value == "<<"
                        && k.style == Style::Plain
                    {
                        merge_into(&mut entries, value);
                        merged.resize(entries.len(), true);
                        continue;
                    }
                    if let Some(i) = entries.iter().position(|(k, _)| same_key(k, &key))
                        && merged[i]
                    {
                        entries[i] = (key, value);
                        merged[i] = false;
                        continue;
                    }
                    if let Some((first, _)) = entries.iter().find(|(k, _)| same_key(k, &key)) {
                        return Err(Diagnostic::error(
                            "spec/duplicate-key",
                            format!("duplicate key `{}`", key_text(&key)),
                        )
                        .with_label(key.span, "written again here")
                        .with_secondary(first.span, "first written here")
                        .with_help("a key may appear once per mapping; remove one of them"));
                    }
                    entries.push((key, value));
                    merged.push(false);
                };
                let node = Node {
                    kind: NodeKind::Map(entries),
                    span: span.to(end),
                };
                self.anchor(anchor, &node);
                Ok(node)
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err(
                        Diagnostic::error("spec/parse", "alias to an unknown anchor")
                            .with_label(span, "no anchor of this name before here"),
                    );
                };
                let size = node_count(target);
                let mut copy = target.clone();
                self.count(size, span)?;
                copy.span = span;
                Ok(copy)
            }
            _ => {
                Err(Diagnostic::error("spec/parse", "unexpected YAML event")
                    .with_label(span, "here"))
            }
        }
    }

    fn anchor(&mut self, anchor: usize, node: &Node) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
    }
}

fn empty(span: Span) -> Node {
    Node {
        kind: NodeKind::Scalar(Scalar {
            value: String::new(),
            style: Style::Plain,
        }),
        span: Span {
            end: span.start,
            ..span
        },
    }
}

fn node_count(node: &Node) -> usize {
    match &node.kind {
        NodeKind::Scalar(_) => 1,
        NodeKind::Seq(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        NodeKind::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| node_count(k) + node_count(v))
                .sum::<usize>()
        }
    }
}

fn same_key(a: &Node, b: &Node) -> bool {
    match (a.as_scalar(), b.as_scalar()) {
        (Some(a), Some(b)) => a.value == b.value,
        _ => a.kind == b.kind,
    }
}

fn key_text(key: &Node) -> String {
    key.as_scalar()
        .map(|s| s.value.clone())
        .unwrap_or_else(|| "<complex key>".into())
}

/// Apply a `<<:` merge: keys already present win.
fn merge_into(entries: &mut Vec<(Node, Node)>, value: Node) {
    let sources: Vec<Node> = match value.kind {
        NodeKind::Seq(items) => items,
        _ => vec![value],
    };
    for source in sources {
        if let NodeKind::Map(src) = source.kind {
            for (k, v) in src {
                if !entries.iter().any(|(e, _)| same_key(e, &k)) {
                    entries.push((k, v));
                }
            }
        }
    }
}

/// Map a byte offset inside a scalar's decoded value to a byte offset in the
/// source file, for quoted, plain and block scalars alike.
///
/// `raw` is the source text of the scalar's span and `raw_start` its offset
/// in the file. The decoded characters appear in the raw text in order, apart
/// from quotes, escapes, indentation and folded line breaks, which are
/// skipped or matched as whitespace.
pub fn source_offset(scalar: &Scalar, raw: &str, raw_start: usize, decoded_offset: usize) -> usize {
    let mut r = match scalar.style {
        Style::SingleQuoted | Style::DoubleQuoted => 1.min(raw.len()),
        // Block scalar spans start at the content, after the header line.
        Style::Literal | Style::Folded | Style::Plain => 0,
    };
    let raw_bytes = raw.as_bytes();
    for (i, c) in scalar.value.char_indices() {
        // Find where the decoded character `c` was written, skipping
        // indentation, quotes and folded line breaks.
        let (at, len) = loop {
            let Some(rc) = raw[r..].chars().next() else {
                return raw_start + raw.len();
            };
            if scalar.style == Style::DoubleQuoted && rc == '\\' {
                break (r, escape_len(&raw_bytes[r..]));
            }
            if rc == c || (c.is_whitespace() && rc.is_whitespace()) {
                break (r, rc.len_utf8());
            }
            r += rc.len_utf8();
        };
        if i >= decoded_offset {
            return raw_start + at;
        }
        r = at + len;
    }
    raw_start + r.min(raw.len())
}

/// Length in bytes of the escape sequence at the start of `raw` (which starts with `\`).
fn escape_len(raw: &[u8]) -> usize {
    match raw.get(1) {
        Some(b'x') => 4,
        Some(b'u') => 6,
        Some(b'U') => 10,
        Some(_) => {
            // `\` + one (possibly multi-byte) character
            let s = std::str::from_utf8(&raw[1..]).ok();
            1 + s.and_then(|s| s.chars().next()).map_or(1, char::len_utf8)
        }
        None => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Node {
        parse(SourceId(0), text).unwrap().remove(0).root
    }

    #[test]
    fn spans_point_at_values() {
        let text = "a: hello\nb:\n  - 1\n  - no\n";
        let root = doc(text);
        let a = root.get("a").unwrap();
        assert_eq!(&text[a.span.range()], "hello");
        let b = root.get("b").unwrap().as_seq().unwrap();
        assert_eq!(b[1].as_scalar().unwrap().value, "no");
        assert_eq!(&text[b[1].span.range()], "no");
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let err = parse(SourceId(0), "a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.id, "spec/duplicate-key");
        assert_eq!(err.labels[0].span.start, 10);
    }

    #[test]
    fn alias_bomb_is_rejected_fast() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let started = std::time::Instant::now();
        let err = parse(SourceId(0), &text).unwrap_err();
        assert!(err.message.contains("aliases"), "{}", err.message);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn merge_keys_apply() {
        let root = doc("base: &b {x: 1, y: 2}\nthing:\n  <<: *b\n  y: 3\n");
        let thing = root.get("thing").unwrap();
        assert_eq!(thing.get("x").unwrap().as_scalar().unwrap().value, "1");
        assert_eq!(thing.get("y").unwrap().as_scalar().unwrap().value, "3");
    }

    fn offsets(text: &str, key: &str, needle: &str) -> usize {
        let root = doc(text);
        let node = root.get(key).unwrap();
        let s = node.as_scalar().unwrap();
        let i = s.value.find(needle).unwrap();
        source_offset(s, &text[node.span.range()], node.span.start as usize, i)
    }

    #[test]
    fn offsets_map_through_every_style() {
        let t = "q: rate(x[5m]) > 1\n";
        assert_eq!(&t[offsets(t, "q", ">")..][..1], ">");
        let t = "q: \"rate(x{a=\\\"b\\\"}[5m]) > 1\"\n";
        assert_eq!(&t[offsets(t, "q", ">")..][..1], ">");
        let t = "q: 'it''s > 1'\n";
        assert_eq!(&t[offsets(t, "q", ">")..][..1], ">");
        let t = "q: |\n  sum(rate(x[5m]))\n    / sum(y)\n";
        assert_eq!(&t[offsets(t, "q", "/")..][..1], "/");
        let t = "q: >-\n  sum(rate(x[5m]))\n  / sum(y)\n";
        assert_eq!(&t[offsets(t, "q", "/")..][..1], "/");
    }
}
