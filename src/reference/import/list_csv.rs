//! Importer for a user's own list: one CSV row per designated entity, in the columns of our
//! tables, so a compliance team can add its internal watch list without learning the full
//! relational layout.
//!
//! Columns (header names; `name`, `list`, `grade` and `source_title` are required, the rest
//! optional): `name`, `name_zh`, `aliases` (`;`-separated), `kind`, `country`, `sector`, `list`,
//! `programme`, `listed_on`, `removed_on`, `grade`, `source_title`, `source_url`,
//! `source_publisher`, `isin`, `ticker` (`MIC:SYMBOL`), `uscc`, `lei`, `cik`, `cusip`, `note`.

use std::collections::BTreeMap;
use std::path::Path;

use super::{
    ImportError, ImportSet, ImportedAlias, ImportedDesignation, ImportedEntity, ImportedId,
    ImportedSource, decode_text, read_bytes, short_hash,
};
use crate::model::{EntityKind, Grade, IdScheme};

const REQUIRED: &[&str] = &["name", "list", "grade", "source_title"];

/// Reads a user's list.
pub fn read(path: &Path) -> Result<ImportSet, ImportError> {
    let file = crate::ingest::display_path(path);
    let text = decode_text(&read_bytes(path)?);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let format_error = |line: u64, message: String| ImportError::Format {
        file: file.clone(),
        line,
        message,
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format_error(1, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|r| !header.iter().any(|h| h == r))
        .collect();
    if !missing.is_empty() {
        return Err(format_error(
            1,
            format!("missing required column(s): {}", missing.join(", ")),
        ));
    }
    // Each row carries its own grade; the set's grade applies to nothing but is kept honest.
    let mut set = ImportSet::empty(Grade::C);
    let mut source_index: BTreeMap<(String, String), usize> = BTreeMap::new();
    for record in reader.records() {
        let record = record
            .map_err(|e| format_error(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let get = |name: &str| -> String {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        for r in REQUIRED {
            if get(r).is_empty() {
                return Err(format_error(line, format!("`{r}` is empty")));
            }
        }
        let row_grade: Grade = get("grade")
            .parse()
            .map_err(|e: String| format_error(line, format!("grade: {e}")))?;
        let kind = match get("kind").as_str() {
            "" => EntityKind::Company,
            k => k
                .parse()
                .map_err(|e: String| format_error(line, format!("kind: {e}")))?,
        };
        let mut e = ImportedEntity::new(format!("line {line}"), get("name"), kind);
        e.grade = Some(row_grade);
        e.name_zh = get("name_zh");
        e.country = get("country");
        if !get("sector").is_empty() {
            e.sector = get("sector");
        }
        e.note = get("note");
        for alias in get("aliases")
            .split(';')
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            e.aliases.push(ImportedAlias {
                alias: alias.to_string(),
                lang: if alias.is_ascii() { "en" } else { "zh" },
                kind: "alias",
            });
        }
        for (column, scheme) in [
            ("isin", IdScheme::Isin),
            ("ticker", IdScheme::Ticker),
            ("uscc", IdScheme::Uscc),
            ("lei", IdScheme::Lei),
            ("cik", IdScheme::Cik),
            ("cusip", IdScheme::Cusip),
        ] {
            let v = get(column);
            if !v.is_empty() {
                e.identifiers.push(ImportedId {
                    scheme,
                    value: v,
                    note: String::new(),
                });
            }
        }
        let listed_on = get("listed_on");
        e.designations.push(ImportedDesignation {
            list: get("list"),
            programme: get("programme"),
            note: if listed_on.is_empty() {
                format!(
                    "{} (listing date not given in the imported list)",
                    get("note")
                )
                .trim()
                .to_string()
            } else {
                get("note")
            },
            listed_on,
            removed_on: get("removed_on"),
        });
        let key = (get("source_title"), get("source_url"));
        let index = match source_index.get(&key) {
            Some(i) => *i,
            None => {
                let i = set.sources.len();
                set.sources.push(ImportedSource {
                    id: format!("user-{}", short_hash(&[key.0.as_bytes(), key.1.as_bytes()])),
                    publisher: get("source_publisher"),
                    title: key.0.clone(),
                    url: key.1.clone(),
                    published: String::new(),
                    note: format!("imported by xjscan from {file}"),
                });
                source_index.insert(key, i);
                i
            }
        };
        set.entity_source.push(index);
        set.entities.push(e);
    }
    set.found
        .push(format!("{file}: {} rows", set.entities.len()));
    Ok(set)
}
