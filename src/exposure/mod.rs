//! Exposure: turning resolved holdings into money at risk, and proving the totals reconcile.
//!
//! Every holding lands in exactly one bucket — flagged (matched an entity with a designation in
//! force), clear (screened, nothing matched) or unresolved (nothing to screen it on) — and every
//! rejected row is counted beside them, so the report can show that the input value is all there,
//! to the cent. Amounts are `Decimal` throughout; percentages are computed from them at the end.

pub mod dataset;

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::{Consequence, Match, Portfolio, ReferenceData};
use crate::resolve::HoldingResolution;

/// Options that change how exposure is measured.
#[derive(Debug, Clone, Default)]
pub struct ExposureOptions {
    /// Net asset value to measure weights against, instead of the sum of the holdings.
    pub nav: Option<Decimal>,
}

/// Why exposure cannot be measured.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExposureError {
    #[error(
        "holdings are valued in more than one currency ({}); their values cannot be added without exchange rates",
        .0.join(", ")
    )]
    MixedCurrencies(Vec<String>),
    #[error("--nav must be a positive amount, got {0}")]
    NonPositiveNav(Decimal),
}

/// Which bucket a holding is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Flagged,
    Clear,
    Unresolved,
    /// Not a long position in a security (an option, a derivative): reported separately and
    /// never added to or netted against long exposure.
    Excluded,
}

/// One holding's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PositionResult {
    /// Index into `Portfolio::holdings`.
    pub holding: usize,
    pub status: Status,
    /// Strongest consequence among the designations in force of the matched entities.
    pub tier: Option<Consequence>,
    /// Entities whose designations flag this holding, sorted.
    pub entities: Vec<String>,
    pub matches: Vec<Match>,
    /// Why the holding could not be screened, for unresolved ones.
    pub reason: Option<String>,
    /// Weight of the position in the denominator, in percent (rounded to 4 places).
    pub weight_pct: Decimal,
}

/// A count of rows and their value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Bucket {
    pub rows: u64,
    pub value: Decimal,
}

impl Bucket {
    fn add(&mut self, value: Decimal) {
        self.rows += 1;
        self.value += value;
    }
}

/// Proof that every input row is accounted for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    /// Every data row read, and the sum of every value that could be read.
    pub input: Bucket,
    pub flagged: Bucket,
    pub clear: Bucket,
    pub unresolved: Bucket,
    /// Options and derivatives, reported separately from long exposure.
    pub excluded: Bucket,
    /// Rejected rows; `value` sums those whose value could be read (summary rows, say).
    pub rejected: Bucket,
    /// Rejected rows with no readable value.
    pub rejected_without_value: u64,
    /// flagged + clear + unresolved: the long positions as screened.
    pub portfolio_total: Decimal,
    /// True when the buckets add up to the input exactly, in rows and in value.
    pub balanced: bool,
}

/// Exposure to one entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityExposure {
    pub entity_id: String,
    pub value: Decimal,
    pub weight_pct: Decimal,
    pub positions: u64,
    pub tier: Consequence,
    /// Lists with a designation in force for this entity, sorted.
    pub lists: Vec<String>,
}

/// Exposure to the entities on one list. Lists overlap, so these do not add up to the flagged
/// total; tiers do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListExposure {
    pub list_id: String,
    pub value: Decimal,
    pub weight_pct: Decimal,
    pub positions: u64,
    pub entities: u64,
}

/// Exposure in one tier: each flagged position counts once, in its strongest tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierExposure {
    pub consequence: Consequence,
    pub value: Decimal,
    pub weight_pct: Decimal,
    pub positions: u64,
}

/// The exposure of a portfolio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exposure {
    pub currency: Option<String>,
    pub nav: Option<Decimal>,
    /// What weights are measured against: the NAV if given, else the portfolio total.
    pub denominator: Decimal,
    pub flagged_value: Decimal,
    pub flagged_pct: Decimal,
    pub positions: Vec<PositionResult>,
    /// Sorted by value, largest first, then entity id.
    pub by_entity: Vec<EntityExposure>,
    pub by_list: Vec<ListExposure>,
    /// Every tier, strongest first, including empty ones.
    pub by_tier: Vec<TierExposure>,
    pub reconciliation: Reconciliation,
}

/// `value / denominator` in percent, rounded to 4 places (banker's rounding is avoided so the
/// figure is the one a person gets by hand).
pub fn percent(value: Decimal, denominator: Decimal) -> Decimal {
    if denominator.is_zero() {
        return Decimal::new(0, 4);
    }
    let mut pct = (value * Decimal::ONE_HUNDRED / denominator)
        .round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    // A fixed scale keeps the JSON uniform (`10.0000`, not `10` in one run and `10.00` in another).
    pct.rescale(4);
    pct
}

/// The entities that flag a holding — matched entities with a designation in force — and the
/// strongest consequence among those designations.
pub fn flagging(matches: &[Match], data: &ReferenceData) -> (Option<Consequence>, Vec<String>) {
    let mut tier: Option<Consequence> = None;
    let mut entities = BTreeSet::new();
    for m in matches {
        for d in data.designations_of(&m.entity_id).filter(|d| d.is_active()) {
            entities.insert(m.entity_id.clone());
            tier = Some(tier.map_or(d.consequence, |t| t.min(d.consequence)));
        }
    }
    (tier, entities.into_iter().collect())
}

/// Measures exposure.
pub fn measure(
    portfolio: &Portfolio,
    resolutions: &[HoldingResolution],
    data: &ReferenceData,
    options: &ExposureOptions,
) -> Result<Exposure, ExposureError> {
    let currencies: BTreeSet<&str> = portfolio
        .holdings
        .iter()
        .filter_map(|h| h.currency.as_deref())
        .collect();
    if currencies.len() > 1 {
        return Err(ExposureError::MixedCurrencies(
            currencies.into_iter().map(str::to_string).collect(),
        ));
    }
    if let Some(nav) = options.nav
        && nav <= Decimal::ZERO
    {
        return Err(ExposureError::NonPositiveNav(nav));
    }

    let mut rec = Reconciliation {
        input: Bucket::default(),
        flagged: Bucket::default(),
        clear: Bucket::default(),
        unresolved: Bucket::default(),
        excluded: Bucket::default(),
        rejected: Bucket::default(),
        rejected_without_value: 0,
        portfolio_total: Decimal::ZERO,
        balanced: false,
    };
    let mut positions = Vec::with_capacity(portfolio.holdings.len());
    for (index, (holding, resolution)) in portfolio.holdings.iter().zip(resolutions).enumerate() {
        rec.input.add(holding.value);
        let (tier, entities) = flagging(&resolution.matches, data);
        let status = if !holding.kind.is_long() {
            rec.excluded.add(holding.value);
            Status::Excluded
        } else if tier.is_some() {
            rec.flagged.add(holding.value);
            Status::Flagged
        } else if resolution.unresolved.is_some() {
            rec.unresolved.add(holding.value);
            Status::Unresolved
        } else {
            rec.clear.add(holding.value);
            Status::Clear
        };
        positions.push(PositionResult {
            holding: index,
            status,
            tier,
            entities,
            matches: resolution.matches.clone(),
            reason: if holding.kind.is_long() {
                resolution.unresolved.clone()
            } else {
                Some(holding.kind.label())
            },
            weight_pct: Decimal::ZERO,
        });
    }
    for row in &portfolio.rejected {
        rec.input.rows += 1;
        rec.rejected.rows += 1;
        match row.value {
            Some(v) => {
                rec.input.value += v;
                rec.rejected.value += v;
            }
            None => rec.rejected_without_value += 1,
        }
    }
    rec.portfolio_total = rec.flagged.value + rec.clear.value + rec.unresolved.value;
    rec.balanced = rec.flagged.rows
        + rec.clear.rows
        + rec.unresolved.rows
        + rec.excluded.rows
        + rec.rejected.rows
        == rec.input.rows
        && rec.portfolio_total + rec.excluded.value + rec.rejected.value == rec.input.value;

    // The user's NAV wins over one the file states (N-PORT net assets); otherwise the long
    // positions are the denominator.
    let nav = options.nav.or(portfolio.nav);
    let denominator = nav.unwrap_or(rec.portfolio_total);
    for p in &mut positions {
        p.weight_pct = percent(portfolio.holdings[p.holding].value, denominator);
    }

    // Aggregate flagged positions by entity, list and tier.
    let mut by_entity: BTreeMap<&str, EntityExposure> = BTreeMap::new();
    let mut by_list: BTreeMap<&str, (Bucket, BTreeSet<&str>)> = BTreeMap::new();
    let mut by_tier: BTreeMap<Consequence, Bucket> = BTreeMap::new();
    for p in positions.iter().filter(|p| p.status == Status::Flagged) {
        let value = portfolio.holdings[p.holding].value;
        if let Some(tier) = p.tier {
            by_tier.entry(tier).or_default().add(value);
        }
        let mut lists_of_position = BTreeSet::new();
        for entity_id in &p.entities {
            let active: Vec<_> = data
                .designations_of(entity_id)
                .filter(|d| d.is_active())
                .collect();
            let entry = by_entity
                .entry(entity_id.as_str())
                .or_insert_with(|| EntityExposure {
                    entity_id: entity_id.clone(),
                    value: Decimal::ZERO,
                    weight_pct: Decimal::ZERO,
                    positions: 0,
                    tier: Consequence::ResearchOnly,
                    lists: Vec::new(),
                });
            entry.value += value;
            entry.positions += 1;
            for d in &active {
                entry.tier = entry.tier.min(d.consequence);
                if !entry.lists.contains(&d.list) {
                    entry.lists.push(d.list.clone());
                }
                let list = by_list.entry(d.list.as_str()).or_default();
                list.1.insert(entity_id.as_str());
                lists_of_position.insert(d.list.as_str());
            }
            entry.lists.sort();
        }
        // A position counts once per list even if two of its entities are on that list.
        for list in lists_of_position {
            if let Some(entry) = by_list.get_mut(list) {
                entry.0.add(value);
            }
        }
    }

    let mut by_entity: Vec<EntityExposure> = by_entity
        .into_values()
        .map(|mut e| {
            e.weight_pct = percent(e.value, denominator);
            e
        })
        .collect();
    by_entity.sort_by(|a, b| {
        b.value
            .cmp(&a.value)
            .then_with(|| a.entity_id.cmp(&b.entity_id))
    });
    let by_list = by_list
        .into_iter()
        .map(|(list_id, (bucket, entities))| ListExposure {
            list_id: list_id.to_string(),
            value: bucket.value,
            weight_pct: percent(bucket.value, denominator),
            positions: bucket.rows,
            entities: entities.len() as u64,
        })
        .collect();
    let by_tier = Consequence::ALL
        .iter()
        .map(|&consequence| {
            let bucket = by_tier.get(&consequence).copied().unwrap_or_default();
            TierExposure {
                consequence,
                value: bucket.value,
                weight_pct: percent(bucket.value, denominator),
                positions: bucket.rows,
            }
        })
        .collect();

    Ok(Exposure {
        currency: currencies.into_iter().next().map(str::to_string),
        nav,
        denominator,
        flagged_value: rec.flagged.value,
        flagged_pct: percent(rec.flagged.value, denominator),
        positions,
        by_entity,
        by_list,
        by_tier,
        reconciliation: rec,
    })
}
