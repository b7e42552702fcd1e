//! `promspec build`.

use crate::cli::ExitStatus;
use crate::cli::args::BuildArgs;
use crate::cli::output::{error, load_workspace};
use crate::compile::write::{self, Change};
use crate::pipeline;

/// Compile the specs and write or check `generated/`.
pub fn run(args: BuildArgs) -> ExitStatus {
    let workspace = match load_workspace(&args.specs, args.format.into(), "written") {
        Ok(ws) => ws,
        Err(status) => return status,
    };
    let outputs = pipeline::compile(&workspace);
    let changes = match write::plan(&args.out, &outputs) {
        Ok(c) => c,
        Err(e) => {
            error(e);
            return ExitStatus::Error;
        }
    };
    let out = args.out.display();
    if args.check {
        if changes.is_empty() {
            eprintln!("{out} is up to date ({} files)", outputs.len());
            return ExitStatus::Success;
        }
        print!("{}", write::diff(&changes));
        eprintln!(
            "{out} is out of date: {} file(s) differ from what the specs produce; run `promspec build` and commit the result",
            changes.len()
        );
        return ExitStatus::Failure;
    }
    if let Err(e) = write::apply(&args.out, &changes) {
        error(e);
        return ExitStatus::Error;
    }
    let count = |f: fn(&Change) -> bool| changes.iter().filter(|c| f(c)).count();
    eprintln!(
        "{out}: {} created, {} updated, {} deleted, {} unchanged",
        count(|c| matches!(c, Change::Create { .. })),
        count(|c| matches!(c, Change::Update { .. })),
        count(|c| matches!(c, Change::Delete { .. })),
        outputs.len() - count(|c| !matches!(c, Change::Delete { .. })),
    );
    ExitStatus::Success
}
