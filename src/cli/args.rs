//! Command-line arguments (clap derive types). Only this module knows about clap; `cli::scan`
//! turns these into the library's plain options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Measure how much of a portfolio is tied to Xinjiang (Uyghur Region) forced labour.
///
/// Every flag cites the designation or research behind it (list, date, source, confidence grade)
/// and how the holding was matched. A flag is evidence, not a legal finding.
#[derive(Debug, Parser)]
#[command(name = "xjscan", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan holdings files and write a report (Markdown, JSON, CSV of flagged positions).
    Scan(Box<ScanArgs>),
    /// Inspect, validate and refresh the reference data (entities, designations, sources).
    #[command(subcommand)]
    Mappings(MappingsCommand),
    /// Measure name matching on a labelled set: precision, recall, F1 and every miss.
    Eval(EvalArgs),
    /// Compare two JSON reports: new, increased, reduced and exited flagged issuers, and whether
    /// each was held when designated or bought after.
    Diff(DiffArgs),
    /// Check a sample of funds' filings against their stated policies (claims.csv) and write a
    /// run bundle that `xjscan replay` reproduces.
    DisclosureCheck(DisclosureArgs),
    /// Rerun a disclosure check from its bundle and confirm the outputs are identical.
    Replay(ReplayArgs),
    /// Download holdings files over HTTP(S) into a folder, through the cache.
    Fetch(Box<FetchArgs>),
    /// Resolve a table of distinct issuers (CSV or Parquet) once each and write a match table
    /// (CSV and Parquet) for an engine or a warehouse to join back to its rows.
    Resolve(Box<ResolveArgs>),
}

/// Arguments of `xjscan resolve`.
#[derive(Debug, Args)]
#[command(after_help = "\
The table has a header row (CSV, comma- or tab-separated, UTF-8) or is a Parquet file. Key
columns are found by their headers (NAMEOFISSUER, ISSUER_NAME, Name; CUSIP; ISIN; LEI; Ticker;
Exchange) or named with --columns. Every input row gets one row in matches.csv and
matches.parquet, in input order, with the key exactly as given.

Example:
  xjscan resolve issuers.parquet --columns name=NAMEOFISSUER,cusip=CUSIP --out matches")]
pub struct ResolveArgs {
    /// The table of distinct issuers.
    #[arg(value_name = "ISSUERS")]
    pub input: std::path::PathBuf,
    /// Output folder (matches.csv, matches.parquet, manifest.json).
    #[arg(long, value_name = "DIR")]
    pub out: std::path::PathBuf,
    /// Name the key columns, e.g. `name=NAMEOFISSUER,cusip=CUSIP`. Roles: name, cusip, isin,
    /// lei, ticker, exchange.
    #[arg(long, value_name = "ROLE=HEADER,...")]
    pub columns: Option<String>,
    /// Folder of reference tables replacing the shipped ones [default: the newest updated
    /// data, else the shipped tables].
    #[arg(long, value_name = "DIR", conflicts_with = "shipped_data")]
    pub mappings: Option<std::path::PathBuf>,
    /// Use the tables compiled into xjscan, not updated data.
    #[arg(long)]
    pub shipped_data: bool,
    /// Reviewers' decisions on name matches [default: overrides.csv of the reference tables].
    #[arg(long, value_name = "FILE")]
    pub overrides: Option<std::path::PathBuf>,
    /// Refuse a table with more rows than this (default 20000000).
    #[arg(long, value_name = "N")]
    pub max_rows: Option<String>,
    /// Refuse a table with a key field longer than this (default 64K).
    #[arg(long, value_name = "SIZE")]
    pub max_field: Option<String>,
}

/// Arguments of `xjscan fetch`: URLs, or `fetch edgar …`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct FetchArgs {
    #[command(subcommand)]
    pub source: Option<FetchSource>,
    /// URLs to download.
    #[arg(value_name = "URL", required = true)]
    pub urls: Vec<String>,
    /// Folder to save the files in (named after the URL's last path segment).
    #[arg(long, value_name = "DIR", required = true)]
    pub out: Option<PathBuf>,
    /// The config file (`[sec] contact` names you to SEC) [default: ./xjscan.toml if present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub net: NetArgs,
}

#[derive(Debug, Subcommand)]
pub enum FetchSource {
    /// A filer's 13F-HR or NPORT-P filings from SEC EDGAR, amendments resolved, at most 10
    /// requests per second. SEC requires a contact: XJSCAN_CONTACT="Name email@example.org" or
    /// `[sec] contact` in xjscan.toml.
    Edgar(EdgarArgs),
}

/// Arguments of `xjscan fetch edgar`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("when").required(true).args(["period", "latest", "since"])))]
pub struct EdgarArgs {
    /// The filer's Central Index Key (leading zeros optional).
    #[arg(long, value_name = "CIK")]
    pub cik: String,
    /// 13F-HR (an institutional manager's holdings) or NPORT-P (a fund's holdings).
    #[arg(long, value_name = "FORM")]
    pub form: String,
    /// A calendar quarter, e.g. 2024-Q3.
    #[arg(long, value_name = "YYYY-QN")]
    pub period: Option<String>,
    /// The most recent period filed.
    #[arg(long)]
    pub latest: bool,
    /// Every period ending on or after this date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: Option<String>,
    /// Folder to save the holdings documents and `edgar.json` (what became of each filing) in.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The config file (`[sec] contact`) [default: ./xjscan.toml if present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Base URL replacing both https://data.sec.gov and https://www.sec.gov (a mirror).
    #[arg(long, value_name = "URL", hide = true)]
    pub sec_base: Option<String>,
    #[command(flatten)]
    pub net: NetArgs,
}

/// Defaults of the download options (also what tells that none was given).
const DEFAULT_TIMEOUT: u64 = 30;
const DEFAULT_RETRIES: u32 = 4;
const DEFAULT_MAX_BODY: u64 = 512 * 1024 * 1024;
const DEFAULT_CONCURRENCY: usize = 4;

/// How downloads behave (`fetch`, `fetch edgar`, and `scan` with URLs).
#[derive(Debug, Clone, Args)]
pub struct NetArgs {
    /// Cache folder [default: $XJSCAN_CACHE, else ~/.cache/xjscan].
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Read the cache only; never download.
    #[arg(long)]
    pub offline: bool,
    /// Seconds before a request times out.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIMEOUT)]
    pub timeout: u64,
    /// Retries on 429, 5xx, timeouts and refused connections (exponential backoff with jitter,
    /// or the server's Retry-After).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RETRIES)]
    pub retries: u32,
    /// Largest body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY)]
    pub max_body: u64,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// At most this many requests per second (SEC hosts: never more than 10).
    #[arg(long, value_name = "N")]
    pub rate: Option<u32>,
}

impl NetArgs {
    /// True when no download option was given (each holds its default).
    pub fn untouched(&self) -> bool {
        self.cache.is_none()
            && !self.offline
            && self.timeout == DEFAULT_TIMEOUT
            && self.retries == DEFAULT_RETRIES
            && self.max_body == DEFAULT_MAX_BODY
            && self.concurrency == DEFAULT_CONCURRENCY
            && self.rate.is_none()
    }
}

/// Arguments of `xjscan disclosure-check`.
#[derive(Debug, Args)]
pub struct DisclosureArgs {
    /// Filings (13F, N-PORT or any holdings file), one fund each; or one Form N-PORT data set
    /// folder, whose filings are the funds.
    #[arg(value_name = "FILING", required = true)]
    pub filings: Vec<PathBuf>,
    /// CSV with columns fund_id (file name without extension, the fund's stated name, or a
    /// data set's accession number) and labels (`;`-separated, e.g. "ESG; excludes forced
    /// labour; SFDR Article 8").
    #[arg(long, value_name = "FILE")]
    pub claims: Option<PathBuf>,
    /// Read each fund's claims from its name (an N-PORT data set): a name with a term such as
    /// "ESG", "sustainable" or "clean" is taken to claim an ESG policy.
    #[arg(long, conflicts_with = "claims")]
    pub claims_from_names: bool,
    /// The terms that make a claim in a fund's name, one per line (with
    /// --claims-from-names; default: xjscan's list, see the README).
    #[arg(long, value_name = "FILE", requires = "claims_from_names")]
    pub claim_terms: Option<PathBuf>,
    /// Check a random sample of this many funds.
    #[arg(long, value_name = "N")]
    pub sample: Option<usize>,
    /// Seed of the sample.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Folder of reference tables replacing the shipped ones [default: the newest updated
    /// data, else the shipped tables].
    #[arg(long, value_name = "DIR", conflicts_with = "shipped_data")]
    pub mappings: Option<PathBuf>,
    /// Use the tables compiled into xjscan, not updated data.
    #[arg(long)]
    pub shipped_data: bool,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "reports/disclosure")]
    pub out: PathBuf,
}

/// Arguments of `xjscan replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The bundle.json a disclosure check wrote.
    #[arg(value_name = "BUNDLE")]
    pub bundle: PathBuf,
    /// Where to write the replayed outputs.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Arguments of `xjscan diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier report.json.
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,
    /// The later report.json.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
    /// Print JSON instead of Markdown.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `xjscan eval`.
#[derive(Debug, Args)]
#[command(after_help = "\
The set is a CSV with columns holding_name and expected_entity_id (empty when the name must
match nothing); kind, origin and note document each row. Only automatic matches count: a name
left for review is not a flag.

Example:
  xjscan eval tests/eval/names.csv --min-precision 0.99 --min-recall 0.95")]
pub struct EvalArgs {
    /// The labelled set.
    #[arg(value_name = "FILE")]
    pub set: PathBuf,

    /// Folder of reference tables replacing the shipped ones [default: the newest updated
    /// data, else the shipped tables].
    #[arg(long, value_name = "DIR", conflicts_with = "shipped_data")]
    pub mappings: Option<PathBuf>,

    /// Use the tables compiled into xjscan, not updated data.
    #[arg(long)]
    pub shipped_data: bool,

    /// Exit with status 3 when precision is below this (0 to 1).
    #[arg(long, value_name = "P")]
    pub min_precision: Option<f64>,

    /// Exit with status 3 when recall is below this (0 to 1).
    #[arg(long, value_name = "R")]
    pub min_recall: Option<f64>,
}

/// Which reference tables a `mappings` command reads.
#[derive(Debug, Args)]
pub struct MappingsSource {
    /// Folder of reference tables to use instead of the shipped ones [default: the newest
    /// folder `xjscan mappings update` wrote, else the shipped tables].
    #[arg(long, value_name = "DIR", conflicts_with = "shipped_data")]
    pub mappings: Option<PathBuf>,
    /// Use the tables compiled into xjscan, not updated data.
    #[arg(long)]
    pub shipped_data: bool,
}

/// Arguments of `xjscan mappings update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// A source to fetch instead of the defaults (uflpa, dod-1260h, ofac-sdn, ofac-cons; also
    /// opensanctions-bis, opensanctions-ofac), or the URL of an OpenSanctions export
    /// (…/DATASET/entities.ftm.json or targets.simple.csv). Repeatable.
    #[arg(long, value_name = "NAME|URL")]
    pub source: Vec<String>,
    /// Where dated folders of updated data are kept [default: $XJSCAN_DATA_DIR, else
    /// $XDG_DATA_HOME/xjscan, else ~/.local/share/xjscan].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print what would change without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Base URL replacing https://data.opensanctions.org/datasets/latest/ (a mirror).
    #[arg(long, value_name = "URL", hide = true)]
    pub opensanctions_base: Option<String>,
    /// Base URL replacing https://www.treasury.gov/ofac/downloads/ (a mirror).
    #[arg(long, value_name = "URL", hide = true)]
    pub ofac_base: Option<String>,
    #[command(flatten)]
    pub net: NetArgs,
}

#[derive(Debug, Subcommand)]
pub enum MappingsCommand {
    /// Check every table: columns, unique ids, sources, dates, grades, identifier check digits,
    /// ownership edges and cycles. Exits 2 when anything is wrong.
    Validate(MappingsSource),
    /// Show one entity: names, identifiers, designations, parents, children and sources.
    Show {
        /// Entity id, identifier (ISIN, MIC:TICKER, USCC, CIK), name or alias, or part of one.
        #[arg(value_name = "NAME-OR-ID")]
        query: String,
        #[command(flatten)]
        source: MappingsSource,
    },
    /// Counts by list, grade, kind and sector, and identifier coverage.
    Stats(MappingsSource),
    /// Merge an official list download into a folder of reference tables.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Download the current public lists (UFLPA, DoD 1260H, OFAC), merge them into the data in
    /// use and write a new dated folder that later runs use.
    Update(Box<UpdateArgs>),
}

/// Options shared by the importers.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Folder of reference tables to merge into; created from the shipped tables if missing.
    #[arg(long, value_name = "DIR", default_value = "mappings")]
    pub into: PathBuf,
    /// Print what would change without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Where the files were downloaded from, recorded in the source row.
    #[arg(long, value_name = "URL")]
    pub source_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// OFAC legacy CSV files in DIR: sdn.csv, alt.csv, add.csv (Xinjiang GLOMAG entries) and/or
    /// cons_prim.csv, cons_alt.csv, cons_add.csv (CMIC rows).
    Ofac {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Import every CMIC row, not only those tied to Xinjiang or already in the data.
        #[arg(long)]
        all_cmic: bool,
        #[command(flatten)]
        common: ImportArgs,
    },
    /// An OpenSanctions export: FollowTheMoney JSON lines or targets.simple.csv.
    Opensanctions {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The OpenSanctions dataset the file holds (e.g. us_dhs_uflpa), when the file does not say.
        #[arg(long, value_name = "NAME")]
        dataset: Option<String>,
        #[command(flatten)]
        common: ImportArgs,
    },
    /// Your own list: one CSV row per designated entity (columns: name, list, grade,
    /// source_title required; name_zh, aliases, kind, country, sector, programme, listed_on,
    /// removed_on, source_url, source_publisher, isin, ticker, uscc, lei, cik, cusip, note).
    Csv {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        common: ImportArgs,
    },
}

/// Arguments of `xjscan scan`.
#[derive(Debug, Args)]
#[command(after_help = "\
Exit status: 0 success; 2 usage error or unusable input (nothing is written); \
3 flagged exposure above --fail-above (reports are written); 1 any other failure.

Example:
  xjscan scan examples/portfolio.csv --out reports/example")]
pub struct ScanArgs {
    /// Holdings files (CSV or TSV; UTF-8, UTF-16 or GBK; preamble lines allowed), or http(s)
    /// URLs of them (downloaded through the cache). Several are scanned as one portfolio.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Look up identifiers in OpenFIGI: FIGIs for holdings, and names for rows that have none
    /// (API key from OPENFIGI_API_KEY, optional; answers cached).
    #[arg(long, value_name = "SERVICE", value_parser = ["openfigi"])]
    pub enrich: Option<String>,

    #[command(flatten)]
    pub net: NetArgs,

    /// Folder of reference tables replacing the shipped ones (same files as `mappings/`)
    /// [default: the newest folder `xjscan mappings update` wrote, else the shipped tables].
    #[arg(long, value_name = "DIR", conflicts_with = "shipped_data")]
    pub mappings: Option<PathBuf>,

    /// Use the tables compiled into xjscan, not updated data.
    #[arg(long)]
    pub shipped_data: bool,

    /// Reviewers' decisions on name matches (a filled-in review.csv works) [default:
    /// overrides.csv of the reference tables].
    #[arg(long, value_name = "FILE")]
    pub overrides: Option<PathBuf>,

    /// Exchange rates (CSV: currency, rate [, date, source]; rate = value of one unit in the base
    /// currency). Every holding is converted before anything is added up.
    #[arg(long, value_name = "FILE")]
    pub fx: Option<PathBuf>,

    /// Folder of fund holdings files: fund positions found there (by ISIN or ticker in the file
    /// name, or by the fund name in the file) are replaced by the fund's holdings, scaled.
    #[arg(long, value_name = "DIR")]
    pub look_through: Option<PathBuf>,

    /// Also write one engagement letter per flagged issuer (Markdown and HTML) and
    /// `letters.csv` to track sending and replies.
    #[arg(long)]
    pub letters: bool,

    /// Config file with the letters' sender [default: ./xjscan.toml when present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Folder of replacement templates (report.md.hbs, report.html.hbs, letter.md.hbs,
    /// letter.html.hbs); the shipped ones are used for any it lacks.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Base currency of the report when --fx is given.
    #[arg(long, value_name = "CODE", default_value = "USD")]
    pub base: String,

    /// Output folder [default: reports/<portfolio name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Output formats, comma-separated: md, html, json, csv.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "md,html,json,csv"
    )]
    pub format: Vec<String>,

    /// Net asset value to measure weights against, instead of the sum of the holdings.
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    pub nav: Option<String>,

    /// Name columns explicitly, e.g. `name=Security,value=Mkt Val (USD)`. Roles: name,
    /// description, isin, cusip, sedol, lei, cik, identifier, ticker, exchange, quantity, value, currency,
    /// weight, asset_class. Unnamed roles are still recognised from the header.
    #[arg(long, value_name = "ROLE=HEADER,...")]
    pub columns: Option<String>,

    /// Read input files in this encoding instead of detecting it (utf-8, utf-16le, gbk,
    /// windows-1252, …).
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,

    /// Refuse a workbook (XLSX, ODS) whose parts unpack to more than this (default 256M).
    #[arg(long, value_name = "SIZE")]
    pub max_unpacked: Option<String>,

    /// Refuse a text file with a line longer than this (default 1M).
    #[arg(long, value_name = "SIZE")]
    pub max_line: Option<String>,

    /// Refuse a file with a field (cell, name) longer than this (default 64K).
    #[arg(long, value_name = "SIZE")]
    pub max_field: Option<String>,

    /// Refuse a table (CSV, TSV, workbook sheet, Parquet file) with more rows than this
    /// (default 5000000).
    #[arg(long, value_name = "N")]
    pub max_rows: Option<String>,

    /// Portfolio name shown in the report [default: the first file's name].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Exit with status 3 when flagged exposure exceeds this percentage of the portfolio (for
    /// compliance pipelines). Reports are still written.
    #[arg(long, value_name = "PCT", allow_hyphen_values = true)]
    pub fail_above: Option<String>,
}
