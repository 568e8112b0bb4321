//! The labelled name-matching set (`tests/eval/names.csv`) run through the resolver: precision
//! must stay at or above 0.99 (a wrong flag on a clean company is as damaging as a miss) and
//! recall at or above 0.95; `xjscan eval` prints the same figures and every miss.

use xjscan::reference::load_embedded;
use xjscan::resolve::{Resolver, eval};

use crate::{root, xjscan};

fn evaluation() -> eval::Evaluation {
    let data = load_embedded().unwrap();
    let text = std::fs::read_to_string(root().join("tests/eval/names.csv")).unwrap();
    let rows = eval::read_set("tests/eval/names.csv", &text).unwrap();
    eval::evaluate(&Resolver::new(&data), &rows)
}

#[test]
fn name_matching_meets_its_precision_and_recall_floors() {
    let e = evaluation();
    eprintln!("{}", e.render("tests/eval/names.csv"));
    assert!(e.rows >= 400, "the labelled set has {} rows", e.rows);
    assert!(
        e.hard_negatives * 2 >= e.rows,
        "fewer than half the rows are hard negatives: {} of {}",
        e.hard_negatives,
        e.rows
    );
    assert!(e.precision() >= 0.99, "{}", e.render("names.csv"));
    assert!(e.recall() >= 0.95, "{}", e.render("names.csv"));
}

#[test]
fn eval_command_prints_the_figures_and_fails_below_a_floor() {
    let out = xjscan(&root())
        .args(["eval", "tests/eval/names.csv", "--min-precision", "0.99"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let e = evaluation();
    assert!(stdout.starts_with(&format!(
        "tests/eval/names.csv: {} rows ({} positive, {} hard negative)\nprecision {:.3}  recall {:.3}  F1 {:.3}\n",
        e.rows,
        e.positives,
        e.hard_negatives,
        e.precision(),
        e.recall(),
        e.f1()
    )), "{stdout}");
    // Every miss is listed with its line.
    assert_eq!(stdout.matches("\n  line ").count(), e.misses.len());

    let out = xjscan(&root())
        .args(["eval", "tests/eval/names.csv", "--min-recall", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        format!("error: recall {:.3} is below 1\n", e.recall())
    );
}

#[test]
fn a_labelled_set_without_its_columns_is_refused() {
    let err = eval::read_set("set.csv", "name,entity\nA,b\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "set.csv:1: expected columns holding_name and expected_entity_id"
    );
}

/// `data/word_families.csv` is what `examples/word_families.rs` counts from the corpus and the
/// A-share list: rebuilt here from the same files, byte for byte.
#[test]
fn the_word_family_table_rebuilds_from_its_sources() {
    let corpus = crate::root().join("../shared/corpus");
    let ashare =
        crate::root().join("../shared/sources/raw/reference_cn_ashare_list/stock_basic.utf8.csv");
    let files = xjscan::resolve::rarity::sources(&corpus, &ashare);
    let missing: Vec<String> = files
        .iter()
        .filter(|f| !f.is_file())
        .map(|f| f.display().to_string())
        .collect();
    if files.len() < 2 || !missing.is_empty() {
        assert!(
            std::env::var_os("CI").is_none(),
            "sources of the word table are missing and CI is set: {missing:?}"
        );
        eprintln!("skipping: sources of the word table are missing: {missing:?}");
        return;
    }
    let built = xjscan::resolve::rarity::build(&files[..files.len() - 1], &ashare).unwrap();
    assert!(
        built == xjscan::resolve::rarity::TABLE,
        "data/word_families.csv is out of date; rebuild it with `cargo run --release --example word_families -- ../shared/corpus ../shared/sources/raw/reference_cn_ashare_list/stock_basic.utf8.csv > data/word_families.csv`"
    );
}

/// The figures the README prints for the labelled sets are the ones `xjscan eval` prints.
#[test]
fn the_readme_figures_are_what_eval_prints() {
    let readme = std::fs::read_to_string(crate::root().join("README.md")).unwrap();
    for set in [
        "tests/eval/names.csv",
        "tests/eval/blind.csv",
        "tests/eval/blind2.csv",
        "tests/eval/blind3.csv",
    ] {
        let output = crate::xjscan(&crate::root())
            .args(["eval", set])
            .output()
            .unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("precision "))
            .unwrap_or_default();
        let words: Vec<&str> = line.split_whitespace().collect();
        let claim = format!(
            "precision {}, recall {} (`xjscan eval {set}`)",
            words[1], words[3]
        );
        assert!(
            readme.replace("\n   ", " ").contains(&claim),
            "README should say: {claim}"
        );
    }
}

/// A blind set is measured once and then frozen: its labels are never edited to suit the
/// matcher. The digests are those of the files as committed before their measurements.
#[test]
fn the_blind_sets_are_frozen() {
    use sha2::{Digest, Sha256};
    for (set, digest) in [
        (
            "tests/eval/blind.csv",
            "728ce4396814fe1d2107ac83f46bf7006cc618661f1053fcfbd56887b7fa622b",
        ),
        (
            "tests/eval/blind2.csv",
            "dd8d89583a9bf50edf1dc57eab10c61cecd8b3d80438915fb2071932ace12221",
        ),
        (
            "tests/eval/blind3.csv",
            "9e1c1c23012fbf785816c2f5c5fa2481f8f5273ef5fbc4025cbe9c23bd33eb43",
        ),
    ] {
        let bytes = std::fs::read(crate::root().join(set)).unwrap();
        let actual: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(actual, digest, "{set} was edited after it was measured");
    }
}
