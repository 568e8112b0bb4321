//! The terminal summary printed after a scan: headline exposure, tiers, top issuers and the
//! reconciliation line, plus the warnings a user must see.

use std::fmt::Write;
use std::path::PathBuf;

use crate::report::{ReportModel, format_money, format_pct};

/// How many warnings are printed before the rest are left to the report.
const MAX_WARNINGS: usize = 20;
/// How many issuers the summary lists.
const TOP_ISSUERS: usize = 5;

/// One line per rejected row and warning, each naming file and line; long lists are cut.
pub fn warning_lines(model: &ReportModel) -> Vec<String> {
    let all: Vec<String> = model
        .rejected
        .iter()
        .map(|r| {
            format!(
                "warning: {}:{}: row rejected: {}",
                r.file, r.line, r.message
            )
        })
        .chain(model.warnings.iter().map(|w| match w.line {
            // Line 0: about the file as a whole.
            0 => format!("warning: {}: {}", w.file, w.message),
            line => format!("warning: {}:{line}: {}", w.file, w.message),
        }))
        .collect();
    let total = all.len();
    let mut lines: Vec<String> = all.into_iter().take(MAX_WARNINGS).collect();
    if total > MAX_WARNINGS {
        lines.push(format!(
            "warning: … and {} more; every one is listed in the report",
            total - MAX_WARNINGS
        ));
    }
    lines
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The summary text.
pub fn render(model: &ReportModel, written: &[PathBuf]) -> String {
    let s = &model.summary;
    let r = &model.reconciliation;
    let ccy = model.currency.as_deref().unwrap_or("");
    let money = |v: &rust_decimal::Decimal| {
        let m = format_money(&v.to_string());
        if ccy.is_empty() {
            m
        } else {
            format!("{m} {ccy}")
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "xjscan {} — {}", model.tool.version, model.portfolio);
    let _ = writeln!(
        out,
        "Flagged: {} of {} positions, {}, {} = {} of {} {}",
        s.flagged_positions,
        s.positions,
        plural(s.flagged_issuers, "issuer"),
        money(&s.flagged_value),
        format_pct(&s.flagged_pct.to_string()),
        s.denominator_label,
        money(&s.denominator),
    );
    for t in model.tiers.iter().filter(|t| t.positions > 0) {
        let _ = writeln!(
            out,
            "  {:<20} {:>7}  {}  ({})",
            t.label,
            format_pct(&t.weight_pct.to_string()),
            money(&t.value),
            plural(t.positions, "position")
        );
    }
    if !model.issuers.is_empty() {
        let _ = writeln!(out, "Top issuers:");
        for i in model.issuers.iter().take(TOP_ISSUERS) {
            let _ = writeln!(
                out,
                "  {:<48} {:>7}  {}  [{}]",
                i.name,
                format_pct(&i.weight_pct.to_string()),
                money(&i.value),
                i.lists.join(", ")
            );
        }
    }
    let _ = writeln!(
        out,
        "Reconciliation: {} rows = {} flagged + {} clear + {} unresolved + {}{} rejected; {} = {} flagged + {} clear + {} unresolved; {} — {}",
        r.input.rows,
        r.flagged.rows,
        r.clear.rows,
        r.unresolved.rows,
        if r.excluded.rows > 0 {
            format!(
                "{} shorts/options/derivatives ({}) + ",
                r.excluded.rows,
                money(&r.excluded.value)
            )
        } else {
            String::new()
        },
        r.rejected.rows,
        money(&r.portfolio_total),
        format_money(&r.flagged.value.to_string()),
        format_money(&r.clear.value.to_string()),
        format_money(&r.unresolved.value.to_string()),
        if r.rejected.value.is_zero() {
            "rejected rows carry no value".to_string()
        } else {
            format!(
                "rejected rows carry {} (kept out of the total)",
                money(&r.rejected.value)
            )
        },
        if r.balanced {
            "balanced"
        } else {
            "NOT BALANCED"
        },
    );
    let _ = writeln!(out, "{}", reference_line(&model.reference.meta));
    if !model.review.is_empty() {
        let names: std::collections::BTreeSet<&str> = model
            .review
            .iter()
            .map(|r| r.holding_name.as_str())
            .collect();
        let _ = writeln!(
            out,
            "Review: {} name{} with possible matches, not flagged until decided (see review.csv)",
            names.len(),
            if names.len() == 1 { "" } else { "s" }
        );
    }
    if !model.decisions.is_empty() {
        let _ = writeln!(
            out,
            "Reviewer decisions applied: {} ({} accepted, {} rejected)",
            model.decisions.len(),
            model
                .decisions
                .iter()
                .filter(|d| d.decision == "accept")
                .count(),
            model
                .decisions
                .iter()
                .filter(|d| d.decision == "reject")
                .count()
        );
    }
    wrote_line(&mut out, written);
    out
}

/// Which reference data the scan used, in one line.
fn reference_line(meta: &crate::model::DatasetMeta) -> String {
    format!(
        "Reference data: {}, as of {}, SHA-256 {}",
        meta.label, meta.as_of, meta.sha256
    )
}

/// The summary of a data-set scan.
pub fn render_dataset(
    report: &crate::report::dataset::DatasetReport,
    written: &[PathBuf],
) -> String {
    let e = &report.exposure;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "xjscan {} — Form 13F data set {}",
        report.tool.version, report.dataset
    );
    let _ = writeln!(
        out,
        "{} filings, {} rows, {} distinct issuers ({} linked to listed entities)",
        e.filings, e.rows, e.distinct_issuers, e.flagged_issuers
    );
    let _ = writeln!(out, "{}", reference_line(&report.reference));
    let _ = writeln!(
        out,
        "Flagged: {} filings hold flagged positions worth {} USD = {} of {} USD long value",
        report.filers_with_flags,
        format_money(&e.flagged_value.to_string()),
        format_pct(&e.flagged_pct.to_string()),
        format_money(&e.long_value.to_string()),
    );
    let _ = writeln!(
        out,
        "Units: {} filings read as thousands of dollars; {} disagree with their tableValueTotal; {} do not reconcile",
        report.thousands_filings, report.total_mismatches, report.unbalanced_filings
    );
    set_aside_line(&mut out, e.rejected_rows);
    wrote_line(&mut out, written);
    out
}

/// The `Wrote: …` line naming the output files, with `/` separators on every platform.
fn wrote_line(out: &mut String, written: &[PathBuf]) {
    if !written.is_empty() {
        let names: Vec<String> = written
            .iter()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect();
        let _ = writeln!(out, "Wrote: {}", names.join(", "));
    }
}

/// The summary of an N-PORT data set scan, for stdout.
pub fn render_nport_dataset(
    report: &crate::report::nport_dataset::NportReport,
    written: &[PathBuf],
) -> String {
    let e = &report.exposure;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "xjscan {} — Form N-PORT data set {}",
        report.tool.version, report.dataset
    );
    let _ = writeln!(
        out,
        "{} filings, {} rows, {} distinct issuers ({} linked to listed entities)",
        e.filings, e.rows, e.distinct_issuers, e.flagged_issuers
    );
    let _ = writeln!(out, "{}", reference_line(&report.reference));
    let _ = writeln!(
        out,
        "Flagged: {} funds hold flagged positions worth {} USD = {} of {} USD long value; XPCC-linked debt {} USD",
        report.funds_with_flags,
        format_money(&e.flagged_value.to_string()),
        format_pct(&e.flagged_pct.to_string()),
        format_money(&e.long_value.to_string()),
        format_money(&e.xpcc_debt_value.to_string()),
    );
    let _ = writeln!(
        out,
        "Reconciliation: {} filings do not reconcile",
        report.unbalanced_funds
    );
    set_aside_line(&mut out, e.rejected_rows);
    wrote_line(&mut out, written);
    out
}

/// The data-set summaries' line on rows whose value is not usable, when there are any.
fn set_aside_line(out: &mut String, rows: u64) {
    if rows > 0 {
        let _ = writeln!(
            out,
            "Set aside: {rows} row{} whose value is not usable, in no total (see rejected.csv)",
            if rows == 1 { "" } else { "s" }
        );
    }
}
