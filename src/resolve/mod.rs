//! Resolving holdings to reference entities: identifiers first, then exact normalised names.
//!
//! Each distinct issuer (same normalised name and identifiers) is resolved once, through hash
//! indexes built from the reference data, so the work grows with the number of distinct issuers
//! and never with holdings × entities. Every match records how it was made and on what record.

pub mod normalize;

use std::collections::HashMap;

use crate::model::{Grade, Holding, IdScheme, Match, MatchMethod, Portfolio, ReferenceData};
pub use normalize::normalize_name;

/// The outcome for one holding, in the same order as `Portfolio::holdings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldingResolution {
    /// Every match found, sorted; empty when the holding matched nothing.
    pub matches: Vec<Match>,
    /// Set when the holding could not be screened at all, with the reason.
    pub unresolved: Option<String>,
}

/// A name (entity name or alias) in the index.
#[derive(Debug, Clone)]
struct NameRecord {
    entity_id: String,
    text: String,
    grade: Grade,
    source_id: String,
}

/// Hash indexes over the reference data.
pub struct Resolver<'a> {
    data: &'a ReferenceData,
    by_identifier: HashMap<(IdScheme, String), usize>,
    by_name: HashMap<String, Vec<NameRecord>>,
}

impl<'a> Resolver<'a> {
    pub fn new(data: &'a ReferenceData) -> Self {
        let by_identifier = data
            .identifiers
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.scheme, r.value.clone()), i))
            .collect();
        let mut by_name: HashMap<String, Vec<NameRecord>> = HashMap::new();
        // An entity's own name is the name the list gives it; designations carry their grades.
        for entity in &data.entities {
            for name in [&entity.name, &entity.name_zh] {
                let key = normalize_name(name);
                if !key.is_empty() {
                    by_name.entry(key).or_default().push(NameRecord {
                        entity_id: entity.id.clone(),
                        text: name.clone(),
                        grade: Grade::A,
                        source_id: String::new(),
                    });
                }
            }
        }
        for alias in &data.aliases {
            let key = normalize_name(&alias.alias);
            if !key.is_empty() {
                by_name.entry(key).or_default().push(NameRecord {
                    entity_id: alias.entity_id.clone(),
                    text: alias.alias.clone(),
                    grade: alias.grade,
                    source_id: alias.source_id.clone(),
                });
            }
        }
        Resolver {
            data,
            by_identifier,
            by_name,
        }
    }

    /// Resolves one holding.
    pub fn resolve(&self, holding: &Holding) -> HoldingResolution {
        let ids = &holding.ids;
        let mut matches = Vec::new();
        let lookups = [
            (
                IdScheme::Isin,
                MatchMethod::Isin,
                ids.isin.as_ref().map(|v| v.to_string()),
            ),
            (
                IdScheme::Cusip,
                MatchMethod::Cusip,
                ids.cusip.as_ref().map(|v| v.to_string()),
            ),
            (
                IdScheme::Lei,
                MatchMethod::Lei,
                ids.lei.as_ref().map(|v| v.to_string()),
            ),
            (
                IdScheme::Cik,
                MatchMethod::Cik,
                ids.cik.as_ref().map(|v| v.to_string()),
            ),
            (
                IdScheme::Ticker,
                MatchMethod::Listing,
                ids.listing.as_ref().map(|v| v.to_string()),
            ),
        ];
        for (scheme, method, value) in lookups {
            let Some(value) = value else { continue };
            if let Some(&i) = self.by_identifier.get(&(scheme, value.clone())) {
                let record = &self.data.identifiers[i];
                matches.push(Match {
                    entity_id: record.entity_id.clone(),
                    method,
                    holding_value: value,
                    reference_value: record.value.clone(),
                    grade: Some(record.grade),
                    source_id: record.source_id.clone(),
                });
            }
        }
        let name = normalize_name(&holding.name);
        // Identifiers decide when they match; names are the fallback, not a second opinion
        // that could add a different entity to an identified security.
        if matches.is_empty() && !name.is_empty() {
            for record in self.by_name.get(&name).into_iter().flatten() {
                matches.push(Match {
                    entity_id: record.entity_id.clone(),
                    method: MatchMethod::Name,
                    holding_value: name.clone(),
                    reference_value: record.text.clone(),
                    grade: (!record.source_id.is_empty()).then_some(record.grade),
                    source_id: record.source_id.clone(),
                });
            }
        }
        matches.sort();
        matches.dedup_by(|a, b| a.entity_id == b.entity_id && a.method == b.method);
        let unresolved = (name.is_empty() && !ids.any_matchable() && matches.is_empty())
            .then(|| "no issuer name and no identifier that can be matched".to_string());
        HoldingResolution {
            matches,
            unresolved,
        }
    }
}

/// Resolves every holding of a portfolio, each distinct issuer once.
pub fn resolve_portfolio(portfolio: &Portfolio, data: &ReferenceData) -> Vec<HoldingResolution> {
    let resolver = Resolver::new(data);
    let mut cache: HashMap<IssuerKey, HoldingResolution> = HashMap::new();
    portfolio
        .holdings
        .iter()
        .map(|h| {
            cache
                .entry(IssuerKey::of(h))
                .or_insert_with(|| resolver.resolve(h))
                .clone()
        })
        .collect()
}

/// What makes two holdings the same issuer for resolution purposes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct IssuerKey {
    name: String,
    isin: Option<String>,
    cusip: Option<String>,
    lei: Option<String>,
    cik: Option<String>,
    listing: Option<String>,
}

impl IssuerKey {
    fn of(h: &Holding) -> Self {
        // The raw name (not the normalised one) is the key, so a cache hit returns the same
        // `holding_value` the holding itself would have produced.
        IssuerKey {
            name: h.name.clone(),
            isin: h.ids.isin.as_ref().map(|v| v.to_string()),
            cusip: h.ids.cusip.as_ref().map(|v| v.to_string()),
            lei: h.ids.lei.as_ref().map(|v| v.to_string()),
            cik: h.ids.cik.as_ref().map(|v| v.to_string()),
            listing: h.ids.listing.as_ref().map(|v| v.to_string()),
        }
    }
}
