//! Validation of the reference tables: every rule a row must satisfy, checked on every load.
//!
//! Problems are collected rather than returned one at a time, so an analyst editing the tables
//! sees all of them, each with its file and line, in one run.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::{ALIAS_KINDS, LANGS, ReferenceError, SECTORS, TABLES, hex};
use crate::model::ids::{Cik, Cusip, Isin, Lei, Listing, Uscc};
use crate::model::{
    Alias, Consequence, DatasetMeta, Designation, Entity, EntityKind, Grade, Guarantee, IdScheme,
    IdentifierRecord, IsoDate, ListInfo, ListingStatus, OfficialCount, Ownership, ReferenceData,
    Source,
};

/// One parsed table row: its line and its fields by column name.
struct Row<'a> {
    file: &'a str,
    line: u64,
    fields: HashMap<&'static str, String>,
}

impl Row<'_> {
    fn get(&self, column: &str) -> &str {
        self.fields.get(column).map(String::as_str).unwrap_or("")
    }
    fn at(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// Collects problems so that one run reports all of them.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, row: &Row<'_>, message: impl std::fmt::Display) {
        self.0.push(format!("{}: {message}", row.at()));
    }
    /// Parses a field, recording a problem (and returning `None`) when it does not parse.
    fn parse<T: FromStr<Err = String>>(&mut self, row: &Row<'_>, column: &str) -> Option<T> {
        match row.get(column).parse() {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(row, format!("{column}: {e}"));
                None
            }
        }
    }
    fn optional_date(&mut self, row: &Row<'_>, column: &str) -> Option<IsoDate> {
        if row.get(column).is_empty() {
            None
        } else {
            self.parse(row, column)
        }
    }
    fn require(&mut self, row: &Row<'_>, column: &str) {
        if row.get(column).trim().is_empty() {
            self.push(row, format!("{column} is empty"));
        }
    }
    fn one_of(&mut self, row: &Row<'_>, column: &str, allowed: &[&str]) {
        if !allowed.contains(&row.get(column)) {
            self.push(
                row,
                format!(
                    "{column}: `{}` is not one of: {}",
                    row.get(column),
                    allowed.join(", ")
                ),
            );
        }
    }
}

/// Columns that tables gained after their first release (empty when a table lacks them).
const LATER_COLUMNS: &[&str] = &["listed", "official_count", "count_as_of", "count_source"];

fn read_rows<'a>(
    file: &'a str,
    text: &str,
    columns: &[&'static str],
    problems: &mut Problems,
) -> Vec<Row<'a>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            problems.0.push(format!("{file}:1: {e}"));
            return Vec::new();
        }
    };
    // Columns added in later releases may be absent, so a folder written by an older xjscan
    // (a `--mappings` copy, a data folder from `mappings update`) still loads; they read empty.
    let present: Vec<&'static str> = columns
        .iter()
        .copied()
        .filter(|c| !LATER_COLUMNS.contains(c) || header.iter().any(|h| h == c))
        .collect();
    if header != present {
        problems.0.push(format!(
            "{file}:1: expected columns `{}`, found `{}`",
            columns.join(","),
            header.join(",")
        ));
        return Vec::new();
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                let fields = present
                    .iter()
                    .zip(record.iter())
                    .map(|(c, v)| (*c, v.trim().to_string()))
                    .collect();
                rows.push(Row { file, line, fields });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.0.push(format!("{file}:{line}: {e}"));
            }
        }
    }
    rows
}

pub fn parse_tables(
    origin: String,
    texts: &[(String, String)],
) -> Result<ReferenceData, ReferenceError> {
    let mut hasher = Sha256::new();
    for ((name, _), (_, text)) in TABLES.iter().zip(texts) {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        hasher.update([0]);
    }
    let sha256 = hex(&hasher.finalize());

    let mut p = Problems::default();
    let tables: Vec<Vec<Row<'_>>> = TABLES
        .iter()
        .zip(texts)
        .map(|((_, cols), (file, text))| read_rows(file, text, cols, &mut p))
        .collect();
    let [
        dataset,
        lists,
        sources,
        entities,
        aliases,
        identifiers,
        designations,
        ownership,
        guarantees,
    ] = <[Vec<Row<'_>>; 9]>::try_from(tables).unwrap_or_else(|_| unreachable!("nine tables"));

    // dataset.csv
    let mut meta: BTreeMap<String, String> = BTreeMap::new();
    for row in &dataset {
        meta.insert(row.get("key").to_string(), row.get("value").to_string());
        if row.get("key") == "as_of" {
            p.parse::<IsoDate>(row, "value");
        }
    }
    for key in ["title", "as_of"] {
        if !meta.contains_key(key) {
            p.0.push(format!("{}: missing key `{key}`", texts[0].0));
        }
    }

    // lists.csv
    let mut list_out = Vec::new();
    for row in &lists {
        p.require(row, "list_id");
        p.require(row, "name");
        let official = official_count(row, &mut p);
        if let Some(consequence) = p.parse::<Consequence>(row, "consequence") {
            list_out.push(ListInfo {
                id: row.get("list_id").to_string(),
                name: row.get("name").to_string(),
                authority: row.get("authority").to_string(),
                jurisdiction: row.get("jurisdiction").to_string(),
                consequence,
                note: row.get("note").to_string(),
                official,
            });
        }
    }
    let list_ids = unique_keys(&lists, "list_id", &mut p);

    // sources.csv
    let source_ids = unique_keys(&sources, "source_id", &mut p);
    for row in &lists {
        let source = row.get("count_source");
        if !source.is_empty() && !source_ids.contains(source) {
            p.push(
                row,
                format!("count_source `{source}` is not in sources.csv"),
            );
        }
    }
    let mut source_out = Vec::new();
    for row in &sources {
        p.require(row, "title");
        let url = row.get("url");
        if !url.is_empty() && !url.starts_with("https://") && !url.starts_with("http://") {
            p.push(
                row,
                format!("url `{url}` must start with https:// or http://"),
            );
        }
        source_out.push(Source {
            id: row.get("source_id").to_string(),
            publisher: row.get("publisher").to_string(),
            title: row.get("title").to_string(),
            url: url.to_string(),
            published: row.get("published").to_string(),
            note: row.get("note").to_string(),
        });
    }
    let check_source = |p: &mut Problems, row: &Row<'_>| {
        if !source_ids.contains(row.get("source_id")) {
            p.push(
                row,
                format!("source_id `{}` is not in sources.csv", row.get("source_id")),
            );
        }
    };

    // entities.csv
    let entity_ids = unique_keys(&entities, "entity_id", &mut p);
    let mut entity_out = Vec::new();
    for row in &entities {
        let id = row.get("entity_id");
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            p.push(
                row,
                format!("entity_id `{id}` must be lowercase letters, digits and `-`"),
            );
        }
        p.require(row, "name");
        p.one_of(row, "sector", SECTORS);
        let country = row.get("country");
        // Empty means the sources do not state the jurisdiction; it is never guessed.
        if !country.is_empty()
            && (country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()))
        {
            p.push(
                row,
                format!("country `{country}` must be an ISO 3166 alpha-2 code or empty"),
            );
        }
        let listed = p.parse::<ListingStatus>(row, "listed");
        if let (Some(kind), Some(listed)) = (p.parse::<EntityKind>(row, "kind"), listed) {
            entity_out.push(Entity {
                id: id.to_string(),
                name: row.get("name").to_string(),
                name_zh: row.get("name_zh").to_string(),
                kind,
                country: country.to_string(),
                sector: row.get("sector").to_string(),
                listed,
                note: row.get("note").to_string(),
            });
        }
    }
    let check_entity = |p: &mut Problems, row: &Row<'_>, column: &str| {
        if !entity_ids.contains(row.get(column)) {
            p.push(
                row,
                format!("{column} `{}` is not in entities.csv", row.get(column)),
            );
        }
    };

    // aliases.csv
    let mut alias_out = Vec::new();
    let mut seen_alias = BTreeSet::new();
    for row in &aliases {
        check_entity(&mut p, row, "entity_id");
        check_source(&mut p, row);
        p.require(row, "alias");
        p.one_of(row, "lang", LANGS);
        p.one_of(row, "kind", ALIAS_KINDS);
        if !seen_alias.insert((row.get("entity_id"), row.get("alias"))) {
            p.push(
                row,
                format!(
                    "alias `{}` is listed twice for this entity",
                    row.get("alias")
                ),
            );
        }
        let Some(grade) = p.parse::<Grade>(row, "grade") else {
            continue;
        };
        alias_out.push(Alias {
            entity_id: row.get("entity_id").to_string(),
            alias: row.get("alias").to_string(),
            lang: row.get("lang").to_string(),
            kind: row.get("kind").to_string(),
            source_id: row.get("source_id").to_string(),
            grade,
        });
    }

    // identifiers.csv
    let mut id_out = Vec::new();
    let mut id_owner: BTreeMap<(IdScheme, String), &str> = BTreeMap::new();
    for row in &identifiers {
        check_entity(&mut p, row, "entity_id");
        check_source(&mut p, row);
        let (Some(scheme), Some(grade)) = (
            p.parse::<IdScheme>(row, "scheme"),
            p.parse::<Grade>(row, "grade"),
        ) else {
            continue;
        };
        let raw = row.get("value");
        let canonical = match canonical_identifier(scheme, raw) {
            Ok(v) => v,
            Err(e) => {
                p.push(row, e);
                continue;
            }
        };
        let entity_id = row.get("entity_id");
        if let Some(owner) = id_owner.insert((scheme, canonical.clone()), entity_id) {
            if owner == entity_id {
                p.push(
                    row,
                    format!("{scheme} `{canonical}` is listed twice for `{entity_id}`"),
                );
            } else {
                p.push(
                    row,
                    format!("{scheme} `{canonical}` is given to both `{owner}` and `{entity_id}`"),
                );
            }
        }
        id_out.push(IdentifierRecord {
            entity_id: entity_id.to_string(),
            scheme,
            value: canonical,
            source_id: row.get("source_id").to_string(),
            grade,
            note: row.get("note").to_string(),
        });
    }

    // designations.csv
    unique_keys(&designations, "designation_id", &mut p);
    let mut designation_out = Vec::new();
    for row in &designations {
        check_entity(&mut p, row, "entity_id");
        check_source(&mut p, row);
        if !list_ids.contains(row.get("list")) {
            p.push(
                row,
                format!("list `{}` is not in lists.csv", row.get("list")),
            );
        }
        let listed_on = p.optional_date(row, "listed_on");
        let removed_on = p.optional_date(row, "removed_on");
        // A missing date is allowed only when the row says why: dates are never invented, and
        // never silently absent either.
        if row.get("listed_on").is_empty() && row.get("note").is_empty() {
            p.push(row, "listed_on is empty and the note does not say why");
        }
        if let (Some(l), Some(r)) = (&listed_on, &removed_on)
            && r < l
        {
            p.push(row, format!("removed_on {r} is before listed_on {l}"));
        }
        let (Some(consequence), Some(grade)) = (
            p.parse::<Consequence>(row, "consequence"),
            p.parse::<Grade>(row, "grade"),
        ) else {
            continue;
        };
        // Tiers come from lists; a row that disagrees with its list would put money in the
        // wrong tier.
        if let Some(list) = list_out.iter().find(|l| l.id == row.get("list"))
            && list.consequence != consequence
        {
            p.push(
                row,
                format!(
                    "consequence `{consequence}` differs from `{}` of list `{}`",
                    list.consequence, list.id
                ),
            );
        }
        designation_out.push(Designation {
            id: row.get("designation_id").to_string(),
            entity_id: row.get("entity_id").to_string(),
            list: row.get("list").to_string(),
            programme: row.get("programme").to_string(),
            listed_on,
            removed_on,
            consequence,
            grade,
            source_id: row.get("source_id").to_string(),
            note: row.get("note").to_string(),
        });
    }

    // ownership.csv
    let mut ownership_out = Vec::new();
    for row in &ownership {
        check_entity(&mut p, row, "parent_id");
        check_entity(&mut p, row, "child_id");
        check_source(&mut p, row);
        if row.get("parent_id") == row.get("child_id") {
            p.push(row, "an entity cannot own itself");
        }
        let percent = match row.get("percent") {
            "" => None,
            raw => match Decimal::from_str(raw) {
                Ok(v) if v > Decimal::ZERO && v <= Decimal::ONE_HUNDRED => Some(v),
                _ => {
                    p.push(
                        row,
                        format!("percent `{raw}` must be a number above 0 and at most 100"),
                    );
                    None
                }
            },
        };
        let Some(grade) = p.parse::<Grade>(row, "grade") else {
            continue;
        };
        ownership_out.push(Ownership {
            parent_id: row.get("parent_id").to_string(),
            child_id: row.get("child_id").to_string(),
            percent,
            source_id: row.get("source_id").to_string(),
            grade,
            note: row.get("note").to_string(),
        });
    }

    // Graph rules: no duplicate edges, no cycles, and no entity that nothing points to.
    let mut seen_edges = BTreeSet::new();
    for row in &ownership {
        if !seen_edges.insert((row.get("parent_id"), row.get("child_id"))) {
            p.push(
                row,
                format!(
                    "ownership edge {} → {} is listed twice",
                    row.get("parent_id"),
                    row.get("child_id")
                ),
            );
        }
    }
    if let Some(cycle) = find_cycle(&ownership_out) {
        p.0.push(format!(
            "{}: ownership edges form a cycle: {}",
            texts[7].0,
            cycle.join(" → ")
        ));
    }
    // guarantees.csv
    let mut guarantees_out = Vec::new();
    let mut seen_guarantees = BTreeSet::new();
    for row in &guarantees {
        check_entity(&mut p, row, "guarantor_id");
        check_entity(&mut p, row, "issuer_id");
        check_source(&mut p, row);
        if row.get("guarantor_id") == row.get("issuer_id") {
            p.push(row, "an entity cannot guarantee itself");
        }
        if !seen_guarantees.insert((row.get("guarantor_id"), row.get("issuer_id"))) {
            p.push(
                row,
                format!(
                    "guarantee {} → {} is listed twice",
                    row.get("guarantor_id"),
                    row.get("issuer_id")
                ),
            );
        }
        let Some(grade) = p.parse::<Grade>(row, "grade") else {
            continue;
        };
        guarantees_out.push(Guarantee {
            guarantor_id: row.get("guarantor_id").to_string(),
            issuer_id: row.get("issuer_id").to_string(),
            source_id: row.get("source_id").to_string(),
            grade,
            note: row.get("note").to_string(),
        });
    }
    let designated: BTreeSet<&str> = designation_out
        .iter()
        .map(|d| d.entity_id.as_str())
        .collect();
    let linked: BTreeSet<&str> = ownership_out
        .iter()
        .flat_map(|o| [o.parent_id.as_str(), o.child_id.as_str()])
        .chain(
            guarantees_out
                .iter()
                .flat_map(|g| [g.guarantor_id.as_str(), g.issuer_id.as_str()]),
        )
        .collect();
    check_listing_against_tickers(&entities, &id_out, &mut p);
    for row in &entities {
        let id = row.get("entity_id");
        if !designated.contains(id) && !linked.contains(id) {
            p.push(
                row,
                format!("entity `{id}` has no designation and no ownership edge"),
            );
        }
    }

    if !p.0.is_empty() {
        return Err(ReferenceError::Invalid {
            origin,
            problems: p.0,
        });
    }

    entity_out.sort_by(|a, b| a.id.cmp(&b.id));
    source_out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(ReferenceData {
        meta: DatasetMeta {
            title: meta.remove("title").unwrap_or_default(),
            as_of: meta.remove("as_of").unwrap_or_default(),
            label: format!("folder {origin}"),
            origin,
            sha256,
            data: crate::model::DataKind::Folder,
        },
        entities: entity_out,
        aliases: alias_out,
        identifiers: id_out,
        designations: designation_out,
        ownership: ownership_out,
        guarantees: guarantees_out,
        sources: source_out,
        lists: list_out,
    })
}

/// Validates an identifier from the reference data and returns its canonical text.
pub(crate) fn canonical_identifier(scheme: IdScheme, raw: &str) -> Result<String, String> {
    let err = |e: crate::model::ids::IdError| e.to_string();
    Ok(match scheme {
        IdScheme::Isin => Isin::from_str(raw).map_err(err)?.to_string(),
        IdScheme::Cusip => Cusip::from_str(raw).map_err(err)?.to_string(),
        IdScheme::Lei => Lei::from_str(raw).map_err(err)?.to_string(),
        IdScheme::Uscc => Uscc::from_str(raw).map_err(err)?.to_string(),
        IdScheme::Cik => Cik::from_str(raw).map_err(err)?.to_string(),
        IdScheme::Ticker => Listing::from_str(raw).map_err(err)?.to_string(),
        IdScheme::Sedol => {
            let v = raw.trim().to_ascii_uppercase();
            if v.len() != 7 || !v.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(format!(
                    "`{raw}` is not a valid SEDOL: expected 7 characters"
                ));
            }
            v
        }
    })
}

/// Finds a cycle in the parent → child graph, returned as the ids along it (first repeated last).
fn find_cycle(edges: &[Ownership]) -> Option<Vec<String>> {
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in edges {
        children.entry(&e.parent_id).or_default().push(&e.child_id);
    }
    // Iterative depth-first search with colours: 1 on the current path, 2 finished.
    let mut colour: HashMap<&str, u8> = HashMap::new();
    for &start in children.keys() {
        if colour.contains_key(start) {
            continue;
        }
        let mut path: Vec<&str> = vec![start];
        let mut stack: Vec<std::slice::Iter<'_, &str>> =
            vec![children.get(start).map(|c| c.iter()).unwrap_or_default()];
        colour.insert(start, 1);
        while let Some(iter) = stack.last_mut() {
            match iter.next() {
                Some(&next) => match colour.get(next) {
                    Some(1) => {
                        let from = path.iter().position(|n| *n == next).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            path[from..].iter().map(|s| s.to_string()).collect();
                        cycle.push(next.to_string());
                        return Some(cycle);
                    }
                    Some(_) => {}
                    None => {
                        colour.insert(next, 1);
                        path.push(next);
                        stack.push(children.get(next).map(|c| c.iter()).unwrap_or_default());
                    }
                },
                None => {
                    stack.pop();
                    if let Some(done) = path.pop() {
                        colour.insert(done, 2);
                    }
                }
            }
        }
    }
    None
}

/// Checks that a key column is non-empty and unique; returns the set of keys.
fn unique_keys<'a>(rows: &'a [Row<'_>], column: &str, p: &mut Problems) -> BTreeSet<&'a str> {
    let mut keys = BTreeSet::new();
    for row in rows {
        let key = row.get(column);
        if key.is_empty() {
            p.push(row, format!("{column} is empty"));
        } else if !keys.insert(key) {
            p.push(row, format!("{column} `{key}` appears more than once"));
        }
    }
    keys
}

/// A list's official count: a whole number with the source that states it (and, optionally,
/// the date it was stated), or all three empty.
fn official_count(row: &Row<'_>, p: &mut Problems) -> Option<OfficialCount> {
    let raw = row.get("official_count");
    if raw.is_empty() {
        if !row.get("count_source").is_empty() || !row.get("count_as_of").is_empty() {
            p.push(row, "count_source and count_as_of need an official_count");
        }
        return None;
    }
    let Ok(count) = raw.parse::<u32>() else {
        p.push(
            row,
            format!("official_count: `{raw}` is not a whole number"),
        );
        return None;
    };
    if row.get("count_source").is_empty() {
        p.push(row, "official_count needs a count_source");
        return None;
    }
    Some(OfficialCount {
        count,
        as_of: p.optional_date(row, "count_as_of"),
        source_id: row.get("count_source").to_string(),
    })
}

/// A ticker row says the shares trade (or traded) somewhere, so the entity's `listed` must say
/// `yes` or `delisted`: the ticker-coverage figure divides by the listed companies, and a company
/// marked unlisted or unresearched while holding a ticker would bend it either way.
fn check_listing_against_tickers(
    entities: &[Row<'_>],
    identifiers: &[IdentifierRecord],
    p: &mut Problems,
) {
    let with_ticker: BTreeSet<&str> = identifiers
        .iter()
        .filter(|r| r.scheme == IdScheme::Ticker)
        .map(|r| r.entity_id.as_str())
        .collect();
    for row in entities {
        let listed = row.get("listed");
        if with_ticker.contains(row.get("entity_id")) && listed != "yes" && listed != "delisted" {
            p.push(
                row,
                format!(
                    "listed is `{listed}` but identifiers.csv gives this entity a ticker: say `yes` or `delisted`"
                ),
            );
        }
    }
}
