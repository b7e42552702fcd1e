//! Command-line arguments as clap types; no logic here.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diag::render::OutputFormat;

/// Monitoring as code: compile threshold specs into Prometheus rules,
/// Alertmanager routing, Grafana dashboards, unit tests and runbook tables,
/// and lint specs and hand-written rule files.
#[derive(Debug, Parser)]
#[command(name = "promspec", version, propagate_version = true)]
pub struct Args {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile the specs into `generated/` (or check that it is up to date).
    #[command(
        after_help = "Examples:\n  promspec build\n  promspec build --check          # CI: exit 1 and print the diff if generated/ is stale\n  promspec build --specs ops/specs --out ops/generated"
    )]
    Build(BuildArgs),
    /// Run the generated unit tests of every threshold with promtool.
    #[command(
        after_help = "Examples:\n  promspec test\n  promspec test --promtool /opt/prometheus/promtool\n\nThe specs are compiled in memory and the tests run on the result, so they match the specs even before `promspec build`.\nExit status: 0 all passed, 1 a test failed, 2 promtool missing or unusable input."
    )]
    Test(TestArgs),
    /// Lint specs, Prometheus rule files and PrometheusRule manifests.
    #[command(
        after_help = "Examples:\n  promspec lint                   # the project: specs/ and generated/\n  promspec lint rules/ 'k8s/**/*-rules.yaml' --format concise\n  promspec lint --format sarif > promspec.sarif\n  promspec lint --fail-on warning # CI: warnings fail too\n  promspec lint --write-baseline .promspec-baseline.json   # adopt: record today's findings\n  promspec lint --baseline .promspec-baseline.json         # report only new ones"
    )]
    Lint(LintArgs),
    /// Print or write the JSON schemas of the spec and project file.
    #[command(
        after_help = "Examples:\n  promspec schema                 # feature spec schema to stdout\n  promspec schema --project       # project file schema\n  promspec schema --write schemas # write both files"
    )]
    Schema(SchemaArgs),
    /// Explain a diagnostic id or lint rule.
    #[command(
        after_help = "Examples:\n  promspec explain spec/invalid-unit\n  promspec explain --list"
    )]
    Explain(ExplainArgs),
    /// Ask where alerts go in the generated Alertmanager routing.
    #[command(
        subcommand,
        after_help = "Examples:\n  promspec routes test feature=new-feature alertname=NewFeatureErrorRatio severity=critical"
    )]
    Routes(RoutesCommand),
    /// Create a project file and an example feature spec.
    #[command(
        after_help = "Examples:\n  promspec init                   # creates specs/promspec.yaml and specs/example.yaml\n  promspec init --specs monitoring/specs"
    )]
    Init(InitArgs),
    /// Say what the working tree's specs change against a git revision or a directory.
    #[command(
        after_help = "Examples:\n  promspec diff                   # against HEAD\n  promspec diff origin/main --format markdown > comment.md\n  promspec diff ../release-1.4/specs\n\nReports alerts added, removed or renamed, level values, `for`, receivers, priorities,\nresponse times, time intervals and dashboard panels. Exit status: 0 (also when something\nchanged), 2 when a side cannot be read."
    )]
    Diff(DiffArgs),
    /// Turn Prometheus rule files and PrometheusRule manifests into feature specs.
    #[command(
        after_help = "Examples:\n  promspec import rules/                      # one spec per rule group into specs/\n  promspec import k8s/*-rules.yaml --split-by label:team --team platform\n\nAlerts `<query> > <number>` / `< <number>` (and siblings of the same name that differ by\nseverity) become thresholds with levels; other alerts are kept as `alerts:` entries and\nrecording rules as `records:`. Never overwrites a file; creates a minimal project file when\nthe specs directory has none. Exit status: 0 imported, 1 the rules or the result have errors,\n2 usage or I/O error (nothing written)."
    )]
    Import(ImportArgs),
    /// Build the offline metrics catalog that lint checks metrics against.
    #[command(
        subcommand,
        after_help = "Examples:\n  curl -s localhost:9100/metrics > node.prom && promspec catalog import node.prom -o specs/catalog.yaml\n  curl -s prometheus:9090/api/v1/metadata > metadata.json && promspec catalog import metadata.json -o specs/catalog.yaml\n  promspec catalog fetch --prometheus http://prometheus:9090 --match '{job=\"node\"}' -o specs/catalog.yaml"
    )]
    Catalog(CatalogCommand),
}

/// Subcommands of `catalog`.
#[derive(Debug, clap::Subcommand)]
pub enum CatalogCommand {
    /// Read Prometheus text exposition (`/metrics` output) or the JSON of
    /// `/api/v1/metadata`, `/api/v1/series`, `/api/v1/labels` or
    /// `/api/v1/label/<name>/values` and write a sorted YAML catalog
    /// (metric -> type, help, unit, labels, values of low-cardinality labels).
    Import(CatalogImportArgs),
    /// Ask a running Prometheus (`/api/v1/metadata`, `/api/v1/series`) and
    /// write the catalog: the only network access promspec makes.
    Fetch(CatalogFetchArgs),
}

/// Arguments of `catalog fetch`.
#[derive(Debug, clap::Args)]
pub struct CatalogFetchArgs {
    /// The Prometheus server, e.g. `http://localhost:9090`.
    #[arg(long, value_name = "URL")]
    pub prometheus: String,
    /// Only the series these selectors match (repeatable; default: every
    /// metric the server has metadata for).
    #[arg(long = "match", value_name = "SELECTOR")]
    pub matches: Vec<String>,
    /// Write the catalog here, merged with what the file already holds,
    /// instead of to stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Arguments of `catalog import`.
#[derive(Debug, clap::Args)]
pub struct CatalogImportArgs {
    /// Files to read, merged in order (the first declared type wins).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Write the catalog here (lint reads `catalog.yaml` next to
    /// `promspec.yaml`), merged with what the file already holds, instead
    /// of to stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The metric that `/api/v1/labels` JSON files (its label names) and
    /// `--values` files belong to (asked with `match[]=<metric>`).
    #[arg(long, value_name = "METRIC")]
    pub metric: Option<String>,
    /// `/api/v1/label/<LABEL>/values?match[]=<metric>` JSON saved in FILE:
    /// the values of LABEL on `--metric` (repeatable; give a metric's
    /// labels and values in one import).
    #[arg(long = "values", value_name = "LABEL=FILE", requires = "metric")]
    pub values: Vec<String>,
}

/// How to print findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Reports with source snippets.
    #[default]
    Human,
    /// One line per finding: file:line:col: severity[id] message.
    Concise,
    /// JSON array.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions annotations.
    Github,
}

impl From<Format> for OutputFormat {
    fn from(f: Format) -> OutputFormat {
        match f {
            Format::Human => OutputFormat::Human,
            Format::Concise => OutputFormat::Concise,
            Format::Json => OutputFormat::Json,
            Format::Sarif => OutputFormat::Sarif,
            Format::Github => OutputFormat::Github,
        }
    }
}

/// Arguments of `build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Directory holding `promspec.yaml` and the feature specs (default:
    /// `specs/` of the nearest project, found upwards from here).
    #[arg(long, value_name = "DIR")]
    pub specs: Option<PathBuf>,
    /// Directory of generated files (default: `generated/` next to the
    /// project's `specs/`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write nothing; exit 1 and print a diff if the output is not up to date.
    #[arg(long)]
    pub check: bool,
    /// How to print findings.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Arguments of `test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Directory holding `promspec.yaml` and the feature specs (default:
    /// `specs/` of the nearest project, found upwards from here).
    #[arg(long, value_name = "DIR")]
    pub specs: Option<PathBuf>,
    /// The promtool binary (default: `promtool` on PATH).
    #[arg(long, value_name = "PATH")]
    pub promtool: Option<PathBuf>,
    /// How to print findings in the specs.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Arguments of `lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Specs directories, rule files, `PrometheusRule` manifests, directories
    /// to walk or glob patterns (default: the project, `specs/` and `generated/`).
    pub paths: Vec<PathBuf>,
    /// How to print findings.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Exit 1 when a finding at this level or above exists.
    #[arg(long, value_enum, default_value_t)]
    pub fail_on: FailOn,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Record every finding of this run in FILE and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Print findings only: no summary line.
    #[arg(long, short)]
    pub quiet: bool,
    /// When to color human output.
    #[arg(long, value_enum, default_value_t)]
    pub color: ColorChoice,
    /// Report YAML files that are none of promspec's shapes (CI workflows,
    /// compose files, other manifests) instead of skipping them quietly.
    #[arg(long)]
    pub report_unknown: bool,
}

/// When to color output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    /// When printing to a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The lowest severity that fails a lint run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum FailOn {
    /// Only errors fail.
    #[default]
    Error,
    /// Warnings fail too.
    Warning,
}

/// Arguments of `schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Print the project file's schema instead of the feature spec's.
    #[arg(long)]
    pub project: bool,
    /// Write `promspec.schema.json` and `project.schema.json` into this directory.
    #[arg(long, value_name = "DIR")]
    pub write: Option<PathBuf>,
}

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The id, e.g. `spec/invalid-unit`.
    #[arg(required_unless_present = "list")]
    pub id: Option<String>,
    /// List every id with its summary.
    #[arg(long)]
    pub list: bool,
}

/// Arguments of `diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// A git revision (default `HEAD`) or a directory holding specs.
    #[arg(default_value = "HEAD")]
    pub base: String,
    /// Directory holding `promspec.yaml` and the feature specs (default:
    /// `specs/` of the nearest project, found upwards from here).
    #[arg(long, value_name = "DIR")]
    pub specs: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    pub format: DiffFormat,
}

/// How `diff` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DiffFormat {
    /// One line per change.
    #[default]
    Human,
    /// A Markdown table, for a pull-request comment.
    Markdown,
    /// A JSON array of changes.
    Json,
}

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Rule files, manifests, or directories to walk for `*.yml`/`*.yaml`.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Directory to write the specs into.
    #[arg(long, default_value = "specs")]
    pub specs: PathBuf,
    /// One spec per rule `group` (default) or per value of a label: `label:<name>`.
    #[arg(long, value_name = "group|label:NAME")]
    pub split_by: Option<String>,
    /// Team of specs whose rules carry no `team` label (default `imported`).
    #[arg(long)]
    pub team: Option<String>,
}

/// Arguments of `init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Directory to create the specs in.
    #[arg(long, default_value = "specs")]
    pub specs: PathBuf,
}

/// The `routes` subcommands.
#[derive(Debug, Subcommand)]
pub enum RoutesCommand {
    /// Print the receivers an alert with the given labels reaches, the routes
    /// on the way and the inhibit rules that concern it (Alertmanager's
    /// semantics; the first line is what `amtool config routes test` prints).
    #[command(
        after_help = "Examples:\n  promspec routes test feature=new-feature alertname=NewFeatureErrorRatio severity=critical\n  promspec routes test --config generated/alertmanager/alertmanager.yml severity=warning\n  promspec routes test --verify pager-oncall,slack-ops-critical severity=critical\n  promspec routes test --at 2026-03-07T10:00:00+09:00 feature=camp-backend alertname=CampBackendDeadlocks severity=critical"
    )]
    Test(RoutesTestArgs),
}

/// Arguments of `routes test`.
#[derive(Debug, clap::Args)]
pub struct RoutesTestArgs {
    /// The alert's labels, `name=value` (values may be double-quoted).
    #[arg(required = true, value_name = "LABEL=VALUE")]
    pub labels: Vec<String>,
    /// Directory holding `promspec.yaml` and the feature specs, compiled in
    /// memory (default: the nearest project's, found upwards from here).
    #[arg(long, value_name = "DIR", conflicts_with = "config")]
    pub specs: Option<PathBuf>,
    /// Read this Alertmanager configuration file instead of compiling the specs.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Exit 1 unless the receivers are exactly these, in this order (comma-separated).
    #[arg(long, value_name = "RECEIVERS")]
    pub verify: Option<String>,
    /// Also say which receivers notify at this instant and which their time
    /// intervals mute (RFC 3339 with an offset, e.g. `2026-03-07T10:00:00+09:00`).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// How to print findings in the specs or the configuration file.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}
