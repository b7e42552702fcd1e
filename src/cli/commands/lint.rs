//! `promspec lint`.

use crate::cli::ExitStatus;
use crate::cli::args::{FailOn, LintArgs};
use crate::cli::output::{error, print_diagnostics};
use crate::diag::Severity;
use crate::lint;

/// Lint the given paths (or the project) and print the findings.
pub fn run(args: LintArgs) -> ExitStatus {
    let report = match lint::load::lint(&args.paths) {
        Ok(r) => r,
        Err(e) => {
            error(e);
            return ExitStatus::Error;
        }
    };
    print_diagnostics(&report.diagnostics, &report.sources, args.format.into());
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    if report.diagnostics.any_at_least(threshold) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}
