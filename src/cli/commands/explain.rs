//! `promspec explain`.

use crate::cli::ExitStatus;
use crate::cli::args::ExplainArgs;
use crate::cli::output::error;
use crate::diag::codes;
use crate::lint::rules;

/// Print the documentation of an id, or list every id.
pub fn run(args: ExplainArgs) -> ExitStatus {
    if args.list {
        let mut all: Vec<(&str, &str)> = codes::CODES.iter().map(|c| (c.id, c.summary)).collect();
        all.extend(rules::all().iter().map(|r| (r.id, r.summary())));
        all.sort();
        for (id, summary) in all {
            println!("{id:<28} {summary}");
        }
        return ExitStatus::Success;
    }
    let id = args.id.unwrap_or_default();
    if let Some(code) = codes::find(&id) {
        println!("# {}\n\n{}\n\n{}", code.id, code.summary, code.explanation);
        return ExitStatus::Success;
    }
    if let Some(rule) = rules::find(&id) {
        println!("# {}\n\n{}", rule.id, rule.markdown());
        return ExitStatus::Success;
    }
    let rule_ids = rules::all();
    let ids = codes::CODES
        .iter()
        .map(|c| c.id)
        .chain(rule_ids.iter().map(|r| r.id));
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
