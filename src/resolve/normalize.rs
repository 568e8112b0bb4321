//! Name normalisation for matching issuer names against entity names and aliases.
//!
//! Two spellings of one company differ in width, case, punctuation, legal form, share-class
//! suffix and filing abbreviation ("HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO LTD-A", "DAQO NEW
//! ENERGY CORP SPONSORED ADR", "ALIBABA GROUP HLDG LTD", "XINJIANG ZHONGTAI CHEMICAL 3.5%
//! 07/25", 新疆中泰化學股份有限公司). Normalising both sides the same way lets a lookup find
//! them. Place names such as Xinjiang are kept: they are evidence, not noise.
//!
//! The function is idempotent (a property test holds it to that), so normalised names can be
//! stored and normalised again without drifting.

use unicode_normalization::UnicodeNormalization;

/// Legal-form words dropped from the end of a name.
const LEGAL_FORMS: &[&str] = &[
    "co",
    "company",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "plc",
    "llc",
    "lp",
    "sa",
    "ag",
    "nv",
    "bv",
    "se",
    "spa",
    "ab",
    "asa",
    "oyj",
    "tbk",
    "bhd",
    "pcl",
    "jsc",
    "pjsc",
    "kk",
    "gmbh",
];

/// Share-class and instrument words dropped from the end of a name (`-A`, `H`, `CL A`, `ADR`).
const SHARE_CLASS: &[&str] = &[
    "a",
    "b",
    "h",
    "cl",
    "class",
    "adr",
    "ads",
    "sponsored",
    "spon",
    "ord",
    "shs",
    "com",
    "common",
    "stock",
    "shares",
    "pre",
];

/// Abbreviations filers use, expanded so both spellings meet (13F names are cut to fit).
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("hldgs", "holdings"),
    ("hldg", "holdings"),
    // "JinkoSolar Holding Co." and "JINKOSOLAR HLDG CO" are one name.
    ("holding", "holdings"),
    ("hlds", "holdings"),
    ("grp", "group"),
    ("tech", "technology"),
    ("techn", "technology"),
    ("intl", "international"),
    ("comm", "communications"),
    ("svcs", "services"),
    ("svc", "services"),
    ("mfg", "manufacturing"),
    ("dev", "development"),
    ("natl", "national"),
    ("mgmt", "management"),
    ("engy", "energy"),
    ("matls", "materials"),
    ("chem", "chemical"),
    ("inds", "industries"),
    ("indl", "industrial"),
    ("prods", "products"),
    ("pharm", "pharmaceutical"),
    ("pharms", "pharmaceuticals"),
    ("elec", "electric"),
    ("info", "information"),
    ("sys", "systems"),
    ("tel", "telecommunications"),
    ("sci", "science"),
    ("mng", "mining"),
    ("res", "resources"),
    ("pptys", "properties"),
    ("ppty", "property"),
    ("finl", "financial"),
    ("bk", "bank"),
    ("invt", "investment"),
    ("entmt", "entertainment"),
    ("hlth", "health"),
    ("elecs", "electronics"),
    ("semicon", "semiconductor"),
    ("whsl", "wholesale"),
    ("mtrs", "motors"),
    ("mtr", "motor"),
];

/// Instrument words that say what kind of security it is, not whose: dropped wherever they are.
const INSTRUMENT_NOISE: &[&str] = &[
    "sponsored",
    "spons",
    "spon",
    "adr",
    "adrs",
    "ads",
    "gdr",
    "repstg",
    "representing",
    "depositary",
    "receipt",
    "receipts",
    "ord",
    "ordinary",
    "shs",
    "144a",
    // Preference and non-voting lines of a company's shares ("BMW PREF AG", "VOLKSWAGEN
    // NON-VOTING PREF AG", "Samsung Electronics Non Voting Pre").
    "pref",
    "pfd",
    "preference",
    "preferred",
    "nonvoting",
];

/// Words of a bond description, dropped when the name carries a coupon or a maturity.
const BOND_WORDS: &[&str] = &[
    "note",
    "notes",
    "bond",
    "bonds",
    "debenture",
    "debentures",
    "due",
    "mtn",
    "sr",
    "senior",
    "unsecured",
    "secured",
    "sub",
    "perp",
    "fixed",
    "float",
    "frn",
    "coupon",
];

/// Chinese legal forms dropped from the end of a name, longest first.
const CHINESE_LEGAL_FORMS: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "公司",
];

/// Normalises an issuer or entity name for comparison.
///
/// # Example
///
/// ```
/// use xjscan::resolve::normalize_name;
///
/// assert_eq!(normalize_name("HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO LTD-A"),
///            normalize_name("Hangzhou Hikvision Digital Technology Co., Ltd."));
/// assert_eq!(normalize_name("新疆中泰化学股份有限公司"), "新疆中泰化学");
/// ```
pub fn normalize_name(raw: &str) -> String {
    // NFKC folds full-width forms (（集团） → (集团), ＡＢＣ → ABC); lower-casing can produce
    // characters NFKC would change again, so fold once more after it. Traditional characters
    // fold to simplified ones (化學 → 化学), so either script meets the other.
    // ASCII is already in NFKC and has no traditional characters: most filing names skip both.
    let folded = if raw.is_ascii() {
        raw.to_ascii_lowercase()
    } else {
        let folded: String = raw.nfkc().flat_map(char::to_lowercase).nfkc().collect();
        fast2s::convert(&folded)
    };
    let folded = plain_issuer(&folded);
    let is_bond = looks_like_bond(&folded);
    let mut text = String::with_capacity(folded.len());
    for word in folded.split_whitespace() {
        // `ISIN#US88032Q1094` and coupons/maturities are whole tokens to drop before
        // punctuation is folded.
        if word.starts_with("isin#") || (is_bond && is_bond_figure(word)) {
            continue;
        }
        for c in word.chars() {
            match c {
                // Apostrophes join: "Yuan'an" and "Yuanan" are one spelling.
                '\'' | '\u{2019}' | '`' => {}
                '&' => text.push_str(" and "),
                c if c.is_alphanumeric() => text.push(c),
                _ => text.push(' '),
            }
        }
        text.push(' ');
    }
    let mut tokens: Vec<String> = text
        .split_whitespace()
        .filter(|t| !(INSTRUMENT_NOISE.contains(t) || (is_bond && BOND_WORDS.contains(t))))
        .map(|t| {
            ABBREVIATIONS
                .iter()
                .find(|(short, _)| *short == t)
                .map_or_else(|| t.to_string(), |(_, long)| (*long).to_string())
        })
        .collect();
    loop {
        let before = tokens.len();
        if let Some(last) = tokens.last_mut() {
            strip_chinese_legal_form(last);
        }
        drop_spelt_out_legal_form(&mut tokens);
        drop_state_of_incorporation(&mut tokens);
        if tokens.len() > 1
            && tokens.last().is_some_and(|t| {
                LEGAL_FORMS.contains(&t.as_str())
                    || SHARE_CLASS.contains(&t.as_str())
                    || CHINESE_LEGAL_FORMS.contains(&t.as_str())
                    // 13F tables put the article last: "COCA COLA CO/THE", "HOME DEPOT INC/THE".
                    || t == "the"
            })
        {
            tokens.pop();
        }
        if tokens.len() == before {
            break;
        }
    }
    let joined = tokens.join(" ");
    // Dropping an apostrophe can bring two combining marks, or a letter and a mark, together;
    // NFKC puts them in canonical order and composes them, so a second pass changes nothing.
    if joined.is_ascii() {
        joined
    } else {
        joined.nfkc().collect()
    }
}

/// The issuer in a name that also says what kind of line or issue it is: "non voting" shares,
/// a listing country in brackets ("Zte Corporation Shares H (China)"), and a Chinese bond's
/// year, tranche and instrument (2012年…企业债券, …2015年度第三期短期融资券, (第一期)).
fn plain_issuer(folded: &str) -> String {
    // Most names have none of these: they are looked for before anything is copied.
    let mut text = if folded.contains("non") {
        folded.replace("non-voting", " ").replace("non voting", " ")
    } else {
        folded.to_string()
    };
    if text.contains('/') {
        text = drop_after_legal_slash(&text);
    }
    for country in ["(china)", "(japan)", "(korea)", "(taiwan)", "(hong kong)"] {
        if let Some(stripped) = text.trim_end().strip_suffix(country) {
            text = stripped.to_string();
        }
    }
    if !text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        return text;
    }
    for phrase in CHINESE_ISSUE_PHRASES {
        text = text.replace(phrase, " ");
    }
    // Exchange short names carry trading marks: `*ST八钢`, `ST得润` (special treatment),
    // `G双良` (share reform done, 2005–06), `XD海尔` (ex-dividend; XR ex-rights, DR both),
    // `N盛泰`/`C盛泰` (first days of trading), `云从科技-UW` (STAR Market: no profit yet,
    // weighted voting rights). Each is a mark only where a Chinese character follows it.
    let han = |c: Option<char>| c.is_some_and(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for mark in ["s*st", "*st", "sst", "st", "xd", "xr", "dr", "g", "n", "c"] {
        if let Some(rest) = text.trim_start().strip_prefix(mark)
            && han(rest.chars().next())
        {
            text = rest.to_string();
            break;
        }
    }
    for mark in ["-uw", "-u", "-w"] {
        if let Some(rest) = text.trim_end().strip_suffix(mark)
            && han(rest.chars().last())
        {
            text = rest.to_string();
            break;
        }
    }
    // Years and tranches: 2012年, 2015年度, 第三期, (第一期).
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 4 && chars.get(i + 4) == Some(&'年') {
            i += 5;
            if chars.get(i) == Some(&'度') {
                i += 1;
            }
            continue;
        }
        if chars[i] == '第' {
            let n = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(**c))
                .count();
            if n > 0 && chars.get(i + 1 + n) == Some(&'期') {
                i += n + 2;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Data vendors and 13F tables qualify a legal form after a slash: "Sharp Corp./Japan",
/// "COCA COLA CO/THE", "HP INC /DE/". What follows the slash says where the company is
/// registered, not who it is; it is dropped when the slash follows a legal form, so a slash
/// elsewhere ("AT/T", a maturity "07/25") is kept.
fn drop_after_legal_slash(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut after_legal_form = false;
    for word in text.split_whitespace() {
        let is_legal = |w: &str| LEGAL_FORMS.contains(&w.trim_end_matches('.'));
        if after_legal_form && word.starts_with('/') {
            continue;
        }
        match word.split_once('/') {
            Some((head, _)) if is_legal(head) => {
                out.push(head);
                after_legal_form = true;
            }
            _ => {
                after_legal_form = is_legal(word.trim_end_matches(','));
                out.push(word);
            }
        }
    }
    out.join(" ")
}

/// What a Chinese bond's full name says about the issue rather than the issuer.
const CHINESE_ISSUE_PHRASES: &[&str] = &[
    "面向合格投资者",
    "非公开发行",
    "公开发行",
    "超短期融资券",
    "短期融资券",
    "中期票据",
    "企业债券",
    "公司债券",
    "一般债券",
    "债券",
];

/// A description with a coupon (`3.5%`) or a maturity (`07/25`, `12/15/2030`) names a bond.
fn looks_like_bond(text: &str) -> bool {
    text.split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| c == ',' || c == '(' || c == ')');
        (w.ends_with('%') && w[..w.len() - 1].parse::<f32>().is_ok()) || is_date(w)
    })
}

/// A coupon, a maturity date or a year in a bond description.
fn is_bond_figure(word: &str) -> bool {
    let w = word.trim_matches(|c: char| c == ',' || c == '(' || c == ')');
    if let Some(rate) = w.strip_suffix('%') {
        return rate.parse::<f32>().is_ok();
    }
    is_date(w) || (w.len() == 4 && w.starts_with("20") && w.bytes().all(|b| b.is_ascii_digit()))
}

/// `07/25`, `7/1/30`, `12/15/2030`.
fn is_date(w: &str) -> bool {
    let parts: Vec<&str> = w.split('/').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// US states (and `new`, for a successor company) that 13F tables write after the legal form:
/// "FORD MTR CO DEL", "GAP INC DEL", "NEWS CORP NEW", "HP INC /DE/". Sorted.
const STATE_MARKS: &[&str] = &[
    "ariz", "calif", "colo", "conn", "de", "del", "fla", "ga", "ill", "ind", "md", "mass", "mich",
    "minn", "mo", "nev", "new", "nj", "ny", "ohio", "okla", "ore", "pa", "tenn", "tex", "va",
    "wash", "wis",
];

/// Drops a state of incorporation written after a legal form ("co del" → "co"); the legal form
/// itself goes on the next turn of the caller's loop. A state word elsewhere is a name word.
fn drop_state_of_incorporation(tokens: &mut Vec<String>) {
    let n = tokens.len();
    if n > 2
        && STATE_MARKS.binary_search(&tokens[n - 1].as_str()).is_ok()
        && LEGAL_FORMS.contains(&tokens[n - 2].as_str())
    {
        tokens.pop();
    }
}

/// Joins a legal form spelt out in single letters at the end ("SIEMENS A G", "PHILIPS N V")
/// and drops it.
fn drop_spelt_out_legal_form(tokens: &mut Vec<String>) {
    let n = tokens.len();
    if n > 2 && tokens[n - 2..].iter().all(|t| t.chars().count() == 1) {
        let joined = tokens[n - 2..].concat();
        if LEGAL_FORMS.contains(&joined.as_str()) {
            tokens.truncate(n - 2);
        }
    }
}

/// Removes Chinese legal-form suffixes from a token, never leaving it empty. The longest form
/// that ends the token wins, so 有限责任公司 is removed whole rather than as 公司.
fn strip_chinese_legal_form(token: &mut String) {
    while let Some(form) = CHINESE_LEGAL_FORMS.iter().find(|f| token.ends_with(**f)) {
        if token.len() == form.len() {
            return;
        }
        token.truncate(token.len() - form.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_legal_forms_and_share_classes() {
        let cases = [
            (
                "Hangzhou Hikvision Digital Technology Co., Ltd.",
                "hangzhou hikvision digital technology",
            ),
            (
                "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO LTD-A",
                "hangzhou hikvision digital technology",
            ),
            ("CHINA CONSTRUCTION BANK CORP H", "china construction bank"),
            ("Daqo New Energy Corp. Sponsored ADR", "daqo new energy"),
            ("META PLATFORMS INC CLASS A", "meta platforms"),
            (
                "Sichuan Yuan'an Pharmaceutical Co., Ltd.",
                "sichuan yuanan pharmaceutical",
            ),
            ("新疆中泰化学股份有限公司", "新疆中泰化学"),
            ("新疆中泰（集团）有限责任公司", "新疆中泰 集团"),
            ("ＸＩＮＪＩＡＮＧ  Zhongtai", "xinjiang zhongtai"),
            ("Co., Ltd.", "co"),
            (
                "ALIBABA GROUP HLDG LTD SPONSORED ADS",
                "alibaba group holdings",
            ),
            (
                "TENCENT HLDGS LTD ADR ISIN#US88032Q1094",
                "tencent holdings",
            ),
            (
                "XINJIANG ZHONGTAI CHEMICAL 3.5% 07/25",
                "xinjiang zhongtai chemical",
            ),
            (
                "China Xinjian Group 3.80% notes due 2027",
                "china xinjian group",
            ),
            ("新疆中泰化學股份有限公司", "新疆中泰化学"),
            ("*ST八钢", "八钢"),
            ("G双良", "双良"),
            ("XD海尔智", "海尔智"),
            ("N盛泰", "盛泰"),
            ("TCL科技", "tcl科技"),
            ("3M CO", "3m"),
            ("FORD MTR CO DEL", "ford motor"),
            ("NEWS CORP NEW", "news"),
            ("HP INC /DE/", "hp"),
            ("SIEMENS A G", "siemens"),
            ("Sharp Corp./Japan", "sharp"),
            ("COCA COLA CO/THE", "coca cola"),
            // A state word that is not after a legal form is part of the name.
            ("NEW YORK TIMES CO", "new york times"),
            ("DELTA AIR LINES INC DEL", "delta air lines"),
            ("AT/T INC", "at t"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_name(raw), want, "{raw}");
        }
    }

    #[test]
    fn place_names_are_kept() {
        assert_ne!(
            normalize_name("Xinjiang Zhongtai Chemical Co., Ltd."),
            normalize_name("Zhongtai Chemical Co., Ltd.")
        );
    }

    #[test]
    fn marks_brought_together_by_a_dropped_apostrophe_are_in_canonical_order() {
        // Found by the property below: U+10376 (combining class 230) and U+064B (27) meet once
        // the backtick between them is dropped.
        for raw in ["\u{10376}`\u{64b}", "\u{64b}'\u{10376}x"] {
            let once = normalize_name(raw);
            assert_eq!(normalize_name(&once), once, "{raw:?}");
        }
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent(raw in "\\PC{0,40}") {
            let once = normalize_name(&raw);
            prop_assert_eq!(normalize_name(&once), once.clone());
        }

        #[test]
        fn idempotent_on_name_like_text(
            words in proptest::collection::vec("[A-Za-z]{1,8}|Co\\.|Ltd\\.|INC|-A|公司|股份有限公司|（集团）", 0..8)
        ) {
            let raw = words.join(" ");
            let once = normalize_name(&raw);
            prop_assert_eq!(normalize_name(&once), once.clone());
        }
    }
}
