//! The command line: parse arguments, call one library function per
//! command, pick an emitter, map the result to an exit status.
//!
//! Exit codes: 0 clean, 1 findings at error level (or drift in `--check`),
//! 2 usage or I/O error (a full disk while printing included). A closed
//! output pipe is not an error.

pub mod args;
mod commands;
mod output;
mod project;

use std::process::ExitCode;

pub use args::Args;

/// The outcome of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing wrong.
    Success,
    /// Findings at error level, or generated files out of date.
    Failure,
    /// Bad usage or an I/O error.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        match s {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

/// Run the command described by `args`.
///
/// Printing never panics: a closed pipe ends quietly with the command's own
/// status, any other write error makes the status [`ExitStatus::Error`].
pub fn run(args: Args) -> ExitStatus {
    let status = match args.command {
        args::Command::Build(a) => commands::build::run(a),
        args::Command::Lint(a) => commands::lint::run(a),
        args::Command::Test(a) => commands::test::run(a),
        args::Command::Schema(a) => commands::schema::run(a),
        args::Command::Explain(a) => commands::explain::run(a),
        args::Command::Init(a) => commands::init::run(a),
        args::Command::Diff(a) => commands::diff::run(a),
        args::Command::Import(a) => commands::import::run(a),
        args::Command::Catalog(args::CatalogCommand::Import(a)) => commands::catalog::import(a),
        args::Command::Catalog(args::CatalogCommand::Fetch(a)) => commands::catalog::fetch(a),
        args::Command::Routes(args::RoutesCommand::Test(a)) => commands::routes::test(a),
    };
    output::finish(status)
}
