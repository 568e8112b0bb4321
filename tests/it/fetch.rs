//! `xjscan fetch` against a local HTTP server on 127.0.0.1 (a few lines of std networking, so
//! no test touches the internet): the happy path and the cache, 404, 500 then success, 429 with
//! Retry-After, a response slower than the timeout, a truncated body, an oversized body, a
//! redirect loop, `--offline` on an empty cache, and a fetched file giving the same report as a
//! local copy.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::{root, xjscan};

/// Serves scripted responses; returns the base URL and a counter of requests per path.
fn serve(
    respond: impl Fn(
        &str,
        usize,
    ) -> (
        u16,
        Vec<(&'static str, String)>,
        Vec<u8>,
        Option<usize>,
        u64,
    ) + Send
    + Sync
    + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            let hit = counter.fetch_add(1, Ordering::SeqCst) + 1;
            let (status, headers, body, send_only, delay_ms) = respond(&path, hit);
            std::thread::sleep(Duration::from_millis(delay_ms));
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nConnection: close\r\nContent-Length: {}\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            let upto = send_only.unwrap_or(body.len()).min(body.len());
            let _ = stream.write_all(&body[..upto]);
        }
    });
    (base, hits)
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
    let before = hits.load(Ordering::SeqCst);
    let out = fetch(d, &[&url, "--offline"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(hits.load(Ordering::SeqCst), before);

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
    for f in ["report.md", "report.html", "report.json", "flagged.csv"] {
        assert_eq!(
            std::fs::read(d.join("r1").join(f)).unwrap(),
            std::fs::read(d.join("r2").join(f)).unwrap(),
            "{f}"
        );
    }
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
    // No partial download survives in the cache, and nothing was saved.
    let blobs: Vec<_> = std::fs::read_dir(d.join("cache/blobs"))
        .map(|r| r.filter_map(Result::ok).collect())
        .unwrap_or_default();
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
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    // The next request is answered 429 with Retry-After: 1, then 200.
    let start = Instant::now();
    let out = fetch(dir.path(), &[&format!("{base}/limited")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "Retry-After not honoured"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 4);
}
