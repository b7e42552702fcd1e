//! YAML with a span on every node.
//!
//! The only module that imports the YAML parser (`granit-parser`, the
//! maintained event parser beneath serde-saphyr). It builds a small [`Node`]
//! tree in which every scalar, key, sequence and mapping keeps its byte
//! span, keeps comments (for `# promspec: disable=...`), rejects duplicate
//! keys, and refuses alias expansion beyond a node budget so an alias bomb
//! fails fast. Nesting is bounded ([`MAX_DEPTH`], aliases included), so
//! every recursive pass over a [`Node`] tree, its drop included, runs far
//! from the end of the stack. Scalars stay text: whether `no` is a string or a boolean is
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

/// The deepest nesting of collections a document may have, counting the
/// contents of aliases where they are used. Real specs and rule files stay
/// below 20; the bound keeps recursive passes over the tree (decoding,
/// counting, dropping) far from overflowing the stack.
pub const MAX_DEPTH: usize = 128;

/// Limits that protect the loader.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Maximum number of nodes after alias expansion, per document.
    pub max_nodes: usize,
    /// Maximum nesting depth, see [`MAX_DEPTH`].
    pub max_depth: usize,
}

impl Limits {
    /// Limits proportional to the size of the input: generous for real files,
    /// fatal for an alias bomb.
    pub fn for_text(text: &str) -> Self {
        Limits {
            max_nodes: 100_000 + text.len() * 2,
            max_depth: MAX_DEPTH,
        }
    }
}

/// Parse every document of `text`.
///
/// Returns the documents, or a single `spec/parse` diagnostic at the place
/// where the YAML stops being valid.
pub fn parse(source: SourceId, text: &str) -> Result<Vec<Document>, Diagnostic> {
    parse_at(source, text, 0)
}

/// [`parse`] a slice of a file that starts at byte `base` of the file: every
/// span is an offset into the whole file. Lets a large file be parsed in
/// slices without copying it.
pub fn parse_at(source: SourceId, text: &str, base: usize) -> Result<Vec<Document>, Diagnostic> {
    let mut options = Options::default();
    options.set_emit_comments(true);
    let parser = Parser::new_from_str_with_options(text, options);
    Builder {
        source,
        text,
        base,
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
    /// Offset of `text` in its file.
    base: usize,
    parser: Parser<'a, granit_parser::StrInput<'a>>,
    /// Anchored nodes with their height (levels of nesting, 1 for a scalar).
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    limits: Limits,
    comments: Vec<Comment>,
}

type Ev<'a> = (Event<'a>, granit_parser::Span);

impl<'a> Builder<'a> {
    fn span(&self, span: &granit_parser::Span) -> Span {
        let start = span.start.byte_offset().unwrap_or(0);
        let end = span.end.byte_offset().unwrap_or(start);
        Span::new(self.source, self.base + start..self.base + end.max(start))
    }

    fn scan_error(&self, e: ScanError) -> Diagnostic {
        let offset = e.marker().byte_offset().unwrap_or(self.text.len());
        let start = offset.min(self.text.len());
        let mut end = start;
        if let Some(c) = self.text[start..].chars().next() {
            end += c.len_utf8();
        }
        let span = Span::new(self.source, self.base + start..self.base + end);
        if e.info().contains("recursion limit") {
            // The parser's own bound, reached while it looks ahead.
            return self.too_deep(span);
        }
        Diagnostic::error("spec/parse", format!("invalid YAML: {}", e.info()))
            .with_label(span, "the YAML is invalid here")
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
                            let (node, _) = self.node(ev, 1)?;
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

    fn too_deep(&self, span: Span) -> Diagnostic {
        Diagnostic::error(
            "spec/parse",
            format!(
                "the YAML nests deeper than {} levels",
                self.limits.max_depth
            ),
        )
        .with_label(span, "too deep here")
        .with_help("flatten the structure; no promspec file needs this many levels")
    }

    /// Build the node starting with `ev`, at nesting level `depth` (1 for
    /// the root). Returns the node and its height.
    fn node(&mut self, (ev, raw_span): Ev<'a>, depth: usize) -> Result<(Node, usize), Diagnostic> {
        let span = self.span(&raw_span);
        if depth > self.limits.max_depth {
            return Err(self.too_deep(span));
        }
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
                self.anchor(anchor, &node, 1);
                Ok((node, 1))
            }
            Event::SequenceStart(_, anchor, _) => {
                self.count(1, span)?;
                let mut items = Vec::new();
                let mut height = 1;
                let end = loop {
                    match self.next()? {
                        Some((Event::SequenceEnd, end)) => break self.span(&end),
                        Some(ev) => {
                            let (item, h) = self.node(ev, depth + 1)?;
                            height = height.max(h + 1);
                            items.push(item);
                        }
                        None => break span,
                    }
                };
                items.shrink_to_fit();
                let node = Node {
                    kind: NodeKind::Seq(items),
                    span: span.to(end),
                };
                self.anchor(anchor, &node, height);
                Ok((node, height))
            }
            Event::MappingStart(_, anchor, _) => {
                self.count(1, span)?;
                let mut entries: Vec<(Node, Node)> = Vec::new();
                let mut height = 1;
                // Keys that came from `<<:` merges may be overridden by explicit keys.
                let mut merged: Vec<bool> = Vec::new();
                let end = loop {
                    let key = match self.next()? {
                        Some((Event::MappingEnd, end)) => break self.span(&end),
                        Some(ev) => {
                            let (key, h) = self.node(ev, depth + 1)?;
                            height = height.max(h + 1);
                            key
                        }
                        None => break span,
                    };
                    let value = match self.next()? {
                        Some(ev) => {
                            let (value, h) = self.node(ev, depth + 1)?;
                            height = height.max(h + 1);
                            value
                        }
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
                entries.shrink_to_fit();
                let node = Node {
                    kind: NodeKind::Map(entries),
                    span: span.to(end),
                };
                self.anchor(anchor, &node, height);
                Ok((node, height))
            }
            Event::Alias(id) => {
                let Some((target, height)) = self.anchors.get(&id) else {
                    return Err(
                        Diagnostic::error("spec/parse", "alias to an unknown anchor")
                            .with_label(span, "no anchor of this name before here"),
                    );
                };
                let height = *height;
                if depth + height - 1 > self.limits.max_depth {
                    return Err(self.too_deep(span));
                }
                let size = node_count(target);
                self.count(size, span)?;
                let mut copy = self.anchors[&id].0.clone();
                copy.span = span;
                Ok((copy, height))
            }
            _ => {
                Err(Diagnostic::error("spec/parse", "unexpected YAML event")
                    .with_label(span, "here"))
            }
        }
    }

    fn anchor(&mut self, anchor: usize, node: &Node, height: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), height));
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
///
/// Rules ask for many offsets inside one expression; the table of the last
/// scalar asked about is kept per thread, so each scalar is walked once and
/// every further question costs a comparison and a lookup.
pub fn source_offset(scalar: &Scalar, raw: &str, raw_start: usize, decoded_offset: usize) -> usize {
    LAST_TABLE.with(|last| {
        let mut last = last.borrow_mut();
        if !last.as_ref().is_some_and(|t| t.is_for(scalar, raw)) {
            *last = Some(OffsetTable::new(scalar, raw));
        }
        let table = last.as_ref().expect("set above");
        raw_start + table.get(decoded_offset)
    })
}

thread_local! {
    static LAST_TABLE: std::cell::RefCell<Option<OffsetTable>> = const { std::cell::RefCell::new(None) };
}

/// Where each byte of a scalar's decoded value was written in its raw text.
#[derive(Debug)]
pub struct OffsetTable {
    value: String,
    style: Style,
    raw: String,
    /// For each decoded byte offset `d`: the raw offset of the first decoded
    /// character starting at or after `d`.
    at: Vec<u32>,
    /// The raw offset for decoded offsets past the end of the value.
    tail: u32,
}

impl OffsetTable {
    /// Walk `raw` once, matching every decoded character of `scalar`.
    pub fn new(scalar: &Scalar, raw: &str) -> OffsetTable {
        let value = &scalar.value;
        let mut at = vec![raw.len() as u32; value.len() + 1];
        let mut filled = 0;
        let mut r = match scalar.style {
            Style::SingleQuoted | Style::DoubleQuoted => 1.min(raw.len()),
            // Block scalar spans start at the content, after the header line.
            Style::Literal | Style::Folded | Style::Plain => 0,
        };
        let mut tail = None;
        for (i, c) in value.char_indices() {
            // Find where the decoded character `c` was written, skipping
            // indentation, quotes and folded line breaks.
            let found = loop {
                let Some(rc) = raw[r..].chars().next() else {
                    break None;
                };
                if scalar.style == Style::DoubleQuoted && rc == '\\' {
                    break Some((r, escape_len(&raw[r..])));
                }
                if rc == c || (c.is_whitespace() && rc.is_whitespace()) {
                    break Some((r, rc.len_utf8()));
                }
                r += rc.len_utf8();
            };
            let Some((pos, len)) = found else {
                // The raw text ran out: every later offset maps to its end.
                tail = Some(raw.len());
                break;
            };
            at[filled..=i].fill(pos as u32);
            filled = i + 1;
            r = (pos + len).min(raw.len());
            while !raw.is_char_boundary(r) {
                r += 1;
            }
        }
        let tail = tail.unwrap_or(r.min(raw.len())) as u32;
        if filled <= value.len() && tail as usize != raw.len() {
            at[filled..].fill(tail);
        }
        OffsetTable {
            value: value.clone(),
            style: scalar.style,
            raw: raw.to_string(),
            at,
            tail,
        }
    }

    /// Whether the table was built for this scalar and raw text.
    pub fn is_for(&self, scalar: &Scalar, raw: &str) -> bool {
        self.style == scalar.style && self.value == scalar.value && self.raw == raw
    }

    /// The raw offset of decoded offset `decoded`.
    pub fn get(&self, decoded: usize) -> usize {
        self.at.get(decoded).copied().unwrap_or(self.tail) as usize
    }
}

/// Length in bytes of the escape sequence at the start of `raw` (which starts with `\`).
fn escape_len(raw: &str) -> usize {
    match raw.as_bytes().get(1) {
        Some(b'x') => 4,
        Some(b'u') => 6,
        Some(b'U') => 10,
        // `\` + one (possibly multi-byte) character
        Some(_) => 1 + raw[1..].chars().next().map_or(1, char::len_utf8),
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

    /// The character-by-character walk the offset table replaces.
    fn walk_offset(scalar: &Scalar, raw: &str, decoded_offset: usize) -> usize {
        let mut r = match scalar.style {
            Style::SingleQuoted | Style::DoubleQuoted => 1.min(raw.len()),
            _ => 0,
        };
        for (i, c) in scalar.value.char_indices() {
            let (at, len) = loop {
                let Some(rc) = raw[r..].chars().next() else {
                    return raw.len();
                };
                if scalar.style == Style::DoubleQuoted && rc == '\\' {
                    break (r, escape_len(&raw[r..]));
                }
                if rc == c || (c.is_whitespace() && rc.is_whitespace()) {
                    break (r, rc.len_utf8());
                }
                r += rc.len_utf8();
            };
            if i >= decoded_offset {
                return at;
            }
            r = at + len;
        }
        r.min(raw.len())
    }

    #[test]
    fn offset_table_agrees_with_the_walk_at_every_offset() {
        for text in [
            "q: rate(x[5m]) > 1\n",
            "q: \"rate(x{a=\\\"b\\\"}[5m]) \\u00e9 \\x41 > 1\"\n",
            "q: 'it''s > 1 日本'\n",
            "q: |\n  sum(rate(x[5m]))\n    / sum(y)\n",
            "q: >-\n  sum(rate(x[5m]))\n  / sum(y)\n\n  + 1\n",
            "q: \"\"\n",
            "q: \"a\n  b\"\n",
        ] {
            let root = doc(text);
            let node = root.get("q").unwrap();
            let s = node.as_scalar().unwrap();
            let raw = &text[node.span.range()];
            for d in 0..=s.value.len() + 2 {
                assert_eq!(
                    source_offset(s, raw, 0, d),
                    walk_offset(s, raw, d),
                    "{text:?} at {d}"
                );
            }
        }
    }

    #[test]
    fn escaped_scalars_map_in_linear_time() {
        // 20,000 escapes in one double-quoted scalar, asked about 2,000 times.
        let body = "x{a=\\\"b\\\"} ".repeat(4_000);
        let text = format!("q: \"{body}\"\n");
        let root = doc(&text);
        let node = root.get("q").unwrap();
        let s = node.as_scalar().unwrap();
        let raw = &text[node.span.range()];
        let started = std::time::Instant::now();
        for d in (0..s.value.len()).step_by(s.value.len() / 2_000) {
            let at = source_offset(s, raw, 0, d);
            assert_eq!(raw.as_bytes()[at] == b'\\', s.value.as_bytes()[d] == b'"');
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn nesting_is_bounded_with_a_diagnostic() {
        for text in [
            "[".repeat(100_000),
            format!(
                "{}x{}",
                "[".repeat(MAX_DEPTH + 1),
                "]".repeat(MAX_DEPTH + 1)
            ),
            "{a: ".repeat(100_000),
            (0..MAX_DEPTH + 2)
                .map(|i| format!("{}a:\n", "  ".repeat(i)))
                .collect(),
        ] {
            let err = parse(SourceId(0), &text).unwrap_err();
            assert!(
                err.message.contains("nests deeper than 128 levels"),
                "{}: {}",
                &text[..20],
                err.message
            );
        }
        let ok = format!(
            "{}x{}",
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        assert!(parse(SourceId(0), &ok).is_ok());
    }

    #[test]
    fn aliases_count_towards_the_depth() {
        // Each anchor nests 100 levels inside the previous one.
        let mut text = String::new();
        for i in 0..10 {
            let inner = if i == 0 {
                "x".to_string()
            } else {
                format!("*a{}", i - 1)
            };
            text.push_str(&format!(
                "a{i}: &a{i} {}{inner}{}\n",
                "[".repeat(100),
                "]".repeat(100)
            ));
        }
        let err = parse(SourceId(0), &text).unwrap_err();
        assert!(err.message.contains("nests deeper"), "{}", err.message);
        assert_eq!(&text[err.labels[0].span.range()], "*a0");
    }
}
