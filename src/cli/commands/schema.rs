//! `promspec schema`.

use crate::cli::ExitStatus;
use crate::cli::args::SchemaArgs;
use crate::cli::output::{err, error, out};
use crate::compile::Output;
use crate::compile::conventions::SCHEMA_MANIFEST;
use crate::compile::write;
use crate::spec::schema;

/// File name of the feature spec schema.
pub const FEATURE_SCHEMA_FILE: &str = "promspec.schema.json";
/// File name of the project file schema.
pub const PROJECT_SCHEMA_FILE: &str = "project.schema.json";

/// Print or write the schemas.
pub fn run(args: SchemaArgs) -> ExitStatus {
    if let Some(dir) = args.write {
        let outputs = [
            (FEATURE_SCHEMA_FILE, schema::feature_schema()),
            (PROJECT_SCHEMA_FILE, schema::project_schema()),
        ]
        .map(|(path, content)| Output {
            path: path.to_string(),
            content,
        });
        // The same rules as `build`: a lock, a manifest of what was written,
        // no file replaced that promspec cannot prove it wrote.
        let written = write::lock_for_writing(&dir, || {
            err(format_args!(
                "waiting for another promspec run on {} to finish\n",
                dir.display()
            ))
        })
        .and_then(|_lock| {
            let plan = write::plan(&dir, &outputs, SCHEMA_MANIFEST)?;
            write::apply(&dir, &plan)?;
            Ok(plan)
        });
        return match written {
            Ok(plan) => {
                for output in &outputs {
                    let changed = plan.changes.iter().any(|c| c.path() == output.path);
                    let verb = if changed { "wrote" } else { "unchanged" };
                    err(format_args!(
                        "{verb} {}\n",
                        dir.join(&output.path).display()
                    ));
                }
                ExitStatus::Success
            }
            Err(e) => {
                error(e);
                ExitStatus::Error
            }
        };
    }
    let text = if args.project {
        schema::project_schema()
    } else {
        schema::feature_schema()
    };
    out(format_args!("{text}"));
    ExitStatus::Success
}
