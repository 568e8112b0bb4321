//! Chinese bond short names: `天润转债`, `25兵团债08`, `12石开发债`, `晶能转2`.
//!
//! An exchange gives each bond a short name built from its issuer's: a convertible takes the
//! first characters of the stock's short name and adds 转债 (天润乳业 → 天润转债); other bonds put
//! the issue year in front and a tranche number behind (25兵团债08). The stem (天润) is too short
//! to be compared as a name, so it is read as the beginning of an exchange short name, and it
//! decides only when the whole A-share market has one company whose short name holds it (the
//! word table's count for its characters read in pinyin, as for any name word).

use pinyin::ToPinyin;

/// A bond short name's issuer stem, and whether the bond is a convertible (issued by the listed
/// company itself, never by an unlisted parent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stem {
    pub stem: String,
    pub convertible: bool,
}

/// The issuer stem of a Chinese bond short name, or `None` when the name is not one.
/// The name must be normalised and say it is a bond: by 债, by 转债, by 转 with a number behind,
/// or by a two-digit year in front and a tranche number behind.
pub fn stem(normalised: &str) -> Option<Stem> {
    if normalised.contains(char::is_whitespace) {
        return None;
    }
    let chars: Vec<char> = normalised.chars().collect();
    let year = chars.len() > 2 && chars[..2].iter().all(char::is_ascii_digit);
    let mut end = chars.len();
    // Tranche number behind (08, 2, 01).
    while end > 0 && chars[end - 1].is_ascii_digit() {
        end -= 1;
    }
    let tranche = end < chars.len();
    let convertible =
        chars[..end].ends_with(&['转', '债']) || (tranche && chars[..end].ends_with(&['转']));
    let marker = if chars[..end].ends_with(&['转', '债']) {
        2
    } else if convertible || chars[..end].ends_with(&['债']) {
        1
    } else {
        0
    };
    end -= marker;
    // A year alone is not enough: "37互娱" is a company; "18新泰04" has its tranche too.
    if marker == 0 && !(year && tranche) {
        return None;
    }
    let start = if year { 2 } else { 0 };
    if end <= start {
        return None;
    }
    let stem: String = chars[start..end].iter().collect();
    let n = stem.chars().count();
    ((2..=6).contains(&n) && stem.chars().all(|c| c.to_pinyin().is_some()))
        .then_some(Stem { stem, convertible })
}

/// The word-table keys of a stem: the pinyin of each pair of adjacent characters, as the table
/// counts Chinese short names.
pub fn pair_words(stem: &str) -> Vec<String> {
    let syllables: Vec<Option<&str>> = stem
        .chars()
        .map(|c| c.to_pinyin().map(|p| p.plain()))
        .collect();
    syllables
        .windows(2)
        .filter_map(|pair| match pair {
            [Some(a), Some(b)] => Some(format!("{a}{b}")),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_of_real_bond_short_names() {
        let cases = [
            ("天润转债", Some("天润")),
            ("25兵团债08", Some("兵团")),
            ("12石开发债", Some("石开发")),
            ("18新泰04", Some("新泰")),
            ("晶能转2", Some("晶能")),
            // Not bond short names.
            ("天润乳业", None),
            ("新疆天业", None),
            ("转债", None),
            ("隆22转债", None),
            ("中泰转", None),
            ("xinjiang 债", None),
            ("37互娱", None),
        ];
        for (name, want) in cases {
            assert_eq!(stem(name).map(|s| s.stem).as_deref(), want, "{name}");
        }
    }

    #[test]
    fn convertibles_are_told_from_other_bonds() {
        assert!(stem("天润转债").is_some_and(|s| s.convertible));
        assert!(stem("晶能转2").is_some_and(|s| s.convertible));
        assert!(stem("10天业债").is_some_and(|s| !s.convertible));
        assert!(stem("18新泰04").is_some_and(|s| !s.convertible));
    }

    #[test]
    fn pair_words_read_adjacent_characters() {
        assert_eq!(pair_words("天润"), vec!["tianrun"]);
        assert_eq!(pair_words("石开发"), vec!["shikai", "kaifa"]);
    }
}
