//! Currency conversion: every position valued in one base currency, with the rates file's
//! date and source recorded.
//!
//! The rates file (`--fx rates.csv`) has the columns `currency,rate` and optionally `date` and
//! `source`; `rate` is the value of one unit of `currency` in the base currency (`--base`,
//! USD by default). A currency without a rate is an error naming it and the first holding in
//! it, never a silent 1.0. Each position is converted and rounded to the cent (half away from
//! zero) before anything is added up, so totals are sums of the converted positions.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::model::Portfolio;
use crate::model::money::{self, checked_product};

/// A parsed rates file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rates {
    pub file: String,
    pub base: String,
    rates: BTreeMap<String, Rate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rate {
    pub currency: String,
    pub rate: Decimal,
    pub date: String,
    pub source: String,
}

/// What a conversion did, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FxSummary {
    pub file: String,
    pub base: String,
    /// The rates used, with the positions and value they converted.
    pub used: Vec<FxUse>,
    /// Positions without a currency, taken to be in the base currency.
    pub assumed_base: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FxUse {
    #[serde(flatten)]
    pub rate: Rate,
    pub positions: u64,
    pub original_value: Decimal,
    pub converted_value: Decimal,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FxError {
    #[error("{file}:{line}: {reason}")]
    Row {
        file: String,
        line: usize,
        reason: String,
    },
    #[error(
        "no exchange rate for {currency} in {file} (first holding in {currency}: {holding}); add a row `{currency},<rate in {base}>`"
    )]
    Missing {
        currency: String,
        file: String,
        base: String,
        holding: String,
    },
    #[error(
        "{holding}: {what} {value} × the {currency} rate {rate} from {file} passes 10^26, more than xjscan adds up exactly; check the value and the rate"
    )]
    TooLarge {
        holding: String,
        what: &'static str,
        value: Decimal,
        currency: String,
        rate: Decimal,
        file: String,
    },
    #[error(transparent)]
    Bound(#[from] crate::model::money::TooLarge),
}

fn currency_code(raw: &str) -> Option<String> {
    let code = raw.trim().to_ascii_uppercase();
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())).then_some(code)
}

/// Parses a rates file. `base` is the currency the rates convert into.
pub fn parse(file: &str, text: &str, base: &str) -> Result<Rates, FxError> {
    let err = |line: usize, reason: String| FxError::Row {
        file: file.to_string(),
        line,
        reason,
    };
    let base = currency_code(base).ok_or_else(|| {
        err(
            0,
            format!("base currency `{base}` is not a three-letter code"),
        )
    })?;
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().map_err(|e| err(1, e.to_string()))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(currency_col), Some(rate_col)) = (col("currency"), col("rate")) else {
        return Err(err(
            1,
            "expected columns currency and rate (and optionally date and source)".to_string(),
        ));
    };
    let (date_col, source_col) = (col("date"), col("source"));
    let mut rates = BTreeMap::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.map_err(|e| err(line, e.to_string()))?;
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").trim();
        let raw_currency = get(Some(currency_col));
        let currency = currency_code(raw_currency).ok_or_else(|| {
            err(
                line,
                format!("`{raw_currency}` is not a three-letter currency code"),
            )
        })?;
        let raw_rate = get(Some(rate_col));
        let rate: Decimal = raw_rate
            .parse()
            .ok()
            .filter(|r: &Decimal| *r > Decimal::ZERO)
            .ok_or_else(|| err(line, format!("rate `{raw_rate}` is not a positive number")))?;
        let entry = Rate {
            currency: currency.clone(),
            rate,
            date: get(date_col).to_string(),
            source: get(source_col).to_string(),
        };
        if rates.insert(currency.clone(), entry).is_some() {
            return Err(err(line, format!("a second rate for {currency}")));
        }
    }
    Ok(Rates {
        file: file.to_string(),
        base,
        rates,
    })
}

/// Converts every holding's value into the base currency, in place.
pub fn convert(portfolio: &mut Portfolio, rates: &Rates) -> Result<FxSummary, FxError> {
    let mut used: BTreeMap<String, FxUse> = BTreeMap::new();
    let mut assumed_base = 0;
    // Check every currency first, so nothing is half converted when one is missing.
    for h in &portfolio.holdings {
        if let Some(c) = h.currency.as_deref().map(str::to_ascii_uppercase)
            && c != rates.base
            && !rates.rates.contains_key(&c)
        {
            return Err(FxError::Missing {
                currency: c,
                file: rates.file.clone(),
                base: rates.base.clone(),
                holding: format!("{}:{} {}", h.source.file, h.source.line, h.name),
            });
        }
    }
    // A NAV the file states (N-PORT net assets) is in the currency its holdings are valued in;
    // converted alongside them when that is one currency.
    let originals: std::collections::BTreeSet<String> = portfolio
        .holdings
        .iter()
        .filter_map(|h| h.currency.as_deref().map(str::to_ascii_uppercase))
        .collect();
    if let (Some(nav), [currency]) = (
        portfolio.nav,
        originals.iter().collect::<Vec<_>>().as_slice(),
    ) && let Some(rate) = rates.rates.get(*currency)
    {
        let converted = checked_product(nav, rate.rate).ok_or_else(|| FxError::TooLarge {
            holding: portfolio.name.clone(),
            what: "the net assets",
            value: nav,
            currency: (*currency).clone(),
            rate: rate.rate,
            file: rates.file.clone(),
        })?;
        portfolio.nav =
            Some(converted.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero));
    }
    for h in &mut portfolio.holdings {
        let Some(currency) = h.currency.as_deref().map(str::to_ascii_uppercase) else {
            assumed_base += 1;
            h.currency = Some(rates.base.as_str().into());
            continue;
        };
        if currency == rates.base {
            h.currency = Some(rates.base.as_str().into());
            continue;
        }
        let Some(rate) = rates.rates.get(&currency) else {
            continue;
        };
        let converted = checked_product(h.value, rate.rate)
            .ok_or_else(|| FxError::TooLarge {
                holding: h.source.to_string(),
                what: "value",
                value: h.value,
                currency: currency.clone(),
                rate: rate.rate,
                file: rates.file.clone(),
            })?
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        let entry = used.entry(currency).or_insert_with(|| FxUse {
            rate: rate.clone(),
            positions: 0,
            original_value: Decimal::ZERO,
            converted_value: Decimal::ZERO,
        });
        entry.positions += 1;
        // Original values are bounded by ingest; converted ones only by the check below, so
        // their running sum is checked here.
        entry.original_value += h.value;
        entry.converted_value = entry
            .converted_value
            .checked_add(converted)
            .filter(|v| v.abs() <= money::LIMIT)
            .ok_or_else(|| {
                FxError::Bound(money::TooLarge {
                    at: h.source.clone(),
                    what: "converted value",
                    value: converted,
                })
            })?;
        h.value = converted;
        h.currency = Some(rates.base.as_str().into());
    }
    money::check_portfolio(portfolio)?;
    Ok(FxSummary {
        file: rates.file.clone(),
        base: rates.base.clone(),
        used: used.into_values().collect(),
        assumed_base,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_files_are_checked_line_by_line() {
        let e = parse("r.csv", "currency,rate\nEUR,abc\n", "USD").unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.csv:2: rate `abc` is not a positive number"
        );
        let e = parse("r.csv", "currency,rate\nEURO,1.1\n", "USD").unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.csv:2: `EURO` is not a three-letter currency code"
        );
        let e = parse("r.csv", "ccy,fx\n", "USD").unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.csv:1: expected columns currency and rate (and optionally date and source)"
        );
        let e = parse("r.csv", "currency,rate\nEUR,1.1\neur,1.2\n", "USD").unwrap_err();
        assert_eq!(e.to_string(), "r.csv:3: a second rate for EUR");
    }
}
