//! Optional enrichment from OpenFIGI (`--enrich openfigi`): CUSIPs, ISINs and tickers to FIGIs
//! and names.
//!
//! Some exports carry only an identifier and no issuer name; a name lets such a holding be
//! matched. OpenFIGI's mapping API (`POST /v3/mapping`) takes batches of jobs; its published
//! limits are 10 jobs per request and 25 requests a minute without an API key, 100 jobs and
//! 25 requests every 6 seconds with one (`OPENFIGI_API_KEY`, sent as `X-OPENFIGI-APIKEY`). Each
//! answer is cached per identifier (`openfigi/<sha256>.json` in the cache), "not found"
//! and per-job refusals included, so a rerun asks nothing. A name taken from OpenFIGI is marked as such on the
//! holding, and a ticker that maps to several different issuers gives no name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::limit::RateLimiter;
use super::{FetchError, Fetcher};
use crate::model::Portfolio;

pub const DEFAULT_URL: &str = "https://api.openfigi.com/v3/mapping";

/// One mapping job: an identifier type (`ID_CUSIP`, `ID_ISIN`, `TICKER`) and value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Job {
    #[serde(rename = "idType")]
    pub id_type: &'static str,
    #[serde(rename = "idValue")]
    pub id_value: String,
}

/// What OpenFIGI says about an instrument (the fields xjscan uses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigiRecord {
    pub figi: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub ticker: Option<String>,
    #[serde(rename = "exchCode", default)]
    pub exch_code: Option<String>,
    #[serde(rename = "securityType", default)]
    pub security_type: Option<String>,
}

/// The cached answer for one job: the records found (empty when none), or OpenFIGI's error
/// for the job (an invalid identifier is as final an answer as "not found").
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Answer {
    records: Vec<FigiRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct JobResult {
    #[serde(default)]
    data: Option<Vec<FigiRecord>>,
    #[serde(default)]
    warning: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// Where and how to ask.
#[derive(Debug, Clone)]
pub struct OpenFigiOptions {
    pub url: String,
    pub api_key: Option<String>,
}

impl OpenFigiOptions {
    /// `OPENFIGI_API_KEY` from the environment; `XJSCAN_OPENFIGI_URL` points at a mirror.
    pub fn from_env() -> Self {
        OpenFigiOptions {
            url: std::env::var("XJSCAN_OPENFIGI_URL").unwrap_or_else(|_| DEFAULT_URL.to_string()),
            api_key: std::env::var("OPENFIGI_API_KEY")
                .ok()
                .filter(|k| !k.trim().is_empty()),
        }
    }

    fn jobs_per_request(&self) -> usize {
        if self.api_key.is_some() { 100 } else { 10 }
    }

    fn limiter(&self) -> RateLimiter {
        if self.api_key.is_some() {
            RateLimiter::new(25, Duration::from_secs(6))
        } else {
            RateLimiter::new(25, Duration::from_secs(60))
        }
    }
}

/// Why enrichment failed.
#[derive(Debug, thiserror::Error)]
pub enum OpenFigiError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url}: not the answer expected from OpenFIGI: {message}")]
    Response { url: String, message: String },
}

/// What enrichment did, for the report's provenance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EnrichSummary {
    /// Distinct identifiers asked about (from the cache or the API).
    pub identifiers: usize,
    /// Of those, answered from the cache (not in reports: a rerun must give the same report).
    #[serde(skip)]
    pub cached: usize,
    /// Identifiers OpenFIGI mapped to at least one instrument.
    pub found: usize,
    /// Holdings given a FIGI.
    pub holdings_with_figi: usize,
    /// Holdings without a name that got one from OpenFIGI.
    pub names_filled: usize,
    /// Tickers that map to several issuers (no name taken).
    pub ambiguous: usize,
    /// Jobs OpenFIGI refused (an error per job, e.g. an invalid identifier); cached like every
    /// other answer, so a rerun reports them again without asking.
    pub errors: Vec<String>,
}

fn cache_path(fetcher: &Fetcher, job: &Job) -> PathBuf {
    let key = crate::reference::hex(&Sha256::digest(
        format!("{}\t{}", job.id_type, job.id_value).as_bytes(),
    ));
    fetcher
        .options()
        .cache
        .join("openfigi")
        .join(format!("{key}.json"))
}

/// Answers for every job: from the cache, else from OpenFIGI in batches within its limits.
pub fn map(
    fetcher: &Fetcher,
    options: &OpenFigiOptions,
    jobs: &BTreeSet<Job>,
    summary: &mut EnrichSummary,
) -> Result<BTreeMap<Job, Vec<FigiRecord>>, OpenFigiError> {
    let mut answers = BTreeMap::new();
    let mut missing = Vec::new();
    for job in jobs {
        let cached = std::fs::read(cache_path(fetcher, job))
            .ok()
            .and_then(|b| serde_json::from_slice::<Answer>(&b).ok());
        match cached {
            Some(a) => {
                summary.cached += 1;
                if let Some(error) = a.error {
                    summary
                        .errors
                        .push(format!("{} {}: {error}", job.id_type, job.id_value));
                }
                answers.insert(job.clone(), a.records);
            }
            None if fetcher.options().offline => {
                return Err(FetchError::NotCached {
                    url: format!("{} ({} {})", options.url, job.id_type, job.id_value),
                }
                .into());
            }
            None => missing.push(job.clone()),
        }
    }
    summary.identifiers = jobs.len();
    let limiter = options.limiter();
    let mut headers = vec![("Content-Type", "application/json".to_string())];
    if let Some(key) = &options.api_key {
        headers.push(("X-OPENFIGI-APIKEY", key.clone()));
    }
    let batches: Vec<&[Job]> = missing.chunks(options.jobs_per_request()).collect();
    let bar = fetcher.progress(batches.len(), "OpenFIGI");
    let results = fetcher.block_on(futures_util::future::join_all(batches.iter().map(
        |batch| {
            let (limiter, headers, bar) = (&limiter, &headers, &bar);
            async move {
                limiter.acquire().await;
                let body = serde_json::to_vec(batch).unwrap_or_default();
                let result = fetcher.post(&options.url, headers, body).await;
                bar.inc(1);
                result
            }
        },
    )));
    bar.finish_and_clear();
    for (batch, result) in batches.into_iter().zip(results) {
        let bytes = result?;
        let parsed: Vec<JobResult> =
            serde_json::from_slice(&bytes).map_err(|e| OpenFigiError::Response {
                url: options.url.clone(),
                message: e.to_string(),
            })?;
        if parsed.len() != batch.len() {
            return Err(OpenFigiError::Response {
                url: options.url.clone(),
                message: format!(
                    "{} answers for {} jobs (they must correspond one to one)",
                    parsed.len(),
                    batch.len()
                ),
            });
        }
        for (job, result) in batch.iter().zip(parsed) {
            if let Some(error) = &result.error {
                summary
                    .errors
                    .push(format!("{} {}: {error}", job.id_type, job.id_value));
            }
            // `warning` is OpenFIGI's "No identifier found.": a real answer, cached as empty.
            let _ = result.warning;
            let answer = Answer {
                records: result.data.unwrap_or_default(),
                error: result.error,
            };
            let path = cache_path(fetcher, job);
            super::write_atomic(&path, &serde_json::to_vec(&answer).unwrap_or_default())?;
            answers.insert(job.clone(), answer.records);
        }
    }
    summary.found = answers.values().filter(|r| !r.is_empty()).count();
    summary.errors.sort();
    Ok(answers)
}

/// The job for a holding: its CUSIP, else its ISIN, else its ticker.
fn job_for(h: &crate::model::Holding) -> Option<Job> {
    if let Some(c) = &h.ids.cusip {
        return Some(Job {
            id_type: "ID_CUSIP",
            id_value: c.to_string(),
        });
    }
    if let Some(i) = &h.ids.isin {
        return Some(Job {
            id_type: "ID_ISIN",
            id_value: i.to_string(),
        });
    }
    h.ids
        .ticker
        .as_ref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| Job {
            id_type: "TICKER",
            id_value: t.trim().to_ascii_uppercase(),
        })
}

/// Gives holdings their FIGI, and a name where the file has none.
pub fn enrich(
    fetcher: &Fetcher,
    options: &OpenFigiOptions,
    portfolio: &mut Portfolio,
) -> Result<EnrichSummary, OpenFigiError> {
    let mut summary = EnrichSummary::default();
    let jobs: BTreeSet<Job> = portfolio.holdings.iter().filter_map(job_for).collect();
    if jobs.is_empty() {
        return Ok(summary);
    }
    let answers = map(fetcher, options, &jobs, &mut summary)?;
    let mut ambiguous = BTreeSet::new();
    for h in &mut portfolio.holdings {
        let Some(job) = job_for(h) else { continue };
        let Some(records) = answers.get(&job).filter(|r| !r.is_empty()) else {
            continue;
        };
        // One instrument per CUSIP/ISIN in practice; a ticker may be listed on many exchanges.
        let names: BTreeSet<&str> = records.iter().filter_map(|r| r.name.as_deref()).collect();
        if records.len() == 1 || job.id_type != "TICKER" {
            h.ids.figi = Some(records[0].figi.as_str().into());
            summary.holdings_with_figi += 1;
        }
        if h.name.trim().is_empty() {
            match names.len() {
                1 => {
                    h.name = names.into_iter().next().unwrap_or_default().to_string();
                    h.name_source =
                        Some(format!("OpenFIGI ({} {})", job.id_type, job.id_value).into());
                    summary.names_filled += 1;
                }
                0 => {}
                _ => {
                    ambiguous.insert(job.clone());
                }
            }
        }
    }
    summary.ambiguous = ambiguous.len();
    Ok(summary)
}
