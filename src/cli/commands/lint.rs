//! `promspec lint`.

use std::path::PathBuf;

use crate::cli::ExitStatus;
use crate::cli::args::LintArgs;
use crate::cli::output::{error, print_diagnostics};
use crate::pipeline;

/// Lint spec directories.
pub fn run(args: LintArgs) -> ExitStatus {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("specs")]
    } else {
        args.paths
    };
    let mut status = ExitStatus::Success;
    for path in paths {
        let loaded = match pipeline::load(&path) {
            Ok(l) => l,
            Err(e) => {
                error(e);
                return ExitStatus::Error;
            }
        };
        print_diagnostics(&loaded.diagnostics, &loaded.sources, args.format.into());
        if loaded.diagnostics.has_errors() {
            status = ExitStatus::Failure;
        }
    }
    status
}
