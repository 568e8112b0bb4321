//! The data-set engine every whole-market reader feeds (Form 13F today, Form N-PORT next): one
//! pass over a table's rows into per-thread sinks, each distinct issuer resolved once, and the
//! rows of flagged issuers found again through eight bytes kept per row.
//!
//! A reader says what a row is through [`TableRow`]: the portfolio it belongs to, the issuer's
//! key fields, its value in the reader's whole units, and its bucket. The engine knows nothing
//! of 13F units or N-PORT payoff profiles; those stay with the readers, which turn the sums
//! into their own per-portfolio figures.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::DatasetRejected;
use crate::exposure::ownership::Link;
use crate::exposure::{flag_links, flagging_of, involves_xpcc};
use crate::ingest::IngestError;
use crate::model::ids::{Cusip, Isin, Lei};
use crate::model::{Holding, HoldingIds, PositionKind, ReferenceData, SourceLine};
use crate::resolve::{Candidate, HoldingResolution, Resolver};

/// A hash map with a fast non-cryptographic hasher: the keys come from the data set, but the
/// process ends with the scan, and nothing here is iterated into an output unsorted.
pub(super) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Where a row's value goes in its portfolio's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// A long position: the exposure measured.
    Long,
    /// An option (13F `PUTCALL`): reported apart from long exposure.
    Option,
    /// A short position (N-PORT payoff profile `Short`): reported apart.
    Short,
    /// A derivative (N-PORT asset category `D…`): reported apart.
    Derivative,
}

/// How many buckets there are (the sums keep one slot per bucket).
const BUCKETS: usize = 4;

impl Bucket {
    fn slot(self) -> usize {
        match self {
            Bucket::Long => 0,
            Bucket::Option => 1,
            Bucket::Short => 2,
            Bucket::Derivative => 3,
        }
    }
}

/// What a reader tells the engine about one row of its table.
pub trait TableRow {
    /// The portfolio (filing) the row belongs to.
    fn portfolio(&self) -> &[u8];
    /// The issuer's key fields: name, CUSIP, LEI and ISIN as the table writes them (empty
    /// when it has none).
    fn issuer_fields(&self) -> [&[u8]; 4];
    /// The value in the reader's whole units (13F: dollars or thousands; N-PORT: millionths of
    /// a dollar), or `None` when it cannot be counted (the row is then set aside, with
    /// [`TableRow::rejection`] as its reason). Readers bound a row's value well inside `i64`
    /// units × 10^6, so no sum of rows can overflow `i128`.
    fn value(&self) -> Option<i128>;
    fn bucket(&self) -> Bucket;
    /// Evidence the reader counts per portfolio to decide something about it later (13F: the
    /// share rows priced, and those priced under a dollar, for the unit decision).
    fn evidence(&self, value: i128) -> [u64; 2];
    fn rejection(&self) -> String;
    /// The row as set aside: its name and CUSIP as written.
    fn rejected(&self) -> (String, String);
}

/// Counts and raw sums of one portfolio's rows, in `i128`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sums {
    pub rows: u64,
    /// Rows whose value cannot be counted.
    pub rejected: u64,
    /// Rows and raw value per bucket.
    pub bucket_rows: [u64; BUCKETS],
    pub bucket_raw: [i128; BUCKETS],
    /// Every value counted, as filed.
    pub raw_sum: i128,
    pub evidence: [u64; 2],
}

impl Sums {
    fn add(&mut self, row: &impl TableRow, value: Option<i128>) {
        self.rows += 1;
        let Some(value) = value else {
            self.rejected += 1;
            return;
        };
        self.raw_sum += value;
        let slot = row.bucket().slot();
        self.bucket_rows[slot] += 1;
        self.bucket_raw[slot] += value;
        let [a, b] = row.evidence(value);
        self.evidence[0] += a;
        self.evidence[1] += b;
    }

    pub fn merge(&mut self, o: &Sums) {
        self.rows += o.rows;
        self.rejected += o.rejected;
        for slot in 0..BUCKETS {
            self.bucket_rows[slot] += o.bucket_rows[slot];
            self.bucket_raw[slot] += o.bucket_raw[slot];
        }
        self.raw_sum += o.raw_sum;
        self.evidence[0] += o.evidence[0];
        self.evidence[1] += o.evidence[1];
    }

    pub fn rows_in(&self, bucket: Bucket) -> u64 {
        self.bucket_rows[bucket.slot()]
    }

    pub fn raw_in(&self, bucket: Bucket) -> i128 {
        self.bucket_raw[bucket.slot()]
    }

    /// Every row is in exactly one bucket or set aside.
    pub fn balanced(&self) -> bool {
        self.bucket_rows.iter().sum::<u64>() + self.rejected == self.rows
    }
}

/// A row as kept during the pass: its issuer (numbered within the sink that read it) and where
/// it sits in its range: the byte offset from the range's start in the table, or the row
/// index in a Parquet partition. Eight bytes, so even 10 million rows take little memory.
#[derive(Debug, Clone, Copy)]
pub struct RowRef {
    pub issuer: u32,
    pub at: u32,
}

/// The rows of one range, in line order.
pub struct RangeRows {
    pub chunk: u32,
    pub rows: Vec<RowRef>,
    /// Where row numbers and line numbers part (after the header or a blank line): the index
    /// of a row in `rows` and its line within the range. Rows between two entries sit on
    /// consecutive lines, so blank lines cost nothing per line.
    jumps: Vec<(u32, u32)>,
    /// The line the next row sits on if no line is skipped.
    next_line: u32,
}

impl RangeRows {
    fn new(chunk: u32, capacity: usize) -> Self {
        RangeRows {
            chunk,
            rows: Vec::with_capacity(capacity),
            jumps: Vec::new(),
            next_line: 0,
        }
    }

    fn push(&mut self, row: RowRef, line_in_chunk: u32) {
        if line_in_chunk != self.next_line {
            self.jumps.push((self.rows.len() as u32, line_in_chunk));
        }
        self.rows.push(row);
        self.next_line = line_in_chunk + 1;
    }

    /// The line within the range of the row at `index`.
    pub fn line_of(&self, index: usize) -> u32 {
        let after = self.jumps.partition_point(|(i, _)| *i as usize <= index);
        match after.checked_sub(1).and_then(|k| self.jumps.get(k)) {
            Some(&(i, line)) => line + (index as u32 - i),
            None => index as u32,
        }
    }
}

/// What one reading thread keeps of the rows it reads: each distinct issuer once, each
/// portfolio's sums, and a small fixed-size reference per row.
#[derive(Default)]
pub struct Sink {
    /// Issuer key bytes (see [`IssuerKey::encode`]) → number.
    pub issuers: FastMap<Box<[u8]>, u32>,
    key: Vec<u8>,
    pub portfolios: FastMap<Box<[u8]>, Sums>,
    /// The portfolio being read: rows come grouped by portfolio, so most rows need no lookup.
    current: Option<(Vec<u8>, Sums)>,
    pub ranges: Vec<RangeRows>,
    /// Rows set aside (few): where they are and why.
    pub rejected: Vec<(u32, u32, DatasetRejected)>,
    /// Every row read and the sum of every value parsed, counted as rows arrive and before any
    /// goes to its portfolio: the independent figure the portfolios' buckets must add up to.
    pub read_rows: u64,
    pub read_raw: i128,
}

impl Sink {
    pub fn add(&mut self, row: &impl TableRow, chunk: u32, line_in_chunk: u32, at: u32) {
        IssuerKey::encode(row.issuer_fields(), &mut self.key);
        let issuer = match self.issuers.get(self.key.as_slice()) {
            Some(id) => *id,
            None => {
                let id = self.issuers.len() as u32;
                self.issuers.insert(self.key.as_slice().into(), id);
                id
            }
        };
        if self.ranges.last().is_none_or(|r| r.chunk != chunk) {
            // The next range is about as long as the last one: reserve that much at once.
            let capacity = self
                .ranges
                .last()
                .map_or(1 << 16, |r| r.rows.len() + r.rows.len() / 8);
            self.ranges.push(RangeRows::new(chunk, capacity));
        }
        if let Some(range) = self.ranges.last_mut() {
            range.push(RowRef { issuer, at }, line_in_chunk);
        }
        let value = row.value();
        self.read_rows += 1;
        self.read_raw += value.unwrap_or(0);
        if value.is_none() {
            let (name, cusip) = row.rejected();
            let rejected = DatasetRejected {
                accession: String::from_utf8_lossy(row.portfolio()).into_owned(),
                line: 0, // known once every range is read
                name,
                cusip,
                reason: row.rejection(),
            };
            self.rejected.push((chunk, line_in_chunk, rejected));
        }
        match &mut self.current {
            Some((portfolio, sums)) if portfolio.as_slice() == row.portfolio() => {
                sums.add(row, value)
            }
            _ => {
                self.flush();
                let mut sums = Sums::default();
                sums.add(row, value);
                self.current = Some((row.portfolio().to_vec(), sums));
            }
        }
    }

    /// Puts the portfolio being read with the others; call once the sink has seen every row.
    pub fn flush(&mut self) {
        if let Some((portfolio, sums)) = self.current.take() {
            self.portfolios
                .entry(portfolio.into_boxed_slice())
                .or_default()
                .merge(&sums);
        }
    }
}

/// A distinct issuer: its key fields as the table writes them (13F: name and CUSIP; N-PORT
/// adds the LEI and the ISIN of its identifiers).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IssuerKey {
    pub name: String,
    pub cusip: String,
    pub lei: String,
    pub isin: String,
}

impl IssuerKey {
    /// Writes the key fields as one byte string, each field after its length, so no two
    /// different sets of fields give the same bytes. Lengths take two bytes (the key is hashed
    /// for every row of a quarter, so it is kept short); a field of 65,535 bytes or more
    /// writes `u16::MAX` and then its length in four.
    fn encode(fields: [&[u8]; 4], out: &mut Vec<u8>) {
        out.clear();
        for field in fields {
            match u16::try_from(field.len()) {
                Ok(len) if len < u16::MAX => out.extend_from_slice(&len.to_le_bytes()),
                _ => {
                    out.extend_from_slice(&u16::MAX.to_le_bytes());
                    out.extend_from_slice(&(field.len() as u32).to_le_bytes());
                }
            }
            out.extend_from_slice(field);
        }
    }

    /// The key fields back from [`IssuerKey::encode`]'s bytes, borrowed: enough to order
    /// keys without building them.
    pub fn fields(mut bytes: &[u8]) -> [&[u8]; 4] {
        let mut fields: [&[u8]; 4] = [&[]; 4];
        let take = |bytes: &mut &[u8], n: usize| -> u32 {
            let (head, rest) = bytes.split_at(n.min(bytes.len()));
            *bytes = rest;
            head.iter()
                .rev()
                .fold(0u32, |v, b| (v << 8) | u32::from(*b))
        };
        for field in &mut fields {
            let mut len = take(&mut bytes, 2);
            if len == u32::from(u16::MAX) {
                len = take(&mut bytes, 4);
            }
            let (text, rest) = bytes.split_at((len as usize).min(bytes.len()));
            *field = text;
            bytes = rest;
        }
        fields
    }

    /// The key fields back from [`IssuerKey::encode`]'s bytes.
    pub fn decode(bytes: &[u8]) -> IssuerKey {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let [name, cusip, lei, isin] = IssuerKey::fields(bytes);
        IssuerKey {
            name: text(name),
            cusip: text(cusip),
            lei: text(lei),
            isin: text(isin),
        }
    }
}

/// What is known about a distinct issuer once resolved: entity ids and tier when flagged, and
/// review candidates.
#[derive(Debug, Clone, Default)]
pub struct IssuerOutcome {
    pub flag: Option<(String, String)>,
    /// A flag that runs to or through the XPCC (its debt is reported on its own).
    pub xpcc: bool,
    pub review: Vec<Candidate>,
}

pub use crate::ingest::tsv_chunks::threads;

/// The holding an issuer key stands for when it is resolved: its name and the identifiers
/// its fields parse as, and nothing else.
pub fn issuer_holding(key: &IssuerKey) -> Holding {
    Holding {
        source: SourceLine {
            file: "".into(),
            line: 0,
        },
        name: key.name.clone(),
        name_source: None,
        description: None,
        ids: HoldingIds {
            cusip: key.cusip.parse::<Cusip>().ok(),
            lei: key.lei.parse::<Lei>().ok(),
            isin: key.isin.parse::<Isin>().ok(),
            ..HoldingIds::default()
        },
        quantity: None,
        quantity_unit: None,
        kind: PositionKind::Long,
        value: Decimal::ZERO,
        currency: None,
        weight_pct: None,
        asset_class: None,
    }
}

/// What a data-set scan keeps of an issuer's resolution: the flag (entity ids and strongest
/// tier, as `flagged.csv` writes them), whether it reaches the XPCC, and review candidates.
pub fn outcome_of(review: Vec<Candidate>, links: &[Link]) -> IssuerOutcome {
    let (tier, entities) = flagging_of(links);
    IssuerOutcome {
        flag: tier.map(|t| (entities.join("; "), t.key().to_string())),
        xpcc: links.iter().any(involves_xpcc),
        review,
    }
}

/// Resolves distinct issuers, each once for the whole data set, on every core: names are
/// independent, and the results are put back in input order, so the output does not depend on
/// the number of threads.
pub fn resolve_issuers<K: std::borrow::Borrow<IssuerKey> + Sync>(
    resolver: &Resolver,
    data: &ReferenceData,
    issuers: &[K],
) -> Vec<IssuerOutcome> {
    resolve_each(
        resolver,
        data,
        issuers,
        |key| issuer_holding(key.borrow()),
        |_, resolution, links| outcome_of(resolution.review, &links),
    )
}

/// Resolves each item's holding once, on every core, and gives `answer` the resolution and its
/// flag links, in input order. Both the data-set scans and `xjscan resolve` go through here, so
/// a match table answers as a scan does. Items should come sorted by name: one memo per part
/// looks each name up once.
pub fn resolve_each<I: Sync, T: Send>(
    resolver: &Resolver,
    data: &ReferenceData,
    items: &[I],
    holding: impl Fn(&I) -> Holding + Sync,
    answer: impl Fn(&I, HoldingResolution, Vec<Link>) -> T + Sync,
) -> Vec<T> {
    let resolve_part = |part: &[I]| {
        let mut memo = crate::resolve::NameMemo::default();
        part.iter()
            .map(|item| {
                let resolution = resolver.resolve_with(&holding(item), &mut memo);
                // The links are found once: they give the flag and whether it reaches the XPCC.
                let links = flag_links(&resolution.matches, data);
                answer(item, resolution, links)
            })
            .collect::<Vec<_>>()
    };
    let threads = threads();
    if threads < 2 || items.len() < 2_000 {
        return resolve_part(items);
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| resolve_part(part)))
            .collect();
        // Answers are matched to items by position, so a part may never go missing: a
        // thread that panicked (a bug, not bad input) takes the process down with it.
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// The distinct issuers of a piece, across its sinks: the keys in first-seen order, and for
/// each sink the piece-wide number of each of its own issuer numbers.
pub fn unite_issuers(sinks: &[Sink]) -> (Vec<&[u8]>, Vec<Vec<u32>>) {
    let mut piece_ids: FastMap<&[u8], u32> = FastMap::default();
    let mut keys: Vec<&[u8]> = Vec::new();
    let mut remap: Vec<Vec<u32>> = Vec::with_capacity(sinks.len());
    for sink in sinks {
        let mut map = vec![0u32; sink.issuers.len()];
        for (key, &local) in &sink.issuers {
            let id = *piece_ids.entry(key).or_insert_with(|| {
                keys.push(key);
                (keys.len() - 1) as u32
            });
            map[local as usize] = id;
        }
        remap.push(map);
    }
    (keys, remap)
}

/// The rows whose issuer is flagged, as (range, line within it, row with its piece-wide issuer
/// number), in the sinks' order.
pub fn flagged_rows(
    sinks: &[Sink],
    remap: &[Vec<u32>],
    flagged: impl Fn(u32) -> bool,
) -> Vec<(u32, u32, RowRef)> {
    let mut out = Vec::new();
    for (sink, map) in sinks.iter().zip(remap) {
        for range in &sink.ranges {
            for (index, row) in range.rows.iter().enumerate() {
                let id = map.get(row.issuer as usize).copied().unwrap_or(u32::MAX);
                if flagged(id) {
                    out.push((
                        range.chunk,
                        range.line_of(index),
                        RowRef {
                            issuer: id,
                            at: row.at,
                        },
                    ));
                }
            }
        }
    }
    out
}

/// The review list: each distinct issuer's candidates, sorted, once each.
pub fn review_rows<'a>(
    issuers: impl Iterator<Item = (&'a IssuerKey, &'a IssuerOutcome)>,
) -> Vec<super::DatasetReview> {
    let mut review: Vec<super::DatasetReview> = issuers
        .flat_map(|(key, o)| {
            o.review.iter().map(|c| super::DatasetReview {
                holding_name: key.name.clone(),
                cusip: key.cusip.clone(),
                candidate: c.clone(),
            })
        })
        .collect();
    review.sort();
    review.dedup();
    review
}

/// Compares the portfolios' buckets (and set-aside rows) with the rows the sinks counted as
/// they read them: a row lost or counted twice on its way to a portfolio shows here.
pub fn reconcile(
    sinks: &[Sink],
    sums: &std::collections::BTreeMap<String, Sums>,
    file: &std::path::Path,
) -> Result<(), IngestError> {
    let read_rows: u64 = sinks.iter().map(|s| s.read_rows).sum();
    let read_raw: i128 = sinks.iter().map(|s| s.read_raw).sum();
    let bucket_rows: u64 = sums
        .values()
        .map(|s| s.bucket_rows.iter().sum::<u64>() + s.rejected)
        .sum();
    let bucket_raw: i128 = sums
        .values()
        .map(|s| s.bucket_raw.iter().sum::<i128>())
        .sum();
    if (read_rows, read_raw) == (bucket_rows, bucket_raw) {
        return Ok(());
    }
    Err(IngestError::Unbalanced {
        file: crate::ingest::display_path(file),
        message: format!(
            "the rows read are {read_rows} with values adding up to {read_raw} as filed, but the portfolios' buckets hold {bucket_rows} adding up to {bucket_raw}"
        ),
    })
}

/// Each portfolio's sums, merged across the sinks that read it (a portfolio may straddle two
/// ranges). `fault` plants a lost or doubled portfolio for the reconciliation tests.
pub fn merged_sums(
    sinks: &[Sink],
    fault: crate::fault::Fault,
) -> std::collections::BTreeMap<String, Sums> {
    let mut sums: std::collections::BTreeMap<String, Sums> = Default::default();
    for (index, (portfolio, s)) in sinks
        .iter()
        .flat_map(|sink| sink.portfolios.iter())
        .enumerate()
    {
        for _ in 0..fault.times(index) {
            sums.entry(String::from_utf8_lossy(portfolio).into_owned())
                .or_default()
                .merge(s);
        }
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows on lines 1, 2, 3, 5, 6 and 9 of a range (line 0 a header, 4, 7 and 8 blank): each
    /// row's line is found again from the few jumps kept.
    #[test]
    fn rows_keep_their_lines_across_skipped_lines() {
        let mut range = RangeRows::new(0, 0);
        let lines = [1u32, 2, 3, 5, 6, 9];
        for (i, line) in lines.iter().enumerate() {
            range.push(
                RowRef {
                    issuer: i as u32,
                    at: 0,
                },
                *line,
            );
        }
        let found: Vec<u32> = (0..lines.len()).map(|i| range.line_of(i)).collect();
        assert_eq!(found, lines);
        assert_eq!(range.jumps.len(), 3, "one jump per run of skipped lines");
    }

    #[test]
    fn issuer_keys_round_trip_and_never_collide() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        let long = vec![b'n'; 70_000];
        IssuerKey::encode([&long, b"C", b"", b"X"], &mut a);
        assert_eq!(IssuerKey::decode(&a).name.len(), 70_000);
        assert_eq!(IssuerKey::decode(&a).cusip, "C");
        IssuerKey::encode([b"AB", b"C", b"", b"X"], &mut a);
        IssuerKey::encode([b"A", b"BC", b"", b"X"], &mut b);
        assert_ne!(a, b);
        assert_eq!(
            IssuerKey::decode(&a),
            IssuerKey {
                name: "AB".into(),
                cusip: "C".into(),
                lei: String::new(),
                isin: "X".into(),
            }
        );
    }
}
