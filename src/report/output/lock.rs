//! Taking turns: one xjscan run at a time replaces folders in a given parent folder.
//!
//! The lock is an exclusive `flock` on the parent folder itself, so it needs no lock file of
//! its own and is released by the system when a run dies, however it dies.

use std::fs::{File, TryLockError};
use std::io::Write;
use std::path::Path;

use super::{OutputError, io_at};

/// Held while a run stages and swaps a folder in this parent; released when dropped.
pub(super) struct ParentLock {
    dir: File,
}

impl ParentLock {
    /// Waits for the lock on `parent`, saying so once on stderr when another run holds it
    /// (`shown` is the parent as the user wrote it).
    pub(super) fn acquire(parent: &Path, shown: &Path) -> Result<Self, OutputError> {
        let dir = File::open(parent).map_err(io_at(parent))?;
        match dir.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "waiting for another xjscan run writing into {}",
                    shown.display()
                );
                dir.lock().map_err(io_at(parent))?;
            }
            Err(TryLockError::Error(e)) => return Err(io_at(parent)(e)),
        }
        Ok(ParentLock { dir })
    }

    /// The parent folder, open: renames are made relative to it.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(super) fn dir(&self) -> &File {
        &self.dir
    }

    /// Makes the renames in the parent durable.
    pub(super) fn sync(&self) -> std::io::Result<()> {
        sync_dir_file(&self.dir)
    }
}

/// `fsync` of an open folder; systems without it (Windows) make renames durable themselves.
fn sync_dir_file(dir: &File) -> std::io::Result<()> {
    if cfg!(unix) { dir.sync_all() } else { Ok(()) }
}

/// `fsync` of the folder at `path`, so the names of the files written into it are durable.
pub(super) fn sync_dir(path: &Path) -> std::io::Result<()> {
    if cfg!(unix) {
        sync_dir_file(&File::open(path)?)
    } else {
        Ok(())
    }
}
