//! The reference entity graph: entities, their names and identifiers, the designations that
//! support a flag, ownership links, and the sources behind each record.
//!
//! These mirror the tables in `mappings/` one to one, so a row in a report can always be traced
//! back to a row an analyst can open in a spreadsheet.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

/// A calendar date written `YYYY-MM-DD`, or a partial date `YYYY-MM` / `YYYY` when a source only
/// gives the month or year (better than inventing a day, or dropping what is known). Kept as
/// text because the data only compares and prints dates; the fixed-width forms sort
/// chronologically.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDate(String);

impl IsoDate {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl IsoDate {
    /// True when the date has a day (not just a month or a year).
    pub fn is_complete(&self) -> bool {
        self.0.len() == 10
    }

    /// Days since 1970-01-01 of the date's first day (1 January for a year, the 1st for a
    /// month), for ages such as how old the reference data is.
    pub fn days(&self) -> i64 {
        let mut parts = self.0.split('-').map(|p| p.parse::<i64>().unwrap_or(1));
        let y = parts.next().unwrap_or(1970);
        let m = parts.next().unwrap_or(1);
        let d = parts.next().unwrap_or(1);
        // Howard Hinnant's days_from_civil: no date crate for one conversion.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

impl FromStr for IsoDate {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        let err = || format!("`{raw}` is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY");
        let parts: Vec<&str> = raw.split('-').collect();
        let widths_ok = parts.len() <= 3
            && parts.first().is_some_and(|y| y.len() == 4)
            && parts.iter().skip(1).all(|p| p.len() == 2)
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
        if !widths_ok {
            return Err(err());
        }
        let numbers: Vec<u32> = parts
            .iter()
            .map(|p| p.parse().map_err(|_| err()))
            .collect::<Result<_, _>>()?;
        let year = numbers[0];
        if let Some(&month) = numbers.get(1) {
            if !(1..=12).contains(&month) {
                return Err(err());
            }
            if let Some(&day) = numbers.get(2) {
                let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100))
                    || year.is_multiple_of(400);
                let days = match month {
                    4 | 6 | 9 | 11 => 30,
                    2 if leap => 29,
                    2 => 28,
                    _ => 31,
                };
                if day == 0 || day > days {
                    return Err(err());
                }
            }
        }
        Ok(IsoDate(raw.to_string()))
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for IsoDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Generates a closed vocabulary enum that parses from and prints as its snake_case key.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
        }
        impl FromStr for $name {
            type Err = String;
            fn from_str(raw: &str) -> Result<Self, String> {
                match raw {
                    $($key => Ok($name::$variant),)+
                    _ => Err(format!(
                        "`{raw}` is not one of: {}",
                        [$($key),+].join(", ")
                    )),
                }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.key())
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.key())
            }
        }
    };
}

vocabulary! {
    /// What a designation means for an investor holding the entity's securities, strongest first.
    /// The order is the order of the tiers in reports.
    Consequence {
        /// Assets must be frozen; dealing is prohibited (OFAC SDN and its 50% rule, EU/UK/CA).
        Blocking => "blocking",
        /// Buying the entity's publicly traded securities is prohibited (OFAC NS-CMIC).
        InvestmentBan => "investment_ban",
        /// The entity's goods are barred from import (UFLPA Entity List, CBP WRO).
        ImportBan => "import_ban",
        /// Exports to the entity need a licence (BIS Entity List).
        ExportControl => "export_control",
        /// US government may not procure from the entity (DoD Section 1260H list).
        ProcurementBan => "procurement_ban",
        /// Named by research; no legal consequence of its own.
        ResearchOnly => "research_only",
    }
}

impl Consequence {
    /// Human label for reports.
    pub fn label(self) -> &'static str {
        match self {
            Consequence::Blocking => "Blocking sanctions",
            Consequence::InvestmentBan => "Investment ban",
            Consequence::ImportBan => "Import ban / WRO",
            Consequence::ExportControl => "Export control",
            Consequence::ProcurementBan => "Procurement ban",
            Consequence::ResearchOnly => "Research only",
        }
    }
}

vocabulary! {
    /// Confidence in a fact, as graded in the research sources.
    Grade {
        /// Official list data file, official press release or Federal Register text.
        A => "A",
        /// Reputable secondary report quoting the official notice.
        B => "B",
        /// Weak (inference, unverified seed data); reported as unverified, never promoted.
        C => "C",
    }
}

impl Grade {
    /// Grade C facts are shown as unverified wherever they appear.
    pub fn is_verified(self) -> bool {
        self != Grade::C
    }
}

vocabulary! {
    /// What kind of thing an entity is.
    EntityKind {
        Company => "company",
        Government => "government",
        Person => "person",
        BondIssuer => "bond_issuer",
    }
}

/// Whether a company's shares trade on an exchange, as its sources state: `Unknown` until
/// someone has looked, so a coverage figure never counts an unresearched company as unlisted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingStatus {
    Listed,
    Unlisted,
    Delisted,
    Unknown,
}

impl ListingStatus {
    /// The word `entities.csv` uses (`yes`, `no`, `delisted`, or empty).
    pub fn key(self) -> &'static str {
        match self {
            ListingStatus::Listed => "yes",
            ListingStatus::Unlisted => "no",
            ListingStatus::Delisted => "delisted",
            ListingStatus::Unknown => "",
        }
    }
}

impl FromStr for ListingStatus {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        match raw {
            "yes" => Ok(ListingStatus::Listed),
            "no" => Ok(ListingStatus::Unlisted),
            "delisted" => Ok(ListingStatus::Delisted),
            "" => Ok(ListingStatus::Unknown),
            _ => Err(format!(
                "`{raw}` is not one of: yes, no, delisted, or empty (not yet researched)"
            )),
        }
    }
}

vocabulary! {
    /// Identifier schemes recorded in `mappings/identifiers.csv`.
    IdScheme {
        Isin => "isin",
        Cusip => "cusip",
        Lei => "lei",
        Ticker => "ticker",
        Uscc => "uscc",
        Cik => "cik",
        Sedol => "sedol",
    }
}

/// A company, government body or person in the reference data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entity {
    pub id: String,
    pub name: String,
    pub name_zh: String,
    pub kind: EntityKind,
    pub country: String,
    pub sector: String,
    pub listed: ListingStatus,
    pub note: String,
}

/// Another name an entity is known by (former name, short name, Chinese name…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alias {
    pub entity_id: String,
    pub alias: String,
    pub lang: String,
    pub kind: String,
    pub source_id: String,
    /// Confidence that this name denotes the entity (a short name matched by hand is C).
    pub grade: Grade,
}

/// An identifier as seen in a source, already validated and in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentifierRecord {
    pub entity_id: String,
    pub scheme: IdScheme,
    pub value: String,
    pub source_id: String,
    pub grade: Grade,
    pub note: String,
}

/// A listing of an entity on a sanctions, trade or research list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Designation {
    pub id: String,
    pub entity_id: String,
    pub list: String,
    pub programme: String,
    pub listed_on: Option<IsoDate>,
    pub removed_on: Option<IsoDate>,
    pub consequence: Consequence,
    pub grade: Grade,
    pub source_id: String,
    pub note: String,
}

impl Designation {
    /// A designation still in force (no removal date recorded).
    pub fn is_active(&self) -> bool {
        self.removed_on.is_none()
    }
}

/// Parent → child ownership or control, with a percentage where a source gives one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ownership {
    pub parent_id: String,
    pub child_id: String,
    pub percent: Option<Decimal>,
    pub source_id: String,
    pub grade: Grade,
    pub note: String,
}

/// A guarantor of an issuer's bonds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Guarantee {
    pub guarantor_id: String,
    pub issuer_id: String,
    pub source_id: String,
    pub grade: Grade,
    pub note: String,
}

/// A document or data file that supports records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub id: String,
    pub publisher: String,
    pub title: String,
    pub url: String,
    pub published: String,
    pub note: String,
}

/// A designation list and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListInfo {
    pub id: String,
    pub name: String,
    pub authority: String,
    pub jurisdiction: String,
    pub consequence: Consequence,
    pub note: String,
    /// How many entries of this list's Xinjiang scope the publisher (or a source reproducing
    /// it) counts, so held/official can be shown; `None` where no source states a count (a list
    /// kept as a subset by design, or research).
    pub official: Option<OfficialCount>,
}

/// A list's entry count as a source states it, on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficialCount {
    pub count: u32,
    pub as_of: Option<IsoDate>,
    pub source_id: String,
}

/// Title, as-of date and content hash of the loaded reference data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetMeta {
    pub title: String,
    pub as_of: String,
    /// Where the tables came from: `embedded`, the `--mappings` folder as given, or the name of
    /// the dated folder `xjscan mappings update` wrote.
    pub origin: String,
    /// SHA-256 over the tables in a fixed order, so two runs can prove they used the same data.
    pub sha256: String,
    /// Which kind of data this is, so a report says whether it used the shipped tables.
    pub data: DataKind,
    /// The kind and origin in words (`shipped tables`, `updated data mappings-2026-12-05`), as
    /// reports and the terminal show them.
    pub label: String,
}

/// Which reference data a run used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DataKind {
    /// The tables compiled into the binary.
    Shipped,
    /// A dated folder written by `xjscan mappings update`.
    Updated,
    /// A folder named with `--mappings`.
    Folder,
}

impl DatasetMeta {
    /// Marks the data as `kind` from `origin`, and words it for reports.
    pub fn set_kind(&mut self, kind: DataKind, origin: String) {
        self.label = match kind {
            DataKind::Shipped => "shipped tables".to_string(),
            DataKind::Updated => format!("updated data {origin}"),
            DataKind::Folder => format!("folder {origin}"),
        };
        self.data = kind;
        self.origin = origin;
    }
}

/// The whole reference data set, validated. Every vector is sorted by its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferenceData {
    pub meta: DatasetMeta,
    pub entities: Vec<Entity>,
    pub aliases: Vec<Alias>,
    pub identifiers: Vec<IdentifierRecord>,
    pub designations: Vec<Designation>,
    pub ownership: Vec<Ownership>,
    /// Guarantors of issuers' debt (a bond guaranteed by the XPCC is XPCC debt).
    pub guarantees: Vec<Guarantee>,
    pub sources: Vec<Source>,
    pub lists: Vec<ListInfo>,
}

impl ReferenceData {
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.entities
            .binary_search_by(|e| e.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.entities[i])
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources
            .binary_search_by(|s| s.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.sources[i])
    }

    pub fn list(&self, id: &str) -> Option<&ListInfo> {
        self.lists.iter().find(|l| l.id == id)
    }

    /// Designations of one entity, in table order.
    pub fn designations_of<'a>(
        &'a self,
        entity_id: &'a str,
    ) -> impl Iterator<Item = &'a Designation> {
        self.designations
            .iter()
            .filter(move |d| d.entity_id == entity_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_from_1970_and_a_partial_date_is_its_first_day() {
        let days = |s: &str| s.parse::<IsoDate>().unwrap().days();
        assert_eq!(days("1970-01-01"), 0);
        assert_eq!(days("1969-12-31"), -1);
        assert_eq!(days("2000-03-01"), 11_017);
        assert_eq!(days("2026-12-05"), 20_792);
        assert_eq!(days("2025"), days("2025-01-01"));
        assert_eq!(days("2025"), 20_089);
        assert_eq!(days("2024-02"), days("2024-02-01"));
        assert_eq!(days("2024-03-01") - days("2024-02-28"), 2);
    }
}
