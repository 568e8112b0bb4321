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
/// use xjscan::ingest::{Amount, DecimalMark, parse_amount};
///
/// assert_eq!(parse_amount("(1,200.50)", DecimalMark::Dot), Amount::Value(Decimal::new(-120050, 2)));
/// assert_eq!(parse_amount("1.234", DecimalMark::Comma), Amount::Value(Decimal::new(1234, 0)));
/// assert_eq!(parse_amount("-", DecimalMark::Dot), Amount::Missing);
/// ```
///
/// `mark` is the file's decimal separator, decided once for the whole file
/// ([`decide_mark`]): one file never reads `1.234` as 1.234 on one line and `2.500,00` as 2500
/// on the next. [`DecimalMark::Either`] reads each cell on its own (a value typed on the
/// command line).
pub fn parse_amount(raw: &str, mark: DecimalMark) -> Amount {
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
    let normalised = match normalise_separators(&compact, mark) {
        Some(n) => n,
        None if mark == DecimalMark::Either => return invalid(),
        None => {
            return Amount::Invalid(format!(
                "`{trimmed}` is not a number written with `{}` as the decimal separator, as this file's numbers are",
                mark.decimal()
            ));
        }
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

/// The decimal separator of a file's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalMark {
    /// `1,234.56`: `.` separates decimals, `,` thousands.
    Dot,
    /// `1.234,56`: `,` separates decimals, `.` thousands.
    Comma,
    /// Decided cell by cell: the last of `.` and `,` separates decimals when both are there,
    /// commas alone are thousands.
    Either,
}

impl DecimalMark {
    fn decimal(self) -> char {
        match self {
            DecimalMark::Comma => ',',
            DecimalMark::Dot | DecimalMark::Either => '.',
        }
    }
}

/// What one cell says about its file's decimal separator: `Some` only when the cell cannot be
/// read the other way (`2.500,00`, `12,5`, `1.5`, `1,234,567`); `1.234` and `1,234` say nothing.
pub fn mark_shown_by(raw: &str) -> Option<DecimalMark> {
    let digits: String = raw
        .chars()
        .take_while(|c| !matches!(c, 'e' | 'E'))
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        .collect();
    let (last_comma, last_dot) = (digits.rfind(','), digits.rfind('.'));
    let after = |i: usize| digits.len() - i - 1;
    match (last_comma, last_dot) {
        (Some(c), Some(d)) => Some(if c > d {
            DecimalMark::Comma
        } else {
            DecimalMark::Dot
        }),
        (Some(_), None) if digits.matches(',').count() > 1 => Some(DecimalMark::Dot),
        (Some(c), None) => (after(c) != 3).then_some(DecimalMark::Comma),
        (None, Some(_)) if digits.matches('.').count() > 1 => Some(DecimalMark::Comma),
        (None, Some(d)) => (after(d) != 3).then_some(DecimalMark::Dot),
        (None, None) => None,
    }
}

/// Decides a file's decimal separator from its number cells: the separator the cells show
/// (the more common one if they disagree; the others are then rejected as not numbers of this
/// file), else `default` (`,` for `;`-separated files, as European exports write them).
/// Returns the mark and, for the report, how it was decided (nothing to say when the file reads
/// the ordinary way: `.` decimals, as expected, every cell agreeing).
pub fn decide_mark<'a>(
    cells: impl Iterator<Item = (u64, &'a str)>,
    default: DecimalMark,
) -> (DecimalMark, Option<String>) {
    let (mut dot, mut comma) = (None::<(u64, &str)>, None::<(u64, &str)>);
    let (mut dots, mut commas) = (0u64, 0u64);
    for (line, cell) in cells {
        match mark_shown_by(cell) {
            Some(DecimalMark::Dot) => {
                dots += 1;
                dot.get_or_insert((line, cell));
            }
            Some(DecimalMark::Comma) => {
                commas += 1;
                comma.get_or_insert((line, cell));
            }
            _ => {}
        }
    }
    let (mark, first) = match (dots, commas) {
        (0, 0) => (default, None),
        (d, c) if c > d => (DecimalMark::Comma, comma),
        _ => (DecimalMark::Dot, dot),
    };
    let name = match mark {
        DecimalMark::Comma => "`,` (thousands `.`)",
        DecimalMark::Dot | DecimalMark::Either => "`.` (thousands `,`)",
    };
    let how = match first {
        Some((line, cell)) => format!("as line {line} shows: `{}`", cell.trim()),
        None if default == DecimalMark::Comma => {
            "no number shows it; `;`-separated files write decimals with `,`".to_string()
        }
        None => "no number shows otherwise".to_string(),
    };
    let conflict = if dots > 0 && commas > 0 {
        format!(
            "; {} cell(s) written the other way are rejected",
            dots.min(commas)
        )
    } else {
        String::new()
    };
    let ordinary = mark == DecimalMark::Dot && default == DecimalMark::Dot && conflict.is_empty();
    (
        mark,
        (!ordinary).then(|| format!("decimal separator {name}, {how}{conflict}")),
    )
}

/// Turns a number with thousands separators into plain `1234.56` form, or `None` if the
/// separators are not used as `mark` says (which usually means the cell is not one number).
fn normalise_separators(s: &str, mark: DecimalMark) -> Option<String> {
    let (thousands, decimal) = match mark {
        DecimalMark::Dot => (Some(','), '.'),
        DecimalMark::Comma => (Some('.'), ','),
        DecimalMark::Either => match (s.matches(',').count(), s.matches('.').count()) {
            (0, _) => (None, '.'),
            (_, 0) => (Some(','), '.'),
            // Both present: whichever comes last is the decimal separator.
            _ if s.rfind(',') > s.rfind('.') => (Some('.'), ','),
            _ => (Some(','), '.'),
        },
    };
    let (int_part, frac_part) = match s.rfind(decimal) {
        // Nothing but digits after the decimal separator (`2.500,00` is not a `.` number).
        Some(i) if s.matches(decimal).count() == 1 && !s[i + 1..].contains([',', '.']) => {
            (&s[..i], Some(&s[i + 1..]))
        }
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
pub fn parse_percent(raw: &str, mark: DecimalMark) -> Option<Decimal> {
    let t = raw.trim().trim_end_matches('%').trim();
    if t.starts_with(['<', '>']) {
        return None;
    }
    match parse_amount(t, mark) {
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
        match parse_amount(raw, DecimalMark::Either) {
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
        assert_eq!(
            parse_amount("12,5", DecimalMark::Comma),
            Amount::Value(dec("12.5"))
        );
        assert_eq!(
            parse_amount("12,5", DecimalMark::Either),
            Amount::Invalid("`12,5` is not a number".into())
        );
    }

    /// One separator for the whole file: in a decimal-comma file `1.234` is 1234, as `2.500,00`
    /// is 2500, never 1.234 (a silent 1000x understatement).
    #[test]
    fn one_decimal_mark_per_file() {
        let cells = [(2, "2.500,00"), (3, "1.234"), (4, "17")];
        let (mark, how) = decide_mark(cells.iter().copied(), DecimalMark::Comma);
        assert_eq!(mark, DecimalMark::Comma);
        assert_eq!(
            how.as_deref(),
            Some("decimal separator `,` (thousands `.`), as line 2 shows: `2.500,00`")
        );
        for (raw, want) in [("2.500,00", "2500.00"), ("1.234", "1234"), ("12,5", "12.5")] {
            assert_eq!(parse_amount(raw, mark), Amount::Value(dec(want)), "{raw}");
        }
        assert_eq!(
            parse_amount("1.5", DecimalMark::Comma),
            Amount::Invalid(
                "`1.5` is not a number written with `,` as the decimal separator, as this file's numbers are".into()
            )
        );
        // A `;` file whose numbers show a dot reads them with a dot.
        let (mark, how) = decide_mark(
            [(5, "1234.5"), (6, "1,234")].into_iter(),
            DecimalMark::Comma,
        );
        assert_eq!(mark, DecimalMark::Dot);
        assert_eq!(
            how.as_deref(),
            Some("decimal separator `.` (thousands `,`), as line 5 shows: `1234.5`")
        );
        assert_eq!(parse_amount("1,234", mark), Amount::Value(dec("1234")));
        assert_eq!(
            parse_amount("2.500,00", mark),
            Amount::Invalid(
                "`2.500,00` is not a number written with `.` as the decimal separator, as this file's numbers are".into()
            )
        );
        // Only ambiguous cells: the delimiter's convention, said so.
        let (mark, how) = decide_mark([(2, "1.234")].into_iter(), DecimalMark::Comma);
        assert_eq!(mark, DecimalMark::Comma);
        assert_eq!(
            how.as_deref(),
            Some(
                "decimal separator `,` (thousands `.`), no number shows it; `;`-separated files write decimals with `,`"
            )
        );
        // Disagreeing cells: the majority decides and the report counts the others.
        let (mark, how) = decide_mark(
            [(2, "1,5"), (3, "2,25"), (4, "3.5")].into_iter(),
            DecimalMark::Dot,
        );
        assert_eq!(mark, DecimalMark::Comma);
        assert!(
            how.unwrap()
                .ends_with("; 1 cell(s) written the other way are rejected")
        );
        // An ordinary file has nothing to report.
        let (mark, how) = decide_mark([(2, "1,234.50")].into_iter(), DecimalMark::Dot);
        assert_eq!((mark, how), (DecimalMark::Dot, None));
    }

    proptest! {
        /// Whatever the mark, a cent amount written in that file's convention reads back
        /// exactly, and the cell never reads as a different number under the other mark.
        #[test]
        fn both_marks_round_trip(cents in 0i64..10_000_000_000_000i64, comma in any::<bool>()) {
            let v = Decimal::new(cents, 2);
            let plain = v.to_string();
            let (int, frac) = plain.split_once('.').unwrap_or((&plain, "00"));
            let (sep, dec_sep, mark) = if comma { ('.', ',', DecimalMark::Comma) } else { (',', '.', DecimalMark::Dot) };
            let mut grouped = String::new();
            for (i, c) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % 3 == 0 { grouped.push(sep); }
                grouped.push(c);
            }
            let text = format!("{grouped}{dec_sep}{frac}");
            prop_assert_eq!(parse_amount(&text, mark), Amount::Value(v));
            let other = if comma { DecimalMark::Dot } else { DecimalMark::Comma };
            prop_assert!(!matches!(parse_amount(&text, other), Amount::Value(x) if x != v));
        }
    }

    #[test]
    fn placeholders_are_missing_and_text_is_invalid() {
        for m in ["", "-", " — ", "N/A", "nan"] {
            assert_eq!(parse_amount(m, DecimalMark::Either), Amount::Missing, "{m}");
        }
        assert_eq!(
            parse_amount("abc", DecimalMark::Either),
            Amount::Invalid("`abc` is not a number".into())
        );
        assert_eq!(
            parse_amount("12abc", DecimalMark::Either),
            Amount::Invalid("`12abc` is not a number".into())
        );
        assert_eq!(
            parse_amount("1,2,3", DecimalMark::Either),
            Amount::Invalid("`1,2,3` is not a number".into())
        );
        assert_eq!(
            parse_amount("1.2.3", DecimalMark::Either),
            Amount::Invalid("`1.2.3` is not a number".into())
        );
    }

    #[test]
    fn percents() {
        assert_eq!(
            parse_percent("3.20%", DecimalMark::Either),
            Some(dec("3.20"))
        );
        assert_eq!(parse_percent("<0.01%", DecimalMark::Either), None);
        assert_eq!(parse_percent("10,5", DecimalMark::Comma), Some(dec("10.5")));
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
            prop_assert_eq!(parse_amount(&text, DecimalMark::Either), Amount::Value(v));
        }
    }
}
