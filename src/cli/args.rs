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
    Scan(ScanArgs),
}

/// Arguments of `xjscan scan`.
#[derive(Debug, Args)]
#[command(after_help = "\
Exit status: 0 success; 2 usage error or unusable input (nothing is written); \
3 flagged exposure above --fail-above (reports are written); 1 any other failure.

Example:
  xjscan scan examples/portfolio.csv --out reports/example")]
pub struct ScanArgs {
    /// Holdings files (CSV or TSV; UTF-8, UTF-16 or GBK; preamble lines allowed). Several files
    /// are scanned as one portfolio.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Folder of reference tables replacing the shipped ones (same files as `mappings/`).
    #[arg(long, value_name = "DIR")]
    pub mappings: Option<PathBuf>,

    /// Output folder [default: reports/<portfolio name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Output formats, comma-separated: md, json, csv.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "md,json,csv"
    )]
    pub format: Vec<String>,

    /// Net asset value to measure weights against, instead of the sum of the holdings.
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    pub nav: Option<String>,

    /// Name columns explicitly, e.g. `name=Security,value=Mkt Val (USD)`. Roles: name,
    /// description, isin, cusip, sedol, lei, cik, ticker, exchange, quantity, value, currency,
    /// weight, asset_class. Unnamed roles are still recognised from the header.
    #[arg(long, value_name = "ROLE=HEADER,...")]
    pub columns: Option<String>,

    /// Read input files in this encoding instead of detecting it (utf-8, utf-16le, gbk,
    /// windows-1252, …).
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,

    /// Portfolio name shown in the report [default: the first file's name].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Exit with status 3 when flagged exposure exceeds this percentage of the portfolio (for
    /// compliance pipelines). Reports are still written.
    #[arg(long, value_name = "PCT", allow_hyphen_values = true)]
    pub fail_above: Option<String>,
}
