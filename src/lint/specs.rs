//! The engine's entry for a spec workspace: the one verdict that `build`,
//! `test` and `lint` share.
//!
//! Every feature is lowered into the rule-file IR (spans back into its spec),
//! then [`run`](super::run) judges it with every registered rule — rule,
//! group, threshold and workspace checks alike — under the project file's
//! `lint:` settings and the specs' `# promspec: disable=` comments.

use crate::compile::lower;
use crate::diag::Diagnostic;
use crate::lint::run::{self, Input, Target};
use crate::lint::settings::Settings;
use crate::source::{SourceId, SourceMap};
use crate::spec::lint_config;
use crate::spec::model::Workspace;
use crate::yaml;

/// Every finding of the engine on `ws`, severities and suppressions applied.
pub fn check(ws: &Workspace, sources: &SourceMap) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let settings = [Settings::default(), settings(ws, sources, &mut diagnostics)];
    let targets: Vec<Target> = ws
        .features
        .iter()
        .map(|feature| Target {
            source: feature.source,
            files: vec![lower::feature(&ws.project, feature)],
            comments: comments_of(sources, feature.source),
            items: feature.thresholds.iter().map(|t| t.span).collect(),
            settings: 1,
        })
        .collect();
    diagnostics.extend(run::run(&Input {
        sources,
        settings: &settings,
        targets: &targets,
        workspaces: &[(ws, 1)],
    }));
    diagnostics
}

/// Settings of a spec workspace: its project file's `lint:` section.
fn settings(ws: &Workspace, sources: &SourceMap, diagnostics: &mut Vec<Diagnostic>) -> Settings {
    let Some(source) = ws.project.source else {
        return Settings::default();
    };
    let Ok(docs) = yaml::parse(source, &sources.get(source).text) else {
        return Settings::default();
    };
    let Some(doc) = docs.first() else {
        return Settings::default();
    };
    // Shape errors of the project file are the spec loader's to report.
    let config = lint_config::read(&doc.root, &mut Vec::new());
    let mut s = Settings::from_config(&config, diagnostics);
    s.dialect = ws.project.dialect;
    s.scrape_interval = ws.project.scrape_interval;
    s.evaluation_interval = ws.project.evaluation_interval;
    s.evaluation_interval_known = true;
    if s.severity_values.is_none() {
        s.severity_values = Some(
            ws.project
                .severities
                .iter()
                .map(|c| c.level.as_str().to_string())
                .collect(),
        );
    }
    s.routing_labels
        .extend(ws.project.alertmanager.group_by.iter().cloned());
    s.routing_labels.sort();
    s.routing_labels.dedup();
    s
}

fn comments_of(sources: &SourceMap, id: SourceId) -> Vec<yaml::Comment> {
    yaml::parse(id, &sources.get(id).text)
        .map(|docs| docs.into_iter().flat_map(|d| d.comments).collect())
        .unwrap_or_default()
}
