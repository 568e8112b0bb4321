//! The command line: parse arguments, run the command, print errors and map them to exit codes.
//!
//! Exit codes: 0 success, 1 internal or output failure, 2 usage error or unusable input,
//! 3 flagged exposure above `--fail-above`.

mod args;
mod clock;
mod eval;
mod fetch;
mod mappings;
mod resolve;
mod scan;
mod summary;
mod terminal;
mod update;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command, EvalArgs, ImportCommand, MappingsCommand, ScanArgs};

/// Exit status of a command that ran to completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Flagged exposure is above the `--fail-above` threshold.
    ThresholdExceeded,
}

/// A failure, with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl Failure {
    /// The user's input or flags cannot be used (exit 2).
    pub fn input(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            code: 2,
            error: error.into(),
        }
    }
    /// Anything else (exit 1).
    pub fn other(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            code: 1,
            error: error.into(),
        }
    }
}

/// A failure to write an output folder named with `flag`: a folder that cannot be used is the
/// user's to change (exit 2); a failure while writing is not (exit 1).
pub(crate) fn output_failure(flag: &str, e: crate::report::OutputError) -> Failure {
    match e {
        crate::report::OutputError::NotAFolder(path) => Failure::input(anyhow::anyhow!(
            "{}: {flag} names a file; expected a folder (new or an earlier output folder)",
            path.display()
        )),
        e if e.is_input_error() => Failure::input(e),
        e => Failure::other(e),
    }
}

/// The reference data a command uses: `--mappings DIR`, else the shipped tables with
/// `--shipped-data`, else the newest dated folder in the data directory, else the shipped tables.
pub(crate) fn reference_choice(
    mappings: Option<std::path::PathBuf>,
    shipped: bool,
) -> Result<crate::reference::Choice, Failure> {
    use crate::reference::{Choice, store};
    let data_dir = store::data_dir(None);
    let choice = Choice::resolve(mappings, shipped, data_dir.as_deref()).map_err(Failure::input)?;
    if let Choice::Updated(dir) = &choice
        && store::built_on_other_shipped_tables(dir)
    {
        // Still used (it is the newest data fetched), but the user should know what it lacks.
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        let _ = writeln!(
            std::io::stderr().lock(),
            "note: {name} was built on the shipped tables of another xjscan version; `xjscan mappings update` merges this version's"
        );
    }
    Ok(choice)
}

/// Writes the command's result to stdout; a closed pipe (`| head`) is not an error.
pub(crate) fn print_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(terminal::safe(text).as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::other(e)),
        _ => Ok(()),
    }
}

/// Parses `std::env::args` and runs.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::ThresholdExceeded) => ExitCode::from(3),
        Err(failure) => {
            let mut stderr = std::io::stderr().lock();
            let message = format!("{:#}", failure.error);
            let _ = writeln!(stderr, "error: {}", terminal::safe(&message));
            ExitCode::from(failure.code)
        }
    }
}

/// `xjscan disclosure-check FILINGS… --claims claims.csv`.
fn disclosure_check(args: args::DisclosureArgs) -> Result<Outcome, Failure> {
    let check = crate::disclosure::CheckArgs {
        filings: args.filings,
        claims: args.claims,
        claims_from_names: args.claims_from_names,
        claim_terms: args.claim_terms,
        sample: args.sample,
        seed: args.seed,
        // Updated data is named by its folder in the bundle, so a replay uses the same tables.
        mappings: reference_choice(args.mappings, args.shipped_data)?
            .dir()
            .map(std::path::Path::to_path_buf),
    };
    let outputs = crate::disclosure::run(&check).map_err(Failure::input)?;
    let files: Vec<(&str, String)> = outputs
        .iter()
        .map(|(n, t)| (n.as_str(), t.clone()))
        .collect();
    let written =
        crate::report::write_outputs(&args.out, &files).map_err(|e| output_failure("--out", e))?;
    let list: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    print_stdout(&format!("Wrote: {}\n", list.join(", ")))?;
    Ok(Outcome::Success)
}

/// `xjscan replay BUNDLE --out DIR`: exit 0 when every output is byte-identical, 1 otherwise.
fn replay(args: args::ReplayArgs) -> Result<Outcome, Failure> {
    // Replaying into the bundle's own folder would overwrite the evidence being checked.
    let bundle_dir = args
        .bundle
        .parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                std::path::Path::new(".")
            } else {
                p
            }
        })
        .and_then(|p| p.canonicalize().ok());
    if bundle_dir.is_some() && args.out.canonicalize().ok() == bundle_dir {
        return Err(Failure::input(anyhow::anyhow!(
            "--out {} is the bundle's own folder; replay into another folder",
            args.out.display()
        )));
    }
    let outputs = crate::disclosure::replay(&args.bundle).map_err(Failure::input)?;
    let files: Vec<(&str, String)> = outputs
        .iter()
        .map(|(n, t, _)| (n.as_str(), t.clone()))
        .collect();
    crate::report::write_outputs(&args.out, &files).map_err(|e| output_failure("--out", e))?;
    let differ: Vec<&str> = outputs
        .iter()
        .filter(|(_, _, same)| !same)
        .map(|(n, _, _)| n.as_str())
        .collect();
    if differ.is_empty() {
        print_stdout(&format!(
            "replayed {}: every output is identical to the bundle's ({} files)\n",
            crate::ingest::display_path(&args.bundle),
            outputs.len() - 1
        ))?;
        Ok(Outcome::Success)
    } else {
        Err(Failure::other(anyhow::anyhow!(
            "replay differs from the bundle in: {}",
            differ.join(", ")
        )))
    }
}

/// `xjscan diff OLD.json NEW.json`.
fn diff(args: args::DiffArgs) -> Result<Outcome, Failure> {
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p).map_err(|e| {
            Failure::input(anyhow::anyhow!(
                "cannot read {}: {e}",
                crate::ingest::display_path(p)
            ))
        })
    };
    let (old_name, new_name) = (
        crate::ingest::display_path(&args.old),
        crate::ingest::display_path(&args.new),
    );
    let d = crate::report::diff::diff(&old_name, &read(&args.old)?, &new_name, &read(&args.new)?)
        .map_err(Failure::input)?;
    let text = if args.json {
        let mut t = serde_json::to_string_pretty(&d).map_err(Failure::other)?;
        t.push('\n');
        t
    } else {
        crate::report::diff::render_markdown(&d)
    };
    print_stdout(&text)?;
    Ok(Outcome::Success)
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Outcome, Failure> {
    match cli.command {
        Command::Scan(args) => scan::run(*args),
        Command::Mappings(command) => mappings::run(command),
        Command::Eval(args) => eval::run(args),
        Command::Diff(args) => diff(args),
        Command::DisclosureCheck(args) => disclosure_check(args),
        Command::Replay(args) => replay(args),
        Command::Fetch(args) => fetch::run(*args),
        Command::Resolve(args) => resolve::run(*args),
    }
}
