//! Grafana dashboards: one per feature (`grafana/<feature>.json`) and an
//! overview of every feature (`grafana/overview.json`).
//!
//! Dashboards are built as the typed [`model`] and serialized; no JSON is
//! assembled by hand. Every panel reads the recorded series the alerts
//! read, its threshold steps are the alert levels ([`steps`]), and its id
//! is the one the alerts' `dashboard_url` names (both come from
//! [`conventions`](crate::compile::conventions)).

pub mod feature;
pub mod model;
pub mod overview;
pub mod slo;
pub mod steps;

use crate::compile::Output;
use crate::compile::conventions as names;
use crate::spec::model::{Feature, Project};

/// The dashboard of every feature, then the overview.
pub fn compile(project: &Project, features: &[Feature]) -> Vec<Output> {
    let mut out: Vec<Output> = features
        .iter()
        .map(|f| Output {
            path: names::dashboard_path(f),
            content: model::to_json(&feature::dashboard(f, project.dialect)),
        })
        .collect();
    out.push(Output {
        path: names::OVERVIEW_PATH.into(),
        content: model::to_json(&overview::dashboard(project, features)),
    });
    out
}
