//! `xjscan fetch edgar` against fixture EDGAR documents served on 127.0.0.1 (submissions JSON
//! with an older page, filing indexes, cover pages, information tables, N-PORT reports):
//! periods, amendments resolved against originals, SEC's User-Agent and 10 requests per second,
//! the cache and `--offline`; and `scan --enrich openfigi` against a fixture OpenFIGI.

use std::process::Output;

use crate::http::{self, Reply, Server};
use crate::{fixture, report_json, xjscan};

const CONTACT: &str = "Test Runner tests@example.org";

/// Serves `tests/fixtures/edgar` by request path; anything else is a 404.
fn edgar_server() -> Server {
    http::serve(|request, _| {
        let relative = request.path.trim_start_matches('/');
        if relative.contains("..") {
            return Reply::status(400, "bad path");
        }
        match std::fs::read(fixture("edgar").join(relative)) {
            Ok(body) => Reply::ok(body),
            Err(_) => Reply::status(404, "not found"),
        }
    })
}

fn edgar(dir: &std::path::Path, server: &Server, args: &[&str]) -> Output {
    xjscan(dir)
        .args(["fetch", "edgar", "--sec-base", &server.base])
        .args(["--cache", "cache", "--out", "out"])
        .args(args)
        .env("XJSCAN_CONTACT", CONTACT)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The holdings files written to `out` (the manifest aside), sorted.
fn written(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "edgar.json")
        .collect();
    names.sort();
    names
}

/// Scans every file in `out` and returns the report.
fn scan_out(dir: &std::path::Path) -> serde_json::Value {
    let files = written(dir);
    xjscan(&dir.join("out"))
        .arg("scan")
        .args(&files)
        .args(["--out", "../report"])
        .assert()
        .success();
    report_json(&dir.join("report"))
}

#[test]
fn a_restatement_replaces_the_original() {
    let server = edgar_server();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = edgar(
        d,
        &server,
        &[
            "--cik", "1234567", "--form", "13F-HR", "--period", "2024-Q3",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("EXAMPLE FICTIONAL CAPITAL LLC (CIK 0001234567), 13F-HR:\n"),
        "{stdout}"
    );
    assert!(stdout.contains("  0001234567-24-000020 13F-HR period 2024-09-30 filed 2024-11-14: replaced, replaced by 0001234567-24-000021 (RESTATEMENT)\n"), "{stdout}");
    assert!(stdout.contains("  0001234567-24-000021 13F-HR/A period 2024-09-30 filed 2024-11-20: used, RESTATEMENT: replaces the holdings filed before it\n"), "{stdout}");
    assert!(stdout.contains("  0001234567-24-000022 13F-HR/A period 2024-09-30 filed 2024-11-25: no holdings, no information table (13F HOLDINGS REPORT)\n"), "{stdout}");
    assert_eq!(
        written(d),
        ["0001234567_2024-09-30_13F-HR-A_0001234567-24-000021.xml"]
    );
    // The manifest records every filing considered and the document each file came from.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/edgar.json")).unwrap()).unwrap();
    assert_eq!(manifest["filings"].as_array().unwrap().len(), 3);
    assert_eq!(manifest["filings"][1]["amendment_type"], "RESTATEMENT");
    assert!(
        manifest["filings"][1]["url"]
            .as_str()
            .unwrap()
            .ends_with("/Archives/edgar/data/1234567/000123456724000021/infotable.xml")
    );

    // Every request named the contact, as SEC's fair-access policy asks; no older submissions
    // page was needed.
    let requests = server.requests();
    let agent = format!("{CONTACT} xjscan/{}", env!("CARGO_PKG_VERSION"));
    assert!(
        requests
            .iter()
            .all(|r| r.header("user-agent") == Some(agent.as_str()))
    );
    assert!(!requests.iter().any(|r| r.path.contains("submissions-001")));

    // The restated figures are the ones scanned: 710,000 + 90,000, the Daqo position flagged.
    let m = scan_out(d);
    assert_eq!(m["summary"]["portfolio_total"], "800000");
    assert_eq!(m["summary"]["flagged_value"], "90000");

    // --latest is the same period; offline, from the cache, without a request.
    let before = server.count();
    std::fs::remove_dir_all(d.join("out")).unwrap();
    let out = edgar(
        d,
        &server,
        &[
            "--cik",
            "1234567",
            "--form",
            "13F-HR",
            "--latest",
            "--offline",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(server.count(), before);
    assert_eq!(
        written(d),
        ["0001234567_2024-09-30_13F-HR-A_0001234567-24-000021.xml"]
    );
}

#[test]
fn new_holdings_add_to_the_original_and_older_pages_are_read() {
    let server = edgar_server();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = edgar(
        d,
        &server,
        &["--cik", "1234567", "--form", "13f-hr", "--period", "2024q2"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(": used, new holdings, added to 0001234567-24-000010\n"));
    assert_eq!(
        written(d),
        [
            "0001234567_2024-06-30_13F-HR-A_0001234567-24-000011.xml",
            "0001234567_2024-06-30_13F-HR_0001234567-24-000010.xml"
        ]
    );
    let m = scan_out(d);
    assert_eq!(m["summary"]["portfolio_total"], "640000");
    assert_eq!(m["summary"]["flagged_value"], "40000");

    // --since reaches back to a period listed only on the older submissions page.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let before = server.count();
    let out = edgar(
        d,
        &server,
        &[
            "--cik",
            "0001234567",
            "--form",
            "13F-HR",
            "--since",
            "2023-12-01",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        written(d),
        [
            "0001234567_2023-12-31_13F-HR_0001234567-24-000002.xml",
            "0001234567_2024-06-30_13F-HR-A_0001234567-24-000011.xml",
            "0001234567_2024-06-30_13F-HR_0001234567-24-000010.xml",
            "0001234567_2024-09-30_13F-HR-A_0001234567-24-000021.xml",
        ]
    );
    // Submissions, the older page, six filing indexes, six cover pages and five tables; never
    // more than 10 in any one second.
    let requests = &server.requests()[before..];
    assert_eq!(requests.len(), 19);
    assert!(
        requests
            .iter()
            .any(|r| r.path.ends_with("CIK0001234567-submissions-001.json"))
    );
    let most = http::most_in_one_second(requests);
    assert!(most <= 10, "{most} requests within one second");
    let span = requests.last().unwrap().at - requests[0].at;
    assert!(span >= std::time::Duration::from_millis(900), "{span:?}");
}

#[test]
fn nport_amendments_replace_the_series_report() {
    let server = edgar_server();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = edgar(
        d,
        &server,
        &["--cik", "7654321", "--form", "NPORT-P", "--latest"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("0007654321-24-000101 NPORT-P period 2024-09-30 filed 2024-11-25: replaced, replaced by 0007654321-24-000140 (complete report)\n"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        written(d),
        [
            "0007654321_2024-09-30_NPORT-P-A_S000099901_0007654321-24-000140.xml",
            "0007654321_2024-09-30_NPORT-P_S000099902_0007654321-24-000102.xml",
        ]
    );
    let m = scan_out(d);
    assert_eq!(m["summary"]["portfolio_total"], "378000");
    assert_eq!(m["summary"]["flagged_value"], "125000");
}

#[test]
fn clear_errors() {
    let server = edgar_server();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // No contact: refused before any request.
    let out = xjscan(d)
        .args([
            "fetch",
            "edgar",
            "--sec-base",
            &server.base,
            "--cache",
            "cache",
            "--out",
            "out",
        ])
        .args(["--cik", "1234567", "--form", "13F-HR", "--latest"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: SEC EDGAR requires a User-Agent naming you and an email address (https://www.sec.gov/os/accessing-edgar-data): set XJSCAN_CONTACT=\"Jane Doe jane@example.org\" or `contact` under [sec] in xjscan.toml\n"
    );
    assert_eq!(server.count(), 0);
    let cases: [(&[&str], String); 6] = [
        (
            &["--cik", "12a", "--form", "13F-HR", "--latest"],
            "error: --cik: `12a` is not a CIK (up to 10 digits)\n".to_string(),
        ),
        (
            &["--cik", "1", "--form", "10-K", "--latest"],
            "error: --form: `10-K` is not supported; expected 13F-HR or NPORT-P\n".to_string(),
        ),
        (
            &["--cik", "1", "--form", "13F-HR", "--period", "2024-Q5"],
            "error: --period: `2024-Q5` is not a quarter like 2024-Q3\n".to_string(),
        ),
        (
            &["--cik", "1", "--form", "13F-HR", "--since", "2024-02-30x"],
            "error: --since: `2024-02-30x` is not a date like 2024-06-30\n".to_string(),
        ),
        (
            &[
                "--cik",
                "9",
                "--form",
                "13F-HR",
                "--latest",
                "--retries",
                "0",
            ],
            format!(
                "error: {}/submissions/CIK0000000009.json: HTTP 404\n",
                server.base
            ),
        ),
        (
            &[
                "--cik", "1234567", "--form", "13F-HR", "--period", "2020-Q1",
            ],
            "error: CIK 0001234567: no 13F-HR filings for 2020-Q1\n".to_string(),
        ),
    ];
    for (args, expected) in cases {
        let out = edgar(d, &server, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(text(&out.stderr), expected, "{args:?}");
    }
    assert!(!d.join("out").exists());
    // Offline with an empty cache.
    let empty = tempfile::tempdir().unwrap();
    let out = edgar(
        empty.path(),
        &server,
        &[
            "--cik",
            "7654321",
            "--form",
            "NPORT-P",
            "--latest",
            "--offline",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        format!(
            "error: {}/submissions/CIK0007654321.json: not in the cache, and --offline forbids downloading it\n",
            server.base
        )
    );
}

/// A CUSIP with its check digit, from eight characters.
fn cusip(base: &str) -> String {
    let mut sum = 0;
    for (i, c) in base.chars().enumerate() {
        let mut v = c.to_digit(36).unwrap();
        if i % 2 == 1 {
            v *= 2;
        }
        sum += v / 10 + v % 10;
    }
    format!("{base}{}", (10 - sum % 10) % 10)
}

#[test]
fn openfigi_fills_missing_names_in_batches_and_caches() {
    // Twelve distinct CUSIPs: one OpenFIGI knows as Daqo, one it does not know, ten others.
    let daqo = cusip("23703Q20");
    assert_eq!(daqo, "23703Q203");
    let unknown = cusip("XJTEST99");
    let others: Vec<String> = (0..10).map(|i| cusip(&format!("XJTEST0{i}"))).collect();
    let (daqo_c, unknown_c, others_c) = (daqo.clone(), unknown.clone(), others.clone());
    let server = http::serve(move |request, _| {
        let jobs: Vec<serde_json::Value> = serde_json::from_slice(&request.body).unwrap();
        let answers: Vec<serde_json::Value> = jobs
            .iter()
            .map(|job| {
                let value = job["idValue"].as_str().unwrap();
                assert_eq!(job["idType"], "ID_CUSIP");
                if value == daqo_c {
                    serde_json::json!({"data": [{"figi": "BBG000XJTEST", "name": "DAQO NEW ENERGY CORP-ADR", "ticker": "DQ", "exchCode": "US", "securityType": "ADR"}]})
                } else if value == unknown_c {
                    serde_json::json!({"warning": "No identifier found."})
                } else if value == others_c[9] {
                    serde_json::json!({"error": "Invalid idValue format."})
                } else {
                    let i = others_c.iter().position(|o| o == value).unwrap();
                    serde_json::json!({"data": [{"figi": format!("BBG000XJ000{i}"), "name": format!("EXAMPLE HOLDINGS {i} INC"), "ticker": "EX", "exchCode": "US"}]})
                }
            })
            .collect();
        Reply::ok(serde_json::to_vec(&answers).unwrap())
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut csv = String::from("CUSIP,Market Value\n");
    csv.push_str(&format!("{daqo},1000.00\n{unknown},500.00\n"));
    for o in &others {
        csv.push_str(&format!("{o},100.00\n"));
    }
    std::fs::write(d.join("ids.csv"), &csv).unwrap();
    let scan = |report: &str, enrich: bool, key: Option<&str>| {
        let mut cmd = xjscan(d);
        let cache = if key.is_some() { "cache-key" } else { "cache" };
        cmd.args(["scan", "ids.csv", "--cache", cache, "--out", report]);
        if enrich {
            cmd.args(["--enrich", "openfigi"]);
        }
        cmd.env("XJSCAN_OPENFIGI_URL", format!("{}/v3/mapping", server.base));
        if let Some(k) = key {
            cmd.env("OPENFIGI_API_KEY", k);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        report_json(&d.join(report))
    };
    // Without enrichment the rows have no name and nothing is flagged.
    let m = scan("plain", false, None);
    assert_eq!(m["summary"]["flagged_value"], "0");
    assert_eq!(server.count(), 0);

    // With it: two batches (10 jobs per request without a key), the Daqo row matched by the
    // name OpenFIGI gave, and the report says where the name came from.
    let m = scan("enriched", true, None);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let sizes: Vec<usize> = requests
        .iter()
        .map(|r| {
            serde_json::from_slice::<Vec<serde_json::Value>>(&r.body)
                .unwrap()
                .len()
        })
        .collect();
    // The two batches are sent concurrently and may arrive in either order.
    let mut sizes = sizes;
    sizes.sort_unstable();
    assert_eq!(sizes, [2, 10]);
    assert!(
        requests
            .iter()
            .all(|r| r.method == "POST" && r.path == "/v3/mapping")
    );
    assert!(
        requests
            .iter()
            .all(|r| r.header("x-openfigi-apikey").is_none())
    );
    assert_eq!(m["summary"]["flagged_value"], "1000.00");
    let flagged = &m["flagged"][0];
    assert_eq!(flagged["name"], "DAQO NEW ENERGY CORP-ADR");
    assert_eq!(
        flagged["name_source"],
        format!("OpenFIGI (ID_CUSIP {daqo})")
    );
    assert_eq!(flagged["figi"], "BBG000XJTEST");
    assert_eq!(m["enrichment"]["identifiers"], 12);
    assert_eq!(m["enrichment"]["found"], 10);
    assert_eq!(m["enrichment"]["names_filled"], 10);
    let md = std::fs::read_to_string(d.join("enriched/report.md")).unwrap();
    assert!(md.contains(&format!(
        "; FIGI BBG000XJTEST; name from OpenFIGI (ID\\_CUSIP {daqo})"
    )));
    assert!(md.contains(&format!("- OpenFIGI: 12 identifiers looked up, 10 found; 10 holdings given a FIGI, 10 names filled in; refused: ID\\_CUSIP {}: Invalid idValue format.\n", others[9])), "{md}");

    // A rerun asks nothing: every answer, "not found" included, is cached.
    let again = scan("again", false, None);
    assert_eq!(again["summary"]["flagged_value"], "0");
    let again = {
        let mut cmd = xjscan(d);
        cmd.args([
            "scan", "ids.csv", "--cache", "cache", "--out", "again", "--enrich", "openfigi",
        ]);
        cmd.env("XJSCAN_OPENFIGI_URL", format!("{}/v3/mapping", server.base));
        cmd.assert().success();
        report_json(&d.join("again"))
    };
    assert_eq!(server.count(), 2);
    assert_eq!(again["flagged"], m["flagged"]);
    // Offline, every answer (the refused identifier's included) comes from the cache.
    xjscan(d)
        .args([
            "scan",
            "ids.csv",
            "--cache",
            "cache",
            "--out",
            "offline",
            "--offline",
        ])
        .args(["--enrich", "openfigi"])
        .env("XJSCAN_OPENFIGI_URL", format!("{}/v3/mapping", server.base))
        .assert()
        .success();
    assert_eq!(server.count(), 2);
    // The same report, byte for byte, whether the answers came from OpenFIGI or the cache.
    assert_eq!(
        std::fs::read(d.join("again/report.md")).unwrap(),
        std::fs::read(d.join("enriched/report.md")).unwrap()
    );

    // With an API key (and an empty cache): one request of up to 100 jobs, key in the header.
    let keyed = scan("keyed", true, Some("secret-key"));
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[2].header("x-openfigi-apikey"), Some("secret-key"));
    assert_eq!(
        serde_json::from_slice::<Vec<serde_json::Value>>(&requests[2].body)
            .unwrap()
            .len(),
        12
    );
    assert_eq!(keyed["flagged"], m["flagged"]);
}
