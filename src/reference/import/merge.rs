//! Folding an [`ImportSet`] into the reference tables.
//!
//! An imported entity joins an existing one when one of its identifiers is already recorded, or
//! else when exactly one entity is known by one of its names after normalisation; otherwise it
//! is new. Names, identifiers and designations the data lacks are added, citing the import's
//! source. Curated rows are never changed: where the import disagrees (another listing date, a
//! removal, an identifier recorded for another entity), the report says so and the data stays.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{ImportSet, ImportedEntity, ImportedSource, MergeReport};
use crate::model::IdScheme;
use crate::reference::table::Tables;
use crate::reference::validate::canonical_identifier;
use crate::resolve::normalize_name;

/// A designation already in the tables.
#[derive(Debug, Clone)]
struct Existing {
    id: String,
    listed_on: String,
    removed_on: String,
}

/// Lookups over the tables being merged into, kept current as rows are added.
#[derive(Debug, Default)]
struct Index {
    by_identifier: HashMap<(IdScheme, String), String>,
    by_name: HashMap<String, BTreeSet<String>>,
    names_of: HashMap<String, BTreeSet<String>>,
    entity_ids: BTreeSet<String>,
    designations: BTreeMap<(String, String), Vec<Existing>>,
    designation_ids: BTreeSet<String>,
    list_consequence: BTreeMap<String, String>,
    edges: BTreeSet<(String, String)>,
    sources: BTreeSet<String>,
}

impl Index {
    fn build(tables: &Tables) -> Index {
        let mut ix = Index::default();
        let t = tables.table("identifiers.csv");
        for row in &t.rows {
            let Ok(scheme) = t.get(row, "scheme").parse::<IdScheme>() else {
                continue;
            };
            let Ok(value) = canonical_identifier(scheme, t.get(row, "value")) else {
                continue;
            };
            ix.by_identifier
                .insert((scheme, value), t.get(row, "entity_id").to_string());
        }
        let t = tables.table("entities.csv");
        for row in &t.rows {
            let id = t.get(row, "entity_id").to_string();
            ix.entity_ids.insert(id.clone());
            for name in [t.get(row, "name"), t.get(row, "name_zh")] {
                ix.add_name(&id, name);
            }
        }
        let t = tables.table("aliases.csv");
        for row in &t.rows {
            ix.add_name(t.get(row, "entity_id"), t.get(row, "alias"));
        }
        let t = tables.table("designations.csv");
        for row in &t.rows {
            let id = t.get(row, "designation_id").to_string();
            ix.designation_ids.insert(id.clone());
            ix.designations
                .entry((
                    t.get(row, "entity_id").to_string(),
                    t.get(row, "list").to_string(),
                ))
                .or_default()
                .push(Existing {
                    id,
                    listed_on: t.get(row, "listed_on").to_string(),
                    removed_on: t.get(row, "removed_on").to_string(),
                });
        }
        let t = tables.table("lists.csv");
        for row in &t.rows {
            ix.list_consequence.insert(
                t.get(row, "list_id").to_string(),
                t.get(row, "consequence").to_string(),
            );
        }
        let t = tables.table("ownership.csv");
        for row in &t.rows {
            ix.edges.insert((
                t.get(row, "parent_id").to_string(),
                t.get(row, "child_id").to_string(),
            ));
        }
        let t = tables.table("sources.csv");
        ix.sources = t
            .rows
            .iter()
            .map(|r| t.get(r, "source_id").to_string())
            .collect();
        ix
    }

    /// Records that `entity` is known by `name`; false if it already was (or the name is empty).
    fn add_name(&mut self, entity: &str, name: &str) -> bool {
        let key = normalize_name(name);
        if key.is_empty() {
            return false;
        }
        self.by_name
            .entry(key.clone())
            .or_default()
            .insert(entity.to_string());
        self.names_of
            .entry(entity.to_string())
            .or_default()
            .insert(key)
    }

    fn knows_name(&self, entity: &str, name: &str) -> bool {
        let key = normalize_name(name);
        key.is_empty() || self.names_of.get(entity).is_some_and(|n| n.contains(&key))
    }

    /// The existing entity an import joins: `Ok(None)` for a new one, `Err` when it is ambiguous.
    fn find(
        &self,
        imported: &ImportedEntity,
        ids: &[(IdScheme, String, String)],
    ) -> Result<Option<String>, String> {
        let by_identifier: BTreeSet<&String> = ids
            .iter()
            .filter_map(|(s, v, _)| self.by_identifier.get(&(*s, v.clone())))
            .collect();
        let by_name: BTreeSet<&String> = [imported.name.as_str(), imported.name_zh.as_str()]
            .into_iter()
            .chain(imported.aliases.iter().map(|a| a.alias.as_str()))
            .map(normalize_name)
            .filter(|n| !n.is_empty())
            .filter_map(|n| self.by_name.get(&n))
            .flatten()
            .collect();
        let list = |set: &BTreeSet<&String>| {
            set.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match (by_identifier.len(), by_name.len()) {
            (1, _) => Ok(by_identifier.into_iter().next().cloned()),
            (n, _) if n > 1 => Err(format!(
                "its identifiers belong to several entities ({})",
                list(&by_identifier)
            )),
            (_, 1) => Ok(by_name.into_iter().next().cloned()),
            (_, n) if n > 1 => Err(format!(
                "its names match several entities ({})",
                list(&by_name)
            )),
            _ => Ok(None),
        }
    }

    /// A new unique id built from `base` with a `-2`, `-3`… suffix when taken.
    fn unique(taken: &BTreeSet<String>, base: &str, separator: &str) -> String {
        let mut id = base.to_string();
        let mut n = 2;
        while taken.contains(&id) {
            id = format!("{base}{separator}{n}");
            n += 1;
        }
        id
    }
}

/// A slug for a new entity id: the normalised name's ASCII words joined by `-`.
fn slug(name: &str) -> String {
    let words: Vec<String> = normalize_name(name)
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let s: String = words.join("-").chars().take(60).collect();
    if s.is_empty() {
        "entity".to_string()
    } else {
        s.trim_end_matches('-').to_string()
    }
}

/// Folds an import into the tables and says what it did.
pub fn merge(tables: &mut Tables, set: &ImportSet) -> MergeReport {
    let mut ix = Index::build(tables);
    let mut report = MergeReport::default();
    let mut used_sources = BTreeSet::new();
    let mut key_to_entity: HashMap<&str, String> = HashMap::new();
    for (index, imported) in set.entities.iter().enumerate() {
        let source = &set.sources[set.entity_source.get(index).copied().unwrap_or(0)];
        let grade = imported.grade.unwrap_or(set.grade).to_string();
        let mut ids = Vec::new();
        for id in &imported.identifiers {
            match canonical_identifier(id.scheme, &id.value) {
                Ok(v) => ids.push((id.scheme, v, id.note.clone())),
                Err(e) => report.skipped.push(format!("{}: {e}", imported.key)),
            }
        }
        let entity_id = match ix.find(imported, &ids) {
            Err(why) => {
                report.skipped.push(format!(
                    "{} ({}): {why}; not imported",
                    imported.key, imported.name
                ));
                continue;
            }
            Ok(Some(id)) => id,
            Ok(None) if imported.only_if_known => {
                report.skipped.push(format!(
                    "{} ({}): not in the reference data and not tied to Xinjiang by the file; not imported",
                    imported.key, imported.name
                ));
                continue;
            }
            Ok(None) => add_entity(tables, &mut ix, imported, &mut report),
        };
        key_to_entity.insert(imported.key.as_str(), entity_id.clone());
        let cited = [
            add_aliases(
                tables,
                &mut ix,
                &entity_id,
                imported,
                source,
                &grade,
                &mut report,
            ),
            add_identifiers(
                tables,
                &mut ix,
                &entity_id,
                &ids,
                source,
                &grade,
                &mut report,
            ),
            add_designations(
                tables,
                &mut ix,
                &entity_id,
                imported,
                source,
                &grade,
                &mut report,
            ),
        ];
        if cited.contains(&true) {
            used_sources.insert(source.id.clone());
        }
    }
    if add_edges(tables, &mut ix, set, &key_to_entity, &mut report) {
        used_sources.insert(set.sources[0].id.clone());
    }
    for source in set
        .sources
        .iter()
        .filter(|s| used_sources.contains(&s.id) && !ix.sources.contains(&s.id))
    {
        tables.table_mut("sources.csv").push(&[
            ("source_id", &source.id),
            ("publisher", &source.publisher),
            ("title", &source.title),
            ("url", &source.url),
            ("published", &source.published),
            ("note", &source.note),
        ]);
        report.added.push(format!("source {}", source.id));
    }
    report
}

fn add_entity(
    tables: &mut Tables,
    ix: &mut Index,
    imported: &ImportedEntity,
    report: &mut MergeReport,
) -> String {
    let id = Index::unique(&ix.entity_ids, &slug(&imported.name), "-");
    ix.entity_ids.insert(id.clone());
    tables.table_mut("entities.csv").push(&[
        ("entity_id", &id),
        ("name", &imported.name),
        ("name_zh", &imported.name_zh),
        ("kind", imported.kind.key()),
        ("country", &imported.country),
        ("sector", &imported.sector),
        ("note", &imported.note),
    ]);
    ix.add_name(&id, &imported.name);
    ix.add_name(&id, &imported.name_zh);
    report
        .added
        .push(format!("entity {id} ({})", imported.name));
    id
}

/// Adds the names the entity is not yet known by (the imported main name too); true if any.
fn add_aliases(
    tables: &mut Tables,
    ix: &mut Index,
    entity_id: &str,
    imported: &ImportedEntity,
    source: &ImportedSource,
    grade: &str,
    report: &mut MergeReport,
) -> bool {
    let main_lang = if imported.name.is_ascii() { "en" } else { "zh" };
    let names = std::iter::once((imported.name.as_str(), main_lang, "alias"))
        .chain((!imported.name_zh.is_empty()).then_some((imported.name_zh.as_str(), "zh", "alias")))
        .chain(
            imported
                .aliases
                .iter()
                .map(|a| (a.alias.as_str(), a.lang, a.kind)),
        );
    let mut added = false;
    for (alias, lang, kind) in names {
        if ix.knows_name(entity_id, alias) {
            report.unchanged += 1;
            continue;
        }
        ix.add_name(entity_id, alias);
        tables.table_mut("aliases.csv").push(&[
            ("entity_id", entity_id),
            ("alias", alias),
            ("lang", lang),
            ("kind", kind),
            ("source_id", &source.id),
            ("grade", grade),
        ]);
        report.added.push(format!("alias of {entity_id}: {alias}"));
        added = true;
    }
    added
}

fn add_identifiers(
    tables: &mut Tables,
    ix: &mut Index,
    entity_id: &str,
    ids: &[(IdScheme, String, String)],
    source: &ImportedSource,
    grade: &str,
    report: &mut MergeReport,
) -> bool {
    let mut added = false;
    for (scheme, value, note) in ids {
        match ix.by_identifier.get(&(*scheme, value.clone())) {
            Some(owner) if owner == entity_id => report.unchanged += 1,
            Some(owner) => report.kept.push(format!(
                "{scheme} {value}: the import gives it to {entity_id}, the data to {owner}; kept"
            )),
            None => {
                ix.by_identifier
                    .insert((*scheme, value.clone()), entity_id.to_string());
                tables.table_mut("identifiers.csv").push(&[
                    ("entity_id", entity_id),
                    ("scheme", scheme.key()),
                    ("value", value),
                    ("source_id", &source.id),
                    ("grade", grade),
                    ("note", note),
                ]);
                report
                    .added
                    .push(format!("{scheme} of {entity_id}: {value}"));
                added = true;
            }
        }
    }
    added
}

fn add_designations(
    tables: &mut Tables,
    ix: &mut Index,
    entity_id: &str,
    imported: &ImportedEntity,
    source: &ImportedSource,
    grade: &str,
    report: &mut MergeReport,
) -> bool {
    let mut added = false;
    for d in &imported.designations {
        let Some(consequence) = ix.list_consequence.get(&d.list).cloned() else {
            report.skipped.push(format!(
                "{}: list `{}` is not in lists.csv; designation not imported",
                imported.key, d.list
            ));
            continue;
        };
        let key = (entity_id.to_string(), d.list.clone());
        report.seen.insert(key.clone());
        if let Some(existing) = ix.designations.get(&key).filter(|e| !e.is_empty()) {
            // Already on this list: never overwrite, but say where the import differs.
            let same = existing.iter().any(|e| {
                (d.listed_on.is_empty() || e.listed_on == d.listed_on)
                    && e.removed_on == d.removed_on
            });
            if same {
                report.unchanged += 1;
            } else {
                let e = &existing[0];
                let removed = |r: &str| {
                    if r.is_empty() {
                        String::new()
                    } else {
                        format!(", removed {r}")
                    }
                };
                let listed = |l: &str| {
                    if l.is_empty() {
                        "(not stated)".to_string()
                    } else {
                        l.to_string()
                    }
                };
                report.kept.push(format!(
                    "{}: data says listed {}{}, import says listed {}{}; kept the data (review it)",
                    e.id,
                    listed(&e.listed_on),
                    removed(&e.removed_on),
                    listed(&d.listed_on),
                    removed(&d.removed_on),
                ));
            }
            continue;
        }
        let id = Index::unique(&ix.designation_ids, &format!("{}:{entity_id}", d.list), ":");
        ix.designation_ids.insert(id.clone());
        tables.table_mut("designations.csv").push(&[
            ("designation_id", &id),
            ("entity_id", entity_id),
            ("list", &d.list),
            ("programme", &d.programme),
            ("listed_on", &d.listed_on),
            ("removed_on", &d.removed_on),
            ("consequence", &consequence),
            ("grade", grade),
            ("source_id", &source.id),
            ("note", &d.note),
        ]);
        ix.designations.entry(key).or_default().push(Existing {
            id: id.clone(),
            listed_on: d.listed_on.clone(),
            removed_on: d.removed_on.clone(),
        });
        report.added.push(format!(
            "designation {id} (listed {})",
            if d.listed_on.is_empty() {
                "date not given"
            } else {
                &d.listed_on
            }
        ));
        added = true;
    }
    added
}

/// Ownership edges between entities the import resolved; true if any was added.
fn add_edges(
    tables: &mut Tables,
    ix: &mut Index,
    set: &ImportSet,
    key_to_entity: &HashMap<&str, String>,
    report: &mut MergeReport,
) -> bool {
    let mut added = false;
    for e in &set.edges {
        let (Some(parent), Some(child)) = (
            key_to_entity.get(e.parent_key.as_str()),
            key_to_entity.get(e.child_key.as_str()),
        ) else {
            report.skipped.push(format!(
                "ownership {} → {}: one side was not imported",
                e.parent_key, e.child_key
            ));
            continue;
        };
        if parent == child || !ix.edges.insert((parent.clone(), child.clone())) {
            report.unchanged += 1;
            continue;
        }
        tables.table_mut("ownership.csv").push(&[
            ("parent_id", parent),
            ("child_id", child),
            ("percent", &e.percent),
            ("source_id", &set.sources[0].id),
            ("grade", &set.grade.to_string()),
            ("note", &e.note),
        ]);
        report.added.push(format!("ownership {parent} → {child}"));
        added = true;
    }
    added
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("ZAKIR, Shohrat"), "zakir-shohrat");
        assert_eq!(
            slug("Hangzhou Hikvision Digital Technology Co., Ltd."),
            "hangzhou-hikvision-digital-technology"
        );
        assert_eq!(slug("新疆生产建设兵团"), "entity");
    }
}
