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

/// Measures a data set against the reference data.
pub fn measure(
    files: &DatasetFiles,
    data: &ReferenceData,
    overrides: Overrides,
) -> Result<DatasetExposure, IngestError> {
    let err = |e: PolarsError| sec_dataset::infotable_error(files, e);
    let filings = sec_dataset::filings(files)?;
    let rows = sec_dataset::infotable(files).map_err(err)?;

    // 1. The unit of each filing, from the prices its share rows imply.
    let priced = rows
        .clone()
        .filter(
            col("PUTCALL")
                .is_null()
                .and(col("SSHPRNAMTTYPE").eq(lit("SH")))
                .and(col("SSHPRNAMT").gt(lit(0i64)))
                .and(col("VALUE").is_not_null()),
        )
        .group_by([col("ACCESSION_NUMBER")])
        .agg([
            len().alias("PRICED"),
            col("VALUE")
                .lt(col("SSHPRNAMT"))
                .cast(DataType::Int64)
                .sum()
                .alias("SUB_DOLLAR"),
        ])
        .collect()
        .map_err(err)?;
    let mut price_stats: HashMap<String, (usize, usize)> = HashMap::new();
    {
        let (acc, n, sub) = (
            strs(&priced, "ACCESSION_NUMBER"),
            i64s(&priced, "PRICED"),
            i64s(&priced, "SUB_DOLLAR"),
        );
        for i in 0..priced.height() {
            if let Some(a) = &acc[i] {
                price_stats.insert(
                    a.clone(),
                    (
                        n[i].unwrap_or(0).max(0) as usize,
                        sub[i].unwrap_or(0).max(0) as usize,
                    ),
                );
            }
        }
    }
    let mut units: HashMap<String, (i64, String)> = HashMap::new();
    for f in &filings {
        let (n, sub) = price_stats.get(&f.accession).copied().unwrap_or((0, 0));
        let cover = sec13f::Cover {
            period: f.period.clone(),
            filed: f.filed.clone(),
            ..sec13f::Cover::default()
        };
        let (m, note) = sec13f::decide_unit(sub, n, &cover);
        units.insert(
            f.accession.clone(),
            (if m == Decimal::ONE { 1 } else { 1000 }, note),
        );
    }
    let unit_frame = df!(
        "ACCESSION_NUMBER" => filings.iter().map(|f| f.accession.clone()).collect::<Vec<_>>(),
        "MULT" => filings.iter().map(|f| units.get(&f.accession).map_or(1, |u| u.0)).collect::<Vec<_>>(),
    )
    .map_err(err)?;

    // 2. Each distinct issuer resolved once.
    let issuers = rows
        .clone()
        .select([col("NAMEOFISSUER"), col("CUSIP")])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()
        .map_err(err)?;
    let resolver = Resolver::with_overrides(data, overrides);
    let mut review = Vec::new();
    let (names, cusips) = (strs(&issuers, "NAMEOFISSUER"), strs(&issuers, "CUSIP"));
    let mut matched_names = Vec::new();
    let mut matched_cusips = Vec::new();
    let mut matched_entities = Vec::new();
    let mut matched_tiers = Vec::new();
    for i in 0..issuers.height() {
        let name = names[i].clone().unwrap_or_default();
        let cusip = cusips[i].clone().unwrap_or_default();
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
        for c in &resolution.review {
            review.push(DatasetReview {
                holding_name: name.clone(),
                cusip: cusip.clone(),
                candidate: c.clone(),
            });
        }
        let (tier, entities) = flagging(&resolution.matches, data);
        if let Some(tier) = tier {
            matched_names.push(name);
            matched_cusips.push(cusip);
            matched_entities.push(entities.join("; "));
            matched_tiers.push(tier.key().to_string());
        }
    }
    let flagged_issuers = matched_names.len() as u64;
    let matches = df!(
        "NAMEOFISSUER" => matched_names,
        "CUSIP" => matched_cusips,
        "ENTITIES" => matched_entities,
        "TIER" => matched_tiers,
    )
    .map_err(err)?;

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
        .collect()
        .map_err(err)?;
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
        .collect()
        .map_err(err)?;

    // 4. Back to plain values.
    let by_accession: HashMap<&str, &Filing> =
        filings.iter().map(|f| (f.accession.as_str(), f)).collect();
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
    let mut filers = Vec::with_capacity(per_filer.height());
    let mut unknown_filings = Vec::new();
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
    let flags: Vec<DatasetFlag> = (0..flags.height())
        .map(|i| DatasetFlag {
            accession: f_acc[i].clone().unwrap_or_default(),
            line: count(f_line[i]),
            name: f_name[i].clone().unwrap_or_default(),
            cusip: f_cusip[i].clone().unwrap_or_default(),
            title: f_title[i].clone().unwrap_or_default(),
            value: money(f_usd[i]),
            put_call: f_pc[i].clone(),
            entity_ids: f_ent[i].clone().unwrap_or_default(),
            tier: f_tier[i].clone().unwrap_or_default(),
        })
        .collect();
    let long_total: Decimal = filers.iter().map(|f| f.long_value).sum();
    let flagged_total: Decimal = filers.iter().map(|f| f.flagged_value).sum();
    Ok(DatasetExposure {
        rows: filers.iter().map(|f| f.rows).sum(),
        filings: filers.len() as u64,
        distinct_issuers: issuers.height() as u64,
        flagged_issuers,
        long_value: long_total,
        flagged_value: flagged_total,
        flagged_pct: percent(flagged_total, long_total),
        filers,
        flags,
        unknown_filings,
        review: {
            // Distinct issuers arrive in hash order; sort so the output is deterministic.
            review.sort();
            review
        },
    })
}
