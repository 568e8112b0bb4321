//! Who holds the flagged issuers of a data set: for each flagged issuer, the managers (13F
//! filers) or registrants (N-PORT) holding it and how much; and the managers by flagged value.
//! This is the measurement the seed brief asks for — which large institutional investors hold
//! companies linked to Xinjiang forced labour — for any quarter, from the flagged rows the scan
//! already found. Long positions only; sums are exact.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Serialize;

use super::render::RenderError;
use crate::exposure::percent;

/// One flagged long position, as the data-set scans report it.
pub struct FlaggedPosition<'a> {
    pub portfolio: &'a str,
    pub entity_ids: &'a str,
    pub issuer: &'a str,
    pub value: Decimal,
}

/// A manager's holding of one flagged issuer, over all its portfolios.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holding {
    /// The flagged entities the issuer is linked to (the issuer's key in this table).
    pub entity_ids: String,
    /// The issuer's name as the first of its rows writes it.
    pub issuer: String,
    pub holder: String,
    pub cik: String,
    pub portfolios: u64,
    pub value: Decimal,
    /// This holder's share of the value all holders hold in the issuer.
    pub share_pct: Decimal,
}

/// A manager's flagged long value across the data set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manager {
    pub holder: String,
    pub cik: String,
    /// Portfolios with a flagged long position.
    pub portfolios: u64,
    /// Flagged issuers held (distinct entity sets).
    pub issuers: u64,
    pub value: Decimal,
}

/// Both tables, largest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Holders {
    pub by_issuer: Vec<Holding>,
    pub managers: Vec<Manager>,
}

/// A holder: name and CIK.
type Holder = (String, String);
/// What is summed per (issuer, holder): the portfolios and their value.
type Cell<'a> = (BTreeSet<&'a str>, Decimal);
/// What is summed per holder: portfolios, flagged issuers and value.
type ManagerSums<'a> = (BTreeSet<&'a str>, BTreeSet<&'a str>, Decimal);

fn add(sum: &mut Decimal, value: Decimal) -> Result<(), RenderError> {
    *sum = sum
        .checked_add(value)
        .ok_or(RenderError::Overflow("the flagged values of a holder"))?;
    Ok(())
}

/// Aggregates flagged positions by issuer and holder. `holder_of` names a portfolio's holder:
/// (name, CIK); portfolios with neither are their own holder, named by the portfolio.
pub fn aggregate<'a>(
    positions: impl Iterator<Item = FlaggedPosition<'a>>,
    holder_of: impl Fn(&str) -> (String, String),
) -> Result<Holders, RenderError> {
    // (entity ids, (holder, cik)) → (portfolios, value); names of issuers by entity ids.
    let mut cells: BTreeMap<(&str, Holder), Cell> = BTreeMap::new();
    let mut names: BTreeMap<&str, &str> = BTreeMap::new();
    let mut issuer_totals: BTreeMap<&str, Decimal> = BTreeMap::new();
    for p in positions {
        let (name, cik) = holder_of(p.portfolio);
        let holder = if name.is_empty() && cik.is_empty() {
            (p.portfolio.to_string(), String::new())
        } else {
            (name, cik)
        };
        let cell = cells.entry((p.entity_ids, holder)).or_default();
        cell.0.insert(p.portfolio);
        add(&mut cell.1, p.value)?;
        add(issuer_totals.entry(p.entity_ids).or_default(), p.value)?;
        let name = names.entry(p.entity_ids).or_insert(p.issuer);
        if p.issuer < *name {
            *name = p.issuer;
        }
    }
    let mut by_issuer = Vec::with_capacity(cells.len());
    let mut managers: BTreeMap<Holder, ManagerSums> = BTreeMap::new();
    for ((entity_ids, (holder, cik)), (portfolios, value)) in &cells {
        let total = issuer_totals.get(entity_ids).copied().unwrap_or_default();
        by_issuer.push(Holding {
            entity_ids: entity_ids.to_string(),
            issuer: names
                .get(entity_ids)
                .copied()
                .unwrap_or_default()
                .to_string(),
            holder: holder.clone(),
            cik: cik.clone(),
            portfolios: portfolios.len() as u64,
            value: *value,
            share_pct: percent(*value, total),
        });
        let m = managers.entry((holder.clone(), cik.clone())).or_default();
        m.0.extend(portfolios.iter().copied());
        m.1.insert(entity_ids);
        add(&mut m.2, *value)?;
    }
    // Largest issuers first, then each issuer's largest holders.
    by_issuer.sort_by(|a, b| {
        let ta = issuer_totals.get(a.entity_ids.as_str());
        let tb = issuer_totals.get(b.entity_ids.as_str());
        tb.cmp(&ta)
            .then_with(|| a.entity_ids.cmp(&b.entity_ids))
            .then_with(|| b.value.cmp(&a.value))
            .then_with(|| (&a.holder, &a.cik).cmp(&(&b.holder, &b.cik)))
    });
    let mut managers: Vec<Manager> = managers
        .into_iter()
        .map(|((holder, cik), (portfolios, issuers, value))| Manager {
            holder,
            cik,
            portfolios: portfolios.len() as u64,
            issuers: issuers.len() as u64,
            value,
        })
        .collect();
    managers.sort_by(|a, b| {
        b.value
            .cmp(&a.value)
            .then_with(|| (&a.holder, &a.cik).cmp(&(&b.holder, &b.cik)))
    });
    Ok(Holders {
        by_issuer,
        managers,
    })
}

/// The portfolios with flagged rows, largest flagged value first (ties by key), cut to `n`;
/// and how many there were.
pub fn largest_flagged<T: Clone>(
    portfolios: &[T],
    flagged: impl Fn(&T) -> (u64, Decimal, &str),
    n: usize,
) -> (Vec<T>, u64) {
    let mut top: Vec<T> = portfolios
        .iter()
        .filter(|p| flagged(p).0 > 0)
        .cloned()
        .collect();
    top.sort_by(|a, b| {
        let (_, va, ka) = flagged(a);
        let (_, vb, kb) = flagged(b);
        vb.cmp(&va).then_with(|| ka.cmp(kb))
    });
    let count = top.len() as u64;
    top.truncate(n);
    (top, count)
}

/// `holders.csv`: every (issuer, holder) pair, largest issuers first.
pub fn holders_csv(holders: &Holders) -> Result<String, RenderError> {
    use super::render::defuse_formula;
    let mut w = super::dataset::writer();
    w.write_record([
        "entity_ids",
        "issuer",
        "holder",
        "cik",
        "portfolios",
        "value",
        "share_of_issuer_pct",
    ])?;
    for h in &holders.by_issuer {
        w.write_record([
            h.entity_ids.clone(),
            defuse_formula(&h.issuer),
            defuse_formula(&h.holder),
            defuse_formula(&h.cik),
            h.portfolios.to_string(),
            h.value.to_string(),
            h.share_pct.to_string(),
        ])?;
    }
    super::dataset::finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holdings_add_up_by_issuer_and_manager() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let positions = [
            ("a1", "hikvision", "HIKVISION A", d("300")),
            ("a2", "hikvision", "Hangzhou Hikvision", d("100")),
            ("b1", "hikvision", "HIKVISION A", d("600")),
            ("b1", "xpcc", "XPCC BOND", d("50")),
            ("z9", "xpcc", "XPCC BOND", d("50")),
        ];
        let holders = aggregate(
            positions.iter().map(|(p, e, n, v)| FlaggedPosition {
                portfolio: p,
                entity_ids: e,
                issuer: n,
                value: *v,
            }),
            |p| match &p[..1] {
                "a" => ("Alpha".to_string(), "1".to_string()),
                "b" => ("Beta".to_string(), "2".to_string()),
                _ => (String::new(), String::new()),
            },
        )
        .unwrap();
        let rows: Vec<(&str, &str, u64, String, String)> = holders
            .by_issuer
            .iter()
            .map(|h| {
                (
                    h.entity_ids.as_str(),
                    h.holder.as_str(),
                    h.portfolios,
                    h.value.to_string(),
                    h.share_pct.to_string(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                ("hikvision", "Beta", 1, "600".into(), "60.0000".into()),
                ("hikvision", "Alpha", 2, "400".into(), "40.0000".into()),
                ("xpcc", "Beta", 1, "50".into(), "50.0000".into()),
                ("xpcc", "z9", 1, "50".into(), "50.0000".into()),
            ]
        );
        assert_eq!(holders.by_issuer[1].issuer, "HIKVISION A");
        let managers: Vec<(&str, u64, u64, String)> = holders
            .managers
            .iter()
            .map(|m| {
                (
                    m.holder.as_str(),
                    m.portfolios,
                    m.issuers,
                    m.value.to_string(),
                )
            })
            .collect();
        assert_eq!(
            managers,
            vec![
                ("Beta", 1, 2, "650".into()),
                ("Alpha", 2, 1, "400".into()),
                ("z9", 1, 1, "50".into()),
            ]
        );
    }
}
