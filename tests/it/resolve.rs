//! `xjscan resolve`: a match table answers as the scans do for the same issuers, keeps every
//! input row in order with its key as given, writes Parquet with the reference data's hash and
//! the tool version in its metadata, and refuses bad input by name with nothing written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::{root, xjscan};

/// Runs `xjscan resolve ARGS` from `dir` and requires success; returns stdout.
fn resolve(dir: &Path, args: &[&str]) -> String {
    let output = xjscan(dir).arg("resolve").args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The rows of a CSV file as maps from header to cell.
fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Entity ids as a set (a holdings-file report lists them strongest link first, a data set's
/// in id order).
fn ids(cell: &str) -> BTreeSet<String> {
    cell.split("; ")
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The distinct (NAMEOFISSUER, CUSIP) pairs of a data set's INFOTABLE.tsv, written as a
/// tab-separated table of issuers.
fn distinct_issuers(infotable: &Path, out: &Path) -> usize {
    let text = std::fs::read_to_string(infotable).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (name, cusip) = (at("NAMEOFISSUER"), at("CUSIP"));
    let pairs: BTreeSet<(String, String)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[name].to_string(), f[cusip].to_string())
        })
        .collect();
    let mut table = String::from("NAMEOFISSUER\tCUSIP\n");
    for (n, c) in &pairs {
        table.push_str(&format!("{n}\t{c}\n"));
    }
    std::fs::write(out, table).unwrap();
    pairs.len()
}

/// Every issuer a data-set scan flags is flagged in the match table with the same entity ids
/// and tier, and every issuer the table flags with a counted row is in the scan's flags.
#[test]
fn a_match_table_answers_as_the_data_set_scan_does() {
    for (label, make) in [
        ("hand-made", crate::dataset::write_dataset as fn(&Path)),
        ("generated", crate::dataset::generated_dataset as fn(&Path)),
    ] {
        let dir = tempfile::tempdir().unwrap();
        make(&dir.path().join("data"));
        let out = xjscan(dir.path())
            .args(["scan", "data", "--out", "scan"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{label}");
        let n = distinct_issuers(
            &dir.path().join("data/INFOTABLE.tsv"),
            &dir.path().join("issuers.tsv"),
        );
        let stdout = resolve(dir.path(), &["issuers.tsv", "--out", "matches"]);
        assert!(
            stdout.contains(&format!("{n} issuers resolved")),
            "{stdout}"
        );
        let table: BTreeMap<(String, String), BTreeMap<String, String>> =
            csv_rows(&dir.path().join("matches/matches.csv"))
                .into_iter()
                .map(|r| ((r["name"].clone(), r["cusip"].clone()), r))
                .collect();
        assert_eq!(table.len(), n, "{label}: one row per issuer");
        let flags = csv_rows(&dir.path().join("scan/flagged.csv"));
        assert!(!flags.is_empty(), "{label}: the scan flags nothing");
        let mut flagged_by_scan = BTreeSet::new();
        for f in &flags {
            let key = (f["name"].clone(), f["cusip"].clone());
            let row = &table[&key];
            assert_eq!(row["status"], "flagged", "{label}: {key:?}");
            assert_eq!(row["entity_ids"], f["entity_ids"], "{label}: {key:?}");
            assert_eq!(row["tier"], f["tier"], "{label}: {key:?}");
            flagged_by_scan.insert(key);
        }
        let rejected: BTreeSet<(String, String)> = csv_rows(&dir.path().join("scan/rejected.csv"))
            .into_iter()
            .map(|r| (r["name"].clone(), r["cusip"].clone()))
            .collect();
        for (key, row) in &table {
            if row["status"] == "flagged" {
                assert!(
                    flagged_by_scan.contains(key) || rejected.contains(key),
                    "{label}: the table flags {key:?}, the scan does not"
                );
            }
        }
    }
}

/// The shipped example's holdings, resolved from a table of their names and identifiers, get
/// the flags the committed example report gives them.
#[test]
fn a_match_table_answers_as_a_holdings_scan_does() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("examples/portfolio.csv")).unwrap();
    let from = text.find("Issuer,").unwrap();
    std::fs::write(dir.path().join("holdings.csv"), &text[from..]).unwrap();
    resolve(
        dir.path(),
        &[
            "holdings.csv",
            "--columns",
            "name=Issuer,isin=ISIN,ticker=Ticker,exchange=Exchange",
            "--out",
            "m",
        ],
    );
    let table = csv_rows(&dir.path().join("m/matches.csv"));
    let example = csv_rows(&root().join("reports/example/flagged.csv"));
    // Rows the scan set aside for their value (a receivable valued `-`) are not holdings: the
    // table still answers for their names, the scan's flags do not.
    let header_line = text[..from].lines().count() as u64 + 1;
    let report = crate::report_json(&root().join("reports/example"));
    let set_aside: BTreeSet<u64> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert!(!set_aside.is_empty());
    let mut flagged = 0;
    for row in &table {
        let line = header_line + row["input_row"].parse::<u64>().unwrap();
        if set_aside.contains(&line) {
            continue;
        }
        let scanned: Vec<&BTreeMap<String, String>> = example
            .iter()
            .filter(|f| f["name"] == row["name"])
            .collect();
        match scanned.first() {
            Some(f) => {
                flagged += 1;
                assert_eq!(row["status"], "flagged", "{}", row["name"]);
                assert_eq!(
                    ids(&row["entity_ids"]),
                    ids(&f["entity_ids"]),
                    "{}",
                    row["name"]
                );
                assert_eq!(row["tier"], f["tier"], "{}", row["name"]);
                assert!(!row["designations"].is_empty() && !row["sources"].is_empty());
            }
            None => assert_ne!(row["status"], "flagged", "{}", row["name"]),
        }
    }
    assert_eq!(
        flagged,
        example.len(),
        "every flagged holding is in the table"
    );
}

/// Input order, duplicate and empty keys, keys kept exactly (spaces, case), a Parquet input, the
/// Parquet output's metadata and its agreement with the CSV.
#[test]
fn the_table_keeps_every_row_in_order_in_both_files() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        ("ZIJIN MINING GROUP CO LTD", "CNE100000502"),
        ("Northwind Traders Inc ", ""),
        ("", ""),
        ("ZIJIN MINING GROUP CO LTD", "CNE100000502"),
        ("DAQO NEW ENRGY", ""),
        ("=cmd|' /C calc'!A0", ""),
    ];
    let mut frame = df!(
        "Security" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "ISIN" => rows.iter().map(|r| Some(r.1).filter(|s| !s.is_empty())).collect::<Vec<_>>(),
    )
    .unwrap();
    let file = std::fs::File::create(dir.path().join("issuers.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut frame).unwrap();
    let stdout = resolve(
        dir.path(),
        &[
            "issuers.parquet",
            "--columns",
            "name=Security",
            "--out",
            "m",
        ],
    );
    assert!(
        stdout.contains("6 issuers resolved (name=Security, isin=ISIN): 2 flagged"),
        "{stdout}"
    );
    let csv = csv_rows(&dir.path().join("m/matches.csv"));
    let statuses: Vec<&str> = csv.iter().map(|r| r["status"].as_str()).collect();
    assert_eq!(
        statuses,
        [
            "flagged",
            "clear",
            "unscreened",
            "flagged",
            "review",
            "clear"
        ]
    );
    assert_eq!(csv[1]["name"], "Northwind Traders Inc ");
    assert_eq!(
        csv[5]["name"], "'=cmd|' /C calc'!A0",
        "a formula is defused in CSV"
    );
    let rows_numbered: Vec<&str> = csv.iter().map(|r| r["input_row"].as_str()).collect();
    assert_eq!(rows_numbered, ["1", "2", "3", "4", "5", "6"]);

    let path = dir.path().join("m/matches.parquet");
    let mut reader = ParquetReader::new(std::fs::File::open(&path).unwrap());
    let metadata = reader.get_metadata().unwrap().clone();
    let kv: BTreeMap<String, String> = metadata
        .key_value_metadata()
        .as_ref()
        .unwrap()
        .iter()
        .map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default()))
        .collect();
    assert_eq!(kv["xjscan.version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(kv["xjscan.reference_sha256"].len(), 64);
    assert_eq!(kv["xjscan.reference_sha256"], csv[0]["reference_sha256"]);
    let table = reader.finish().unwrap();
    assert_eq!(table.height(), 6);
    let names: Vec<Option<&str>> = table
        .column("name")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        names[5],
        Some("=cmd|' /C calc'!A0"),
        "Parquet keeps the key as given"
    );
    let status: Vec<Option<&str>> = table
        .column("status")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        status,
        statuses.iter().map(|s| Some(*s)).collect::<Vec<_>>()
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("m/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["rows"], 6);
    assert_eq!(
        manifest["reference_sha256"].as_str(),
        Some(kv["xjscan.reference_sha256"].as_str())
    );
}

/// Bad input and bad options are refused by name, exit 2, and nothing is written.
#[test]
fn bad_tables_are_refused_by_name_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("nonames.csv", "CUSIP,ISIN\n123,456\n");
    write("ok.csv", "Name,CUSIP\nA,1\nB,2\nC,3\n");
    write("long.csv", &format!("Name\n{}\n", "X".repeat(100)));
    write("empty.csv", "");
    write("broken.parquet", "PAR1 this is not parquet PAR1");
    std::fs::create_dir(dir.path().join("folder")).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["nonames.csv"],
            "nonames.csv:1: no column holds the issuers' names (found: CUSIP, ISIN); expected one named like NAMEOFISSUER, ISSUER_NAME or Name, or name it with --columns name=HEADER",
        ),
        (
            &["ok.csv", "--columns", "name=Issuer"],
            "ok.csv:1: column `Issuer` given with --columns is not in the header row; found: Name, CUSIP",
        ),
        (
            &["ok.csv", "--columns", "name"],
            "--columns: `name` should be ROLE=HEADER",
        ),
        (
            &["ok.csv", "--max-rows", "2"],
            "ok.csv:4: the table has 3 rows, more than the 2-row limit (--max-rows raises it)",
        ),
        (
            &["ok.csv", "--max-rows", "many"],
            "--max-rows many: expected a whole number of rows",
        ),
        (
            &["long.csv", "--max-field", "10"],
            "long.csv:2: a field of 100 bytes is longer than the 10 bytes limit (--max-field raises it)",
        ),
        (&["missing.csv"], "missing.csv: no such file"),
        (
            &["folder"],
            "folder: is a folder; expected a CSV or Parquet table of issuers",
        ),
        (&["empty.csv"], "empty.csv: file is empty"),
        (
            &["broken.parquet"],
            "broken.parquet: cannot read the Parquet file's footer",
        ),
    ];
    for (args, expected) in cases {
        let output = xjscan(dir.path())
            .arg("resolve")
            .args(*args)
            .args(["--out", "out"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(
            !dir.path().join("out").exists(),
            "{args:?}: something was written"
        );
    }
}

/// A short row is kept, with a warning naming its line; a tab-separated table with a byte-order
/// mark is read by its header.
#[test]
fn a_short_row_is_kept_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.tsv"),
        "\u{feff}NAMEOFISSUER\tCUSIP\nDAQO NEW ENERGY CORP\t23703Q203\nNORTHWIND\n",
    )
    .unwrap();
    let stdout = resolve(dir.path(), &["t.tsv", "--out", "m"]);
    assert!(
        stdout.contains(
            "warning: t.tsv:3: has 1 fields, the header 2; the missing ones are read as empty"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("2 issuers resolved (name=NAMEOFISSUER, cusip=CUSIP): 1 flagged, 0 for review, 1 clear, 0 unscreened"), "{stdout}");
}
