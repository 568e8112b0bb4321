//! Resolving holdings to reference entities: identifiers first, then names, then reviewers'
//! decisions.
//!
//! Identifiers decide when they match (ISIN, CUSIP, LEI, CIK, exchange + ticker, and a US or
//! Canadian CUSIP turned into its ISIN). Otherwise the name is looked up in [`names::NameIndex`]:
//! exact, pinyin/compact, then word-by-word similarity with an explanation. Names in the review
//! band are reported, not flagged, until a reviewer's decision in the overrides file says so.
//!
//! Each distinct issuer (same name and identifiers) is resolved once, so the work grows with the
//! number of distinct issuers and never with holdings × entities, and the outcome for a holding
//! never depends on which other rows are in the portfolio or their order.

mod bond_short;
pub mod chinese;
pub mod eval;
pub mod names;
mod normalize;
pub mod overrides;
pub mod rarity;
pub mod vocab;

use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::ids::Listing;
use crate::model::{Holding, IdScheme, Match, MatchMethod, Portfolio, ReferenceData};
use names::{NameHit, NameIndex};
pub use normalize::normalize_name;
pub use overrides::{Decision, Overrides};

/// The outcome for one holding, in the same order as `Portfolio::holdings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldingResolution {
    /// Every match found, sorted; empty when the holding matched nothing.
    pub matches: Vec<Match>,
    /// Names in the review band: reported for a person to decide, never flagged.
    pub review: Vec<Candidate>,
    /// Reviewer decisions that applied to this holding's name.
    pub decisions: Vec<Decision>,
    /// Set when the holding could not be screened at all, with the reason.
    pub unresolved: Option<String>,
}

/// A possible match that needs a person's decision.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Candidate {
    pub entity_id: String,
    /// The entity name or alias the holding name was compared with.
    pub reference_value: String,
    /// Similarity from 0 to 1, two decimals.
    pub score: Decimal,
    pub explanation: String,
}

/// Indexes over the reference data, and the reviewers' decisions.
pub struct Resolver<'a> {
    data: &'a ReferenceData,
    by_identifier: HashMap<(IdScheme, String), usize>,
    /// Each entity's listings (`MIC:SYMBOL`), for telling another security from a name match.
    listings: HashMap<String, Vec<String>>,
    names: NameIndex,
    overrides: Overrides,
}

impl<'a> Resolver<'a> {
    pub fn new(data: &'a ReferenceData) -> Self {
        Self::with_overrides(data, Overrides::default())
    }

    pub fn with_overrides(data: &'a ReferenceData, overrides: Overrides) -> Self {
        let by_identifier = data
            .identifiers
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.scheme, r.value.clone()), i))
            .collect();
        let mut listings: HashMap<String, Vec<String>> = HashMap::new();
        for r in data
            .identifiers
            .iter()
            .filter(|r| r.scheme == IdScheme::Ticker)
        {
            listings
                .entry(r.entity_id.clone())
                .or_default()
                .push(r.value.clone());
        }
        Resolver {
            data,
            by_identifier,
            listings,
            names: NameIndex::new(data),
            overrides,
        }
    }

    /// Resolves one holding.
    pub fn resolve(&self, holding: &Holding) -> HoldingResolution {
        self.resolve_with(holding, &mut NameMemo::default())
    }

    /// Resolves one holding, looking its name up through `memo`: a caller resolving many
    /// holdings in name order (a bond issuer's many CUSIPs in a data set) looks each name up
    /// once. The answer is the same as [`Resolver::resolve`]'s.
    pub fn resolve_with(&self, holding: &Holding, memo: &mut NameMemo) -> HoldingResolution {
        let ids = &holding.ids;
        let mut matches = Vec::new();
        let text = |v: Option<&dyn std::fmt::Display>| v.map(|v| v.to_string());
        let mut lookups = vec![
            (
                IdScheme::Isin,
                MatchMethod::Isin,
                text(ids.isin.as_ref().map(|v| v as _)),
            ),
            (
                IdScheme::Cusip,
                MatchMethod::Cusip,
                text(ids.cusip.as_ref().map(|v| v as _)),
            ),
            (
                IdScheme::Lei,
                MatchMethod::Lei,
                text(ids.lei.as_ref().map(|v| v as _)),
            ),
            (
                IdScheme::Cik,
                MatchMethod::Cik,
                text(ids.cik.as_ref().map(|v| v as _)),
            ),
            (
                IdScheme::Ticker,
                MatchMethod::Listing,
                text(ids.listing.as_ref().map(|v| v as _)),
            ),
        ]
        .into_iter()
        .map(|(scheme, method, value)| (scheme, method, value, String::new()))
        .collect::<Vec<_>>();
        // A 13F row carries a CUSIP where the reference data may record the ISIN, and the
        // reverse; for US and Canadian securities one is computed from the other.
        if ids.isin.is_none()
            && let Some(cusip) = &ids.cusip
        {
            for country in ["US", "CA"] {
                if let Some(isin) = cusip.to_isin(country) {
                    let why = format!("ISIN {isin} computed from CUSIP {cusip}");
                    lookups.push((
                        IdScheme::Isin,
                        MatchMethod::IsinFromCusip,
                        Some(isin.to_string()),
                        why,
                    ));
                }
            }
        }
        if ids.cusip.is_none()
            && let Some(cusip) = ids.isin.as_ref().and_then(|i| i.cusip())
        {
            let why = format!("CUSIP {cusip} read from the ISIN");
            lookups.push((
                IdScheme::Cusip,
                MatchMethod::IsinFromCusip,
                Some(cusip.to_string()),
                why,
            ));
        }
        for (scheme, method, value, explanation) in lookups {
            let Some(value) = value else { continue };
            if let Some(&i) = self.by_identifier.get(&(scheme, value.clone())) {
                let record = &self.data.identifiers[i];
                matches.push(Match {
                    entity_id: record.entity_id.clone(),
                    method,
                    holding_value: value,
                    reference_value: record.value.clone(),
                    grade: Some(record.grade),
                    source_id: record.source_id.clone(),
                    explanation,
                });
            }
        }
        let name = memo.normalised(&holding.name).to_string();
        let mut review = Vec::new();
        // Identifiers decide when they match; names are the fallback, not a second opinion
        // that could add a different entity to an identified security.
        if matches.is_empty() && !name.is_empty() {
            let outcome = memo.lookup(&self.names, &holding.name);
            for hit in &outcome.matched {
                let entity_id = &self.names.entry(hit.entry).entity_id;
                match self.listing_conflict(entity_id, ids.listing.as_ref()) {
                    Some(why) => {
                        let mut candidate = self.candidate(hit);
                        candidate.explanation = format!("{}; {why}", candidate.explanation);
                        review.push(candidate);
                    }
                    None => matches.push(self.name_match(&name, hit)),
                }
            }
            // A candidate the name already left for review says so too when its listing
            // contradicts the entity's: the stronger reason for the reviewer.
            review.extend(outcome.review.iter().map(|hit| {
                let mut candidate = self.candidate(hit);
                let entity_id = &self.names.entry(hit.entry).entity_id;
                if let Some(why) = self.listing_conflict(entity_id, ids.listing.as_ref()) {
                    candidate.explanation = format!("{}; {why}", candidate.explanation);
                }
                candidate
            }));
        }
        let decisions = self.overrides.for_name(&name).to_vec();
        for d in &decisions {
            if d.accept {
                if !matches.iter().any(|m| m.entity_id == d.entity_id) {
                    let entity_name = self
                        .data
                        .entity(&d.entity_id)
                        .map_or_else(String::new, |e| e.name.clone());
                    matches.push(Match {
                        entity_id: d.entity_id.clone(),
                        method: MatchMethod::Override,
                        holding_value: name.clone(),
                        reference_value: entity_name,
                        grade: None,
                        source_id: String::new(),
                        explanation: decision_text(d),
                    });
                }
            } else {
                matches.retain(|m| !(m.entity_id == d.entity_id && m.method.is_name()));
            }
            review.retain(|c| c.entity_id != d.entity_id);
        }
        matches.sort();
        matches.dedup_by(|a, b| a.entity_id == b.entity_id && a.method == b.method);
        let unresolved = (name.is_empty() && !ids.any_matchable() && matches.is_empty())
            .then(|| "no issuer name and no identifier that can be matched".to_string());
        HoldingResolution {
            matches,
            review,
            decisions,
            unresolved,
        }
    }

    /// Why a name match must not decide: the holding is listed on an exchange where the entity
    /// has other listings (`TOYOTA INDUSTRIES CORP`, XTKS:6201, against Toyota's XTKS:7203), so
    /// it is another security — in a group, usually another company. `None` when the
    /// identifiers do not disagree.
    fn listing_conflict(&self, entity_id: &str, listing: Option<&Listing>) -> Option<String> {
        let listing = listing?.as_str();
        let (mic, _) = listing.split_once(':')?;
        let theirs: Vec<&str> = self
            .listings
            .get(entity_id)?
            .iter()
            .map(String::as_str)
            .filter(|v| v.split_once(':').is_some_and(|(m, _)| m == mic))
            .collect();
        if theirs.is_empty() || theirs.contains(&listing) {
            return None;
        }
        Some(format!(
            "the holding is listed as {listing}, but the entity's listing there is {}: another security, so the name alone does not decide",
            theirs.join(", ")
        ))
    }

    fn name_match(&self, name: &str, hit: &NameHit) -> Match {
        let entry = self.names.entry(hit.entry);
        Match {
            entity_id: entry.entity_id.clone(),
            method: hit.method.clone(),
            holding_value: name.to_string(),
            reference_value: entry.text.clone(),
            grade: entry.grade,
            source_id: entry.source_id.clone(),
            explanation: hit.explanation.clone(),
        }
    }

    fn candidate(&self, hit: &NameHit) -> Candidate {
        let entry = self.names.entry(hit.entry);
        Candidate {
            entity_id: entry.entity_id.clone(),
            reference_value: entry.text.clone(),
            score: Decimal::new(i64::from(hit.score / 10), 2),
            explanation: hit.explanation.clone(),
        }
    }
}

/// A decision in words, for the match's explanation.
fn decision_text(d: &Decision) -> String {
    let note = if d.note.is_empty() {
        String::new()
    } else {
        format!(": {}", d.note)
    };
    format!(
        "accepted by {} on {} ({}){note}",
        d.reviewer, d.date, d.origin
    )
}

/// Resolves every holding of a portfolio, each distinct issuer once.
pub fn resolve_portfolio(
    portfolio: &Portfolio,
    data: &ReferenceData,
    overrides: Overrides,
) -> Vec<Arc<HoldingResolution>> {
    Resolver::with_overrides(data, overrides).resolve_all(portfolio)
}

impl Resolver<'_> {
    /// Resolves every holding of a portfolio, each distinct issuer once. Holdings of one issuer
    /// share its resolution rather than each carrying a copy of its matches.
    pub fn resolve_all(&self, portfolio: &Portfolio) -> Vec<Arc<HoldingResolution>> {
        let mut cache: HashMap<IssuerKey, Arc<HoldingResolution>> = HashMap::new();
        portfolio
            .holdings
            .iter()
            .map(|h| {
                Arc::clone(
                    cache
                        .entry(IssuerKey::of(h))
                        .or_insert_with(|| Arc::new(self.resolve(h))),
                )
            })
            .collect()
    }
}

/// What makes two holdings the same issuer for resolution purposes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct IssuerKey {
    name: String,
    isin: Option<String>,
    cusip: Option<String>,
    lei: Option<String>,
    cik: Option<String>,
    listing: Option<String>,
}

impl IssuerKey {
    fn of(h: &Holding) -> Self {
        // The raw name (not the normalised one) is the key, so a cache hit returns the same
        // `holding_value` the holding itself would have produced.
        IssuerKey {
            name: h.name.clone(),
            isin: h.ids.isin.as_ref().map(|v| v.to_string()),
            cusip: h.ids.cusip.as_ref().map(|v| v.to_string()),
            lei: h.ids.lei.as_ref().map(|v| v.to_string()),
            cik: h.ids.cik.as_ref().map(|v| v.to_string()),
            listing: h.ids.listing.as_ref().map(|v| v.to_string()),
        }
    }
}

/// Which security identifiers could match the reference data, answered from raw table bytes
/// without parsing: a data set's scan asks it for every row, and keeps a row's CUSIP, LEI and
/// ISIN in its issuer's key only when the answer is yes. Any other row resolves exactly as its
/// name alone does, since identifiers only ever add matches when the reference data records
/// them; so a quarter's millions of bonds and pools become the issuers' names, each resolved
/// once.
///
/// The answer errs towards yes: a value counts after the identifier parsers' own clean-up
/// (spaces and hyphens dropped, upper case), a value with bytes beyond ASCII always counts,
/// and a CUSIP or ISIN counts when the other form of it (an ISIN's embedded US or Canadian
/// CUSIP, or a CUSIP inside a recorded ISIN) is recorded.
#[derive(Debug, Default)]
pub struct IdentifierFilter {
    recorded: std::collections::HashSet<Vec<u8>, foldhash::fast::FixedState>,
}

impl IdentifierFilter {
    pub fn new(data: &ReferenceData) -> IdentifierFilter {
        let mut recorded = std::collections::HashSet::default();
        for r in &data.identifiers {
            if matches!(r.scheme, IdScheme::Isin | IdScheme::Cusip | IdScheme::Lei) {
                let value = r.value.to_ascii_uppercase().into_bytes();
                if r.scheme == IdScheme::Isin
                    && value.len() == 12
                    && (value.starts_with(b"US") || value.starts_with(b"CA"))
                {
                    recorded.insert(value[2..11].to_vec());
                }
                recorded.insert(value);
            }
        }
        IdentifierFilter { recorded }
    }

    /// True when any of the raw values could resolve to a reference record.
    pub fn might_match(&self, values: [&[u8]; 3]) -> bool {
        values.into_iter().any(|raw| {
            if raw.is_empty() {
                return false;
            }
            let mut buf = [0u8; 24];
            let Some(value) = canonical(raw, &mut buf) else {
                return true;
            };
            self.recorded.contains(value)
                || value.len() == 12
                    && (value.starts_with(b"US") || value.starts_with(b"CA"))
                    && self.recorded.contains(&value[2..11])
        })
    }
}

/// An identifier's bytes as the parsers clean them (whitespace and hyphens dropped, upper
/// case), in `buf`. `None` for bytes beyond ASCII (Unicode upper-casing could still turn them
/// into an identifier); an empty slice for a value longer than any identifier.
fn canonical<'b>(raw: &[u8], buf: &'b mut [u8; 24]) -> Option<&'b [u8]> {
    let mut n = 0;
    for &b in raw {
        if !b.is_ascii() {
            return None;
        }
        if char::from(b).is_whitespace() || b == b'-' {
            continue;
        }
        if n == buf.len() {
            // Longer than any identifier once cleaned: no record can equal it.
            return Some(&buf[..0]);
        }
        buf[n] = b.to_ascii_uppercase();
        n += 1;
    }
    Some(&buf[..n])
}

/// The last name a resolver looked up, normalised and with its outcome: names repeat across
/// the distinct issuers of a data set (one name, many securities), and the lookup is the
/// costly part of a resolution.
#[derive(Default)]
pub struct NameMemo {
    raw: Option<String>,
    normalised: String,
    outcome: Option<names::NameOutcome>,
}

impl NameMemo {
    /// Moves the memo to `raw` (forgetting the outcome when the name changes).
    fn normalised(&mut self, raw: &str) -> &str {
        if self.raw.as_deref() != Some(raw) {
            self.raw = Some(raw.to_string());
            self.normalised = normalize_name(raw);
            self.outcome = None;
        }
        &self.normalised
    }

    /// The name's lookup, done once per name.
    fn lookup(&mut self, index: &names::NameIndex, raw: &str) -> names::NameOutcome {
        let normalised = self.normalised(raw).to_string();
        self.outcome
            .get_or_insert_with(|| index.lookup(raw, &normalised))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ids::{Cusip, Isin, Listing};
    use crate::model::{Grade, IdentifierRecord};
    use crate::reference::load_embedded;

    fn holding(name: &str, ids: crate::model::HoldingIds) -> Holding {
        let mut h = eval::name_only(name);
        h.ids = ids;
        h
    }

    proptest::proptest! {
        /// The filter never says no where the resolver finds an identifier: every recorded
        /// ISIN, CUSIP and LEI (and each one's other form), written as tables may write it.
        #[test]
        fn the_identifier_filter_never_hides_a_match(
            pick in 0usize..10_000,
            case in 0u8..6,
            last in proptest::bool::weighted(0.3),
            field in 0usize..3,
        ) {
            static DATA: std::sync::OnceLock<ReferenceData> = std::sync::OnceLock::new();
            static RESOLVER: std::sync::OnceLock<(Resolver<'static>, IdentifierFilter)> =
                std::sync::OnceLock::new();
            // The shipped records, and a North American ISIN and CUSIP (the shipped tables
            // hold neither), so each one's other form is tried too.
            let data = DATA.get_or_init(|| {
                let mut data = load_embedded().unwrap();
                for (entity, scheme, value) in [
                    ("daqo-new-energy", IdScheme::Isin, "US0378331005"),
                    ("hikvision", IdScheme::Cusip, "594918104"),
                ] {
                    data.identifiers.push(IdentifierRecord {
                        entity_id: entity.into(),
                        scheme,
                        value: value.into(),
                        source_id: "T".into(),
                        grade: Grade::A,
                        note: String::new(),
                    });
                }
                data
            });
            let (resolver, filter) =
                RESOLVER.get_or_init(|| (Resolver::new(data), IdentifierFilter::new(data)));
            let ids: Vec<&IdentifierRecord> = data
                .identifiers
                .iter()
                .filter(|r| matches!(r.scheme, IdScheme::Isin | IdScheme::Cusip | IdScheme::Lei))
                .collect();
            // The two added records are drawn often, the shipped ones otherwise.
            let record = if last { ids[ids.len() - 1 - pick % 2] } else { ids[pick % ids.len()] };
            let mut value = record.value.clone();
            // The other form of a North American ISIN or CUSIP, as a table might give it.
            if case == 5 && record.scheme == IdScheme::Isin && value.len() == 12 {
                value = value[2..11].to_string();
            } else if case == 5 && record.scheme == IdScheme::Cusip {
                value = value.parse::<Cusip>().ok().and_then(|c| c.to_isin("US")).map_or(value, |i| i.to_string());
            }
            let raw = match case {
                1 => value.to_lowercase(),
                2 => format!(" {} ", value.chars().map(|c| format!("{c}-")).collect::<String>()),
                3 => format!("{value}\u{b}"),
                4 => value.replace('S', "\u{17f}"),
                _ => value,
            };
            let mut fields = [String::new(), String::new(), String::new()];
            fields[field] = raw;
            let [cusip, lei, isin] = &fields;
            let holding = holding("", crate::model::HoldingIds {
                cusip: cusip.parse().ok(),
                lei: lei.parse().ok(),
                isin: isin.parse().ok(),
                ..Default::default()
            });
            let matched = !resolver.resolve(&holding).matches.is_empty();
            let said = filter.might_match([cusip.as_bytes(), lei.as_bytes(), isin.as_bytes()]);
            proptest::prop_assert!(!matched || said, "{fields:?}");
        }
    }

    #[test]
    fn a_memo_gives_the_answers_of_fresh_lookups() {
        let data = load_embedded().unwrap();
        let resolver = Resolver::new(&data);
        let hik: Isin = "CNE100000PM8".parse().unwrap();
        let cases = [
            ("", None),
            ("DAQO NEW ENERGY CORP", None),
            ("DAQO NEW ENERGY CORP", Some(hik.clone())),
            ("DAQO NEW ENERGY CORP", None),
            ("Daqo New Energy Corp", None),
            ("HIK-A SHS", Some(hik)),
            ("HIK-A SHS", None),
            ("Zijin Mining Group Co Ltd", None),
            ("", None),
        ];
        let mut memo = NameMemo::default();
        for (name, isin) in cases {
            let h = holding(
                name,
                crate::model::HoldingIds {
                    isin,
                    ..Default::default()
                },
            );
            assert_eq!(
                resolver.resolve_with(&h, &mut memo),
                resolver.resolve(&h),
                "{name}"
            );
        }
    }

    #[test]
    fn the_identifier_filter_passes_what_no_record_holds() {
        let data = load_embedded().unwrap();
        let filter = IdentifierFilter::new(&data);
        assert!(!filter.might_match([b"037833100", b"", b"US0378331005"]));
        assert!(!filter.might_match([b"", b"", b""]));
        assert!(filter.might_match([b"", b"", b"cne1-0000-0pm8"]));
        assert!(filter.might_match([b"", "\u{fc}".as_bytes(), b""]));
    }

    fn found(r: &HoldingResolution) -> Vec<(String, MatchMethod)> {
        r.matches
            .iter()
            .map(|m| (m.entity_id.clone(), m.method.clone()))
            .collect()
    }

    #[test]
    fn a_cusip_finds_the_isin_the_reference_records_and_the_reverse() {
        let mut data = load_embedded().unwrap();
        // A US ISIN recorded for an entity (as an imported OFAC or OpenSanctions file would).
        data.identifiers.push(IdentifierRecord {
            entity_id: "daqo-new-energy".into(),
            scheme: IdScheme::Isin,
            value: "US0378331005".into(),
            source_id: "T".into(),
            grade: Grade::A,
            note: String::new(),
        });
        let resolver = Resolver::new(&data);
        let ids = crate::model::HoldingIds {
            cusip: Some("037833100".parse::<Cusip>().unwrap()),
            ..Default::default()
        };
        let r = resolver.resolve(&holding("SOME NAME", ids));
        assert_eq!(
            found(&r),
            vec![("daqo-new-energy".to_string(), MatchMethod::IsinFromCusip)]
        );
        assert_eq!(
            r.matches[0].explanation,
            "ISIN US0378331005 computed from CUSIP 037833100"
        );

        data.identifiers.push(IdentifierRecord {
            entity_id: "hikvision".into(),
            scheme: IdScheme::Cusip,
            value: "594918104".into(),
            source_id: "T".into(),
            grade: Grade::A,
            note: String::new(),
        });
        let resolver = Resolver::new(&data);
        let ids = crate::model::HoldingIds {
            isin: Some("US5949181045".parse::<Isin>().unwrap()),
            ..Default::default()
        };
        let r = resolver.resolve(&holding("", ids));
        assert_eq!(
            found(&r),
            vec![("hikvision".to_string(), MatchMethod::IsinFromCusip)]
        );
    }

    #[test]
    fn an_adr_resolves_to_its_underlying_issuer() {
        let data = load_embedded().unwrap();
        let resolver = Resolver::new(&data);
        // By the name a 13F filer writes…
        let r = resolver.resolve(&holding(
            "DAQO NEW ENERGY CORP SPONSORED ADR",
            Default::default(),
        ));
        assert_eq!(
            found(&r),
            vec![("daqo-new-energy".to_string(), MatchMethod::Name)]
        );
        // …and by the exchange and ticker of the ADR listing.
        let ids = crate::model::HoldingIds {
            listing: Some(Listing::new("XNYS", "DQ").unwrap()),
            ..Default::default()
        };
        let r = resolver.resolve(&holding("DAQO NEW ENERGY ADR REPRESENTING", ids));
        assert_eq!(
            found(&r),
            vec![("daqo-new-energy".to_string(), MatchMethod::Listing)]
        );
    }

    #[test]
    fn identifiers_decide_before_names() {
        let data = load_embedded().unwrap();
        let resolver = Resolver::new(&data);
        let ids = crate::model::HoldingIds {
            isin: Some("CNE100000PM8".parse::<Isin>().unwrap()),
            ..Default::default()
        };
        // The name is another listed entity's; the ISIN is Hikvision's and wins.
        let r = resolver.resolve(&holding("Xinjiang Zhongtai Chemical", ids));
        assert_eq!(
            found(&r),
            vec![("hikvision".to_string(), MatchMethod::Isin)]
        );
    }
}
