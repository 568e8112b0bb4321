//! Plain data shared by the pipeline's stages.
//!
//! The stages hand these types to each other: ingest produces [`Holding`]s, the reference loader
//! produces [`ReferenceData`], the resolver produces [`Match`]es, and exposure and report read
//! all three. Nothing here performs I/O or knows about the command line.

mod holding;
pub mod ids;
pub mod money;
mod reference;

pub use holding::{
    FileSummary, Holding, HoldingIds, Portfolio, PositionKind, RejectedRow, SourceLine, Warning,
};
pub use reference::{
    Alias, Consequence, DataKind, DatasetMeta, Designation, Entity, EntityKind, Grade, Guarantee,
    IdScheme, IdentifierRecord, IsoDate, ListInfo, ListingStatus, OfficialCount, Ownership,
    ReferenceData, Source,
};

use serde::Serialize;

/// How a holding was tied to a reference entity. Every flag carries one, so a reader can check it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMethod {
    /// The holding's ISIN equals an ISIN recorded for the entity.
    Isin,
    /// The holding's CUSIP equals a CUSIP recorded for the entity.
    Cusip,
    /// The holding's LEI equals the entity's LEI.
    Lei,
    /// The holding's SEC CIK equals the entity's CIK.
    Cik,
    /// The holding's exchange and ticker equal a listing recorded for the entity.
    Listing,
    /// The holding's CUSIP, turned into a US or Canadian ISIN, equals an ISIN recorded for the
    /// entity (or the CUSIP inside the holding's ISIN equals a recorded CUSIP).
    IsinFromCusip,
    /// The holding's name equals the entity's name or one of its aliases after normalisation.
    Name,
    /// A Chinese name read in pinyin equals an English name (or the reverse).
    Pinyin,
    /// The names are similar enough, word by word, to match without review.
    NameSimilarity,
    /// A reviewer accepted the match in the overrides file.
    Override,
}

impl MatchMethod {
    /// Identifier matches are exact by construction; name matches rest on the alias table.
    pub fn is_identifier(&self) -> bool {
        matches!(
            self,
            MatchMethod::Isin
                | MatchMethod::Cusip
                | MatchMethod::Lei
                | MatchMethod::Cik
                | MatchMethod::Listing
                | MatchMethod::IsinFromCusip
        )
    }

    /// Matches made on the holding's name (which a reviewer may overrule).
    pub fn is_name(&self) -> bool {
        matches!(
            self,
            MatchMethod::Name | MatchMethod::Pinyin | MatchMethod::NameSimilarity
        )
    }

    /// Short human label used in reports.
    pub fn label(&self) -> &'static str {
        match self {
            MatchMethod::Isin => "ISIN",
            MatchMethod::Cusip => "CUSIP",
            MatchMethod::Lei => "LEI",
            MatchMethod::Cik => "SEC CIK",
            MatchMethod::Listing => "exchange + ticker",
            MatchMethod::IsinFromCusip => "ISIN from CUSIP",
            MatchMethod::Name => "normalised name",
            MatchMethod::Pinyin => "pinyin reading",
            MatchMethod::NameSimilarity => "similar name",
            MatchMethod::Override => "reviewer decision",
        }
    }
}

/// One reason to link a holding to an entity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Match {
    pub entity_id: String,
    pub method: MatchMethod,
    /// The holding's value that matched (its ISIN, its normalised name…).
    pub holding_value: String,
    /// What it matched in the reference data (the identifier, or the alias as written there).
    pub reference_value: String,
    /// Confidence grade of the identifier or alias record that made the link; `None` when the
    /// holding's name equals the entity's own listed name (the designations carry the grades).
    pub grade: Option<Grade>,
    /// Source of that record.
    pub source_id: String,
    /// How the link was made, in words (which words agreed, who accepted it); empty when the
    /// method says it all.
    pub explanation: String,
}
