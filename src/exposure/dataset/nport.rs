//! Exposure over a whole Form N-PORT data set: every filing (one fund series' report) is a
//! portfolio, measured against its own net assets.
//!
//! The holdings table feeds the shared engine ([`super::engine`]): one pass on every core,
//! each distinct issuer (name, CUSIP, LEI and the ISIN from `IDENTIFIERS.tsv`) resolved once,
//! only flagged rows read again. A row is long, short (payoff profile `Short`) or a derivative
//! (asset category `D…`); shorts and derivatives are reported apart, as in a holdings file.
//! Values are `CURRENCY_VALUE`, in US dollars as the form asks, counted exactly to the table's
//! twelve decimals.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde::Serialize;

use super::engine::{self, Bucket, IssuerKey, IssuerOutcome, Sink, TableRow};
use super::{DatasetRejected, DatasetReview};
use crate::exposure::percent;
use crate::ingest::nport_dataset::{self, HoldingColumns, HoldingRow, NportFiles};
use crate::ingest::{IngestError, tsv_chunks};
use crate::model::ReferenceData;
use crate::resolve::{Overrides, Resolver};

impl TableRow for HoldingRow<'_> {
    fn portfolio(&self) -> &[u8] {
        self.accession
    }

    /// The name, with the identifiers only when they could match the reference data: the
    /// issuer then resolves exactly as it would with them, and a quarter's many securities
    /// of one issuer are one issuer.
    fn issuer_fields(&self) -> [&[u8]; 4] {
        if self.identified {
            [self.name, self.cusip, self.lei, self.isin]
        } else {
            [self.name, &[], &[], &[]]
        }
    }

    fn value(&self) -> Option<i128> {
        match self.short {
            None => nport_dataset::units(self.value).ok(),
            Some(_) => None,
        }
    }

    fn bucket(&self) -> Bucket {
        bucket(self.asset_cat, self.payoff)
    }

    fn evidence(&self, _: i128) -> [u64; 2] {
        [0, 0]
    }

    fn rejection(&self) -> String {
        match self.short {
            Some((found, needed)) => format!(
                "the line has {found} tab-separated fields; {needed} are needed to reach every column xjscan reads"
            ),
            None => nport_dataset::units(self.value).err().unwrap_or_default(),
        }
    }

    fn rejected(&self) -> (String, String) {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (text(self.name), text(self.cusip))
    }
}

/// Derivatives (asset categories `DCO`, `DCR`, `DE`, `DFE`, `DIR`, `DO`) first, whatever their
/// payoff; then short positions; everything else is long.
fn bucket(asset_cat: &[u8], payoff: &[u8]) -> Bucket {
    if asset_cat.first() == Some(&b'D') && asset_cat != b"DBT" {
        Bucket::Derivative
    } else if payoff.eq_ignore_ascii_case(b"Short") {
        Bucket::Short
    } else {
        Bucket::Long
    }
}

/// One filing's figures: a fund series' report for one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FundExposure {
    pub accession: String,
    pub series_name: Option<String>,
    pub series_id: Option<String>,
    pub registrant: Option<String>,
    pub cik: Option<String>,
    pub report_date: Option<String>,
    pub filed: Option<String>,
    pub sub_type: Option<String>,
    /// `NET_ASSETS` as filed: the denominator of the flagged share.
    pub net_assets: Option<Decimal>,
    pub rows: u64,
    pub rejected_rows: u64,
    pub long_rows: u64,
    pub long_value: Decimal,
    pub short_rows: u64,
    pub short_value: Decimal,
    pub derivative_rows: u64,
    pub derivative_value: Decimal,
    /// Long rows of flagged issuers and their value.
    pub flagged_rows: u64,
    pub flagged_value: Decimal,
    /// Flagged value as a percentage of net assets (none when net assets are unknown or not
    /// positive).
    pub flagged_pct_of_net_assets: Option<Decimal>,
    /// Flagged short and derivative value, reported apart.
    pub flagged_other_value: Decimal,
    /// Debt (`DBT`) of issuers linked to the XPCC.
    pub xpcc_debt_value: Decimal,
    /// True when rows = long + short + derivative + rejected rows.
    pub balanced: bool,
    /// A later filing for the same series and report date (an amendment restating this
    /// report): this one is left out of the data set's totals and holders.
    pub superseded_by: Option<String>,
}

/// One flagged holding, with its line in `FUND_REPORTED_HOLDING.tsv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NportFlag {
    pub accession: String,
    pub line: u64,
    pub holding_id: String,
    pub name: String,
    pub cusip: String,
    pub lei: String,
    pub isin: String,
    pub title: String,
    pub asset_cat: String,
    pub currency: String,
    pub value: Decimal,
    /// `long`, `short` or `derivative`.
    pub position: String,
    pub entity_ids: String,
    pub tier: String,
}

/// The whole data set's exposure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NportExposure {
    pub rows: u64,
    pub filings: u64,
    pub distinct_issuers: u64,
    pub flagged_issuers: u64,
    pub long_value: Decimal,
    pub flagged_value: Decimal,
    /// Flagged long value as a percentage of all long value.
    pub flagged_pct: Decimal,
    pub xpcc_debt_value: Decimal,
    pub funds: Vec<FundExposure>,
    pub flags: Vec<NportFlag>,
    pub rejected_rows: u64,
    pub rejected: Vec<DatasetRejected>,
    /// Filings in the holdings table that `SUBMISSION.tsv` does not list.
    pub unknown_filings: Vec<String>,
    /// Filings restated by a later one for the same series and date (see
    /// [`FundExposure::superseded_by`]).
    pub superseded_filings: u64,
    pub review: Vec<DatasetReview>,
}

/// Dollars from a sum of 10^-12 dollars; an error only past what can be counted exactly.
fn dollars(units: i128, file: &std::path::Path) -> Result<Decimal, IngestError> {
    Decimal::try_from_i128_with_scale(units, nport_dataset::SCALE)
        .map(|d| d.normalize())
        .map_err(|_| IngestError::Invalid {
            file: crate::ingest::display_path(file),
            message: format!(
                "values add up to {units} × 10^-12 dollars, more than can be counted exactly"
            ),
        })
}

/// Measures an N-PORT data set against the reference data.
pub fn measure(
    files: &NportFiles,
    data: &ReferenceData,
    overrides: Overrides,
    fault: crate::fault::Fault,
) -> Result<NportExposure, IngestError> {
    let filings = nport_dataset::filings(files)?;
    let isins = match &files.identifiers {
        Some(path) => nport_dataset::isins(path)?,
        None => nport_dataset::IsinTable::default(),
    };
    let path = &files.holdings;
    let columns = HoldingColumns::of(path)?;
    let filter = crate::resolve::IdentifierFilter::new(data);
    let read = tsv_chunks::read(
        path,
        engine::threads(),
        columns.width(),
        Sink::default,
        |sink, fields, p| {
            sink.add(
                &columns.row(fields, &isins, &filter),
                p.chunk,
                p.line_in_chunk,
                p.offset_in_chunk,
            )
        },
    )
    .map_err(|error| IngestError::Io {
        file: crate::ingest::display_path(path),
        error,
    })?;
    let (mut sinks, chunks) = read.split();
    sinks.iter_mut().for_each(Sink::flush);

    // Distinct issuers, each resolved once.
    let (keys, remap) = engine::unite_issuers(&sinks);
    let issuers: Vec<IssuerKey> = keys.iter().map(|k| IssuerKey::decode(k)).collect();
    // Resolved in key order (names together, so each name is looked up once); the keys are
    // distinct, so the order is total and the same on every run.
    let mut order: Vec<usize> = (0..issuers.len()).collect();
    let fields: Vec<[&[u8]; 4]> = keys.iter().map(|k| IssuerKey::fields(k)).collect();
    order.sort_unstable_by(|a, b| fields[*a].cmp(&fields[*b]));
    let sorted: Vec<&IssuerKey> = order.iter().map(|&i| &issuers[i]).collect();
    let resolver = Resolver::with_overrides(data, overrides);
    let mut outcomes: Vec<IssuerOutcome> = vec![IssuerOutcome::default(); issuers.len()];
    for (i, outcome) in order
        .iter()
        .zip(engine::resolve_issuers(&resolver, data, &sorted))
    {
        outcomes[*i] = outcome;
    }

    let sums = engine::merged_sums(&sinks, fault);
    engine::reconcile(&sinks, &sums, path)?;

    // Flagged rows, read again for their details.
    let rows = engine::flagged_rows(&sinks, &remap, |id| {
        outcomes.get(id as usize).is_some_and(|o| o.flag.is_some())
    });
    let offsets: Vec<u64> = rows
        .iter()
        .map(|(chunk, _, r)| chunks.offset(*chunk, r.at))
        .collect();
    let lines: HashMap<u64, Vec<u8>> = tsv_chunks::lines_at(path, &offsets)
        .map_err(|error| IngestError::Io {
            file: crate::ingest::display_path(path),
            error,
        })?
        .into_iter()
        .collect();
    let mut flags = Vec::new();
    let mut flagged_by_fund: BTreeMap<String, [i128; 4]> = BTreeMap::new();
    for ((chunk, line_in_chunk, r), offset) in rows.iter().zip(&offsets) {
        let text = lines.get(offset).map_or(&[][..], Vec::as_slice);
        let fields: Vec<&[u8]> = text.split(|b| *b == b'\t').take(columns.width()).collect();
        let row = columns.row(&fields, &isins, &filter);
        let Some(value) = TableRow::value(&row) else {
            continue; // a rejected row: in no total and no flag
        };
        let outcome = &outcomes[r.issuer as usize];
        let Some((entities, tier)) = &outcome.flag else {
            continue;
        };
        let position = row.bucket();
        let sums = flagged_by_fund
            .entry(String::from_utf8_lossy(row.accession).into_owned())
            .or_default();
        match position {
            Bucket::Long => {
                sums[0] += 1;
                sums[1] += value;
            }
            _ => sums[2] += value,
        }
        if outcome.xpcc && row.asset_cat == b"DBT" {
            sums[3] += value;
        }
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        flags.push(NportFlag {
            accession: text(row.accession),
            line: chunks.line(*chunk, *line_in_chunk),
            holding_id: text(row.holding_id),
            name: text(row.name),
            cusip: text(row.cusip),
            lei: text(row.lei),
            isin: text(row.isin),
            title: text(row.title),
            asset_cat: text(row.asset_cat),
            currency: text(row.currency),
            value: dollars(value, path)?,
            position: match position {
                Bucket::Long | Bucket::Option => "long",
                Bucket::Short => "short",
                Bucket::Derivative => "derivative",
            }
            .to_string(),
            entity_ids: entities.clone(),
            tier: tier.clone(),
        });
    }
    flags.sort_by(|a, b| (&a.accession, a.line).cmp(&(&b.accession, b.line)));

    let mut rejected: Vec<DatasetRejected> = sinks
        .iter()
        .flat_map(|s| s.rejected.iter())
        .map(|(chunk, line_in_chunk, r)| DatasetRejected {
            line: chunks.line(*chunk, *line_in_chunk),
            ..r.clone()
        })
        .collect();
    rejected.sort_by(|a, b| (&a.accession, a.line).cmp(&(&b.accession, b.line)));

    let mut funds = Vec::with_capacity(sums.len());
    let mut unknown_filings = Vec::new();
    for (accession, s) in &sums {
        let filing = filings.get(accession);
        if filing.is_none() {
            unknown_filings.push(accession.clone());
        }
        let f = filing.cloned().unwrap_or_default();
        let flagged = flagged_by_fund.get(accession).copied().unwrap_or_default();
        let flagged_value = dollars(flagged[1], path)?;
        funds.push(FundExposure {
            accession: accession.clone(),
            series_name: f.series_name,
            series_id: f.series_id,
            registrant: f.registrant,
            cik: f.cik,
            report_date: f.report_date,
            filed: f.filed,
            sub_type: f.sub_type,
            flagged_pct_of_net_assets: f
                .net_assets
                .filter(|n| *n > Decimal::ZERO)
                .map(|n| percent(flagged_value, n)),
            net_assets: f.net_assets,
            rows: s.rows,
            rejected_rows: s.rejected,
            long_rows: s.rows_in(Bucket::Long),
            long_value: dollars(s.raw_in(Bucket::Long), path)?,
            short_rows: s.rows_in(Bucket::Short),
            short_value: dollars(s.raw_in(Bucket::Short), path)?,
            derivative_rows: s.rows_in(Bucket::Derivative),
            derivative_value: dollars(s.raw_in(Bucket::Derivative), path)?,
            flagged_rows: flagged[0] as u64,
            flagged_value,
            flagged_other_value: dollars(flagged[2], path)?,
            xpcc_debt_value: dollars(flagged[3], path)?,
            balanced: s.balanced(),
            superseded_by: None,
        });
    }
    mark_superseded(&mut funds);
    // Totals count each series' report once: a restated report is left out.
    let current: std::collections::HashSet<&str> = funds
        .iter()
        .filter(|f| f.superseded_by.is_none())
        .map(|f| f.accession.as_str())
        .collect();
    let total = |units: i128| dollars(units, path);
    let long: i128 = sums
        .iter()
        .filter(|(a, _)| current.contains(a.as_str()))
        .map(|(_, s)| s.raw_in(Bucket::Long))
        .sum();
    let counted = |i: usize| -> i128 {
        flagged_by_fund
            .iter()
            .filter(|(a, _)| current.contains(a.as_str()))
            .map(|(_, f)| f[i])
            .sum()
    };
    let (flagged, xpcc) = (counted(1), counted(3));
    let (long_value, flagged_value) = (total(long)?, total(flagged)?);
    let review = engine::review_rows(issuers.iter().zip(&outcomes));
    let (funds_len, current_len) = (funds.len(), current.len());
    Ok(NportExposure {
        rows: sums.values().map(|s| s.rows).sum(),
        filings: funds.len() as u64,
        distinct_issuers: issuers.len() as u64,
        flagged_issuers: outcomes.iter().filter(|o| o.flag.is_some()).count() as u64,
        flagged_pct: percent(flagged_value, long_value),
        long_value,
        flagged_value,
        xpcc_debt_value: total(xpcc)?,
        rejected_rows: sums.values().map(|s| s.rejected).sum(),
        funds,
        flags,
        rejected,
        unknown_filings,
        superseded_filings: (funds_len - current_len) as u64,
        review,
    })
}

/// Marks each filing that a later filing for the same series and report date restates: the
/// later one is the one filed last (the higher accession number on the same day). A series is
/// known by its EDGAR series id, else by its registrant's CIK and its name; a filing with
/// neither is its own series.
fn mark_superseded(funds: &mut [FundExposure]) {
    let key = |f: &FundExposure| -> Option<(String, String)> {
        let series = match (&f.series_id, &f.cik, &f.series_name) {
            (Some(id), _, _) => id.clone(),
            (None, Some(cik), Some(name)) => format!("{cik}/{name}"),
            _ => return None,
        };
        Some((series, f.report_date.clone().unwrap_or_default()))
    };
    let mut latest: HashMap<(String, String), (Option<String>, String)> = HashMap::new();
    for f in funds.iter() {
        if let Some(k) = key(f) {
            let candidate = (f.filed.clone(), f.accession.clone());
            let entry = latest.entry(k).or_insert_with(|| candidate.clone());
            if candidate > *entry {
                *entry = candidate;
            }
        }
    }
    for f in funds.iter_mut() {
        if let Some((_, accession)) = key(f).and_then(|k| latest.get(&k))
            && *accession != f.accession
        {
            f.superseded_by = Some(accession.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_long_short_or_derivative() {
        assert_eq!(bucket(b"EC", b"Long"), Bucket::Long);
        assert_eq!(bucket(b"DBT", b"Long"), Bucket::Long);
        assert_eq!(bucket(b"EC", b"Short"), Bucket::Short);
        assert_eq!(bucket(b"DFE", b"N/A"), Bucket::Derivative);
        assert_eq!(bucket(b"DE", b"Short"), Bucket::Derivative);
        assert_eq!(bucket(b"", b""), Bucket::Long);
    }
}
