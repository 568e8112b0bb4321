//! Every user-facing error: the exact message, the exit code, and that nothing is written.

use std::path::Path;

use crate::xjscan;

/// Runs `xjscan scan ARGS --out out` in `dir` and returns (exit code, stderr); asserts that the
/// output folder was not created.
fn fails(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = xjscan(dir)
        .arg("scan")
        .args(args)
        .args(["--out", "out"])
        .output()
        .unwrap();
    assert!(
        !dir.join("out").exists(),
        "a failed scan must leave no output behind"
    );
    assert!(
        output.stdout.is_empty(),
        "nothing on stdout for a failed scan"
    );
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "empty.csv", b"");
    assert_eq!(
        fails(dir.path(), &["empty.csv"]),
        (
            2,
            "error: empty.csv: file is empty; expected a holdings table with a header row\n".into()
        )
    );
}

#[test]
fn header_only() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "header.csv", b"Name,ISIN,Market Value\n");
    assert_eq!(
        fails(dir.path(), &["header.csv"]),
        (
            2,
            "error: header.csv:1: header row has no holdings rows after it\n".into()
        )
    );
}

#[test]
fn no_recognisable_value_column() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "novalue.csv", b"Name,Shares\nHikvision,100\n");
    assert_eq!(
        fails(dir.path(), &["novalue.csv"]),
        (2, "error: novalue.csv: no header row with a market value column in the first 2 lines; expected a column named like: market value, value, mkt val, market value (base), val usd (or name it with --columns value=HEADER); the nearest header row is line 1: `Name` (name), `Shares` (quantity)\n".into())
    );
    // Each cell of the nearest row says what it was read as, so the user sees what to rename.
    write(
        dir.path(),
        "price.csv",
        b"Fund X\nSecurity Description,Px,Notional Value,Foo\nHikvision,3,100,x\n",
    );
    assert_eq!(
        fails(dir.path(), &["price.csv"]),
        (2, "error: price.csv: no header row with a market value column in the first 3 lines; expected a column named like: market value, value, mkt val, market value (base), val usd (or name it with --columns value=HEADER); the nearest header row is line 2: `Security Description` (name), `Px` (price, not used), `Notional Value` (notional, not used), `Foo` (not recognised)\n".into())
    );
}

#[test]
fn a_non_numeric_value_rejects_the_row_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.csv", b"Name,Value\nA,10\nB,abc\n");
    let output = xjscan(dir.path())
        .args(["scan", "bad.csv", "--out", "ok"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "warning: bad.csv:3: row rejected: market value `abc` is not a number (column `Value`)\n"
    );
    // When no row is usable the file is unusable.
    write(dir.path(), "allbad.csv", b"Name,Value\nB,abc\n");
    assert_eq!(
        fails(dir.path(), &["allbad.csv"]),
        (2, "error: allbad.csv: none of its 1 rows is a usable holding; first problem: line 2: market value `abc` is not a number (column `Value`)\n".into())
    );
}

#[test]
fn unterminated_quoted_field() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "quote.csv",
        b"Name,Value\nA,1\n\"B, unclosed,2\nC,3\n",
    );
    assert_eq!(
        fails(dir.path(), &["quote.csv"]),
        (2, "error: quote.csv:3: quoted field starting on this line is never closed (missing `\"`)\n".into())
    );
}

#[test]
fn binary_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "data.bin", b"\x7fELF\x02\x01\x01\x00\x00\x00");
    assert_eq!(
        fails(dir.path(), &["data.bin"]),
        (2, "error: data.bin: looks like a binary file (byte 7 is not text); expected CSV or TSV text\n".into())
    );
    write(dir.path(), "book.csv", b"PK\x03\x04\x14\x00\x06\x00");
    assert_eq!(
        fails(dir.path(), &["book.csv"]),
        (2, "error: book.csv: is a ZIP or OLE container but not a spreadsheet xjscan can read (Cannot detect file format); expected an XLSX, XLS, XLSB or ODS workbook\n".into())
    );
}

#[test]
fn missing_path_and_directory() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        fails(dir.path(), &["nowhere.csv"]),
        (2, "error: nowhere.csv: no such file\n".into())
    );
    std::fs::create_dir(dir.path().join("folder")).unwrap();
    assert_eq!(
        fails(dir.path(), &["folder"]),
        (
            2,
            "error: folder: is a directory; expected a holdings file or a Form 13F data set folder (with INFOTABLE.tsv and SUBMISSION.tsv)\n".into()
        )
    );
}

#[test]
fn one_bad_file_among_good_ones_stops_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good.csv", b"Name,Value\nA,1\n");
    write(dir.path(), "empty.csv", b"  \n");
    assert_eq!(
        fails(dir.path(), &["good.csv", "empty.csv"]),
        (
            2,
            "error: empty.csv: file is empty; expected a holdings table with a header row\n".into()
        )
    );
}

#[test]
fn mixed_currencies() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(crate::fixture("mixed.csv"), dir.path().join("mixed.csv")).unwrap();
    assert_eq!(
        fails(dir.path(), &["mixed.csv"]),
        (2, "error: holdings are valued in more than one currency (HKD from mixed.csv:3, USD from mixed.csv:2); their values cannot be added without exchange rates (give them with --fx RATES.csv)\n".into())
    );
}

#[test]
fn explicit_column_not_in_header() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "h.csv", b"Name,Value\nA,1\n");
    assert_eq!(
        fails(dir.path(), &["h.csv", "--columns", "value=Mkt Val"]),
        (2, "error: h.csv:1: column `Mkt Val` given with --columns is not in the header row; found: Name, Value\n".into())
    );
}

#[test]
fn bad_flags() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "h.csv", b"Name,Value\nA,1\n");
    assert_eq!(
        fails(dir.path(), &["h.csv", "--nav", "lots"]),
        (2, "error: --nav: `lots` is not a number\n".into())
    );
    assert_eq!(
        fails(dir.path(), &["h.csv", "--nav", "-5"]),
        (2, "error: --nav must be a positive amount, got -5\n".into())
    );
    assert_eq!(
        fails(dir.path(), &["h.csv", "--format", "pdf"]),
        (
            2,
            "error: --format: unknown format `pdf`; expected md, html, json or csv\n".into()
        )
    );
    assert_eq!(
        fails(dir.path(), &["h.csv", "--columns", "worth=X"]),
        (2, "error: --columns: unknown column role `worth`; expected one of: name, description, isin, cusip, sedol, lei, cik, identifier, ticker, exchange, quantity, value, currency, weight, asset_class\n".into())
    );
    assert_eq!(
        fails(dir.path(), &["h.csv", "--encoding", "klingon"]),
        (2, "error: --encoding: unknown encoding `klingon`\n".into())
    );
    let (code, stderr) = fails(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("the following required arguments were not provided"),
        "{stderr}"
    );
}

#[test]
fn invalid_mappings_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "h.csv", b"Name,Value\nA,1\n");
    std::fs::create_dir(dir.path().join("maps")).unwrap();
    assert_eq!(
        fails(dir.path(), &["h.csv", "--mappings", "maps"]),
        (
            2,
            format!(
                "error: cannot read reference table {}: No such file or directory (os error 2)\n",
                Path::new("maps").join("dataset.csv").display()
            )
        )
    );
    // A copy of the shipped tables with one broken row names the file and line.
    for entry in std::fs::read_dir(crate::root().join("mappings")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            dir.path().join("maps").join(entry.file_name()),
        )
        .unwrap();
    }
    let ids = dir.path().join("maps/identifiers.csv");
    let mut text = std::fs::read_to_string(&ids).unwrap();
    text.push_str("hikvision,isin,CNE100000PM9,O7,A,\n");
    std::fs::write(&ids, text).unwrap();
    let (code, stderr) = fails(dir.path(), &["h.csv", "--mappings", "maps"]);
    assert_eq!(code, 2);
    let lines = std::fs::read_to_string(&ids).unwrap().lines().count();
    assert_eq!(
        stderr,
        format!(
            "error: reference data in maps is invalid (1 problem):\n  {}:{lines}: `CNE100000PM9` is not a valid ISIN: check digit does not match\n",
            Path::new("maps").join("identifiers.csv").display()
        )
    );
}

#[test]
fn fail_above_returns_3_and_still_writes_the_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(crate::fixture("names.csv"), dir.path().join("names.csv")).unwrap();
    let output = xjscan(dir.path())
        .args(["scan", "names.csv", "--out", "out", "--fail-above", "40"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "error: flagged exposure 42.22% is above --fail-above 40%\n"
    );
    assert!(dir.path().join("out/report.md").is_file());
    xjscan(dir.path())
        .args(["scan", "names.csv", "--out", "out", "--fail-above", "50%"])
        .assert()
        .code(0);
}

#[test]
fn nav_changes_the_denominator_not_the_reconciliation() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(crate::fixture("names.csv"), dir.path().join("names.csv")).unwrap();
    let output = xjscan(dir.path())
        .args([
            "scan",
            "names.csv",
            "--out",
            "out",
            "--nav",
            "19,000",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/report.json")).unwrap())
            .unwrap();
    assert_eq!(json["summary"]["flagged_pct"], "10.0000");
    assert_eq!(json["summary"]["denominator_label"], "NAV");
    assert_eq!(json["reconciliation"]["portfolio_total"], "4500.00");
    assert!(!dir.path().join("out/report.md").exists());
}

#[test]
fn default_output_folder_is_reports_slash_sanitised_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(crate::fixture("names.csv"), dir.path().join("names.csv")).unwrap();
    xjscan(dir.path())
        .args(["scan", "names.csv", "--name", "../Q3 book"])
        .assert()
        .success();
    assert!(dir.path().join("reports/Q3-book/report.md").is_file());
}

/// The terminal says when the reference data is more than 90 days old and how to refresh it;
/// the report, which must be the same bytes on any day, instead warns when the holdings are
/// dated more than 90 days after the data. `XJSCAN_TODAY` stands for the day of the run.
#[test]
fn stale_reference_data_is_said_with_how_to_refresh_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("late.csv"),
        "Fund holdings\nAs of,2027-06-30\n\nName,Market Value\nSub Two Chemical,100.00\n",
    )
    .unwrap();
    let run = |today: &str| {
        let out = crate::xjscan(d)
            .env("XJSCAN_TODAY", today)
            .args(["scan", "late.csv", "--mappings"])
            .arg(crate::fixture("ownership/mappings"))
            .args(["--out", "out"])
            .output()
            .unwrap();
        let _ = std::fs::remove_dir_all(d.join("out.kept"));
        if d.join("out").exists() {
            std::fs::rename(d.join("out"), d.join("out.kept")).unwrap();
        }
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };
    let note = "warning: the reference data is 186 days old (as of 2026-11-27); the lists change every few months: refresh it with `xjscan mappings update`";
    let (code, stderr) = run("2027-06-01");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains(note), "{stderr}");
    // The report's warning depends on the file's date only.
    let report = crate::report_json(&d.join("out.kept"));
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["message"].as_str().unwrap())
        .collect();
    assert!(warnings.contains(&"the holdings are dated 2027-06-30, 215 days after the reference data (as of 2026-11-27); lists may have changed since: refresh them with `xjscan mappings update`"), "{warnings:?}");
    let first = std::fs::read(d.join("out.kept/report.json")).unwrap();
    // 90 days is not yet stale; the report is the same bytes on another day.
    let (code, stderr) = run("2027-02-25");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("days old"), "{stderr}");
    assert_eq!(
        std::fs::read(d.join("out.kept/report.json")).unwrap(),
        first
    );
    // A day that is not a date is refused by name.
    let (code, stderr) = run("2027-13-01");
    assert_eq!(code, Some(2));
    assert!(
        stderr.starts_with("error: XJSCAN_TODAY: `2027-13-01` is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY"),
        "{stderr}"
    );
}
