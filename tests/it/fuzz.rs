//! Fuzzing every reader on stable Rust: seeds from the fixtures, the example, the shipped
//! tables and the real corpus, mutated; and valid inputs generated with known totals. Each case
//! runs in-process under `catch_unwind`, and a share through the built binary, against the
//! contract: exit 0 with a report that reconciles, or exit 2 naming the file with no output
//! folder written; never a panic, another exit code or a hang.
//!
//! `cargo test` runs a bounded campaign. Longer runs: `XJSCAN_FUZZ_CASES=N` (cases per reader),
//! `XJSCAN_FUZZ_SECONDS=S` (seconds per reader, instead), `XJSCAN_FUZZ_SEED=N` (another
//! sequence), `XJSCAN_FUZZ_BINARY_EVERY=N` (one mutated case in N through the binary),
//! `XJSCAN_FUZZ_ALL_FORMATS=1` (render every format in-process, not JSON alone). Failing
//! inputs are written to `target/fuzz-crashes/`; minimised ones belong in
//! `tests/fuzz/regressions/`, replayed by the tests at the end of this file.

mod generate;
mod mutate;
mod oracle;
mod workbook;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use xjscan::model::{Portfolio, ReferenceData};
use xjscan::report::{Format, ReportModel, Templates};
use xjscan::resolve::{Overrides, Resolver};

use generate::Input;
use oracle::{Expected, Panic, ReportKind, Verdict};

use crate::root;

/// The real files of the shared corpus used as seeds, by reader.
const CORPUS: &[&str] = &[
    "etf_csv/ishares_ACWI_2025_aijinnah.csv",
    "etf_csv/ishares_EEM_2022_ctanny_excel-resaved.csv",
    "etf_csv/ishares_URTH_2020-11-04_with-isin-cusip-sedol.csv",
    "etf_csv/vanguard_VT_2020-09-30_holdings-details.csv",
    "etf_xlsx/spdr_SPY_holdings-daily_onlyspx.xlsx",
    "13f_xml/LTS_One_0001894188-23-000007_fullsubmission.txt",
    "13f_xml/edgartools_13F-HR.infotable.xml",
    "13f_xml/filing13F_searcher_infotable_2.xml",
    "13f_xml/filing13F_searcher_infotable_3_ns1.xml",
    "13f_xml/sec_sample_information_table_ns1.xml",
    "nport_xml/GoldmanSachs_BondFund_2023-03_NPORT-P.xml",
    "nport_xml/PIMCO_Income_2026-03_NPORT-P_trimmed12.xml",
    "nport_xml/sec_sample_NPORT_1.xml",
];

/// Seeds are cut to this size (at a line or record boundary) so that a case stays fast.
const SEED_LIMIT: usize = 8 * 1024;

/// One case in this many is a generated valid input (when the reader has a generator).
const GENERATED_EVERY: u64 = 40;

/// How a run is sized, from the environment.
#[derive(Debug, Clone)]
struct Settings {
    cases: u64,
    seconds: Option<u64>,
    seed: u64,
    binary_every: u64,
}

impl Settings {
    fn from_env() -> Settings {
        let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
        Settings {
            cases: var("XJSCAN_FUZZ_CASES").unwrap_or(200),
            seconds: var("XJSCAN_FUZZ_SECONDS"),
            seed: var("XJSCAN_FUZZ_SEED").unwrap_or(0x5eed_2026),
            binary_every: var("XJSCAN_FUZZ_BINARY_EVERY").unwrap_or(100).max(1),
        }
    }

    fn more(&self, case: u64, started: Instant) -> bool {
        match self.seconds {
            Some(s) => started.elapsed() < Duration::from_secs(s),
            None => case < self.cases,
        }
    }
}

/// Runs the library on a case folder and its files: `Ok(true)` accepted, `Ok(false)` refused,
/// `Err` the contract broken without a panic.
type Check = fn(&Path, &[PathBuf], Option<&Expected>) -> Result<bool, String>;

/// A case's command line (before `--out`) and the names its errors may give.
type Command = fn(&[PathBuf]) -> (Vec<OsString>, Vec<String>);

/// A reader under test: its seeds, its generator, its in-process check and its command line.
struct Target {
    name: &'static str,
    seeds: fn() -> Vec<Input>,
    generate: Option<fn(&mut StdRng) -> Input>,
    check: Check,
    command: Command,
    kind: ReportKind,
}

// ---------------------------------------------------------------------------------------------
// Shared state: the shipped reference data, its resolver and the example portfolio.

fn data() -> &'static ReferenceData {
    static DATA: OnceLock<ReferenceData> = OnceLock::new();
    DATA.get_or_init(|| xjscan::reference::load_embedded().unwrap())
}

fn resolver() -> &'static Resolver<'static> {
    static RESOLVER: OnceLock<Resolver<'static>> = OnceLock::new();
    RESOLVER.get_or_init(|| Resolver::new(data()))
}

fn example_path() -> PathBuf {
    root().join("examples/portfolio.csv")
}

fn fx_holdings_path() -> PathBuf {
    root().join("tests/fixtures/fx/holdings.csv")
}

fn read_portfolio(path: &Path) -> Portfolio {
    xjscan::ingest::read_files("fuzz", &[path.to_path_buf()], &Default::default()).unwrap()
}

fn example_portfolio() -> &'static Portfolio {
    static P: OnceLock<Portfolio> = OnceLock::new();
    P.get_or_init(|| read_portfolio(&example_path()))
}

fn example_model() -> &'static ReportModel {
    static M: OnceLock<ReportModel> = OnceLock::new();
    M.get_or_init(|| {
        screen(example_portfolio(), data(), resolver(), None)
            .unwrap()
            .unwrap()
    })
}

/// The formats rendered in-process: every one for generated inputs and when
/// `XJSCAN_FUZZ_ALL_FORMATS` is set, else JSON alone. Markdown and HTML cost ten times more in a
/// debug build, and the cases run through the binary render them all anyway.
fn formats(generated: bool) -> &'static [Format] {
    static ALL: OnceLock<bool> = OnceLock::new();
    if generated || *ALL.get_or_init(|| std::env::var_os("XJSCAN_FUZZ_ALL_FORMATS").is_some()) {
        Format::ALL
    } else {
        &[Format::Json]
    }
}

/// The scan pipeline after ingest, as `scan::scan` runs it: `Ok(None)` when exposure refuses
/// the portfolio (an input error), `Err` when the report does not balance or fails to render.
fn screen(
    portfolio: &Portfolio,
    data: &ReferenceData,
    resolver: &Resolver<'_>,
    expected: Option<&Expected>,
) -> Result<Option<ReportModel>, String> {
    let resolutions = resolver.resolve_all(portfolio);
    let exposure =
        match xjscan::exposure::measure(portfolio, &resolutions, data, &Default::default()) {
            Ok(exposure) => exposure,
            Err(e) if expected.is_some() => {
                return Err(format!("a generated valid file was refused: {e}"));
            }
            Err(_) => return Ok(None),
        };
    let model = xjscan::report::build(portfolio, data, &resolutions, &exposure);
    xjscan::report::render_all(&model, formats(expected.is_some()), &Templates::default())
        .map_err(|e| format!("rendering failed (exit 1): {e}"))?;
    let r = &model.reconciliation;
    if !r.balanced {
        return Err(format!("reconciliation does not balance: {r:?}"));
    }
    if let Some(e) = expected
        && (r.input.rows != e.rows || !e.value_matches(r.input.value))
    {
        return Err(format!(
            "read {} rows totalling {}; the generator wrote {} rows totalling {}",
            r.input.rows, r.input.value, e.rows, e.total
        ));
    }
    Ok(Some(model))
}

// ---------------------------------------------------------------------------------------------
// In-process checks, one per kind of input.

fn check_holdings(
    _: &Path,
    files: &[PathBuf],
    expected: Option<&Expected>,
) -> Result<bool, String> {
    match xjscan::ingest::read_files("fuzz", files, &Default::default()) {
        Err(e) if expected.is_some() => Err(format!("a generated valid file was refused: {e}")),
        Err(_) => Ok(false),
        Ok(p) => Ok(screen(&p, data(), resolver(), expected)?.is_some()),
    }
}

fn check_dataset(dir: &Path, _: &[PathBuf], expected: Option<&Expected>) -> Result<bool, String> {
    let folder = dir.join("q");
    let Ok(files) = xjscan::ingest::sec_dataset::locate(&folder) else {
        return Ok(false);
    };
    let measured = match xjscan::exposure::dataset::measure(
        &files,
        data(),
        Overrides::default(),
        Default::default(),
    ) {
        Ok(m) => m,
        Err(e) if expected.is_some() => {
            return Err(format!("a generated data set was refused: {e}"));
        }
        Err(_) => return Ok(false),
    };
    if let Some(e) = expected
        && measured.rows != e.rows
    {
        return Err(format!(
            "data set read {} rows; the generator wrote {}",
            measured.rows, e.rows
        ));
    }
    let report = xjscan::report::dataset::build("q", "q", &data().meta, measured)
        .map_err(|e| format!("building the report failed (exit 1): {e}"))?;
    xjscan::report::dataset::render_all(&report, xjscan::report::Format::ALL)
        .map_err(|e| format!("rendering failed (exit 1): {e}"))?;
    Ok(true)
}

fn check_nport_dataset(dir: &Path, _: &[PathBuf], _: Option<&Expected>) -> Result<bool, String> {
    check_nport_folder(&dir.join("q"))
}

/// The published zip: unpacked (or refused), then read as its folder.
fn check_nport_zip(_: &Path, files: &[PathBuf], _: Option<&Expected>) -> Result<bool, String> {
    let Some(zip) = files.first() else {
        return Ok(false);
    };
    let Ok((folder, _unpacked)) = xjscan::ingest::nport_zip::dataset_folder(zip) else {
        return Ok(false);
    };
    check_nport_folder(&folder)
}

fn check_nport_folder(folder: &Path) -> Result<bool, String> {
    let Ok(files) = xjscan::ingest::nport_dataset::locate(folder) else {
        return Ok(false);
    };
    let Ok(measured) = xjscan::exposure::dataset::nport::measure(
        &files,
        data(),
        Overrides::default(),
        Default::default(),
    ) else {
        return Ok(false);
    };
    let report = xjscan::report::nport_dataset::build("q", "q", &data().meta, measured)
        .map_err(|e| format!("building the report failed (exit 1): {e}"))?;
    xjscan::report::nport_dataset::render_all(&report, xjscan::report::Format::ALL)
        .map_err(|e| format!("rendering failed (exit 1): {e}"))?;
    Ok(true)
}

fn check_mappings(dir: &Path, _: &[PathBuf], _: Option<&Expected>) -> Result<bool, String> {
    let Ok(data) = xjscan::reference::load_dir(&dir.join("mappings")) else {
        return Ok(false);
    };
    let resolver = Resolver::new(&data);
    Ok(screen(example_portfolio(), &data, &resolver, None)?.is_some())
}

fn check_overrides(_: &Path, files: &[PathBuf], _: Option<&Expected>) -> Result<bool, String> {
    let Ok(text) = std::fs::read_to_string(&files[0]) else {
        return Ok(false);
    };
    let Ok(overrides) = xjscan::resolve::overrides::parse("overrides.csv", &text, data()) else {
        return Ok(false);
    };
    let resolver = Resolver::with_overrides(data(), overrides);
    Ok(screen(example_portfolio(), data(), &resolver, None)?.is_some())
}

fn check_fx(_: &Path, files: &[PathBuf], _: Option<&Expected>) -> Result<bool, String> {
    let Ok(text) = std::fs::read_to_string(&files[0]) else {
        return Ok(false);
    };
    let Ok(rates) = xjscan::exposure::fx::parse("rates.csv", &text, "USD") else {
        return Ok(false);
    };
    let mut portfolio = read_portfolio(&fx_holdings_path());
    if xjscan::exposure::fx::convert(&mut portfolio, &rates).is_err() {
        return Ok(false);
    }
    Ok(screen(&portfolio, data(), resolver(), None)?.is_some())
}

fn check_config(_: &Path, files: &[PathBuf], _: Option<&Expected>) -> Result<bool, String> {
    let Ok(text) = std::fs::read_to_string(&files[0]) else {
        return Ok(false);
    };
    let Ok(config) = xjscan::config::parse(&files[0], &text) else {
        return Ok(false);
    };
    let templates = Templates::default();
    xjscan::report::letters::render_letters(
        example_model(),
        &config.sender,
        &config.letters,
        &templates.letters,
    )
    .map(|_| true)
    .map_err(|e| format!("letters failed to render (exit 1): {e}"))
}

// ---------------------------------------------------------------------------------------------
// Command lines.

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

fn file_names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect()
}

fn holdings_command(files: &[PathBuf]) -> (Vec<OsString>, Vec<String>) {
    let mut args = os(&["scan"]);
    args.extend(files.iter().map(|f| f.as_os_str().to_owned()));
    (args, file_names(files))
}

fn dataset_command(_: &[PathBuf]) -> (Vec<OsString>, Vec<String>) {
    (os(&["scan", "q"]), vec!["q".into()])
}

/// `scan examples/portfolio.csv FLAG FILE`: errors may name the flag's file or the example.
fn with_example(flag: &str, file: &str) -> (Vec<OsString>, Vec<String>) {
    let mut args = os(&["scan"]);
    args.push(example_path().into_os_string());
    args.extend(os(&[flag, file]));
    (args, vec![file.into(), "portfolio.csv".into()])
}

fn mappings_command(_: &[PathBuf]) -> (Vec<OsString>, Vec<String>) {
    with_example("--mappings", "mappings")
}

fn overrides_command(_: &[PathBuf]) -> (Vec<OsString>, Vec<String>) {
    with_example("--overrides", "overrides.csv")
}

fn config_command(_: &[PathBuf]) -> (Vec<OsString>, Vec<String>) {
    let (mut args, names) = with_example("--config", "xjscan.toml");
    args.push("--letters".into());
    (args, names)
}

fn fx_command(_: &[PathBuf]) -> (Vec<OsString>, Vec<String>) {
    let mut args = os(&["scan"]);
    args.push(fx_holdings_path().into_os_string());
    args.extend(os(&["--fx", "rates.csv"]));
    (args, vec!["rates.csv".into(), "holdings.csv".into()])
}

// ---------------------------------------------------------------------------------------------
// Seeds.

/// Files under `dir` (recursively) whose names end with one of `extensions`.
fn files_under(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path, extensions));
        } else if extensions
            .iter()
            .any(|e| path.to_string_lossy().ends_with(e))
        {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The corpus files present, by prefix; missing ones fail under CI (all listed at once) and are
/// reported as skipped elsewhere.
fn corpus(prefix: &str) -> Vec<PathBuf> {
    let base = root().join("../shared/corpus");
    let (present, missing): (Vec<_>, Vec<_>) = CORPUS
        .iter()
        .filter(|f| f.starts_with(prefix))
        .map(|f| base.join(f))
        .partition(|p| p.is_file());
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|p| p.display().to_string()).collect();
        if std::env::var_os("CI").is_some() {
            panic!("corpus files missing and CI is set: {}", list.join(", "));
        }
        eprintln!(
            "skipping missing corpus seeds (the corpus sits beside the project in ../shared/corpus): {}",
            list.join(", ")
        );
    }
    present
}

/// A seed from a file, cut to [`SEED_LIMIT`] at a line or record boundary.
fn seed(path: &Path, case_name: &str) -> Input {
    let bytes = std::fs::read(path).unwrap();
    let origin = path
        .strip_prefix(root())
        .or_else(|_| path.strip_prefix(root().join("../shared")))
        .unwrap_or(path)
        .display()
        .to_string();
    Input {
        origin,
        files: vec![(case_name.into(), shrink(bytes))],
        expected: None,
    }
}

/// Keeps a large text seed's head and tail: the head up to a record end before the limit,
/// then the file from its last record end on (an XML file keeps its closing tags).
fn shrink(bytes: Vec<u8>) -> Vec<u8> {
    if bytes.len() <= SEED_LIMIT || bytes.starts_with(b"PK") {
        return bytes;
    }
    let head = &bytes[..SEED_LIMIT];
    for close in [&b"</infoTable>"[..], b"</ns1:infoTable>", b"</invstOrSec>"] {
        let last_in_head = head.windows(close.len()).rposition(|w| w == close);
        let last = bytes.windows(close.len()).rposition(|w| w == close);
        if let (Some(h), Some(l)) = (last_in_head, last) {
            return [&bytes[..h + close.len()], &bytes[l + close.len()..]].concat();
        }
    }
    let cut = head
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(SEED_LIMIT, |i| i + 1);
    bytes[..cut].to_vec()
}

fn name_of(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

fn delimited_seeds() -> Vec<Input> {
    let mut paths = files_under(&root().join("tests/fixtures"), &[".csv", ".tsv"]);
    paths.push(example_path());
    paths.extend(corpus("etf_csv/"));
    paths.iter().map(|p| seed(p, &name_of(p))).collect()
}

fn workbook_seeds() -> Vec<Input> {
    let mut paths = files_under(&root().join("tests/fixtures"), &[".xlsx", ".ods", ".xls"]);
    paths.extend(corpus("etf_xlsx/"));
    paths.iter().map(|p| seed(p, &name_of(p))).collect()
}

fn sec13f_seeds() -> Vec<Input> {
    let mut paths: Vec<PathBuf> = files_under(&root().join("tests/fixtures/edgar"), &[".xml"])
        .into_iter()
        .filter(|p| !name_of(p).starts_with("primary_doc"))
        .collect();
    paths.extend(
        corpus("13f_xml/")
            .into_iter()
            .filter(|p| name_of(p).ends_with(".xml")),
    );
    paths.iter().map(|p| seed(p, "infotable.xml")).collect()
}

fn edgar_seeds() -> Vec<Input> {
    let mut seeds: Vec<Input> = corpus("13f_xml/")
        .iter()
        .filter(|p| name_of(p).ends_with(".txt"))
        .map(|p| seed(p, "submission.txt"))
        .collect();
    let mut rng = StdRng::seed_from_u64(1);
    seeds.push(generate::edgar_submission(&mut rng));
    seeds
}

fn nport_seeds() -> Vec<Input> {
    let mut seeds: Vec<Input> = corpus("nport_xml/")
        .iter()
        .map(|p| seed(p, "nport.xml"))
        .collect();
    seeds.push(generate::nport(&mut StdRng::seed_from_u64(1)));
    seeds
}

fn generated_seeds(generator: fn(&mut StdRng) -> Input) -> Vec<Input> {
    (0..4)
        .map(|i| generator(&mut StdRng::seed_from_u64(i)))
        .collect()
}

fn dataset_seeds() -> Vec<Input> {
    generated_seeds(generate::dataset)
}

fn nport_dataset_seeds() -> Vec<Input> {
    vec![Input {
        origin: "tests/it/nport_dataset.rs (the hand-made fixture)".into(),
        files: crate::nport_dataset::fixture_files(),
        expected: None,
    }]
}

/// The fixture zipped as the SEC publishes a quarter.
fn nport_zip_seeds() -> Vec<Input> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in crate::nport_dataset::fixture_files() {
        zip.start_file(name.trim_start_matches("q/"), options)
            .unwrap();
        zip.write_all(&bytes).unwrap();
    }
    vec![Input {
        origin: "tests/it/nport_dataset.rs (the hand-made fixture, zipped)".into(),
        files: vec![("q.zip".into(), zip.finish().unwrap().into_inner())],
        expected: None,
    }]
}

fn parquet_seeds() -> Vec<Input> {
    generated_seeds(generate::parquet)
}

/// Every file of a reference folder, as `mappings/NAME`.
fn folder_seed(dir: &Path) -> Input {
    let files = files_under(dir, &[".csv"])
        .iter()
        .map(|p| {
            (
                format!("mappings/{}", name_of(p)),
                std::fs::read(p).unwrap(),
            )
        })
        .collect();
    Input {
        origin: dir
            .strip_prefix(root())
            .unwrap_or(dir)
            .display()
            .to_string(),
        files,
        expected: None,
    }
}

fn mappings_seeds() -> Vec<Input> {
    [
        "mappings",
        "tests/fixtures/ownership/mappings",
        "tests/fixtures/hostile/mappings",
    ]
    .iter()
    .map(|d| folder_seed(&root().join(d)))
    .collect()
}

fn generate_mappings(rng: &mut StdRng) -> Input {
    generate::mappings(rng, &folder_seed(&root().join("mappings")).files)
}

fn overrides_seeds() -> Vec<Input> {
    let mut seeds: Vec<Input> = [
        "mappings/overrides.csv",
        "tests/fixtures/ownership/mappings/overrides.csv",
    ]
    .iter()
    .map(|p| seed(&root().join(p), "overrides.csv"))
    .collect();
    seeds.extend(generated_seeds(generate::overrides));
    seeds
}

fn fx_seeds() -> Vec<Input> {
    let mut seeds = vec![seed(
        &root().join("tests/fixtures/fx/rates.csv"),
        "rates.csv",
    )];
    seeds.extend(generated_seeds(generate::fx));
    seeds
}

fn config_seeds() -> Vec<Input> {
    let mut seeds = vec![seed(
        &root().join("tests/fixtures/letters/xjscan.toml"),
        "xjscan.toml",
    )];
    seeds.extend(generated_seeds(generate::config));
    seeds
}

// ---------------------------------------------------------------------------------------------
// The targets.

const fn holdings(
    name: &'static str,
    seeds: fn() -> Vec<Input>,
    generate: Option<fn(&mut StdRng) -> Input>,
) -> Target {
    Target {
        name,
        seeds,
        generate,
        check: check_holdings,
        command: holdings_command,
        kind: ReportKind::Portfolio,
    }
}

const fn with_example_target(
    name: &'static str,
    seeds: fn() -> Vec<Input>,
    generate: fn(&mut StdRng) -> Input,
    check: Check,
    command: Command,
) -> Target {
    Target {
        name,
        seeds,
        generate: Some(generate),
        check,
        command,
        kind: ReportKind::Portfolio,
    }
}

const DELIMITED: Target = holdings("delimited", delimited_seeds, Some(generate::delimited));
const WORKBOOK: Target = holdings("workbook", workbook_seeds, Some(workbook::xlsx));
const SEC13F: Target = holdings("sec13f", sec13f_seeds, Some(generate::sec13f));
const EDGAR: Target = holdings("edgar", edgar_seeds, Some(generate::edgar_submission));
const NPORT: Target = holdings("nport", nport_seeds, Some(generate::nport));
const PARQUET: Target = holdings("parquet", parquet_seeds, Some(generate::parquet));
const DATASET: Target = Target {
    name: "dataset",
    seeds: dataset_seeds,
    generate: Some(generate::dataset),
    check: check_dataset,
    command: dataset_command,
    kind: ReportKind::Dataset,
};
const NPORT_DATASET: Target = Target {
    name: "nport-dataset",
    seeds: nport_dataset_seeds,
    generate: None,
    check: check_nport_dataset,
    command: dataset_command,
    kind: ReportKind::Dataset,
};
const NPORT_ZIP: Target = Target {
    name: "nport-zip",
    seeds: nport_zip_seeds,
    generate: None,
    check: check_nport_zip,
    command: holdings_command,
    kind: ReportKind::Dataset,
};
const MAPPINGS: Target = with_example_target(
    "mappings",
    mappings_seeds,
    generate_mappings,
    check_mappings,
    mappings_command,
);
const OVERRIDES: Target = with_example_target(
    "overrides",
    overrides_seeds,
    generate::overrides,
    check_overrides,
    overrides_command,
);
const FX: Target = with_example_target("fx", fx_seeds, generate::fx, check_fx, fx_command);
const CONFIG: Target = with_example_target(
    "config",
    config_seeds,
    generate::config,
    check_config,
    config_command,
);

const TARGETS: &[&Target] = &[
    &DELIMITED,
    &WORKBOOK,
    &SEC13F,
    &EDGAR,
    &NPORT,
    &PARQUET,
    &DATASET,
    &NPORT_DATASET,
    &MAPPINGS,
    &OVERRIDES,
    &FX,
    &CONFIG,
];

// ---------------------------------------------------------------------------------------------
// The driver.

/// A case that broke the contract (or panicked in a known way), and where its input was saved.
#[derive(Debug)]
struct Finding {
    key: String,
    detail: String,
    saved: PathBuf,
    count: u64,
}

#[derive(Debug, Default)]
struct Tally {
    cases: u64,
    generated: u64,
    binary: u64,
    accepted: u64,
    refused: u64,
    failures: BTreeMap<String, Finding>,
    known: BTreeMap<String, Finding>,
}

/// A mutated seed, or now and then a generated valid input.
fn next_input(target: &Target, seeds: &[Input], rng: &mut StdRng) -> (Input, String, bool) {
    if let Some(generate) = target.generate
        && rng.random_range(0..GENERATED_EVERY) == 0
    {
        return (generate(rng), "none (generated valid input)".into(), true);
    }
    let mut input = seeds.choose(rng).unwrap().clone();
    // A mutated file is no longer the one whose total a generator knew.
    input.expected = None;
    let partner = seeds.choose(rng).unwrap();
    let which = rng.random_range(0..input.files.len());
    let other = &partner.files[rng.random_range(0..partner.files.len())].1;
    let (path, bytes) = &mut input.files[which];
    // A workbook's XML is mutated inside the ZIP half the time, so the sheet reader sees it.
    if target.name == "workbook"
        && rng.random_bool(0.5)
        && let Some((zipped, how)) = workbook::mutate_entry(rng, bytes, other)
    {
        *bytes = zipped;
        let how = format!("{how} of {path}");
        return (input, how, false);
    }
    let mutation = format!("{} on {path}", mutate::mutate(rng, bytes, other));
    (input, mutation, false)
}

/// Writes a case's files into `dir`; returns the paths of its files.
fn write_case(dir: &Path, input: &Input) -> Vec<PathBuf> {
    let _ = std::fs::remove_dir_all(dir);
    input
        .files
        .iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect()
}

/// Which ways a case runs.
#[derive(Debug, Clone, Copy)]
struct Routes {
    in_process: bool,
    binary: bool,
}

/// Runs one case in-process and/or through the binary. `note` (how the case was made) is
/// written beside its files first, so a case that aborts the process can be found again.
fn run_case(
    target: &Target,
    dir: &Path,
    input: &Input,
    note: &str,
    routes: Routes,
) -> Vec<(&'static str, Verdict)> {
    let files = write_case(dir, input);
    let note = format!("reader: {}\nseed: {}\n{note}\n", target.name, input.origin);
    std::fs::write(dir.join("CASE.txt"), note).unwrap();
    let expected = input.expected.as_ref();
    let mut verdicts = Vec::new();
    if routes.in_process {
        let verdict = match oracle::catch(|| (target.check)(dir, &files, expected)) {
            Ok(Ok(true)) => Verdict::Accepted,
            Ok(Ok(false)) => Verdict::Refused,
            Ok(Err(problem)) => Verdict::Broken(problem),
            Err(panic) => Verdict::Panicked(panic),
        };
        verdicts.push(("in-process", verdict));
    }
    if routes.binary {
        let (args, names) = (target.command)(&files);
        verdicts.push((
            "binary",
            oracle::run_binary(dir, &args, &names, target.kind, expected),
        ));
    }
    verdicts
}

/// Saves a failing input under `target/fuzz-crashes/TARGET/KEY/` with how it was made.
fn save(target: &Target, key: &str, input: &Input, note: &str) -> PathBuf {
    let slug: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    // Keys differing only past the cut are told apart by a hash of the whole key.
    let hash = key
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
    let dir = oracle::crash_dir()
        .join(target.name)
        .join(format!("{}-{hash:08x}", &slug[..slug.len().min(72)]));
    write_case(&dir, input);
    std::fs::write(dir.join("CASE.txt"), note).unwrap();
    dir
}

fn record(
    tally: &mut Tally,
    target: &Target,
    input: &Input,
    how: &str,
    route: &str,
    verdict: Verdict,
) {
    let (key, detail, known) = match verdict {
        Verdict::Accepted => return tally.accepted += 1,
        Verdict::Refused => return tally.refused += 1,
        Verdict::Panicked(p) => panic_key(&p),
        Verdict::Broken(problem) => {
            let class: String = problem.chars().take_while(|c| *c != ':').take(60).collect();
            (format!("broken ({route}): {class}"), problem, false)
        }
    };
    let findings = if known {
        &mut tally.known
    } else {
        &mut tally.failures
    };
    if let Some(f) = findings.get_mut(&key) {
        f.count += 1;
        return;
    }
    let note = format!(
        "reader: {}\nseed: {}\nmutation: {how}\nroute: {route}\nfinding: {key}\n{detail}\n\
         replay: copy these files into tests/fuzz/regressions/{}/\n",
        target.name, input.origin, target.name
    );
    eprintln!(
        "fuzz {}: {key}\n  {detail}\n  seed {} / {how}",
        target.name, input.origin
    );
    let saved = save(target, &key, input, &note);
    findings.insert(
        key.clone(),
        Finding {
            key,
            detail,
            saved,
            count: 1,
        },
    );
}

fn panic_key(p: &Panic) -> (String, String, bool) {
    let known = p.known();
    let key = match known {
        Some(k) => format!("known panic {} at {}", k.name, p.site()),
        None => format!("panic at {}", p.site()),
    };
    (key, p.message.clone(), known.is_some())
}

/// The folder a reader's cases run in: `target/fuzz-work/READER/`. A case that aborts the
/// process (no unwinding, so no `catch_unwind`) leaves its input there; the next run moves it
/// to `target/fuzz-crashes/READER/aborted-…` and says so.
fn in_flight_dir(target: &Target) -> PathBuf {
    let work = oracle::crash_dir()
        .with_file_name("fuzz-work")
        .join(target.name);
    if work.exists() {
        let kept = oracle::crash_dir()
            .join(target.name)
            .join(format!("aborted-{}", std::process::id()));
        std::fs::create_dir_all(kept.parent().unwrap()).unwrap();
        if std::fs::rename(&work, &kept).is_ok() {
            eprintln!(
                "fuzz {}: an earlier run stopped during a case (aborted?); its input is in {}",
                target.name,
                kept.display()
            );
        }
    }
    work
}

/// Runs a reader's campaign and fails listing every distinct finding not already known.
fn campaign(target: &Target) {
    let settings = Settings::from_env();
    let seeds = (target.seeds)();
    assert!(!seeds.is_empty(), "{}: no seeds", target.name);
    let mut rng = StdRng::seed_from_u64(
        settings.seed
            ^ target
                .name
                .bytes()
                .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b.into())),
    );
    let dir = in_flight_dir(target);
    let mut tally = Tally::default();
    let started = Instant::now();
    while settings.more(tally.cases, started) {
        let (input, how, generated) = next_input(target, &seeds, &mut rng);
        let via_binary =
            generated || tally.cases % settings.binary_every == settings.binary_every - 1;
        tally.generated += u64::from(generated);
        tally.binary += u64::from(via_binary);
        let how = format!("case {} (seed {:#x}): {how}", tally.cases, settings.seed);
        let routes = Routes {
            in_process: true,
            binary: via_binary,
        };
        for (route, verdict) in run_case(target, &dir, &input, &how, routes) {
            record(&mut tally, target, &input, &how, route, verdict);
        }
        tally.cases += 1;
    }
    let _ = std::fs::remove_dir_all(&dir);
    summarise(target, &tally, started.elapsed());
}

fn summarise(target: &Target, tally: &Tally, elapsed: Duration) {
    eprintln!(
        "fuzz {}: {} cases ({} generated, {} through the binary) in {:.1?}: {} accepted, {} refused, {} known panic classes, {} failures",
        target.name,
        tally.cases,
        tally.generated,
        tally.binary,
        elapsed,
        tally.accepted,
        tally.refused,
        tally.known.len(),
        tally.failures.len()
    );
    for f in tally.known.values() {
        eprintln!(
            "  {} ×{} (first input: {})",
            f.key,
            f.count,
            f.saved.display()
        );
    }
    let failures: Vec<String> = tally
        .failures
        .values()
        .map(|f| {
            format!(
                "{} ×{}: {}\n    input saved in {}",
                f.key,
                f.count,
                f.detail,
                f.saved.display()
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "fuzz {}: {} distinct failures:\n  {}",
        target.name,
        failures.len(),
        failures.join("\n  ")
    );
}

#[test]
fn delimited() {
    campaign(&DELIMITED);
}

#[test]
fn workbook() {
    campaign(&WORKBOOK);
}

#[test]
fn sec13f_xml() {
    campaign(&SEC13F);
}

#[test]
fn edgar_submission() {
    campaign(&EDGAR);
}

#[test]
fn nport_xml() {
    campaign(&NPORT);
}

#[test]
fn parquet() {
    campaign(&PARQUET);
}

#[test]
fn form13f_dataset() {
    campaign(&DATASET);
}

#[test]
fn nport_dataset() {
    campaign(&NPORT_DATASET);
}

#[test]
fn nport_dataset_zip() {
    campaign(&NPORT_ZIP);
}

#[test]
fn reference_tables() {
    campaign(&MAPPINGS);
}

#[test]
fn overrides() {
    campaign(&OVERRIDES);
}

#[test]
fn fx_rates() {
    campaign(&FX);
}

#[test]
fn config() {
    campaign(&CONFIG);
}

// ---------------------------------------------------------------------------------------------
// Regressions: `tests/fuzz/regressions/READER/NAME` (a file, or a folder laid out as a case),
// each run in-process and through the binary; any panic fails, known class or not.

fn regression_target(reader: &str) -> &'static Target {
    TARGETS
        .iter()
        .find(|t| t.name == reader)
        .unwrap_or_else(|| panic!("tests/fuzz/regressions/{reader}: no such reader"))
}

/// Replays one saved input; `Err` describes how it still breaks the contract.
fn replay(reader: &str, name: &str) -> Result<(), String> {
    let target = regression_target(reader);
    let path = root()
        .join("tests/fuzz/regressions")
        .join(reader)
        .join(name);
    let files = if path.is_dir() {
        files_under(&path, &[""])
            .iter()
            .map(|f| {
                (
                    f.strip_prefix(&path).unwrap().display().to_string(),
                    std::fs::read(f).unwrap(),
                )
            })
            .collect()
    } else {
        vec![(name.to_string(), std::fs::read(&path).unwrap())]
    };
    let input = Input {
        origin: name.into(),
        files,
        expected: None,
    };
    let work = tempfile::tempdir().unwrap();
    // An input that aborts the process cannot be caught in-process: the binary alone runs it.
    let routes = Routes {
        in_process: !name.contains("-aborts-"),
        binary: true,
    };
    let problems: Vec<String> = run_case(target, &work.path().join("case"), &input, "", routes)
        .into_iter()
        .filter_map(|(route, verdict)| match verdict {
            Verdict::Accepted | Verdict::Refused => None,
            Verdict::Panicked(p) => Some(format!("{route}: panic at {}: {}", p.site(), p.message)),
            Verdict::Broken(b) => Some(format!("{route}: {b}")),
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Every file in the regressions folder has a test below, so none is forgotten.
#[test]
fn every_regression_input_is_replayed() {
    let listed: Vec<String> = REGRESSIONS
        .iter()
        .map(|(r, n)| format!("{r}/{n}"))
        .collect();
    let dir = root().join("tests/fuzz/regressions");
    for reader in std::fs::read_dir(&dir).unwrap().flatten() {
        for entry in std::fs::read_dir(reader.path()).unwrap().flatten() {
            let name = format!(
                "{}/{}",
                reader.file_name().to_string_lossy(),
                entry.file_name().to_string_lossy()
            );
            assert!(
                listed.contains(&name),
                "tests/fuzz/regressions/{name} is not replayed by a test in fuzz.rs"
            );
        }
    }
}

macro_rules! regressions {
    ($( $(#[$attr:meta])* $test:ident: $reader:literal / $name:literal, )*) => {
        const REGRESSIONS: &[(&str, &str)] = &[$(($reader, $name)),*];
        $(
            #[test]
            $(#[$attr])*
            fn $test() {
                if let Err(problems) = replay($reader, $name) {
                    panic!("tests/fuzz/regressions/{}/{} still fails:\n{problems}", $reader, $name);
                }
            }
        )*
    };
}

// Inputs that once crashed a reader, replayed on every run: each must now be a clean error or a
// balanced report.
regressions! {
    utf8_name_across_byte_4096: "delimited" / "utf8-name-across-byte-4096.csv",
    utf16le_name_across_byte_4096: "delimited" / "utf16le-name-across-byte-4096.csv",
    sum_of_values_overflows_decimal: "delimited" / "sum-of-values-overflows-decimal.csv",
    thousands_rule_overflows_decimal: "edgar" / "thousands-rule-overflows-decimal.txt",
    rate_times_value_overflows_decimal: "fx" / "rate-times-value-overflows-decimal.csv",
    sec13f_sum_of_values_overflows_decimal: "sec13f" / "sum-of-values-overflows-decimal.xml",
    corrupt_bit_packed_page_panics_in_polars: "parquet" / "corrupt-bit-packed-page-panics-in-polars.parquet",
    damaged_page_fails_bitmap_assertion_in_polars: "parquet" / "damaged-page-fails-bitmap-assertion-in-polars.parquet",
    row_group_range_past_end_aborts_in_polars: "parquet" / "row-group-range-past-end-aborts-in-polars.parquet",
    bad_thrift_bool_in_footer_panics_in_polars: "parquet" / "bad-thrift-bool-in-footer-panics-in-polars.parquet",
    cell_row_number_overflows_in_calamine: "workbook" / "cell-row-number-overflows-in-calamine.xlsx",
    cell_column_letters_overflow_in_calamine: "workbook" / "cell-column-letters-overflow-in-calamine.xlsx",
}
