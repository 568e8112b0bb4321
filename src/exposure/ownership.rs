//! Ownership roll-up: how a held entity is tied to designated entities through ownership.
//!
//! Three kinds of link, each with the path that makes it and the percentages along it:
//! - **direct**: the held entity is designated itself;
//! - **controlled**: the held entity is owned or controlled by a designated entity (an XPCC
//!   company, say). Blocking sanctions carry over under OFAC's 50% rule only when every step of
//!   the chain is known to be 50% or more; otherwise the link is reported, in the research tier,
//!   with the missing percentage named;
//! - **parent**: the held entity owns a designated entity (a listed parent of a UFLPA-listed
//!   subsidiary). The investor holds the parent, so the position is flagged in full, with a
//!   pro-rata share where every percentage along the chain is known.
//!
//! The walk is breadth-first over `ownership.csv`, remembers what it has visited (so a cycle in
//! imported data cannot loop), and stops at [`MAX_DEPTH`] steps.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::{Consequence, Grade, ReferenceData};

/// Longest ownership chain followed.
pub const MAX_DEPTH: usize = 6;

/// One ownership edge on a path, parent first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Step {
    pub parent_id: String,
    pub child_id: String,
    /// Percentage held, when a source states it.
    pub percent: Option<Decimal>,
    pub source_id: String,
    pub grade: Grade,
    /// The parent guarantees the child's debt rather than owning it.
    pub guarantee: bool,
}

/// How the held entity relates to the designated one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Direct,
    /// The held entity is owned or controlled by the designated one.
    Controlled,
    /// The held entity owns the designated one.
    Parent,
    /// The held entity's debt is guaranteed by the designated one (or by a company it owns or
    /// controls).
    Guaranteed,
}

/// One reason a held entity is flagged.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Link {
    /// The entity with the designations.
    pub entity_id: String,
    /// The entity the holding matched.
    pub held_entity: String,
    pub direction: Direction,
    /// Ownership edges from the top of the chain down, empty for a direct link.
    pub path: Vec<Step>,
    /// Product of the percentages along the path, as a fraction (1 for a direct link); `None`
    /// when a step has no stated percentage.
    pub share: Option<Decimal>,
    /// The consequence for the investor through this link.
    pub tier: Consequence,
    /// Why the tier is what it is, when it is not simply the designation's.
    pub note: String,
}

impl Link {
    /// Whether the designated entity's lists apply to the holding through this link: always for
    /// a direct link, and for a controlled one when blocking sanctions carry over (50% rule).
    /// Other links are evidence in the research tier, not list exposure.
    pub fn carries_designations(&self) -> bool {
        match self.direction {
            Direction::Direct => true,
            Direction::Controlled => self.tier == Consequence::Blocking,
            Direction::Parent | Direction::Guaranteed => false,
        }
    }
}

/// Every link from `held` to an entity with a designation in force, sorted.
pub fn links(held: &str, data: &ReferenceData) -> Vec<Link> {
    let mut out = Vec::new();
    if let Some(tier) = strongest(held, data) {
        out.push(Link {
            entity_id: held.to_string(),
            held_entity: held.to_string(),
            direction: Direction::Direct,
            path: Vec::new(),
            share: Some(Decimal::ONE),
            tier,
            note: String::new(),
        });
    }
    let blocked = blocked_by_ownership(data);
    for (ancestor, path) in walk(held, data, Walk::Up) {
        let Some(designated) = strongest(&ancestor, data) else {
            continue;
        };
        let (tier, note) = controlled_tier(designated, &path, blocked.contains(held), data);
        out.push(Link {
            entity_id: ancestor,
            held_entity: held.to_string(),
            direction: Direction::Controlled,
            share: share(&path),
            path,
            tier,
            note,
        });
    }
    for (descendant, path) in walk(held, data, Walk::Down) {
        if strongest(&descendant, data).is_none() {
            continue;
        }
        out.push(Link {
            entity_id: descendant,
            held_entity: held.to_string(),
            direction: Direction::Parent,
            share: share(&path),
            path,
            tier: Consequence::ResearchOnly,
            note: "the holding owns a designated entity; no legal consequence carries up to the parent"
                .to_string(),
        });
    }
    // Guarantors of the held issuer's debt, and what designates them or their owners.
    let mut guarantors: Vec<_> = data
        .guarantees
        .iter()
        .filter(|g| g.issuer_id == held)
        .collect();
    guarantors.sort_by(|a, b| a.guarantor_id.cmp(&b.guarantor_id));
    for g in guarantors {
        let guarantee = Step {
            parent_id: g.guarantor_id.clone(),
            child_id: g.issuer_id.clone(),
            percent: None,
            source_id: g.source_id.clone(),
            grade: g.grade,
            guarantee: true,
        };
        let mut reached = vec![(g.guarantor_id.clone(), Vec::new())];
        reached.extend(walk(&g.guarantor_id, data, Walk::Up));
        for (entity, mut path) in reached {
            if strongest(&entity, data).is_none() || entity == held {
                continue;
            }
            path.push(guarantee.clone());
            out.push(Link {
                entity_id: entity,
                held_entity: held.to_string(),
                direction: Direction::Guaranteed,
                share: None,
                path,
                tier: Consequence::ResearchOnly,
                note: "the issuer's debt is guaranteed by a designated entity or a company it owns; no legal consequence carries to the issuer"
                    .to_string(),
            });
        }
    }
    out.sort();
    out
}

/// Blocking sanctions reach a controlled company under the 50% rule; nothing else carries down.
/// `blocked` says whether the held company is owned 50% or more in aggregate by blocked entities.
fn controlled_tier(
    parent_tier: Consequence,
    path: &[Step],
    blocked: bool,
    data: &ReferenceData,
) -> (Consequence, String) {
    let name = |id: &str| {
        data.entity(id)
            .map_or_else(|| id.to_string(), |e| e.name.clone())
    };
    if parent_tier != Consequence::Blocking {
        return (
            Consequence::ResearchOnly,
            "controlled by a designated entity; the designation does not extend to it by law"
                .to_string(),
        );
    }
    if blocked {
        return (
            Consequence::Blocking,
            "owned 50% or more, in aggregate, by blocked entities (the 50% rule of OFAC; the EU and UK apply an ownership-and-control test)".to_string(),
        );
    }
    let fifty = Decimal::from(50);
    let step = path.iter().find(|s| s.percent.is_none_or(|p| p < fifty));
    (
        Consequence::ResearchOnly,
        match step {
            Some(Step {
                percent: Some(p),
                parent_id,
                child_id,
                ..
            }) => format!(
                "{} holds {p}% of {}, under 50%, and no other blocked owner makes up the difference, so the 50% rule does not apply",
                name(parent_id),
                name(child_id)
            ),
            Some(Step {
                parent_id,
                child_id,
                ..
            }) => format!(
                "controlled by a blocked entity, but no source states how much {} holds in {}, so the 50% rule is not established",
                name(parent_id),
                name(child_id)
            ),
            None => "controlled by a blocked entity; the 50% rule is not established".to_string(),
        },
    )
}

/// Entities blocked by ownership: owned 50% or more in aggregate, directly or through entities
/// that are themselves blocked, by entities with blocking sanctions in force. Computed to a fixed
/// point over `ownership.csv`; only stated percentages count.
pub fn blocked_by_ownership(data: &ReferenceData) -> BTreeSet<String> {
    let mut blocked: BTreeSet<String> = data
        .designations
        .iter()
        .filter(|d| d.is_active() && d.consequence == Consequence::Blocking)
        .map(|d| d.entity_id.clone())
        .collect();
    let designated = blocked.clone();
    let fifty = Decimal::from(50);
    loop {
        let mut owned: BTreeMap<&str, Decimal> = BTreeMap::new();
        for o in &data.ownership {
            if let Some(p) = o.percent
                && blocked.contains(&o.parent_id)
            {
                *owned.entry(o.child_id.as_str()).or_default() += p;
            }
        }
        let newly: Vec<String> = owned
            .into_iter()
            .filter(|(child, p)| *p >= fifty && !blocked.contains(*child))
            .map(|(child, _)| child.to_string())
            .collect();
        if newly.is_empty() {
            break;
        }
        blocked.extend(newly);
    }
    // Directly designated entities are not "blocked by ownership".
    blocked.retain(|e| !designated.contains(e));
    blocked
}

/// Product of the percentages as a fraction; `None` when one is not stated.
fn share(path: &[Step]) -> Option<Decimal> {
    path.iter().try_fold(Decimal::ONE, |acc, s| {
        s.percent.map(|p| acc * p / Decimal::ONE_HUNDRED)
    })
}

/// The strongest consequence among an entity's designations in force.
fn strongest(entity_id: &str, data: &ReferenceData) -> Option<Consequence> {
    data.designations_of(entity_id)
        .filter(|d| d.is_active())
        .map(|d| d.consequence)
        .min()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Walk {
    Up,
    Down,
}

/// Every entity reachable from `start` going up (owners) or down (owned), with the path to it
/// written top-down. Breadth-first, so the shortest path wins; entities are visited once.
fn walk(start: &str, data: &ReferenceData, direction: Walk) -> BTreeMap<String, Vec<Step>> {
    let mut found: BTreeMap<String, Vec<Step>> = BTreeMap::new();
    let mut seen: BTreeSet<String> = BTreeSet::from([start.to_string()]);
    let mut queue: VecDeque<(String, Vec<Step>)> =
        VecDeque::from([(start.to_string(), Vec::new())]);
    while let Some((at, path)) = queue.pop_front() {
        if path.len() >= MAX_DEPTH {
            continue;
        }
        // Sorted edges keep the chosen path deterministic when two are equally short.
        let mut edges: Vec<_> = data
            .ownership
            .iter()
            .filter(|o| match direction {
                Walk::Up => o.child_id == at,
                Walk::Down => o.parent_id == at,
            })
            .collect();
        edges.sort_by(|a, b| (&a.parent_id, &a.child_id).cmp(&(&b.parent_id, &b.child_id)));
        for o in edges {
            let next = match direction {
                Walk::Up => &o.parent_id,
                Walk::Down => &o.child_id,
            };
            if !seen.insert(next.clone()) {
                continue;
            }
            let step = Step {
                parent_id: o.parent_id.clone(),
                child_id: o.child_id.clone(),
                percent: o.percent,
                source_id: o.source_id.clone(),
                grade: o.grade,
                guarantee: false,
            };
            let mut next_path = path.clone();
            match direction {
                // Going up, each new owner goes on top of the chain.
                Walk::Up => next_path.insert(0, step),
                Walk::Down => next_path.push(step),
            }
            found.insert(next.clone(), next_path.clone());
            queue.push_back((next.clone(), next_path));
        }
    }
    found
}
