//! `promspec test`.

use crate::cli::ExitStatus;
use crate::cli::args::TestArgs;
use crate::cli::output::{error, load_workspace, out};
use crate::cli::project;
use crate::promtool;

/// Compile the specs and run every threshold's unit test with promtool.
pub fn run(args: TestArgs) -> ExitStatus {
    let promtool = match promtool::locate(args.promtool.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            error(e);
            return ExitStatus::Error;
        }
    };
    let workspace = match load_workspace(
        &project::locate(args.specs.as_deref()).specs,
        args.format.into(),
        "tested",
    ) {
        Ok((ws, _)) => ws,
        Err(status) => return status,
    };
    let scratch = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            error(format!("cannot create a scratch directory: {e}"));
            return ExitStatus::Error;
        }
    };
    match promtool::run(&workspace, &promtool, scratch.path()) {
        Ok(report) => {
            out(format_args!("{report}"));
            if report.failed() {
                ExitStatus::Failure
            } else {
                ExitStatus::Success
            }
        }
        Err(e) => {
            error(e);
            ExitStatus::Error
        }
    }
}
