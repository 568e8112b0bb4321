//! Holdings as read from input files, and the rows that could not become holdings.

use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

use super::ids::{Cik, Cusip, Isin, Lei, Listing};

/// Where a row came from: the file as the user named it, and the 1-based line where the row starts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SourceLine {
    /// Shared by every row of a file: a name per row would be a heap copy per holding.
    pub file: std::sync::Arc<str>,
    pub line: u64,
}

impl SourceLine {
    /// A line of a file named once (for one-off rows: warnings, totals).
    pub fn new(file: &str, line: u64) -> Self {
        SourceLine {
            file: file.into(),
            line,
        }
    }
}

impl std::fmt::Display for SourceLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Line 0 is the file as a whole (a warning about the file, not one of its lines).
        if self.line == 0 {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}", self.file, self.line)
        }
    }
}

/// Identifiers carried by a holding. Only valid identifiers are kept; invalid ones become warnings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HoldingIds {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isin: Option<Isin>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cusip: Option<Cusip>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sedol: Option<Box<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lei: Option<Lei>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cik: Option<Cik>,
    /// Exchange + ticker, when both are known and the exchange is recognised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing: Option<Listing>,
    /// The ticker as given, kept for display even when no exchange is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticker: Option<Box<str>>,
    /// The FIGI, from OpenFIGI enrichment (`--enrich openfigi`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figi: Option<Box<str>>,
}

impl HoldingIds {
    /// True when the holding carries any identifier that can be matched exactly.
    pub fn any_matchable(&self) -> bool {
        self.isin.is_some()
            || self.cusip.is_some()
            || self.lei.is_some()
            || self.cik.is_some()
            || self.listing.is_some()
    }
}

/// What kind of position a holding is. Only long positions in securities count as issuer
/// exposure; options and derivatives are reported separately and never netted against it.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionKind {
    /// A long position in a security (shares, bonds, fund units).
    #[default]
    Long,
    /// A short position (N-PORT `payoffProfile` Short): never netted against long exposure.
    Short,
    /// A put or call option (13F `putCall`); the value is not a long position in the issuer.
    Option(String),
    /// A derivative contract (swap, forward, future…); its issuer is the reference entity only
    /// if one is named.
    Derivative(String),
}

impl PositionKind {
    pub fn is_long(&self) -> bool {
        matches!(self, PositionKind::Long)
    }

    /// Short label for reports (`option (put)`, `derivative (forward)`).
    pub fn label(&self) -> String {
        match self {
            PositionKind::Long => "long".to_string(),
            PositionKind::Short => "short".to_string(),
            PositionKind::Option(kind) => format!("option ({kind})"),
            PositionKind::Derivative(kind) => format!("derivative ({kind})"),
        }
    }
}

/// One position in a portfolio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holding {
    pub source: SourceLine,
    /// Issuer or security name as written in the file (may be empty).
    pub name: String,
    /// Where the name came from when not from the file (OpenFIGI enrichment, with the
    /// identifier it was looked up by).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_source: Option<Box<str>>,
    /// A second descriptive column (security description, title of class), if the file has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Box<str>>,
    pub ids: HoldingIds,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Decimal>,
    /// What the quantity counts (`SH` shares, `PRN` principal, `PA`, `NS`…), when the file says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity_unit: Option<Box<str>>,
    pub kind: PositionKind,
    /// Market value in the portfolio's currency. Exact decimal, never a float.
    pub value: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Box<str>>,
    /// Weight as given in the file, in percent. Informational: exposure uses `value`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight_pct: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset_class: Option<Box<str>>,
}

/// An input row that did not become a holding, with the reason and its value where one was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    pub source: SourceLine,
    pub reason: String,
    /// The row's value if it could be read (a summary row has one; a non-numeric value has not).
    pub value: Option<Decimal>,
}

/// Something a user should know about a row that was still used.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    pub source: SourceLine,
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

/// How one input file was read: enough to account for every line in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSummary {
    /// The path as the user gave it.
    pub file: String,
    #[serde(skip)]
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, for provenance.
    pub sha256: String,
    pub format: String,
    pub encoding: String,
    pub delimiter: String,
    /// Line of the header row (1-based); lines before it are preamble.
    pub header_line: u64,
    /// Header text of each column used, by role (`value` → `Market Value`).
    pub columns: Vec<(String, String)>,
    /// Lines before the header row.
    pub preamble_lines: u64,
    /// Empty lines after the header (not rows).
    pub blank_lines: u64,
    /// Structure lines after the header: section titles and further header rows (Vanguard's
    /// multi-section exports), and one-cell notes and disclaimers.
    pub structure_lines: u64,
    pub holdings: u64,
    pub rejected: u64,
    /// Fund or filer name, when the file states it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fund: Option<String>,
    /// Reporting period or as-of date, when the file states it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// Unit of the file's values after any conversion (`dollars`), and how it was decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_unit: Option<String>,
    /// A total the file declares (13F `tableValueTotal`, N-PORT net assets), as read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_total: Option<Decimal>,
    /// Decisions and checks worth reporting (unit detection, totals compared).
    pub notes: Vec<String>,
}

impl FileSummary {
    /// A summary with the fields every reader sets; the rest start empty.
    pub fn new(file: &str, format: &str, encoding: &str) -> Self {
        FileSummary {
            file: file.to_string(),
            path: PathBuf::new(),
            sha256: String::new(),
            format: format.to_string(),
            encoding: encoding.to_string(),
            delimiter: String::new(),
            header_line: 0,
            columns: Vec::new(),
            preamble_lines: 0,
            blank_lines: 0,
            structure_lines: 0,
            holdings: 0,
            rejected: 0,
            fund: None,
            period: None,
            value_unit: None,
            declared_total: None,
            notes: Vec::new(),
        }
    }
}

/// Everything read from the user's input files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Portfolio {
    pub name: String,
    /// Net assets stated by the file itself (N-PORT `netAssets`), used as the NAV unless the
    /// user gives one.
    pub nav: Option<Decimal>,
    pub files: Vec<FileSummary>,
    pub holdings: Vec<Holding>,
    pub rejected: Vec<RejectedRow>,
    pub warnings: Vec<Warning>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of millions of rows is held as this many holdings: the struct's size is the
    /// scan's memory per row, so it may only grow on purpose (the README's memory table is
    /// measured with it). Identifiers are inline, the file name shared, rare texts boxed.
    #[test]
    fn a_holding_stays_compact() {
        assert!(
            std::mem::size_of::<Holding>() <= 344,
            "Holding is {} bytes",
            std::mem::size_of::<Holding>()
        );
        assert_eq!(std::mem::size_of::<Option<Isin>>(), 14);
        let a = SourceLine::new("f.csv", 2);
        let b = SourceLine {
            file: std::sync::Arc::clone(&a.file),
            line: 3,
        };
        assert!(a < b, "lines of one file order by line");
    }
}
