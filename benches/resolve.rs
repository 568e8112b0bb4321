//! Benchmark: resolving 10,000 and 100,000 distinct issuer names against the full reference data.
//!
//! Run with `cargo bench --bench resolve` (release profile). The names are generated from a
//! fixed seed: about one in ten is a spelling of a reference entity as filings write it (upper
//! case, abbreviations, share classes, truncation at 34 characters, ADR wording, Chinese names),
//! the rest are synthetic companies built from the same kinds of words (places, pinyin brands,
//! business words, legal forms), so candidate generation and scoring see realistic collisions.
//! It prints the time per name at each size; linear growth means the two figures agree.

use std::collections::BTreeSet;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use xjscan::reference::load_embedded;
use xjscan::resolve::{Resolver, eval::name_only};

const PLACES: &[&str] = &[
    "XINJIANG",
    "SHENZHEN",
    "HANGZHOU",
    "JIANGSU",
    "ZHEJIANG",
    "BEIJING",
    "SHANGHAI",
    "ANHUI",
    "SICHUAN",
    "HUNAN",
    "CHINA",
    "GUANGDONG",
    "XIAMEN",
    "NINGBO",
    "",
];
const SYLLABLES: &[&str] = &[
    "zhong", "tai", "hua", "xin", "tian", "shan", "long", "jin", "feng", "da", "quan", "kang",
    "wei", "hai", "an", "bao", "de", "li", "yuan", "sheng", "tong", "guang", "ming", "rui", "xing",
    "yang", "yi", "ke", "bo", "chen",
];
const BUSINESS: &[&str] = &[
    "ELECTRONICS",
    "CHEMICAL",
    "TECHNOLOGY",
    "NEW ENERGY",
    "TEXTILE",
    "SECURITIES",
    "MINING",
    "PHARMACEUTICAL",
    "FOOD",
    "MATERIALS",
    "COTTON",
    "SOLAR",
    "HOLDINGS",
    "GROUP",
    "INDUSTRY",
    "BANK",
    "INSURANCE",
    "SOFTWARE",
    "",
];
const FORMS: &[&str] = &[
    "CO LTD",
    "CO LTD-A",
    "LTD",
    "CORP",
    "INC",
    "HLDGS LTD",
    "GRP CO LTD",
    "CO LTD-H",
    "",
];

fn brand(rng: &mut StdRng) -> String {
    let n = rng.random_range(1..=3);
    (0..n)
        .map(|_| *SYLLABLES.choose(rng).unwrap_or(&"da"))
        .collect::<String>()
        .to_uppercase()
}

fn synthetic(rng: &mut StdRng) -> String {
    let parts = [
        *PLACES.choose(rng).unwrap_or(&""),
        &brand(rng),
        *BUSINESS.choose(rng).unwrap_or(&""),
        *FORMS.choose(rng).unwrap_or(&""),
    ];
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A reference name written the way a filing might.
fn variant(rng: &mut StdRng, names: &[String]) -> String {
    let base = names.choose(rng).cloned().unwrap_or_default();
    let upper = base.to_uppercase().replace(['.', ','], "");
    match rng.random_range(0..5) {
        0 => format!("{upper} CO LTD-A"),
        1 => upper.chars().take(34).collect(),
        2 => format!("{} SPONSORED ADR", upper.replace("HOLDINGS", "HLDGS")),
        3 => format!(
            "{upper} {}.{}% {:02}/{:02}",
            rng.random_range(2..7),
            rng.random_range(0..99),
            rng.random_range(1..13),
            rng.random_range(25..35)
        ),
        _ => base,
    }
}

fn names(n: usize, reference: &[String], seed: u64) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = BTreeSet::new();
    while out.len() < n {
        let name = if rng.random_range(0..10) == 0 {
            variant(&mut rng, reference)
        } else {
            synthetic(&mut rng)
        };
        // Make every name distinct, as the resolver sees each distinct name once.
        let name = if out.contains(&name) {
            format!("{name} {}", out.len())
        } else {
            name
        };
        out.insert(name);
    }
    out.into_iter().collect()
}

fn main() {
    let data = match load_embedded() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot load the reference data: {e}");
            std::process::exit(1);
        }
    };
    let reference: Vec<String> = data
        .entities
        .iter()
        .flat_map(|e| [e.name.clone(), e.name_zh.clone()])
        .chain(data.aliases.iter().map(|a| a.alias.clone()))
        .filter(|n| !n.is_empty())
        .collect();
    let start = Instant::now();
    let resolver = Resolver::new(&data);
    let build = start.elapsed();
    println!(
        "index over {} names and aliases built in {:.1} ms",
        reference.len(),
        build.as_secs_f64() * 1e3
    );
    println!(
        "{:>9} {:>10} {:>12} {:>10} {:>8} {:>8}",
        "names", "seconds", "names/s", "µs/name", "matched", "review"
    );
    let mut per_name = Vec::new();
    for n in [10_000usize, 100_000] {
        let list = names(n, &reference, 7);
        let holdings: Vec<_> = list.iter().map(|n| name_only(n)).collect();
        let start = Instant::now();
        let (mut matched, mut review) = (0usize, 0usize);
        for h in &holdings {
            let r = resolver.resolve(h);
            matched += usize::from(!r.matches.is_empty());
            review += usize::from(!r.review.is_empty());
        }
        let secs = start.elapsed().as_secs_f64();
        let us = secs * 1e6 / n as f64;
        per_name.push(us);
        println!(
            "{n:>9} {secs:>10.3} {:>12.0} {us:>10.2} {matched:>8} {review:>8}",
            n as f64 / secs
        );
    }
    if let [small, large] = per_name[..] {
        println!(
            "time per name at 100,000 / at 10,000: {:.2} (1.00 is linear)",
            large / small
        );
    }
}
