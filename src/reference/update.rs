//! `xjscan mappings update`: the public lists' current downloads folded into the data in use.
//!
//! The downloads are read with the same importers as `xjscan mappings import` and merged into a
//! copy of the data in use (the newest dated folder, else the shipped tables): curated rows are
//! never overwritten. A designation an earlier update added from the same URL that the new
//! download no longer lists is marked removed on the fetch date (the publisher dropped it; the
//! row stays so reports can show when it ended), and put back in force if a later download
//! lists it again. Each source is validated as it is merged, so a download that breaks the data
//! is refused by name. Downloading and writing are the caller's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use super::import::{self, ImportError, ImportSet, MergeReport, ofac, opensanctions};
use super::{ReferenceError, Tables, parse_tables};

/// Where OpenSanctions publishes its dataset exports; `<base><dataset>/entities.ftm.json`.
pub const OPENSANCTIONS_BASE: &str = "https://data.opensanctions.org/datasets/latest/";
/// Where OFAC publishes its legacy CSV files (`sdn.csv`, `consolidated/cons_prim.csv`…).
pub const OFAC_BASE: &str = "https://www.treasury.gov/ofac/downloads/";

/// Who publishes a source, which decides its base URL and its importer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publisher {
    OpenSanctions,
    Ofac,
}

/// One row of [`SOURCES`].
#[derive(Debug, Clone, Copy)]
pub struct SourceSpec {
    /// The name `--source` takes.
    pub name: &'static str,
    pub publisher: Publisher,
    /// The OpenSanctions dataset, for OpenSanctions sources.
    pub dataset: Option<&'static str>,
    /// Paths under the publisher's base URL.
    pub paths: &'static [&'static str],
    /// Fetched when no `--source` is given.
    pub default: bool,
}

/// The sources `xjscan mappings update` knows by name. The defaults are the lists whose every
/// entry concerns this tool's data: the UFLPA Entity List and the DoD 1260H list as OpenSanctions
/// republishes them, and OFAC's own SDN and consolidated files, which the OFAC importer filters
/// to Xinjiang entries and CMIC rows. OpenSanctions' BIS (trade.gov's consolidated screening list)
/// and OFAC exports are whole lists — tens of thousands of entities with no tie to Xinjiang that
/// the OpenSanctions importer would add one by one — so they are fetched only when named.
pub const SOURCES: &[SourceSpec] = &[
    SourceSpec {
        name: "uflpa",
        publisher: Publisher::OpenSanctions,
        dataset: Some("us_dhs_uflpa"),
        paths: &["us_dhs_uflpa/entities.ftm.json"],
        default: true,
    },
    SourceSpec {
        name: "dod-1260h",
        publisher: Publisher::OpenSanctions,
        dataset: Some("us_dod_chinese_milcorps"),
        paths: &["us_dod_chinese_milcorps/entities.ftm.json"],
        default: true,
    },
    SourceSpec {
        name: "ofac-sdn",
        publisher: Publisher::Ofac,
        dataset: None,
        paths: &["sdn.csv", "alt.csv", "add.csv"],
        default: true,
    },
    SourceSpec {
        name: "ofac-cons",
        publisher: Publisher::Ofac,
        dataset: None,
        paths: &[
            "consolidated/cons_prim.csv",
            "consolidated/cons_alt.csv",
            "consolidated/cons_add.csv",
        ],
        default: true,
    },
    SourceSpec {
        name: "opensanctions-bis",
        publisher: Publisher::OpenSanctions,
        dataset: Some("us_trade_csl"),
        paths: &["us_trade_csl/entities.ftm.json"],
        default: false,
    },
    SourceSpec {
        name: "opensanctions-ofac",
        publisher: Publisher::OpenSanctions,
        dataset: Some("us_ofac_sdn"),
        paths: &["us_ofac_sdn/entities.ftm.json"],
        default: false,
    },
];

/// Base URLs, replaceable so tests (or a mirror) can serve the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bases {
    pub opensanctions: String,
    pub ofac: String,
}

impl Default for Bases {
    fn default() -> Self {
        Bases {
            opensanctions: OPENSANCTIONS_BASE.to_string(),
            ofac: OFAC_BASE.to_string(),
        }
    }
}

/// A source to fetch: a name, how to read it, and its URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub name: String,
    pub publisher: Publisher,
    pub dataset: Option<String>,
    pub urls: Vec<String>,
}

/// Why an update was refused.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error(
        "--source `{0}`: not a known source ({known}) nor an http(s) URL of an OpenSanctions export (…/DATASET/entities.ftm.json or targets.simple.csv)",
        known = known_names()
    )]
    UnknownSource(String),
    #[error("source {name}: cannot read the download: {message}; nothing was written")]
    Unreadable { name: String, message: String },
    #[error(
        "source {name}: the download lists no entities (an empty or cut-off file?); nothing was written"
    )]
    Empty { name: String },
    #[error(
        "source {name}: the download would make the reference data invalid, so nothing was written: {error}"
    )]
    Invalid { name: String, error: ReferenceError },
}

fn known_names() -> String {
    SOURCES
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn join(base: &str, path: &str) -> String {
    format!("{}/{path}", base.trim_end_matches('/'))
}

impl Source {
    fn from_spec(spec: &SourceSpec, bases: &Bases) -> Source {
        let base = match spec.publisher {
            Publisher::OpenSanctions => &bases.opensanctions,
            Publisher::Ofac => &bases.ofac,
        };
        Source {
            name: spec.name.to_string(),
            publisher: spec.publisher,
            dataset: spec.dataset.map(str::to_string),
            urls: spec.paths.iter().map(|p| join(base, p)).collect(),
        }
    }

    /// A `--source` argument: a name from [`SOURCES`], or the URL of an OpenSanctions export
    /// (its dataset read from the path when it is one the importer maps).
    pub fn parse(arg: &str, bases: &Bases) -> Result<Source, UpdateError> {
        if let Some(spec) = SOURCES.iter().find(|s| s.name == arg) {
            return Ok(Source::from_spec(spec, bases));
        }
        let lower = arg.to_ascii_lowercase();
        let path = arg.split(['?', '#']).next().unwrap_or(arg);
        let mut segments = path.rsplit('/');
        let file = segments.next().unwrap_or_default();
        let is_export = file == "entities.ftm.json" || file == "targets.simple.csv";
        if !(lower.starts_with("http://") || lower.starts_with("https://")) || !is_export {
            return Err(UpdateError::UnknownSource(arg.to_string()));
        }
        let dataset = segments
            .next()
            .filter(|d| opensanctions::list_for_dataset(d).is_some())
            .map(str::to_string);
        Ok(Source {
            name: arg.to_string(),
            publisher: Publisher::OpenSanctions,
            dataset,
            urls: vec![arg.to_string()],
        })
    }
}

/// The sources fetched when none is named.
pub fn default_sources(bases: &Bases) -> Vec<Source> {
    SOURCES
        .iter()
        .filter(|s| s.default)
        .map(|s| Source::from_spec(s, bases))
        .collect()
}

/// The file a URL's body must be saved as for its importer (`sdn.csv`, `entities.ftm.json`).
pub fn file_name(url: &str) -> String {
    crate::fetch::file_name_for(url)
}

/// Reads a source's downloads, saved under their file names in `dir`, with its importer.
pub fn read_source(source: &Source, dir: &Path) -> Result<ImportSet, UpdateError> {
    let first = source.urls.first().cloned().unwrap_or_default();
    let result = match source.publisher {
        Publisher::OpenSanctions => {
            let options = opensanctions::OpenSanctionsOptions {
                dataset: source.dataset.clone(),
                source_url: Some(first.clone()),
            };
            opensanctions::read(&dir.join(file_name(&first)), &options)
        }
        Publisher::Ofac => {
            let options = ofac::OfacOptions {
                all_cmic: false,
                source_url: Some(first.clone()),
            };
            ofac::read(dir, &options)
        }
    };
    let set = result.map_err(|e| unreadable(source, dir, &e))?;
    if set.entities.is_empty() {
        return Err(UpdateError::Empty {
            name: source.name.clone(),
        });
    }
    Ok(set)
}

/// An importer's error with the temporary folder left out of the file names it gives.
fn unreadable(source: &Source, dir: &Path, e: &ImportError) -> UpdateError {
    let prefix = format!("{}/", crate::ingest::display_path(dir));
    UpdateError::Unreadable {
        name: source.name.clone(),
        message: e.to_string().replace(&prefix, ""),
    }
}

/// How one designation changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// One designation added, removed or changed, for the printed summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub list: String,
    pub kind: ChangeKind,
    pub designation_id: String,
    pub entity: String,
    pub detail: String,
}

/// What an update did to the data.
#[derive(Debug, Clone, Default)]
pub struct Update {
    /// The merged tables, `dataset.csv` dated to the fetch (`None` only before [`apply`] ends).
    pub tables: Option<Tables>,
    /// Designations added, removed or changed, ordered by list then id.
    pub changes: Vec<Change>,
    /// Rows added or dropped per other table (`aliases.csv` → 3).
    pub other_rows: BTreeMap<String, usize>,
    /// The importers' messages per source (`kept: …`, `skipped: …`).
    pub messages: Vec<(String, String)>,
    /// The tables' SHA-256, as loading them computes it.
    pub sha256: String,
}

impl Update {
    pub fn changed(&self) -> bool {
        !self.changes.is_empty() || !self.other_rows.is_empty()
    }
}

/// Merges every source's import into a copy of `base`, marks removed what the downloads no
/// longer list, validates after each source and dates the result `date` (YYYY-MM-DD). The change
/// is measured against `in_use`, the data runs use now (usually `base` itself). `shipped` is the
/// compiled-in data, whose designations are curated and never marked removed.
pub fn apply(
    base: &Tables,
    in_use: &Tables,
    shipped: &Tables,
    sets: &[(Source, ImportSet)],
    date: &str,
) -> Result<Update, UpdateError> {
    let mut tables = base.clone();
    let urls: BTreeSet<String> = sets
        .iter()
        .filter_map(|(s, _)| s.urls.first().cloned())
        .collect();
    let owned = owned_designations(&tables, shipped, &urls);
    let reopened = reopen(&mut tables, &owned);
    let mut update = Update::default();
    let mut seen = BTreeSet::new();
    for (source, set) in sets {
        let report = import::merge(&mut tables, set);
        validate(&tables, &source.name)?;
        seen.extend(report.seen.iter().cloned());
        update.messages.extend(messages(&source.name, &report));
    }
    mark_removed(&mut tables, &owned, &seen, &reopened, date);
    update.changes = designation_changes(in_use, &tables);
    update.other_rows = other_row_changes(in_use, &tables);
    set_as_of(&mut tables, date);
    let label = sets
        .iter()
        .map(|(s, _)| s.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    update.sha256 = validate(&tables, &label)?;
    update.tables = Some(tables);
    Ok(update)
}

/// Validates the tables as loading them would; their SHA-256 when valid.
fn validate(tables: &Tables, source: &str) -> Result<String, UpdateError> {
    let texts = tables.texts();
    parse_tables("the updated data".to_string(), &texts)
        .map(|data| data.meta.sha256)
        .map_err(|error| UpdateError::Invalid {
            name: source.to_string(),
            error,
        })
}

fn messages(source: &str, report: &MergeReport) -> Vec<(String, String)> {
    let kept = report.kept.iter().map(|k| format!("kept: {k}"));
    let skipped = report.skipped.iter().map(|s| format!("skipped: {s}"));
    kept.chain(skipped)
        .map(|m| (source.to_string(), m))
        .collect()
}

/// What an update adds to the note of a designation it marks removed, before the date.
const GONE: &str = "no longer in the download of ";

/// Ids of the designations an earlier update took from one of `urls` (their source row names
/// the URL); curated (shipped) designations are never among them.
fn owned_designations(
    tables: &Tables,
    shipped: &Tables,
    urls: &BTreeSet<String>,
) -> BTreeSet<String> {
    let t = shipped.table("designations.csv");
    let curated: BTreeSet<&str> = t.rows.iter().map(|r| t.get(r, "designation_id")).collect();
    let t = tables.table("sources.csv");
    let sources: BTreeSet<&str> = t
        .rows
        .iter()
        .filter(|r| urls.contains(t.get(r, "url")))
        .map(|r| t.get(r, "source_id"))
        .collect();
    let t = tables.table("designations.csv");
    t.rows
        .iter()
        .filter(|r| sources.contains(t.get(r, "source_id")))
        .map(|r| t.get(r, "designation_id"))
        .filter(|id| !curated.contains(id))
        .map(str::to_string)
        .collect()
}

/// Column indexes of `designations.csv`: id, entity, list, removed_on, note.
fn designation_columns(t: &super::Table) -> Option<[usize; 5]> {
    Some([
        t.column("designation_id")?,
        t.column("entity_id")?,
        t.column("list")?,
        t.column("removed_on")?,
        t.column("note")?,
    ])
}

/// Puts back in force the `owned` designations an earlier update marked removed, so that the
/// merge sees them as listed when the download lists them again. Returns their removal
/// (`removed_on`, note), which [`mark_removed`] restores when the download still lacks them.
fn reopen(tables: &mut Tables, owned: &BTreeSet<String>) -> BTreeMap<String, (String, String)> {
    let t = tables.table_mut("designations.csv");
    let Some([id, _, _, removed, note]) = designation_columns(t) else {
        return BTreeMap::new();
    };
    let mut saved = BTreeMap::new();
    for row in &mut t.rows {
        let text = row[note].clone();
        let kept = match text.find(&format!("; {GONE}")) {
            Some(at) => text[..at].to_string(),
            None if text.starts_with(GONE) => String::new(),
            None => continue,
        };
        if owned.contains(&row[id]) && !row[removed].is_empty() {
            saved.insert(row[id].clone(), (row[removed].clone(), text));
            row[removed].clear();
            row[note] = kept;
        }
    }
    saved
}

/// Sets `removed_on` of the `owned` designations that no download lists any more (the
/// publisher dropped them): today for newly gone ones, the earlier date for those still gone.
fn mark_removed(
    tables: &mut Tables,
    owned: &BTreeSet<String>,
    seen: &BTreeSet<(String, String)>,
    reopened: &BTreeMap<String, (String, String)>,
    date: &str,
) {
    let t = tables.table_mut("designations.csv");
    let Some([id, entity, list, removed, note]) = designation_columns(t) else {
        return;
    };
    for row in &mut t.rows {
        let listed = seen.contains(&(row[entity].clone(), row[list].clone()));
        if listed || !row[removed].is_empty() || !owned.contains(&row[id]) {
            continue;
        }
        if let Some((earlier, text)) = reopened.get(&row[id]) {
            row[removed] = earlier.clone();
            row[note] = text.clone();
            continue;
        }
        let why = format!("{GONE}{date}");
        row[note] = match row[note].as_str() {
            "" => why,
            n => format!("{n}; {why}"),
        };
        row[removed] = date.to_string();
    }
}

/// Rows of a table keyed by its first column.
fn rows_by_id(tables: &Tables, name: &str) -> BTreeMap<String, Vec<String>> {
    let t = tables.table(name);
    t.rows
        .iter()
        .map(|r| (r.first().cloned().unwrap_or_default(), r.clone()))
        .collect()
}

fn entity_names(tables: &Tables) -> BTreeMap<String, String> {
    let t = tables.table("entities.csv");
    t.rows
        .iter()
        .map(|r| {
            (
                t.get(r, "entity_id").to_string(),
                t.get(r, "name").to_string(),
            )
        })
        .collect()
}

/// Designations added, removed (gone, or `removed_on` newly set) and otherwise changed.
fn designation_changes(old: &Tables, new: &Tables) -> Vec<Change> {
    let t = new.table("designations.csv");
    let (before, after) = (
        rows_by_id(old, "designations.csv"),
        rows_by_id(new, "designations.csv"),
    );
    let names = entity_names(new);
    let mut names_old = entity_names(old);
    names_old.extend(names);
    let describe = |id: &String, row: &Vec<String>, kind: ChangeKind, detail: String| {
        let entity = t.get(row, "entity_id");
        Change {
            list: t.get(row, "list").to_string(),
            kind,
            designation_id: id.clone(),
            entity: names_old.get(entity).cloned().unwrap_or_default(),
            detail,
        }
    };
    let listed = |row: &Vec<String>| match t.get(row, "listed_on") {
        "" => "listing date not given".to_string(),
        d => format!("listed {d}"),
    };
    let mut changes = Vec::new();
    for (id, row) in &after {
        match before.get(id) {
            None => changes.push(describe(id, row, ChangeKind::Added, listed(row))),
            Some(old) if old == row => {}
            Some(old) => {
                let ended =
                    t.get(old, "removed_on").is_empty() && !t.get(row, "removed_on").is_empty();
                let again =
                    !t.get(old, "removed_on").is_empty() && t.get(row, "removed_on").is_empty();
                let (kind, detail) = if ended {
                    let removed = format!("removed {}", t.get(row, "removed_on"));
                    (ChangeKind::Removed, removed)
                } else if again {
                    let was = format!("listed again (removed {})", t.get(old, "removed_on"));
                    (ChangeKind::Changed, was)
                } else {
                    (ChangeKind::Changed, listed(row))
                };
                changes.push(describe(id, row, kind, detail));
            }
        }
    }
    // Rows gone from the tables altogether (updated data rebuilt on new shipped tables); those
    // already removed were not in force, so nothing changes for them.
    let gone = before
        .iter()
        .filter(|(id, row)| !after.contains_key(*id) && t.get(row, "removed_on").is_empty());
    for (id, row) in gone {
        changes.push(describe(
            id,
            row,
            ChangeKind::Removed,
            "dropped".to_string(),
        ));
    }
    changes.sort_by(|a, b| (&a.list, &a.designation_id).cmp(&(&b.list, &b.designation_id)));
    changes
}

/// Rows added or dropped in the tables other than designations and `dataset.csv`.
fn other_row_changes(old: &Tables, new: &Tables) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (a, b) in old.0.iter().zip(&new.0) {
        if matches!(a.name, "designations.csv" | "dataset.csv") {
            continue;
        }
        let before: BTreeSet<&Vec<String>> = a.rows.iter().collect();
        let after: BTreeSet<&Vec<String>> = b.rows.iter().collect();
        let n = before.symmetric_difference(&after).count();
        if n > 0 {
            out.insert(a.name.to_string(), n);
        }
    }
    out
}

/// Dates the data to the fetch: `as_of` in `dataset.csv`.
fn set_as_of(tables: &mut Tables, date: &str) {
    let t = tables.table_mut("dataset.csv");
    let (Some(key), Some(value)) = (t.column("key"), t.column("value")) else {
        return;
    };
    for row in &mut t.rows {
        if row.get(key).is_some_and(|k| k == "as_of") {
            row[value] = date.to_string();
        }
    }
}

/// One download as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestFile {
    pub url: String,
    pub sha256: String,
}

/// One source as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestSource {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    pub files: Vec<ManifestFile>,
}

/// `manifest.json` of a dated folder: what was fetched, when, by which tool, from which data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manifest {
    pub tool: String,
    pub fetched_at: String,
    pub as_of: String,
    /// The data the downloads were merged into: `shipped` or a dated folder's name.
    pub based_on: String,
    /// The tables' SHA-256 as `--mappings` and the reports compute it.
    pub tables_sha256: String,
    /// The SHA-256 of the shipped tables of the xjscan that wrote the folder: when a newer
    /// xjscan ships other tables, its next update starts from those instead.
    pub shipped_sha256: String,
    pub sources: Vec<ManifestSource>,
}

/// Today's date in UTC as YYYY-MM-DD, and the time as RFC 3339 (`2026-12-05T19:44:31Z`).
pub fn now_utc() -> (String, String) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    let date = format!("{y:04}-{m:02}-{d:02}");
    let time = format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    );
    (date, time)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm; avoids a
/// date crate for one conversion).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_427), (2025, 12, 5));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn sources_by_name_and_url() {
        let bases = Bases {
            opensanctions: "http://127.0.0.1:9/os/".to_string(),
            ofac: "http://127.0.0.1:9/ofac".to_string(),
        };
        let uflpa = Source::parse("uflpa", &bases).unwrap();
        assert_eq!(
            uflpa.urls,
            ["http://127.0.0.1:9/os/us_dhs_uflpa/entities.ftm.json"]
        );
        let sdn = Source::parse("ofac-sdn", &bases).unwrap();
        assert_eq!(sdn.urls[1], "http://127.0.0.1:9/ofac/alt.csv");
        let url = "https://example.org/x/us_dod_chinese_milcorps/targets.simple.csv";
        let custom = Source::parse(url, &bases).unwrap();
        assert_eq!(custom.dataset.as_deref(), Some("us_dod_chinese_milcorps"));
        let names: Vec<String> = default_sources(&bases)
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["uflpa", "dod-1260h", "ofac-sdn", "ofac-cons"]);
        assert!(matches!(
            Source::parse("ufpla", &bases),
            Err(UpdateError::UnknownSource(_))
        ));
    }
}
