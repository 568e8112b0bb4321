//! Fund look-through, hand-computed: a fund of funds two levels deep, a fund not found, and a
//! fund that holds itself.
//!
//! ```text
//! Alpha 1,000.00 → ALPHA.csv (total 2,000.00, factor 0.5):
//!     Beta 1,200.00 → 600.00 → BETA.csv (total 100.00, factor 6):
//!         Hikvision 30.00 → 180.00, Daqo 50.00 → 300.00, Contoso 20.00 → 120.00
//!     Zhongtai Chemical 600.00 → 300.00, Northwind 200.00 → 100.00
//! Hikvision 100.00 (held directly)
//! Unknown Fund 300.00 (no file: unscreened)
//! Gamma 50.00 → GAMMA.csv (total 20.00, factor 2.5): Gamma 10.00 → 25.00 (a cycle:
//!     unscreened, warned), Northwind 10.00 → 25.00
//! ```
//!
//! Flagged 880.00 of 1,450.00: Hikvision 280.00, Zhongtai 300.00, Daqo 300.00. Looked through
//! 1,050.00 (two positions); unscreened 325.00.

use crate::{root, xjscan};

#[test]
fn a_fund_of_funds_is_looked_through_with_scaled_values() {
    let dir = tempfile::tempdir().unwrap();
    // In a parent folder of its own: runs writing into one parent take turns, and one that has
    // to wait says so on stderr, which is asserted below.
    let folder = dir.path().join("out");
    let out = xjscan(&root())
        .args([
            "scan",
            "tests/fixtures/lookthrough/portfolio.csv",
            "--look-through",
            "tests/fixtures/lookthrough/funds",
            "--out",
        ])
        .arg(&folder)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "warning: tests/fixtures/lookthrough/funds/GAMMA.csv (in tests/fixtures/lookthrough/portfolio.csv:5):2: Gamma Fund holds itself through tests/fixtures/lookthrough/funds/GAMMA.csv (a cycle); the position is left unscreened\n"
    );
    let m: serde_json::Value = crate::report_json(&folder);
    assert_eq!(m["summary"]["portfolio_total"], "1450.00");
    assert_eq!(m["summary"]["flagged_value"], "880.00");
    assert_eq!(m["reconciliation"]["balanced"], true);
    let issuers: Vec<String> = m["issuers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| format!("{}={}", i["entity_id"], i["value"]).replace('"', ""))
        .collect();
    assert_eq!(
        issuers,
        vec![
            "daqo-new-energy=300.00",
            "xinjiang-zhongtai-chemical=300.00",
            "hikvision=280.00"
        ]
    );
    let funds: Vec<String> = m["look_through"]["funds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {}",
                f["name"], f["matched_by"], f["value"], f["fund_total"], f["depth"]
            )
            .replace('"', "")
        })
        .collect();
    assert_eq!(
        funds,
        vec![
            "Alpha Global Fund ticker 1000.00 2000.00 1",
            "Beta Fund ticker 600.00 100.00 2",
            "Gamma Fund ticker 50.00 20.00 1",
        ]
    );
    assert_eq!(m["coverage"]["looked_through"]["value"], "1050.00");
    assert_eq!(m["coverage"]["looked_through"]["positions"], 2);
    assert_eq!(m["coverage"]["unscreened"]["value"], "325.00");
    assert_eq!(m["coverage"]["unscreened"]["positions"], 2);
}

/// A fund position in EUR is converted first, then looked through: its holdings are shares of
/// 1,085.00 USD whatever currency the fund file lists them in. Zhongtai 30% → 325.50; Beta 60% →
/// 651.00, of which Hikvision 30% → 195.30 and Daqo 50% → 325.50; flagged 846.30.
#[test]
fn a_fund_position_in_another_currency_is_converted_before_it_is_looked_through() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.csv"),
        "Issuer,Ticker,Asset Class,Currency,Market Value\nAlpha Global Fund,ALPHA,ETF,EUR,\"1,000.00\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("rates.csv"), "currency,rate\nEUR,1.085\n").unwrap();
    let out = xjscan(dir.path())
        .args([
            "scan",
            "p.csv",
            "--fx",
            "rates.csv",
            "--out",
            "out",
            "--look-through",
        ])
        .arg(root().join("tests/fixtures/lookthrough/funds"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/report.json")).unwrap())
            .unwrap();
    assert_eq!(m["currency"], "USD");
    assert_eq!(m["summary"]["portfolio_total"], "1085.00");
    assert_eq!(m["summary"]["flagged_value"], "846.30");
    assert_eq!(m["coverage"]["looked_through"]["value"], "1085.00");
    assert_eq!(m["reconciliation"]["balanced"], true);
}
