//! Looking at and changing the inside of an output directory without ever
//! following a symbolic link: every component below the root is checked
//! with `symlink_metadata`, so a link inside the tree can neither lead a
//! write out of it nor make a read see a file elsewhere.

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::manifest::Hash;

/// What is at a relative path under the root.
#[derive(Debug)]
pub enum Node {
    /// Nothing.
    Missing,
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// Something promspec does not replace: "a symbolic link", "a directory"…
    NotAFile(&'static str),
    /// A parent component is not a plain directory.
    BlockedBy {
        /// The relative path of the component.
        parent: String,
        /// What it is.
        what: &'static str,
    },
}

fn kind(meta: &Metadata) -> &'static str {
    let ty = meta.file_type();
    if ty.is_symlink() {
        "a symbolic link"
    } else if ty.is_dir() {
        "a directory"
    } else if ty.is_file() {
        "a regular file"
    } else {
        "a special file (FIFO, socket or device)"
    }
}

fn metadata(path: &Path) -> io::Result<Option<Metadata>> {
    match fs::symlink_metadata(path) {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// What is at `rel` (`/`-separated) under `root`, following no link below `root`.
pub fn inspect(root: &Path, rel: &str) -> io::Result<Node> {
    let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
    let mut path = root.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        let Some(meta) = metadata(&path)? else {
            return Ok(Node::Missing);
        };
        let last = i + 1 == parts.len();
        if last {
            let ty = meta.file_type();
            return Ok(if ty.is_file() {
                Node::File
            } else if ty.is_dir() {
                Node::Dir
            } else {
                Node::NotAFile(kind(&meta))
            });
        }
        if !meta.file_type().is_dir() {
            return Ok(Node::BlockedBy {
                parent: parts[..=i].join("/"),
                what: kind(&meta),
            });
        }
    }
    Ok(Node::Dir)
}

/// Create the directories above `rel` under `root` (which exists), refusing
/// to pass through anything but a plain directory.
pub fn create_parents(root: &Path, rel: &str) -> io::Result<()> {
    let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
    let mut path = root.to_path_buf();
    for part in &parts[..parts.len().saturating_sub(1)] {
        path.push(part);
        match metadata(&path)? {
            Some(m) if m.file_type().is_dir() => {}
            Some(m) => {
                return Err(io::Error::other(format!(
                    "{} is {}, not a directory; promspec does not write through it",
                    path.display(),
                    kind(&m)
                )));
            }
            None => match fs::create_dir(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    // Created meanwhile: accept only a real directory.
                    if !metadata(&path)?.is_some_and(|m| m.file_type().is_dir()) {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            },
        }
    }
    Ok(())
}

/// The plain files of the directory `rel` under `root` (not recursive; links,
/// directories and special files are left out). Empty if it does not exist.
pub fn files_in(root: &Path, rel: &str) -> io::Result<Vec<String>> {
    match inspect(root, rel)? {
        Node::Dir => {}
        _ => return Ok(Vec::new()),
    }
    let dir = root.join(rel);
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_file()
            && let Some(name) = entry.file_name().to_str()
        {
            names.push(name.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// The SHA-256 of a file, read in blocks.
pub fn hash_file(path: &Path) -> io::Result<Hash> {
    Hash::of_reader(File::open(path)?)
}

/// At most the first `limit` bytes of a file.
pub fn read_start(path: &Path, limit: usize) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(limit);
    File::open(path)?.take(limit as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Write `content` into a new file `path` (which must not exist). The mode
/// is `mode` if given, else the process's default for new files (0666 less
/// the umask). Not yet flushed to disk: see [`sync_file`].
pub fn write_new(path: &Path, content: &[u8], mode: Option<fs::Permissions>) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    if let Some(mode) = mode {
        file.set_permissions(mode)?;
    }
    file.write_all(content)
}

/// Flush a file's content to disk. Called on many files after all of them
/// are written, so the file system commits them together instead of once
/// per file.
pub fn sync_file(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()
}

/// Flush a directory's entries (renames, removals) to disk; a no-op where
/// directories cannot be opened.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The parent of a relative path (`""` for the root).
pub fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map(|(p, _)| p).unwrap_or("")
}

/// The last component of a relative path.
pub fn file_name(rel: &str) -> &str {
    rel.rsplit_once('/').map(|(_, n)| n).unwrap_or(rel)
}

/// `root` joined with a `/`-separated relative path.
pub fn join(root: &Path, rel: &str) -> PathBuf {
    let mut path = root.to_path_buf();
    path.extend(rel.split('/').filter(|p| !p.is_empty()));
    path
}

/// Run `f` on every item on a few threads: many `fsync` or `rename` calls
/// in flight let the file system commit them together. Returns the first
/// failure with its item.
pub fn for_each_parallel<T: Sync>(
    items: &[T],
    f: impl Fn(&T) -> io::Result<()> + Sync,
) -> Result<(), (&T, io::Error)> {
    const THREADS: usize = 8;
    if items.len() < 2 * THREADS {
        return items
            .iter()
            .try_for_each(|item| f(item).map_err(|e| (item, e)));
    }
    let chunk = items.len().div_ceil(THREADS);
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let f = &f;
                scope.spawn(move || {
                    part.iter()
                        .try_for_each(|item| f(item).map_err(|e| (item, e)))
                })
            })
            .collect();
        let mut result = Ok(());
        for worker in workers {
            let outcome = worker
                .join()
                .unwrap_or_else(|_| Err((&items[0], io::Error::other("a writer thread panicked"))));
            if result.is_ok() {
                result = outcome;
            }
        }
        result
    })
}
