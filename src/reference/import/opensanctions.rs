//! Importer for OpenSanctions exports: FollowTheMoney entities as JSON lines (`entities.ftm.json`)
//! and the flat `targets.simple.csv`.
//!
//! OpenSanctions republishes official lists (the UFLPA Entity List, CBP forced-labour actions,
//! OFAC, the DoD 1260H list) and research datasets (Sheffield Hallam's Uyghur-region companies,
//! C4ADS on the XPCC) in one schema. Each dataset maps to one of our lists; listing dates come
//! from `Sanction` records when the export has them and are otherwise left empty, with a note,
//! because `first_seen` is when the crawler first saw an entry, not when it was listed.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::{
    ImportError, ImportSet, ImportedAlias, ImportedDesignation, ImportedEdge, ImportedEntity,
    ImportedId, ImportedSource, csv_error, decode_text, read_bytes, short_hash,
};
use crate::model::{EntityKind, Grade, IdScheme};

/// Our list for an OpenSanctions dataset, and whether it republishes an official list.
pub fn list_for_dataset(dataset: &str) -> Option<(&'static str, bool)> {
    Some(match dataset {
        "us_dhs_uflpa" => ("uflpa", true),
        "us_cbp_forced_labor" => ("cbp_wro", true),
        "us_ofac_sdn" => ("ofac_sdn", true),
        "us_ofac_cons" => ("ofac_ns_cmic", true),
        "us_dod_chinese_milcorps" => ("dod_1260h", true),
        "us_bis_entity" | "us_trade_csl" => ("bis_entity_list", true),
        "eu_journal_sanctions" | "eu_fsf" => ("eu_ghrsr", true),
        "gb_hmt_sanctions" | "gb_fcdo_sanctions" => ("uk_ghr", true),
        "ca_dfatd_sema_sanctions" => ("ca_sema", true),
        "shu_uyghur_companies" | "c4ads_xinjiang" => ("research", false),
        _ => return None,
    })
}

/// Options for the OpenSanctions import.
#[derive(Debug, Clone, Default)]
pub struct OpenSanctionsOptions {
    /// The dataset the file belongs to, when the file does not say (`targets.simple.csv` does).
    pub dataset: Option<String>,
    pub source_url: Option<String>,
}

fn kind_for_schema(schema: &str) -> Option<EntityKind> {
    match schema {
        "Company" | "Organization" | "LegalEntity" => Some(EntityKind::Company),
        "PublicBody" => Some(EntityKind::Government),
        "Person" => Some(EntityKind::Person),
        _ => None,
    }
}

/// Sorts an identifier of unknown scheme by trying each validator.
fn classify_identifier(value: &str) -> Option<IdScheme> {
    use crate::model::ids::{Isin, Lei, Uscc};
    let v = value.trim();
    if v.parse::<Isin>().is_ok() {
        Some(IdScheme::Isin)
    } else if v.parse::<Lei>().is_ok() {
        Some(IdScheme::Lei)
    } else if v.parse::<Uscc>().is_ok() {
        Some(IdScheme::Uscc)
    } else {
        None
    }
}

fn is_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn dataset_list(dataset: &str, file: &str) -> Result<(&'static str, bool), ImportError> {
    list_for_dataset(dataset).ok_or_else(|| {
        ImportError::Usage(format!(
            "{file}: dataset `{dataset}` has no list mapping; known datasets: us_dhs_uflpa, us_cbp_forced_labor, us_ofac_sdn, us_ofac_cons, us_dod_chinese_milcorps, us_bis_entity, us_trade_csl, eu_journal_sanctions, gb_hmt_sanctions, ca_dfatd_sema_sanctions, shu_uyghur_companies, c4ads_xinjiang"
        ))
    })
}

/// Reads an OpenSanctions export file.
pub fn read(path: &Path, options: &OpenSanctionsOptions) -> Result<ImportSet, ImportError> {
    let bytes = read_bytes(path)?;
    let text = decode_text(&bytes);
    let file = crate::ingest::display_path(path);
    let first = text.trim_start();
    let mut set = if first.starts_with('{') {
        read_ftm(&file, &text, options)?
    } else {
        read_simple_csv(&file, &text, options)?
    };
    let dataset_names: Vec<String> = set.found.clone();
    set.found = vec![format!(
        "{file}: {} entities from dataset(s) {}",
        set.entities.len(),
        dataset_names.join(", ")
    )];
    let hash = {
        use sha2::Digest;
        crate::reference::hex(&sha2::Sha256::digest(&bytes))
    };
    set.sources = vec![ImportedSource {
        id: format!("opensanctions-{}", short_hash(&[&bytes])),
        publisher: "OpenSanctions".to_string(),
        title: format!("OpenSanctions export of {}", dataset_names.join(", ")),
        url: options.source_url.clone().unwrap_or_default(),
        published: String::new(),
        note: format!(
            "imported by xjscan from {} (SHA-256 {hash})",
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
    }];
    set.entity_source = vec![0; set.entities.len()];
    Ok(set)
}

fn strings(props: &Value, key: &str) -> Vec<String> {
    props
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn read_ftm(
    file: &str,
    text: &str,
    options: &OpenSanctionsOptions,
) -> Result<ImportSet, ImportError> {
    let mut entities: BTreeMap<String, (u64, Value)> = BTreeMap::new();
    let mut sanctions: Vec<Value> = Vec::new();
    let mut ownerships: Vec<Value> = Vec::new();
    let mut securities: Vec<Value> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line).map_err(|e| ImportError::Format {
            file: file.to_string(),
            line: line_no,
            message: format!("not a FollowTheMoney JSON entity: {e}"),
        })?;
        let schema = value
            .get("schema")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let id = value
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        match schema {
            "Sanction" => sanctions.push(value),
            "Ownership" => ownerships.push(value),
            "Security" => securities.push(value),
            s if kind_for_schema(s).is_some() && !id.is_empty() => {
                entities.insert(id, (line_no, value));
            }
            _ => {}
        }
    }
    let mut datasets = std::collections::BTreeSet::new();
    let mut by_entity_sanctions: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for s in &sanctions {
        let props = &s["properties"];
        for target in strings(props, "entity") {
            by_entity_sanctions.entry(target).or_default().push(s);
        }
    }
    let mut set = ImportSet::empty(Grade::A);
    for (id, (line, value)) in &entities {
        let props = &value["properties"];
        let schema = value["schema"].as_str().unwrap_or_default();
        let names = strings(props, "name");
        let Some(name) = names
            .iter()
            .find(|n| !is_chinese(n))
            .or(names.first())
            .cloned()
        else {
            continue;
        };
        let entity_datasets: Vec<String> = match &options.dataset {
            Some(d) => vec![d.clone()],
            None => value
                .get("datasets")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        };
        if entity_datasets.is_empty() {
            return Err(ImportError::Format {
                file: file.to_string(),
                line: *line,
                message: "entity has no `datasets`; name the dataset with --dataset".to_string(),
            });
        }
        let mut e = ImportedEntity::new(
            format!("OpenSanctions {id}"),
            name.clone(),
            kind_for_schema(schema).unwrap_or(EntityKind::Company),
        );
        e.name_zh = names
            .iter()
            .find(|n| is_chinese(n))
            .cloned()
            .unwrap_or_default();
        if e.name_zh == name {
            e.name_zh.clear();
        }
        e.country = strings(props, "country")
            .into_iter()
            .chain(strings(props, "jurisdiction"))
            .next()
            .map(|c| c.to_uppercase())
            .filter(|c| c.len() == 2)
            .unwrap_or_default();
        e.note = format!("OpenSanctions entity {id}");
        for (key, kind) in [
            ("alias", "alias"),
            ("previousName", "former"),
            ("weakAlias", "short"),
        ] {
            for alias in strings(props, key) {
                e.aliases.push(ImportedAlias {
                    lang: if is_chinese(&alias) { "zh" } else { "en" },
                    alias,
                    kind,
                });
            }
        }
        for n in names.iter().filter(|n| **n != name && **n != e.name_zh) {
            e.aliases.push(ImportedAlias {
                alias: n.clone(),
                lang: if is_chinese(n) { "zh" } else { "en" },
                kind: "alias",
            });
        }
        for (key, scheme) in [
            ("isinCode", Some(IdScheme::Isin)),
            ("leiCode", Some(IdScheme::Lei)),
            ("uscCode", Some(IdScheme::Uscc)),
            ("registrationNumber", None),
            ("taxNumber", None),
        ] {
            for v in strings(props, key) {
                if let Some(scheme) = scheme.or_else(|| classify_identifier(&v)) {
                    e.identifiers.push(ImportedId {
                        scheme,
                        value: v,
                        note: format!("OpenSanctions property {key}"),
                    });
                }
            }
        }
        for sec in &securities {
            let sp = &sec["properties"];
            if strings(sp, "issuer").contains(id) {
                for isin in strings(sp, "isin") {
                    e.identifiers.push(ImportedId {
                        scheme: IdScheme::Isin,
                        value: isin,
                        note: "OpenSanctions Security record".to_string(),
                    });
                }
            }
        }
        let mut research = false;
        for dataset in &entity_datasets {
            let (list, official) = dataset_list(dataset, file)?;
            datasets.insert(dataset.clone());
            research |= !official;
            let sanction = by_entity_sanctions.get(id).and_then(|v| v.first());
            let sp = sanction.map(|s| &s["properties"]);
            let first = |key: &str| {
                sp.map(|p| strings(p, key))
                    .and_then(|v| v.into_iter().next())
                    .unwrap_or_default()
            };
            let listed_on = [first("listingDate"), first("startDate")]
                .into_iter()
                .find(|d| d.parse::<crate::model::IsoDate>().is_ok())
                .unwrap_or_default();
            let removed_on = Some(first("endDate"))
                .filter(|d| d.parse::<crate::model::IsoDate>().is_ok())
                .unwrap_or_default();
            let programme = [first("program"), first("authority")]
                .into_iter()
                .find(|p| !p.is_empty())
                .unwrap_or_else(|| format!("OpenSanctions dataset {dataset}"));
            let mut note = format!("via OpenSanctions dataset {dataset}");
            if listed_on.is_empty() {
                note.push_str("; listing date not given in the export");
            }
            let url = first("sourceUrl");
            if !url.is_empty() {
                note.push_str(&format!("; source {url}"));
            }
            e.designations.push(ImportedDesignation {
                list: list.to_string(),
                programme,
                listed_on,
                removed_on,
                note,
            });
        }
        // Official lists republished by OpenSanctions are graded like other official data (A);
        // research datasets as reputable secondary material (B).
        e.grade = Some(if research { Grade::B } else { Grade::A });
        set.entities.push(e);
    }
    for o in &ownerships {
        let p = &o["properties"];
        for (owner, asset) in strings(p, "owner").iter().zip(strings(p, "asset").iter()) {
            set.edges.push(ImportedEdge {
                parent_key: format!("OpenSanctions {owner}"),
                child_key: format!("OpenSanctions {asset}"),
                percent: strings(p, "percentage")
                    .into_iter()
                    .next()
                    .filter(|v| v.parse::<rust_decimal::Decimal>().is_ok())
                    .unwrap_or_default(),
                note: "OpenSanctions Ownership record".to_string(),
            });
        }
    }
    set.found = datasets.into_iter().collect();
    Ok(set)
}

fn read_simple_csv(
    file: &str,
    text: &str,
    options: &OpenSanctionsOptions,
) -> Result<ImportSet, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::Format {
            file: file.to_string(),
            line: 1,
            message: e.to_string(),
        })?
        .iter()
        .map(str::to_string)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(c_id), Some(c_schema), Some(c_name)) = (col("id"), col("schema"), col("name")) else {
        return Err(ImportError::Format {
            file: file.to_string(),
            line: 1,
            message: format!(
                "expected a targets.simple.csv header with id, schema, name, aliases, countries, identifiers, dataset; found {}",
                header.join(", ")
            ),
        });
    };
    let (c_aliases, c_countries, c_ids, c_dataset) = (
        col("aliases"),
        col("countries"),
        col("identifiers"),
        col("dataset"),
    );
    let mut set = ImportSet::empty(Grade::A);
    let mut datasets = std::collections::BTreeSet::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(file, &e))?;
        let line = record.position().map_or(0, |p| p.line());
        let get = |c: Option<usize>| c.and_then(|i| record.get(i)).unwrap_or_default().trim();
        let Some(kind) = kind_for_schema(get(Some(c_schema))) else {
            continue;
        };
        let name = get(Some(c_name)).to_string();
        if name.is_empty() {
            continue;
        }
        let mut e = ImportedEntity::new(format!("OpenSanctions {}", get(Some(c_id))), name, kind);
        e.note = format!("OpenSanctions entity {}", get(Some(c_id)));
        e.country = get(c_countries)
            .split(';')
            .next()
            .map(|c| c.trim().to_uppercase())
            .filter(|c| c.len() == 2)
            .unwrap_or_default();
        for alias in get(c_aliases)
            .split(';')
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            e.aliases.push(ImportedAlias {
                alias: alias.to_string(),
                lang: if is_chinese(alias) { "zh" } else { "en" },
                kind: "alias",
            });
        }
        for v in get(c_ids)
            .split(';')
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            if let Some(scheme) = classify_identifier(v) {
                e.identifiers.push(ImportedId {
                    scheme,
                    value: v.to_string(),
                    note: "OpenSanctions identifiers column".to_string(),
                });
            }
        }
        let row_datasets: Vec<String> = match &options.dataset {
            Some(d) => vec![d.clone()],
            None => get(c_dataset)
                .split(';')
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty())
                .collect(),
        };
        if row_datasets.is_empty() {
            return Err(ImportError::Format {
                file: file.to_string(),
                line,
                message: "row has no dataset; name the dataset with --dataset".to_string(),
            });
        }
        let mut research = false;
        for dataset in row_datasets {
            let (list, official) = dataset_list(&dataset, file)?;
            research |= !official;
            e.designations.push(ImportedDesignation {
                list: list.to_string(),
                programme: format!("OpenSanctions dataset {dataset}"),
                listed_on: String::new(),
                removed_on: String::new(),
                note: format!("via OpenSanctions dataset {dataset}; listing date not given in targets.simple.csv"),
            });
            datasets.insert(dataset);
        }
        e.grade = Some(if research { Grade::B } else { Grade::A });
        set.entities.push(e);
    }
    set.found = datasets.into_iter().collect();
    Ok(set)
}
