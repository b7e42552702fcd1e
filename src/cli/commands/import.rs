//! `promspec import`.

use crate::cli::ExitStatus;
use crate::cli::args::ImportArgs;
use crate::cli::output::{err, error, out, plural, print_diagnostics};
use crate::diag::render::OutputFormat;
use crate::import::{self, Failure, Split};

/// Convert rule files into feature specs and print what became what.
pub fn run(args: ImportArgs) -> ExitStatus {
    let split = match args.split_by.as_deref() {
        None | Some("group") => Split::Group,
        Some(other) => match other.strip_prefix("label:").filter(|l| valid_label(l)) {
            Some(label) => Split::Label(label.to_string()),
            None => {
                error(format!(
                    "--split-by `{other}`: write `group` or `label:<name>` (e.g. `label:team`)"
                ));
                return ExitStatus::Error;
            }
        },
    };
    let outcome = match import::run(&args.paths, &args.specs, split, args.team) {
        Ok(o) => o,
        Err(Failure::Io(message)) => {
            error(message);
            return ExitStatus::Error;
        }
        Err(Failure::Findings {
            sources,
            diagnostics,
        }) => {
            print_diagnostics(&diagnostics, &sources, OutputFormat::Human);
            err(format_args!(
                "nothing was imported: fix the errors above first\n"
            ));
            return ExitStatus::Failure;
        }
    };
    let (mut t, mut l, mut a, mut r) = (0, 0, 0, 0);
    for f in &outcome.files {
        out(format_args!(
            "{}: {} ({}), {}, {}\n",
            args.specs.join(&f.file).display(),
            plural(f.thresholds, "threshold"),
            plural(f.levels, "level"),
            plural(f.alerts, "alert"),
            plural(f.records, "record")
        ));
        for note in &f.notes {
            out(format_args!("  - {note}\n"));
        }
        (t, l, a, r) = (t + f.thresholds, l + f.levels, a + f.alerts, r + f.records);
    }
    for s in &outcome.skipped {
        out(format_args!("skipped {s}\n"));
    }
    out(format_args!(
        "imported {} ({}), {}, {} into {}\n",
        plural(t, "threshold"),
        plural(l, "level"),
        plural(a, "alert"),
        plural(r, "record"),
        plural(outcome.files.len(), "spec file")
    ));
    if outcome.project_created {
        err(format_args!(
            "created {}: its receiver `{}` is a placeholder, replace it\n",
            args.specs.join(crate::spec::load::PROJECT_FILE).display(),
            import::emit::PLACEHOLDER_RECEIVER
        ));
    }
    err(format_args!(
        "next: review the specs, then run `promspec build`\n"
    ));
    ExitStatus::Success
}

fn valid_label(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
