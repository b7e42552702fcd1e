//! `promspec schema`.

use crate::cli::ExitStatus;
use crate::cli::args::SchemaArgs;
use crate::cli::output::error;
use crate::spec::schema;

/// File name of the feature spec schema.
pub const FEATURE_SCHEMA_FILE: &str = "promspec.schema.json";
/// File name of the project file schema.
pub const PROJECT_SCHEMA_FILE: &str = "project.schema.json";

/// Print or write the schemas.
pub fn run(args: SchemaArgs) -> ExitStatus {
    if let Some(dir) = args.write {
        for (name, text) in [
            (FEATURE_SCHEMA_FILE, schema::feature_schema()),
            (PROJECT_SCHEMA_FILE, schema::project_schema()),
        ] {
            let path = dir.join(name);
            if let Err(e) = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, text))
            {
                error(format!("{}: {e}", path.display()));
                return ExitStatus::Error;
            }
            eprintln!("wrote {}", path.display());
        }
        return ExitStatus::Success;
    }
    let text = if args.project {
        schema::project_schema()
    } else {
        schema::feature_schema()
    };
    print!("{text}");
    ExitStatus::Success
}
