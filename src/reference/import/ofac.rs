//! Importer for OFAC's legacy CSV downloads: the SDN list (`sdn.csv`, `alt.csv`, `add.csv`) and
//! the consolidated non-SDN list (`cons_prim.csv`, `cons_alt.csv`, `cons_add.csv`).
//!
//! The files have no header row; fields are `-0-` when empty; the text is Latin-1. The SDN list
//! carries no designation dates, so imported SDN designations say so rather than guess. From the
//! SDN list it selects Global Magnitsky (GLOMAG) entries tied to Xinjiang (by name, remarks,
//! aliases or address, or "Linked To" one that is); from the non-SDN list, the Chinese
//! Military-Industrial Complex (CMIC) rows, whose remarks carry tickers, ISINs, USCCs and dates.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{
    ImportError, ImportSet, ImportedAlias, ImportedDesignation, ImportedEntity, ImportedId,
    ImportedSource, csv_error, decode_text, read_bytes, short_hash,
};
use crate::model::{EntityKind, Grade, IdScheme};

/// Words that tie an entry to Xinjiang.
const XINJIANG_MARKERS: &[&str] = &[
    "xinjiang",
    "xuar",
    "uyghur",
    "uighur",
    "uygar",
    "urumqi",
    "production and construction corps",
];

/// Options for the OFAC import.
#[derive(Debug, Clone, Default)]
pub struct OfacOptions {
    /// Import every CMIC row, not only those tied to Xinjiang or already in the data.
    pub all_cmic: bool,
    /// Where the user downloaded the files, recorded in the source row.
    pub source_url: Option<String>,
}

/// One record of a main file (`sdn.csv`, `cons_prim.csv`).
#[derive(Debug, Clone)]
struct Primary {
    ent_num: String,
    name: String,
    kind: String,
    program: String,
    remarks: String,
    line: u64,
}

/// Reads a headerless OFAC CSV file into rows, `-0-` cells as empty.
fn read_rows(path: &Path) -> Result<Vec<(u64, Vec<String>)>, ImportError> {
    let text = decode_text(&read_bytes(path)?);
    let file = crate::ingest::display_path(path);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(&file, &e))?;
        let line = record.position().map_or(0, |p| p.line());
        // The legacy files end with a single SUB (0x1A) character line.
        if record.len() == 1
            && record[0]
                .trim_matches(|c: char| c == '\u{1a}' || c.is_whitespace())
                .is_empty()
        {
            continue;
        }
        let cells = record
            .iter()
            .map(|c| {
                let c = c.trim();
                if c == "-0-" {
                    String::new()
                } else {
                    c.to_string()
                }
            })
            .collect();
        rows.push((line, cells));
    }
    Ok(rows)
}

fn primaries(path: &Path) -> Result<Vec<Primary>, ImportError> {
    let file = crate::ingest::display_path(path);
    read_rows(path)?
        .into_iter()
        .map(|(line, cells)| {
            if cells.len() < 12 {
                return Err(ImportError::Format {
                    file: file.clone(),
                    line,
                    message: format!(
                        "expected 12 fields (ent_num, name, type, program, …, remarks), found {}",
                        cells.len()
                    ),
                });
            }
            Ok(Primary {
                ent_num: cells[0].clone(),
                name: cells[1].clone(),
                kind: cells[2].clone(),
                program: cells[3].clone(),
                remarks: cells[11].clone(),
                line,
            })
        })
        .collect()
}

/// `ent_num` → values of one column of a companion file (aliases or addresses).
fn companions(
    path: &Path,
    columns: &[usize],
) -> Result<BTreeMap<String, Vec<String>>, ImportError> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if !path.is_file() {
        return Ok(map);
    }
    for (_, cells) in read_rows(path)? {
        let Some(ent) = cells.first() else { continue };
        let text: Vec<&str> = columns
            .iter()
            .filter_map(|&i| cells.get(i))
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect();
        if !text.is_empty() {
            map.entry(ent.clone()).or_default().push(text.join(", "));
        }
    }
    Ok(map)
}

fn mentions_xinjiang(text: &str) -> bool {
    let lower = text.to_lowercase();
    XINJIANG_MARKERS.iter().any(|m| lower.contains(m))
}

/// Remarks are `; `-separated items such as `ISIN CNE100000PM8` or `Linked To: X.`
fn remark_items(remarks: &str) -> Vec<String> {
    remarks
        .split("; ")
        .map(|s| s.trim().trim_end_matches('.').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `03 Jun 2021` → `2021-06-03`.
fn ofac_date(raw: &str) -> Option<String> {
    let parts: Vec<&str> = raw.split_whitespace().collect();
    let [day, month, year] = parts.as_slice() else {
        return None;
    };
    let month = match month.to_ascii_lowercase().as_str() {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    let day: u32 = day.parse().ok()?;
    let year: u32 = year.parse().ok()?;
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// The exchange of a mainland China A-share code, from the exchanges' code ranges: 6xxxxx is
/// Shanghai; 0xxxxx, 2xxxxx and 3xxxxx are Shenzhen.
fn a_share_mic(code: &str) -> Option<&'static str> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match code.as_bytes()[0] {
        b'6' => Some("XSHG"),
        b'0' | b'2' | b'3' => Some("XSHE"),
        _ => None,
    }
}

/// Reads `Equity Ticker 002415 CN`, `Equity Ticker 603019CN`, `Equity Ticker 0728 HK`.
fn ticker_identifier(item: &str) -> Option<ImportedId> {
    let rest = item.strip_prefix("Equity Ticker ")?.trim();
    let (code, country) = match rest.rsplit_once(' ') {
        Some((c, k)) => (c.trim(), k.trim()),
        None if rest.len() > 2 => rest.split_at(rest.len() - 2),
        None => return None,
    };
    let mic = match country {
        "CN" => a_share_mic(code)?,
        "HK" => "XHKG",
        _ => return None,
    };
    Some(ImportedId {
        scheme: IdScheme::Ticker,
        value: format!("{mic}:{code}"),
        note: format!("OFAC Equity Ticker `{rest}`; exchange from the code range"),
    })
}

/// Reads OFAC files from a folder. At least one of `sdn.csv` and `cons_prim.csv` must be there.
pub fn read(dir: &Path, options: &OfacOptions) -> Result<ImportSet, ImportError> {
    let sdn = dir.join("sdn.csv");
    let cons = dir.join("cons_prim.csv");
    if !sdn.is_file() && !cons.is_file() {
        return Err(ImportError::Usage(format!(
            "{}: expected OFAC's sdn.csv (with alt.csv, add.csv) or cons_prim.csv (with cons_alt.csv, cons_add.csv) in this folder",
            crate::ingest::display_path(dir)
        )));
    }
    let mut set = ImportSet::empty(Grade::A);
    if sdn.is_file() {
        read_sdn(dir, options, &mut set)?;
    }
    if cons.is_file() {
        read_cmic(dir, options, &mut set)?;
    }
    Ok(set)
}

fn source_for(
    dir: &Path,
    files: &[&str],
    id_prefix: &str,
    title: &str,
    options: &OfacOptions,
) -> Result<ImportedSource, ImportError> {
    let mut hashes = Vec::new();
    let mut parts: Vec<Vec<u8>> = Vec::new();
    for f in files {
        let path = dir.join(f);
        if path.is_file() {
            let bytes = read_bytes(&path)?;
            hashes.push(format!("{f} SHA-256 {}", {
                use sha2::Digest;
                crate::reference::hex(&sha2::Sha256::digest(&bytes))
            }));
            parts.push(bytes);
        }
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    Ok(ImportedSource {
        id: format!("{id_prefix}-{}", short_hash(&refs)),
        publisher: "US Treasury OFAC".to_string(),
        title: title.to_string(),
        url: options.source_url.clone().unwrap_or_default(),
        published: String::new(),
        note: format!("imported by xjscan from {}", hashes.join("; ")),
    })
}

fn read_sdn(dir: &Path, options: &OfacOptions, set: &mut ImportSet) -> Result<(), ImportError> {
    let rows = primaries(&dir.join("sdn.csv"))?;
    let alts = companions(&dir.join("alt.csv"), &[3])?;
    let addresses = companions(&dir.join("add.csv"), &[2, 3, 4])?;
    let glomag: Vec<&Primary> = rows
        .iter()
        .filter(|p| p.program.contains("GLOMAG"))
        .collect();
    let ties = |p: &Primary| {
        mentions_xinjiang(&p.name)
            || mentions_xinjiang(&p.remarks)
            || alts
                .get(&p.ent_num)
                .is_some_and(|v| v.iter().any(|a| mentions_xinjiang(a)))
            || addresses
                .get(&p.ent_num)
                .is_some_and(|v| v.iter().any(|a| mentions_xinjiang(a)))
    };
    let mut selected: BTreeSet<&str> = glomag
        .iter()
        .filter(|p| ties(p))
        .map(|p| p.ent_num.as_str())
        .collect();
    // Entries "Linked To" a selected entry are part of the same action.
    loop {
        let names: BTreeSet<String> = glomag
            .iter()
            .filter(|p| selected.contains(p.ent_num.as_str()))
            .map(|p| p.name.to_uppercase())
            .collect();
        let before = selected.len();
        for p in &glomag {
            let linked = remark_items(&p.remarks).iter().any(|i| {
                i.strip_prefix("Linked To: ")
                    .is_some_and(|n| names.contains(&n.to_uppercase()))
            });
            if linked {
                selected.insert(&p.ent_num);
            }
        }
        if selected.len() == before {
            break;
        }
    }
    let source = source_for(
        dir,
        &["sdn.csv", "alt.csv", "add.csv"],
        "ofac-sdn",
        "OFAC SDN list (legacy CSV files sdn.csv, alt.csv, add.csv), Xinjiang GLOMAG entries",
        options,
    )?;
    let source_index = set.sources.len();
    set.sources.push(source);
    let mut count = 0;
    for p in glomag
        .iter()
        .filter(|p| selected.contains(p.ent_num.as_str()))
    {
        count += 1;
        let kind = if p.kind.eq_ignore_ascii_case("individual") {
            EntityKind::Person
        } else {
            EntityKind::Government
        };
        let mut e = ImportedEntity::new(format!("OFAC SDN {}", p.ent_num), p.name.clone(), kind);
        e.country = "CN".to_string();
        e.note = format!(
            "OFAC SDN entry {} (sdn.csv line {}){}",
            p.ent_num,
            p.line,
            if p.remarks.is_empty() {
                String::new()
            } else {
                format!("; remarks: {}", p.remarks)
            }
        );
        for alt in alts.get(&p.ent_num).into_iter().flatten() {
            e.aliases.push(ImportedAlias {
                alias: alt.clone(),
                lang: "en",
                kind: "alias",
            });
        }
        e.designations.push(ImportedDesignation {
            list: "ofac_sdn".to_string(),
            programme: format!("{} (E.O. 13818)", p.program.trim_matches(['[', ']'])),
            listed_on: String::new(),
            removed_on: String::new(),
            note: "designation date not given in the OFAC legacy CSV files".to_string(),
        });
        set.entities.push(e);
        set.entity_source.push(source_index);
    }
    set.found.push(format!(
        "SDN list: {} entries, {} under GLOMAG, {count} of them tied to Xinjiang",
        rows.len(),
        glomag.len()
    ));
    Ok(())
}

fn read_cmic(dir: &Path, options: &OfacOptions, set: &mut ImportSet) -> Result<(), ImportError> {
    let rows = primaries(&dir.join("cons_prim.csv"))?;
    let alts = companions(&dir.join("cons_alt.csv"), &[3])?;
    let addresses = companions(&dir.join("cons_add.csv"), &[2, 3, 4])?;
    let cmic: Vec<&Primary> = rows.iter().filter(|p| p.program.contains("CMIC")).collect();
    let source = source_for(
        dir,
        &["cons_prim.csv", "cons_alt.csv", "cons_add.csv"],
        "ofac-cons",
        "OFAC Consolidated (non-SDN) list CSV, NS-CMIC rows",
        options,
    )?;
    let source_index = set.sources.len();
    set.sources.push(source);
    let mut tied = 0;
    for p in &cmic {
        let xinjiang = mentions_xinjiang(&p.remarks)
            || addresses
                .get(&p.ent_num)
                .is_some_and(|v| v.iter().any(|a| mentions_xinjiang(a)));
        if xinjiang {
            tied += 1;
        }
        let mut e = ImportedEntity::new(
            format!("OFAC CMIC {}", p.ent_num),
            p.name.clone(),
            EntityKind::Company,
        );
        e.country = "CN".to_string();
        e.only_if_known = !(xinjiang || options.all_cmic);
        let mut listed_on = String::new();
        let mut dates = Vec::new();
        let mut linked = Vec::new();
        for item in remark_items(&p.remarks) {
            if let Some(id) = ticker_identifier(&item) {
                e.identifiers.push(id);
            } else if let Some(v) = item
                .strip_prefix("ISIN ")
                .or_else(|| item.strip_prefix("alt. ISIN "))
            {
                e.identifiers.push(ImportedId {
                    scheme: IdScheme::Isin,
                    value: v.trim().to_string(),
                    note: String::new(),
                });
            } else if let Some(v) = item.strip_prefix("Unified Social Credit Code (USCC) ") {
                let code = v.split_whitespace().next().unwrap_or_default();
                e.identifiers.push(ImportedId {
                    scheme: IdScheme::Uscc,
                    value: code.to_string(),
                    note: String::new(),
                });
            } else if let Some(v) = item
                .strip_prefix("Issuer Name ")
                .or_else(|| item.strip_prefix("alt. Issuer Name "))
            {
                e.aliases.push(ImportedAlias {
                    alias: v.trim().to_string(),
                    lang: "en",
                    kind: "alias",
                });
            } else if let Some(v) = item.strip_prefix("a.k.a. ") {
                e.aliases.push(ImportedAlias {
                    alias: v.trim_matches('\'').to_string(),
                    lang: "en",
                    kind: "alias",
                });
            } else if let Some(v) = item.strip_prefix("Listing Date (CMIC) ") {
                listed_on = ofac_date(v).unwrap_or_default();
            } else if let Some(v) = item.strip_prefix("Effective Date (CMIC) ") {
                dates.push(format!(
                    "effective {}",
                    ofac_date(v).unwrap_or_else(|| v.to_string())
                ));
            } else if let Some(v) = item.strip_prefix("Purchase/Sales For Divestment Date (CMIC) ")
            {
                dates.push(format!(
                    "purchase/sale for divestment until {}",
                    ofac_date(v).unwrap_or_else(|| v.to_string())
                ));
            } else if let Some(v) = item.strip_prefix("Linked To: ") {
                linked.push(v.to_string());
            }
        }
        for alt in alts.get(&p.ent_num).into_iter().flatten() {
            e.aliases.push(ImportedAlias {
                alias: alt.clone(),
                lang: "en",
                kind: "alias",
            });
        }
        e.note = format!(
            "OFAC non-SDN entry {} (cons_prim.csv line {})",
            p.ent_num, p.line
        );
        if !linked.is_empty() {
            e.note
                .push_str(&format!("; linked to {}", linked.join(", ")));
        }
        let mut note = dates.join("; ");
        if listed_on.is_empty() {
            note = format!(
                "listing date not given in the file{}",
                if note.is_empty() {
                    String::new()
                } else {
                    format!("; {note}")
                }
            );
        }
        e.designations.push(ImportedDesignation {
            list: "ofac_ns_cmic".to_string(),
            programme: "CMIC (E.O. 13959/14032)".to_string(),
            listed_on,
            removed_on: String::new(),
            note,
        });
        set.entities.push(e);
        set.entity_source.push(source_index);
    }
    set.found.push(format!(
        "non-SDN list: {} entries, {} CMIC rows ({tied} name Xinjiang in remarks or address){}",
        rows.len(),
        cmic.len(),
        if options.all_cmic {
            "; importing all CMIC rows"
        } else {
            "; CMIC rows are imported when tied to Xinjiang or already in the data (--all-cmic imports all)"
        }
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remarks() {
        assert_eq!(ofac_date("03 Jun 2021").as_deref(), Some("2021-06-03"));
        assert_eq!(
            ticker_identifier("Equity Ticker 603019CN").unwrap().value,
            "XSHG:603019"
        );
        assert_eq!(
            ticker_identifier("Equity Ticker 002415 CN").unwrap().value,
            "XSHE:002415"
        );
        assert_eq!(
            ticker_identifier("Equity Ticker 0728 HK").unwrap().value,
            "XHKG:0728"
        );
        assert!(ticker_identifier("Equity Ticker CHA US").is_none());
    }
}
