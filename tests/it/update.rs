//! `xjscan mappings update` against a local HTTP server serving OpenSanctions-style exports: the
//! first run writes a dated folder that scans then name, a second run with the same data writes
//! nothing, an addition is printed and flagged, a removal is printed, a malformed download is
//! refused and the previous folder stays in use, and `--offline` works on a warm cache and
//! fails clearly on a cold one.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::http::{self, Reply, Server};
use crate::{fixture, report_json, xjscan};

/// A server whose UFLPA export (`/os/us_dhs_uflpa/entities.ftm.json`) is whatever `body` holds
/// at the time of the request; anything else is a 404.
fn serve(body: &Arc<Mutex<Vec<u8>>>) -> Server {
    let body = Arc::clone(body);
    http::serve(move |request, _| {
        if request.path == "/os/us_dhs_uflpa/entities.ftm.json" {
            Reply::ok(body.lock().unwrap().clone())
        } else {
            Reply::status(404, "not found")
        }
    })
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture("update").join(name)).unwrap()
}

/// Runs `xjscan mappings update --source uflpa` against the server, with the cache and data
/// directory inside `dir`.
fn update(dir: &Path, server: &Server, extra: &[&str]) -> std::process::Output {
    xjscan(dir)
        .args([
            "mappings", "update", "--source", "uflpa", "--cache", "cache",
        ])
        .args(["--data-dir", "data", "--retries", "0"])
        .arg("--opensanctions-base")
        .arg(format!("{}/os/", server.base))
        .args(extra)
        .output()
        .unwrap()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The dated folders in `dir/data`, oldest first.
fn folders(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(dir.join("data")) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort_by_key(|n| xjscan::reference::store::parse_folder_name(n));
    names
}

/// Scans the fixture holdings with the data directory of `dir`.
fn scan(dir: &Path, extra: &[&str]) -> std::process::Output {
    xjscan(dir)
        .env("XJSCAN_DATA_DIR", dir.join("data"))
        .arg("scan")
        .arg(fixture("update/holdings.csv"))
        .args(["--out", "out", "--format", "json"])
        .args(extra)
        .output()
        .unwrap()
}

fn today() -> String {
    xjscan::reference::update::now_utc().0
}

/// The UFLPA fixture with `extra` appended.
fn uflpa_with(extra: &str) -> Vec<u8> {
    let mut body = read("uflpa.ftm.json");
    body.extend(read(extra));
    body
}

fn first_run(dir: &Path, server: &Server) -> PathBuf {
    let o = update(dir, server, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let name = format!("mappings-{}", today());
    assert_eq!(folders(dir), std::slice::from_ref(&name));
    dir.join("data").join(name)
}

#[test]
fn first_run_writes_a_dated_folder_that_scans_name() {
    let dir = tempfile::tempdir().unwrap();
    let body = Arc::new(Mutex::new(read("uflpa.ftm.json")));
    let server = serve(&body);
    let o = update(dir.path(), &server, &["--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with("merged into the shipped tables\n"),
        "{text}"
    );
    assert!(
        text.contains("uflpa:\n  added: Example Update Textile Co., Ltd. (uflpa:example-update-textile), listed 2025-01-15\n"),
        "{text}"
    );
    let name = format!("mappings-{}", today());
    assert!(
        text.ends_with(&format!("dry run: nothing written (would write {name})\n")),
        "{text}"
    );
    assert!(folders(dir.path()).is_empty());

    let folder = first_run(dir.path(), &server);
    for file in [
        "entities.csv",
        "designations.csv",
        "overrides.csv",
        "manifest.json",
    ] {
        assert!(folder.join(file).is_file(), "{file}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["based_on"], "shipped");
    assert_eq!(manifest["as_of"], today());
    assert_eq!(
        manifest["tool"],
        format!("xjscan {}", env!("CARGO_PKG_VERSION"))
    );
    let file = &manifest["sources"][0]["files"][0];
    assert_eq!(
        file["url"],
        format!("{}/os/us_dhs_uflpa/entities.ftm.json", server.base)
    );
    use sha2::Digest;
    let digest = sha2::Sha256::digest(read("uflpa.ftm.json"));
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(file["sha256"], hex);
    // The manifest's hash is the one loading the folder computes, and the reports show.
    let data = xjscan::reference::store::load_updated(&folder).unwrap();
    assert_eq!(manifest["tables_sha256"], data.meta.sha256.as_str());
    // The shipped tables are untouched.
    let shipped = xjscan::reference::load_embedded().unwrap();
    assert!(shipped.entity("example-update-textile").is_none());

    let o = scan(dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let reference = &report_json(&dir.path().join("out"))["reference"];
    assert_eq!(reference["data"], "updated");
    assert_eq!(reference["origin"], name.as_str());
    assert_eq!(reference["as_of"], today());
    assert_eq!(reference["sha256"], data.meta.sha256.as_str());
    assert!(
        stdout(&o).contains(&format!(
            "Reference data: updated data {name}, as of {}, SHA-256 {}\n",
            today(),
            data.meta.sha256
        )),
        "{}",
        stdout(&o)
    );
    // --shipped-data forces the compiled-in tables.
    let o = scan(dir.path(), &["--shipped-data"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let reference = &report_json(&dir.path().join("out"))["reference"];
    assert_eq!(reference["data"], "shipped");
    assert_eq!(reference["sha256"], shipped.meta.sha256.as_str());
}

#[test]
fn the_same_data_again_changes_nothing_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let body = Arc::new(Mutex::new(read("uflpa.ftm.json")));
    let server = serve(&body);
    let folder = first_run(dir.path(), &server);
    let o = update(dir.path(), &server, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let name = folder.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(
        stdout(&o),
        format!(
            "merged into {name}\n\
             uflpa: kept: uflpa:xinjiang-zhongtai-chemical: data says listed 2023-06-12, import says listed 2023-06-09; kept the data (review it)\n\
             0 designations added, 0 removed, 0 changed\n\
             no change: the downloads add nothing to {name}; nothing written\n"
        )
    );
    assert_eq!(folders(dir.path()), [name]);
}

#[test]
fn an_addition_is_printed_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let body = Arc::new(Mutex::new(read("uflpa.ftm.json")));
    let server = serve(&body);
    first_run(dir.path(), &server);
    // Before the update, the newcomer is not flagged.
    let o = scan(dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        report_json(&dir.path().join("out"))["summary"]["flagged_positions"],
        0
    );

    *body.lock().unwrap() = uflpa_with("newcomer.ftm.json");
    let o = update(dir.path(), &server, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("uflpa:\n  added: Example Update Newcomer Dye Works Co., Ltd. (uflpa:example-update-newcomer-dye-works), listed 2026-11-20\n1 designations added, 0 removed, 0 changed"),
        "{text}"
    );
    let names = folders(dir.path());
    assert_eq!(names.len(), 2);
    assert_eq!(names[1], format!("mappings-{}-2", today()));
    assert!(text.contains(&format!("wrote {}", names[1])), "{text}");

    let o = scan(dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = report_json(&dir.path().join("out"));
    assert_eq!(report["reference"]["origin"], names[1].as_str());
    assert_eq!(report["summary"]["flagged_positions"], 1);
    assert!(
        stdout(&o).contains("Flagged: 1 of 2 positions"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_removal_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let body = Arc::new(Mutex::new(uflpa_with("newcomer.ftm.json")));
    let server = serve(&body);
    first_run(dir.path(), &server);
    *body.lock().unwrap() = read("uflpa.ftm.json");
    let o = update(dir.path(), &server, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains(&format!(
            "uflpa:\n  removed: Example Update Newcomer Dye Works Co., Ltd. (uflpa:example-update-newcomer-dye-works), removed {}\n0 designations added, 1 removed, 0 changed",
            today()
        )),
        "{text}"
    );
    // The newest folder is used, and the holding is no longer flagged.
    let o = scan(dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        report_json(&dir.path().join("out"))["summary"]["flagged_positions"],
        0
    );
    // Still absent: the removal keeps its date, nothing new is written.
    let o = update(dir.path(), &server, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).ends_with("nothing written\n"), "{}", stdout(&o));
    assert_eq!(folders(dir.path()).len(), 2);
    // Listed again: back in force, and flagged again.
    *body.lock().unwrap() = uflpa_with("newcomer.ftm.json");
    let o = update(dir.path(), &server, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(&format!(
            "uflpa:\n  changed: Example Update Newcomer Dye Works Co., Ltd. (uflpa:example-update-newcomer-dye-works), listed again (removed {})\n0 designations added, 0 removed, 1 changed",
            today()
        )),
        "{}",
        stdout(&o)
    );
    let o = scan(dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        report_json(&dir.path().join("out"))["summary"]["flagged_positions"],
        1
    );
}

#[test]
fn data_built_on_older_shipped_tables_is_rebuilt_on_this_xjscans() {
    let dir = tempfile::tempdir().unwrap();
    let body = Arc::new(Mutex::new(read("uflpa.ftm.json")));
    let server = serve(&body);
    let folder = first_run(dir.path(), &server);
    let name = folder.file_name().unwrap().to_string_lossy().into_owned();
    // As if an older xjscan with other shipped tables had written the folder.
    let path = folder.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        manifest["shipped_sha256"],
        xjscan::reference::load_embedded()
            .unwrap()
            .meta
            .sha256
            .as_str()
    );
    manifest["shipped_sha256"] = "0".repeat(64).into();
    std::fs::write(&path, manifest.to_string()).unwrap();
    let o = scan(dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "note: {name} was built on the shipped tables of another xjscan version; `xjscan mappings update` merges this version's\n"
        )
    );
    let o = update(dir.path(), &server, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with(&format!(
            "merged into the shipped tables of this xjscan (newer than those {name} was built on)\n"
        )),
        "{text}"
    );
    // These shipped tables plus the same download are the folder's data: nothing to write.
    assert!(
        text.ends_with(&format!(
            "no change: the downloads add nothing to {name}; nothing written\n"
        )),
        "{text}"
    );
}

#[test]
fn a_malformed_download_is_refused_and_the_previous_folder_stays_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let body = Arc::new(Mutex::new(read("uflpa.ftm.json")));
    let server = serve(&body);
    let folder = first_run(dir.path(), &server);
    let name = folder.file_name().unwrap().to_string_lossy().into_owned();
    *body.lock().unwrap() = read("malformed.ftm.json");
    let o = update(dir.path(), &server, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: source uflpa: cannot read the download: entities.ftm.json:2: not a FollowTheMoney JSON entity: expected value at line 1 column 1; nothing was written\n"
    );
    assert_eq!(folders(dir.path()), std::slice::from_ref(&name));
    // An empty download would mark every earlier entry removed: refused too.
    *body.lock().unwrap() = Vec::new();
    let o = update(dir.path(), &server, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: source uflpa: cannot read the download: entities.ftm.json:1: expected a targets.simple.csv header with id, schema, name, aliases, countries, identifiers, dataset; found ; nothing was written\n"
    );
    assert_eq!(folders(dir.path()), std::slice::from_ref(&name));
    let o = scan(dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        report_json(&dir.path().join("out"))["reference"]["origin"],
        name.as_str()
    );
}

#[test]
fn a_dated_folder_that_fails_validation_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let body = Arc::new(Mutex::new(read("uflpa.ftm.json")));
    let server = serve(&body);
    let folder = first_run(dir.path(), &server);
    std::fs::write(
        folder.join("dataset.csv"),
        "key,value\ntitle,xjscan reference entities\nas_of,27 Nov\n",
    )
    .unwrap();
    let o = scan(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!(
            "error: reference data in {} is invalid (1 problem):\n  {}: value: `27 Nov` is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY\n",
            folder.display(),
            folder.join("dataset.csv:3").display()
        )
    );
    let o = update(dir.path(), &server, &[]);
    assert_eq!(o.status.code(), Some(2));
    let name = folder.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(
        stderr(&o),
        format!(
            "error: reference data in data/{name} is invalid (1 problem):\n  data/{name}/dataset.csv:3: value: `27 Nov` is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY\n"
        )
    );
}

#[test]
fn offline_works_from_a_warm_cache_and_fails_clearly_on_a_cold_one() {
    let dir = tempfile::tempdir().unwrap();
    let body = Arc::new(Mutex::new(read("uflpa.ftm.json")));
    let server = serve(&body);
    let url = format!("{}/os/us_dhs_uflpa/entities.ftm.json", server.base);
    // Cold cache: nothing downloaded, a clear error, nothing written.
    let o = update(dir.path(), &server, &["--offline"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!(
            "error: source uflpa: {url}: not in the cache, and --offline forbids downloading it; nothing was written\n"
        )
    );
    assert_eq!(server.count(), 0);
    assert!(folders(dir.path()).is_empty());
    // Warm the cache with a dry run, then update offline: no request, a folder written.
    let o = update(dir.path(), &server, &["--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let requests = server.count();
    let o = update(dir.path(), &server, &["--offline"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(server.count(), requests);
    assert_eq!(folders(dir.path()), [format!("mappings-{}", today())]);
}

#[test]
fn unknown_sources_and_missing_downloads_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let body = Arc::new(Mutex::new(read("uflpa.ftm.json")));
    let server = serve(&body);
    let o = xjscan(dir.path())
        .args([
            "mappings",
            "update",
            "--source",
            "ufpla",
            "--data-dir",
            "data",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: --source `ufpla`: not a known source (uflpa, dod-1260h, ofac-sdn, ofac-cons, opensanctions-bis, opensanctions-ofac) nor an http(s) URL of an OpenSanctions export (…/DATASET/entities.ftm.json or targets.simple.csv)\n"
    );
    let o = xjscan(dir.path())
        .args([
            "mappings",
            "update",
            "--source",
            "dod-1260h",
            "--cache",
            "cache",
        ])
        .args(["--data-dir", "data", "--retries", "0"])
        .arg("--opensanctions-base")
        .arg(format!("{}/os/", server.base))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!(
            "error: source dod-1260h: {}/os/us_dod_chinese_milcorps/entities.ftm.json: HTTP 404; nothing was written\n",
            server.base
        )
    );
    assert!(folders(dir.path()).is_empty());
}

#[test]
fn the_default_sources_are_fetched_and_read_with_their_importers() {
    let dir = tempfile::tempdir().unwrap();
    let server = http::serve(|request, _| {
        let file = match request.path.as_str() {
            "/os/us_dhs_uflpa/entities.ftm.json" => "uflpa.ftm.json",
            "/os/us_dod_chinese_milcorps/entities.ftm.json" => "dod.ftm.json",
            "/ofac/sdn.csv" => "sdn.csv",
            "/ofac/alt.csv" => "alt.csv",
            "/ofac/add.csv" => "add.csv",
            "/ofac/consolidated/cons_prim.csv" => "cons_prim.csv",
            "/ofac/consolidated/cons_alt.csv" => "cons_alt.csv",
            "/ofac/consolidated/cons_add.csv" => "cons_add.csv",
            _ => return Reply::status(404, "not found"),
        };
        Reply::ok(read(file))
    });
    let o = xjscan(dir.path())
        .args([
            "mappings",
            "update",
            "--cache",
            "cache",
            "--data-dir",
            "data",
        ])
        .arg("--opensanctions-base")
        .arg(format!("{}/os/", server.base))
        .arg("--ofac-base")
        .arg(format!("{}/ofac/", server.base))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(server.count(), 8);
    let name = format!("mappings-{}", today());
    let folder = dir.path().join("data").join(&name);
    let sha256 = xjscan::reference::store::load_updated(&folder)
        .unwrap()
        .meta
        .sha256;
    assert_eq!(
        stdout(&o),
        format!(
            "merged into the shipped tables\n\
             uflpa: kept: uflpa:xinjiang-zhongtai-chemical: data says listed 2023-06-12, import says listed 2023-06-09; kept the data (review it)\n\
             dod_1260h:\n  \
             added: Example Update Aerospace Electronics Co., Ltd. (dod_1260h:example-update-aerospace-electronics), listed 2025-01-07\n\
             ofac_ns_cmic:\n  \
             added: EXAMPLE UPDATE XINJIANG SILICON COMPANY LIMITED (ofac_ns_cmic:example-update-xinjiang-silicon), listed 2021-06-03\n\
             ofac_sdn:\n  \
             added: EXAMPLE UPDATE XINJIANG SECURITY DEPOT (ofac_sdn:example-update-xinjiang-security-depot), listing date not given\n\
             uflpa:\n  \
             added: Example Update Textile Co., Ltd. (uflpa:example-update-textile), listed 2025-01-15\n\
             4 designations added, 0 removed, 0 changed; rows added or changed: 1 in aliases.csv, 4 in entities.csv, 4 in sources.csv\n\
             wrote {name} (SHA-256 {sha256}); scans use it from now on (--shipped-data for the shipped tables)\n"
        )
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("manifest.json")).unwrap())
            .unwrap();
    let sources: Vec<&str> = manifest["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["uflpa", "dod-1260h", "ofac-sdn", "ofac-cons"]);
    assert_eq!(manifest["sources"][2]["files"].as_array().unwrap().len(), 3);
    // Validation of the written folder, through the command users run.
    let o = xjscan(dir.path())
        .env("XJSCAN_DATA_DIR", dir.path().join("data"))
        .args(["mappings", "validate"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with(&format!("reference data in {name} is valid: ")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn downloads_listing_nothing_or_breaking_the_data_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let body = Arc::new(Mutex::new(read("sanction_only.ftm.json")));
    let server = serve(&body);
    let o = update(dir.path(), &server, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: source uflpa: the download lists no entities (an empty or cut-off file?); nothing was written\n"
    );
    *body.lock().unwrap() = read("inverted_dates.ftm.json");
    let o = update(dir.path(), &server, &[]);
    assert_eq!(o.status.code(), Some(2));
    let text = stderr(&o);
    let (head, problem) = text.split_once("\n  ").unwrap();
    assert_eq!(
        head,
        "error: source uflpa: the download would make the reference data invalid, so nothing was written: reference data in the updated data is invalid (1 problem):"
    );
    let (file, rest) = problem.split_once(':').unwrap();
    assert_eq!(file, "designations.csv");
    let (line, message) = rest.split_once(": ").unwrap();
    assert!(line.parse::<u64>().is_ok(), "{text}");
    assert_eq!(
        message,
        "removed_on 2024-03-01 is before listed_on 2025-01-15\n"
    );
    assert!(folders(dir.path()).is_empty());
}

#[test]
fn the_data_directory_must_be_usable() {
    let dir = tempfile::tempdir().unwrap();
    // No --data-dir, no XJSCAN_DATA_DIR and no home to put one in.
    let o = xjscan(dir.path())
        .env_remove("XJSCAN_DATA_DIR")
        .env_remove("XDG_DATA_HOME")
        .env_remove("HOME")
        .args(["mappings", "update", "--offline"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: no data directory: give --data-dir DIR or set XJSCAN_DATA_DIR\n"
    );
    // A file where the data directory should be: named, for update and for scan alike.
    std::fs::write(dir.path().join("data"), "not a folder").unwrap();
    let message = "error: cannot read the data directory data: Not a directory (os error 20)\n";
    let o = xjscan(dir.path())
        .args(["mappings", "update", "--offline", "--data-dir", "data"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), message);
    let o = xjscan(dir.path())
        .env("XJSCAN_DATA_DIR", "data")
        .args(["mappings", "validate"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), message);
}
