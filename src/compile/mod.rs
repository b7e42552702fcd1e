//! Compilation: the resolved model → every artifact, in memory.
//!
//! Each target is a plain function from the model to [`Output`]s; all
//! generated names come from [`conventions`]. [`write`] is the only code
//! that touches `generated/`.

pub mod alertmanager;
pub mod collisions;
pub mod conventions;
pub mod docs;
pub mod docs_alerts;
pub mod docs_slo;
pub mod grafana;
pub mod lower;
pub mod markdown;
pub mod prometheus;
pub mod slo;
pub mod spec_alerts;
pub mod targets;
pub mod unittests;
pub mod words;
pub mod write;
pub mod yaml_out;

/// One generated file: its path relative to the output directory and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Path relative to the output directory, `/`-separated.
    pub path: String,
    /// Full content, header included.
    pub content: String,
}

/// Every artifact of the workspace, in a stable order.
pub fn all(ws: &crate::spec::model::Workspace) -> Vec<Output> {
    let mut outputs = prometheus::compile(&ws.project, &ws.features);
    outputs.extend(alertmanager::compile(&ws.project, &ws.features));
    outputs.extend(grafana::compile(&ws.project, &ws.features));
    outputs.extend(docs::compile(&ws.project, &ws.features));
    outputs.extend(unittests::compile(&ws.project, &ws.features));
    outputs.extend(targets::compile(&ws.project, &ws.features));
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    outputs
}
