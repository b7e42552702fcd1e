//! `promspec catalog import` and `promspec catalog fetch`: metric
//! descriptions in, a sorted YAML catalog out, merged with the catalog
//! file already there.

use std::path::Path;

use crate::catalog::import::{self, Context};
use crate::catalog::{Catalog, fetch};
use crate::cli::ExitStatus;
use crate::cli::args::{CatalogFetchArgs, CatalogImportArgs};
use crate::cli::output::{err, error, out, plural, print_diagnostics};
use crate::diag::{Diagnostic, Diagnostics};
use crate::source::SourceMap;

/// Read every file, merge them in order and write the catalog.
pub fn import(args: CatalogImportArgs) -> ExitStatus {
    let mut inputs: Vec<(std::path::PathBuf, Context)> = args
        .files
        .iter()
        .map(|f| {
            let context = Context {
                metric: args.metric.clone(),
                label: None,
            };
            (f.clone(), context)
        })
        .collect();
    for v in &args.values {
        let Some((label, file)) = v.split_once('=') else {
            error(format_args!("`--values {v}`: write LABEL=FILE"));
            return ExitStatus::Error;
        };
        let context = Context {
            metric: args.metric.clone(),
            label: Some(label.to_string()),
        };
        inputs.push((file.into(), context));
    }
    let mut catalog = Catalog::default();
    for (path, context) in &inputs {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                error(format_args!("cannot read {}: {e}", path.display()));
                return ExitStatus::Error;
            }
        };
        match import::read_with(&text, context) {
            Ok(c) => catalog.merge(c),
            Err(e) => {
                error(format_args!("{}: {e}", path.display()));
                return ExitStatus::Error;
            }
        }
    }
    write(catalog, args.output.as_deref())
}

/// Ask the server and write the catalog.
pub fn fetch(args: CatalogFetchArgs) -> ExitStatus {
    let fetched = fetch::Server::new(&args.prometheus).and_then(|s| s.catalog(&args.matches));
    match fetched {
        Ok(catalog) => write(catalog, args.output.as_deref()),
        Err(e) => {
            let help = match &e {
                fetch::FetchError::Url(_) => {
                    "write the server's base URL, e.g. `http://localhost:9090`"
                }
                fetch::FetchError::Http { .. } => {
                    "check that the server is up and reachable from here (`curl <url>/api/v1/metadata`), or save the API's JSON elsewhere and use `promspec catalog import`"
                }
                fetch::FetchError::Answer { .. } => {
                    "the URL must be a Prometheus server's (or a compatible API's) base URL"
                }
            };
            let mut all = Diagnostics::new();
            all.push(
                Diagnostic::error(
                    "catalog/fetch",
                    format!("cannot fetch the metrics catalog: {e}"),
                )
                .with_help(help),
            );
            print_diagnostics(&all, &SourceMap::new(), Default::default());
            ExitStatus::Error
        }
    }
}

/// Write `catalog` to `output` merged with the catalog already there (so
/// hand-written entries and other exporters' families stay), or to stdout.
fn write(mut catalog: Catalog, output: Option<&Path>) -> ExitStatus {
    let Some(path) = output else {
        out(format_args!("{}", catalog.to_yaml()));
        return ExitStatus::Success;
    };
    if path.is_file() {
        let mut sources = SourceMap::new();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                error(format_args!("cannot read {}: {e}", path.display()));
                return ExitStatus::Error;
            }
        };
        let id = sources.add(path, text);
        match Catalog::parse(id, &sources.get(id).text) {
            Ok(mut existing) => {
                existing.merge(catalog);
                catalog = existing;
            }
            Err(d) => {
                let mut all = Diagnostics::new();
                all.push(d);
                print_diagnostics(&all, &sources, Default::default());
                return ExitStatus::Error;
            }
        }
    }
    if let Err(e) = std::fs::write(path, catalog.to_yaml()) {
        error(format_args!("cannot write {}: {e}", path.display()));
        return ExitStatus::Error;
    }
    err(format_args!(
        "wrote {} to {}\n",
        plural(catalog.metrics.len(), "metric"),
        path.display()
    ));
    ExitStatus::Success
}
