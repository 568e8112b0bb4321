//! Reports for a whole Form N-PORT data set: one row per filing (`funds.csv`), the flagged
//! holdings (`flagged.csv`), the rows set aside (`rejected.csv`), the issuers for review, the
//! model as JSON, and an overview in Markdown and HTML from `templates/nport_dataset.md.hbs`
//! and `nport_dataset.html.hbs`; `--format` chooses among them as for a 13F data set.

use serde::Serialize;

use super::Format;
use super::dataset::{finish, rejected_csv, review_csv, writer};
use super::render::{self, RenderError};
use crate::exposure::dataset::nport::{FundExposure, NportExposure};
use crate::model::DatasetMeta;

const NPORT_MD: &str = include_str!("../../templates/nport_dataset.md.hbs");
const NPORT_HTML: &str = include_str!("../../templates/nport_dataset.html.hbs");

/// How many funds the Markdown overview lists.
const TOP_FUNDS: usize = 25;

/// Everything an N-PORT data-set report says.
#[derive(Debug, Clone, Serialize)]
pub struct NportReport {
    pub tool: super::model::Tool,
    pub name: String,
    pub dataset: String,
    pub reference: DatasetMeta,
    pub exposure: NportExposure,
    /// Funds with flagged exposure, largest flagged value first.
    pub top_funds: Vec<FundExposure>,
    pub funds_with_flags: u64,
    pub unbalanced_funds: u64,
    /// Who holds the flagged issuers (long positions), and the registrants by flagged value.
    pub holders: super::holders::Holders,
    pub top_holdings: Vec<super::holders::Holding>,
    pub top_managers: Vec<super::holders::Manager>,
}

pub fn build(
    name: &str,
    dataset: &str,
    reference: &DatasetMeta,
    exposure: NportExposure,
) -> Result<NportReport, RenderError> {
    let funds: std::collections::HashMap<&str, &FundExposure> = exposure
        .funds
        .iter()
        .map(|f| (f.accession.as_str(), f))
        .collect();
    // A report restated by a later filing is not counted again.
    let current = |accession: &str| {
        funds
            .get(accession)
            .is_none_or(|f| f.superseded_by.is_none())
    };
    let holders = super::holders::aggregate(
        exposure
            .flags
            .iter()
            .filter(|f| f.position == "long" && current(&f.accession))
            .map(|f| super::holders::FlaggedPosition {
                portfolio: &f.accession,
                entity_ids: &f.entity_ids,
                issuer: &f.name,
                value: f.value,
            }),
        |accession| match funds.get(accession) {
            Some(f) => (
                f.registrant.clone().unwrap_or_default(),
                f.cik.clone().unwrap_or_default(),
            ),
            None => (String::new(), String::new()),
        },
    )?;
    let (top, funds_with_flags) = super::holders::largest_flagged(
        &exposure.funds,
        |f| {
            let rows = if f.superseded_by.is_none() {
                f.flagged_rows
            } else {
                0
            };
            (rows, f.flagged_value, f.accession.as_str())
        },
        TOP_FUNDS,
    );
    Ok(NportReport {
        top_holdings: holders.by_issuer.iter().take(TOP_FUNDS).cloned().collect(),
        top_managers: holders.managers.iter().take(TOP_FUNDS).cloned().collect(),
        holders,
        tool: super::model::Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        name: name.to_string(),
        dataset: dataset.to_string(),
        reference: reference.clone(),
        top_funds: top,
        funds_with_flags,
        unbalanced_funds: exposure.funds.iter().filter(|f| !f.balanced).count() as u64,
        exposure,
    })
}

/// Renders the outputs `formats` ask for; `review.csv` is always written.
pub fn render_all(
    report: &NportReport,
    formats: &[Format],
) -> Result<Vec<(&'static str, String)>, RenderError> {
    let mut files = Vec::new();
    for format in formats {
        match format {
            Format::Markdown => files.push((
                "report.md",
                render::render_template(render::escape_markdown, NPORT_MD, report)?,
            )),
            Format::Html => files.push((
                "report.html",
                render::render_template(handlebars::html_escape, NPORT_HTML, report)?,
            )),
            Format::Json => {
                let mut json = serde_json::to_string_pretty(report)?;
                json.push('\n');
                files.push(("report.json", json));
            }
            Format::Csv => {
                files.push(("funds.csv", funds_csv(report)?));
                files.push(("flagged.csv", flags_csv(report)?));
                files.push(("rejected.csv", rejected_csv(&report.exposure.rejected)?));
                files.push(("holders.csv", super::holders::holders_csv(&report.holders)?));
            }
        }
    }
    files.push((super::REVIEW_FILE, review_csv(&report.exposure.review)?));
    Ok(files)
}

fn opt(v: &Option<String>) -> String {
    render::defuse_formula(v.as_deref().unwrap_or_default())
}

fn funds_csv(report: &NportReport) -> Result<String, RenderError> {
    let mut w = writer();
    w.write_record([
        "accession",
        "series_name",
        "series_id",
        "registrant",
        "cik",
        "report_date",
        "filed",
        "sub_type",
        "net_assets",
        "rows",
        "rejected_rows",
        "long_rows",
        "long_value",
        "short_rows",
        "short_value",
        "derivative_rows",
        "derivative_value",
        "flagged_rows",
        "flagged_value",
        "flagged_pct_of_net_assets",
        "flagged_short_and_derivative_value",
        "xpcc_debt_value",
        "balanced",
        "superseded_by",
    ])?;
    for f in &report.exposure.funds {
        w.write_record([
            render::defuse_formula(&f.accession),
            opt(&f.series_name),
            opt(&f.series_id),
            opt(&f.registrant),
            opt(&f.cik),
            opt(&f.report_date),
            opt(&f.filed),
            opt(&f.sub_type),
            f.net_assets.map(|n| n.to_string()).unwrap_or_default(),
            f.rows.to_string(),
            f.rejected_rows.to_string(),
            f.long_rows.to_string(),
            f.long_value.to_string(),
            f.short_rows.to_string(),
            f.short_value.to_string(),
            f.derivative_rows.to_string(),
            f.derivative_value.to_string(),
            f.flagged_rows.to_string(),
            f.flagged_value.to_string(),
            f.flagged_pct_of_net_assets
                .map(|p| p.to_string())
                .unwrap_or_default(),
            f.flagged_other_value.to_string(),
            f.xpcc_debt_value.to_string(),
            f.balanced.to_string(),
            opt(&f.superseded_by),
        ])?;
    }
    finish(w)
}

fn flags_csv(report: &NportReport) -> Result<String, RenderError> {
    let mut w = writer();
    w.write_record([
        "accession",
        "line",
        "holding_id",
        "name",
        "cusip",
        "lei",
        "isin",
        "title",
        "asset_cat",
        "currency",
        "value",
        "position",
        "entity_ids",
        "tier",
    ])?;
    for f in &report.exposure.flags {
        w.write_record([
            render::defuse_formula(&f.accession),
            f.line.to_string(),
            render::defuse_formula(&f.holding_id),
            render::defuse_formula(&f.name),
            render::defuse_formula(&f.cusip),
            render::defuse_formula(&f.lei),
            render::defuse_formula(&f.isin),
            render::defuse_formula(&f.title),
            render::defuse_formula(&f.asset_cat),
            render::defuse_formula(&f.currency),
            f.value.to_string(),
            f.position.clone(),
            f.entity_ids.clone(),
            f.tier.clone(),
        ])?;
    }
    finish(w)
}
