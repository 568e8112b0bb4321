//! Valid inputs generated from a seed, each with what the generator knows independently of
//! xjscan (row count and value total) where the format states one.
//!
//! Values are drawn as whole cents and summed here with exact decimals, so the total a report
//! must reach is the generator's own figure, not one read back through the reader under test.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rust_decimal::Decimal;

use super::oracle::Expected;

/// One case: files by path relative to the case folder, and what a correct report must say.
#[derive(Debug, Clone)]
pub struct Input {
    pub origin: String,
    pub files: Vec<(String, Vec<u8>)>,
    pub expected: Option<Expected>,
}

/// Issuer names: flagged names in English and Chinese, French accents, mixed scripts, plain.
const NAMES: &[&str] = &[
    "Hangzhou Hikvision Digital Technology Co., Ltd.",
    "新疆中泰化学股份有限公司",
    "Xinjiang Goldwind Science & Technology Co. Ltd.",
    "杭州海康威视数字技术股份有限公司",
    "Société Générale",
    "L'Oréal S.A.",
    "Hermès International",
    "Zijin Mining Group Co., Ltd. 紫金矿业",
    "Apple Inc.",
    "Daqo New Energy Corp",
    "Crédit Agricole à Paris",
    "ÜRÜMQI Çotton Ltd",
];

/// Names Windows-1252 can encode (no CJK).
const LATIN_NAMES: &[&str] = &[
    "Société Générale",
    "L'Oréal S.A.",
    "Hermès International",
    "Crédit Agricole à Paris",
    "Apple Inc.",
    "Daqo New Energy Corp",
];

/// Names GBK can encode (no accented Latin).
const GBK_NAMES: &[&str] = &[
    "新疆中泰化学股份有限公司",
    "杭州海康威视数字技术股份有限公司",
    "Apple Inc.",
    "Zijin Mining Group Co., Ltd. 紫金矿业",
    "Hangzhou Hikvision Digital Technology Co., Ltd.",
];

#[derive(Debug, Clone, Copy)]
enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Gbk,
    Windows1252,
}

/// Whole cents, shown with two decimals; most small, some large.
fn cents(rng: &mut StdRng) -> i64 {
    match rng.random_range(0..10) {
        0 => rng.random_range(0..100),
        1 => rng.random_range(1_000_000_000_000..9_000_000_000_000_000),
        _ => rng.random_range(100..10_000_000_000),
    }
}

fn money(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// A delimited holdings file: a random delimiter and encoding, a preamble now and then, and
/// sometimes one long name placed so that byte 4096 of the text falls inside a character.
pub fn delimited(rng: &mut StdRng) -> Input {
    let encoding = *[
        Encoding::Utf8,
        Encoding::Utf8Bom,
        Encoding::Utf16Le,
        Encoding::Utf16Be,
        Encoding::Gbk,
        Encoding::Windows1252,
    ]
    .choose(rng)
    .unwrap_or(&Encoding::Utf8);
    let names = match encoding {
        Encoding::Gbk => GBK_NAMES,
        Encoding::Windows1252 => LATIN_NAMES,
        _ => NAMES,
    };
    let delimiter = *[",", ";", "\t", "|"].choose(rng).unwrap_or(&",");
    let newline = if rng.random_bool(0.3) { "\r\n" } else { "\n" };
    let mut text = String::new();
    if rng.random_bool(0.3) {
        text.push_str(&format!(
            "Fund holdings{newline}As of{delimiter}2026-09-30{newline}{newline}"
        ));
    }
    let header = *["Name", "Issuer", "Security Name", "名称", "发行人"]
        .choose(rng)
        .unwrap_or(&"Name");
    let header = if matches!(encoding, Encoding::Windows1252) {
        "Issuer"
    } else {
        header
    };
    text.push_str(&format!("{header}{delimiter}Market Value{newline}"));
    let boundary = !matches!(encoding, Encoding::Windows1252) && rng.random_bool(0.4);
    // Enough rows to reach byte 4096 when the boundary is wanted.
    let rows = if boundary || rng.random_bool(0.2) {
        rng.random_range(200..400)
    } else {
        rng.random_range(1..40)
    };
    let mut total = Decimal::ZERO;
    let mut lines = Vec::with_capacity(rows);
    for _ in 0..rows {
        let c = cents(rng);
        total += money(c);
        let name = names.choose(rng).copied().unwrap_or("Apple Inc.");
        // Names with the delimiter or quotes are quoted, as a spreadsheet writes them.
        let name = if name.contains(delimiter) || name.contains('"') || rng.random_bool(0.2) {
            format!("\"{}\"", name.replace('"', "\"\""))
        } else {
            name.to_string()
        };
        lines.push((name, money(c).to_string()));
    }
    for (name, value) in &lines {
        text.push_str(&format!("{name}{delimiter}{value}{newline}"));
    }
    if boundary {
        text = straddle_4096(text, header, delimiter, newline, &lines);
    }
    let (bytes, label) = encode(&text, encoding);
    Input {
        origin: format!(
            "generated-delimited({label}, {delimiter:?}, {rows} rows, boundary={boundary})"
        ),
        files: vec![("generated.csv".into(), bytes)],
        expected: Some(Expected {
            rows: rows as u64,
            total,
            thousands_allowed: false,
        }),
    }
}

/// Rebuilds the text with the name of the row that spans byte 4096 padded so that a
/// three-byte character starts at byte 4095: a cut at 4096 lands inside it.
fn straddle_4096(
    text: String,
    header: &str,
    delimiter: &str,
    newline: &str,
    lines: &[(String, String)],
) -> String {
    let head_len = text
        .find(&format!("{header}{delimiter}Market Value"))
        .unwrap_or(0);
    let mut out = text[..head_len].to_string();
    out.push_str(&format!("{header}{delimiter}Market Value{newline}"));
    for (name, value) in lines {
        if out.len() < 4095 && out.len() + 200 > 4095 {
            let pad = 4095 - out.len();
            out.push_str(&"x".repeat(pad));
            out.push_str("疆棉 Holdings");
        } else {
            out.push_str(name);
        }
        out.push_str(&format!("{delimiter}{value}{newline}"));
    }
    out
}

fn encode(text: &str, encoding: Encoding) -> (Vec<u8>, &'static str) {
    match encoding {
        Encoding::Utf8 => (text.as_bytes().to_vec(), "utf-8"),
        Encoding::Utf8Bom => (
            [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
            "utf-8-bom",
        ),
        Encoding::Utf16Le => {
            let mut b = vec![0xff, 0xfe];
            b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            (b, "utf-16le")
        }
        Encoding::Utf16Be => {
            let mut b = vec![0xfe, 0xff];
            b.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
            (b, "utf-16be")
        }
        Encoding::Gbk => legacy(text, encoding_rs::GBK, "gbk"),
        Encoding::Windows1252 => legacy(text, encoding_rs::WINDOWS_1252, "windows-1252"),
    }
}

/// Text in a legacy encoding, or UTF-8 when it cannot hold every character.
fn legacy(
    text: &str,
    encoding: &'static encoding_rs::Encoding,
    label: &'static str,
) -> (Vec<u8>, &'static str) {
    let (bytes, _, unmappable) = encoding.encode(text);
    if unmappable {
        (text.as_bytes().to_vec(), "utf-8")
    } else {
        (bytes.into_owned(), label)
    }
}

/// 13F information-table rows: (name, cusip, value in whole dollars, shares).
fn info_rows(rng: &mut StdRng) -> (Vec<(String, String, i64, i64)>, Decimal) {
    let cusips = ["037833100", "23703Q203", "594918104", "G9830T106"];
    let n = rng.random_range(1..40);
    let mut total = Decimal::ZERO;
    let rows = (0..n)
        .map(|_| {
            let shares = rng.random_range(1..1_000_000);
            let value = shares * rng.random_range(1..500);
            total += Decimal::from(value);
            let name = xml_escape(NAMES.choose(rng).copied().unwrap_or("Apple Inc."));
            let cusip = cusips
                .choose(rng)
                .copied()
                .unwrap_or("037833100")
                .to_string();
            (name, cusip, value, shares)
        })
        .collect();
    (rows, total)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn information_table(rows: &[(String, String, i64, i64)], prefix: &str) -> String {
    let mut x = format!(
        "<{prefix}informationTable xmlns{} =\"http://www.sec.gov/edgar/document/thirteenf/informationtable\">\n",
        if prefix.is_empty() { String::new() } else { format!(":{}", prefix.trim_end_matches(':')) }
    )
    .replace("xmlns =", "xmlns=")
    .replace(" =\"", "=\"");
    for (name, cusip, value, shares) in rows {
        x.push_str(&format!(
            "  <{prefix}infoTable><{prefix}nameOfIssuer>{name}</{prefix}nameOfIssuer><{prefix}titleOfClass>COM</{prefix}titleOfClass><{prefix}cusip>{cusip}</{prefix}cusip><{prefix}value>{value}</{prefix}value><{prefix}shrsOrPrnAmt><{prefix}sshPrnamt>{shares}</{prefix}sshPrnamt><{prefix}sshPrnamtType>SH</{prefix}sshPrnamtType></{prefix}shrsOrPrnAmt><{prefix}investmentDiscretion>SOLE</{prefix}investmentDiscretion><{prefix}votingAuthority><{prefix}Sole>{shares}</{prefix}Sole><{prefix}Shared>0</{prefix}Shared><{prefix}None>0</{prefix}None></{prefix}votingAuthority></{prefix}infoTable>\n"
        ));
    }
    x.push_str(&format!("</{prefix}informationTable>\n"));
    x
}

/// A 13F information table (XML), with or without a namespace prefix.
pub fn sec13f(rng: &mut StdRng) -> Input {
    let (rows, total) = info_rows(rng);
    let prefix = if rng.random_bool(0.5) { "ns1:" } else { "" };
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}",
        information_table(&rows, prefix)
    );
    Input {
        origin: format!("generated-13f-xml({} rows)", rows.len()),
        files: vec![("infotable.xml".into(), xml.into_bytes())],
        expected: Some(Expected {
            rows: rows.len() as u64,
            total,
            thousands_allowed: true,
        }),
    }
}

/// An EDGAR full-submission text file holding a 13F information table.
pub fn edgar_submission(rng: &mut StdRng) -> Input {
    let (rows, total) = info_rows(rng);
    let filer = xml_escape(NAMES.choose(rng).copied().unwrap_or("Filer"));
    let text = format!(
        "<SEC-DOCUMENT>0001234567-25-000001.txt : 20251114\n<SEC-HEADER>0001234567-25-000001.hdr.sgml : 20251114\n\
ACCESSION NUMBER:\t\t0001234567-25-000001\nCONFORMED SUBMISSION TYPE:\t13F-HR\nPUBLIC DOCUMENT COUNT:\t\t2\n\
CONFORMED PERIOD OF REPORT:\t20250930\nFILED AS OF DATE:\t\t20251114\n\nFILER:\n\n\tCOMPANY DATA:\t\n\
\t\tCOMPANY CONFORMED NAME:\t\t\t{filer}\n\t\tCENTRAL INDEX KEY:\t\t\t0001234567\n</SEC-HEADER>\n\
<DOCUMENT>\n<TYPE>INFORMATION TABLE\n<SEQUENCE>2\n<FILENAME>infotable.xml\n<TEXT>\n<XML>\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}</XML>\n</TEXT>\n</DOCUMENT>\n</SEC-DOCUMENT>\n",
        information_table(&rows, "ns1:")
    );
    Input {
        origin: format!("generated-edgar-submission({} rows)", rows.len()),
        files: vec![("submission.txt".into(), text.into_bytes())],
        expected: Some(Expected {
            rows: rows.len() as u64,
            total,
            thousands_allowed: true,
        }),
    }
}

/// An N-PORT filing with long equity positions valued in dollars.
pub fn nport(rng: &mut StdRng) -> Input {
    let n = rng.random_range(1..40);
    let mut total = Decimal::ZERO;
    let mut secs = String::new();
    for _ in 0..n {
        let c = cents(rng);
        total += money(c);
        let name = xml_escape(NAMES.choose(rng).copied().unwrap_or("Apple Inc."));
        secs.push_str(&format!(
            "<invstOrSec><name>{name}</name><lei>N/A</lei><title>{name}</title><cusip>037833100</cusip><balance>100</balance><units>NS</units><curCd>USD</curCd><valUSD>{}</valUSD><pctVal>0.1</pctVal><payoffProfile>Long</payoffProfile><assetCat>EC</assetCat><issuerCat>CORP</issuerCat><invCountry>US</invCountry></invstOrSec>\n",
            money(c)
        ));
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<edgarSubmission xmlns=\"http://www.sec.gov/edgar/nport\">\
<headerData><submissionType>NPORT-P</submissionType></headerData><formData><genInfo><regName>Fuzz Trust</regName>\
<seriesName>Fuzz Fund</seriesName><repPdDate>2025-03-31</repPdDate></genInfo><fundInfo><totAssets>{total}</totAssets>\
<netAssets>{total}</netAssets></fundInfo><invstOrSecs>\n{secs}</invstOrSecs></formData></edgarSubmission>\n"
    );
    Input {
        origin: format!("generated-nport({n} rows)"),
        files: vec![("nport.xml".into(), xml.into_bytes())],
        expected: Some(Expected {
            rows: n,
            total,
            thousands_allowed: false,
        }),
    }
}

const DATASET_HEADER: &str = "ACCESSION_NUMBER\tINFOTABLE_SK\tNAMEOFISSUER\tTITLEOFCLASS\tCUSIP\tFIGI\tVALUE\tSSHPRNAMT\tSSHPRNAMTTYPE\tPUTCALL\tINVESTMENTDISCRETION\tOTHERMANAGER\tVOTING_AUTH_SOLE\tVOTING_AUTH_SHARED\tVOTING_AUTH_NONE\n";

/// A Form 13F data set folder `q/`: a few filings and their rows.
pub fn dataset(rng: &mut StdRng) -> Input {
    let filings = rng.random_range(1..5);
    let mut submission =
        String::from("ACCESSION_NUMBER\tFILING_DATE\tSUBMISSIONTYPE\tCIK\tPERIODOFREPORT\n");
    let mut cover = String::from("ACCESSION_NUMBER\tREPORTCALENDARORQUARTER\tFILINGMANAGER_NAME\n");
    let mut summary = String::from(
        "ACCESSION_NUMBER\tOTHERINCLUDEDMANAGERSCOUNT\tTABLEENTRYTOTAL\tTABLEVALUETOTAL\n",
    );
    let mut info = String::from(DATASET_HEADER);
    let (mut rows, mut sk) = (0u64, 0u64);
    for f in 1..=filings {
        let accession = format!("{f:010}-25-{f:06}");
        let manager = NAMES.choose(rng).copied().unwrap_or("Filer");
        submission.push_str(&format!(
            "{accession}\t14-NOV-2025\t13F-HR\t{f:010}\t30-SEP-2025\n"
        ));
        cover.push_str(&format!("{accession}\t30-SEP-2025\t{manager}\n"));
        let (entries, total) = info_rows(rng);
        summary.push_str(&format!("{accession}\t0\t{}\t{total}\n", entries.len()));
        for (name, cusip, value, shares) in entries {
            sk += 1;
            rows += 1;
            let name = name.replace("&amp;", "&").replace('\t', " ");
            info.push_str(&format!(
                "{accession}\t{sk}\t{name}\tCOM\t{cusip}\t\t{value}\t{shares}\tSH\t\tSOLE\t\t{shares}\t0\t0\n"
            ));
        }
    }
    Input {
        origin: format!("generated-dataset({filings} filings, {rows} rows)"),
        files: vec![
            ("q/SUBMISSION.tsv".into(), submission.into_bytes()),
            ("q/COVERPAGE.tsv".into(), cover.into_bytes()),
            ("q/SUMMARYPAGE.tsv".into(), summary.into_bytes()),
            ("q/INFOTABLE.tsv".into(), info.into_bytes()),
        ],
        expected: Some(Expected {
            rows,
            total: Decimal::ZERO,
            thousands_allowed: true,
        }),
    }
}

/// A Parquet holdings file: integer cents as a string or integer column, or float dollars.
pub fn parquet(rng: &mut StdRng) -> Input {
    use polars::prelude::*;
    let n = rng.random_range(1..40);
    let names: Vec<String> = (0..n)
        .map(|_| {
            NAMES
                .choose(rng)
                .copied()
                .unwrap_or("Apple Inc.")
                .to_string()
        })
        .collect();
    let values: Vec<i64> = (0..n).map(|_| rng.random_range(0..1_000_000_000)).collect();
    let total: Decimal = values.iter().map(|&v| Decimal::from(v)).sum();
    let column = match rng.random_range(0..4) {
        0 => Column::new("Market Value".into(), values.clone()),
        1 => Column::new(
            "Market Value".into(),
            values.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
        ),
        2 => Column::new(
            "Market Value".into(),
            values.iter().map(|&v| v as f64).collect::<Vec<_>>(),
        ),
        // A decimal128 column, as written by Spark and pandas from exact decimals.
        _ => {
            let scale = rng.random_range(0..=9);
            Column::new(
                "Market Value".into(),
                values.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
            )
            .cast(&DataType::Decimal(38, scale))
            .unwrap_or_else(|e| panic!("a decimal column: {e}"))
        }
    };
    let mut df = match DataFrame::new(n, vec![Column::new("Name".into(), names), column]) {
        Ok(df) => df,
        Err(e) => panic!("building a generated Parquet frame: {e}"),
    };
    let mut bytes = Vec::new();
    if let Err(e) = ParquetWriter::new(&mut bytes).finish(&mut df) {
        panic!("writing a generated Parquet file: {e}");
    }
    Input {
        origin: format!("generated-parquet({n} rows)"),
        files: vec![("holdings.parquet".into(), bytes)],
        expected: Some(Expected {
            rows: n as u64,
            total,
            thousands_allowed: false,
        }),
    }
}

/// Exchange rates for the currencies of `tests/fixtures/fx/holdings.csv`.
pub fn fx(rng: &mut StdRng) -> Input {
    let mut text = String::from("currency,rate,date,source\n");
    for currency in ["CNY", "HKD", "EUR", "USD"] {
        if currency == "USD" && rng.random_bool(0.7) {
            continue;
        }
        let rate = Decimal::new(rng.random_range(1..10_000_000), rng.random_range(0..9));
        let source = NAMES.choose(rng).copied().unwrap_or("").replace(',', " ");
        text.push_str(&format!("{currency},{rate},2026-09-30,{source}\n"));
    }
    Input {
        origin: "generated-fx".into(),
        files: vec![("rates.csv".into(), text.into_bytes())],
        expected: None,
    }
}

/// Reviewer decisions on names of the shipped example, for entities of the shipped tables.
pub fn overrides(rng: &mut StdRng) -> Input {
    let holdings = [
        "Hangzhou Hikvision Digital Technology Co., Ltd.",
        "Apple Inc.",
        "新疆中泰化学股份有限公司",
        "Zhongtai Securities",
    ];
    let entities = ["hikvision", "xpcc", "zhongtai-chemical", "no-such-entity"];
    let mut text = String::from("holding_name,entity_id,decision,reviewer,date,note\n");
    for _ in 0..rng.random_range(1..6) {
        let h = holdings.choose(rng).copied().unwrap_or("");
        let e = entities.choose(rng).copied().unwrap_or("");
        let d = ["accept", "reject"]
            .choose(rng)
            .copied()
            .unwrap_or("accept");
        text.push_str(&format!(
            "\"{h}\",{e},{d},A. Reviewer,2026-11-0{},\"note, é\"\n",
            rng.random_range(1..10)
        ));
    }
    Input {
        origin: "generated-overrides".into(),
        files: vec![("overrides.csv".into(), text.into_bytes())],
        expected: None,
    }
}

/// A config file whose sender fields hold awkward text.
pub fn config(rng: &mut StdRng) -> Input {
    let pick = |rng: &mut StdRng| {
        let s = [
            NAMES.choose(rng).copied().unwrap_or(""),
            super::mutate::TEXT.choose(rng).copied().unwrap_or(""),
        ]
        .concat();
        s.replace('\\', "\\\\").replace('"', "\\\"")
    };
    let text = format!(
        "[sender]\nname = \"{}\"\norganisation = \"{}\"\nemail = \"a@example.org\"\naddress = \"{}\"\n\n[letters]\ndate = \"2026-11-{:02}\"\n",
        pick(rng),
        pick(rng),
        pick(rng),
        rng.random_range(1..29)
    );
    Input {
        origin: "generated-config".into(),
        files: vec![("xjscan.toml".into(), text.into_bytes())],
        expected: None,
    }
}

/// The shipped reference tables with one more entity, aliased in awkward text.
pub fn mappings(rng: &mut StdRng, shipped: &[(String, Vec<u8>)]) -> Input {
    let name = NAMES.choose(rng).copied().unwrap_or("X").replace('"', "");
    let alias = super::mutate::TEXT
        .choose(rng)
        .copied()
        .unwrap_or("X")
        .replace('"', "");
    let files = shipped
        .iter()
        .map(|(path, bytes)| {
            let mut bytes = bytes.clone();
            if path.ends_with("/entities.csv") {
                bytes.extend(format!("fuzz-entity,\"{name}\",,company,CN,,\n").bytes());
            }
            if path.ends_with("/aliases.csv") {
                bytes.extend(format!("fuzz-entity,\"{alias} {name}\",en,alias,S1,C\n").bytes());
            }
            (path.clone(), bytes)
        })
        .collect();
    Input {
        origin: "generated-mappings".into(),
        files,
        expected: None,
    }
}
