//! Engagement letters: golden files for a bondholder's letter (Markdown and HTML) and the
//! letters index, the sender from a config file, replacement templates, and config errors.

use std::path::Path;

use crate::{fixture, root, xjscan};

fn scan(out: &Path, extra: &[&str]) -> std::process::Output {
    xjscan(&root())
        .args([
            "scan",
            "tests/fixtures/ownership/portfolio.csv",
            "--letters",
            "--mappings",
        ])
        .arg(fixture("ownership/mappings"))
        .args(extra)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn letters_are_written_per_issuer_with_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let out = scan(
        dir.path(),
        &["--config", "tests/fixtures/letters/xjscan.toml"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |n: &str| std::fs::read_to_string(dir.path().join(n)).unwrap();
    insta::assert_snapshot!("letters_index", read("letters.csv"));
    // The XPCC-controlled issuer's bond: the bondholder asks are included.
    let stem = "letter-05-xinjiang-example-investment-group";
    insta::assert_snapshot!("letter_bondholder_md", read(&format!("{stem}.md")));
    insta::assert_snapshot!("letter_bondholder_html", read(&format!("{stem}.html")));
    // An equity holder's letter has no bondholder asks.
    let equity = read("letter-01-holdco-listed-ltd.md");
    assert!(!equity.contains("As a bondholder"));
    assert!(equity.contains("ILO Conventions No. 29 and No. 105"));
    assert!(equity.contains("A. Steward"));
}

#[test]
fn templates_can_be_replaced_and_a_bad_config_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = scan(
        dir.path(),
        &["--templates", "tests/fixtures/letters/templates"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("letter-01-holdco-listed-ltd.md")).unwrap(),
        r"Custom letter to Holdco Listed Ltd from \[organisation\]: 1,000.00.".to_string() + "\n"
    );
    // The shipped HTML letter is used where the folder has none.
    assert!(
        std::fs::read_to_string(dir.path().join("letter-01-holdco-listed-ltd.html"))
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );

    let bad = tempfile::tempdir().unwrap();
    std::fs::write(bad.path().join("x.toml"), "[sender]\nnmae = \"A\"\n").unwrap();
    let out_dir = bad.path().join("out");
    let out = scan(
        &out_dir,
        &["--config", bad.path().join("x.toml").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("error: config file "), "{stderr}");
    assert!(stderr.contains("unknown field `nmae`"), "{stderr}");
    assert!(
        !out_dir.exists(),
        "nothing is written when the config is bad"
    );
}

#[test]
fn a_rerun_removes_letters_to_issuers_no_longer_flagged() {
    let dir = tempfile::tempdir().unwrap();
    assert!(scan(dir.path(), &[]).status.success());
    // A letter from an older run to an issuer that is no longer flagged, and an unrelated file.
    std::fs::write(dir.path().join("letter-99-gone-co.md"), "old").unwrap();
    std::fs::write(dir.path().join("notes.md"), "mine").unwrap();
    assert!(scan(dir.path(), &[]).status.success());
    assert!(!dir.path().join("letter-99-gone-co.md").exists());
    assert!(dir.path().join("notes.md").exists());
    assert!(dir.path().join("letter-01-holdco-listed-ltd.md").exists());
}

#[test]
fn the_letter_to_the_xpcc_itself_does_not_ask_it_to_leave_itself() {
    let dir = tempfile::tempdir().unwrap();
    xjscan(&root())
        .args([
            "scan",
            "examples/portfolio.csv",
            "--letters",
            "--format",
            "json",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    // Letters are numbered by exposure, which moves as the reference data grows: found by name.
    let path = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.to_string_lossy()
                .ends_with("-xinjiang-production-and-construction-corps.md")
        })
        .unwrap();
    let letter = std::fs::read_to_string(path).unwrap();
    assert!(letter.contains("**End forced labour**"));
    assert!(!letter.contains("Disengage from forced labour and from the XPCC"));
    assert!(letter.contains("As a bondholder we also ask"));
}
