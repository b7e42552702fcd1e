//! The Alertmanager target: `alertmanager/alertmanager.yml` (receivers,
//! route tree, inhibit rules, time intervals), the notification templates
//! its receivers use (`alertmanager/promspec.tmpl`) and `docs/routing.md`.
//!
//! [`alerts`] lists every alert the generated rules can fire with the
//! receivers its spec names; [`routes`] builds the typed
//! [`Config`](crate::routing::config::Config) that delivers each of them to
//! exactly those receivers; [`render`] writes it in Alertmanager 0.25's
//! notation, [`templates`] writes what notifications say, and [`docs`]
//! the routing as a table for reviewers. Only the model is read;
//! problems in it are reported by the routing lints, not here.

pub mod alerts;
pub mod docs;
pub mod render;
pub mod routes;
pub mod templates;

use crate::compile::Output;
use crate::compile::conventions as names;
use crate::compile::yaml_out;
use crate::routing::config::Config;
use crate::spec::model::{Feature, Project};

pub use alerts::{Alert, alerts};

/// The Alertmanager configuration of the workspace.
pub fn config(project: &Project, features: &[Feature]) -> Config {
    routes::config(project, features, &alerts(project, features))
}

/// The configuration file's text, header included.
pub fn render_config(project: &Project, config: &Config) -> String {
    let mut out = names::yaml_header(names::ALL_SPECS_SOURCE);
    out.push_str(&yaml_out::to_string(&render::to_value(config, project)));
    out
}

/// `alertmanager/alertmanager.yml`, its templates `alertmanager/promspec.tmpl`
/// and `docs/routing.md`.
pub fn compile(project: &Project, features: &[Feature]) -> Vec<Output> {
    let alerts = alerts(project, features);
    let config = routes::config(project, features, &alerts);
    vec![
        Output {
            path: names::ALERTMANAGER_PATH.to_string(),
            content: render_config(project, &config),
        },
        Output {
            path: names::ALERTMANAGER_TEMPLATES_PATH.to_string(),
            content: templates::file(),
        },
        Output {
            path: names::ROUTING_DOCS_PATH.to_string(),
            content: docs::render(project, &config, &alerts),
        },
    ]
}
