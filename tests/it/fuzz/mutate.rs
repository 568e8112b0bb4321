//! Mutations of seed inputs: byte-level damage, structural edits of text tables, and the values
//! that have broken readers before (huge numbers, multi-byte text, control characters).

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

/// Numbers at and past the edge of `Decimal` and of the amount parser.
pub const HUGE_NUMBERS: &[&str] = &[
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "1e28",
    "7.9228162514264337593543950335E+28",
    "-0",
    "(9,999,999,999,999,999,999,999,999.99)",
    "99999999999999999999999999999999999999",
    "0.00000000000000000000000000001",
    "1e-30",
    "NaN",
    "inf",
    "\u{0661}\u{0662}\u{0663}",
];

/// Text in the scripts holdings files carry, and characters that are easy to get wrong.
pub const TEXT: &[&str] = &[
    "新疆中泰化学股份有限公司",
    "杭州海康威视",
    "Société Générale à Paris",
    "Ürümqi Çà ÿ",
    "ئۇيغۇر",
    "Ελληνικά",
    "\u{feff}",
    "\u{200b}\u{200d}",
    "\u{0301}\u{0301}",
    "😀🏳️‍🌈",
    "\u{fffd}",
    "\u{2028}",
];

/// Bytes that end lines, fields and encodings early, or start them.
pub const CONTROL: &[&[u8]] = &[
    b"\0",
    b"\r",
    b"\n",
    b"\r\n",
    b"\x1b[31m",
    b"\x7f",
    b"\x0c",
    b"\"",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\xc3",
    b"\xe6\x96",
    b"\x81\x40",
    b"<![CDATA[",
    b"&#0;",
    b"&amp",
    b"</",
];

const DELIMITERS: &[u8] = b",;\t|";

/// Applies one to three mutations to `data`; `other` is a second seed for splicing. Returns
/// the names of the mutations applied, joined with `+`.
pub fn mutate(rng: &mut StdRng, data: &mut Vec<u8>, other: &[u8]) -> String {
    let count = rng.random_range(1..=3);
    (0..count)
        .map(|_| mutate_once(rng, data, other))
        .collect::<Vec<_>>()
        .join("+")
}

fn mutate_once(rng: &mut StdRng, data: &mut Vec<u8>, other: &[u8]) -> &'static str {
    match rng.random_range(0..15) {
        0 => flip_bits(rng, data),
        1 => insert_random(rng, data),
        2 => delete_range(rng, data),
        3 => duplicate_range(rng, data),
        4 => splice(rng, data, other),
        5 => truncate(rng, data),
        6 => swap_delimiters(rng, data),
        7 => huge_number(rng, data),
        8 => insert_str(rng, data, TEXT, "non-ascii"),
        9 => insert_bytes(rng, data, CONTROL, "control"),
        10 => long_field(rng, data),
        11 => duplicate_line(rng, data, true),
        12 => duplicate_line(rng, data, false),
        13 => remove_quotes(rng, data),
        _ => replace_number(rng, data),
    }
}

/// A position in `0..=len`, now and then at a line start (where structure lives).
fn position(rng: &mut StdRng, data: &[u8]) -> usize {
    let at = rng.random_range(0..=data.len());
    if rng.random_bool(0.5) {
        return at;
    }
    data[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

/// A range of up to `max` bytes inside `data`.
fn range(rng: &mut StdRng, data: &[u8], max: usize) -> std::ops::Range<usize> {
    let start = rng.random_range(0..=data.len());
    let len = rng.random_range(0..=max.min(data.len() - start));
    start..start + len
}

fn flip_bits(rng: &mut StdRng, data: &mut [u8]) -> &'static str {
    if data.is_empty() {
        return "flip(empty)";
    }
    for _ in 0..rng.random_range(1..=8) {
        let i = rng.random_range(0..data.len());
        data[i] ^= 1 << rng.random_range(0..8);
    }
    "flip"
}

fn insert_random(rng: &mut StdRng, data: &mut Vec<u8>) -> &'static str {
    let at = position(rng, data);
    let bytes: Vec<u8> = (0..rng.random_range(1..64)).map(|_| rng.random()).collect();
    data.splice(at..at, bytes);
    "insert-random"
}

fn delete_range(rng: &mut StdRng, data: &mut Vec<u8>) -> &'static str {
    let r = range(rng, data, 512);
    data.drain(r);
    "delete"
}

fn duplicate_range(rng: &mut StdRng, data: &mut Vec<u8>) -> &'static str {
    let r = range(rng, data, 2048);
    let copy = data[r.clone()].to_vec();
    let at = position(rng, data);
    data.splice(at..at, copy);
    "duplicate"
}

/// This seed's head with another seed's tail.
fn splice(rng: &mut StdRng, data: &mut Vec<u8>, other: &[u8]) -> &'static str {
    let cut = rng.random_range(0..=data.len());
    let from = rng.random_range(0..=other.len());
    data.truncate(cut);
    data.extend_from_slice(&other[from..]);
    "splice"
}

fn truncate(rng: &mut StdRng, data: &mut Vec<u8>) -> &'static str {
    let at = rng.random_range(0..=data.len());
    data.truncate(at);
    "truncate"
}

fn swap_delimiters(rng: &mut StdRng, data: &mut [u8]) -> &'static str {
    let from = *DELIMITERS.choose(rng).unwrap_or(&b',');
    let to = *DELIMITERS.choose(rng).unwrap_or(&b';');
    for b in data.iter_mut().filter(|b| **b == from) {
        *b = to;
    }
    "swap-delimiters"
}

fn insert_str(
    rng: &mut StdRng,
    data: &mut Vec<u8>,
    pool: &[&str],
    name: &'static str,
) -> &'static str {
    let text = pool.choose(rng).copied().unwrap_or("");
    let at = rng.random_range(0..=data.len());
    data.splice(at..at, text.bytes());
    name
}

fn insert_bytes(
    rng: &mut StdRng,
    data: &mut Vec<u8>,
    pool: &[&[u8]],
    name: &'static str,
) -> &'static str {
    let bytes = pool.choose(rng).copied().unwrap_or(b"");
    let at = rng.random_range(0..=data.len());
    data.splice(at..at, bytes.iter().copied());
    name
}

fn huge_number(rng: &mut StdRng, data: &mut Vec<u8>) -> &'static str {
    insert_str(rng, data, HUGE_NUMBERS, "huge-number")
}

/// Replaces a run of digits (a value, most likely) with a huge number.
fn replace_number(rng: &mut StdRng, data: &mut Vec<u8>) -> &'static str {
    let starts: Vec<usize> = (0..data.len())
        .filter(|&i| data[i].is_ascii_digit() && (i == 0 || !data[i - 1].is_ascii_digit()))
        .collect();
    let Some(&start) = starts.choose(rng) else {
        return huge_number(rng, data);
    };
    let end = data[start..]
        .iter()
        .position(|b| !(b.is_ascii_digit() || *b == b'.'))
        .map_or(data.len(), |n| start + n);
    let number = HUGE_NUMBERS.choose(rng).copied().unwrap_or("1e28");
    data.splice(start..end, number.bytes());
    "replace-number"
}

/// A field far longer than any real one (but not so long that a case gets slow).
fn long_field(rng: &mut StdRng, data: &mut Vec<u8>) -> &'static str {
    let len = rng.random_range(1_000..70_000);
    let unit: &[u8] = if rng.random_bool(0.5) {
        b"A"
    } else {
        "疆".as_bytes()
    };
    let at = rng.random_range(0..=data.len());
    data.splice(at..at, unit.iter().copied().cycle().take(len));
    "long-field"
}

/// Duplicates the first line (a repeated header) or a random one.
fn duplicate_line(rng: &mut StdRng, data: &mut Vec<u8>, first: bool) -> &'static str {
    let start = if first { 0 } else { position(rng, data) };
    let end = data[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(data.len(), |i| start + i + 1);
    let line = data[start..end].to_vec();
    let at = if first { end } else { position(rng, data) };
    data.splice(at..at, line);
    if first {
        "duplicate-header"
    } else {
        "duplicate-line"
    }
}

fn remove_quotes(rng: &mut StdRng, data: &mut Vec<u8>) -> &'static str {
    if rng.random_bool(0.5) {
        data.retain(|&b| b != b'"');
        return "remove-quotes";
    }
    let quotes: Vec<usize> = (0..data.len()).filter(|&i| data[i] == b'"').collect();
    if let Some(&i) = quotes.choose(rng) {
        data.remove(i);
    }
    "remove-one-quote"
}
