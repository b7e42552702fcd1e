//! The human format: miette's graphical reports.

use miette::{GraphicalReportHandler, GraphicalTheme};

use super::RenderOptions;
use crate::diag::Diagnostic;
use crate::diag::miette::Attached;
use crate::source::SourceMap;

/// Render one diagnostic as a miette report.
pub fn render_human(d: &Diagnostic, sources: &SourceMap, options: RenderOptions) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false);
    let mut out = String::new();
    let attached = Attached::new(d, sources);
    if handler.render_report(&mut out, &attached).is_err() {
        out = format!("{}: {}\n", d.id, d.message);
    }
    out
}
