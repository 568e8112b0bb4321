//! The generic delimited-text reader: CSV, TSV, `;`- and `|`-separated holdings tables.
//!
//! It sniffs the delimiter, skips preamble lines (fund name, "as of" dates) to find the header
//! row, maps columns by their names, and turns every row after the header into a [`Holding`], a
//! [`RejectedRow`] with a reason, or a blank line. Nothing is dropped without being counted.

use std::str::FromStr;

use ::csv::{ReaderBuilder, StringRecord};

use super::amount::{Amount, parse_amount, parse_percent};
use super::columns::{ColumnMap, Role, value_header_examples};
use super::decode::Decoded;
use super::{IngestError, IngestOptions};
use crate::model::ids::{Cik, Cusip, Isin, Lei, Listing, exchange_mic};
use crate::model::{FileSummary, Holding, HoldingIds, RejectedRow, SourceLine, Warning};

/// How far down a file we look for the header row.
const HEADER_SEARCH_RECORDS: usize = 30;

/// Delimiters we try, in order of preference when two fit equally well.
const DELIMITERS: &[u8] = b",\t;|";

/// Everything read from one file.
#[derive(Debug)]
pub struct FileRead {
    pub summary: FileSummary,
    pub holdings: Vec<crate::model::Holding>,
    pub rejected: Vec<RejectedRow>,
    pub warnings: Vec<Warning>,
}

/// Reads a decoded delimited-text file.
pub fn read(
    file: &str,
    decoded: &Decoded,
    options: &IngestOptions,
) -> Result<FileRead, IngestError> {
    let text = decoded.text.as_str();
    let delimiter = sniff_delimiter(text);
    let scan = scan_quotes(text, delimiter);
    if let Some(line) = scan.unterminated_at {
        return Err(IngestError::UnterminatedQuote {
            file: file.to_string(),
            line,
        });
    }

    let lines = LineIndex::new(text);
    let mut records = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_records();

    // Find the header row among the first records.
    let mut searched = 0;
    let mut header: Option<(u64, Vec<String>, ColumnMap)> = None;
    let mut best_for_spec: Option<(u64, Vec<String>)> = None;
    for record in records.by_ref() {
        let record = record.map_err(|e| malformed(file, &e))?;
        searched += 1;
        let line = lines.line_of(&record);
        let cells: Vec<String> = record.iter().map(|c| clean_cell(c).to_string()).collect();
        if options.columns.0.is_empty() {
            let map = ColumnMap::recognise(&cells);
            let has_subject = [
                Role::Name,
                Role::Isin,
                Role::Cusip,
                Role::Ticker,
                Role::Sedol,
                Role::Lei,
            ]
            .iter()
            .any(|r| map.get(*r).is_some());
            if map.get(Role::Value).is_some() && has_subject {
                header = Some((line, cells, map));
                break;
            }
        } else {
            match ColumnMap::with_spec(&cells, &options.columns) {
                Ok(map) if map.get(Role::Value).is_some() => {
                    header = Some((line, cells, map));
                    break;
                }
                _ => {
                    let recognised = ColumnMap::recognise(&cells).len();
                    let best = best_for_spec
                        .as_ref()
                        .map_or(0, |(_, c)| ColumnMap::recognise(c).len());
                    if best_for_spec.is_none() || recognised > best {
                        best_for_spec = Some((line, cells));
                    }
                }
            }
        }
        if searched >= HEADER_SEARCH_RECORDS {
            break;
        }
    }
    let Some((header_line, header_cells, columns)) = header else {
        if let Some((line, cells)) = best_for_spec {
            let wanted = ColumnMap::with_spec(&cells, &options.columns)
                .err()
                .or_else(|| options.columns.0.get(&Role::Value).cloned())
                .unwrap_or_else(|| "value".to_string());
            return Err(IngestError::ColumnNotFound {
                file: file.to_string(),
                line,
                wanted,
                found: cells.join(", "),
            });
        }
        return Err(IngestError::NoValueColumn {
            file: file.to_string(),
            searched: searched.min(HEADER_SEARCH_RECORDS),
            examples: value_header_examples(),
        });
    };

    let decimal_comma = delimiter == b';';
    let mut out = FileRead {
        summary: FileSummary {
            file: file.to_string(),
            path: Default::default(),
            sha256: String::new(),
            format: match delimiter {
                b'\t' => "tsv".to_string(),
                _ => "csv".to_string(),
            },
            encoding: decoded.encoding.to_string(),
            delimiter: match delimiter {
                b'\t' => "tab".to_string(),
                d => (d as char).to_string(),
            },
            header_line,
            columns: columns.describe(),
            preamble_lines: header_line.saturating_sub(1),
            blank_lines: scan
                .blank_lines
                .iter()
                .filter(|l| **l > header_line)
                .count() as u64,
            holdings: 0,
            rejected: 0,
        },
        holdings: Vec::new(),
        rejected: Vec::new(),
        warnings: Vec::new(),
    };

    for record in records {
        let record = record.map_err(|e| malformed(file, &e))?;
        let line = lines.line_of(&record);
        let source = SourceLine {
            file: file.to_string(),
            line,
        };
        if record.iter().all(|c| clean_cell(c).is_empty()) {
            out.summary.blank_lines += 1;
            continue;
        }
        match read_row(&record, &header_cells, &columns, decimal_comma, &source) {
            Ok((holding, warnings)) => {
                out.warnings.extend(warnings);
                out.holdings.push(holding);
            }
            Err(rejected) => out.rejected.push(rejected),
        }
    }
    out.summary.holdings = out.holdings.len() as u64;
    out.summary.rejected = out.rejected.len() as u64;
    Ok(out)
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

/// Trims spaces, including the non-breaking spaces some exports use for blank cells.
fn clean_cell(cell: &str) -> &str {
    cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{feff}')
}

/// Names that mark a summary row rather than a position.
const SUMMARY_NAMES: &[&str] = &[
    "total",
    "totals",
    "grandtotal",
    "subtotal",
    "合计",
    "总计",
    "小计",
];

/// Turns one data row into a holding (with warnings about cells that could not be used), or a
/// rejected row with its reason.
fn read_row(
    record: &StringRecord,
    header: &[String],
    columns: &ColumnMap,
    decimal_comma: bool,
    source: &SourceLine,
) -> Result<(Holding, Vec<Warning>), RejectedRow> {
    let reject = |reason: String, value| RejectedRow {
        source: source.clone(),
        reason,
        value,
    };
    // A row with another number of fields than the header has its columns shifted: reading it
    // would put numbers in the wrong place. Trailing empty cells (spreadsheet exports) are fine.
    let extra_is_empty = record
        .iter()
        .skip(header.len())
        .all(|c| clean_cell(c).is_empty());
    if record.len() < header.len() || !extra_is_empty {
        return Err(reject(
            format!(
                "expected {} fields as in the header row, found {}",
                header.len(),
                record.len()
            ),
            None,
        ));
    }
    let cell = |role: Role| -> &str {
        columns
            .get(role)
            .and_then(|i| record.get(i))
            .map_or("", clean_cell)
    };
    let header_of = |role: Role| columns.0.get(&role).map_or("", |(_, h)| h.as_str());

    let value = match parse_amount(cell(Role::Value), decimal_comma) {
        Amount::Value(v) => v,
        Amount::Missing => {
            let shown = cell(Role::Value);
            return Err(reject(
                if shown.is_empty() {
                    format!(
                        "no market value (column `{}` is empty)",
                        header_of(Role::Value)
                    )
                } else {
                    format!(
                        "no market value (column `{}` is `{shown}`)",
                        header_of(Role::Value)
                    )
                },
                None,
            ));
        }
        Amount::Invalid(why) => {
            return Err(reject(
                format!("market value {why} (column `{}`)", header_of(Role::Value)),
                None,
            ));
        }
    };

    let mut warnings = Vec::new();
    let mut warn = |message: String| {
        warnings.push(Warning {
            source: source.clone(),
            message,
        })
    };
    let name = cell(Role::Name).to_string();
    let sedol = cell(Role::Sedol);
    let ticker = cell(Role::Ticker);
    let ids = HoldingIds {
        isin: parse_id::<Isin>(cell(Role::Isin), &mut warn),
        cusip: parse_id::<Cusip>(cell(Role::Cusip), &mut warn),
        lei: parse_id::<Lei>(cell(Role::Lei), &mut warn),
        cik: parse_id::<Cik>(cell(Role::Cik), &mut warn),
        sedol: (!is_placeholder(sedol)).then(|| sedol.to_ascii_uppercase()),
        listing: if is_placeholder(ticker) {
            None
        } else {
            listing_of(ticker, cell(Role::Exchange))
        },
        ticker: (!is_placeholder(ticker)).then(|| ticker.to_string()),
    };

    // A "Total" line repeats the sum of the rows above it; counting it would double the value.
    let is_summary = SUMMARY_NAMES.contains(&super::fold_header(&name).as_str());
    if is_summary && !ids.any_matchable() && ids.ticker.is_none() {
        return Err(reject(
            format!(
                "summary row (`{name}`), not a holding; its value is not part of the portfolio"
            ),
            Some(value),
        ));
    }

    let quantity = match parse_amount(cell(Role::Quantity), decimal_comma) {
        Amount::Value(q) => Some(q),
        Amount::Missing => None,
        Amount::Invalid(why) => {
            warn(format!("quantity {why}; left empty"));
            None
        }
    };
    let currency = cell(Role::Currency);
    let currency = if currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_alphabetic()) {
        Some(currency.to_ascii_uppercase())
    } else {
        if !is_placeholder(currency) {
            warn(format!(
                "currency `{currency}` is not a 3-letter code; left empty"
            ));
        }
        None
    };
    let description =
        Some(cell(Role::Description).to_string()).filter(|d| !d.is_empty() && *d != name);
    let asset_class = Some(cell(Role::AssetClass).to_string()).filter(|a| !is_placeholder(a));
    let holding = Holding {
        source: source.clone(),
        name,
        description,
        ids,
        quantity,
        value,
        currency,
        weight_pct: parse_percent(cell(Role::Weight), decimal_comma),
        asset_class,
    };
    Ok((holding, warnings))
}

fn is_placeholder(cell: &str) -> bool {
    matches!(
        cell.to_ascii_lowercase().as_str(),
        "" | "-" | "--" | "---" | "n/a" | "na" | "none" | "null"
    )
}

/// Parses an identifier cell; an invalid value becomes a warning, since the row itself is fine.
fn parse_id<T: FromStr<Err = crate::model::ids::IdError>>(
    cell: &str,
    warn: &mut impl FnMut(String),
) -> Option<T> {
    if is_placeholder(cell) {
        return None;
    }
    match cell.parse() {
        Ok(id) => Some(id),
        Err(e) => {
            warn(format!(
                "{e}; ignored, the row is matched on its other identifiers and name"
            ));
            None
        }
    }
}

/// Builds a listing from a ticker and an exchange column, or from the exchange written into the
/// ticker itself (`002415.SZ`, `600519.SS`, `0700.HK`, `sz.002415`).
fn listing_of(ticker: &str, exchange: &str) -> Option<Listing> {
    if let Some(mic) = exchange_mic(exchange) {
        return Listing::new(mic, ticker).ok();
    }
    let t = ticker.trim();
    if let Some((code, suffix)) = t.rsplit_once('.')
        && let Some(mic) = suffix_mic(suffix)
    {
        return Listing::new(mic, code).ok();
    }
    if let Some((prefix, code)) = t.split_once('.')
        && let Some(mic) = suffix_mic(prefix)
    {
        return Listing::new(mic, code).ok();
    }
    None
}

fn suffix_mic(s: &str) -> Option<&'static str> {
    match s.to_ascii_uppercase().as_str() {
        "SZ" => Some("XSHE"),
        "SS" | "SH" => Some("XSHG"),
        "HK" => Some("XHKG"),
        _ => None,
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
        read("t.csv", &decoded(text), &IngestOptions::default())
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
    fn listings_from_columns_and_suffixes() {
        assert_eq!(
            listing_of("2415", "Shenzhen Stock Exchange")
                .unwrap()
                .as_str(),
            "XSHE:002415"
        );
        assert_eq!(listing_of("603260.SS", "").unwrap().as_str(), "XSHG:603260");
        assert_eq!(listing_of("sz.000521", "").unwrap().as_str(), "XSHE:000521");
        assert_eq!(listing_of("AAPL", ""), None);
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
