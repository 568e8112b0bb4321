//! Writing report files: only inside the output folder, and never half-written.
//!
//! Each file is first written in full to a temporary file in the same folder and then renamed
//! over its final name, so a crash or a full disk leaves either the old report or the new one,
//! never a truncated mix. File names are fixed or sanitised, so nothing lands outside the folder.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why the output folder could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{}: output folder is a file", .0.display())]
    NotAFolder(PathBuf),
    #[error("{}: cannot write: {error}", .path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("refusing to write `{0}`: output file names may not contain path separators")]
    UnsafeName(String),
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

/// Writes `(file name, contents)` pairs into `dir`, creating it if needed.
pub fn write_outputs<C: AsRef<[u8]>>(
    dir: &Path,
    files: &[(&str, C)],
) -> Result<Vec<PathBuf>, OutputError> {
    if dir.is_file() {
        return Err(OutputError::NotAFolder(dir.to_path_buf()));
    }
    std::fs::create_dir_all(dir).map_err(|error| OutputError::Io {
        path: dir.to_path_buf(),
        error,
    })?;
    // Write every file to a temporary first; rename only once all are complete.
    let mut staged = Vec::with_capacity(files.len());
    for (name, contents) in files {
        if name.contains(['/', '\\']) || name.starts_with('.') || name.is_empty() {
            return Err(OutputError::UnsafeName((*name).to_string()));
        }
        let io = |error| OutputError::Io {
            path: dir.join(name),
            error,
        };
        let mut tmp = tempfile::Builder::new()
            .prefix(".xjscan-")
            .tempfile_in(dir)
            .map_err(io)?;
        tmp.write_all(contents.as_ref()).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        staged.push((tmp, dir.join(name)));
    }
    let mut written = Vec::with_capacity(staged.len());
    for (tmp, path) in staged {
        // Temporary files are private (0600); a report is meant to be read by others.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644)).map_err(
                |error| OutputError::Io {
                    path: path.clone(),
                    error,
                },
            )?;
        }
        tmp.persist(&path).map_err(|e| OutputError::Io {
            path: path.clone(),
            error: e.error,
        })?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn writes_atomically_and_refuses_paths() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a/b");
        let written = write_outputs(&out, &[("report.md", "x".to_string())]).unwrap();
        assert_eq!(std::fs::read_to_string(&written[0]).unwrap(), "x");
        let err = write_outputs(&out, &[("../evil.md", "x".to_string())]).unwrap_err();
        assert!(matches!(err, OutputError::UnsafeName(_)));
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec!["report.md"]);
    }
}
