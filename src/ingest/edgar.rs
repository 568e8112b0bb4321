//! EDGAR full-submission files (`.txt`, and the feed's `.nc` variant): the SGML-style header and
//! the documents inside, each XML payload between `<XML>` and `</XML>`.
//!
//! Only what the holdings readers need is taken out: the header's accession number, filer,
//! period and filing date, and each document's type with its XML and the line it starts on, so
//! that rows and errors can name lines of the submission itself.

/// Header fields of a submission.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubmissionHeader {
    pub accession: Option<String>,
    pub form_type: Option<String>,
    pub filer: Option<String>,
    pub cik: Option<String>,
    /// `YYYY-MM-DD`.
    pub period: Option<String>,
    /// `YYYY-MM-DD`.
    pub filed: Option<String>,
}

/// One document of a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document<'a> {
    pub doc_type: String,
    pub xml: &'a str,
    /// Lines of the file before the XML starts.
    pub base_line: u64,
}

/// True when the text looks like an EDGAR submission rather than a bare XML document.
pub fn is_submission(text: &str) -> bool {
    // The markers sit in the first lines; 4096 bytes is cut back to a character boundary, since
    // byte 4096 of a Chinese or accented file may fall inside a character.
    let mut end = text.len().min(4096);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    head.contains("<SEC-DOCUMENT>")
        || head.contains("<SEC-HEADER>")
        || head.contains("<ACCESSION-NUMBER>")
        || (head.contains("<DOCUMENT>") && head.contains("<TYPE>"))
}

/// `20230930` → `2023-09-30`.
fn yyyymmdd(raw: &str) -> Option<String> {
    let d = raw.trim();
    (d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]))
}

/// The value after a header label, in either style: `LABEL:\tvalue` lines (`.txt`) or
/// `<TAG>value` (`.nc`).
fn header_value(header: &str, labels: &[&str], tags: &[&str]) -> Option<String> {
    for line in header.lines() {
        let l = line.trim();
        for label in labels {
            if let Some(rest) = l.strip_prefix(label) {
                let v = rest.trim_start_matches(':').trim();
                if !v.is_empty() {
                    return Some(v.to_string());
                }
            }
        }
    }
    for tag in tags {
        if let Some(i) = header.find(tag) {
            let rest = &header[i + tag.len()..];
            let end = rest.find(['<', '\n']).unwrap_or(rest.len());
            let v = rest[..end].trim();
            if !v.is_empty() {
                return Some(v.to_string());
            }
        }
    }
    None
}

/// Newlines counted on from the last position asked about, so that numbering every document of a
/// submission reads the text once rather than once per document.
#[derive(Default)]
struct NewlineCount {
    at: usize,
    count: u64,
}

impl NewlineCount {
    /// How many `\n` there are in `text[..end]`.
    fn before(&mut self, text: &str, end: usize) -> u64 {
        if end < self.at {
            // Documents come in order, so this never happens; counting afresh keeps it right.
            *self = NewlineCount::default();
        }
        let between = text.as_bytes().get(self.at..end).unwrap_or_default();
        self.count += memchr::memchr_iter(b'\n', between).count() as u64;
        self.at = end;
        self.count
    }
}

/// Splits a submission into its header and documents.
pub fn split(text: &str) -> (SubmissionHeader, Vec<Document<'_>>) {
    let header_end = text.find("<DOCUMENT>").unwrap_or(text.len());
    let header_text = &text[..header_end];
    let header = SubmissionHeader {
        accession: header_value(header_text, &["ACCESSION NUMBER"], &["<ACCESSION-NUMBER>"]),
        form_type: header_value(header_text, &["CONFORMED SUBMISSION TYPE"], &["<TYPE>"]),
        filer: header_value(
            header_text,
            &["COMPANY CONFORMED NAME"],
            &["<CONFORMED-NAME>"],
        ),
        cik: header_value(header_text, &["CENTRAL INDEX KEY"], &["<CIK>"]),
        period: header_value(header_text, &["CONFORMED PERIOD OF REPORT"], &["<PERIOD>"])
            .and_then(|d| yyyymmdd(&d)),
        filed: header_value(header_text, &["FILED AS OF DATE"], &["<FILING-DATE>"])
            .and_then(|d| yyyymmdd(&d)),
    };
    let mut documents = Vec::new();
    let mut newlines = NewlineCount::default();
    let mut rest_start = header_end;
    while let Some(i) = text[rest_start..].find("<DOCUMENT>") {
        let doc_start = rest_start + i;
        let doc_end = text[doc_start..]
            .find("</DOCUMENT>")
            .map_or(text.len(), |j| doc_start + j);
        let doc = &text[doc_start..doc_end];
        let doc_type = doc
            .find("<TYPE>")
            .map(|t| {
                let v = &doc[t + 6..];
                v[..v.find(['<', '\n']).unwrap_or(v.len())]
                    .trim()
                    .to_string()
            })
            .unwrap_or_default();
        if let Some(x) = doc.find("<XML>") {
            let xml_start = doc_start + x + "<XML>".len();
            let xml_end = text[xml_start..doc_end]
                .find("</XML>")
                .map_or(doc_end, |j| xml_start + j);
            documents.push(Document {
                doc_type,
                xml: &text[xml_start..xml_end],
                base_line: newlines.before(text, xml_start),
            });
        }
        rest_start = doc_end.max(doc_start + 1);
    }
    (header, documents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_txt_and_nc_styles() {
        let txt = "<SEC-DOCUMENT>x\nACCESSION NUMBER:\t0001-23-7\nCONFORMED PERIOD OF REPORT:\t20230930\nFILED AS OF DATE:\t20231114\n\t\tCOMPANY CONFORMED NAME:\t\t\tLTS One Management LP\n<DOCUMENT>\n<TYPE>INFORMATION TABLE\n<TEXT>\n<XML>\n<informationTable/>\n</XML>\n</TEXT>\n</DOCUMENT>\n";
        let (h, docs) = split(txt);
        assert_eq!(h.period.as_deref(), Some("2023-09-30"));
        assert_eq!(h.filed.as_deref(), Some("2023-11-14"));
        assert_eq!(h.filer.as_deref(), Some("LTS One Management LP"));
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].doc_type, "INFORMATION TABLE");
        assert_eq!(docs[0].xml.trim(), "<informationTable/>");
        assert_eq!(docs[0].base_line, 8);
        let nc = "<SUBMISSION><ACCESSION-NUMBER>0002-24-1<TYPE>13F-HR<PERIOD>20240331<FILER><COMPANY-DATA><CONFORMED-NAME>Acme<CIK>123</COMPANY-DATA></FILER><DOCUMENT><TYPE>INFORMATION TABLE<TEXT><XML><informationTable/></XML></TEXT></DOCUMENT></SUBMISSION>";
        let (h, docs) = split(nc);
        assert_eq!(h.period.as_deref(), Some("2024-03-31"));
        assert_eq!(h.filer.as_deref(), Some("Acme"));
        assert_eq!(docs[0].doc_type, "INFORMATION TABLE");
    }
}
