//! Tables of distinct issuers for `xjscan resolve`: a CSV (comma- or tab-separated, UTF-8) or a
//! Parquet file with a name column and any of CUSIP, ISIN, LEI, ticker and exchange, read in
//! batches so a table of millions of issuers is never held as text twice.
//!
//! A key is kept exactly as written (no trimming, no case folding): an engine joins the match
//! table back to its rows on these strings, so they must be the strings it gave. A Parquet null
//! reads as an empty string, as a data-set scan reads an empty field.

use std::path::Path;

use polars::prelude::*;

use super::columns::{ColumnMap, ColumnSpec, Role};
use super::{IngestError, limits};

/// The roles a match table is keyed by, in its column order.
pub const KEY_ROLES: [Role; 6] = [
    Role::Name,
    Role::Cusip,
    Role::Isin,
    Role::Lei,
    Role::Ticker,
    Role::Exchange,
];

/// The most rows a table of distinct issuers may have unless `--max-rows` says otherwise: the
/// match table is built in memory (so that its folder is written whole or not at all), about
/// 150 bytes a row.
pub const DEFAULT_MAX_ISSUERS: u64 = 20_000_000;

/// How large a table of issuers may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuerLimits {
    pub rows: u64,
    /// The longest key field, in bytes.
    pub field: u64,
}

impl Default for IssuerLimits {
    fn default() -> Self {
        IssuerLimits {
            rows: DEFAULT_MAX_ISSUERS,
            field: limits::Limits::default().field,
        }
    }
}

/// One row of the table: where it is, and its key fields as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssuerRow {
    /// 1-based row number among the data rows (the header is not counted).
    pub row: u64,
    /// The line in a CSV file (the header is line 1); the row number + 1 in a Parquet file.
    pub line: u64,
    /// Name, CUSIP, ISIN, LEI, ticker, exchange ([`KEY_ROLES`]'s order); empty when absent.
    pub key: [String; 6],
}

/// A table being read.
pub struct IssuerReader {
    file: String,
    /// The header as written, and which of its columns holds each key role.
    header: Vec<String>,
    columns: [Option<usize>; 6],
    source: Source,
    rows: u64,
    limits: IssuerLimits,
}

enum Source {
    Csv(Box<csv::Reader<std::fs::File>>),
    /// The key columns as text (only these are decoded), and the next row to give.
    Parquet {
        columns: Vec<Option<Vec<String>>>,
        next: usize,
    },
}

impl IssuerReader {
    /// Opens a table and finds its key columns: by header (`NAMEOFISSUER`, `CUSIP`, `ISIN`…) or
    /// as `--columns` names them. A table without a name column is refused.
    pub fn open(
        path: &Path,
        spec: &ColumnSpec,
        limits: IssuerLimits,
    ) -> Result<IssuerReader, IngestError> {
        let file = super::display_path(path);
        let io = |error| IngestError::Io {
            file: file.clone(),
            error,
        };
        let mut handle = std::fs::File::open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => IngestError::NotFound { file: file.clone() },
            _ => io(e),
        })?;
        if handle.metadata().map_err(io)?.is_dir() {
            return Err(IngestError::Invalid {
                file,
                message: "is a folder; expected a CSV or Parquet table of issuers".to_string(),
            });
        }
        let mut magic = [0u8; 4];
        let read = std::io::Read::read(&mut handle, &mut magic).map_err(io)?;
        if read == 0 {
            return Err(IngestError::Empty { file });
        }
        let (header, source) = if magic == *b"PAR1" {
            drop(handle);
            open_parquet(&file, path, limits)?
        } else {
            open_csv(&file, path)?
        };
        let map =
            ColumnMap::with_spec(&header, spec).map_err(|wanted| IngestError::ColumnNotFound {
                file: file.clone(),
                line: 1,
                wanted,
                found: header.join(", "),
            })?;
        let columns = KEY_ROLES.map(|role| map.get(role));
        if columns[0].is_none() {
            return Err(IngestError::Malformed {
                file,
                line: 1,
                message: format!(
                    "no column holds the issuers' names (found: {}); expected one named like NAMEOFISSUER, ISSUER_NAME or Name, or name it with --columns name=HEADER",
                    header.join(", ")
                ),
            });
        }
        // A Parquet file's columns are decoded now, only the key columns.
        let source = match source {
            Source::Parquet { .. } => parquet_columns(&file, path, &header, &columns)?,
            csv => csv,
        };
        Ok(IssuerReader {
            file,
            header,
            columns,
            source,
            rows: 0,
            limits,
        })
    }

    /// The key roles found and the header of each, as `role=HEADER`, for the summary.
    pub fn describe(&self) -> Vec<String> {
        KEY_ROLES
            .iter()
            .zip(&self.columns)
            .filter_map(|(role, c)| c.map(|i| format!("{}={}", role.key(), self.header[i])))
            .collect()
    }

    /// The file as shown in messages.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The next rows, at most `max`; empty at the end. A row with fewer fields than the header
    /// is kept (its missing fields empty) with a warning naming its line.
    pub fn next_batch(
        &mut self,
        max: usize,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<IssuerRow>, IngestError> {
        let mut batch = Vec::with_capacity(max.min(1 << 16));
        while batch.len() < max {
            let Some((line, key)) = self.next_row(warnings)? else {
                break;
            };
            self.rows += 1;
            if self.rows > self.limits.rows {
                return Err(limits::too_many_rows(
                    &self.file,
                    line,
                    self.rows,
                    self.limits.rows,
                ));
            }
            if let Some(long) = key.iter().find(|f| f.len() as u64 > self.limits.field) {
                return Err(limits::field_too_long(
                    &self.file,
                    line,
                    long.len(),
                    self.limits.field,
                ));
            }
            batch.push(IssuerRow {
                row: self.rows,
                line,
                key,
            });
        }
        Ok(batch)
    }

    fn next_row(
        &mut self,
        warnings: &mut Vec<String>,
    ) -> Result<Option<(u64, [String; 6])>, IngestError> {
        let columns = self.columns;
        match &mut self.source {
            Source::Csv(reader) => {
                let mut record = csv::ByteRecord::new();
                let more = reader.read_byte_record(&mut record).map_err(|e| {
                    let line = e.position().map_or(0, csv::Position::line);
                    IngestError::Malformed {
                        file: self.file.clone(),
                        line,
                        message: format!("cannot read the CSV row: {e}"),
                    }
                })?;
                if !more {
                    return Ok(None);
                }
                let line = record.position().map_or(0, csv::Position::line);
                if record.len() < self.header.len() {
                    warnings.push(format!(
                        "{}:{line}: has {} fields, the header {}; the missing ones are read as empty",
                        self.file,
                        record.len(),
                        self.header.len()
                    ));
                }
                let mut lossy = false;
                let key = columns.map(|c| {
                    let bytes = c.and_then(|i| record.get(i)).unwrap_or_default();
                    match std::str::from_utf8(bytes) {
                        Ok(text) => text.to_string(),
                        Err(_) => {
                            lossy = true;
                            String::from_utf8_lossy(bytes).into_owned()
                        }
                    }
                });
                if lossy {
                    warnings.push(format!(
                        "{}:{line}: is not UTF-8 text; read with replacement characters, so the key written may not join back to the input",
                        self.file
                    ));
                }
                Ok(Some((line, key)))
            }
            Source::Parquet {
                columns: cells,
                next,
            } => {
                let height = cells.iter().flatten().map(Vec::len).max().unwrap_or(0);
                if *next >= height {
                    return Ok(None);
                }
                let i = *next;
                *next += 1;
                let key = columns.map(|c| {
                    c.and_then(|c| cells.get(c))
                        .and_then(Option::as_ref)
                        .and_then(|column| column.get(i))
                        .cloned()
                        .unwrap_or_default()
                });
                Ok(Some((i as u64 + 2, key)))
            }
        }
    }
}

/// A CSV table: comma-separated, or tab-separated when the header line has a tab.
fn open_csv(file: &str, path: &Path) -> Result<(Vec<String>, Source), IngestError> {
    let io = |error| IngestError::Io {
        file: file.to_string(),
        error,
    };
    let first = {
        use std::io::{BufRead, Read};
        let mut line = Vec::new();
        let handle = std::fs::File::open(path).map_err(io)?;
        let mut reader = std::io::BufReader::new(handle).take(1 << 20);
        reader.read_until(b'\n', &mut line).map_err(io)?;
        line
    };
    let delimiter = if first.contains(&b'\t') { b'\t' } else { b',' };
    let handle = std::fs::File::open(path).map_err(io)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(handle);
    let header: Vec<String> = reader
        .byte_headers()
        .map_err(|e| IngestError::Malformed {
            file: file.to_string(),
            line: 1,
            message: format!("cannot read the header row: {e}"),
        })?
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect();
    Ok((header, Source::Csv(Box::new(reader))))
}

/// A Parquet table's column names, from its schema, after checking its footer.
fn open_parquet(
    file: &str,
    path: &Path,
    bounds: IssuerLimits,
) -> Result<(Vec<String>, Source), IngestError> {
    let rows = super::contain::contained(file, "the Parquet reader", || {
        super::parquet::check_layout(file, path)
    })?;
    if rows > bounds.rows {
        return Err(limits::too_many_rows(file, 0, rows, bounds.rows));
    }
    let handle = std::fs::File::open(path).map_err(|error| IngestError::Io {
        file: file.to_string(),
        error,
    })?;
    let schema = super::contain::contained(file, "the Parquet reader", || {
        ParquetReader::new(handle)
            .schema()
            .map_err(|e| IngestError::Invalid {
                file: file.to_string(),
                message: format!("cannot read the Parquet file's schema: {e}"),
            })
    })?;
    let header = schema.iter_names().map(|n| n.to_string()).collect();
    Ok((
        header,
        Source::Parquet {
            columns: Vec::new(),
            next: 0,
        },
    ))
}

/// Decodes the key columns of a Parquet table as text, nulls as empty strings.
fn parquet_columns(
    file: &str,
    path: &Path,
    header: &[String],
    columns: &[Option<usize>; 6],
) -> Result<Source, IngestError> {
    let error = |e: PolarsError| IngestError::Invalid {
        file: file.to_string(),
        message: format!("cannot read the Parquet file: {e}"),
    };
    let wanted: Vec<usize> = {
        let mut w: Vec<usize> = columns.iter().flatten().copied().collect();
        w.sort_unstable();
        w.dedup();
        w
    };
    let frame = super::contain::contained(file, "the Parquet reader", || {
        LazyFrame::scan_parquet(
            PlRefPath::new(path.to_string_lossy().as_ref()),
            ScanArgsParquet::default(),
        )
        .map(|lf| {
            lf.select(
                wanted
                    .iter()
                    .map(|&i| col(header[i].as_str()))
                    .collect::<Vec<_>>(),
            )
        })
        .and_then(LazyFrame::collect)
        .map_err(error)
    })?;
    let mut cells: Vec<Option<Vec<String>>> = vec![None; header.len()];
    for &i in &wanted {
        let column = frame.column(header[i].as_str()).map_err(error)?;
        let text = column.cast(&DataType::String).map_err(error)?;
        let values = text.str().map_err(error)?;
        cells[i] = Some(
            values
                .iter()
                .map(|v| v.unwrap_or_default().to_string())
                .collect(),
        );
    }
    Ok(Source::Parquet {
        columns: cells,
        next: 0,
    })
}
