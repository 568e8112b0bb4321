//! `xjscan diff`: two quarters of a fictional fund scanned against the ownership fixture.
//! Holdco (parent of a company listed on 2024-01-01) grows from 1,000 to 1,200 and was held
//! when the listing was made; Sub Two (blocked since 2020-07-31) is bought after the
//! designation; Sub Three is sold; Sub Four is halved; Unknownpct is unchanged.

use crate::{fixture, root, xjscan};

#[test]
fn two_quarters_are_compared_with_designation_timing() {
    let dir = tempfile::tempdir().unwrap();
    for q in ["old", "new"] {
        xjscan(&root())
            .args([
                "scan",
                &format!("tests/fixtures/diff/{q}.csv"),
                "--format",
                "json",
                "--mappings",
            ])
            .arg(fixture("ownership/mappings"))
            .arg("--out")
            .arg(dir.path().join(q))
            .assert()
            .success();
    }
    let out = xjscan(dir.path())
        .args(["diff", "old/report.json", "new/report.json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!("diff_markdown", String::from_utf8(out.stdout).unwrap());

    let out = xjscan(dir.path())
        .args(["diff", "old/report.json", "new/report.json", "--json"])
        .output()
        .unwrap();
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changes: Vec<String> = d["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} {} {}", c["entity_id"], c["change"], c["delta"]).replace('"', ""))
        .collect();
    assert_eq!(
        changes,
        vec![
            "sub-two new 500.00",
            "sub-three exited -300.00",
            "holdco increased 200.00",
            "sub-four reduced -100.00",
            "unknown-parent unchanged 0.00",
        ]
    );

    // A file that is not a report is refused with its name.
    std::fs::write(dir.path().join("x.json"), "{}").unwrap();
    let out = xjscan(dir.path())
        .args(["diff", "x.json", "new/report.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: x.json: not a JSON report written by `xjscan scan` (no summary.flagged_value)\n"
    );
}
