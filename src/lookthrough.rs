//! Fund look-through: a position in a fund (an ETF, a mutual fund) whose own holdings file is
//! given is replaced by the fund's holdings, scaled to the position's value, recursively.
//!
//! `--look-through DIR` names a folder of fund holdings files in any format xjscan reads. A fund
//! file is found for a position by ISIN or ticker (the file's name, e.g. `IE00B4L5Y983.csv` or
//! `EEM.csv`) or by the fund name the file states (iShares preambles, N-PORT series names),
//! compared after name normalisation. Scaling divides the position's value over the fund's
//! holdings in proportion to their values, to the cent, with the rounding cents handed out by
//! largest remainder, so the underlying values add up to the position's value exactly and the
//! reconciliation still holds. A fund that reaches itself again (a cycle) is not expanded a
//! second time: the position stays, unscreened, with a warning.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::ingest::{self, IngestError, IngestOptions};
use crate::model::ids::Isin;
use crate::model::{Holding, Portfolio, SourceLine, Warning};
use crate::resolve::normalize_name;

/// Deepest fund-of-funds nesting followed.
pub const MAX_DEPTH: usize = 8;

/// A fund holdings file from the look-through folder.
#[derive(Debug, Clone)]
struct FundFile {
    file: String,
    isin: Option<String>,
    ticker: Option<String>,
    name: Option<String>,
    holdings: Vec<Holding>,
    total: Decimal,
    /// Warnings and rejected rows of the fund file, reported when the fund is used.
    notes: Vec<Warning>,
}

/// One fund position that was looked through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expansion {
    /// `file:line` of the fund position (through its own parents, for nested funds).
    pub position: String,
    pub name: String,
    pub fund_file: String,
    /// How the file was found: `isin`, `ticker` or `name`.
    pub matched_by: &'static str,
    pub value: Decimal,
    /// The fund's holdings total the position was scaled against.
    pub fund_total: Decimal,
    pub holdings: u64,
    pub depth: u64,
}

/// What look-through did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LookThrough {
    pub folder: String,
    pub funds: Vec<Expansion>,
    /// Value of the top-level positions that were looked through.
    pub value: Decimal,
    pub positions: u64,
}

fn load(dir: &Path, options: &IngestOptions) -> Result<Vec<FundFile>, IngestError> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|error| IngestError::Io {
            file: ingest::display_path(dir),
            error,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    paths.sort();
    let mut funds = Vec::with_capacity(paths.len());
    for path in paths {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_ascii_uppercase();
        let portfolio = ingest::read_files(&stem, std::slice::from_ref(&path), options)?;
        // The fund file's own problems are the scan's too: nothing is dropped silently.
        let mut notes: Vec<Warning> = portfolio.warnings.clone();
        notes.extend(portfolio.rejected.iter().map(|r| Warning {
            source: r.source.clone(),
            message: format!("row of a look-through fund file rejected: {}", r.reason),
        }));
        // read_files bounds the fund file's values, so their sum fits.
        let total = portfolio.holdings.iter().map(|h| h.value).sum();
        let isin = stem.parse::<Isin>().ok().map(|i| i.to_string());
        funds.push(FundFile {
            file: ingest::display_path(&path),
            ticker: isin.is_none().then(|| stem.clone()),
            isin,
            name: portfolio
                .files
                .first()
                .and_then(|f| f.fund.as_deref())
                .map(normalize_name)
                .filter(|n| !n.is_empty()),
            holdings: portfolio.holdings,
            total,
            notes,
        });
    }
    Ok(funds)
}

/// The fund file for a holding, and how it was found.
fn find<'a>(h: &Holding, funds: &'a [FundFile]) -> Option<(usize, &'static str, &'a FundFile)> {
    let isin = h.ids.isin.as_ref().map(ToString::to_string);
    let ticker = h
        .ids
        .ticker
        .as_deref()
        .map(str::to_string)
        .or_else(|| {
            h.ids
                .listing
                .as_ref()
                .and_then(|l| l.as_str().rsplit(':').next().map(str::to_string))
        })
        .map(|t| t.to_ascii_uppercase());
    let name = normalize_name(&h.name);
    funds
        .iter()
        .enumerate()
        .find_map(|(i, f)| (isin.is_some() && f.isin == isin).then_some((i, "isin", f)))
        .or_else(|| {
            funds.iter().enumerate().find_map(|(i, f)| {
                (ticker.is_some() && f.ticker == ticker).then_some((i, "ticker", f))
            })
        })
        .or_else(|| {
            funds.iter().enumerate().find_map(|(i, f)| {
                (!name.is_empty() && f.name.as_deref() == Some(name.as_str()))
                    .then_some((i, "name", f))
            })
        })
}

/// Splits `value` over `weights` in proportion, to the cent, adding up exactly; `None` when a
/// share would pass Decimal's range (only absurd inputs: weights of mixed sign that nearly
/// cancel, or values near the bound).
pub fn allocate(value: Decimal, weights: &[Decimal]) -> Option<Vec<Decimal>> {
    let total = weights
        .iter()
        .try_fold(Decimal::ZERO, |a, w| a.checked_add(*w))?;
    if total.is_zero() {
        return Some(vec![Decimal::ZERO; weights.len()]);
    }
    let cents = value.checked_mul(Decimal::ONE_HUNDRED)?.round();
    // Multiplying first keeps every digit; the ratio first only where the product would not fit
    // (the largest-remainder pass below still makes the parts add up to the cent).
    let exact: Vec<Decimal> = weights
        .iter()
        .map(|w| {
            cents
                .checked_mul(*w)
                .and_then(|p| p.checked_div(total))
                .or_else(|| w.checked_div(total).and_then(|r| r.checked_mul(cents)))
        })
        .collect::<Option<_>>()?;
    let mut floor: Vec<Decimal> = exact.iter().map(|e| e.floor()).collect();
    let mut left = floor
        .iter()
        .try_fold(cents, |left, f| left.checked_sub(*f))?;
    // Largest remainders first; ties go to the earlier row, so the result is deterministic.
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - floor[b])
            .cmp(&(exact[a] - floor[a]))
            .then(a.cmp(&b))
    });
    let step = if left.is_sign_negative() {
        -Decimal::ONE
    } else {
        Decimal::ONE
    };
    for &i in order.iter().cycle().take(weights.len() * 2) {
        if left.is_zero() {
            break;
        }
        floor[i] += step;
        left -= step;
    }
    Some(
        floor
            .into_iter()
            .map(|c| {
                let mut v = c / Decimal::ONE_HUNDRED;
                v.rescale(2);
                v
            })
            .collect(),
    )
}

/// Replaces fund positions by their scaled holdings, recursively.
pub fn expand(
    portfolio: &mut Portfolio,
    dir: &Path,
    options: &IngestOptions,
) -> Result<LookThrough, IngestError> {
    let funds = load(dir, options)?;
    let mut summary = LookThrough {
        folder: ingest::display_path(dir),
        ..LookThrough::default()
    };
    let mut warnings = Vec::new();
    let mut used: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(portfolio.holdings.len());
    // Each work item: a holding, the funds already open above it, and its depth.
    let mut stack: Vec<(Holding, Vec<usize>)> = portfolio
        .holdings
        .drain(..)
        .rev()
        .map(|h| (h, Vec::new()))
        .collect();
    while let Some((h, chain)) = stack.pop() {
        let Some((index, matched_by, fund)) = h.kind.is_long().then(|| find(&h, &funds)).flatten()
        else {
            out.push(h);
            continue;
        };
        if chain.contains(&index) || chain.len() >= MAX_DEPTH {
            let why = if chain.contains(&index) {
                format!("{} holds itself through {} (a cycle)", h.name, fund.file)
            } else {
                format!("{} is nested more than {MAX_DEPTH} funds deep", h.name)
            };
            warnings.push(Warning {
                source: h.source.clone(),
                message: format!("{why}; the position is left unscreened"),
            });
            out.push(h);
            continue;
        }
        if fund.total.is_zero() || fund.holdings.is_empty() {
            warnings.push(Warning {
                source: h.source.clone(),
                message: format!(
                    "{} has no holdings with a value to scale by; the position is left unscreened",
                    fund.file
                ),
            });
            out.push(h);
            continue;
        }
        if !used.contains(&index) {
            used.push(index);
            warnings.extend(fund.notes.iter().cloned());
        }
        let weights: Vec<Decimal> = fund.holdings.iter().map(|u| u.value).collect();
        let Some(values) = allocate(h.value, &weights) else {
            return Err(IngestError::Malformed {
                file: h.source.file.to_string(),
                line: h.source.line,
                message: format!(
                    "{} ({}) cannot be spread over the holdings of {} within Decimal's range",
                    h.name, h.value, fund.file
                ),
            });
        };
        summary.funds.push(Expansion {
            position: format!("{}:{}", h.source.file, h.source.line),
            name: h.name.clone(),
            fund_file: fund.file.clone(),
            matched_by,
            value: h.value,
            fund_total: fund.total,
            holdings: fund.holdings.len() as u64,
            depth: chain.len() as u64 + 1,
        });
        if chain.is_empty() {
            summary.value += h.value;
            summary.positions += 1;
        }
        let mut next_chain = chain.clone();
        next_chain.push(index);
        for (u, value) in fund.holdings.iter().zip(values).rev() {
            let mut u = u.clone();
            // The scaled value is a share of the position, so it is in the position's currency
            // whatever currency the fund file lists the security in.
            u.value = value;
            u.currency = h.currency.clone();
            u.quantity = None;
            u.weight_pct = None;
            u.source = SourceLine {
                file: format!("{} (in {}:{})", u.source.file, h.source.file, h.source.line).into(),
                line: u.source.line,
            };
            stack.push((u, next_chain.clone()));
        }
    }
    portfolio.holdings = out;
    portfolio.warnings.extend(warnings);
    // Scaling by weights of mixed sign can make parts larger than the position.
    crate::model::money::check_portfolio(portfolio)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn allocation_adds_up_exactly() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(
            allocate(d("100.00"), &[d("1"), d("1"), d("1")]).unwrap(),
            vec![d("33.34"), d("33.33"), d("33.33")]
        );
        assert_eq!(
            allocate(d("10.00"), &[d("3"), d("1")]).unwrap(),
            vec![d("7.50"), d("2.50")]
        );
    }

    proptest! {
        #[test]
        fn allocation_always_sums_to_the_value(
            cents in -10_000_000i64..10_000_000,
            weights in proptest::collection::vec(1i64..1_000_000, 1..40),
        ) {
            let value = Decimal::new(cents, 2);
            let weights: Vec<Decimal> = weights.into_iter().map(|w| Decimal::new(w, 2)).collect();
            let parts = allocate(value, &weights).unwrap();
            prop_assert_eq!(parts.iter().sum::<Decimal>(), value);
        }
    }
}
