//! Pulling holdings files over HTTP(S): a cache, retries, limits and no partial files.
//!
//! Every download goes through [`Fetcher`]: reqwest (rustls) on a tokio runtime, a timeout per
//! request, a redirect limit, a maximum body size, and retries with exponential backoff and
//! jitter on 429 and 5xx responses, honouring `Retry-After`. Bodies land in a content-addressed
//! cache (`blobs/<sha256>`, written to a temporary file and renamed, so an interrupted download
//! never leaves a partial file), with the URL's ETag and Last-Modified kept beside it for
//! revalidation. `offline` reads the cache only.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How downloads behave.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub cache: PathBuf,
    pub offline: bool,
    pub timeout: Duration,
    pub max_body: u64,
    pub max_redirects: usize,
    /// Retries after the first attempt, on 429 and 5xx.
    pub retries: u32,
    /// First backoff; doubled at each retry, with up to 50% jitter.
    pub backoff: Duration,
    pub user_agent: String,
}

impl FetchOptions {
    pub fn new(cache: PathBuf) -> Self {
        FetchOptions {
            cache,
            offline: false,
            timeout: Duration::from_secs(30),
            max_body: 512 * 1024 * 1024,
            max_redirects: 5,
            retries: 4,
            backoff: Duration::from_millis(500),
            user_agent: format!("xjscan/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Why a download failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: HTTP {status}{}", if *.attempts > 1 { format!(" after {} attempts", .attempts) } else { String::new() })]
    Status {
        url: String,
        status: u16,
        attempts: u32,
    },
    #[error("{url}: {reason}")]
    Network { url: String, reason: String },
    #[error("{url}: the body is larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: not in the cache, and --offline forbids downloading it")]
    NotCached { url: String },
    #[error("cache {}: {error}", .path.display())]
    Cache {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// What the cache remembers about a URL.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Entry {
    sha256: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

/// Downloads into the cache.
pub struct Fetcher {
    options: FetchOptions,
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl Fetcher {
    pub fn new(options: FetchOptions) -> Result<Self, FetchError> {
        let network = |e: &dyn std::fmt::Display| FetchError::Network {
            url: String::new(),
            reason: e.to_string(),
        };
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::limited(options.max_redirects))
            .user_agent(options.user_agent.clone())
            .build()
            .map_err(|e| network(&e))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| network(&e))?;
        Ok(Fetcher {
            options,
            client,
            runtime,
        })
    }

    fn index_path(&self) -> PathBuf {
        self.options.cache.join("index.json")
    }

    fn index(&self) -> BTreeMap<String, Entry> {
        std::fs::read_to_string(self.index_path())
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    fn blob(&self, sha256: &str) -> PathBuf {
        self.options.cache.join("blobs").join(sha256)
    }

    /// The cached file for `url`, downloading or revalidating it first unless offline.
    pub fn fetch(&self, url: &str) -> Result<PathBuf, FetchError> {
        let mut index = self.index();
        let cached = index
            .get(url)
            .filter(|e| self.blob(&e.sha256).is_file())
            .cloned();
        if self.options.offline {
            return cached
                .map(|e| self.blob(&e.sha256))
                .ok_or_else(|| FetchError::NotCached {
                    url: url.to_string(),
                });
        }
        let entry = self.runtime.block_on(self.download(url, cached.as_ref()))?;
        let path = self.blob(&entry.sha256);
        index.insert(url.to_string(), entry);
        self.write_atomic(
            &self.index_path(),
            serde_json::to_string_pretty(&index)
                .unwrap_or_default()
                .as_bytes(),
        )?;
        Ok(path)
    }

    async fn download(&self, url: &str, cached: Option<&Entry>) -> Result<Entry, FetchError> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let mut request = self.client.get(url);
            if let Some(c) = cached {
                if let Some(etag) = &c.etag {
                    request = request.header(reqwest::header::IF_NONE_MATCH, etag);
                }
                if let Some(lm) = &c.last_modified {
                    request = request.header(reqwest::header::IF_MODIFIED_SINCE, lm);
                }
            }
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) if attempt <= self.options.retries && (e.is_timeout() || e.is_connect()) => {
                    tokio::time::sleep(self.backoff(attempt, None)).await;
                    continue;
                }
                Err(e) => {
                    return Err(FetchError::Network {
                        url: url.to_string(),
                        reason: describe(&e),
                    });
                }
            };
            let status = response.status();
            if status == reqwest::StatusCode::NOT_MODIFIED
                && let Some(c) = cached
            {
                return Ok(c.clone());
            }
            if status.as_u16() == 429 || status.is_server_error() {
                if attempt <= self.options.retries {
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    tokio::time::sleep(self.backoff(attempt, retry_after)).await;
                    continue;
                }
                return Err(FetchError::Status {
                    url: url.to_string(),
                    status: status.as_u16(),
                    attempts: attempt,
                });
            }
            if !status.is_success() {
                return Err(FetchError::Status {
                    url: url.to_string(),
                    status: status.as_u16(),
                    attempts: attempt,
                });
            }
            let header = |name| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                    .map(str::to_string)
            };
            let etag = header(reqwest::header::ETAG);
            let last_modified = header(reqwest::header::LAST_MODIFIED);
            if response
                .content_length()
                .is_some_and(|n| n > self.options.max_body)
            {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                    limit: self.options.max_body,
                });
            }
            // Stream to a temporary file in the cache; it becomes a blob only when complete.
            let blobs = self.options.cache.join("blobs");
            std::fs::create_dir_all(&blobs).map_err(|error| FetchError::Cache {
                path: blobs.clone(),
                error,
            })?;
            let mut tmp = tempfile::Builder::new()
                .prefix(".part-")
                .tempfile_in(&blobs)
                .map_err(|error| FetchError::Cache {
                    path: blobs.clone(),
                    error,
                })?;
            let mut hasher = Sha256::new();
            let mut size = 0u64;
            let mut response = response;
            loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        size += chunk.len() as u64;
                        if size > self.options.max_body {
                            return Err(FetchError::TooLarge {
                                url: url.to_string(),
                                limit: self.options.max_body,
                            });
                        }
                        hasher.update(&chunk);
                        tmp.write_all(&chunk).map_err(|error| FetchError::Cache {
                            path: tmp.path().to_path_buf(),
                            error,
                        })?;
                    }
                    Ok(None) => break,
                    Err(e) => {
                        return Err(FetchError::Network {
                            url: url.to_string(),
                            reason: describe(&e),
                        });
                    }
                }
            }
            let sha256 = crate::reference::hex(&hasher.finalize());
            let path = self.blob(&sha256);
            tmp.persist(&path).map_err(|e| FetchError::Cache {
                path: path.clone(),
                error: e.error,
            })?;
            return Ok(Entry {
                sha256,
                etag,
                last_modified,
            });
        }
    }

    /// Exponential backoff with jitter, or the server's `Retry-After` when it says more.
    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let base = self.options.backoff * 2u32.saturating_pow(attempt.saturating_sub(1));
        // Jitter from the clock's nanoseconds: spreads clients apart without a random crate.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let jitter = base.mul_f64(f64::from(nanos % 500) / 1000.0);
        retry_after.unwrap_or(base + jitter)
    }

    fn write_atomic(&self, path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
        let err = |error| FetchError::Cache {
            path: path.to_path_buf(),
            error,
        };
        std::fs::create_dir_all(&self.options.cache).map_err(err)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.options.cache).map_err(err)?;
        tmp.write_all(bytes).map_err(err)?;
        tmp.persist(path).map_err(|e| err(e.error))?;
        Ok(())
    }
}

/// A reqwest error in words, with its cause (timeouts, redirect loops, cut connections).
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".to_string();
    }
    if e.is_redirect() {
        return "too many redirects (a redirect loop?)".to_string();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

/// The file name a URL's body is saved under: its last path segment, made safe.
pub fn file_name_for(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let last = path
        .rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or("download");
    crate::report::sanitize_file_name(last)
}
