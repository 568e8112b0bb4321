//! Reports: the model every format is rendered from, the renderers, and safe writing of the
//! output folder.

pub mod dataset;
pub mod diff;
pub mod holders;
pub mod letters;
pub mod model;
pub mod nport_dataset;
mod output;
pub mod render;

pub use model::{ReportModel, build};
pub use output::{OutputError, sanitize_file_name, write_outputs, write_outputs_claiming};
pub use render::{RenderError, Templates, format_money, format_pct};

use std::fmt;
use std::str::FromStr;

/// An output format of `xjscan scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Markdown,
    Html,
    Json,
    Csv,
}

impl Format {
    pub const ALL: &'static [Format] = &[Format::Markdown, Format::Html, Format::Json, Format::Csv];

    /// The file this format is written to inside the output folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Markdown => "report.md",
            Format::Html => "report.html",
            Format::Json => "report.json",
            Format::Csv => "flagged.csv",
        }
    }

    fn render(self, model: &ReportModel, templates: &Templates) -> Result<String, RenderError> {
        match self {
            Format::Markdown => render::markdown_with(model, &templates.report_md),
            Format::Html => render::html_with(model, &templates.report_html),
            Format::Json => render::json(model),
            Format::Csv => render::flagged_csv(model),
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            other => Err(format!(
                "unknown format `{other}`; expected md, html, json or csv"
            )),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Json => "json",
            Format::Csv => "csv",
        })
    }
}

/// Renders every requested format in memory, so that a rendering error leaves nothing on disk.
pub fn render_all(
    model: &ReportModel,
    formats: &[Format],
    templates: &Templates,
) -> Result<Vec<(&'static str, String)>, RenderError> {
    let mut files = formats
        .iter()
        .map(|f| Ok((f.file_name(), f.render(model, templates)?)))
        .collect::<Result<Vec<_>, RenderError>>()?;
    // Always written (header only when empty), so a stale list from an earlier run never
    // lingers in the folder; a filled-in copy is a valid `--overrides` file.
    files.push((REVIEW_FILE, render::review_csv(model)?));
    Ok(files)
}

/// The review list's file name in the output folder.
pub const REVIEW_FILE: &str = "review.csv";
