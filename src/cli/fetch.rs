//! `xjscan fetch URL…`, `xjscan fetch edgar …`, and the downloads behind `xjscan scan URL…`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::anyhow;

use super::args::{EdgarArgs, FetchArgs, FetchSource, NetArgs};
use super::{Failure, Outcome, print_stdout};
use crate::fetch::edgar::{self, EdgarHosts, EdgarRequest, Form, Period};
use crate::fetch::{FetchOptions, Fetcher, file_name_for, is_sec_url};

/// True for arguments that are URLs rather than paths.
pub fn is_url(arg: &str) -> bool {
    let lower = arg.get(..8).unwrap_or(arg).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Download options from the flags; the cache defaults to `$XJSCAN_CACHE`, else
/// `~/.cache/xjscan`.
pub fn fetch_options(net: &NetArgs) -> FetchOptions {
    let cache = net
        .cache
        .clone()
        .or_else(|| std::env::var_os("XJSCAN_CACHE").map(PathBuf::from))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/xjscan")))
        .unwrap_or_else(|| PathBuf::from(".xjscan-cache"));
    let mut options = FetchOptions::new(cache);
    options.offline = net.offline;
    options.timeout = std::time::Duration::from_secs(net.timeout);
    options.retries = net.retries;
    options.max_body = net.max_body;
    options.concurrency = net.concurrency.max(1);
    options.rate_per_second = net.rate;
    options
}

/// The User-Agent SEC asks for: who is asking, with an email.
fn sec_user_agent(config: Option<&Path>) -> Result<String, Failure> {
    let config = crate::config::load(config).map_err(Failure::input)?;
    let contact = config
        .sec_contact()
        .map_err(|e| Failure::input(anyhow!(e)))?;
    Ok(format!("{contact} xjscan/{}", env!("CARGO_PKG_VERSION")))
}

/// Options for a set of URLs: SEC's hosts need the contact in the User-Agent.
fn options_for(
    urls: &[String],
    net: &NetArgs,
    config: Option<&Path>,
) -> Result<FetchOptions, Failure> {
    let mut options = fetch_options(net);
    // Sent to SEC's hosts only: other servers need not learn who is asking.
    if urls.iter().any(|u| is_sec_url(u)) && !net.offline {
        options.sec_user_agent = Some(sec_user_agent(config)?);
    }
    Ok(options)
}

/// Downloads the URL arguments of a scan. Returns the inputs with URLs replaced by cached files,
/// and the names those files are shown by (the URL's file name, as a local copy would be).
pub fn download_inputs(
    inputs: &[PathBuf],
    net: &NetArgs,
    config: Option<&Path>,
) -> Result<(Vec<PathBuf>, BTreeMap<PathBuf, String>), Failure> {
    let urls: Vec<String> = inputs
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| is_url(p))
        .collect();
    if urls.is_empty() {
        return Ok((inputs.to_vec(), BTreeMap::new()));
    }
    unique_names(&urls)?;
    let fetcher = Fetcher::new(options_for(&urls, net, config)?).map_err(Failure::other)?;
    let mut fetched = urls
        .iter()
        .zip(fetcher.fetch_all(&urls).map_err(Failure::input)?);
    let mut shown = BTreeMap::new();
    let mut out = Vec::new();
    for input in inputs {
        let text = input.to_string_lossy();
        if is_url(&text) {
            if let Some((url, path)) = fetched.next() {
                shown.insert(path.clone(), file_name_for(url));
                out.push(path);
            }
        } else {
            out.push(input.clone());
        }
    }
    Ok((out, shown))
}

/// Refuses two URLs that would be saved or shown under the same file name (one would silently
/// replace the other).
fn unique_names(urls: &[String]) -> Result<(), Failure> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for url in urls {
        let name = file_name_for(url);
        if let Some(first) = seen.insert(name.clone(), url) {
            return Err(Failure::input(anyhow!(
                "{first} and {url} would both be saved as `{name}`; fetch them into different folders"
            )));
        }
    }
    Ok(())
}

/// Copies cached files (and any extra files) into `out` under their names; all or nothing.
fn write_files(
    out: &Path,
    files: &[(String, PathBuf)],
    extra: &[(String, Vec<u8>)],
) -> Result<Vec<String>, Failure> {
    let mut contents = Vec::new();
    for (name, path) in files {
        let bytes = std::fs::read(path)
            .map_err(|e| Failure::other(anyhow!("cache {}: cannot read: {e}", path.display())))?;
        contents.push((crate::report::sanitize_file_name(name), bytes));
    }
    contents.extend(extra.iter().cloned());
    let refs: Vec<(&str, &[u8])> = contents
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let written =
        crate::report::write_outputs(out, &refs).map_err(|e| super::output_failure("--out", e))?;
    Ok(written
        .iter()
        .map(|p| crate::ingest::display_path(p))
        .collect())
}

pub fn run(args: FetchArgs) -> Result<Outcome, Failure> {
    if let Some(FetchSource::Edgar(edgar)) = args.source {
        return run_edgar(edgar);
    }
    let out = args
        .out
        .ok_or_else(|| Failure::input(anyhow!("--out DIR is required")))?;
    unique_names(&args.urls)?;
    let fetcher = Fetcher::new(options_for(&args.urls, &args.net, args.config.as_deref())?)
        .map_err(Failure::other)?;
    let paths = fetcher.fetch_all(&args.urls).map_err(Failure::input)?;
    let files: Vec<(String, PathBuf)> = args
        .urls
        .iter()
        .map(|u| file_name_for(u))
        .zip(paths)
        .collect();
    let written = write_files(&out, &files, &[])?;
    print_stdout(&format!("Wrote: {}\n", written.join(", ")))?;
    Ok(Outcome::Success)
}

fn run_edgar(args: EdgarArgs) -> Result<Outcome, Failure> {
    let cik = Some(args.cik.trim())
        .filter(|c| !c.is_empty() && c.len() <= 10 && c.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|c| c.parse::<u64>().ok())
        .ok_or_else(|| {
            Failure::input(anyhow!(
                "--cik: `{}` is not a CIK (up to 10 digits)",
                args.cik
            ))
        })?;
    let form = Form::parse(&args.form).ok_or_else(|| {
        Failure::input(anyhow!(
            "--form: `{}` is not supported; expected 13F-HR or NPORT-P",
            args.form
        ))
    })?;
    let period = match (&args.period, &args.since) {
        (Some(p), _) => Period::parse_quarter(p).ok_or_else(|| {
            Failure::input(anyhow!("--period: `{p}` is not a quarter like 2024-Q3"))
        })?,
        (None, Some(d)) => Period::parse_since(d).ok_or_else(|| {
            Failure::input(anyhow!("--since: `{d}` is not a date like 2024-06-30"))
        })?,
        (None, None) => Period::Latest,
    };
    let hosts = match &args.sec_base {
        Some(base) => EdgarHosts {
            data: base.clone(),
            www: base.clone(),
        },
        None => EdgarHosts::default(),
    };
    let mut options = fetch_options(&args.net);
    // SEC's fair-access rules: a declared contact, and at most 10 requests per second across
    // every task, whatever --rate says.
    if !args.net.offline {
        options.user_agent = sec_user_agent(args.config.as_deref())?;
    }
    options.rate_per_second = Some(
        args.net
            .rate
            .unwrap_or(crate::fetch::SEC_REQUESTS_PER_SECOND)
            .min(crate::fetch::SEC_REQUESTS_PER_SECOND),
    );
    let fetcher = Fetcher::new(options).map_err(Failure::other)?;
    let request = EdgarRequest {
        cik,
        form,
        period,
        hosts,
    };
    let result = edgar::fetch(&fetcher, &request).map_err(Failure::input)?;
    let mut manifest = serde_json::to_string_pretty(&result).map_err(Failure::other)?;
    manifest.push('\n');
    let written = write_files(
        &args.out,
        &result.files,
        &[("edgar.json".to_string(), manifest.into_bytes())],
    )?;

    let mut text = format!(
        "{} (CIK {}), {}:\n",
        if result.filer.is_empty() {
            "filer"
        } else {
            &result.filer
        },
        result.cik,
        form.name()
    );
    for f in &result.filings {
        text.push_str(&format!(
            "  {} {} period {} filed {}: {}, {}\n",
            f.filing.accession,
            f.filing.form,
            f.filing.report_date,
            f.filing.filing_date,
            f.status,
            f.note
        ));
    }
    text.push_str(&format!("Wrote: {}\n", written.join(", ")));
    print_stdout(&text)?;
    Ok(Outcome::Success)
}
