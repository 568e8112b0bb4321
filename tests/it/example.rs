//! The shipped example: its committed outputs in `reports/example/` are regenerated and compared
//! byte for byte, which also proves the outputs are deterministic.

use std::path::Path;

use crate::{root, xjscan};

const OUTPUTS: &[&str] = &[
    "report.md",
    "report.html",
    "report.json",
    "flagged.csv",
    "review.csv",
];

#[test]
fn example_outputs_match_the_committed_reports() {
    let out = tempfile::tempdir().unwrap();
    let assert = xjscan(&root())
        .args(["scan", "examples/portfolio.csv", "--out"])
        .arg(out.path())
        .assert()
        .success();
    for name in OUTPUTS {
        let fresh = std::fs::read_to_string(out.path().join(name)).unwrap();
        let committed =
            std::fs::read_to_string(root().join("reports/example").join(name)).unwrap_or_default();
        assert!(
            fresh == committed,
            "reports/example/{name} is out of date; regenerate it with \
             `cargo run --release -- scan examples/portfolio.csv --out reports/example` \
             and review the diff"
        );
    }
    // The terminal summary, with the temporary folder masked.
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let masked = stdout.replace(&out.path().display().to_string(), "[OUT]");
    insta::assert_snapshot!("example_summary", masked);
}

#[test]
fn two_runs_write_identical_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [a.path(), b.path()] {
        xjscan(&root())
            .args(["scan", "examples/portfolio.csv", "--out"])
            .arg(dir)
            .assert()
            .success();
    }
    for name in OUTPUTS {
        let read = |d: &Path| std::fs::read(d.join(name)).unwrap();
        assert_eq!(read(a.path()), read(b.path()), "{name}");
    }
}

#[test]
fn example_figures_reconcile_to_the_cent() {
    let result = crate::scan_files(&[root().join("examples/portfolio.csv")]);
    let r = &result.model.reconciliation;
    assert!(r.balanced);
    // Hand-checked: 47 data rows + 1 "Total" row; the Total row equals the sum of the others.
    assert_eq!(r.input.rows, 48);
    assert_eq!(r.portfolio_total.to_string(), "174523552.00");
    assert_eq!(r.rejected.value, r.portfolio_total);
    assert_eq!(r.rejected.rows, 2);
    assert_eq!(r.rejected_without_value, 1);
    assert_eq!(r.unresolved.value.to_string(), "250000.00");
    assert_eq!(
        r.flagged.value + r.clear.value + r.unresolved.value,
        r.portfolio_total
    );
}
