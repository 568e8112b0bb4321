//! Which column of a holdings table holds what: recognised by common header names, or given
//! explicitly with `--columns role=Header,…`.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use super::headers;

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

    /// Recognises columns in a header row. Each header is used for one role. The known
    /// exports' spellings (the alias lists) decide first; the rules of [`super::headers`] then
    /// read the cells left (`Mkt Val (USD)`, `Kurswert`, `公允价值(元)`), and a cell they know
    /// is something else (a price, a notional, a sector) is never taken for a role.
    pub fn recognise(header: &[String]) -> ColumnMap {
        // A row with a number in it is data, not a header: words in its names ("Zhongtai
        // Securities", "A shares", "Shanghai Stock Exchange") must not read as column roles.
        if header.iter().any(|c| looks_numeric(c)) {
            return ColumnMap::recognise_spellings(header);
        }
        let candidates: Vec<Vec<(Role, u32)>> = header.iter().map(|h| candidates(h)).collect();
        let mut map = BTreeMap::new();
        let mut used = vec![false; header.len()];
        for &role in Role::ALL {
            let best = candidates
                .iter()
                .enumerate()
                .filter(|(i, _)| !used[*i])
                .filter_map(|(i, c)| {
                    c.iter()
                        .find(|(r, _)| *r == role)
                        .map(|(_, rank)| (i, *rank))
                })
                .max_by_key(|(i, rank)| (*rank, std::cmp::Reverse(*i)));
            if let Some((i, _)) = best {
                map.insert(role, (i, header[i].clone()));
                used[i] = true;
            }
        }
        // A file whose only text column is a description names its holdings by it.
        if !map.contains_key(&Role::Name)
            && let Some(description) = map.remove(&Role::Description)
        {
            map.insert(Role::Name, description);
        }
        // SEC schedules leave the name column's header empty or write a section title there
        // ("U.S. Government Agency Obligations"): a first column with no role names the rows.
        if !map.contains_key(&Role::Name)
            && !map.is_empty()
            && !used.first().copied().unwrap_or(true)
            && header
                .first()
                .is_some_and(|h| headers::meaning(&headers::read(h)).is_none())
        {
            map.insert(Role::Name, (0, header[0].clone()));
        }
        ColumnMap(map)
    }

    /// Recognises only the known exports' spellings (the alias lists): for a later section's
    /// header, where a data row whose names happen to hold role words must not start a section.
    pub fn recognise_spellings(header: &[String]) -> ColumnMap {
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

    /// A note for the report when more than one column could carry the value: which was read,
    /// and which were left, so a reader can check the choice (`--columns value=…` overrides it).
    pub fn value_choice(&self, header: &[String]) -> Option<String> {
        let (chosen, _) = self.0.get(&Role::Value)?;
        let others: Vec<String> = value_candidates(header)
            .into_iter()
            .filter(|(i, _)| i != chosen)
            .map(|(i, r)| format!("`{}`{}", header[i], qualifier(&r)))
            .collect();
        if others.is_empty() {
            return None;
        }
        let reading = headers::read(&header[*chosen]);
        Some(format!(
            "market value read from column `{}`{}, not from {}: the base-currency market value comes first, then a market value, then a value, and a local-currency value last",
            header[*chosen],
            qualifier(&reading),
            others.join(", ")
        ))
    }

    /// The currency the value column's header names (`Mkt Val (USD)`).
    pub fn value_currency(&self) -> Option<&'static str> {
        let (_, header) = self.0.get(&Role::Value)?;
        headers::read(header).currency
    }

    /// The holdings' currency when the table has no currency column and the value's header
    /// names one; `None` otherwise (a currency column, even an empty cell of it, decides).
    pub fn header_currency(&self) -> Option<Box<str>> {
        if self.get(Role::Currency).is_some() {
            return None;
        }
        self.value_currency().map(Into::into)
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

/// A cell that holds a figure (`1,852,200.00`, `-3.5%`, `(120)`, `$ 40`), never a header.
fn looks_numeric(cell: &str) -> bool {
    let cell = cell.trim();
    cell.bytes().any(|b| b.is_ascii_digit())
        && cell.chars().all(|c| {
            c.is_ascii_digit()
                || matches!(
                    c,
                    ',' | '.' | '-' | '+' | '%' | '(' | ')' | ' ' | '$' | '€' | '£' | '\''
                )
        })
}

/// The roles a header cell could carry, each with its rank: the known exports' spellings (an
/// alias list's earlier spelling outranks a later one, and any outranks a rule), else the
/// rules. The value and the weight are ranked by what they say (base currency, of net assets)
/// however they are spelled.
fn candidates(cell: &str) -> Vec<(Role, u32)> {
    let folded = fold_header(cell);
    let reading = headers::read(cell);
    let rule = headers::ranked(&reading);
    let aliased: Vec<(Role, u32)> = Role::ALL
        .iter()
        .filter_map(|&role| {
            let at = role.aliases().iter().position(|a| *a == folded)?;
            let rank = match (role, rule) {
                (Role::Value, _) => u32::from(headers::value_rank(&reading)),
                (Role::Weight, Some((headers::Meaning::Role(Role::Weight), r))) => u32::from(r),
                (Role::Weight, _) => 3,
                _ => 100 - at as u32,
            };
            Some((role, rank))
        })
        .collect();
    if !aliased.is_empty() {
        return aliased;
    }
    match rule {
        Some((headers::Meaning::Role(role), rank)) => vec![(role, u32::from(rank))],
        _ => Vec::new(),
    }
}

/// Cells that could carry the value: recognised as a value by an alias or by the rules.
fn value_candidates(header: &[String]) -> Vec<(usize, headers::Reading)> {
    header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let reading = headers::read(h);
            let by_alias = Role::Value.aliases().contains(&fold_header(h).as_str());
            let by_rule = headers::meaning(&reading) == Some(headers::Meaning::Role(Role::Value));
            (by_alias || by_rule).then_some((i, reading))
        })
        .collect()
}

/// How a value header qualifies its currency, for the report's note.
fn qualifier(r: &headers::Reading) -> String {
    match (r.local, r.base, r.currency) {
        (true, _, _) => " (local currency)".to_string(),
        (_, _, Some(c)) => format!(" ({c})"),
        (_, true, _) => " (base currency)".to_string(),
        _ => String::new(),
    }
}

/// Each cell of a header row with what it is read as: `` `Qty` (quantity) ``, `` `Px` (price,
/// not used) ``, `` `Foo` (not recognised) ``.
pub fn read_as(cells: &[String]) -> Vec<String> {
    let map = ColumnMap::recognise(cells);
    cells
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_empty())
        .map(|(i, c)| {
            let role = map.0.iter().find(|(_, (at, _))| *at == i).map(|(r, _)| *r);
            let what = match (role, headers::meaning(&headers::read(c))) {
                (Some(role), _) => role.key().to_string(),
                (None, Some(headers::Meaning::Known(what))) => format!("{what}, not used"),
                (None, Some(headers::Meaning::Role(role))) => {
                    format!("{}, not used: another column has that role", role.key())
                }
                (None, None) => "not recognised".to_string(),
            };
            // A header cell can be as long as any field: shown in part.
            let shown: String = c.chars().take(60).collect();
            let more = if shown.len() < c.len() { "…" } else { "" };
            format!("`{shown}{more}` ({what})")
        })
        .collect()
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
