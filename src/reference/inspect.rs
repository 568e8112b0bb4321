//! Looking into the reference data: one entity with everything that hangs off it (`mappings
//! show`), and counts over the whole set (`mappings stats`). Plain data; the CLI formats it.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::Serialize;

use crate::model::ids::{Cik, Isin, Listing, Uscc};
use crate::model::{
    Alias, Designation, Entity, EntityKind, IdScheme, IdentifierRecord, ListingStatus, Ownership,
    ReferenceData, Source,
};
use crate::resolve::normalize_name;

/// One entity and everything the data says about it.
#[derive(Debug, Clone, Serialize)]
pub struct EntityView<'a> {
    pub entity: &'a Entity,
    pub aliases: Vec<&'a Alias>,
    pub identifiers: Vec<&'a IdentifierRecord>,
    pub designations: Vec<&'a Designation>,
    /// Edges where this entity is the child, with the parent's name.
    pub parents: Vec<(&'a Ownership, String)>,
    /// Edges where this entity is the parent, with the child's name.
    pub children: Vec<(&'a Ownership, String)>,
    /// Every source cited by the rows above, by id.
    pub sources: Vec<&'a Source>,
}

/// The result of looking an entity up.
#[derive(Debug)]
pub enum Lookup<'a> {
    Found(EntityView<'a>),
    /// Several entities match; their ids and names.
    Ambiguous(Vec<(&'a str, &'a str)>),
    NotFound,
}

/// Finds an entity by id, identifier (ISIN, `MIC:TICKER`, USCC, CIK), exact normalised name or
/// alias, or — failing those — by a unique substring of its id or name.
pub fn lookup<'a>(data: &'a ReferenceData, query: &str) -> Lookup<'a> {
    let q = query.trim();
    if let Some(e) = data.entity(q) {
        return Lookup::Found(view(data, e));
    }
    let as_identifier: Option<(IdScheme, String)> = Isin::from_str(q)
        .map(|v| (IdScheme::Isin, v.to_string()))
        .or_else(|_| Listing::from_str(q).map(|v| (IdScheme::Ticker, v.to_string())))
        .or_else(|_| Uscc::from_str(q).map(|v| (IdScheme::Uscc, v.to_string())))
        .or_else(|_| Cik::from_str(q).map(|v| (IdScheme::Cik, v.to_string())))
        .ok();
    if let Some((scheme, value)) = as_identifier
        && let Some(r) = data
            .identifiers
            .iter()
            .find(|r| r.scheme == scheme && r.value == value)
        && let Some(e) = data.entity(&r.entity_id)
    {
        return Lookup::Found(view(data, e));
    }
    let key = normalize_name(q);
    let mut by_name: Vec<&str> = data
        .entities
        .iter()
        .filter(|e| normalize_name(&e.name) == key || normalize_name(&e.name_zh) == key)
        .map(|e| e.id.as_str())
        .chain(
            data.aliases
                .iter()
                .filter(|a| normalize_name(&a.alias) == key)
                .map(|a| a.entity_id.as_str()),
        )
        .collect();
    if by_name.is_empty() && !key.is_empty() {
        // Fall back to substrings of ids and names, so `show hoshine` finds Hoshine.
        let needle = q.to_lowercase();
        by_name = data
            .entities
            .iter()
            .filter(|e| {
                e.id.contains(&needle)
                    || e.name.to_lowercase().contains(&needle)
                    || (!e.name_zh.is_empty() && e.name_zh.contains(q))
            })
            .map(|e| e.id.as_str())
            .collect();
    }
    by_name.sort_unstable();
    by_name.dedup();
    match by_name.as_slice() {
        [] => Lookup::NotFound,
        [one] => match data.entity(one) {
            Some(e) => Lookup::Found(view(data, e)),
            None => Lookup::NotFound,
        },
        many => Lookup::Ambiguous(
            many.iter()
                .filter_map(|id| data.entity(id))
                .map(|e| (e.id.as_str(), e.name.as_str()))
                .collect(),
        ),
    }
}

fn view<'a>(data: &'a ReferenceData, entity: &'a Entity) -> EntityView<'a> {
    let id = entity.id.as_str();
    let name_of = |id: &str| data.entity(id).map(|e| e.name.clone()).unwrap_or_default();
    let aliases: Vec<&Alias> = data.aliases.iter().filter(|a| a.entity_id == id).collect();
    let identifiers: Vec<&IdentifierRecord> = data
        .identifiers
        .iter()
        .filter(|r| r.entity_id == id)
        .collect();
    let designations: Vec<&Designation> = data.designations_of(id).collect();
    let parents: Vec<(&Ownership, String)> = data
        .ownership
        .iter()
        .filter(|o| o.child_id == id)
        .map(|o| (o, name_of(&o.parent_id)))
        .collect();
    let children: Vec<(&Ownership, String)> = data
        .ownership
        .iter()
        .filter(|o| o.parent_id == id)
        .map(|o| (o, name_of(&o.child_id)))
        .collect();
    let mut source_ids: Vec<&str> = aliases
        .iter()
        .map(|a| a.source_id.as_str())
        .chain(identifiers.iter().map(|r| r.source_id.as_str()))
        .chain(designations.iter().map(|d| d.source_id.as_str()))
        .chain(parents.iter().map(|(o, _)| o.source_id.as_str()))
        .chain(children.iter().map(|(o, _)| o.source_id.as_str()))
        .collect();
    source_ids.sort_by(|a, b| super::natural_cmp(a, b));
    source_ids.dedup();
    EntityView {
        entity,
        aliases,
        identifiers,
        designations,
        parents,
        children,
        sources: source_ids
            .into_iter()
            .filter_map(|s| data.source(s))
            .collect(),
    }
}

/// Counts over the reference data.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub entities: usize,
    pub by_kind: BTreeMap<String, usize>,
    pub by_sector: BTreeMap<String, usize>,
    /// Per list: (designations, of which in force, distinct entities).
    pub by_list: BTreeMap<String, (usize, usize, usize)>,
    pub designations_by_grade: BTreeMap<String, usize>,
    pub identifiers_by_scheme: BTreeMap<String, usize>,
    /// Entities with at least one identifier of any scheme.
    pub entities_with_identifier: usize,
    /// Entities with a security identifier (ISIN, CUSIP or exchange + ticker).
    pub entities_with_security_identifier: usize,
    /// Companies, and those of them with an exchange + ticker.
    pub companies: usize,
    pub companies_with_ticker: usize,
    /// Companies by listing status (`yes`, `no`, `delisted`, or `unknown` when not researched).
    pub companies_by_listing: BTreeMap<String, usize>,
    /// Companies whose shares trade today, and those of them with an exchange + ticker: the
    /// coverage figure that says whether every investable entity can be found by its security.
    pub listed_companies: usize,
    pub listed_with_ticker: usize,
    pub ownership_edges: usize,
    pub ownership_edges_with_percent: usize,
    pub sources: usize,
}

pub fn stats(data: &ReferenceData) -> Stats {
    let mut s = Stats {
        entities: data.entities.len(),
        by_kind: BTreeMap::new(),
        by_sector: BTreeMap::new(),
        by_list: BTreeMap::new(),
        designations_by_grade: BTreeMap::new(),
        identifiers_by_scheme: BTreeMap::new(),
        entities_with_identifier: 0,
        entities_with_security_identifier: 0,
        companies: 0,
        companies_with_ticker: 0,
        companies_by_listing: BTreeMap::new(),
        listed_companies: 0,
        listed_with_ticker: 0,
        ownership_edges: data.ownership.len(),
        ownership_edges_with_percent: data
            .ownership
            .iter()
            .filter(|o| o.percent.is_some())
            .count(),
        sources: data.sources.len(),
    };
    for e in &data.entities {
        *s.by_kind.entry(e.kind.to_string()).or_default() += 1;
        *s.by_sector.entry(e.sector.clone()).or_default() += 1;
    }
    let mut list_entities: BTreeMap<&str, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for d in &data.designations {
        let entry = s.by_list.entry(d.list.clone()).or_default();
        entry.0 += 1;
        if d.is_active() {
            entry.1 += 1;
        }
        list_entities
            .entry(&d.list)
            .or_default()
            .insert(&d.entity_id);
        *s.designations_by_grade
            .entry(d.grade.to_string())
            .or_default() += 1;
    }
    for (list, entities) in list_entities {
        if let Some(entry) = s.by_list.get_mut(list) {
            entry.2 = entities.len();
        }
    }
    let mut with_id = std::collections::BTreeSet::new();
    let mut with_security = std::collections::BTreeSet::new();
    for r in &data.identifiers {
        *s.identifiers_by_scheme
            .entry(r.scheme.to_string())
            .or_default() += 1;
        with_id.insert(r.entity_id.as_str());
        if matches!(
            r.scheme,
            IdScheme::Isin | IdScheme::Cusip | IdScheme::Ticker
        ) {
            with_security.insert(r.entity_id.as_str());
        }
    }
    s.entities_with_identifier = with_id.len();
    s.entities_with_security_identifier = with_security.len();
    let with_ticker: std::collections::BTreeSet<&str> = data
        .identifiers
        .iter()
        .filter(|r| r.scheme == IdScheme::Ticker)
        .map(|r| r.entity_id.as_str())
        .collect();
    for e in data
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::Company)
    {
        s.companies += 1;
        let has_ticker = with_ticker.contains(e.id.as_str());
        if has_ticker {
            s.companies_with_ticker += 1;
        }
        let status = match e.listed {
            ListingStatus::Unknown => "unknown",
            other => other.key(),
        };
        *s.companies_by_listing
            .entry(status.to_string())
            .or_default() += 1;
        if e.listed == ListingStatus::Listed {
            s.listed_companies += 1;
            if has_ticker {
                s.listed_with_ticker += 1;
            }
        }
    }
    s
}
