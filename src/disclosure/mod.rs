//! Regulator disclosure checks: for a reproducible random sample of funds, compare each fund's
//! stated policy with its flagged holdings, and record a run bundle that replays byte for byte.
//!
//! `claims.csv` has the columns `fund_id` (a filing's file name without extension, or the fund
//! name the filing states) and `labels` (`;`-separated: "ESG", "excludes forced labour",
//! "SFDR Article 8", "SFDR Article 9", …). A fund whose labels promise to exclude forced labour
//! conflicts with any flagged holding; an ESG or SFDR Article 8/9 fund conflicts with a holding
//! under blocking sanctions, an investment ban or an import ban; that fund's other flags are
//! listed as notes. Labels are matched whole; claims that match no checked filing are listed.
//!
//! The sample is drawn with SplitMix64 seeded by `--seed`: a published, fixed algorithm written
//! out here so that a bundle replays identically whatever version of a random-number crate is
//! in use.
//!
//! Given a Form N-PORT data set folder instead of filings, the sample is drawn from the data
//! set's filings (one fund series' report each), scanned once as a whole; with
//! `--claims-from-names` each fund's claims are read from its name ([`names_rule`]) and the
//! report says which term made the claim.

mod dataset;
pub mod names_rule;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::report::render::{
    RenderError, defuse_formula, escape_markdown, finish_csv, format_money,
};
use crate::resolve::normalize_name;
use crate::scan::{ScanError, ScanOptions, scan};

/// What a disclosure check is run with: everything a replay needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckArgs {
    /// Filing files, as given (or one N-PORT data set folder).
    pub filings: Vec<PathBuf>,
    /// `claims.csv`; absent when claims are read from fund names.
    #[serde(default)]
    pub claims: Option<PathBuf>,
    /// Read each fund's claims from its name (data sets).
    #[serde(default)]
    pub claims_from_names: bool,
    /// The terms that make a claim in a name, one per line (default: [`names_rule::DEFAULT_TERMS`]).
    #[serde(default)]
    pub claim_terms: Option<PathBuf>,
    /// How many funds to sample (all when absent).
    pub sample: Option<usize>,
    pub seed: u64,
    /// A `--mappings` folder, when not the shipped reference data.
    pub mappings: Option<PathBuf>,
}

/// Why a check cannot run.
#[derive(Debug, thiserror::Error)]
pub enum DisclosureError {
    #[error("cannot read {}: {error}", .path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{file}:{line}: {reason}")]
    Claims {
        file: String,
        line: usize,
        reason: String,
    },
    #[error(transparent)]
    Scan(#[from] ScanError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("{0}")]
    Usage(String),
    #[error("{}: the bundle cannot be read: {reason}", .path.display())]
    Bundle { path: PathBuf, reason: String },
    #[error("{}: changed since the bundle was made (SHA-256 {found}, bundle has {expected})", .path.display())]
    InputChanged {
        path: PathBuf,
        expected: String,
        found: String,
    },
}

/// SplitMix64 (Steele, Lea and Flood 2014).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// `n` of `items` chosen by a seeded partial Fisher–Yates shuffle, returned in input order.
pub fn sample<T: Clone>(items: &[T], n: usize, seed: u64) -> Vec<T> {
    let mut idx: Vec<usize> = (0..items.len()).collect();
    let mut rng = SplitMix64(seed);
    let n = n.min(items.len());
    for i in 0..n {
        let span = (items.len() - i) as u64;
        let j = i + (rng.next() % span) as usize;
        idx.swap(i, j);
    }
    let mut chosen: Vec<usize> = idx[..n].to_vec();
    chosen.sort_unstable();
    chosen.into_iter().map(|i| items[i].clone()).collect()
}

fn sha256_file(path: &Path) -> Result<String, DisclosureError> {
    let bytes = std::fs::read(path).map_err(|error| DisclosureError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    Ok(crate::reference::hex(&Sha256::digest(&bytes)))
}

/// Labels that promise something about forced labour or sustainability, matched as whole
/// labels ("Sri Lanka equity" is not "SRI"; "does not exclude forced labour" excludes nothing).
pub(super) fn policy(labels: &[String]) -> (bool, bool) {
    let l: Vec<String> = labels
        .iter()
        .map(|l| l.trim().to_ascii_lowercase())
        .collect();
    let excludes = l.iter().any(|l| {
        matches!(
            l.as_str(),
            "excludes forced labour"
                | "excludes forced labor"
                | "forced labour excluded"
                | "forced labor excluded"
                | "no forced labour"
                | "no forced labor"
        )
    });
    let esg = l.iter().any(|l| {
        matches!(
            l.as_str(),
            "esg"
                | "sri"
                | "sustainable"
                | "sfdr article 8"
                | "sfdr article 9"
                | "article 8"
                | "article 9"
        )
    });
    (excludes, esg)
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Finding {
    pub(super) fund: String,
    pub(super) file: String,
    pub(super) labels: String,
    /// `conflict` or `note`.
    pub(super) kind: &'static str,
    pub(super) issuer: String,
    pub(super) value: Decimal,
    pub(super) weight_pct: Decimal,
    pub(super) tier: String,
    pub(super) lists: String,
    /// Designations with dates, grades and sources; how the holding was matched.
    pub(super) evidence: String,
    pub(super) why: String,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct FundRow {
    pub(super) fund: String,
    pub(super) file: String,
    pub(super) labels: String,
    pub(super) flagged_value: Decimal,
    pub(super) flagged_pct: Decimal,
    pub(super) conflicts: usize,
}

/// A scan of one input as a check runs it: the check's reference data, nothing else.
pub(super) fn scan_options(input: &Path, args: &CheckArgs) -> ScanOptions {
    ScanOptions {
        inputs: vec![input.to_path_buf()],
        name: None,
        reference: args.mappings.clone().map_or(
            crate::reference::Choice::Shipped,
            crate::reference::Choice::Folder,
        ),
        overrides: None,
        fx: None,
        base_currency: "USD".into(),
        look_through: None,
        letters: false,
        config: None,
        templates: None,
        ingest: Default::default(),
        exposure: Default::default(),
        formats: Vec::new(),
        enrich: None,
    }
}

/// Runs a check; returns `(file name, contents)` of the outputs, bundle last.
pub fn run(args: &CheckArgs) -> Result<Vec<(String, String)>, DisclosureError> {
    if let [dir] = args.filings.as_slice()
        && (crate::ingest::nport_dataset::is_dataset(dir)
            || crate::ingest::nport_zip::is_dataset_zip(dir))
    {
        return dataset::run(args, dir);
    }
    if args.claims_from_names || args.claim_terms.is_some() {
        return Err(DisclosureError::Usage(
            "--claims-from-names and --claim-terms apply to an N-PORT data set folder, whose funds' names are in its tables; for filings give --claims".to_string(),
        ));
    }
    let Some(claims_path) = &args.claims else {
        return Err(DisclosureError::Usage(
            "--claims FILE is needed: the funds' stated policies".to_string(),
        ));
    };
    let claims = read_claims(claims_path)?;
    // Sorted first, so the sample does not depend on the order a shell expanded a glob in.
    let mut filings = args.filings.clone();
    filings.sort();
    filings.dedup();
    let chosen = match args.sample {
        Some(n) => sample(&filings, n, args.seed),
        None => filings.clone(),
    };
    let mut matched_claims: std::collections::BTreeSet<String> = Default::default();
    let mut findings = Vec::new();
    let mut funds = Vec::new();
    for path in &chosen {
        let options = scan_options(path, args);
        let result = scan(&options)?;
        let m = &result.model;
        let file = crate::ingest::display_path(path);
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let stated = m.inputs.first().and_then(|i| i.fund.clone());
        let key = if claims.contains_key(&stem) {
            Some(stem.clone())
        } else {
            stated
                .as_deref()
                .map(normalize_name)
                .filter(|k| claims.contains_key(k))
        };
        let labels = key
            .as_ref()
            .and_then(|k| claims.get(k))
            .map(|c| c.1.clone())
            .unwrap_or_default();
        if let Some(original) = key.and_then(|k| claims.get(&k)).map(|c| c.0.clone()) {
            matched_claims.insert(original);
        }
        let fund = stated.unwrap_or_else(|| stem.clone());
        let (excludes, esg) = policy(&labels);
        let label_text = labels.join("; ");
        let mut conflicts = 0;
        for p in &m.flagged {
            let severe = matches!(p.tier, "blocking" | "investment_ban" | "import_ban");
            let (kind, why) = if excludes {
                (
                    "conflict",
                    "the fund says it excludes forced labour; this holding is flagged",
                )
            } else if esg && severe {
                (
                    "conflict",
                    "an ESG / SFDR Article 8 or 9 fund holds an issuer under blocking sanctions, an investment ban or an import ban",
                )
            } else {
                (
                    "note",
                    "flagged, but the fund's stated policy does not exclude it",
                )
            };
            if kind == "conflict" {
                conflicts += 1;
            }
            // The designations that reach the holding (direct links), with their evidence.
            let mut lists: Vec<String> = Vec::new();
            let mut evidence: Vec<String> = Vec::new();
            for e in p.entities.iter().filter(|e| e.link.direct) {
                for d in e.designations.iter().filter(|d| d.active) {
                    lists.push(d.list.clone());
                    evidence.push(format!(
                        "{} {} ({}, grade {}{}){}",
                        d.list,
                        d.listed_on.as_deref().unwrap_or("date not stated"),
                        d.consequence_label,
                        d.grade,
                        if d.verified { "" } else { ", unverified" },
                        d.source
                            .as_ref()
                            .filter(|s| !s.url.is_empty())
                            .map(|s| format!(" {}", s.url))
                            .unwrap_or_default()
                    ));
                }
                for m in &e.matches {
                    evidence.push(format!(
                        "matched by {}: {}",
                        m.method_label, m.holding_value
                    ));
                }
            }
            for e in p.entities.iter().filter(|e| !e.link.direct) {
                evidence.push(format!("{} ({})", e.name, e.link.direction_label));
            }
            lists.sort();
            lists.dedup();
            findings.push(Finding {
                fund: fund.clone(),
                file: file.clone(),
                labels: label_text.clone(),
                kind,
                issuer: p.name.clone(),
                value: p.value,
                weight_pct: p.weight_pct,
                tier: p.tier_label.to_string(),
                lists: lists.join(", "),
                evidence: evidence.join("; "),
                why: why.to_string(),
            });
        }
        funds.push(FundRow {
            fund,
            file,
            labels: label_text,
            flagged_value: m.summary.flagged_value,
            flagged_pct: m.summary.flagged_pct,
            conflicts,
        });
    }
    let mut unmatched: Vec<String> = claims
        .values()
        .map(|c| c.0.clone())
        .filter(|k| !matched_claims.contains(k))
        .collect();
    unmatched.sort();
    unmatched.dedup();
    let mut outputs = vec![
        (
            "disclosure.md".to_string(),
            markdown(
                args,
                &Scope {
                    filings: args.filings.len(),
                    claims: format!(
                        "claims from `{}`",
                        escape_markdown(&crate::ingest::display_path(claims_path))
                    ),
                },
                &funds,
                &findings,
                &unmatched,
            ),
        ),
        ("disclosure.csv".to_string(), csv_of(&findings)?),
    ];
    outputs.push(("bundle.json".to_string(), bundle(args, &outputs)?));
    Ok(outputs)
}

/// Reads and parses `claims.csv`.
pub(super) fn read_claims(
    path: &Path,
) -> Result<BTreeMap<String, (String, Vec<String>)>, DisclosureError> {
    let text = std::fs::read_to_string(path).map_err(|error| DisclosureError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    parse_claims(&crate::ingest::display_path(path), &text)
}

fn parse_claims(
    file: &str,
    text: &str,
) -> Result<BTreeMap<String, (String, Vec<String>)>, DisclosureError> {
    let err = |line: usize, reason: String| DisclosureError::Claims {
        file: file.to_string(),
        line,
        reason,
    };
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().map_err(|e| err(1, e.to_string()))?.clone();
    let col = |n: &str| headers.iter().position(|h| h.trim() == n);
    let (Some(id), Some(labels)) = (col("fund_id"), col("labels")) else {
        return Err(err(1, "expected columns fund_id and labels".to_string()));
    };
    let mut out = BTreeMap::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| err(n + 2, e.to_string()))?;
        let key = record.get(id).unwrap_or("").trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err(err(n + 2, "fund_id is empty".to_string()));
        }
        let list: Vec<String> = record
            .get(labels)
            .unwrap_or("")
            .split(';')
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        // A fund may be named by file stem or by its stated name (normalised).
        let original = record.get(id).unwrap_or("").trim().to_string();
        if out.contains_key(&key) {
            return Err(err(n + 2, format!("a second row for fund `{original}`")));
        }
        out.insert(normalize_name(&key), (original.clone(), list.clone()));
        out.insert(key, (original, list));
    }
    Ok(out)
}

/// What a check was run over: how many filings there were to draw from, and where the
/// claims come from (already Markdown).
pub(super) struct Scope {
    pub(super) filings: usize,
    pub(super) claims: String,
}

pub(super) fn markdown(
    args: &CheckArgs,
    scope: &Scope,
    funds: &[FundRow],
    findings: &[Finding],
    unmatched: &[String],
) -> String {
    let mut out = String::from("# Disclosure check\n\n");
    out.push_str(&format!(
        "{} of {} filings checked{}; {}. A flag is evidence, not a legal finding.\n\n",
        funds.len(),
        scope.filings,
        match args.sample {
            Some(n) => format!(" (random sample of {n}, seed {})", args.seed),
            None => String::new(),
        },
        scope.claims,
    ));
    out.push_str("| Fund | File | Stated policy | Flagged | Share | Conflicts |\n|---|---|---|---:|---:|---:|\n");
    for f in funds {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {}% | {} |\n",
            escape_markdown(&f.fund),
            f.file.replace('`', "'"),
            escape_markdown(if f.labels.is_empty() {
                "none stated"
            } else {
                &f.labels
            }),
            format_money(&f.flagged_value.to_string()),
            f.flagged_pct.round_dp(2),
            f.conflicts
        ));
    }
    out.push_str("\n## Conflicts and notes\n\n| Fund | Kind | Holding | Value | Tier | Lists | Why |\n|---|---|---|---:|---|---|---|\n");
    for f in findings {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            escape_markdown(&f.fund),
            f.kind,
            escape_markdown(&f.issuer),
            format_money(&f.value.to_string()),
            f.tier,
            f.lists,
            f.why
        ));
    }
    if findings.is_empty() {
        out.push_str("| (none) | | | | | | |\n");
    }
    if !unmatched.is_empty() {
        let list: Vec<String> = unmatched
            .iter()
            .map(|u| format!("`{}`", u.replace('`', "'")))
            .collect();
        out.push_str(&format!(
            "\nClaims that matched no checked filing (a typo, or a fund outside the sample): {}\n",
            list.join(", ")
        ));
    }
    out
}

pub(super) fn csv_of(findings: &[Finding]) -> Result<String, RenderError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record([
        "fund",
        "file",
        "labels",
        "kind",
        "holding",
        "value",
        "weight_pct",
        "tier",
        "lists",
        "evidence",
        "why",
    ])?;
    for f in findings {
        w.write_record([
            defuse_formula(&f.fund),
            defuse_formula(&f.file),
            defuse_formula(&f.labels),
            f.kind.to_string(),
            defuse_formula(&f.issuer),
            f.value.to_string(),
            f.weight_pct.to_string(),
            f.tier.to_string(),
            f.lists.clone(),
            defuse_formula(&f.evidence),
            f.why.clone(),
        ])?;
    }
    finish_csv(w)
}

/// The run bundle: arguments, input hashes, reference data hash, thresholds, tool version and
/// the hash of every output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    pub tool: String,
    pub args: CheckArgs,
    pub inputs: BTreeMap<String, String>,
    pub reference_sha256: String,
    pub thresholds: BTreeMap<String, String>,
    pub outputs: BTreeMap<String, String>,
}

pub(super) fn bundle(
    args: &CheckArgs,
    outputs: &[(String, String)],
) -> Result<String, DisclosureError> {
    let mut inputs = BTreeMap::new();
    for p in args
        .filings
        .iter()
        .flat_map(|p| dataset::files_of(p))
        .chain(args.claims.iter().cloned())
        .chain(args.claim_terms.iter().cloned())
    {
        inputs.insert(crate::ingest::display_path(&p), sha256_file(&p)?);
    }
    let reference = match &args.mappings {
        Some(dir) => crate::reference::load_dir(dir),
        None => crate::reference::load_embedded(),
    }
    .map_err(ScanError::from)?;
    let b = Bundle {
        tool: format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")),
        args: args.clone(),
        inputs,
        reference_sha256: reference.meta.sha256,
        thresholds: BTreeMap::from([
            (
                "name_auto".to_string(),
                per_mille(crate::resolve::names::AUTO_THRESHOLD),
            ),
            (
                "name_review".to_string(),
                per_mille(crate::resolve::names::REVIEW_THRESHOLD),
            ),
        ]),
        outputs: outputs
            .iter()
            .map(|(n, t)| {
                (
                    n.clone(),
                    crate::reference::hex(&Sha256::digest(t.as_bytes())),
                )
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&b).map_err(|e| DisclosureError::Bundle {
        path: PathBuf::from("bundle.json"),
        reason: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}

/// A per-mille score as a two-decimal fraction (850 → "0.85").
fn per_mille(v: u32) -> String {
    format!("{}.{:02}", v / 1000, (v % 1000) / 10)
}

/// Replays a bundle: checks that every input is unchanged, reruns the check and returns its
/// outputs with, for each, whether it matches the bundle's hash.
pub fn replay(path: &Path) -> Result<Vec<(String, String, bool)>, DisclosureError> {
    let text = std::fs::read_to_string(path).map_err(|error| DisclosureError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    let original = text.clone();
    let b: Bundle = serde_json::from_str(&text).map_err(|e| DisclosureError::Bundle {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    for (file, expected) in &b.inputs {
        let found = sha256_file(Path::new(file))?;
        if &found != expected {
            return Err(DisclosureError::InputChanged {
                path: PathBuf::from(file),
                expected: expected.clone(),
                found,
            });
        }
    }
    let outputs = run(&b.args)?;
    Ok(outputs
        .into_iter()
        .map(|(name, text)| {
            // The regenerated bundle must equal the original too: same tool version, reference
            // data, thresholds and outputs.
            let same = if name == "bundle.json" {
                text == original
            } else {
                b.outputs.get(&name)
                    == Some(&crate::reference::hex(&Sha256::digest(text.as_bytes())))
            };
            (name, text, same)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_fixed_by_its_seed() {
        let items: Vec<u32> = (0..20).collect();
        let a = sample(&items, 5, 42);
        assert_eq!(a, sample(&items, 5, 42));
        assert_ne!(a, sample(&items, 5, 43));
        assert_eq!(a.len(), 5);
        // The exact draw is part of the contract: a bundle must replay in any later version.
        assert_eq!(a, vec![2, 6, 8, 13, 16]);
        assert_eq!(sample(&items, 50, 1).len(), 20);
    }
}
