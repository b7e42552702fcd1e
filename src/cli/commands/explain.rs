//! `promspec explain`: the documentation of lint rules and other diagnostic ids.

use crate::cli::ExitStatus;
use crate::cli::args::ExplainArgs;
use crate::cli::output::{error, out};
use crate::diag::codes;
use crate::lint::registry;

/// Print the documentation of an id, or list every id.
pub fn run(args: ExplainArgs) -> ExitStatus {
    if args.list {
        out(format_args!("{}", list()));
        return ExitStatus::Success;
    }
    let id = args.id.unwrap_or_default();
    match explain(&id) {
        Some(text) => {
            out(format_args!("{text}"));
            ExitStatus::Success
        }
        None => {
            let ids = registry::RULES
                .iter()
                .map(|r| r.id)
                .chain(codes::CODES.iter().map(|c| c.id));
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

/// Every lint rule, then every other diagnostic id, each with its summary.
pub fn list() -> String {
    let mut out = String::from("Lint rules (severity, category):\n");
    for r in registry::RULES {
        let severity = r.default_severity.map_or("off", |s| s.as_str());
        out.push_str(&format!(
            "  {:<36} {:<8} {:<12} {}\n",
            r.id,
            severity,
            r.category.as_str(),
            r.summary()
        ));
    }
    out.push_str("\nOther diagnostics:\n");
    for c in codes::CODES {
        out.push_str(&format!("  {:<36} {}\n", c.id, c.summary));
    }
    out
}

/// The documentation of `id`, as Markdown.
pub fn explain(id: &str) -> Option<String> {
    if let Some(rule) = registry::find(id) {
        let severity = rule.default_severity.map_or("off", |s| s.as_str());
        return Some(format!(
            "# {}\n\nCategory: {} · default severity: {} · runs on: {}\n\n{}\n",
            rule.id,
            rule.category.as_str(),
            severity,
            rule.check.target(),
            rule.documentation().trim_end()
        ));
    }
    codes::find(id).map(|c| format!("# {}\n\n{}\n\n{}\n", c.id, c.summary, c.explanation))
}
