//! Inline suppressions: YAML comments that turn a rule off for one rule or
//! one file.
//!
//! - `# promspec: disable=<id>[,<id>...]` turns the rules off for the rule
//!   (or spec threshold) that contains the comment or, when the comment sits
//!   between items, the next one;
//! - `# promspec: disable-file=<id>[,<id>...]` turns them off for the whole
//!   file.
//!
//! Text after the ids (separated by a space) is a free-form reason. A
//! directive that is malformed, names an unknown rule, or suppresses
//! nothing is itself reported, so stale suppressions do not pile up.

use crate::diag::Diagnostic;
use crate::lint::registry;
use crate::lint::settings::Settings;
use crate::source::Span;
use crate::yaml::Comment;

/// Where a directive applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One rule or threshold: the given span.
    Item(Span),
    /// The whole file.
    File,
}

/// One parsed directive.
#[derive(Debug, Clone)]
pub struct Directive {
    /// The rules it turns off.
    pub ids: Vec<&'static str>,
    /// Where.
    pub scope: Scope,
    /// The comment.
    pub span: Span,
}

const PREFIX: &str = "promspec:";

fn invalid(span: Span, message: String, help: &str) -> Diagnostic {
    Diagnostic::warning("lint/invalid-disable", message)
        .with_label(span, "this comment has no effect")
        .with_help(help.to_string())
}

fn unused(span: Span, id: &str) -> Diagnostic {
    Diagnostic::warning(
        "lint/unused-disable",
        format!("`{id}` is disabled here but reports nothing"),
    )
    .with_label(span, "nothing to suppress")
    .with_help("remove the id from the comment, or the comment itself")
}

/// Parse the directives of one file's comments. `items` are the spans of the
/// rules (or thresholds) a `disable=` directive can attach to, in file order.
pub fn directives(
    text: &str,
    comments: &[Comment],
    items: &[Span],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Directive> {
    let mut out = Vec::new();
    for c in comments {
        let Some(rest) = c.text.trim_start().strip_prefix(PREFIX) else {
            continue;
        };
        let body = rest.trim_start();
        let directive = body.split_whitespace().next().unwrap_or("");
        let (file_wide, list) = if let Some(list) = directive.strip_prefix("disable-file=") {
            (true, list)
        } else if let Some(list) = directive.strip_prefix("disable=") {
            (false, list)
        } else {
            diagnostics.push(invalid(
                c.span,
                format!("`{}` is not a promspec directive", directive),
                "write `# promspec: disable=<rule-id>` (next rule) or `# promspec: disable-file=<rule-id>`",
            ));
            continue;
        };
        let mut ids = Vec::new();
        for id in list.split(',').map(str::trim) {
            match registry::find(id) {
                Some(rule) => ids.push(rule.id),
                None => {
                    let hint =
                        crate::spec::decode::did_you_mean(id, registry::RULES.iter().map(|r| r.id));
                    let help = match hint {
                        Some(best) => format!(
                            "did you mean `{best}`? `promspec explain --list` lists every rule"
                        ),
                        None => "`promspec explain --list` lists every rule".to_string(),
                    };
                    diagnostics.push(invalid(
                        c.span,
                        format!("unknown lint rule `{id}` in a disable comment"),
                        &help,
                    ));
                }
            }
        }
        if ids.is_empty() {
            continue;
        }
        let scope = if file_wide {
            Scope::File
        } else {
            // The item containing the comment, unless the comment trails it
            // (YAML mappings end where the next item starts); else the next one.
            let contains = |s: &&Span| {
                s.start <= c.span.start
                    && s.end > c.span.end
                    && text
                        .get(c.span.end as usize..s.end as usize)
                        .is_some_and(|rest| {
                            rest.lines().map(str::trim).any(|l| {
                                !l.is_empty() && !l.starts_with('#') && !l.starts_with('-')
                            })
                        })
            };
            let target = items
                .iter()
                .find(contains)
                .or_else(|| items.iter().find(|s| s.start >= c.span.end));
            match target {
                Some(item) => Scope::Item(*item),
                None => {
                    diagnostics.push(invalid(
                        c.span,
                        "no rule follows this disable comment".to_string(),
                        "put the comment just above the rule it is about, or use `disable-file=`",
                    ));
                    continue;
                }
            }
        };
        out.push(Directive {
            ids,
            scope,
            span: c.span,
        });
    }
    out
}

/// Drop the findings the directives suppress and report directives that
/// suppressed nothing (unless their rule is off anyway).
pub fn apply(
    directives: &[Directive],
    settings: &Settings,
    findings: &mut Vec<Diagnostic>,
    report: &mut Vec<Diagnostic>,
) {
    let mut used = vec![vec![false; 0]; directives.len()];
    for (i, d) in directives.iter().enumerate() {
        used[i] = vec![false; d.ids.len()];
    }
    findings.retain(|f| {
        let Some(span) = f.primary_span() else {
            return true;
        };
        let mut keep = true;
        for (i, d) in directives.iter().enumerate() {
            if d.span.source != span.source {
                continue;
            }
            let inside = match d.scope {
                Scope::File => true,
                Scope::Item(item) => {
                    span.start >= item.start && span.start < item.end.max(item.start + 1)
                }
            };
            if !inside {
                continue;
            }
            if let Some(j) = d.ids.iter().position(|id| *id == f.id) {
                used[i][j] = true;
                keep = false;
            }
        }
        keep
    });
    for (d, used) in directives.iter().zip(used) {
        for (id, used) in d.ids.iter().zip(used) {
            if !used && settings.enabled(id) {
                report.push(unused(d.span, id));
            }
        }
    }
}
