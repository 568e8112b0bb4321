//! Measuring name matching on a labelled set: precision, recall, F1 and every miss.
//!
//! The set is a CSV with `holding_name` (as written in a real file) and `expected_entity_id`
//! (empty when the name must match nothing); other columns (`kind`, `origin`, `note`) document
//! the row. Only automatic matches count as predictions: a name left in the review band is not a
//! flag. A prediction of a wrong entity counts as a false positive, and the expected entity not
//! found as a false negative, so a confusion between two listed companies costs twice.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::Resolver;
use crate::model::{Holding, HoldingIds, PositionKind, SourceLine};

/// One labelled row.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub line: usize,
    pub name: String,
    pub expected: Option<String>,
    pub kind: String,
}

/// What the resolver made of one labelled row, when it was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miss {
    pub line: usize,
    pub name: String,
    pub expected: Option<String>,
    pub found: Vec<String>,
    pub review: Vec<String>,
}

/// Counts and misses over a labelled set.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub rows: usize,
    pub positives: usize,
    pub hard_negatives: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub true_negatives: usize,
    /// Rows whose expected entity was only in the review band.
    pub in_review: usize,
    pub misses: Vec<Miss>,
}

impl Evaluation {
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// The report `xjscan eval` prints.
    pub fn render(&self, set: &str) -> String {
        let mut out = format!(
            "{set}: {} rows ({} positive, {} hard negative)\n\
             precision {:.3}  recall {:.3}  F1 {:.3}\n\
             true positives {}, false positives {}, false negatives {}, true negatives {}; \
             {} expected match{} left in the review band\n",
            self.rows,
            self.positives,
            self.hard_negatives,
            self.precision(),
            self.recall(),
            self.f1(),
            self.true_positives,
            self.false_positives,
            self.false_negatives,
            self.true_negatives,
            self.in_review,
            if self.in_review == 1 { "" } else { "es" },
        );
        if !self.misses.is_empty() {
            out.push_str("misses:\n");
        }
        for m in &self.misses {
            let list = |v: &[String]| {
                if v.is_empty() {
                    "nothing".to_string()
                } else {
                    v.join(", ")
                }
            };
            out.push_str(&format!(
                "  line {}: {} → matched {}; expected {}{}\n",
                m.line,
                m.name,
                list(&m.found),
                m.expected.as_deref().unwrap_or("nothing"),
                if m.review.is_empty() {
                    String::new()
                } else {
                    format!(" (review: {})", m.review.join(", "))
                }
            ));
        }
        out
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Why a labelled set cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{file}:{line}: {reason}")]
    Row {
        file: String,
        line: usize,
        reason: String,
    },
}

/// Reads a labelled set.
pub fn read_set(file: &str, text: &str) -> Result<Vec<Labelled>, EvalError> {
    let err = |line: usize, reason: String| EvalError::Row {
        file: file.to_string(),
        line,
        reason,
    };
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().map_err(|e| err(1, e.to_string()))?.clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(name_col), Some(expected_col)) = (col("holding_name"), col("expected_entity_id"))
    else {
        return Err(err(
            1,
            "expected columns holding_name and expected_entity_id".to_string(),
        ));
    };
    let kind_col = col("kind");
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.map_err(|e| err(line, e.to_string()))?;
        let name = record.get(name_col).unwrap_or("").to_string();
        if name.trim().is_empty() {
            return Err(err(line, "holding_name is empty".to_string()));
        }
        let expected = record.get(expected_col).unwrap_or("").trim();
        rows.push(Labelled {
            line,
            name,
            expected: (!expected.is_empty()).then(|| expected.to_string()),
            kind: kind_col
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .to_string(),
        });
    }
    Ok(rows)
}

/// Runs every labelled name through the resolver, as a holding with no identifiers.
pub fn evaluate(resolver: &Resolver, rows: &[Labelled]) -> Evaluation {
    let mut e = Evaluation {
        rows: rows.len(),
        ..Evaluation::default()
    };
    for row in rows {
        let holding = name_only(&row.name);
        let r = resolver.resolve(&holding);
        let found: BTreeSet<String> = r.matches.into_iter().map(|m| m.entity_id).collect();
        let review: Vec<String> = r.review.into_iter().map(|c| c.entity_id).collect();
        let wrong = found
            .iter()
            .filter(|f| Some(*f) != row.expected.as_ref())
            .count();
        e.false_positives += wrong;
        match &row.expected {
            Some(expected) => {
                e.positives += 1;
                if found.contains(expected) {
                    e.true_positives += 1;
                } else {
                    e.false_negatives += 1;
                    if review.contains(expected) {
                        e.in_review += 1;
                    }
                }
            }
            None => {
                if row.kind == "hard_negative" {
                    e.hard_negatives += 1;
                }
                if found.is_empty() {
                    e.true_negatives += 1;
                }
            }
        }
        let correct = match &row.expected {
            Some(x) => found.len() == 1 && found.contains(x),
            None => found.is_empty(),
        };
        if !correct {
            e.misses.push(Miss {
                line: row.line,
                name: row.name.clone(),
                expected: row.expected.clone(),
                found: found.into_iter().collect(),
                review,
            });
        }
    }
    e
}

/// A holding that carries only a name, as the labelled set is about names.
pub fn name_only(name: &str) -> Holding {
    Holding {
        source: SourceLine {
            file: "eval".into(),
            line: 0,
        },
        name: name.to_string(),
        name_source: None,
        description: None,
        ids: HoldingIds::default(),
        quantity: None,
        quantity_unit: None,
        kind: PositionKind::Long,
        value: Decimal::ONE,
        currency: None,
        weight_pct: None,
        asset_class: None,
    }
}
