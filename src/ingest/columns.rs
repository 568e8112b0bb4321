//! Which column of a holdings table holds what: recognised by common header names, or given
//! explicitly with `--columns role=Header,…`.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// What a column means to xjscan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Name,
    Description,
    Isin,
    Cusip,
    Sedol,
    Lei,
    Cik,
    /// A security identifier of unstated scheme (SPDR's `Identifier`): ISIN, CUSIP or SEDOL by
    /// shape and check digit.
    Identifier,
    Ticker,
    Exchange,
    Quantity,
    Value,
    Currency,
    Weight,
    AssetClass,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::Name,
        Role::Description,
        Role::Isin,
        Role::Cusip,
        Role::Sedol,
        Role::Lei,
        Role::Cik,
        Role::Identifier,
        Role::Ticker,
        Role::Exchange,
        Role::Quantity,
        Role::Value,
        Role::Currency,
        Role::Weight,
        Role::AssetClass,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::Name => "name",
            Role::Description => "description",
            Role::Isin => "isin",
            Role::Cusip => "cusip",
            Role::Sedol => "sedol",
            Role::Lei => "lei",
            Role::Cik => "cik",
            Role::Identifier => "identifier",
            Role::Ticker => "ticker",
            Role::Exchange => "exchange",
            Role::Quantity => "quantity",
            Role::Value => "value",
            Role::Currency => "currency",
            Role::Weight => "weight",
            Role::AssetClass => "asset_class",
        }
    }

    /// Header names recognised for this role, most specific first, in the folded form of
    /// [`fold_header`]. A header is used for the first role (in [`Role::ALL`] order) that lists it.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Role::Name => &[
                "issuer",
                "issuername",
                "nameofissuer",
                "issuerdescription",
                "name",
                "securityname",
                "holdingname",
                "holding",
                "holdings",
                "companyname",
                "company",
                "security",
                "description",
                "securitydescription",
                "证券名称",
                "名称",
                "股票名称",
                "发行人",
            ],
            Role::Description => &[
                "securityname",
                "description",
                "securitydescription",
                "titleofclass",
                "title",
                "security",
            ],
            Role::Isin => &["isin", "isincode", "isinnumber"],
            Role::Cusip => &["cusip", "cusipnumber", "cusipcode"],
            Role::Sedol => &["sedol", "sedolcode"],
            Role::Lei => &["lei", "leicode", "issuerlei"],
            Role::Cik => &["cik", "issuercik"],
            Role::Identifier => &["identifier", "securityid", "securityidentifier", "secid"],
            Role::Ticker => &[
                "ticker",
                "tickersymbol",
                "symbol",
                "证券代码",
                "股票代码",
                "代码",
            ],
            Role::Exchange => &[
                "exchange",
                "listingexchange",
                "primaryexchange",
                "exchangename",
                "交易所",
            ],
            Role::Quantity => &[
                "quantity",
                "shares",
                "sharesheld",
                "par",
                "parvalue",
                "nominal",
                "sharespar",
                "sshprnamt",
                "units",
                "position",
                "holdingquantity",
                "持仓数量",
                "数量",
            ],
            Role::Value => &[
                "marketvalue",
                "marketvaluebase",
                "marketvalueusd",
                "basemarketvalue",
                "mktval",
                "mktvalue",
                "mv",
                "value",
                "valueusd",
                "valusd",
                "positionvalue",
                "marketval",
                "市值",
                "持仓市值",
            ],
            Role::Currency => &["currency", "ccy", "currencycode", "basecurrency", "币种"],
            Role::Weight => &[
                "weight",
                "weightpct",
                "portfolioweight",
                "ofnetassets",
                "offunds",
                "offund",
                "pctval",
                "占比",
                "权重",
            ],
            Role::AssetClass => &[
                "assetclass",
                "assettype",
                "securitytype",
                "assetcat",
                "type",
                "资产类别",
            ],
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        let key = raw.trim().to_ascii_lowercase().replace('-', "_");
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.key() == key)
            .ok_or_else(|| {
                let keys: Vec<&str> = Role::ALL.iter().map(|r| r.key()).collect();
                format!(
                    "unknown column role `{raw}`; expected one of: {}",
                    keys.join(", ")
                )
            })
    }
}

/// Folds a header for comparison: lower case, letters and digits only (`Weight (%)` → `weight`,
/// `% OF FUNDS*` → `offunds`, `Mkt Val` → `mktval`).
pub fn fold_header(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Explicit column assignments from `--columns name=Security,value=Mkt Val`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnSpec(pub BTreeMap<Role, String>);

impl FromStr for ColumnSpec {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        let mut map = BTreeMap::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (role, header) = part.split_once('=').ok_or_else(|| {
                format!("`{part}` should be ROLE=HEADER, e.g. value=Market Value")
            })?;
            let role: Role = role.parse()?;
            let header = header.trim();
            if header.is_empty() {
                return Err(format!("no header given for `{role}`"));
            }
            if map.insert(role, header.to_string()).is_some() {
                return Err(format!("`{role}` is given twice"));
            }
        }
        Ok(ColumnSpec(map))
    }
}

/// The columns of one file, by role: index into the record and the header as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap(pub BTreeMap<Role, (usize, String)>);

impl ColumnMap {
    pub fn get(&self, role: Role) -> Option<usize> {
        self.0.get(&role).map(|(i, _)| *i)
    }

    /// Recognises columns in a header row by their names. Each header is used for one role.
    pub fn recognise(header: &[String]) -> ColumnMap {
        let folded: Vec<String> = header.iter().map(|h| fold_header(h)).collect();
        let mut map = BTreeMap::new();
        let mut used = vec![false; header.len()];
        for &role in Role::ALL {
            'aliases: for alias in role.aliases() {
                for (i, f) in folded.iter().enumerate() {
                    if !used[i] && f == alias {
                        map.insert(role, (i, header[i].clone()));
                        used[i] = true;
                        break 'aliases;
                    }
                }
            }
        }
        ColumnMap(map)
    }

    /// Applies explicit assignments over recognised ones. Returns the header that was asked for
    /// and not found, if any.
    pub fn with_spec(header: &[String], spec: &ColumnSpec) -> Result<ColumnMap, String> {
        let mut map = ColumnMap::recognise(header);
        for (role, wanted) in &spec.0 {
            let folded = fold_header(wanted);
            let index = header
                .iter()
                .position(|h| h.trim() == wanted.as_str())
                .or_else(|| header.iter().position(|h| fold_header(h) == folded))
                .ok_or_else(|| wanted.clone())?;
            // The explicit column wins; drop any role that had been recognised on it.
            map.0.retain(|_, (i, _)| *i != index);
            map.0.insert(*role, (index, header[index].clone()));
        }
        Ok(map)
    }

    /// How many roles were recognised (used to find the header row among preamble lines).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `(role, header)` pairs for the report.
    pub fn describe(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .map(|(r, (_, h))| (r.key().to_string(), h.clone()))
            .collect()
    }
}

/// The value headers we look for, for error messages.
pub fn value_header_examples() -> &'static str {
    "market value, value, mkt val, market value (base), val usd"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn recognises_ishares_and_vanguard_headers() {
        let map = ColumnMap::recognise(&headers(&[
            "Ticker",
            "Name",
            "Sector",
            "Asset Class",
            "Market Value",
            "Weight (%)",
            "Notional Value",
            "Shares",
            "CUSIP",
            "ISIN",
            "SEDOL",
            "Price",
            "Location",
            "Exchange",
            "Currency",
            "FX Rate",
            "Maturity",
            "Market Currency",
        ]));
        assert_eq!(map.get(Role::Ticker), Some(0));
        assert_eq!(map.get(Role::Name), Some(1));
        assert_eq!(map.get(Role::Value), Some(4));
        assert_eq!(map.get(Role::Weight), Some(5));
        assert_eq!(map.get(Role::Quantity), Some(7));
        assert_eq!(map.get(Role::Isin), Some(9));
        assert_eq!(map.get(Role::Exchange), Some(13));
        assert_eq!(map.get(Role::Currency), Some(14));
        let vanguard = ColumnMap::recognise(&headers(&[
            "",
            "SEDOL",
            "HOLDINGS",
            "TICKER",
            "% OF FUNDS*",
            "SECTOR",
            "COUNTRY",
            "SECURITY DEPOSITORY RECEIPT TYPE",
            "MARKET VALUE*",
            "SHARES",
        ]));
        assert_eq!(vanguard.get(Role::Name), Some(2));
        assert_eq!(vanguard.get(Role::Weight), Some(4));
        assert_eq!(vanguard.get(Role::Value), Some(8));
    }

    #[test]
    fn issuer_is_the_name_and_security_name_the_description() {
        let map = ColumnMap::recognise(&headers(&["Security Name", "Issuer", "Value"]));
        assert_eq!(map.get(Role::Name), Some(1));
        assert_eq!(map.get(Role::Description), Some(0));
    }

    #[test]
    fn explicit_spec() {
        let spec: ColumnSpec = "name=Holding, value = Mkt Val (USD)".parse().unwrap();
        let map =
            ColumnMap::with_spec(&headers(&["Holding", "Mkt Val (USD)", "Value"]), &spec).unwrap();
        assert_eq!(map.get(Role::Value), Some(1));
        assert_eq!(
            "worth=X".parse::<ColumnSpec>().unwrap_err(),
            "unknown column role `worth`; expected one of: name, description, isin, cusip, sedol, lei, cik, identifier, ticker, exchange, quantity, value, currency, weight, asset_class"
        );
        assert_eq!(
            ColumnMap::with_spec(&headers(&["A"]), &spec).unwrap_err(),
            "Holding"
        );
    }
}
