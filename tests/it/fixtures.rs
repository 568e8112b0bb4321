//! Hand-computed fixtures: what is flagged, how, and that every value is accounted for.

use std::io::Write;

use rust_decimal::Decimal;
use xjscan::report::model::FlaggedPosition;

use crate::{fixture, scan_files};

fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

fn flagged_names(flagged: &[FlaggedPosition]) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = flagged
        .iter()
        .map(|p| {
            let e = &p.entities[0];
            (
                p.name.clone(),
                e.entity_id.clone(),
                e.matches[0].method.clone(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn an_isin_in_the_reference_data_flags_whatever_the_name() {
    let result = scan_files(&[fixture("identifiers.csv")]);
    let m = &result.model;
    assert_eq!(
        flagged_names(&m.flagged),
        vec![
            (
                "ACME WIDGETS HOLDINGS".into(),
                "hikvision".into(),
                "isin".into()
            ),
            (
                "Some Renamed Surveillance Co".into(),
                "xiamen-meiya-pico".into(),
                "listing".into()
            ),
            (
                "Unnamed listing".into(),
                "huafu-fashion".into(),
                "listing".into()
            ),
        ]
    );
    // A ticker whose leading zeros a spreadsheet dropped still matches (2042 → 002042), and the
    // link is graded C (a name-matched code), so it is shown as unverified.
    let huafu = m
        .flagged
        .iter()
        .find(|p| p.name == "Unnamed listing")
        .unwrap();
    assert_eq!(huafu.entities[0].matches[0].holding_value, "XSHE:002042");
    assert!(!huafu.entities[0].matches[0].verified);
    let r = &m.reconciliation;
    assert_eq!(r.flagged.value, dec("1350.49"));
    assert_eq!(r.clear.value, dec("5000.00"));
    assert!(r.balanced);
}

#[test]
fn a_name_equal_to_an_alias_after_normalisation_is_flagged_and_a_clean_name_is_not() {
    let result = scan_files(&[fixture("names.csv")]);
    let m = &result.model;
    assert_eq!(
        flagged_names(&m.flagged),
        vec![
            (
                "CHANGHONG MEILING CO LTD-A".into(),
                "changhong-meiling".into(),
                "name".into()
            ),
            (
                "Hefei Meiling Co Ltd".into(),
                "changhong-meiling".into(),
                "name".into()
            ),
            (
                "XINJIANG PRODUCTION & CONSTRUCTION CORPS".into(),
                "xpcc".into(),
                "name".into()
            ),
            ("新疆生产建设兵团".into(), "xpcc".into(), "name".into()),
        ]
    );
    // Zhongtai Securities, Zhongtai Chemical without "Xinjiang", a Xinjiang cement maker and
    // Northwind are all clear.
    let r = &m.reconciliation;
    assert_eq!((r.flagged.rows, r.flagged.value), (4, dec("1900.00")));
    assert_eq!((r.clear.rows, r.clear.value), (4, dec("2600.00")));
    assert_eq!(m.summary.flagged_pct, dec("42.2222"));
    // XPCC is under blocking sanctions: that is the tier of both of its positions.
    let xpcc: Vec<_> = m
        .flagged
        .iter()
        .filter(|p| p.entities[0].entity_id == "xpcc")
        .collect();
    assert!(xpcc.iter().all(|p| p.tier == "blocking"));
}

#[test]
fn preamble_tsv_with_currency_symbols_negative_and_total_rows() {
    let result = scan_files(&[fixture("preamble.tsv")]);
    let m = &result.model;
    let input = &m.inputs[0];
    assert_eq!(
        (input.format.as_str(), input.delimiter.as_str()),
        ("tsv", "tab")
    );
    assert_eq!(
        (input.header_line, input.preamble_lines, input.blank_lines),
        (4, 3, 0)
    );
    let r = &m.reconciliation;
    assert_eq!(r.flagged.value, dec("12345.67"));
    assert_eq!(r.clear.value, dec("-100.00"));
    assert_eq!(r.portfolio_total, dec("12245.67"));
    // The Total row is rejected with its value shown and kept out of the total.
    assert_eq!(r.rejected.value, dec("12245.67"));
    assert_eq!(r.input.value, dec("24491.34"));
    assert_eq!(m.currency.as_deref(), Some("USD"));
}

#[test]
fn semicolon_files_with_decimal_commas() {
    let result = scan_files(&[fixture("semicolon.csv")]);
    let r = &result.model.reconciliation;
    assert_eq!(result.model.inputs[0].delimiter, ";");
    assert_eq!(r.flagged.value, dec("3234.56"));
    assert_eq!(r.portfolio_total, dec("12340.00"));
}

/// The same table in UTF-16 (with and without BOM), GBK and UTF-8 with BOM reads the same.
#[test]
fn every_encoding_reads_the_same_holdings() {
    let text = "名称,ISIN,市值\n骆驼集团股份有限公司,,100.25\n海康威视,CNE100000PM8,200.00\nNorthwind Traders Inc.,,50\n";
    let dir = tempfile::tempdir().unwrap();
    let mut variants: Vec<(&str, Vec<u8>)> = Vec::new();
    variants.push(("UTF-8", text.as_bytes().to_vec()));
    variants.push((
        "UTF-8",
        [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
    ));
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    variants.push(("UTF-16LE", [b"\xff\xfe".as_slice(), &utf16].concat()));
    variants.push(("UTF-16LE", utf16));
    let utf16be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    variants.push(("UTF-16BE", [b"\xfe\xff".as_slice(), &utf16be].concat()));
    variants.push(("GBK", encoding_rs::GBK.encode(text).0.into_owned()));
    for (i, (encoding, bytes)) in variants.iter().enumerate() {
        let path = dir.path().join(format!("v{i}.csv"));
        std::fs::File::create(&path)
            .unwrap()
            .write_all(bytes)
            .unwrap();
        let result = scan_files(&[path]);
        let m = &result.model;
        assert_eq!(m.inputs[0].encoding, *encoding, "variant {i}");
        assert_eq!(m.reconciliation.flagged.value, dec("300.25"), "variant {i}");
        assert_eq!(
            m.reconciliation.portfolio_total,
            dec("350.25"),
            "variant {i}"
        );
    }
}

#[test]
fn explicit_columns_override_recognition() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("custom.csv");
    std::fs::write(
        &path,
        "Holding,Position (USD),Value\nXinjiang Zhongtai Chemical Co Ltd,10.00,999\n",
    )
    .unwrap();
    let mut options = crate::options(&[path]);
    options.ingest.columns = "name=Holding,value=Position (USD)".parse().unwrap();
    let result = xjscan::scan::scan(&options).unwrap();
    assert_eq!(result.model.reconciliation.flagged.value, dec("10.00"));
}
