//! The human format: miette's graphical reports.
//!
//! Rendering costs the size of each report, never of its file (see
//! [`Attached`]), and reports are rendered on every core, a batch at a time,
//! then written in order.

use std::io::{self, Write};

use miette::{GraphicalReportHandler, GraphicalTheme};

use super::RenderOptions;
use crate::diag::Diagnostic;
use crate::diag::miette::Attached;
use crate::source::SourceMap;

/// Reports rendered together before they are written.
const BATCH: usize = 1024;

/// Render one diagnostic as a miette report.
pub fn render_human(d: &Diagnostic, sources: &SourceMap, options: RenderOptions) -> String {
    Renderer::new(options).render(d, sources)
}

/// Write every diagnostic's report to `out`, in order.
pub(super) fn emit(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let renderer = Renderer::new(options);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    for batch in diagnostics.chunks(BATCH) {
        let per = batch.len().div_ceil(threads).max(1);
        let rendered: Vec<Vec<String>> = if threads == 1 || batch.len() < 64 {
            vec![batch.iter().map(|d| renderer.render(d, sources)).collect()]
        } else {
            std::thread::scope(|scope| {
                let workers: Vec<_> = batch
                    .chunks(per)
                    .map(|part| {
                        let renderer = &renderer;
                        scope.spawn(move || {
                            part.iter()
                                .map(|d| renderer.render(d, sources))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            })
        };
        for text in rendered.iter().flatten() {
            out.write_all(text.as_bytes())?;
        }
    }
    Ok(())
}

/// miette's handlers for one output: one that wraps the message and help
/// (Unicode line breaking, which dominates the cost of a report), and one
/// for texts that need no wrapping.
struct Renderer {
    width: usize,
    wrapping: GraphicalReportHandler,
    fitting: GraphicalReportHandler,
}

impl Renderer {
    fn new(options: RenderOptions) -> Self {
        let theme = if options.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let wrapping = GraphicalReportHandler::new_themed(theme)
            .with_width(options.width)
            .with_links(false);
        // Where the message and help fit on their line, wrapping changes
        // nothing: skip it.
        let fitting = wrapping.clone().with_wrap_lines(false);
        Renderer {
            width: options.width,
            wrapping,
            fitting,
        }
    }

    fn render(&self, d: &Diagnostic, sources: &SourceMap) -> String {
        let handler = if self.fits(d) {
            &self.fitting
        } else {
            &self.wrapping
        };
        let mut out = String::new();
        let attached = Attached::new(d, sources);
        if handler.render_report(&mut out, &attached).is_err() {
            out = format!("{}: {}\n", d.id, d.message);
        }
        out
    }

    /// Whether the message and help come out of wrapping unchanged: one
    /// line of printable ASCII (one column per byte), no space at either
    /// end, shorter than the width less miette's indents (`  ⚠ `,
    /// `  help: `) and a margin.
    fn fits(&self, d: &Diagnostic) -> bool {
        let fits = |text: &str, indent: usize| {
            !text.is_empty()
                && text.bytes().all(|b| (0x21..0x7f).contains(&b) || b == b' ')
                && !text.starts_with(' ')
                && !text.ends_with(' ')
                && text.len() + indent + 3 < self.width
        };
        fits(&d.message, 4) && d.help.as_deref().is_none_or(|h| fits(h, 8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    /// The unwrapped handler is used only where it prints what the wrapping
    /// one prints.
    #[test]
    fn skipping_the_wrap_changes_nothing_where_the_text_fits() {
        let mut sources = SourceMap::new();
        let id = sources.add("a.rules.yml", "groups:\n  - name: g\n    rules: []\n");
        let words = [
            "promql/range-too-short",
            "`rate()`",
            "over",
            "[1s]",
            "a/b",
            "sees-at-most",
            "(one)",
            "sample;",
            "x,y",
            "--",
            "https://promspec.dev/rules/alerts/missing-for",
        ];
        let mut checked = 0;
        for options in [RenderOptions::plain(80), RenderOptions::plain(100)] {
            let renderer = Renderer::new(options);
            for n in 1..40 {
                let text: Vec<&str> = (0..n).map(|i| words[(i * 7 + n) % words.len()]).collect();
                let message = text.join(" ");
                let help = text[..n / 2].join("  ");
                let d = Diagnostic::warning("promql/range-too-short", message)
                    .with_label(Span::new(id, 10..17), "here")
                    .with_help(help);
                let d = if d.help.as_deref() == Some("") {
                    Diagnostic { help: None, ..d }
                } else {
                    d
                };
                if renderer.fits(&d) {
                    let attached = Attached::new(&d, &sources);
                    let (mut fitting, mut wrapping) = (String::new(), String::new());
                    renderer
                        .fitting
                        .render_report(&mut fitting, &attached)
                        .unwrap();
                    renderer
                        .wrapping
                        .render_report(&mut wrapping, &attached)
                        .unwrap();
                    assert_eq!(fitting, wrapping);
                    checked += 1;
                }
            }
        }
        assert!(checked >= 10, "{checked}");
    }
}
