//! Reading holdings files into [`Portfolio`]: format detection and file-level errors.
//!
//! Each format has its own module (`delimited` for CSV/TSV); this module opens files, decides
//! which reader applies from the content (not the extension), and merges the results. A file that
//! cannot be used is an [`IngestError`] naming the file (and line, where there is one); a row that
//! cannot be used becomes a [`RejectedRow`] with its reason, and the rest of the file still counts.

mod amount;
pub mod columns;
mod contain;
mod decode;
mod delimited;
mod edgar;
mod headers;
pub mod issuers;
pub mod limits;
mod nport;
pub mod nport_dataset;
pub mod nport_zip;
mod parquet;
pub mod sec13f;
pub mod sec_dataset;
mod table;
pub use table::listing_of;
pub mod tsv_chunks;
mod xlsx;
mod xml;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use amount::{Amount, DecimalMark, parse_amount, parse_percent};
pub use columns::{ColumnMap, ColumnSpec, Role, fold_header};
pub use decode::{Decoded, NotText, decode, encoding_for_label};
pub use table::{FileRead, Record};

use crate::model::{Portfolio, RejectedRow};

/// Options for reading holdings files.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Explicit column assignments; recognised headers fill in the rest.
    pub columns: ColumnSpec,
    /// An encoding the user insists on, by WHATWG label; detection is skipped.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// The NAV to turn weights into money for files that have weights but no market values.
    pub weights_nav: Option<rust_decimal::Decimal>,
    /// Names to show for files read from elsewhere than the user typed: a download in the cache
    /// is shown by its URL's file name, so its report equals a local copy's byte for byte.
    pub shown_as: std::collections::BTreeMap<PathBuf, String>,
    /// Bounds on unpacked size, line and field length.
    pub limits: limits::Limits,
}

/// A file that cannot be used at all. Each message names the file, and the line where there is one.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{file}: no such file")]
    NotFound { file: String },
    #[error(
        "{file}: is a directory; expected a holdings file or a Form 13F data set folder (with INFOTABLE.tsv and SUBMISSION.tsv)"
    )]
    IsDirectory { file: String },
    #[error(
        "{dir}: the Form 13F data set has no {missing}; a data set folder holds SUBMISSION.tsv and INFOTABLE.tsv (COVERPAGE.tsv and SUMMARYPAGE.tsv are read when present)"
    )]
    DatasetIncomplete { dir: String, missing: String },
    #[error(
        "{dir}: the Form N-PORT data set has no {missing}; a data set folder holds FUND_REPORTED_HOLDING.tsv and SUBMISSION.tsv (REGISTRANT.tsv, FUND_REPORTED_INFO.tsv and IDENTIFIERS.tsv are read when present)"
    )]
    NportIncomplete { dir: String, missing: String },
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
        "{file}: no header row with a market value column in the first {searched} lines; expected a column named like: {examples} (or name it with --columns value=HEADER){nearest}"
    )]
    NoValueColumn {
        file: String,
        searched: usize,
        examples: &'static str,
        /// The row most like a header, each cell with what it was read as ("" when none).
        nearest: String,
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
    #[error(
        "{file}: is a ZIP or OLE container but not a spreadsheet xjscan can read ({reason}); expected an XLSX, XLS, XLSB or ODS workbook"
    )]
    NotAWorkbook { file: String, reason: String },
    #[error(
        "{file}: no sheet has a header row with a market value column in its first 30 rows (sheets: {sheets}); expected a column named like: market value, value, mkt val (or name it with --columns value=HEADER)"
    )]
    NoHeaderInWorkbook { file: String, sheets: String },
    #[error("{file}:{line}: {message}")]
    Malformed {
        file: String,
        line: u64,
        message: String,
    },
    /// A problem with a file as a whole, not at one line.
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error(transparent)]
    TooLarge(#[from] crate::model::money::TooLarge),
    /// Rows lost or counted twice on their way to their buckets: xjscan's fault, never a report.
    #[error(
        "{file}: the figures do not reconcile: {message}; no report was written, as its totals would be wrong (please report this as a bug)"
    )]
    Unbalanced { file: String, message: String },
    #[error(
        "{file}: given more than once; each holdings file is read once (reading it again would double the portfolio)"
    )]
    GivenTwice { file: String },
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
    // A NAV stated by the files (N-PORT net assets) applies when every file states one.
    let mut navs = Vec::new();
    refuse_repeated(paths, options)?;
    let mut seen_content: Vec<(String, String)> = Vec::new();
    for path in paths {
        let read = read_file(path, options)?;
        // Two names for the same bytes double the portfolio as surely as one file given twice;
        // but two funds may hold the same positions, so it is said rather than refused.
        if let Some((other, _)) = seen_content.iter().find(|(_, h)| *h == read.summary.sha256) {
            portfolio.warnings.push(crate::model::Warning {
                source: crate::model::SourceLine {
                    file: read.summary.file.as_str().into(),
                    line: 0,
                },
                message: format!(
                    "has the same content as {other}; both are counted, which doubles these positions if they are one portfolio"
                ),
            });
        }
        seen_content.push((read.summary.file.clone(), read.summary.sha256.clone()));
        navs.push(read.nav);
        portfolio.files.push(read.summary);
        // Moved, not copied, for the first file: a copy would hold every holding twice at once.
        if portfolio.holdings.is_empty() {
            portfolio.holdings = read.holdings;
        } else {
            portfolio.holdings.extend(read.holdings);
        }
        portfolio.rejected.extend(read.rejected);
        portfolio.warnings.extend(read.warnings);
    }
    crate::model::money::check_portfolio(&portfolio)?;
    if navs.iter().all(Option::is_some) {
        // Each stated NAV is at most the bound (the reader checks), so the sum of a few fits.
        let total = navs
            .into_iter()
            .flatten()
            .try_fold(rust_decimal::Decimal::ZERO, |a, b| a.checked_add(b));
        let Some(total) = total else {
            return Err(IngestError::Invalid {
                file: name.to_string(),
                message: "the net assets the files state add up past Decimal's range".to_string(),
            });
        };
        portfolio.nav = Some(total);
    }
    Ok(portfolio)
}

/// The same file given twice (by any spelling of its path) would be read twice and double the
/// portfolio: refused, naming it.
fn refuse_repeated(paths: &[PathBuf], options: &IngestOptions) -> Result<(), IngestError> {
    let mut seen: Vec<PathBuf> = Vec::new();
    for path in paths {
        let Ok(real) = std::fs::canonicalize(path) else {
            continue; // read_file reports a missing file with its own message.
        };
        if seen.contains(&real) {
            let file = options
                .shown_as
                .get(path)
                .cloned()
                .unwrap_or_else(|| display_path(path));
            return Err(IngestError::GivenTwice { file });
        }
        seen.push(real);
    }
    Ok(())
}

/// Names and descriptions from any format (XML ones included) within the field limit: each is
/// copied into every report, so one huge name would be copied many times over.
fn check_field_lengths(file: &str, read: &FileRead, limit: u64) -> Result<(), IngestError> {
    for h in &read.holdings {
        let longest = [Some(h.name.as_str()), h.description.as_deref()]
            .into_iter()
            .flatten()
            .map(str::len)
            .max()
            .unwrap_or(0);
        if longest as u64 > limit {
            return Err(limits::field_too_long(file, h.source.line, longest, limit));
        }
    }
    Ok(())
}

/// Reads one Parquet partition of a data set, its footer checked and polars contained, as a
/// holdings Parquet file is.
pub fn contained_partition(path: &Path) -> Result<polars::prelude::DataFrame, IngestError> {
    let file = display_path(path);
    contain::contained(&file, "the Parquet reader", || {
        parquet::check_layout(&file, path)?;
        sec_dataset::read_partition(path).map_err(|e| sec_dataset::piece_error(path, e))
    })
}

/// The path as shown in messages and reports: as the user typed it, with `/` separators so that
/// reports are the same on every platform.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Recognises the format from the content and reads it.
fn read_content(
    file: &str,
    bytes: Vec<u8>,
    options: &IngestOptions,
) -> Result<FileRead, IngestError> {
    // Spreadsheets are ZIP (XLSX, ODS) or OLE (XLS) containers.
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xd0\xcf\x11\xe0") {
        return xlsx::read(file, bytes, options);
    }
    let decoded = decode(&bytes, options.encoding).map_err(|e| match e {
        NotText::Container(kind) => IngestError::Unsupported {
            file: file.to_string(),
            kind,
        },
        NotText::Binary { offset } => IngestError::Binary {
            file: file.to_string(),
            offset,
        },
    })?;
    // The raw bytes are not needed once decoded; freeing them keeps one copy of the file alive.
    drop(bytes);
    let text = decoded.text.as_str();
    if edgar::is_submission(text) {
        return read_submission(file, text, decoded.encoding);
    }
    if text
        .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .starts_with('<')
    {
        return read_xml(file, text, decoded.encoding);
    }
    delimited::read(file, decoded, options)
}

/// The local name of the root element and the line it is on (comments and declarations
/// skipped), without parsing the whole document.
fn root_element(text: &str) -> Option<(&str, u64)> {
    let mut rest = text;
    let mut offset = 0;
    loop {
        let i = rest.find('<')?;
        let after = &rest[i + 1..];
        if after.starts_with('?') || after.starts_with('!') {
            let close = after.find('>')?;
            offset += i + 1 + close + 1;
            rest = &text[offset..];
            continue;
        }
        let end = after
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(after.len());
        let qualified = &after[..end];
        let local = qualified.rsplit(':').next().unwrap_or(qualified);
        let line = text[..offset + i].matches('\n').count() as u64 + 1;
        return Some((local, line));
    }
}

fn read_xml(file: &str, text: &str, encoding: &str) -> Result<FileRead, IngestError> {
    let Some((root, line)) = root_element(text) else {
        return Err(IngestError::Malformed {
            file: file.to_string(),
            line: 1,
            message: "the XML has no root element".to_string(),
        });
    };
    match root {
        "informationTable" => sec13f::read_infotable(file, text, 0, &sec13f::Cover::default(), "13f-xml", encoding),
        "edgarSubmission" if text.contains("invstOrSec") || text.contains("edgar/nport") => {
            nport::read(file, text, 0, "nport-xml", encoding)
        }
        "edgarSubmission" if text.contains("thirteenffiler") => Err(IngestError::Malformed {
            file: file.to_string(),
            line,
            message: "this is a 13F cover page (primary_doc.xml), not its information table; give the information table XML or the full submission (.txt)".to_string(),
        }),
        other => Err(IngestError::Malformed {
            file: file.to_string(),
            line,
            message: format!("XML with root element <{other}>; expected a 13F information table or an N-PORT report"),
        }),
    }
}

fn read_submission(file: &str, text: &str, encoding: &str) -> Result<FileRead, IngestError> {
    let (header, documents) = edgar::split(text);
    if let Some(table) = documents
        .iter()
        .find(|d| d.doc_type.eq_ignore_ascii_case("INFORMATION TABLE"))
    {
        let cover = match documents.iter().find(|d| d.doc_type.starts_with("13F")) {
            Some(doc) => sec13f::read_cover(file, doc.xml, doc.base_line, &header)?,
            None => sec13f::Cover {
                filer: header.filer.clone(),
                period: header.period.clone(),
                filed: header.filed.clone(),
                ..sec13f::Cover::default()
            },
        };
        let mut read = sec13f::read_infotable(
            file,
            table.xml,
            table.base_line,
            &cover,
            "13f-submission",
            encoding,
        )?;
        if let Some(accession) = &header.accession {
            read.summary
                .notes
                .insert(0, format!("EDGAR accession {accession}"));
        }
        return Ok(read);
    }
    if let Some(doc) = documents
        .iter()
        .find(|d| d.doc_type.starts_with("NPORT") || d.xml.contains("invstOrSec"))
    {
        return nport::read(file, doc.xml, doc.base_line, "nport-submission", encoding);
    }
    let types: Vec<&str> = documents.iter().map(|d| d.doc_type.as_str()).collect();
    Err(IngestError::Malformed {
        file: file.to_string(),
        line: 1,
        message: format!(
            "EDGAR submission without a 13F information table or an N-PORT report (documents with XML: {})",
            if types.is_empty() {
                "none".to_string()
            } else {
                types.join(", ")
            }
        ),
    })
}

/// Reads one holdings file, detecting its format from the content.
pub fn read_file(path: &Path, options: &IngestOptions) -> Result<FileRead, IngestError> {
    let file = options
        .shown_as
        .get(path)
        .cloned()
        .unwrap_or_else(|| display_path(path));
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
    let mut read = if bytes.starts_with(b"PAR1") {
        parquet::read(&file, path, options)?
    } else {
        read_content(&file, bytes, options)?
    };
    read.summary.path = path.to_path_buf();
    read.summary.sha256 = sha256;
    check_field_lengths(&file, &read, options.limits.field)?;
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
