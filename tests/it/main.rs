//! Integration tests, built as one test binary: the CLI end to end, the shipped example against
//! its committed outputs, every user-facing error message, fixtures, the real corpus files and
//! property tests of the invariants.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod browser;
mod corpus;
mod dataset;
mod diff;
mod disclosure;
mod edgar;
mod errors;
mod eval;
mod example;
mod fetch;
mod fixtures;
mod formats;
mod fuzz;
mod fx;
mod headers;
mod hostile;
mod http;
mod letters;
mod lookthrough;
mod mappings;
mod nport_dataset;
mod output;
mod ownership;
mod properties;
mod resolve;
mod review;
mod robustness;
mod sources;
mod update;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The crate root (where `examples/`, `reports/` and `tests/fixtures/` live).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `report.json` in an output folder.
pub fn report_json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// The `xjscan` binary, run from `dir`.
pub fn xjscan(dir: &Path) -> Command {
    Command::from_std(xjscan_process(dir))
}

/// The `xjscan` binary, run from `dir`, as a process that can be started and killed.
pub fn xjscan_process(dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_xjscan"));
    cmd.current_dir(dir);
    // Tests never depend on the developer's own settings.
    for var in [
        "XJSCAN_CONTACT",
        "XJSCAN_CACHE",
        "OPENFIGI_API_KEY",
        "XJSCAN_OPENFIGI_URL",
        "XJSCAN_FAILPOINT",
    ] {
        cmd.env_remove(var);
    }
    // Nor on reference data the developer fetched with `xjscan mappings update`: a data
    // directory that does not exist means the shipped tables.
    cmd.env("XJSCAN_DATA_DIR", no_data_dir());
    // Nor on the day they run: the note on stale reference data depends on it.
    cmd.env("XJSCAN_TODAY", TEST_TODAY);
    cmd
}

/// Runs `xjscan scan ARGS --out OUT` from `dir`, requires success and returns `report.json`.
pub fn scan_report(dir: &Path, args: &[&str], out: &Path) -> serde_json::Value {
    let output = xjscan(dir)
        .arg("scan")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    report_json(out)
}

/// The day every test run of the binary takes as today.
pub const TEST_TODAY: &str = "2026-12-05";

/// A data directory that is never created.
pub fn no_data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("xjscan-no-data-dir")
}

/// A file from the shared corpus of real holdings files. Missing files fail under CI (where
/// they must be present) and are skipped with a printed reason elsewhere.
pub fn corpus_file(relative: &str) -> Option<PathBuf> {
    let path = root().join("../shared/corpus").join(relative);
    if path.is_file() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!("corpus file {} is missing and CI is set", path.display());
    }
    eprintln!(
        "skipping: corpus file {} is not present (the corpus sits beside the project in ../shared/corpus)",
        path.display()
    );
    None
}

/// Runs the library pipeline on files with default options.
pub fn scan_files(files: &[PathBuf]) -> xjscan::scan::ScanResult {
    xjscan::scan::scan(&options(files)).unwrap()
}

pub fn options(files: &[PathBuf]) -> xjscan::scan::ScanOptions {
    xjscan::scan::ScanOptions {
        inputs: files.to_vec(),
        name: Some("test".into()),
        reference: xjscan::reference::Choice::Shipped,
        overrides: None,
        fx: None,
        look_through: None,
        letters: false,
        config: None,
        templates: None,
        base_currency: "USD".into(),
        ingest: Default::default(),
        exposure: Default::default(),
        formats: xjscan::report::Format::ALL.to_vec(),
        enrich: None,
    }
}
