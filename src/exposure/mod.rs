//! Exposure: turning resolved holdings into money at risk, and proving the totals reconcile.
//!
//! Every holding lands in exactly one bucket — flagged (matched an entity with a designation in
//! force), clear (screened, nothing matched) or unresolved (nothing to screen it on) — and every
//! rejected row is counted beside them, so the report can show that the input value is all there,
//! to the cent. Amounts are `Decimal` throughout; percentages are computed from them at the end.

pub mod asset_class;
pub mod dataset;
pub mod fx;
pub mod ownership;

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::{Consequence, Match, Portfolio, ReferenceData};
use crate::resolve::HoldingResolution;
pub use asset_class::AssetClass;
pub use ownership::{Direction, Link, Step};

/// Options that change how exposure is measured.
#[derive(Debug, Clone, Default)]
pub struct ExposureOptions {
    /// Net asset value to measure weights against, instead of the sum of the holdings.
    pub nav: Option<Decimal>,
    /// A fault planted to prove the reconciliation catches it (tests only; see `crate::fault`).
    pub fault: crate::fault::Fault,
}

/// Why exposure cannot be measured.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExposureError {
    /// Each currency with the first holding valued in it (`HKD from mixed.csv:3`).
    #[error(
        "holdings are valued in more than one currency ({}); their values cannot be added without exchange rates (give them with --fx RATES.csv)",
        .0.join(", ")
    )]
    MixedCurrencies(Vec<String>),
    #[error("--nav must be a positive amount, got {0}")]
    NonPositiveNav(Decimal),
    #[error(transparent)]
    TooLarge(#[from] crate::model::money::TooLarge),
    /// The buckets do not add up to the independently computed input: a row was lost or
    /// counted twice. Never the user's fault, and never a report.
    #[error(
        "the figures do not reconcile: the rows read are {input_rows} worth {input_value}, but the buckets hold {bucket_rows} worth {bucket_value}; no report was written, as its totals would be wrong (please report this as a bug)"
    )]
    Unbalanced {
        input_rows: u64,
        input_value: Decimal,
        bucket_rows: u64,
        bucket_value: Decimal,
    },
}

impl ExposureError {
    /// True for faults in what the user gave; an unbalanced reconciliation is xjscan's own.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, ExposureError::Unbalanced { .. })
    }
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
    /// How each of those entities is reached (directly or through ownership), sorted.
    pub links: Vec<Link>,
    /// The holding's resolution (its matches and review state), shared with every other
    /// holding of the same issuer rather than copied per row.
    #[serde(skip)]
    pub resolution: std::sync::Arc<HoldingResolution>,
    pub asset_class: AssetClass,
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
    /// Short positions, options and derivatives, reported separately from long exposure.
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
    /// Flagged exposure by asset class, and by the sector and country of the issuer held; each
    /// flagged position counts once, so each of these adds up to the flagged total.
    pub by_asset_class: Vec<GroupExposure>,
    pub by_sector: Vec<GroupExposure>,
    pub by_country: Vec<GroupExposure>,
    /// Flagged exposure with a parent's holding in a designated company counted by the ownership
    /// shares along the chain (other links count in full).
    pub pro_rata: ProRata,
    /// Bonds of XPCC entities (the XPCC itself, "China Xinjian Group", companies it controls).
    pub xpcc_debt: Bucket,
    pub xpcc_debt_pct: Decimal,
    pub coverage: Coverage,
    pub reconciliation: Reconciliation,
}

/// Flagged exposure in one group (an asset class, sector or country).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupExposure {
    pub key: String,
    pub value: Decimal,
    pub weight_pct: Decimal,
    pub positions: u64,
}

/// Exposure counted pro rata through ownership: a parent holding 60% of a designated company,
/// held through a position of 100, counts 60. Positions whose chain lacks a percentage are
/// counted apart, never guessed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProRata {
    pub value: Decimal,
    pub weight_pct: Decimal,
    pub positions: u64,
    /// Flagged positions whose ownership chain has a step without a stated percentage.
    pub unknown: Bucket,
}

/// What share of the long positions could be screened, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Positions carrying an identifier that can be matched (ISIN, CUSIP, LEI, CIK, listing).
    pub with_identifier: Share,
    /// Positions matched to a reference entity (flagged or not).
    pub resolved: Share,
    pub flagged: Share,
    pub unresolved: Share,
    /// Positions whose fund holdings were looked through.
    pub looked_through: Share,
    /// Fund positions that were not looked through: their holdings were not screened.
    pub unscreened: Share,
}

/// A value and its share of the portfolio total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Share {
    pub positions: u64,
    pub value: Decimal,
    pub pct: Decimal,
}

/// `value / denominator` in percent, rounded to 4 places (banker's rounding is avoided so the
/// figure is the one a person gets by hand).
pub fn percent(value: Decimal, denominator: Decimal) -> Decimal {
    if denominator.is_zero() {
        return Decimal::new(0, 4);
    }
    // Multiplying first keeps every digit; for values near Decimal's 28-digit limit (only
    // absurd inputs reach it) the ratio is taken first, and a ratio beyond the limit is shown
    // as the largest representable figure rather than aborting the run.
    let raw = value
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|v| v.checked_div(denominator))
        .or_else(|| {
            value
                .checked_div(denominator)
                .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED))
        })
        .unwrap_or(
            if value.is_sign_negative() != denominator.is_sign_negative() {
                Decimal::MIN
            } else {
                Decimal::MAX
            },
        );
    let mut pct =
        raw.round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    // A fixed scale keeps the JSON uniform (`10.0000`, not `10` in one run and `10.00` in another).
    pct.rescale(4);
    pct
}

/// The entities that flag a holding — designated entities it matched, or reaches through
/// ownership — and the strongest consequence for the investor among those links.
pub fn flagging(matches: &[Match], data: &ReferenceData) -> (Option<Consequence>, Vec<String>) {
    flagging_of(&flag_links(matches, data))
}

/// [`flagging`] from links already found.
pub fn flagging_of(links: &[Link]) -> (Option<Consequence>, Vec<String>) {
    let tier = links.iter().map(|l| l.tier).min();
    let entities: BTreeSet<&str> = links.iter().map(|l| l.entity_id.as_str()).collect();
    (tier, entities.into_iter().map(str::to_string).collect())
}

/// Every link from the matched entities to designated entities, sorted and without repeats
/// (a designated entity reached two ways keeps its strongest link).
pub fn flag_links(matches: &[Match], data: &ReferenceData) -> Vec<Link> {
    let held: BTreeSet<&str> = matches.iter().map(|m| m.entity_id.as_str()).collect();
    let mut best: BTreeMap<String, Link> = BTreeMap::new();
    for entity in held {
        for link in ownership::links(entity, data) {
            match best.get(&link.entity_id) {
                Some(b)
                    if (b.tier, b.direction, b.path.len())
                        <= (link.tier, link.direction, link.path.len()) => {}
                _ => {
                    best.insert(link.entity_id.clone(), link);
                }
            }
        }
    }
    // The strongest, most direct link first: reports list the held entity's own designations
    // before what it reaches through ownership.
    let mut links: Vec<Link> = best.into_values().collect();
    links.sort_by(|a, b| {
        (a.direction, a.tier, a.path.len(), &a.entity_id).cmp(&(
            b.direction,
            b.tier,
            b.path.len(),
            &b.entity_id,
        ))
    });
    links
}

/// The currencies the holdings are valued in, when they are one at most; otherwise an error
/// naming the first holding in each.
fn single_currency(portfolio: &Portfolio) -> Result<BTreeSet<&str>, ExposureError> {
    let mut first: BTreeMap<&str, &crate::model::SourceLine> = BTreeMap::new();
    for h in &portfolio.holdings {
        if let Some(c) = h.currency.as_deref() {
            first.entry(c).or_insert(&h.source);
        }
    }
    if first.len() > 1 {
        return Err(ExposureError::MixedCurrencies(
            first
                .iter()
                .map(|(c, at)| format!("{c} from {at}"))
                .collect(),
        ));
    }
    Ok(first.into_keys().collect())
}

/// Every row handed to exposure, counted and summed on its own: the holdings and the rejected
/// rows with a readable value.
fn input_total(portfolio: &Portfolio) -> Bucket {
    let holdings: Decimal = portfolio.holdings.iter().map(|h| h.value).sum();
    let rejected: Decimal = portfolio.rejected.iter().filter_map(|r| r.value).sum();
    Bucket {
        rows: (portfolio.holdings.len() + portfolio.rejected.len()) as u64,
        value: holdings + rejected,
    }
}

/// Measures exposure.
pub fn measure(
    portfolio: &Portfolio,
    resolutions: &[std::sync::Arc<HoldingResolution>],
    data: &ReferenceData,
    options: &ExposureOptions,
) -> Result<Exposure, ExposureError> {
    // Every figure below is a sum of some of these values, or a share of one: bounded here,
    // none of them can overflow.
    crate::model::money::check_portfolio(portfolio)?;
    let currencies = single_currency(portfolio)?;
    if let Some(nav) = options.nav
        && nav <= Decimal::ZERO
    {
        return Err(ExposureError::NonPositiveNav(nav));
    }

    // The figure the buckets must add up to, taken from the rows themselves before any of
    // them is put in a bucket, so a row lost or counted twice by the bucketing shows.
    let input = input_total(portfolio);
    let mut rec = Reconciliation {
        input,
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
        let links = flag_links(&resolution.matches, data);
        let tier = links.iter().map(|l| l.tier).min();
        let entities: Vec<String> = links
            .iter()
            .map(|l| l.entity_id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let issuer_kind = resolution
            .matches
            .first()
            .and_then(|m| data.entity(&m.entity_id))
            .map(|e| e.kind);
        let asset_class = asset_class::classify(holding, issuer_kind);
        let (status, bucket) = if !holding.kind.is_long() {
            (Status::Excluded, &mut rec.excluded)
        } else if tier.is_some() {
            (Status::Flagged, &mut rec.flagged)
        } else if resolution.unresolved.is_some() {
            (Status::Unresolved, &mut rec.unresolved)
        } else {
            (Status::Clear, &mut rec.clear)
        };
        for _ in 0..options.fault.times(index) {
            bucket.add(holding.value);
        }
        positions.push(PositionResult {
            holding: index,
            status,
            tier,
            entities,
            links,
            resolution: std::sync::Arc::clone(resolution),
            asset_class,
            reason: if holding.kind.is_long() {
                resolution.unresolved.clone()
            } else {
                Some(holding.kind.label())
            },
            weight_pct: Decimal::ZERO,
        });
    }
    for row in &portfolio.rejected {
        rec.rejected.rows += 1;
        match row.value {
            Some(v) => rec.rejected.value += v,
            None => rec.rejected_without_value += 1,
        }
    }
    rec.portfolio_total = rec.flagged.value + rec.clear.value + rec.unresolved.value;
    let buckets = [
        &rec.flagged,
        &rec.clear,
        &rec.unresolved,
        &rec.excluded,
        &rec.rejected,
    ];
    let bucket_rows: u64 = buckets.iter().map(|b| b.rows).sum();
    let bucket_value = rec.portfolio_total + rec.excluded.value + rec.rejected.value;
    rec.balanced = bucket_rows == rec.input.rows && bucket_value == rec.input.value;
    if !rec.balanced {
        return Err(ExposureError::Unbalanced {
            input_rows: rec.input.rows,
            input_value: rec.input.value,
            bucket_rows,
            bucket_value,
        });
    }

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
        // Issuers are the entities the holdings matched; the designated entities they reach
        // through ownership are evidence on the position, not issuers of their own.
        let held: BTreeSet<&str> = p.links.iter().map(|l| l.held_entity.as_str()).collect();
        for held_id in held {
            let entry = by_entity.entry(held_id).or_insert_with(|| EntityExposure {
                entity_id: held_id.to_string(),
                value: Decimal::ZERO,
                weight_pct: Decimal::ZERO,
                positions: 0,
                tier: Consequence::ResearchOnly,
                lists: Vec::new(),
            });
            entry.value += value;
            entry.positions += 1;
            for link in p.links.iter().filter(|l| l.held_entity == held_id) {
                entry.tier = entry.tier.min(link.tier);
                if !link.carries_designations() {
                    continue;
                }
                // Through control only the blocking sanctions carry (the 50% rule); the other
                // lists name the parent alone.
                for d in data
                    .designations_of(&link.entity_id)
                    .filter(|d| d.is_active())
                    .filter(|d| {
                        link.direction == Direction::Direct
                            || d.consequence == Consequence::Blocking
                    })
                {
                    if !entry.lists.contains(&d.list) {
                        entry.lists.push(d.list.clone());
                    }
                    let list = by_list.entry(d.list.as_str()).or_default();
                    list.1.insert(link.entity_id.as_str());
                    lists_of_position.insert(d.list.as_str());
                }
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

    let groups = group_exposure(portfolio, &positions, data, denominator);
    let pro_rata = pro_rata(portfolio, &positions, denominator);
    let mut xpcc_debt = Bucket::default();
    for p in positions.iter().filter(|p| p.status == Status::Flagged) {
        if p.asset_class.is_bond() && p.links.iter().any(involves_xpcc) {
            xpcc_debt.add(portfolio.holdings[p.holding].value);
        }
    }
    let coverage = coverage(portfolio, &positions, resolutions, rec.portfolio_total);

    Ok(Exposure {
        by_asset_class: groups.0,
        by_sector: groups.1,
        by_country: groups.2,
        pro_rata,
        xpcc_debt_pct: percent(xpcc_debt.value, denominator),
        xpcc_debt,
        coverage,
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

/// The XPCC's own identifier in the reference data.
pub const XPCC: &str = "xpcc";

/// True when a link runs to or through the XPCC.
pub(crate) fn involves_xpcc(link: &Link) -> bool {
    link.entity_id == XPCC
        || link.held_entity == XPCC
        || link
            .path
            .iter()
            .any(|s| s.parent_id == XPCC || s.child_id == XPCC)
}

/// The link that decides a position's tier: strongest consequence, then direct before
/// controlled before parent, then the shortest path.
pub fn primary_link(links: &[Link]) -> Option<&Link> {
    links.iter().min_by(|a, b| {
        (a.tier, a.direction, a.path.len(), &a.entity_id).cmp(&(
            b.tier,
            b.direction,
            b.path.len(),
            &b.entity_id,
        ))
    })
}

/// Flagged exposure by asset class, sector and country (each position once).
fn group_exposure(
    portfolio: &Portfolio,
    positions: &[PositionResult],
    data: &ReferenceData,
    denominator: Decimal,
) -> (Vec<GroupExposure>, Vec<GroupExposure>, Vec<GroupExposure>) {
    let mut classes: BTreeMap<String, Bucket> = BTreeMap::new();
    let mut sectors: BTreeMap<String, Bucket> = BTreeMap::new();
    let mut countries: BTreeMap<String, Bucket> = BTreeMap::new();
    for p in positions.iter().filter(|p| p.status == Status::Flagged) {
        let value = portfolio.holdings[p.holding].value;
        classes
            .entry(p.asset_class.key().to_string())
            .or_default()
            .add(value);
        // The sector and country of the issuer held, not of the entity it reaches.
        let entity = primary_link(&p.links).and_then(|l| data.entity(&l.held_entity));
        let or_unknown = |s: Option<&str>| {
            s.filter(|s| !s.is_empty())
                .unwrap_or("not stated")
                .to_string()
        };
        sectors
            .entry(or_unknown(entity.map(|e| e.sector.as_str())))
            .or_default()
            .add(value);
        countries
            .entry(or_unknown(entity.map(|e| e.country.as_str())))
            .or_default()
            .add(value);
    }
    let list = |groups: BTreeMap<String, Bucket>| {
        let mut v: Vec<GroupExposure> = groups
            .into_iter()
            .map(|(key, b)| GroupExposure {
                key,
                value: b.value,
                weight_pct: percent(b.value, denominator),
                positions: b.rows,
            })
            .collect();
        v.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.key.cmp(&b.key)));
        v
    };
    (list(classes), list(sectors), list(countries))
}

/// Pro-rata exposure through ownership shares.
fn pro_rata(portfolio: &Portfolio, positions: &[PositionResult], denominator: Decimal) -> ProRata {
    let mut out = ProRata::default();
    for p in positions.iter().filter(|p| p.status == Status::Flagged) {
        let value = portfolio.holdings[p.holding].value;
        // Pro rata applies to a parent's holding in a designated company; a company owned by a
        // designated one is held in full.
        let share = primary_link(&p.links).and_then(|l| match l.direction {
            Direction::Parent => l.share,
            Direction::Direct | Direction::Controlled | Direction::Guaranteed => Some(Decimal::ONE),
        });
        match share {
            Some(share) => {
                out.value += value * share;
                out.positions += 1;
            }
            None => out.unknown.add(value),
        }
    }
    out.value = out.value.round_dp(2);
    out.weight_pct = percent(out.value, denominator);
    out
}

/// Shares of the long positions with an identifier, resolved, flagged, unresolved, looked
/// through and unscreened.
fn coverage(
    portfolio: &Portfolio,
    positions: &[PositionResult],
    resolutions: &[std::sync::Arc<HoldingResolution>],
    total: Decimal,
) -> Coverage {
    let mut c = Coverage::default();
    let add = |share: &mut Share, value: Decimal| {
        share.positions += 1;
        share.value += value;
    };
    for p in positions.iter().filter(|p| p.status != Status::Excluded) {
        let h = &portfolio.holdings[p.holding];
        if h.ids.any_matchable() {
            add(&mut c.with_identifier, h.value);
        }
        if !resolutions[p.holding].matches.is_empty() {
            add(&mut c.resolved, h.value);
        }
        match p.status {
            Status::Flagged => add(&mut c.flagged, h.value),
            Status::Unresolved => add(&mut c.unresolved, h.value),
            _ => {}
        }
        if p.asset_class == AssetClass::Fund {
            add(&mut c.unscreened, h.value);
        }
    }
    for share in [
        &mut c.with_identifier,
        &mut c.resolved,
        &mut c.flagged,
        &mut c.unresolved,
        &mut c.looked_through,
        &mut c.unscreened,
    ] {
        share.pct = percent(share.value, total);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_half_away_from_zero_at_four_places() {
        assert_eq!(
            percent(Decimal::ONE, Decimal::from(3)).to_string(),
            "33.3333"
        );
        assert_eq!(
            percent(Decimal::new(5, 7), Decimal::ONE).to_string(),
            "0.0001"
        );
        assert_eq!(percent(Decimal::ONE, Decimal::ZERO).to_string(), "0.0000");
    }

    #[test]
    fn percent_of_values_near_the_decimal_limit_does_not_abort() {
        // value × 100 overflows: the ratio is taken first.
        let big = Decimal::MAX / Decimal::from(2);
        assert_eq!(percent(big, big).to_string(), "100.0000");
        assert_eq!(percent(big, Decimal::MAX).to_string(), "50.0000");
        // The ratio itself is beyond the limit: the largest figure, with the right sign.
        assert!(percent(Decimal::MAX, Decimal::new(1, 10)) > Decimal::from(1_000_000_000));
        assert!(percent(Decimal::MIN, Decimal::new(1, 10)) < Decimal::from(-1_000_000_000));
    }
}
