//! The `promspec` binary: parse arguments, run, map to an exit code.

use std::io::Write;
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
                .and_then(|()| std::io::stdout().flush())
                .or_else(|e| match e.kind() {
                    std::io::ErrorKind::BrokenPipe => Ok(()),
                    _ => Err(e),
                });
            if let Err(e) = &printed {
                let _ = writeln!(
                    std::io::stderr(),
                    "error: cannot write to standard output: {e}"
                );
            }
            return if e.use_stderr() || printed.is_err() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    promspec::cli::run(args).into()
}
