//! Generates a synthetic Form 13F data set (SUBMISSION.tsv, COVERPAGE.tsv, SUMMARYPAGE.tsv,
//! INFOTABLE.tsv) for benchmarks and scale tests: seeded, so the same arguments give the same
//! bytes; never committed (it is generated where it is needed).
//!
//! ```sh
//! cargo run --release --example gen_13f_dataset -- --rows 3000000 --out target/dataset-3m
//! ```
//!
//! The issuer names follow what 13F tables look like: tens of thousands of distinct issuers
//! with filing abbreviations (HLDGS, GRP, INTL, CORP, CL A, SPONSORED ADR), Chinese ADRs, and a
//! small share of issuers linked to Xinjiang by the project's reference data at realistic
//! frequency. `truth.tsv` lists which generated names are linked, so a benchmark can count
//! false flags. About 5% of filings after 2023 keep reporting thousands; 2% of rows are options;
//! one row in 20,000 has a malformed value.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const WORDS: &[&str] = &[
    "AMERICAN",
    "GLOBAL",
    "FIRST",
    "UNITED",
    "PACIFIC",
    "ATLANTIC",
    "NORTHERN",
    "SOUTHERN",
    "EAST",
    "WEST",
    "GREEN",
    "BLUE",
    "RIVER",
    "MOUNTAIN",
    "VALLEY",
    "GOLDEN",
    "SILVER",
    "DIGITAL",
    "ENERGY",
    "POWER",
    "SOLAR",
    "WIND",
    "HEALTH",
    "MEDICAL",
    "BIO",
    "PHARMA",
    "CAPITAL",
    "FINANCIAL",
    "TRUST",
    "BANK",
    "INSURANCE",
    "REALTY",
    "PROPERTIES",
    "RETAIL",
    "FOODS",
    "BEVERAGE",
    "MOTORS",
    "AUTO",
    "AEROSPACE",
    "DEFENSE",
    "SYSTEMS",
    "SOFTWARE",
    "NETWORKS",
    "SEMICONDUCTOR",
    "DEVICES",
    "MATERIALS",
    "CHEMICAL",
    "STEEL",
    "MINING",
    "RESOURCES",
    "OIL",
    "GAS",
    "PIPELINE",
    "MIDSTREAM",
    "UTILITIES",
    "WATER",
    "TELECOM",
    "MEDIA",
    "ENTERTAINMENT",
    "GAMING",
    "HOTELS",
    "AIRLINES",
    "LOGISTICS",
    "TRANSPORT",
    "RAIL",
    "MARINE",
    "PAPER",
    "PACKAGING",
    "APPAREL",
    "BRANDS",
    "HOME",
    "LABS",
    "ROBOTICS",
    "DYNAMICS",
    "INNOVATIONS",
    "SOLUTIONS",
    "PARTNERS",
    "VENTURES",
    "INDUSTRIES",
];
const SUFFIXES: &[&str] = &[
    "INC",
    "CORP",
    "CO",
    "LTD",
    "HLDGS INC",
    "GROUP INC",
    "GRP",
    "INTL INC",
    "TECH INC",
    "PLC",
    "CORP CL A",
    "INC CL B",
    "HOLDINGS LTD",
    "LP",
    "TR",
    "N V",
    "SA",
    "AG",
];
const TITLES: &[&str] = &[
    "COM",
    "COM",
    "COM",
    "CL A",
    "SHS",
    "SPONSORED ADR",
    "NOTE 2.750% 1/30",
    "ORD SHS",
];
/// Chinese ADRs and listings as 13F tables spell them, not linked by the reference data.
const CHINESE_CLEAN: &[&str] = &[
    "ALIBABA GROUP HLDG LTD SPONSORED ADS",
    "BAIDU INC SPON ADR REP A",
    "JD COM INC SPON ADR CL A",
    "PINDUODUO INC SPONSORED ADS",
    "TENCENT HLDGS LTD ADR",
    "NETEASE INC SPONSORED ADS",
    "YUM CHINA HLDGS INC",
    "ZHONGTAI SECURITIES CO LTD",
    "CHINA COTTON TRADING CO",
    "XINJIANG TIANSHAN CEMENT CO LTD",
    "EAST WEST BANCORP INC",
    "GREEN PLAINS INC",
    // Names that share words with linked issuers: token-set fuzzy matching flags them.
    "CHINA GREEN AGRICULTURE INC",
    "EAST BUY HLDG LTD",
    "NEW ENERGY GROUP INC",
    "GREEN ENERGY CORP",
    "SOLAR POWER INC",
    "CHINA EAST GROUP LTD",
    "TCL ZHONGHUAN RENEWABLE ENERGY TECHNOLOGY CO LTD-A",
    "ZHONGTAI SECURITIES CO LTD-A",
    "CHINA NATIONAL CHEMICAL ENGINEERING CO LTD-A",
];
/// Issuers the reference data links to listed entities, spelled as 13F tables spell them.
const LINKED: &[&str] = &[
    "DAQO NEW ENERGY CORP",
    "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO LTD",
    "ZHEJIANG DAHUA TECHNOLOGY CO LTD",
    "IFLYTEK CO LTD",
    "JINKOSOLAR",
    "XINJIANG GOLDWIND SCIENCE & TECHNOLOGY CO LTD",
    "ZIJIN MINING GROUP CO LTD",
    "CHANGHONG MEILING CO LTD",
    // The same issuers as index and ETF exports spell them.
    "HIKVISION DIGITAL TECHNOLOGY CO LTD-A",
    "DAQO NEW ENERGY CORP SPONSORED ADR",
    "DAQO NEW ENERGY CORP-ADR",
    "JINKOSOLAR HLDG CO LTD SPONSORED ADR",
    "ZIJIN MNG GROUP CO LTD H SHS",
    "ZIJIN MINING GROUP CO LTD-H",
    "IFLYTEK CO LTD-A",
    "ZHEJIANG DAHUA TECHNOLOGY CO-A",
    "XINJIANG ZHONGTAI CHEMICAL CO LTD-A",
    "HOSHINE SILICON INDUSTRY CO LTD-A",
    "LONGI GREEN ENERGY TECHNOLOGY CO LTD-A",
    // NIO has been in the research tier since December 2026 (RS12, RS15).
    "NIO INC SPON ADS",
];

struct Args {
    rows: u64,
    out: PathBuf,
    seed: u64,
    filers: Option<u64>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        rows: 1_000_000,
        out: PathBuf::from("target/dataset"),
        seed: 13,
        filers: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--rows" => {
                args.rows = value
                    .parse()
                    .map_err(|_| format!("--rows: `{value}` is not a number"))?
            }
            "--out" => args.out = PathBuf::from(value),
            "--seed" => {
                args.seed = value
                    .parse()
                    .map_err(|_| format!("--seed: `{value}` is not a number"))?
            }
            "--filers" => {
                args.filers = Some(
                    value
                        .parse()
                        .map_err(|_| format!("--filers: `{value}` is not a number"))?,
                )
            }
            other => {
                return Err(format!(
                    "unknown flag {other}; use --rows N --out DIR [--seed S] [--filers F]"
                ));
            }
        }
    }
    Ok(args)
}

/// A CUSIP with a valid check digit for a 6-character issuer number and a 2-character issue.
fn cusip(issuer: u64, issue: &str) -> String {
    let mut base = format!("{:06}{issue}", issuer % 1_000_000);
    let mut sum = 0;
    for (i, c) in base.chars().enumerate() {
        let mut n = c.to_digit(36).unwrap_or(0);
        if i % 2 == 1 {
            n *= 2;
        }
        sum += n / 10 + n % 10;
    }
    base.push(char::from_digit((10 - sum % 10) % 10, 10).unwrap_or('0'));
    base
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let mut rng = StdRng::seed_from_u64(args.seed);
    std::fs::create_dir_all(&args.out)?;
    let filers = args.filers.unwrap_or((args.rows / 300).max(1));

    // The issuer universe: generated names, a Chinese ADR set, and the linked names.
    let generated = (args.rows / 60).clamp(1_000, 60_000);
    let mut issuers: Vec<(String, String, bool)> = Vec::with_capacity(generated as usize + 32);
    for i in 0..generated {
        // Two different words: "APPAREL APPAREL LTD" is no issuer's name.
        let a = rng.random_range(0..WORDS.len());
        let b = (a + 1 + rng.random_range(0..WORDS.len() - 1)) % WORDS.len();
        let (a, b) = (WORDS[a], WORDS[b]);
        let s = SUFFIXES[rng.random_range(0..SUFFIXES.len())];
        issuers.push((format!("{a} {b} {s}"), cusip(100_000 + i, "10"), false));
    }
    for (i, name) in CHINESE_CLEAN.iter().enumerate() {
        issuers.push((name.to_string(), cusip(900_000 + i as u64, "10"), false));
    }
    for (i, name) in LINKED.iter().enumerate() {
        issuers.push((name.to_string(), cusip(950_000 + i as u64, "10"), true));
    }
    let mut truth = BufWriter::new(File::create(args.out.join("truth.tsv"))?);
    writeln!(truth, "NAMEOFISSUER\tCUSIP\tLINKED")?;
    for (name, c, linked) in &issuers {
        writeln!(truth, "{name}\t{c}\t{linked}")?;
    }

    let mut sub = BufWriter::new(File::create(args.out.join("SUBMISSION.tsv"))?);
    let mut cover = BufWriter::new(File::create(args.out.join("COVERPAGE.tsv"))?);
    let mut summary = BufWriter::new(File::create(args.out.join("SUMMARYPAGE.tsv"))?);
    let mut info = BufWriter::new(File::create(args.out.join("INFOTABLE.tsv"))?);
    writeln!(
        sub,
        "ACCESSION_NUMBER\tFILING_DATE\tSUBMISSIONTYPE\tCIK\tPERIODOFREPORT"
    )?;
    writeln!(
        cover,
        "ACCESSION_NUMBER\tREPORTCALENDARORQUARTER\tFILINGMANAGER_NAME"
    )?;
    writeln!(
        summary,
        "ACCESSION_NUMBER\tOTHERINCLUDEDMANAGERSCOUNT\tTABLEENTRYTOTAL\tTABLEVALUETOTAL"
    )?;
    writeln!(
        info,
        "ACCESSION_NUMBER\tINFOTABLE_SK\tNAMEOFISSUER\tTITLEOFCLASS\tCUSIP\tFIGI\tVALUE\tSSHPRNAMT\tSSHPRNAMTTYPE\tPUTCALL\tINVESTMENTDISCRETION\tOTHERMANAGER\tVOTING_AUTH_SOLE\tVOTING_AUTH_SHARED\tVOTING_AUTH_NONE"
    )?;

    let mut sk: u64 = 0;
    for f in 0..filers {
        let accession = format!("0000{:06}-25-{:06}", 1_000_000 + f, f);
        // Rows per filing vary widely, as they do: a few giants, many small filers.
        let share = args.rows / filers;
        let rows = if f + 1 == filers {
            args.rows - share * (filers - 1)
        } else {
            share
        };
        let thousands = rng.random_range(0..100) < 5;
        let (mut total, mut entries) = (0i64, 0u64);
        for _ in 0..rows {
            sk += 1;
            // Linked issuers appear in about 1 row in 400; Chinese ADRs in 1 in 100.
            let pick = rng.random_range(0..400);
            let (name, c, _) = if pick == 0 {
                &issuers[issuers.len() - LINKED.len() + rng.random_range(0..LINKED.len())]
            } else if pick < 4 {
                &issuers[generated as usize + rng.random_range(0..CHINESE_CLEAN.len())]
            } else {
                &issuers[rng.random_range(0..generated as usize)]
            };
            let shares: i64 = rng.random_range(100..2_000_000);
            let price_cents: i64 = rng.random_range(100..50_000);
            let dollars = shares * price_cents / 100;
            let value = if thousands { dollars / 1000 } else { dollars };
            let put_call = match rng.random_range(0..100) {
                0 => "Put",
                1 => "Call",
                _ => "",
            };
            let malformed = rng.random_range(0..20_000) == 0;
            let title = TITLES[rng.random_range(0..TITLES.len())];
            if malformed {
                writeln!(
                    info,
                    "{accession}\t{sk}\t{name}\t{title}\t{c}\t\tN/A\t{shares}\tSH\t{put_call}\tSOLE\t\t{shares}\t0\t0"
                )?;
            } else {
                total += value;
                writeln!(
                    info,
                    "{accession}\t{sk}\t{name}\t{title}\t{c}\t\t{value}\t{shares}\tSH\t{put_call}\tSOLE\t\t{shares}\t0\t0"
                )?;
            }
            entries += 1;
        }
        writeln!(
            sub,
            "{accession}\t14-NOV-2025\t13F-HR\t{:010}\t30-SEP-2025",
            1_000_000 + f
        )?;
        writeln!(cover, "{accession}\t30-SEP-2025\tGENERATED MANAGER {f} LLC")?;
        writeln!(summary, "{accession}\t0\t{entries}\t{total}")?;
    }
    for w in [&mut sub, &mut cover, &mut summary, &mut info, &mut truth] {
        w.flush()?;
    }
    eprintln!(
        "wrote {} rows for {filers} filings to {}",
        args.rows,
        args.out.display()
    );
    Ok(())
}
