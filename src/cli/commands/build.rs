//! `promspec build`.

use std::path::Path;

use crate::cli::ExitStatus;
use crate::cli::args::BuildArgs;
use crate::cli::output::{self, err, error, load_workspace, print_diagnostics};
use crate::cli::project;
use crate::compile::conventions::BUILD_MANIFEST;
use crate::compile::write::{self, Change};
use crate::compile::{self, Output};
use crate::diag::Diagnostics;
use crate::pipeline;

/// Compile the specs and write or check the output directory.
pub fn run(args: BuildArgs) -> ExitStatus {
    let project = project::locate(args.specs.as_deref());
    let out = args.out.unwrap_or(project.generated);
    let specs = project.specs;
    if let Err(e) = write::check_out_dir(&out, &specs) {
        error(e);
        return ExitStatus::Error;
    }
    let (workspace, sources) = match load_workspace(&specs, args.format.into(), "written") {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let outputs = pipeline::compile(&workspace);
    let collisions = compile::collisions::check(&workspace.features, &outputs);
    if !collisions.is_empty() {
        let mut diagnostics = Diagnostics::new();
        diagnostics.extend(collisions);
        diagnostics.sort();
        print_diagnostics(&diagnostics, &sources, args.format.into());
        err(format_args!(
            "nothing was written: fix the errors above first\n"
        ));
        return ExitStatus::Failure;
    }
    let result = if args.check {
        check(&out, &outputs)
    } else {
        build(&out, &outputs)
    };
    result.unwrap_or_else(|e| {
        error(e);
        ExitStatus::Error
    })
}

fn waiting(out: &Path) -> impl FnOnce() + '_ {
    move || {
        err(format_args!(
            "waiting for another promspec run on {} to finish\n",
            out.display()
        ))
    }
}

fn plan(out: &Path, outputs: &[Output]) -> Result<write::Plan, write::WriteError> {
    let plan = write::plan(out, outputs, BUILD_MANIFEST)?;
    for file in &plan.left_alone {
        err(format_args!(
            "warning: {}: {}\n",
            out.join(&file.path).display(),
            file.reason
        ));
    }
    Ok(plan)
}

fn check(out: &Path, outputs: &[Output]) -> Result<ExitStatus, write::WriteError> {
    let _lock = write::lock_for_reading(out, waiting(out))?;
    let plan = plan(out, outputs)?;
    let shown = out.display();
    if plan.is_up_to_date() {
        err(format_args!(
            "{shown} is up to date ({} files)\n",
            outputs.len()
        ));
        return Ok(ExitStatus::Success);
    }
    output::out(format_args!("{}", plan.diff()));
    err(format_args!(
        "{shown} is out of date: {} file(s) differ from what the specs produce; run `promspec build` and commit the result\n",
        plan.difference_count()
    ));
    Ok(ExitStatus::Failure)
}

fn build(out: &Path, outputs: &[Output]) -> Result<ExitStatus, write::WriteError> {
    let _lock = write::lock_for_writing(out, waiting(out))?;
    let plan = plan(out, outputs)?;
    write::apply(out, &plan)?;
    let count = |f: fn(&Change) -> bool| plan.changes.iter().filter(|c| f(c)).count();
    let temps = match plan.stale_temps.len() {
        0 => String::new(),
        n => format!(", {n} temporary file(s) of an interrupted run removed"),
    };
    err(format_args!(
        "{}: {} created, {} updated, {} deleted, {} unchanged{temps}\n",
        out.display(),
        count(|c| matches!(c, Change::Create { .. })),
        count(|c| matches!(c, Change::Update { .. })),
        count(|c| matches!(c, Change::Delete { .. })),
        plan.unchanged,
    ));
    Ok(ExitStatus::Success)
}
