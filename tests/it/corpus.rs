//! The real ETF exports in the shared corpus read with the generic CSV reader, and their values
//! reconcile exactly with an independent sum of the file's market-value column.

use rust_decimal::Decimal;

use crate::{corpus_file, scan_files};

/// Sums a column the simple way, independently of xjscan's amount parser: find the header row
/// containing `column`, then add every cell that is a plain number once commas are removed.
fn independent_sum(path: &std::path::Path, column: &str) -> (u64, Decimal) {
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut index = None;
    let (mut rows, mut sum) = (0, Decimal::ZERO);
    for record in reader.records() {
        let record = record.unwrap();
        match index {
            None => index = record.iter().position(|c| c == column),
            Some(i) => {
                if let Some(Ok(v)) = record.get(i).map(|c| c.replace(',', "").parse::<Decimal>()) {
                    rows += 1;
                    sum += v;
                }
            }
        }
    }
    (rows, sum)
}

fn check(relative: &str, expected_holdings: u64) {
    let Some(path) = corpus_file(relative) else {
        return;
    };
    let result = scan_files(std::slice::from_ref(&path));
    let m = &result.model;
    let r = &m.reconciliation;
    let (rows, sum) = independent_sum(&path, "Market Value");
    assert!(r.balanced, "{relative}");
    assert_eq!(m.summary.positions, expected_holdings, "{relative}");
    assert_eq!(m.summary.positions, rows, "{relative}");
    assert_eq!(r.portfolio_total + r.rejected.value, sum, "{relative}");
    assert_eq!(r.input.value, sum, "{relative}");
}

#[test]
fn ishares_acwi() {
    check("etf_csv/ishares_ACWI_2025_aijinnah.csv", 2_333);
}

#[test]
fn ishares_eem() {
    check("etf_csv/ishares_EEM_2022_ctanny_excel-resaved.csv", 1_237);
}

#[test]
fn ishares_urth_with_preamble_and_identifiers() {
    check(
        "etf_csv/ishares_URTH_2020-11-04_with-isin-cusip-sedol.csv",
        1_260,
    );
    let Some(path) = corpus_file("etf_csv/ishares_URTH_2020-11-04_with-isin-cusip-sedol.csv")
    else {
        return;
    };
    let m = scan_files(&[path]).model;
    assert_eq!(m.inputs[0].format, "csv");
    assert_eq!(
        m.inputs[0].value_unit.as_deref(),
        Some("as written in column `Market Value`")
    );
    assert_eq!(m.inputs[0].fund.as_deref(), Some("iShares MSCI World ETF"));
    assert_eq!(m.inputs[0].period.as_deref(), Some("Nov 04, 2020"));
}

/// A named holding of each iShares export, with its exact value.
#[test]
fn ishares_named_holdings() {
    for (file, name, value) in [
        (
            "etf_csv/ishares_ACWI_2025_aijinnah.csv",
            "APPLE INC",
            "914893084.20",
        ),
        (
            "etf_csv/ishares_EEM_2022_ctanny_excel-resaved.csv",
            "TAIWAN SEMICONDUCTOR MANUFACTURING",
            "1499770973.15",
        ),
        (
            "etf_csv/ishares_URTH_2020-11-04_with-isin-cusip-sedol.csv",
            "APPLE INC",
            "44825212.30",
        ),
    ] {
        // One missing file must not skip the others: each is checked (and reported) on its own.
        let Some(path) = corpus_file(file) else {
            continue;
        };
        let portfolio = xjscan::ingest::read_files("t", &[path], &Default::default()).unwrap();
        let holding = portfolio.holdings.iter().find(|h| h.name == name).unwrap();
        assert_eq!(
            holding.value,
            Decimal::from_str_exact(value).unwrap(),
            "{file}"
        );
    }
}
