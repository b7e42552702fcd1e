//! The lock on an output directory: one writer at a time, and no reader
//! (`build --check`) while a writer is at work.
//!
//! On Unix the lock is an advisory `flock` on the directory itself, so no
//! lock file is left behind; elsewhere it is a `.promspec-lock` file in the
//! directory. The operating system releases it when the process ends, also
//! when it is killed.

use std::fs::File;
use std::io;
use std::path::Path;

/// Held while a command reads or writes a directory; dropping it unlocks.
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

/// What the lock allows others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockKind {
    /// Readers exclude writers, not each other.
    Shared,
    /// A writer excludes everyone.
    Exclusive,
}

/// Lock the existing directory `dir`, waiting for other holders. `waiting`
/// is called once if another process holds the lock.
pub fn lock(dir: &Path, kind: LockKind, waiting: impl FnOnce()) -> io::Result<DirLock> {
    let file = open(dir, kind)?;
    let attempt = match kind {
        LockKind::Shared => file.try_lock_shared(),
        LockKind::Exclusive => file.try_lock(),
    };
    match attempt {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            waiting();
            match kind {
                LockKind::Shared => file.lock_shared()?,
                LockKind::Exclusive => file.lock()?,
            }
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(e),
    }
    Ok(DirLock { _file: file })
}

#[cfg(unix)]
fn open(dir: &Path, _kind: LockKind) -> io::Result<File> {
    File::open(dir)
}

#[cfg(not(unix))]
fn open(dir: &Path, _kind: LockKind) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(".promspec-lock"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn exclusive_excludes_shared_and_releases_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock(dir.path(), LockKind::Exclusive, || {}).unwrap();
        let other = File::open(dir.path()).unwrap();
        assert!(matches!(
            other.try_lock_shared(),
            Err(std::fs::TryLockError::WouldBlock)
        ));
        drop(held);
        assert!(other.try_lock_shared().is_ok());
    }
}
