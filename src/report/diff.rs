//! Quarter-over-quarter diffs of two JSON reports: which flagged issuers are new, increased,
//! reduced, unchanged or exited, and for each whether the position was held when the
//! designation was made or bought after it.
//!
//! The dates are the reports' own as-of dates (the period their input files state) and the
//! designations' listing dates; where either is missing or the listing falls between the two
//! reports, the diff says so rather than guess.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

/// Why two reports cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("{file}: not a JSON report written by `xjscan scan` ({reason})")]
    NotAReport { file: String, reason: String },
}

/// One issuer's change between the two reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub entity_id: String,
    pub name: String,
    /// `new`, `increased`, `reduced`, `unchanged` or `exited`.
    pub change: &'static str,
    pub old_value: Decimal,
    pub new_value: Decimal,
    pub delta: Decimal,
    /// The earliest listing date among the designations in force behind the flag.
    pub designated_on: Option<String>,
    /// Held when designated, bought after it, or why that cannot be told.
    pub timing: String,
}

/// The whole diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub old_file: String,
    pub new_file: String,
    pub old_as_of: Option<String>,
    pub new_as_of: Option<String>,
    pub old_flagged: Decimal,
    pub new_flagged: Decimal,
    pub changes: Vec<Change>,
}

struct Side {
    as_of: Option<String>,
    flagged: Decimal,
    /// entity id → (name, value, earliest listing date).
    issuers: BTreeMap<String, (String, Decimal, Option<String>)>,
}

fn decimal(v: &Value) -> Option<Decimal> {
    v.as_str().and_then(|s| s.parse().ok())
}

fn read_side(file: &str, text: &str) -> Result<Side, DiffError> {
    let bad = |reason: &str| DiffError::NotAReport {
        file: file.to_string(),
        reason: reason.to_string(),
    };
    let json: Value = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    let flagged = decimal(&json["summary"]["flagged_value"])
        .ok_or_else(|| bad("no summary.flagged_value"))?;
    let issuers_json = json["issuers"]
        .as_array()
        .ok_or_else(|| bad("no issuers list"))?;
    // The latest period an input states is the report's as-of date.
    let as_of = json["inputs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["period"].as_str())
        .max()
        .map(str::to_string);
    // Earliest listing date behind each issuer's flag, from the positions' evidence.
    let mut listed: BTreeMap<String, String> = BTreeMap::new();
    for p in json["flagged"].as_array().into_iter().flatten() {
        for e in p["entities"].as_array().into_iter().flatten() {
            let held = e["link"]["held_entity_id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            for d in e["designations"].as_array().into_iter().flatten() {
                if d["active"].as_bool() != Some(true) {
                    continue;
                }
                if let Some(date) = d["listed_on"].as_str() {
                    let slot = listed
                        .entry(held.clone())
                        .or_insert_with(|| date.to_string());
                    if date < slot.as_str() {
                        *slot = date.to_string();
                    }
                }
            }
        }
    }
    let mut issuers = BTreeMap::new();
    for i in issuers_json {
        let id = i["entity_id"]
            .as_str()
            .ok_or_else(|| bad("an issuer without entity_id"))?
            .to_string();
        let value = decimal(&i["value"]).ok_or_else(|| bad("an issuer without a value"))?;
        let name = i["name"].as_str().unwrap_or_default().to_string();
        let date = listed.get(&id).cloned();
        issuers.insert(id, (name, value, date));
    }
    Ok(Side {
        as_of,
        flagged,
        issuers,
    })
}

/// Compares two JSON reports (`old` first).
pub fn diff(old_file: &str, old: &str, new_file: &str, new: &str) -> Result<Diff, DiffError> {
    let (a, b) = (read_side(old_file, old)?, read_side(new_file, new)?);
    let ids: BTreeSet<&String> = a.issuers.keys().chain(b.issuers.keys()).collect();
    let mut changes = Vec::new();
    for id in ids {
        let (old_entry, new_entry) = (a.issuers.get(id), b.issuers.get(id));
        let old_value = old_entry.map_or(Decimal::ZERO, |e| e.1);
        let new_value = new_entry.map_or(Decimal::ZERO, |e| e.1);
        let change = match (old_entry, new_entry) {
            (None, Some(_)) => "new",
            (Some(_), None) => "exited",
            _ if new_value > old_value => "increased",
            _ if new_value < old_value => "reduced",
            _ => "unchanged",
        };
        let name = new_entry
            .or(old_entry)
            .map(|e| e.0.clone())
            .unwrap_or_default();
        let designated_on = new_entry.or(old_entry).and_then(|e| e.2.clone());
        let timing = timing(
            change,
            old_entry.is_some(),
            a.as_of.as_deref(),
            b.as_of.as_deref(),
            designated_on.as_deref(),
        );
        changes.push(Change {
            entity_id: id.clone(),
            name,
            change,
            old_value,
            new_value,
            // A report xjscan wrote holds values within 10^26; a hand-edited one may not.
            delta: new_value
                .checked_sub(old_value)
                .ok_or_else(|| DiffError::NotAReport {
                    file: new_file.to_string(),
                    reason: format!("the value of `{id}` is outside what a report can hold"),
                })?,
            designated_on,
            timing,
        });
    }
    // Biggest moves first; the entity id breaks ties.
    changes.sort_by(|x, y| {
        y.delta
            .abs()
            .cmp(&x.delta.abs())
            .then_with(|| x.entity_id.cmp(&y.entity_id))
    });
    Ok(Diff {
        old_file: old_file.to_string(),
        new_file: new_file.to_string(),
        old_as_of: a.as_of,
        new_as_of: b.as_of,
        old_flagged: a.flagged,
        new_flagged: b.flagged,
        changes,
    })
}

/// Whether a position was held when its designation was made. ISO dates (and the partial
/// `YYYY-MM`, `YYYY` of the reference data) compare as text; a partial date equal to the
/// prefix of a report date cannot be ordered against it and is said to be unclear.
fn timing(
    change: &str,
    held_before: bool,
    old: Option<&str>,
    new: Option<&str>,
    listed: Option<&str>,
) -> String {
    let (Some(old), Some(listed)) = (old, listed) else {
        return "cannot tell: a report or the designation has no date".to_string();
    };
    let unclear = old.starts_with(listed) || listed.starts_with(old);
    if unclear {
        return format!(
            "cannot tell: the designation ({listed}) and the old report ({old}) fall in the same period"
        );
    }
    let designated_before_old = listed < old;
    let new = new.unwrap_or("the new report");
    match (held_before, designated_before_old) {
        (true, false) if change == "increased" => format!(
            "held when designated (held on {old}, designated {listed}); the increase was bought between {old} and {new}, before or after the designation"
        ),
        (true, false) => format!("held when designated: held on {old}, designated {listed}"),
        (true, true) if change == "increased" => format!(
            "already designated ({listed}) when last reported ({old}); the increase was bought after the designation"
        ),
        (true, true) => format!(
            "held on {old}, already designated ({listed}); bought before or after the designation"
        ),
        (false, true) => format!(
            "bought after the designation: not held on {old}, designated {listed}, held on {new}"
        ),
        (false, false) => {
            format!("bought between {old} and {new}; designated {listed}, in between or later")
        }
    }
}

/// The diff as Markdown (the command's output).
pub fn render_markdown(d: &Diff) -> String {
    use super::render::{escape_markdown, format_money};
    let money = |v: &Decimal| format_money(&v.to_string());
    let mut out = format!(
        "# Flagged exposure: {} → {}\n\n{} ({}) → {} ({}): flagged {} → {}\n\n",
        escape_markdown(&d.old_file),
        escape_markdown(&d.new_file),
        escape_markdown(&d.old_file),
        d.old_as_of.as_deref().unwrap_or("no date"),
        escape_markdown(&d.new_file),
        d.new_as_of.as_deref().unwrap_or("no date"),
        money(&d.old_flagged),
        money(&d.new_flagged),
    );
    out.push_str("| Issuer | Change | Old | New | Difference | Designated | Held when designated? |\n|---|---|---:|---:|---:|---|---|\n");
    for c in &d.changes {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            escape_markdown(&c.name),
            c.change,
            money(&c.old_value),
            money(&c.new_value),
            money(&c.delta),
            c.designated_on.as_deref().unwrap_or("not stated"),
            escape_markdown(&c.timing)
        ));
    }
    if d.changes.is_empty() {
        out.push_str("| (no flagged issuer in either report) | | | | | | |\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-edited report with values at Decimal's ends is refused, not a panic.
    #[test]
    fn values_at_the_limits_are_refused() {
        let side = |v: &str| {
            format!(
                r#"{{"summary":{{"flagged_value":"1"}},"issuers":[{{"entity_id":"x","name":"X","value":"{v}"}}]}}"#
            )
        };
        let err = diff(
            "old.json",
            &side("-79228162514264337593543950335"),
            "new.json",
            &side("79228162514264337593543950335"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "new.json: not a JSON report written by `xjscan scan` (the value of `x` is outside what a report can hold)"
        );
    }
}
