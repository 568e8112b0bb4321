//! Generates a synthetic Form N-PORT data set (SUBMISSION, REGISTRANT, FUND_REPORTED_INFO,
//! FUND_REPORTED_HOLDING and IDENTIFIERS, each with the SEC's full column set) for the
//! N-PORT scale benchmark: seeded, so the same arguments give the same bytes; never committed.
//!
//! ```sh
//! cargo run --release --example gen_nport_dataset -- --rows 6000000 --out target/nport-6m
//! ```
//!
//! The shapes follow what the data sets hold (column names and codes from the SEC's
//! `nport_readme.htm` and the Form N-PORT schema): about 14,400 filings per 5.4 million rows (a real quarter's table size), a
//! few large funds and many small ones; bond funds (corporate bonds, municipal bonds with many
//! CUSIPs per issuer, Treasuries, agency mortgage pools), equity funds and multi-asset funds
//! with forwards, futures and swaps; a few funds with shorts; foreign holdings valued in US
//! dollars with an exchange rate; surrogate `HOLDING_ID`s numbered with gaps; most holdings
//! with an ISIN row in `IDENTIFIERS`, derivatives with a "USER DEFINED" identifier. Names are
//! written as fund administrators write them: the same issuer in capitals by one registrant,
//! in title case with "Co., Ltd." by another.
//!
//! Issuers linked to Xinjiang by the project's reference data appear at a realistic rate,
//! some through their ISIN only, and XPCC bond issuers in bond funds; look-alike names (the
//! hard negatives) share words with them. `truth.tsv` lists each linked spelling (true) and
//! each look-alike (false), so a benchmark can count false flags and misses.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Words for generated issuer names (as in the 13F generator: no real company's name).
const WORDS: &[&str] = &[
    "American",
    "Global",
    "First",
    "United",
    "Pacific",
    "Atlantic",
    "Northern",
    "Southern",
    "East",
    "West",
    "Green",
    "Blue",
    "River",
    "Mountain",
    "Valley",
    "Golden",
    "Silver",
    "Digital",
    "Energy",
    "Power",
    "Solar",
    "Wind",
    "Health",
    "Medical",
    "Bio",
    "Pharma",
    "Capital",
    "Financial",
    "Trust",
    "Bank",
    "Insurance",
    "Realty",
    "Properties",
    "Retail",
    "Foods",
    "Beverage",
    "Motors",
    "Auto",
    "Aerospace",
    "Defense",
    "Systems",
    "Software",
    "Networks",
    "Semiconductor",
    "Devices",
    "Materials",
    "Chemical",
    "Steel",
    "Mining",
    "Resources",
    "Oil",
    "Gas",
    "Pipeline",
    "Midstream",
    "Utilities",
    "Water",
    "Telecom",
    "Media",
    "Entertainment",
    "Gaming",
    "Hotels",
    "Airlines",
    "Logistics",
    "Transport",
    "Rail",
    "Marine",
    "Paper",
    "Packaging",
    "Apparel",
    "Brands",
    "Home",
    "Labs",
    "Robotics",
    "Dynamics",
    "Innovations",
    "Solutions",
    "Partners",
    "Ventures",
    "Industries",
];
const SUFFIXES: &[&str] = &[
    "Inc",
    "Corp",
    "Co",
    "Ltd",
    "Holdings Inc",
    "Group Inc",
    "International Inc",
    "Technologies Inc",
    "PLC",
    "LP",
    "Trust",
    "NV",
    "SA",
    "AG",
    "LLC",
];
const MUNI_KINDS: &[&str] = &[
    "Water & Sewer Revenue",
    "General Obligation",
    "Airport Authority",
    "Health Facilities Authority",
    "Transportation Authority",
    "Housing Finance Agency",
    "Unified School District",
    "Power Authority",
];
/// Issuers of many securities each, under one name: Treasuries and agency mortgage pools.
const AGENCIES: &[(&str, &str, &str, &str)] = &[
    // (name, issuer type, asset category, CUSIP issuer prefix)
    ("United States Treasury Note/Bond", "UST", "DBT", "91282C"),
    ("United States Treasury Bill", "UST", "DBT", "912797"),
    ("Fannie Mae Pool", "USGSE", "ABS-MBS", "3140"),
    ("Freddie Mac Pool", "USGSE", "ABS-MBS", "3132"),
    ("Ginnie Mae II Pool", "USGA", "ABS-MBS", "3617"),
];
/// Chinese and Hong Kong issuers the reference data does not link, some sharing words with
/// linked ones (the hard negatives): (name, ISIN prefix of 11 characters or empty).
const LOOK_ALIKES: &[(&str, &str)] = &[
    ("Alibaba Group Holding Ltd", "KYG017191"),
    ("Tencent Holdings Ltd", "KYG875721"),
    ("Kweichow Moutai Co Ltd", "CNE9Z000001"),
    ("China Merchants Bank Co Ltd", "CNE9Z000002"),
    ("Zhongtai Securities Co Ltd", "CNE9Z000003"),
    ("China Cotton Trading Co", ""),
    ("Xinjiang Tianshan Cement Co Ltd", "CNE9Z000004"),
    ("East West Bancorp Inc", ""),
    ("Green Plains Inc", ""),
    ("China Green Agriculture Inc", ""),
    ("East Buy Holding Ltd", "KYG2R1R19"),
    ("New Energy Group Inc", ""),
    ("Green Energy Corp", ""),
    ("Solar Power Inc", ""),
    ("China East Group Ltd", ""),
    (
        "TCL Zhonghuan Renewable Energy Technology Co Ltd",
        "CNE9Z000005",
    ),
    ("China National Chemical Engineering Co Ltd", "CNE9Z000006"),
    ("Daqo Trading Co Ltd", ""),
    ("Dahua Bank Co Ltd", ""),
    ("Sunshine Insurance Group Co Ltd", "CNE9Z000007"),
];
/// Issuers the reference data links, as fund administrators write them, each with the real
/// ISIN the reference data records (from `mappings/identifiers.csv`) or none: the name carries
/// the match.
const LINKED: &[(&str, &str)] = &[
    (
        "Hangzhou Hikvision Digital Technology Co Ltd",
        "CNE100000PM8",
    ),
    ("Zhejiang Dahua Technology Co Ltd", ""),
    ("ZHEJIANG DAHUA TECHNOLOGY CO., LTD.", ""),
    ("Iflytek Co Ltd", ""),
    ("Daqo New Energy Corp", ""),
    ("DAQO NEW ENERGY CORP-ADR", ""),
    ("JinkoSolar Holding Co Ltd", ""),
    ("Xinjiang Goldwind Science & Technology Co Ltd", ""),
    ("Zijin Mining Group Co Ltd", ""),
    ("ZIJIN MINING GROUP CO LTD-H", ""),
    ("LONGi Green Energy Technology Co Ltd", ""),
    ("Xinjiang Zhongtai Chemical Co Ltd", ""),
    ("Hoshine Silicon Industry Co Ltd", ""),
    ("NIO Inc", ""),
    ("Dawning Information Industry Co Ltd", "CNE100001TW7"),
    ("Xiamen Meiya Pico Information Co Ltd", "CNE100001120"),
];
/// Holdings whose name says little (a local short name): only the ISIN links them.
const LINKED_BY_ISIN: &[(&str, &str)] = &[
    ("HIK-A SHS", "CNE100000PM8"),
    ("SUGON-A", "CNE100001TW7"),
    ("NETPOSA-A", "CNE100001S40"),
    ("LEON TECH-A", "CNE100002Q17"),
];
/// Bond issuers of the XPCC's divisions, as bond databases write them.
const XPCC_BONDS: &[&str] = &[
    "Alar State-owned Capital Investment & Operation Group Co Ltd",
    "Seventh Division State-owned Assets Management Group Co Ltd",
    "Xinjiang Shihezi Development Zone Economic Construction Corp",
    "Xinjiang Tarim Reclamation Group Co Ltd",
];

struct Args {
    rows: u64,
    out: PathBuf,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        rows: 1_000_000,
        out: PathBuf::from("target/nport-dataset"),
        seed: 13,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: `{v}` is not a number"))
        };
        match flag.as_str() {
            "--rows" => args.rows = number(&value)?,
            "--seed" => args.seed = number(&value)?,
            "--out" => args.out = PathBuf::from(value),
            other => {
                return Err(format!(
                    "unknown flag {other}; use --rows N --out DIR [--seed S]"
                ));
            }
        }
    }
    Ok(args)
}

/// A letter or digit's value in check-digit schemes (letters 10..35).
fn alnum(c: u8) -> u32 {
    (c as char).to_digit(36).unwrap_or(0)
}

/// A CUSIP with its check digit, from eight characters.
fn cusip(base: &str) -> String {
    let sum: u32 = base
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let n = alnum(c) * if i % 2 == 1 { 2 } else { 1 };
            n / 10 + n % 10
        })
        .sum();
    format!("{base}{}", (10 - sum % 10) % 10)
}

/// An ISIN with its check digit (Luhn over the digits, letters expanded), from eleven
/// characters.
fn isin(base: &str) -> String {
    let digits: Vec<u32> = base
        .bytes()
        .flat_map(|c| {
            let n = alnum(c);
            if n >= 10 {
                vec![n / 10, n % 10]
            } else {
                vec![n]
            }
        })
        .collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = if i % 2 == 0 { d * 2 } else { d };
            d / 10 + d % 10
        })
        .sum();
    format!("{base}{}", (10 - sum % 10) % 10)
}

/// An LEI with its ISO 17442 check digits, from eighteen characters.
fn lei(base: &str) -> String {
    let rem = format!("{base}00").bytes().fold(0u64, |r, c| {
        let n = u64::from(alnum(c));
        if n >= 10 {
            (r * 100 + n) % 97
        } else {
            (r * 10 + n) % 97
        }
    });
    format!("{base}{:02}", 98 - rem)
}

/// One security: what a holding row and its identifier row say of it.
#[derive(Clone)]
struct Security {
    /// Spellings of the issuer's name; a registrant always uses the same one.
    names: Vec<String>,
    lei: String,
    cusip: String,
    isin: String,
    title: String,
    issuer_type: &'static str,
    asset_cat: &'static str,
    country: &'static str,
    currency: &'static str,
}

/// The issuer universe: securities by kind.
struct Universe {
    equities: Vec<Security>,
    corporate_bonds: Vec<Security>,
    munis: Vec<Security>,
    foreign: Vec<Security>,
    linked: Vec<Security>,
    xpcc_bonds: Vec<Security>,
}

fn spellings(name: &str) -> Vec<String> {
    let upper = name.to_uppercase();
    let dotted = name
        .replace(" Co Ltd", " Co., Ltd.")
        .replace(" Inc", " Inc.");
    let mut out = vec![name.to_string(), upper];
    if dotted != name {
        out.push(dotted);
    }
    out
}

fn universe(rng: &mut StdRng, rows: u64) -> Universe {
    let corporates = (rows / 150).clamp(2_000, 120_000);
    let mut equities = Vec::new();
    let mut corporate_bonds = Vec::new();
    for i in 0..corporates {
        let a = rng.random_range(0..WORDS.len());
        let b = (a + 1 + rng.random_range(0..WORDS.len() - 1)) % WORDS.len();
        let suffix = SUFFIXES[rng.random_range(0..SUFFIXES.len())];
        let name = format!("{} {} {suffix}", WORDS[a], WORDS[b]);
        let issuer = format!("{:06}", 100_000 + i);
        let lei = if rng.random_range(0..10) < 7 {
            lei(&format!("5493{:014}", i * 7_919 + 13))
        } else {
            "N/A".to_string()
        };
        let base = Security {
            names: spellings(&name),
            lei,
            cusip: cusip(&format!("{issuer}10")),
            isin: String::new(),
            title: "Common Stock".to_string(),
            issuer_type: "CORP",
            asset_cat: "EC",
            country: "US",
            currency: "USD",
        };
        equities.push(Security {
            isin: isin(&format!("US{}", base.cusip)),
            ..base.clone()
        });
        for bond in 0..rng.random_range(0..6u32) {
            let c = cusip(&format!(
                "{issuer}{}",
                ["AA", "AB", "AC", "AD", "AE", "AF"][bond as usize]
            ));
            corporate_bonds.push(Security {
                isin: isin(&format!("US{c}")),
                cusip: c,
                title: format!(
                    "{} {}.{:03}% {:02}/15/{}",
                    name,
                    rng.random_range(1..9),
                    rng.random_range(0..1000),
                    rng.random_range(1..13),
                    rng.random_range(2027..2055)
                ),
                asset_cat: "DBT",
                ..base.clone()
            });
        }
    }
    let mut munis = Vec::new();
    for i in 0..(rows / 300).clamp(1_000, 60_000) {
        let place = WORDS[rng.random_range(0..WORDS.len())];
        let kind = MUNI_KINDS[rng.random_range(0..MUNI_KINDS.len())];
        let name = format!("{place} County {kind}");
        for issue in 0..rng.random_range(1..30u32) {
            let c = cusip(&format!("{:06}{:02}", 600_000 + i, issue + 10));
            munis.push(Security {
                names: spellings(&name),
                lei: "N/A".to_string(),
                isin: isin(&format!("US{c}")),
                cusip: c,
                title: format!("{name} {}.000% {}", rng.random_range(2..6), 2030 + issue),
                issuer_type: "MUN",
                asset_cat: "DBT",
                country: "US",
                currency: "USD",
            });
        }
    }
    let foreign_of = |name: &str, isin_code: String, asset_cat, linked: bool| Security {
        names: if linked {
            vec![name.to_string()]
        } else {
            spellings(name)
        },
        lei: "N/A".to_string(),
        cusip: "N/A".to_string(),
        isin: isin_code,
        title: "Ordinary Shares".to_string(),
        issuer_type: "CORP",
        asset_cat,
        country: "CN",
        currency: "CNY",
    };
    let foreign = LOOK_ALIKES
        .iter()
        .map(|(name, prefix)| {
            let code = if prefix.is_empty() {
                String::new()
            } else {
                isin(&format!("{prefix:0<11}"))
            };
            foreign_of(name, code, "EC", false)
        })
        .collect();
    let linked = LINKED
        .iter()
        .chain(LINKED_BY_ISIN)
        .map(|(name, code)| foreign_of(name, code.to_string(), "EC", true))
        .collect();
    let xpcc_bonds = XPCC_BONDS
        .iter()
        .map(|name| Security {
            title: format!("{name} 4.500% 2028"),
            ..foreign_of(name, String::new(), "DBT", true)
        })
        .collect();
    Universe {
        equities,
        corporate_bonds,
        munis,
        foreign,
        linked,
        xpcc_bonds,
    }
}

/// What kind of fund a series is: it decides what its holdings are.
#[derive(Clone, Copy, PartialEq)]
enum FundKind {
    Bond,
    Equity,
    MultiAsset,
}

/// A holding to write: a security with its position, or a derivative contract.
struct Holding<'a> {
    security: Option<&'a Security>,
    agency: Option<(usize, u32)>,
    payoff: &'static str,
    derivative: Option<(&'static str, &'static str)>,
}

fn pick<'a>(rng: &mut StdRng, u: &'a Universe, kind: FundKind, shorts: bool) -> Holding<'a> {
    let long = |security| Holding {
        security: Some(security),
        agency: None,
        payoff: "Long",
        derivative: None,
    };
    // Linked issuers in about one row in 500, look-alikes in one in 150.
    let roll = rng.random_range(0..1_000);
    if roll < 2 {
        return long(&u.linked[rng.random_range(0..u.linked.len())]);
    }
    if roll < 9 {
        return long(&u.foreign[rng.random_range(0..u.foreign.len())]);
    }
    let by = |v: &'a Vec<Security>, rng: &mut StdRng| &v[rng.random_range(0..v.len())];
    match kind {
        FundKind::Bond => match rng.random_range(0..1_000) {
            // XPCC divisions' bonds in about one bond-fund row in 1,000.
            0 => long(by(&u.xpcc_bonds, rng)),
            1..500 => long(by(&u.corporate_bonds, rng)),
            500..720 => long(by(&u.munis, rng)),
            720..950 => Holding {
                security: None,
                agency: Some((
                    rng.random_range(0..AGENCIES.len()),
                    rng.random_range(0..400_000),
                )),
                payoff: "Long",
                derivative: None,
            },
            _ => long(by(&u.equities, rng)),
        },
        FundKind::Equity | FundKind::MultiAsset => {
            let derivative = kind == FundKind::MultiAsset && rng.random_range(0..10) == 0;
            if derivative {
                let (cat, deriv) = [("DFE", "FWD"), ("DIR", "FUT"), ("DE", "SWP"), ("DE", "OPT")]
                    [rng.random_range(0..4)];
                return Holding {
                    security: None,
                    agency: None,
                    payoff: "N/A",
                    derivative: Some((cat, deriv)),
                };
            }
            let payoff = if shorts && rng.random_range(0..8) == 0 {
                "Short"
            } else {
                "Long"
            };
            Holding {
                payoff,
                ..long(by(&u.equities, rng))
            }
        }
    }
}

/// The full column sets of the tables written, in the SEC's order.
const HOLDING_HEADER: &str = "ACCESSION_NUMBER\tHOLDING_ID\tISSUER_NAME\tISSUER_LEI\tISSUER_TITLE\tISSUER_CUSIP\tBALANCE\tUNIT\tOTHER_UNIT_DESC\tCURRENCY_CODE\tCURRENCY_VALUE\tEXCHANGE_RATE\tPERCENTAGE\tPAYOFF_PROFILE\tASSET_CAT\tOTHER_ASSET\tISSUER_TYPE\tOTHER_ISSUER\tINVESTMENT_COUNTRY\tIS_RESTRICTED_SECURITY\tFAIR_VALUE_LEVEL\tDERIVATIVE_CAT";
const IDENTIFIERS_HEADER: &str = "HOLDING_ID\tIDENTIFIERS_ID\tIDENTIFIER_ISIN\tIDENTIFIER_TICKER\tOTHER_IDENTIFIER\tOTHER_IDENTIFIER_DESC";
const SUBMISSION_HEADER: &str = "ACCESSION_NUMBER\tFILING_DATE\tFILE_NUM\tSUB_TYPE\tREPORT_ENDING_PERIOD\tREPORT_DATE\tIS_LAST_FILING";
const REGISTRANT_HEADER: &str = "ACCESSION_NUMBER\tCIK\tREGISTRANT_NAME\tFILE_NUM\tLEI\tADDRESS1\tADDRESS2\tCITY\tSTATE\tCOUNTRY\tZIP\tPHONE";
/// `FUND_REPORTED_INFO`'s 47 columns: the first seven are written, the rest left empty.
const INFO_HEADER: &str = "ACCESSION_NUMBER\tSERIES_NAME\tSERIES_ID\tSERIES_LEI\tTOTAL_ASSETS\tTOTAL_LIABILITIES\tNET_ASSETS\tASSETS_ATTRBT_TO_MISC_SECURITY\tASSETS_INVESTED\tBORROWING_PAY_WITHIN_1YR\tCTRLD_COMPANIES_PAY_WITHIN_1YR\tOTHER_AFFILIA_PAY_WITHIN_1YR\tOTHER_PAY_WITHIN_1YR\tBORROWING_PAY_AFTER_1YR\tCTRLD_COMPANIES_PAY_AFTER_1YR\tOTHER_AFFILIA_PAY_AFTER_1YR\tOTHER_PAY_AFTER_1YR\tDELAYED_DELIVERY\tSTANDBY_COMMITMENT\tLIQUIDATION_PREFERENCE\tCASH_NOT_RPTD_IN_C_OR_D\tCREDIT_SPREAD_3MON_INVEST\tCREDIT_SPREAD_1YR_INVEST\tCREDIT_SPREAD_5YR_INVEST\tCREDIT_SPREAD_10YR_INVEST\tCREDIT_SPREAD_30YR_INVEST\tCREDIT_SPREAD_3MON_NONINVEST\tCREDIT_SPREAD_1YR_NONINVEST\tCREDIT_SPREAD_5YR_NONINVEST\tCREDIT_SPREAD_10YR_NONINVEST\tCREDIT_SPREAD_30YR_NONINVEST\tIS_NON_CASH_COLLATERAL\tNET_REALIZE_GAIN_NONDERIV_MON1\tNET_UNREALIZE_AP_NONDERIV_MON1\tNET_REALIZE_GAIN_NONDERIV_MON2\tNET_UNREALIZE_AP_NONDERIV_MON2\tNET_REALIZE_GAIN_NONDERIV_MON3\tNET_UNREALIZE_AP_NONDERIV_MON3\tSALES_FLOW_MON1\tREINVESTMENT_FLOW_MON1\tREDEMPTION_FLOW_MON1\tSALES_FLOW_MON2\tREINVESTMENT_FLOW_MON2\tREDEMPTION_FLOW_MON2\tSALES_FLOW_MON3\tREINVESTMENT_FLOW_MON3\tREDEMPTION_FLOW_MON3";

/// Holdings per filing: most funds hold a few dozen to a few hundred, a few thousands
/// (about 375 on average: the 14,416 filings of a quarter over the rows of a holdings table
/// the size of a real quarter's).
fn fund_size(rng: &mut StdRng) -> u64 {
    match rng.random_range(0..100) {
        0..70 => rng.random_range(20..250),
        70..95 => rng.random_range(250..1_000),
        _ => rng.random_range(1_000..4_000),
    }
}

struct Writers {
    holdings: BufWriter<File>,
    identifiers: BufWriter<File>,
    submission: BufWriter<File>,
    registrant: BufWriter<File>,
    info: BufWriter<File>,
}

fn create(out: &std::path::Path, name: &str, header: &str) -> std::io::Result<BufWriter<File>> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(out.join(name))?);
    writeln!(w, "{header}")?;
    Ok(w)
}

/// One holding row and its identifier rows; returns the value written (cents).
#[allow(clippy::too_many_arguments)]
fn write_holding(
    w: &mut Writers,
    rng: &mut StdRng,
    h: &Holding,
    accession: &str,
    registrant: usize,
    holding_id: u64,
    identifier_id: &mut u64,
) -> std::io::Result<i64> {
    let cents: i64 = rng.random_range(1_000..2_000_000_000);
    let pct = format!("0.{:010}", rng.random_range(0..9_999_999_999u64));
    let mut id_row = |isin: &str, other: &str| -> std::io::Result<()> {
        *identifier_id += 1;
        let desc = if other.is_empty() { "" } else { "USER DEFINED" };
        writeln!(
            w.identifiers,
            "{holding_id}\t{identifier_id}\t{isin}\t\t{other}\t{desc}"
        )
    };
    if let Some((cat, deriv)) = h.derivative {
        let signed = if rng.random_range(0..2) == 0 {
            -cents
        } else {
            cents
        };
        let other = format!(
            "4SPY  {:06}C{:08}",
            rng.random_range(250_101..261_231),
            rng.random_range(0..99_999_999)
        );
        id_row("", &other)?;
        writeln!(
            w.holdings,
            "{accession}\t{holding_id}\tN/A\tN/A\t{deriv} contract\tN/A\t{}\tNC\t\tUSD\t{}.{:02}\t\t{pct}\tN/A\t{cat}\t\tCORP\t\tUS\tN\t2\t{deriv}",
            rng.random_range(1..500),
            signed / 100,
            (signed % 100).abs()
        )?;
        return Ok(0);
    }
    let (name, lei, title, cusip_code, isin_code, issuer_type, asset_cat, country, currency);
    let agency_cusip;
    if let Some((a, pool)) = h.agency {
        let (n, t, c, prefix) = AGENCIES[a];
        agency_cusip = cusip(&format!(
            "{prefix}{:0width$}",
            pool % 10u32.pow(8 - prefix.len() as u32),
            width = 8 - prefix.len()
        ));
        (name, lei, title, issuer_type, asset_cat, country, currency) =
            (n, "N/A", n, t, c, "US", "USD");
        cusip_code = agency_cusip.as_str();
        isin_code = String::new();
    } else {
        let s = h
            .security
            .unwrap_or_else(|| unreachable!("a non-derivative holding has a security"));
        name = &s.names[registrant % s.names.len()];
        (
            lei,
            title,
            cusip_code,
            issuer_type,
            asset_cat,
            country,
            currency,
        ) = (
            &s.lei,
            &s.title,
            &s.cusip,
            s.issuer_type,
            s.asset_cat,
            s.country,
            s.currency,
        );
        isin_code = s.isin.clone();
    }
    // Seven holdings in ten list their ISIN; a few list a ticker too (two identifier rows).
    if !isin_code.is_empty() && rng.random_range(0..10) < 7 {
        id_row(&isin_code, "")?;
        if rng.random_range(0..20) == 0 {
            id_row("", "TICKER")?;
        }
    }
    let (unit, rate) = match (asset_cat, currency) {
        ("DBT" | "ABS-MBS", "USD") => ("PA", String::new()),
        (_, "USD") => ("NS", String::new()),
        _ => ("NS", format!("7.{:04}", rng.random_range(0..3_000))),
    };
    let signed = if h.payoff == "Short" { -cents } else { cents };
    writeln!(
        w.holdings,
        "{accession}\t{holding_id}\t{name}\t{lei}\t{title}\t{cusip_code}\t{}\t{unit}\t\t{currency}\t{}{}\t{rate}\t{pct}\t{}\t{asset_cat}\t\t{issuer_type}\t\t{country}\tN\t{}\t",
        rng.random_range(1..10_000_000),
        if signed < 0 { "-" } else { "" },
        // A quarter of values end in ".0", as filers often write them.
        if cents % 4 == 0 {
            format!("{}.0", cents / 100)
        } else {
            format!("{}.{:02}", cents / 100, cents % 100)
        },
        h.payoff,
        if country == "US" { "1" } else { "2" },
    )?;
    Ok(signed)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let mut rng = StdRng::seed_from_u64(args.seed);
    std::fs::create_dir_all(&args.out)?;
    let u = universe(&mut rng, args.rows);

    let mut truth = BufWriter::new(File::create(args.out.join("truth.tsv"))?);
    writeln!(truth, "ISSUER_NAME\tLINKED")?;
    for s in u.linked.iter().chain(&u.xpcc_bonds) {
        writeln!(truth, "{}\ttrue", s.names[0])?;
    }
    for s in &u.foreign {
        for name in &s.names {
            writeln!(truth, "{name}\tfalse")?;
        }
    }

    let out = &args.out;
    let mut w = Writers {
        holdings: create(out, "FUND_REPORTED_HOLDING.tsv", HOLDING_HEADER)?,
        identifiers: create(out, "IDENTIFIERS.tsv", IDENTIFIERS_HEADER)?,
        submission: create(out, "SUBMISSION.tsv", SUBMISSION_HEADER)?,
        registrant: create(out, "REGISTRANT.tsv", REGISTRANT_HEADER)?,
        info: create(out, "FUND_REPORTED_INFO.tsv", INFO_HEADER)?,
    };
    let empty_info_columns = "\t".repeat(40);
    let (mut written, mut filing, mut holding_id, mut identifier_id) =
        (0u64, 0u64, 137_000_000u64, 158_000_000u64);
    while written < args.rows {
        filing += 1;
        // Registrants (fund families) hold about eight series each.
        let registrant = (filing / 8) as usize;
        let accession = format!(
            "0001{:06}-25-{:06}",
            100_000 + registrant,
            filing % 1_000_000
        );
        let kind = match rng.random_range(0..100) {
            0..45 => FundKind::Bond,
            45..85 => FundKind::Equity,
            _ => FundKind::MultiAsset,
        };
        let shorts = rng.random_range(0..20) == 0;
        let rows = fund_size(&mut rng).min(args.rows - written);
        let mut total: i64 = 0;
        for _ in 0..rows {
            // Surrogate keys are numbered across every table of the quarter: gaps between a
            // filing's holdings.
            holding_id += rng.random_range(1..4);
            let h = pick(&mut rng, &u, kind, shorts);
            total += write_holding(
                &mut w,
                &mut rng,
                &h,
                &accession,
                registrant,
                holding_id,
                &mut identifier_id,
            )?;
        }
        written += rows;
        let month = ["30-SEP-2025", "31-OCT-2025", "30-NOV-2025"][(filing % 3) as usize];
        writeln!(
            w.submission,
            "{accession}\t15-JAN-2026\t\tNPORT-P\t31-DEC-2025\t{month}\tN"
        )?;
        writeln!(
            w.registrant,
            "{accession}\t{:010}\tGenerated Funds Trust {registrant}\t811-{:05}\t\t1 Main Street\t\tBoston\tUS-MA\tUS\t02110\t555-0100",
            1_000_000 + registrant,
            registrant % 100_000
        )?;
        let net = total.max(0) / 100 + rng.random_range(0..1_000_000);
        let series_word = match kind {
            FundKind::Bond => "Bond",
            FundKind::Equity => "Equity",
            FundKind::MultiAsset => "Allocation",
        };
        writeln!(
            w.info,
            "{accession}\tGenerated {series_word} Fund {filing}\tS{:09}\t\t{}.00\t{}.00\t{net}.00{empty_info_columns}",
            filing,
            net + 1_000,
            1_000
        )?;
    }
    for f in [
        &mut w.holdings,
        &mut w.identifiers,
        &mut w.submission,
        &mut w.registrant,
        &mut w.info,
        &mut truth,
    ] {
        f.flush()?;
    }
    eprintln!(
        "wrote {written} holdings for {filing} filings to {}",
        args.out.display()
    );
    Ok(())
}
