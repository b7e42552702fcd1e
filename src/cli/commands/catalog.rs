//! `promspec catalog import`: metric descriptions in, a sorted YAML catalog out.

use crate::catalog::{Catalog, import};
use crate::cli::ExitStatus;
use crate::cli::args::CatalogImportArgs;
use crate::cli::output::{err, error, out, plural};

/// Read every file, merge them in order and write the catalog.
pub fn import(args: CatalogImportArgs) -> ExitStatus {
    let mut catalog = Catalog::default();
    for path in &args.files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                error(format_args!("cannot read {}: {e}", path.display()));
                return ExitStatus::Error;
            }
        };
        match import::read(&text) {
            Ok(c) => catalog.merge(c),
            Err(e) => {
                error(format_args!("{}: {e}", path.display()));
                return ExitStatus::Error;
            }
        }
    }
    let text = catalog.to_yaml();
    match &args.output {
        None => out(format_args!("{text}")),
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                error(format_args!("cannot write {}: {e}", path.display()));
                return ExitStatus::Error;
            }
            err(format_args!(
                "wrote {} to {}\n",
                plural(catalog.metrics.len(), "metric"),
                path.display()
            ));
        }
    }
    ExitStatus::Success
}
