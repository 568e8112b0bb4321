//! Reviewers' decisions on name matches: the overrides file.
//!
//! A scan writes the names in the review band to `review.csv`. A reviewer fills in `decision`
//! (`accept` or `reject`), `reviewer` and `date` on the rows they decided, and passes the file
//! back with `--overrides FILE` (or keeps decisions in `mappings/overrides.csv`). Re-runs apply
//! them: an accepted pair flags the holding, a rejected one removes a name match (never an
//! identifier match: a wrong identifier is a reference-data error to fix there). Rows without a
//! decision are skipped, so `review.csv` itself is a valid overrides file. Decisions are keyed by
//! the normalised holding name, so "CO LTD" spelled differently in the next export still hits.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::normalize_name;
use crate::model::{IsoDate, ReferenceData};

/// Columns an overrides file must have (others, such as review.csv's, are ignored).
pub const REQUIRED_COLUMNS: &[&str] =
    &["holding_name", "entity_id", "decision", "reviewer", "date"];

/// One reviewer decision.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Decision {
    pub holding_name: String,
    pub entity_id: String,
    pub accept: bool,
    pub reviewer: String,
    pub date: String,
    pub note: String,
    /// `file:line` the decision came from.
    pub origin: String,
}

/// The decisions, by normalised holding name.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    by_name: HashMap<String, Vec<Decision>>,
}

impl Overrides {
    /// Decisions for a holding name (normalised by the caller).
    pub fn for_name(&self, normalised: &str) -> &[Decision] {
        self.by_name.get(normalised).map_or(&[], Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    pub fn len(&self) -> usize {
        self.by_name.values().map(Vec::len).sum()
    }
}

/// Why an overrides file cannot be used; every problem is listed with its line.
#[derive(Debug, thiserror::Error)]
#[error("overrides file {file} is invalid ({} problem{}):\n  {}",
    .problems.len(), if .problems.len() == 1 { "" } else { "s" }, .problems.join("\n  "))]
pub struct OverridesError {
    pub file: String,
    pub problems: Vec<String>,
}

/// Parses an overrides file. `file` names it in messages.
pub fn parse(file: &str, text: &str, data: &ReferenceData) -> Result<Overrides, OverridesError> {
    let fail = |problems: Vec<String>| OverridesError {
        file: file.to_string(),
        problems,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| fail(vec![format!("{file}:1: cannot read the header row: {e}")]))?
        .clone();
    let column: BTreeMap<&str, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim(), i))
        .collect();
    let missing: Vec<&str> = REQUIRED_COLUMNS
        .iter()
        .copied()
        .filter(|c| !column.contains_key(c))
        .collect();
    if !missing.is_empty() {
        return Err(fail(vec![format!(
            "{file}:1: missing column{} {}; expected {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            REQUIRED_COLUMNS.join(", ")
        )]));
    }
    let mut problems = Vec::new();
    let mut seen: HashMap<(String, String), String> = HashMap::new();
    let mut overrides = Overrides::default();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{file}:{line}: {e}"));
                continue;
            }
        };
        let get = |c: &str| {
            column
                .get(c)
                .and_then(|&i| record.get(i))
                .unwrap_or("")
                .trim()
        };
        let decision = get("decision").to_ascii_lowercase();
        if decision.is_empty() {
            continue;
        }
        let at = format!("{file}:{line}");
        let accept = match decision.as_str() {
            "accept" => true,
            "reject" => false,
            other => {
                problems.push(format!(
                    "{at}: decision `{other}` must be `accept` or `reject`"
                ));
                continue;
            }
        };
        let (name, entity_id, reviewer, date) = (
            get("holding_name"),
            get("entity_id"),
            get("reviewer"),
            get("date"),
        );
        let key = normalize_name(name);
        let mut bad = Vec::new();
        if key.is_empty() {
            bad.push("holding_name is empty".to_string());
        }
        if data.entity(entity_id).is_none() {
            bad.push(format!("entity `{entity_id}` is not in the reference data"));
        }
        if reviewer.is_empty() {
            bad.push("reviewer is empty: every decision needs a name".to_string());
        }
        match date.parse::<IsoDate>() {
            Ok(d) if d.to_string().len() == 10 => {}
            _ => bad.push(format!("date `{date}` is not a YYYY-MM-DD date")),
        }
        if let Some(first) = seen.insert((key.clone(), entity_id.to_string()), at.clone()) {
            bad.push(format!(
                "a second decision on `{name}` and `{entity_id}` (first at {first})"
            ));
        }
        if !bad.is_empty() {
            problems.extend(bad.into_iter().map(|b| format!("{at}: {b}")));
            continue;
        }
        overrides.by_name.entry(key).or_default().push(Decision {
            holding_name: name.to_string(),
            entity_id: entity_id.to_string(),
            accept,
            reviewer: reviewer.to_string(),
            date: date.to_string(),
            note: get("note").to_string(),
            origin: at,
        });
    }
    if problems.is_empty() {
        Ok(overrides)
    } else {
        Err(fail(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::load_embedded;

    const HEADER: &str = "holding_name,entity_id,decision,reviewer,date,note\n";

    #[test]
    fn reads_decisions_and_skips_undecided_rows() {
        let data = load_embedded().unwrap();
        let text = format!(
            "{HEADER}HIKVISON DIGITAL,hikvision,accept,A. Reviewer,2026-11-02,typo in export\nOTHER,hikvision,,,,\n"
        );
        let o = parse("o.csv", &text, &data).unwrap();
        assert_eq!(o.len(), 1);
        let d = &o.for_name("hikvison digital")[0];
        assert!(d.accept);
        assert_eq!(d.origin, "o.csv:2");
    }

    #[test]
    fn every_problem_is_named_with_its_line() {
        let data = load_embedded().unwrap();
        let text = format!(
            "{HEADER}A,hikvision,maybe,R,2026-11-02,\nB,no-such-entity,accept,,2026-13,\nC,hikvision,reject,R,2026-11-02,\nC,hikvision,accept,R,2026-11-03,\n"
        );
        let err = parse("o.csv", &text, &data).unwrap_err().to_string();
        assert_eq!(
            err,
            "overrides file o.csv is invalid (5 problems):\n  \
             o.csv:2: decision `maybe` must be `accept` or `reject`\n  \
             o.csv:3: entity `no-such-entity` is not in the reference data\n  \
             o.csv:3: reviewer is empty: every decision needs a name\n  \
             o.csv:3: date `2026-13` is not a YYYY-MM-DD date\n  \
             o.csv:5: a second decision on `C` and `hikvision` (first at o.csv:4)"
        );
        let err = parse("o.csv", "holding_name,decision\n", &data)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("o.csv:1: missing columns entity_id, reviewer, date"),
            "{err}"
        );
    }
}
