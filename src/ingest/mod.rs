//! Reading holdings files into [`Portfolio`]: format detection and file-level errors.
//!
//! Each format has its own module (`delimited` for CSV/TSV); this module opens files, decides
//! which reader applies from the content (not the extension), and merges the results. A file that
//! cannot be used is an [`IngestError`] naming the file (and line, where there is one); a row that
//! cannot be used becomes a [`RejectedRow`] with its reason, and the rest of the file still counts.

mod amount;
mod columns;
mod decode;
mod delimited;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use amount::{Amount, parse_amount, parse_percent};
pub use columns::{ColumnMap, ColumnSpec, Role, fold_header};
pub use decode::{Decoded, NotText, decode, encoding_for_label};
pub use delimited::FileRead;

use crate::model::{Portfolio, RejectedRow};

/// Options for reading holdings files.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Explicit column assignments; recognised headers fill in the rest.
    pub columns: ColumnSpec,
    /// An encoding the user insists on, by WHATWG label; detection is skipped.
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

/// A file that cannot be used at all. Each message names the file, and the line where there is one.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{file}: no such file")]
    NotFound { file: String },
    #[error("{file}: is a directory; expected a holdings file")]
    IsDirectory { file: String },
    #[error("{file}: cannot read: {error}")]
    Io { file: String, error: std::io::Error },
    #[error("{file}: file is empty; expected a holdings table with a header row")]
    Empty { file: String },
    #[error(
        "{file}: looks like a binary file (byte {offset} is not text); expected CSV or TSV text"
    )]
    Binary { file: String, offset: usize },
    #[error("{file}: is {kind}; this version reads CSV and TSV holdings files")]
    Unsupported { file: String, kind: &'static str },
    #[error("{file}:{line}: quoted field starting on this line is never closed (missing `\"`)")]
    UnterminatedQuote { file: String, line: u64 },
    #[error(
        "{file}: no header row with a market value column in the first {searched} lines; expected a column named like: {examples} (or name it with --columns value=HEADER)"
    )]
    NoValueColumn {
        file: String,
        searched: usize,
        examples: &'static str,
    },
    #[error(
        "{file}:{line}: column `{wanted}` given with --columns is not in the header row; found: {found}"
    )]
    ColumnNotFound {
        file: String,
        line: u64,
        wanted: String,
        found: String,
    },
    #[error("{file}:{line}: header row has no holdings rows after it")]
    HeaderOnly { file: String, line: u64 },
    #[error(
        "{file}: none of its {rows} rows is a usable holding; first problem: line {line}: {reason}"
    )]
    NoUsableRows {
        file: String,
        rows: usize,
        line: u64,
        reason: String,
    },
    #[error("{file}:{line}: {message}")]
    Malformed {
        file: String,
        line: u64,
        message: String,
    },
}

/// Reads every file into one portfolio. Stops at the first unusable file: a report built on
/// part of the user's input would understate exposure without saying so.
pub fn read_files(
    name: &str,
    paths: &[PathBuf],
    options: &IngestOptions,
) -> Result<Portfolio, IngestError> {
    let mut portfolio = Portfolio {
        name: name.to_string(),
        ..Portfolio::default()
    };
    for path in paths {
        let read = read_file(path, options)?;
        portfolio.files.push(read.summary);
        portfolio.holdings.extend(read.holdings);
        portfolio.rejected.extend(read.rejected);
        portfolio.warnings.extend(read.warnings);
    }
    Ok(portfolio)
}

/// The path as shown in messages and reports: as the user typed it, with `/` separators so that
/// reports are the same on every platform.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Reads one holdings file, detecting its format from the content.
pub fn read_file(path: &Path, options: &IngestOptions) -> Result<FileRead, IngestError> {
    let file = display_path(path);
    let metadata = std::fs::metadata(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => IngestError::NotFound { file: file.clone() },
        _ => IngestError::Io {
            file: file.clone(),
            error: source,
        },
    })?;
    if metadata.is_dir() {
        return Err(IngestError::IsDirectory { file });
    }
    let bytes = std::fs::read(path).map_err(|error| IngestError::Io {
        file: file.clone(),
        error,
    })?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(IngestError::Empty { file });
    }
    let sha256 = crate::reference::hex(&Sha256::digest(&bytes));
    let decoded = decode(&bytes, options.encoding).map_err(|e| match e {
        NotText::Container(kind) => IngestError::Unsupported {
            file: file.clone(),
            kind,
        },
        NotText::Binary { offset } => IngestError::Binary {
            file: file.clone(),
            offset,
        },
    })?;
    let mut read = delimited::read(&file, &decoded, options)?;
    read.summary.path = path.to_path_buf();
    read.summary.sha256 = sha256;
    if read.holdings.is_empty() {
        let rows = read.rejected.len();
        return Err(match read.rejected.into_iter().next() {
            Some(RejectedRow { source, reason, .. }) => IngestError::NoUsableRows {
                file,
                rows,
                line: source.line,
                reason,
            },
            None => IngestError::HeaderOnly {
                file,
                line: read.summary.header_line,
            },
        });
    }
    Ok(read)
}
