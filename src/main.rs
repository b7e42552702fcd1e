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
            // `--help` and `--version` succeed unless their text cannot be
            // written (a closed pipe is fine, a full disk is not).
            let printed = e
                .print()
                .or_else(|e| match e.kind() {
                    std::io::ErrorKind::BrokenPipe => Ok(()),
                    _ => Err(e),
                })
                .and_then(|()| std::io::Write::flush(&mut std::io::stdout()));
            return if e.use_stderr()
                || printed.is_err_and(|e| e.kind() != std::io::ErrorKind::BrokenPipe)
            {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    promspec::cli::run(args).into()
}
