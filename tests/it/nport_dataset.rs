//! Form N-PORT data sets: a small hand-made quarter whose figures are worked out by hand, with
//! two registrants, three fund series, identifiers, a short, a derivative, a holding in another
//! currency, an XPCC bond, a malformed value and a cut-short line.

use std::path::Path;

use crate::xjscan;

const SUBMISSION: &str = "ACCESSION_NUMBER\tFILING_DATE\tFILE_NUM\tSUB_TYPE\tREPORT_ENDING_PERIOD\tREPORT_DATE\tIS_LAST_FILING\n\
0000000001-25-000001\t25-NOV-2025\t\tNPORT-P\t31-DEC-2025\t30-SEP-2025\tN\n\
0000000001-25-000002\t25-NOV-2025\t\tNPORT-P\t31-DEC-2025\t30-SEP-2025\tN\n\
0000000002-25-000003\t26-NOV-2025\t\tNPORT-P/A\t30-JUN-2026\t30-SEP-2025\tN\n\
0000000002-25-000004\t20-NOV-2025\t\tNPORT-P\t30-JUN-2026\t30-SEP-2025\tN\n";

const REGISTRANT: &str = "ACCESSION_NUMBER\tCIK\tREGISTRANT_NAME\tFILE_NUM\tLEI\tADDRESS1\tADDRESS2\tCITY\tSTATE\tCOUNTRY\tZIP\tPHONE\n\
0000000001-25-000001\t1001\tAlpha Series Trust\t811-00001\t\t1 Main St\t\tBoston\tUS-MA\tUS\t02110\t\n\
0000000001-25-000002\t1001\tAlpha Series Trust\t811-00001\t\t1 Main St\t\tBoston\tUS-MA\tUS\t02110\t\n\
0000000002-25-000003\t2002\tBeta Funds, Inc.\t811-00002\t\t2 Side St\t\tDenver\tUS-CO\tUS\t80202\t\n\
0000000002-25-000004\t2002\tBeta Funds, Inc.\t811-00002\t\t2 Side St\t\tDenver\tUS-CO\tUS\t80202\t\n";

const FUND_INFO: &str = "ACCESSION_NUMBER\tSERIES_NAME\tSERIES_ID\tSERIES_LEI\tTOTAL_ASSETS\tTOTAL_LIABILITIES\tNET_ASSETS\n\
0000000001-25-000001\tAlpha Emerging Markets ESG Fund\tS000000001\t\t10100000\t100000\t10000000.00\n\
0000000001-25-000002\tAlpha Bond Fund\tS000000002\t\t5000000\t0\t5000000\n\
0000000002-25-000003\tBeta China Fund\tS000000003\t\t2000000.50\t0\t2000000.50\n\
0000000002-25-000004\tBeta China Fund\tS000000003\t\t1900000\t0\t1900000\n";

const HOLDING_HEADER: &str = "ACCESSION_NUMBER\tHOLDING_ID\tISSUER_NAME\tISSUER_LEI\tISSUER_TITLE\tISSUER_CUSIP\tBALANCE\tUNIT\tOTHER_UNIT_DESC\tCURRENCY_CODE\tCURRENCY_VALUE\tEXCHANGE_RATE\tPERCENTAGE\tPAYOFF_PROFILE\tASSET_CAT\tOTHER_ASSET\tISSUER_TYPE\tOTHER_ISSUER\tINVESTMENT_COUNTRY\tIS_RESTRICTED_SECURITY\tFAIR_VALUE_LEVEL\tDERIVATIVE_CAT\n";

/// Holding 101 has a name nothing matches; its ISIN, from IDENTIFIERS.tsv, is Hikvision's, and
/// it is held in yuan (its value in dollars, as the form asks). 105's value is malformed; 302's
/// line is cut short.
fn holdings() -> String {
    let rows = [
        "0000000001-25-000001\t101\tNorthbound Holding 101\tN/A\tClass A\tN/A\t10000\tNS\t\tCNY\t1234567.89\t7.1\t12.35\tLong\tEC\t\tCORP\t\tCN\tN\t1\t",
        "0000000001-25-000001\t102\tNorthwind Traders Inc\t\tCommon\t037833100\t9000\tNS\t\tUSD\t2000000.00\t\t20.0\tLong\tEC\t\tCORP\t\tUS\tN\t1\t",
        "0000000001-25-000001\t103\tDaqo New Energy Corp\t\tADR\t000000000\t-2000\tNS\t\tUSD\t500000.5\t\t5.0\tShort\tEC\t\tCORP\t\tCN\tN\t1\t",
        "0000000001-25-000001\t104\tDaqo New Energy Corp\t\tTotal return swap\tN/A\t1\tNC\t\tUSD\t-25000.25\t\t-0.25\tN/A\tDE\t\tCORP\t\tCN\tN\t2\tSWP",
        "0000000001-25-000001\t105\tContoso Ltd\t\tCommon\t594918104\t10\tNS\t\tUSD\t12,5\t\t0.0\tLong\tEC\t\tCORP\t\tUS\tN\t1\t",
        "0000000001-25-000002\t201\tXinjiang Production and Construction Corps\t\t3.5% 2030\t\t750000\tPA\t\tUSD\t750000\t\t15.0\tLong\tDBT\t\tNUSS\t\tCN\tN\t2\t",
        "0000000001-25-000002\t202\tUnited States Treasury\t\t4.25% 2031\t91282CJL6\t4250000\tPA\t\tUSD\t4250000.000000000000\t\t85.0\tLong\tDBT\t\tUST\t\tUS\tN\t1\t",
        "0000000002-25-000003\t301\tXinjiang Goldwind Science & Technology Co Ltd\t\tH shares\t\t100000\tNS\t\tHKD\t300000.00\t7.8\t15.0\tLong\tEC\t\tCORP\t\tCN\tN\t1\t",
        "0000000002-25-000003\t302\tCut Short Holding\t\tCommon",
        "0000000002-25-000003\t303\tZhongtai Securities Co Ltd\t\tClass A\t\t50000\tNS\t\tCNY\t100000\t7.1\t5.0\tLong\tEC\t\tCORP\t\tCN\tN\t1\t",
        "0000000002-25-000004\t401\tXinjiang Goldwind Science & Technology Co Ltd\t\tH shares\t\t90000\tNS\t\tHKD\t250000\t7.8\t13.0\tLong\tEC\t\tCORP\t\tCN\tN\t1\t",
    ];
    format!("{HOLDING_HEADER}{}\n", rows.join("\n"))
}

const IDENTIFIERS: &str = "HOLDING_ID\tIDENTIFIERS_ID\tIDENTIFIER_ISIN\tIDENTIFIER_TICKER\tOTHER_IDENTIFIER\tOTHER_IDENTIFIER_DESC\n\
101\t9001\t\t\tHK-0101\tUSER DEFINED\n\
101\t9002\tCNE100000PM8\t\t\t\n\
202\t9003\tUS91282CJL60\t\t\t\n";

/// The fixture's tables, as `q/NAME` (the fuzzing campaign's seed).
pub(crate) fn fixture_files() -> Vec<(String, Vec<u8>)> {
    [
        ("SUBMISSION.tsv", SUBMISSION.to_string()),
        ("REGISTRANT.tsv", REGISTRANT.to_string()),
        ("FUND_REPORTED_INFO.tsv", FUND_INFO.to_string()),
        ("FUND_REPORTED_HOLDING.tsv", holdings()),
        ("IDENTIFIERS.tsv", IDENTIFIERS.to_string()),
    ]
    .into_iter()
    .map(|(name, text)| (format!("q/{name}"), text.into_bytes()))
    .collect()
}

fn write_dataset(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("SUBMISSION.tsv"), SUBMISSION).unwrap();
    std::fs::write(dir.join("REGISTRANT.tsv"), REGISTRANT).unwrap();
    std::fs::write(dir.join("FUND_REPORTED_INFO.tsv"), FUND_INFO).unwrap();
    std::fs::write(dir.join("FUND_REPORTED_HOLDING.tsv"), holdings()).unwrap();
    std::fs::write(dir.join("IDENTIFIERS.tsv"), IDENTIFIERS).unwrap();
}

/// The figures, worked out by hand:
/// - Alpha EM ESG: long 1,234,567.89 + 2,000,000.00 = 3,234,567.89; flagged Hikvision
///   1,234,567.89 = 12.3457% of net assets 10,000,000; Daqo's short 500,000.50 and swap
///   −25,000.25 are reported apart (475,000.25); the malformed row is set aside.
/// - Alpha Bond: long 750,000 + 4,250,000; the XPCC's bond 750,000 = 15% of 5,000,000, and
///   XPCC debt.
/// - Beta China: long 300,000 + 100,000; Goldwind 300,000 = 14.99999625% of 2,000,000.50,
///   15.0000 to four places; the cut-short line is set aside; Zhongtai Securities is clear.
/// - Beta China's first report for the same date (filed earlier, then restated by the
///   amendment above) is listed with the filing that replaces it and left out of every total.
/// - All: long 8,634,567.89, flagged 2,284,567.89 = 26.4584%.
#[test]
fn an_nport_data_set_gives_the_hand_worked_figures() {
    let dir = tempfile::tempdir().unwrap();
    write_dataset(&dir.path().join("q4"));
    let output = xjscan(dir.path())
        .args(["scan", "q4", "--out", "out"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = dir.path().join("out");
    let funds = std::fs::read_to_string(out.join("funds.csv")).unwrap();
    assert_eq!(
        funds,
        "accession,series_name,series_id,registrant,cik,report_date,filed,sub_type,net_assets,rows,rejected_rows,long_rows,long_value,short_rows,short_value,derivative_rows,derivative_value,flagged_rows,flagged_value,flagged_pct_of_net_assets,flagged_short_and_derivative_value,xpcc_debt_value,balanced,superseded_by\n\
0000000001-25-000001,Alpha Emerging Markets ESG Fund,S000000001,Alpha Series Trust,1001,2025-09-30,2025-11-25,NPORT-P,10000000.00,5,1,2,3234567.89,1,500000.5,1,-25000.25,1,1234567.89,12.3457,475000.25,0,true,\n\
0000000001-25-000002,Alpha Bond Fund,S000000002,Alpha Series Trust,1001,2025-09-30,2025-11-25,NPORT-P,5000000,2,0,2,5000000,0,0,0,0,1,750000,15.0000,0,750000,true,\n\
0000000002-25-000003,Beta China Fund,S000000003,\"Beta Funds, Inc.\",2002,2025-09-30,2025-11-26,NPORT-P/A,2000000.50,3,1,2,400000,0,0,0,0,1,300000,15.0000,0,0,true,\n\
0000000002-25-000004,Beta China Fund,S000000003,\"Beta Funds, Inc.\",2002,2025-09-30,2025-11-20,NPORT-P,1900000,1,0,1,250000,0,0,0,0,1,250000,13.1579,0,0,true,0000000002-25-000003\n"
    );
    let flagged = std::fs::read_to_string(out.join("flagged.csv")).unwrap();
    let lines: Vec<&str> = flagged.lines().collect();
    assert_eq!(
        lines[0],
        "accession,line,holding_id,name,cusip,lei,isin,title,asset_cat,currency,value,position,entity_ids,tier"
    );
    assert_eq!(lines.len(), 7, "{flagged}");
    assert!(lines[1].starts_with("0000000001-25-000001,2,101,Northbound Holding 101,,,CNE100000PM8,Class A,EC,CNY,1234567.89,long,china-electronics-technology-group; hikvision,investment_ban"), "{flagged}");
    assert!(lines[2].starts_with("0000000001-25-000001,4,103,Daqo New Energy Corp,,,,ADR,EC,USD,500000.5,short,daqo-new-energy; xinjiang-daqo-new-energy,research_only"), "{flagged}");
    assert!(lines[3].starts_with("0000000001-25-000001,5,104,Daqo New Energy Corp,,,,Total return swap,DE,USD,-25000.25,derivative,daqo-new-energy; xinjiang-daqo-new-energy,research_only"), "{flagged}");
    assert!(lines[4].starts_with("0000000001-25-000002,7,201,Xinjiang Production and Construction Corps,,,,3.5% 2030,DBT,USD,750000,long,"), "{flagged}");
    assert!(lines[5].starts_with("0000000002-25-000003,9,301,Xinjiang Goldwind Science & Technology Co Ltd,,,,H shares,EC,HKD,300000,long,"), "{flagged}");
    let rejected = std::fs::read_to_string(out.join("rejected.csv")).unwrap();
    assert_eq!(
        rejected,
        "accession,line,name,cusip,reason\n\
0000000001-25-000001,6,Contoso Ltd,594918104,\"CURRENCY_VALUE is not a decimal number: \"\"12,5\"\"\"\n\
0000000002-25-000003,10,Cut Short Holding,,the line has 5 tab-separated fields; 17 are needed to reach every column xjscan reads\n"
    );
    let holders = std::fs::read_to_string(out.join("holders.csv")).unwrap();
    // Who holds the flagged issuers: registrants, long positions only (Daqo's short and swap
    // are not holdings of it).
    let lines: Vec<&str> = holders.lines().collect();
    assert_eq!(lines.len(), 4, "{holders}");
    assert_eq!(
        lines[1],
        "china-electronics-technology-group; hikvision,Northbound Holding 101,Alpha Series Trust,1001,1,1234567.89,100.0000"
    );
    assert!(
        lines[2].ends_with(
            ",Xinjiang Production and Construction Corps,Alpha Series Trust,1001,1,750000,100.0000"
        ),
        "{holders}"
    );
    assert_eq!(
        lines[3],
        "xinjiang-goldwind,Xinjiang Goldwind Science & Technology Co Ltd,\"Beta Funds, Inc.\",2002,1,300000,100.0000"
    );
    let m = crate::report_json(&out);
    let e = &m["exposure"];
    assert_eq!(e["rows"], 11);
    assert_eq!(e["filings"], 4);
    assert_eq!(e["superseded_filings"], 1);
    assert_eq!(e["rejected_rows"], 2);
    assert_eq!(e["long_value"], "8634567.89");
    assert_eq!(e["flagged_value"], "2284567.89");
    assert_eq!(e["flagged_pct"], "26.4584");
    assert_eq!(e["xpcc_debt_value"], "750000");
    // The overviews list the funds by flagged value, with their share of net assets.
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("| Alpha Emerging Markets ESG Fund | Alpha Series Trust | 2025-09-30 | 10,000,000.00 | 1,234,567.89 | 12.35% |"),
        "{md}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<tr><td>Beta China Fund</td><td>Beta Funds, Inc.</td><td>2025-09-30</td><td class=\"n\">2,000,000.50</td><td class=\"n\">300,000.00</td><td class=\"n\">15.00%</td></tr>"),
        "{html}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("Flagged: 3 funds hold flagged positions worth 2,284,567.89 USD = 26.46% of 8,634,567.89 USD long value; XPCC-linked debt 750,000.00 USD"),
        "{stdout}"
    );
}

/// The holdings table is what makes the folder an N-PORT data set; a data set without its
/// submissions is refused by name, and so are options that do not apply.
/// Zips `files` as the SEC publishes a quarter: the tables at the top level, deflated.
fn write_zip(path: &Path, files: &[(&str, &[u8])]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// The zip as published gives the folder's files byte for byte, and is named as given; the
/// tables it was unpacked to are gone afterwards. A zip without the tables a scan needs is
/// refused by name.
#[test]
fn an_nport_zip_scans_as_its_folder_does() {
    let dir = tempfile::tempdir().unwrap();
    write_dataset(&dir.path().join("q4"));
    let tables: Vec<(String, Vec<u8>)> = fixture_files()
        .into_iter()
        .map(|(name, bytes)| (name.trim_start_matches("q/").to_string(), bytes))
        .collect();
    let files: Vec<(&str, &[u8])> = tables
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    write_zip(&dir.path().join("2025q4_nport.zip"), &files);
    std::fs::create_dir_all(dir.path().join("tmp")).unwrap();
    for (input, out) in [("q4", "from-folder"), ("2025q4_nport.zip", "from-zip")] {
        let output = xjscan(dir.path())
            .env("TMPDIR", dir.path().join("tmp"))
            .args(["scan", input, "--out", out, "--format", "md,json,csv"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    for file in [
        "funds.csv",
        "flagged.csv",
        "rejected.csv",
        "holders.csv",
        "review.csv",
    ] {
        let read = |out: &str| std::fs::read(dir.path().join(out).join(file)).unwrap();
        assert_eq!(read("from-folder"), read("from-zip"), "{file}");
    }
    let report = std::fs::read_to_string(dir.path().join("from-zip/report.json")).unwrap();
    assert!(report.contains("\"2025q4_nport.zip\""), "{report}");
    assert!(!report.contains("xjscan-2025q4"), "{report}");
    let left: Vec<_> = std::fs::read_dir(dir.path().join("tmp")).unwrap().collect();
    assert!(left.is_empty(), "the unpacked tables are removed: {left:?}");

    // Without SUBMISSION.tsv: refused, nothing written.
    write_zip(&dir.path().join("bare.zip"), &files[3..4]);
    let output = xjscan(dir.path())
        .args(["scan", "bare.zip", "--out", "bare"])
        .output()
        .unwrap();
    assert_eq!(
        (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned()),
        (Some(2), "error: bare.zip: no SUBMISSION.tsv in the archive; expected a Form N-PORT data set as the SEC publishes it\n".to_string())
    );
    assert!(!dir.path().join("bare").exists());
}

#[test]
fn an_incomplete_nport_data_set_and_foreign_options_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("q4");
    std::fs::create_dir_all(&q).unwrap();
    std::fs::write(q.join("FUND_REPORTED_HOLDING.tsv"), holdings()).unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["scan", "q4", "--out", "out"];
        all.extend_from_slice(args);
        let o = xjscan(dir.path()).args(&all).output().unwrap();
        assert!(!dir.path().join("out").exists(), "nothing is written");
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    assert_eq!(
        run(&[]),
        (Some(2), "error: q4: the Form N-PORT data set has no SUBMISSION.tsv; a data set folder holds FUND_REPORTED_HOLDING.tsv and SUBMISSION.tsv (REGISTRANT.tsv, FUND_REPORTED_INFO.tsv and IDENTIFIERS.tsv are read when present)\n".to_string())
    );
    std::fs::write(q.join("SUBMISSION.tsv"), SUBMISSION).unwrap();
    assert_eq!(
        run(&["--nav", "1000"]),
        (Some(2), "error: --nav does not apply to a Form N-PORT data set scan (one portfolio per filing, read from its TSV files, values in US dollars); leave it out\n".to_string())
    );
    std::fs::write(
        q.join("FUND_REPORTED_HOLDING.tsv"),
        "ACCESSION_NUMBER\tHOLDING_ID\tISSUER_NAME\n1\t2\tA\n",
    )
    .unwrap();
    assert_eq!(
        run(&[]),
        (Some(2), "error: q4/FUND_REPORTED_HOLDING.tsv:1: header lacks column(s) ISSUER_LEI, ISSUER_TITLE, ISSUER_CUSIP, CURRENCY_CODE, CURRENCY_VALUE, PAYOFF_PROFILE, ASSET_CAT, ISSUER_TYPE; expected a Form N-PORT data set table with ACCESSION_NUMBER, HOLDING_ID, ISSUER_NAME, ISSUER_LEI, ISSUER_TITLE, ISSUER_CUSIP, CURRENCY_CODE, CURRENCY_VALUE, PAYOFF_PROFILE, ASSET_CAT, ISSUER_TYPE\n".to_string())
    );
}

/// A filing lost or counted twice on its way to its bucket stops the scan before anything is
/// written: the reconciliation compares the buckets with the rows as they were read.
#[test]
fn an_nport_data_set_that_does_not_reconcile_is_never_written() {
    let dir = tempfile::tempdir().unwrap();
    write_dataset(&dir.path().join("q4"));
    for fault in ["drop-row", "double-row"] {
        let output = xjscan(dir.path())
            .env("XJSCAN_FAULT", fault)
            .args(["scan", "q4", "--out", "out"])
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(1), "{fault}: {stderr}");
        assert!(
            stderr.starts_with(
                "error: q4/FUND_REPORTED_HOLDING.tsv: the figures do not reconcile: the rows read are 11 "
            ),
            "{stderr}"
        );
        assert!(!dir.path().join("out").exists());
    }
}

/// A Names-Rule sweep over the data set: a seeded sample of its funds, claims read from their
/// names, each flagged holding checked and cited; the bundle replays byte for byte.
#[test]
fn a_names_rule_sweep_samples_funds_and_replays() {
    let dir = tempfile::tempdir().unwrap();
    write_dataset(&dir.path().join("q4"));
    let output = xjscan(dir.path())
        .args([
            "disclosure-check",
            "q4",
            "--claims-from-names",
            "--sample",
            "2",
            "--seed",
            "7",
            "--out",
            "sweep",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let md = std::fs::read_to_string(dir.path().join("sweep/disclosure.md")).unwrap();
    // Seed 7 draws two of the three funds; the ESG fund's name makes its claim.
    assert!(md.starts_with("# Disclosure check\n\n2 of 3 filings checked (random sample of 2, seed 7); claims read from the funds' names (a name with any of “ESG”, “SRI”, “sustainable”"), "{md}");
    assert!(md.contains("| Alpha Emerging Markets ESG Fund | `0000000001-25-000001` | ESG (the name carries “ESG”) | 1,234,567.89 | 12.35% | 1 |\n"), "{md}");
    assert!(
        md.contains(
            "| Alpha Bond Fund | `0000000001-25-000002` | none stated | 750,000.00 | 15.00% | 0 |\n"
        ),
        "{md}"
    );
    assert!(md.contains("| Alpha Emerging Markets ESG Fund | conflict | Northbound Holding 101 | 1,234,567.89 | Investment ban | bis_entity_list, dod_1260h, ofac_ns_cmic | a fund claiming ESG holds an issuer under blocking sanctions, an investment ban or an import ban |\n"), "{md}");
    let csv = std::fs::read_to_string(dir.path().join("sweep/disclosure.csv")).unwrap();
    // Each finding cites its line in the holdings table and the designations, dated and graded.
    assert!(csv.contains("Alpha Emerging Markets ESG Fund,q4/FUND_REPORTED_HOLDING.tsv:2 (0000000001-25-000001),ESG (the name carries “ESG”),conflict,Northbound Holding 101,1234567.89,12.3457,Investment ban,"), "{csv}");
    assert!(
        csv.contains("hikvision: ofac_ns_cmic 2021-06-03 (Investment ban, grade A)"),
        "{csv}"
    );
    let replay = xjscan(dir.path())
        .args(["replay", "sweep/bundle.json", "--out", "replayed"])
        .output()
        .unwrap();
    assert!(
        replay.status.success(),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    for f in ["disclosure.md", "disclosure.csv", "bundle.json"] {
        assert_eq!(
            std::fs::read(dir.path().join("sweep").join(f)).unwrap(),
            std::fs::read(dir.path().join("replayed").join(f)).unwrap(),
            "{f}"
        );
    }
    // A changed table is refused by the replay.
    std::fs::write(
        dir.path().join("q4/IDENTIFIERS.tsv"),
        "HOLDING_ID\tIDENTIFIER_ISIN\n",
    )
    .unwrap();
    let replay = xjscan(dir.path())
        .args(["replay", "sweep/bundle.json", "--out", "again"])
        .output()
        .unwrap();
    assert_eq!(replay.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&replay.stderr)
            .contains("q4/IDENTIFIERS.tsv: changed since the bundle was made"),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
}

/// Claims must come from somewhere, and names only hold claims in a data set.
#[test]
fn a_sweep_without_claims_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    write_dataset(&dir.path().join("q4"));
    std::fs::write(dir.path().join("fund.csv"), "Name,Market Value\nA,1\n").unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["disclosure-check"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--out", "out"]);
        let o = xjscan(dir.path()).args(&all).output().unwrap();
        assert!(!dir.path().join("out").exists());
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    assert_eq!(
        run(&["q4"]),
        (Some(2), "error: a data set needs the funds' claims: --claims FILE, or --claims-from-names to read them from the funds' names\n".to_string())
    );
    assert_eq!(
        run(&["fund.csv", "--claims-from-names"]),
        (Some(2), "error: --claims-from-names and --claim-terms apply to an N-PORT data set folder, whose funds' names are in its tables; for filings give --claims\n".to_string())
    );
    assert_eq!(
        run(&["fund.csv"]),
        (
            Some(2),
            "error: --claims FILE is needed: the funds' stated policies\n".to_string()
        )
    );
}

/// The sweep reads the zip as published too: the same findings as from its folder, each cited
/// in the zip's table, and a bundle that replays byte for byte from the zip.
#[test]
fn a_names_rule_sweep_reads_the_published_zip_and_replays() {
    let dir = tempfile::tempdir().unwrap();
    write_dataset(&dir.path().join("q4"));
    let tables: Vec<(String, Vec<u8>)> = fixture_files()
        .into_iter()
        .map(|(name, bytes)| (name.trim_start_matches("q/").to_string(), bytes))
        .collect();
    let files: Vec<(&str, &[u8])> = tables
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    write_zip(&dir.path().join("q4.zip"), &files);
    let sweep = |input: &str, out: &str| {
        let output = xjscan(dir.path())
            .args([
                "disclosure-check",
                input,
                "--claims-from-names",
                "--sample",
                "2",
            ])
            .args(["--seed", "7", "--out", out])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::read_to_string(dir.path().join(out).join("disclosure.csv")).unwrap()
    };
    let (folder, zipped) = (sweep("q4", "a"), sweep("q4.zip", "b"));
    assert!(
        zipped.contains(",q4.zip/FUND_REPORTED_HOLDING.tsv:2 (0000000001-25-000001),"),
        "{zipped}"
    );
    assert_eq!(folder.replace("q4/", "q4.zip/"), zipped);
    let replay = xjscan(dir.path())
        .args(["replay", "b/bundle.json", "--out", "replayed"])
        .output()
        .unwrap();
    assert!(
        replay.status.success(),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    for f in ["disclosure.md", "disclosure.csv", "bundle.json"] {
        assert_eq!(
            std::fs::read(dir.path().join("b").join(f)).unwrap(),
            std::fs::read(dir.path().join("replayed").join(f)).unwrap(),
            "{f}"
        );
    }
}
