//! `promspec init`.

use crate::cli::ExitStatus;
use crate::cli::args::InitArgs;
use crate::cli::output::{err, error};

const PROJECT: &str = include_str!("../templates/promspec.yaml");
const EXAMPLE: &str = include_str!("../templates/example.yaml");

/// Create a project file and an example spec; never overwrite.
pub fn run(args: InitArgs) -> ExitStatus {
    let files = [("promspec.yaml", PROJECT), ("example.yaml", EXAMPLE)];
    for (name, _) in files {
        let path = args.specs.join(name);
        // `symlink_metadata`: a dangling link counts as a file that exists.
        if path.symlink_metadata().is_ok() {
            error(format!(
                "{} already exists; init never overwrites a file",
                path.display()
            ));
            return ExitStatus::Error;
        }
    }
    if let Err(e) = std::fs::create_dir_all(&args.specs) {
        error(format!("{}: {e}", args.specs.display()));
        return ExitStatus::Error;
    }
    for (name, text) in files {
        let path = args.specs.join(name);
        // `create_new`: never write through a link or over a file that
        // appeared since the check above.
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
        if let Err(e) = written {
            error(format!("{}: {e}", path.display()));
            return ExitStatus::Error;
        }
        err(format_args!("created {}\n", path.display()));
    }
    err(format_args!(
        "next: edit the specs, then run `promspec build`\n"
    ));
    ExitStatus::Success
}
