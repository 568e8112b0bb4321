//! The HTML report in a real browser: Debian's Chromium, headless. The page must load with no
//! console errors (its content security policy forbids scripts and fetches, so a violation
//! would show here) and show the key figures. `.ci/run` installs Chromium when it is missing;
//! elsewhere the tests are skipped with a message when there is no browser.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{root, xjscan};

fn chromium() -> Option<PathBuf> {
    let candidates = ["chromium", "chromium-browser", "google-chrome"];
    for name in candidates {
        if let Ok(out) = Command::new("which").arg(name).output()
            && out.status.success()
        {
            return Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        }
    }
    if std::env::var_os("CI").is_some() {
        panic!("no Chromium found; .ci/run installs it (apt-get install -y chromium)");
    }
    eprintln!(
        "skipped: no Chromium on this machine (install Debian's chromium to run browser tests)"
    );
    None
}

/// Loads a page headless; returns its DOM after load and the console messages logged.
fn load(browser: &Path, page: &Path) -> (String, Vec<String>) {
    let out = Command::new(browser)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Refused to"))
        .map(str::to_string)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

fn example_html(dir: &Path) -> PathBuf {
    xjscan(&root())
        .args([
            "scan",
            "examples/portfolio.csv",
            "--format",
            "html",
            "--out",
        ])
        .arg(dir)
        .assert()
        .success();
    dir.join("report.html")
}

#[test]
fn the_example_report_loads_without_console_errors_and_shows_the_key_figures() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = example_html(dir.path());
    let (dom, console) = load(&browser, &page);
    assert!(console.is_empty(), "console messages: {console:#?}");
    for needle in [
        r#"<div class="v" id="flagged-value">58,315,715.00</div>"#,
        r#"<div class="v" id="flagged-pct">33.41%</div>"#,
        r#"<div class="v" id="xpcc-debt">3,421,750.00</div>"#,
        "Hangzhou Hikvision Digital Technology Co., Ltd.",
        "The buckets add up to the input exactly, in rows and in value.",
        "It is evidence, not a legal finding.",
    ] {
        assert!(dom.contains(needle), "the page does not show {needle}");
    }
    // The charts were drawn.
    assert!(dom.matches("<rect ").count() >= 5, "charts missing");
}

#[test]
fn a_console_error_on_a_page_is_caught() {
    // The check above must be able to fail: a page that logs an error is reported.
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("broken.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><script>console.error('broken page')</script></body></html>",
    )
    .unwrap();
    let (_, console) = load(&browser, &page);
    assert!(
        console.iter().any(|l| l.contains("broken page")),
        "{console:#?}"
    );
}

#[test]
fn the_example_report_renders_to_a_screenshot() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = example_html(dir.path());
    let shot = dir.path().join("report.png");
    let status = Command::new(&browser)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,2000",
        ])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(png.len() > 20_000, "a blank page? {} bytes", png.len());
    // The committed screenshot exists and is a PNG too (regenerate with scripts/screenshot.sh).
    let committed = std::fs::read(root().join("reports/example/report.png")).unwrap();
    assert_eq!(&committed[..8], b"\x89PNG\r\n\x1a\n");
}
