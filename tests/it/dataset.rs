//! Form 13F data sets: a small hand-made set whose figures are known, scanned filing by filing;
//! and Parquet holdings files.

use std::path::Path;

use crate::xjscan;

const SUBMISSION: &str = "ACCESSION_NUMBER\tFILING_DATE\tSUBMISSIONTYPE\tCIK\tPERIODOFREPORT\n\
0000000001-25-000001\t14-NOV-2025\t13F-HR\t0000000001\t30-SEP-2025\n\
0000000002-25-000002\t14-NOV-2025\t13F-HR\t0000000002\t30-SEP-2025\n\
0000000003-21-000003\t12-NOV-2021\t13F-HR\t0000000003\t30-SEP-2021\n";

const COVERPAGE: &str = "ACCESSION_NUMBER\tREPORTCALENDARORQUARTER\tFILINGMANAGER_NAME\n\
0000000001-25-000001\t30-SEP-2025\tDollar Filer LLC\n\
0000000002-25-000002\t30-SEP-2025\tStill In Thousands LP\n\
0000000003-21-000003\t30-SEP-2021\tOld Filer Inc\n";

const SUMMARYPAGE: &str = "ACCESSION_NUMBER\tOTHERINCLUDEDMANAGERSCOUNT\tTABLEENTRYTOTAL\tTABLEVALUETOTAL\n\
0000000001-25-000001\t0\t4\t3050000\n\
0000000002-25-000002\t0\t3\t999\n\
0000000003-21-000003\t0\t2\t2000\n";

const HEADER: &str = "ACCESSION_NUMBER\tINFOTABLE_SK\tNAMEOFISSUER\tTITLEOFCLASS\tCUSIP\tFIGI\tVALUE\tSSHPRNAMT\tSSHPRNAMTTYPE\tPUTCALL\tINVESTMENTDISCRETION\tOTHERMANAGER\tVOTING_AUTH_SOLE\tVOTING_AUTH_SHARED\tVOTING_AUTH_NONE\n";

/// Filing 1 reports dollars and holds Daqo (linked), Northwind and a call on Daqo (an option);
/// filing 2 is from 2025 but its prices show thousands, and its total disagrees; filing 3 is
/// from 2021 (thousands) with one malformed value.
fn infotable() -> String {
    let rows = [
        "0000000001-25-000001\t1\tDAQO NEW ENERGY CORP\tSPONSORED ADR\t\t\t1000000\t40000\tSH\t\tSOLE\t\t40000\t0\t0",
        "0000000001-25-000001\t2\tNORTHWIND TRADERS INC\tCOM\t037833100\t\t2000000\t9000\tSH\t\tSOLE\t\t9000\t0\t0",
        "0000000001-25-000001\t3\tDAQO NEW ENERGY CORP\tSPONSORED ADR\t\t\t50000\t2000\tSH\tCall\tSOLE\t\t2000\t0\t0",
        "0000000001-25-000001\t4\tCONTOSO LTD\tCOM\t594918104\t\t0\t0\tSH\t\tSOLE\t\t0\t0\t0",
        "0000000002-25-000002\t5\tHANGZHOU HIKVISION DIGITAL TECHNOLOGY CO LTD\tCL A\t\t\t500\t100000\tSH\t\tSOLE\t\t100000\t0\t0",
        "0000000002-25-000002\t6\tNORTHWIND TRADERS INC\tCOM\t037833100\t\t300\t2000\tSH\t\tSOLE\t\t2000\t0\t0",
        "0000000002-25-000002\t7\tZHONGTAI SECURITIES CO LTD\tCOM\t\t\t100\t50000\tSH\t\tSOLE\t\t50000\t0\t0",
        "0000000003-21-000003\t8\tXINJIANG GOLDWIND SCIENCE & TECHNOLOGY CO LTD\tH\t\t\t2000\t1500000\tSH\t\tSOLE\t\t1500000\t0\t0",
        "0000000003-21-000003\t9\tNORTHWIND TRADERS INC\tCOM\t037833100\t\tN/A\t10\tSH\t\tSOLE\t\t10\t0\t0",
    ];
    format!("{HEADER}{}\n", rows.join("\n"))
}

pub(crate) fn write_dataset(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("SUBMISSION.tsv"), SUBMISSION).unwrap();
    std::fs::write(dir.join("COVERPAGE.tsv"), COVERPAGE).unwrap();
    std::fs::write(dir.join("SUMMARYPAGE.tsv"), SUMMARYPAGE).unwrap();
    std::fs::write(dir.join("INFOTABLE.tsv"), infotable()).unwrap();
}

#[test]
fn a_data_set_is_scanned_filing_by_filing() {
    let dir = tempfile::tempdir().unwrap();
    write_dataset(&dir.path().join("q3"));
    let output = xjscan(dir.path())
        .args(["scan", "q3", "--out", "out"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let filers = std::fs::read_to_string(dir.path().join("out/filers.csv")).unwrap();
    insta::assert_snapshot!("dataset_filers", filers);
    let flagged = std::fs::read_to_string(dir.path().join("out/flagged.csv")).unwrap();
    insta::assert_snapshot!("dataset_flagged", flagged);
    // Who holds the flagged issuers: long positions only (the Daqo call is not a holding).
    let holders = std::fs::read_to_string(dir.path().join("out/holders.csv")).unwrap();
    insta::assert_snapshot!("dataset_holders", holders);
    let stdout = String::from_utf8(output.stdout).unwrap();
    insta::assert_snapshot!(
        "dataset_summary",
        stdout.replace(&dir.path().display().to_string(), "[TMP]")
    );
}

/// Scans `folder` in `dir`, expects it to be refused (exit 2, no output folder), and gives
/// the message.
fn scan_refused(dir: &Path, folder: &str) -> String {
    let output = xjscan(dir)
        .args(["scan", folder, "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(!dir.join("out").exists());
    String::from_utf8(output.stderr).unwrap()
}

/// Rows whose value cannot be counted are set aside, each with its line and reason: the
/// malformed `N/A` of the hand-made set, an empty value, and a line cut short (which would
/// otherwise look like a long position worth 500).
#[test]
fn rows_set_aside_are_listed_with_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("q3");
    write_dataset(&q);
    let mut table = infotable();
    table.push_str("0000000003-21-000003\t10\tNORTHWIND TRADERS INC\tCOM\t037833100\t\t500\r\n");
    table.push('\n'); // a blank line: no row, but it counts as a line
    table.push_str(
        "0000000003-21-000003\t11\tDAQO NEW ENERGY CORP\tSPONSORED ADR\t\t\t \t10\tSH\t\tSOLE\t\t10\t0\t0\n",
    );
    // Text from the file that a spreadsheet would run as a formula is defused.
    table.push_str(
        "0000000003-21-000003\t12\t@SUM(A1)\tCOM\t=1+1\t\tN/A\t10\tSH\t\tSOLE\t\t10\t0\t0\n",
    );
    std::fs::write(q.join("INFOTABLE.tsv"), table).unwrap();
    let output = xjscan(dir.path())
        .args(["scan", "q3", "--out", "out"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/rejected.csv")).unwrap(),
        "accession,line,name,cusip,reason\n\
0000000003-21-000003,10,NORTHWIND TRADERS INC,037833100,\"VALUE is not a whole number: \"\"N/A\"\"\"\n\
0000000003-21-000003,11,NORTHWIND TRADERS INC,037833100,the line has 7 tab-separated fields; 10 are needed to reach every column xjscan reads\n\
0000000003-21-000003,13,DAQO NEW ENERGY CORP,,VALUE is empty\n\
0000000003-21-000003,14,'@SUM(A1),'=1+1,\"VALUE is not a whole number: \"\"N/A\"\"\"\n"
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains(
            "Set aside: 4 rows whose value is not usable, in no total (see rejected.csv)"
        ),
        "{stdout}"
    );
    // The rows still count in their filing, which reconciles; no value of theirs is counted.
    let mut filers = csv::Reader::from_path(dir.path().join("out/filers.csv")).unwrap();
    let header = filers.headers().unwrap().clone();
    let third = filers
        .records()
        .map(Result::unwrap)
        .find(|r| &r[0] == "0000000003-21-000003")
        .unwrap();
    let field = |name: &str| third[header.iter().position(|h| h == name).unwrap()].to_string();
    assert_eq!(
        [field("rows"), field("rejected_rows"), field("long_rows")],
        ["5", "4", "1"]
    );
    assert_eq!(field("balanced"), "true");
    assert_eq!(field("long_value"), "2000000", "thousands: 2000 × 1000");
    let m = crate::report_json(&dir.path().join("out"));
    assert_eq!(m["exposure"]["rejected_rows"], 4);
}

/// The options a data set scan honours: `--format` picks the files, `--name` titles the
/// report, `--overrides` applies reviewers' decisions, `--fail-above` sets the exit status.
#[test]
fn scan_options_apply_to_a_data_set() {
    let dir = tempfile::tempdir().unwrap();
    write_dataset(&dir.path().join("q3"));
    let run = |args: &[&str]| {
        let out = dir.path().join("out");
        let _ = std::fs::remove_dir_all(&out);
        let mut all = vec!["scan", "q3", "--out", "out"];
        all.extend_from_slice(args);
        let output = xjscan(dir.path()).args(&all).output().unwrap();
        let mut files: Vec<String> = std::fs::read_dir(&out)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        (output.status.code(), files)
    };
    assert_eq!(
        run(&["--format", "md"]),
        (Some(0), vec!["report.md".into(), "review.csv".into()])
    );
    assert_eq!(
        run(&["--format", "csv,html"]),
        (
            Some(0),
            [
                "filers.csv",
                "flagged.csv",
                "holders.csv",
                "rejected.csv",
                "report.html",
                "review.csv"
            ]
            .map(String::from)
            .to_vec()
        )
    );
    let (code, _) = run(&["--name", "Q3 <2025> & co", "--format", "md,html"]);
    assert_eq!(code, Some(0));
    let md = std::fs::read_to_string(dir.path().join("out/report.md")).unwrap();
    assert!(
        md.starts_with(
            "# Xinjiang forced-labour exposure across a Form 13F data set: Q3 \\<2025\\> & co\n"
        ),
        "{md}"
    );
    assert!(md.contains("- Data set: q3\n"), "{md}");
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(html.contains("<h1>Xinjiang forced-labour exposure across a Form 13F data set: Q3 &lt;2025&gt; &amp; co</h1>"), "{html}");
    // 59.32% of the long value is flagged (see the first test): above 50 exits 3, report written.
    let (code, files) = run(&["--fail-above", "50"]);
    assert_eq!(code, Some(3));
    assert!(files.contains(&"report.json".to_string()));
    assert_eq!(run(&["--fail-above", "60"]).0, Some(0));
    // A reviewer's rejection of Daqo's match takes its 1,000,000 dollars out of the flags.
    let flagged = || {
        let m = crate::report_json(&dir.path().join("out"));
        m["exposure"]["flagged_value"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
    };
    assert_eq!(run(&["--format", "json"]).0, Some(0));
    let before = flagged();
    std::fs::write(
        dir.path().join("decisions.csv"),
        "holding_name,entity_id,decision,reviewer,date,note\nDAQO NEW ENERGY CORP,daqo-new-energy,reject,A. Reviewer,2026-12-06,test\n",
    )
    .unwrap();
    let (code, _) = run(&["--overrides", "decisions.csv", "--format", "json"]);
    assert_eq!(code, Some(0));
    assert_eq!(before - flagged(), 1_000_000);
}

/// Values at the top of the 64-bit range, 100,000 times over, in thousands: every figure exact
/// to the dollar (27 digits), and the percentage (whose × 100 would overflow) computed.
#[test]
fn values_near_the_limit_add_up_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("q3");
    write_dataset(&q);
    let mut table = String::from(HEADER);
    for i in 0..100_000 {
        table.push_str(&format!(
            "0000000003-21-000003\t{i}\tDAQO NEW ENERGY CORP\tSPONSORED ADR\t\t\t{}\t10\tPRN\t\tSOLE\t\t10\t0\t0\n",
            i64::MAX
        ));
    }
    std::fs::write(q.join("INFOTABLE.tsv"), table).unwrap();
    let output = xjscan(dir.path())
        .args(["scan", "q3", "--out", "out"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let m = crate::report_json(&dir.path().join("out"));
    assert_eq!(m["exposure"]["long_value"], "922337203685477580700000000");
    assert_eq!(
        m["exposure"]["flagged_value"],
        "922337203685477580700000000"
    );
    assert_eq!(m["exposure"]["flagged_pct"], "100.0000");
    assert_eq!(m["exposure"]["filers"][0]["unit_multiplier"], 1000);
}

/// A partitioned data set whose partitions split a filing is refused, naming both files: the
/// filing would otherwise be counted twice, with two unit decisions.
#[test]
fn a_filing_split_between_partitions_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_dataset(&dir.path().join("single"));
    partition(&dir.path().join("single"), &dir.path().join("data"));
    let from = dir
        .path()
        .join("data/INFOTABLE/quarter=2025Q3/filer=0000000001/part-0000000001-25-000001.parquet");
    let to = dir
        .path()
        .join("data/INFOTABLE/quarter=2025Q3/filer=0000000001/part-0000000001-25-000001-b.parquet");
    std::fs::copy(&from, &to).unwrap();
    assert_eq!(
        scan_refused(dir.path(), "data"),
        "error: data/INFOTABLE/quarter=2025Q3/filer=0000000001/part-0000000001-25-000001.parquet: filing 0000000001-25-000001 is also in data/INFOTABLE/quarter=2025Q3/filer=0000000001/part-0000000001-25-000001-b.parquet; each partition must hold whole filings\n"
    );
}

#[test]
fn a_data_set_missing_its_information_table() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("q3");
    std::fs::create_dir_all(&q).unwrap();
    std::fs::write(q.join("SUBMISSION.tsv"), SUBMISSION).unwrap();
    assert_eq!(
        scan_refused(dir.path(), "q3"),
        "error: q3: the Form 13F data set has no INFOTABLE.tsv; a data set folder holds SUBMISSION.tsv and INFOTABLE.tsv (COVERPAGE.tsv and SUMMARYPAGE.tsv are read when present)\n"
    );
}

#[test]
fn a_data_set_table_without_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("q3");
    write_dataset(&q);
    std::fs::write(
        q.join("INFOTABLE.tsv"),
        "ACCESSION_NUMBER\tNAME\tVALUE\n1\tA\t2\n",
    )
    .unwrap();
    assert_eq!(
        scan_refused(dir.path(), "q3"),
        "error: q3/INFOTABLE.tsv:1: header lacks column(s) NAMEOFISSUER, TITLEOFCLASS, CUSIP, SSHPRNAMT, SSHPRNAMTTYPE, PUTCALL; expected a Form 13F data set table with ACCESSION_NUMBER, NAMEOFISSUER, TITLEOFCLASS, CUSIP, VALUE, SSHPRNAMT, SSHPRNAMTTYPE, PUTCALL\n"
    );
}

#[test]
fn parquet_holdings() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("holdings.parquet");
    let mut df = df!(
        "Name" => ["Hangzhou Hikvision Digital Technology Co Ltd", "Northwind Traders Inc"],
        "ISIN" => ["CNE100000PM8", "US0378331005"],
        "Market Value" => [1234.56f64, 1000.1f64],
    )
    .unwrap();
    let file = std::fs::File::create(&path).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    let result = crate::scan_files(&[path]);
    let m = &result.model;
    assert_eq!(m.inputs[0].format, "parquet");
    assert_eq!(m.reconciliation.flagged.value.to_string(), "1234.56");
    assert_eq!(m.reconciliation.portfolio_total.to_string(), "2234.66");
    assert!(m.inputs[0].notes.iter().any(|n| n
        == "floating-point column(s) Market Value read from each value's shortest decimal form"));
}

/// A larger set for the partitioned path: 40 filings of 150 rows over a few hundred issuers
/// (linked, Chinese, and ordinary names shared across filings), values from a fixed LCG.
pub(crate) fn generated_dataset(dir: &Path) {
    let names = [
        "DAQO NEW ENERGY CORP",
        "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO LTD",
        "ZIJIN MINING GROUP CO LTD",
        "NORTHWIND TRADERS INC",
        "ZHONGTAI SECURITIES CO LTD",
        "EAST WEST BANCORP INC",
        "GREEN PLAINS INC",
        "CHINA GREEN ENERGY GROUP",
    ];
    let mut seed: u64 = 42;
    let mut next = |m: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % m
    };
    let (mut sub, mut info) = (
        String::from(SUBMISSION.lines().next().unwrap()),
        String::from(HEADER),
    );
    sub.push('\n');
    let mut sk = 0;
    for f in 0..40u64 {
        let acc = format!("00000{:05}-25-{:06}", 10_000 + f, f);
        sub.push_str(&format!(
            "{acc}\t14-NOV-2025\t13F-HR\t{:010}\t30-SEP-2025\n",
            10_000 + f
        ));
        for _ in 0..150 {
            sk += 1;
            let pick = next(100);
            let name = if pick < 30 {
                names[next(names.len() as u64) as usize].to_string()
            } else {
                format!("GENERATED ISSUER {} CORP", next(300))
            };
            let shares = 100 + next(100_000);
            let value = if next(500) == 0 {
                "N/A".to_string()
            } else {
                (shares * (1 + next(400))).to_string()
            };
            let put_call = if next(50) == 0 { "Put" } else { "" };
            info.push_str(&format!(
                "{acc}\t{sk}\t{name}\tCOM\t\t\t{value}\t{shares}\tSH\t{put_call}\tSOLE\t\t{shares}\t0\t0\n"
            ));
        }
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("SUBMISSION.tsv"), sub).unwrap();
    std::fs::write(dir.join("INFOTABLE.tsv"), info).unwrap();
}

/// Writes `INFOTABLE.tsv` of `from` as Parquet partitions by quarter and filer under `to`
/// (`INFOTABLE/quarter=…/filer=…/part-0.parquet`, with each row's original `LINE`), and copies
/// the other tables.
fn partition(from: &Path, to: &Path) -> usize {
    use polars::prelude::*;
    std::fs::create_dir_all(to).unwrap();
    for t in ["SUBMISSION.tsv", "COVERPAGE.tsv", "SUMMARYPAGE.tsv"] {
        if from.join(t).is_file() {
            std::fs::copy(from.join(t), to.join(t)).unwrap();
        }
    }
    let df = xjscan::ingest::sec_dataset::scan_tsv(&from.join("INFOTABLE.tsv"))
        .unwrap()
        .with_row_index("ROW", None)
        .with_columns([(col("ROW").cast(DataType::Int64) + lit(2i64)).alias("LINE")])
        .drop(cols(["ROW"]))
        .collect()
        .unwrap();
    let parts = df.partition_by(["ACCESSION_NUMBER"], true).unwrap();
    for mut part in parts.iter().cloned() {
        let acc = part
            .column("ACCESSION_NUMBER")
            .unwrap()
            .str()
            .unwrap()
            .get(0)
            .unwrap()
            .to_string();
        let folder = to
            .join("INFOTABLE/quarter=2025Q3")
            .join(format!("filer={}", &acc[..10]));
        std::fs::create_dir_all(&folder).unwrap();
        let file = std::fs::File::create(folder.join(format!("part-{acc}.parquet"))).unwrap();
        ParquetWriter::new(file).finish(&mut part).unwrap();
    }
    parts.len()
}

#[test]
fn parquet_partitions_give_exactly_the_single_run_result() {
    for (label, make) in [
        ("hand-made", write_dataset as fn(&Path)),
        ("generated", generated_dataset as fn(&Path)),
    ] {
        let single = tempfile::tempdir().unwrap();
        let parted = tempfile::tempdir().unwrap();
        make(&single.path().join("data"));
        let pieces = partition(&single.path().join("data"), &parted.path().join("data"));
        assert!(pieces >= 3, "{label}: {pieces} partitions");
        assert!(!parted.path().join("data/INFOTABLE.tsv").exists());
        for dir in [single.path(), parted.path()] {
            let out = xjscan(dir)
                .args(["scan", "data", "--out", "out"])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{label}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        for f in [
            "report.md",
            "report.json",
            "filers.csv",
            "flagged.csv",
            "rejected.csv",
            "holders.csv",
            "review.csv",
        ] {
            let a = std::fs::read_to_string(single.path().join("out").join(f)).unwrap();
            let b = std::fs::read_to_string(parted.path().join("out").join(f)).unwrap();
            assert_eq!(a, b, "{label}: {f} differs");
        }
        let m = crate::report_json(&single.path().join("out"));
        let flagged = m["exposure"]["flagged_value"].as_str().unwrap();
        assert_ne!(
            flagged, "0",
            "{label}: nothing flagged, the check would be empty"
        );
        assert!(
            m["exposure"]["distinct_issuers"].as_u64().unwrap() >= 4,
            "{label}"
        );
    }
}

/// The data set's reconciliation compares the filings' buckets with the rows counted as they
/// were read: a filing's rows lost or counted twice (a fault planted through the debug build's
/// `XJSCAN_FAULT`) fail the scan with exit 1 and nothing written.
#[test]
fn a_data_set_that_does_not_reconcile_is_never_written() {
    let dir = tempfile::tempdir().unwrap();
    write_dataset(&dir.path().join("q3"));
    for fault in ["drop-row", "double-row"] {
        let output = xjscan(dir.path())
            .env("XJSCAN_FAULT", fault)
            .args(["scan", "q3", "--out", "out"])
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(1), "{fault}: {stderr}");
        assert!(
            stderr.starts_with(
                "error: q3/INFOTABLE.tsv: the figures do not reconcile: the rows read are "
            ),
            "{stderr}"
        );
        assert!(
            stderr.ends_with("; no report was written, as its totals would be wrong (please report this as a bug)\n"),
            "{stderr}"
        );
        assert!(!dir.path().join("out").exists());
    }
}
