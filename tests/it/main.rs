//! Integration tests: one binary, one module per concern, shared helpers in [`support`].
//!
//! Tests that need upstream tools (promtool, amtool, Prometheus, Alertmanager,
//! Grafana's types) fail when the tool is missing; `scripts/test.sh` installs them.

mod alertmanager;
mod alertmanager_live;
mod cli;
mod cli_test;
mod corpus;
mod dashboards;
mod docs;
mod e2e;
mod generated;
mod grafana_schema;
mod lint_cli;
mod mutation;
mod robustness;
mod routing_lints;
mod schema;
mod spec_invalid;
mod support;
mod unittests;
mod upstream;
