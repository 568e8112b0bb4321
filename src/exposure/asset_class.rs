//! Asset classes: what kind of claim a position is (a share, a bond, a fund unit, a contract,
//! cash), read from the file's own asset-class column, the N-PORT category, the description and
//! the issuer.
//!
//! The class decides which figures a position feeds: XPCC *debt* is bonds of XPCC entities, and
//! a fund position is only screened when its own holdings are looked through.

use serde::Serialize;

use crate::model::{EntityKind, Holding, PositionKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetClass {
    Equity,
    CorporateBond,
    /// Bonds of governments, their agencies and local-government financing vehicles (the XPCC's
    /// "China Xinjian Group" bonds are here: the XPCC is a state body).
    GovernmentBond,
    Fund,
    Derivative,
    Cash,
    Other,
}

impl AssetClass {
    pub const ALL: &'static [AssetClass] = &[
        AssetClass::Equity,
        AssetClass::CorporateBond,
        AssetClass::GovernmentBond,
        AssetClass::Fund,
        AssetClass::Derivative,
        AssetClass::Cash,
        AssetClass::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            AssetClass::Equity => "equity",
            AssetClass::CorporateBond => "corporate_bond",
            AssetClass::GovernmentBond => "government_bond",
            AssetClass::Fund => "fund",
            AssetClass::Derivative => "derivative",
            AssetClass::Cash => "cash",
            AssetClass::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AssetClass::Equity => "Equity",
            AssetClass::CorporateBond => "Corporate bond",
            AssetClass::GovernmentBond => "Government or LGFV bond",
            AssetClass::Fund => "Fund",
            AssetClass::Derivative => "Derivative",
            AssetClass::Cash => "Cash",
            AssetClass::Other => "Other",
        }
    }

    pub fn is_bond(self) -> bool {
        matches!(self, AssetClass::CorporateBond | AssetClass::GovernmentBond)
    }
}

/// The asset class of a holding; `issuer_kind` is the kind of the entity it matched, if any.
pub fn classify(h: &Holding, issuer_kind: Option<EntityKind>) -> AssetClass {
    if !matches!(h.kind, PositionKind::Long | PositionKind::Short) {
        return AssetClass::Derivative;
    }
    let class = h.asset_class.as_deref().unwrap_or("").to_ascii_lowercase();
    let description = h.description.as_deref().unwrap_or("").to_ascii_lowercase();
    let has = |text: &str, words: &[&str]| words.iter().any(|w| text.contains(w));
    let government = |class: &str| {
        has(
            class,
            &[
                "government",
                "sovereign",
                "treasury",
                "municipal",
                "agency",
                "lgfv",
            ],
        ) || class == "dbt-gov"
            || issuer_kind == Some(EntityKind::Government)
    };
    // N-PORT categories first: EC/EP equity, DBT debt, STIV/RF funds, DE/DIR/… derivatives.
    match class.as_str() {
        "ec" | "ep" => return AssetClass::Equity,
        "dbt" | "abs-o" | "abs-mbs" | "abs-cbdo" | "abs-app" => {
            return if government(&class) {
                AssetClass::GovernmentBond
            } else {
                AssetClass::CorporateBond
            };
        }
        "stiv" | "rf" => return AssetClass::Fund,
        "dcr" | "dco" | "dfe" | "dir" | "de" | "dcm" => return AssetClass::Derivative,
        _ => {}
    }
    if has(&class, &["cash", "money market", "currency"])
        || has(&description, &["cash"]) && class.is_empty()
    {
        return AssetClass::Cash;
    }
    if has(
        &class,
        &["fund", "etf", "etp", "trust unit", "investment company"],
    ) {
        return AssetClass::Fund;
    }
    // Exports without an asset class still name their funds ("ISHARES MSCI CHINA ETF").
    let name = h.name.to_ascii_uppercase();
    if class.is_empty()
        && name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| matches!(w, "ETF" | "UCITS" | "SICAV" | "FUND"))
    {
        return AssetClass::Fund;
    }
    let bondish = has(
        &class,
        &["bond", "debt", "fixed income", "note", "debenture", "loan"],
    ) || looks_like_bond(&description)
        || looks_like_bond(&h.name.to_ascii_lowercase());
    if bondish {
        return if government(&class) {
            AssetClass::GovernmentBond
        } else {
            AssetClass::CorporateBond
        };
    }
    if class.is_empty()
        || has(
            &class,
            &["equity", "stock", "share", "common", "adr", "depositary"],
        )
    {
        return AssetClass::Equity;
    }
    AssetClass::Other
}

/// A coupon (`3.80%`) together with a maturity or bond wording names a bond.
fn looks_like_bond(text: &str) -> bool {
    let coupon = text.split_whitespace().any(|w| {
        w.strip_suffix('%').is_some_and(|n| {
            n.parse::<rust_decimal::Decimal>().is_ok_and(|x| {
                x >= rust_decimal::Decimal::ZERO && x < rust_decimal::Decimal::from(30)
            })
        })
    });
    coupon
        && (text.contains("due")
            || text.contains("note")
            || text.contains('/')
            || text.contains("bond")
            || text.contains("20"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::eval::name_only;

    fn with(class: Option<&str>, description: Option<&str>) -> Holding {
        let mut h = name_only("X");
        h.asset_class = class.map(Into::into);
        h.description = description.map(Into::into);
        h
    }

    #[test]
    fn classes_from_columns_categories_and_descriptions() {
        assert_eq!(
            classify(&with(Some("Equity"), None), None),
            AssetClass::Equity
        );
        assert_eq!(classify(&with(Some("EC"), None), None), AssetClass::Equity);
        assert_eq!(
            classify(&with(Some("DBT"), None), None),
            AssetClass::CorporateBond
        );
        assert_eq!(
            classify(&with(Some("Government bond"), None), None),
            AssetClass::GovernmentBond
        );
        assert_eq!(
            classify(
                &with(Some("Corporate bond"), Some("3.80% notes due 2027")),
                Some(EntityKind::Government)
            ),
            AssetClass::GovernmentBond
        );
        assert_eq!(
            classify(&with(None, Some("4.10% notes due 2026")), None),
            AssetClass::CorporateBond
        );
        assert_eq!(classify(&with(Some("Cash"), None), None), AssetClass::Cash);
        assert_eq!(classify(&with(Some("ETF"), None), None), AssetClass::Fund);
        assert_eq!(classify(&with(None, None), None), AssetClass::Equity);
        let mut option = with(None, None);
        option.kind = PositionKind::Option("put".into());
        assert_eq!(classify(&option, None), AssetClass::Derivative);
    }
}
