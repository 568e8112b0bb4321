//! `xjscan scan`: turns flags into `ScanOptions`, runs the pipeline, writes the outputs and
//! prints the terminal summary.

use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

use anyhow::anyhow;
use rust_decimal::Decimal;

use super::args::ScanArgs;
use super::summary;
use super::{Failure, Outcome};
use crate::exposure::ExposureOptions;
use crate::ingest::{self, ColumnSpec, IngestOptions, parse_amount};
use crate::report::{self, Format};
use crate::scan::{self, ScanOptions};

/// Settings resolved from the flags, before anything is read.
struct Settings {
    options: ScanOptions,
    /// How URL inputs are downloaded.
    net: super::args::NetArgs,
    out: PathBuf,
    fail_above: Option<Decimal>,
}

fn settings(args: ScanArgs) -> Result<Settings, Failure> {
    let formats = args
        .format
        .iter()
        .filter(|f| !f.trim().is_empty())
        .map(|f| Format::from_str(f))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::input(anyhow!("--format: {e}")))?;
    let mut formats_sorted = formats;
    formats_sorted.sort();
    formats_sorted.dedup();
    if formats_sorted.is_empty() {
        return Err(Failure::input(anyhow!(
            "--format: no format given; expected md, html, json or csv"
        )));
    }
    let amount = |flag: &str, raw: &str| -> Result<Decimal, Failure> {
        match parse_amount(raw, ingest::DecimalMark::Either) {
            ingest::Amount::Value(v) => Ok(v),
            _ => Err(Failure::input(anyhow!("{flag}: `{raw}` is not a number"))),
        }
    };
    let nav = args
        .nav
        .as_deref()
        .map(|n| amount("--nav", n))
        .transpose()?;
    if let Some(nav) = nav
        && nav.abs() > crate::model::money::LIMIT
    {
        return Err(Failure::input(anyhow!(
            "--nav: `{nav}` is more than xjscan adds up exactly (at most 10^26)"
        )));
    }
    let fail_above = args
        .fail_above
        .as_deref()
        .map(|p| amount("--fail-above", p.trim_end_matches('%')))
        .transpose()?;
    // A limit outside 0–100 could never, or would always, be exceeded: a typo, not a policy.
    if let Some(limit) = fail_above
        && (limit < Decimal::ZERO || limit > Decimal::ONE_HUNDRED)
    {
        return Err(Failure::input(anyhow!(
            "--fail-above: `{limit}` is not a percentage between 0 and 100"
        )));
    }
    let columns = match &args.columns {
        Some(spec) => {
            ColumnSpec::from_str(spec).map_err(|e| Failure::input(anyhow!("--columns: {e}")))?
        }
        None => ColumnSpec::default(),
    };
    let encoding = args
        .encoding
        .as_deref()
        .map(|label| {
            ingest::encoding_for_label(label)
                .ok_or_else(|| Failure::input(anyhow!("--encoding: unknown encoding `{label}`")))
        })
        .transpose()?;
    let limits = limits(&args)?;
    // URLs are named by their file name, as a local copy of the file would be.
    let shown: Vec<PathBuf> = args
        .files
        .iter()
        .map(|p| {
            let text = p.to_string_lossy();
            if super::fetch::is_url(&text) {
                PathBuf::from(crate::fetch::file_name_for(&text))
            } else {
                p.clone()
            }
        })
        .collect();
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| scan::default_name(&shown));
    let enrich = args.enrich.as_ref().map(|_| scan::Enrich {
        fetch: super::fetch::fetch_options(&args.net),
        openfigi: crate::fetch::openfigi::OpenFigiOptions::from_env(),
    });
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(report::sanitize_file_name(&name)));
    Ok(Settings {
        options: ScanOptions {
            inputs: args.files,
            name: Some(name),
            reference: super::reference_choice(args.mappings, args.shipped_data)?,
            overrides: args.overrides,
            fx: args.fx,
            look_through: args.look_through,
            letters: args.letters,
            config: args.config,
            templates: args.templates,
            base_currency: args.base,
            ingest: IngestOptions {
                columns,
                encoding,
                weights_nav: nav,
                shown_as: Default::default(),
                limits,
            },
            exposure: ExposureOptions {
                nav,
                fault: crate::fault::Fault::from_env(),
            },
            formats: formats_sorted,
            enrich,
        },
        net: args.net,
        out,
        fail_above,
    })
}

/// `--max-unpacked`, `--max-line`, `--max-field` and `--max-rows` over the defaults.
fn limits(args: &ScanArgs) -> Result<ingest::limits::Limits, Failure> {
    let mut limits = ingest::limits::Limits::default();
    for (flag, raw, slot) in [
        ("--max-unpacked", &args.max_unpacked, &mut limits.unpacked),
        ("--max-line", &args.max_line, &mut limits.line),
        ("--max-field", &args.max_field, &mut limits.field),
    ] {
        if let Some(raw) = raw {
            *slot = ingest::limits::parse_size(raw).filter(|n| *n > 0).ok_or_else(|| {
                Failure::input(anyhow!(
                    "{flag}: `{raw}` is not a size; expected bytes or a number with K, M or G (e.g. 64K, 1M, 2G)"
                ))
            })?;
        }
    }
    if let Some(raw) = &args.max_rows {
        limits.rows = raw
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                Failure::input(anyhow!(
                    "--max-rows: `{raw}` is not a number of rows; expected a whole number above 0"
                ))
            })?;
    }
    Ok(limits)
}

pub fn run(args: ScanArgs) -> Result<Outcome, Failure> {
    // Read first, so a bad `XJSCAN_TODAY` is refused before anything is written.
    let today = super::clock::today().map_err(Failure::input)?;
    let mut settings = settings(args)?;
    let (inputs, shown_as) = super::fetch::download_inputs(
        &settings.options.inputs,
        &settings.net,
        settings.options.config.as_deref(),
    )?;
    settings.options.inputs = inputs;
    settings.options.ingest.shown_as = shown_as;
    if scan::is_nport_dataset_scan(&settings.options.inputs) {
        refuse_for_dataset(&settings.options, &settings.net, "Form N-PORT")?;
        return run_nport_dataset(&settings, &today);
    }
    if scan::is_dataset_scan(&settings.options.inputs) {
        refuse_for_dataset(&settings.options, &settings.net, "Form 13F")?;
        return run_dataset(&settings, &today);
    }
    if let Some(dir) = settings.options.inputs.iter().find(|p| {
        p.is_dir()
            && (crate::ingest::sec_dataset::is_dataset(p)
                || crate::ingest::nport_dataset::is_dataset(p))
            || crate::ingest::nport_zip::is_dataset_zip(p)
    }) {
        return Err(Failure::input(anyhow!(
            "{}: a data set is scanned on its own, not with other files",
            crate::ingest::display_path(dir)
        )));
    }
    let result = scan::scan(&settings.options).map_err(scan_failure)?;
    // Report and letters are written together: all of them or none.
    let files: Vec<(&str, String)> = result
        .rendered
        .iter()
        .map(|(n, t)| (*n, t.clone()))
        .chain(result.letters.iter().map(|(n, t)| (n.as_str(), t.clone())))
        .collect();
    // Letters from an earlier run that this one does not write again are dropped with it.
    let stale = |name: &str| settings.options.letters && is_letter(name);
    let written = report::write_outputs_claiming(&settings.out, &files, &stale)
        .map_err(|e| super::output_failure("--out", e))?;
    // Warnings and rejected rows go to stderr; the summary (the result) to stdout.
    let mut stderr = std::io::stderr().lock();
    for line in summary::warning_lines(&result.model) {
        let _ = writeln!(stderr, "{}", super::terminal::safe(&line));
    }
    drop(stderr);
    warn_if_stale(&result.model.reference.meta.as_of, &today);
    super::print_stdout(&summary::render(&result.model, &written))?;
    Ok(threshold(result.flagged_pct(), settings.fail_above))
}

/// Says on stderr when the reference data is older than 90 days, and how to refresh it. The
/// reports carry the data's as-of date instead: a note that depends on the day of the run
/// would make the same inputs give other bytes tomorrow.
fn warn_if_stale(as_of: &str, today: &crate::model::IsoDate) {
    if let Some(note) = super::clock::staleness(as_of, today) {
        eprintln!("warning: {note}");
    }
}

/// Options of a holdings-file scan that a Form 13F data set scan has no use for: refused by
/// name rather than silently ignored. The others apply: `--mappings`, `--shipped-data`,
/// `--overrides`, `--out`, `--format`, `--name` and `--fail-above` (tested in
/// `tests/it/dataset.rs`).
fn refuse_for_dataset(
    o: &ScanOptions,
    net: &super::args::NetArgs,
    kind: &str,
) -> Result<(), Failure> {
    // A data set folder is read from disk: nothing is downloaded, so how downloads behave
    // does not apply.
    let net_given = !net.untouched();
    let given = [
        (
            "--cache/--offline/--timeout/--retries/--max-body/--concurrency/--rate",
            net_given,
        ),
        ("--base", o.base_currency != "USD"),
        ("--config", o.config.is_some()),
        ("--fx", o.fx.is_some()),
        ("--look-through", o.look_through.is_some()),
        ("--letters", o.letters),
        ("--templates", o.templates.is_some()),
        ("--nav", o.exposure.nav.is_some()),
        ("--columns", !o.ingest.columns.0.is_empty()),
        ("--encoding", o.ingest.encoding.is_some()),
        ("--enrich", o.enrich.is_some()),
        (
            "--max-unpacked/--max-line/--max-field/--max-rows",
            o.ingest.limits != ingest::limits::Limits::default(),
        ),
    ];
    match given.iter().find(|(_, set)| *set) {
        Some((flag, _)) => Err(Failure::input(anyhow!(
            "{flag} does not apply to a {kind} data set scan (one portfolio per filing, read from its TSV files, values in US dollars); leave it out"
        ))),
        None => Ok(()),
    }
}

/// A Form 13F data set: one portfolio per filing, summarised per filer.
fn run_dataset(settings: &Settings, today: &crate::model::IsoDate) -> Result<Outcome, Failure> {
    let result = scan::scan_dataset(&settings.options).map_err(scan_failure)?;
    let written = report::write_outputs(&settings.out, &result.rendered)
        .map_err(|e| super::output_failure("--out", e))?;
    warn_if_stale(&result.report.reference.as_of, today);
    super::print_stdout(&summary::render_dataset(&result.report, &written))?;
    Ok(threshold(
        result.report.exposure.flagged_pct,
        settings.fail_above,
    ))
}

/// A Form N-PORT data set: one portfolio per filing, summarised per fund.
fn run_nport_dataset(
    settings: &Settings,
    today: &crate::model::IsoDate,
) -> Result<Outcome, Failure> {
    let result = scan::scan_nport_dataset(&settings.options).map_err(scan_failure)?;
    let written = report::write_outputs(&settings.out, &result.rendered)
        .map_err(|e| super::output_failure("--out", e))?;
    warn_if_stale(&result.report.reference.as_of, today);
    super::print_stdout(&summary::render_nport_dataset(&result.report, &written))?;
    Ok(threshold(
        result.report.exposure.flagged_pct,
        settings.fail_above,
    ))
}

/// Input problems exit 2; anything else 1.
fn scan_failure(e: scan::ScanError) -> Failure {
    if e.is_input_error() {
        Failure::input(e)
    } else {
        Failure::other(e)
    }
}

/// `--fail-above`: exposure above the limit is a distinct exit status for compliance pipelines.
fn threshold(flagged_pct: Decimal, limit: Option<Decimal>) -> Outcome {
    match limit {
        Some(limit) if flagged_pct > limit => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "error: flagged exposure {} is above --fail-above {}%",
                report::format_pct(&flagged_pct.to_string()),
                limit
            );
            Outcome::ThresholdExceeded
        }
        _ => Outcome::Success,
    }
}

/// Whether a file is named like a letter (`letter-NN-….md|html`): a letter from an earlier run
/// that this run does not write again (an issuer no longer flagged) would sit beside a
/// `letters.csv` that no longer lists it.
fn is_letter(name: &str) -> bool {
    name.starts_with("letter-")
        && (name.ends_with(".md") || name.ends_with(".html"))
        && name
            .as_bytes()
            .get(7..9)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
}
