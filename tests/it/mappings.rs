//! `xjscan mappings`: validation of the shipped data, `show`, `stats`, and the importers on the
//! real OFAC files and on small OpenSanctions and own-list fixtures.

use std::path::{Path, PathBuf};

use xjscan::reference::import::ofac::{self, OfacOptions};

use crate::{fixture, root, xjscan};

/// A raw official file from the research sources beside the project; fails under CI when
/// missing, skipped with a reason otherwise.
fn raw_source(relative: &str) -> Option<PathBuf> {
    let path = root().join("../shared/sources/raw").join(relative);
    if path.exists() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!("source file {} is missing and CI is set", path.display());
    }
    eprintln!("skipping: {} is not present", path.display());
    None
}

fn stdout_of(dir: &Path, args: &[&str]) -> String {
    let output = xjscan(dir).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn shipped_data_validates() {
    let out = stdout_of(&root(), &["mappings", "validate"]);
    assert!(
        out.starts_with("reference data in embedded is valid: "),
        "{out}"
    );
}

#[test]
fn show_xpcc_lists_designations_and_children() {
    let out = stdout_of(&root(), &["mappings", "show", "xpcc"]);
    insta::assert_snapshot!("show_xpcc", out);
    // By identifier and by name too.
    let hik = stdout_of(&root(), &["mappings", "show", "CNE100000PM8"]);
    assert!(
        hik.starts_with("Hangzhou Hikvision Digital Technology Co., Ltd. (hikvision)"),
        "{hik}"
    );
    let by_alias = stdout_of(&root(), &["mappings", "show", "新疆生产建设兵团"]);
    assert!(by_alias.starts_with("Xinjiang Production and Construction Corps (xpcc)"));
}

#[test]
fn show_unknown_and_ambiguous() {
    let output = xjscan(&root())
        .args(["mappings", "show", "no such thing"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "error: no entity matches `no such thing` (try an id, an identifier, a name or part of one; `xjscan mappings stats` lists what is there)\n"
    );
    let output = xjscan(&root())
        .args(["mappings", "show", "zhongtai"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("error: `zhongtai` matches 2 entities: xinjiang-zhongtai-chemical (Xinjiang Zhongtai Chemical Co., Ltd.), xinjiang-zhongtai-group"), "{stderr}");
}

#[test]
fn stats_counts_lists_and_coverage() {
    let out = stdout_of(&root(), &["mappings", "stats"]);
    assert!(out.contains("Designations by list (designations / in force / entities; entities held of the count a source states):"));
    assert!(out.contains("Identifier coverage: "));
    assert!(out.contains("Ticker coverage: "));
    // Held against the count a source states, with its date and source; a list without one
    // says so rather than showing a made-up total.
    let line = |list: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(&format!("{list} ")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line("uflpa").contains(" of 144 ("), "{out}");
    assert!(line("uflpa").ends_with("as of 2025-08-19, UF20)"), "{out}");
    assert!(
        line("ofac_sdn").ends_with("14 of 14 (100%; as of 2024-05-03, BX1)"),
        "{out}"
    );
    assert!(
        line("bis_entity_list").ends_with("no stated count"),
        "{out}"
    );
    // The floors the evidence work reached: BIS Xinjiang human-rights entities held (the
    // list has no stated count; 68 additions are documented in mappings/README.md), and
    // listed companies with a ticker, over those whose listing a source settles.
    let held = |l: String| -> u64 {
        l.split_whitespace()
            .nth(3)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    assert!(held(line("bis_entity_list")) >= 60, "{out}");
    assert!(held(line("uflpa")) >= 137, "{out}");
    let coverage = out
        .lines()
        .find(|l| l.starts_with("Ticker coverage: "))
        .unwrap_or_default();
    let words: Vec<&str> = coverage.split_whitespace().collect();
    let (with, listed): (u64, u64) = (
        words[2].parse().unwrap_or(0),
        words[4].parse().unwrap_or(u64::MAX),
    );
    assert!(
        coverage.contains("listed companies have an exchange + ticker")
            && with * 100 >= listed * 95,
        "{coverage}"
    );
    assert!(
        out.contains("Companies by listing status (entities.csv `listed`): "),
        "{out}"
    );
}

#[test]
fn ofac_importer_finds_the_xinjiang_glomag_entries_and_the_cmic_rows() {
    let Some(sdn) = raw_source("ofac_sdn_2022-01") else {
        return;
    };
    let Some(cons) = raw_source("ofac_consolidated_nonsdn") else {
        return;
    };
    let set = ofac::read(&sdn, &OfacOptions::default()).unwrap();
    let mut keys: Vec<&str> = set.entities.iter().map(|e| e.key.as_str()).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            29159, 29160, 29162, 29219, 29220, 29299, 29300, 29319, 31492, 31493, 34079, 34119
        ]
        .map(|n| format!("OFAC SDN {n}"))
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
    );
    let set = ofac::read(&cons, &OfacOptions::default()).unwrap();
    assert_eq!(set.entities.len(), 68);
    assert!(
        set.entities
            .iter()
            .all(|e| e.designations[0].list == "ofac_ns_cmic")
    );
    let hik = set
        .entities
        .iter()
        .find(|e| e.name.contains("HIKVISION"))
        .unwrap();
    assert_eq!(hik.designations[0].listed_on, "2021-06-03");
    let ids: Vec<String> = hik
        .identifiers
        .iter()
        .map(|i| format!("{}:{}", i.scheme, i.value))
        .collect();
    assert_eq!(
        ids,
        [
            "ticker:XSHE:002415",
            "isin:CNE100000PM8",
            "uscc:91330000733796106P"
        ]
    );
}

#[test]
fn ofac_import_into_a_folder_is_idempotent_and_validates() {
    let Some(sdn) = raw_source("ofac_sdn_2022-01") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let first = stdout_of(
        dir.path(),
        &[
            "mappings",
            "import",
            "ofac",
            sdn.to_str().unwrap(),
            "--into",
            "m",
        ],
    );
    assert!(first.contains("found: SDN list: "), "{first}");
    assert!(first.contains(", 12 of them tied to Xinjiang"), "{first}");
    stdout_of(dir.path(), &["mappings", "validate", "--mappings", "m"]);
    let before = std::fs::read_to_string(dir.path().join("m/designations.csv")).unwrap();
    let second = stdout_of(
        dir.path(),
        &[
            "mappings",
            "import",
            "ofac",
            sdn.to_str().unwrap(),
            "--into",
            "m",
        ],
    );
    assert!(
        second.contains("\n0 added, 0 differences kept as curated, 0 skipped, "),
        "{second}"
    );
    assert_eq!(
        before,
        std::fs::read_to_string(dir.path().join("m/designations.csv")).unwrap()
    );
}

#[test]
fn opensanctions_ftm_import_adds_new_entities_and_keeps_curated_rows() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture("opensanctions/uflpa.ftm.json");
    let out = stdout_of(
        dir.path(),
        &[
            "mappings",
            "import",
            "opensanctions",
            file.to_str().unwrap(),
            "--into",
            "m",
        ],
    );
    // The curated UFLPA date (2023-06-12) is kept; the import's differs and is reported.
    assert!(
        out.contains("kept: uflpa:xinjiang-zhongtai-chemical: data says listed 2023-06-12, import says listed 2023-06-09; kept the data (review it)"),
        "{out}"
    );
    assert!(
        out.contains(
            "added: entity example-test-cotton-trading (Example Test Cotton Trading Co., Ltd.)"
        ),
        "{out}"
    );
    assert!(
        out.contains("added: designation uflpa:example-test-cotton-trading (listed 2024-05-17)"),
        "{out}"
    );
    assert!(
        out.contains("added: ownership example-test-holdings-group → example-test-cotton-trading"),
        "{out}"
    );
    assert!(
        out.contains("skipped: OpenSanctions os-test-newco: `CNE100000PM9` is not a valid ISIN: check digit does not match"),
        "{out}"
    );
    let designations = std::fs::read_to_string(dir.path().join("m/designations.csv")).unwrap();
    let shipped = std::fs::read_to_string(root().join("mappings/designations.csv")).unwrap();
    let curated = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("uflpa:xinjiang-zhongtai-chemical,"))
            .map(str::to_string)
    };
    assert_eq!(curated(&designations), curated(&shipped));
    let ownership = std::fs::read_to_string(dir.path().join("m/ownership.csv")).unwrap();
    assert!(
        ownership
            .contains("example-test-holdings-group,example-test-cotton-trading,75,opensanctions-")
    );
    stdout_of(dir.path(), &["mappings", "validate", "--mappings", "m"]);
}

#[test]
fn opensanctions_simple_csv_import() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture("opensanctions/targets.simple.csv");
    let out = stdout_of(
        dir.path(),
        &[
            "mappings",
            "import",
            "opensanctions",
            file.to_str().unwrap(),
            "--into",
            "m",
            "--dry-run",
        ],
    );
    assert!(
        out.contains(
            "added: entity example-test-tomato-processing (Example Test Tomato Processing Co.)"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "added: designation research:example-test-tomato-processing (listed date not given)"
        ),
        "{out}"
    );
    assert!(out.ends_with("dry run: nothing written to m\n"), "{out}");
    assert!(!dir.path().join("m").exists());
    let output = xjscan(dir.path())
        .args(["mappings", "import", "opensanctions"])
        .arg(fixture("opensanctions/unknown_dataset.csv"))
        .args(["--into", "m"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!(
            "error: {}: dataset `unknown_dataset` has no list mapping; known datasets: us_dhs_uflpa, ",
            fixture("opensanctions/unknown_dataset.csv").display()
        )),
        "{stderr}"
    );
    assert!(!dir.path().join("m").exists());
}

#[test]
fn own_list_import() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture("own_list.csv");
    let out = stdout_of(
        dir.path(),
        &[
            "mappings",
            "import",
            "csv",
            file.to_str().unwrap(),
            "--into",
            "m",
        ],
    );
    assert!(
        out.contains("added: entity example-internal-watch (Example Internal Watch Co.)"),
        "{out}"
    );
    // Matched to Hikvision by its ticker, so the research row joins the existing entity.
    assert!(
        out.contains("added: designation research:hikvision (listed 2026-03)"),
        "{out}"
    );
    let view = stdout_of(
        dir.path(),
        &[
            "mappings",
            "show",
            "example-internal-watch",
            "--mappings",
            "m",
        ],
    );
    assert!(view.contains("Research reports (non-governmental) — Internal watch list: listed 2026-03; Research only; grade C, unverified; source user-"), "{view}");
}

/// Every Shanghai or Shenzhen ticker the tables hold carries the exchange short name of the
/// A-share list (S1) as an alias, so a Chinese export's `中国中车` or `同方股份` is found by name
/// when it comes without a code.
#[test]
fn held_a_share_tickers_carry_their_short_names() {
    let Some(list) = raw_source("reference_cn_ashare_list/stock_basic.utf8.csv") else {
        return;
    };
    let short: std::collections::HashMap<String, String> = csv::Reader::from_path(list)
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].to_string())
        })
        .collect();
    let data = xjscan::reference::load_embedded().unwrap();
    let missing: Vec<String> = data
        .identifiers
        .iter()
        .filter(|i| i.scheme == xjscan::model::IdScheme::Ticker)
        .filter_map(|i| {
            let (mic, code) = i.value.split_once(':')?;
            let prefix = match mic {
                "XSHG" => "sh.",
                "XSHE" => "sz.",
                _ => return None,
            };
            let name = short.get(&format!("{prefix}{code}"))?;
            let held = data
                .aliases
                .iter()
                .any(|a| a.entity_id == i.entity_id && &a.alias == name);
            (!held).then(|| format!("{} {} {name}", i.entity_id, i.value))
        })
        .collect();
    assert!(missing.is_empty(), "{missing:#?}");
}
