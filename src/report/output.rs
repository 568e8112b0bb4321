//! Writing an output folder: only inside it, and always as a whole set of files or not at all.
//!
//! The new folder is built complete in a hidden sibling (`.xjscan-stage-…`, see [`stage`]) and
//! then swapped in for the old one (see [`swap`]), so a crash, a kill or a full disk leaves either
//! the old set of files or the new one, never a mix. Runs writing into the same parent folder take
//! turns (see [`lock`]), and each run first removes what killed runs left behind. File names are
//! fixed or sanitised, so nothing lands outside the folder.

mod lock;
mod stage;
mod swap;

use std::path::{Path, PathBuf};

/// Why the output folder could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{}: names a file; expected a folder (new or an earlier output folder)", .0.display())]
    NotAFolder(PathBuf),
    #[error(
        "{}: holds the {kind} `{name}`; an output folder is replaced as a whole and a {kind} would not be carried over, so nothing was written (move it elsewhere or choose another folder)",
        .dir.display()
    )]
    NotCarried {
        dir: PathBuf,
        kind: &'static str,
        name: String,
    },
    #[error("{}: cannot be an output folder (it has no name of its own)", .0.display())]
    NoName(PathBuf),
    #[error("{}: cannot write: {error}", .path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("refusing to write `{0}`: output file names may not contain path separators")]
    UnsafeName(String),
}

impl OutputError {
    /// The folder the user named cannot be used (as opposed to a failure while writing).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            OutputError::NotAFolder(_) | OutputError::NotCarried { .. } | OutputError::NoName(_)
        )
    }
}

/// Turns an I/O error on `path` into an [`OutputError`].
fn io_at(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |error| OutputError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Turns free text (a portfolio or issuer name) into a safe file or folder name: letters, digits,
/// `-`, `_` and `.` only, no leading dots, at most 80 characters, never empty.
pub fn sanitize_file_name(raw: &str) -> String {
    let replaced: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    // Segments made only of dots (`..`) are path tricks, not names.
    let joined = replaced
        .split('-')
        .filter(|seg| !seg.is_empty() && !seg.chars().all(|c| c == '.'))
        .collect::<Vec<_>>()
        .join("-");
    let trimmed: String = joined
        .trim_start_matches('.')
        .chars()
        .take(80)
        .collect::<String>()
        .trim_end_matches(['-', '.'])
        .to_string();
    if trimmed.is_empty() {
        "portfolio".to_string()
    } else {
        trimmed
    }
}

/// Makes `dir` hold exactly `(file name, contents)` pairs plus the files it already held that
/// are not replaced; creates it (and its parent) if needed. See [`write_outputs_claiming`].
pub fn write_outputs<C: AsRef<[u8]>>(
    dir: &Path,
    files: &[(&str, C)],
) -> Result<Vec<PathBuf>, OutputError> {
    write_outputs_claiming(dir, files, &|_| false)
}

/// Like [`write_outputs`], but files of the existing folder for which `stale` is true are the
/// caller's own outputs from an earlier run and are dropped rather than carried over (letters to
/// issuers no longer flagged, say). Temporaries of earlier versions (`.xjscan-*`) always are.
pub fn write_outputs_claiming<C: AsRef<[u8]>>(
    dir: &Path,
    files: &[(&str, C)],
    stale: &dyn Fn(&str) -> bool,
) -> Result<Vec<PathBuf>, OutputError> {
    for (name, _) in files {
        if name.contains(['/', '\\']) || name.starts_with('.') || name.is_empty() {
            return Err(OutputError::UnsafeName((*name).to_string()));
        }
    }
    let (parent, name) = locate(dir)?;
    let guard = lock::ParentLock::acquire(&parent, &shown_parent(dir))?;
    swap::clear_leftovers(&parent)?;
    let target = parent.join(&name);
    let existing = stage::survey(&target, dir)?;
    let claimed = |n: &str| n.starts_with(".xjscan-") || stale(n);
    let staged = stage::build(&parent, &name, existing.as_ref(), files, &claimed)?;
    failpoint("after-stage");
    let old_tree = swap::swap_in(&guard, &parent, &name, staged, existing.is_some())?;
    failpoint("after-swap");
    guard.sync().map_err(io_at(&parent))?;
    // The new set is in place and durable: failing to delete the old tree is no error, and the
    // next run into this parent removes it under its own lock.
    old_tree.remove();
    Ok(files.iter().map(|(n, _)| dir.join(n)).collect())
}

/// The real parent folder (created if needed) and the folder's name in it. Symbolic links are
/// resolved so that a link to an output folder stays a link and its target is replaced.
fn locate(dir: &Path) -> Result<(PathBuf, std::ffi::OsString), OutputError> {
    let real = match std::fs::canonicalize(dir) {
        Ok(real) => real,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let name = dir
                .file_name()
                .ok_or_else(|| OutputError::NoName(dir.to_path_buf()))?;
            let parent = shown_parent(dir);
            std::fs::create_dir_all(&parent).map_err(io_at(&parent))?;
            std::fs::canonicalize(&parent)
                .map_err(io_at(&parent))?
                .join(name)
        }
        Err(e) => return Err(io_at(dir)(e)),
    };
    match (real.parent(), real.file_name()) {
        (Some(parent), Some(name)) => Ok((parent.to_path_buf(), name.to_os_string())),
        _ => Err(OutputError::NoName(dir.to_path_buf())),
    }
}

/// The parent of `dir` as the user wrote it (`.` for a bare name), for messages.
fn shown_parent(dir: &Path) -> PathBuf {
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A test hook for the moments a kill matters: with `XJSCAN_FAILPOINT=after-stage` (the staging
/// folder is complete) or `after-swap` (the new folder is in place, the old tree not yet removed)
/// the process aborts there. Only debug builds have it: release builds compile it out, so the
/// variable cannot make a shipped binary abort.
#[cfg(debug_assertions)]
fn failpoint(point: &str) {
    if std::env::var_os("XJSCAN_FAILPOINT").is_some_and(|v| v == point) {
        std::process::abort();
    }
}

#[cfg(not(debug_assertions))]
fn failpoint(_point: &str) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every entry of `dir`, sorted, with its contents (`/` for a folder).
    fn listing(dir: &Path) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let text = std::fs::read_to_string(e.path()).unwrap_or_else(|_| "/".into());
                (e.file_name().into_string().unwrap(), text)
            })
            .collect();
        all.sort();
        all
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn sanitises_names() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "etc-passwd");
        assert_eq!(
            sanitize_file_name("Xinjiang Zhongtai Chemical Co., Ltd."),
            "Xinjiang-Zhongtai-Chemical-Co.-Ltd"
        );
        assert_eq!(sanitize_file_name("新疆中泰"), "portfolio");
        assert_eq!(sanitize_file_name("..."), "portfolio");
        assert_eq!(sanitize_file_name("my portfolio (Q3)"), "my-portfolio-Q3");
    }

    #[test]
    fn writes_a_whole_set_and_refuses_paths() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a/b");
        let written = write_outputs(&out, &[("report.md", "x".to_string())]).unwrap();
        assert_eq!(written, vec![out.join("report.md")]);
        assert_eq!(listing(&out), pairs(&[("report.md", "x")]));
        let err = write_outputs(&out, &[("../evil.md", "x".to_string())]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "refusing to write `../evil.md`: output file names may not contain path separators"
        );
        // Nothing is left beside the folder either.
        assert_eq!(listing(&dir.path().join("a")), pairs(&[("b", "/")]));
    }

    #[test]
    fn carries_foreign_files_and_drops_claimed_and_temporary_ones() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        for (name, text) in [
            ("notes.txt", "mine"),
            ("report.md", "old"),
            ("letter-03-x.md", "old letter"),
            (".xjscan-Ab12Cd", "half"),
        ] {
            std::fs::write(out.join(name), text).unwrap();
        }
        let files = [("report.md", "new"), ("letter-01-y.md", "letter")];
        write_outputs_claiming(&out, &files, &|n| n.starts_with("letter-")).unwrap();
        assert_eq!(
            listing(&out),
            pairs(&[
                ("letter-01-y.md", "letter"),
                ("notes.txt", "mine"),
                ("report.md", "new")
            ])
        );
        assert_eq!(listing(dir.path()), pairs(&[("out", "/")]));
    }

    #[cfg(unix)]
    #[test]
    fn keeps_the_folder_mode_and_writes_files_readable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o750)).unwrap();
        write_outputs(&out, &[("report.md", "x")]).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&out), 0o750);
        assert_eq!(mode(&out.join("report.md")), 0o644);
    }

    #[cfg(unix)]
    #[test]
    fn replaces_a_read_only_folder_and_leaves_nothing_behind() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("report.md"), "old").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).unwrap();
        write_outputs(&out, &[("report.md", "new")]).unwrap();
        assert_eq!(listing(&out), pairs(&[("report.md", "new")]));
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o555);
        assert_eq!(listing(dir.path()), pairs(&[("out", "/")]));
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn refuses_a_file_a_subfolder_and_a_nameless_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        let err = write_outputs(&file, &[("report.md", "x")]).unwrap_err();
        assert!(err.is_input_error());
        assert_eq!(
            err.to_string(),
            format!(
                "{}: names a file; expected a folder (new or an earlier output folder)",
                file.display()
            )
        );
        let out = dir.path().join("out");
        std::fs::create_dir_all(out.join("sub")).unwrap();
        std::fs::write(out.join("report.md"), "old").unwrap();
        let err = write_outputs(&out, &[("report.md", "new")]).unwrap_err();
        assert!(err.is_input_error());
        assert_eq!(
            err.to_string(),
            format!(
                "{}: holds the subfolder `sub`; an output folder is replaced as a whole and a subfolder would not be carried over, so nothing was written (move it elsewhere or choose another folder)",
                out.display()
            )
        );
        assert_eq!(listing(&out), pairs(&[("report.md", "old"), ("sub", "/")]));
        #[cfg(unix)]
        {
            let linked = dir.path().join("linked");
            std::fs::create_dir(&linked).unwrap();
            std::os::unix::fs::symlink(&file, linked.join("data.csv")).unwrap();
            let err = write_outputs(&linked, &[("report.md", "new")]).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "{}: holds the symbolic link `data.csv`; an output folder is replaced as a whole and a symbolic link would not be carried over, so nothing was written (move it elsewhere or choose another folder)",
                    linked.display()
                )
            );
        }
        let err = write_outputs(Path::new("/"), &[("report.md", "x")]).unwrap_err();
        assert!(err.is_input_error());
        assert_eq!(
            err.to_string(),
            "/: cannot be an output folder (it has no name of its own)"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_the_folder_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_outputs(&link, &[("report.md", "x")]).unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(listing(&real), pairs(&[("report.md", "x")]));
    }
}
