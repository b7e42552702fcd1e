//! `promspec lint`: run the linter, apply or write a baseline, print the
//! findings and a one-line summary.

use crate::cli::ExitStatus;
use crate::cli::args::{ColorChoice, FailOn, LintArgs};
use crate::cli::output::{count_line, err, error, plural, print_findings, stderr_color};
use crate::cli::project;
use crate::diag::Severity;
use crate::lint;
use crate::lint::baseline::Baseline;
use crate::lint::load::{Options, Report};

/// Lint the given paths (or the project) and print the findings.
pub fn run(args: LintArgs) -> ExitStatus {
    let project_paths = args.paths.is_empty().then(|| {
        let project = project::locate(None);
        vec![project.specs, project.generated]
    });
    let options = Options {
        report_unknown: args.report_unknown,
        project_paths,
    };
    let mut report = match lint::load::lint_with(&args.paths, options) {
        Ok(r) => r,
        Err(e) => {
            error(e);
            return ExitStatus::Error;
        }
    };
    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::record(report.diagnostics.iter(), &report.sources, &report.rules);
        if let Err(e) = std::fs::write(path, baseline.to_json()) {
            error(format_args!("cannot write {}: {e}", path.display()));
            return ExitStatus::Error;
        }
        if !args.quiet {
            err(format_args!(
                "{}: recorded {} in {}\n",
                checked(&report),
                plural(baseline.len(), "finding"),
                path.display()
            ));
        }
        return ExitStatus::Success;
    }
    let mut known = 0;
    if let Some(path) = &args.baseline {
        let baseline = match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| Baseline::parse(&text).map_err(|e| e.to_string()))
        {
            Ok(b) => b,
            Err(e) => {
                error(format_args!("{}: {e}", path.display()));
                return ExitStatus::Error;
            }
        };
        known = baseline.apply(&mut report.diagnostics, &report.sources, &report.rules);
    }
    let color = match args.color {
        ColorChoice::Auto => stderr_color(),
        ColorChoice::Always => true,
        ColorChoice::Never => false,
    };
    print_findings(
        &report.diagnostics,
        &report.sources,
        args.format.into(),
        color,
    );
    if !args.quiet {
        err(format_args!("{}\n", summary(&report, known)));
    }
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

/// `checked 3 files, 12 rules`.
fn checked(report: &Report) -> String {
    format!(
        "checked {}, {}",
        plural(report.files, "file"),
        plural(report.rules.len(), "rule")
    )
}

/// `checked 3 files, 12 rules: no problems (skipped 1 other YAML file, see
/// --report-unknown; 4 known findings in the baseline)`.
fn summary(report: &Report, known: usize) -> String {
    let verdict = if report.diagnostics.is_empty() {
        "no problems".to_string()
    } else {
        count_line(&report.diagnostics)
    };
    let mut notes = Vec::new();
    if !report.skipped.is_empty() {
        notes.push(format!(
            "skipped {}, see --report-unknown",
            plural(report.skipped.len(), "other YAML file")
        ));
    }
    if known > 0 {
        notes.push(format!(
            "{} in the baseline",
            plural(known, "known finding")
        ));
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join("; "))
    };
    format!("{}: {verdict}{notes}", checked(report))
}
