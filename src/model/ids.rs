//! Security and entity identifiers as validated newtypes.
//!
//! An identifier is only useful for matching when it is the identifier it claims to be, so each
//! type checks its shape and check digit on construction (`FromStr`). A value that fails is never
//! silently used: the reader turns it into a warning and the holding falls back to name matching.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// Why a string is not a valid identifier of a given scheme.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {scheme}: {reason}")]
pub struct IdError {
    pub scheme: &'static str,
    pub value: String,
    pub reason: &'static str,
}

fn id_error(scheme: &'static str, value: &str, reason: &'static str) -> IdError {
    IdError {
        scheme,
        value: value.to_string(),
        reason,
    }
}

/// Upper-cases and strips the spaces and hyphens people put into identifiers when they copy them.
fn compact(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Value of an alphanumeric character in the ISIN/CUSIP/LEI alphabets: 0-9, then A=10 … Z=35.
fn alnum_value(c: char) -> Option<u32> {
    c.to_digit(36)
}

/// A short ASCII text kept inline, for identifiers of bounded length: a holdings file of
/// millions of rows then carries its ISINs and CUSIPs without a heap allocation each. Bytes
/// come first and unused ones are zero, so the derived order is the text's order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InlineAscii<const N: usize> {
    bytes: [u8; N],
    len: u8,
}

impl<const N: usize> InlineAscii<N> {
    /// `None` when the text is longer than `N` bytes or not ASCII (validated identifiers are
    /// both short and ASCII, so their parsers never see `None`).
    fn new(text: &str) -> Option<Self> {
        if text.len() > N || !text.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; N];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Some(InlineAscii {
            bytes,
            len: u8::try_from(text.len()).ok()?,
        })
    }

    fn as_str(&self) -> &str {
        // Only ASCII is stored, so this never fails; an empty text would be the fallback.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl<const N: usize> fmt::Debug for InlineAscii<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Builds an inline identifier from text its parser has validated (ASCII, at most `N` bytes).
fn inline<const N: usize>(
    scheme: &'static str,
    raw: &str,
    text: &str,
) -> Result<InlineAscii<N>, IdError> {
    InlineAscii::new(text).ok_or_else(|| id_error(scheme, raw, "unexpected character"))
}

macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            /// The canonical (upper-case, compact) text of the identifier.
            pub fn as_str(&self) -> &str {
                self.0.as_ref()
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

impl<const N: usize> AsRef<str> for InlineAscii<N> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// ISO 6166 International Securities Identification Number: 2-letter country, 9 alphanumerics,
/// and a Luhn check digit computed over the letters expanded to two-digit numbers.
///
/// # Example
///
/// ```
/// use xjscan::model::ids::Isin;
///
/// let isin: Isin = "CNE100000PM8".parse().unwrap();
/// assert_eq!(isin.country(), "CN");
/// assert!("CNE100000PM9".parse::<Isin>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Isin(InlineAscii<12>);
string_newtype!(Isin);

impl FromStr for Isin {
    type Err = IdError;
    fn from_str(raw: &str) -> Result<Self, IdError> {
        const S: &str = "ISIN";
        let v = compact(raw);
        if v.len() != 12 || !v.is_ascii() {
            return Err(id_error(S, raw, "expected 12 characters"));
        }
        let bytes = v.as_bytes();
        if !bytes[..2].iter().all(u8::is_ascii_uppercase) {
            return Err(id_error(S, raw, "expected a two-letter country code"));
        }
        if !bytes.iter().all(u8::is_ascii_alphanumeric) || !bytes[11].is_ascii_digit() {
            return Err(id_error(S, raw, "unexpected character"));
        }
        // Expand letters to their two-digit values, then run Luhn over the digit string.
        let mut digits = Vec::with_capacity(24);
        for c in v[..11].chars() {
            let n = alnum_value(c).ok_or_else(|| id_error(S, raw, "unexpected character"))?;
            if n >= 10 {
                digits.push(n / 10);
            }
            digits.push(n % 10);
        }
        let check = luhn_check_digit(&digits);
        if Some(check) != v[11..].chars().next().and_then(|c| c.to_digit(10)) {
            return Err(id_error(S, raw, "check digit does not match"));
        }
        Ok(Isin(inline(S, raw, &v)?))
    }
}

/// Luhn check digit for a digit string that does not yet include it.
fn luhn_check_digit(digits: &[u32]) -> u32 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                let x = d * 2;
                x / 10 + x % 10
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

impl Isin {
    /// True when the twelve bytes parse as an ISIN ([`Isin::from_str`]'s answer), checked
    /// without an allocation for the usual form (capitals and digits): a data set's
    /// identifiers table holds millions.
    pub fn is_well_formed(bytes: &[u8; 12]) -> bool {
        let plain = bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && bytes[11].is_ascii_digit();
        if !plain {
            return std::str::from_utf8(bytes).is_ok_and(|s| s.parse::<Isin>().is_ok());
        }
        let mut digits = [0u32; 22];
        let mut n = 0;
        for b in &bytes[..11] {
            let v = u32::from(if b.is_ascii_digit() {
                b - b'0'
            } else {
                b - b'A' + 10
            });
            if v >= 10 {
                digits[n] = v / 10;
                n += 1;
            }
            digits[n] = v % 10;
            n += 1;
        }
        luhn_check_digit(&digits[..n]) == u32::from(bytes[11] - b'0')
    }

    /// The ISIN's country prefix (`US`, `CN`, `KY`, …).
    pub fn country(&self) -> &str {
        &self.as_str()[..2]
    }

    /// The CUSIP inside a US or Canadian ISIN (`US` + CUSIP + check digit); `None` for other
    /// countries, whose ISINs wrap national numbers that are not CUSIPs.
    ///
    /// ```
    /// use xjscan::model::ids::Isin;
    ///
    /// let isin: Isin = "US0378331005".parse().unwrap();
    /// assert_eq!(isin.cusip().unwrap().as_str(), "037833100");
    /// ```
    pub fn cusip(&self) -> Option<Cusip> {
        matches!(self.country(), "US" | "CA")
            .then(|| self.as_str()[2..11].parse().ok())
            .flatten()
    }
}

impl Cusip {
    /// The ISIN a US or Canadian security with this CUSIP carries: the country code, the CUSIP
    /// and a computed check digit. Which country applies is not knowable from the CUSIP alone,
    /// so callers look both up and use only one the reference data actually records.
    ///
    /// ```
    /// use xjscan::model::ids::Cusip;
    ///
    /// let cusip: Cusip = "037833100".parse().unwrap();
    /// assert_eq!(cusip.to_isin("US").unwrap().as_str(), "US0378331005");
    /// ```
    pub fn to_isin(&self, country: &str) -> Option<Isin> {
        if !matches!(country, "US" | "CA") {
            return None;
        }
        // Only the check digit is unknown: compute it (Luhn over the digits, letters expanded).
        let base = format!("{country}{}", self.as_str());
        let mut digits = Vec::with_capacity(22);
        for c in base.chars() {
            let n = alnum_value(c)?;
            if n >= 10 {
                digits.push(n / 10);
            }
            digits.push(n % 10);
        }
        format!("{base}{}", luhn_check_digit(&digits)).parse().ok()
    }
}

/// CUSIP (and CINS) 9-character North American security identifier with its mod-10 check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cusip(InlineAscii<9>);
string_newtype!(Cusip);

impl FromStr for Cusip {
    type Err = IdError;
    fn from_str(raw: &str) -> Result<Self, IdError> {
        const S: &str = "CUSIP";
        let v = compact(raw);
        if v.len() != 9 || !v.is_ascii() {
            return Err(id_error(S, raw, "expected 9 characters"));
        }
        let mut sum = 0;
        for (i, c) in v[..8].chars().enumerate() {
            let mut n = match c {
                '*' => 36,
                '@' => 37,
                '#' => 38,
                c => alnum_value(c).ok_or_else(|| id_error(S, raw, "unexpected character"))?,
            };
            if i % 2 == 1 {
                n *= 2;
            }
            sum += n / 10 + n % 10;
        }
        let check = (10 - sum % 10) % 10;
        if Some(check) != v[8..].chars().next().and_then(|c| c.to_digit(10)) {
            return Err(id_error(S, raw, "check digit does not match"));
        }
        Ok(Cusip(inline(S, raw, &v)?))
    }
}

/// ISO 17442 Legal Entity Identifier: 20 alphanumerics, ISO 7064 MOD 97-10 checksum.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lei(InlineAscii<20>);
string_newtype!(Lei);

impl FromStr for Lei {
    type Err = IdError;
    fn from_str(raw: &str) -> Result<Self, IdError> {
        const S: &str = "LEI";
        let v = compact(raw);
        if v.len() != 20 || !v.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(id_error(S, raw, "expected 20 letters and digits"));
        }
        if mod97(&v) != Some(1) {
            return Err(id_error(S, raw, "check digits do not match"));
        }
        Ok(Lei(inline(S, raw, &v)?))
    }
}

/// The ISO 7064 MOD 97-10 remainder of an alphanumeric string (letters as 10..35).
fn mod97(v: &str) -> Option<u32> {
    let mut rem = 0u32;
    for c in v.chars() {
        let n = alnum_value(c)?;
        rem = if n >= 10 {
            (rem * 100 + n) % 97
        } else {
            (rem * 10 + n) % 97
        };
    }
    Some(rem)
}

/// China's 18-character Unified Social Credit Code (GB 32100-2015), check character mod 31.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(InlineAscii<18>);
string_newtype!(Uscc);

/// The USCC alphabet: digits and upper-case letters without I, O, S, V, Z.
const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

impl FromStr for Uscc {
    type Err = IdError;
    fn from_str(raw: &str) -> Result<Self, IdError> {
        const S: &str = "USCC";
        let v = compact(raw);
        if v.chars().count() != 18 {
            return Err(id_error(S, raw, "expected 18 characters"));
        }
        let values: Option<Vec<u32>> = v
            .chars()
            .map(|c| USCC_ALPHABET.find(c).map(|i| i as u32))
            .collect();
        let values = values.ok_or_else(|| id_error(S, raw, "unexpected character"))?;
        let sum: u32 = values[..17]
            .iter()
            .zip(USCC_WEIGHTS)
            .map(|(v, w)| v * w)
            .sum();
        let check = (31 - sum % 31) % 31;
        if values[17] != check {
            return Err(id_error(S, raw, "check character does not match"));
        }
        Ok(Uscc(inline(S, raw, &v)?))
    }
}

/// SEC Central Index Key, kept without leading zeros so `0001477641` and `1477641` compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cik(InlineAscii<10>);
string_newtype!(Cik);

impl FromStr for Cik {
    type Err = IdError;
    fn from_str(raw: &str) -> Result<Self, IdError> {
        let v = raw.trim();
        if v.is_empty() || v.len() > 10 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(id_error("CIK", raw, "expected up to 10 digits"));
        }
        let stripped = v.trim_start_matches('0');
        let text = if stripped.is_empty() { "0" } else { stripped };
        Ok(Cik(inline("CIK", raw, text)?))
    }
}

/// A listing: exchange (as an ISO 10383 MIC) and the symbol on that exchange, `XSHE:002415`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Listing(Box<str>);
string_newtype!(Listing);

impl Listing {
    /// Builds a listing from a MIC and a local symbol. Mainland China and Hong Kong codes are
    /// numeric and spreadsheets drop their leading zeros, so they are padded back here.
    pub fn new(mic: &str, symbol: &str) -> Result<Self, IdError> {
        let mic = mic.trim().to_ascii_uppercase();
        let symbol = symbol.trim().to_ascii_uppercase();
        if mic.len() != 4 || !mic.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(id_error("listing", &mic, "expected a 4-character MIC"));
        }
        if symbol.is_empty() || symbol.contains(char::is_whitespace) || symbol.contains(':') {
            return Err(id_error("listing", &symbol, "expected a ticker symbol"));
        }
        let all_digits = symbol.bytes().all(|b| b.is_ascii_digit());
        let symbol = match mic.as_str() {
            "XSHG" | "XSHE" if all_digits && symbol.len() < 6 => format!("{symbol:0>6}"),
            "XHKG" if all_digits && symbol.len() < 4 => format!("{symbol:0>4}"),
            "XKRX" if all_digits && symbol.len() < 6 => format!("{symbol:0>6}"),
            _ => symbol,
        };
        Ok(Listing(format!("{mic}:{symbol}").into_boxed_str()))
    }
}

impl FromStr for Listing {
    type Err = IdError;
    /// Parses the `MIC:SYMBOL` form used in `mappings/identifiers.csv`.
    fn from_str(raw: &str) -> Result<Self, IdError> {
        let (mic, symbol) = raw
            .split_once(':')
            .ok_or_else(|| id_error("listing", raw, "expected MIC:SYMBOL"))?;
        Listing::new(mic, symbol)
    }
}

/// Maps an exchange as written in holdings exports ("Shanghai Stock Exchange", "SSE", "SH",
/// "NYSE", a MIC) to its ISO 10383 MIC. Unknown names give `None`: a listing is only matched when
/// both sides name the same venue.
pub fn exchange_mic(raw: &str) -> Option<&'static str> {
    let key: String = raw
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let mic = match key.as_str() {
        "xshg" | "sse" | "sh" | "ss" | "shanghai" | "shanghaistockexchange" => "XSHG",
        "xshe" | "szse" | "sz" | "shenzhen" | "shenzhenstockexchange" => "XSHE",
        "xhkg"
        | "hkex"
        | "hk"
        | "sehk"
        | "hongkong"
        | "hongkongstockexchange"
        | "hongkongexchangesandclearingltd"
        | "stockexchangeofhongkong" => "XHKG",
        "xnys" | "nyse" | "newyorkstockexchange" | "newyorkstockexchangeinc" => "XNYS",
        "xnas" | "nasdaq" | "nasdaqgs" | "nasdaqgm" | "nasdaqcm" | "nasdaqglobalselect" => "XNAS",
        // The other venues of listed entities in the reference data, as iShares and Vanguard
        // exports write them. "TSE" is left out: it names Tokyo and Toronto alike.
        "xtks" | "tyo" | "tokyo" | "tokyostockexchange" => "XTKS",
        "xkrx" | "krx" | "koreaexchange" | "koreaexchangestockmarket" | "koreastockexchange" => {
            "XKRX"
        }
        "xtai" | "twse" | "taiwan" | "taiwanstockexchange" => "XTAI",
        "xetr" | "xetra" | "deutscheborsexetra" | "deutscheboersexetra" => "XETR",
        "xpar" | "euronextparis" | "nyseeuronexteuronextparis" => "XPAR",
        "xtse" | "tsx" | "toronto" | "torontostockexchange" => "XTSE",
        _ => return None,
    };
    Some(mic)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The allocation-free check gives the parser's answer on any twelve bytes: real
        /// ISINs with one character changed, lower case, spaces and punctuation.
        #[test]
        fn isin_quick_check_agrees_with_the_parser(
            base in proptest::sample::select(vec!["CNE100000PM8", "US0378331005", "KYG017191142", "DE0007664039"]),
            at in 0usize..12,
            with in proptest::sample::select(b"0123456789AZaz -/".to_vec()),
        ) {
            let mut bytes: [u8; 12] = base.as_bytes().try_into().unwrap();
            proptest::prop_assert!(Isin::is_well_formed(&bytes));
            bytes[at] = with;
            let parsed = std::str::from_utf8(&bytes).unwrap().parse::<Isin>().is_ok();
            proptest::prop_assert_eq!(Isin::is_well_formed(&bytes), parsed);
        }
    }

    #[test]
    fn isin_accepts_real_codes_and_rejects_bad_check_digits() {
        // From OFAC's NS-CMIC remarks (Hikvision, Meiya Pico) and an iShares export (Apple).
        for ok in [
            "CNE100000PM8",
            "CNE100001120",
            "US0378331005",
            "cne1 0000 0pm8",
        ] {
            assert!(ok.parse::<Isin>().is_ok(), "{ok}");
        }
        let err = "CNE100000PM9".parse::<Isin>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`CNE100000PM9` is not a valid ISIN: check digit does not match"
        );
        assert!("CNE100000PM".parse::<Isin>().is_err());
        assert!("12E100000PM8".parse::<Isin>().is_err());
    }

    #[test]
    fn cusip_check_digit() {
        for ok in ["037833100", "30303M102", "02079K107"] {
            assert!(ok.parse::<Cusip>().is_ok(), "{ok}");
        }
        assert!("037833101".parse::<Cusip>().is_err());
        assert!("03783310".parse::<Cusip>().is_err());
    }

    #[test]
    fn lei_checksum() {
        // GLEIF's own LEI.
        assert!("506700GE1G29325QX363".parse::<Lei>().is_ok());
        assert!("506700GE1G29325QX364".parse::<Lei>().is_err());
    }

    #[test]
    fn uscc_check_character() {
        // From OFAC's NS-CMIC remarks.
        for ok in [
            "91330000733796106P",
            "916501002999341738",
            "914403007954257495",
        ] {
            assert!(ok.parse::<Uscc>().is_ok(), "{ok}");
        }
        assert!("91330000733796106Q".parse::<Uscc>().is_err());
    }

    #[test]
    fn cik_drops_leading_zeros() {
        assert_eq!("0001477641".parse::<Cik>().unwrap().as_str(), "1477641");
        assert!("12a".parse::<Cik>().is_err());
    }

    #[test]
    fn listing_restores_leading_zeros() {
        assert_eq!(
            Listing::new("XSHE", "2415").unwrap().as_str(),
            "XSHE:002415"
        );
        assert_eq!(Listing::new("xhkg", "700").unwrap().as_str(), "XHKG:0700");
        assert_eq!("XNYS:DQ".parse::<Listing>().unwrap().as_str(), "XNYS:DQ");
        assert_eq!(exchange_mic("Shanghai Stock Exchange"), Some("XSHG"));
        assert_eq!(
            exchange_mic("Hong Kong Exchanges And Clearing Ltd"),
            Some("XHKG")
        );
        assert_eq!(exchange_mic("Bolsa de Valores"), None);
    }
}
