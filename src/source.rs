//! Source files and spans.
//!
//! Owns the text of every file promspec reads and the byte spans that point
//! into it. Diagnostics store only [`Span`]s; the text is attached when a
//! diagnostic is rendered. Nothing here reads files: callers hand in text.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Identifies one file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SourceId(pub u32);

/// A byte range inside one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// The file the range belongs to.
    pub source: SourceId,
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// A span over `range` in `source`.
    pub fn new(source: SourceId, range: Range<usize>) -> Self {
        Span {
            source,
            start: range.start as u32,
            end: range.end.max(range.start) as u32,
        }
    }

    /// The byte range of the span.
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The number of bytes covered.
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// The smallest span covering both spans (same file assumed).
    pub fn to(&self, other: Span) -> Span {
        Span {
            source: self.source,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A value together with the span it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where the value was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wrap `value` read at `span`.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }

    /// Transform the value, keeping the span.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Spanned<U> {
        Spanned {
            value: f(self.value),
            span: self.span,
        }
    }

    /// Borrow the value, keeping the span.
    pub fn as_ref(&self) -> Spanned<&T> {
        Spanned {
            value: &self.value,
            span: self.span,
        }
    }
}

impl Spanned<String> {
    /// The value as a string slice.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// One file's name, text and line index.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user named it (relative where possible).
    pub path: PathBuf,
    /// The file's text.
    pub text: Arc<str>,
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// A source file for `text` read from `path`.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0u32];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        line_starts.shrink_to_fit();
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// The display name of the file.
    pub fn name(&self) -> String {
        self.path.display().to_string()
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_starts[line] as usize;
        let mut boundary = offset;
        while !self.text.is_char_boundary(boundary) {
            boundary -= 1;
        }
        let col = self.text[start..boundary].chars().count() + 1;
        (line + 1, col)
    }

    /// Number of lines (a final line break starts one more, empty line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based index of the line holding byte `offset`; a line break belongs
    /// to the line it ends. Offsets past the end fall on the last line.
    pub fn line_index(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len()) as u32;
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// Byte offset where 0-based line `line` starts (the end of the text past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .map_or(self.text.len(), |&s| s as usize)
    }

    /// Byte offset where 0-based line `line` ends, before its line break.
    pub fn line_end(&self, line: usize) -> usize {
        let next = self.line_start(line + 1);
        let text = self.text.as_bytes();
        let mut end = next;
        if end > self.line_start(line) && text.get(end - 1) == Some(&b'\n') {
            end -= 1;
            if end > self.line_start(line) && text.get(end - 1) == Some(&b'\r') {
                end -= 1;
            }
        }
        end
    }

    /// The text of 1-based line `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map(|&e| e as usize)
            .unwrap_or(self.text.len());
        self.text[start as usize..end].trim_end_matches(['\n', '\r'])
    }
}

/// Every file read during one run, addressed by [`SourceId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a file and return its id.
    pub fn add(&mut self, path: impl AsRef<Path>, text: impl Into<Arc<str>>) -> SourceId {
        let id = SourceId(self.files.len() as u32);
        self.files
            .push(SourceFile::new(path.as_ref().to_path_buf(), text));
        id
    }

    /// The file with id `id`.
    pub fn get(&self, id: SourceId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        let text = &self.get(span.source).text;
        text.get(span.range()).unwrap_or("")
    }

    /// Every file, in the order they were added.
    pub fn files(&self) -> impl Iterator<Item = (SourceId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (SourceId(i as u32), f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("a.yaml", "a: 1\ntitle: 新機能 x\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(5), (2, 1));
        let x = f.text.find(" x").unwrap() + 1;
        assert_eq!(f.line_col(x), (2, 12));
        assert_eq!(f.line_text(2), "title: 新機能 x");
    }

    #[test]
    fn line_index_and_bounds() {
        let f = SourceFile::new("a.yaml", "ab\r\ncd\n\nef");
        assert_eq!(f.line_count(), 4);
        assert_eq!(f.line_index(0), 0);
        assert_eq!(
            f.line_index(3),
            0,
            "a line break belongs to the line it ends"
        );
        assert_eq!(f.line_index(4), 1);
        assert_eq!(f.line_index(99), 3);
        assert_eq!((f.line_start(1), f.line_end(1)), (4, 6));
        assert_eq!((f.line_start(0), f.line_end(0)), (0, 2));
        assert_eq!((f.line_start(2), f.line_end(2)), (7, 7));
        assert_eq!((f.line_start(3), f.line_end(3)), (8, 10));
        assert_eq!(f.line_start(4), 10);
    }
}
