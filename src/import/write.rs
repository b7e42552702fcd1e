//! Creating the imported files: all or nothing checked up front, each file
//! created with `create_new`, so an existing file (or a link, even a
//! dangling one) is never overwritten or written through.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why the files were not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A file to create exists already.
    #[error("{0} already exists; import never overwrites a file")]
    Exists(PathBuf),
    /// Creating a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

/// Fail when one of `names` exists in `dir` (a dangling link counts).
pub fn check_absent<'a>(
    dir: &Path,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<(), WriteError> {
    for name in names {
        let path = dir.join(name);
        if path.symlink_metadata().is_ok() {
            return Err(WriteError::Exists(path));
        }
    }
    Ok(())
}

/// Create every `(file name, text)` in `dir`; nothing is written when one
/// of them exists. Returns the paths created.
pub fn create_all(dir: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>, WriteError> {
    for (name, _) in files {
        let path = dir.join(name);
        // `symlink_metadata`: a dangling link counts as a file that exists.
        if path.symlink_metadata().is_ok() {
            return Err(WriteError::Exists(path));
        }
    }
    std::fs::create_dir_all(dir).map_err(|source| WriteError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut created = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| f.write_all(text.as_bytes()));
        match written {
            Ok(()) => created.push(path),
            Err(source) if source.kind() == io::ErrorKind::AlreadyExists => {
                return Err(WriteError::Exists(path));
            }
            Err(source) => return Err(WriteError::Io { path, source }),
        }
    }
    Ok(created)
}
