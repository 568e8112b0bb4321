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
fn measure_piece(
    frame: DataFrame,
    by_accession: &HashMap<&str, &Filing>,
    resolver: &Resolver,
    data: &ReferenceData,
    totals: &mut Totals,
) -> PolarsResult<()> {
    let rows = frame.lazy();

    // 1. The unit of each filing in the piece, from the prices its share rows imply.
    let priced = rows
        .clone()
        .group_by([col("ACCESSION_NUMBER")])
        .agg([
            col("PUTCALL")
                .is_null()
                .and(col("SSHPRNAMTTYPE").eq(lit("SH")))
                .and(col("SSHPRNAMT").gt(lit(0i64)))
                .and(col("VALUE").is_not_null())
                .cast(DataType::Int64)
                .sum()
                .alias("PRICED"),
            col("PUTCALL")
                .is_null()
                .and(col("SSHPRNAMTTYPE").eq(lit("SH")))
                .and(col("SSHPRNAMT").gt(lit(0i64)))
                .and(col("VALUE").is_not_null())
                .and(col("VALUE").lt(col("SSHPRNAMT")))
                .cast(DataType::Int64)
                .sum()
                .alias("SUB_DOLLAR"),
        ])
        .collect()?;
    let (acc, n, sub) = (
        strs(&priced, "ACCESSION_NUMBER"),
        i64s(&priced, "PRICED"),
        i64s(&priced, "SUB_DOLLAR"),
    );
    let mut units: HashMap<String, (i64, String)> = HashMap::new();
    for i in 0..priced.height() {
        let Some(a) = &acc[i] else { continue };
        let Some(f) = by_accession.get(a.as_str()) else {
            continue;
        };
        let cover = sec13f::Cover {
            period: f.period.clone(),
            filed: f.filed.clone(),
            ..sec13f::Cover::default()
        };
        let (m, note) = sec13f::decide_unit(
            sub[i].unwrap_or(0).max(0) as usize,
            n[i].unwrap_or(0).max(0) as usize,
            &cover,
        );
        units.insert(a.clone(), (if m == Decimal::ONE { 1 } else { 1000 }, note));
    }
    let unit_accessions: Vec<String> = units.keys().cloned().collect();
    let unit_mults: Vec<i64> = unit_accessions.iter().map(|a| units[a].0).collect();
    let unit_frame = df!(
        "ACCESSION_NUMBER" => unit_accessions,
        "MULT" => unit_mults,
    )?;

    // 2. Distinct issuers of the piece; those not seen in an earlier piece are resolved.
    let issuers = rows
        .clone()
        .select([col("NAMEOFISSUER"), col("CUSIP")])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?;
    let (names, cusips) = (strs(&issuers, "NAMEOFISSUER"), strs(&issuers, "CUSIP"));
    let mut fresh: Vec<(String, String)> = (0..issuers.height())
        .map(|i| {
            (
                names[i].clone().unwrap_or_default(),
                cusips[i].clone().unwrap_or_default(),
            )
        })
        .filter(|k| !totals.issuers.contains_key(k))
        .collect();
    fresh.sort();
    let outcomes = resolve_issuers(resolver, data, &fresh);
    for (key, outcome) in fresh.into_iter().zip(outcomes) {
        totals.issuers.insert(key, outcome);
    }
    let (mut m_names, mut m_cusips, mut m_entities, mut m_tiers) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..issuers.height() {
        let key = (
            names[i].clone().unwrap_or_default(),
            cusips[i].clone().unwrap_or_default(),
        );
        if let Some((entities, tier)) = totals.issuers.get(&key).and_then(|o| o.flag.clone()) {
            m_names.push(key.0);
            m_cusips.push(key.1);
            m_entities.push(entities);
            m_tiers.push(tier);
        }
    }
    let matches = df!(
        "NAMEOFISSUER" => m_names,
        "CUSIP" => m_cusips,
        "ENTITIES" => m_entities,
        "TIER" => m_tiers,
    )?;
    // 3. Rows joined with units and matches, then summed per filing.
    let joined = rows
        .join(
            unit_frame.lazy(),
            [col("ACCESSION_NUMBER")],
            [col("ACCESSION_NUMBER")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            matches.lazy(),
            [col("NAMEOFISSUER"), col("CUSIP")],
            [col("NAMEOFISSUER"), col("CUSIP")],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([(col("VALUE") * col("MULT").fill_null(lit(1i64))).alias("USD")]);
    let is_option = col("PUTCALL").is_not_null();
    let valued = col("VALUE").is_not_null();
    let flagged = col("ENTITIES").is_not_null();
    let zero = || lit(0i64);
    let per_filer = joined
        .clone()
        .group_by([col("ACCESSION_NUMBER")])
        .agg([
            len().alias("ROWS"),
            col("VALUE")
                .is_null()
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
                .then(col("USD"))
                .otherwise(zero())
                .sum()
                .alias("LONG_VALUE"),
            valued
                .clone()
                .and(is_option.clone())
                .cast(DataType::Int64)
                .sum()
                .alias("OPTION_ROWS"),
            when(is_option.clone())
                .then(col("USD"))
                .otherwise(zero())
                .sum()
                .alias("OPTION_VALUE"),
            valued
                .clone()
                .and(is_option.clone().not())
                .and(flagged.clone())
                .cast(DataType::Int64)
                .sum()
                .alias("FLAGGED_ROWS"),
            when(is_option.clone().not().and(flagged.clone()))
                .then(col("USD"))
                .otherwise(zero())
                .sum()
                .alias("FLAGGED_VALUE"),
            when(is_option.clone().and(flagged.clone()))
                .then(col("USD"))
                .otherwise(zero())
                .sum()
                .alias("FLAGGED_OPTION_VALUE"),
            col("VALUE").sum().alias("RAW_SUM"),
        ])
        .sort(["ACCESSION_NUMBER"], Default::default())
        .collect()?;
    let flags = joined
        .filter(flagged.and(valued))
        .select([
            col("ACCESSION_NUMBER"),
            col("LINE"),
            col("NAMEOFISSUER"),
            col("CUSIP"),
            col("TITLEOFCLASS"),
            col("USD"),
            col("PUTCALL"),
            col("ENTITIES"),
            col("TIER"),
        ])
        .sort(["ACCESSION_NUMBER", "LINE"], Default::default())
        .collect()?;

    // 4. Back to plain values.
    let col_s = |n| strs(&per_filer, n);
    let col_i = |n| i64s(&per_filer, n);
    let (
        acc,
        rows_n,
        rejected,
        long_rows,
        long_value,
        option_rows,
        option_value,
        flagged_rows,
        flagged_value,
        flagged_option,
        raw_sum,
    ) = (
        col_s("ACCESSION_NUMBER"),
        col_i("ROWS"),
        col_i("REJECTED"),
        col_i("LONG_ROWS"),
        col_i("LONG_VALUE"),
        col_i("OPTION_ROWS"),
        col_i("OPTION_VALUE"),
        col_i("FLAGGED_ROWS"),
        col_i("FLAGGED_VALUE"),
        col_i("FLAGGED_OPTION_VALUE"),
        col_i("RAW_SUM"),
    );
    let count = |v: Option<i64>| v.unwrap_or(0).max(0) as u64;
    let money = |v: Option<i64>| Decimal::from(v.unwrap_or(0));
    let filers = &mut totals.filers;
    let unknown_filings = &mut totals.unknown_filings;
    for i in 0..per_filer.height() {
        let accession = acc[i].clone().unwrap_or_default();
        let filing = by_accession.get(accession.as_str());
        if filing.is_none() {
            unknown_filings.push(accession.clone());
        }
        let (multiplier, unit_note) = units.get(&accession).cloned().unwrap_or((
            1,
            "not in SUBMISSION.tsv; values read as dollars, unverified".to_string(),
        ));
        let declared_total = filing.and_then(|f| f.value_total);
        let total_check = declared_total.map(|t| {
            let s = raw_sum[i].unwrap_or(0);
            if s == t {
                format!("values add up to tableValueTotal {t}")
            } else {
                format!("values add up to {s} as filed, but tableValueTotal says {t}")
            }
        });
        let (long, flagged) = (money(long_value[i]), money(flagged_value[i]));
        let rows = count(rows_n[i]);
        let (lr, or, rr) = (
            count(long_rows[i]),
            count(option_rows[i]),
            count(rejected[i]),
        );
        filers.push(FilerExposure {
            cik: filing.map(|f| f.cik.clone()).unwrap_or_default(),
            filer: filing.and_then(|f| f.filer.clone()),
            period: filing.and_then(|f| f.period.clone()),
            filed: filing.and_then(|f| f.filed.clone()),
            accession,
            unit_multiplier: multiplier,
            unit_note,
            rows,
            rejected_rows: rr,
            long_rows: lr,
            long_value: long,
            option_rows: or,
            option_value: money(option_value[i]),
            flagged_rows: count(flagged_rows[i]),
            flagged_value: flagged,
            flagged_pct: percent(flagged, long),
            flagged_option_value: money(flagged_option[i]),
            declared_total,
            total_check,
            balanced: lr + or + rr == rows,
        });
    }
    let (f_acc, f_line, f_name, f_cusip, f_title, f_usd, f_pc, f_ent, f_tier) = (
        strs(&flags, "ACCESSION_NUMBER"),
        i64s(&flags, "LINE"),
        strs(&flags, "NAMEOFISSUER"),
        strs(&flags, "CUSIP"),
        strs(&flags, "TITLEOFCLASS"),
        i64s(&flags, "USD"),
        strs(&flags, "PUTCALL"),
        strs(&flags, "ENTITIES"),
        strs(&flags, "TIER"),
    );
    totals
        .flags
        .extend((0..flags.height()).map(|i| DatasetFlag {
            accession: f_acc[i].clone().unwrap_or_default(),
            line: count(f_line[i]),
            name: f_name[i].clone().unwrap_or_default(),
            cusip: f_cusip[i].clone().unwrap_or_default(),
            title: f_title[i].clone().unwrap_or_default(),
            value: money(f_usd[i]),
            put_call: f_pc[i].clone(),
            entity_ids: f_ent[i].clone().unwrap_or_default(),
            tier: f_tier[i].clone().unwrap_or_default(),
        }));
    Ok(())
}
