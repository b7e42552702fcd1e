//! `dashboards/*`: rules about the generated Grafana dashboards.

pub mod duplicate_uid;
pub mod uid_too_long;
