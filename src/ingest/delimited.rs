//! The delimited-text reader: CSV, TSV, `;`- and `|`-separated holdings tables.
//!
//! It sniffs the delimiter, checks the quoting (an unterminated quote is an error the CSV parser
//! would not report), and hands the rows with their line numbers to the shared table engine
//! (`table.rs`), which finds the header and turns rows into holdings.

use ::csv::{ReaderBuilder, StringRecord};

use super::amount::DecimalMark;
use super::decode::Decoded;
use super::table::{FileRead, Record, read_records};
use super::{IngestError, IngestOptions};
use crate::model::FileSummary;

/// Delimiters we try, in order of preference when two fit equally well.
const DELIMITERS: &[u8] = b",\t;|";

/// Reads a decoded delimited-text file.
pub fn read(
    file: &str,
    decoded: Decoded,
    options: &IngestOptions,
) -> Result<FileRead, IngestError> {
    let text = decoded.text.as_str();
    let limits = options.limits;
    if let Some((line, len)) = first_long_line(text, limits.line) {
        return Err(IngestError::Malformed {
            file: file.to_string(),
            line,
            message: format!(
                "a line of {len} bytes is longer than the {} limit (--max-line raises it)",
                super::limits::show_size(limits.line)
            ),
        });
    }
    let delimiter = sniff_delimiter(text);
    let scan = scan_quotes(text, delimiter);
    if let Some(line) = scan.unterminated_at {
        return Err(IngestError::UnterminatedQuote {
            file: file.to_string(),
            line,
        });
    }
    let lines = LineIndex::new(text);
    let mut records = Vec::new();
    for record in ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_records()
    {
        let record = record.map_err(|e| malformed(file, &e))?;
        records.push(Record {
            line: lines.line_of(&record),
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    let mut summary = FileSummary::new(
        file,
        if delimiter == b'\t' { "tsv" } else { "csv" },
        decoded.encoding,
    );
    // The records own their cells: the text goes before the table engine turns them into
    // holdings, so the file is never held as text, records and holdings at once.
    drop(lines);
    drop(decoded);
    summary.delimiter = match delimiter {
        b'\t' => "tab".to_string(),
        d => (d as char).to_string(),
    };
    read_records(
        file,
        records,
        summary,
        &scan.blank_lines,
        if delimiter == b';' {
            DecimalMark::Comma
        } else {
            DecimalMark::Dot
        },
        options,
    )
}

/// The first line longer than `limit` bytes, and its length, in one pass over the text: checked
/// before the CSV parser builds records, which for one 200 MB line took gigabytes.
fn first_long_line(text: &str, limit: u64) -> Option<(u64, u64)> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut start = 0;
    for (index, line_end) in memchr::memchr_iter(b'\n', text.as_bytes())
        .chain(std::iter::once(text.len()))
        .enumerate()
    {
        if line_end - start > limit {
            return Some((index as u64 + 1, (line_end - start) as u64));
        }
        start = line_end + 1;
    }
    None
}

fn malformed(file: &str, e: &::csv::Error) -> IngestError {
    IngestError::Malformed {
        file: file.to_string(),
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    }
}

/// Byte offsets where each line starts, to turn a record's byte position into its line number.
/// (The CSV parser's own line counter, and its record position, include the blank lines it
/// skips before a record; we want the line the record's text is on.)
struct LineIndex<'t> {
    text: &'t [u8],
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            text: text.as_bytes(),
            starts,
        }
    }

    fn line_of(&self, record: &StringRecord) -> u64 {
        let mut byte = record.position().map_or(0, |p| p.byte() as usize);
        while matches!(self.text.get(byte), Some(b'\n' | b'\r')) {
            byte += 1;
        }
        // The number of line starts at or before `byte` is the 1-based line.
        self.starts.partition_point(|&start| start <= byte) as u64
    }
}

/// Picks the delimiter that splits the first records into the most rows of one consistent width.
fn sniff_delimiter(text: &str) -> u8 {
    let sample: String = text.lines().take(60).collect::<Vec<_>>().join("\n");
    let mut best = (0usize, b',');
    for &d in DELIMITERS {
        let mut counts = std::collections::BTreeMap::new();
        let reader = ReaderBuilder::new()
            .delimiter(d)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample.as_bytes());
        for record in reader.into_records().flatten() {
            if record.len() > 1 {
                *counts.entry(record.len()).or_insert(0usize) += 1;
            }
        }
        let score = counts.values().copied().max().unwrap_or(0);
        if score > best.0 {
            best = (score, d);
        }
    }
    best.1
}

/// What a pass over the raw text finds that the CSV parser does not report.
struct QuoteScan {
    /// The line where a quoted field opens and never closes.
    unterminated_at: Option<u64>,
    /// Lines that are empty and not inside a quoted field (the CSV parser skips these silently).
    blank_lines: Vec<u64>,
}

/// Walks the text with RFC 4180 quoting rules: a quote opens a quoted field only at the start of
/// a field; inside one, `""` is an escaped quote.
fn scan_quotes(text: &str, delimiter: u8) -> QuoteScan {
    let bytes = text.as_bytes();
    let mut line = 1u64;
    let mut in_quotes = false;
    let mut opened_at = 0u64;
    let mut at_field_start = true;
    let mut line_is_empty = true;
    let mut blank_lines = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_quotes {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    in_quotes = false;
                }
            } else if b == b'\n' {
                line += 1;
            }
        } else if b == b'\n' {
            if line_is_empty {
                blank_lines.push(line);
            }
            line += 1;
            at_field_start = true;
            line_is_empty = true;
        } else if b == b'\r' {
            // Part of a CRLF line ending.
        } else {
            line_is_empty = false;
            if b == b'"' && at_field_start {
                in_quotes = true;
                opened_at = line;
            }
            at_field_start = b == delimiter;
        }
        i += 1;
    }
    QuoteScan {
        unterminated_at: in_quotes.then_some(opened_at),
        blank_lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str) -> Decoded {
        Decoded {
            text: text.to_string(),
            encoding: "UTF-8",
        }
    }

    fn read_text(text: &str) -> Result<FileRead, IngestError> {
        read("t.csv", decoded(text), &IngestOptions::default())
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc\n1,5\t2\t3\n"), b'\t');
        assert_eq!(sniff_delimiter("a;b;c\n\"1,5\";2;3\n"), b';');
        assert_eq!(sniff_delimiter("a|b\n1|2\n"), b'|');
    }

    #[test]
    fn skips_preamble_and_counts_every_line() {
        let text = "Fund X\nHoldings as of,\"Nov 04, 2020\"\n\u{a0}\nName,ISIN,Market Value\n\
                    Hikvision,CNE100000PM8,\"1,000.50\"\n\nBad,,abc\nTotal,,1000.50\n";
        let read = read_text(text).unwrap();
        assert_eq!(read.summary.header_line, 4);
        assert_eq!(read.summary.preamble_lines, 3);
        assert_eq!(read.summary.blank_lines, 1);
        assert_eq!(read.holdings.len(), 1);
        assert_eq!(read.holdings[0].value.to_string(), "1000.50");
        assert_eq!(
            read.holdings[0].ids.isin.as_ref().unwrap().as_str(),
            "CNE100000PM8"
        );
        assert_eq!(read.rejected.len(), 2);
        assert_eq!(read.rejected[0].source.line, 7);
        assert_eq!(
            read.rejected[0].reason,
            "market value `abc` is not a number (column `Market Value`)"
        );
        assert_eq!(read.rejected[1].value.unwrap().to_string(), "1000.50");
    }

    #[test]
    fn invalid_identifiers_warn_and_keep_the_row() {
        let read = read_text("Name,ISIN,Value\nA,CNE100000PM9,1\n").unwrap();
        assert_eq!(read.holdings.len(), 1);
        assert!(read.holdings[0].ids.isin.is_none());
        assert_eq!(
            read.warnings[0].to_string(),
            "t.csv:2: `CNE100000PM9` is not a valid ISIN: check digit does not match; ignored, the row is matched on its other identifiers and name"
        );
    }

    #[test]
    fn unterminated_quote_names_the_line() {
        let err = read_text("Name,Value\nA,1\n\"B,2\nC,3\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv:3: quoted field starting on this line is never closed (missing `\"`)"
        );
        // Quotes inside an unquoted field are literal, and escaped quotes stay inside.
        assert!(read_text("Name,Value\nA 5\" screen,1\n\"B \"\"x\"\"\",2\n").is_ok());
    }

    #[test]
    fn shifted_rows_are_rejected() {
        let read = read_text("Name,Value\nA,1\nB,2,3\nC,4,,\n").unwrap();
        assert_eq!(read.holdings.len(), 2);
        assert_eq!(
            read.rejected[0].reason,
            "expected 2 fields as in the header row, found 3"
        );
    }
}
