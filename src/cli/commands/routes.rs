//! `promspec routes test`.

use crate::cli::ExitStatus;
use crate::cli::args::RoutesTestArgs;
use crate::cli::output::{err, error, out, print_diagnostics};
use crate::cli::project;
use crate::compile::alertmanager;
use crate::diag::Diagnostics;
use crate::pipeline;
use crate::routing::answer;
use crate::routing::config::Config;
use crate::routing::read;
use crate::source::SourceMap;

/// The configuration to evaluate: read from `--config`, or compiled from the specs.
fn load_config(args: &RoutesTestArgs) -> Result<Config, ExitStatus> {
    if let Some(path) = &args.config {
        // Regular files only: reading a FIFO would block forever.
        let regular = std::fs::metadata(path).and_then(|m| {
            if m.is_file() {
                Ok(())
            } else {
                Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a regular file",
                ))
            }
        });
        let text = regular
            .and_then(|()| std::fs::read_to_string(path))
            .map_err(|e| {
                error(format!("cannot read {}: {e}", path.display()));
                ExitStatus::Error
            })?;
        let mut sources = SourceMap::new();
        let id = sources.add(path, text);
        return read::read(&sources, id).map_err(|diags| {
            let mut all = Diagnostics::new();
            all.extend(diags);
            print_diagnostics(&all, &sources, args.format.into());
            ExitStatus::Failure
        });
    }
    let loaded = pipeline::load(&project::locate(args.specs.as_deref()).specs).map_err(|e| {
        error(e);
        ExitStatus::Error
    })?;
    if loaded.diagnostics.has_errors() {
        print_diagnostics(&loaded.diagnostics, &loaded.sources, args.format.into());
    }
    match loaded.workspace {
        Some(ws) if !loaded.diagnostics.has_errors() => {
            Ok(alertmanager::config(&ws.project, &ws.features))
        }
        _ => {
            err(format_args!(
                "cannot compile the routing: fix the errors above first\n"
            ));
            Err(ExitStatus::Failure)
        }
    }
}

/// Print where an alert with the given labels goes.
pub fn test(args: RoutesTestArgs) -> ExitStatus {
    let labels = match answer::parse_labels(&args.labels) {
        Ok(l) => l,
        Err(e) => {
            error(e);
            return ExitStatus::Error;
        }
    };
    let at = match args.at.as_deref().map(str::parse::<jiff::Timestamp>) {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            error(format!(
                "`--at {}` is not a time: {e}; write e.g. 2026-03-07T10:00:00+09:00",
                args.at.as_deref().unwrap_or_default()
            ));
            return ExitStatus::Error;
        }
    };
    let config = match load_config(&args) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let result = answer::answer(&config, &labels);
    out(format_args!("{}", answer::render(&result)));
    if let Some(at) = at {
        out(format_args!(
            "{}",
            answer::render_at(
                &result,
                &config.time_intervals,
                at,
                args.at.as_deref().unwrap_or_default()
            )
        ));
    }
    match &args.verify {
        Some(expected) if *expected != result.receivers_line() => {
            err(format_args!(
                "expected receivers `{expected}`, but the alert reaches `{}`\n",
                result.receivers_line()
            ));
            ExitStatus::Failure
        }
        _ => ExitStatus::Success,
    }
}
