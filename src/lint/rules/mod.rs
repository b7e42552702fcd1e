//! Lint rules, one file per rule: the directory is the id group and the
//! file the id name (`dashboards/uid_too_long.rs` ↔ `dashboards/uid-too-long`).
//! [`registry`](super::registry) lists them all.
//!
//! Rules on rule files and thresholds are run by [`run`](super::run) with
//! their context; the workspace rules below (dashboards, routing, the
//! `thresholds/*` rules that read the query) are functions `check(&Workspace, &SourceMap)
//! -> Vec<Diagnostic>` run by the spec pipeline's check stage, so `build`
//! reports them too. Rules judge resolved data and never print, read files
//! or write.

pub mod alerts;
pub mod dashboards;
pub mod promql;
pub mod routing;
#[allow(clippy::module_inception)] // the `rules/*` id group
pub mod rules;
pub mod thresholds;

use std::sync::OnceLock;

use crate::diag::Diagnostic;
use crate::source::SourceMap;
use crate::spec::model::Workspace;

/// Run every workspace rule of this module.
pub fn check(ws: &Workspace, sources: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    out.extend(dashboards::uid_too_long::check(ws, sources));
    out.extend(dashboards::duplicate_uid::check(ws, sources));
    out.extend(thresholds::unit_mismatch::check(ws, sources));
    out.extend(thresholds::label_collision::check(ws, sources));
    out.extend(thresholds::comparison_in_query::check(ws, sources));
    out.extend(thresholds::scale_mismatch::check(ws, sources));
    out.extend(routing::check(ws, sources));
    out
}

/// The documentation of one rule, taken from its doc comment.
#[derive(Debug, Clone, Copy)]
pub struct RuleDoc {
    /// The permanent id.
    pub id: &'static str,
    /// The doc comment: What it does · Why is this bad? · Example · Use instead.
    pub docs: &'static str,
}

impl RuleDoc {
    /// The first sentence of "What it does", on one line.
    pub fn summary(&self) -> &'static str {
        static SUMMARIES: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
        let all = SUMMARIES.get_or_init(|| {
            all()
                .iter()
                .map(|r| (r.id, first_sentence(r.docs)))
                .collect()
        });
        all.iter()
            .find(|(id, _)| *id == self.id)
            .map_or("", |(_, s)| s.as_str())
    }

    /// The documentation as Markdown, doc-comment indentation removed.
    pub fn markdown(&self) -> String {
        self.docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }
}

/// The first sentence of the first paragraph that is not a heading.
fn first_sentence(docs: &str) -> String {
    let paragraph: Vec<&str> = docs
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty() || l.starts_with('#'))
        .take_while(|l| !l.is_empty())
        .collect();
    let text = paragraph.join(" ");
    match text.find(". ").or_else(|| text.find(": ")) {
        Some(end) => format!("{}.", &text[..end]),
        None => text,
    }
}

/// Declares a rule type whose doc comment is its user documentation.
macro_rules! declare_rule {
    ($(#[doc = $doc:expr])* $name:ident = $id:literal) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl $name {
            /// The rule's id.
            pub const ID: &'static str = $id;
            /// The rule's documentation.
            pub const DOC: $crate::lint::rules::RuleDoc = $crate::lint::rules::RuleDoc {
                id: $id,
                docs: concat!($($doc, "\n"),*),
            };
        }
    };
}
pub(crate) use declare_rule;

/// Every rule's documentation.
pub fn all() -> Vec<RuleDoc> {
    routing::RULES.to_vec()
}

/// The documentation of rule `id`.
pub fn find(id: &str) -> Option<RuleDoc> {
    all().into_iter().find(|r| r.id == id)
}

#[cfg(test)]
pub(crate) mod test {
    //! Load inline specs and render what a rule reports.

    use crate::diag::Diagnostic;
    use crate::diag::render::{OutputFormat, RenderOptions, emit};
    use crate::pipeline;
    use crate::source::SourceMap;
    use crate::spec::model::Workspace;

    /// The project file `promspec init` writes.
    const PROJECT: &str = include_str!("../../cli/templates/promspec.yaml");

    /// Load `features` (`(file stem, yaml)`) with the default project file.
    pub fn load(features: &[(&str, &str)]) -> (Workspace, SourceMap) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("promspec.yaml"), PROJECT).unwrap();
        for (stem, text) in features {
            std::fs::write(dir.path().join(format!("{stem}.yaml")), text).unwrap();
        }
        let loaded = pipeline::load(dir.path()).unwrap();
        (loaded.workspace.unwrap(), loaded.sources)
    }

    /// A feature spec with one threshold.
    pub fn feature(slug: &str, threshold: &str) -> String {
        format!("feature: {slug}\nteam: ops\nthresholds:\n{threshold}")
    }

    /// The diagnostics rendered as a person sees them, file names shortened.
    pub fn render(diags: &[Diagnostic], sources: &SourceMap) -> String {
        let mut out = Vec::new();
        emit(
            OutputFormat::Human,
            diags,
            sources,
            RenderOptions {
                color: false,
                width: 80,
            },
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut shortened = text.clone();
        for (_, file) in sources.files() {
            let name = file.name();
            if let Some(base) = std::path::Path::new(&name).file_name() {
                shortened = shortened.replace(&name, &base.to_string_lossy());
            }
        }
        shortened
    }
}
