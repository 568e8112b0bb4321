//! Currency conversion with `--fx`: hand-computed figures, the rates recorded in the report,
//! and the errors for a missing rate and for mixed currencies without rates.
//!
//! CNY 10,000.00 × 0.1389 = 1,389.00 (Hikvision, flagged); HKD 10,000.00 × 0.12845 = 1,284.50
//! (Goldwind, flagged); EUR 1,000.00 × 1.0850 = 1,085.00; USD 500.00. Total 4,258.50 USD,
//! flagged 2,673.50 USD.

use crate::{root, xjscan};

#[test]
fn holdings_are_converted_position_by_position() {
    let dir = tempfile::tempdir().unwrap();
    let out = xjscan(&root())
        .args([
            "scan",
            "tests/fixtures/fx/holdings.csv",
            "--fx",
            "tests/fixtures/fx/rates.csv",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: serde_json::Value = crate::report_json(dir.path());
    assert_eq!(m["currency"], "USD");
    assert_eq!(m["summary"]["portfolio_total"], "4258.50");
    assert_eq!(m["summary"]["flagged_value"], "2673.50");
    assert_eq!(m["reconciliation"]["balanced"], true);
    let used: Vec<String> = m["fx"]["used"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            format!(
                "{} {} {} {} {}",
                u["currency"], u["rate"], u["date"], u["original_value"], u["converted_value"]
            )
            .replace('"', "")
        })
        .collect();
    assert_eq!(
        used,
        vec![
            "CNY 0.1389 2026-09-30 10000.00 1389.00",
            "EUR 1.0850 2026-09-30 1000.00 1085.00",
            "HKD 0.12845 2026-09-30 10000.00 1284.50",
        ]
    );
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(md.contains("Values were converted into USD with `tests/fixtures/fx/rates.csv`"));
}

#[test]
fn a_missing_rate_is_an_error_naming_the_currency() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rates.csv"),
        "currency,rate\nCNY,0.1389\nHKD,0.12845\n",
    )
    .unwrap();
    std::fs::copy(
        root().join("tests/fixtures/fx/holdings.csv"),
        dir.path().join("holdings.csv"),
    )
    .unwrap();
    let out = xjscan(dir.path())
        .args(["scan", "holdings.csv", "--fx", "rates.csv", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: no exchange rate for EUR in rates.csv (first holding in EUR: holdings.csv:4 Fabrikam AG); add a row `EUR,<rate in USD>`\n"
    );
    assert!(!dir.path().join("out").exists());

    // Without rates, mixed currencies cannot be added at all.
    let out = xjscan(dir.path())
        .args(["scan", "holdings.csv", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: holdings are valued in more than one currency (CNY from holdings.csv:2, EUR from holdings.csv:4, HKD from holdings.csv:3, USD from holdings.csv:5); their values cannot be added without exchange rates (give them with --fx RATES.csv)\n"
    );
}
