//! The match table (`xjscan resolve`): distinct issuers resolved once each, through the very
//! code a data-set scan uses, with the evidence behind every answer, for an engine or a
//! warehouse to join back to its rows.
//!
//! One row per input row, in input order: the key as given, the status (`flagged`, `review`,
//! `clear`, or `unscreened` with the reason), the flag exactly as a data-set scan's
//! `flagged.csv` writes it (entity ids, strongest tier), the lists that apply, how the issuer
//! was matched, the ownership path, the designations with dates and grades and their sources,
//! the best review candidate, and the XPCC columns. Written as CSV and as Parquet, the latter
//! carrying the reference data's SHA-256 and the tool's version in its key-value metadata.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use polars::prelude::*;

use crate::exposure::dataset::engine::{self, IssuerKey};
use crate::exposure::ownership::{Direction, Link};
use crate::ingest::issuers::IssuerRow;
use crate::ingest::listing_of;
use crate::model::{Holding, ReferenceData};
use crate::resolve::{HoldingResolution, Resolver};

/// The table's columns, in order (CSV header and Parquet schema alike).
pub const COLUMNS: [&str; 24] = [
    "input_row",
    "name",
    "cusip",
    "isin",
    "lei",
    "ticker",
    "exchange",
    "status",
    "entity_ids",
    "tier",
    "lists",
    "method",
    "explanation",
    "path",
    "designations",
    "sources",
    "review_entity_id",
    "review_reference_name",
    "review_score",
    "review_explanation",
    "xpcc_control",
    "xpcc_debt",
    "note",
    "reference_sha256",
];

/// What became of one issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Linked to a designated entity (directly or through ownership): a data-set scan flags it.
    Flagged,
    /// Not flagged, with a candidate name match for a person to decide.
    Review,
    /// Screened, and nothing found.
    Clear,
    /// Nothing to screen (no name and no identifier): neither flagged nor cleared.
    Unscreened,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Flagged => "flagged",
            Status::Review => "review",
            Status::Clear => "clear",
            Status::Unscreened => "unscreened",
        }
    }
}

/// One issuer's row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchRow {
    pub row: u64,
    /// Name, CUSIP, ISIN, LEI, ticker, exchange, as given.
    pub key: [String; 6],
    pub status: Status,
    /// As a data-set scan's `flagged.csv` writes them (`a; b`, and the tier's key).
    pub entity_ids: String,
    pub tier: String,
    pub lists: String,
    pub method: String,
    pub explanation: String,
    pub path: String,
    pub designations: String,
    pub sources: String,
    pub review_entity_id: String,
    pub review_reference_name: String,
    pub review_score: String,
    pub review_explanation: String,
    /// "the XPCC itself" or "controlled by the XPCC via …" with the chain's percentages.
    pub xpcc_control: String,
    /// A link runs to or through the XPCC: an N-PORT scan counts this issuer's debt as XPCC
    /// debt.
    pub xpcc_debt: bool,
    pub note: String,
}

/// How many rows ended in each status, and how many were read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub read: u64,
    pub flagged: u64,
    pub review: u64,
    pub clear: u64,
    pub unscreened: u64,
}

impl Counts {
    fn add(&mut self, status: Status) {
        *match status {
            Status::Flagged => &mut self.flagged,
            Status::Review => &mut self.review,
            Status::Clear => &mut self.clear,
            Status::Unscreened => &mut self.unscreened,
        } += 1;
    }

    /// Every row read is in exactly one status (the statuses are counted from the rows
    /// written, `read` by the reader).
    pub fn reconciles(&self) -> bool {
        self.flagged + self.review + self.clear + self.unscreened == self.read
    }
}

/// The holding an input row stands for: the data-set scans' issuer holding, with the ticker and
/// exchange as a listing when both are known.
fn holding_of(row: &IssuerRow) -> Holding {
    let [name, cusip, isin, lei, ticker, exchange] = &row.key;
    let mut holding = engine::issuer_holding(&IssuerKey {
        name: name.clone(),
        cusip: cusip.clone(),
        lei: lei.clone(),
        isin: isin.clone(),
    });
    if !ticker.trim().is_empty() {
        holding.ids.listing = listing_of(ticker, exchange);
        holding.ids.ticker = Some(ticker.trim().into());
    }
    holding
}

/// Resolves a batch of rows, each once, on every core; rows come back in input order.
pub fn resolve_batch(
    resolver: &Resolver,
    data: &ReferenceData,
    batch: &[IssuerRow],
) -> Vec<MatchRow> {
    // Sorted by name, so the resolver's memo looks each name up once.
    let mut order: Vec<&IssuerRow> = batch.iter().collect();
    order.sort_by(|a, b| a.key.cmp(&b.key));
    let answers = engine::resolve_each(
        resolver,
        data,
        &order,
        |r| holding_of(r),
        |r, res, links| row_of(data, r, res, &links),
    );
    let mut rows: Vec<MatchRow> = answers;
    rows.sort_by_key(|r| r.row);
    rows
}

/// One row's answer and its evidence.
fn row_of(
    data: &ReferenceData,
    input: &IssuerRow,
    res: HoldingResolution,
    links: &[Link],
) -> MatchRow {
    let outcome = engine::outcome_of(res.review.clone(), links);
    let status = match (&outcome.flag, &res.unresolved, res.review.is_empty()) {
        (Some(_), _, _) => Status::Flagged,
        (None, _, false) => Status::Review,
        (None, Some(_), true) => Status::Unscreened,
        (None, None, true) => Status::Clear,
    };
    let (entity_ids, tier) = outcome.flag.clone().unwrap_or_default();
    let best = res.review.first();
    let mut row = MatchRow {
        row: input.row,
        key: input.key.clone(),
        status,
        entity_ids,
        tier,
        lists: String::new(),
        method: String::new(),
        explanation: String::new(),
        path: String::new(),
        designations: String::new(),
        sources: String::new(),
        review_entity_id: best.map(|c| c.entity_id.clone()).unwrap_or_default(),
        review_reference_name: best.map(|c| c.reference_value.clone()).unwrap_or_default(),
        review_score: best.map(|c| c.score.to_string()).unwrap_or_default(),
        review_explanation: best.map(|c| c.explanation.clone()).unwrap_or_default(),
        xpcc_control: crate::report::model::xpcc_status(data, links)
            .map(|x| x.text)
            .unwrap_or_default(),
        xpcc_debt: outcome.xpcc,
        note: res.unresolved.clone().unwrap_or_default(),
    };
    if status == Status::Flagged {
        evidence(data, &res, links, &mut row);
    }
    row
}

/// The evidence columns of a flagged row: how it was matched, how that reaches each designated
/// entity, and what designates it.
fn evidence(data: &ReferenceData, res: &HoldingResolution, links: &[Link], row: &mut MatchRow) {
    let mut methods: Vec<String> = Vec::new();
    let mut explained = Vec::new();
    for m in &res.matches {
        let key = serde_json::to_value(&m.method)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if !methods.contains(&key) {
            methods.push(key);
        }
        let grade = m.grade.map_or(String::new(), |g| format!(", grade {g}"));
        let why = if m.explanation.is_empty() {
            String::new()
        } else {
            format!(" ({})", m.explanation)
        };
        explained.push(format!(
            "{}: {} {} = {}{grade}{why}",
            m.entity_id,
            m.method.label(),
            m.holding_value,
            m.reference_value
        ));
    }
    let mut lists = BTreeSet::new();
    let (mut paths, mut designations, mut sources) = (Vec::new(), Vec::new(), Vec::new());
    for link in links {
        if link.direction != Direction::Direct {
            paths.push(path_text(link));
        }
        for d in data
            .designations_of(&link.entity_id)
            .filter(|d| d.is_active())
        {
            if link.carries_designations() {
                lists.insert(d.list.clone());
            }
            designations.push(format!(
                "{}: {} {} ({}, grade {})",
                link.entity_id,
                d.list,
                d.listed_on
                    .as_ref()
                    .map_or("date unknown".to_string(), ToString::to_string),
                d.consequence.key(),
                d.grade
            ));
            if let Some(s) = data.source(&d.source_id)
                && !s.url.is_empty()
                && !sources.contains(&s.url)
            {
                sources.push(s.url.clone());
            }
        }
    }
    row.method = methods.join("; ");
    row.explanation = explained.join("; ");
    row.lists = lists.into_iter().collect::<Vec<_>>().join("; ");
    row.path = paths.join("; ");
    row.designations = designations.join("; ");
    row.sources = sources.join(" ");
}

/// An ownership link in words: `held-entity → parent (55%) → designated-entity`, top last.
fn path_text(link: &Link) -> String {
    let direction = match link.direction {
        Direction::Direct => "direct",
        Direction::Controlled => "controlled by",
        Direction::Parent => "owns",
        Direction::Guaranteed => "debt guaranteed by",
    };
    let steps: Vec<String> = link
        .path
        .iter()
        .map(|s| {
            let pct = s
                .percent
                .map_or("percentage not stated".to_string(), |p| format!("{p}%"));
            let kind = if s.guarantee { "guarantees" } else { "holds" };
            format!(
                "{} {kind} {} ({pct}, grade {})",
                s.parent_id, s.child_id, s.grade
            )
        })
        .collect();
    format!(
        "{} {direction} {}: {}",
        link.held_entity,
        link.entity_id,
        steps.join(", ")
    )
}

/// A shared byte buffer the Parquet writer writes into (it keeps its writer until it finishes).
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("the Parquet buffer was poisoned"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Why the table could not be written.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("cannot write the match table as CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot write the match table as Parquet: {0}")]
    Parquet(#[from] PolarsError),
}

/// Writes the table as CSV and Parquet at once, batch by batch.
pub struct TableWriter {
    csv: csv::Writer<Vec<u8>>,
    parquet: polars::io::parquet::write::BatchedWriter<Buffer>,
    buffer: Buffer,
    reference_sha256: String,
    pub counts: Counts,
}

impl TableWriter {
    pub fn new(data: &ReferenceData) -> Result<TableWriter, TableError> {
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        csv.write_record(COLUMNS)?;
        let buffer = Buffer::default();
        let metadata = KeyValueMetadata::from_static(vec![
            (
                "xjscan.reference_sha256".to_string(),
                data.meta.sha256.clone(),
            ),
            ("xjscan.reference".to_string(), data.meta.label.clone()),
            (
                "xjscan.version".to_string(),
                env!("CARGO_PKG_VERSION").to_string(),
            ),
        ]);
        let parquet = ParquetWriter::new(buffer.clone())
            .with_key_value_metadata(Some(metadata))
            .batched(&schema())?;
        Ok(TableWriter {
            csv,
            parquet,
            buffer,
            reference_sha256: data.meta.sha256.clone(),
            counts: Counts::default(),
        })
    }

    /// Adds rows (in input order) to both files.
    pub fn push(&mut self, rows: &[MatchRow]) -> Result<(), TableError> {
        for r in rows {
            self.counts.add(r.status);
            let row = r.row.to_string();
            let debt = r.xpcc_debt.to_string();
            let mut record: Vec<&str> = vec![&row];
            record.extend(r.key.iter().map(String::as_str));
            record.extend([
                r.status.key(),
                &r.entity_ids,
                &r.tier,
                &r.lists,
                &r.method,
                &r.explanation,
                &r.path,
                &r.designations,
                &r.sources,
                &r.review_entity_id,
                &r.review_reference_name,
                &r.review_score,
                &r.review_explanation,
                &r.xpcc_control,
                &debt,
                &r.note,
                &self.reference_sha256,
            ]);
            // A cell a spreadsheet would run as a formula is defused, as in every CSV xjscan
            // writes; the Parquet file keeps every key exactly as given, for joins.
            self.csv.write_record(
                record
                    .iter()
                    .map(|c| crate::report::render::defuse_formula(c)),
            )?;
        }
        if !rows.is_empty() {
            self.parquet
                .write_batch(&frame(rows, &self.reference_sha256)?)?;
        }
        Ok(())
    }

    /// The two files' bytes.
    pub fn finish(self) -> Result<(Vec<u8>, Vec<u8>, Counts), TableError> {
        self.parquet.finish()?;
        drop(self.parquet);
        let csv = self
            .csv
            .into_inner()
            .map_err(|e| TableError::Csv(csv::Error::from(e.into_error())))?;
        let parquet =
            std::mem::take(&mut *self.buffer.0.lock().map_err(|_| {
                PolarsError::ComputeError("the Parquet buffer was poisoned".into())
            })?);
        Ok((csv, parquet, self.counts))
    }
}

/// The Parquet schema: row number and XPCC debt typed, everything else text.
fn schema() -> Schema {
    COLUMNS
        .iter()
        .map(|&c| {
            let dtype = match c {
                "input_row" => DataType::UInt64,
                "xpcc_debt" => DataType::Boolean,
                _ => DataType::String,
            };
            Field::new(c.into(), dtype)
        })
        .collect()
}

/// One batch as a data frame in the schema's column order.
fn frame(rows: &[MatchRow], sha: &str) -> PolarsResult<DataFrame> {
    let text = |name: &str, get: &dyn Fn(&MatchRow) -> &str| -> Column {
        Column::new(name.into(), rows.iter().map(get).collect::<Vec<&str>>())
    };
    let mut columns = vec![Column::new(
        "input_row".into(),
        rows.iter().map(|r| r.row).collect::<Vec<u64>>(),
    )];
    for (i, name) in COLUMNS[1..7].iter().enumerate() {
        columns.push(text(name, &|r| r.key[i].as_str()));
    }
    columns.extend([
        text("status", &|r| r.status.key()),
        text("entity_ids", &|r| &r.entity_ids),
        text("tier", &|r| &r.tier),
        text("lists", &|r| &r.lists),
        text("method", &|r| &r.method),
        text("explanation", &|r| &r.explanation),
        text("path", &|r| &r.path),
        text("designations", &|r| &r.designations),
        text("sources", &|r| &r.sources),
        text("review_entity_id", &|r| &r.review_entity_id),
        text("review_reference_name", &|r| &r.review_reference_name),
        text("review_score", &|r| &r.review_score),
        text("review_explanation", &|r| &r.review_explanation),
        text("xpcc_control", &|r| &r.xpcc_control),
        Column::new(
            "xpcc_debt".into(),
            rows.iter().map(|r| r.xpcc_debt).collect::<Vec<bool>>(),
        ),
        text("note", &|r| &r.note),
        Column::new("reference_sha256".into(), vec![sha; rows.len()]),
    ]);
    DataFrame::new(rows.len(), columns)
}

/// Rows resolved and written per batch: enough for every core to have work, small enough that
/// a batch's text is a few tens of megabytes at most.
const BATCH: usize = 100_000;

/// Why a table could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    Ingest(#[from] crate::ingest::IngestError),
    #[error(transparent)]
    Table(#[from] TableError),
    #[error(
        "{file}: {read} rows were read but {written} written ({flagged} flagged, {review} for review, {clear} clear, {unscreened} unscreened); nothing was written"
    )]
    Unreconciled {
        file: String,
        read: u64,
        written: u64,
        flagged: u64,
        review: u64,
        clear: u64,
        unscreened: u64,
    },
}

/// A built table: the files' bytes and what went into them.
#[derive(Debug)]
pub struct Built {
    pub csv: Vec<u8>,
    pub parquet: Vec<u8>,
    pub counts: Counts,
    /// The key columns found, as `role=HEADER`.
    pub columns: Vec<String>,
    pub warnings: Vec<String>,
}

/// Reads a table of issuers batch by batch, resolves each row once and writes both files.
pub fn build(
    input: &std::path::Path,
    spec: &crate::ingest::ColumnSpec,
    limits: crate::ingest::issuers::IssuerLimits,
    data: &ReferenceData,
    resolver: &Resolver,
) -> Result<Built, ResolveError> {
    let mut reader = crate::ingest::issuers::IssuerReader::open(input, spec, limits)?;
    let mut writer = TableWriter::new(data)?;
    let mut warnings = Vec::new();
    let mut read = 0u64;
    loop {
        let batch = reader.next_batch(BATCH, &mut warnings)?;
        if batch.is_empty() {
            break;
        }
        read += batch.len() as u64;
        writer.push(&resolve_batch(resolver, data, &batch))?;
    }
    let columns = reader.describe();
    let (csv, parquet, mut counts) = writer.finish()?;
    counts.read = read;
    if !counts.reconciles() {
        return Err(ResolveError::Unreconciled {
            file: reader.file().to_string(),
            read,
            written: counts.flagged + counts.review + counts.clear + counts.unscreened,
            flagged: counts.flagged,
            review: counts.review,
            clear: counts.clear,
            unscreened: counts.unscreened,
        });
    }
    Ok(Built {
        csv,
        parquet,
        counts,
        columns,
        warnings,
    })
}
