//! Printing diagnostics and messages for the commands.
//!
//! Every byte the commands print goes through here, never through
//! `println!`/`eprintln!` (which panic when a stream is closed or full). A
//! failed write is remembered: a closed pipe (`promspec ... | head`) ends
//! quietly with the command's own exit status, any other error (a full
//! disk) turns the exit status into 2. See [`finish`].

use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicU8, Ordering};

use crate::cli::ExitStatus;

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
    io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn emit(
    diagnostics: &Diagnostics,
    sources: &SourceMap,
    format: OutputFormat,
    color: bool,
    counts: bool,
) {
    let items = diagnostics.as_slice();
    if failed() || format == OutputFormat::Human && items.is_empty() {
        return;
    }
    let (stream, result) = if format == OutputFormat::Human {
        let options = RenderOptions { color, ..options() };
        let mut sink = io::BufWriter::new(io::stderr().lock());
        let result = render::emit(format, items, sources, options, &mut sink)
            .and_then(|_| {
                if counts {
                    writeln!(sink, "{}", count_line(diagnostics))
                } else {
                    Ok(())
                }
            })
            .and_then(|_| sink.flush());
        (Stream::Stderr, result)
    } else {
        let mut sink = io::BufWriter::new(io::stdout().lock());
        let result =
            render::emit(format, items, sources, options(), &mut sink).and_then(|_| sink.flush());
        (Stream::Stdout, result)
    };
    if let Err(e) = result {
        record(stream, &e);
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
pub fn error(message: impl fmt::Display) {
    err(format_args!("error: {message}\n"));
}

/// Which stream a write went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Stdout,
    Stderr,
}

/// The worst print failure so far: 0 none, 1 a closed pipe, 2 another I/O error.
static FAILURE: AtomicU8 = AtomicU8::new(0);
const BROKEN_PIPE: u8 = 1;
const IO_ERROR: u8 = 2;

fn record(stream: Stream, e: &io::Error) {
    if e.kind() == io::ErrorKind::BrokenPipe {
        FAILURE.fetch_max(BROKEN_PIPE, Ordering::Relaxed);
        return;
    }
    if FAILURE.fetch_max(IO_ERROR, Ordering::Relaxed) < IO_ERROR && stream == Stream::Stdout {
        // Say why the exit status is 2, if stderr still works.
        let _ = writeln!(io::stderr(), "error: cannot write to standard output: {e}");
    }
}

/// Whether a write already failed: further output is pointless.
fn failed() -> bool {
    FAILURE.load(Ordering::Relaxed) != 0
}

/// Print to standard output (machine-readable results, diffs, schemas).
pub fn out(args: fmt::Arguments<'_>) {
    if failed() {
        return;
    }
    if let Err(e) = io::stdout().lock().write_fmt(args) {
        record(Stream::Stdout, &e);
    }
}

/// Print to standard error (progress, summaries, errors).
pub fn err(args: fmt::Arguments<'_>) {
    if failed() {
        return;
    }
    if let Err(e) = io::stderr().lock().write_fmt(args) {
        record(Stream::Stderr, &e);
    }
}

/// The exit status once everything is printed: flush standard output, then
/// turn a failed write other than a closed pipe into [`ExitStatus::Error`].
pub fn finish(status: ExitStatus) -> ExitStatus {
    if !failed()
        && let Err(e) = io::stdout().lock().flush()
    {
        record(Stream::Stdout, &e);
    }
    match FAILURE.load(Ordering::Relaxed) {
        IO_ERROR => ExitStatus::Error,
        _ => status,
    }
}

/// Load the specs of `specs_dir`, print their diagnostics in `format`, and
/// return the workspace and its sources when it has no error. Otherwise say
/// that nothing was `done` and return the exit status.
pub fn load_workspace(
    specs_dir: &std::path::Path,
    format: crate::diag::render::OutputFormat,
    done: &str,
) -> Result<(crate::spec::model::Workspace, SourceMap), ExitStatus> {
    let loaded = crate::pipeline::load(specs_dir).map_err(|e| {
        error(e);
        ExitStatus::Error
    })?;
    print_diagnostics(&loaded.diagnostics, &loaded.sources, format);
    match loaded.workspace {
        Some(ws) if !loaded.diagnostics.has_errors() => Ok((ws, loaded.sources)),
        _ => {
            err(format_args!(
                "nothing was {done}: fix the errors above first\n"
            ));
            Err(ExitStatus::Failure)
        }
    }
}
