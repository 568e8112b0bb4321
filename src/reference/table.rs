//! The reference tables as plain text rows, for commands that change them (imports).
//!
//! Loading for scanning goes through typed validation (`validate.rs`); importing needs the rows
//! as the analyst wrote them, so that a merge adds rows without rewriting curated ones. Writing
//! sorts rows in a natural order (by first column, then second; `U9` before `U10`) so diffs stay
//! small and readable, and a round trip of a sorted table gives back the same bytes.

use std::cmp::Ordering;
use std::path::Path;

use super::{EMBEDDED, ReferenceError, TABLES};

/// One table: its file name, columns and rows (every row has one value per column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Parses CSV text; `file` names the table in errors.
    pub fn parse(name: &'static str, file: &str, text: &str) -> Result<Table, ReferenceError> {
        let invalid = |message: String| ReferenceError::Invalid {
            origin: file.to_string(),
            problems: vec![message],
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(text.as_bytes());
        let columns: Vec<String> = reader
            .headers()
            .map_err(|e| invalid(format!("{file}:1: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                invalid(format!("{file}:{line}: {e}"))
            })?;
            rows.push(record.iter().map(str::to_string).collect());
        }
        Ok(Table {
            name,
            columns,
            rows,
        })
    }

    /// Index of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The value of `column` in row `row`, or "" when the column does not exist.
    pub fn get<'a>(&'a self, row: &'a [String], column: &str) -> &'a str {
        self.column(column)
            .and_then(|i| row.get(i))
            .map_or("", String::as_str)
    }

    /// Appends a row given as `(column, value)` pairs; columns not named are left empty.
    pub fn push(&mut self, values: &[(&str, &str)]) {
        let mut row = vec![String::new(); self.columns.len()];
        for (column, value) in values {
            if let Some(i) = self.column(column) {
                row[i] = (*value).to_string();
            }
        }
        self.rows.push(row);
    }

    /// Sorts rows by their first, then second column, in natural order. `dataset.csv` keeps its
    /// written order (it is a key–value list, read top to bottom).
    pub fn sort(&mut self) {
        if self.name == "dataset.csv" {
            return;
        }
        self.rows.sort_by(|a, b| {
            natural_cmp(&a[0], &b[0]).then_with(|| {
                natural_cmp(
                    a.get(1).map_or("", String::as_str),
                    b.get(1).map_or("", String::as_str),
                )
            })
        });
    }

    /// The table as CSV text (LF line endings, quoting only where needed).
    pub fn to_csv(&self) -> String {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        // Writing to a Vec cannot fail; a failure would be a bug in the csv crate.
        let _ = writer.write_record(&self.columns);
        for row in &self.rows {
            let _ = writer.write_record(row);
        }
        let bytes = writer.into_inner().unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// Compares strings so that runs of digits compare by value: `U9` < `U10`, `O8` < `O8-2025`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let xn = x.iter().take_while(|b| b.is_ascii_digit()).count();
                let yn = y.iter().take_while(|b| b.is_ascii_digit()).count();
                let (xd, yd) = (&x[..xn], &y[..yn]);
                let strip = |d: &[u8]| -> usize { d.iter().take_while(|b| **b == b'0').count() };
                let (xs, ys) = (&xd[strip(xd)..], &yd[strip(yd)..]);
                let ord = xs
                    .len()
                    .cmp(&ys.len())
                    .then_with(|| xs.cmp(ys))
                    .then(xn.cmp(&yn));
                if ord != Ordering::Equal {
                    return ord;
                }
                x = &x[xn..];
                y = &y[yn..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

/// All reference tables, in the fixed order of [`TABLES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables(pub Vec<Table>);

impl Tables {
    /// The shipped tables.
    pub fn embedded() -> Result<Tables, ReferenceError> {
        let tables = TABLES
            .iter()
            .zip(EMBEDDED)
            .map(|((name, _), text)| Table::parse(name, &format!("mappings/{name}"), text))
            .collect::<Result<_, _>>()?;
        Ok(Tables(tables))
    }

    /// The tables in a folder.
    pub fn read_dir(dir: &Path) -> Result<Tables, ReferenceError> {
        let tables = TABLES
            .iter()
            .map(|(name, columns)| {
                let text = super::read_table(dir, name, columns)?;
                Table::parse(name, &dir.join(name).display().to_string(), &text)
            })
            .collect::<Result<_, _>>()?;
        Ok(Tables(tables))
    }

    /// The table with this file name.
    pub fn table(&self, name: &str) -> &Table {
        self.0
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| unreachable!("every table in TABLES is loaded: {name}"))
    }

    pub fn table_mut(&mut self, name: &str) -> &mut Table {
        self.0
            .iter_mut()
            .find(|t| t.name == name)
            .unwrap_or_else(|| unreachable!("every table in TABLES is loaded: {name}"))
    }

    /// `(file name, CSV text)` for each table, sorted, ready to validate and write.
    pub fn texts(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .map(|t| {
                let mut t = t.clone();
                t.sort();
                (t.name.to_string(), t.to_csv())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut keys = vec!["U10", "U9", "O8", "B1", "U1", "O10", "a-2", "a-10"];
        keys.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(keys, ["B1", "O8", "O10", "U1", "U9", "U10", "a-2", "a-10"]);
    }

    /// With `XJSCAN_BLESS_TABLES` set, rewrites `mappings/` in the canonical form instead (for
    /// hand edits and merged branches), so the next run checks the rewritten files.
    #[test]
    fn shipped_tables_round_trip_byte_for_byte() {
        let tables = Tables::embedded().unwrap();
        let bless = std::env::var_os("XJSCAN_BLESS_TABLES").is_some();
        for ((name, text), original) in tables.texts().iter().zip(EMBEDDED) {
            if bless && text != original {
                let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("mappings")
                    .join(name);
                std::fs::write(&path, text).unwrap();
                continue;
            }
            assert!(
                text == original,
                "{name} is not in the writer's canonical order and quoting (rewrite it with XJSCAN_BLESS_TABLES=1 cargo test --lib shipped_tables_round_trip)"
            );
        }
    }
}
