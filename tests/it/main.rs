//! Integration tests: one binary, one module per concern, shared helpers in [`support`].
//!
//! Tests that need upstream tools (promtool, amtool, Prometheus, Alertmanager,
//! Grafana's types) fail when the tool is missing; `scripts/test.sh` installs them.

mod alert_names;
mod alertmanager;
mod alertmanager_live;
mod alerts_section;
mod architecture;
mod catalog;
mod catalog_live;
mod cli;
mod cli_test;
mod corpus;
mod daemon;
mod dashboards;
mod diff;
mod discovery;
mod docs;
mod e2e;
mod fault_injection;
mod generated;
mod grafana_schema;
mod hostile;
mod import;
mod invalid_projects;
mod lint_adoption;
mod lint_cli;
mod lint_crashes;
mod mutation;
mod notifications;
mod output_safety;
mod precision;
mod readme;
mod robustness;
mod routing_lints;
mod schema;
mod slo;
mod slo_parity;
mod spec_invalid;
mod support;
mod targets;
mod unittests;
mod upstream;
mod verdict;
