//! SEC "Form 13F data sets": a folder of tab-separated tables (`SUBMISSION.tsv`,
//! `INFOTABLE.tsv`, `COVERPAGE.tsv`, `SUMMARYPAGE.tsv`, …) covering every 13F filing of a period,
//! millions of rows, joined on `ACCESSION_NUMBER`. Each filing is one portfolio.
//!
//! The tables are read lazily with polars, every column as text (CUSIPs keep their leading
//! zeros; malformed rows do not abort the read); the filings' own facts (filer, period, filing
//! date, declared totals) are small and are collected into plain Rust values here.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::IngestError;

/// The columns xjscan needs from each table.
pub const INFOTABLE_COLUMNS: &[&str] = &[
    "ACCESSION_NUMBER",
    "NAMEOFISSUER",
    "TITLEOFCLASS",
    "CUSIP",
    "VALUE",
    "SSHPRNAMT",
    "SSHPRNAMTTYPE",
    "PUTCALL",
];
const SUBMISSION_COLUMNS: &[&str] = &["ACCESSION_NUMBER", "FILING_DATE", "CIK", "PERIODOFREPORT"];

/// The files of a data set.
#[derive(Debug, Clone)]
pub struct DatasetFiles {
    pub dir: PathBuf,
    /// `INFOTABLE.tsv`, or the `INFOTABLE/` folder of Parquet partitions.
    pub infotable: PathBuf,
    /// Parquet partitions of the information table (`INFOTABLE/**/*.parquet`, in path order),
    /// used when there is no `INFOTABLE.tsv`; each holds whole filings and a `LINE` column with
    /// the row's line in the original table.
    pub partitions: Vec<PathBuf>,
    pub submission: PathBuf,
    pub coverpage: Option<PathBuf>,
    pub summarypage: Option<PathBuf>,
}

/// What a data set says about one filing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filing {
    pub accession: String,
    pub cik: String,
    pub filer: Option<String>,
    /// `YYYY-MM-DD`.
    pub period: Option<String>,
    /// `YYYY-MM-DD`.
    pub filed: Option<String>,
    pub value_total: Option<i64>,
    pub entry_total: Option<i64>,
}

/// True when a folder looks like a 13F data set.
pub fn is_dataset(dir: &Path) -> bool {
    // An N-PORT data set has a SUBMISSION.tsv too; its holdings table tells it apart.
    !super::nport_dataset::is_dataset(dir)
        && ["INFOTABLE.tsv", "SUBMISSION.tsv"]
            .iter()
            .any(|f| dir.join(f).is_file())
}

/// Finds the tables and checks that each has the columns needed.
pub fn locate(dir: &Path) -> Result<DatasetFiles, IngestError> {
    let shown = crate::ingest::display_path(dir);
    let need = |name: &str| -> Result<PathBuf, IngestError> {
        let path = dir.join(name);
        if path.is_file() {
            Ok(path)
        } else {
            Err(IngestError::DatasetIncomplete {
                dir: shown.clone(),
                missing: name.to_string(),
            })
        }
    };
    let partition_dir = dir.join("INFOTABLE");
    let (infotable, partitions) = if !dir.join("INFOTABLE.tsv").is_file() && partition_dir.is_dir()
    {
        let mut parts = Vec::new();
        collect_parquet(&partition_dir, &mut parts).map_err(|error| IngestError::Io {
            file: crate::ingest::display_path(&partition_dir),
            error,
        })?;
        parts.sort();
        if parts.is_empty() {
            return Err(IngestError::DatasetIncomplete {
                dir: shown.clone(),
                missing: "INFOTABLE.tsv (INFOTABLE/ holds no .parquet partitions)".to_string(),
            });
        }
        (partition_dir, parts)
    } else {
        (need("INFOTABLE.tsv")?, Vec::new())
    };
    let files = DatasetFiles {
        dir: dir.to_path_buf(),
        infotable,
        partitions,
        submission: need("SUBMISSION.tsv")?,
        coverpage: Some(dir.join("COVERPAGE.tsv")).filter(|p| p.is_file()),
        summarypage: Some(dir.join("SUMMARYPAGE.tsv")).filter(|p| p.is_file()),
    };
    if files.partitions.is_empty() {
        check_header(&files.infotable, INFOTABLE_COLUMNS)?;
    }
    check_header(&files.submission, SUBMISSION_COLUMNS)?;
    Ok(files)
}

/// Every `.parquet` file under `dir`, recursively (hive-style `quarter=…/filer=…/` folders).
fn collect_parquet(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_parquet(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "parquet") {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads a table's header line and checks the required columns are there.
fn check_header(path: &Path, required: &[&str]) -> Result<(), IngestError> {
    let found = header(path)?;
    if required.iter().all(|c| found.iter().any(|f| f == c)) {
        Ok(())
    } else {
        Err(missing_columns(path, &found, required))
    }
}

/// The column names on a table's first line (the SEC's data sets, 13F and N-PORT alike).
pub(super) fn header(path: &Path) -> Result<Vec<String>, IngestError> {
    let file = crate::ingest::display_path(path);
    let handle = std::fs::File::open(path).map_err(|error| IngestError::Io {
        file: file.clone(),
        error,
    })?;
    let mut first = String::new();
    BufReader::new(handle)
        .read_line(&mut first)
        .map_err(|error| IngestError::Io { file, error })?;
    Ok(first
        .trim_end_matches(['\r', '\n'])
        .split('\t')
        .map(str::to_string)
        .collect())
}

fn missing_columns(path: &Path, found: &[String], required: &[&str]) -> IngestError {
    missing_columns_of("Form 13F", path, found, required)
}

/// The error for a table whose header lacks required columns, naming them and the table kind.
pub(super) fn missing_columns_of(
    kind: &str,
    path: &Path,
    found: &[String],
    required: &[&str],
) -> IngestError {
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| !found.iter().any(|f| f == c))
        .collect();
    IngestError::Malformed {
        file: crate::ingest::display_path(path),
        line: 1,
        message: format!(
            "header lacks column(s) {}; expected a {kind} data set table with {}",
            missing.join(", "),
            required.join(", ")
        ),
    }
}

/// A lazy reader of one tab-separated table, every column as text.
pub fn scan_tsv(path: &Path) -> PolarsResult<LazyFrame> {
    LazyCsvReader::new(PlRefPath::new(path.to_string_lossy().as_ref()))
        .with_glob(false)
        .with_separator(b'\t')
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_quote_char(None)
        .with_truncate_ragged_lines(true)
        .with_missing_is_null(true)
        .finish()
}

/// `30-JUN-2025` (the data sets' date form) → `2025-06-30`.
pub fn dd_mon_yyyy(raw: &str) -> Option<String> {
    let p: Vec<&str> = raw.trim().split('-').collect();
    let [d, m, y] = p.as_slice() else { return None };
    let month = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ]
    .iter()
    .position(|x| x.eq_ignore_ascii_case(m))?
        + 1;
    (d.len() == 2 && y.len() == 4).then(|| format!("{y}-{month:02}-{d}"))
}

fn polars_error(file: &Path, e: PolarsError) -> IngestError {
    IngestError::Invalid {
        file: crate::ingest::display_path(file),
        message: format!("cannot read the table: {e}"),
    }
}

/// The string values of a column of a collected frame (nulls as `None`).
fn strings(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    match df.column(name).and_then(|c| c.str().cloned()) {
        Ok(ca) => ca.iter().map(|v| v.map(str::to_string)).collect(),
        Err(_) => vec![None; df.height()],
    }
}

/// Collects the filings: one per accession number in `SUBMISSION.tsv`, with the filer's name
/// from `COVERPAGE.tsv` and the declared totals from `SUMMARYPAGE.tsv` when present.
pub fn filings(files: &DatasetFiles) -> Result<Vec<Filing>, IngestError> {
    let sub = scan_tsv(&files.submission)
        .and_then(|lf| {
            lf.select([
                col("ACCESSION_NUMBER"),
                col("FILING_DATE"),
                col("CIK"),
                col("PERIODOFREPORT"),
            ])
            .collect()
        })
        .map_err(|e| polars_error(&files.submission, e))?;
    let mut by_accession: HashMap<String, Filing> = HashMap::new();
    let (acc, filed, cik, period) = (
        strings(&sub, "ACCESSION_NUMBER"),
        strings(&sub, "FILING_DATE"),
        strings(&sub, "CIK"),
        strings(&sub, "PERIODOFREPORT"),
    );
    for i in 0..sub.height() {
        let Some(a) = acc[i].clone() else { continue };
        by_accession.insert(
            a.clone(),
            Filing {
                accession: a,
                cik: cik[i]
                    .clone()
                    .unwrap_or_default()
                    .trim_start_matches('0')
                    .to_string(),
                filer: None,
                period: period[i].as_deref().and_then(dd_mon_yyyy),
                filed: filed[i].as_deref().and_then(dd_mon_yyyy),
                value_total: None,
                entry_total: None,
            },
        );
    }
    if let Some(path) = &files.coverpage
        && let Ok(df) = scan_tsv(path).and_then(|lf| {
            lf.select([col("ACCESSION_NUMBER"), col("FILINGMANAGER_NAME")])
                .collect()
        })
    {
        let (acc, name) = (
            strings(&df, "ACCESSION_NUMBER"),
            strings(&df, "FILINGMANAGER_NAME"),
        );
        for i in 0..df.height() {
            if let (Some(a), Some(n)) = (&acc[i], &name[i])
                && let Some(f) = by_accession.get_mut(a)
            {
                f.filer = Some(n.clone());
            }
        }
    }
    if let Some(path) = &files.summarypage
        && let Ok(df) = scan_tsv(path).and_then(|lf| {
            lf.select([
                col("ACCESSION_NUMBER"),
                col("TABLEENTRYTOTAL"),
                col("TABLEVALUETOTAL"),
            ])
            .collect()
        })
    {
        let (acc, entries, values) = (
            strings(&df, "ACCESSION_NUMBER"),
            strings(&df, "TABLEENTRYTOTAL"),
            strings(&df, "TABLEVALUETOTAL"),
        );
        for i in 0..df.height() {
            if let Some(a) = &acc[i]
                && let Some(f) = by_accession.get_mut(a)
            {
                f.entry_total = entries[i].as_deref().and_then(|v| v.trim().parse().ok());
                f.value_total = values[i].as_deref().and_then(|v| v.trim().parse().ok());
            }
        }
    }
    let mut list: Vec<Filing> = by_accession.into_values().collect();
    list.sort_by(|a, b| a.accession.cmp(&b.accession));
    Ok(list)
}

/// A row of the information table: the fields xjscan needs, as the bytes read (empty when
/// missing or null).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InfoRow<'a> {
    pub accession: &'a [u8],
    pub name: &'a [u8],
    pub title: &'a [u8],
    pub cusip: &'a [u8],
    pub value: &'a [u8],
    pub amount: &'a [u8],
    pub amount_type: &'a [u8],
    pub put_call: &'a [u8],
    /// Fields a short (ragged) line lacks: `(fields on the line, fields needed)`.
    pub short: Option<(usize, usize)>,
}

impl InfoRow<'_> {
    /// Why the row's value cannot be counted, if it cannot: a short line, an empty `VALUE`, or
    /// one that is not a whole number.
    pub fn rejection(&self) -> Option<String> {
        if let Some((found, needed)) = self.short {
            return Some(format!(
                "the line has {found} tab-separated fields; {needed} are needed to reach every column xjscan reads"
            ));
        }
        if self.value.trim_ascii().is_empty() {
            return Some("VALUE is empty".to_string());
        }
        whole_number(self.value).is_none().then(|| {
            format!(
                "VALUE is not a whole number: \"{}\"",
                String::from_utf8_lossy(self.value)
            )
        })
    }
}

/// Where `INFOTABLE_COLUMNS` sit in the lines of an `INFOTABLE.tsv`, from its header.
#[derive(Debug, Clone, Copy)]
pub struct InfoColumns {
    index: [usize; 8],
}

impl InfoColumns {
    /// Fields to split per line: up to the last needed column.
    pub fn width(&self) -> usize {
        self.index.iter().max().map_or(0, |m| m + 1)
    }

    /// The row in a line's fields; fields a short (ragged) line lacks are empty.
    pub fn row<'a>(&self, fields: &[&'a [u8]]) -> InfoRow<'a> {
        let at = |i: usize| fields.get(self.index[i]).copied().unwrap_or_default();
        InfoRow {
            accession: at(0),
            name: at(1),
            title: at(2),
            cusip: at(3),
            value: at(4),
            amount: at(5),
            amount_type: at(6),
            put_call: at(7),
            short: (fields.len() < self.width()).then(|| (fields.len(), self.width())),
        }
    }
}

/// Reads the header of `INFOTABLE.tsv` and finds the needed columns.
pub fn infotable_columns(path: &Path) -> Result<InfoColumns, IngestError> {
    let found = header(path)?;
    let mut index = [0; 8];
    for (slot, name) in index.iter_mut().zip(INFOTABLE_COLUMNS) {
        *slot = found
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| missing_columns(path, &found, INFOTABLE_COLUMNS))?;
    }
    Ok(InfoColumns { index })
}

/// A whole number as the data sets write them (`VALUE`, `SSHPRNAMT`), surrounding spaces
/// allowed; anything else (`N/A`, `1,000`, `12.5`) is not a number.
pub fn whole_number(raw: &[u8]) -> Option<i64> {
    std::str::from_utf8(raw.trim_ascii()).ok()?.parse().ok()
}

/// One piece of the information table: the whole `INFOTABLE.tsv`, or one Parquet partition.
/// Each piece holds whole filings, so per-filing figures never span pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Tsv(PathBuf),
    Parquet(PathBuf),
}

/// The information table's pieces, in path order.
pub fn pieces(files: &DatasetFiles) -> Vec<Piece> {
    if files.partitions.is_empty() {
        vec![Piece::Tsv(files.infotable.clone())]
    } else {
        files
            .partitions
            .iter()
            .cloned()
            .map(Piece::Parquet)
            .collect()
    }
}

/// Reads one Parquet partition: the needed columns as text (whatever types the writer chose)
/// and `LINE`, the row's line in the original `INFOTABLE.tsv`.
pub fn read_partition(path: &Path) -> PolarsResult<DataFrame> {
    let mut columns: Vec<Expr> = INFOTABLE_COLUMNS
        .iter()
        .map(|c| col(*c).cast(DataType::String))
        .collect();
    columns.push(col("LINE").cast(DataType::Int64));
    LazyFrame::scan_parquet(
        PlRefPath::new(path.to_string_lossy().as_ref()),
        ScanArgsParquet::default(),
    )?
    .select(columns)
    .collect()
}

/// Maps a polars error on one piece of the information table to an ingest error.
pub fn piece_error(path: &Path, e: PolarsError) -> IngestError {
    polars_error(path, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(dd_mon_yyyy("30-JUN-2025").as_deref(), Some("2025-06-30"));
        assert_eq!(dd_mon_yyyy("2025-06-30"), None);
    }
}
