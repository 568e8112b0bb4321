//! The table engine shared by every row-and-column format (CSV/TSV, XLSX sheets, Parquet).
//!
//! A reader turns its file into [`Record`]s — the cells of each row as text, with the row's line
//! (or sheet row) number — and this module does the rest the same way for all of them: find the
//! header row among preamble lines, map columns by their names, follow further sections with
//! their own headers (Vanguard's exports), and turn every row into a [`Holding`], a
//! [`RejectedRow`] with its reason, a blank, or a structure line. Nothing is dropped uncounted.

use std::str::FromStr;

use super::amount::{Amount, DecimalMark, decide_mark, parse_amount, parse_percent};
use super::columns::{ColumnMap, Role, value_header_examples};
use super::{IngestError, IngestOptions};
use crate::model::ids::{Cik, Cusip, Isin, Lei, Listing, exchange_mic};
use crate::model::{
    FileSummary, Holding, HoldingIds, PositionKind, RejectedRow, SourceLine, Warning,
};

/// How far down a file we look for the header row.
const HEADER_SEARCH_RECORDS: usize = 30;

/// One row of a table: its cells as text and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: u64,
    pub cells: Vec<String>,
}

/// Everything read from one file.
#[derive(Debug)]
pub struct FileRead {
    pub summary: FileSummary,
    pub holdings: Vec<Holding>,
    pub rejected: Vec<RejectedRow>,
    pub warnings: Vec<Warning>,
    /// Net assets the file states, if any (N-PORT).
    pub nav: Option<rust_decimal::Decimal>,
}

impl FileRead {
    pub fn new(summary: FileSummary) -> Self {
        FileRead {
            summary,
            holdings: Vec::new(),
            rejected: Vec::new(),
            warnings: Vec::new(),
            nav: None,
        }
    }

    /// Sets the holding and rejected counts from the rows read.
    pub fn finish_counts(&mut self) {
        self.summary.holdings = self.holdings.len() as u64;
        self.summary.rejected = self.rejected.len() as u64;
    }
}

/// Trims spaces, including the non-breaking spaces some exports use for blank cells.
pub fn clean_cell(cell: &str) -> &str {
    cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{feff}')
}

fn is_blank(record: &Record) -> bool {
    record.cells.iter().all(|c| clean_cell(c).is_empty())
}

fn non_empty_cells(record: &Record) -> usize {
    record
        .cells
        .iter()
        .filter(|c| !clean_cell(c).is_empty())
        .count()
}

/// The roles that identify what a row is about; a header needs one of them.
const SUBJECT_ROLES: &[Role] = &[
    Role::Name,
    Role::Isin,
    Role::Cusip,
    Role::Identifier,
    Role::Ticker,
    Role::Sedol,
    Role::Lei,
];

/// Recognises a header row: a subject column and, for the first header, a value column.
fn as_header(record: &Record, options: &IngestOptions, need_value: bool) -> Option<ColumnMap> {
    as_header_with(record, options, need_value, false)
}

/// Like [`as_header`]; with `weights_as_values`, a weight column stands in for the value.
fn as_header_with(
    record: &Record,
    options: &IngestOptions,
    need_value: bool,
    weights_as_values: bool,
) -> Option<ColumnMap> {
    let cells: Vec<String> = record
        .cells
        .iter()
        .map(|c| clean_cell(c).to_string())
        .collect();
    let map = if options.columns.0.is_empty() && need_value {
        ColumnMap::recognise(&cells)
    } else if options.columns.0.is_empty() {
        ColumnMap::recognise_spellings(&cells)
    } else {
        ColumnMap::with_spec(&cells, &options.columns).ok()?
    };
    let mut map = map;
    if weights_as_values
        && map.get(Role::Value).is_none()
        && let Some(weight) = map.0.get(&Role::Weight).cloned()
    {
        map.0.insert(Role::Value, weight);
    }
    let has_subject = SUBJECT_ROLES.iter().any(|r| map.get(*r).is_some());
    let has_value = map.get(Role::Value).is_some();
    // A later section's header must look like a header, not a data row whose text happens to
    // contain a column name: ask for three recognised columns.
    (has_subject && (has_value || (!need_value && map.len() >= 3))).then_some(map)
}

/// Reads records into holdings. `summary` comes from the format reader with its format,
/// encoding and delimiter set; `blank_lines_before` lists physical blank lines the format reader
/// skipped (with their line numbers) so they can be counted after the header.
pub fn read_records(
    file: &str,
    mut records: Vec<Record>,
    mut summary: FileSummary,
    skipped_blank_lines: &[u64],
    default_mark: DecimalMark,
    options: &IngestOptions,
) -> Result<FileRead, IngestError> {
    // Every tabular format's cells, once, here: a quoted CSV field may run over many lines,
    // each under the line limit, so the line limit alone does not bound a field.
    for record in &records {
        if let Some(long) = record
            .cells
            .iter()
            .find(|c| c.len() as u64 > options.limits.field)
        {
            return Err(super::limits::field_too_long(
                file,
                record.line,
                long.len(),
                options.limits.field,
            ));
        }
    }
    // Find the header row among the first records.
    let mut header_at = None;
    let mut best_for_spec: Option<&Record> = None;
    for (i, record) in records.iter().enumerate().take(HEADER_SEARCH_RECORDS) {
        if let Some(map) = as_header(record, options, true) {
            header_at = Some((i, map));
            break;
        }
        if !options.columns.0.is_empty() {
            let cells: Vec<String> = record
                .cells
                .iter()
                .map(|c| clean_cell(c).to_string())
                .collect();
            let recognised = ColumnMap::recognise(&cells).len();
            let best = best_for_spec.map_or(0, |r| {
                ColumnMap::recognise(
                    &r.cells
                        .iter()
                        .map(|c| clean_cell(c).to_string())
                        .collect::<Vec<_>>(),
                )
                .len()
            });
            if best_for_spec.is_none() || recognised > best {
                best_for_spec = Some(record);
            }
        }
    }
    // A file with weights but no market values (SPDR's daily holdings) is read on its weights:
    // each position's value is its percentage of the fund, or that share of a NAV if given.
    let mut from_weights = false;
    if header_at.is_none() && options.columns.0.is_empty() {
        header_at = records
            .iter()
            .enumerate()
            .take(HEADER_SEARCH_RECORDS)
            .find_map(|(i, r)| as_header_with(r, options, true, true).map(|m| (i, m)));
        from_weights = header_at.is_some();
    }
    let Some((header_index, columns)) = header_at else {
        if let Some(record) = best_for_spec {
            let cells: Vec<String> = record
                .cells
                .iter()
                .map(|c| clean_cell(c).to_string())
                .collect();
            let wanted = ColumnMap::with_spec(&cells, &options.columns)
                .err()
                .or_else(|| options.columns.0.get(&Role::Value).cloned())
                .unwrap_or_else(|| "value".to_string());
            return Err(IngestError::ColumnNotFound {
                file: file.to_string(),
                line: record.line,
                wanted,
                found: cells.join(", "),
            });
        }
        return Err(IngestError::NoValueColumn {
            file: file.to_string(),
            searched: records.len().min(HEADER_SEARCH_RECORDS),
            examples: value_header_examples(),
            nearest: nearest_header(&records),
        });
    };
    let header_line = records[header_index].line;
    // Counted before any row becomes a holding; the Parquet reader checks its footer's count
    // before decoding, and text formats are bounded by their size before they get here.
    let rows = (records.len() - header_index - 1) as u64;
    if rows > options.limits.rows {
        let past = usize::try_from(options.limits.rows)
            .ok()
            .and_then(|n| records.get(header_index + 1 + n));
        return Err(super::limits::too_many_rows(
            file,
            past.map_or(0, |r| r.line),
            rows,
            options.limits.rows,
        ));
    }
    summary.header_line = header_line;
    summary.columns = columns.describe();
    let header_cells: Vec<String> = records[header_index]
        .cells
        .iter()
        .map(|c| clean_cell(c).to_string())
        .collect();
    summary.notes.extend(columns.value_choice(&header_cells));
    if let Some(currency) = columns.header_currency() {
        summary.notes.push(format!(
            "no currency column; values are in {currency}, as the value column's header says"
        ));
    }
    summary.preamble_lines = header_line.saturating_sub(1);
    summary.blank_lines = skipped_blank_lines
        .iter()
        .filter(|l| **l > header_line)
        .count() as u64;
    // Preamble lines often name the fund and the date (iShares: "iShares MSCI World ETF",
    // "Fund Holdings as of,"Nov 04, 2020""; Vanguard: "Total World Stock ETF (VT)",
    // "Equity,as of 09/30/2020").
    let mut single_lines = Vec::new();
    for record in &records[..header_index] {
        let filled: Vec<&str> = record
            .cells
            .iter()
            .map(|c| clean_cell(c))
            .filter(|c| !c.is_empty())
            .collect();
        for (i, cell) in filled.iter().enumerate() {
            let lower = cell.to_lowercase();
            if let Some(at) = lower.find("as of") {
                let rest = cell[at + "as of".len()..].trim_matches([' ', ':', ',']);
                let date = if rest.is_empty() {
                    filled.get(i + 1).copied().unwrap_or("")
                } else {
                    rest
                };
                if summary.period.is_none() && !date.is_empty() {
                    summary.period = Some(date.to_string());
                }
            }
        }
        if let [label, name] = filled.as_slice()
            && label.to_lowercase().starts_with("fund name")
        {
            summary.fund = Some((*name).to_string());
        }
        if let [single] = filled.as_slice()
            && single.chars().any(char::is_alphabetic)
            && single.len() <= 120
        {
            single_lines.push(*single);
        }
    }
    let fundish = |l: &&str| {
        let lower = l.to_lowercase();
        ["etf", "fund", "trust", "portfolio", "index"]
            .iter()
            .any(|w| lower.contains(w))
    };
    if summary.fund.is_none() {
        summary.fund = single_lines
            .iter()
            .copied()
            .find(|l| fundish(l))
            .map(str::to_string);
    }
    summary.value_unit = Some(format!(
        "as written in column `{}`",
        columns.0.get(&Role::Value).map_or("", |(_, h)| h.as_str())
    ));
    if from_weights {
        summary.value_unit = Some(match options.weights_nav {
            Some(nav) => format!("dollars: weight × NAV {nav} / 100 (the file has weights, no market values)"),
            None => "percent of the fund (the file has weights, no market values; give --nav to express them in money)".to_string(),
        });
    }
    let (mark, how) = decide_mark(
        number_cells(&records[header_index + 1..], &columns),
        default_mark,
    );
    summary.notes.extend(how);
    let mut out = FileRead::new(summary);
    out.holdings
        .reserve(records.len().saturating_sub(header_index + 1));
    // One copy of the file's name, shared by every row read from it.
    let shared_file: std::sync::Arc<str> = file.into();

    let mut header = records[header_index].cells.clone();
    let mut columns = columns;
    // With no currency column, the value's header may name one (`Mkt Val (USD)`): read once
    // per header row, not per holding.
    let mut header_currency = columns.header_currency();
    let mut header_line_now = header_line;
    let mut rest = records.split_off(header_index + 1);
    drop(records);
    // The file's own "Total" rows (line, value): a figure to check the rows against.
    let mut stated_totals: Vec<(u64, rust_decimal::Decimal)> = Vec::new();
    // Whether a data row came before this record (so a one-cell line is a trailing note).
    let mut after_data = false;
    for i in 0..rest.len() {
        'row: {
            let record = &rest[i];
            if is_blank(record) {
                out.summary.blank_lines += 1;
                break 'row;
            }
            // A further header row starts a new section with its own columns.
            if let Some(map) = as_header(record, options, false) {
                out.summary.structure_lines += 1;
                header = record.cells.clone();
                columns = map;
                header_currency = columns.header_currency();
                header_line_now = record.line;
                break 'row;
            }
            // A line with a word or two outside the name and value columns is structure: a section
            // title ("Fixed income,as of 09/30/2020") or a note ("** There may be deviations…").
            if is_structure(record, &columns) {
                out.summary.structure_lines += 1;
                let next = next_non_blank(&rest, i + 1);
                let next_is_data = next.is_some_and(|r| {
                    as_header(r, options, false).is_none()
                        && !is_structure(r, &columns)
                        && read_row(r, &header, &columns, mark, &source_of(&shared_file, r)).is_ok()
                });
                if next_is_data && after_data {
                    let title = record
                        .cells
                        .iter()
                        .map(|c| clean_cell(c))
                        .find(|c| !c.is_empty())
                        .unwrap_or_default();
                    out.warnings.push(Warning {
                        source: source_of(&shared_file, record),
                        message: format!(
                            "section `{title}` has no header row of its own; its rows are read with the header on line {header_line_now}"
                        ),
                    });
                }
                break 'row;
            }
            let source = source_of(&shared_file, record);
            if columns.get(Role::Value).is_none() {
                out.rejected.push(RejectedRow {
                    source,
                    reason: format!(
                        "the section headed on line {header_line_now} has no market value column"
                    ),
                    value: None,
                });
                break 'row;
            }
            match read_row(record, &header, &columns, mark, &source) {
                Ok((mut holding, warnings)) => {
                    if holding.currency.is_none() {
                        holding.currency = header_currency.clone();
                    }
                    if from_weights {
                        // The weight is the value; in money only when a NAV gives the scale.
                        holding.weight_pct = Some(holding.value);
                        if let Some(nav) = options.weights_nav {
                            let Some(value) =
                                crate::model::money::checked_product(holding.value, nav)
                            else {
                                return Err(IngestError::Malformed {
                                    file: file.to_string(),
                                    line: record.line,
                                    message: format!(
                                        "weight {} × --nav {nav} passes 10^26, more than xjscan adds up exactly",
                                        holding.value
                                    ),
                                });
                            };
                            holding.value = value / rust_decimal::Decimal::ONE_HUNDRED;
                        }
                    }
                    out.warnings.extend(warnings);
                    out.holdings.push(holding);
                }
                Err(rejected) => {
                    if let Some(value) = rejected.value.filter(|_| is_grand_total(record, &columns))
                    {
                        stated_totals.push((record.line, value));
                    }
                    out.rejected.push(rejected);
                }
            }
        }
        after_data |= non_empty_cells(&rest[i]) > 2;
        // A row's cells are not needed once it is read: freeing them as rows become holdings
        // keeps a file from being held as records and holdings at once.
        rest[i].cells = Vec::new();
    }
    compare_stated_total(&mut out, file, &stated_totals);
    out.finish_counts();
    Ok(out)
}

/// True for a grand total row (`Total`, `合计`), not a subtotal of a section.
fn is_grand_total(record: &Record, columns: &ColumnMap) -> bool {
    let name = columns
        .get(Role::Name)
        .and_then(|i| record.cells.get(i))
        .map(|c| super::fold_header(clean_cell(c)))
        .unwrap_or_default();
    matches!(
        name.as_str(),
        "total" | "totals" | "grandtotal" | "合计" | "总计"
    )
}

/// Compares the rows with the file's own grand total, when it states exactly one: agreement
/// is noted, a difference is a warning on the total's line. The figure checks the reading of
/// the file independently of everything xjscan does with the rows.
fn compare_stated_total(out: &mut FileRead, file: &str, stated: &[(u64, rust_decimal::Decimal)]) {
    let [(line, total)] = stated else {
        return;
    };
    // Values beyond the money bound are refused later with their line; no sum is taken here.
    let Some(sum) = out
        .holdings
        .iter()
        .try_fold(rust_decimal::Decimal::ZERO, |a, h| a.checked_add(h.value))
    else {
        return;
    };
    if sum == *total {
        out.summary.notes.push(format!(
            "the rows add up to the file's total row (line {line}: {total})"
        ));
        out.summary.declared_total = Some(*total);
    } else {
        let message = format!(
            "the rows add up to {sum}, but the file's total row (line {line}) says {total}"
        );
        out.summary.notes.push(message.clone());
        out.summary.declared_total = Some(*total);
        out.warnings.push(Warning {
            source: SourceLine::new(file, *line),
            message,
        });
    }
}

/// The value, quantity and weight cells of the rows under a header, with their lines, from which
/// the file's decimal separator is decided.
fn number_cells<'a>(
    rows: &'a [Record],
    columns: &'a ColumnMap,
) -> impl Iterator<Item = (u64, &'a str)> + 'a {
    const ROLES: [Role; 3] = [Role::Value, Role::Quantity, Role::Weight];
    rows.iter().flat_map(move |r| {
        ROLES
            .iter()
            .filter_map(|role| columns.get(*role).and_then(|i| r.cells.get(i)))
            .map(move |c| (r.line, c.as_str()))
    })
}

/// A line that is not a row of the table: at most two cells filled and no value, with the name
/// column empty or holding prose (a legal footer: long, or several lines).
fn is_structure(record: &Record, columns: &ColumnMap) -> bool {
    let filled = |role: Role| {
        columns
            .get(role)
            .and_then(|i| record.cells.get(i))
            .is_some_and(|c| !clean_cell(c).is_empty())
    };
    let prose = record
        .cells
        .iter()
        .any(|c| clean_cell(c).len() > 80 || clean_cell(c).contains('\n'));
    non_empty_cells(record) <= 2 && !filled(Role::Value) && (!filled(Role::Name) || prose)
}

/// For the error when no header is found: the row with the most cells read as a role (the
/// first such), each cell with what it was read as, so the user sees what to rename or give
/// with `--columns`.
fn nearest_header(records: &[Record]) -> String {
    let best = records
        .iter()
        .take(HEADER_SEARCH_RECORDS)
        .map(|r| {
            let cells: Vec<String> = r.cells.iter().map(|c| clean_cell(c).to_string()).collect();
            (ColumnMap::recognise(&cells).len(), r.line, cells)
        })
        .filter(|(n, _, _)| *n > 0)
        .max_by_key(|(n, line, _)| (*n, std::cmp::Reverse(*line)));
    match best {
        Some((_, line, cells)) => format!(
            "; the nearest header row is line {line}: {}",
            super::columns::read_as(&cells).join(", ")
        ),
        None => String::new(),
    }
}

/// The first record from `from` on that is not blank.
fn next_non_blank(rest: &[Record], from: usize) -> Option<&Record> {
    rest[from..].iter().find(|r| !is_blank(r))
}

fn source_of(file: &std::sync::Arc<str>, record: &Record) -> SourceLine {
    SourceLine {
        file: std::sync::Arc::clone(file),
        line: record.line,
    }
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
pub fn read_row(
    record: &Record,
    header: &[String],
    columns: &ColumnMap,
    mark: DecimalMark,
    source: &SourceLine,
) -> Result<(Holding, Vec<Warning>), RejectedRow> {
    let reject = |reason: String, value| RejectedRow {
        source: source.clone(),
        reason,
        value,
    };
    let cells = &record.cells;
    // A row with another number of fields than the header has its columns shifted: reading it
    // would put numbers in the wrong place. Trailing empty cells (spreadsheet exports) are fine.
    let extra_is_empty = cells
        .iter()
        .skip(header.len())
        .all(|c| clean_cell(c).is_empty());
    if cells.len() < header.len()
        && cells.len() <= columns.0.values().map(|(i, _)| *i).max().unwrap_or(0)
        || !extra_is_empty
    {
        return Err(reject(
            format!(
                "expected {} fields as in the header row, found {}",
                header.len(),
                cells.len()
            ),
            None,
        ));
    }
    let cell = |role: Role| -> &str {
        columns
            .get(role)
            .and_then(|i| cells.get(i))
            .map_or("", |c| clean_cell(c))
    };
    let header_of = |role: Role| columns.0.get(&role).map_or("", |(_, h)| h.as_str());

    let value = match parse_amount(cell(Role::Value), mark) {
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
    // An identifier of unstated scheme is whichever scheme it validates as.
    let generic = cell(Role::Identifier);
    let generic_isin = generic.parse::<Isin>().ok();
    let generic_cusip = generic.parse::<Cusip>().ok();
    let ids = HoldingIds {
        isin: parse_id::<Isin>(cell(Role::Isin), &mut warn).or(generic_isin),
        cusip: parse_id::<Cusip>(cell(Role::Cusip), &mut warn).or(generic_cusip),
        lei: parse_id::<Lei>(cell(Role::Lei), &mut warn),
        cik: parse_id::<Cik>(cell(Role::Cik), &mut warn),
        sedol: (!is_placeholder(sedol)).then(|| sedol.to_ascii_uppercase().into()),
        listing: if is_placeholder(ticker) {
            None
        } else {
            listing_of(ticker, cell(Role::Exchange))
        },
        ticker: (!is_placeholder(ticker)).then(|| ticker.into()),
        figi: None,
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

    let quantity = match parse_amount(cell(Role::Quantity), mark) {
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
    let kind = position_kind(asset_class.as_deref());
    let holding = Holding {
        source: source.clone(),
        name,
        name_source: None,
        description: description.map(Into::into),
        ids,
        quantity,
        quantity_unit: None,
        kind,
        value,
        currency: currency.map(Into::into),
        weight_pct: parse_percent(cell(Role::Weight), mark),
        asset_class: asset_class.map(Into::into),
    };
    Ok((holding, warnings))
}

/// Asset classes that are derivatives rather than securities (iShares writes "Futures").
fn position_kind(asset_class: Option<&str>) -> PositionKind {
    let Some(class) = asset_class else {
        return PositionKind::Long;
    };
    let folded = class.to_ascii_lowercase();
    // "Short" as a word marks a short position ("Equity short", "Short position"), but
    // "Short-term reserves" is a money-market section.
    let short_term = folded.contains("short-term") || folded.contains("short term");
    if !short_term
        && folded
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == "short")
    {
        return PositionKind::Short;
    }
    for word in ["future", "forward", "swap", "option"] {
        if folded.contains(word) {
            return PositionKind::Derivative(class.to_string());
        }
    }
    PositionKind::Long
}

pub fn is_placeholder(cell: &str) -> bool {
    matches!(
        cell.to_ascii_lowercase().as_str(),
        "" | "-" | "--" | "---" | "n/a" | "na" | "none" | "null" | "000000000"
    )
}

/// Parses an identifier cell; an invalid value becomes a warning, since the row itself is fine.
pub fn parse_id<T: FromStr<Err = crate::model::ids::IdError>>(
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
pub fn listing_of(ticker: &str, exchange: &str) -> Option<Listing> {
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

/// Yahoo-style exchange suffixes (`7203.T`, `005930.KS`, `SIE.DE`) of the venues the
/// reference data has listings on.
fn suffix_mic(s: &str) -> Option<&'static str> {
    match s.to_ascii_uppercase().as_str() {
        "SZ" => Some("XSHE"),
        "SS" | "SH" => Some("XSHG"),
        "HK" => Some("XHKG"),
        "T" => Some("XTKS"),
        "KS" => Some("XKRX"),
        "TW" => Some("XTAI"),
        "DE" => Some("XETR"),
        "PA" => Some("XPAR"),
        "TO" => Some("XTSE"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // Venues beyond China and the US, as iShares writes them and as Yahoo suffixes.
        for (ticker, exchange, want) in [
            ("7203", "Tokyo Stock Exchange", "XTKS:7203"),
            ("5930", "Korea Exchange (Stock Market)", "XKRX:005930"),
            ("2353", "Taiwan Stock Exchange", "XTAI:2353"),
            ("ADS", "Xetra", "XETR:ADS"),
            ("ALO", "Nyse Euronext - Euronext Paris", "XPAR:ALO"),
            ("BBD.B", "Toronto Stock Exchange", "XTSE:BBD.B"),
            ("7974.T", "", "XTKS:7974"),
            ("005930.KS", "", "XKRX:005930"),
            ("2357.TW", "", "XTAI:2357"),
            ("ADS.DE", "", "XETR:ADS"),
        ] {
            assert_eq!(
                listing_of(ticker, exchange).map(|l| l.as_str().to_string()),
                Some(want.to_string()),
                "{ticker} {exchange}"
            );
        }
        // "TSE" names Tokyo and Toronto alike, so it names neither.
        assert_eq!(listing_of("7203", "TSE"), None);
    }
}
