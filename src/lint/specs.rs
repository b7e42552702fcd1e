//! The engine's entry for a spec workspace: the one verdict that `build`,
//! `test` and `lint` share.
//!
//! Every feature is lowered into the rule-file IR (spans back into its spec),
//! then [`run`](super::run) judges it with every registered rule — rule,
//! group, threshold and workspace checks alike — under the project file's
//! `lint:` settings and the specs' `# promspec: disable=` comments.

use std::sync::Arc;

use crate::catalog::Catalog;
use crate::compile::lower;
use crate::diag::Diagnostic;
use crate::lint::run::{self, Input, Target};
use crate::lint::settings::Settings;
use crate::source::SourceMap;
use crate::spec::model::Workspace;

/// Every finding of the engine on `ws`, severities and suppressions applied.
pub fn check(ws: &Workspace, sources: &SourceMap) -> Vec<Diagnostic> {
    check_with_catalog(ws, sources, None)
}

/// [`check`] with the project's metrics catalog, when there is one.
pub fn check_with_catalog(
    ws: &Workspace,
    sources: &SourceMap,
    catalog: Option<Arc<Catalog>>,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut own = settings(ws, &mut diagnostics);
    own.catalog = catalog;
    let settings = [Settings::default(), own];
    let targets: Vec<Target> = ws
        .features
        .iter()
        .map(|feature| Target {
            source: feature.source,
            files: vec![lower::feature(&ws.project, feature)],
            comments: ws
                .comments
                .get(&feature.source)
                .cloned()
                .unwrap_or_default(),
            items: feature
                .thresholds
                .iter()
                .map(|t| t.span)
                .chain(feature.slos.iter().map(|s| s.span))
                .chain(feature.alerts.iter().map(|a| a.span))
                .chain(feature.records.iter().map(|r| r.span))
                .collect(),
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
fn settings(ws: &Workspace, diagnostics: &mut Vec<Diagnostic>) -> Settings {
    if ws.project.source.is_none() {
        return Settings::default();
    }
    let mut s = Settings::from_config(&ws.project.lint, diagnostics);
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
