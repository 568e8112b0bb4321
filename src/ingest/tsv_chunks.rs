//! Reads one large tab-separated file on every core, in a single pass over its bytes.
//!
//! Whole-market tables (a quarter of 13F data: hundreds of megabytes, millions of lines) are
//! read far faster as bytes than as a data frame of strings: the file is cut into line-aligned
//! byte ranges, each worker thread takes the next range, splits its lines on tabs and hands the
//! fields to a caller-supplied sink, one sink per thread. Nothing is copied unless the sink
//! copies it, so the sink decides what is kept (for the 13F scan: a few integers per row).
//!
//! No quoting is applied (the SEC's tables have none; a quote is a character like any other),
//! a trailing `\r` is dropped, and empty lines carry no row but still count as lines, so every
//! row's line number is its line in the file.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where a row is: the range it was read in, its line within that range (0-based), and where
/// its first byte is from the range's start (with [`Chunked::offset`], to read it again later).
/// Small numbers, so a caller can keep one per row cheaply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub chunk: u32,
    pub line_in_chunk: u32,
    pub offset_in_chunk: u32,
}

/// What a parallel read returns: the sinks (one per worker thread, in thread order) and how
/// many lines began in each range, from which line numbers are found.
#[derive(Debug)]
pub struct Chunked<S> {
    pub sinks: Vec<S>,
    /// For each range, the number of lines before it in the file, and the offset its bytes
    /// are counted from.
    lines_before: Vec<u64>,
    starts: Vec<u64>,
}

impl<S> Chunked<S> {
    /// The sinks, apart from what finds line numbers.
    pub fn split(self) -> (Vec<S>, Chunked<()>) {
        (
            self.sinks,
            Chunked {
                sinks: Vec::new(),
                lines_before: self.lines_before,
                starts: self.starts,
            },
        )
    }

    /// The 1-based line number in the file of a row at `position`.
    pub fn line(&self, chunk: u32, line_in_chunk: u32) -> u64 {
        self.lines_before.get(chunk as usize).copied().unwrap_or(0) + u64::from(line_in_chunk) + 1
    }

    /// The byte offset in the file of a row's first byte.
    pub fn offset(&self, chunk: u32, offset_in_chunk: u32) -> u64 {
        self.starts.get(chunk as usize).copied().unwrap_or(0) + u64::from(offset_in_chunk)
    }
}

/// What a thread hands back: its sink, and how many lines began in each range it read.
type ThreadResult<S> = io::Result<(S, Vec<(usize, u64)>)>;

/// The threads to read with: every core, at most eight (past that the disk, not the
/// parsing, sets the pace).
pub fn threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8)
}

/// Ranges larger than this are cut up so that threads share the work evenly even when one of
/// them is slowed down; smaller ones keep the per-range set-up cheap.
const MAX_CHUNK: u64 = 32 << 20;
const MIN_CHUNK: u64 = 1 << 20;

/// Reads every line of `path` after the first (the header), on up to `threads` threads. For
/// each non-empty line, `each` is called with the thread's sink, the line's fields (at most
/// `max_fields`; a line with fewer fields gives fewer) and its position.
pub fn read<S, M, F>(
    path: &Path,
    threads: usize,
    max_fields: usize,
    make: M,
    each: F,
) -> io::Result<Chunked<S>>
where
    S: Send,
    M: Fn() -> S + Sync,
    F: Fn(&mut S, &[&[u8]], Position) + Sync,
{
    let len = std::fs::metadata(path)?.len();
    let chunk = (len / (threads.max(1) as u64 * 4)).clamp(MIN_CHUNK, MAX_CHUNK);
    read_in_ranges(path, threads, max_fields, chunk, make, each)
}

/// [`read`] with a given range size (tests cut small files into many ranges).
fn read_in_ranges<S, M, F>(
    path: &Path,
    threads: usize,
    max_fields: usize,
    chunk: u64,
    make: M,
    each: F,
) -> io::Result<Chunked<S>>
where
    S: Send,
    M: Fn() -> S + Sync,
    F: Fn(&mut S, &[&[u8]], Position) + Sync,
{
    let len = std::fs::metadata(path)?.len();
    let threads = threads.max(1);
    let chunk = chunk.max(1);
    let chunks = len.div_ceil(chunk).max(1) as usize;
    let next = AtomicUsize::new(0);
    let work = || -> ThreadResult<S> {
        let mut file = File::open(path)?;
        let mut sink = make();
        let mut counts = Vec::new();
        let mut buf = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            if index >= chunks {
                break;
            }
            let start = index as u64 * chunk;
            let end = (start + chunk).min(len);
            // One byte before the range tells whether a line starts exactly at `start`.
            let from = start.saturating_sub(1);
            fill(&mut file, &mut buf, from, end, len)?;
            let mut pos = if start == 0 {
                0
            } else {
                memchr::memchr(b'\n', &buf).map_or(buf.len(), |p| p + 1)
            };
            let mut line_in_chunk: u32 = 0;
            let mut fields: Vec<&[u8]> = Vec::with_capacity(max_fields);
            // Lines that begin inside [start, end) belong to this range.
            while pos < buf.len() && from + (pos as u64) < end {
                let stop = memchr::memchr(b'\n', &buf[pos..]).map_or(buf.len(), |p| pos + p);
                let offset = from + pos as u64;
                let offset_in_chunk = u32::try_from(pos).map_err(|_| {
                    io::Error::new(io::ErrorKind::InvalidData, "a line longer than 4 GB")
                })?;
                let line = without_cr(&buf[pos..stop]);
                pos = stop + 1;
                let this = line_in_chunk;
                line_in_chunk += 1;
                if offset == 0 {
                    continue; // the header
                }
                if line.is_empty() {
                    continue;
                }
                fields.clear();
                fields.extend(line.split(|b| *b == b'\t').take(max_fields));
                each(
                    &mut sink,
                    &fields,
                    Position {
                        chunk: index as u32,
                        line_in_chunk: this,
                        offset_in_chunk,
                    },
                );
            }
            counts.push((index, u64::from(line_in_chunk)));
        }
        Ok((sink, counts))
    };
    let results: Vec<ThreadResult<S>> = if threads == 1 || chunks == 1 {
        vec![work()]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads.min(chunks))
                .map(|_| scope.spawn(work))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(io::Error::other("a reading thread failed")))
                })
                .collect()
        })
    };
    let mut sinks = Vec::with_capacity(results.len());
    let mut lines = vec![0u64; chunks];
    for result in results {
        let (sink, counts) = result?;
        sinks.push(sink);
        for (index, n) in counts {
            lines[index] = n;
        }
    }
    let mut lines_before = Vec::with_capacity(chunks);
    let mut total = 0;
    for n in lines {
        lines_before.push(total);
        total += n;
    }
    let starts = (0..chunks as u64)
        .map(|i| (i * chunk).saturating_sub(1))
        .collect();
    Ok(Chunked {
        sinks,
        lines_before,
        starts,
    })
}

/// A line without its one trailing carriage return (of a CRLF line break); the same for the
/// pass and for lines read again, so both see the same fields.
fn without_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The most read past a range's end to finish the line crossing it: far more than any row of
/// the SEC's tables, and a file without line breaks is refused rather than read whole.
pub const MAX_LINE: u64 = 1 << 20;

/// Reads bytes `from..end` into `buf`, and past `end` up to the end of the line crossing it.
fn fill(file: &mut File, buf: &mut Vec<u8>, from: u64, end: u64, len: u64) -> io::Result<()> {
    buf.clear();
    file.seek(SeekFrom::Start(from))?;
    file.by_ref().take(end - from).read_to_end(buf)?;
    if end < len && buf.last() != Some(&b'\n') {
        let mut rest = BufReader::new(file.by_ref().take(MAX_LINE));
        let read = rest.read_until(b'\n', buf)?;
        if read as u64 == MAX_LINE && buf.last() != Some(&b'\n') && end + MAX_LINE < len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "no line break in the {} MiB after byte {end}; expected one row per line",
                    MAX_LINE >> 20
                ),
            ));
        }
    }
    Ok(())
}

/// Reads the lines at the given byte offsets again (for the few rows whose details are needed
/// after the pass), in offset order, with the trailing line break removed.
pub fn lines_at(path: &Path, offsets: &[u64]) -> io::Result<Vec<(u64, Vec<u8>)>> {
    let mut sorted = offsets.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut file = File::open(path)?;
    let mut out = Vec::with_capacity(sorted.len());
    for offset in sorted {
        file.seek(SeekFrom::Start(offset))?;
        let mut line = Vec::new();
        BufReader::with_capacity(1 << 10, file.by_ref()).read_until(b'\n', &mut line)?;
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        let kept = without_cr(&line).len();
        line.truncate(kept);
        out.push((offset, line));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line read exactly once, with its line number and fields, however the file is cut.
    fn lines_of(text: &str, threads: usize, chunk: u64) -> Vec<(u64, Vec<String>)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.tsv");
        std::fs::write(&path, text).unwrap();
        let read = read_in_ranges(
            &path,
            threads,
            3,
            chunk,
            Vec::new,
            |sink: &mut Vec<(Position, Vec<String>)>, fields, position| {
                sink.push((
                    position,
                    fields
                        .iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect(),
                ));
            },
        )
        .unwrap();
        let rows: Vec<&(Position, Vec<String>)> = read.sinks.iter().flatten().collect();
        // Each row's offset leads back to the same line.
        let offsets: Vec<u64> = rows
            .iter()
            .map(|(p, _)| read.offset(p.chunk, p.offset_in_chunk))
            .collect();
        let again: std::collections::HashMap<u64, Vec<u8>> =
            lines_at(&path, &offsets).unwrap().into_iter().collect();
        let mut all: Vec<(u64, Vec<String>)> = rows
            .iter()
            .zip(&offsets)
            .map(|((p, f), offset)| {
                let text = String::from_utf8_lossy(&again[offset]).into_owned();
                assert!(text.starts_with(&f[0]), "{text:?} {f:?}");
                (read.line(p.chunk, p.line_in_chunk), f.clone())
            })
            .collect();
        all.sort();
        all
    }

    #[test]
    fn header_skipped_fields_split_blank_lines_counted() {
        let text = "H1\tH2\na\tb\tc\td\r\n\n\"x\"\n";
        for chunk in [1, 2, 5, 1 << 20] {
            assert_eq!(
                lines_of(text, 2, chunk),
                vec![
                    (2, vec!["a".into(), "b".into(), "c".into()]),
                    (4, vec!["\"x\"".into()]),
                ],
                "ranges of {chunk} bytes"
            );
        }
    }

    #[test]
    fn many_ranges_give_every_line_once_with_its_number() {
        // Ranges of every size against lines of every length, some longer than a range, so
        // lines cross every boundary; and the default size on the same file.
        let mut text = String::from("HEADER\n");
        let mut expected = Vec::new();
        for i in 0..5_000u64 {
            let width = if i % 500 == 7 { 300 } else { (i % 37) as usize };
            let row = format!("{i}\t{}\tz", "v".repeat(width));
            text.push_str(&row);
            text.push('\n');
            expected.push((i + 2, row.split('\t').map(String::from).collect::<Vec<_>>()));
        }
        for chunk in [7, 64, 1000, 4096, MIN_CHUNK] {
            for threads in [1, 2, 3] {
                assert_eq!(
                    lines_of(&text, threads, chunk),
                    expected,
                    "{threads} threads, ranges of {chunk} bytes"
                );
            }
        }
    }

    #[test]
    fn a_file_without_line_breaks_is_refused_not_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.tsv");
        let mut text = b"H\n".to_vec();
        text.resize(3 * MAX_LINE as usize, b'a');
        std::fs::write(&path, &text).unwrap();
        let err = read_in_ranges(&path, 1, 3, 1024, || (), |_, _, _| {}).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no line break in the 1 MiB after byte 1024; expected one row per line"
        );
        // The same line ending the file within the bound is read.
        text.truncate(1024 + MAX_LINE as usize / 2);
        std::fs::write(&path, &text).unwrap();
        let read = read_in_ranges(&path, 1, 3, 1024, || 0, |n, _, _| *n += 1).unwrap();
        assert_eq!(read.sinks, vec![1]);
    }

    #[test]
    fn a_last_line_without_a_break_and_lines_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.tsv");
        std::fs::write(&path, "H\nfirst\r\r\nsecond").unwrap();
        let again = lines_at(&path, &[10, 2, 10]).unwrap();
        assert_eq!(
            again,
            vec![(2, b"first\r".to_vec()), (10, b"second".to_vec())]
        );
    }
}
