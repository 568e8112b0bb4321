//! Engagement letters: one letter per flagged issuer, in Markdown and HTML, from the report
//! model, plus an index (`letters.csv`) to track sending and replies.
//!
//! The sender comes from the config file (`xjscan.toml`, `[sender]`); the letter's date only when
//! the config gives one, so two runs write the same bytes. File names are built from the issuer's
//! name but reduced to ASCII letters, digits and `-`, numbered, and never contain a path: an
//! issuer called `../../etc/passwd` or `<script>` still lands in the output folder as a plain
//! file name.

use std::collections::BTreeMap;

use handlebars::Handlebars;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::model::{EntityEvidence, ReportModel};
use super::render::{self, RenderError};

/// Who sends the letters (`[sender]` in `xjscan.toml`). Unset fields stay as bracketed
/// placeholders to fill in, never invented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sender {
    pub name: String,
    pub organisation: String,
    pub email: String,
    pub address: String,
}

impl Default for Sender {
    fn default() -> Self {
        Sender {
            name: "[sender name]".into(),
            organisation: "[organisation]".into(),
            email: "[email]".into(),
            address: "[address]".into(),
        }
    }
}

/// `[letters]` in `xjscan.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LetterSettings {
    /// The date printed on the letters; none unless given, so output stays reproducible.
    pub date: Option<String>,
}

/// The letter templates (the shipped ones unless `--templates DIR` replaces them).
#[derive(Debug, Clone)]
pub struct LetterTemplates {
    pub markdown: String,
    pub html: String,
}

impl Default for LetterTemplates {
    fn default() -> Self {
        LetterTemplates {
            markdown: include_str!("../../templates/letter.md.hbs").to_string(),
            html: include_str!("../../templates/letter.html.hbs").to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
struct Position {
    name: String,
    value: Decimal,
    weight_pct: Decimal,
    asset_class_label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct Issuer {
    entity_id: String,
    name: String,
    name_zh: String,
}

#[derive(Debug, Clone, Serialize)]
struct Letter<'a> {
    issuer: Issuer,
    portfolio: &'a str,
    /// The holdings' as-of date, when the input files state one.
    as_of: Option<&'a str>,
    currency: Option<&'a str>,
    positions: Vec<Position>,
    position_count: usize,
    total: Decimal,
    weight_pct: Decimal,
    tier_label: &'static str,
    bondholder: bool,
    /// The letter goes to the XPCC itself: the asks about the XPCC are put to it directly.
    to_xpcc: bool,
    evidence: Vec<EntityEvidence>,
    sender: &'a Sender,
    date: Option<&'a str>,
    tool: String,
    reference_as_of: &'a str,
    reference_sha256: &'a str,
}

/// A file name for an issuer's letter: the number, then the name in ASCII (or the entity id
/// when the name has none), at most 60 characters, never a path.
pub fn letter_stem(number: usize, name: &str, entity_id: &str) -> String {
    let slug = |text: &str| {
        let mut out = String::new();
        for c in text.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        out.trim_end_matches('-')
            .chars()
            .take(60)
            .collect::<String>()
    };
    let mut stem = slug(name);
    if stem.is_empty() {
        stem = slug(entity_id);
    }
    let stem = stem.trim_end_matches('-');
    format!(
        "letter-{number:02}-{}",
        if stem.is_empty() { "issuer" } else { stem }
    )
}

/// Renders every letter and the index. Returns `(file name, contents)` pairs.
pub fn render_letters(
    model: &ReportModel,
    sender: &Sender,
    settings: &LetterSettings,
    templates: &LetterTemplates,
) -> Result<Vec<(String, String)>, RenderError> {
    // Flagged positions grouped by the issuer held (the entity the holding matched).
    let mut by_issuer: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in model.flagged.iter().enumerate() {
        if let Some(e) = p.entities.first() {
            by_issuer
                .entry(e.link.held_entity_id.clone())
                .or_default()
                .push(i);
        }
    }
    let mut order: Vec<(String, Decimal)> = by_issuer
        .iter()
        .map(|(id, ps)| (id.clone(), ps.iter().map(|&i| model.flagged[i].value).sum()))
        .collect();
    // Largest holding first; the entity id breaks ties so numbering is stable.
    order.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

    let mut md = render::registry(render::escape_markdown);
    md.register_template_string("letter", &templates.markdown)
        .map_err(Box::new)?;
    let mut html: Handlebars<'static> = render::registry(handlebars::html_escape);
    html.register_template_string("letter", &templates.html)
        .map_err(Box::new)?;

    let mut files = Vec::new();
    let mut index = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    index.write_record([
        "number",
        "entity_id",
        "issuer",
        "markdown",
        "html",
        "positions",
        "value",
        "weight_pct",
        "tier",
        "sent_on",
        "sent_to",
        "reply_on",
        "status",
        "notes",
    ])?;
    for (n, (entity_id, total)) in order.iter().enumerate() {
        let positions = &by_issuer[entity_id];
        let first = &model.flagged[positions[0]];
        let held = first
            .entities
            .first()
            .map(|e| (e.link.held_name.clone(), e.entity_id == *entity_id));
        let (name, name_zh) = match first.entities.iter().find(|e| e.entity_id == *entity_id) {
            Some(e) => (e.name.clone(), e.name_zh.clone()),
            None => (held.map(|h| h.0).unwrap_or_default(), String::new()),
        };
        let mut evidence: Vec<EntityEvidence> = Vec::new();
        for &i in positions {
            for e in &model.flagged[i].entities {
                if !evidence.iter().any(|x| x.entity_id == e.entity_id) {
                    evidence.push(e.clone());
                }
            }
        }
        let weight_pct: Decimal = positions.iter().map(|&i| model.flagged[i].weight_pct).sum();
        let letter = Letter {
            issuer: Issuer {
                entity_id: entity_id.clone(),
                name: name.clone(),
                name_zh,
            },
            portfolio: &model.portfolio,
            as_of: model
                .inputs
                .iter()
                .filter_map(|i| i.period.as_deref())
                .max(),
            currency: model.currency.as_deref(),
            positions: positions
                .iter()
                .map(|&i| {
                    let p = &model.flagged[i];
                    Position {
                        name: p.name.clone(),
                        value: p.value,
                        weight_pct: p.weight_pct,
                        asset_class_label: p.asset_class_label,
                    }
                })
                .collect(),
            position_count: positions.len(),
            total: *total,
            weight_pct,
            tier_label: first.tier_label,
            bondholder: positions.iter().any(|&i| {
                matches!(
                    model.flagged[i].asset_class,
                    "corporate_bond" | "government_bond"
                )
            }),
            to_xpcc: entity_id == crate::exposure::XPCC,
            evidence,
            sender,
            date: settings.date.as_deref(),
            tool: format!("{} {}", model.tool.name, model.tool.version),
            reference_as_of: &model.reference.meta.as_of,
            reference_sha256: &model.reference.meta.sha256,
        };
        let stem = letter_stem(n + 1, &name, entity_id);
        let (md_name, html_name) = (format!("{stem}.md"), format!("{stem}.html"));
        files.push((
            md_name.clone(),
            md.render("letter", &letter).map_err(Box::new)?,
        ));
        files.push((
            html_name.clone(),
            html.render("letter", &letter).map_err(Box::new)?,
        ));
        index.write_record([
            (n + 1).to_string(),
            entity_id.clone(),
            render::defuse_formula(&name),
            md_name,
            html_name,
            positions.len().to_string(),
            total.to_string(),
            weight_pct.to_string(),
            first.tier_label.to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ])?;
    }
    let bytes = index
        .into_inner()
        .map_err(|e| RenderError::Csv(csv::Error::from(e.into_error())))?;
    files.push((
        "letters.csv".to_string(),
        String::from_utf8_lossy(&bytes).into_owned(),
    ));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_file_names_are_plain_and_bounded() {
        assert_eq!(
            letter_stem(1, "../../etc/passwd", "x"),
            "letter-01-etc-passwd"
        );
        assert_eq!(
            letter_stem(2, "<script>alert(1)</script> & Co", "x"),
            "letter-02-script-alert-1-script-co"
        );
        assert_eq!(letter_stem(3, "新疆生产建设兵团", "xpcc"), "letter-03-xpcc");
        assert_eq!(letter_stem(4, "a/b\\c", "x"), "letter-04-a-b-c");
        assert_eq!(letter_stem(5, "。。。", "!!!"), "letter-05-issuer");
        let long = "Very Long Company Name ".repeat(20);
        let stem = letter_stem(6, &long, "x");
        assert!(stem.len() <= "letter-06-".len() + 60, "{stem}");
        assert!(!stem.ends_with('-'));
    }
}
