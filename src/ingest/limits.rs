//! Limits that keep memory bounded on any input: how far a workbook may unpack, how long a line
//! and a field may be, how many rows a table may have. Each has a default that real holdings files stay far below and a flag to
//! raise it; passing one is an error naming the file, the line where there is one, and the flag.

use super::IngestError;

/// The limits, in bytes except `rows`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// What a workbook's parts (XLSX/ODS are ZIP archives) may add up to once unpacked.
    pub unpacked: u64,
    /// The longest line of a text file.
    pub line: u64,
    /// The longest field (a cell, a name) of any file.
    pub field: u64,
    /// The most rows one table (CSV, TSV, workbook sheet, Parquet file) may have. Memory follows
    /// rows, not bytes (a holding and its place in the report take about 0.8–1.4 KB), and a
    /// Parquet file stores a row in a few bytes: this bounds what a small file can demand.
    pub rows: u64,
}

impl Default for Limits {
    /// A large fund's full holdings workbook unpacks to tens of megabytes; a holdings line is
    /// a few hundred bytes, a name under a few hundred characters.
    fn default() -> Self {
        Limits {
            unpacked: 256 << 20,
            line: 1 << 20,
            field: 64 << 10,
            rows: 5_000_000,
        }
    }
}

/// `64K`, `1M`, `256MiB`, `2G` or a plain number of bytes.
pub fn parse_size(raw: &str) -> Option<u64> {
    let t = raw.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let shift = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches("IB")
        .trim_end_matches('B')
    {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        _ => return None,
    };
    number.parse::<u64>().ok()?.checked_mul(1 << shift)
}

/// A size as people read it: `64 KiB`, `1 MiB`, `256 MiB`, else bytes.
pub fn show_size(bytes: u64) -> String {
    for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{} {unit}", bytes >> shift);
        }
    }
    format!("{bytes} bytes")
}

/// The error for a field longer than the limit.
pub fn field_too_long(file: &str, line: u64, len: usize, limit: u64) -> IngestError {
    IngestError::Malformed {
        file: file.to_string(),
        line,
        message: format!(
            "a field of {len} bytes is longer than the {} limit (--max-field raises it)",
            show_size(limit)
        ),
    }
}

/// The error for a table with more rows than the limit; `line` is where the limit was passed
/// (0 when the count comes from a file's metadata, as in a Parquet footer).
pub fn too_many_rows(file: &str, line: u64, rows: u64, limit: u64) -> IngestError {
    let message = format!(
        "the table has {rows} rows, more than the {limit}-row limit (--max-rows raises it)"
    );
    if line == 0 {
        IngestError::Invalid {
            file: file.to_string(),
            message,
        }
    } else {
        IngestError::Malformed {
            file: file.to_string(),
            line,
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64K"), Some(64 << 10));
        assert_eq!(parse_size("1M"), Some(1 << 20));
        assert_eq!(parse_size("256MiB"), Some(256 << 20));
        assert_eq!(parse_size("2 GB"), Some(2 << 30));
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("1T"), None);
        assert_eq!(parse_size("-1"), None);
        assert_eq!(parse_size("99999999999999999999G"), None);
        assert_eq!(show_size(64 << 10), "64 KiB");
        assert_eq!(show_size(1000), "1000 bytes");
    }
}
