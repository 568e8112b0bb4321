//! The report model: one serialisable value that every output format is rendered from.
//!
//! Building it gathers, for every flagged position, the evidence behind the flag (designations
//! with list, date, grade and source) and the path that led there (how the match was made), so
//! the Markdown, JSON and CSV outputs cannot drift apart: they all read this.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::exposure::{
    AssetClass, Bucket, Coverage, Direction, Exposure, GroupExposure, Link, ProRata,
    Reconciliation, Status,
};
use crate::model::{DatasetMeta, FileSummary, Grade, Portfolio, ReferenceData};
use crate::resolve::HoldingResolution;

/// Everything a report says.
#[derive(Debug, Clone, Serialize)]
pub struct ReportModel {
    pub tool: Tool,
    pub portfolio: String,
    /// Currency of the values, when the input says; otherwise values are in the file's currency.
    pub currency: Option<String>,
    pub summary: Summary,
    pub tiers: Vec<TierRow>,
    pub lists: Vec<ListRow>,
    pub issuers: Vec<IssuerRow>,
    pub flagged: Vec<FlaggedPosition>,
    pub unresolved: Vec<PlainRow>,
    /// Short positions, options and derivatives, reported apart from long exposure.
    pub excluded: Vec<ExcludedRow>,
    /// Their totals by kind (short, option, derivative), each on its own: shorts are never
    /// netted against options either.
    pub excluded_kinds: Vec<GroupRow>,
    pub rejected: Vec<PlainRow>,
    pub warnings: Vec<PlainRow>,
    /// Bar charts of flagged exposure (by tier and by sector), laid out for inline SVG.
    pub charts: Vec<Chart>,
    /// Flagged exposure by asset class, sector and country (each adds up to the flagged total).
    pub asset_classes: Vec<GroupRow>,
    pub sectors: Vec<GroupRow>,
    pub countries: Vec<GroupRow>,
    pub pro_rata: ProRata,
    /// Bonds of XPCC entities held (Recommendation 5 of the seed brief: capital-market leverage).
    pub xpcc_debt: Bucket,
    pub xpcc_debt_pct: Decimal,
    pub coverage: Coverage,
    pub reconciliation: Reconciliation,
    /// Possible name matches awaiting a person's decision (not flagged; also in `review.csv`).
    pub review: Vec<ReviewRow>,
    /// Reviewer decisions from the overrides file that this scan applied.
    pub decisions: Vec<DecisionRow>,
    pub inputs: Vec<FileSummary>,
    /// The exchange rates applied (`--fx`), with the file, date and source of each.
    pub fx: Option<crate::exposure::fx::FxSummary>,
    /// Fund positions replaced by their holdings (`--look-through`).
    pub look_through: Option<crate::lookthrough::LookThrough>,
    /// What OpenFIGI enrichment did (`--enrich openfigi`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrichment: Option<crate::fetch::openfigi::EnrichSummary>,
    pub reference: ReferenceSummary,
}

/// One holding name and one candidate entity in the review band, over all positions with that
/// name.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewRow {
    pub holding_name: String,
    pub entity_id: String,
    pub entity_name: String,
    /// The entity name or alias compared with.
    pub reference_value: String,
    pub score: Decimal,
    pub explanation: String,
    pub positions: u64,
    pub value: Decimal,
    /// `file:line` of the first position with this name.
    pub first_seen: String,
}

/// A reviewer decision used by this scan, with the positions it applied to.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionRow {
    pub holding_name: String,
    pub entity_id: String,
    pub entity_name: String,
    pub decision: &'static str,
    pub reviewer: String,
    pub date: String,
    pub note: String,
    pub origin: String,
    pub positions: u64,
    pub value: Decimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub positions: u64,
    /// Positions counted as long exposure (all but options and derivatives).
    pub long_positions: u64,
    pub flagged_positions: u64,
    pub flagged_issuers: u64,
    pub flagged_value: Decimal,
    pub flagged_pct: Decimal,
    pub portfolio_total: Decimal,
    pub nav: Option<Decimal>,
    pub denominator: Decimal,
    /// `NAV` or `portfolio total`: what the percentages are of.
    pub denominator_label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct TierRow {
    pub key: &'static str,
    pub label: &'static str,
    pub value: Decimal,
    pub weight_pct: Decimal,
    pub positions: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListRow {
    pub id: String,
    pub name: String,
    pub authority: String,
    pub value: Decimal,
    pub weight_pct: Decimal,
    pub positions: u64,
    pub entities: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct IssuerRow {
    pub entity_id: String,
    pub name: String,
    pub name_zh: String,
    pub sector: String,
    pub value: Decimal,
    pub weight_pct: Decimal,
    pub positions: u64,
    pub tier: &'static str,
    pub tier_label: &'static str,
    pub lists: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlaggedPosition {
    pub file: String,
    pub line: u64,
    pub name: String,
    /// Where the name came from when the file had none (OpenFIGI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figi: Option<String>,
    pub description: Option<String>,
    pub isin: Option<String>,
    pub listing: Option<String>,
    pub ticker: Option<String>,
    pub value: Decimal,
    pub weight_pct: Decimal,
    pub tier: &'static str,
    pub tier_label: &'static str,
    pub asset_class: &'static str,
    pub asset_class_label: &'static str,
    pub entities: Vec<EntityEvidence>,
    /// Whether the issuer is the XPCC or controlled by it, and what OFAC's 50% rule gives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xpcc: Option<XpccStatus>,
}

/// A flagged issuer's relation to the XPCC (Recommendation 5 of the seed brief: capital that
/// reaches the Corps), stated on every such position.
#[derive(Debug, Clone, Serialize)]
pub struct XpccStatus {
    /// `itself` or `controlled`.
    pub relation: &'static str,
    /// "the XPCC itself" or "controlled by the XPCC via …", the chain with its percentages.
    pub text: String,
    /// Blocked: on the SDN list itself, or owned 50% or more in aggregate by blocked entities.
    pub blocked: bool,
    /// What the 50% rule gives, and why.
    pub rule: String,
}

/// Why one entity flags a position: how the holding was matched, how that reaches the entity
/// (directly or through ownership), and what designates it.
#[derive(Debug, Clone, Serialize)]
pub struct EntityEvidence {
    pub entity_id: String,
    pub name: String,
    pub name_zh: String,
    /// How the holding was matched (to the held entity, which is this one for a direct link).
    pub matches: Vec<MatchRow>,
    pub link: LinkRow,
    pub designations: Arc<Vec<DesignationRow>>,
}

/// How a held entity reaches a designated one.
#[derive(Debug, Clone, Serialize)]
pub struct LinkRow {
    /// `direct`, `controlled` or `parent`.
    pub direction: String,
    pub direct: bool,
    /// "held directly", "controlled by it", "owns it".
    pub direction_label: &'static str,
    pub held_entity_id: String,
    pub held_name: String,
    /// The ownership chain from the top down.
    pub path: Vec<StepRow>,
    /// Product of the percentages along the chain, in percent; empty when one is not stated.
    pub share_pct: Option<Decimal>,
    pub tier_label: &'static str,
    pub note: String,
    /// Whether the entity's lists apply to the holding through this link (a direct link, or
    /// control under the 50% rule); other links are evidence, not list exposure.
    pub carries_designations: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepRow {
    pub parent_id: String,
    pub parent_name: String,
    pub child_id: String,
    pub child_name: String,
    pub percent: Option<Decimal>,
    /// A guarantee of the child's debt rather than ownership.
    pub guarantee: bool,
    pub grade: Grade,
    pub verified: bool,
    pub source: Option<SourceRef>,
}

/// A horizontal bar chart, with each bar's geometry computed here so the template only draws.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub title: &'static str,
    /// Height of the SVG view box.
    pub height: u32,
    pub bars: Vec<Bar>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub label: String,
    pub value: Decimal,
    pub weight_pct: Decimal,
    /// Top of the bar, its text baseline, its width and where its value label starts.
    pub y: u32,
    pub text_y: u32,
    pub width: u32,
    pub value_x: u32,
}

/// Lays out bars: the largest is 220 units wide; each row is 22 units tall.
fn chart(title: &'static str, rows: &[(String, Decimal, Decimal)]) -> Chart {
    const WIDTH: u32 = 220;
    let max = rows.iter().map(|r| r.1).max().unwrap_or_default();
    let bars: Vec<Bar> = rows
        .iter()
        .enumerate()
        .map(|(i, (label, value, weight_pct))| {
            // Geometry, not money: a whole number of view-box units.
            let width = if max.is_zero() {
                0
            } else {
                (*value * Decimal::from(WIDTH) / max)
                    .round()
                    .to_string()
                    .parse::<u32>()
                    .unwrap_or(0)
            };
            let y = 4 + 22 * i as u32;
            Bar {
                label: label.clone(),
                value: *value,
                weight_pct: *weight_pct,
                y,
                text_y: y + 12,
                width,
                value_x: 236 + width,
            }
        })
        .collect();
    Chart {
        title,
        height: 8 + 22 * (bars.len().max(1) as u32),
        bars,
    }
}

/// Flagged exposure in one group (asset class, sector or country).
#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    pub key: String,
    pub label: String,
    pub value: Decimal,
    pub weight_pct: Decimal,
    pub positions: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatchRow {
    pub method: String,
    pub method_label: &'static str,
    pub holding_value: String,
    pub reference_value: String,
    /// How the link was made, in words (empty when the method says it all).
    pub explanation: String,
    /// Grade of the record that made the link; empty when the name is the entity's listed name.
    pub grade: Option<Grade>,
    pub verified: bool,
    pub source: Option<SourceRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DesignationRow {
    pub id: String,
    pub list: String,
    pub list_name: String,
    pub programme: String,
    pub listed_on: Option<String>,
    pub removed_on: Option<String>,
    pub consequence: &'static str,
    pub consequence_label: &'static str,
    pub grade: Grade,
    /// False for grade C: reported, but marked unverified.
    pub verified: bool,
    pub active: bool,
    pub source: Option<SourceRef>,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceRef {
    pub id: String,
    pub publisher: String,
    pub title: String,
    pub url: String,
    pub published: String,
}

/// A row shown with its place in the input: unresolved holdings, rejected rows, warnings.
#[derive(Debug, Clone, Serialize)]
pub struct PlainRow {
    pub file: String,
    pub line: u64,
    pub name: String,
    pub value: Option<Decimal>,
    pub message: String,
}

/// An option or derivative: its value, and the listed entities it is linked to, if any.
#[derive(Debug, Clone, Serialize)]
pub struct ExcludedRow {
    pub file: String,
    pub line: u64,
    pub name: String,
    pub kind: String,
    pub value: Decimal,
    /// Names of matched entities with a designation in force (empty when not linked).
    pub linked_entities: Vec<String>,
    /// The strongest tier among them, when linked.
    pub tier_label: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferenceSummary {
    #[serde(flatten)]
    pub meta: DatasetMeta,
    pub entities: usize,
    pub designations: usize,
    pub identifiers: usize,
    pub sources: usize,
}

fn source_ref(data: &ReferenceData, id: &str) -> Option<SourceRef> {
    data.source(id).map(|s| SourceRef {
        id: s.id.clone(),
        publisher: s.publisher.clone(),
        title: s.title.clone(),
        url: s.url.clone(),
        published: s.published.clone(),
    })
}

/// Builds the report model from the pipeline's outputs.
pub fn build(
    portfolio: &Portfolio,
    data: &ReferenceData,
    resolutions: &[std::sync::Arc<HoldingResolution>],
    exposure: &Exposure,
) -> ReportModel {
    let rec = &exposure.reconciliation;
    let entity_name = |id: &str| data.entity(id).map(|e| e.name.clone()).unwrap_or_default();

    let mut flagged = Vec::new();
    // One entity's designations are the same on every position it flags: built once and
    // shared, so a large portfolio does not hold a copy of its evidence per row.
    let mut designations: HashMap<String, Arc<Vec<DesignationRow>>> = HashMap::new();
    let mut unresolved = Vec::new();
    let mut excluded = Vec::new();
    for p in &exposure.positions {
        let h = &portfolio.holdings[p.holding];
        match p.status {
            Status::Flagged => {
                let entities = p
                    .links
                    .iter()
                    .map(|link| {
                        let entity_id = &link.entity_id;
                        let entity = data.entity(entity_id);
                        EntityEvidence {
                            entity_id: entity_id.clone(),
                            name: entity.map(|e| e.name.clone()).unwrap_or_default(),
                            name_zh: entity.map(|e| e.name_zh.clone()).unwrap_or_default(),
                            matches: p
                                .resolution
                                .matches
                                .iter()
                                .filter(|m| m.entity_id == link.held_entity)
                                .map(|m| match_row(data, m))
                                .collect(),
                            link: link_row(data, link),
                            designations: Arc::clone(
                                designations
                                    .entry(entity_id.clone())
                                    .or_insert_with(|| Arc::new(designation_rows(data, entity_id))),
                            ),
                        }
                    })
                    .collect();
                let tier = p.tier.unwrap_or(crate::model::Consequence::ResearchOnly);
                flagged.push(FlaggedPosition {
                    file: h.source.file.to_string(),
                    line: h.source.line,
                    name: h.name.clone(),
                    name_source: h.name_source.as_deref().map(str::to_string),
                    figi: h.ids.figi.as_deref().map(str::to_string),
                    description: h.description.as_deref().map(str::to_string),
                    isin: h.ids.isin.as_ref().map(ToString::to_string),
                    listing: h.ids.listing.as_ref().map(ToString::to_string),
                    ticker: h.ids.ticker.as_deref().map(str::to_string),
                    value: h.value,
                    weight_pct: p.weight_pct,
                    tier: tier.key(),
                    tier_label: tier.label(),
                    asset_class: p.asset_class.key(),
                    asset_class_label: p.asset_class.label(),
                    entities,
                    xpcc: xpcc_status(data, &p.links),
                });
            }
            Status::Unresolved => unresolved.push(PlainRow {
                file: h.source.file.to_string(),
                line: h.source.line,
                name: h.name.clone(),
                value: Some(h.value),
                message: p.reason.clone().unwrap_or_default(),
            }),
            Status::Excluded => excluded.push(ExcludedRow {
                file: h.source.file.to_string(),
                line: h.source.line,
                name: h.name.clone(),
                kind: h.kind.label(),
                value: h.value,
                linked_entities: p.entities.iter().map(|id| entity_name(id)).collect(),
                tier_label: p.tier.map(|t| t.label()),
            }),
            Status::Clear => {}
        }
    }
    let mut kinds: BTreeMap<&'static str, (u64, Decimal)> = BTreeMap::new();
    for p in exposure
        .positions
        .iter()
        .filter(|p| p.status == Status::Excluded)
    {
        let h = &portfolio.holdings[p.holding];
        let kind = match h.kind {
            crate::model::PositionKind::Short => "short",
            crate::model::PositionKind::Option(_) => "option",
            _ => "derivative",
        };
        let e = kinds.entry(kind).or_default();
        e.0 += 1;
        e.1 += h.value;
    }
    let excluded_kinds = kinds
        .into_iter()
        .map(|(key, (positions, value))| GroupRow {
            key: key.to_string(),
            label: match key {
                "short" => "Short positions",
                "option" => "Options",
                _ => "Derivatives",
            }
            .to_string(),
            value,
            weight_pct: crate::exposure::percent(value, exposure.denominator),
            positions,
        })
        .collect();
    // Largest exposure first; input order breaks ties so the order is stable.
    flagged.sort_by(|a, b| {
        b.value
            .cmp(&a.value)
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.line.cmp(&b.line))
    });

    ReportModel {
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        portfolio: portfolio.name.clone(),
        currency: exposure.currency.clone(),
        summary: Summary {
            positions: portfolio.holdings.len() as u64,
            long_positions: portfolio.holdings.len() as u64 - rec.excluded.rows,
            flagged_positions: rec.flagged.rows,
            flagged_issuers: exposure.by_entity.len() as u64,
            flagged_value: exposure.flagged_value,
            flagged_pct: exposure.flagged_pct,
            portfolio_total: rec.portfolio_total,
            nav: exposure.nav,
            denominator: exposure.denominator,
            denominator_label: if exposure.nav.is_some() {
                "NAV"
            } else {
                "portfolio total"
            },
        },
        tiers: exposure
            .by_tier
            .iter()
            .map(|t| TierRow {
                key: t.consequence.key(),
                label: t.consequence.label(),
                value: t.value,
                weight_pct: t.weight_pct,
                positions: t.positions,
            })
            .collect(),
        lists: exposure
            .by_list
            .iter()
            .map(|l| {
                let info = data.list(&l.list_id);
                ListRow {
                    id: l.list_id.clone(),
                    name: info.map(|i| i.name.clone()).unwrap_or_default(),
                    authority: info.map(|i| i.authority.clone()).unwrap_or_default(),
                    value: l.value,
                    weight_pct: l.weight_pct,
                    positions: l.positions,
                    entities: l.entities,
                }
            })
            .collect(),
        issuers: exposure
            .by_entity
            .iter()
            .map(|e| {
                let entity = data.entity(&e.entity_id);
                IssuerRow {
                    entity_id: e.entity_id.clone(),
                    name: entity_name(&e.entity_id),
                    name_zh: entity.map(|x| x.name_zh.clone()).unwrap_or_default(),
                    sector: entity.map(|x| x.sector.clone()).unwrap_or_default(),
                    value: e.value,
                    weight_pct: e.weight_pct,
                    positions: e.positions,
                    tier: e.tier.key(),
                    tier_label: e.tier.label(),
                    lists: e.lists.clone(),
                }
            })
            .collect(),
        flagged,
        unresolved,
        excluded,
        excluded_kinds,
        rejected: portfolio
            .rejected
            .iter()
            .map(|r| PlainRow {
                file: r.source.file.to_string(),
                line: r.source.line,
                name: String::new(),
                value: r.value,
                message: r.reason.clone(),
            })
            .collect(),
        warnings: portfolio
            .warnings
            .iter()
            .map(|w| PlainRow {
                file: w.source.file.to_string(),
                line: w.source.line,
                name: String::new(),
                value: None,
                message: w.message.clone(),
            })
            .chain(dated_after_the_data(portfolio, data))
            .collect(),
        charts: vec![
            chart(
                "Flagged exposure by tier",
                &exposure
                    .by_tier
                    .iter()
                    .filter(|t| !t.value.is_zero())
                    .map(|t| (t.consequence.label().to_string(), t.value, t.weight_pct))
                    .collect::<Vec<_>>(),
            ),
            chart(
                "Flagged exposure by sector",
                &sector_bars(&exposure.by_sector, exposure.denominator),
            ),
        ],
        asset_classes: group_rows(&exposure.by_asset_class, |k| {
            AssetClass::ALL
                .iter()
                .find(|c| c.key() == k)
                .map_or_else(|| k.to_string(), |c| c.label().to_string())
        }),
        sectors: group_rows(&exposure.by_sector, |k| k.replace('_', " ")),
        countries: group_rows(&exposure.by_country, str::to_string),
        pro_rata: exposure.pro_rata.clone(),
        xpcc_debt: exposure.xpcc_debt,
        xpcc_debt_pct: exposure.xpcc_debt_pct,
        coverage: exposure.coverage.clone(),
        reconciliation: rec.clone(),
        review: review_rows(portfolio, data, resolutions),
        decisions: decision_rows(portfolio, data, resolutions),
        inputs: portfolio.files.clone(),
        fx: None,
        look_through: None,
        enrichment: None,
        reference: ReferenceSummary {
            meta: data.meta.clone(),
            entities: data.entities.len(),
            designations: data.designations.len(),
            identifiers: data.identifiers.len(),
            sources: data.sources.len(),
        },
    }
}

/// Review candidates grouped by holding name and entity; largest value first.
fn review_rows(
    portfolio: &Portfolio,
    data: &ReferenceData,
    resolutions: &[std::sync::Arc<HoldingResolution>],
) -> Vec<ReviewRow> {
    let mut rows: BTreeMap<(String, String), ReviewRow> = BTreeMap::new();
    for (h, r) in portfolio.holdings.iter().zip(resolutions) {
        for c in &r.review {
            let row = rows
                .entry((h.name.clone(), c.entity_id.clone()))
                .or_insert_with(|| ReviewRow {
                    holding_name: h.name.clone(),
                    entity_id: c.entity_id.clone(),
                    entity_name: data
                        .entity(&c.entity_id)
                        .map(|e| e.name.clone())
                        .unwrap_or_default(),
                    reference_value: c.reference_value.clone(),
                    score: c.score,
                    explanation: c.explanation.clone(),
                    positions: 0,
                    value: Decimal::ZERO,
                    first_seen: format!("{}:{}", h.source.file, h.source.line),
                });
            row.positions += 1;
            row.value += h.value;
        }
    }
    let mut rows: Vec<ReviewRow> = rows.into_values().collect();
    rows.sort_by(|a, b| {
        b.value
            .cmp(&a.value)
            .then_with(|| a.holding_name.cmp(&b.holding_name))
            .then_with(|| a.entity_id.cmp(&b.entity_id))
    });
    rows
}

/// The reviewer decisions that applied to at least one holding, in file order.
fn decision_rows(
    portfolio: &Portfolio,
    data: &ReferenceData,
    resolutions: &[std::sync::Arc<HoldingResolution>],
) -> Vec<DecisionRow> {
    let mut rows: BTreeMap<String, DecisionRow> = BTreeMap::new();
    for (h, r) in portfolio.holdings.iter().zip(resolutions) {
        for d in &r.decisions {
            let row = rows.entry(d.origin.clone()).or_insert_with(|| DecisionRow {
                holding_name: d.holding_name.clone(),
                entity_id: d.entity_id.clone(),
                entity_name: data
                    .entity(&d.entity_id)
                    .map(|e| e.name.clone())
                    .unwrap_or_default(),
                decision: if d.accept { "accept" } else { "reject" },
                reviewer: d.reviewer.clone(),
                date: d.date.clone(),
                note: d.note.clone(),
                origin: d.origin.clone(),
                positions: 0,
                value: Decimal::ZERO,
            });
            row.positions += 1;
            row.value += h.value;
        }
    }
    let mut rows: Vec<DecisionRow> = rows.into_values().collect();
    // `file:line` sorts by file, then by line as a number.
    rows.sort_by(|a, b| crate::reference::natural_cmp(&a.origin, &b.origin));
    rows
}

fn group_rows(groups: &[GroupExposure], label: impl Fn(&str) -> String) -> Vec<GroupRow> {
    groups
        .iter()
        .map(|g| GroupRow {
            key: g.key.clone(),
            label: label(&g.key),
            value: g.value,
            weight_pct: g.weight_pct,
            positions: g.positions,
        })
        .collect()
}

fn match_row(data: &ReferenceData, m: &crate::model::Match) -> MatchRow {
    MatchRow {
        method: serde_json::to_value(&m.method)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        method_label: m.method.label(),
        holding_value: m.holding_value.clone(),
        reference_value: m.reference_value.clone(),
        explanation: m.explanation.clone(),
        grade: m.grade,
        verified: m.grade.is_none_or(Grade::is_verified),
        source: source_ref(data, &m.source_id),
    }
}

/// An entity's designations as the report shows them.
fn designation_rows(data: &ReferenceData, entity_id: &str) -> Vec<DesignationRow> {
    data.designations_of(entity_id)
        .map(|d| DesignationRow {
            id: d.id.clone(),
            list: d.list.clone(),
            list_name: data
                .list(&d.list)
                .map(|l| l.name.clone())
                .unwrap_or_default(),
            programme: d.programme.clone(),
            listed_on: d.listed_on.as_ref().map(ToString::to_string),
            removed_on: d.removed_on.as_ref().map(ToString::to_string),
            consequence: d.consequence.key(),
            consequence_label: d.consequence.label(),
            grade: d.grade,
            verified: d.grade.is_verified(),
            active: d.is_active(),
            source: source_ref(data, &d.source_id),
            note: d.note.clone(),
        })
        .collect()
}

/// The position's relation to the XPCC, from its links: the XPCC itself, or controlled by it
/// through an ownership chain (the shortest, as the links keep it).
pub(crate) fn xpcc_status(data: &ReferenceData, links: &[Link]) -> Option<XpccStatus> {
    use crate::exposure::XPCC;
    if links
        .iter()
        .any(|l| l.direction == Direction::Direct && l.entity_id == XPCC)
    {
        return Some(XpccStatus {
            relation: "itself",
            text: "the XPCC itself".to_string(),
            blocked: true,
            rule: "on the SDN list itself (blocking sanctions)".to_string(),
        });
    }
    let link = links
        .iter()
        .find(|l| l.direction == Direction::Controlled && l.entity_id == XPCC)?;
    let name = |id: &str| {
        data.entity(id)
            .map_or_else(|| id.to_string(), |e| e.name.clone())
    };
    let chain: Vec<String> = link
        .path
        .iter()
        .map(|s| {
            let share = s
                .percent
                .map_or_else(|| "percentage not stated".to_string(), |p| format!("{p}%"));
            format!("{} ({share})", name(&s.child_id))
        })
        .collect();
    let blocked = link.tier == crate::model::Consequence::Blocking;
    Some(XpccStatus {
        relation: "controlled",
        text: format!("controlled by the XPCC via {}", chain.join(" → ")),
        blocked,
        rule: if blocked {
            format!("blocked: {}", link.note)
        } else {
            format!("not blocked on the sourced figures: {}", link.note)
        },
    })
}

/// Holdings dated more than 90 days after the reference data: the lists may have changed since.
/// Measured against the files' own dates (not the day of the run) so a report stays the same
/// bytes whenever it is made; only full ISO dates (`2026-09-30`) are compared.
fn dated_after_the_data(portfolio: &Portfolio, data: &ReferenceData) -> Vec<PlainRow> {
    let Ok(as_of) = data.meta.as_of.parse::<crate::model::IsoDate>() else {
        return Vec::new();
    };
    portfolio
        .files
        .iter()
        .filter_map(|f| {
            let period: crate::model::IsoDate = f.period.as_deref()?.trim().parse().ok()?;
            let age = period.days() - as_of.days();
            (period.is_complete() && age > 90).then(|| PlainRow {
                file: f.file.clone(),
                line: 0,
                name: String::new(),
                value: None,
                message: format!(
                    "the holdings are dated {period}, {age} days after the reference data (as of {as_of}); lists may have changed since: refresh them with `xjscan mappings update`"
                ),
            })
        })
        .collect()
}

fn link_row(data: &ReferenceData, link: &Link) -> LinkRow {
    let name = |id: &str| data.entity(id).map(|e| e.name.clone()).unwrap_or_default();
    LinkRow {
        direction: match link.direction {
            Direction::Direct => "direct",
            Direction::Controlled => "controlled",
            Direction::Parent => "parent",
            Direction::Guaranteed => "guaranteed",
        }
        .to_string(),
        direct: link.direction == Direction::Direct,
        direction_label: match link.direction {
            Direction::Direct => "the holding's issuer is designated",
            Direction::Controlled => "the holding's issuer is owned or controlled by it",
            Direction::Parent => "the holding's issuer owns it",
            Direction::Guaranteed => "it guarantees the holding issuer's debt",
        },
        held_entity_id: link.held_entity.clone(),
        held_name: name(&link.held_entity),
        path: link
            .path
            .iter()
            .map(|s| StepRow {
                parent_id: s.parent_id.clone(),
                parent_name: name(&s.parent_id),
                child_id: s.child_id.clone(),
                child_name: name(&s.child_id),
                percent: s.percent,
                guarantee: s.guarantee,
                grade: s.grade,
                verified: s.grade.is_verified(),
                source: source_ref(data, &s.source_id),
            })
            .collect(),
        share_pct: link
            .share
            .filter(|_| link.direction != Direction::Direct)
            .map(|s| (s * Decimal::ONE_HUNDRED).normalize()),
        tier_label: link.tier.label(),
        note: link.note.clone(),
        carries_designations: link.carries_designations(),
    }
}

/// The largest seven sectors and, when there are more, one bar for the rest, so the chart
/// still adds up to the flagged exposure.
fn sector_bars(groups: &[GroupExposure], denominator: Decimal) -> Vec<(String, Decimal, Decimal)> {
    let mut bars: Vec<(String, Decimal, Decimal)> = groups
        .iter()
        .take(7)
        .map(|g| (g.key.replace('_', " "), g.value, g.weight_pct))
        .collect();
    if groups.len() > 7 {
        let rest: Decimal = groups[7..].iter().map(|g| g.value).sum();
        bars.push((
            format!("{} other sectors", groups.len() - 7),
            rest,
            crate::exposure::percent(rest, denominator),
        ));
    }
    bars
}
