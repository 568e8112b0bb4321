//! SEC EDGAR: a filer's 13F-HR or NPORT-P filings for a period, amendments resolved.
//!
//! The steps are SEC's own documents: the submissions JSON (`data.sec.gov/submissions/
//! CIK##########.json`, older pages listed in its `filings.files`), then each chosen filing's
//! folder index (`www.sec.gov/Archives/edgar/data/CIK/ACCESSION/index.json`), then the documents:
//! for 13F the cover page (`primary_doc.xml`, which says what an amendment does) and the
//! information table; for N-PORT the report itself (`primary_doc.xml`).
//!
//! Amendments are resolved against the original, as SEC defines them:
//! - 13F-HR/A with amendment type RESTATEMENT replaces everything filed before it for the period;
//!   NEW HOLDINGS adds its table to what stands. An amendment without an information table
//!   (a cover-page correction) changes no holdings.
//! - NPORT-P/A is a complete report: the latest filing for a series and period replaces the
//!   earlier ones. A trust files one report per series, so reports are keyed by series.
//!
//! Every filing considered is returned with what became of it, so the manifest explains why each
//! file is there or not. All requests go through the [`Fetcher`], at most 10 per second.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{FetchError, Fetcher};

/// The hosts to talk to; tests and mirrors point both at one local server.
#[derive(Debug, Clone)]
pub struct EdgarHosts {
    /// Serves `submissions/` (`https://data.sec.gov`).
    pub data: String,
    /// Serves `Archives/` (`https://www.sec.gov`).
    pub www: String,
}

impl Default for EdgarHosts {
    fn default() -> Self {
        EdgarHosts {
            data: "https://data.sec.gov".to_string(),
            www: "https://www.sec.gov".to_string(),
        }
    }
}

/// The forms xjscan reads holdings from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Form {
    #[serde(rename = "13F-HR")]
    Form13F,
    #[serde(rename = "NPORT-P")]
    NportP,
}

impl Form {
    pub fn parse(text: &str) -> Option<Form> {
        match text.trim().to_ascii_uppercase().as_str() {
            "13F-HR" | "13F" => Some(Form::Form13F),
            "NPORT-P" | "N-PORT" | "NPORT" => Some(Form::NportP),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Form::Form13F => "13F-HR",
            Form::NportP => "NPORT-P",
        }
    }
    fn amendment(self) -> &'static str {
        match self {
            Form::Form13F => "13F-HR/A",
            Form::NportP => "NPORT-P/A",
        }
    }
}

/// Which report periods to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Period {
    /// A calendar quarter: the 13F for the quarter's end, the N-PORT reports for its months.
    Quarter { year: u16, quarter: u8 },
    /// The most recent period the filer reported.
    Latest,
    /// Every period ending on or after this date (YYYY-MM-DD).
    Since(String),
}

impl Period {
    /// `2024-Q3` or `2024Q3`.
    pub fn parse_quarter(text: &str) -> Option<Period> {
        let t = text.trim().to_ascii_uppercase().replace('-', "");
        let (year, q) = t.split_once('Q')?;
        let year: u16 = year.parse().ok().filter(|y| (1993..=2100).contains(y))?;
        let quarter: u8 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
        Some(Period::Quarter { year, quarter })
    }

    /// A date `YYYY-MM-DD` with a real month and day.
    pub fn parse_since(text: &str) -> Option<Period> {
        let t = text.trim();
        let parts: Vec<&str> = t.split('-').collect();
        let ok = parts.len() == 3
            && parts[0].len() == 4
            && parts[1].len() == 2
            && parts[2].len() == 2
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
            && {
                let (y, m, d) = (
                    parts[0].parse::<u32>().unwrap_or(0),
                    parts[1].parse::<u32>().unwrap_or(0),
                    parts[2].parse::<u32>().unwrap_or(0),
                );
                let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
                let days = match m {
                    1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
                    4 | 6 | 9 | 11 => 30,
                    2 if leap => 29,
                    2 => 28,
                    _ => 0,
                };
                (1..=days).contains(&d)
            };
        ok.then(|| Period::Since(t.to_string()))
    }

    /// Whether a report date (YYYY-MM-DD) falls in the period; `latest` is the filer's latest.
    fn contains(&self, report_date: &str, latest: &str) -> bool {
        match self {
            Period::Quarter { year, quarter } => {
                let first = *quarter * 3 - 2;
                (first..first + 3).any(|m| report_date.starts_with(&format!("{year}-{m:02}-")))
            }
            Period::Latest => report_date == latest,
            Period::Since(date) => report_date >= date.as_str(),
        }
    }

    /// The earliest filing date that can hold the period (filings come after the period ends),
    /// to decide which older submissions pages are needed.
    fn earliest_filing(&self) -> Option<String> {
        match self {
            Period::Quarter { year, quarter } => Some(format!("{year}-{:02}-01", *quarter * 3 - 2)),
            Period::Latest => None,
            Period::Since(date) => Some(date.clone()),
        }
    }
}

/// What to fetch.
#[derive(Debug, Clone)]
pub struct EdgarRequest {
    pub cik: u64,
    pub form: Form,
    pub period: Period,
    pub hosts: EdgarHosts,
}

/// Why an EDGAR fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum EdgarError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url}: not the JSON expected ({what}): {message}")]
    Json {
        url: String,
        what: &'static str,
        message: String,
    },
    #[error("{url}: {message}")]
    Document { url: String, message: String },
    #[error("CIK {cik}: no {form} filings {what}")]
    NoFilings {
        cik: String,
        form: &'static str,
        what: String,
    },
}

/// One filing from the submissions JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Filing {
    pub accession: String,
    pub form: String,
    pub filing_date: String,
    pub report_date: String,
}

/// What became of a filing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilingOutcome {
    #[serde(flatten)]
    pub filing: Filing,
    /// For 13F amendments: RESTATEMENT or NEW HOLDINGS, as the cover page states.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amendment_type: Option<String>,
    /// For N-PORT: the series the report is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    /// `used`, `replaced`, or `no holdings`.
    pub status: &'static str,
    /// Why, in words (which filing replaced it, what it added).
    pub note: String,
    /// The file written for it, when used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The document's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The result: the filer, the files to scan (name in the output folder → cached file) and what
/// became of every filing considered.
#[derive(Debug, Clone, Serialize)]
pub struct EdgarResult {
    pub cik: String,
    pub filer: String,
    pub form: Form,
    pub filings: Vec<FilingOutcome>,
    #[serde(skip)]
    pub files: Vec<(String, PathBuf)>,
}

#[derive(Debug, Deserialize)]
struct Submissions {
    #[serde(default)]
    name: String,
    filings: SubmissionFilings,
}

#[derive(Debug, Deserialize)]
struct SubmissionFilings {
    recent: Columns,
    #[serde(default)]
    files: Vec<OlderPage>,
}

#[derive(Debug, Deserialize)]
struct OlderPage {
    name: String,
    #[serde(rename = "filingTo", default)]
    filing_to: String,
}

/// The submissions JSON's column arrays (one entry per filing).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Columns {
    accession_number: Vec<String>,
    filing_date: Vec<String>,
    report_date: Vec<String>,
    form: Vec<String>,
}

impl Columns {
    fn filings(&self, url: &str) -> Result<Vec<Filing>, EdgarError> {
        let n = self.accession_number.len();
        if [
            self.filing_date.len(),
            self.report_date.len(),
            self.form.len(),
        ]
        .iter()
        .any(|&len| len != n)
        {
            return Err(EdgarError::Json {
                url: url.to_string(),
                what: "submissions",
                message: "the filing columns have different lengths".to_string(),
            });
        }
        Ok((0..n)
            .map(|i| Filing {
                accession: self.accession_number[i].clone(),
                form: self.form[i].clone(),
                filing_date: self.filing_date[i].clone(),
                report_date: self.report_date[i].clone(),
            })
            .collect())
    }
}

#[derive(Debug, Deserialize)]
struct FolderIndex {
    directory: Directory,
}

#[derive(Debug, Deserialize)]
struct Directory {
    #[serde(default)]
    item: Vec<FolderItem>,
}

#[derive(Debug, Deserialize)]
struct FolderItem {
    name: String,
}

fn parse_json<T: serde::de::DeserializeOwned>(
    url: &str,
    path: &std::path::Path,
    what: &'static str,
) -> Result<T, EdgarError> {
    let bytes = std::fs::read(path).map_err(|error| FetchError::Cache {
        path: path.to_path_buf(),
        error,
    })?;
    serde_json::from_slice(&bytes).map_err(|e| EdgarError::Json {
        url: url.to_string(),
        what,
        message: e.to_string(),
    })
}

/// The filing's documents, fetched: (name, url, cached path).
type Documents = Vec<(String, String, PathBuf)>;

/// Fetches the filings the request asks for and resolves amendments.
pub fn fetch(fetcher: &Fetcher, request: &EdgarRequest) -> Result<EdgarResult, EdgarError> {
    let result = fetcher.block_on(fetch_async(fetcher, request));
    // The index is saved even after a failure, so what was downloaded is not downloaded again.
    fetcher.save_index()?;
    result
}

async fn fetch_async(fetcher: &Fetcher, request: &EdgarRequest) -> Result<EdgarResult, EdgarError> {
    let cik10 = format!("{:010}", request.cik);
    let data = request.hosts.data.trim_end_matches('/');
    let www = request.hosts.www.trim_end_matches('/');
    let url = format!("{data}/submissions/CIK{cik10}.json");
    let submissions: Submissions =
        parse_json(&url, &fetcher.get(&url).await?, "EDGAR submissions")?;
    let mut filings = submissions.filings.recent.filings(&url)?;
    let wanted = |f: &Filing| f.form == request.form.name() || f.form == request.form.amendment();

    // Older pages only when the period reaches back past the recent filings (or nothing recent
    // is of the form).
    let oldest_recent = filings.iter().map(|f| f.filing_date.clone()).min();
    let need_older = match request.period.earliest_filing() {
        Some(from) => oldest_recent.as_ref().is_none_or(|o| from < *o),
        None => !filings.iter().any(wanted),
    };
    if need_older {
        let from = request.period.earliest_filing().unwrap_or_default();
        let pages: Vec<String> = submissions
            .filings
            .files
            .iter()
            .filter(|p| p.filing_to.is_empty() || p.filing_to >= from)
            .map(|p| format!("{data}/submissions/{}", p.name))
            .collect();
        let fetched = futures_util::future::join_all(pages.iter().map(|u| fetcher.get(u))).await;
        for (page_url, path) in pages.iter().zip(fetched) {
            let columns: Columns = parse_json(page_url, &path?, "EDGAR submissions page")?;
            filings.extend(columns.filings(page_url)?);
        }
    }
    filings.retain(wanted);
    filings.sort_by(|a, b| {
        (&a.report_date, &a.filing_date, &a.accession).cmp(&(
            &b.report_date,
            &b.filing_date,
            &b.accession,
        ))
    });
    filings.dedup();
    let latest = filings
        .iter()
        .map(|f| f.report_date.clone())
        .max()
        .unwrap_or_default();
    // A trust's series may close their quarters in different months: for N-PORT, "latest" is
    // each series' latest report, found among the last three months' filings.
    let latest = if request.form == Form::NportP && request.period == Period::Latest {
        months_before(&latest, 3)
    } else {
        latest
    };
    let latest_window = request.form == Form::NportP && request.period == Period::Latest;
    filings.retain(|f| {
        if latest_window {
            f.report_date.as_str() > latest.as_str()
        } else {
            request.period.contains(&f.report_date, &latest)
        }
    });
    if filings.is_empty() {
        return Err(EdgarError::NoFilings {
            cik: cik10,
            form: request.form.name(),
            what: match &request.period {
                Period::Quarter { year, quarter } => format!("for {year}-Q{quarter}"),
                Period::Latest => "at all".to_string(),
                Period::Since(d) => format!("for periods ending on or after {d}"),
            },
        });
    }

    // Each filing's folder index, then its documents, all concurrently within the limits.
    let folder = |f: &Filing| {
        format!(
            "{www}/Archives/edgar/data/{}/{}",
            request.cik,
            f.accession.replace('-', "")
        )
    };
    let bar = fetcher.progress(filings.len(), "EDGAR filings");
    let docs = futures_util::future::join_all(filings.iter().map(|f| {
        let bar = &bar;
        async move {
            let docs = filing_documents(fetcher, request.form, folder(f)).await;
            bar.set_message(f.accession.clone());
            bar.inc(1);
            docs
        }
    }))
    .await;
    bar.finish_and_clear();
    let mut fetched = Vec::new();
    for (filing, docs) in filings.into_iter().zip(docs) {
        fetched.push((filing, docs?));
    }
    let outcomes = match request.form {
        Form::Form13F => resolve_13f(&cik10, fetched)?,
        Form::NportP => resolve_nport(&cik10, fetched, latest_window)?,
    };
    let mut files = Vec::new();
    let mut filings = Vec::new();
    for (outcome, path) in outcomes {
        if let (Some(name), Some(path)) = (&outcome.file, path) {
            files.push((name.clone(), path));
        }
        filings.push(outcome);
    }
    Ok(EdgarResult {
        cik: cik10,
        filer: submissions.name,
        form: request.form,
        filings,
        files,
    })
}

/// A filing's folder index and the documents holdings are read from.
async fn filing_documents(
    fetcher: &Fetcher,
    form: Form,
    folder: String,
) -> Result<Documents, EdgarError> {
    let index_url = format!("{folder}/index.json");
    let index: FolderIndex = parse_json(
        &index_url,
        &fetcher.get(&index_url).await?,
        "EDGAR filing index",
    )?;
    let names: Vec<String> = index
        .directory
        .item
        .into_iter()
        .map(|i| i.name)
        .filter(|n| {
            let lower = n.to_ascii_lowercase();
            // The primary document, and for 13F any other XML (the information table's name
            // is the filer's choice: infotable.xml, form13fInfoTable.xml, 0001234-table.xml…).
            lower == "primary_doc.xml"
                || (form == Form::Form13F && lower.ends_with(".xml") && !lower.contains('/'))
        })
        .collect();
    if !names
        .iter()
        .any(|n| n.eq_ignore_ascii_case("primary_doc.xml"))
    {
        return Err(EdgarError::Document {
            url: index_url,
            message: "the filing has no primary_doc.xml".to_string(),
        });
    }
    let urls: Vec<String> = names.iter().map(|n| format!("{folder}/{n}")).collect();
    let paths = futures_util::future::join_all(urls.iter().map(|u| fetcher.get(u))).await;
    let mut docs = Vec::new();
    for ((name, url), path) in names.into_iter().zip(urls).zip(paths) {
        docs.push((name, url, path?));
    }
    Ok(docs)
}

fn read_text(url: &str, path: &std::path::Path) -> Result<String, EdgarError> {
    let bytes = std::fs::read(path).map_err(|error| FetchError::Cache {
        path: path.to_path_buf(),
        error,
    })?;
    String::from_utf8(bytes).map_err(|_| EdgarError::Document {
        url: url.to_string(),
        message: "not UTF-8 text".to_string(),
    })
}

/// The date `months` months before a `YYYY-MM-DD` date, as `YYYY-MM-DD` (day kept; only
/// compared as text).
fn months_before(date: &str, months: u32) -> String {
    let y: u32 = date.get(0..4).and_then(|t| t.parse().ok()).unwrap_or(0);
    let m: u32 = date.get(5..7).and_then(|t| t.parse().ok()).unwrap_or(1);
    let total = (y * 12 + m.saturating_sub(1)).saturating_sub(months);
    format!(
        "{:04}-{:02}-{}",
        total / 12,
        total % 12 + 1,
        date.get(8..10).unwrap_or("01")
    )
}

/// The text of the first element with this local name.
fn element_text(doc: &roxmltree::Document, name: &str) -> Option<String> {
    doc.descendants()
        .find(|n| n.tag_name().name() == name)
        .and_then(|n| n.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn parse_xml<'a>(url: &str, text: &'a str) -> Result<roxmltree::Document<'a>, EdgarError> {
    // Some filings start with a blank line before the XML declaration.
    roxmltree::Document::parse(text.trim_start()).map_err(|e| EdgarError::Document {
        url: url.to_string(),
        message: format!("not well-formed XML: {e}"),
    })
}

/// The output file name: CIK, period, form, accession (sorted listings read in period order).
fn file_name(cik10: &str, filing: &Filing, series: Option<&str>) -> String {
    let form = filing.form.replace('/', "-");
    let series = series.map(|s| format!("_{s}")).unwrap_or_default();
    crate::report::sanitize_file_name(&format!(
        "{cik10}_{}_{form}{series}_{}.xml",
        filing.report_date, filing.accession
    ))
}

type Resolved = Vec<(FilingOutcome, Option<PathBuf>)>;

/// A filing whose holdings no longer stand: no file is written for it, and the note says why.
fn mark_replaced(entry: &mut (FilingOutcome, Option<PathBuf>), note: String) {
    entry.0.status = "replaced";
    entry.0.note = note;
    entry.0.file = None;
    entry.1 = None;
}

/// 13F: per period, in filing order, restatements replace and new-holdings amendments add.
fn resolve_13f(cik10: &str, fetched: Vec<(Filing, Documents)>) -> Result<Resolved, EdgarError> {
    let mut out: Resolved = Vec::new();
    // Index into `out` of the filings standing for the current period.
    let mut standing: Vec<usize> = Vec::new();
    let mut period = String::new();
    for (filing, docs) in fetched {
        if filing.report_date != period {
            period = filing.report_date.clone();
            standing.clear();
        }
        let mut cover = None;
        let mut table = None;
        for (name, url, path) in &docs {
            if name.eq_ignore_ascii_case("primary_doc.xml") {
                let text = read_text(url, path)?;
                let doc = parse_xml(url, &text)?;
                cover = Some((
                    element_text(&doc, "isAmendment").is_some_and(|t| t == "true"),
                    element_text(&doc, "amendmentType"),
                    element_text(&doc, "reportType"),
                ));
            } else {
                // Only the information table matters; another XML in any encoding is skipped.
                let bytes = std::fs::read(path).map_err(|error| FetchError::Cache {
                    path: path.clone(),
                    error,
                })?;
                if String::from_utf8_lossy(&bytes).contains("informationTable") {
                    table = Some((url.clone(), path.clone()));
                }
            }
        }
        let (_, amendment_type, report_type) = cover.unwrap_or((false, None, None));
        let is_amendment = filing.form.ends_with("/A");
        let mut outcome = FilingOutcome {
            amendment_type: if is_amendment {
                amendment_type.clone()
            } else {
                None
            },
            series: None,
            status: "used",
            note: String::new(),
            file: None,
            url: None,
            filing: filing.clone(),
        };
        let restates = is_amendment
            && amendment_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("RESTATEMENT"));
        let Some((url, path)) = table else {
            // A restatement without a table (say, a switch to a notice) leaves no holdings
            // standing for the period.
            if restates {
                for &i in &standing {
                    mark_replaced(
                        &mut out[i],
                        format!(
                            "replaced by {} (RESTATEMENT with no information table)",
                            filing.accession
                        ),
                    );
                }
                standing.clear();
            }
            outcome.status = "no holdings";
            outcome.note = format!(
                "no information table ({})",
                report_type.as_deref().unwrap_or("report type not stated")
            );
            out.push((outcome, None));
            continue;
        };
        let adds = is_amendment
            && amendment_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("NEW HOLDINGS"));
        if adds {
            outcome.note = if standing.is_empty() {
                "new holdings; the filing it adds to is not on EDGAR for this period".to_string()
            } else {
                format!(
                    "new holdings, added to {}",
                    standing
                        .iter()
                        .map(|&i| out[i].0.filing.accession.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
        } else {
            for &i in &standing {
                mark_replaced(
                    &mut out[i],
                    format!(
                        "replaced by {} ({})",
                        filing.accession,
                        if is_amendment {
                            amendment_type
                                .as_deref()
                                .unwrap_or("amendment type not stated")
                        } else {
                            "a later original filing"
                        }
                    ),
                );
            }
            standing.clear();
            outcome.note = match (is_amendment, amendment_type.as_deref()) {
                (false, _) => "original".to_string(),
                (true, Some(t)) => format!("{t}: replaces the holdings filed before it"),
                (true, None) => "amendment type not stated; treated as a restatement".to_string(),
            };
        }
        outcome.file = Some(file_name(cik10, &filing, None));
        outcome.url = Some(url);
        standing.push(out.len());
        out.push((outcome, Some(path)));
    }
    Ok(out)
}

/// N-PORT: the latest filing for each series and period is the complete report.
fn resolve_nport(
    cik10: &str,
    fetched: Vec<(Filing, Documents)>,
    latest_only: bool,
) -> Result<Resolved, EdgarError> {
    let mut out: Resolved = Vec::new();
    let mut latest: BTreeMap<(String, String), usize> = BTreeMap::new();
    // With --latest, an earlier period of a series gives way to its later one.
    let mut series_latest: BTreeMap<String, usize> = BTreeMap::new();
    for (filing, docs) in fetched {
        let Some((_, url, path)) = docs
            .into_iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case("primary_doc.xml"))
        else {
            continue;
        };
        let text = read_text(&url, &path)?;
        let doc = parse_xml(&url, &text)?;
        let series = element_text(&doc, "seriesId");
        let key = (
            series.clone().unwrap_or_default(),
            filing.report_date.clone(),
        );
        if let Some(&i) = latest.get(&key) {
            mark_replaced(
                &mut out[i],
                format!("replaced by {} (complete report)", filing.accession),
            );
        }
        latest.insert(key, out.len());
        if latest_only {
            let series_key = series.clone().unwrap_or_default();
            if let Some(&i) = series_latest.get(&series_key)
                && out[i].0.filing.report_date < filing.report_date
            {
                mark_replaced(
                    &mut out[i],
                    format!(
                        "an earlier period; the series' latest report is {}",
                        filing.accession
                    ),
                );
            }
            series_latest.insert(series_key, out.len());
        }
        let is_amendment = filing.form.ends_with("/A");
        out.push((
            FilingOutcome {
                amendment_type: None,
                file: Some(file_name(cik10, &filing, series.as_deref())),
                url: Some(url),
                series,
                status: "used",
                note: if is_amendment {
                    "amendment: a complete report replacing earlier ones".to_string()
                } else {
                    "original".to_string()
                },
                filing,
            },
            Some(path),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(
            Period::parse_quarter("2024-Q3"),
            Some(Period::Quarter {
                year: 2024,
                quarter: 3
            })
        );
        assert!(Period::parse_quarter("2024q1").is_some());
        assert_eq!(Period::parse_quarter("2024-Q5"), None);
        assert_eq!(Period::parse_quarter("24-Q1"), None);
        let q3 = Period::parse_quarter("2024Q3").unwrap();
        assert!(q3.contains("2024-09-30", ""));
        assert!(q3.contains("2024-07-31", ""));
        assert!(!q3.contains("2024-10-31", ""));
        assert_eq!(Period::parse_since("2024-13-01"), None);
        assert_eq!(Period::parse_since("2024-1-01"), None);
        assert_eq!(Period::parse_since("2023-02-29"), None);
        assert!(Period::parse_since("2024-02-29").is_some());
        assert_eq!(months_before("2024-02-29", 3), "2023-11-29");
        let since = Period::parse_since("2024-06-30").unwrap();
        assert!(since.contains("2024-06-30", ""));
        assert!(!since.contains("2024-03-31", ""));
        assert!(Period::Latest.contains("2024-09-30", "2024-09-30"));
    }

    #[test]
    fn forms() {
        assert_eq!(Form::parse("13f-hr"), Some(Form::Form13F));
        assert_eq!(Form::parse("NPORT-P"), Some(Form::NportP));
        assert_eq!(Form::parse("10-K"), None);
    }
}
