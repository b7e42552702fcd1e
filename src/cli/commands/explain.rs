//! `promspec explain`.

use crate::cli::ExitStatus;
use crate::cli::args::ExplainArgs;
use crate::cli::output::error;
use crate::diag::codes;

/// Print the documentation of an id, or list every id.
pub fn run(args: ExplainArgs) -> ExitStatus {
    if args.list {
        for code in codes::CODES {
            println!("{:<28} {}", code.id, code.summary);
        }
        return ExitStatus::Success;
    }
    let id = args.id.unwrap_or_default();
    match codes::find(&id) {
        Some(code) => {
            println!("# {}\n\n{}\n\n{}", code.id, code.summary, code.explanation);
            ExitStatus::Success
        }
        None => {
            let ids = codes::CODES.iter().map(|c| c.id);
            match crate::spec::decode::did_you_mean(&id, ids) {
                Some(best) => error(format!(
                    "unknown id `{id}`; did you mean `{best}`? (`promspec explain --list` lists every id)"
                )),
                None => error(format!(
                    "unknown id `{id}`; `promspec explain --list` lists every id"
                )),
            }
            ExitStatus::Error
        }
    }
}
