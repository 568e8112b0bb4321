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
    ["INFOTABLE.tsv", "SUBMISSION.tsv"]
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

/// Reads a table's header line and checks the required columns are there.
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

fn check_header(path: &Path, required: &[&str]) -> Result<(), IngestError> {
    let file = crate::ingest::display_path(path);
    let handle = std::fs::File::open(path).map_err(|error| IngestError::Io {
        file: file.clone(),
        error,
    })?;
    let mut first = String::new();
    BufReader::new(handle)
        .read_line(&mut first)
        .map_err(|error| IngestError::Io {
            file: file.clone(),
            error,
        })?;
    let found: Vec<&str> = first.trim_end_matches(['\r', '\n']).split('\t').collect();
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| !found.contains(c))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(IngestError::Malformed {
            file,
            line: 1,
            message: format!(
                "header lacks column(s) {}; expected a Form 13F data set table with {}",
                missing.join(", "),
                required.join(", ")
            ),
        })
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
    IngestError::Malformed {
        file: crate::ingest::display_path(file),
        line: 0,
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

/// The information table, typed: `VALUE` and `SSHPRNAMT` as integers (null when not a number),
/// text columns with nulls as empty strings, and `LINE`, the row's line in `INFOTABLE.tsv`.
pub fn infotable(files: &DatasetFiles) -> PolarsResult<LazyFrame> {
    let rows = scan_tsv(&files.infotable)?
        .select(
            INFOTABLE_COLUMNS
                .iter()
                .map(|c| col(*c))
                .collect::<Vec<_>>(),
        )
        .with_row_index("ROW", None)
        .with_columns([(col("ROW").cast(DataType::Int64) + lit(2i64)).alias("LINE")]);
    Ok(typed(rows))
}

/// The information table's pieces: the whole TSV, or each Parquet partition. Each piece holds
/// whole filings, so per-filing figures never span pieces.
pub fn infotable_pieces(files: &DatasetFiles) -> Vec<(PathBuf, PolarsResult<LazyFrame>)> {
    if files.partitions.is_empty() {
        return vec![(files.infotable.clone(), infotable(files))];
    }
    files
        .partitions
        .iter()
        .map(|path| {
            let frame = LazyFrame::scan_parquet(
                PlRefPath::new(path.to_string_lossy().as_ref()),
                ScanArgsParquet::default(),
            )
            .map(|lf| {
                let mut columns: Vec<Expr> = INFOTABLE_COLUMNS.iter().map(|c| col(*c)).collect();
                columns.push(col("LINE").cast(DataType::Int64));
                typed(lf.select(columns))
            });
            (path.clone(), frame)
        })
        .collect()
}

/// The typed columns every piece is measured with (values as whole numbers, text never null).
fn typed(rows: LazyFrame) -> LazyFrame {
    let text = |c: &str| col(c).fill_null(lit(""));
    rows.with_columns([
        text("ACCESSION_NUMBER"),
        text("NAMEOFISSUER"),
        text("TITLEOFCLASS"),
        text("CUSIP"),
        text("SSHPRNAMTTYPE"),
        col("PUTCALL").alias("PUTCALL"),
        col("VALUE").alias("VALUE_RAW"),
        col("VALUE")
            .str()
            .strip_chars(lit(NULL))
            .cast(DataType::Int64)
            .alias("VALUE"),
        col("SSHPRNAMT")
            .str()
            .strip_chars(lit(NULL))
            .cast(DataType::Int64)
            .alias("SSHPRNAMT"),
    ])
}

/// Maps a polars error on the information table to an ingest error.
pub fn infotable_error(files: &DatasetFiles, e: PolarsError) -> IngestError {
    polars_error(&files.infotable, e)
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
