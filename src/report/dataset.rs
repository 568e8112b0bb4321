//! Reports for a whole Form 13F data set: one row per filing (`filers.csv`), the flagged rows
//! (`flagged.csv`), the rows set aside with their reasons (`rejected.csv`), the model as JSON,
//! and an overview in Markdown and HTML from `templates/dataset.md.hbs` and `dataset.html.hbs`;
//! `--format` chooses among them as for a holdings file (`csv` being the three tables).

use rust_decimal::Decimal;
use serde::Serialize;

use super::Format;
use super::render::{self, RenderError};
use crate::exposure::dataset::{DatasetExposure, DatasetRejected, DatasetReview, FilerExposure};
use crate::model::DatasetMeta;

const DATASET_MD: &str = include_str!("../../templates/dataset.md.hbs");
const DATASET_HTML: &str = include_str!("../../templates/dataset.html.hbs");

/// How many filers the Markdown overview lists.
const TOP_FILERS: usize = 25;

/// Everything a data-set report says.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetReport {
    pub tool: super::model::Tool,
    /// The report's title: `--name`, else the folder's name.
    pub name: String,
    /// The folder scanned, as given.
    pub dataset: String,
    pub reference: DatasetMeta,
    pub exposure: DatasetExposure,
    /// Filers with flagged exposure, largest first (the Markdown overview's table).
    pub top_filers: Vec<FilerExposure>,
    pub filers_with_flags: u64,
    pub thousands_filings: u64,
    pub unbalanced_filings: u64,
    pub total_mismatches: u64,
    pub option_value: Decimal,
    /// Who holds the flagged issuers (long positions), and the managers by flagged value.
    pub holders: super::holders::Holders,
    /// The first rows of each holders table, for the overviews.
    pub top_holdings: Vec<super::holders::Holding>,
    pub top_managers: Vec<super::holders::Manager>,
}

pub fn build(
    name: &str,
    dataset: &str,
    reference: &DatasetMeta,
    exposure: DatasetExposure,
) -> Result<DatasetReport, RenderError> {
    let filers: std::collections::HashMap<&str, &FilerExposure> = exposure
        .filers
        .iter()
        .map(|f| (f.accession.as_str(), f))
        .collect();
    let holders = super::holders::aggregate(
        exposure
            .flags
            .iter()
            .filter(|f| f.put_call.is_none())
            .map(|f| super::holders::FlaggedPosition {
                portfolio: &f.accession,
                entity_ids: &f.entity_ids,
                issuer: &f.name,
                value: f.value,
            }),
        |accession| match filers.get(accession) {
            Some(f) => (f.filer.clone().unwrap_or_default(), f.cik.clone()),
            None => (String::new(), String::new()),
        },
    )?;
    let (top, filers_with_flags) = super::holders::largest_flagged(
        &exposure.filers,
        |f| (f.flagged_rows, f.flagged_value, f.accession.as_str()),
        TOP_FILERS,
    );
    Ok(DatasetReport {
        top_holdings: holders.by_issuer.iter().take(TOP_FILERS).cloned().collect(),
        top_managers: holders.managers.iter().take(TOP_FILERS).cloned().collect(),
        holders,
        tool: super::model::Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        name: name.to_string(),
        dataset: dataset.to_string(),
        reference: reference.clone(),
        top_filers: top,
        filers_with_flags,
        thousands_filings: exposure
            .filers
            .iter()
            .filter(|f| f.unit_multiplier != 1)
            .count() as u64,
        unbalanced_filings: exposure.filers.iter().filter(|f| !f.balanced).count() as u64,
        total_mismatches: exposure
            .filers
            .iter()
            .filter(|f| f.total_check.as_deref().is_some_and(|c| c.contains("but")))
            .count() as u64,
        option_value: exposure.option_value,
        exposure,
    })
}

/// Renders the outputs `formats` ask for, `(file name, contents)`: `report.md`, `report.html`,
/// `report.json`, and for `csv` the tables `filers.csv`, `flagged.csv` and `rejected.csv`.
/// `review.csv` is always written, as for a holdings file.
pub fn render_all(
    report: &DatasetReport,
    formats: &[Format],
) -> Result<Vec<(&'static str, String)>, RenderError> {
    // A quarter's report is megabytes of JSON and CSV: the outputs are rendered side by side.
    let rendered: Vec<Result<Vec<(&'static str, String)>, RenderError>> =
        std::thread::scope(|scope| {
            let handles: Vec<_> = formats
                .iter()
                .map(|&format| scope.spawn(move || render_one(report, format)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(RenderError::Thread("rendering failed".to_string()))
                    })
                })
                .collect()
        });
    let mut files = Vec::new();
    for outputs in rendered {
        files.extend(outputs?);
    }
    files.push((super::REVIEW_FILE, review_csv(&report.exposure.review)?));
    Ok(files)
}

/// One format's files.
fn render_one(
    report: &DatasetReport,
    format: Format,
) -> Result<Vec<(&'static str, String)>, RenderError> {
    Ok(match format {
        Format::Markdown => vec![(
            "report.md",
            render::render_template(render::escape_markdown, DATASET_MD, report)?,
        )],
        Format::Html => vec![(
            "report.html",
            render::render_template(handlebars::html_escape, DATASET_HTML, report)?,
        )],
        Format::Json => {
            let mut json = serde_json::to_string_pretty(report)?;
            json.push('\n');
            vec![("report.json", json)]
        }
        Format::Csv => vec![
            ("filers.csv", filers_csv(report)?),
            ("flagged.csv", flags_csv(report)?),
            ("rejected.csv", rejected_csv(&report.exposure.rejected)?),
            ("holders.csv", super::holders::holders_csv(&report.holders)?),
        ],
    })
}

/// Rows whose value is not counted, each with its line and the reason.
pub(super) fn rejected_csv(rows: &[DatasetRejected]) -> Result<String, RenderError> {
    let mut w = writer();
    w.write_record(["accession", "line", "name", "cusip", "reason"])?;
    for r in rows {
        w.write_record([
            render::defuse_formula(&r.accession),
            r.line.to_string(),
            render::defuse_formula(&r.name),
            render::defuse_formula(&r.cusip),
            render::defuse_formula(&r.reason),
        ])?;
    }
    finish(w)
}

/// Distinct issuers in the review band, in the columns of an overrides file first.
pub(super) fn review_csv(rows: &[DatasetReview]) -> Result<String, RenderError> {
    let mut w = writer();
    w.write_record([
        "holding_name",
        "entity_id",
        "decision",
        "reviewer",
        "date",
        "note",
        "cusip",
        "reference_name",
        "score",
        "explanation",
    ])?;
    for r in rows {
        w.write_record([
            render::defuse_formula(&r.holding_name),
            r.candidate.entity_id.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            render::defuse_formula(&r.cusip),
            render::defuse_formula(&r.candidate.reference_value),
            r.candidate.score.to_string(),
            render::defuse_formula(&r.candidate.explanation),
        ])?;
    }
    finish(w)
}

pub(super) fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

pub(super) fn finish(w: csv::Writer<Vec<u8>>) -> Result<String, RenderError> {
    let bytes = w
        .into_inner()
        .map_err(|e| RenderError::Csv(csv::Error::from(e.into_error())))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn filers_csv(report: &DatasetReport) -> Result<String, RenderError> {
    let mut w = writer();
    w.write_record([
        "accession",
        "cik",
        "filer",
        "period",
        "filed",
        "unit_multiplier",
        "unit_decision",
        "rows",
        "rejected_rows",
        "long_rows",
        "long_value",
        "option_rows",
        "option_value",
        "flagged_rows",
        "flagged_value",
        "flagged_pct",
        "flagged_option_value",
        "declared_total",
        "total_check",
        "balanced",
    ])?;
    for f in &report.exposure.filers {
        w.write_record([
            render::defuse_formula(&f.accession),
            render::defuse_formula(&f.cik),
            render::defuse_formula(f.filer.as_deref().unwrap_or_default()),
            f.period.clone().unwrap_or_default(),
            f.filed.clone().unwrap_or_default(),
            f.unit_multiplier.to_string(),
            f.unit_note.clone(),
            f.rows.to_string(),
            f.rejected_rows.to_string(),
            f.long_rows.to_string(),
            f.long_value.to_string(),
            f.option_rows.to_string(),
            f.option_value.to_string(),
            f.flagged_rows.to_string(),
            f.flagged_value.to_string(),
            f.flagged_pct.to_string(),
            f.flagged_option_value.to_string(),
            f.declared_total.map(|t| t.to_string()).unwrap_or_default(),
            f.total_check.clone().unwrap_or_default(),
            f.balanced.to_string(),
        ])?;
    }
    finish(w)
}

fn flags_csv(report: &DatasetReport) -> Result<String, RenderError> {
    let mut w = writer();
    w.write_record([
        "accession",
        "line",
        "name",
        "cusip",
        "title",
        "value",
        "put_call",
        "entity_ids",
        "tier",
    ])?;
    for f in &report.exposure.flags {
        w.write_record([
            render::defuse_formula(&f.accession),
            f.line.to_string(),
            render::defuse_formula(&f.name),
            render::defuse_formula(&f.cusip),
            render::defuse_formula(&f.title),
            f.value.to_string(),
            f.put_call.clone().unwrap_or_default(),
            f.entity_ids.clone(),
            f.tier.clone(),
        ])?;
    }
    finish(w)
}
