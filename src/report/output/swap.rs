//! Putting a finished staging folder in place of the old folder, and cleaning up after runs that
//! were killed on the way.
//!
//! On Linux one `renameat2(RENAME_EXCHANGE)` swaps the two folders, so the folder's name points at
//! the old folder or at the new one at every instant. Elsewhere (or on a filesystem that cannot
//! exchange) two renames are needed: the old folder moves aside to `.xjscan-old-…` first, and a
//! run killed between the two renames has its old folder put back by the next run.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use super::lock::ParentLock;
use super::stage::STAGE_PREFIX;
use super::{OutputError, io_at};

const OLD_PREFIX: &str = ".xjscan-old-";

/// Where the replaced folder's files are, still on disk until removed.
pub(super) struct OldTree(Option<PathBuf>);

impl OldTree {
    /// Deletes the old files; a failure only leaves a leftover for the next run to remove.
    pub(super) fn remove(self) {
        if let Some(path) = self.0 {
            remove_tree(&path);
        }
    }
}

/// Puts `staged` in place of the folder `name` in `parent` (`replacing` if it exists).
pub(super) fn swap_in(
    lock: &ParentLock,
    parent: &Path,
    name: &OsStr,
    staged: TempDir,
    replacing: bool,
) -> Result<OldTree, OutputError> {
    let target = parent.join(name);
    if !replacing {
        fs::rename(staged.path(), &target).map_err(io_at(&target))?;
        let _ = staged.keep();
        return Ok(OldTree(None));
    }
    if exchange(lock, staged.path(), name).map_err(io_at(&target))? {
        // The old folder is where the staging folder was.
        return Ok(OldTree(Some(staged.keep())));
    }
    let aside = replace_by_renames(parent, name, staged.path()).map_err(io_at(&target))?;
    let _ = staged.keep();
    Ok(OldTree(Some(aside)))
}

/// Swaps the staging folder and the folder `name` in one step; `false` where that cannot be done.
#[cfg(target_os = "linux")]
fn exchange(lock: &ParentLock, staged: &Path, name: &OsStr) -> std::io::Result<bool> {
    use rustix::fs::{RenameFlags, renameat_with};
    use rustix::io::Errno;
    let Some(staged_name) = staged.file_name() else {
        return Ok(false);
    };
    let dir = lock.dir();
    match renameat_with(dir, staged_name, dir, name, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        // The filesystem or the kernel cannot exchange: two renames will do.
        Err(e) if e == Errno::INVAL || e == Errno::NOTSUP || e == Errno::NOSYS => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_lock: &ParentLock, _staged: &Path, _name: &OsStr) -> std::io::Result<bool> {
    Ok(false)
}

/// Moves the folder `name` aside to `.xjscan-old-…` and the staging folder into its place;
/// returns where the old folder now is. If the second rename fails the old folder is put back.
pub(super) fn replace_by_renames(
    parent: &Path,
    name: &OsStr,
    staged: &Path,
) -> std::io::Result<PathBuf> {
    let target = parent.join(name);
    let aside = parent.join(aside_name(name, staged));
    fs::rename(&target, &aside)?;
    // A kill here leaves no folder `name`: `clear_leftovers` restores it from `aside`.
    if let Err(e) = fs::rename(staged, &target) {
        let _ = fs::rename(&aside, &target);
        return Err(e);
    }
    Ok(aside)
}

/// `.xjscan-old-<name>-<pid>-<random>`, with the pid and random part of the staging folder.
fn aside_name(name: &OsStr, staged: &Path) -> OsString {
    let staged_name = staged
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut parts = staged_name.rsplitn(3, '-');
    let (random, pid) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let mut aside = OsString::from(OLD_PREFIX);
    aside.push(name);
    aside.push(format!("-{pid}-{random}"));
    aside
}

/// The folder an `.xjscan-old-<name>-<pid>-<random>` leftover was moved aside from.
fn folder_of_aside(leftover: &str) -> Option<&str> {
    let mut parts = leftover.strip_prefix(OLD_PREFIX)?.rsplitn(3, '-');
    let (random, pid, name) = (parts.next()?, parts.next()?, parts.next()?);
    let valid = !random.is_empty()
        && !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty();
    valid.then_some(name)
}

/// Removes what killed runs left in `parent`, putting a folder moved aside back first if its
/// place is empty. Called with the parent's lock held: the run that made a leftover held the lock
/// for as long as the leftover was its own, so no live run can own one now.
pub(super) fn clear_leftovers(parent: &Path) -> Result<(), OutputError> {
    let mut leftovers = Vec::new();
    for entry in fs::read_dir(parent).map_err(io_at(parent))? {
        let entry = entry.map_err(io_at(parent))?;
        if let Some(name) = entry.file_name().to_str()
            && (name.starts_with(STAGE_PREFIX) || name.starts_with(OLD_PREFIX))
        {
            leftovers.push(name.to_string());
        }
    }
    leftovers.sort();
    for leftover in &leftovers {
        if let Some(folder) = folder_of_aside(leftover)
            && !exists(&parent.join(folder)).map_err(io_at(parent))?
        {
            let restored = parent.join(folder);
            fs::rename(parent.join(leftover), &restored).map_err(io_at(&restored))?;
        }
    }
    for leftover in &leftovers {
        // A folder moved aside whose own folder cannot be told is kept: it may be the only copy.
        if leftover.starts_with(OLD_PREFIX) && folder_of_aside(leftover).is_none() {
            continue;
        }
        remove_tree(&parent.join(leftover));
    }
    Ok(())
}

/// Whether anything (even a broken link) has this name.
fn exists(path: &Path) -> std::io::Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Removes a leftover or replaced folder (or file). One that cannot be removed (another user's,
/// in a shared folder like /tmp) is left alone rather than stopping every later run: its name is
/// unique, so it is in no run's way.
fn remove_tree(path: &Path) {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return;
    };
    if !meta.is_dir() {
        let _ = fs::remove_file(path);
    } else if fs::remove_dir_all(path).is_err() {
        // A read-only output folder keeps its mode when replaced, and its files cannot be
        // unlinked from it until it is writable again.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() | 0o700;
            let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode));
        }
        let _ = fs::remove_dir_all(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut all: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        all.sort();
        all
    }

    /// A folder `name` in `parent` holding one `report.md` with `text`.
    fn folder(parent: &Path, name: &str, text: &str) -> PathBuf {
        let dir = parent.join(name);
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("report.md"), text).unwrap();
        dir
    }

    #[test]
    fn tells_the_folder_a_leftover_was_moved_aside_from() {
        assert_eq!(
            folder_of_aside(".xjscan-old-my-out-42-Ab3dE6gH"),
            Some("my-out")
        );
        assert_eq!(folder_of_aside(".xjscan-old-out-x-Ab3dE6gH"), None);
        assert_eq!(folder_of_aside(".xjscan-old-out"), None);
        assert_eq!(folder_of_aside(".xjscan-stage-out-42-Ab3dE6gH"), None);
        let aside = aside_name(
            OsStr::new("my-out"),
            Path::new(".xjscan-stage-my-out-42-Ab3dE6gH"),
        );
        assert_eq!(aside, ".xjscan-old-my-out-42-Ab3dE6gH");
    }

    #[test]
    fn two_renames_replace_the_folder_and_the_next_run_removes_the_old_one() {
        let parent = tempfile::tempdir().unwrap();
        folder(parent.path(), "out", "old");
        let staged = folder(parent.path(), ".xjscan-stage-out-42-Ab3dE6gH", "new");
        let aside = replace_by_renames(parent.path(), OsStr::new("out"), &staged).unwrap();
        assert_eq!(aside, parent.path().join(".xjscan-old-out-42-Ab3dE6gH"));
        assert_eq!(
            fs::read_to_string(parent.path().join("out/report.md")).unwrap(),
            "new"
        );
        clear_leftovers(parent.path()).unwrap();
        assert_eq!(names(parent.path()), ["out"]);
        assert_eq!(
            fs::read_to_string(parent.path().join("out/report.md")).unwrap(),
            "new"
        );
    }

    #[test]
    fn a_run_killed_between_the_two_renames_gets_its_old_folder_back() {
        let parent = tempfile::tempdir().unwrap();
        // The first rename done, the second not: no `out`, the new set still staged.
        folder(parent.path(), ".xjscan-old-out-42-Ab3dE6gH", "old");
        folder(parent.path(), ".xjscan-stage-out-42-Ab3dE6gH", "new");
        // Another folder's leftovers in the same parent go too; its folder is in place.
        folder(parent.path(), "other", "other");
        folder(parent.path(), ".xjscan-old-other-7-Zz9yY8xX", "older");
        fs::write(parent.path().join("unrelated.txt"), "keep").unwrap();
        clear_leftovers(parent.path()).unwrap();
        assert_eq!(names(parent.path()), ["other", "out", "unrelated.txt"]);
        assert_eq!(
            fs::read_to_string(parent.path().join("out/report.md")).unwrap(),
            "old"
        );
        assert_eq!(
            fs::read_to_string(parent.path().join("other/report.md")).unwrap(),
            "other"
        );
    }
}
