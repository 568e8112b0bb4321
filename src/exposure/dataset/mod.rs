//! Exposure over a whole Form 13F data set: every filing is a portfolio, millions of rows.
//!
//! The work is shaped for scale: one pass over the rows, and everything else per distinct
//! issuer or per filing. `INFOTABLE.tsv` is read as bytes on every core (`tsv_chunks`); per row,
//! a thread numbers the issuer (name + CUSIP) in its own hash table, adds the value to its
//! filing's integer sums, and keeps eight bytes saying where the row is. Distinct issuers are
//! then resolved once each, on every core, through the same resolver as single portfolios; the
//! unit is decided once per filing and applied to its sums; and only the rows of flagged issuers
//! are read again, for their details. Values are whole numbers summed in `i128`, so every total
//! is exact. Parquet partitions are read with polars and fed row by row to the same code.
//!
//! What is not 13F-specific — the sinks, the per-portfolio sums by bucket, issuer numbering and
//! resolution, finding flagged rows again — is the shared engine in [`engine`], which the
//! N-PORT data-set reader is to feed as well; this module says what a 13F row is
//! ([`TableRow`] for [`InfoRow`]) and turns the sums into filings' figures (the unit rule).

pub(crate) mod engine;
pub mod nport;

use std::collections::HashMap;

use polars::prelude::DataFrame;
use rust_decimal::Decimal;
use serde::Serialize;

use super::percent;
use crate::ingest::sec_dataset::{self, DatasetFiles, Filing, InfoRow, Piece};
use crate::ingest::{IngestError, sec13f, tsv_chunks};
use crate::model::ReferenceData;
use crate::resolve::{Candidate, Overrides, Resolver};
use engine::{Bucket, IssuerKey, IssuerOutcome, RowRef, Sink, TableRow};

/// A Form 13F information-table row, as the engine sees it: the filing is the portfolio, the
/// issuer is its name and CUSIP, put/call rows are options, and a value must be a whole number.
impl TableRow for InfoRow<'_> {
    fn portfolio(&self) -> &[u8] {
        self.accession
    }

    fn issuer_fields(&self) -> [&[u8]; 4] {
        [self.name, self.cusip, b"", b""]
    }

    fn value(&self) -> Option<i128> {
        // A short line's row is rejected whatever its value.
        match self.short {
            None => sec_dataset::whole_number(self.value).map(i128::from),
            Some(_) => None,
        }
    }

    fn bucket(&self) -> Bucket {
        if self.put_call.is_empty() {
            Bucket::Long
        } else {
            Bucket::Option
        }
    }

    /// Share rows (not options) with a positive share count, and those of them priced under a
    /// dollar a share: the evidence for the unit decision.
    fn evidence(&self, value: i128) -> [u64; 2] {
        if !self.put_call.is_empty() || self.amount_type != b"SH" {
            return [0, 0];
        }
        match sec_dataset::whole_number(self.amount) {
            Some(amount) if amount > 0 => [1, u64::from(value < i128::from(amount))],
            _ => [0, 0],
        }
    }

    fn rejection(&self) -> String {
        InfoRow::rejection(self).unwrap_or_default()
    }

    fn rejected(&self) -> (String, String) {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (text(self.name), text(self.cusip))
    }
}

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

/// A row whose value is not counted, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetRejected {
    pub accession: String,
    pub line: u64,
    pub name: String,
    pub cusip: String,
    pub reason: String,
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
    /// Option rows' value, all filings (reported apart from long exposure).
    pub option_value: Decimal,
    pub filers: Vec<FilerExposure>,
    pub flags: Vec<DatasetFlag>,
    /// Rows set aside: in their filing's row count, in no value total.
    pub rejected_rows: u64,
    pub rejected: Vec<DatasetRejected>,
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

/// Everything measured over the pieces so far.
#[derive(Default)]
struct Totals {
    filers: Vec<FilerExposure>,
    flags: Vec<DatasetFlag>,
    rejected: Vec<DatasetRejected>,
    unknown_filings: Vec<String>,
    /// Every distinct issuer seen, with its outcome.
    issuers: HashMap<IssuerKey, IssuerOutcome>,
    /// The piece each filing was measured in: a filing split between pieces would be counted
    /// twice, with two unit decisions, so it is refused.
    pieces_of: HashMap<String, std::path::PathBuf>,
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
    fault: crate::fault::Fault,
) -> Result<DatasetExposure, IngestError> {
    let filings = sec_dataset::filings(files)?;
    let by_accession: HashMap<&str, &Filing> =
        filings.iter().map(|f| (f.accession.as_str(), f)).collect();
    let resolver = Resolver::with_overrides(data, overrides);
    let mut totals = Totals::default();
    for piece in sec_dataset::pieces(files) {
        let read = read_piece(&piece)?;
        measure_piece(read, &by_accession, &resolver, data, &mut totals, fault)?;
    }
    let Totals {
        mut filers,
        mut flags,
        mut rejected,
        mut unknown_filings,
        issuers,
        pieces_of: _,
    } = totals;
    filers.sort_by(|a, b| a.accession.cmp(&b.accession));
    flags.sort_by(|a, b| (&a.accession, a.line).cmp(&(&b.accession, b.line)));
    rejected.sort_by(|a, b| (&a.accession, a.line).cmp(&(&b.accession, b.line)));
    unknown_filings.sort();
    let review = engine::review_rows(issuers.iter());
    // Sums of exact figures, checked: only absurd values reach Decimal's 28 digits, and then
    // the scan stops with an error rather than a wrong or aborted total.
    let total = |figure: fn(&FilerExposure) -> Decimal| {
        filers
            .iter()
            .try_fold(Decimal::ZERO, |sum, f| sum.checked_add(figure(f)))
            .ok_or_else(|| IngestError::Invalid {
                file: crate::ingest::display_path(&files.infotable),
                message:
                    "the filings' values add up to more than can be counted exactly (28 digits)"
                        .to_string(),
            })
    };
    let long_total = total(|f| f.long_value)?;
    let flagged_total = total(|f| f.flagged_value)?;
    let option_total = total(|f| f.option_value)?;
    Ok(DatasetExposure {
        rows: filers.iter().map(|f| f.rows).sum(),
        filings: filers.len() as u64,
        distinct_issuers: issuers.len() as u64,
        flagged_issuers: issuers.values().filter(|o| o.flag.is_some()).count() as u64,
        long_value: long_total,
        flagged_value: flagged_total,
        flagged_pct: percent(flagged_total, long_total),
        option_value: option_total,
        rejected_rows: filers.iter().map(|f| f.rejected_rows).sum(),
        filers,
        flags,
        rejected,
        unknown_filings,
        review,
    })
}

/// A flagged row's details, read again from its piece.
#[derive(Debug, Default)]
struct Detail {
    line: u64,
    accession: String,
    title: String,
    value: Option<i64>,
    put_call: Option<String>,
}

impl Detail {
    fn of(row: &InfoRow, line: u64) -> Detail {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        Detail {
            line,
            accession: text(row.accession),
            title: text(row.title),
            // A short line's row is rejected whatever its value, as in the pass.
            value: row
                .short
                .is_none()
                .then(|| sec_dataset::whole_number(row.value))
                .flatten(),
            put_call: (!row.put_call.is_empty()).then(|| text(row.put_call)),
        }
    }
}

/// One piece, read: the sinks, and how to find rows' lines and details again.
struct PieceRead {
    sinks: Vec<Sink>,
    source: PieceSource,
}

enum PieceSource {
    Tsv {
        path: std::path::PathBuf,
        columns: sec_dataset::InfoColumns,
        chunks: tsv_chunks::Chunked<()>,
    },
    Parquet {
        path: std::path::PathBuf,
        frame: DataFrame,
    },
}

/// Reads a piece in one pass: `INFOTABLE.tsv` as bytes on every core; a Parquet partition
/// through polars, then row by row into the same sink, so both are measured by the same code.
fn read_piece(piece: &Piece) -> Result<PieceRead, IngestError> {
    match piece {
        Piece::Tsv(path) => {
            let columns = sec_dataset::infotable_columns(path)?;
            let read = tsv_chunks::read(
                path,
                engine::threads(),
                columns.width(),
                Sink::default,
                |sink, fields, p| {
                    sink.add(
                        &columns.row(fields),
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
            Ok(PieceRead {
                sinks,
                source: PieceSource::Tsv {
                    path: path.clone(),
                    columns,
                    chunks,
                },
            })
        }
        Piece::Parquet(path) => {
            let frame = crate::ingest::contained_partition(path)?;
            let mut sink = Sink::default();
            let text = |name: &str| -> Result<Vec<Option<&str>>, IngestError> {
                let column = frame
                    .column(name)
                    .and_then(|c| c.str())
                    .map_err(|e| sec_dataset::piece_error(path, e))?;
                Ok(column.iter().collect())
            };
            let (acc, name, title, cusip, value, amount, kind, pc) = (
                text("ACCESSION_NUMBER")?,
                text("NAMEOFISSUER")?,
                text("TITLEOFCLASS")?,
                text("CUSIP")?,
                text("VALUE")?,
                text("SSHPRNAMT")?,
                text("SSHPRNAMTTYPE")?,
                text("PUTCALL")?,
            );
            fn b(v: Option<&str>) -> &[u8] {
                v.unwrap_or_default().as_bytes()
            }
            for i in 0..frame.height() {
                let row = InfoRow {
                    accession: b(acc[i]),
                    name: b(name[i]),
                    title: b(title[i]),
                    cusip: b(cusip[i]),
                    value: b(value[i]),
                    amount: b(amount[i]),
                    amount_type: b(kind[i]),
                    put_call: b(pc[i]),
                    short: None,
                };
                // A partition of more than 4 billion rows would not be a partition.
                let i = u32::try_from(i).unwrap_or(u32::MAX);
                sink.add(&row, 0, i, i);
            }
            sink.flush();
            Ok(PieceRead {
                sinks: vec![sink],
                source: PieceSource::Parquet {
                    path: path.clone(),
                    frame,
                },
            })
        }
    }
}

impl PieceRead {
    /// The line in the original `INFOTABLE.tsv` of the row at a range's line.
    fn line(&self, chunk: u32, line_in_chunk: u32) -> u64 {
        match &self.source {
            PieceSource::Tsv { chunks, .. } => chunks.line(chunk, line_in_chunk),
            PieceSource::Parquet { frame, .. } => frame
                .column("LINE")
                .ok()
                .and_then(|c| c.i64().ok())
                .and_then(|c| c.get(line_in_chunk as usize))
                .map_or(0, |l| l.max(0) as u64),
        }
    }

    /// The details of the given rows (range and line within it, and where the row is), read
    /// again from the piece, in the order asked.
    fn details(&self, rows: &[(u32, u32, RowRef)]) -> Result<Vec<Detail>, IngestError> {
        match &self.source {
            PieceSource::Tsv {
                path,
                columns,
                chunks,
            } => {
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
                Ok(rows
                    .iter()
                    .zip(offsets)
                    .map(|((chunk, line_in_chunk, _), offset)| {
                        let text = lines.get(&offset).map_or(&[][..], Vec::as_slice);
                        let fields: Vec<&[u8]> =
                            text.split(|b| *b == b'\t').take(columns.width()).collect();
                        Detail::of(&columns.row(&fields), self.line(*chunk, *line_in_chunk))
                    })
                    .collect())
            }
            PieceSource::Parquet { path, frame } => {
                let err = |e| sec_dataset::piece_error(path, e);
                let mut out = Vec::with_capacity(rows.len());
                for (chunk, line_in_chunk, r) in rows {
                    let i = r.at as usize;
                    let cell = |name: &str| -> Result<String, IngestError> {
                        let column = frame.column(name).and_then(|c| c.str()).map_err(err)?;
                        Ok(column.get(i).unwrap_or_default().to_string())
                    };
                    let (accession, title, value, put_call) = (
                        cell("ACCESSION_NUMBER")?,
                        cell("TITLEOFCLASS")?,
                        cell("VALUE")?,
                        cell("PUTCALL")?,
                    );
                    let row = InfoRow {
                        accession: accession.as_bytes(),
                        title: title.as_bytes(),
                        value: value.as_bytes(),
                        put_call: put_call.as_bytes(),
                        ..InfoRow::default()
                    };
                    out.push(Detail::of(&row, self.line(*chunk, *line_in_chunk)));
                }
                Ok(out)
            }
        }
    }

    fn path(&self) -> &std::path::Path {
        match &self.source {
            PieceSource::Tsv { path, .. } | PieceSource::Parquet { path, .. } => path,
        }
    }
}

/// An exact amount of dollars from a raw sum and a unit multiplier; an error only for sums no
/// real filing reaches (beyond 28 digits).
fn dollars(raw: i128, multiplier: i64, path: &std::path::Path) -> Result<Decimal, IngestError> {
    raw.checked_mul(i128::from(multiplier))
        .and_then(|v| Decimal::try_from_i128_with_scale(v, 0).ok())
        .ok_or_else(|| IngestError::Invalid {
            file: crate::ingest::display_path(path),
            message: format!(
                "values add up to {raw} × {multiplier}, more than can be counted exactly"
            ),
        })
}

/// Measures one piece of the information table (whole filings) into `totals`.
///
/// The piece has been read in one pass into per-thread sinks. Here their distinct issuers are
/// united and the new ones resolved (on every core), the filings' sums merged and the unit
/// decided once per filing, and the rows of flagged issuers — found through each row's issuer
/// number, a lookup in a table — are read again for their details.
fn measure_piece(
    read: PieceRead,
    by_accession: &HashMap<&str, &Filing>,
    resolver: &Resolver,
    data: &ReferenceData,
    totals: &mut Totals,
    fault: crate::fault::Fault,
) -> Result<(), IngestError> {
    // 1. Distinct issuers across the sinks; each sink's numbers mapped to the piece's.
    let (keys, remap) = engine::unite_issuers(&read.sinks);
    let issuers: Vec<IssuerKey> = keys.iter().map(|k| IssuerKey::decode(k)).collect();

    // 2. Issuers not seen in an earlier piece are resolved.
    let mut fresh: Vec<IssuerKey> = issuers
        .iter()
        .filter(|k| !totals.issuers.contains_key(*k))
        .cloned()
        .collect();
    fresh.sort();
    let outcomes = engine::resolve_issuers(resolver, data, &fresh);
    for (key, outcome) in fresh.into_iter().zip(outcomes) {
        totals.issuers.insert(key, outcome);
    }
    let flag_of: Vec<Option<&(String, String)>> = issuers
        .iter()
        .map(|k| totals.issuers.get(k).and_then(|o| o.flag.as_ref()))
        .collect();

    // 3. The filings' sums, merged across sinks (a filing may straddle two ranges), then
    //    checked against the rows as read.
    let sums = engine::merged_sums(&read.sinks, fault);
    engine::reconcile(&read.sinks, &sums, read.path())?;
    let mut units: HashMap<&str, (i64, String)> = HashMap::new();
    for (accession, s) in &sums {
        let unit = match by_accession.get(accession.as_str()) {
            Some(f) => {
                let cover = sec13f::Cover {
                    period: f.period.clone(),
                    filed: f.filed.clone(),
                    ..sec13f::Cover::default()
                };
                let [priced, sub_dollar] = s.evidence;
                let (m, note) = sec13f::decide_unit(sub_dollar as usize, priced as usize, &cover);
                (if m == Decimal::ONE { 1 } else { 1000 }, note)
            }
            None => (
                1,
                "not in SUBMISSION.tsv; values read as dollars, unverified".to_string(),
            ),
        };
        units.insert(accession.as_str(), unit);
    }

    // 4. The rows of flagged issuers, and their details read again.
    let flagged_rows = engine::flagged_rows(&read.sinks, &remap, |id| {
        matches!(flag_of.get(id as usize), Some(Some(_)))
    });
    let details = read.details(&flagged_rows)?;
    #[derive(Default)]
    struct Flagged {
        rows: u64,
        value: i128,
        option_value: i128,
    }
    let mut flagged_by_filer: HashMap<String, Flagged> = HashMap::new();
    for ((_, _, row), detail) in flagged_rows.iter().zip(details) {
        let Some(Some((entities, tier))) = flag_of.get(row.issuer as usize) else {
            continue;
        };
        // Rows without a value are rejected rows, in no total and no flag.
        let Some(raw) = detail.value else { continue };
        let multiplier = units.get(detail.accession.as_str()).map_or(1, |u| u.0);
        let usd = i128::from(raw) * i128::from(multiplier);
        let entry = flagged_by_filer
            .entry(detail.accession.clone())
            .or_default();
        if detail.put_call.is_some() {
            entry.option_value += usd;
        } else {
            entry.rows += 1;
            entry.value += usd;
        }
        let IssuerKey { name, cusip, .. } = issuers
            .get(row.issuer as usize)
            .cloned()
            .unwrap_or_default();
        totals.flags.push(DatasetFlag {
            accession: detail.accession,
            line: detail.line,
            name,
            cusip,
            title: detail.title,
            value: dollars(i128::from(raw), multiplier, read.path())?,
            put_call: detail.put_call,
            entity_ids: entities.clone(),
            tier: tier.clone(),
        });
    }

    for sink in &read.sinks {
        for (chunk, line_in_chunk, rejected) in &sink.rejected {
            totals.rejected.push(DatasetRejected {
                line: read.line(*chunk, *line_in_chunk),
                ..rejected.clone()
            });
        }
    }

    // 5. Each filing's figures.
    for (accession, s) in &sums {
        if let Some(other) = totals
            .pieces_of
            .insert(accession.clone(), read.path().to_path_buf())
        {
            return Err(IngestError::Invalid {
                file: crate::ingest::display_path(read.path()),
                message: format!(
                    "filing {accession} is also in {}; each partition must hold whole filings",
                    crate::ingest::display_path(&other)
                ),
            });
        }
        let filing = by_accession.get(accession.as_str());
        if filing.is_none() {
            totals.unknown_filings.push(accession.clone());
        }
        let (multiplier, unit_note) = units.get(accession.as_str()).cloned().unwrap_or_default();
        let declared_total = filing.and_then(|f| f.value_total);
        let total_check = declared_total.map(|t| {
            if s.raw_sum == i128::from(t) {
                format!("values add up to tableValueTotal {t}")
            } else {
                format!(
                    "values add up to {} as filed, but tableValueTotal says {t}",
                    s.raw_sum
                )
            }
        });
        let money = |raw: i128| dollars(raw, multiplier, read.path());
        let flagged = flagged_by_filer.get(accession);
        let long = money(s.raw_in(Bucket::Long))?;
        let flagged_value = dollars(flagged.map_or(0, |f| f.value), 1, read.path())?;
        totals.filers.push(FilerExposure {
            cik: filing.map(|f| f.cik.clone()).unwrap_or_default(),
            filer: filing.and_then(|f| f.filer.clone()),
            period: filing.and_then(|f| f.period.clone()),
            filed: filing.and_then(|f| f.filed.clone()),
            accession: accession.clone(),
            unit_multiplier: multiplier,
            unit_note,
            rows: s.rows,
            rejected_rows: s.rejected,
            long_rows: s.rows_in(Bucket::Long),
            long_value: long,
            option_rows: s.rows_in(Bucket::Option),
            option_value: money(s.raw_in(Bucket::Option))?,
            flagged_rows: flagged.map_or(0, |f| f.rows),
            flagged_value,
            flagged_pct: percent(flagged_value, long),
            flagged_option_value: dollars(flagged.map_or(0, |f| f.option_value), 1, read.path())?,
            declared_total,
            total_check,
            balanced: s.balanced(),
        });
    }
    Ok(())
}
