//! Word rarity from the real market: how many listed company families each name word names.
//!
//! `goldwind` names one family in the whole market, so "GOLDWIND SCIENCE&TECHNOLOGY" is Xinjiang
//! Goldwind even without its place prefix; `zhongtai` names several unrelated companies, so it
//! never decides alone. The table (`data/word_families.csv`) is counted from real listed-company
//! names by `cargo run --release --example word_families` (the sources and the command are in
//! `data/README.md`); a test rebuilds it from the same sources and requires the same bytes.
//!
//! A *family* is the listings that share one name once share classes, legal forms, places and
//! filler are dropped ("Xinjiang Goldwind Science & Technology Co Ltd A" and "Goldwind Science &
//! Technology H" are one family). For Chinese short names (新疆天业, 中泰化学) a family is the
//! short name, and its words are the pinyin of each pair of adjacent characters (中泰 →
//! `zhongtai`), the way English names write a Chinese proper noun.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pinyin::ToPinyin;

use super::normalize_name;
use super::vocab::{WordClass, name_words};

/// The shipped table: `word,families`, one row per word, sorted.
pub const TABLE: &str = include_str!("../../data/word_families.csv");

/// A word naming this many families or more is common: it must agree, but it never makes a
/// candidate or a match on its own.
pub const COMMON_FROM: u32 = 4;

/// How many listed families the shipped table says the word names; `None` when the word is not
/// in any listed name the table was built from.
pub fn families(word: &str) -> Option<u32> {
    static TABLE_MAP: OnceLock<HashMap<&'static str, u32>> = OnceLock::new();
    TABLE_MAP.get_or_init(|| parse(TABLE)).get(word).copied()
}

/// Reads `word,families` rows; a malformed row is skipped (the shipped table is checked whole
/// by a test, so none is).
fn parse(text: &str) -> HashMap<&str, u32> {
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let (word, n) = l.split_once(',')?;
            Some((word, n.parse().ok()?))
        })
        .collect()
}

/// What the table says of a word, for explanations: "rare: names 1 listed family".
pub fn describe(word: &str) -> Option<String> {
    let n = families(word)?;
    let kind = if n <= 1 {
        "rare"
    } else if n >= COMMON_FROM {
        "common"
    } else {
        "uncommon"
    };
    Some(format!(
        "“{word}” is {kind}: names {n} listed {}",
        if n == 1 { "family" } else { "families" }
    ))
}

/// Counts families per word over listed-company names.
#[derive(Debug, Default)]
pub struct Builder {
    words: BTreeMap<String, BTreeSet<String>>,
}

impl Builder {
    /// A name in Latin letters (an export's issuer name). Its words are the ones that can name
    /// a company (distinctive and common words); its family is all its words but filler.
    pub fn add_latin(&mut self, name: &str) {
        let normalised = normalize_name(name);
        let words = name_words(&normalised);
        let family: Vec<&str> = words
            .iter()
            .filter(|(_, c)| !matches!(c, WordClass::Weak | WordClass::Country | WordClass::Place))
            .map(|(w, _)| w.as_str())
            .collect();
        if family.is_empty() {
            return;
        }
        let family = family.join(" ");
        for (word, class) in &words {
            if matches!(class, WordClass::Distinctive | WordClass::Common) {
                self.words
                    .entry(word.clone())
                    .or_default()
                    .insert(family.clone());
            }
        }
    }

    /// A Chinese exchange short name (中泰化学, *ST天业, 万科Ｂ): its family is the name without
    /// trading-status marks and a B-share suffix; its words are the pinyin of adjacent pairs.
    pub fn add_chinese_short(&mut self, name: &str) {
        let family = clean_short_name(name);
        let syllables: Vec<Option<&str>> = family
            .chars()
            .map(|c| c.to_pinyin().map(|p| p.plain()))
            .collect();
        for pair in syllables.windows(2) {
            if let [Some(a), Some(b)] = pair {
                self.words
                    .entry(format!("{a}{b}"))
                    .or_default()
                    .insert(family.clone());
            }
        }
    }

    /// The table as CSV, words sorted.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("word,families\n");
        for (word, families) in &self.words {
            // Words that cannot round-trip through the simple reader are left out.
            if word.contains([',', '\n']) || word.is_empty() {
                continue;
            }
            out.push_str(&format!("{word},{}\n", distinct_families(families)));
        }
        out
    }
}

/// Families, with a name cut off by an export's column width counted with the whole name it
/// begins ("goldwind science technolo" is "goldwind science technology"); a shorter complete
/// name ("apple" beside "apple hospitality reit") stays a family of its own.
fn distinct_families(families: &BTreeSet<String>) -> usize {
    let keys: Vec<Vec<&str>> = families.iter().map(|f| f.split(' ').collect()).collect();
    let cut_from = |short: &[&str], long: &[&str]| {
        short.len() <= long.len()
            && short.split_last().is_some_and(|(last, init)| {
                init == &long[..init.len()]
                    && long[init.len()].len() > last.len()
                    && long[init.len()].starts_with(last)
            })
    };
    keys.iter()
        .filter(|k| !keys.iter().any(|other| cut_from(k, other)))
        .count()
}

/// The files the shipped table is counted from, in the order they are read: every holdings
/// file of the corpus (CSV, XLSX and XML exports and filings), then the A-share list.
pub fn sources(corpus: &Path, ashare: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["etf_csv", "etf_xlsx", "13f_xml", "nport_xml"] {
        let Ok(entries) = std::fs::read_dir(corpus.join(dir)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| ["csv", "xlsx", "xml"].contains(&e))
            })
            .collect();
        found.sort();
        files.extend(found);
    }
    files.push(ashare.to_path_buf());
    files
}

/// Counts the table from holdings files (their issuer names) and the A-share list (`code,
/// code_name,ipoDate,outDate,type,status`, stocks being type 1), as the shipped table was.
pub fn build(holdings: &[PathBuf], ashare: &Path) -> Result<String, String> {
    let mut builder = Builder::default();
    let options = crate::ingest::IngestOptions::default();
    for file in holdings {
        let portfolio = crate::ingest::read_files("market", std::slice::from_ref(file), &options)
            .map_err(|e| e.to_string())?;
        for holding in &portfolio.holdings {
            builder.add_latin(&holding.name);
        }
    }
    let text = std::fs::read_to_string(ashare).map_err(|e| format!("{}: {e}", ashare.display()))?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{}:{}: {e}", ashare.display(), i + 2))?;
        if record.get(4) == Some("1")
            && let Some(name) = record.get(1)
        {
            builder.add_chinese_short(name);
        }
    }
    Ok(builder.to_csv())
}

/// An A-share short name without its trading-status prefix (`*ST`, `ST`, `S`, `N`, `C`, `XD`,
/// `XR`, `DR`) and its B-share suffix.
fn clean_short_name(name: &str) -> String {
    let mut rest = name.trim();
    for prefix in ["*ST", "S*ST", "SST", "ST", "XD", "XR", "DR", "N", "C", "S"] {
        if let Some(stripped) = rest.strip_prefix(prefix)
            && stripped
                .chars()
                .next()
                .is_some_and(|c| c.to_pinyin().is_some())
        {
            rest = stripped;
            break;
        }
    }
    let rest = rest
        .trim_end_matches("B股")
        .trim_end_matches(['B', 'Ｂ'])
        .trim();
    rest.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_collapse_listings_of_one_company_and_keep_others_apart() {
        let mut b = Builder::default();
        b.add_latin("Xinjiang Goldwind Science & Technology Co Ltd A");
        b.add_latin("GOLDWIND SCIENCE & TECHNOLOGY CO LTD H");
        b.add_latin("Zhongtai Securities Co Ltd A");
        b.add_latin("Xinjiang Zhongtai Chemical Co Ltd A");
        b.add_chinese_short("中泰化学");
        b.add_chinese_short("*ST中泰");
        b.add_chinese_short("万科Ｂ");
        let csv = b.to_csv();
        let table = parse(&csv);
        assert_eq!(table.get("goldwind"), Some(&1));
        // Two Latin families; the two Chinese short names are one family once `*ST` is dropped.
        assert_eq!(table.get("zhongtai"), Some(&3));
        assert_eq!(table.get("wanke"), Some(&1));
        assert!(csv.starts_with("word,families\n"));
    }

    #[test]
    fn the_shipped_table_reads_whole_and_describes_words() {
        let rows = TABLE.lines().count() - 1;
        assert_eq!(parse(TABLE).len(), rows, "every row parses");
        assert!(rows > 1000, "{rows} rows");
    }
}
