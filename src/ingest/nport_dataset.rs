//! SEC "Form N-PORT data sets": a quarter of every registered fund's public portfolio reports,
//! flattened into tab-separated tables joined on `ACCESSION_NUMBER` (one filing = one fund
//! series' report for one month) and `HOLDING_ID` (one holding and its identifiers).
//!
//! Read here: the small tables whole (`SUBMISSION.tsv`, `REGISTRANT.tsv`,
//! `FUND_REPORTED_INFO.tsv`: who filed, for which series and date, with what net assets), the
//! ISIN of each holding from `IDENTIFIERS.tsv`, and the columns of `FUND_REPORTED_HOLDING.tsv`
//! that a scan needs, which the data-set engine reads in one pass on every core. Column names
//! and formats follow the SEC's `nport_readme.htm`: tab-separated UTF-8, no quoting, dates
//! `DD-MON-YYYY`, amounts `NUMBER(36,12)`, `CURRENCY_VALUE` in US dollars (Form N-PORT item
//! C.2.c, "Report values in U.S. dollars").

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use super::IngestError;
use super::sec_dataset::{dd_mon_yyyy, header, missing_columns_of};

/// The holdings table: its presence makes a folder an N-PORT data set.
pub const HOLDINGS: &str = "FUND_REPORTED_HOLDING.tsv";

/// The columns of `FUND_REPORTED_HOLDING.tsv` a scan reads, in [`HoldingColumns`]' order.
pub const HOLDING_COLUMNS: &[&str] = &[
    "ACCESSION_NUMBER",
    "HOLDING_ID",
    "ISSUER_NAME",
    "ISSUER_LEI",
    "ISSUER_TITLE",
    "ISSUER_CUSIP",
    "CURRENCY_CODE",
    "CURRENCY_VALUE",
    "PAYOFF_PROFILE",
    "ASSET_CAT",
    "ISSUER_TYPE",
];

/// The files of an N-PORT data set.
#[derive(Debug, Clone)]
pub struct NportFiles {
    pub dir: PathBuf,
    pub holdings: PathBuf,
    pub submission: PathBuf,
    pub registrant: Option<PathBuf>,
    pub fund_info: Option<PathBuf>,
    pub identifiers: Option<PathBuf>,
}

/// What the small tables say about one filing (one series' report).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FundFiling {
    pub accession: String,
    /// `YYYY-MM-DD`.
    pub filed: Option<String>,
    pub sub_type: Option<String>,
    /// The date the holdings are reported as of (`REPORT_DATE`), `YYYY-MM-DD`.
    pub report_date: Option<String>,
    pub cik: Option<String>,
    pub registrant: Option<String>,
    pub series_name: Option<String>,
    pub series_id: Option<String>,
    /// `NET_ASSETS` in US dollars, exactly as filed.
    pub net_assets: Option<Decimal>,
}

/// True when a folder holds an N-PORT data set's holdings table.
pub fn is_dataset(dir: &Path) -> bool {
    dir.join(HOLDINGS).is_file()
}

/// Finds the tables; `FUND_REPORTED_HOLDING.tsv` and `SUBMISSION.tsv` are required.
pub fn locate(dir: &Path) -> Result<NportFiles, IngestError> {
    let need = |name: &str| -> Result<PathBuf, IngestError> {
        let path = dir.join(name);
        if path.is_file() {
            Ok(path)
        } else {
            Err(IngestError::NportIncomplete {
                dir: crate::ingest::display_path(dir),
                missing: name.to_string(),
            })
        }
    };
    let optional = |name: &str| Some(dir.join(name)).filter(|p| p.is_file());
    Ok(NportFiles {
        dir: dir.to_path_buf(),
        holdings: need(HOLDINGS)?,
        submission: need("SUBMISSION.tsv")?,
        registrant: optional("REGISTRANT.tsv"),
        fund_info: optional("FUND_REPORTED_INFO.tsv"),
        identifiers: optional("IDENTIFIERS.tsv"),
    })
}

/// A small table read whole: its column names and rows (each with its line number).
struct SmallTable {
    path: PathBuf,
    columns: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

impl SmallTable {
    fn read(path: &Path, required: &[&str]) -> Result<SmallTable, IngestError> {
        let file = crate::ingest::display_path(path);
        let bytes = std::fs::read(path).map_err(|error| IngestError::Io {
            file: file.clone(),
            error,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        let mut lines = text.lines();
        let columns: Vec<String> = lines
            .next()
            .unwrap_or_default()
            .split('\t')
            .map(|c| c.trim().to_string())
            .collect();
        if !required.iter().all(|c| columns.iter().any(|f| f == c)) {
            return Err(missing_columns_of("Form N-PORT", path, &columns, required));
        }
        let rows = lines
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| (i as u64 + 2, l.split('\t').map(str::to_string).collect()))
            .collect();
        Ok(SmallTable {
            path: path.to_path_buf(),
            columns,
            rows,
        })
    }

    /// A row's cell in a column, `None` when empty or missing.
    fn cell<'a>(&self, row: &'a [String], column: &str) -> Option<&'a str> {
        let i = self.columns.iter().position(|c| c == column)?;
        row.get(i)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty() && *s != "N/A")
    }
}

/// Every filing of the data set, with what the small tables say of it, by accession number.
pub fn filings(files: &NportFiles) -> Result<HashMap<String, FundFiling>, IngestError> {
    let submission = SmallTable::read(
        &files.submission,
        &["ACCESSION_NUMBER", "FILING_DATE", "SUB_TYPE", "REPORT_DATE"],
    )?;
    let mut by_accession: HashMap<String, FundFiling> = HashMap::new();
    for (_, row) in &submission.rows {
        let Some(accession) = submission.cell(row, "ACCESSION_NUMBER") else {
            continue;
        };
        let date = |c: &str| submission.cell(row, c).and_then(dd_mon_yyyy);
        by_accession.insert(
            accession.to_string(),
            FundFiling {
                accession: accession.to_string(),
                filed: date("FILING_DATE"),
                sub_type: submission.cell(row, "SUB_TYPE").map(str::to_string),
                report_date: date("REPORT_DATE"),
                ..FundFiling::default()
            },
        );
    }
    if let Some(path) = &files.registrant {
        let table = SmallTable::read(path, &["ACCESSION_NUMBER", "CIK", "REGISTRANT_NAME"])?;
        for (_, row) in &table.rows {
            if let Some(f) = table
                .cell(row, "ACCESSION_NUMBER")
                .and_then(|a| by_accession.get_mut(a))
            {
                f.cik = table.cell(row, "CIK").map(str::to_string);
                f.registrant = table.cell(row, "REGISTRANT_NAME").map(str::to_string);
            }
        }
    }
    if let Some(path) = &files.fund_info {
        let table = SmallTable::read(
            path,
            &["ACCESSION_NUMBER", "SERIES_NAME", "SERIES_ID", "NET_ASSETS"],
        )?;
        for (line, row) in &table.rows {
            let Some(f) = table
                .cell(row, "ACCESSION_NUMBER")
                .and_then(|a| by_accession.get_mut(a))
            else {
                continue;
            };
            f.series_name = table.cell(row, "SERIES_NAME").map(str::to_string);
            f.series_id = table.cell(row, "SERIES_ID").map(str::to_string);
            f.net_assets = match table.cell(row, "NET_ASSETS") {
                None => None,
                Some(raw) => Some(net_assets(raw).ok_or_else(|| IngestError::Malformed {
                    file: crate::ingest::display_path(&table.path),
                    line: *line,
                    message: format!(
                        "NET_ASSETS `{raw}` is not an amount xjscan can count exactly (a decimal number within 10^26)"
                    ),
                })?),
            };
        }
    }
    Ok(by_accession)
}

/// A fund's net assets: a plain decimal within the bound xjscan adds money up to.
fn net_assets(raw: &str) -> Option<Decimal> {
    let value: Decimal = raw.parse().ok()?;
    (value.abs() <= crate::model::money::LIMIT).then_some(value)
}

/// Each holding's ISIN from `IDENTIFIERS.tsv`, by `HOLDING_ID`: the first well-formed one when
/// a holding lists several.
///
/// `HOLDING_ID`s are surrogate keys the SEC numbers across a quarter's tables, so a quarter's
/// ids fill a narrow range: the table is then an array over that range (four bytes per id,
/// looked up by subtraction, in the order the holdings table comes in), else a sorted list.
#[derive(Debug, Default)]
pub struct IsinTable {
    isins: Vec<[u8; 12]>,
    lookup: IsinLookup,
}

#[derive(Debug)]
enum IsinLookup {
    /// `slots[id - base]` is the ISIN's index plus one; zero for none.
    Dense { base: u64, slots: Vec<u32> },
    /// `(id, index)` sorted by id.
    Sparse(Vec<(u64, u32)>),
}

impl Default for IsinLookup {
    fn default() -> Self {
        IsinLookup::Sparse(Vec::new())
    }
}

impl IsinTable {
    /// Builds the table from `(HOLDING_ID, ISIN)` pairs in file order, in parts (one per
    /// range read); the first pair of an id wins.
    fn build(parts: &[Vec<(u64, [u8; 12])>]) -> Result<IsinTable, String> {
        let pairs = || parts.iter().flatten();
        let count = parts.iter().map(Vec::len).sum::<usize>();
        if u32::try_from(count).is_err() {
            return Err(format!(
                "{count} identifier rows with an ISIN; xjscan reads at most {}",
                u32::MAX - 1
            ));
        }
        let (min, max) = pairs().fold((u64::MAX, 0), |(lo, hi), (id, _)| {
            (lo.min(*id), hi.max(*id))
        });
        let span = max.saturating_sub(min).saturating_add(1);
        let isins = pairs().map(|(_, isin)| *isin).collect();
        // An array when the ids are about as many as the range they fill (a data set as the
        // SEC numbers it); a list to search for anything else.
        let lookup = if count > 0 && span <= 4 * count as u64 + (1 << 20) {
            let mut slots = vec![0u32; span as usize];
            for (i, (id, _)) in pairs().enumerate() {
                let slot = &mut slots[(id - min) as usize];
                if *slot == 0 {
                    *slot = i as u32 + 1;
                }
            }
            IsinLookup::Dense { base: min, slots }
        } else {
            let mut sorted: Vec<(u64, u32)> = pairs()
                .enumerate()
                .map(|(i, (id, _))| (*id, i as u32))
                .collect();
            // Stable: of two pairs for one id, the first in the file comes first.
            sorted.sort_by_key(|(id, _)| *id);
            sorted.dedup_by_key(|(id, _)| *id);
            IsinLookup::Sparse(sorted)
        };
        Ok(IsinTable { isins, lookup })
    }

    /// The ISIN of a holding, if its identifiers give one.
    pub fn get(&self, holding_id: u64) -> Option<&[u8; 12]> {
        let index = match &self.lookup {
            IsinLookup::Dense { base, slots } => {
                let slot = *slots.get(usize::try_from(holding_id.checked_sub(*base)?).ok()?)?;
                slot.checked_sub(1)?
            }
            IsinLookup::Sparse(sorted) => {
                let at = sorted
                    .binary_search_by_key(&holding_id, |(id, _)| *id)
                    .ok()?;
                sorted[at].1
            }
        };
        self.isins.get(index as usize)
    }

    /// Holdings with an ISIN.
    pub fn len(&self) -> usize {
        match &self.lookup {
            IsinLookup::Dense { slots, .. } => slots.iter().filter(|s| **s != 0).count(),
            IsinLookup::Sparse(sorted) => sorted.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.isins.is_empty()
    }
}

/// Reads [`IsinTable`] from `IDENTIFIERS.tsv` (a row per identifier of every holding of the
/// quarter) in one pass on every core; each thread keeps its ranges' pairs apart, so the
/// pairs are put back in file order and the first ISIN of a holding is the first in the file.
pub fn isins(path: &Path) -> Result<IsinTable, IngestError> {
    let file = crate::ingest::display_path(path);
    let header = header(path)?;
    let column = |name: &str| header.iter().position(|c| c == name);
    let (Some(id_at), Some(isin_at)) = (column("HOLDING_ID"), column("IDENTIFIER_ISIN")) else {
        return Err(IngestError::Malformed {
            file: file.clone(),
            line: 1,
            message: "header lacks column(s) HOLDING_ID or IDENTIFIER_ISIN; expected a Form N-PORT data set table with HOLDING_ID, IDENTIFIER_ISIN".to_string(),
        });
    };
    type Ranges = Vec<(u32, Vec<(u64, [u8; 12])>)>;
    let read = super::tsv_chunks::read(
        path,
        super::tsv_chunks::threads(),
        id_at.max(isin_at) + 1,
        Ranges::new,
        |ranges: &mut Ranges, fields, p| {
            let cell = |i: usize| fields.get(i).copied().unwrap_or_default();
            let Some(pair) = isin_pair(cell(id_at), cell(isin_at)) else {
                return;
            };
            match ranges.last_mut() {
                Some((chunk, pairs)) if *chunk == p.chunk => pairs.push(pair),
                last => {
                    // The next range holds about as many as the last: no growing by copies.
                    let size = last.map_or(1 << 12, |(_, pairs)| pairs.len() + pairs.len() / 8);
                    let mut pairs = Vec::with_capacity(size);
                    pairs.push(pair);
                    ranges.push((p.chunk, pairs));
                }
            }
        },
    )
    .map_err(|error| IngestError::Io {
        file: file.clone(),
        error,
    })?;
    let (sinks, _) = read.split();
    let mut ranges: Ranges = sinks.into_iter().flatten().collect();
    ranges.sort_by_key(|(chunk, _)| *chunk);
    let parts: Vec<Vec<(u64, [u8; 12])>> = ranges.into_iter().map(|(_, pairs)| pairs).collect();
    IsinTable::build(&parts).map_err(|message| IngestError::Invalid { file, message })
}

/// The `HOLDING_ID` and well-formed ISIN of an identifier row, if it has both.
fn isin_pair(id_cell: &[u8], isin: &[u8]) -> Option<(u64, [u8; 12])> {
    let bytes = <[u8; 12]>::try_from(isin.trim_ascii()).ok()?;
    let id = digits(id_cell.trim_ascii())?;
    crate::model::ids::Isin::is_well_formed(&bytes).then_some((id, bytes))
}

/// Where [`HOLDING_COLUMNS`] sit in the lines of `FUND_REPORTED_HOLDING.tsv`, from its header.
#[derive(Debug, Clone, Copy)]
pub struct HoldingColumns {
    index: [usize; 11],
}

/// One holding as the table writes it (fields empty when missing), with its ISIN from
/// `IDENTIFIERS.tsv`.
#[derive(Debug, Clone, Copy, Default)]
pub struct HoldingRow<'a> {
    pub accession: &'a [u8],
    pub holding_id: &'a [u8],
    pub name: &'a [u8],
    pub lei: &'a [u8],
    pub title: &'a [u8],
    pub cusip: &'a [u8],
    pub currency: &'a [u8],
    pub value: &'a [u8],
    pub payoff: &'a [u8],
    pub asset_cat: &'a [u8],
    pub issuer_type: &'a [u8],
    pub isin: &'a [u8],
    /// True when the CUSIP, LEI or ISIN could match the reference data
    /// ([`crate::resolve::IdentifierFilter`]); otherwise the name alone decides.
    pub identified: bool,
    /// Fields a short (ragged) line lacks: `(fields on the line, fields needed)`.
    pub short: Option<(usize, usize)>,
}

impl HoldingColumns {
    /// Reads the header and finds the needed columns.
    pub fn of(path: &Path) -> Result<HoldingColumns, IngestError> {
        let table_header = header(path)?;
        let mut index = [0; 11];
        for (slot, name) in index.iter_mut().zip(HOLDING_COLUMNS) {
            *slot = table_header.iter().position(|c| c == name).ok_or_else(|| {
                missing_columns_of("Form N-PORT", path, &table_header, HOLDING_COLUMNS)
            })?;
        }
        Ok(HoldingColumns { index })
    }

    /// Fields to split per line: up to the last needed column.
    pub fn width(&self) -> usize {
        self.index.iter().max().map_or(0, |m| m + 1)
    }

    /// The holding in a line's fields, with its ISIN looked up by `HOLDING_ID`.
    pub fn row<'a>(
        &self,
        fields: &[&'a [u8]],
        isins: &'a IsinTable,
        filter: &crate::resolve::IdentifierFilter,
    ) -> HoldingRow<'a> {
        let at = |i: usize| {
            fields
                .get(self.index[i])
                .copied()
                .unwrap_or_default()
                .trim_ascii()
        };
        let holding_id = at(1);
        let isin = digits(holding_id)
            .and_then(|id| isins.get(id))
            .map_or(&[][..], |b| &b[..]);
        let (lei, cusip) = (placeholder(at(3)), placeholder(at(5)));
        HoldingRow {
            accession: at(0),
            holding_id,
            name: at(2),
            lei,
            title: at(4),
            cusip,
            identified: filter.might_match([cusip, lei, isin]),
            currency: at(6),
            value: at(7),
            payoff: at(8),
            asset_cat: at(9),
            issuer_type: at(10),
            isin,
            short: (fields.len() < self.width()).then(|| (fields.len(), self.width())),
        }
    }
}

/// A `HOLDING_ID` (a whole number of at most 19 digits).
fn digits(cell: &[u8]) -> Option<u64> {
    if cell.is_empty() || cell.len() > 19 {
        return None;
    }
    cell.iter().try_fold(0u64, |v, b| {
        b.is_ascii_digit().then(|| v * 10 + u64::from(b - b'0'))
    })
}

/// `N/A` and all-zero CUSIPs are what filers write for "none": not identifiers.
fn placeholder(field: &[u8]) -> &[u8] {
    if field == b"N/A" || (!field.is_empty() && field.iter().all(|b| *b == b'0')) {
        &[]
    } else {
        field
    }
}

/// Values are counted in whole 10^-12 dollars: every `NUMBER(36,12)` amount exactly.
pub const UNITS_PER_DOLLAR: i128 = 1_000_000_000_000;
/// The digits after the point that [`UNITS_PER_DOLLAR`] holds.
pub const SCALE: u32 = 12;

/// The largest value one holding may carry, in dollars (10^15: a thousand times the largest
/// fund); past it the row is set aside, and no sum of rows can overflow.
const MAX_VALUE: i128 = 1_000_000_000_000_000;

/// A `CURRENCY_VALUE` in whole 10^-12 dollars, exactly; `Err` with the reason when it is
/// empty, not a plain decimal, finer than the table's twelve decimals or past the bound.
pub fn units(raw: &[u8]) -> Result<i128, String> {
    let text = std::str::from_utf8(raw)
        .map_err(|_| "CURRENCY_VALUE is not text".to_string())?
        .trim();
    if text.is_empty() || text == "N/A" {
        return Err("CURRENCY_VALUE is empty".to_string());
    }
    let bad = || format!("CURRENCY_VALUE is not a decimal number: \"{text}\"");
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > SCALE as usize {
        return Err(format!(
            "CURRENCY_VALUE {text} has more than {SCALE} decimals"
        ));
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > 16 {
        return Err(format!("CURRENCY_VALUE {text} is past 10^15 dollars"));
    }
    let dollars: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    if dollars > MAX_VALUE {
        return Err(format!("CURRENCY_VALUE {text} is past 10^15 dollars"));
    }
    // The digits after the point, scaled to twelve places (checked to be digits above).
    let frac = fraction
        .bytes()
        .fold(0i128, |v, b| v * 10 + i128::from(b - b'0'))
        * 10i128.pow(SCALE - fraction.len() as u32);
    let value = dollars * UNITS_PER_DOLLAR + frac;
    Ok(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_joined_by_holding_and_a_runaway_line_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("IDENTIFIERS.tsv");
        std::fs::write(
            &path,
            "HOLDING_ID\tIDENTIFIERS_ID\tIDENTIFIER_ISIN\n7\t1\tnot-an-isin\n7\t2\tCNE100000PM8\n7\t3\tUS0378331005\n",
        )
        .unwrap();
        let map = isins(&path).unwrap();
        assert_eq!(map.get(7), Some(b"CNE100000PM8"));
        assert_eq!((map.get(6), map.get(8), map.len()), (None, None, 1));
        // Ids far apart (not a data set's numbering) are kept in a list; lines may end CRLF
        // and the last may lack its break.
        std::fs::write(
            &path,
            "HOLDING_ID\tIDENTIFIER_ISIN\r\n9000000000\tUS0378331005\r\n3\tCNE100001120",
        )
        .unwrap();
        let map = isins(&path).unwrap();
        assert!(matches!(map.lookup, IsinLookup::Sparse(_)));
        assert_eq!(map.get(3), Some(b"CNE100001120"));
        assert_eq!(map.get(9_000_000_000), Some(b"US0378331005"));
        assert_eq!(map.get(4), None);
        std::fs::write(
            &path,
            format!("HOLDING_ID\tIDENTIFIER_ISIN\n{}", "9".repeat(3 << 20)),
        )
        .unwrap();
        let err = isins(&path).unwrap_err().to_string();
        assert!(
            err.ends_with(
                "no line break in the 1 MiB after byte 1048576; expected one row per line"
            ),
            "{err}"
        );
    }

    #[test]
    fn values_are_read_exactly_to_twelve_decimals() {
        assert_eq!(units(b"28671315.66"), Ok(28_671_315_660_000_000_000));
        assert_eq!(units(b"-74201400.0"), Ok(-74_201_400_000_000_000_000));
        assert_eq!(units(b"0.000000000001"), Ok(1));
        assert_eq!(units(b"100"), Ok(100_000_000_000_000));
        assert_eq!(units(b"1.500000000000000"), Ok(1_500_000_000_000));
        for bad in [
            &b""[..],
            b"N/A",
            b"1,000",
            b"1e5",
            b"-",
            b".",
            b"--1",
            b"1.2.3",
        ] {
            assert!(units(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            units(b"0.0000000000001"),
            Err("CURRENCY_VALUE 0.0000000000001 has more than 12 decimals".to_string())
        );
        assert!(units(b"1000000000000000").is_ok());
        assert!(units(b"1000000000000001").is_err());
        assert!(units(b"99999999999999999999").is_err());
    }
}
