//! SEC Form N-PORT (NPORT-P) XML: a registered fund's monthly portfolio report.
//!
//! Every `invstOrSec` row becomes a holding valued in US dollars (`valUSD`), with the fund's own
//! identifiers (LEI, CUSIP, ISIN, ticker). The fund's net assets become the report's NAV.
//! Placeholders (`N/A`, `000000000`) are missing identifiers, not identifiers. Derivatives
//! (forwards, swaps, futures, options) and short positions are kept apart from long exposure.

use roxmltree::Node;
use rust_decimal::Decimal;

use super::IngestError;
use super::table::{FileRead, is_placeholder, parse_id};
use super::xml::{self, child, descendant, text};
use crate::model::ids::{Cusip, Isin, Lei};
use crate::model::{
    FileSummary, Holding, HoldingIds, PositionKind, RejectedRow, SourceLine, Warning,
};

/// Human names for N-PORT derivative elements.
fn derivative_kind(node: Node<'_, '_>) -> Option<String> {
    let info = child(node, "derivativeInfo")?;
    let element = info.children().find(|c| c.is_element())?;
    let name = match element.tag_name().name() {
        "fwdDeriv" => "forward",
        "swapDeriv" => "swap",
        "futrDeriv" => "future",
        "optionSwaptionWarrantDeriv" => "option, swaption or warrant",
        other => other,
    };
    Some(name.to_string())
}

/// An attribute of the first descendant element with this local name.
fn attribute(node: Node<'_, '_>, element: &str, attr: &str) -> Option<String> {
    descendant(node, element)
        .and_then(|e| e.attribute(attr))
        .map(|v| v.trim().to_string())
        .filter(|v| !is_placeholder(v))
}

/// Reads an NPORT-P document.
pub fn read(
    file: &str,
    xml_text: &str,
    base_line: u64,
    format: &str,
    encoding: &str,
) -> Result<FileRead, IngestError> {
    let (trimmed, skipped) = xml::trim_start(xml_text);
    let base = base_line + skipped;
    let doc = xml::parse(file, trimmed, base)?;
    let lines = xml::Lines::new(trimmed, base);
    let root = doc.root_element();
    let form = descendant(root, "formData").unwrap_or(root);
    let general = descendant(form, "genInfo");
    let mut summary = FileSummary::new(file, format, encoding);
    summary.fund = general
        .and_then(|g| text(g, "seriesName").filter(|s| !is_placeholder(s) && s != "token"))
        .or_else(|| general.and_then(|g| text(g, "regName")));
    summary.period = general.and_then(|g| text(g, "repPdDate"));
    let mut out = FileRead::new(summary);

    if let Some(node) = descendant(form, "netAssets")
        && let Some(raw) = node.text()
    {
        match raw.trim().parse::<Decimal>() {
            Ok(v) if v > crate::model::money::LIMIT => {
                return Err(IngestError::Malformed {
                    file: file.to_string(),
                    line: lines.of(node),
                    message: format!(
                        "net assets {v} pass 10^26, more than xjscan adds up exactly; check the value"
                    ),
                });
            }
            Ok(v) if v > Decimal::ZERO => {
                out.nav = Some(v);
                out.summary.declared_total = Some(v);
            }
            Ok(_) => out.summary.notes.push(format!(
                "net assets are stated as {} (line {}); the portfolio total is used instead",
                raw.trim(),
                lines.of(node)
            )),
            Err(_) => out.warnings.push(Warning {
                source: SourceLine::new(file, lines.of(node)),
                message: format!("net assets `{}` is not a number; ignored", raw.trim()),
            }),
        }
    }

    let rows: Vec<Node<'_, '_>> = descendant(form, "invstOrSecs")
        .map(|s| {
            s.children()
                .filter(|n| n.is_element() && n.tag_name().name() == "invstOrSec")
                .collect()
        })
        .unwrap_or_default();
    if rows.is_empty() {
        return Err(IngestError::Malformed {
            file: file.to_string(),
            line: lines.of(form),
            message: "the N-PORT report has no holdings (no invstOrSec under invstOrSecs)"
                .to_string(),
        });
    }
    let mut sum = Decimal::ZERO;
    let shared: std::sync::Arc<str> = file.into();
    for node in rows {
        let source = SourceLine {
            file: std::sync::Arc::clone(&shared),
            line: lines.of(node),
        };
        let raw_value = text(node, "valUSD").unwrap_or_default();
        let Ok(value) = raw_value.parse::<Decimal>() else {
            out.rejected.push(RejectedRow {
                source,
                reason: xml::unreadable_value("valUSD", &raw_value),
                value: None,
            });
            continue;
        };
        sum = sum
            .checked_add(value)
            .filter(|s| s.abs() <= crate::model::money::LIMIT)
            .ok_or_else(|| IngestError::Malformed {
                file: file.to_string(),
                line: source.line,
                message: format!(
                    "the report's values up to valUSD {value} pass 10^26, more than xjscan adds up exactly; check the values"
                ),
            })?;
        let mut warn = |message: String| {
            out.warnings.push(Warning {
                source: source.clone(),
                message,
            })
        };
        let clean = |v: Option<String>| v.filter(|s| !is_placeholder(s));
        let name = clean(text(node, "name")).unwrap_or_default();
        let title = clean(text(node, "title"));
        let ids = HoldingIds {
            isin: attribute(node, "isin", "value").and_then(|v| parse_id::<Isin>(&v, &mut warn)),
            cusip: clean(text(node, "cusip")).and_then(|v| parse_id::<Cusip>(&v, &mut warn)),
            lei: clean(text(node, "lei")).and_then(|v| parse_id::<Lei>(&v, &mut warn)),
            ticker: attribute(node, "ticker", "value").map(Into::into),
            ..HoldingIds::default()
        };
        let asset_category =
            text(node, "assetCat").or_else(|| attribute(node, "assetConditional", "assetCat"));
        let kind = if let Some(d) = derivative_kind(node) {
            PositionKind::Derivative(d)
        } else if text(node, "payoffProfile").as_deref() == Some("Short") {
            PositionKind::Short
        } else {
            PositionKind::Long
        };
        out.holdings.push(Holding {
            source,
            name,
            name_source: None,
            description: title.map(Into::into),
            ids,
            quantity: text(node, "balance").and_then(|b| b.parse().ok()),
            quantity_unit: text(node, "units").map(Into::into),
            kind,
            value,
            currency: Some("USD".into()),
            weight_pct: text(node, "pctVal").and_then(|p| p.parse().ok()),
            asset_class: asset_category.map(Into::into),
        });
    }
    out.summary.value_unit = Some("US dollars (valUSD)".to_string());
    if let Some(nav) = out.nav {
        out.summary.notes.push(format!(
            "holdings add up to {sum} US dollars against net assets of {nav}; net assets are the report's NAV"
        ));
    }
    out.finish_counts();
    Ok(out)
}
