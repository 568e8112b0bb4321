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
                "Apple Inc",
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
