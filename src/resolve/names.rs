//! Name matching: an index over every entity name and alias, and an explainable score.
//!
//! A holding name is tried in three steps, cheapest and surest first:
//! 1. **exact**: its normalised form equals a normalised entity name or alias;
//! 2. **compact**: its Latin reading without spaces and filler equals an entity's (新疆中泰化学
//!    meets "Xinjiang Zhongtai Chemical"; "Chenguang Biotech" meets "Chenguang Biotech Group");
//! 3. **similar**: candidates come from an inverted index of distinctive words (plus prefixes of a
//!    cut-off last word, joined word pairs and near spellings through character trigrams, and
//!    character pairs for Chinese names), and each candidate is scored word by word.
//!
//! The score is a weighted Dice coefficient over words, weighted by how much a word says about
//! *which* company it is ([`WordClass`]). A similar name is matched automatically only when every
//! distinctive word agrees, nothing distinctive is left over on either side, the places and
//! businesses do not contradict each other, and the score reaches [`AUTO_THRESHOLD`]; otherwise a
//! score at or above [`REVIEW_THRESHOLD`] makes it a review candidate, which is reported but never
//! flagged. Every outcome carries the words that agreed and disagreed, so a reader can check it.
//!
//! Each distinct name is looked up once; the work per name depends on the candidates its words
//! select, never on the size of the portfolio.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::bond_short;
use super::chinese::{compact_keys, han_core, has_han};
use super::normalize_name;
use super::rarity;
use super::vocab::{WordClass, canonical, name_words};
use crate::model::{EntityKind, Grade, MatchMethod, ReferenceData};

/// Score (per mille) at or above which a similar name is matched automatically.
pub const AUTO_THRESHOLD: u32 = 850;
/// Score (per mille) at or above which a similar name is listed for review.
pub const REVIEW_THRESHOLD: u32 = 500;
/// Trigram similarity (per mille) at which a word is checked as a near spelling of another.
const NEAR_CANDIDATE: u32 = 500;
/// Character-pair similarity (per mille) at which two Chinese names are listed for review.
const HAN_REVIEW: u32 = 600;

/// Words that, added to a group's name, usually name a separate company of the group
/// ("Haitong International Securities" is not "Haitong Securities").
const SUBSIDIARY_MARKERS: &[&str] = &["international", "overseas"];

/// Business words that, added to a bare brand ("Samsung", "Hitachi"), usually name another
/// company of the brand's group: its bank, insurer, broker or an industrial arm listed on its
/// own ("Samsung Heavy Industries", "Hitachi Capital", "Samsung Securities"). Words that
/// describe the brand's own business ("technology", "electronics", "motor", "energy") are not
/// here: "LONGi Green Energy Technology" is LONGi.
const BRAND_AFFILIATE_MARKERS: &[&str] = &[
    "bank",
    "biologics",
    "biotech",
    "capital",
    "card",
    "construction",
    "engineering",
    "finance",
    "financial",
    "fire",
    "heavy",
    "insurance",
    "life",
    "logistics",
    "machinery",
    "marine",
    "metals",
    "pharmaceutical",
    "pharmaceuticals",
    "securities",
    "shipbuilding",
    "therapeutics",
    "transport",
];

/// The longest word read as an acronym ("CSR", "TCL"): short enough that unrelated companies
/// share it as their whole name.
const MAX_ACRONYM: usize = 4;

/// Words whose cut-off beginning ends a truncated name without naming anything
/// ("… HOLDING ADR REPRESENTIN", "… GROUP HOLDINGS LT").
const CUT_FILLER: &[&str] = &[
    "limited",
    "ltd",
    "company",
    "corporation",
    "holdings",
    "group",
    "inc",
    "representing",
    "sponsored",
    "depositary",
    "receipts",
    "ordinary",
    "shares",
];

/// Words that join other words: never read as the start of a cut-off word.
const FUNCTION_WORDS: &[&str] = &[
    "and", "the", "for", "des", "del", "der", "die", "das", "und", "les", "van", "von",
];

/// A name (entity name or alias) in the index.
#[derive(Debug, Clone)]
pub struct NameEntry {
    pub entity_id: String,
    /// The name as the reference data writes it.
    pub text: String,
    /// Grade of the alias record; `None` for the entity's own listed name.
    pub grade: Option<Grade>,
    pub source_id: String,
    normalised: String,
    words: Vec<Word>,
    han: bool,
    /// Persons are matched only by their exact names: issuers are companies.
    fuzzy: bool,
    /// The entity's own name names a group ("Inspur Group"), even when this alias does not.
    group_level: bool,
    /// An exchange short name or abbreviation, not a full name.
    short: bool,
    /// A name the company no longer carries.
    former: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    text: String,
    class: WordClass,
}

fn words_of(normalised: &str) -> Vec<Word> {
    let mut words: Vec<Word> = name_words(normalised)
        .into_iter()
        .map(|(text, class)| Word { text, class })
        .collect();
    // A word many listed companies share ("japan", "standard", "citic") says little about which
    // one is meant, whatever the word list says. A bare brand ("Samsung", "Toyota") keeps its
    // word: its affiliates are what makes the word common, and the brand rules weigh them.
    let naming = words
        .iter()
        .filter(|w| !matches!(w.class, WordClass::Weak | WordClass::Country))
        .count();
    if naming > 1 {
        for w in &mut words {
            if w.class == WordClass::Distinctive
                && rarity::families(&w.text).is_some_and(|n| n >= rarity::COMMON_FROM)
            {
                w.class = WordClass::Common;
            }
        }
    }
    words
}

/// How a holding name was tied to an entity name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameHit {
    pub entry: usize,
    pub method: MatchMethod,
    /// Similarity in per mille (1000 for exact and compact matches).
    pub score: u32,
    pub explanation: String,
}

/// The outcome of looking up one name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameOutcome {
    /// Matched automatically: these flag the holding.
    pub matched: Vec<NameHit>,
    /// In the review band: reported for a person to decide, never flagged.
    pub review: Vec<NameHit>,
}

/// Indexes over every entity name and alias.
pub struct NameIndex {
    entries: Vec<NameEntry>,
    exact: HashMap<String, Vec<usize>>,
    compact: HashMap<String, Vec<usize>>,
    /// Distinctive word (and joined pair of adjacent words) → entries containing it.
    postings: HashMap<String, Vec<usize>>,
    /// The posting keys in order, for prefix lookups of a cut-off last word.
    vocabulary: BTreeMap<String, ()>,
    /// Character trigram → posting keys containing it, for near spellings.
    trigrams: HashMap<Trigram, Vec<u32>>,
    /// The posting keys by number (what `trigrams` points to), with their trigram counts.
    trigram_keys: Vec<(String, u32)>,
    /// Pair of Chinese characters → Chinese entries containing it.
    han_pairs: HashMap<(char, char), Vec<usize>>,
    /// Core of a Chinese name (see [`han_core`]) → Chinese entries with it.
    han_cores: HashMap<String, Vec<usize>>,
    /// First two to four characters of a Chinese short name or core → entries, for the issuer
    /// stems of bond short names (天润转债 → 天润乳业).
    han_stems: HashMap<String, Vec<usize>>,
}

impl NameIndex {
    pub fn new(data: &ReferenceData) -> Self {
        let group_level = |id: &str| {
            data.entity(id).is_some_and(|e| {
                normalize_name(&e.name)
                    .split_whitespace()
                    .any(|w| matches!(canonical(w), "group" | "holdings"))
            })
        };
        let mut entries = Vec::new();
        for entity in &data.entities {
            let fuzzy = entity.kind != EntityKind::Person;
            for name in [&entity.name, &entity.name_zh] {
                entries.push((
                    entity.id.clone(),
                    name.clone(),
                    None,
                    String::new(),
                    fuzzy,
                    (false, false),
                ));
            }
        }
        for alias in &data.aliases {
            let fuzzy = data
                .entity(&alias.entity_id)
                .is_some_and(|e| e.kind != EntityKind::Person);
            entries.push((
                alias.entity_id.clone(),
                alias.alias.clone(),
                Some(alias.grade),
                alias.source_id.clone(),
                fuzzy,
                (
                    matches!(alias.kind.as_str(), "short" | "abbreviation"),
                    alias.kind == "former",
                ),
            ));
        }
        let entries: Vec<NameEntry> = entries
            .into_iter()
            .filter_map(
                |(entity_id, text, grade, source_id, fuzzy, (short, former))| {
                    let normalised = normalize_name(&text);
                    (!normalised.is_empty()).then(|| NameEntry {
                        group_level: group_level(&entity_id),
                        entity_id,
                        grade,
                        source_id,
                        words: words_of(&normalised),
                        han: has_han(&normalised),
                        normalised,
                        text,
                        fuzzy,
                        short,
                        former,
                    })
                },
            )
            .collect();
        let mut index = NameIndex {
            entries: Vec::new(),
            exact: HashMap::new(),
            compact: HashMap::new(),
            postings: HashMap::new(),
            vocabulary: BTreeMap::new(),
            trigrams: HashMap::new(),
            trigram_keys: Vec::new(),
            han_pairs: HashMap::new(),
            han_cores: HashMap::new(),
            han_stems: HashMap::new(),
        };
        for (i, e) in entries.iter().enumerate() {
            index.exact.entry(e.normalised.clone()).or_default().push(i);
            // Exchange short names (中泰化学) drop the place and the legal form; read in pinyin
            // they would claim any "Zhongtai Chemical", so only full names bridge scripts.
            if !e.short {
                for key in compact_keys(&e.normalised) {
                    index.compact.entry(key).or_default().push(i);
                }
            }
            if !e.fuzzy {
                continue;
            }
            if e.han {
                let core = han_core(&e.normalised).core;
                for beginning in [&e.normalised, &core] {
                    for n in 2..=4 {
                        if beginning.chars().count() >= n {
                            let stem: String = beginning.chars().take(n).collect();
                            let list = index.han_stems.entry(stem).or_default();
                            if list.last() != Some(&i) {
                                list.push(i);
                            }
                        }
                    }
                }
                index.han_cores.entry(core).or_default().push(i);
                for pair in han_pairs(&e.normalised) {
                    let list = index.han_pairs.entry(pair).or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
                continue;
            }
            let mut keys: Vec<String> = e
                .words
                .iter()
                .filter(|w| matches!(w.class, WordClass::Distinctive | WordClass::Common))
                .map(|w| w.text.clone())
                .collect();
            // "Sense Time" is also indexed as "sensetime", so either spelling finds it.
            keys.extend(
                e.words
                    .windows(2)
                    .map(|p| format!("{}{}", p[0].text, p[1].text)),
            );
            for key in keys {
                let list = index.postings.entry(key.clone()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
                index.vocabulary.insert(key, ());
            }
        }
        for key in index.vocabulary.keys() {
            let id = index.trigram_keys.len() as u32;
            let grams = trigrams(key);
            index.trigram_keys.push((key.clone(), grams.len() as u32));
            for g in grams {
                index.trigrams.entry(g).or_default().push(id);
            }
        }
        index.entries = entries;
        index
    }

    pub fn entry(&self, i: usize) -> &NameEntry {
        &self.entries[i]
    }

    /// Looks up one holding name (`raw` as written, `normalised` by [`normalize_name`]).
    pub fn lookup(&self, raw: &str, normalised: &str) -> NameOutcome {
        if normalised.is_empty() {
            return NameOutcome::default();
        }
        if let Some(hits) = self.exact.get(normalised) {
            return self.exact_hits(hits);
        }
        let han = has_han(normalised);
        // Readings bridge scripts only: two Latin names are compared word by word below, two
        // Chinese names character by character.
        let mut hits: Vec<NameHit> = Vec::new();
        for key in compact_keys(normalised) {
            for &entry in self.compact.get(&key).into_iter().flatten() {
                if han != self.entries[entry].han && !hits.iter().any(|h| h.entry == entry) {
                    hits.push(NameHit {
                        entry,
                        method: MatchMethod::Pinyin,
                        score: 1000,
                        explanation: format!("read in Latin letters, both names are “{key}”"),
                    });
                }
            }
        }
        if !hits.is_empty() {
            return best_per_entity(self, Vec::new(), hits);
        }
        if han {
            return self.lookup_han(normalised);
        }
        self.lookup_similar(raw, normalised)
    }

    /// Entries whose normalised name equals the holding's. An entity whose name and alias
    /// normalise alike ("Zijin Mining Group" and "Zijin Mining Group Co., Ltd.") is one hit, by
    /// its first entry. A former name that comes down to an acronym a listed company carries
    /// today ("CSR Corporation" → `csr`, now CSR Ltd. of Sydney) may be that company's name
    /// now: it is listed for review, never matched on its own. A former name that is a word
    /// ("Daimler AG") still names its own lineage: the companies carrying the word today add
    /// words of their own ("Daimler Truck").
    fn exact_hits(&self, hits: &[usize]) -> NameOutcome {
        let mut seen = HashSet::new();
        let mut outcome = NameOutcome::default();
        for &entry in hits {
            let e = &self.entries[entry];
            if !seen.insert(e.entity_id.as_str()) {
                continue;
            }
            // Only a former name is looked at word by word; every other exact hit matches.
            let taken = e.former.then(|| former_acronym(e)).flatten();
            match taken {
                None => outcome.matched.push(NameHit {
                    entry,
                    method: MatchMethod::Name,
                    score: 1000,
                    // The method ("normalised name") and the two names say it all.
                    explanation: String::new(),
                }),
                Some(word) => outcome.review.push(NameHit {
                    entry,
                    method: MatchMethod::Name,
                    score: REVIEW_THRESHOLD,
                    explanation: format!(
                        "the former name “{}” comes down to the acronym “{word}”, which a listed company carries today ({}); the name alone does not decide",
                        e.text,
                        rarity::describe(word).unwrap_or_default()
                    ),
                }),
            }
        }
        outcome
    }

    /// Chinese names: the same core name (place prefix and business suffixes aside) matches
    /// when the reference name is no more specific than the holding's; names that share most
    /// character pairs are listed for review.
    fn lookup_han(&self, normalised: &str) -> NameOutcome {
        if let Some(stem) = bond_short::stem(normalised) {
            return self.lookup_bond_stem(&stem);
        }
        let core = han_core(normalised);
        let mut matched = Vec::new();
        for &entry in self.han_cores.get(&core.core).into_iter().flatten() {
            let theirs = han_core(&self.entries[entry].normalised);
            let places_agree =
                core.place.is_none() || theirs.place.is_none() || core.place == theirs.place;
            let no_more_specific = theirs.suffixes.iter().all(|s| core.suffixes.contains(s));
            if core.core.chars().count() >= 3 && places_agree && no_more_specific {
                let extra: Vec<&str> = core
                    .suffixes
                    .iter()
                    .filter(|s| !theirs.suffixes.contains(s))
                    .map(String::as_str)
                    .collect();
                matched.push(NameHit {
                    entry,
                    method: MatchMethod::NameSimilarity,
                    score: 1000,
                    explanation: format!(
                        "same core name “{}” as “{}”{}{}",
                        core.core,
                        self.entries[entry].normalised,
                        match &core.place {
                            Some(p) if theirs.place.is_none() => format!("; place {p} added"),
                            _ => String::new(),
                        },
                        if extra.is_empty() {
                            String::new()
                        } else {
                            format!("; business words {} added", extra.join(" "))
                        }
                    ),
                });
            }
        }
        let ours: HashSet<(char, char)> = han_pairs(normalised).collect();
        let mut shared: BTreeMap<usize, u32> = BTreeMap::new();
        for pair in &ours {
            for &i in self.han_pairs.get(pair).into_iter().flatten() {
                *shared.entry(i).or_default() += 1;
            }
        }
        let mut review = Vec::new();
        for (entry, n) in shared {
            let theirs = han_pairs(&self.entries[entry].normalised)
                .collect::<HashSet<_>>()
                .len();
            let score = dice(n, ours.len() as u32, theirs as u32);
            if score >= HAN_REVIEW {
                review.push(NameHit {
                    entry,
                    method: MatchMethod::NameSimilarity,
                    score,
                    explanation: format!(
                        "shares {n} of {} character pairs with “{}”; Chinese names are matched automatically only when equal",
                        ours.len(),
                        self.entries[entry].normalised
                    ),
                });
            }
        }
        best_per_entity(self, review, matched)
    }

    /// A bond short name's issuer stem (see [`bond_short`]). It matches when the market has one
    /// listed family with those characters and one entity holds them in an exchange short name:
    /// for a convertible, whatever else of its group begins so (a convertible is the listed
    /// company's own), for another bond only when no other entity's name begins so (a group's
    /// bond takes the group's stem too). Anything else beginning with the stem is for review.
    fn lookup_bond_stem(&self, stem: &bond_short::Stem) -> NameOutcome {
        let entries = self
            .han_stems
            .get(&stem.stem)
            .map_or(&[][..], Vec::as_slice);
        let entities = |short_only: bool| -> BTreeSet<&str> {
            entries
                .iter()
                .map(|&i| &self.entries[i])
                .filter(|e| e.short || !short_only)
                .map(|e| e.entity_id.as_str())
                .collect()
        };
        let rarest = bond_short::pair_words(&stem.stem)
            .into_iter()
            .map(|w| (rarity::families(&w), w))
            .min();
        let rare = matches!(rarest, Some((Some(1), _)));
        let listed = entities(true);
        let decides = rare && listed.len() == 1 && (stem.convertible || entities(false).len() == 1);
        let rarity_text = match &rarest {
            Some((Some(_), word)) => rarity::describe(word).unwrap_or_default(),
            _ => "no listed company's short name holds it".to_string(),
        };
        let (mut matched, mut review) = (Vec::new(), Vec::new());
        for &entry in entries {
            let e = &self.entries[entry];
            let hit = NameHit {
                entry,
                method: MatchMethod::NameSimilarity,
                score: 1000,
                explanation: format!(
                    "{} short name: its issuer stem “{}” begins {} “{}”; {rarity_text}",
                    if stem.convertible {
                        "convertible bond"
                    } else {
                        "bond"
                    },
                    stem.stem,
                    if e.short {
                        "the exchange short name"
                    } else {
                        "the name"
                    },
                    e.normalised,
                ),
            };
            if decides && e.short {
                matched.push(hit);
            } else {
                review.push(NameHit {
                    score: REVIEW_THRESHOLD,
                    ..hit
                });
            }
        }
        best_per_entity(self, review, matched)
    }

    fn lookup_similar(&self, raw: &str, normalised: &str) -> NameOutcome {
        let words = words_of(normalised);
        let truncated =
            looks_truncated(raw) && words.last().is_some_and(|w| ends_with_word(raw, &w.text));
        let mut candidates: Vec<usize> = Vec::new();
        let add = |key: &str, candidates: &mut Vec<usize>| {
            candidates.extend(self.postings.get(key).into_iter().flatten());
        };
        for w in words
            .iter()
            .filter(|w| matches!(w.class, WordClass::Distinctive | WordClass::Common))
        {
            add(&w.text, &mut candidates);
            if !self.postings.contains_key(&w.text) && w.text.len() >= 5 {
                for key in self.near_spellings(&w.text) {
                    add(&key, &mut candidates);
                }
            }
        }
        for pair in words.windows(2) {
            add(
                &format!("{}{}", pair[0].text, pair[1].text),
                &mut candidates,
            );
        }
        if truncated && let Some(last) = words.last().filter(|w| w.text.len() >= 2) {
            let keys: Vec<&String> = self
                .vocabulary
                .range(last.text.clone()..)
                .map(|(k, _)| k)
                .take_while(|k| k.starts_with(&last.text))
                .collect();
            for key in keys {
                add(key, &mut candidates);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut matched = Vec::new();
        let mut review = Vec::new();
        for entry in candidates {
            let e = &self.entries[entry];
            if !e.fuzzy || e.han {
                continue;
            }
            let Some(s) = score(&words, truncated, &e.words, e.group_level) else {
                continue;
            };
            let hit = NameHit {
                entry,
                method: MatchMethod::NameSimilarity,
                score: s.score,
                explanation: s.explanation(&e.text),
            };
            if s.auto_eligible() && s.score >= AUTO_THRESHOLD {
                matched.push(hit);
            } else if s.score >= REVIEW_THRESHOLD {
                review.push(hit);
            }
        }
        best_per_entity(self, review, matched)
    }

    /// Posting keys spelled almost like `word` (character trigrams), for review only.
    fn near_spellings(&self, word: &str) -> Vec<String> {
        let ours: HashSet<Trigram> = trigrams(word).into_iter().collect();
        let mut shared: HashMap<u32, u32> = HashMap::new();
        for g in &ours {
            for &id in self.trigrams.get(g).into_iter().flatten() {
                *shared.entry(id).or_default() += 1;
            }
        }
        let len = word.chars().count();
        let mut keys: Vec<String> = shared
            .into_iter()
            .filter_map(|(id, n)| {
                let (key, count) = &self.trigram_keys[id as usize];
                // Near spellings differ by at most two characters in length: cheap to test first.
                (key.chars().count().abs_diff(len) <= 2
                    && dice(n, ours.len() as u32, *count) >= NEAR_CANDIDATE
                    && near(word, key))
                .then(|| key.clone())
            })
            .collect();
        keys.sort();
        keys
    }
}

/// Keeps each entity's best hit; a name that matches two entities equally well is ambiguous and
/// goes to review instead of flagging either.
/// The acronym a former name comes down to, when a listed company carries it today (see
/// [`NameIndex::exact_hits`]).
fn former_acronym(e: &NameEntry) -> Option<&str> {
    let mut naming = e
        .words
        .iter()
        .filter(|w| !matches!(w.class, WordClass::Weak | WordClass::Country));
    match (naming.next(), naming.next()) {
        (Some(only), None) if only.text.chars().count() <= MAX_ACRONYM => {
            rarity::families(&only.text).map(|_| only.text.as_str())
        }
        _ => None,
    }
}

fn best_per_entity(index: &NameIndex, review: Vec<NameHit>, matched: Vec<NameHit>) -> NameOutcome {
    let best = |hits: Vec<NameHit>| {
        let mut by_entity: BTreeMap<&str, NameHit> = BTreeMap::new();
        for hit in hits {
            let id = index.entries[hit.entry].entity_id.as_str();
            match by_entity.get(id) {
                Some(b)
                    if (b.score, std::cmp::Reverse(b.entry))
                        >= (hit.score, std::cmp::Reverse(hit.entry)) => {}
                _ => {
                    by_entity.insert(id, hit);
                }
            }
        }
        let mut hits: Vec<NameHit> = by_entity.into_values().collect();
        hits.sort_by(|a, b| {
            b.score.cmp(&a.score).then_with(|| {
                index.entries[a.entry]
                    .entity_id
                    .cmp(&index.entries[b.entry].entity_id)
            })
        });
        hits
    };
    let mut matched = best(matched);
    let mut review = best(review);
    if matched.len() > 1 && matched[0].score == matched[1].score {
        for hit in &mut matched {
            hit.explanation
                .push_str("; ambiguous: another entity matches as well");
        }
        review.append(&mut matched);
    } else if matched.len() > 1 {
        review.extend(matched.drain(1..));
    }
    let flagged: HashSet<&str> = matched
        .iter()
        .map(|h| index.entries[h.entry].entity_id.as_str())
        .collect();
    review.retain(|h| !flagged.contains(index.entries[h.entry].entity_id.as_str()));
    let mut review = best(review);
    review.truncate(5);
    NameOutcome { matched, review }
}

/// A name cut to fit a column (iShares cuts at 34 characters) has no legal form at its end and
/// is about as long as the column.
fn looks_truncated(raw: &str) -> bool {
    let raw = raw.trim();
    let len = raw.chars().count();
    let last = raw
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    (30..=36).contains(&len)
        && !matches!(
            last.as_str(),
            "co" | "ltd" | "limited" | "inc" | "corp" | "plc" | "company" | "corporation"
        )
}

/// Whether the name's last normalised word is the last word written: a name that goes on after
/// it (`… CLOUD LTD CL A`, `… SPONSORED ADR`) was not cut inside that word, so the word must not
/// be read as the beginning of a longer one.
fn ends_with_word(raw: &str, last: &str) -> bool {
    let tail = raw
        .rsplit(|c: char| !c.is_alphanumeric())
        .find(|t| !t.is_empty())
        .unwrap_or("")
        .to_lowercase();
    !tail.is_empty() && (tail.starts_with(last) || last.starts_with(tail.as_str()))
}

/// How one reference word fared against the holding name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Agreed,
    /// Agreed as a cut-off or abbreviated prefix.
    Prefix,
    /// Agreed with a near spelling: never enough for an automatic match.
    Near,
    Missing,
    /// After the point where the holding name was cut off: unknown, not missing.
    CutOff,
}

/// The word-by-word comparison of a holding name with one reference name.
struct Comparison<'a> {
    reference: Vec<(&'a Word, Fate, Option<String>)>,
    extra: Vec<&'a Word>,
    dropped_cut: Option<String>,
    conflict: Option<String>,
    /// The entity is a group (by its own name), whatever this alias says.
    group_level: bool,
    score: u32,
}

impl Comparison<'_> {
    fn count(&self, class: WordClass, fates: &[Fate]) -> usize {
        self.reference
            .iter()
            .filter(|(w, f, _)| w.class == class && fates.contains(f))
            .count()
    }

    /// The first place of the reference the holding name does not have.
    fn missing_place(&self) -> Option<&str> {
        self.reference
            .iter()
            .find(|(w, f, _)| w.class == WordClass::Place && *f == Fate::Missing)
            .map(|(w, _, _)| w.text.as_str())
    }

    /// An agreed distinctive word that names one listed family, when every distinctive word
    /// agreed as written (a near spelling or a cut-off prefix is not enough to drop a place).
    fn rare_agreed(&self) -> Option<&str> {
        let distinctive = || {
            self.reference
                .iter()
                .filter(|(w, _, _)| w.class == WordClass::Distinctive)
        };
        if distinctive().any(|(_, f, _)| *f != Fate::Agreed) {
            return None;
        }
        distinctive()
            .map(|(w, _, _)| w.text.as_str())
            .find(|w| rarity::families(w) == Some(1))
    }

    /// Whether the comparison may match without review (the score is checked separately).
    fn auto_eligible(&self) -> bool {
        self.blocker().is_none()
    }

    /// The first reason this comparison needs review, whatever its score.
    fn blocker(&self) -> Option<String> {
        if let Some(conflict) = &self.conflict {
            return Some(conflict.clone());
        }
        if self.reference.iter().any(|(_, f, _)| *f == Fate::Near) {
            return Some("a near spelling needs review".to_string());
        }
        // Place names are evidence: "Zhongtai Chemical" may be any Zhongtai, "Xinjiang Zhongtai
        // Chemical" is one. A word that names one listed family decides without its place
        // ("GOLDWIND SCIENCE&TECHNOLOGY" is Xinjiang Goldwind).
        if let Some(w) = self.missing_place()
            && self.rare_agreed().is_none()
        {
            return Some(format!("the place “{w}” is missing"));
        }
        if self.count(WordClass::Distinctive, &[Fate::Missing])
            + self.count(WordClass::Common, &[Fate::Missing])
            > 0
        {
            return Some("a distinctive word of the reference is missing".to_string());
        }
        if let Some(w) = self
            .extra
            .iter()
            .find(|w| matches!(w.class, WordClass::Distinctive | WordClass::Common))
        {
            return Some(format!("“{}” is not in the reference name", w.text));
        }
        if let Some(w) = self
            .extra
            .iter()
            .find(|w| SUBSIDIARY_MARKERS.contains(&w.text.as_str()))
        {
            return Some(format!("“{}” often names a separate group company", w.text));
        }
        let brand: Vec<&str> = self
            .reference
            .iter()
            .filter(|(w, _, _)| !matches!(w.class, WordClass::Weak | WordClass::Country))
            .map(|(w, _, _)| w.text.as_str())
            .collect();
        if let [brand] = brand.as_slice()
            && let Some(w) = self
                .extra
                .iter()
                .find(|w| BRAND_AFFILIATE_MARKERS.contains(&w.text.as_str()))
        {
            return Some(format!(
                "the reference is the bare brand “{brand}”, and “{}” usually names another company of its group",
                w.text
            ));
        }
        // "Toyota Industries", "Siemens Energy", "Puma Biotechnology": a brand several listed
        // companies carry does not say which of them a longer name is.
        if let [brand] = brand.as_slice()
            && let Some(n) = rarity::families(brand).filter(|n| *n >= 2)
            && self.extra.iter().any(|w| w.class != WordClass::Weak)
        {
            return Some(format!(
                "the reference is the bare brand “{brand}”, which {n} listed families carry; the words this name adds may name another of them"
            ));
        }
        // "Xiamen ITG Holding Group" (控股集团) is the parent above "Xiamen ITG Group".
        let names_group = self
            .reference
            .iter()
            .any(|(w, f, _)| *f == Fate::Agreed && w.text == "group")
            || self.extra.iter().any(|w| w.text == "group");
        if names_group && self.extra.iter().any(|w| w.text == "holdings") {
            return Some(
                "“holdings” added to a group's name usually names the parent above it".to_string(),
            );
        }
        let group_agreed = self
            .reference
            .iter()
            .any(|(w, f, _)| *f == Fate::Agreed && matches!(w.text.as_str(), "group" | "holdings"));
        if self.group_level
            && !group_agreed
            && self.extra.iter().any(|w| w.class == WordClass::Business)
        {
            return Some(
                "the reference names a group; this name adds business words of one of its companies"
                    .to_string(),
            );
        }
        let has_distinctive = self
            .reference
            .iter()
            .any(|(w, _, _)| w.class == WordClass::Distinctive);
        if !has_distinctive
            && (!self.extra.is_empty()
                || self.reference.iter().any(|(_, f, _)| *f == Fate::Missing))
        {
            return Some(
                "the reference name has no distinctive word, so every word must agree".to_string(),
            );
        }
        None
    }

    fn explanation(&self, reference: &str) -> String {
        let list = |fates: &[Fate]| {
            let words: Vec<String> = self
                .reference
                .iter()
                .filter(|(_, f, _)| fates.contains(f))
                .map(|(w, f, seen)| match (f, seen) {
                    (Fate::Prefix | Fate::Near, Some(seen)) => format!("{} (as “{seen}”)", w.text),
                    _ if matches!(f, Fate::Missing) => format!("{} ({})", w.text, w.class.label()),
                    _ => w.text.clone(),
                })
                .collect();
            if words.is_empty() {
                "none".to_string()
            } else {
                words.join(", ")
            }
        };
        let extra: Vec<String> = self
            .extra
            .iter()
            .map(|w| format!("{} ({})", w.text, w.class.label()))
            .collect();
        let mut text = format!(
            "score {}.{:02} against “{reference}”: agreed {}; missing {}; extra {}",
            self.score / 1000,
            (self.score % 1000) / 10,
            list(&[Fate::Agreed, Fate::Prefix, Fate::Near]),
            list(&[Fate::Missing]),
            if extra.is_empty() {
                "none".to_string()
            } else {
                extra.join(", ")
            },
        );
        let cut = list(&[Fate::CutOff]);
        if cut != "none" || self.dropped_cut.is_some() {
            text.push_str(&format!("; name cut off before {cut}"));
        }
        if let (Some(place), Some(rare)) = (self.missing_place(), self.rare_agreed())
            && let Some(why) = rarity::describe(rare)
        {
            text.push_str(&format!("; the place “{place}” is missing, but {why}"));
        }
        if let Some(blocker) = self.blocker() {
            text.push_str(&format!("; needs review: {blocker}"));
        }
        text
    }
}

/// Compares a holding name's words with a reference name's words. `None` when they share no
/// distinctive word (such a pair is never even a review candidate).
fn score<'a>(
    ours: &'a [Word],
    truncated: bool,
    theirs: &'a [Word],
    group_level: bool,
) -> Option<Comparison<'a>> {
    let mut used = vec![false; ours.len()];
    let mut fate: Vec<(Fate, Option<String>)> = vec![(Fate::Missing, None); theirs.len()];
    // Same word.
    for (j, w) in theirs.iter().enumerate() {
        if let Some(i) = (0..ours.len()).find(|&i| !used[i] && ours[i].text == w.text) {
            used[i] = true;
            fate[j] = (Fate::Agreed, None);
        }
    }
    // Two of our words written as one of theirs ("ba yi" / "bayi"), and the reverse. Two words
    // that name no one ("new energy") joined still name no one: "GCL NEWENERGY" is not proposed
    // for "Concord New Energy".
    let mut generic_join = vec![false; theirs.len()];
    for (j, w) in theirs.iter().enumerate() {
        if fate[j].0 != Fate::Missing {
            continue;
        }
        if let Some(i) = (0..ours.len().saturating_sub(1)).find(|&i| {
            !used[i] && !used[i + 1] && format!("{}{}", ours[i].text, ours[i + 1].text) == w.text
        }) {
            used[i] = true;
            used[i + 1] = true;
            generic_join[j] = ![&ours[i], &ours[i + 1]]
                .iter()
                .any(|w| matches!(w.class, WordClass::Distinctive | WordClass::Common));
            fate[j] = (
                Fate::Agreed,
                Some(format!("{} {}", ours[i].text, ours[i + 1].text)),
            );
        }
    }
    for j in 0..theirs.len().saturating_sub(1) {
        if fate[j].0 != Fate::Missing || fate[j + 1].0 != Fate::Missing {
            continue;
        }
        let joined = format!("{}{}", theirs[j].text, theirs[j + 1].text);
        if let Some(i) = (0..ours.len()).find(|&i| !used[i] && ours[i].text == joined) {
            used[i] = true;
            fate[j] = (Fate::Agreed, None);
            fate[j + 1] = (Fate::Agreed, None);
        }
    }
    // A cut-off last word agrees with the reference word it begins.
    let mut dropped_cut = None;
    if truncated && let Some(last) = ours.len().checked_sub(1).filter(|&i| !used[i]) {
        let stem = &ours[last].text;
        // "… BANK OF", "… GROUP IN", "… EQUITIES RE": a fragment this short, or a word that
        // joins others, could begin almost anything.
        // A fragment that is itself a word many listed names use ("net", "cat") is that word.
        let fragment = stem.chars().count() >= 3
            && !FUNCTION_WORDS.contains(&stem.as_str())
            && rarity::families(stem).is_none_or(|n| n < rarity::COMMON_FROM);
        if let Some(j) = (0..theirs.len()).find(|&j| {
            fragment && fate[j].0 == Fate::Missing && theirs[j].text.starts_with(stem.as_str())
        }) {
            used[last] = true;
            fate[j] = (Fate::Prefix, Some(stem.clone()));
        } else if CUT_FILLER.iter().any(|f| f.starts_with(stem.as_str())) {
            used[last] = true;
            dropped_cut = Some(stem.clone());
        }
    }
    // Abbreviated business and place words ("pharm", "hldg") agree with the word they begin.
    for i in 0..ours.len() {
        if used[i] || ours[i].text.len() < 4 {
            continue;
        }
        if let Some(j) = (0..theirs.len()).find(|&j| {
            fate[j].0 == Fate::Missing
                && matches!(theirs[j].class, WordClass::Business | WordClass::Place)
                && theirs[j].text.starts_with(ours[i].text.as_str())
        }) {
            used[i] = true;
            fate[j] = (Fate::Prefix, Some(ours[i].text.clone()));
        }
    }
    // Near spellings of distinctive words ("hikvison"). A word that itself names listed
    // companies ("mitsui", "cosco", "xintec") is that word, not a misspelling of another.
    for i in 0..ours.len() {
        if used[i]
            || ours[i].class != WordClass::Distinctive
            || ours[i].text.len() < 5
            || rarity::families(&ours[i].text).is_some()
        {
            continue;
        }
        if let Some(j) = (0..theirs.len()).find(|&j| {
            fate[j].0 == Fate::Missing
                && theirs[j].class == WordClass::Distinctive
                && near(&ours[i].text, &theirs[j].text)
        }) {
            used[i] = true;
            fate[j] = (Fate::Near, Some(ours[i].text.clone()));
        }
    }
    // After a cut, the reference words beyond the last agreed one were never written.
    if truncated
        && (0..ours.len()).all(|i| used[i])
        && let Some(last_agreed) = fate.iter().rposition(|(f, _)| *f != Fate::Missing)
    {
        let in_order = fate[..last_agreed].iter().all(|(f, _)| *f != Fate::Missing);
        if in_order {
            for f in &mut fate[last_agreed + 1..] {
                f.0 = Fate::CutOff;
            }
        }
    }
    let distinctive_agreed = theirs
        .iter()
        .zip(&fate)
        .enumerate()
        .any(|(j, (w, (f, _)))| {
            w.class == WordClass::Distinctive
                && !generic_join[j]
                && matches!(f, Fate::Agreed | Fate::Prefix | Fate::Near)
        });
    let reference_has_distinctive = theirs.iter().any(|w| w.class == WordClass::Distinctive);
    // Filler agreeing ("co", "the") makes nothing a candidate.
    let agreed_words = theirs
        .iter()
        .zip(&fate)
        .filter(|(w, (f, _))| {
            w.class != WordClass::Weak && matches!(f, Fate::Agreed | Fate::Prefix)
        })
        .count();
    let extra: Vec<&Word> = ours
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(w, _)| w)
        .collect();
    // A reference made only of common, place and business words ("Xinjiang Energy Real
    // Estate", "Century Sunshine") is a candidate only when it is nearly all there: its places,
    // all but one other word, and nothing distinctive added ("Doosan Heavy Industries").
    let generic_candidate = || {
        let missing = |classes: &[WordClass]| {
            theirs
                .iter()
                .zip(&fate)
                .filter(|(w, (f, _))| classes.contains(&w.class) && *f == Fate::Missing)
                .count()
        };
        // A common word that names the company ("Hongyuan Green Energy") must be there, and a
        // name of the holding's own ("Doosan", "Adani") makes it another company.
        agreed_words >= 2
            && missing(&[WordClass::Place]) == 0
            && missing(&[WordClass::Common]) == 0
            && missing(&[WordClass::Business]) <= 1
            && !extra
                .iter()
                .any(|w| matches!(w.class, WordClass::Distinctive | WordClass::Common))
    };
    // A common word ("zhongtai") proposes only with the business it names agreeing too
    // ("Zhongtai Chemical" for Xinjiang Zhongtai Chemical, not "Zhongtai Securities"), and
    // only for a reference with no word of its own beyond them: "Tokyo Electric Power" is not
    // "Tokyo Shibaura Electric".
    let agreed_class = |class: WordClass| {
        theirs
            .iter()
            .zip(&fate)
            .any(|(w, (f, _))| w.class == class && matches!(f, Fate::Agreed | Fate::Prefix))
    };
    let common_with_business = !reference_has_distinctive
        && agreed_class(WordClass::Common)
        && agreed_class(WordClass::Business);
    if !(distinctive_agreed
        || common_with_business
        || (!reference_has_distinctive && generic_candidate()))
    {
        return None;
    }
    let conflict = [WordClass::Place, WordClass::Business]
        .into_iter()
        .find_map(|class| {
            let agreed = theirs
                .iter()
                .zip(&fate)
                .any(|(w, (f, _))| w.class == class && matches!(f, Fate::Agreed | Fate::Prefix));
            let missing: Vec<&str> = theirs
                .iter()
                .zip(&fate)
                .filter(|(w, (f, _))| w.class == class && *f == Fate::Missing)
                .map(|(w, _)| w.text.as_str())
                .collect();
            let ours_extra: Vec<&str> = extra
                .iter()
                .filter(|w| w.class == class)
                .map(|w| w.text.as_str())
                .collect();
            (!agreed && !missing.is_empty() && !ours_extra.is_empty()).then(|| {
                format!(
                    "different {}: {} against {}",
                    class.label(),
                    ours_extra.join(" "),
                    missing.join(" ")
                )
            })
        });
    let weight = |w: &Word| w.class.weight();
    // A near spelling counts half agreed, half missing.
    let agreed: u32 = theirs
        .iter()
        .zip(&fate)
        .map(|(w, (f, _))| match f {
            Fate::Agreed | Fate::Prefix => weight(w),
            Fate::Near => weight(w) / 2,
            Fate::Missing | Fate::CutOff => 0,
        })
        .sum();
    let missing: u32 = theirs
        .iter()
        .zip(&fate)
        .map(|(w, (f, _))| match f {
            Fate::Missing => weight(w),
            Fate::Near => weight(w) - weight(w) / 2,
            _ => 0,
        })
        .sum();
    // A reference that names only the brand ("BOE", "LONGi") says nothing about the business,
    // so business words the holding adds ("BOE Technology Group") are description, not
    // disagreement.
    let brand_only = !theirs.iter().any(|w| w.class == WordClass::Business);
    let extra_weight: u32 = extra
        .iter()
        .map(|w| {
            if brand_only && w.class == WordClass::Business {
                0
            } else {
                weight(w)
            }
        })
        .sum();
    let score = if conflict.is_some() {
        0
    } else {
        dice(agreed, agreed + extra_weight, agreed + missing)
    };
    Some(Comparison {
        reference: theirs
            .iter()
            .zip(fate)
            .map(|(w, (f, seen))| (w, f, seen))
            .collect(),
        extra,
        dropped_cut,
        conflict,
        group_level,
        score,
    })
}

/// 2·shared / (a + b), in per mille.
fn dice(shared: u32, a: u32, b: u32) -> u32 {
    (2000 * shared).checked_div(a + b).unwrap_or(0)
}

/// Near spellings start alike and differ by one edit (two in words of nine letters or more):
/// "hikvison" and "hikvision". They are only ever review candidates, since "zhongtai" and
/// "zhongtian" are near spellings of two companies.
fn near(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let limit = if a.len().min(b.len()) >= 9 { 2 } else { 1 };
    a != b && a.first() == b.first() && a.len().abs_diff(b.len()) <= limit && edits(&a, &b) <= limit
}

/// Levenshtein distance (insertions, deletions, substitutions).
fn edits(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// Three characters of a word.
type Trigram = [char; 3];

/// Character trigrams of a word padded with one space each side ("hik" → " hi", "hik", "ik ").
fn trigrams(word: &str) -> Vec<Trigram> {
    let chars: Vec<char> = std::iter::once(' ')
        .chain(word.chars())
        .chain(std::iter::once(' '))
        .collect();
    chars.windows(3).map(|w| [w[0], w[1], w[2]]).collect()
}

/// Adjacent pairs of Chinese characters.
fn han_pairs(text: &str) -> impl Iterator<Item = (char, char)> {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    chars
        .windows(2)
        .map(|w| (w[0], w[1]))
        .filter(|(a, b)| has_han(&a.to_string()) && has_han(&b.to_string()))
        .collect::<Vec<_>>()
        .into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::load_embedded;

    fn lookup(name: &str) -> (Vec<String>, Vec<String>) {
        let data = load_embedded().unwrap();
        let index = NameIndex::new(&data);
        let out = index.lookup(name, &normalize_name(name));
        let ids = |hits: &[NameHit]| {
            hits.iter()
                .map(|h| index.entry(h.entry).entity_id.clone())
                .collect()
        };
        (ids(&out.matched), ids(&out.review))
    }

    #[test]
    fn distinctive_words_decide() {
        // The brief's own examples.
        assert_eq!(
            lookup("ZHONGTAI SECURITIES CO LTD-A").0,
            Vec::<String>::new()
        );
        assert_eq!(lookup("CHINA COTTON").0, Vec::<String>::new());
        assert_eq!(
            lookup("新疆中泰化学股份有限公司").0,
            vec!["xinjiang-zhongtai-chemical"]
        );
        assert_eq!(
            lookup("HANGZHOU HIKVISION DIGITAL TECHNOL").0,
            vec!["hikvision"]
        );
    }

    #[test]
    fn each_rule_on_a_real_spelling() {
        let none: Vec<String> = Vec::new();
        // A brand-only reference takes the business words the holding adds…
        assert_eq!(lookup("BOE TECHNOLOGY GROUP LTD A").0, vec!["boe"]);
        assert_eq!(lookup("Samsung Electronics Co. Ltd.").0, vec!["samsung"]);
        // …but not those that usually name another company of the brand's group: its broker,
        // an industrial arm, an unrelated "Samsung Pharmaceutical". Those go to review.
        for affiliate in [
            "Samsung Heavy Industries Co. Ltd.",
            "Samsung Securities Co. Ltd.",
            "Samsung Pharmaceutical Co. Ltd.",
            "Hitachi Capital Corp.",
            "Hitachi Construction Machinery Co. Ltd.",
            // An unrelated US drug developer that shares the sports brand's word.
            "PUMA BIOTECHNOLOGY INC",
        ] {
            let (m, r) = lookup(affiliate);
            assert_eq!(m, none, "{affiliate}");
            assert_eq!(r.len(), 1, "{affiliate}");
        }
        // A group's name does not match one of its companies…
        let (m, r) = lookup("INSPUR ELECTRONIC INFORMATION INDUSTRY CO LTD");
        assert_eq!((m, r), (none.clone(), vec!["inspur-group".to_string()]));
        // …nor the holding company above it, nor an "International" sister company.
        assert_eq!(lookup("XIAMEN ITG HOLDING GROUP CO LTD").0, none);
        assert_eq!(
            lookup("Haitong International Securities Group Ltd.").0,
            none
        );
        // A missing place leaves the name for review.
        let (m, r) = lookup("Zhongtai Chemical Co. Ltd.");
        assert_eq!(m, none);
        assert_eq!(r[0], "xinjiang-zhongtai-chemical");
        // A different business is a different company, not even a review candidate (the
        // group, which names no business, is one).
        let (m, r) = lookup("XINJIANG ZHONGTAI SECURITIES");
        assert_eq!(
            (m, r),
            (none.clone(), vec!["xinjiang-zhongtai-group".to_string()])
        );
        // Chinese names: same core, reference no more specific.
        assert_eq!(
            lookup("杭州海康威视数字技术股份有限公司").0,
            vec!["hikvision"]
        );
        assert_eq!(lookup("中国铁建").0, none);
        // Pinyin written in Latin letters.
        assert_eq!(
            lookup("Xinjiang Shengchan Jianshe Bingtuan").0,
            vec!["xpcc"]
        );
        // Truncated names and filing abbreviations.
        assert_eq!(
            lookup("RARE EARTH MAGNESIUM TECHNOLOGY GR").0,
            vec!["rare-earth-magnesium-technology-group-holdings"]
        );
        assert_eq!(lookup("ZIJIN MNG GROUP CO LTD ADR").0, vec!["zijin-mining"]);
    }

    #[test]
    fn the_explanation_names_the_words() {
        let data = load_embedded().unwrap();
        let index = NameIndex::new(&data);
        let name = "HANGZHOU HIKVISION DIGITAL TECHNOL";
        let out = index.lookup(name, &normalize_name(name));
        assert_eq!(
            out.matched[0].explanation,
            "score 1.00 against “Hangzhou Hikvision Digital Technology Co., Ltd.”: agreed hangzhou, hikvision, digital, technology (as “technol”); missing none; extra none"
        );
        // A word that names one listed family decides without its place, and says so.
        let name = "MEIYA PICO INFORMATION CO LTD A";
        let out = index.lookup(name, &normalize_name(name));
        assert_eq!(
            out.matched[0].explanation,
            "score 0.90 against “Xiamen Meiya Pico Information Co., Ltd.”: agreed meiya, pico, information; missing xiamen (place); extra none; the place “xiamen” is missing, but “pico” is rare: names 1 listed family"
        );
        // A word many listed companies share proposes nothing on its own: Zhongtai Securities
        // is not the Xinjiang Zhongtai group.
        let name = "Zhongtai Securities Co., Ltd.";
        let out = index.lookup(name, &normalize_name(name));
        assert!(out.matched.is_empty() && out.review.is_empty(), "{out:?}");
    }

    #[test]
    fn bond_short_names_are_read_by_their_issuer_stem() {
        // 晶澳 is in one listed family's short name, and one entity's: a convertible of it is
        // that company's.
        assert_eq!(lookup("晶澳转债").0, vec!["ja-solar"]);
        // 天润 is in two listed families' short names (a dairy and an engine-parts maker): the
        // stem alone cannot tell them apart.
        assert_eq!(
            lookup("天润转债"),
            (vec![], vec!["xinjiang-tianrun-dairy".to_string()])
        );
        // A group's dated bond and its listed company's convertible begin alike (天业): only the
        // convertible is surely the listed company's, and here three entities begin so.
        assert_eq!(lookup("10天业债").0, Vec::<String>::new());
        let data = load_embedded().unwrap();
        let index = NameIndex::new(&data);
        let out = index.lookup("晶澳转债", &normalize_name("晶澳转债"));
        assert_eq!(
            out.matched[0].explanation,
            "convertible bond short name: its issuer stem “晶澳” begins the exchange short name \
             “晶澳科技”; “jingao” is rare: names 1 listed family"
        );
    }

    #[test]
    fn a_former_name_that_is_now_another_companys_word_does_not_decide() {
        // CRRC was CSR Corporation; "CSR Ltd." is an Australian building-materials company.
        assert_eq!(lookup("CSR Ltd."), (vec![], vec!["crrc".to_string()]));
        // A former name that is a word still names its lineage: Daimler AG is Mercedes-Benz
        // Group, whatever Daimler Truck is called.
        assert_eq!(lookup("Daimler AG").0, vec!["mercedes-benz"]);
        // The full former name still decides.
        assert_eq!(
            lookup("China South Locomotive & Rolling Stock Corporation Limited").0,
            vec!["crrc"]
        );
    }

    #[test]
    fn words_that_name_no_one_propose_no_one() {
        // Place and business words shared with a former name ("Tokyo Shibaura Electric") or
        // joined into an exchange short name ("GCL NEWENERGY") are no reason to look twice.
        for name in [
            "Tokyo Electric Power Co. Holdings Inc.",
            "Concord New Energy Group Ltd.",
            "CGN New Energy Holdings Co. Ltd.",
        ] {
            assert_eq!(lookup(name), (vec![], vec![]), "{name}");
        }
    }

    #[test]
    fn near_spellings_go_to_review() {
        let (matched, review) = lookup("HANGZHOU HIKVISON DIGITAL TECHNOLOGY");
        assert!(matched.is_empty());
        assert_eq!(review, vec!["hikvision"]);
    }

    /// A share class or ADR after the last word means that word was written whole: found by
    /// `benches/resolve_table.py`, where `PACIFIC SHIPPING CLOUD LTD CL A` (31 characters) was
    /// read as a cut `CLOUDWALK`.
    #[test]
    fn a_word_before_a_share_class_is_not_read_as_cut() {
        let data = crate::reference::load_embedded().unwrap();
        let resolver = crate::resolve::Resolver::new(&data);
        for name in [
            "PACIFIC SHIPPING CLOUD LTD CL A",
            "INDUSTRIES CLOUD CO SPONSORED ADR",
        ] {
            let r = resolver.resolve(&crate::resolve::eval::name_only(name));
            assert!(r.matches.is_empty(), "{name}: {:?}", r.matches);
        }
        assert!(ends_with_word(
            "HANGZHOU HIKVISION DIGITAL TECHNOL",
            "technol"
        ));
        assert!(!ends_with_word("PACIFIC SHIPPING CLOUD LTD CL A", "cloud"));
    }

    #[test]
    fn truncation_is_recognised_only_at_column_width() {
        assert!(looks_truncated("HANGZHOU HIKVISION DIGITAL TECHNOL"));
        assert!(!looks_truncated("HIKVISION"));
        assert!(!looks_truncated("CHINA RAILWAY CONSTRUCTION CORP"));
    }
}
