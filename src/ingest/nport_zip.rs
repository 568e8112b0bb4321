//! A Form N-PORT data set as the SEC publishes it, one zip a quarter (`2026q2_nport.zip`, the
//! tables at its top level): the tables a scan reads are unpacked to a temporary folder that
//! is removed when the scan ends, and the folder is scanned.
//!
//! Why not read the zip in place: the scan reads the holdings table as line-aligned byte
//! ranges on every core, and reads flagged lines again by their offset; a deflate stream
//! allows neither, so read in place the pass would run on one core and the flagged lines would
//! need a second pass. The five tables a scan reads are about a quarter of the quarter's
//! unpacked size (the holdings table is 0.85-0.91 GB). Each is bounded as it is unpacked.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::IngestError;
use super::nport_dataset::HOLDINGS;

/// The tables unpacked: the two a data set cannot do without, then the three it is better
/// with (see [`super::nport_dataset::locate`]).
const TABLES: [&str; 5] = [
    HOLDINGS,
    "SUBMISSION.tsv",
    "REGISTRANT.tsv",
    "FUND_REPORTED_INFO.tsv",
    "IDENTIFIERS.tsv",
];

/// The most one table may unpack to: some thirty times a real quarter's holdings table.
pub const MAX_TABLE: u64 = 32 << 30;

/// A data set unpacked from its zip; the folder is removed when this is dropped.
#[derive(Debug)]
pub struct Unpacked {
    dir: tempfile::TempDir,
}

impl Unpacked {
    /// The folder holding the unpacked tables.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// True when `path` is a zip archive with a Form N-PORT holdings table in it.
pub fn is_dataset_zip(path: &Path) -> bool {
    path.is_file()
        && File::open(path)
            .ok()
            .and_then(|f| zip::ZipArchive::new(BufReader::new(f)).ok())
            .is_some_and(|archive| member(&archive, HOLDINGS).is_some())
}

/// Unpacks the tables a scan reads into a new temporary folder.
pub fn unpack(zip_path: &Path) -> Result<Unpacked, IngestError> {
    let shown = super::display_path(zip_path);
    let io = |error| IngestError::Io {
        file: shown.clone(),
        error,
    };
    let invalid = |message: String| IngestError::Invalid {
        file: shown.clone(),
        message,
    };
    let mut archive = zip::ZipArchive::new(BufReader::new(File::open(zip_path).map_err(io)?))
        .map_err(|e| invalid(format!("not a zip archive xjscan can read ({e})")))?;
    let stem: String = zip_path
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect();
    let dir = tempfile::Builder::new()
        .prefix(&format!("xjscan-{stem}-"))
        .tempdir()
        .map_err(io)?;
    for table in TABLES {
        let Some(index) = member(&archive, table) else {
            if table == HOLDINGS || table == "SUBMISSION.tsv" {
                return Err(invalid(format!(
                    "no {table} in the archive; expected a Form N-PORT data set as the SEC publishes it"
                )));
            }
            continue;
        };
        let entry = archive
            .by_index(index)
            .map_err(|e| invalid(format!("{table}: cannot be unpacked ({e})")))?;
        let out = dir.path().join(table);
        let mut writer = BufWriter::new(File::create(&out).map_err(io)?);
        copy_bounded(entry, &mut writer, MAX_TABLE)
            .map_err(|e| invalid(format!("{table}: {e}")))?;
        writer.flush().map_err(io)?;
    }
    Ok(Unpacked { dir })
}

/// Where a table is in the archive: at its top level as the SEC writes it, or in the one
/// folder a user may have zipped it in.
fn member<R: Read + std::io::Seek>(archive: &zip::ZipArchive<R>, table: &str) -> Option<usize> {
    if let Some(index) = archive.index_for_name(table) {
        return Some(index);
    }
    let mut found = (0..archive.len()).filter(|&i| {
        archive
            .name_for_index(i)
            .and_then(Result::ok)
            .is_some_and(|name| {
                name.rsplit_once('/')
                    .is_some_and(|(folder, file)| file == table && !folder.contains('/'))
            })
    });
    match (found.next(), found.next()) {
        (Some(index), None) => Some(index),
        _ => None,
    }
}

/// Copies at most `limit` bytes; a reader with more is refused (a zip's stated sizes are not
/// trusted: the bytes are counted). A damaged member fails its checksum here.
fn copy_bounded(reader: impl Read, writer: &mut impl Write, limit: u64) -> Result<u64, String> {
    let copied = std::io::copy(&mut reader.take(limit.saturating_add(1)), writer)
        .map_err(|e| format!("cannot be unpacked ({e})"))?;
    if copied > limit {
        let size = if limit >= 1 << 30 {
            format!("{} GiB", limit >> 30)
        } else {
            format!("{limit} bytes")
        };
        return Err(format!(
            "unpacks to more than {size}; expected a Form N-PORT table (a quarter's largest is about 1 GB)"
        ));
    }
    Ok(copied)
}

/// The folder a scan of `input` reads: `input` itself, or the data set unpacked from it when it
/// is an N-PORT zip (kept alive by the returned guard).
pub fn dataset_folder(input: &Path) -> Result<(PathBuf, Option<Unpacked>), IngestError> {
    if is_dataset_zip(input) {
        let unpacked = unpack(input)?;
        Ok((unpacked.path().to_path_buf(), Some(unpacked)))
    } else {
        Ok((input.to_path_buf(), None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_past_the_bound_is_refused_by_its_bytes() {
        let mut out = Vec::new();
        assert_eq!(copy_bounded(&b"12345"[..], &mut out, 5), Ok(5));
        assert_eq!(
            copy_bounded(&b"123456"[..], &mut Vec::new(), 5),
            Err("unpacks to more than 5 bytes; expected a Form N-PORT table (a quarter's largest is about 1 GB)".to_string())
        );
    }
}
