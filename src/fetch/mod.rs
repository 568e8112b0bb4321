//! Pulling holdings files over HTTP(S): a cache, retries, limits and no partial files.
//!
//! Every download goes through [`Fetcher`]: reqwest (rustls) on a tokio runtime, a timeout per
//! request, a redirect limit, a maximum body size, a limit on concurrent requests, an optional
//! rate limit shared by every task ([`limit::RateLimiter`]; SEC's hosts always get one), and
//! retries with exponential backoff and jitter on 429 and 5xx responses, honouring
//! `Retry-After`. Bodies land in a content-addressed cache (`blobs/<sha256>`, written to a
//! temporary file and renamed, so an interrupted download never leaves a partial file), with the
//! URL's ETag and Last-Modified kept in `index.json` for revalidation. `offline` reads the cache
//! only. Progress bars go to stderr, and only when it is a terminal.
//!
//! [`edgar`] builds SEC EDGAR requests on top of this, and [`openfigi`] the optional identifier
//! enrichment.

pub mod edgar;
pub mod limit;
pub mod openfigi;

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use limit::RateLimiter;

/// SEC's fair-access limit: requests per second, across all of a user's tasks.
pub const SEC_REQUESTS_PER_SECOND: u32 = 10;

/// How downloads behave.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub cache: PathBuf,
    pub offline: bool,
    pub timeout: Duration,
    pub max_body: u64,
    pub max_redirects: usize,
    /// Retries after the first attempt, on 429, 5xx, timeouts and refused connections.
    pub retries: u32,
    /// First backoff; doubled at each retry, with up to 50% jitter.
    pub backoff: Duration,
    pub user_agent: String,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Request starts per second across all tasks, when limited.
    pub rate_per_second: Option<u32>,
    /// Draw progress bars (still only when stderr is a terminal).
    pub progress: bool,
    /// The User-Agent naming the user, sent to SEC hosts only (`*.sec.gov`).
    pub sec_user_agent: Option<String>,
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
            concurrency: 4,
            rate_per_second: None,
            progress: true,
            sec_user_agent: None,
        }
    }
}

/// True for SEC hosts (`www.sec.gov`, `data.sec.gov`, `efts.sec.gov`…), which require a declared
/// User-Agent and at most 10 requests per second.
pub fn is_sec_url(url: &str) -> bool {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .is_some_and(|h| h == "sec.gov" || h.ends_with(".sec.gov"))
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
    #[error(
        "{url}: the server asks to wait {seconds} s before retrying (Retry-After); more than the {limit} s xjscan waits"
    )]
    WaitTooLong {
        url: String,
        seconds: u64,
        limit: u64,
    },
    #[error("cannot start the HTTP client: {reason}")]
    Client { reason: String },
}

/// The longest single wait between retries, whatever the backoff or the server says.
pub const MAX_WAIT: Duration = Duration::from_secs(300);

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
    slots: Semaphore,
    limiter: Option<RateLimiter>,
    /// SEC's limit, applied to SEC hosts even when `rate_per_second` is not set.
    sec_limiter: RateLimiter,
    /// The cache index as read at start.
    index: BTreeMap<String, Entry>,
    /// URLs downloaded or revalidated in this run: merged into the index on disk by
    /// [`Fetcher::save_index`], and never requested twice.
    fresh: Mutex<BTreeMap<String, Entry>>,
}

impl Fetcher {
    pub fn new(options: FetchOptions) -> Result<Self, FetchError> {
        let network = |e: &dyn std::fmt::Display| FetchError::Client {
            reason: e.to_string(),
        };
        // A connect timeout and a timeout between reads, not on the whole transfer: a large
        // file on a slow line is fine as long as bytes keep arriving.
        let client = reqwest::Client::builder()
            .connect_timeout(options.timeout)
            .read_timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::limited(options.max_redirects))
            .user_agent(options.user_agent.clone())
            .build()
            .map_err(|e| network(&e))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| network(&e))?;
        let index = read_index(&options.cache.join("index.json"));
        remove_stale_parts(&options.cache.join("blobs"));
        Ok(Fetcher {
            slots: Semaphore::new(options.concurrency.max(1)),
            limiter: options.rate_per_second.map(RateLimiter::per_second),
            sec_limiter: RateLimiter::per_second(SEC_REQUESTS_PER_SECOND),
            options,
            client,
            runtime,
            index,
            fresh: Mutex::new(BTreeMap::new()),
        })
    }

    pub fn options(&self) -> &FetchOptions {
        &self.options
    }

    /// Runs async work (several [`Fetcher::get`] calls, joined) on the fetcher's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Downloads every URL, `concurrency` at a time, with a progress bar; the cached files in
    /// the URLs' order. Every URL is attempted; the first failure (in URL order) is returned.
    pub fn fetch_all(&self, urls: &[String]) -> Result<Vec<PathBuf>, FetchError> {
        let bar = self.progress(urls.len(), "downloading");
        let results = self.block_on(futures_util::future::join_all(urls.iter().map(|url| {
            let bar = &bar;
            async move {
                let result = self.get(url).await;
                bar.set_message(file_name_for(url));
                bar.inc(1);
                result
            }
        })));
        bar.finish_and_clear();
        self.save_index()?;
        results.into_iter().collect()
    }

    /// The cached file for `url`, downloading or revalidating it first unless offline.
    pub fn fetch(&self, url: &str) -> Result<PathBuf, FetchError> {
        let mut paths = self.fetch_all(&[url.to_string()])?;
        paths.pop().ok_or_else(|| FetchError::NotCached {
            url: url.to_string(),
        })
    }

    /// A progress bar on stderr, hidden unless stderr is a terminal.
    pub fn progress(&self, len: usize, what: &str) -> ProgressBar {
        if !self.options.progress || !std::io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{prefix} {bar:30} {pos}/{len} {wide_msg}")
        {
            bar.set_style(style);
        }
        bar.set_prefix(what.to_string());
        bar
    }

    fn lookup(&self, url: &str) -> (Option<Entry>, bool) {
        let fresh = self.fresh.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = fresh.get(url) {
            return (Some(e.clone()), true);
        }
        // A blob is trusted only when its bytes still hash to its name (a disk error or a hand
        // edit would otherwise be served forever).
        let cached = self
            .index
            .get(url)
            .filter(|e| blob_intact(&self.blob(&e.sha256), &e.sha256))
            .cloned();
        (cached, false)
    }

    fn blob(&self, sha256: &str) -> PathBuf {
        self.options.cache.join("blobs").join(sha256)
    }

    /// The cached file for `url`: from this run, from the cache when offline, else downloaded
    /// or revalidated. Joining several of these runs them concurrently within the limits.
    pub async fn get(&self, url: &str) -> Result<PathBuf, FetchError> {
        let (cached, fresh) = self.lookup(url);
        if fresh || self.options.offline {
            return cached
                .map(|e| self.blob(&e.sha256))
                .ok_or_else(|| FetchError::NotCached {
                    url: url.to_string(),
                });
        }
        let entry = self.download(url, cached.as_ref()).await?;
        let path = self.blob(&entry.sha256);
        self.fresh
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(url.to_string(), entry);
        Ok(path)
    }

    /// Writes the URLs of this run into the cache index, merged with what another process may
    /// have written since we started.
    pub fn save_index(&self) -> Result<(), FetchError> {
        let fresh = self.fresh.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if fresh.is_empty() {
            return Ok(());
        }
        let path = self.options.cache.join("index.json");
        let mut index = read_index(&path);
        index.extend(fresh);
        let text = serde_json::to_string_pretty(&index).unwrap_or_default();
        write_atomic(&path, text.as_bytes())
    }

    /// Posts `body` and returns the response body (JSON APIs; never cached here). The same
    /// limits, retries and backoff as downloads.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<Vec<u8>, FetchError> {
        if self.options.offline {
            return Err(FetchError::NotCached {
                url: url.to_string(),
            });
        }
        let _slot = self.slot(url).await?;
        let response = self
            .send(url, || {
                let mut request = self.client.post(url).body(body.clone());
                for (name, value) in headers {
                    request = request.header(*name, value.as_str());
                }
                request
            })
            .await?;
        let mut out = Vec::new();
        self.read_body(url, response, |chunk| {
            out.extend_from_slice(chunk);
            Ok(())
        })
        .await?;
        Ok(out)
    }

    /// A slot among the `concurrency` allowed; held for a whole transfer, body included.
    async fn slot(&self, url: &str) -> Result<tokio::sync::SemaphorePermit<'_>, FetchError> {
        self.slots.acquire().await.map_err(|e| FetchError::Network {
            url: url.to_string(),
            reason: e.to_string(),
        })
    }

    /// Sends a request built by `build` (once per attempt), retrying on 429, 5xx, timeouts and
    /// refused connections. Returns a successful or 304 response; other statuses are errors.
    async fn send(
        &self,
        url: &str,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, FetchError> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            // Every attempt counts against the rate limits, retries included.
            if let Some(limiter) = &self.limiter {
                limiter.acquire().await;
            }
            if is_sec_url(url) {
                self.sec_limiter.acquire().await;
            }
            let mut request = build();
            if let Some(agent) = self
                .options
                .sec_user_agent
                .as_deref()
                .filter(|_| is_sec_url(url))
            {
                request = request.header(reqwest::header::USER_AGENT, agent);
            }
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) if attempt <= self.options.retries && (e.is_timeout() || e.is_connect()) => {
                    tokio::time::sleep(self.backoff(attempt, None).min(MAX_WAIT)).await;
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
            if status.is_success() || status == reqwest::StatusCode::NOT_MODIFIED {
                return Ok(response);
            }
            if (status.as_u16() == 429 || status.is_server_error())
                && attempt <= self.options.retries
            {
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(retry_after_seconds)
                    .map(Duration::from_secs);
                let wait = self.backoff(attempt, retry_after);
                if wait > MAX_WAIT {
                    return Err(FetchError::WaitTooLong {
                        url: url.to_string(),
                        seconds: wait.as_secs(),
                        limit: MAX_WAIT.as_secs(),
                    });
                }
                tokio::time::sleep(wait).await;
                continue;
            }
            return Err(FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
                attempts: attempt,
            });
        }
    }

    /// Streams a body to `sink`, refusing it beyond the size limit (by Content-Length first).
    async fn read_body(
        &self,
        url: &str,
        mut response: reqwest::Response,
        mut sink: impl FnMut(&[u8]) -> Result<(), FetchError>,
    ) -> Result<(), FetchError> {
        let too_large = || FetchError::TooLarge {
            url: url.to_string(),
            limit: self.options.max_body,
        };
        if response
            .content_length()
            .is_some_and(|n| n > self.options.max_body)
        {
            return Err(too_large());
        }
        let mut size = 0u64;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    size += chunk.len() as u64;
                    if size > self.options.max_body {
                        return Err(too_large());
                    }
                    sink(&chunk)?;
                }
                Ok(None) => return Ok(()),
                Err(e) => {
                    return Err(FetchError::Network {
                        url: url.to_string(),
                        reason: describe(&e),
                    });
                }
            }
        }
    }

    async fn download(&self, url: &str, cached: Option<&Entry>) -> Result<Entry, FetchError> {
        let _slot = self.slot(url).await?;
        let response = self
            .send(url, || {
                let mut request = self.client.get(url);
                if let Some(c) = cached {
                    if let Some(etag) = &c.etag {
                        request = request.header(reqwest::header::IF_NONE_MATCH, etag);
                    }
                    if let Some(lm) = &c.last_modified {
                        request = request.header(reqwest::header::IF_MODIFIED_SINCE, lm);
                    }
                }
                request
            })
            .await?;
        if response.status() == reqwest::StatusCode::NOT_MODIFIED {
            return cached.cloned().ok_or_else(|| FetchError::Status {
                url: url.to_string(),
                status: 304,
                attempts: 1,
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
        // Stream to a temporary file in the cache; it becomes a blob only when complete, and
        // is deleted when dropped on any error.
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
        self.read_body(url, response, |chunk| {
            hasher.update(chunk);
            tmp.write_all(chunk).map_err(|error| FetchError::Cache {
                path: tmp.path().to_path_buf(),
                error,
            })
        })
        .await?;
        let sha256 = crate::reference::hex(&hasher.finalize());
        let path = self.blob(&sha256);
        // On disk before the rename, so a crash cannot leave a short file under a hash name.
        tmp.as_file()
            .sync_all()
            .map_err(|error| FetchError::Cache {
                path: tmp.path().to_path_buf(),
                error,
            })?;
        tmp.persist(&path).map_err(|e| FetchError::Cache {
            path: path.clone(),
            error: e.error,
        })?;
        Ok(Entry {
            sha256,
            etag,
            last_modified,
        })
    }

    /// Exponential backoff with up to 50% jitter, or the server's `Retry-After` when it says
    /// more.
    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let base = self
            .options
            .backoff
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(16)));
        // std's RandomState is seeded randomly per process: enough to spread clients apart.
        let random = {
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u32(attempt);
            h.finish()
        };
        let jitter = base.mul_f64((random % 500) as f64 / 1000.0);
        let own = base + jitter;
        match retry_after {
            Some(server) if server > own => server,
            _ => own,
        }
    }
}

/// Writes a cache file whole or not at all: a temporary file in the same folder, renamed.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
    let err = |error| FetchError::Cache {
        path: path.to_path_buf(),
        error,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// `Retry-After` as seconds: a number, or an HTTP date (seconds from now, at least 0).
fn retry_after_seconds(value: &str) -> Option<u64> {
    let value = value.trim();
    if let Ok(n) = value.parse::<u64>() {
        return Some(n);
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .map(|d| d.as_secs())
            .unwrap_or(0),
    )
}

/// Removes `.part-*` files an interrupted run (killed mid-download) left behind. Only old ones:
/// another process may be downloading right now.
fn remove_stale_parts(blobs: &Path) {
    let Ok(entries) = std::fs::read_dir(blobs) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(3600));
        if entry.file_name().to_string_lossy().starts_with(".part-") && stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// True when the blob exists and its bytes hash to its name.
fn blob_intact(path: &Path, sha256: &str) -> bool {
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut hasher = Sha256::new();
    if std::io::copy(&mut file, &mut hasher).is_err() {
        return false;
    }
    crate::reference::hex(&hasher.finalize()) == sha256
}

/// The cache index on disk; a missing or unreadable one is an empty cache (blobs are checked
/// before use, so a stale index costs a download, never a wrong file).
fn read_index(path: &Path) -> BTreeMap<String, Entry> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
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
