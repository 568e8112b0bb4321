//! `xjscan disclosure-check` and `xjscan replay`: conflicts between stated policies and flagged
//! holdings (golden file), a reproducible sample, and a bundle that replays byte for byte and
//! refuses inputs that changed.

use crate::{root, xjscan};

const FILINGS: &[&str] = &[
    "examples/portfolio.csv",
    "tests/fixtures/names.csv",
    "tests/fixtures/review.csv",
];

fn check(out: &std::path::Path, extra: &[&str]) {
    xjscan(&root())
        .arg("disclosure-check")
        .args(FILINGS)
        .args(["--claims", "tests/fixtures/disclosure/claims.csv"])
        .args(extra)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

#[test]
fn stated_policies_are_checked_against_flagged_holdings() {
    let dir = tempfile::tempdir().unwrap();
    check(dir.path(), &[]);
    let md = std::fs::read_to_string(dir.path().join("disclosure.md")).unwrap();
    insta::assert_snapshot!("disclosure_md", md);
    assert!(md.contains(
        "Claims that matched no checked filing (a typo, or a fund outside the sample): `typo-fund`"
    ));
    let csv = std::fs::read_to_string(dir.path().join("disclosure.csv")).unwrap();
    insta::assert_snapshot!("disclosure_csv", csv.clone());
    let bundle = std::fs::read_to_string(dir.path().join("bundle.json")).unwrap();
    insta::assert_snapshot!("disclosure_bundle", bundle);
    // The example fund says it excludes forced labour: each of its 22 flags is a conflict.
    assert_eq!(
        csv.matches("examples/portfolio.csv,ESG; excludes forced labour,conflict,")
            .count(),
        22
    );
    // The SFDR Article 8 fund conflicts only on the severe tiers.
    assert_eq!(csv.matches("SFDR Article 8,conflict,").count(), 1);
}

#[test]
fn a_sample_is_reproducible_and_its_bundle_replays_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    check(&a, &["--sample", "2", "--seed", "11"]);
    check(&b, &["--sample", "2", "--seed", "11"]);
    for f in ["disclosure.md", "disclosure.csv", "bundle.json"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between two runs with the same seed"
        );
    }
    let md = std::fs::read_to_string(a.join("disclosure.md")).unwrap();
    assert!(
        md.contains("2 of 3 filings checked (random sample of 2, seed 11)"),
        "{md}"
    );

    // Replaying into the bundle's own folder would overwrite it: refused.
    let out = xjscan(&root())
        .arg("replay")
        .arg(a.join("bundle.json"))
        .arg("--out")
        .arg(&a)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("is the bundle's own folder")
    );

    let replayed = dir.path().join("replayed");
    let out = xjscan(&root())
        .args(["replay"])
        .arg(a.join("bundle.json"))
        .arg("--out")
        .arg(&replayed)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in ["disclosure.md", "disclosure.csv", "bundle.json"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(replayed.join(f)).unwrap(),
            "replayed {f} differs"
        );
    }
}

#[test]
fn replay_refuses_an_input_that_changed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(
        root().join("tests/fixtures/review.csv"),
        d.join("review.csv"),
    )
    .unwrap();
    std::fs::copy(
        root().join("tests/fixtures/disclosure/claims.csv"),
        d.join("claims.csv"),
    )
    .unwrap();
    xjscan(d)
        .args([
            "disclosure-check",
            "review.csv",
            "--claims",
            "claims.csv",
            "--out",
            "out",
        ])
        .assert()
        .success();
    std::fs::write(
        d.join("review.csv"),
        "Security Name,Mkt Val\nNORTHWIND TRADERS INC,1.00\n",
    )
    .unwrap();
    let out = xjscan(d)
        .args(["replay", "out/bundle.json", "--out", "again"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: review.csv: changed since the bundle was made (SHA-256 "),
        "{stderr}"
    );
    assert!(!d.join("again").exists());
}
