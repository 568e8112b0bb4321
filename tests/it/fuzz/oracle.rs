//! The fuzzing contract: panics caught in-process and located in the crate's own source, the
//! built binary's exit status and outputs checked, and the panic classes already reported.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rust_decimal::Decimal;

/// Panic classes already reported and not yet fixed. A case that panics in one of these is
/// counted and its first input saved, but does not fail the run. Empty: every class found so
/// far (a 4096-byte window inside a character, Decimal overflows, polars on damaged Parquet,
/// calamine on overflowing cell references) is fixed, and its inputs are regressions below
/// `tests/fuzz/regressions/`; a new class goes here only while its fix is on its way.
pub const KNOWN_PANICS: &[Known] = &[];

/// A panic class: where in `src/` it happens (empty: anywhere) and words of its message.
#[derive(Debug, Clone, Copy)]
pub struct Known {
    pub name: &'static str,
    pub site: &'static str,
    pub message: &'static str,
}

/// A caught panic: where it was raised, the first frame in the crate's `src/`, and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    pub location: String,
    pub src_frame: Option<String>,
    pub message: String,
}

impl Panic {
    /// The crate source line to report: the raising line when it is in `src/`, else the first
    /// `src/` frame under it (a panic inside a dependency, called from the crate).
    pub fn site(&self) -> String {
        if self.location.starts_with("src/") {
            return self.location.clone();
        }
        let raised = dependency_path(&self.location);
        match &self.src_frame {
            Some(frame) => format!("{frame} (raised at {raised})"),
            None => raised,
        }
    }

    /// The known class this panic belongs to, if any.
    pub fn known(&self) -> Option<&'static Known> {
        let message = self.message.to_lowercase();
        KNOWN_PANICS.iter().find(|k| {
            let site_matches = k.site.is_empty()
                || self.location.contains(k.site)
                || self
                    .src_frame
                    .as_deref()
                    .is_some_and(|f| f.contains(k.site));
            site_matches && message.contains(k.message)
        })
    }
}

/// A dependency's source path from the crate name on (`polars-arrow-0.55.2/src/…`), without
/// the registry folder it was unpacked in.
fn dependency_path(location: &str) -> String {
    match location.find("/registry/src/") {
        Some(i) => {
            let rest = &location[i + "/registry/src/".len()..];
            rest.split_once('/')
                .map_or(rest, |(_, tail)| tail)
                .to_string()
        }
        None => location.to_string(),
    }
}

thread_local! {
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    static CAUGHT: RefCell<Option<Panic>> = const { RefCell::new(None) };
}

/// Cases being caught right now, on any test thread.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

/// A panic raised on a worker thread (polars runs readers on its own threads and re-raises
/// their panics on the caller without running the hook again): the first one since taken.
static STRAY: Mutex<Option<Panic>> = Mutex::new(None);

fn record(info: &std::panic::PanicHookInfo<'_>) -> Panic {
    let location = info
        .location()
        .map(|l| format!("{}:{}", l.file(), l.line()))
        .unwrap_or_default();
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_default();
    // Resolving a backtrace is slow: only for panics raised outside the crate.
    let src_frame = if location.starts_with("src/") {
        None
    } else {
        first_src_frame(&std::backtrace::Backtrace::force_capture().to_string())
    };
    Panic {
        location,
        src_frame,
        message,
    }
}

/// Test threads are named after their test (`fuzz::parquet`); workers are not.
fn on_worker_thread() -> bool {
    !std::thread::current()
        .name()
        .is_some_and(|n| n.contains("::"))
}

/// Installs, once, a panic hook that records panics raised inside [`catch`] (quietly) and
/// leaves every other panic to the default hook, so other tests print as usual.
fn install_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) {
                let panic = record(info);
                CAUGHT.with(|c| *c.borrow_mut() = Some(panic));
            } else if ACTIVE.load(Ordering::SeqCst) > 0 && on_worker_thread() {
                let panic = record(info);
                let mut stray = STRAY.lock().unwrap_or_else(|e| e.into_inner());
                stray.get_or_insert(panic);
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into `Err` with where it happened.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    install_hook();
    CATCHING.with(|c| c.set(true));
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    ACTIVE.fetch_sub(1, Ordering::SeqCst);
    CATCHING.with(|c| c.set(false));
    result.map_err(|_| {
        let stray = || STRAY.lock().unwrap_or_else(|e| e.into_inner()).take();
        CAUGHT
            .with(|c| c.borrow_mut().take())
            .or_else(stray)
            .unwrap_or(Panic {
                location: "unknown".into(),
                src_frame: None,
                message: "panic without a recorded location".into(),
            })
    })
}

/// The first frame of a printed backtrace that is the crate's own `src/` (not a dependency,
/// the standard library or the tests), as `src/...:line`.
pub fn first_src_frame(backtrace: &str) -> Option<String> {
    backtrace.lines().map(str::trim).find_map(|line| {
        let path = line.strip_prefix("at ")?;
        if path.contains("/.cargo/") || path.contains("/rustc/") || path.contains("/tests/") {
            return None;
        }
        let start = path.rfind("/src/").map(|i| i + 1).or_else(|| {
            let p = path.trim_start_matches("./");
            p.starts_with("src/").then(|| path.len() - p.len())
        })?;
        let frame = &path[start..];
        // `src/x.rs:12:5` → `src/x.rs:12`.
        Some(match frame.rsplit_once(':') {
            Some((head, _col)) if head.contains(".rs:") => head.to_string(),
            _ => frame.to_string(),
        })
    })
}

/// A panic as printed by the binary on stderr (`panicked at src/x.rs:1:2:\nmessage`), with the
/// backtrace that `RUST_BACKTRACE=1` adds.
pub fn panic_from_stderr(stderr: &str) -> Panic {
    let (location, message) = stderr
        .split_once("panicked at ")
        .map(|(_, rest)| {
            let (head, tail) = rest.split_once('\n').unwrap_or((rest, ""));
            let head = head.trim_end_matches(':');
            let location = match head.rsplit_once(':') {
                Some((loc, _col)) => loc.to_string(),
                None => head.to_string(),
            };
            (location, tail.lines().next().unwrap_or("").to_string())
        })
        .unwrap_or_else(|| ("unknown".into(), stderr.lines().last().unwrap_or("").into()));
    Panic {
        src_frame: first_src_frame(stderr),
        location,
        message,
    }
}

/// What the generator of a valid input knows independently of xjscan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub rows: u64,
    pub total: Decimal,
    /// 13F values may be read as thousands of dollars: the total then is `total × 1000`.
    pub thousands_allowed: bool,
}

impl Expected {
    pub fn value_matches(&self, value: Decimal) -> bool {
        value == self.total
            || (self.thousands_allowed
                && self.total.checked_mul(Decimal::from(1000)) == Some(value))
    }
}

/// How a case went.
#[derive(Debug)]
pub enum Verdict {
    /// Read and reported (exit 0), the contract holding.
    Accepted,
    /// Refused as bad input (exit 2), the contract holding.
    Refused,
    Panicked(Panic),
    /// The contract broken without a panic: a wrong exit, an unbalanced report, a hang.
    Broken(String),
}

/// The report the binary writes: a portfolio's, or a Form 13F data set's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Portfolio,
    Dataset,
}

/// Longest a binary case may run before it counts as a hang.
pub const BINARY_TIMEOUT: Duration = Duration::from_secs(20);

/// Runs `xjscan args… --out out` in `dir` and checks the contract: exit 0 with a balanced
/// report (matching `expected` when given), or exit 2 naming one of `names` on stderr with no
/// output folder; anything else is a failure.
pub fn run_binary(
    dir: &Path,
    args: &[std::ffi::OsString],
    names: &[String],
    kind: ReportKind,
    expected: Option<&Expected>,
) -> Verdict {
    let out = dir.join("out");
    let output = crate::xjscan(dir)
        .args(args)
        .arg("--out")
        .arg(&out)
        .env("RUST_BACKTRACE", "1")
        .timeout(BINARY_TIMEOUT)
        .output();
    let output = match output {
        Ok(o) => o,
        Err(e) => return Verdict::Broken(format!("binary did not finish: {e}")),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => check_report(&out, kind, expected),
        Some(2) => check_refusal(&out, &stderr, names),
        Some(101) => Verdict::Panicked(panic_from_stderr(&stderr)),
        code => {
            // An abort (a panic that cannot unwind) is a signal, not an exit code.
            let how = match (code, signal(&output.status)) {
                (Some(c), _) => format!("exit {c}"),
                (None, Some(s)) => format!("killed by signal {s}"),
                (None, None) => "no exit status".to_string(),
            };
            let panic = panic_from_stderr(&stderr);
            Verdict::Broken(format!(
                "{how}: {} ({})",
                panic.message,
                dependency_path(&panic.location)
            ))
        }
    }
}

#[cfg(unix)]
fn signal(status: &std::process::ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(status)
}

#[cfg(not(unix))]
fn signal(_: &std::process::ExitStatus) -> Option<i32> {
    None
}

fn check_refusal(out: &Path, stderr: &str, names: &[String]) -> Verdict {
    if out.exists() {
        return Verdict::Broken("exit 2 but the output folder was written".into());
    }
    if stderr.trim().is_empty() {
        return Verdict::Broken("exit 2 with nothing on stderr".into());
    }
    if !names.iter().any(|n| stderr.contains(n.as_str())) {
        return Verdict::Broken(format!(
            "exit 2 but stderr names none of {names:?}: {}",
            stderr.trim()
        ));
    }
    Verdict::Refused
}

fn check_report(out: &Path, kind: ReportKind, expected: Option<&Expected>) -> Verdict {
    let text = match std::fs::read_to_string(out.join("report.json")) {
        Ok(t) => t,
        Err(e) => return Verdict::Broken(format!("exit 0 without report.json: {e}")),
    };
    let json: serde_json::Value = match serde_json::from_str(&text) {
        Ok(j) => j,
        Err(e) => return Verdict::Broken(format!("report.json is not JSON: {e}")),
    };
    let problem = match kind {
        ReportKind::Portfolio => reconciliation_problem(&json["reconciliation"], expected),
        ReportKind::Dataset => dataset_problem(&json["exposure"], expected),
    };
    match problem {
        Some(p) => Verdict::Broken(p),
        None => Verdict::Accepted,
    }
}

fn dec(value: &serde_json::Value) -> Option<Decimal> {
    value.as_str().and_then(|s| s.parse().ok())
}

/// The buckets of `report.json` must add up to its input, in rows and in value.
fn reconciliation_problem(r: &serde_json::Value, expected: Option<&Expected>) -> Option<String> {
    const BUCKETS: [&str; 5] = ["flagged", "clear", "unresolved", "excluded", "rejected"];
    let rows: Option<u64> = BUCKETS.iter().map(|b| r[b]["rows"].as_u64()).sum();
    let value: Option<Decimal> = BUCKETS
        .iter()
        .map(|b| dec(&r[b]["value"]))
        .try_fold(Decimal::ZERO, |acc, v| acc.checked_add(v?));
    let (in_rows, in_value) = (r["input"]["rows"].as_u64(), dec(&r["input"]["value"]));
    if rows.is_none() || value.is_none() || in_rows.is_none() || in_value.is_none() {
        return Some(format!("report.json reconciliation is incomplete: {r}"));
    }
    if rows != in_rows || value != in_value || r["balanced"] != serde_json::Value::Bool(true) {
        return Some(format!("report.json reconciliation does not add up: {r}"));
    }
    let e = expected?;
    (in_rows != Some(e.rows) || !e.value_matches(in_value?)).then(|| {
        format!(
            "report.json input {in_rows:?} rows, {in_value:?} but the generator wrote {} rows totalling {}",
            e.rows, e.total
        )
    })
}

/// A data set's report: its row count where the generator knows it.
fn dataset_problem(exposure: &serde_json::Value, expected: Option<&Expected>) -> Option<String> {
    let rows = exposure["rows"].as_u64();
    if rows.is_none() || dec(&exposure["long_value"]).is_none() {
        return Some(format!("report.json exposure is incomplete: {exposure}"));
    }
    let e = expected?;
    (rows != Some(e.rows)).then(|| {
        format!(
            "data set report has {rows:?} rows; the generator wrote {}",
            e.rows
        )
    })
}

/// Where failing inputs are written for replay: `target/fuzz-crashes/`.
pub fn crash_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(|p| p.join("fuzz-crashes"))
        .unwrap_or_else(|| PathBuf::from("fuzz-crashes"))
}
