//! Building the new output folder, complete, in a hidden sibling of the folder it will replace.
//!
//! The staging folder gets the files of the old folder that the new set neither replaces nor
//! drops (hard links, which cost nothing), then the new files, each flushed to disk, so it is
//! finished before anyone can see it under the folder's name.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{OsStr, OsString};
use std::fs::{self, File, FileType, Permissions};
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use super::{OutputError, io_at};

/// What an existing output folder holds: only regular files, or it would not be replaced.
pub(super) struct Existing {
    dir: PathBuf,
    files: Vec<OsString>,
    permissions: Permissions,
}

/// Reads the folder at `target` (`shown` is how the user named it), refusing anything but a
/// folder of regular files: a subfolder or a link would be lost when the folder is replaced.
pub(super) fn survey(target: &Path, shown: &Path) -> Result<Option<Existing>, OutputError> {
    let meta = match fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_at(target)(e)),
    };
    if !meta.is_dir() {
        return Err(OutputError::NotAFolder(shown.to_path_buf()));
    }
    let mut entries = Vec::new();
    for entry in fs::read_dir(target).map_err(io_at(target))? {
        let entry = entry.map_err(io_at(target))?;
        let kind = entry.file_type().map_err(io_at(&entry.path()))?;
        entries.push((entry.file_name(), kind));
    }
    // Sorted, so that the entry a refusal names does not depend on the directory's order.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some((name, kind)) = entries.iter().find(|(_, kind)| !kind.is_file()) {
        return Err(OutputError::NotCarried {
            dir: shown.to_path_buf(),
            kind: kind_name(kind),
            name: name.to_string_lossy().into_owned(),
        });
    }
    Ok(Some(Existing {
        dir: target.to_path_buf(),
        files: entries.into_iter().map(|(name, _)| name).collect(),
        permissions: meta.permissions(),
    }))
}

fn kind_name(kind: &FileType) -> &'static str {
    if kind.is_dir() {
        "subfolder"
    } else if kind.is_symlink() {
        "symbolic link"
    } else {
        "special file"
    }
}

/// The prefix of every staging folder; anything with it in a parent folder is a leftover once
/// its run no longer holds the parent's lock.
pub(super) const STAGE_PREFIX: &str = ".xjscan-stage-";

/// Builds the complete new folder `name` in `parent` and returns it (removed again if dropped).
pub(super) fn build<C: AsRef<[u8]>>(
    parent: &Path,
    name: &OsStr,
    existing: Option<&Existing>,
    files: &[(&str, C)],
    claimed: &dyn Fn(&str) -> bool,
) -> Result<TempDir, OutputError> {
    let staged = create(parent, name)?;
    let target = parent.join(name);
    if let Some(old) = existing {
        let replaced: BTreeSet<&str> = files.iter().map(|(n, _)| *n).collect();
        carry(old, staged.path(), &|n| replaced.contains(n) || claimed(n))?;
    }
    // A name given twice is written once, with its last contents, as renaming did before.
    let unique: BTreeMap<&str, &[u8]> = files.iter().map(|(n, c)| (*n, c.as_ref())).collect();
    for (file, contents) in unique {
        write_file(&staged.path().join(file), contents).map_err(io_at(&target.join(file)))?;
    }
    if let Some(old) = existing {
        fs::set_permissions(staged.path(), old.permissions.clone()).map_err(io_at(&target))?;
    }
    super::lock::sync_dir(staged.path()).map_err(io_at(&target))?;
    Ok(staged)
}

/// An empty staging folder `.xjscan-stage-<name>-<pid>-<random>`, with the mode a new folder
/// would get (the umask applies); an existing folder's mode is copied once it is filled.
fn create(parent: &Path, name: &OsStr) -> Result<TempDir, OutputError> {
    let mut prefix = OsString::from(STAGE_PREFIX);
    prefix.push(name);
    prefix.push(format!("-{}-", std::process::id()));
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).rand_bytes(8);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(Permissions::from_mode(0o777));
    }
    builder
        .tempdir_in(parent)
        .map_err(io_at(&parent.join(name)))
}

/// Links (or, where links fail, copies) the old folder's files into `stage`, except `dropped`.
fn carry(old: &Existing, stage: &Path, dropped: &dyn Fn(&str) -> bool) -> Result<(), OutputError> {
    for name in &old.files {
        if name.to_str().is_some_and(dropped) {
            continue;
        }
        let (from, to) = (old.dir.join(name), stage.join(name));
        if fs::hard_link(&from, &to).is_err() {
            copy_file(&from, &to).map_err(io_at(&from))?;
        }
    }
    Ok(())
}

fn copy_file(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::copy(from, to)?;
    File::open(to)?.sync_all()
}

/// Writes one new file, readable by others (0644) and flushed to disk. Never opens an existing
/// file: a carried file is a hard link into the old folder, which must stay as it was.
fn write_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut file = File::create_new(path)?;
    file.write_all(contents)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(Permissions::from_mode(0o644))?;
    }
    file.sync_all()
}
