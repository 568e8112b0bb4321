//! Loading and validating the reference data in `mappings/`.
//!
//! The tables are plain CSV so analysts can review them in a spreadsheet and diffs stay readable.
//! The shipped tables are compiled into the binary (so `xjscan` works offline from any folder);
//! `--mappings DIR` replaces them with a folder holding the same files. Every table is checked on
//! load and all problems are reported together, each with its file and line, because a flag is
//! only as good as the record behind it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::model::ids::{Cik, Cusip, Isin, Lei, Listing, Uscc};
use crate::model::{
    Alias, Consequence, DatasetMeta, Designation, Entity, EntityKind, Grade, IdScheme,
    IdentifierRecord, IsoDate, ListInfo, Ownership, ReferenceData, Source,
};

/// The tables, in the fixed order used for hashing, with their required columns.
const TABLES: &[(&str, &[&str])] = &[
    ("dataset.csv", &["key", "value"]),
    (
        "lists.csv",
        &[
            "list_id",
            "name",
            "authority",
            "jurisdiction",
            "consequence",
            "note",
        ],
    ),
    (
        "sources.csv",
        &[
            "source_id",
            "publisher",
            "title",
            "url",
            "published",
            "note",
        ],
    ),
    (
        "entities.csv",
        &[
            "entity_id",
            "name",
            "name_zh",
            "kind",
            "country",
            "sector",
            "note",
        ],
    ),
    (
        "aliases.csv",
        &["entity_id", "alias", "lang", "kind", "source_id", "grade"],
    ),
    (
        "identifiers.csv",
        &["entity_id", "scheme", "value", "source_id", "grade", "note"],
    ),
    (
        "designations.csv",
        &[
            "designation_id",
            "entity_id",
            "list",
            "programme",
            "listed_on",
            "removed_on",
            "consequence",
            "grade",
            "source_id",
            "note",
        ],
    ),
    (
        "ownership.csv",
        &[
            "parent_id",
            "child_id",
            "percent",
            "source_id",
            "grade",
            "note",
        ],
    ),
];

/// The shipped tables, compiled in. Same order as [`TABLES`].
const EMBEDDED: &[&str] = &[
    include_str!("../../mappings/dataset.csv"),
    include_str!("../../mappings/lists.csv"),
    include_str!("../../mappings/sources.csv"),
    include_str!("../../mappings/entities.csv"),
    include_str!("../../mappings/aliases.csv"),
    include_str!("../../mappings/identifiers.csv"),
    include_str!("../../mappings/designations.csv"),
    include_str!("../../mappings/ownership.csv"),
];

/// Sectors an entity may be filed under.
pub const SECTORS: &[&str] = &[
    "cotton_textiles",
    "tomatoes",
    "polysilicon_solar",
    "pvc_chemicals",
    "aluminium",
    "metals_mining",
    "surveillance_technology",
    "batteries",
    "food",
    "other",
];

const ALIAS_KINDS: &[&str] = &["alias", "former", "short", "abbreviation"];
const LANGS: &[&str] = &["en", "zh"];

/// Why the reference data could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("cannot read reference table {}: {error}", .path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("reference data in {origin} is invalid ({} problem{}):\n  {}",
        .problems.len(), if .problems.len() == 1 { "" } else { "s" }, .problems.join("\n  "))]
    Invalid {
        origin: String,
        problems: Vec<String>,
    },
}

/// Loads the tables compiled into the binary.
pub fn load_embedded() -> Result<ReferenceData, ReferenceError> {
    let texts: Vec<(String, String)> = TABLES
        .iter()
        .zip(EMBEDDED)
        .map(|((name, _), text)| (format!("mappings/{name}"), (*text).to_string()))
        .collect();
    parse_tables("embedded".to_string(), &texts)
}

/// Loads the tables from a folder (`--mappings DIR`); every table must be present.
pub fn load_dir(dir: &Path) -> Result<ReferenceData, ReferenceError> {
    let mut texts = Vec::with_capacity(TABLES.len());
    for (name, _) in TABLES {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|error| ReferenceError::Read {
            path: path.clone(),
            error,
        })?;
        let text = String::from_utf8(bytes).map_err(|_| ReferenceError::Invalid {
            origin: dir.display().to_string(),
            problems: vec![format!("{}: not UTF-8 text", path.display())],
        })?;
        texts.push((path.display().to_string(), text));
    }
    parse_tables(dir.display().to_string(), &texts)
}

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
    if header != columns {
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
                let fields = columns
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

fn parse_tables(
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
    ] = <[Vec<Row<'_>>; 8]>::try_from(tables).unwrap_or_else(|_| unreachable!("eight tables"));

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
        if let Some(consequence) = p.parse::<Consequence>(row, "consequence") {
            list_out.push(ListInfo {
                id: row.get("list_id").to_string(),
                name: row.get("name").to_string(),
                authority: row.get("authority").to_string(),
                jurisdiction: row.get("jurisdiction").to_string(),
                consequence,
                note: row.get("note").to_string(),
            });
        }
    }
    let list_ids = unique_keys(&lists, "list_id", &mut p);

    // sources.csv
    let source_ids = unique_keys(&sources, "source_id", &mut p);
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
        if let Some(kind) = p.parse::<EntityKind>(row, "kind") {
            entity_out.push(Entity {
                id: id.to_string(),
                name: row.get("name").to_string(),
                name_zh: row.get("name_zh").to_string(),
                kind,
                country: country.to_string(),
                sector: row.get("sector").to_string(),
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
            origin,
            sha256,
        },
        entities: entity_out,
        aliases: alias_out,
        identifiers: id_out,
        designations: designation_out,
        ownership: ownership_out,
        sources: source_out,
        lists: list_out,
    })
}

/// Validates an identifier from the reference data and returns its canonical text.
fn canonical_identifier(scheme: IdScheme, raw: &str) -> Result<String, String> {
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

/// Lower-case hexadecimal of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_tables_load_and_validate() {
        let data = load_embedded().unwrap();
        assert!(data.entities.len() >= 20, "{}", data.entities.len());
        assert!(data.entity("xpcc").is_some());
        assert_eq!(data.meta.origin, "embedded");
        assert_eq!(data.meta.sha256.len(), 64);
        // Every designation names a list whose consequence matches, so tiers stay consistent.
        for d in &data.designations {
            let list = data.list(&d.list).unwrap();
            assert_eq!(list.consequence, d.consequence, "{}", d.id);
        }
    }

    fn tables_with(name: &str, text: &str) -> Vec<(String, String)> {
        TABLES
            .iter()
            .zip(EMBEDDED)
            .map(|((n, _), t)| {
                let body = if *n == name { text } else { t };
                (format!("mappings/{n}"), body.to_string())
            })
            .collect()
    }

    #[test]
    fn reports_every_problem_with_file_and_line() {
        let bad = "entity_id,scheme,value,source_id,grade,note\n\
                   hikvision,isin,CNE100000PM9,O7,A,\n\
                   nobody,isin,CNE100000PM8,O7,A,\n\
                   hikvision,ticker,XSHE:002415,NOPE,Z,\n";
        let err = parse_tables("test".into(), &tables_with("identifiers.csv", bad)).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("reference data in test is invalid (4 problems):"),
            "{text}"
        );
        assert!(text.contains("mappings/identifiers.csv:2: `CNE100000PM9` is not a valid ISIN: check digit does not match"), "{text}");
        assert!(
            text.contains("mappings/identifiers.csv:3: entity_id `nobody` is not in entities.csv"),
            "{text}"
        );
        assert!(
            text.contains("mappings/identifiers.csv:4: source_id `NOPE` is not in sources.csv"),
            "{text}"
        );
        assert!(
            text.contains("mappings/identifiers.csv:4: grade: `Z` is not one of: A, B, C"),
            "{text}"
        );
    }

    #[test]
    fn rejects_wrong_columns() {
        let err = parse_tables(
            "test".into(),
            &tables_with("ownership.csv", "parent,child\n"),
        )
        .unwrap_err();
        assert!(err.to_string().contains(
            "mappings/ownership.csv:1: expected columns `parent_id,child_id,percent,source_id,grade,note`, found `parent,child`"
        ));
    }
}
