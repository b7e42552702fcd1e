//! Printing diagnostics and messages for the commands.

use std::io::{IsTerminal, Write};

use crate::diag::Diagnostics;
use crate::diag::render::{self, OutputFormat, RenderOptions};
use crate::source::SourceMap;

/// Print `diagnostics` in `format`: human reports go to stderr, machine formats to stdout.
pub fn print_diagnostics(diagnostics: &Diagnostics, sources: &SourceMap, format: OutputFormat) {
    emit(diagnostics, sources, format, stderr_color(), true);
}

/// Print `diagnostics` like [`print_diagnostics`], without the count line
/// and with colors as given (human format only).
pub fn print_findings(
    diagnostics: &Diagnostics,
    sources: &SourceMap,
    format: OutputFormat,
    color: bool,
) {
    emit(diagnostics, sources, format, color, false);
}

/// Whether stderr is a terminal and `NO_COLOR` is not set.
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn emit(
    diagnostics: &Diagnostics,
    sources: &SourceMap,
    format: OutputFormat,
    color: bool,
    counts: bool,
) {
    let items: Vec<_> = diagnostics.iter().cloned().collect();
    let result = if format == OutputFormat::Human {
        if items.is_empty() {
            return;
        }
        let stderr = std::io::stderr();
        let options = RenderOptions { color, ..options() };
        let mut lock = stderr.lock();
        render::emit(format, &items, sources, options, &mut lock).and_then(|_| {
            if counts {
                writeln!(lock, "{}", count_line(diagnostics))
            } else {
                Ok(())
            }
        })
    } else {
        let options = options();
        let mut lock = std::io::stdout().lock();
        render::emit(format, &items, sources, options, &mut lock)
    };
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("promspec: cannot print diagnostics: {e}");
    }
}

/// Plain output at 100 columns, every id described from the rule registry
/// or the codes table.
fn options() -> RenderOptions {
    RenderOptions {
        describe: |id| {
            crate::lint::summary(id)
                .or_else(|| crate::diag::codes::find(id).map(|c| c.summary.to_string()))
        },
        ..RenderOptions::plain(100)
    }
}

/// `1 error, 2 warnings, 0 notes`.
pub fn count_line(diagnostics: &Diagnostics) -> String {
    use crate::diag::Severity;
    let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
    let (e, w, i) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    format!(
        "{}, {}, {}",
        plural(e, "error"),
        plural(w, "warning"),
        plural(i, "note")
    )
}

/// `1 file`, `2 files`.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Print a usage or I/O error.
pub fn error(message: impl std::fmt::Display) {
    eprintln!("error: {message}");
}

/// Load the specs of `specs_dir`, print their diagnostics in `format`, and
/// return the workspace and its sources when it has no error. Otherwise say
/// that nothing was `done` and return the exit status.
pub fn load_workspace(
    specs_dir: &std::path::Path,
    format: crate::diag::render::OutputFormat,
    done: &str,
) -> Result<(crate::spec::model::Workspace, SourceMap), crate::cli::ExitStatus> {
    let loaded = crate::pipeline::load(specs_dir).map_err(|e| {
        error(e);
        crate::cli::ExitStatus::Error
    })?;
    print_diagnostics(&loaded.diagnostics, &loaded.sources, format);
    match loaded.workspace {
        Some(ws) if !loaded.diagnostics.has_errors() => Ok((ws, loaded.sources)),
        _ => {
            eprintln!("nothing was {done}: fix the errors above first");
            Err(crate::cli::ExitStatus::Failure)
        }
    }
}
