//! `xjscan fetch` against a local HTTP server on 127.0.0.1 (a few lines of std networking, so
//! no test touches the internet): the happy path and the cache, 404, 500 then success, 429 with
//! Retry-After, a response slower than the timeout, a truncated body, an oversized body, a
//! redirect loop, `--offline` on an empty cache, and a fetched file giving the same report as a
//! local copy.

use std::time::{Duration, Instant};

use crate::http::{self, Reply, Server};
use crate::{root, xjscan};

type Scripted = (
    u16,
    Vec<(&'static str, String)>,
    Vec<u8>,
    Option<usize>,
    u64,
);

/// Serves scripted responses `(status, headers, body, bytes of the body sent, delay ms)` by
/// path and request number; returns the base URL and the server.
fn serve(respond: impl Fn(&str, usize) -> Scripted + Send + Sync + 'static) -> (String, Server) {
    let server = http::serve(move |request, n| {
        let (status, headers, body, send_only, delay) = respond(&request.path, n);
        Reply {
            status,
            headers,
            body,
            send_only,
            delay: Duration::from_millis(delay),
            body_delay: Duration::ZERO,
        }
    });
    (server.base.clone(), server)
}

fn fetch(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    xjscan(dir)
        .arg("fetch")
        .args(args)
        .args(["--cache", "cache", "--out", "out"])
        .output()
        .unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn happy_path_cache_and_offline() {
    let body = std::fs::read(root().join("examples/portfolio.csv")).unwrap();
    let (base, hits) =
        serve(move |_, _| (200, vec![("ETag", "\"v1\"".into())], body.clone(), None, 0));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = format!("{base}/files/portfolio.csv?x=1");
    let out = fetch(d, &[&url]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(d.join("out/portfolio.csv")).unwrap(),
        std::fs::read(root().join("examples/portfolio.csv")).unwrap()
    );
    // Offline reads the cache; nothing is requested.
    let before = hits.count();
    let out = fetch(d, &[&url, "--offline"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(hits.count(), before);

    // A fetched file and a local copy give byte-identical reports.
    std::fs::create_dir_all(d.join("local")).unwrap();
    std::fs::copy(
        root().join("examples/portfolio.csv"),
        d.join("local/portfolio.csv"),
    )
    .unwrap();
    for (folder, report) in [("out", "r1"), ("local", "r2")] {
        xjscan(&d.join(folder))
            .args(["scan", "portfolio.csv", "--out"])
            .arg(d.join(report))
            .assert()
            .success();
    }
    // And so does scanning the URL itself (shown by its file name, read from the cache).
    let before = hits.count();
    xjscan(&d.join("local"))
        .args(["scan", &url, "--cache"])
        .arg(d.join("cache"))
        .arg("--out")
        .arg(d.join("r3"))
        .assert()
        .success();
    assert_eq!(hits.count(), before + 1, "revalidated once");
    for f in [
        "report.md",
        "report.html",
        "report.json",
        "flagged.csv",
        "review.csv",
    ] {
        let local = std::fs::read(d.join("r2").join(f)).unwrap();
        assert_eq!(std::fs::read(d.join("r1").join(f)).unwrap(), local, "{f}");
        assert_eq!(std::fs::read(d.join("r3").join(f)).unwrap(), local, "{f}");
    }
    // Offline, the scan reads the cache without asking.
    xjscan(&d.join("local"))
        .args(["scan", &url, "--offline", "--cache"])
        .arg(d.join("cache"))
        .arg("--out")
        .arg(d.join("r4"))
        .assert()
        .success();
    assert_eq!(hits.count(), before + 1);
    // An unknown URL offline is a clear error, and no report is written.
    let out = xjscan(&d.join("local"))
        .args(["scan", &format!("{base}/other.csv"), "--offline", "--cache"])
        .arg(d.join("cache"))
        .arg("--out")
        .arg(d.join("r5"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "error: {base}/other.csv: not in the cache, and --offline forbids downloading it\n"
        )
    );
    assert!(!d.join("r5").exists());
}

#[test]
fn concurrent_downloads_stay_within_the_rate_limit() {
    let (base, server) = serve(|path, _| (200, vec![], path.as_bytes().to_vec(), None, 0));
    let dir = tempfile::tempdir().unwrap();
    let urls: Vec<String> = (0..25).map(|i| format!("{base}/f/{i:02}.csv")).collect();
    let mut args: Vec<&str> = urls.iter().map(String::as_str).collect();
    args.extend(["--concurrency", "8", "--rate", "10"]);
    let start = Instant::now();
    let out = fetch(dir.path(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let requests = server.requests();
    assert_eq!(requests.len(), 25);
    let most = http::most_in_one_second(&requests);
    assert!(most <= 10, "{most} requests arrived within one second");
    // 25 requests at 10 per second cannot finish in under two seconds: the limiter did work.
    assert!(
        start.elapsed() >= Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    // Every file arrived whole, under its own name.
    for i in [0, 12, 24] {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(format!("out/{i:02}.csv"))).unwrap(),
            format!("/f/{i:02}.csv")
        );
    }
}

#[test]
fn sec_urls_need_a_contact() {
    let dir = tempfile::tempdir().unwrap();
    let out = fetch(
        dir.path(),
        &["https://www.sec.gov/Archives/edgar/data/1/x.xml"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .starts_with("error: SEC EDGAR requires a User-Agent naming you and an email address"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn errors_are_clear_and_leave_no_partial_file() {
    let (base, _) = serve(|path, _| match path {
        "/missing" => (404, vec![], b"no".to_vec(), None, 0),
        "/truncated" => (200, vec![], vec![b'x'; 1000], Some(10), 0),
        "/big" => (200, vec![], vec![b'x'; 1000], None, 0),
        "/loop" => (302, vec![("Location", "/loop".into())], vec![], None, 0),
        "/slow" => (200, vec![], b"late".to_vec(), None, 2500),
        _ => (500, vec![], vec![], None, 0),
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: [(&str, &[&str], &str); 5] = [
        ("/missing", &[], ": HTTP 404\n"),
        ("/truncated", &["--retries", "0"], "/truncated: "),
        (
            "/big",
            &["--max-body", "100"],
            ": the body is larger than the limit of 100 bytes\n",
        ),
        ("/loop", &[], ": too many redirects (a redirect loop?)\n"),
        (
            "/slow",
            &["--timeout", "1", "--retries", "0"],
            ": timed out\n",
        ),
    ];
    for (path, extra, expected) in cases {
        let url = format!("{base}{path}");
        let mut args = vec![url.as_str()];
        args.extend_from_slice(extra);
        let out = fetch(d, &args);
        assert_eq!(out.status.code(), Some(2), "{path}: {}", stderr(&out));
        let e = stderr(&out);
        assert!(e.starts_with(&format!("error: {url}")), "{path}: {e}");
        assert!(e.contains(expected), "{path}: {e}");
    }
    // No partial download survives in the cache (the truncated and oversized bodies were being
    // written there), and nothing was saved.
    let blobs: Vec<_> = std::fs::read_dir(d.join("cache/blobs"))
        .unwrap()
        .filter_map(Result::ok)
        .collect();
    assert!(blobs.is_empty(), "{blobs:?}");
    assert!(!d.join("out").exists());

    // Offline with an empty cache.
    let out = fetch(d, &[&format!("{base}/never"), "--offline"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not in the cache, and --offline forbids downloading it"));
}

#[test]
fn server_errors_and_rate_limits_are_retried() {
    let (base, hits) = serve(|path, hit| match (path, hit) {
        ("/flaky", 1) => (500, vec![], vec![], None, 0),
        ("/flaky", _) => (200, vec![], b"ok".to_vec(), None, 0),
        ("/limited", 3) => (429, vec![("Retry-After", "1".into())], vec![], None, 0),
        _ => (200, vec![], b"ok".to_vec(), None, 0),
    });
    let dir = tempfile::tempdir().unwrap();
    let out = fetch(dir.path(), &[&format!("{base}/flaky")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(hits.count(), 2);
    // The next request is answered 429 with Retry-After: 1, then 200.
    let start = Instant::now();
    let out = fetch(dir.path(), &[&format!("{base}/limited")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "Retry-After not honoured"
    );
    assert_eq!(hits.count(), 4);
}

#[test]
fn the_concurrency_limit_holds_for_whole_transfers() {
    // Each body arrives 300 ms after its headers: a limit that let go at the headers would let
    // every download stream at once.
    let server = http::serve(|request, _| Reply {
        body_delay: Duration::from_millis(300),
        ..Reply::ok(request.path.clone())
    });
    let dir = tempfile::tempdir().unwrap();
    let urls: Vec<String> = (0..6)
        .map(|i| format!("{}/c/{i}.csv", server.base))
        .collect();
    let mut args: Vec<&str> = urls.iter().map(String::as_str).collect();
    args.extend(["--concurrency", "2"]);
    let out = fetch(dir.path(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(server.count(), 6);
    assert_eq!(server.most_in_flight(), 2);
}

#[test]
fn revalidation_uses_the_etag_and_a_304_keeps_the_cached_file() {
    let server = http::serve(|request, _| {
        if request.header("if-none-match") == Some("\"v1\"") {
            Reply::status(304, "")
        } else {
            Reply {
                headers: vec![("ETag", "\"v1\"".into())],
                ..Reply::ok("first version")
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/r.csv", server.base);
    for _ in 0..2 {
        let out = fetch(dir.path(), &[&url]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("out/r.csv")).unwrap(),
            "first version"
        );
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("if-none-match"), None);
    assert_eq!(requests[1].header("if-none-match"), Some("\"v1\""));
    // A damaged blob is not trusted: it is downloaded again, unconditionally.
    let blobs = dir.path().join("cache/blobs");
    let blob = std::fs::read_dir(&blobs)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(&blob, "tampered").unwrap();
    let out = fetch(dir.path(), &[&url]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(server.requests()[2].header("if-none-match"), None);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/r.csv")).unwrap(),
        "first version"
    );
}

#[test]
fn two_urls_with_one_file_name_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = fetch(
        dir.path(),
        &["http://127.0.0.1:9/a/x.csv", "http://127.0.0.1:9/b/x.csv"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: http://127.0.0.1:9/a/x.csv and http://127.0.0.1:9/b/x.csv would both be saved as `x.csv`; fetch them into different folders\n"
    );
}
