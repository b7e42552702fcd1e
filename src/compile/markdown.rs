//! Markdown for the generated runbook pages, the diff report and the
//! dashboards' panel descriptions: table rows and cells (GitHub-flavored
//! tables), inline code that shows any alert name as written (in a table
//! cell or in prose), code blocks, and plain text escaped so it stays text.

/// One table row: `| a | b |`.
pub fn row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    out.push('|');
    for cell in cells {
        out.push(' ');
        out.push_str(&cell);
        out.push_str(" |");
    }
    out.push('\n');
}

/// The header row and the delimiter row of a table.
pub fn header(out: &mut String, columns: &[&str]) {
    row(out, columns.iter().map(|c| c.to_string()));
    row(out, columns.iter().map(|_| "---".to_string()));
}

/// Prose written in a spec (a title, a description, an action) inside a
/// table cell: whitespace and line breaks collapsed to single spaces, `|`
/// escaped; other Markdown in it is kept, as the author wrote it.
pub fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// `text` (an alert name: any string Prometheus accepts) as inline code
/// that is safe inside a GitHub-flavored Markdown table cell and shows the
/// text as written: a code span whose backtick fence is longer than any
/// run of backticks inside, padded when the text starts or ends with a
/// space or a backtick, `|` escaped as `\|`; control characters shown
/// escaped (`\n`). A backslash right before a `|` cannot be written in a
/// code span inside a table (the table reads `\\` as an escape pair), so
/// such text becomes `<code>` with its punctuation as character references.
pub fn code(text: &str) -> String {
    let visible = visible(text);
    if visible.contains("\\|") {
        let mut out = String::from("<code>");
        for c in visible.chars() {
            if c.is_ascii_punctuation() {
                out.push_str(&format!("&#{};", c as u32));
            } else {
                out.push(c);
            }
        }
        out.push_str("</code>");
        return out;
    }
    code_span_of(&visible.replace('|', "\\|"))
}

/// `text` (an alert name) as inline code in prose, outside a table: as
/// [`code`] without the table's `|` escaping.
pub fn inline_code(text: &str) -> String {
    code_span_of(&visible(text))
}

/// `text` (an expression, any number of lines) as a fenced code block of
/// language `info`, its fence longer than any run of backticks inside.
pub fn code_block(text: &str, info: &str) -> String {
    let fence = "`".repeat(longest_backtick_run(text).max(2) + 1);
    format!("{fence}{info}\n{}\n{fence}", text.trim_end_matches('\n'))
}

/// Control characters shown escaped (`\n`), the rest as is.
fn visible(text: &str) -> String {
    let mut visible = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => visible.push_str("\\n"),
            '\t' => visible.push_str("\\t"),
            '\r' => visible.push_str("\\r"),
            c if c.is_control() => visible.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => visible.push(c),
        }
    }
    visible
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// A code span showing `visible`: a fence longer than any run of
/// backticks inside, padded when it starts or ends with a space or a
/// backtick.
fn code_span_of(visible: &str) -> String {
    let fence = "`".repeat(longest_backtick_run(visible) + 1);
    let pad = if visible.starts_with([' ', '`']) || visible.ends_with([' ', '`']) {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{visible}{pad}{fence}")
}

/// `text` as plain Markdown text inside a table cell, shown as written:
/// the punctuation that could start markup backslash-escaped (no emphasis,
/// links, HTML or code spans; `\|` stays in its cell), control characters
/// shown escaped (`\n`).
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\\\n"),
            '\t' => out.push_str("\\\\t"),
            '\r' => out.push_str("\\\\r"),
            c if c.is_control() => out.push_str(&format!("\\\\u{{{:04x}}}", c as u32)),
            c if "\\`*_[]<>|~&!".contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_shows_any_alert_name() {
        assert_eq!(code("HighCpu"), "`HighCpu`");
        assert_eq!(code("A | B (>80%)"), r"`A \| B (>80%)`");
        assert_eq!(code("a `b` c"), "``a `b` c``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code(" lead"), "`  lead `");
        assert_eq!(code("a\nb"), r"`a\nb`");
        assert_eq!(code(r"a\|b"), "<code>a&#92;&#124;b</code>");
        assert_eq!(text("A (x) *b* | `c`"), r"A (x) \*b\* \| \`c\`");
    }

    #[test]
    fn inline_code_and_code_blocks_outside_tables() {
        assert_eq!(inline_code(r"A | B \ `c`"), r"`` A | B \ `c` ``");
        assert_eq!(inline_code("a\nb"), r"`a\nb`");
        assert_eq!(code_block("up < 1\n", "promql"), "```promql\nup < 1\n```");
        assert_eq!(code_block("a ```` b", ""), "`````\na ```` b\n`````");
    }

    #[test]
    fn rows_and_cells() {
        let mut out = String::new();
        header(&mut out, &["a", "b"]);
        row(&mut out, [cell("x |\n y"), code("Z")]);
        assert_eq!(out, "| a | b |\n| --- | --- |\n| x \\| y | `Z` |\n");
    }
}
