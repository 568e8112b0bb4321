//! Output folders are replaced as a whole: a run aborted or killed at any moment, two runs into
//! one folder at once, or files left behind by killed runs never leave a mix of two sets of
//! outputs; files that are not xjscan's are kept, and unusable folders are refused untouched.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{fixture, root, xjscan, xjscan_process};

/// Every file under a folder (`sub/name` for files in subfolders) with its bytes.
type Files = BTreeMap<String, Vec<u8>>;

fn files(dir: &Path) -> Files {
    let mut all = Files::new();
    collect(dir, "", &mut all);
    all
}

fn collect(dir: &Path, prefix: &str, all: &mut Files) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().into_string().unwrap());
        if entry.file_type().unwrap().is_dir() {
            collect(&entry.path(), &format!("{name}/"), all);
        } else {
            all.insert(name, std::fs::read(entry.path()).unwrap());
        }
    }
}

/// What xjscan runs left in `parent` (`.xjscan-…` entries), sorted.
fn leftovers(parent: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".xjscan-"))
        .collect();
    names.sort();
    names
}

/// Two scans whose outputs have the same kinds of files but different contents and letters.
#[derive(Clone, Copy, Debug)]
enum Input {
    /// The shipped example portfolio: 18 letters.
    A,
    /// The ownership fixture with its own reference tables: 8 other letters.
    B,
}

/// A scan of `input` with letters into the folder `out`, run from `out`'s parent (so that an
/// aborted run's core file, if the system writes one, lands in a temporary folder).
fn scan(input: Input, out: &Path) -> Command {
    let mut cmd = xjscan_process(out.parent().unwrap());
    cmd.arg("scan");
    match input {
        Input::A => cmd.arg(root().join("examples/portfolio.csv")),
        Input::B => cmd
            .arg(fixture("ownership/portfolio.csv"))
            .arg("--mappings")
            .arg(fixture("ownership/mappings")),
    };
    cmd.args(["--letters", "--out"])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn run_ok(input: Input, out: &Path) {
    let output = scan(input, out).output().unwrap();
    assert!(
        output.status.success(),
        "{input:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The complete set of files a scan of `input` writes into a new folder.
fn complete_set(input: Input) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(input, &out);
    files(&out)
}

/// A folder `out` in a new temporary folder, holding `set`.
fn folder_holding(set: &Files) -> (tempfile::TempDir, PathBuf) {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    std::fs::create_dir(&out).unwrap();
    for (name, bytes) in set {
        std::fs::write(out.join(name), bytes).unwrap();
    }
    (parent, out)
}

#[test]
fn a_run_aborted_after_staging_or_after_the_swap_leaves_one_whole_set() {
    if !cfg!(debug_assertions) {
        eprintln!("skipping: the failpoints exist in debug builds only");
        return;
    }
    let (a, b) = (complete_set(Input::A), complete_set(Input::B));
    assert_ne!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (point, expected) in [("after-stage", &a), ("after-swap", &b)] {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("out");
        run_ok(Input::A, &out);
        let aborted = scan(Input::B, &out)
            .env("XJSCAN_FAILPOINT", point)
            .output()
            .unwrap();
        assert_eq!(aborted.status.signal(), Some(6), "{point}: SIGABRT");
        assert_eq!(&files(&out), expected, "{point}");
        assert_eq!(
            leftovers(parent.path()).len(),
            1,
            "{point}: the staging folder"
        );
        // The next run removes what the aborted one left and writes its own set.
        run_ok(Input::B, &out);
        assert_eq!(files(&out), b, "{point}");
        assert_eq!(leftovers(parent.path()), Vec::<String>::new(), "{point}");
    }
}

#[test]
fn a_run_killed_at_any_moment_leaves_one_whole_set() {
    let (a, b) = (complete_set(Input::A), complete_set(Input::B));
    // How long one scan takes, to spread the kills from its middle to past its end, where the
    // folder is written.
    let (_parent, out) = folder_holding(&a);
    let start = Instant::now();
    run_ok(Input::B, &out);
    let duration = start.elapsed();
    let trials: u32 = 20;
    let mut ended_as_b = 0;
    for trial in 0..trials {
        let (parent, out) = folder_holding(&a);
        let mut child = scan(Input::B, &out).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(duration / 2 + duration * trial / (trials - 1));
        let _ = child.kill();
        child.wait().unwrap();
        let now = files(&out);
        assert!(now == a || now == b, "trial {trial}: a mix of both sets");
        ended_as_b += usize::from(now == b);
        // Whatever the kill left beside the folder, the next run clears away.
        run_ok(Input::B, &out);
        assert_eq!(files(&out), b, "trial {trial}");
        assert_eq!(leftovers(parent.path()), Vec::<String>::new());
    }
    eprintln!(
        "{trials} kills over {duration:?}: {ended_as_b} left the new set, {} the old",
        trials as usize - ended_as_b
    );
}

#[test]
fn two_runs_into_one_folder_leave_one_whole_set() {
    let (a, b) = (complete_set(Input::A), complete_set(Input::B));
    for trial in 0..10 {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("out");
        let first = scan(Input::A, &out).spawn().unwrap();
        let second = scan(Input::B, &out).spawn().unwrap();
        let waiting = format!(
            "waiting for another xjscan run writing into {}",
            parent.path().display()
        );
        for run in [first, second] {
            let output = run.wait_with_output().unwrap();
            let stderr = String::from_utf8(output.stderr).unwrap();
            assert!(output.status.success(), "trial {trial}: {stderr}");
            for line in stderr.lines().filter(|l| !l.starts_with("warning: ")) {
                assert_eq!(line, waiting, "trial {trial}");
            }
        }
        let now = files(&out);
        assert!(now == a || now == b, "trial {trial}: a mix of both sets");
        assert_eq!(leftovers(parent.path()), Vec::<String>::new());
    }
}

#[test]
fn a_run_waits_for_another_one_writing_into_the_same_parent_and_says_so() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    // This test holds the lock, as another run would.
    let lock = std::fs::File::open(parent.path()).unwrap();
    lock.lock().unwrap();
    let mut run = scan(Input::B, &out).spawn().unwrap();
    let mut stderr = BufReader::new(run.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert_eq!(
        line,
        format!(
            "waiting for another xjscan run writing into {}\n",
            parent.path().display()
        )
    );
    assert!(!out.exists(), "nothing is written while waiting");
    lock.unlock().unwrap();
    assert!(run.wait().unwrap().success());
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "the message is printed once");
    assert_eq!(files(&out), complete_set(Input::B));
}

#[test]
fn other_files_are_kept_and_stale_letters_and_old_temporaries_removed() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    run_ok(Input::A, &out);
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    // A temporary an earlier version left when it was killed.
    std::fs::write(out.join(".xjscan-Ab12Cd"), "half a report").unwrap();
    run_ok(Input::B, &out);
    let mut expected = complete_set(Input::B);
    expected.insert("notes.txt".into(), b"mine".to_vec());
    assert_eq!(files(&out), expected);
    // The XPCC is flagged in A only: its letter went with A's set.
    assert!(
        !out.join("letter-10-xinjiang-production-and-construction-corps.md")
            .exists()
    );
}

#[test]
fn out_naming_a_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f.txt"), "mine").unwrap();
    let output = xjscan(dir.path())
        .arg("scan")
        .arg(root().join("examples/portfolio.csv"))
        .args(["--out", "f.txt"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "error: f.txt: --out names a file; expected a folder (new or an earlier output folder)\n"
    );
    assert_eq!(std::fs::read(dir.path().join("f.txt")).unwrap(), b"mine");
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[test]
fn a_folder_holding_a_subfolder_is_refused_untouched() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    run_ok(Input::A, &out);
    std::fs::create_dir(out.join("drafts")).unwrap();
    std::fs::write(out.join("drafts/letter.md"), "draft").unwrap();
    let before = files(&out);
    let output = scan(Input::B, &out).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        format!(
            "error: {}: holds the subfolder `drafts`; an output folder is replaced as a whole and a subfolder would not be carried over, so nothing was written (move it elsewhere or choose another folder)\n",
            out.display()
        )
    );
    assert_eq!(files(&out), before);
    assert_eq!(leftovers(parent.path()), Vec::<String>::new());
}

#[test]
fn mappings_import_into_a_folder_keeps_its_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("m");
    std::fs::create_dir(&into).unwrap();
    for (name, bytes) in files(&root().join("mappings")) {
        std::fs::write(into.join(name), bytes).unwrap();
    }
    std::fs::write(into.join("notes.txt"), "mine").unwrap();
    let before = files(&into);
    let output = xjscan(dir.path())
        .args(["mappings", "import", "csv"])
        .arg(fixture("own_list.csv"))
        .args(["--into", "m"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let after = files(&into);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert_eq!(after["README.md"], before["README.md"]);
    assert_eq!(after["notes.txt"], b"mine");
    assert_ne!(after["entities.csv"], before["entities.csv"]);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());

    let output = xjscan(dir.path())
        .args(["mappings", "import", "csv"])
        .arg(fixture("own_list.csv"))
        .args(["--into", "m/notes.txt"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "error: m/notes.txt: --into names a file; expected a folder (new or an earlier output folder)\n"
    );
    assert_eq!(files(&into), after);
}
