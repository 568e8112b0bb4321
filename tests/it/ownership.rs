//! Hand-computed exposure through ownership chains, XPCC debt and a short position, on a small
//! fictional reference folder (`tests/fixtures/ownership/mappings`):
//!
//! ```text
//! holdco ─80%─▶ midco ─60%─▶ opco (UFLPA)     Holdco 1,000 → parent link, share 48% → pro rata 480.00
//! unknown-parent ─?─▶ opco                    Unknownpct 400 → parent link, share unknown
//! blocked-parent (OFAC SDN) ─70%─▶ sub-one ─55%─▶ sub-two
//!                                             Sub Two 500 → blocking (70% ≥ 50, then 55% ≥ 50)
//! blocked-parent ─40%─▶ sub-three ◀─20%─ sub-one (itself blocked)
//!                                             Sub Three 300 → blocking: 60% in aggregate
//! blocked-parent ─30%─▶ sub-five              Sub Five 150 → research only (under 50%)
//! blocked-parent ─?─▶ sub-four                Sub Four 200 → research only (not established)
//! xpcc (OFAC SDN) ─100%─▶ example-investment  its bond 250 → blocking, XPCC debt 250.00
//! xpcc ═guarantees═▶ guaranteed-lgfv           its bond 100 → research only, XPCC debt 100.00
//! ```
//!
//! Flagged 2,900.00 of 3,650.00; blocking 1,050.00, research 1,850.00; XPCC debt 350.00. Pro
//! rata counts the two parent links by their shares (480.00; Unknownpct's 400.00 apart as
//! unknown) and the other links in full: 480 + 500 + 300 + 200 + 250 + 150 + 100 = 1,980.00.
//! The short sale of Sub Two (-120.00) is reported apart, never netted.

use crate::{fixture, xjscan};

fn scan() -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let out = xjscan(&crate::root())
        .args([
            "scan",
            "tests/fixtures/ownership/portfolio.csv",
            "--mappings",
        ])
        .arg(fixture("ownership/mappings"))
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    crate::report_json(dir.path())
}

#[test]
fn ownership_chains_give_the_hand_computed_figures() {
    let m = scan();
    assert_eq!(m["summary"]["flagged_value"], "2900.00");
    assert_eq!(m["summary"]["portfolio_total"], "3650.00");
    let tier = |key: &str| {
        m["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["key"] == key)
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(tier("blocking"), "1050.00");
    assert_eq!(tier("research_only"), "1850.00");
    assert_eq!(m["pro_rata"]["value"], "1980.00");
    assert_eq!(m["pro_rata"]["positions"], 7);
    assert_eq!(m["pro_rata"]["unknown"]["value"], "400.00");
    assert_eq!(m["pro_rata"]["unknown"]["rows"], 1);
    assert_eq!(m["xpcc_debt"]["value"], "350.00");
    assert_eq!(m["xpcc_debt"]["rows"], 2);

    let links: Vec<String> = m["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let e = &p["entities"][0];
            let path: Vec<String> = e["link"]["path"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| format!("{}>{}@{}", s["parent_id"], s["child_id"], s["percent"]))
                .collect();
            format!(
                "{} | {} | {} via {} | share {} | {}",
                p["name"],
                p["tier"],
                e["entity_id"],
                e["link"]["direction"],
                e["link"]["share_pct"],
                path.join(" ")
            )
            .replace('"', "")
        })
        .collect();
    assert_eq!(
        links,
        vec![
            "Holdco Listed Ltd | research_only | opco via parent | share 48 | holdco>midco@80 midco>opco@60",
            "Sub Two Chemical | blocking | blocked-parent via controlled | share 38.5 | blocked-parent>sub-one@70 sub-one>sub-two@55",
            "Unknownpct Holdings | research_only | opco via parent | share null | unknown-parent>opco@null",
            "Sub Three Mining | blocking | blocked-parent via controlled | share 40 | blocked-parent>sub-three@40",
            "Xinjiang Example Investment Group | blocking | xpcc via controlled | share 100 | xpcc>example-investment@100",
            "Sub Four Trading | research_only | blocked-parent via controlled | share null | blocked-parent>sub-four@null",
            "Sub Five Logistics | research_only | blocked-parent via controlled | share 30 | blocked-parent>sub-five@30",
            "Xinjiang Example Urban Construction Investment | research_only | xpcc via guaranteed | share null | xpcc>guaranteed-lgfv@null",
        ]
    );
    // Why the tiers differ is stated on each link.
    let note = |i: usize| {
        m["flagged"][i]["entities"][0]["link"]["note"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let aggregated = "owned 50% or more, in aggregate, by blocked entities (the 50% rule of OFAC; the EU and UK apply an ownership-and-control test)";
    assert_eq!(note(1), aggregated);
    assert_eq!(note(3), aggregated);
    assert_eq!(
        note(5),
        "controlled by a blocked entity, but no source states how much Blocked Parent Group holds in Sub Four Trading, so the 50% rule is not established"
    );
    assert_eq!(
        note(6),
        "Blocked Parent Group holds 30% of Sub Five Logistics, under 50%, and no other blocked owner makes up the difference, so the 50% rule does not apply"
    );
    // Through control only the blocking list carries: the UFLPA listing of opco stays with opco.
    let lists: Vec<String> = m["lists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| format!("{}={}", l["id"], l["value"]).replace('"', ""))
        .collect();
    assert_eq!(lists, vec!["ofac_sdn=1050.00"]);
    // A company the XPCC owns 100% is blocked under the 50% rule, and the position says so.
    let xpcc = &m["flagged"][4]["xpcc"];
    assert_eq!(xpcc["relation"], "controlled");
    assert_eq!(
        xpcc["text"],
        "controlled by the XPCC via Xinjiang Example Investment Group (100%)"
    );
    assert_eq!(xpcc["blocked"], true);
    assert_eq!(xpcc["rule"], format!("blocked: {aggregated}"));
    // Positions with no tie to the XPCC carry no XPCC status.
    assert!(m["flagged"][1].get("xpcc").is_none());
}

/// XPCC-controlled listed companies and a bond of a division's state-asset company, from the
/// shipped data: each is flagged, its chain to the XPCC stated in the report and in
/// `flagged.csv` with the 50% rule's result, and the bond counts in the XPCC debt figure.
#[test]
fn xpcc_controlled_companies_state_their_chain_and_the_fifty_percent_rule() {
    let dir = tempfile::tempdir().unwrap();
    let m = crate::scan_report(
        &crate::root(),
        &["tests/fixtures/xpcc/portfolio.csv"],
        dir.path(),
    );
    let flagged = m["flagged"].as_array().unwrap();
    assert_eq!(flagged.len(), 5, "every XPCC company is flagged");
    let status: std::collections::BTreeMap<String, String> = flagged
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["xpcc"]["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        status["Xinjiang Tianye Co., Ltd."],
        "controlled by the XPCC via Xinjiang Tianye (Group) Co., Ltd. (percentage not stated) → Xinjiang Tianye Co., Ltd. (41.51%)"
    );
    assert_eq!(
        status["Xinjiang Beixin Road & Bridge Group Co., Ltd."],
        "controlled by the XPCC via Xinjiang Production and Construction Corps Construction Engineering (Group) Co., Ltd. (percentage not stated) → Xinjiang Beixin Road & Bridge Group Co., Ltd. (36.84%)"
    );
    // No step above the listed companies has a sourced percentage, so none is blocked, and
    // the report says why rather than guessing.
    for p in flagged {
        assert_eq!(p["xpcc"]["blocked"], false, "{}", p["name"]);
        assert!(
            p["xpcc"]["rule"]
                .as_str()
                .unwrap()
                .starts_with("not blocked on the sourced figures: controlled by a blocked entity, but no source states how much"),
            "{}",
            p["xpcc"]["rule"]
        );
    }
    // The bond of the Seventh Division's state-asset company is XPCC debt.
    assert_eq!(m["xpcc_debt"]["value"], "1000.00");
    assert_eq!(m["xpcc_debt"]["rows"], 1);
    let csv = std::fs::read_to_string(dir.path().join("flagged.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "xpcc")
        .unwrap();
    let lists = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "lists")
        .unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        assert!(
            row[column].starts_with("controlled by the XPCC via "),
            "{:?}",
            row
        );
        // The XPCC's own lists do not apply through control short of the 50% rule: only the
        // company's own (research, where it has a row) are its lists.
        assert!(
            !row[lists].contains("ofac_sdn") && !row[lists].contains("uflpa"),
            "{:?}",
            row
        );
    }
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert_eq!(
        md.matches("\n- XPCC: controlled by the XPCC via ").count(),
        5
    );
}

#[test]
fn a_short_position_is_reported_apart_and_never_netted() {
    let m = scan();
    let excluded = m["excluded"].as_array().unwrap();
    assert_eq!(excluded.len(), 1);
    assert_eq!(excluded[0]["kind"], "short");
    assert_eq!(excluded[0]["value"], "-120.00");
    assert_eq!(excluded[0]["tier_label"], "Blocking sanctions");
    // The flagged long exposure to Sub Two stays 500.00, and the total is the long positions.
    assert_eq!(m["reconciliation"]["excluded"]["value"], "-120.00");
    assert_eq!(m["excluded_kinds"][0]["key"], "short");
    assert_eq!(m["excluded_kinds"][0]["value"], "-120.00");
    assert_eq!(m["reconciliation"]["input"]["value"], "3530.00");
    assert_eq!(m["reconciliation"]["balanced"], true);
}

#[test]
fn the_asset_class_sector_and_country_tables_add_up_to_the_flagged_total() {
    let m = scan();
    for table in ["asset_classes", "sectors", "countries"] {
        let sum: rust_decimal::Decimal = m[table]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                g["value"]
                    .as_str()
                    .unwrap()
                    .parse::<rust_decimal::Decimal>()
                    .unwrap()
            })
            .sum();
        assert_eq!(sum.to_string(), "2900.00", "{table}");
    }
    let classes: Vec<String> = m["asset_classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| format!("{}={}", g["key"], g["value"]).replace('"', ""))
        .collect();
    assert_eq!(classes, vec!["equity=2550.00", "corporate_bond=350.00"]);
}
