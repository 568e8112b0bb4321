//! Spreadsheet workbooks (XLSX, XLS, XLSB, ODS) through calamine: the first sheet with a header
//! row is read through the shared table engine, like a CSV file, with sheet row numbers as
//! lines (SPDR's daily holdings files have four preamble rows and a legal footer).
//!
//! Spreadsheets store numbers as binary floating point. A number cell is turned into text by
//! its shortest round-trip decimal form (what the spreadsheet shows), then read exactly; the
//! report says so.

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};

use super::amount::DecimalMark;
use super::table::{FileRead, Record, read_records};
use super::{IngestError, IngestOptions};
use crate::model::FileSummary;

/// The text of a cell as a person would read it.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Rust prints the shortest decimal that reads back as the same double.
        Data::Float(f) => format!("{f}"),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Refuses a ZIP workbook (XLSX, ODS) whose parts unpack past `limit`, before any is unpacked:
/// a few megabytes can unpack to gigabytes. The sizes come from the archive's directory, and
/// the ZIP reader stops at each part's stated size (and checks its CRC), so a part cannot lie
/// its way past the check. An archive the ZIP reader cannot open is left to calamine's error.
fn check_unpacked_size(file: &str, bytes: &[u8], limit: u64) -> Result<(), IngestError> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(());
    }
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        if let Ok(part) = archive.by_index_raw(i) {
            total = total.saturating_add(part.size());
        }
    }
    if total > limit {
        return Err(IngestError::Invalid {
            file: file.to_string(),
            message: format!(
                "the workbook unpacks to {total} bytes, more than the {} limit (--max-unpacked raises it)",
                super::limits::show_size(limit)
            ),
        });
    }
    Ok(())
}

/// Reads the first sheet that has a header row.
pub fn read(file: &str, bytes: Vec<u8>, options: &IngestOptions) -> Result<FileRead, IngestError> {
    check_unpacked_size(file, &bytes, options.limits.unpacked)?;
    // calamine panics on some damaged workbooks (a cell reference with too many digits
    // overflows its arithmetic): contained, that is an error naming the file.
    super::contain::contained(file, "the workbook reader", || {
        read_workbook(file, bytes, options)
    })
}

fn read_workbook(
    file: &str,
    bytes: Vec<u8>,
    options: &IngestOptions,
) -> Result<FileRead, IngestError> {
    let mut workbook =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| IngestError::NotAWorkbook {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
    let sheets = workbook.sheet_names().to_vec();
    let mut first_error = None;
    for sheet in &sheets {
        let range = match workbook.worksheet_range(sheet) {
            Ok(r) => r,
            Err(e) => {
                first_error.get_or_insert(format!("sheet `{sheet}`: {e}"));
                continue;
            }
        };
        let (top, _) = range.start().unwrap_or((0, 0));
        let records: Vec<Record> = range
            .rows()
            .enumerate()
            .map(|(i, row)| Record {
                line: u64::from(top) + i as u64 + 1,
                cells: row.iter().map(cell_text).collect(),
            })
            .collect();
        let mut summary = FileSummary::new(file, "xlsx", "spreadsheet");
        summary.notes.push(format!(
            "read sheet `{sheet}`; spreadsheet numbers are binary floating point, read from their shortest decimal form"
        ));
        match read_records(file, records, summary, &[], DecimalMark::Dot, options) {
            Ok(read) => return Ok(read),
            Err(IngestError::NoValueColumn { .. }) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(IngestError::NoHeaderInWorkbook {
        file: file.to_string(),
        sheets: if sheets.is_empty() {
            first_error.unwrap_or_else(|| "no sheets".to_string())
        } else {
            sheets.join(", ")
        },
    })
}
