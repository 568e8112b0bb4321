//! A disclosure check over a Form N-PORT data set: the quarter is scanned once, a seeded sample
//! of its filings (one fund series' report each) is drawn, and each sampled fund's claims —
//! from `claims.csv` or, with `--claims-from-names`, from its name — are checked against its
//! flagged long holdings, each cited with its designations.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use super::names_rule::Terms;
use super::{CheckArgs, DisclosureError, Finding, FundRow, bundle, csv_of, policy, read_claims};
use crate::exposure::dataset::nport::{FundExposure, NportFlag};
use crate::model::{Consequence, ReferenceData};
use crate::resolve::normalize_name;
use crate::scan::ScanError;

/// The data set's tables, for the bundle's input hashes: every `.tsv` in the folder, sorted.
pub(super) fn files_of(path: &Path) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "tsv"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Where a fund's claims come from.
enum Claims {
    /// The claims file's rows, and its name as given.
    File(BTreeMap<String, (String, Vec<String>)>, String),
    Names(Terms),
}

impl Claims {
    fn of(args: &CheckArgs) -> Result<Claims, DisclosureError> {
        match (&args.claims, args.claims_from_names) {
            (Some(_), true) => Err(DisclosureError::Usage(
                "give either --claims FILE or --claims-from-names, not both".to_string(),
            )),
            (Some(path), false) => {
                if args.claim_terms.is_some() {
                    return Err(DisclosureError::Usage(
                        "--claim-terms applies with --claims-from-names".to_string(),
                    ));
                }
                Ok(Claims::File(
                    read_claims(path)?,
                    crate::ingest::display_path(path),
                ))
            }
            (None, true) => Ok(Claims::Names(match &args.claim_terms {
                Some(path) => {
                    let text = std::fs::read_to_string(path).map_err(|error| {
                        DisclosureError::Read {
                            path: path.clone(),
                            error,
                        }
                    })?;
                    Terms::new(text.lines())
                }
                None => Terms::default_terms(),
            })),
            (None, false) => Err(DisclosureError::Usage(
                "a data set needs the funds' claims: --claims FILE, or --claims-from-names to read them from the funds' names".to_string(),
            )),
        }
    }

    /// Where the claims come from, for the report (Markdown).
    fn describe(&self) -> String {
        match self {
            Claims::File(_, path) => format!(
                "claims from `{}`",
                crate::report::render::escape_markdown(path)
            ),
            Claims::Names(terms) => format!(
                "claims read from the funds' names (a name with any of {} is taken to claim an ESG policy)",
                terms
                    .texts()
                    .map(|t| format!("“{}”", crate::report::render::escape_markdown(t)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// A fund's claims (labels), and why it is taken to make them.
    fn of_fund(&self, fund: &FundExposure) -> (Vec<String>, String) {
        let name = fund.series_name.clone().unwrap_or_default();
        match self {
            Claims::File(claims, _) => {
                let by_name = normalize_name(&name);
                let found = claims
                    .get(&fund.accession.to_ascii_lowercase())
                    .or_else(|| claims.get(&by_name));
                match found {
                    Some((id, labels)) => (labels.clone(), format!("claims.csv row `{id}`")),
                    None => (Vec::new(), String::new()),
                }
            }
            Claims::Names(terms) => {
                let found = terms.in_name(&name);
                if found.is_empty() {
                    (Vec::new(), String::new())
                } else {
                    let quoted: Vec<String> = found.iter().map(|t| format!("“{t}”")).collect();
                    // A Names Rule term is read as an ESG claim.
                    (
                        vec!["ESG".to_string()],
                        format!("the name carries {}", quoted.join(", ")),
                    )
                }
            }
        }
    }
}

/// The designations that flag a holding, with date, grade and source, for the findings.
fn evidence(entity_ids: &str, data: &ReferenceData) -> (String, String) {
    let mut lists = Vec::new();
    let mut cited = Vec::new();
    for id in entity_ids.split("; ").filter(|s| !s.is_empty()) {
        for d in data.designations_of(id).filter(|d| d.is_active()) {
            lists.push(d.list.clone());
            let url = data
                .source(&d.source_id)
                .map(|s| s.url.as_str())
                .filter(|u| !u.is_empty())
                .map(|u| format!(" {u}"))
                .unwrap_or_default();
            cited.push(format!(
                "{id}: {} {} ({}, grade {}){url}",
                d.list,
                d.listed_on
                    .as_ref()
                    .map_or("date not stated".to_string(), |d| d.to_string()),
                d.consequence.label(),
                d.grade.key(),
            ));
        }
    }
    lists.sort();
    lists.dedup();
    (lists.join(", "), cited.join("; "))
}

/// Runs the check over the N-PORT data set in `dir`.
pub(super) fn run(args: &CheckArgs, dir: &Path) -> Result<Vec<(String, String)>, DisclosureError> {
    let claims = Claims::of(args)?;
    let options = super::scan_options(dir, args);
    let data = options.reference.load().map_err(ScanError::from)?;
    let result = crate::scan::scan_nport_dataset(&options)?;
    let exposure = &result.report.exposure;
    // Funds in accession order, so the draw does not depend on how the tables are sorted.
    // A report restated by a later filing is not the fund's disclosure: only current ones.
    let accessions: Vec<&str> = exposure
        .funds
        .iter()
        .filter(|f| f.superseded_by.is_none())
        .map(|f| f.accession.as_str())
        .collect();
    let chosen = match args.sample {
        Some(n) => super::sample(&accessions, n, args.seed),
        None => accessions.clone(),
    };
    let mut flags: BTreeMap<&str, Vec<&NportFlag>> = BTreeMap::new();
    for f in exposure.flags.iter().filter(|f| f.position == "long") {
        flags.entry(f.accession.as_str()).or_default().push(f);
    }
    let file = crate::ingest::display_path(&dir.join(crate::ingest::nport_dataset::HOLDINGS));
    let (mut funds, mut findings) = (Vec::new(), Vec::new());
    let by_accession: std::collections::HashMap<&str, &FundExposure> = exposure
        .funds
        .iter()
        .map(|f| (f.accession.as_str(), f))
        .collect();
    for accession in chosen {
        let Some(fund) = by_accession.get(accession) else {
            continue;
        };
        let (labels, why_claimed) = claims.of_fund(fund);
        let (excludes, esg) = policy(&labels);
        let name = fund
            .series_name
            .clone()
            .unwrap_or_else(|| fund.accession.clone());
        let label_text = if why_claimed.is_empty() {
            labels.join("; ")
        } else {
            format!("{} ({why_claimed})", labels.join("; "))
        };
        let mut conflicts = 0;
        for f in flags.get(accession).into_iter().flatten() {
            let severe = matches!(
                f.tier.parse::<Consequence>(),
                Ok(Consequence::Blocking | Consequence::InvestmentBan | Consequence::ImportBan)
            );
            let (kind, why) = if excludes {
                (
                    "conflict",
                    "the fund says it excludes forced labour; this holding is flagged",
                )
            } else if esg && severe {
                (
                    "conflict",
                    "a fund claiming ESG holds an issuer under blocking sanctions, an investment ban or an import ban",
                )
            } else {
                ("note", "flagged, but the fund's claims do not exclude it")
            };
            conflicts += usize::from(kind == "conflict");
            let (lists, cited) = evidence(&f.entity_ids, &data);
            findings.push(Finding {
                fund: name.clone(),
                file: format!("{file}:{} ({})", f.line, f.accession),
                labels: label_text.clone(),
                kind,
                issuer: f.name.clone(),
                value: f.value,
                weight_pct: fund
                    .net_assets
                    .filter(|n| *n > Decimal::ZERO)
                    .map_or(Decimal::ZERO, |n| crate::exposure::percent(f.value, n)),
                tier: f
                    .tier
                    .parse::<Consequence>()
                    .map_or(f.tier.clone(), |c| c.label().to_string()),
                lists,
                evidence: cited,
                why: why.to_string(),
            });
        }
        funds.push(FundRow {
            fund: name,
            file: fund.accession.clone(),
            labels: label_text,
            flagged_value: fund.flagged_value,
            flagged_pct: fund.flagged_pct_of_net_assets.unwrap_or_default(),
            conflicts,
        });
    }
    let mut outputs = vec![
        (
            "disclosure.md".to_string(),
            super::markdown(
                args,
                &super::Scope {
                    filings: accessions.len(),
                    claims: claims.describe(),
                },
                &funds,
                &findings,
                &[],
            ),
        ),
        ("disclosure.csv".to_string(), csv_of(&findings)?),
    ];
    outputs.push(("bundle.json".to_string(), bundle(args, &outputs)?));
    Ok(outputs)
}
