//! Name normalisation for exact matching of issuer names against entity names and aliases.
//!
//! Two spellings of one company differ in width, case, punctuation, legal form and share-class
//! suffix ("HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD. -A" vs "Hangzhou Hikvision Digital
//! Technology Co., Ltd."). Normalising both sides the same way lets an exact lookup find them.
//! Place names such as Xinjiang are kept: they are evidence, not noise.
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
];

/// Chinese legal forms dropped from the end of a name, longest first.
const CHINESE_LEGAL_FORMS: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "公司",
];

/// Normalises an issuer or entity name for exact comparison.
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
    // characters NFKC would change again, so fold once more after it.
    let folded: String = raw.nfkc().flat_map(char::to_lowercase).nfkc().collect();
    let mut text = String::with_capacity(folded.len());
    for c in folded.chars() {
        match c {
            // Apostrophes join: "Yuan'an" and "Yuanan" are one spelling.
            '\'' | '\u{2019}' | '`' => {}
            '&' => text.push_str(" and "),
            c if c.is_alphanumeric() => text.push(c),
            _ => text.push(' '),
        }
    }
    let mut tokens: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    loop {
        let before = tokens.len();
        if let Some(last) = tokens.last_mut() {
            strip_chinese_legal_form(last);
        }
        if tokens.len() > 1
            && tokens.last().is_some_and(|t| {
                LEGAL_FORMS.contains(&t.as_str())
                    || SHARE_CLASS.contains(&t.as_str())
                    || CHINESE_LEGAL_FORMS.contains(&t.as_str())
            })
        {
            tokens.pop();
        }
        if tokens.len() == before {
            break;
        }
    }
    tokens.join(" ")
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
