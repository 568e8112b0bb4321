//! Workbooks for the fuzzer: tiny valid XLSX files written by hand, and mutations of the XML
//! inside a workbook (re-zipped), which reach the sheet reader instead of stopping at a broken
//! ZIP checksum as raw byte flips mostly do.

use std::io::{Cursor, Read, Write};

use rand::Rng;
use rand::rngs::StdRng;
use rust_decimal::Decimal;

use super::generate::Input;
use super::oracle::Expected;

/// The entries of a ZIP archive, or `None` when it is not one.
fn entries(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).ok()?;
        let mut data = Vec::new();
        file.read_to_end(&mut data).ok()?;
        let name = file.name().ok()?.into_owned();
        out.push((name, data));
    }
    Some(out)
}

fn zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// Mutates one entry of a workbook and zips it again; `None` when `bytes` is not a ZIP.
pub fn mutate_entry(rng: &mut StdRng, bytes: &[u8], other: &[u8]) -> Option<(Vec<u8>, String)> {
    let mut files = entries(bytes)?;
    if files.is_empty() {
        return None;
    }
    // Sheets and shared strings hold the data: mutate them most often.
    let weighted: Vec<usize> = (0..files.len())
        .flat_map(|i| {
            let n = &files[i].0;
            let weight = if n.contains("sheet")
                || n.contains("sharedStrings")
                || n.contains("content.xml")
            {
                6
            } else {
                1
            };
            std::iter::repeat_n(i, weight)
        })
        .collect();
    let which = weighted[rng.random_range(0..weighted.len())];
    let (name, data) = &mut files[which];
    let how = super::mutate::mutate(rng, data, other);
    let how = format!("{how} inside {name}");
    Some((zip(&files), how))
}

fn cell_ref(col: usize, row: usize) -> String {
    format!("{}{row}", (b'A' + col as u8) as char)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A one-sheet XLSX with a header row and numeric values, inline strings only.
pub fn xlsx(rng: &mut StdRng) -> Input {
    let names = [
        "Hangzhou Hikvision Digital Technology Co., Ltd.",
        "新疆中泰化学股份有限公司",
        "Société Générale",
        "Apple Inc.",
    ];
    let n = rng.random_range(1..30);
    let mut total = Decimal::ZERO;
    let mut rows = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Name</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>Market Value</t></is></c></row>".to_string();
    for r in 2..n + 2 {
        let cents = rng.random_range(0..10_000_000_000i64);
        let value = Decimal::new(cents, 2);
        total += value;
        let name = escape(names[rng.random_range(0..names.len())]);
        rows.push_str(&format!(
            "<row r=\"{r}\"><c r=\"{}\" t=\"inlineStr\"><is><t>{name}</t></is></c><c r=\"{}\"><v>{value}</v></c></row>",
            cell_ref(0, r),
            cell_ref(1, r)
        ));
    }
    let sheet = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{rows}</sheetData></worksheet>"
    );
    let files = [
        ("[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>".to_string()),
        ("_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>".to_string()),
        ("xl/workbook.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Holdings\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".to_string()),
        ("xl/_rels/workbook.xml.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>".to_string()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let entries: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|(n, t)| (n.to_string(), t.into_bytes()))
        .collect();
    Input {
        origin: format!("generated-xlsx({n} rows)"),
        files: vec![("generated.xlsx".into(), zip(&entries))],
        expected: Some(Expected {
            rows: n as u64,
            total,
            thousands_allowed: false,
        }),
    }
}
