//! Parsing amounts as written in holdings exports into exact decimals.
//!
//! Exports write money for people, not machines: `"1,234,567.89"`, `$653,892,444.12`, `(1,200.00)`
//! for a negative, `-` or an empty cell for nothing, `1.5E+06` after a spreadsheet touched it,
//! and `1.234,56` in European locales. Each form is parsed exactly into `rust_decimal::Decimal`;
//! nothing passes through a float.

use rust_decimal::Decimal;

/// The result of reading one amount cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Amount {
    /// The cell holds a number.
    Value(Decimal),
    /// The cell is empty or a placeholder such as `-`, `N/A`.
    Missing,
    /// The cell holds text that is not a number; the reason says why.
    Invalid(String),
}

/// Placeholders that mean "no value" in the exports we read.
const MISSING: &[&str] = &[
    "", "-", "--", "---", "—", "–", "n/a", "na", "nan", "null", "none", "#n/a",
];

/// Currency markers stripped from amounts: symbols and ISO codes that exports prepend or append.
const CURRENCY_MARKERS: &[&str] = &[
    "US$", "HK$", "NT$", "A$", "C$", "S$", "R$", "$", "€", "£", "¥", "￥", "₩", "₹", "USD", "EUR",
    "GBP", "HKD", "CNY", "RMB", "JPY",
];

/// Parses an amount cell.
///
/// # Example
///
/// ```
/// use rust_decimal::Decimal;
/// use xjscan::ingest::{Amount, parse_amount};
///
/// assert_eq!(parse_amount("(1,200.50)", false), Amount::Value(Decimal::new(-120050, 2)));
/// assert_eq!(parse_amount("-", false), Amount::Missing);
/// ```
///
/// `decimal_comma` says the file uses `,` as its decimal separator
/// (as files delimited by `;` usually do), which only matters when a number has commas but no dot.
pub fn parse_amount(raw: &str, decimal_comma: bool) -> Amount {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}');
    if MISSING.contains(&trimmed.to_lowercase().as_str()) {
        return Amount::Missing;
    }
    let invalid = || Amount::Invalid(format!("`{trimmed}` is not a number"));

    let mut s: &str = trimmed;
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    // Sign and currency marker may come in either order: `-$5`, `$-5`, `USD -5`.
    let mut text: &str = s;
    for _ in 0..3 {
        let t = text.trim();
        if let Some(rest) = t.strip_prefix('-').or_else(|| t.strip_prefix('\u{2212}')) {
            negative = !negative;
            text = rest;
        } else if let Some(rest) = t.strip_prefix('+') {
            text = rest;
        } else if let Some(rest) = CURRENCY_MARKERS
            .iter()
            .find_map(|m| t.strip_prefix(m).or_else(|| t.strip_suffix(m)))
        {
            text = rest;
        } else {
            text = t;
            break;
        }
    }
    // A trailing minus (`1,200.00-`) is how some mainframe reports write negatives.
    if let Some(rest) = text.trim().strip_suffix('-') {
        negative = !negative;
        text = rest;
    }
    // Spaces, non-breaking spaces and apostrophes are thousands separators in some locales.
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}' && *c != '\'')
        .collect();
    if compact.is_empty()
        || !compact.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return invalid();
    }
    let normalised = match normalise_separators(&compact, decimal_comma) {
        Some(n) => n,
        None => return invalid(),
    };
    let parsed = if normalised.contains(['e', 'E']) {
        Decimal::from_scientific(&normalised)
    } else {
        Decimal::from_str_exact(&normalised)
    };
    match parsed {
        Ok(v) => Amount::Value(if negative { -v } else { v }),
        Err(_) => invalid(),
    }
}

/// Turns a number with thousands separators into plain `1234.56` form, or `None` if the
/// separators are not used consistently (which usually means the cell is not one number).
fn normalise_separators(s: &str, decimal_comma: bool) -> Option<String> {
    let commas = s.matches(',').count();
    let dots = s.matches('.').count();
    let (thousands, decimal) = match (commas, dots) {
        (0, _) => (None, '.'),
        (_, 0) if decimal_comma && commas == 1 => (None, ','),
        (_, 0) => (Some(','), '.'),
        _ => {
            // Both present: whichever comes last is the decimal separator.
            if s.rfind(',') > s.rfind('.') {
                (Some('.'), ',')
            } else {
                (Some(','), '.')
            }
        }
    };
    let (int_part, frac_part) = match s.rfind(decimal) {
        Some(i) if s.matches(decimal).count() == 1 => (&s[..i], Some(&s[i + 1..])),
        Some(_) => return None,
        None => (s, None),
    };
    let mut out = String::with_capacity(s.len());
    match thousands {
        Some(sep) if int_part.contains(sep) => {
            let groups: Vec<&str> = int_part.split(sep).collect();
            let first_ok = !groups[0].is_empty() && groups[0].len() <= 3;
            if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
                return None;
            }
            out.extend(groups);
        }
        _ => out.push_str(int_part),
    }
    if let Some(frac) = frac_part {
        out.push('.');
        out.push_str(frac);
    }
    if out.starts_with('.') {
        out.insert(0, '0');
    }
    Some(out)
}

/// Parses a weight cell (`4.74`, `3.20%`, `<0.01%`). A bound such as `<0.01` is not a weight we
/// can use, so it reads as missing rather than as a number it is not.
pub fn parse_percent(raw: &str, decimal_comma: bool) -> Option<Decimal> {
    let t = raw.trim().trim_end_matches('%').trim();
    if t.starts_with(['<', '>']) {
        return None;
    }
    match parse_amount(t, decimal_comma) {
        Amount::Value(v) => Some(v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn value(raw: &str) -> Decimal {
        match parse_amount(raw, false) {
            Amount::Value(v) => v,
            other => panic!("{raw}: {other:?}"),
        }
    }

    #[test]
    fn formats_seen_in_exports() {
        assert_eq!(value("914,893,084.20"), dec("914893084.20"));
        assert_eq!(value("$653,892,444.12"), dec("653892444.12"));
        assert_eq!(value("(1,200.50)"), dec("-1200.50"));
        assert_eq!(value("-$5.00"), dec("-5.00"));
        assert_eq!(value("USD 1,000"), dec("1000"));
        assert_eq!(value("1.234.567,89"), dec("1234567.89"));
        assert_eq!(value("1 234 567.89"), dec("1234567.89"));
        assert_eq!(value("1.5E+06"), dec("1500000"));
        assert_eq!(value(".5"), dec("0.5"));
        assert_eq!(value("1,200.00-"), dec("-1200.00"));
        assert_eq!(value("\u{a0}42\u{a0}"), dec("42"));
    }

    #[test]
    fn decimal_comma_only_when_the_file_uses_it() {
        assert_eq!(value("1,234"), dec("1234"));
        assert_eq!(parse_amount("12,5", true), Amount::Value(dec("12.5")));
        assert_eq!(
            parse_amount("12,5", false),
            Amount::Invalid("`12,5` is not a number".into())
        );
    }

    #[test]
    fn placeholders_are_missing_and_text_is_invalid() {
        for m in ["", "-", " — ", "N/A", "nan"] {
            assert_eq!(parse_amount(m, false), Amount::Missing, "{m}");
        }
        assert_eq!(
            parse_amount("abc", false),
            Amount::Invalid("`abc` is not a number".into())
        );
        assert_eq!(
            parse_amount("12abc", false),
            Amount::Invalid("`12abc` is not a number".into())
        );
        assert_eq!(
            parse_amount("1,2,3", false),
            Amount::Invalid("`1,2,3` is not a number".into())
        );
        assert_eq!(
            parse_amount("1.2.3", false),
            Amount::Invalid("`1.2.3` is not a number".into())
        );
    }

    #[test]
    fn percents() {
        assert_eq!(parse_percent("3.20%", false), Some(dec("3.20")));
        assert_eq!(parse_percent("<0.01%", false), None);
        assert_eq!(parse_percent("10,5", true), Some(dec("10.5")));
    }

    proptest! {
        /// Any cent amount written with thousands separators, a currency sign or parentheses
        /// reads back exactly.
        #[test]
        fn formatted_cents_round_trip(cents in -10_000_000_000_000i64..10_000_000_000_000i64) {
            let v = Decimal::new(cents, 2);
            let plain = v.abs().to_string();
            let (int, frac) = plain.split_once('.').unwrap_or((&plain, "00"));
            let mut grouped = String::new();
            for (i, c) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % 3 == 0 { grouped.push(','); }
                grouped.push(c);
            }
            let text = if v.is_sign_negative() && !v.is_zero() {
                format!("(${grouped}.{frac})")
            } else {
                format!("${grouped}.{frac}")
            };
            prop_assert_eq!(parse_amount(&text, false), Amount::Value(v));
        }
    }
}
