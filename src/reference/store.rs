//! Where updated reference data lives and which data a run uses.
//!
//! `xjscan mappings update` writes each refresh as a new dated folder `mappings-YYYY-MM-DD[-N]`
//! in the data directory (`--data-dir`, else `$XJSCAN_DATA_DIR`, else `$XDG_DATA_HOME/xjscan`,
//! else `~/.local/share/xjscan`). Commands that load reference data use the newest of these
//! folders unless `--mappings` names a folder or the shipped tables are asked for. Folders are
//! never changed once written, so a report's folder name and hash always point at the data it
//! used.

use std::path::{Path, PathBuf};

use super::ReferenceError;
use crate::model::{DataKind, IsoDate, ReferenceData};

/// The environment variable naming the data directory.
pub const DATA_DIR_ENV: &str = "XJSCAN_DATA_DIR";

/// The prefix of every dated folder.
const PREFIX: &str = "mappings-";

/// The data directory: `explicit`, else `$XJSCAN_DATA_DIR`, else the platform's user data
/// folder (`$XDG_DATA_HOME/xjscan`, else `~/.local/share/xjscan`); `None` when there is no home
/// to put it in.
pub fn data_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = explicit {
        return Some(dir.to_path_buf());
    }
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    var(DATA_DIR_ENV)
        .map(PathBuf::from)
        .or_else(|| var("XDG_DATA_HOME").map(|d| PathBuf::from(d).join("xjscan")))
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".local/share/xjscan")))
}

/// `(date, sequence)` of a dated folder's name (`mappings-2026-12-05` is sequence 1,
/// `mappings-2026-12-05-2` is 2); `None` for any other name.
pub fn parse_folder_name(name: &str) -> Option<(String, u32)> {
    let rest = name.strip_prefix(PREFIX)?;
    let date = rest.get(..10)?;
    date.parse::<IsoDate>().ok()?;
    let sequence = match &rest[10..] {
        "" => 1,
        tail => {
            let n = tail.strip_prefix('-')?;
            if !n.bytes().all(|b| b.is_ascii_digit()) || n.starts_with('0') {
                return None;
            }
            n.parse::<u32>().ok().filter(|n| *n >= 2)?
        }
    };
    Some((date.to_string(), sequence))
}

/// The dated folders in `dir`, oldest first. A missing directory has none.
pub fn dated_folders(dir: &Path) -> Result<Vec<PathBuf>, ReferenceError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(ReferenceError::DataDir {
                path: dir.to_path_buf(),
                error,
            });
        }
    };
    let mut found: Vec<((String, u32), PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(key) = parse_folder_name(&name)
            && entry.path().is_dir()
        {
            found.push((key, entry.path()));
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, path)| path).collect())
}

/// The newest dated folder in `dir`, if any.
pub fn newest(dir: &Path) -> Result<Option<PathBuf>, ReferenceError> {
    Ok(dated_folders(dir)?.pop())
}

/// The name for a new folder dated `date`: `mappings-DATE`, or the next free `-N`.
pub fn next_folder_name(dir: &Path, date: &str) -> String {
    let mut name = format!("{PREFIX}{date}");
    let mut n = 2;
    while dir.join(&name).exists() {
        name = format!("{PREFIX}{date}-{n}");
        n += 1;
    }
    name
}

/// The reference data a run uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// The tables compiled into the binary.
    Shipped,
    /// A folder named with `--mappings`.
    Folder(PathBuf),
    /// A dated folder written by `xjscan mappings update`.
    Updated(PathBuf),
}

impl Choice {
    /// `--mappings DIR` if given; else the shipped tables when asked for (`--shipped-data`);
    /// else the newest dated folder in the data directory; else the shipped tables.
    pub fn resolve(
        mappings: Option<PathBuf>,
        shipped: bool,
        data_dir: Option<&Path>,
    ) -> Result<Choice, ReferenceError> {
        if let Some(dir) = mappings {
            return Ok(Choice::Folder(dir));
        }
        if shipped {
            return Ok(Choice::Shipped);
        }
        let newest = match data_dir {
            Some(dir) => newest(dir)?,
            None => None,
        };
        Ok(newest.map_or(Choice::Shipped, Choice::Updated))
    }

    /// Loads and validates the chosen data. A dated folder that fails validation is an error
    /// naming it, never a silent fallback to older data.
    pub fn load(&self) -> Result<ReferenceData, ReferenceError> {
        match self {
            Choice::Shipped => super::load_embedded(),
            Choice::Folder(dir) => {
                let mut data = super::load_dir(dir)?;
                data.meta
                    .set_kind(DataKind::Folder, dir.display().to_string());
                Ok(data)
            }
            Choice::Updated(dir) => load_updated(dir),
        }
    }

    /// The folder the tables (and a reviewer's `overrides.csv`) are read from, if not shipped.
    pub fn dir(&self) -> Option<&Path> {
        match self {
            Choice::Shipped => None,
            Choice::Folder(dir) | Choice::Updated(dir) => Some(dir),
        }
    }
}

/// Loads a dated folder; its name (not the machine's path to it) is its origin, so reports stay
/// the same wherever the data directory is.
pub fn load_updated(dir: &Path) -> Result<ReferenceData, ReferenceError> {
    let mut data = super::load_dir(dir)?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    data.meta.set_kind(DataKind::Updated, name);
    Ok(data)
}

/// True when a dated folder's `manifest.json` names other shipped tables than this xjscan's
/// (the folder was written before an upgrade, so a new release's curated corrections are not in
/// it). A folder without a readable manifest is taken as built on these.
pub fn built_on_other_shipped_tables(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) else {
        return false;
    };
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let Some(theirs) = manifest.get("shipped_sha256").and_then(|v| v.as_str()) else {
        return false;
    };
    super::load_embedded().is_ok_and(|data| data.meta.sha256 != theirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names() {
        assert_eq!(
            parse_folder_name("mappings-2026-12-05"),
            Some(("2026-12-05".to_string(), 1))
        );
        assert_eq!(
            parse_folder_name("mappings-2026-12-05-12"),
            Some(("2026-12-05".to_string(), 12))
        );
        for bad in [
            "mappings-2026-12-5",
            "mappings-2026-13-05",
            "mappings-2026-12-05-1",
            "mappings-2026-12-05-02",
            "mappings-2026-12-05x",
            ".xjscan-stage-mappings-2026-12-05",
            "mappings",
        ] {
            assert_eq!(parse_folder_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn newest_orders_by_date_then_sequence() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "mappings-2026-12-05-10",
            "mappings-2026-12-05-9",
            "mappings-2026-11-30",
            "other",
        ] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
        }
        let found = newest(dir.path()).unwrap().unwrap();
        assert!(found.ends_with("mappings-2026-12-05-10"));
        assert_eq!(
            next_folder_name(dir.path(), "2026-11-30"),
            "mappings-2026-11-30-2"
        );
        assert_eq!(newest(&dir.path().join("missing")).unwrap(), None);
    }
}
