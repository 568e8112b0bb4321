//! The review workflow end to end: names in the review band land in `review.csv`, a reviewer
//! fills in decisions, and a re-run with `--overrides` applies them and lists every decision.

use std::path::Path;

use crate::{fixture, xjscan};

fn scan(dir: &Path, extra: &[&str]) -> std::process::Output {
    xjscan(dir)
        .args(["scan", "review.csv", "--out", "out"])
        .args(extra)
        .output()
        .unwrap()
}

fn json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("out/report.json")).unwrap()).unwrap()
}

#[test]
fn review_candidates_are_listed_and_decisions_are_applied_on_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("review.csv"), d.join("review.csv")).unwrap();

    // First run: one automatic match; two names for review, neither flagged.
    let out = scan(d, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(
            "Review: 2 names with possible matches, not flagged until decided (see review.csv)"
        ),
        "{stdout}"
    );
    let review = std::fs::read_to_string(d.join("out/review.csv")).unwrap();
    insta::assert_snapshot!("review_csv", review);
    let report = json(d);
    assert_eq!(report["summary"]["flagged_value"], "100.00");

    // The reviewer accepts the misspelt Hikvision and rejects Xinjiang Zhongtai Securities, editing
    // review.csv itself, and also rejects the automatic Zhongtai Chemical match.
    let decided = review
        .lines()
        .map(|line| {
            if line.starts_with("HANGZHOU HIKVISON") {
                line.replacen(
                    "hikvision,,,,,",
                    "hikvision,accept,A. Reviewer,2026-11-20,misspelt in the custodian export,",
                    1,
                )
            } else if line.starts_with("XINJIANG ZHONGTAI SECURITIES") {
                line.replacen(
                    "xinjiang-zhongtai-group,,,,,",
                    "xinjiang-zhongtai-group,reject,A. Reviewer,2026-11-20,a broker,",
                    1,
                )
            } else {
                line.to_string()
            }
        })
        .chain(std::iter::once(
            "XINJIANG ZHONGTAI CHEMICAL CO LTD,xinjiang-zhongtai-chemical,reject,B. Second,2026-11-21,test of a rejection,,,,,,,"
                .to_string(),
        ))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(d.join("decisions.csv"), decided + "\n").unwrap();

    let out = scan(d, &["--overrides", "decisions.csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("Reviewer decisions applied: 3 (1 accepted, 2 rejected)"),
        "{stdout}"
    );
    assert!(!stdout.contains("Review:"), "{stdout}");
    let report = json(d);
    // Hikvision (250 + 50) is flagged by the reviewer's decision; Zhongtai Chemical is not.
    assert_eq!(report["summary"]["flagged_value"], "300.00");
    let matches = &report["flagged"][0]["entities"][0]["matches"][0];
    assert_eq!(matches["method"], "override");
    assert_eq!(
        matches["explanation"],
        "accepted by A. Reviewer on 2026-11-20 (decisions.csv:3): misspelt in the custodian export"
    );
    let decisions: Vec<String> = report["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {} {} {} {}",
                d["origin"], d["decision"], d["entity_id"], d["positions"], d["value"]
            )
        })
        .collect();
    assert_eq!(
        decisions,
        vec![
            r#""decisions.csv:2" "reject" "xinjiang-zhongtai-group" 1 "500.00""#,
            r#""decisions.csv:3" "accept" "hikvision" 2 "300.00""#,
            r#""decisions.csv:4" "reject" "xinjiang-zhongtai-chemical" 1 "100.00""#,
        ]
    );
    let md = std::fs::read_to_string(d.join("out/report.md")).unwrap();
    assert!(
        md.contains("| HANGZHOU HIKVISON DIGITAL TECHNOLOGY | Hangzhou Hikvision Digital Technology Co., Ltd. (`hikvision`) | accept | A. Reviewer | 2026-11-20 | misspelt in the custodian export | 2 | 300.00 | `decisions.csv:3` |"),
        "{md}"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("out/review.csv")).unwrap(),
        "holding_name,entity_id,decision,reviewer,date,note,entity_name,reference_name,score,explanation,positions,value,first_seen\n"
    );
}

#[test]
fn a_bad_overrides_file_is_refused_with_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("review.csv"), d.join("review.csv")).unwrap();
    std::fs::write(
        d.join("o.csv"),
        "holding_name,entity_id,decision,reviewer,date,note\nX,hikvision,yes,R,2026-11-20,\n",
    )
    .unwrap();
    let out = scan(d, &["--overrides", "o.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: overrides file o.csv is invalid (1 problem):\n  o.csv:2: decision `yes` must be `accept` or `reject`\n"
    );
    assert!(!d.join("out").exists(), "nothing is written on a bad input");
    let out = scan(d, &["--overrides", "missing.csv"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: cannot read overrides file missing.csv: "),
        "{stderr}"
    );
}

/// A name match does not decide when the holding is listed on an exchange where the entity has
/// another listing: Toyota Industries (XTKS:6201) is not Toyota Motor (XTKS:7203), whose shares
/// match by their listing. The affiliate goes to review with the reason.
#[test]
fn a_listing_that_contradicts_the_entitys_sends_a_name_match_to_review() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("japan.csv"),
        "Name,Ticker,Exchange,Market Value\n\
         TOYOTA MOTOR CORP,7203,Tokyo Stock Exchange,100.00\n\
         TOYOTA INDUSTRIES CORP,6201,Tokyo Stock Exchange,50.00\n",
    )
    .unwrap();
    let m = crate::scan_report(d, &["japan.csv"], &d.join("out"));
    let flagged: Vec<(&str, &str)> = m["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["entities"][0]["matches"][0]["method"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(flagged, vec![("TOYOTA MOTOR CORP", "listing")]);
    let review = std::fs::read_to_string(d.join("out/review.csv")).unwrap();
    assert!(
        review.contains("the holding is listed as XTKS:6201, but the entity's listing there is XTKS:7203: another security, so the name alone does not decide"),
        "{review}"
    );
    assert!(
        review.starts_with("holding_name,") && review.contains("\nTOYOTA INDUSTRIES CORP,toyota,"),
        "{review}"
    );
}

/// Review precision on every real export of the corpus: each review row is labelled in
/// `tests/eval/review_labels.csv` by whether its candidate is plausibly the same company family
/// (a group company, a renamed or merged one, a share class), and at least 80% are. A new review
/// row fails the test until someone labels it, so the figure cannot drift unseen.
#[test]
fn review_rows_on_real_exports_are_mostly_plausible() {
    let labels: std::collections::HashMap<(String, String), bool> =
        csv::Reader::from_path(crate::root().join("tests/eval/review_labels.csv"))
            .unwrap()
            .records()
            .map(|r| {
                let r = r.unwrap();
                ((r[0].to_string(), r[1].to_string()), &r[2] == "yes")
            })
            .collect();
    let (mut total, mut plausible, mut unlabelled) = (0, 0, Vec::new());
    for file in [
        "etf_csv/ishares_ACWI_2025_aijinnah.csv",
        "etf_csv/ishares_EEM_2022_ctanny_excel-resaved.csv",
        "etf_csv/ishares_URTH_2020-11-04_with-isin-cusip-sedol.csv",
        "etf_csv/vanguard_VT_2020-09-30_holdings-details.csv",
        "etf_xlsx/spdr_SPY_holdings-daily_onlyspx.xlsx",
    ] {
        let Some(path) = crate::corpus_file(file) else {
            continue;
        };
        for row in crate::scan_files(&[path]).model.review {
            match labels.get(&(row.holding_name.clone(), row.entity_id.clone())) {
                Some(yes) => {
                    total += 1;
                    plausible += usize::from(*yes);
                }
                None => {
                    unlabelled.push(format!("{file}: {} → {}", row.holding_name, row.entity_id))
                }
            }
        }
    }
    assert!(
        unlabelled.is_empty(),
        "label these review rows in tests/eval/review_labels.csv:\n{}",
        unlabelled.join("\n")
    );
    println!("review precision on the corpus exports: {plausible} of {total}");
    assert!(
        plausible * 100 >= total * 80,
        "review precision {plausible} of {total} is below 0.8"
    );
}
