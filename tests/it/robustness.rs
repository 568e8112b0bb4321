//! Regression tests for the inputs an attack campaign broke: valid files in every encoding
//! across the 4096-byte sniffing window, one decimal separator per file, Parquet decimal
//! columns, absurd amounts, and reconciliation faults planted in a debug build.

use std::path::Path;

use rust_decimal::Decimal;

use crate::{report_json, xjscan};

/// Runs `xjscan scan FILE --out out` in `dir`; returns (exit code, stdout, stderr).
fn scan(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = xjscan(dir)
        .arg("scan")
        .args(args)
        .args(["--out", "out"])
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

/// The report's long positions, with rejected values, as a decimal.
fn screened_total(dir: &Path) -> Decimal {
    let r = &report_json(&dir.join("out"))["reconciliation"];
    dec(r["portfolio_total"].as_str().unwrap())
}

/// A CSV of `rows` rows whose names use `name`, padded so that byte 4096 of the encoded file
/// falls `shift` bytes into the text: every shift puts the boundary somewhere else within a
/// multi-byte character.
fn csv_text(name: &str, rows: usize, shift: usize) -> String {
    let mut text = format!("Name,Market Value{}\n", " ".repeat(shift));
    for i in 0..rows {
        text.push_str(&format!("{name} {i},{}.25\n", 1000 + i));
    }
    text
}

fn expected_total(rows: usize) -> Decimal {
    (0..rows)
        .map(|i| Decimal::from(1000 + i as i64) + dec("0.25"))
        .sum()
}

/// Chinese, French and mixed names in UTF-8, GBK and UTF-16 files longer than 4 KiB read in full
/// whichever byte the 4096-byte window ends on (the window once split a character: exit 101).
#[test]
fn every_encoding_across_the_sniffing_window() {
    let names = [
        ("zh", "新疆中泰化学股份有限公司"),
        ("fr", "Société Générale Épargne"),
        ("mix", "Zhongtai 中泰 Éléments"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let rows = 160;
    for (label, name) in names {
        for shift in 0..4 {
            let text = csv_text(name, rows, shift);
            let mut files: Vec<(String, Vec<u8>)> = vec![
                (
                    format!("{label}-{shift}-utf8.csv"),
                    text.clone().into_bytes(),
                ),
                (
                    format!("{label}-{shift}-utf16le.csv"),
                    [&[0xff, 0xfe][..], &utf16le(&text)].concat(),
                ),
            ];
            if label == "zh" {
                let (gbk, _, bad) = encoding_rs::GBK.encode(&text);
                assert!(!bad);
                files.push((format!("{label}-{shift}-gbk.csv"), gbk.into_owned()));
            }
            for (file, bytes) in files {
                assert!(bytes.len() > 4096, "{file} must cross the window");
                std::fs::write(dir.path().join(&file), bytes).unwrap();
                let (code, _, stderr) = scan(dir.path(), &[&file]);
                assert_eq!(code, 0, "{file}: {stderr}");
                let json = report_json(&dir.path().join("out"));
                assert_eq!(json["summary"]["positions"], rows as u64, "{file}");
                assert_eq!(screened_total(dir.path()), expected_total(rows), "{file}");
            }
        }
    }
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// In a `;`-separated file `2.500,00` and `1.234` are 2500 and 1234; `1.234` was once read as
/// 1.234, a silent 1000x understatement.
#[test]
fn one_decimal_separator_per_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("eu.csv"),
        "Name;Market Value\nAlpha AG;2.500,00\nBeta SA;1.234\nGamma NV;17\n",
    )
    .unwrap();
    let (code, _, stderr) = scan(dir.path(), &["eu.csv"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(screened_total(dir.path()), dec("3751.00"));
    let json = report_json(&dir.path().join("out"));
    let notes = json["inputs"][0]["notes"].to_string();
    assert!(
        notes.contains("decimal separator `,` (thousands `.`), as line 2 shows: `2.500,00`"),
        "{notes}"
    );
}

/// A Parquet `decimal128` value column is read exactly (it once panicked inside polars:
/// "Arrow datatype Decimal(20, 2) not supported").
#[test]
fn parquet_decimal_values_are_exact() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("decimal.parquet");
    let values = Series::new("Market Value".into(), ["1234.56", "1000.10", "0.01"])
        .cast(&DataType::Decimal(20, 2))
        .unwrap();
    let mut df = DataFrame::new_infer_height(vec![
        Series::new(
            "Name".into(),
            [
                "Hangzhou Hikvision Digital Technology Co Ltd",
                "Northwind Traders Inc",
                "Cash",
            ],
        )
        .into(),
        values.into(),
    ])
    .unwrap();
    let file = std::fs::File::create(&path).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    let (code, _, stderr) = scan(dir.path(), &["decimal.parquet"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(screened_total(dir.path()), dec("2234.67"));
    let json = report_json(&dir.path().join("out"));
    assert_eq!(
        json["reconciliation"]["flagged"]["value"].as_str(),
        Some("1234.56")
    );
}

/// Runs a scan expected to be refused: returns (exit code, stderr) and checks that nothing was
/// written and nothing printed on stdout.
fn refused(dir: &Path, args: &[&str]) -> (i32, String) {
    let (code, stdout, stderr) = scan(dir, args);
    assert!(!dir.join("out").exists(), "a refused scan writes nothing");
    assert!(stdout.is_empty(), "{stdout}");
    (code, stderr)
}

const NEAR_MAX: &str = "79228162514264337593543950335";

/// Absurd amounts a hostile file can carry are refused with the file and line, exit 2: they
/// once panicked in the sums, the 13F ×1000 unit rule, `--nav` and `--fx` products.
#[test]
fn absurd_amounts_are_refused_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("sum.csv"),
        format!("Name,Market Value\nA,{NEAR_MAX}\nB,{NEAR_MAX}\n"),
    )
    .unwrap();
    assert_eq!(
        refused(d, &["sum.csv"]),
        (
            2,
            format!(
                "error: sum.csv:2: the portfolio's amounts, taken without sign, pass 10^26 at this row (value {NEAR_MAX}); xjscan adds money up exactly and refuses figures that large: check the file's values and units\n"
            )
        )
    );

    // 13F values in thousands: the ×1000 rule would overflow.
    let row = |v: &str| {
        format!(
            "<infoTable><nameOfIssuer>A</nameOfIssuer><titleOfClass>COM</titleOfClass><cusip>037833100</cusip><value>{v}</value><shrsOrPrnAmt><sshPrnamt>1000000000000000000000000000</sshPrnamt><sshPrnamtType>SH</sshPrnamtType></shrsOrPrnAmt></infoTable>\n"
        )
    };
    std::fs::write(
        d.join("13f.xml"),
        format!(
            "<informationTable>\n{}{}</informationTable>\n",
            row("5"),
            row("1000000000000000000000000")
        ),
    )
    .unwrap();
    let (code, stderr) = refused(d, &["13f.xml"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: 13f.xml:3: value 1000000000000000000000000 × 1000 passes 10^26, more than xjscan adds up exactly; check the value and its unit\n"
    );

    // Weights turned into money with --nav.
    std::fs::write(d.join("w.csv"), "Name,Weight\nA,60\nB,40\n").unwrap();
    assert_eq!(
        refused(d, &["w.csv", "--nav", "10000000000000000000000000"]),
        (
            2,
            "error: w.csv:2: weight 60 × --nav 10000000000000000000000000 passes 10^26, more than xjscan adds up exactly\n"
                .to_string()
        )
    );

    // Exchange rates.
    std::fs::write(
        d.join("eur.csv"),
        "Name,Market Value,Currency\nA,1000000000000000000000,EUR\n",
    )
    .unwrap();
    std::fs::write(d.join("rates.csv"), "currency,rate\nEUR,1000000000000\n").unwrap();
    assert_eq!(
        refused(d, &["eur.csv", "--fx", "rates.csv"]),
        (2, "error: eur.csv:2: value 1000000000000000000000 × the EUR rate 1000000000000 from rates.csv passes 10^26, more than xjscan adds up exactly; check the value and the rate\n".to_string())
    );
}

/// A row lost or counted twice between reading and bucketing (a fault planted through the
/// debug build's `XJSCAN_FAULT`) fails the scan with exit 1 and writes nothing: the
/// reconciliation compares the buckets with the rows read, not with themselves.
#[test]
fn a_report_that_does_not_reconcile_is_never_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        crate::root().join("examples/portfolio.csv"),
        dir.path().join("p.csv"),
    )
    .unwrap();
    // The clean run first, for the figures the faults must disagree with.
    let (code, _, stderr) = scan(dir.path(), &["p.csv"]);
    assert_eq!(code, 0, "{stderr}");
    let r = &report_json(&dir.path().join("out"))["reconciliation"];
    assert_eq!(r["balanced"], true);
    let rows = r["input"]["rows"].as_u64().unwrap();
    let value = r["input"]["value"].as_str().unwrap().to_string();
    std::fs::remove_dir_all(dir.path().join("out")).unwrap();
    for (fault, bucketed) in [("drop-row", rows - 1), ("double-row", rows + 1)] {
        let output = xjscan(dir.path())
            .env("XJSCAN_FAULT", fault)
            .args(["scan", "p.csv", "--out", "out"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{fault}: {stderr}");
        let read = format!(
            "error: the figures do not reconcile: the rows read are {rows} worth {value}, but the buckets hold {bucketed} worth "
        );
        assert!(stderr.starts_with(&read), "{fault}: {stderr}");
        assert!(stderr.ends_with("; no report was written, as its totals would be wrong (please report this as a bug)\n"), "{stderr}");
        assert!(!dir.path().join("out").exists());
    }
}

/// Small defects of the command line: refused by name, exit 2, nothing written.
#[test]
fn flags_and_inputs_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(
        crate::root().join("examples/portfolio.csv"),
        d.join("p.csv"),
    )
    .unwrap();
    assert_eq!(
        refused(d, &["p.csv", "--fail-above", "-1"]),
        (
            2,
            "error: --fail-above: `-1` is not a percentage between 0 and 100\n".to_string()
        )
    );
    assert_eq!(
        refused(d, &["p.csv", "--fail-above", "101%"]),
        (
            2,
            "error: --fail-above: `101` is not a percentage between 0 and 100\n".to_string()
        )
    );
    assert_eq!(
        refused(d, &["p.csv", "--nav", NEAR_MAX]),
        (
            2,
            format!(
                "error: --nav: `{NEAR_MAX}` is more than xjscan adds up exactly (at most 10^26)\n"
            )
        )
    );
    // The same file twice, however spelled, would double the portfolio.
    assert_eq!(
        refused(d, &["p.csv", "./p.csv"]),
        (2, "error: ./p.csv: given more than once; each holdings file is read once (reading it again would double the portfolio)\n".to_string())
    );
    // A copy under another name is counted, with a warning naming both.
    std::fs::copy(d.join("p.csv"), d.join("copy.csv")).unwrap();
    let (code, _, stderr) = scan(d, &["p.csv", "copy.csv"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning: copy.csv: has the same content as p.csv; both are counted, which doubles these positions if they are one portfolio\n"),
        "{stderr}"
    );
}

/// Control characters from a file's cells reach the terminal escaped, never raw: an
/// `ESC ] 0;…` sequence in a name would retitle the user's window.
#[test]
fn control_characters_are_never_echoed_raw() {
    let dir = tempfile::tempdir().unwrap();
    // ESC in a CSV's bytes marks it binary; it reaches messages through a file's name, and C1
    // controls and bidirectional overrides through its cells.
    let name = "evil\u{1b}]0;pwned\u{7}.csv";
    std::fs::write(
        dir.path().join(name),
        "Name,ISIN,Market Value\nEvil\u{9b}2J Co,NOT\u{202e}ANISIN,100\nB,,abc\u{9b}31m\n",
    )
    .unwrap();
    let (code, stdout, stderr) = scan(dir.path(), &[name]);
    assert_eq!(code, 0, "{stderr}");
    for text in [&stdout, &stderr] {
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
    }
    assert!(stderr.contains("\\u{1b}"), "{stderr}");
}

/// Memory stays bounded: a line, a field or an unpacked workbook past its limit is refused
/// with the file, the line where there is one, the limit and the flag that raises it.
#[test]
fn limits_on_lines_fields_and_unpacked_workbooks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A 2 MiB line without a break (such a 200 MB file once took 9.9 GB).
    let long = format!("Name,Market Value\nA,1\n{}\n", "x".repeat(2 << 20));
    std::fs::write(d.join("line.csv"), long).unwrap();
    assert_eq!(
        refused(d, &["line.csv"]),
        (2, "error: line.csv:3: a line of 2097152 bytes is longer than the 1 MiB limit (--max-line raises it)\n".to_string())
    );
    // A 100 KB name: refused by default, read with the limit raised.
    let name = "N".repeat(100_000);
    std::fs::write(
        d.join("field.csv"),
        format!("Name,Market Value\nA,1\n{name},2\n"),
    )
    .unwrap();
    assert_eq!(
        refused(d, &["field.csv"]),
        (2, "error: field.csv:3: a field of 100000 bytes is longer than the 64 KiB limit (--max-field raises it)\n".to_string())
    );
    let (code, _, stderr) = scan(d, &["field.csv", "--max-field", "128K"]);
    assert_eq!(code, 0, "{stderr}");
    std::fs::remove_dir_all(d.join("out")).unwrap();
    assert_eq!(
        refused(d, &["field.csv", "--max-field", "lots"]),
        (2, "error: --max-field: `lots` is not a size; expected bytes or a number with K, M or G (e.g. 64K, 1M, 2G)\n".to_string())
    );
    // A workbook whose sheet unpacks far past its packed size (a "zip bomb").
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "xl/worksheets/sheet1.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    std::io::Write::write_all(&mut zip, &vec![b' '; 3 << 20]).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert!(bytes.len() < 100_000);
    std::fs::write(d.join("bomb.xlsx"), bytes).unwrap();
    assert_eq!(
        refused(d, &["bomb.xlsx", "--max-unpacked", "2M"]),
        (2, "error: bomb.xlsx: the workbook unpacks to 3145728 bytes, more than the 2 MiB limit (--max-unpacked raises it)\n".to_string())
    );
}

/// Memory follows rows, not bytes: a Parquet file of a few kilobytes can state millions of
/// repeated rows. A table with more rows than the limit is refused before its rows are decoded
/// (from the Parquet footer) or turned into holdings (CSV), with the flag that raises it.
#[test]
fn limit_on_rows_refuses_a_small_file_of_many_rows() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows = 50_000;
    let mut df = DataFrame::new_infer_height(vec![
        Series::new("Name".into(), vec!["Northwind Traders Inc"; rows]).into(),
        Series::new("Market Value".into(), vec![100i64; rows]).into(),
    ])
    .unwrap();
    let file = std::fs::File::create(d.join("rows.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    assert!(std::fs::metadata(d.join("rows.parquet")).unwrap().len() < 10_000);
    assert_eq!(
        refused(d, &["rows.parquet", "--max-rows", "40000"]),
        (2, "error: rows.parquet: the table has 50000 rows, more than the 40000-row limit (--max-rows raises it)\n".to_string())
    );
    let (code, _, stderr) = scan(d, &["rows.parquet", "--max-rows", "50000"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(screened_total(d), dec("5000000"));
    std::fs::remove_dir_all(d.join("out")).unwrap();
    // A CSV's rows under its header are counted before any becomes a holding; the error names
    // the first line past the limit (the header is line 1).
    let csv: String = std::iter::once("Name,Market Value\n".to_string())
        .chain((0..10).map(|i| format!("Northwind Traders Inc,{i}\n")))
        .collect();
    std::fs::write(d.join("rows.csv"), csv).unwrap();
    assert_eq!(
        refused(d, &["rows.csv", "--max-rows", "5"]),
        (2, "error: rows.csv:7: the table has 10 rows, more than the 5-row limit (--max-rows raises it)\n".to_string())
    );
    assert_eq!(
        refused(d, &["rows.csv", "--max-rows", "0"]),
        (
            2,
            "error: --max-rows: `0` is not a number of rows; expected a whole number above 0\n"
                .to_string()
        )
    );
}

/// A data set scan refuses the options of a holdings scan by name rather than ignoring them.
#[test]
fn options_that_do_not_apply_to_a_data_set_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("set");
    std::fs::create_dir(&set).unwrap();
    std::fs::write(
        set.join("SUBMISSION.tsv"),
        "ACCESSION_NUMBER\tFILING_DATE\tSUBMISSIONTYPE\tCIK\tPERIODOFREPORT\n",
    )
    .unwrap();
    std::fs::write(set.join("INFOTABLE.tsv"), "ACCESSION_NUMBER\tINFOTABLE_SK\tNAMEOFISSUER\tTITLEOFCLASS\tCUSIP\tFIGI\tVALUE\tSSHPRNAMT\tSSHPRNAMTTYPE\tPUTCALL\n").unwrap();
    // Every option of a holdings scan that a data set has no use for, each on its own.
    let net = "--cache/--offline/--timeout/--retries/--max-body/--concurrency/--rate";
    let limits = "--max-unpacked/--max-line/--max-field/--max-rows";
    for (args, flag) in [
        (&["--fx", "rates.csv"][..], "--fx"),
        (&["--look-through", "funds"], "--look-through"),
        (&["--letters"], "--letters"),
        (&["--templates", "t"], "--templates"),
        (&["--nav", "100"], "--nav"),
        (&["--columns", "name=A,value=B"], "--columns"),
        (&["--encoding", "latin1"], "--encoding"),
        (&["--enrich", "openfigi"], "--enrich"),
        (&["--max-rows", "5"], limits),
        (&["--max-line", "1K"], limits),
        (&["--base", "EUR"], "--base"),
        (&["--config", "xjscan.toml"], "--config"),
        (&["--offline"], net),
        (&["--cache", "c"], net),
        (&["--timeout", "5"], net),
        (&["--rate", "2"], net),
    ] {
        let mut all = vec!["set"];
        all.extend_from_slice(args);
        assert_eq!(
            refused(dir.path(), &all),
            (
                2,
                format!(
                    "error: {flag} does not apply to a Form 13F data set scan (one portfolio per filing, read from its TSV files, values in US dollars); leave it out\n"
                )
            ),
            "{args:?}"
        );
    }
}

/// N-PORT values and net assets past the bound, and a 13F table whose values add up past it,
/// are refused at their line.
#[test]
fn absurd_sec_figures_are_refused_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let nport = |net: &str, values: [&str; 2]| {
        let rows: String = values
            .iter()
            .map(|v| format!("<invstOrSec>\n<name>A</name>\n<valUSD>{v}</valUSD>\n</invstOrSec>\n"))
            .collect();
        format!(
            "<edgarSubmission xmlns=\"http://www.sec.gov/edgar/nport\">\n<formData>\n<fundInfo>\n<netAssets>{net}</netAssets>\n</fundInfo>\n<invstOrSecs>\n{rows}</invstOrSecs>\n</formData>\n</edgarSubmission>\n"
        )
    };
    std::fs::write(d.join("values.xml"), nport("1000", [NEAR_MAX, NEAR_MAX])).unwrap();
    assert_eq!(
        refused(d, &["values.xml"]),
        (
            2,
            format!(
                "error: values.xml:7: the report's values up to valUSD {NEAR_MAX} pass 10^26, more than xjscan adds up exactly; check the values\n"
            )
        )
    );
    std::fs::write(d.join("net.xml"), nport(NEAR_MAX, ["1", "2"])).unwrap();
    assert_eq!(
        refused(d, &["net.xml"]),
        (
            2,
            format!(
                "error: net.xml:4: net assets {NEAR_MAX} pass 10^26, more than xjscan adds up exactly; check the value\n"
            )
        )
    );
    let row = |v: &str| {
        format!(
            "<infoTable><nameOfIssuer>A</nameOfIssuer><cusip>037833100</cusip><value>{v}</value></infoTable>\n"
        )
    };
    std::fs::write(
        d.join("sum.xml"),
        format!(
            "<informationTable>\n{}{}</informationTable>\n",
            row(NEAR_MAX),
            row(NEAR_MAX)
        ),
    )
    .unwrap();
    assert_eq!(
        refused(d, &["sum.xml"]),
        (
            2,
            format!(
                "error: sum.xml:2: the table's values up to value {NEAR_MAX} pass 10^26, more than xjscan adds up exactly; check the value and its unit\n"
            )
        )
    );
}
