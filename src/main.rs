//! The `promspec` binary: parse arguments, run, map to an exit code.

use std::process::ExitCode;

use clap::Parser;

// Linting allocates many small nodes, strings and vectors; mimalloc halves
// the time the system allocator spends on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = match promspec::cli::Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    promspec::cli::run(args).into()
}
