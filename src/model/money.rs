//! The bound on money: amounts are exact decimals, and a portfolio's amounts are checked once,
//! on the way into each stage that adds them up, to stay far enough inside `Decimal`'s range
//! (about 7.9e28) that no total, percentage or chart computed from them can overflow.
//!
//! Every figure after the check is a sum of some of the checked values (or a share of one), so
//! the check at the door is what makes the arithmetic behind it safe; a figure past the bound is
//! a corrupt cell or the wrong unit, and the error names the row where the bound was passed.

use rust_decimal::Decimal;

use super::{Portfolio, SourceLine};

/// 10^26: one hundred million times the value of every listed company in the world, and still
/// a factor 79 below `Decimal::MAX`, which leaves room for `× 100` in percentages.
pub const LIMIT: Decimal = Decimal::from_parts(0xe400_0000, 0xdcc8_0cd2, 0x0052_b7d2, false, 0);

/// A portfolio whose amounts add up past [`LIMIT`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{at}: the portfolio's amounts, taken without sign, pass 10^26 at this row ({what} {value}); xjscan adds money up exactly and refuses figures that large: check the file's values and units"
)]
pub struct TooLarge {
    pub at: SourceLine,
    /// Which amount passed the bound (`value`, `rejected row value`).
    pub what: &'static str,
    pub value: Decimal,
}

/// Checks that the absolute values of every holding and every rejected row's value add up to
/// at most [`LIMIT`].
pub fn check_portfolio(portfolio: &Portfolio) -> Result<(), TooLarge> {
    let holdings = portfolio
        .holdings
        .iter()
        .map(|h| (&h.source, "value", h.value));
    let rejected = portfolio
        .rejected
        .iter()
        .filter_map(|r| r.value.map(|v| (&r.source, "rejected row value", v)));
    let mut total = Decimal::ZERO;
    for (source, what, value) in holdings.chain(rejected) {
        total = total
            .checked_add(value.abs())
            .filter(|t| *t <= LIMIT)
            .ok_or_else(|| TooLarge {
                at: source.clone(),
                what,
                value,
            })?;
    }
    Ok(())
}

/// `a × b` for amounts derived from input (a unit multiplier, an exchange rate, a NAV), or
/// `None` past [`LIMIT`].
pub fn checked_product(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_mul(b).filter(|p| p.abs() <= LIMIT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Holding, HoldingIds, PositionKind};

    fn holding(line: u64, value: Decimal) -> Holding {
        Holding {
            source: SourceLine {
                file: "p.csv".into(),
                line,
            },
            name: "X".into(),
            name_source: None,
            description: None,
            ids: HoldingIds::default(),
            quantity: None,
            quantity_unit: None,
            kind: PositionKind::Long,
            value,
            currency: None,
            weight_pct: None,
            asset_class: None,
        }
    }

    #[test]
    fn limit_is_ten_to_the_26th() {
        assert_eq!(LIMIT, Decimal::from_i128_with_scale(10i128.pow(26), 0));
        assert_eq!(LIMIT.to_string(), format!("1{}", "0".repeat(26)));
    }

    #[test]
    fn the_row_that_passes_the_bound_is_named() {
        let half = LIMIT / Decimal::TWO;
        let mut p = Portfolio {
            holdings: vec![
                holding(2, half),
                holding(3, -half),
                holding(4, Decimal::ONE),
            ],
            ..Portfolio::default()
        };
        let err = check_portfolio(&p).unwrap_err();
        assert_eq!(
            err.at.line, 4,
            "absolute values count, so a short does not offset"
        );
        assert_eq!(
            err.to_string(),
            "p.csv:4: the portfolio's amounts, taken without sign, pass 10^26 at this row (value 1); xjscan adds money up exactly and refuses figures that large: check the file's values and units"
        );
        p.holdings.pop();
        assert_eq!(check_portfolio(&p), Ok(()));
        assert_eq!(checked_product(LIMIT, Decimal::TWO), None);
        assert_eq!(checked_product(Decimal::MAX, Decimal::TWO), None);
    }
}
