//! Finding the project a command works on, as cargo finds `Cargo.toml`:
//! from the current directory upwards, the first directory that holds
//! `specs/promspec.yaml` is the project root (or, run from inside the specs
//! directory, the one holding `promspec.yaml` itself). `--specs` always
//! wins. Paths stay relative to the current directory (`../../specs`), so
//! diagnostics print as short as before.

use std::path::{Path, PathBuf};

use crate::cli::output::err;
use crate::spec::load::PROJECT_FILE;

/// The directory of feature specs when nothing is found (the commands
/// then report the missing project file as before).
const DEFAULT_SPECS: &str = "specs";

/// Where a command's project lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Directory holding `promspec.yaml` and the feature specs.
    pub specs: PathBuf,
    /// Directory the generated files go to by default (`<root>/generated`).
    pub generated: PathBuf,
}

/// The project for `--specs` (when given) or found from the current
/// directory upwards. Says on stderr which project file it uses when that
/// is not `./specs/promspec.yaml`.
pub fn locate(explicit: Option<&Path>) -> Project {
    if let Some(specs) = explicit {
        return Project {
            specs: specs.to_path_buf(),
            generated: PathBuf::from("generated"),
        };
    }
    let found = std::env::current_dir()
        .ok()
        .and_then(|cwd| find_upwards(&cwd));
    match found {
        Some(project) => {
            if project.specs != Path::new(DEFAULT_SPECS) {
                err(format_args!(
                    "using {}\n",
                    project.specs.join(PROJECT_FILE).display()
                ));
            }
            project
        }
        None => Project {
            specs: PathBuf::from(DEFAULT_SPECS),
            generated: PathBuf::from("generated"),
        },
    }
}

/// The nearest project at or above `start` (an absolute directory), with
/// paths relative to `start`.
pub fn find_upwards(start: &Path) -> Option<Project> {
    for (depth, dir) in start.ancestors().enumerate() {
        let up: PathBuf = std::iter::repeat_n("..", depth).collect();
        if dir.join(DEFAULT_SPECS).join(PROJECT_FILE).is_file() {
            return Some(Project {
                specs: up.join(DEFAULT_SPECS),
                generated: up.join("generated"),
            });
        }
        if dir.join(PROJECT_FILE).is_file() {
            // Inside the specs directory: the root is its parent.
            let specs = if depth == 0 {
                PathBuf::from(".")
            } else {
                up.clone()
            };
            return Some(Project {
                specs,
                generated: up.join("..").join("generated"),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(root: &Path) {
        std::fs::create_dir_all(root.join("specs")).unwrap();
        std::fs::write(root.join("specs/promspec.yaml"), "project: x\n").unwrap();
    }

    #[test]
    fn the_root_itself_is_found_as_specs() {
        let dir = tempfile::tempdir().unwrap();
        project(dir.path());
        let found = find_upwards(dir.path()).unwrap();
        assert_eq!(found.specs, Path::new("specs"));
        assert_eq!(found.generated, Path::new("generated"));
    }

    #[test]
    fn a_subdirectory_finds_the_project_above_it() {
        let dir = tempfile::tempdir().unwrap();
        project(dir.path());
        let deep = dir.path().join("docs/notes");
        std::fs::create_dir_all(&deep).unwrap();
        let found = find_upwards(&deep).unwrap();
        assert_eq!(found.specs, Path::new("../../specs"));
        assert_eq!(found.generated, Path::new("../../generated"));
    }

    #[test]
    fn inside_the_specs_directory_the_root_is_its_parent() {
        let dir = tempfile::tempdir().unwrap();
        project(dir.path());
        let found = find_upwards(&dir.path().join("specs")).unwrap();
        assert_eq!(found.specs, Path::new("."));
        assert_eq!(found.generated, Path::new("../generated"));
    }

    #[test]
    fn the_nearest_project_wins() {
        let dir = tempfile::tempdir().unwrap();
        project(dir.path());
        let inner = dir.path().join("vendor/other");
        project(&inner);
        let found = find_upwards(&inner.join("specs")).unwrap();
        assert_eq!(found.specs, Path::new("."));
    }
}
