//! Loading and validating the reference data in `mappings/`.
//!
//! The tables are plain CSV so analysts can review them in a spreadsheet and diffs stay readable.
//! The shipped tables are compiled into the binary (so `xjscan` works offline from any folder);
//! `--mappings DIR` replaces them with a folder holding the same files. Every table is checked on
//! load and all problems are reported together, each with its file and line, because a flag is
//! only as good as the record behind it.

pub mod import;
pub mod inspect;
pub mod store;
mod table;
pub mod update;
mod validate;

use std::path::{Path, PathBuf};

use crate::model::ReferenceData;
pub use store::Choice;
pub use table::{Table, Tables, natural_cmp};
pub use validate::parse_tables;

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
            "official_count",
            "count_as_of",
            "count_source",
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
            "listed",
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
    (
        "guarantees.csv",
        &["guarantor_id", "issuer_id", "source_id", "grade", "note"],
    ),
];

/// Tables a `--mappings` folder may leave out (read as empty): added after the first release,
/// so older folders still load.
const OPTIONAL: &[&str] = &["guarantees.csv"];

/// The text of a table in a folder, or its bare header when an optional table is missing.
fn read_table(dir: &Path, name: &str, columns: &[&str]) -> Result<String, ReferenceError> {
    let path = dir.join(name);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && OPTIONAL.contains(&name) => {
            return Ok(format!("{}\n", columns.join(",")));
        }
        Err(error) => return Err(ReferenceError::Read { path, error }),
    };
    String::from_utf8(bytes).map_err(|_| ReferenceError::Invalid {
        origin: dir.display().to_string(),
        problems: vec![format!("{}: not UTF-8 text", path.display())],
    })
}

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
    include_str!("../../mappings/guarantees.csv"),
];

/// The shipped reviewer decisions (`mappings/overrides.csv`), applied unless `--overrides` or a
/// `--mappings` folder gives others.
pub const EMBEDDED_OVERRIDES: &str = include_str!("../../mappings/overrides.csv");

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

pub const ALIAS_KINDS: &[&str] = &["alias", "former", "short", "abbreviation"];
pub const LANGS: &[&str] = &["en", "zh"];

/// Why the reference data could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("cannot read reference table {}: {error}", .path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot read the data directory {}: {error}", .path.display())]
    DataDir {
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
    let mut data = parse_tables("embedded".to_string(), &texts)?;
    data.meta
        .set_kind(crate::model::DataKind::Shipped, "embedded".to_string());
    Ok(data)
}

/// Loads the tables from a folder (`--mappings DIR`); every table must be present.
pub fn load_dir(dir: &Path) -> Result<ReferenceData, ReferenceError> {
    let mut texts = Vec::with_capacity(TABLES.len());
    for (name, columns) in TABLES {
        let text = read_table(dir, name, columns)?;
        texts.push((dir.join(name).display().to_string(), text));
    }
    parse_tables(dir.display().to_string(), &texts)
}

/// The shipped tables as `(file name, CSV text)`, in the order of [`TABLES`].
pub fn embedded_texts() -> Vec<(String, String)> {
    TABLES
        .iter()
        .zip(EMBEDDED)
        .map(|((name, _), text)| ((*name).to_string(), (*text).to_string()))
        .collect()
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

    /// Appends `row` to `table` and returns the problems reported, with `LINE` in `expected`
    /// standing for the appended row's line.
    fn problems_after_appending(table: &str, row: &str) -> (u64, Vec<String>) {
        let index = TABLES.iter().position(|(n, _)| *n == table).unwrap();
        let mut text = EMBEDDED[index].to_string();
        let line = text.lines().count() as u64 + 1;
        text.push_str(row);
        text.push('\n');
        match parse_tables("test".into(), &tables_with(table, &text)) {
            Ok(_) => (line, vec![]),
            Err(ReferenceError::Invalid { problems, .. }) => (line, problems),
            Err(e) => panic!("{e}"),
        }
    }

    /// Each validation rule, broken once, with its exact message.
    #[test]
    fn each_rule_has_its_message() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "lists.csv",
                "x_list,X,X,US,blocking,,lots,,UF20",
                "official_count: `lots` is not a whole number",
            ),
            (
                "lists.csv",
                "y_list,Y,Y,US,blocking,,12,,",
                "official_count needs a count_source",
            ),
            (
                "lists.csv",
                "z_list,Z,Z,US,blocking,,12,,NOPE",
                "count_source `NOPE` is not in sources.csv",
            ),
            (
                "lists.csv",
                "w_list,W,W,US,blocking,,,2025-01-01,",
                "count_source and count_as_of need an official_count",
            ),
            (
                "lists.csv",
                "v_list,V,V,US,blocking,,3,2025-13-01,UF20",
                "count_as_of: `2025-13-01` is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY",
            ),
            (
                "entities.csv",
                "hikvision,Dup,,company,CN,other,,",
                "entity_id `hikvision` appears more than once",
            ),
            (
                "entities.csv",
                "Bad_Id,X,,company,CN,other,,",
                "entity_id `Bad_Id` must be lowercase letters, digits and `-`",
            ),
            (
                "entities.csv",
                "lonely,X,,company,CN,other,,",
                "entity `lonely` has no designation and no ownership edge",
            ),
            (
                "entities.csv",
                "k1,X,,robot,CN,other,,",
                "kind: `robot` is not one of: company, government, person, bond_issuer",
            ),
            (
                "entities.csv",
                "k2,X,,company,CN,space,,",
                "sector: `space` is not one of: cotton_textiles, tomatoes, polysilicon_solar, pvc_chemicals, aluminium, metals_mining, surveillance_technology, batteries, food, other",
            ),
            (
                "entities.csv",
                "k3,X,,company,China,other,,",
                "country `China` must be an ISO 3166 alpha-2 code or empty",
            ),
            (
                "entities.csv",
                "k4,X,,company,CN,other,maybe,",
                "listed: `maybe` is not one of: yes, no, delisted, or empty (not yet researched)",
            ),
            (
                "aliases.csv",
                "nobody,X,en,alias,O7,A",
                "entity_id `nobody` is not in entities.csv",
            ),
            (
                "aliases.csv",
                "hikvision,Hikvision,en,short,O8,A",
                "alias `Hikvision` is listed twice for this entity",
            ),
            (
                "aliases.csv",
                "hikvision,HK Vision,fr,alias,O7,A",
                "lang: `fr` is not one of: en, zh",
            ),
            (
                "aliases.csv",
                "hikvision,HK Vision,en,nickname,O7,A",
                "kind: `nickname` is not one of: alias, former, short, abbreviation",
            ),
            (
                "aliases.csv",
                "hikvision,HK Vision,en,alias,O7,D",
                "grade: `D` is not one of: A, B, C",
            ),
            (
                "identifiers.csv",
                "hikvision,isin,CNE100000PM9,O7,A,",
                "`CNE100000PM9` is not a valid ISIN: check digit does not match",
            ),
            (
                "identifiers.csv",
                "xpcc,isin,CNE100000PM8,O7,A,",
                "isin `CNE100000PM8` is given to both `hikvision` and `xpcc`",
            ),
            (
                "identifiers.csv",
                "hikvision,isin,CNE100000PM8,O7,A,",
                "isin `CNE100000PM8` is listed twice for `hikvision`",
            ),
            (
                "identifiers.csv",
                "hikvision,uscc,91330000733796106Q,O7,A,",
                "`91330000733796106Q` is not a valid USCC: check character does not match",
            ),
            (
                "identifiers.csv",
                "hikvision,lei,506700GE1G29325QX364,O7,A,",
                "`506700GE1G29325QX364` is not a valid LEI: check digits do not match",
            ),
            (
                "identifiers.csv",
                "hikvision,ticker,002415,O7,A,",
                "`002415` is not a valid listing: expected MIC:SYMBOL",
            ),
            (
                "identifiers.csv",
                "hikvision,figi,X,O7,A,",
                "scheme: `figi` is not one of: isin, cusip, lei, ticker, uscc, cik, sedol",
            ),
            (
                "designations.csv",
                "x1,hikvision,made_up,P,2020-01-01,,export_control,A,O7,",
                "list `made_up` is not in lists.csv",
            ),
            (
                "designations.csv",
                "x2,hikvision,bis_entity_list,P,2020-02-30,,export_control,A,O7,",
                "listed_on: `2020-02-30` is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY",
            ),
            (
                "designations.csv",
                "x3,hikvision,bis_entity_list,P,2020-01-01,2019-01-01,export_control,A,O7,",
                "removed_on 2019-01-01 is before listed_on 2020-01-01",
            ),
            (
                "designations.csv",
                "x4,hikvision,bis_entity_list,P,,,export_control,A,O7,",
                "listed_on is empty and the note does not say why",
            ),
            (
                "designations.csv",
                "x5,hikvision,bis_entity_list,P,2020,,blocking,A,O7,",
                "consequence `blocking` differs from `export_control` of list `bis_entity_list`",
            ),
            (
                "designations.csv",
                "x6,hikvision,bis_entity_list,P,2020,,export_control,A,,",
                "source_id `` is not in sources.csv",
            ),
            (
                "designations.csv",
                "bis_entity_list:hikvision,hikvision,bis_entity_list,P,2020,,export_control,A,O7,",
                "designation_id `bis_entity_list:hikvision` appears more than once",
            ),
            (
                "ownership.csv",
                "hikvision,hikvision,,O7,A,",
                "an entity cannot own itself",
            ),
            (
                "ownership.csv",
                "xpcc,hikvision,120,O7,A,",
                "percent `120` must be a number above 0 and at most 100",
            ),
            (
                "ownership.csv",
                "daqo-new-energy,xinjiang-daqo-new-energy,,R9,B,",
                "ownership edge daqo-new-energy → xinjiang-daqo-new-energy is listed twice",
            ),
            (
                "guarantees.csv",
                "xpcc,xpcc,E1,A,",
                "an entity cannot guarantee itself",
            ),
            (
                "guarantees.csv",
                "xpcc,no-such-issuer,E1,A,",
                "issuer_id `no-such-issuer` is not in entities.csv",
            ),
            (
                "sources.csv",
                "Z9,P,T,ftp://x,,",
                "url `ftp://x` must start with https:// or http://",
            ),
            (
                "sources.csv",
                "O7,P,T,,,",
                "source_id `O7` appears more than once",
            ),
            (
                "lists.csv",
                "l1,L,A,US,severe,,,,",
                "consequence: `severe` is not one of: blocking, investment_ban, import_ban, export_control, procurement_ban, research_only",
            ),
            (
                "dataset.csv",
                "as_of,27 Nov",
                "value: `27 Nov` is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY",
            ),
        ];
        for (table, row, expected) in cases {
            let (line, problems) = problems_after_appending(table, row);
            let want = format!("mappings/{table}:{line}: {expected}");
            assert!(
                problems.contains(&want),
                "{table} + `{row}`:\n  want {want}\n  got  {problems:#?}"
            );
        }
    }

    /// A ticker says the shares trade, so an entity given one must be marked listed: the
    /// problem names the entity's own row, where the fix goes.
    #[test]
    fn a_ticker_needs_a_listed_entity() {
        let (_, problems) =
            problems_after_appending("identifiers.csv", "xpcc,ticker,XSHG:999999,O7,A,");
        let line = EMBEDDED[3]
            .lines()
            .position(|l| l.starts_with("xpcc,"))
            .unwrap()
            + 1;
        let want = format!(
            "mappings/entities.csv:{line}: listed is `` but identifiers.csv gives this entity a ticker: say `yes` or `delisted`"
        );
        assert!(problems.contains(&want), "{problems:#?}");
    }

    /// Tables written before a column was added (no `listed` in entities.csv, no official
    /// counts in lists.csv) still load, the missing columns read as empty.
    #[test]
    fn tables_without_later_columns_still_load() {
        let drop_column = |text: &str, index: usize| -> String {
            let mut out = String::new();
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.as_bytes());
            let mut writer = csv::Writer::from_writer(Vec::new());
            for record in reader.records() {
                let record = record.unwrap();
                let kept: Vec<&str> = record
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != index)
                    .map(|(_, f)| f)
                    .collect();
                writer.write_record(&kept).unwrap();
            }
            out.push_str(std::str::from_utf8(&writer.into_inner().unwrap()).unwrap());
            out
        };
        // `listed` is column 6 of entities.csv; no ticker may then be held, so drop those too.
        let entities = drop_column(EMBEDDED[3], 6);
        let identifiers: String = EMBEDDED[5]
            .lines()
            .filter(|l| !l.contains(",ticker,"))
            .map(|l| format!("{l}\n"))
            .collect();
        let mut texts = tables_with("entities.csv", &entities);
        texts[5].1 = identifiers;
        let data = parse_tables("old".into(), &texts).expect("an older folder loads");
        assert!(
            data.entities
                .iter()
                .all(|e| e.listed == crate::model::ListingStatus::Unknown)
        );
        let wrong = tables_with("entities.csv", &drop_column(EMBEDDED[3], 5));
        let Err(ReferenceError::Invalid { problems, .. }) = parse_tables("x".into(), &wrong) else {
            panic!("a folder missing a required column must fail");
        };
        assert!(problems[0].starts_with("mappings/entities.csv:1: expected columns"));
    }

    #[test]
    fn ownership_cycles_are_found() {
        let (_, problems) = problems_after_appending(
            "ownership.csv",
            "xinjiang-daqo-new-energy,daqo-new-energy,,R9,B,",
        );
        assert!(
            problems.contains(&"mappings/ownership.csv: ownership edges form a cycle: daqo-new-energy → xinjiang-daqo-new-energy → daqo-new-energy".to_string()),
            "{problems:#?}"
        );
    }
}
