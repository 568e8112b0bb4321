//! Parquet holdings files, read with polars and passed through the shared table engine with the
//! column names as the header row and row numbers as lines.
//!
//! Decimal and integer columns convert to text exactly. A floating-point value column is read
//! from each value's shortest decimal form (what was written), and the report says so: the
//! file's author chose binary floating point, and xjscan does not pretend otherwise.

use std::path::Path;

use polars::prelude::*;

use super::amount::DecimalMark;
use super::table::{FileRead, Record, read_records};
use super::{IngestError, IngestOptions};
use crate::model::FileSummary;

/// Checks that every row group and column chunk the footer lists lies inside the file. polars
/// trusts these ranges in unchecked slicing (an abort in debug builds, an out-of-bounds read in
/// release ones), so a damaged footer must be refused before polars reads the data. Returns the
/// number of rows the footer states.
pub fn check_layout(file: &str, path: &Path) -> Result<u64, IngestError> {
    let invalid = |message: String| IngestError::Invalid {
        file: file.to_string(),
        message,
    };
    let handle = std::fs::File::open(path).map_err(|error| IngestError::Io {
        file: file.to_string(),
        error,
    })?;
    let len = handle
        .metadata()
        .map_err(|error| IngestError::Io {
            file: file.to_string(),
            error,
        })?
        .len();
    let mut reader = ParquetReader::new(handle);
    let metadata = reader
        .get_metadata()
        .map_err(|e| invalid(format!("cannot read the Parquet file's footer: {e}")))?;
    for (i, group) in metadata.row_groups.iter().enumerate() {
        let ranges = std::iter::once(group.full_byte_range())
            .chain(group.parquet_columns().iter().map(|c| c.byte_range()));
        for range in ranges {
            if range.start > range.end || range.end > len {
                return Err(invalid(format!(
                    "the footer places row group {i} at bytes {}..{}, outside the file's {len} bytes: the file is damaged",
                    range.start, range.end
                )));
            }
        }
    }
    Ok(u64::try_from(metadata.num_rows).unwrap_or(u64::MAX))
}

pub fn read(file: &str, path: &Path, options: &IngestOptions) -> Result<FileRead, IngestError> {
    let error = |e: PolarsError| IngestError::Invalid {
        file: file.to_string(),
        message: format!("cannot read the Parquet file: {e}"),
    };
    let df = super::contain::contained(file, "the Parquet reader", || {
        let rows = check_layout(file, path)?;
        // Before decoding: a file of a few kilobytes can state millions of repeated rows.
        if rows > options.limits.rows {
            return Err(super::limits::too_many_rows(
                file,
                0,
                rows,
                options.limits.rows,
            ));
        }
        LazyFrame::scan_parquet(
            PlRefPath::new(path.to_string_lossy().as_ref()),
            ScanArgsParquet::default(),
        )
        .and_then(LazyFrame::collect)
        .map_err(error)
    })?;
    let mut float_columns = Vec::new();
    let mut header = Vec::with_capacity(df.width());
    let mut columns: Vec<std::vec::IntoIter<String>> = Vec::with_capacity(df.width());
    for column in df.columns() {
        if matches!(column.dtype(), DataType::Float32 | DataType::Float64) {
            float_columns.push(column.name().to_string());
        }
        header.push(column.name().to_string());
        let text = column.cast(&DataType::String).map_err(error)?;
        let values = text.str().map_err(error)?;
        let cells: Vec<String> = values
            .iter()
            .map(|v| v.unwrap_or_default().to_string())
            .collect();
        columns.push(cells.into_iter());
    }
    let height = df.height();
    // polars' frame is not needed once its cells are text; each cell then moves into its
    // record, so the rows are held once, not three times.
    drop(df);
    let mut records = Vec::with_capacity(height + 1);
    records.push(Record {
        line: 1,
        cells: header,
    });
    for row in 0..height {
        records.push(Record {
            line: row as u64 + 2,
            cells: columns
                .iter_mut()
                .map(|c| c.next().unwrap_or_default())
                .collect(),
        });
    }
    drop(columns);
    let mut summary = FileSummary::new(file, "parquet", "parquet");
    summary
        .notes
        .push("lines are row numbers, the column names counting as line 1".to_string());
    if !float_columns.is_empty() {
        summary.notes.push(format!(
            "floating-point column(s) {} read from each value's shortest decimal form",
            float_columns.join(", ")
        ));
    }
    read_records(file, records, summary, &[], DecimalMark::Dot, options)
}
