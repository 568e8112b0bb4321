//! SEC Form 13F information tables: stand-alone XML (any namespace prefix) and the information
//! table inside an EDGAR full submission, with its cover page.
//!
//! The `value` column changed unit on 3 January 2023, from thousands of dollars to dollars, and
//! some filers kept reporting thousands afterwards. The unit is therefore decided per filing,
//! from the evidence (the prices the rows imply; the schema version; the filing date; the
//! period) and the decision is written into the report. Option rows (`putCall`) are not long
//! positions; `PRN` rows count principal, not shares.

use roxmltree::Node;
use rust_decimal::Decimal;

use super::IngestError;
use super::edgar::SubmissionHeader;
use super::table::{FileRead, parse_id};
use super::xml::{self, child, text};
use crate::model::ids::Cusip;
use crate::model::money;
use crate::model::{
    FileSummary, Holding, HoldingIds, PositionKind, RejectedRow, SourceLine, Warning,
};

/// What the cover page (or the submission header) says about a filing.
#[derive(Debug, Clone, Default)]
pub struct Cover {
    pub filer: Option<String>,
    pub period: Option<String>,
    pub filed: Option<String>,
    pub schema_version: Option<String>,
    /// `tableValueTotal` and the line it is on.
    pub value_total: Option<(Decimal, u64)>,
    pub entry_total: Option<(u64, u64)>,
}

/// `09-30-2023` (the cover page's MM-DD-YYYY) → `2023-09-30`.
fn mm_dd_yyyy(raw: &str) -> Option<String> {
    let p: Vec<&str> = raw.trim().split('-').collect();
    match p.as_slice() {
        [m, d, y] if m.len() == 2 && d.len() == 2 && y.len() == 4 => Some(format!("{y}-{m}-{d}")),
        _ => None,
    }
}

/// Reads a cover page (`edgarSubmission` of a 13F-HR) for the fields the information table
/// needs.
pub fn read_cover(
    file: &str,
    xml_text: &str,
    base_line: u64,
    header: &SubmissionHeader,
) -> Result<Cover, IngestError> {
    let (trimmed, skipped) = xml::trim_start(xml_text);
    let base = base_line + skipped;
    let doc = xml::parse(file, trimmed, base)?;
    let lines = xml::Lines::new(trimmed, base);
    let root = doc.root_element();
    let mut cover = Cover {
        filer: header.filer.clone(),
        period: header.period.clone(),
        filed: header.filed.clone(),
        ..Cover::default()
    };
    cover.schema_version = xml::descendant_text(root, "schemaVersion");
    if let Some(p) = xml::descendant_text(root, "periodOfReport").and_then(|p| mm_dd_yyyy(&p)) {
        cover.period = Some(p);
    }
    if cover.filer.is_none()
        && let Some(manager) = xml::descendant(root, "filingManager")
    {
        cover.filer = text(manager, "name");
    }
    if let Some(node) = xml::descendant(root, "tableValueTotal")
        && let Some(v) = node.text().and_then(|t| t.trim().parse::<Decimal>().ok())
    {
        cover.value_total = Some((v, lines.of(node)));
    }
    if let Some(node) = xml::descendant(root, "tableEntryTotal")
        && let Some(v) = node.text().and_then(|t| t.trim().parse::<u64>().ok())
    {
        cover.entry_total = Some((v, lines.of(node)));
    }
    Ok(cover)
}

/// One information-table row as filed.
struct Row {
    line: u64,
    name: String,
    title: Option<String>,
    cusip_raw: String,
    value: Option<Decimal>,
    value_raw: String,
    amount: Option<Decimal>,
    amount_type: Option<String>,
    put_call: Option<String>,
}

fn read_row(lines: &xml::Lines, node: Node<'_, '_>) -> Row {
    let shares = child(node, "shrsOrPrnAmt");
    let value_raw = text(node, "value").unwrap_or_default();
    Row {
        line: lines.of(node),
        name: text(node, "nameOfIssuer").unwrap_or_default(),
        title: text(node, "titleOfClass"),
        cusip_raw: text(node, "cusip").unwrap_or_default(),
        value: value_raw.replace(',', "").parse::<Decimal>().ok(),
        value_raw,
        amount: shares
            .and_then(|s| text(s, "sshPrnamt"))
            .and_then(|a| a.replace(',', "").parse::<Decimal>().ok()),
        amount_type: shares.and_then(|s| text(s, "sshPrnamtType")),
        put_call: text(node, "putCall"),
    }
}

/// Decides whether `value` is in thousands. Returns the multiplier and the reason, in words.
///
/// The prices the rows imply decide when there are enough share rows (at least half under $1
/// means thousands); otherwise the filing's own facts do, in order: schema version (X0202 is
/// the dollar schema), filing date (3 January 2023), period (after 30 September 2022).
pub fn decide_unit(sub_dollar: usize, priced: usize, cover: &Cover) -> (Decimal, String) {
    let dollars = |why: String| (Decimal::ONE, format!("values read as dollars: {why}"));
    let thousands = |why: String| {
        (
            Decimal::from(1000),
            format!("values read as thousands of dollars (×1,000): {why}"),
        )
    };
    if let Some(pct) = (sub_dollar * 100).checked_div(priced) {
        if sub_dollar * 2 >= priced {
            let late = cover.filed.as_deref().is_some_and(|d| d >= "2023-01-03")
                || cover
                    .schema_version
                    .as_deref()
                    .is_some_and(|v| v >= "X0202");
            return thousands(format!(
                "{pct}% of {priced} share rows imply a price under $1{}",
                if late {
                    ", although the filing is from after the January 2023 switch to dollars"
                } else {
                    ""
                }
            ));
        }
        if pct > 0 || priced >= 5 {
            return dollars(format!(
                "only {pct}% of {priced} share rows imply a price under $1"
            ));
        }
    }
    // Too few share rows to tell from prices: use what the filing says about itself.
    if let Some(v) = &cover.schema_version {
        return if v.as_str() >= "X0202" {
            dollars(format!("schema {v} (no share rows to check prices)"))
        } else {
            thousands(format!("schema {v} predates the dollar rule"))
        };
    }
    if let Some(d) = &cover.filed {
        return if d.as_str() >= "2023-01-03" {
            dollars(format!("filed {d}, after the 3 January 2023 switch"))
        } else {
            thousands(format!("filed {d}, before the 3 January 2023 switch"))
        };
    }
    if let Some(p) = &cover.period {
        return if p.as_str() > "2022-09-30" {
            dollars(format!("period {p}"))
        } else {
            thousands(format!("period {p} predates the dollar rule"))
        };
    }
    (
        Decimal::ONE,
        "values read as dollars; the unit could not be verified (no share rows, schema, date or period)"
            .to_string(),
    )
}

/// Records a disagreement with the cover page: a note in the report and a warning naming the
/// cover page's line.
fn disagree(out: &mut FileRead, file: &str, line: u64, message: String) {
    out.summary.notes.push(message.clone());
    out.warnings.push(Warning {
        source: SourceLine::new(file, line),
        message,
    });
}

/// Reads an information table. `format` names the container (`13f-xml`, `13f-submission`).
pub fn read_infotable(
    file: &str,
    xml_text: &str,
    base_line: u64,
    cover: &Cover,
    format: &str,
    encoding: &str,
) -> Result<FileRead, IngestError> {
    let (trimmed, skipped) = xml::trim_start(xml_text);
    let base = base_line + skipped;
    let doc = xml::parse(file, trimmed, base)?;
    let lines = xml::Lines::new(trimmed, base);
    let root = doc.root_element();
    let rows: Vec<Row> = root
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "infoTable")
        .map(|n| read_row(&lines, n))
        .collect();

    let mut summary = FileSummary::new(file, format, encoding);
    summary.fund = cover.filer.clone();
    summary.period = cover.period.clone();
    summary.header_line = 0;
    let mut out = FileRead::new(summary);
    if rows.is_empty() {
        return Err(IngestError::Malformed {
            file: file.to_string(),
            line: lines.of(root),
            message: "the 13F information table has no infoTable rows".to_string(),
        });
    }

    // The unit: plain share rows (not options, not principal) with a positive amount.
    let priced: Vec<&Row> = rows
        .iter()
        .filter(|r| r.put_call.is_none() && r.amount_type.as_deref() == Some("SH"))
        .filter(|r| r.amount.is_some_and(|a| a > Decimal::ZERO) && r.value.is_some())
        .collect();
    let sub_dollar = priced
        .iter()
        .filter(|r| matches!((r.value, r.amount), (Some(v), Some(a)) if v < a))
        .count();
    let (multiplier, decision) = decide_unit(sub_dollar, priced.len(), cover);
    out.summary.value_unit = Some(
        if multiplier == Decimal::ONE {
            "dollars"
        } else {
            "thousands of dollars, converted to dollars"
        }
        .to_string(),
    );
    out.summary.notes.push(decision);

    let mut reported_sum = Decimal::ZERO;
    let shared: std::sync::Arc<str> = file.into();
    for row in rows {
        let source = SourceLine {
            file: std::sync::Arc::clone(&shared),
            line: row.line,
        };
        let Some(value) = row.value else {
            out.rejected.push(RejectedRow {
                source,
                reason: xml::unreadable_value("value", &row.value_raw),
                value: None,
            });
            continue;
        };
        let too_large = |what: String| IngestError::Malformed {
            file: file.to_string(),
            line: row.line,
            message: format!(
                "{what} 10^26, more than xjscan adds up exactly; check the value and its unit"
            ),
        };
        reported_sum = reported_sum
            .checked_add(value)
            .filter(|s| s.abs() <= money::LIMIT)
            .ok_or_else(|| too_large(format!("the table's values up to value {value} pass")))?;
        let value = money::checked_product(value, multiplier)
            .ok_or_else(|| too_large(format!("value {value} × {multiplier} passes")))?;
        let mut warn = |message: String| {
            out.warnings.push(Warning {
                source: source.clone(),
                message,
            })
        };
        let cusip = parse_id::<Cusip>(&row.cusip_raw, &mut warn);
        let kind = match &row.put_call {
            Some(pc) => PositionKind::Option(pc.to_lowercase()),
            None => PositionKind::Long,
        };
        out.holdings.push(Holding {
            source,
            name: row.name,
            name_source: None,
            description: row.title.map(Into::into),
            ids: HoldingIds {
                cusip,
                ..HoldingIds::default()
            },
            quantity: row.amount,
            quantity_unit: row.amount_type.map(Into::into),
            kind,
            value,
            currency: Some("USD".into()),
            weight_pct: None,
            asset_class: None,
        });
    }

    // The cover page's totals are a cheap integrity check of the table.
    if let Some((total, line)) = cover.value_total {
        if total == reported_sum {
            out.summary.notes.push(format!(
                "the values add up to the cover page's tableValueTotal ({total} as filed)"
            ));
        } else {
            disagree(
                &mut out,
                file,
                line,
                format!(
                    "the values add up to {reported_sum} as filed, but the cover page's tableValueTotal (line {line}) says {total}"
                ),
            );
        }
    }
    if let Some((entries, line)) = cover.entry_total {
        let rows = (out.holdings.len() + out.rejected.len()) as u64;
        if entries != rows {
            disagree(
                &mut out,
                file,
                line,
                format!(
                    "the table has {rows} rows, but the cover page's tableEntryTotal (line {line}) says {entries}"
                ),
            );
        }
    }
    out.summary.declared_total = cover.value_total.map(|(total, _)| total * multiplier);
    out.finish_counts();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_decisions() {
        let none = Cover::default();
        assert_eq!(decide_unit(98, 100, &none).0, Decimal::from(1000));
        assert_eq!(decide_unit(0, 100, &none).0, Decimal::ONE);
        let late = Cover {
            filed: Some("2023-05-15".into()),
            ..Cover::default()
        };
        let (m, why) = decide_unit(9, 10, &late);
        assert_eq!(m, Decimal::from(1000));
        assert!(
            why.ends_with("although the filing is from after the January 2023 switch to dollars"),
            "{why}"
        );
        let old = Cover {
            period: Some("2021-12-31".into()),
            ..Cover::default()
        };
        assert_eq!(decide_unit(0, 0, &old).0, Decimal::from(1000));
    }
}
