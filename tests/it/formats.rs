//! Every holdings format, on the real files of the shared corpus: the detected format and
//! value unit, the row count, the total (against the file's own total where it has one) and
//! named holdings with their exact values; and each format's bad input, on its exact message.

use std::path::Path;

use rust_decimal::Decimal;
use xjscan::report::ReportModel;

use crate::{corpus_file, fixture, scan_files, xjscan};

fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

fn scan(relative: &str) -> Option<ReportModel> {
    let path = corpus_file(relative)?;
    Some(scan_files(&[path]).model)
}

/// The value of the first holding whose name is `name`, from the JSON-free model: flagged and
/// clear holdings are not all in the model, so this reads the file again through the library.
fn holding_value(relative: &str, name: &str) -> Decimal {
    let path = crate::root().join("../shared/corpus").join(relative);
    let portfolio = xjscan::ingest::read_files("t", &[path], &Default::default()).unwrap();
    portfolio
        .holdings
        .iter()
        .find(|h| h.name == name)
        .map(|h| h.value)
        .unwrap_or_else(|| panic!("{name} not in {relative}"))
}

fn check(m: &ReportModel, format: &str, unit: &str, rows: u64, total: &str) {
    let input = &m.inputs[0];
    assert_eq!(input.format, format);
    assert!(
        input.value_unit.as_deref().unwrap_or("").starts_with(unit),
        "{:?}",
        input.value_unit
    );
    assert_eq!(m.reconciliation.input.rows, rows);
    assert_eq!(
        m.reconciliation.portfolio_total
            + m.reconciliation.excluded.value
            + m.reconciliation.rejected.value,
        dec(total)
    );
    assert!(m.reconciliation.balanced);
}

#[test]
fn sec_13f_full_submission() {
    let f = "13f_xml/LTS_One_0001894188-23-000007_fullsubmission.txt";
    let Some(m) = scan(f) else { return };
    check(&m, "13f-submission", "dollars", 14, "454926000");
    let input = &m.inputs[0];
    assert_eq!(input.fund.as_deref(), Some("LTS One Management LP"));
    assert_eq!(input.period.as_deref(), Some("2023-09-30"));
    assert_eq!(input.declared_total, Some(dec("454926000")));
    assert!(
        input.notes.contains(
            &"the values add up to the cover page's tableValueTotal (454926000 as filed)"
                .to_string()
        ),
        "{:?}",
        input.notes
    );
    assert_eq!(holding_value(f, "AMAZON COM INC"), dec("17479000"));
    assert_eq!(holding_value(f, "VISA INC"), dec("20701000"));
}

#[test]
fn sec_13f_xml_in_dollars_with_leading_newline() {
    let f = "13f_xml/edgartools_13F-HR.infotable.xml";
    let Some(m) = scan(f) else { return };
    check(&m, "13f-xml", "dollars", 255, "350153407");
    assert_eq!(
        m.inputs[0].notes[0],
        "values read as dollars: only 0% of 252 share rows imply a price under $1"
    );
    assert_eq!(holding_value(f, "3M CO"), dec("409469"));
}

#[test]
fn sec_13f_xml_in_thousands() {
    let f = "13f_xml/filing13F_searcher_infotable_3_ns1.xml";
    let Some(m) = scan(f) else { return };
    check(
        &m,
        "13f-xml",
        "thousands of dollars, converted",
        278,
        "1129298000",
    );
    assert!(
        m.inputs[0].notes[0].starts_with("values read as thousands of dollars (×1,000): 98% of "),
        "{:?}",
        m.inputs[0].notes
    );
    assert_eq!(holding_value(f, "3M CO COM"), dec("584000"));
    let f = "13f_xml/filing13F_searcher_infotable_2.xml";
    let Some(m) = scan(f) else { return };
    check(&m, "13f-xml", "thousands", 1, "12000");
    let f = "13f_xml/sec_sample_information_table_ns1.xml";
    let Some(m) = scan(f) else { return };
    check(&m, "13f-xml", "thousands", 169, "7454702899000");
    // Entities in names are decoded: the file writes `AT&amp;T INC`.
    assert_eq!(holding_value(f, "AT&T INC"), dec("7454547777000"));
}

#[test]
fn nport_with_derivatives_shorts_and_net_assets() {
    let f = "nport_xml/GoldmanSachs_BondFund_2023-03_NPORT-P.xml";
    let Some(m) = scan(f) else { return };
    check(&m, "nport-xml", "US dollars", 1685, "376129711.56");
    let input = &m.inputs[0];
    assert_eq!(input.fund.as_deref(), Some("Goldman Sachs Bond Fund"));
    assert_eq!(input.period.as_deref(), Some("2023-03-31"));
    // 774 derivatives and 9 short positions are reported apart, never netted.
    assert_eq!(m.reconciliation.excluded.rows, 783);
    assert_eq!(m.reconciliation.excluded.value, dec("-73950662.13"));
    assert_eq!(m.reconciliation.portfolio_total, dec("450080373.69"));
    // Net assets are the NAV the weights are measured against.
    assert_eq!(m.summary.nav, Some(dec("361898455.93")));
    assert_eq!(m.summary.denominator_label, "NAV");
    assert_eq!(holding_value(f, "Fannie Mae"), dec("12467.33"));
    let f = "nport_xml/PIMCO_Income_2026-03_NPORT-P_trimmed12.xml";
    let Some(m) = scan(f) else { return };
    check(&m, "nport-xml", "US dollars", 12, "124349534.34");
    assert_eq!(m.reconciliation.excluded.rows, 11);
    let f = "nport_xml/sec_sample_NPORT_1.xml";
    let Some(m) = scan(f) else { return };
    check(&m, "nport-xml", "US dollars", 1, "1134");
    // The sample states net assets of 0: the portfolio total is used instead.
    assert_eq!(m.summary.nav, None);
}

#[test]
fn vanguard_sections() {
    let f = "etf_csv/vanguard_VT_2020-09-30_holdings-details.csv";
    let Some(m) = scan(f) else { return };
    let input = &m.inputs[0];
    assert_eq!(
        (input.header_line, input.holdings, input.rejected),
        (8, 8782, 11)
    );
    assert_eq!(input.fund.as_deref(), Some("Total World Stock ETF (VT)"));
    assert_eq!(input.period.as_deref(), Some("09/30/2020"));
    // Three section titles and two further headers, the two footnotes: structure, not rows.
    assert_eq!(input.structure_lines, 7);
    assert_eq!(m.reconciliation.portfolio_total, dec("20169702867.77"));
    // The short-term reserves section has no market value column: its rows are rejected.
    let reserves: Vec<_> = m
        .rejected
        .iter()
        .filter(|r| r.message.contains("no market value column"))
        .collect();
    assert_eq!(reserves.len(), 3);
    assert_eq!(holding_value(f, "Apple Inc."), dec("653892444.12"));
}

#[test]
fn spdr_workbook_with_weights_only() {
    let f = "etf_xlsx/spdr_SPY_holdings-daily_onlyspx.xlsx";
    let Some(m) = scan(f) else { return };
    check(&m, "xlsx", "percent of the fund", 504, "99.938924");
    assert_eq!(m.inputs[0].header_line, 5);
    assert_eq!(
        m.inputs[0].fund.as_deref(),
        Some("SPDR® S&P 500® ETF Trust")
    );
    assert_eq!(m.inputs[0].period.as_deref(), Some("10-May-2024"));
    assert_eq!(holding_value(f, "MICROSOFT CORP"), dec("7.020973"));
}

#[test]
fn workbook_with_values() {
    let result = scan_files(&[fixture("formats/positions.xlsx")]);
    let m = &result.model;
    assert_eq!(m.inputs[0].header_line, 3);
    assert_eq!(m.reconciliation.flagged.value, dec("1234.5"));
    assert_eq!(m.reconciliation.portfolio_total, dec("3234.5"));
    assert_eq!(m.reconciliation.rejected.value, dec("3234.5"));
}

/// Runs a failing scan in `dir` and returns its stderr; exit 2 and no output folder.
fn fails(dir: &Path, file: &str) -> String {
    let output = xjscan(dir)
        .args(["scan", file, "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!dir.join("out").exists());
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn bad_xml_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "truncated.xml",
        "<?xml version=\"1.0\"?>\n<informationTable>\n  <infoTable>\n    <nameOfIssuer>A</nameOfIssuer>\n",
    );
    assert_eq!(
        fails(dir.path(), "truncated.xml"),
        "error: truncated.xml:4: the XML ends before its elements are closed (truncated file?)\n"
    );
    write(
        "laughs.xml",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n]>\n<informationTable><infoTable><nameOfIssuer>&lol2;</nameOfIssuer><value>1</value></infoTable></informationTable>\n",
    );
    assert_eq!(
        fails(dir.path(), "laughs.xml"),
        "error: laughs.xml:1: the XML declares a DTD (<!DOCTYPE …>); xjscan never expands or fetches XML entities, so the file is refused\n"
    );
    write(
        "external.xml",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE t [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<informationTable><infoTable><nameOfIssuer>&xxe;</nameOfIssuer><value>1</value></infoTable></informationTable>\n",
    );
    assert_eq!(
        fails(dir.path(), "external.xml"),
        "error: external.xml:1: the XML declares a DTD (<!DOCTYPE …>); xjscan never expands or fetches XML entities, so the file is refused\n"
    );
    write(
        "empty_nport.xml",
        "<edgarSubmission xmlns=\"http://www.sec.gov/edgar/nport\">\n<formData>\n<genInfo><seriesName>Empty Fund</seriesName></genInfo>\n<invstOrSecs/>\n</formData>\n</edgarSubmission>\n",
    );
    assert_eq!(
        fails(dir.path(), "empty_nport.xml"),
        "error: empty_nport.xml:2: the N-PORT report has no holdings (no invstOrSec under invstOrSecs)\n"
    );
    write(
        "cover.xml",
        "<?xml version=\"1.0\"?>\n<edgarSubmission xmlns=\"http://www.sec.gov/edgar/thirteenffiler\"><formData/></edgarSubmission>\n",
    );
    assert_eq!(
        fails(dir.path(), "cover.xml"),
        "error: cover.xml:2: this is a 13F cover page (primary_doc.xml), not its information table; give the information table XML or the full submission (.txt)\n"
    );
}

#[test]
fn a_13f_whose_values_disagree_with_its_table_value_total_is_reported() {
    let Some(path) = corpus_file("13f_xml/LTS_One_0001894188-23-000007_fullsubmission.txt") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("<tableValueTotal>454926000<", "<tableValueTotal>454927000<");
    std::fs::write(dir.path().join("filing.txt"), text).unwrap();
    let output = xjscan(dir.path())
        .args(["scan", "filing.txt", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "warning: filing.txt:97: the values add up to 454926000 as filed, but the cover page's tableValueTotal (line 97) says 454927000\n"
    );
}

#[test]
fn workbook_without_header_row() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("formats/no_header.xlsx"),
        dir.path().join("book.xlsx"),
    )
    .unwrap();
    assert_eq!(
        fails(dir.path(), "book.xlsx"),
        "error: book.xlsx: no sheet has a header row with a market value column in its first 30 rows (sheets: Positions); expected a column named like: market value, value, mkt val (or name it with --columns value=HEADER)\n"
    );
}

#[test]
fn vanguard_section_without_its_header_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("formats/vanguard_missing_header.csv"),
        dir.path().join("vt.csv"),
    )
    .unwrap();
    let output = xjscan(dir.path())
        .args(["scan", "vt.csv", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "warning: vt.csv:13: section `Fixed income` has no header row of its own; its rows are read with the header on line 8\n"
    );
}
