//! Rendering the report model: Markdown through Handlebars templates, JSON by serialising the
//! model itself, and a CSV of flagged positions for spreadsheets.

use handlebars::{Handlebars, handlebars_helper};
use rust_decimal::Decimal;

use super::model::ReportModel;

/// The shipped Markdown report template.
const REPORT_MD: &str = include_str!("../../templates/report.md.hbs");
/// The shipped HTML report template: one self-contained page (inline CSS and SVG, no scripts,
/// nothing fetched).
const REPORT_HTML: &str = include_str!("../../templates/report.html.hbs");

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("report template is invalid: {0}")]
    Template(#[from] Box<handlebars::TemplateError>),
    #[error("cannot render the report: {0}")]
    Render(#[from] Box<handlebars::RenderError>),
    #[error("cannot serialise the report: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write the CSV of flagged positions: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot render the report: {0}")]
    Thread(String),
    #[error("cannot render the report: {0} add up to more than can be counted exactly (28 digits)")]
    Overflow(&'static str),
}

/// Groups the integer part of a decimal with commas and shows at least two decimals, without
/// rounding.
///
/// # Example
///
/// ```
/// use xjscan::report::format_money;
///
/// assert_eq!(format_money("1234567.5"), "1,234,567.50");
/// assert_eq!(format_money("0.125"), "0.125");
/// ```
pub fn format_money(value: &str) -> String {
    let (sign, digits) = match value.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", value),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    // Trailing zeros past the cents say nothing (a file's `450080373.69000000`).
    let frac = frac.trim_end_matches('0');
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let frac = if frac.len() < 2 {
        format!("{frac:0<2}")
    } else {
        frac.to_string()
    };
    format!("{sign}{grouped}.{frac}")
}

/// A percentage shown to two decimals: `4.41455` → `4.41%`.
pub fn format_pct(value: &str) -> String {
    match value.parse::<Decimal>() {
        Ok(d) => format!(
            "{:.2}%",
            d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        ),
        Err(_) => value.to_string(),
    }
}

/// Escapes text for Markdown so that names cannot break tables or inject markup.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Makes a URL safe to put inside `<…>` in a Markdown link.
fn safe_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '\n' | '\r' => {}
            c => out.push(c),
        }
    }
    out
}

handlebars_helper!(money_helper: |v: str| format_money(v));
handlebars_helper!(pct_helper: |v: str| format_pct(v));
handlebars_helper!(url_helper: |v: str| safe_url(v));
handlebars_helper!(inc_helper: |v: u64| v + 1);

/// Builds a Handlebars registry in strict mode (a misspelt field is an error, not a blank).
pub(crate) fn registry(escape: fn(&str) -> String) -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(escape);
    hb.register_helper("money", Box::new(money_helper));
    hb.register_helper("pct", Box::new(pct_helper));
    hb.register_helper("url", Box::new(url_helper));
    hb.register_helper("inc", Box::new(inc_helper));
    hb
}

/// Renders one template over `data` with the given escaping (Markdown or HTML).
pub(crate) fn render_template(
    escape: fn(&str) -> String,
    template: &str,
    data: &impl serde::Serialize,
) -> Result<String, RenderError> {
    let mut hb = registry(escape);
    hb.register_template_string("t", template)
        .map_err(Box::new)?;
    Ok(hb.render("t", data).map_err(Box::new)?)
}

/// The templates a report is rendered with: the shipped ones, or replacements from
/// `--templates DIR` (any of `report.md.hbs`, `report.html.hbs`, `letter.md.hbs`,
/// `letter.html.hbs`).
#[derive(Debug, Clone)]
pub struct Templates {
    pub report_md: String,
    pub report_html: String,
    pub letters: super::letters::LetterTemplates,
}

impl Default for Templates {
    fn default() -> Self {
        Templates {
            report_md: REPORT_MD.to_string(),
            report_html: REPORT_HTML.to_string(),
            letters: super::letters::LetterTemplates::default(),
        }
    }
}

impl Templates {
    /// The shipped templates with those present in `dir` swapped in.
    pub fn from_dir(dir: &std::path::Path) -> std::io::Result<Templates> {
        let mut t = Templates::default();
        let read = |name: &str, slot: &mut String| -> std::io::Result<()> {
            match std::fs::read_to_string(dir.join(name)) {
                Ok(text) => {
                    *slot = text;
                    Ok(())
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e),
            }
        };
        if !dir.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not a folder",
            ));
        }
        read("report.md.hbs", &mut t.report_md)?;
        read("report.html.hbs", &mut t.report_html)?;
        read("letter.md.hbs", &mut t.letters.markdown)?;
        read("letter.html.hbs", &mut t.letters.html)?;
        Ok(t)
    }
}

/// Renders the Markdown report.
pub fn markdown(model: &ReportModel) -> Result<String, RenderError> {
    markdown_with(model, REPORT_MD)
}

/// Renders the Markdown report with the given template text.
pub fn markdown_with(model: &ReportModel, template: &str) -> Result<String, RenderError> {
    let mut hb = registry(escape_markdown);
    hb.register_template_string("report", template)
        .map_err(Box::new)?;
    Ok(hb.render("report", model).map_err(Box::new)?)
}

/// Renders the HTML report; every value is HTML-escaped.
pub fn html(model: &ReportModel) -> Result<String, RenderError> {
    html_with(model, REPORT_HTML)
}

/// Renders the HTML report with the given template text.
pub fn html_with(model: &ReportModel, template: &str) -> Result<String, RenderError> {
    let mut hb = registry(handlebars::html_escape);
    hb.register_template_string("report", template)
        .map_err(Box::new)?;
    Ok(hb.render("report", model).map_err(Box::new)?)
}

/// Renders the JSON report: the model itself, pretty-printed, with a final newline.
pub fn json(model: &ReportModel) -> Result<String, RenderError> {
    let mut text = serde_json::to_string_pretty(model)?;
    text.push('\n');
    Ok(text)
}

/// Spreadsheets execute cells that start with these; prefixing a quote keeps them as text
/// (an issuer name from a file is not to be trusted).
pub(crate) fn defuse_formula(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Renders `review.csv`: one row per holding name and candidate entity. The first six columns
/// are those of an overrides file, left blank for the reviewer to fill in.
pub fn review_csv(model: &ReportModel) -> Result<String, RenderError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record([
        "holding_name",
        "entity_id",
        "decision",
        "reviewer",
        "date",
        "note",
        "entity_name",
        "reference_name",
        "score",
        "explanation",
        "positions",
        "value",
        "first_seen",
    ])?;
    for r in &model.review {
        writer.write_record([
            defuse_formula(&r.holding_name),
            r.entity_id.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            defuse_formula(&r.entity_name),
            defuse_formula(&r.reference_value),
            r.score.to_string(),
            defuse_formula(&r.explanation),
            r.positions.to_string(),
            r.value.to_string(),
            defuse_formula(&r.first_seen),
        ])?;
    }
    finish_csv(writer)
}

/// The written CSV as text.
pub(crate) fn finish_csv(writer: csv::Writer<Vec<u8>>) -> Result<String, RenderError> {
    let bytes = writer
        .into_inner()
        .map_err(|e| RenderError::Csv(csv::Error::from(e.into_error())))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Renders the CSV of flagged positions: one row per position, evidence joined in cells.
pub fn flagged_csv(model: &ReportModel) -> Result<String, RenderError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record([
        "file",
        "line",
        "name",
        "isin",
        "listing",
        "value",
        "weight_pct",
        "tier",
        "entity_ids",
        "entities",
        "matched_by",
        "lists",
        "designations",
        "sources",
        "xpcc",
    ])?;
    for p in &model.flagged {
        let mut matched_by = Vec::new();
        let mut lists = Vec::new();
        let mut designations = Vec::new();
        let mut sources = Vec::new();
        for e in &p.entities {
            for m in &e.matches {
                let grade = m.grade.map_or(String::new(), |g| format!(", grade {g}"));
                matched_by.push(format!(
                    "{} {} = {}{grade}",
                    m.method_label, m.holding_value, m.reference_value
                ));
            }
            for d in e.designations.iter().filter(|d| d.active) {
                // The lists that apply to the holding; the evidence columns keep every link's.
                if e.link.carries_designations && !lists.contains(&d.list) {
                    lists.push(d.list.clone());
                }
                designations.push(format!(
                    "{} {} ({}, grade {}{})",
                    d.list,
                    d.listed_on.as_deref().unwrap_or("date unknown"),
                    d.consequence,
                    d.grade,
                    if d.verified { "" } else { ", unverified" }
                ));
                if let Some(s) = &d.source
                    && !s.url.is_empty()
                    && !sources.contains(&s.url)
                {
                    sources.push(s.url.clone());
                }
            }
        }
        let entity_ids: Vec<&str> = p.entities.iter().map(|e| e.entity_id.as_str()).collect();
        let entities: Vec<&str> = p.entities.iter().map(|e| e.name.as_str()).collect();
        writer.write_record([
            defuse_formula(&p.file),
            p.line.to_string(),
            defuse_formula(&p.name),
            p.isin.clone().unwrap_or_default(),
            p.listing.clone().unwrap_or_default(),
            p.value.to_string(),
            p.weight_pct.to_string(),
            p.tier.to_string(),
            entity_ids.join("; "),
            defuse_formula(&entities.join("; ")),
            defuse_formula(&matched_by.join("; ")),
            lists.join("; "),
            designations.join("; "),
            sources.join(" "),
            defuse_formula(
                &p.xpcc
                    .as_ref()
                    .map_or_else(String::new, |x| format!("{}; {}", x.text, x.rule)),
            ),
        ])?;
    }
    finish_csv(writer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_keeps_every_digit() {
        assert_eq!(format_money("1234567.5"), "1,234,567.50");
        assert_eq!(format_money("-1000"), "-1,000.00");
        assert_eq!(format_money("0.125"), "0.125");
        assert_eq!(format_money("999"), "999.00");
        assert_eq!(format_money("450080373.69000000"), "450,080,373.69");
        assert_eq!(format_money("1.10"), "1.10");
    }

    #[test]
    fn markdown_escaping_defuses_markup() {
        assert_eq!(
            escape_markdown("A|B *x* <script>"),
            "A\\|B \\*x\\* \\<script\\>"
        );
        assert_eq!(defuse_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_url("https://a.b/c d<e>"), "https://a.b/c%20d%3Ce%3E");
    }
}
