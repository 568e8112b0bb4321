//! Header cells read by rule: a cell is normalised (case, full width, brackets, abbreviations,
//! a vocabulary of languages) into English concept words, and each role is a rule over those
//! words, so `Mkt Val (USD)`, `Value, Market`, `Kurswert` and `公允价值(元)` all read as a market
//! value without an alias list that names each spelling.
//!
//! The alias lists in `columns.rs` still come first (they fix the known exports' choices); this
//! module decides the cells they do not name.

use super::columns::Role;

/// What a header cell says once normalised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reading {
    /// English concept words, in order (`mkt val` → `market value`).
    pub words: Vec<&'static str>,
    /// A currency the cell names (`Mkt Val (USD)`, `Value [EUR]`, `公允价值(元)`).
    pub currency: Option<&'static str>,
    /// The cell says base, reporting or portfolio currency.
    pub base: bool,
    /// The cell says local, trade or security currency.
    pub local: bool,
}

/// A role the rules found, or a known column xjscan does not use (price, sector…), which is
/// kept from being taken for another role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    Role(Role),
    /// A column that is understood but not used; its name for messages.
    Known(&'static str),
}

impl Reading {
    fn has(&self, word: &str) -> bool {
        self.words.contains(&word)
    }

    fn has_any(&self, words: &[&str]) -> bool {
        words.iter().any(|w| self.has(w))
    }
}

/// ISO codes and signs a header may carry for its currency.
const CURRENCIES: &[(&str, &str)] = &[
    ("usd", "USD"),
    ("eur", "EUR"),
    ("gbp", "GBP"),
    ("gbx", "GBP"),
    ("jpy", "JPY"),
    ("cny", "CNY"),
    ("rmb", "CNY"),
    ("cnh", "CNH"),
    ("hkd", "HKD"),
    ("chf", "CHF"),
    ("cad", "CAD"),
    ("aud", "AUD"),
    ("nzd", "NZD"),
    ("sek", "SEK"),
    ("nok", "NOK"),
    ("dkk", "DKK"),
    ("krw", "KRW"),
    ("twd", "TWD"),
    ("sgd", "SGD"),
    ("inr", "INR"),
    ("brl", "BRL"),
    ("zar", "ZAR"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("元", "CNY"),
    ("人民币", "CNY"),
    ("円", "JPY"),
    ("원", "KRW"),
];

/// Abbreviations and foreign words, each to the English concept words it stands for. Keys are
/// lower case without accents' variants spelled out where exports drop them.
const WORDS: &[(&str, &[&str])] = &[
    // English abbreviations
    ("mkt", &["market"]),
    ("mk", &["market"]),
    ("mrkt", &["market"]),
    ("val", &["value"]),
    ("vals", &["value"]),
    ("valn", &["valuation"]),
    ("mv", &["market", "value"]),
    ("mktval", &["market", "value"]),
    ("marketvalue", &["market", "value"]),
    ("amt", &["amount"]),
    ("qty", &["quantity"]),
    ("qnty", &["quantity"]),
    ("quant", &["quantity"]),
    ("nom", &["nominal"]),
    ("desc", &["description"]),
    ("descr", &["description"]),
    ("sec", &["security"]),
    ("secs", &["security"]),
    ("securities", &["security"]),
    ("cd", &["code"]),
    ("px", &["price"]),
    ("prc", &["price"]),
    ("ccy", &["currency"]),
    ("cur", &["currency"]),
    ("curr", &["currency"]),
    ("crncy", &["currency"]),
    ("wt", &["weight"]),
    ("wgt", &["weight"]),
    ("wght", &["weight"]),
    ("weighting", &["weight"]),
    ("pct", &["percent"]),
    ("perc", &["percent"]),
    ("percentage", &["percent"]),
    ("%", &["percent"]),
    ("shs", &["shares"]),
    ("sh", &["shares"]),
    ("share", &["shares"]),
    ("nbr", &["number"]),
    ("num", &["number"]),
    ("id", &["identifier"]),
    ("ident", &["identifier"]),
    ("instr", &["instrument"]),
    ("exch", &["exchange"]),
    ("tkr", &["ticker"]),
    ("sym", &["symbol"]),
    ("lcl", &["local"]),
    ("loc", &["local"]),
    ("bse", &["base"]),
    ("issuers", &["issuer"]),
    ("holdings", &["holding"]),
    ("names", &["name"]),
    ("values", &["value"]),
    ("prices", &["price"]),
    ("units", &["quantity"]),
    ("unit", &["quantity"]),
    ("notl", &["notional"]),
    ("mat", &["maturity"]),
    // German
    ("wertpapier", &["security"]),
    ("wertpapiere", &["security"]),
    ("wertpapiername", &["security", "name"]),
    ("wertpapierbezeichnung", &["security", "name"]),
    ("bezeichnung", &["description"]),
    ("gattung", &["security"]),
    ("gattungsbezeichnung", &["security", "name"]),
    ("kurswert", &["market", "value"]),
    ("marktwert", &["market", "value"]),
    ("tageswert", &["market", "value"]),
    ("stück", &["shares"]),
    ("stueck", &["shares"]),
    ("stk", &["shares"]),
    ("anzahl", &["quantity"]),
    ("bestand", &["quantity"]),
    ("nominale", &["nominal"]),
    ("anteil", &["weight"]),
    ("gewichtung", &["weight"]),
    ("gewicht", &["weight"]),
    ("währung", &["currency"]),
    ("waehrung", &["currency"]),
    ("whg", &["currency"]),
    ("kurs", &["price"]),
    ("branche", &["sector"]),
    ("sektor", &["sector"]),
    ("land", &["country"]),
    ("emittent", &["issuer"]),
    ("börse", &["exchange"]),
    ("boerse", &["exchange"]),
    ("fondsvermögen", &["fund"]),
    ("anlageklasse", &["asset", "class"]),
    // French
    ("libellé", &["name"]),
    ("libelle", &["name"]),
    ("titre", &["security"]),
    ("valeur", &["value"]),
    ("marché", &["market"]),
    ("marche", &["market"]),
    ("valorisation", &["valuation"]),
    ("quantité", &["quantity"]),
    ("quantite", &["quantity"]),
    ("poids", &["weight"]),
    ("devise", &["currency"]),
    ("cours", &["price"]),
    ("émetteur", &["issuer"]),
    ("emetteur", &["issuer"]),
    ("secteur", &["sector"]),
    ("pays", &["country"]),
    ("classe", &["class"]),
    ("actif", &["asset"]),
    ("nominal", &["nominal"]),
    // Spanish, Portuguese, Italian
    ("nombre", &["name"]),
    ("nome", &["name"]),
    ("denominación", &["name"]),
    ("denominacion", &["name"]),
    ("valor", &["value"]),
    ("mercado", &["market"]),
    ("cantidad", &["quantity"]),
    ("quantidade", &["quantity"]),
    ("títulos", &["shares"]),
    ("titulos", &["shares"]),
    ("peso", &["weight"]),
    ("ponderación", &["weight"]),
    ("ponderacion", &["weight"]),
    ("divisa", &["currency"]),
    ("moneda", &["currency"]),
    ("moeda", &["currency"]),
    ("precio", &["price"]),
    ("preço", &["price"]),
    ("emisor", &["issuer"]),
    ("descrizione", &["description"]),
    ("titolo", &["security"]),
    ("controvalore", &["market", "value"]),
    ("quantità", &["quantity"]),
    ("quantita", &["quantity"]),
    ("prezzo", &["price"]),
    ("settore", &["sector"]),
    ("sector", &["sector"]),
    ("paese", &["country"]),
    ("país", &["country"]),
    ("pais", &["country"]),
    // Dutch, Swedish, Norwegian, Danish
    ("naam", &["name"]),
    ("namn", &["name"]),
    ("navn", &["name"]),
    ("marktwaarde", &["market", "value"]),
    ("waarde", &["value"]),
    ("marknadsvärde", &["market", "value"]),
    ("marknadsvarde", &["market", "value"]),
    ("markedsverdi", &["market", "value"]),
    ("markedsværdi", &["market", "value"]),
    ("aantal", &["quantity"]),
    ("antal", &["quantity"]),
    ("antall", &["quantity"]),
    ("gewichtje", &["weight"]),
    ("vikt", &["weight"]),
    ("vekt", &["weight"]),
    ("andel", &["weight"]),
    ("valuta", &["currency"]),
    ("koers", &["price"]),
    ("slotkoers", &["price"]),
    ("symbool", &["symbol"]),
    ("lokale", &["local"]),
    // Italian, Portuguese, German and Swedish terms of ETF and fund exports
    ("valore", &["value"]),
    ("mercato", &["market"]),
    ("ponderazione", &["weight"]),
    ("nozionale", &["notional"]),
    ("geografica", &["region"]),
    ("cambio", &["exchange"]),
    ("tasso", &["rate"]),
    ("código", &["code"]),
    ("codigo", &["code"]),
    ("codice", &["code"]),
    ("cotas", &["quantity"]),
    ("bolsa", &["exchange"]),
    ("localização", &["location"]),
    ("localizacao", &["location"]),
    ("nominalwert", &["notional"]),
    ("standort", &["location"]),
    ("betrag", &["amount"]),
    ("fonds", &["fund"]),
    ("värde", &["value"]),
    ("varde", &["value"]),
    ("markn", &["market"]),
    ("värdepapper", &["security"]),
    ("vardepapper", &["security"]),
    ("ansk", &["cost"]),
    ("anskaffningsvärde", &["cost"]),
    ("orealiserat", &["unrealized"]),
    // Abbreviations of broker and data-vendor fields
    ("closing", &["price"]),
    ("mkv", &["market", "value"]),
    ("ratio", &["percent"]),
    ("cap", &["capitalisation"]),
    ("acct", &["account"]),
    ("accountid", &["account"]),
    ("geographic", &["region"]),
];

/// Chinese, Japanese and Korean terms, found inside a run of such characters (longest first
/// where one contains another).
const CJK: &[(&str, &[&str])] = &[
    ("证券名称", &["security", "name"]),
    ("證券名稱", &["security", "name"]),
    ("股票名称", &["security", "name"]),
    ("股票名稱", &["security", "name"]),
    ("证券简称", &["security", "name"]),
    ("證券簡稱", &["security", "name"]),
    ("股票简称", &["security", "name"]),
    ("债券名称", &["security", "name"]),
    ("債券名稱", &["security", "name"]),
    ("基金名称", &["security", "name"]),
    ("銘柄名", &["security", "name"]),
    ("종목명", &["security", "name"]),
    ("名称", &["name"]),
    ("名稱", &["name"]),
    ("简称", &["name"]),
    ("銘柄", &["security", "name"]),
    ("발행인", &["issuer"]),
    ("发行人", &["issuer"]),
    ("發行人", &["issuer"]),
    ("公允价值", &["fair", "value"]),
    ("公允價值", &["fair", "value"]),
    ("持仓市值", &["market", "value"]),
    ("市值", &["market", "value"]),
    ("時価評価額", &["market", "value"]),
    ("評価額", &["market", "value"]),
    ("評価金額", &["market", "value"]),
    ("時価", &["market", "value"]),
    ("평가금액", &["market", "value"]),
    ("평가액", &["market", "value"]),
    ("시가총액", &["capitalisation"]),
    ("数量", &["quantity"]),
    ("數量", &["quantity"]),
    ("股数", &["shares"]),
    ("股數", &["shares"]),
    ("株数", &["shares"]),
    ("保有株数", &["shares"]),
    ("수량", &["quantity"]),
    ("주식수", &["shares"]),
    ("占基金资产净值比例", &["weight"]),
    ("占基金資產淨值比例", &["weight"]),
    ("组入比率", &["weight"]),
    ("組入比率", &["weight"]),
    ("比例", &["weight"]),
    ("占比", &["weight"]),
    ("权重", &["weight"]),
    ("權重", &["weight"]),
    ("比率", &["weight"]),
    ("비중", &["weight"]),
    ("구성비", &["weight"]),
    ("币种", &["currency"]),
    ("幣種", &["currency"]),
    ("货币", &["currency"]),
    ("貨幣", &["currency"]),
    ("通貨", &["currency"]),
    ("통화", &["currency"]),
    ("证券代码", &["security", "code"]),
    ("證券代碼", &["security", "code"]),
    ("股票代码", &["security", "code"]),
    ("股票代碼", &["security", "code"]),
    ("债券代码", &["security", "code"]),
    ("銘柄コード", &["security", "code"]),
    ("종목코드", &["security", "code"]),
    ("代码", &["code"]),
    ("代碼", &["code"]),
    ("コード", &["code"]),
    ("코드", &["code"]),
    ("价格", &["price"]),
    ("價格", &["price"]),
    ("单价", &["price"]),
    ("收盘价", &["price"]),
    ("株価", &["price"]),
    ("価格", &["price"]),
    ("가격", &["price"]),
    ("현재가", &["price"]),
    ("资产类别", &["asset", "class"]),
    ("資產類別", &["asset", "class"]),
    ("資産クラス", &["asset", "class"]),
    ("行业", &["sector"]),
    ("行業", &["sector"]),
    ("業種", &["sector"]),
    ("업종", &["sector"]),
    ("国家", &["country"]),
    ("國家", &["country"]),
    ("국가", &["country"]),
    ("交易所", &["exchange"]),
    ("交易市场", &["exchange"]),
    ("市場", &["exchange"]),
    ("거래소", &["exchange"]),
    ("市价", &["price"]),
    ("市價", &["price"]),
    ("成本", &["cost"]),
    ("盈亏", &["pnl"]),
    ("盈虧", &["pnl"]),
    ("股东", &["account"]),
    ("股東", &["account"]),
    ("持仓", &["position"]),
    ("持倉", &["position"]),
    ("买入", &["buy"]),
    ("買入", &["buy"]),
    ("卖出", &["sell"]),
    ("賣出", &["sell"]),
    ("상품명", &["product", "name"]),
    ("상품번호", &["product", "code"]),
    ("매수", &["buy"]),
    ("매도", &["sell"]),
    ("주문", &["order"]),
    ("매입", &["cost"]),
    ("손익", &["pnl"]),
    ("수익율", &["return"]),
    ("수익률", &["return"]),
    ("대출", &["loan"]),
    ("보유", &["holding"]),
];

/// Words in brackets or in the text that qualify a value's currency.
const BASE_WORDS: &[&str] = &["base", "reporting", "portfolio", "fund", "book"];
const LOCAL_WORDS: &[&str] = &[
    "local",
    "trade",
    "native",
    "issue",
    "security",
    "instrument",
];

/// Reads one header cell.
pub fn read(cell: &str) -> Reading {
    let text = half_width(cell);
    let mut reading = Reading::default();
    let (outside, inside) = split_brackets(&text);
    let mut qualifiers = Vec::new();
    for token in tokens(&outside) {
        add_token(&mut reading, &token);
    }
    for token in tokens(&inside) {
        let before = reading.words.len();
        add_token(&mut reading, &token);
        qualifiers.extend(reading.words[before..].iter().copied());
    }
    // "Value (Base)", "MV (Local)", "Base Market Value", "Market Value (Security Currency)":
    // qualifiers of the value's currency, from brackets or beside a value.
    let about_value = reading.has("value") || reading.has("valuation");
    let says = |list: &[&str], loose: &[&str]| {
        qualifiers.iter().any(|w| list.contains(w))
            || (about_value && reading.words.iter().any(|w| loose.contains(w)))
    };
    reading.base = says(BASE_WORDS, &["base", "reporting", "portfolio"]);
    reading.local = says(LOCAL_WORDS, &["local"]);
    reading
}

/// Full-width Latin letters, digits and punctuation (common in Chinese and Japanese exports) as
/// their ASCII forms, so `ＩＳＩＮ` and `（元）` read like `ISIN` and `(元)`.
fn half_width(cell: &str) -> String {
    cell.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            '【' | '〔' => '[',
            '】' | '〕' => ']',
            _ => c,
        })
        .collect()
}

/// The text outside brackets, and what the brackets held (joined by spaces).
fn split_brackets(text: &str) -> (String, String) {
    let (mut outside, mut inside) = (String::new(), String::new());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                inside.push(' ');
            }
            ')' | ']' | '}' => {
                depth = depth.saturating_sub(1);
                inside.push(' ');
            }
            _ if depth > 0 => inside.push(c),
            _ => outside.push(c),
        }
    }
    (outside, inside)
}

/// Words of a header: runs of letters and digits (camel case split, `MarketValue` → `market
/// value`), runs of CJK characters, and the signs `%`, `$`, `€`, `£`.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut current_cjk = false;
    let mut previous_lower = false;
    let flush = |current: &mut String, out: &mut Vec<String>| {
        if !current.is_empty() {
            out.push(std::mem::take(current).to_lowercase());
        }
    };
    for c in text.chars() {
        let cjk = is_cjk(c);
        if c.is_alphanumeric() {
            let boundary = (cjk != current_cjk) || (!cjk && previous_lower && c.is_uppercase());
            if boundary {
                flush(&mut current, &mut out);
            }
            current.push(c);
            current_cjk = cjk;
            previous_lower = c.is_lowercase() || c.is_ascii_digit();
        } else {
            flush(&mut current, &mut out);
            previous_lower = false;
            if matches!(c, '%' | '$' | '€' | '£') {
                out.push(c.to_string());
            }
        }
    }
    flush(&mut current, &mut out);
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xac00..=0xd7af | 0xf900..=0xfaff)
}

fn add_token(reading: &mut Reading, token: &str) {
    if let Some((_, code)) = CURRENCIES.iter().find(|(k, _)| *k == token) {
        reading.currency.get_or_insert(code);
        return;
    }
    if token.chars().next().is_some_and(is_cjk) {
        add_cjk(reading, token);
        return;
    }
    match known(token) {
        Some(words) => reading.words.extend(words),
        None => reading.words.extend(compound(token)),
    }
}

/// The concept words of a word the vocabulary knows as it is.
fn known(token: &str) -> Option<Vec<&'static str>> {
    WORDS
        .iter()
        .find(|(k, _)| *k == token)
        .map(|(_, words)| words.to_vec())
        .or_else(|| ENGLISH.iter().find(|w| **w == token).map(|w| vec![*w]))
}

/// A compound the vocabulary does not list ("Emittententicker", "Marktwährung",
/// "tradingsymbol"): the longest known word it starts with and the longest it ends with, each
/// of four letters or more.
fn compound(token: &str) -> Vec<&'static str> {
    let keys = || {
        WORDS
            .iter()
            .map(|(k, _)| *k)
            .chain(ENGLISH.iter().copied())
            .filter(|k| k.chars().count() >= 4)
    };
    let mut words = Vec::new();
    let head = keys()
        .filter(|k| token.starts_with(k) && token.len() > k.len())
        .max_by_key(|k| k.len());
    let tail = keys()
        .filter(|k| token.ends_with(k) && token.len() > k.len())
        .max_by_key(|k| k.len());
    for part in [head, tail].into_iter().flatten() {
        words.extend(known(part).unwrap_or_default());
    }
    words
}

/// Finds the vocabulary's terms inside a run of CJK characters, longest first, each character
/// used once.
fn add_cjk(reading: &mut Reading, run: &str) {
    let mut rest = run.to_string();
    let mut terms: Vec<&(&str, &[&str])> = CJK.iter().collect();
    terms.sort_by_key(|(k, _)| std::cmp::Reverse(k.chars().count()));
    let mut found: Vec<(usize, &[&str])> = Vec::new();
    for (term, words) in terms {
        while let Some(at) = rest.find(term) {
            found.push((at, words));
            rest.replace_range(at..at + term.len(), &"\u{0}".repeat(term.len()));
        }
    }
    if let Some((_, code)) = CURRENCIES
        .iter()
        .find(|(k, _)| k.chars().next().is_some_and(is_cjk) && rest.contains(k))
    {
        reading.currency.get_or_insert(code);
    }
    found.sort_by_key(|(at, _)| *at);
    for (_, words) in found {
        reading.words.extend_from_slice(words);
    }
}

/// English words the rules use, as they are.
const ENGLISH: &[&str] = &[
    "market",
    "value",
    "valuation",
    "fair",
    "position",
    "total",
    "holding",
    "name",
    "issuer",
    "description",
    "security",
    "company",
    "instrument",
    "asset",
    "class",
    "type",
    "category",
    "quantity",
    "shares",
    "nominal",
    "par",
    "face",
    "amount",
    "number",
    "price",
    "cost",
    "book",
    "notional",
    "accrued",
    "interest",
    "income",
    "change",
    "gain",
    "loss",
    "unrealized",
    "unrealised",
    "weight",
    "percent",
    "allocation",
    "proportion",
    "net",
    "assets",
    "fund",
    "nav",
    "currency",
    "exchange",
    "rate",
    "fx",
    "ticker",
    "symbol",
    "code",
    "identifier",
    "isin",
    "cusip",
    "sedol",
    "lei",
    "cik",
    "figi",
    "ric",
    "sector",
    "industry",
    "country",
    "location",
    "region",
    "domicile",
    "date",
    "maturity",
    "coupon",
    "yield",
    "duration",
    "rating",
    "base",
    "local",
    "reporting",
    "portfolio",
    "trade",
    "native",
    "of",
    "in",
    "stock",
    "equity",
    "bond",
    "delta",
    "exposure",
    "capitalisation",
    "capitalization",
    "spread",
    "return",
    "pnl",
    "buy",
    "sell",
    "purchased",
    "sold",
    "bought",
    "order",
    "side",
    "loan",
    "account",
    "counterparty",
    "clearinghouse",
    "multiplier",
    "strike",
    "expiry",
    "expiration",
    "settlement",
    "termination",
    "timestamp",
    "beginning",
    "opening",
    "previous",
    "prior",
    "current",
    "model",
    "product",
    "underlying",
    "principal",
    "wkn",
    "conid",
    "valor",
    "listing",
];

/// How strongly a cell claims its role, when several cells could carry one: the best ranked
/// is used, the first of equals (`Market Value (Base)` over `Market Value`, `percentOfNAV` over a
/// bare `weight`, `quantity_held` over `face`).
pub type Rank = u8;

/// Words that say a cell is about trading or financing, not the holding itself.
const TRADE_WORDS: &[&str] = &[
    "buy",
    "sell",
    "purchased",
    "sold",
    "bought",
    "order",
    "side",
    "loan",
];

/// Words that name something a holding table may carry beside the holding itself.
const FIELD_WORDS: &[(&str, &str)] = &[
    ("account", "account"),
    ("counterparty", "counterparty"),
    ("clearinghouse", "counterparty"),
    ("rating", "rating"),
    ("multiplier", "contract terms"),
    ("strike", "contract terms"),
    ("capitalisation", "capitalisation"),
];

/// The role a header's words name, by rule, with its rank; or a known column xjscan does not
/// use. The checks run from the most specific to the least, so `Price` is never a value and
/// `Fund Ticker` never the holding's ticker.
pub fn meaning(r: &Reading) -> Option<Meaning> {
    ranked(r).map(|(m, _)| m)
}

/// [`meaning`] with its rank.
pub fn ranked(r: &Reading) -> Option<(Meaning, Rank)> {
    use Meaning::{Known, Role as R};
    let schemes = ["isin", "cusip", "sedol"]
        .iter()
        .filter(|w| r.has(w))
        .count();
    // "Cusip/Sedol", "Symbol/ISIN": a column of mixed schemes, read by each value's shape.
    if schemes >= 2 || (schemes == 1 && r.has_any(&["symbol", "ticker"])) {
        return Some((R(Role::Identifier), 3));
    }
    for (word, role) in [
        ("isin", Role::Isin),
        ("cusip", Role::Cusip),
        ("sedol", Role::Sedol),
        ("lei", Role::Lei),
        ("cik", Role::Cik),
    ] {
        if r.has(word) {
            return Some((R(role), 3));
        }
    }
    if r.has_any(&["figi", "ric", "conid", "wkn", "valor"]) {
        return Some((Known("other identifier"), 0));
    }
    if (r.has("rate") && r.has_any(&["exchange", "fx"])) || r.has("fx") {
        return Some((Known("exchange rate"), 0));
    }
    // "Currency Purchased", "market_value_currency": the currency of something; but "Amount
    // in Base Currency", "Betrag in Portfoliowährung" are amounts.
    if r.has("currency")
        && !r.has("in")
        && (r.words.last() == Some(&"currency") || !r.has_any(&["amount", "value"]))
    {
        // The value's currency over a price quote's ("quote_currency").
        let of_value = r.has_any(&["value", "market", "amount"]);
        return Some((R(Role::Currency), if of_value { 4 } else { 3 }));
    }
    if r.has_any(TRADE_WORDS) {
        return Some((Known("trading"), 0));
    }
    if !r.has("percent")
        && let Some((_, what)) = FIELD_WORDS.iter().find(|(w, _)| r.has(w))
    {
        return Some((Known(what), 0));
    }
    if r.has_any(&[
        "date",
        "expiry",
        "expiration",
        "settlement",
        "termination",
        "timestamp",
    ]) {
        return Some((Known("date"), 0));
    }
    if r.has_any(&[
        "pnl", "change", "gain", "loss", "return", "yield", "duration", "coupon", "spread",
    ]) || (r.has_any(&["unrealized", "unrealised"]) && !r.has("value"))
    {
        return Some((Known("performance or bond figure"), 0));
    }
    if r.has("price") && !r.has("value") {
        return Some((Known("price"), 0));
    }
    if r.has_any(&["cost", "book"]) && !r.has("market") {
        return Some((Known("cost"), 0));
    }
    if r.has_any(&["notional", "exposure"]) {
        return Some((Known("notional"), 0));
    }
    if r.has("accrued") || (r.has("interest") && !r.has("value")) {
        return Some((Known("accrued interest"), 0));
    }
    if r.has_any(&["beginning", "opening", "previous", "prior"]) {
        return Some((Known("an earlier value"), 0));
    }
    if r.has_any(&["weight", "percent", "allocation", "proportion"])
        || (r.has("of") && r.has_any(&["net", "assets", "fund", "nav", "portfolio", "total"]))
    {
        // Of the fund's assets, not of a subtotal ("in % of Derivatives").
        let of_fund = r.has_any(&["net", "assets", "fund", "nav", "portfolio", "total"])
            || (r.has("market") && r.has("value"));
        return Some((R(Role::Weight), if of_fund { 4 } else { 2 }));
    }
    // "Par Value", "Face Amount ($)", "Principal Amount (000)" are the bond's quantity.
    let par = r.has_any(&["par", "face", "nominal", "principal"]);
    if !par
        && (r.has("value")
            || r.has("valuation")
            || (r.has("amount") && (r.base || r.currency.is_some() || r.has("currency"))))
    {
        return Some((R(Role::Value), value_rank(r)));
    }
    if r.has_any(&["fund", "model"]) {
        return Some((Known("about the fund"), 0));
    }
    if r.has("currency") {
        return Some((R(Role::Currency), 3));
    }
    // "Exchange Name", "ExchangeName" name the exchange; "Symbol Name" names the holding.
    if r.has("exchange") {
        return Some((R(Role::Exchange), 3));
    }
    if r.has_any(&["sector", "industry"]) {
        return Some((Known("sector"), 0));
    }
    if r.has_any(&["country", "location", "region", "domicile"]) {
        return Some((Known("country"), 0));
    }
    if r.has("name") {
        return Some((R(Role::Name), 3));
    }
    if r.has("market") && r.words.iter().all(|w| matches!(*w, "market" | "position")) {
        return Some((R(Role::Exchange), 2));
    }
    if r.has_any(&["quantity", "shares", "position"]) {
        return Some((R(Role::Quantity), 3));
    }
    if r.has_any(&["par", "face", "nominal", "principal"]) {
        return Some((R(Role::Quantity), 2));
    }
    if r.has("number") || r.has("amount") {
        return Some((R(Role::Quantity), 1));
    }
    if r.has_any(&["class", "type", "category"]) {
        let of_security = r.has_any(&["asset", "security", "instrument"]);
        return Some((R(Role::AssetClass), if of_security { 3 } else { 1 }));
    }
    if r.has_any(&["ticker", "symbol"]) {
        return Some((R(Role::Ticker), 3));
    }
    if r.has("code") {
        return Some((R(Role::Ticker), 2));
    }
    if r.has("identifier") {
        return Some((R(Role::Identifier), 2));
    }
    if r.has("issuer") {
        return Some((R(Role::Name), 3));
    }
    if r.has("description") {
        return Some((R(Role::Description), 2));
    }
    if r.has_any(&["security", "company", "instrument", "holding"]) {
        return Some((R(Role::Name), 2));
    }
    if r.has_any(&["product", "bond", "stock", "underlying"]) {
        return Some((R(Role::Name), 1));
    }
    None
}

/// How strongly a value column is preferred when several could carry the value: a market value
/// in the base (or a named) currency first, then an unqualified market value, then a bare value,
/// and a local-currency value last, so the positions are added up in one currency.
pub fn value_rank(r: &Reading) -> Rank {
    let market = r.has_any(&["market", "fair", "valuation", "current"]) || r.has("position");
    match (r.local, r.base || r.currency.is_some(), market) {
        (true, _, _) => 1,
        (false, true, _) => 5,
        (false, false, true) => 4,
        (false, false, false) => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(cell: &str) -> Option<Meaning> {
        meaning(&read(cell))
    }

    #[test]
    fn spellings_of_a_market_value() {
        for cell in [
            "Mkt Val (USD)",
            "Market Value (USD)",
            "Value [EUR]",
            "MV (Base)",
            "Base Market Value",
            "Value, Market",
            "MarketValue",
            "Kurswert",
            "Kurswert in EUR",
            "Valeur de marché",
            "Valor de mercado",
            "Marktwaarde",
            "市值",
            "公允价值(元)",
            "評価額",
            "평가금액",
            "Controvalore",
        ] {
            assert_eq!(role(cell), Some(Meaning::Role(Role::Value)), "{cell}");
        }
    }

    #[test]
    fn other_roles_in_several_languages() {
        let cases = [
            ("Security Description", Role::Description),
            ("Sec Desc", Role::Description),
            ("ISIN Code", Role::Isin),
            ("Code ISIN", Role::Isin),
            ("Qty", Role::Quantity),
            ("Nom", Role::Quantity),
            ("Par Value", Role::Quantity),
            ("Stück/Nominale", Role::Quantity),
            ("数量(股)", Role::Quantity),
            ("Ccy", Role::Currency),
            ("Währung", Role::Currency),
            ("Wertpapier", Role::Name),
            ("Libellé", Role::Name),
            ("证券名称", Role::Name),
            ("銘柄名", Role::Name),
            ("종목명", Role::Name),
            ("Issuer Name", Role::Name),
            ("股票代码", Role::Ticker),
            ("Sec Cd", Role::Ticker),
            ("占基金资产净值比例(%)", Role::Weight),
            ("% of Net Assets", Role::Weight),
            ("Anteil am Fondsvermögen", Role::Weight),
            ("Asset Type", Role::AssetClass),
        ];
        for (cell, want) in cases {
            assert_eq!(role(cell), Some(Meaning::Role(want)), "{cell}");
        }
    }

    #[test]
    fn figures_that_are_not_the_value_are_known_and_kept_apart() {
        for cell in [
            "Price",
            "Px",
            "Notional Value",
            "Book Cost",
            "Accrued Interest",
            "Unrealized Gain/Loss",
            "FX Rate",
            "Market Price (Local)",
        ] {
            assert!(
                matches!(role(cell), Some(Meaning::Known(_))),
                "{cell}: {:?}",
                role(cell)
            );
        }
    }

    #[test]
    fn currency_and_base_or_local_are_read_from_brackets() {
        let usd = read("Mkt Val (USD)");
        assert_eq!(usd.currency, Some("USD"));
        assert_eq!(read("公允价值(元)").currency, Some("CNY"));
        assert!(read("Market Value (Local)").local);
        assert!(read("MV (Base)").base);
        assert!(value_rank(&read("Market Value (Base)")) > value_rank(&read("Market Value")));
        assert!(value_rank(&read("Market Value")) > value_rank(&read("Market Value (Local)")));
        assert_eq!(read("ＩＳＩＮ").words, ["isin"]);
    }
}
