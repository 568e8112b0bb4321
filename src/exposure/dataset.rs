//! Exposure over a whole Form 13F data set: every filing is a portfolio, millions of rows.
//!
//! The work is shaped for scale. Distinct issuers (name + CUSIP) are resolved once each through
//! the same resolver as single portfolios; the per-filing unit decision is made once per filing;
//! everything per row — scaling, joining the matches, summing per filing — is done by polars in
//! columnar form, with integer dollars (the data sets' values are whole numbers), so the sums
//! are exact. Only flagged rows are brought back as Rust values.

use std::collections::HashMap;

use polars::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{flagging, percent};
use crate::ingest::sec_dataset::{self, DatasetFiles, Filing};
use crate::ingest::{IngestError, sec13f};
use crate::model::ids::Cusip;
use crate::model::{Holding, HoldingIds, PositionKind, ReferenceData, SourceLine};
use crate::resolve::{Candidate, Overrides, Resolver};

/// One filing's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilerExposure {
    pub accession: String,
    pub cik: String,
    pub filer: Option<String>,
    pub period: Option<String>,
    pub filed: Option<String>,
    /// `1` for dollars, `1000` for thousands; and why.
    pub unit_multiplier: i64,
    pub unit_note: String,
    pub rows: u64,
    /// Rows whose value is not a number (kept out of every total).
    pub rejected_rows: u64,
    pub long_rows: u64,
    pub long_value: Decimal,
    pub option_rows: u64,
    pub option_value: Decimal,
    pub flagged_rows: u64,
    pub flagged_value: Decimal,
    /// Flagged value as a percentage of the long value.
    pub flagged_pct: Decimal,
    /// The option rows linked to a flagged entity (reported apart from long exposure).
    pub flagged_option_value: Decimal,
    /// `tableValueTotal` from `SUMMARYPAGE.tsv`, as filed, and whether the rows add up to it.
    pub declared_total: Option<i64>,
    pub total_check: Option<String>,
    /// True when rows = long + option + rejected rows.
    pub balanced: bool,
}

/// One flagged row of the information table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetFlag {
    pub accession: String,
    pub line: u64,
    pub name: String,
    pub cusip: String,
    pub title: String,
    pub value: Decimal,
    pub put_call: Option<String>,
    pub entity_ids: String,
    pub tier: String,
}

/// The whole data set's exposure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetExposure {
    pub rows: u64,
    pub filings: u64,
    pub distinct_issuers: u64,
    pub flagged_issuers: u64,
    pub long_value: Decimal,
    pub flagged_value: Decimal,
    pub flagged_pct: Decimal,
    pub filers: Vec<FilerExposure>,
    pub flags: Vec<DatasetFlag>,
    /// Filings in the information table that `SUBMISSION.tsv` does not list.
    pub unknown_filings: Vec<String>,
    /// Distinct issuers whose names are in the review band (not flagged).
    pub review: Vec<DatasetReview>,
}

/// A distinct issuer of the data set with a possible match awaiting review.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct DatasetReview {
    pub holding_name: String,
    pub cusip: String,
    pub candidate: Candidate,
}

fn i64s(df: &DataFrame, name: &str) -> Vec<Option<i64>> {
    match df.column(name).and_then(|c| c.cast(&DataType::Int64)) {
        Ok(c) => c.i64().map(|ca| ca.iter().collect()).unwrap_or_default(),
        Err(_) => vec![None; df.height()],
    }
}

fn strs(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    match df.column(name).and_then(|c| c.str().cloned()) {
        Ok(ca) => ca.iter().map(|v| v.map(str::to_string)).collect(),
        Err(_) => vec![None; df.height()],
    }
}

/// What is known about a distinct issuer (name + CUSIP) once resolved: entity ids and tier
/// when flagged, and review candidates.
#[derive(Debug, Clone, Default)]
struct IssuerOutcome {
    flag: Option<(String, String)>,
    review: Vec<Candidate>,
}

/// Resolves distinct issuers, each once for the whole data set, on every core: names are
/// independent, and the results are put back in input order, so the output does not depend on
/// the number of threads.
fn resolve_issuers(
    resolver: &Resolver,
    data: &ReferenceData,
    issuers: &[(String, String)],
) -> Vec<IssuerOutcome> {
    let resolve_one = |(name, cusip): &(String, String)| {
        let holding = Holding {
            source: SourceLine {
                file: String::new(),
                line: 0,
            },
            name: name.clone(),
            name_source: None,
            description: None,
            ids: HoldingIds {
                cusip: cusip.parse::<Cusip>().ok(),
                ..HoldingIds::default()
            },
            quantity: None,
            quantity_unit: None,
            kind: PositionKind::Long,
            value: Decimal::ZERO,
            currency: None,
            weight_pct: None,
            asset_class: None,
        };
        let resolution = resolver.resolve(&holding);
        let (tier, entities) = flagging(&resolution.matches, data);
        IssuerOutcome {
            flag: tier.map(|t| (entities.join("; "), t.key().to_string())),
            review: resolution.review,
        }
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    if threads < 2 || issuers.len() < 2_000 {
        return issuers.iter().map(resolve_one).collect();
    }
    let chunk = issuers.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = issuers
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(resolve_one).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Everything measured over the pieces so far.
#[derive(Default)]
struct Totals {
    filers: Vec<FilerExposure>,
    flags: Vec<DatasetFlag>,
    unknown_filings: Vec<String>,
    /// Every distinct issuer seen, with its outcome.
    issuers: HashMap<(String, String), IssuerOutcome>,
}

/// Measures a data set against the reference data.
///
/// The information table is measured piece by piece — the whole `INFOTABLE.tsv`, or each
/// Parquet partition — and the pieces' figures merged: per-filing figures are concatenated
/// (a piece holds whole filings), distinct issuers are united, and everything is sorted. One
/// piece or many, the result is the same; this is the map and reduce a distributed engine
/// would run (see `docs/scaling.md`).
pub fn measure(
    files: &DatasetFiles,
    data: &ReferenceData,
    overrides: Overrides,
) -> Result<DatasetExposure, IngestError> {
    let filings = sec_dataset::filings(files)?;
    let by_accession: HashMap<&str, &Filing> =
        filings.iter().map(|f| (f.accession.as_str(), f)).collect();
    let resolver = Resolver::with_overrides(data, overrides);
    let mut totals = Totals::default();
    for (path, piece) in sec_dataset::infotable_pieces(files) {
        let err = |e: PolarsError| sec_dataset::piece_error(&path, e);
        // Read once; every step below works on the frame in memory.
        let frame = piece.map_err(err)?.collect().map_err(err)?;
        measure_piece(frame, &by_accession, &resolver, data, &mut totals).map_err(err)?;
    }
    let Totals {
        mut filers,
        mut flags,
        mut unknown_filings,
        issuers,
    } = totals;
    filers.sort_by(|a, b| a.accession.cmp(&b.accession));
    flags.sort_by(|a, b| (&a.accession, a.line).cmp(&(&b.accession, b.line)));
    unknown_filings.sort();
    let mut review: Vec<DatasetReview> = issuers
        .iter()
        .flat_map(|((name, cusip), o)| {
            o.review.iter().map(|c| DatasetReview {
                holding_name: name.clone(),
                cusip: cusip.clone(),
                candidate: c.clone(),
            })
        })
        .collect();
    review.sort();
    let long_total: Decimal = filers.iter().map(|f| f.long_value).sum();
    let flagged_total: Decimal = filers.iter().map(|f| f.flagged_value).sum();
    Ok(DatasetExposure {
        rows: filers.iter().map(|f| f.rows).sum(),
        filings: filers.len() as u64,
        distinct_issuers: issuers.len() as u64,
        flagged_issuers: issuers.values().filter(|o| o.flag.is_some()).count() as u64,
        long_value: long_total,
        flagged_value: flagged_total,
        flagged_pct: percent(flagged_total, long_total),
        filers,
        flags,
        unknown_filings,
        review,
    })
}

/// Measures one piece of the information table (whole filings) into `totals`.
///
/// Three passes over the frame in memory: the distinct issuers; a group-by per filing for
/// every count and raw sum, run while the new issuers are resolved; and a filter for the rows
/// of the (few) flagged names. The unit multiplier is constant within a filing, so it is
/// applied to the sums afterwards (`sum(value) × m = sum(value × m)` in integers).
fn measure_piece(
    frame: DataFrame,
    by_accession: &HashMap<&str, &Filing>,
    resolver: &Resolver,
    data: &ReferenceData,
    totals: &mut Totals,
) -> PolarsResult<()> {
    let rows = frame.clone().lazy();

    // 1. The passes: distinct issuers, and every count and raw sum per filing.
    let is_option = col("PUTCALL").is_not_null();
    let valued = col("VALUE").is_not_null();
    let priced = is_option
        .clone()
        .not()
        .and(col("SSHPRNAMTTYPE").eq(lit("SH")))
        .and(col("SSHPRNAMT").gt(lit(0i64)))
        .and(valued.clone());
    let zero = || lit(0i64);
    let issuer_plan = rows
        .clone()
        .select([col("NAMEOFISSUER"), col("CUSIP")])
        .unique(None, UniqueKeepStrategy::Any);
    let filer_plan = rows
        .group_by([col("ACCESSION_NUMBER")])
        .agg([
            len().alias("ROWS"),
            valued
                .clone()
                .not()
                .cast(DataType::Int64)
                .sum()
                .alias("REJECTED"),
            valued
                .clone()
                .and(is_option.clone().not())
                .cast(DataType::Int64)
                .sum()
                .alias("LONG_ROWS"),
            when(is_option.clone().not())
                .then(col("VALUE"))
                .otherwise(zero())
                .sum()
                .alias("LONG_RAW"),
            valued
                .clone()
                .and(is_option.clone())
                .cast(DataType::Int64)
                .sum()
                .alias("OPTION_ROWS"),
            when(is_option.clone())
                .then(col("VALUE"))
                .otherwise(zero())
                .sum()
                .alias("OPTION_RAW"),
            col("VALUE").sum().alias("RAW_SUM"),
            priced.clone().cast(DataType::Int64).sum().alias("PRICED"),
            priced
                .and(col("VALUE").lt(col("SSHPRNAMT")))
                .cast(DataType::Int64)
                .sum()
                .alias("SUB_DOLLAR"),
        ])
        .sort(["ACCESSION_NUMBER"], Default::default());
    let issuers = issuer_plan.collect()?;

    // 2. Issuers not seen in an earlier piece are resolved.
    let (names, cusips) = (strs(&issuers, "NAMEOFISSUER"), strs(&issuers, "CUSIP"));
    let keys: Vec<(String, String)> = (0..issuers.height())
        .map(|i| {
            (
                names[i].clone().unwrap_or_default(),
                cusips[i].clone().unwrap_or_default(),
            )
        })
        .collect();
    let mut fresh: Vec<(String, String)> = keys
        .iter()
        .filter(|k| !totals.issuers.contains_key(*k))
        .cloned()
        .collect();
    fresh.sort();
    // Resolution (Rust threads) and the per-filing pass (polars' pool) overlap: neither needs
    // the other, and each leaves cores idle part of the time.
    let (outcomes, per_filer) = std::thread::scope(|scope| {
        let filers = scope.spawn(move || filer_plan.collect());
        let outcomes = resolve_issuers(resolver, data, &fresh);
        let per_filer = filers.join().unwrap_or_else(|_| {
            Err(PolarsError::ComputeError(
                "the per-filing pass failed".into(),
            ))
        });
        (outcomes, per_filer)
    });
    let per_filer = per_filer?;
    for (key, outcome) in fresh.into_iter().zip(outcomes) {
        totals.issuers.insert(key, outcome);
    }

    // 3. The rows of flagged issuers.
    let mut matched: HashMap<(String, String), (String, String)> = HashMap::new();
    for key in keys {
        if let Some(flag) = totals.issuers.get(&key).and_then(|o| o.flag.clone()) {
            matched.insert(key, flag);
        }
    }
    // Candidate rows by CUSIP: nine characters sit inside a string view, so each comparison is
    // a fixed-size compare, not a string compare. Pairs without a CUSIP are found by name.
    let mut by_cusip: Vec<&str> = Vec::new();
    let mut by_name: Vec<&str> = Vec::new();
    for (name, cusip) in matched.keys() {
        if cusip.is_empty() {
            by_name.push(name);
        } else {
            by_cusip.push(cusip);
        }
    }
    by_cusip.sort_unstable();
    by_cusip.dedup();
    by_name.sort_unstable();
    by_name.dedup();
    let is_flagged = by_cusip
        .iter()
        .map(|c| col("CUSIP").eq(lit(*c)))
        .chain(by_name.iter().map(|n| col("NAMEOFISSUER").eq(lit(*n))))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false));
    let candidates = frame
        .lazy()
        .filter(is_flagged)
        .sort(["ACCESSION_NUMBER", "LINE"], Default::default())
        .collect()?;
    // 4. Back to plain values: units per filing, then the figures.
    let count = |v: Option<i64>| v.unwrap_or(0).max(0) as u64;
    let (acc, priced_n, sub_dollar) = (
        strs(&per_filer, "ACCESSION_NUMBER"),
        i64s(&per_filer, "PRICED"),
        i64s(&per_filer, "SUB_DOLLAR"),
    );
    let mut units: HashMap<String, (i64, String)> = HashMap::new();
    for i in 0..per_filer.height() {
        let accession = acc[i].clone().unwrap_or_default();
        let unit = match by_accession.get(accession.as_str()) {
            Some(f) => {
                let cover = sec13f::Cover {
                    period: f.period.clone(),
                    filed: f.filed.clone(),
                    ..sec13f::Cover::default()
                };
                let (m, note) = sec13f::decide_unit(
                    count(sub_dollar[i]) as usize,
                    count(priced_n[i]) as usize,
                    &cover,
                );
                (if m == Decimal::ONE { 1 } else { 1000 }, note)
            }
            None => (
                1,
                "not in SUBMISSION.tsv; values read as dollars, unverified".to_string(),
            ),
        };
        units.insert(accession, unit);
    }

    // Flagged rows and their per-filing sums.
    #[derive(Default)]
    struct Flagged {
        rows: u64,
        value: i64,
        option_value: i64,
    }
    let mut flagged_by_filer: HashMap<String, Flagged> = HashMap::new();
    let (c_acc, c_line, c_name, c_cusip, c_title, c_value, c_pc) = (
        strs(&candidates, "ACCESSION_NUMBER"),
        i64s(&candidates, "LINE"),
        strs(&candidates, "NAMEOFISSUER"),
        strs(&candidates, "CUSIP"),
        strs(&candidates, "TITLEOFCLASS"),
        i64s(&candidates, "VALUE"),
        strs(&candidates, "PUTCALL"),
    );
    for i in 0..candidates.height() {
        let key = (
            c_name[i].clone().unwrap_or_default(),
            c_cusip[i].clone().unwrap_or_default(),
        );
        let Some((entities, tier)) = matched.get(&key) else {
            continue;
        };
        // Rows without a value are rejected rows, in no total and no flag.
        let Some(raw) = c_value[i] else { continue };
        let accession = c_acc[i].clone().unwrap_or_default();
        let multiplier = units.get(&accession).map_or(1, |u| u.0);
        let usd = raw * multiplier;
        let entry = flagged_by_filer.entry(accession.clone()).or_default();
        if c_pc[i].is_some() {
            entry.option_value += usd;
        } else {
            entry.rows += 1;
            entry.value += usd;
        }
        totals.flags.push(DatasetFlag {
            accession,
            line: count(c_line[i]),
            name: key.0,
            cusip: key.1,
            title: c_title[i].clone().unwrap_or_default(),
            value: Decimal::from(usd),
            put_call: c_pc[i].clone(),
            entity_ids: entities.clone(),
            tier: tier.clone(),
        });
    }

    let col_i = |n| i64s(&per_filer, n);
    let (rows_n, rejected, long_rows, long_raw, option_rows, option_raw, raw_sum) = (
        col_i("ROWS"),
        col_i("REJECTED"),
        col_i("LONG_ROWS"),
        col_i("LONG_RAW"),
        col_i("OPTION_ROWS"),
        col_i("OPTION_RAW"),
        col_i("RAW_SUM"),
    );
    for i in 0..per_filer.height() {
        let accession = acc[i].clone().unwrap_or_default();
        let filing = by_accession.get(accession.as_str());
        if filing.is_none() {
            totals.unknown_filings.push(accession.clone());
        }
        let (multiplier, unit_note) = units.get(&accession).cloned().unwrap_or_default();
        let declared_total = filing.and_then(|f| f.value_total);
        let total_check = declared_total.map(|t| {
            let s = raw_sum[i].unwrap_or(0);
            if s == t {
                format!("values add up to tableValueTotal {t}")
            } else {
                format!("values add up to {s} as filed, but tableValueTotal says {t}")
            }
        });
        let money = |v: Option<i64>| Decimal::from(v.unwrap_or(0) * multiplier);
        let (long, flagged) = (
            money(long_raw[i]),
            flagged_by_filer
                .get(&accession)
                .map_or(Decimal::ZERO, |f| Decimal::from(f.value)),
        );
        let rows = count(rows_n[i]);
        let (lr, or, rr) = (
            count(long_rows[i]),
            count(option_rows[i]),
            count(rejected[i]),
        );
        totals.filers.push(FilerExposure {
            cik: filing.map(|f| f.cik.clone()).unwrap_or_default(),
            filer: filing.and_then(|f| f.filer.clone()),
            period: filing.and_then(|f| f.period.clone()),
            filed: filing.and_then(|f| f.filed.clone()),
            accession: accession.clone(),
            unit_multiplier: multiplier,
            unit_note,
            rows,
            rejected_rows: rr,
            long_rows: lr,
            long_value: long,
            option_rows: or,
            option_value: money(option_raw[i]),
            flagged_rows: flagged_by_filer.get(&accession).map_or(0, |f| f.rows),
            flagged_value: flagged,
            flagged_pct: percent(flagged, long),
            flagged_option_value: flagged_by_filer
                .get(&accession)
                .map_or(Decimal::ZERO, |f| Decimal::from(f.option_value)),
            declared_total,
            total_check,
            balanced: lr + or + rr == rows,
        });
    }
    Ok(())
}
