//! Safe XML parsing shared by the SEC formats (13F information tables, N-PORT).
//!
//! roxmltree refuses documents with a DTD by default, so no entity is ever expanded (no "billion
//! laughs") and nothing is ever fetched (no external entities). Elements are matched by local
//! name, because filers spell namespace prefixes every way (`ns1:`, `n1:`, none).

use roxmltree::{Document, Node, ParsingOptions};

use super::IngestError;

/// Parses `text`; `base_line` is the line of the file on which `text` starts, minus one, so that
/// errors and rows can name lines of the file rather than of the extracted document.
pub fn parse<'a>(file: &str, text: &'a str, base_line: u64) -> Result<Document<'a>, IngestError> {
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, options).map_err(|e| {
        let mut line = base_line + u64::from(e.pos().row);
        let message = match e {
            roxmltree::Error::DtdDetected => {
                "the XML declares a DTD (<!DOCTYPE …>); xjscan never expands or fetches XML entities, so the file is refused".to_string()
            }
            roxmltree::Error::UnexpectedEndOfStream | roxmltree::Error::UnclosedRootNode => {
                // The error is at the end: name the last line, where the file stops.
                line = base_line + text.lines().count().max(1) as u64;
                "the XML ends before its elements are closed (truncated file?)".to_string()
            }
            other => format!("malformed XML: {other}"),
        };
        IngestError::Malformed {
            file: file.to_string(),
            line,
            message,
        }
    })
}

/// Line numbers of one document's nodes. roxmltree's `text_pos_at` counts newlines from the
/// start of the document on every call, which made reading a table quadratic in its rows; the
/// line starts are instead found once (memchr) and each lookup is a binary search.
pub struct Lines {
    /// Byte offset of the first byte of every line of the document; the first is 0.
    starts: Vec<usize>,
    base_line: u64,
}

impl Lines {
    /// `base_line` is as for [`parse`]: the line of the file on which `text` starts, minus one.
    pub fn new(text: &str, base_line: u64) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Lines { starts, base_line }
    }

    /// The line of the file holding byte `offset` of the document. Like `text_pos_at`, only
    /// `\n` ends a line (a CRLF file numbers its lines as an LF file does).
    pub fn at(&self, offset: usize) -> u64 {
        // The lines starting at or before `offset`: one plus the newlines before it.
        self.base_line + self.starts.partition_point(|&start| start <= offset) as u64
    }

    /// The line of the file on which a node starts.
    pub fn of(&self, node: Node<'_, '_>) -> u64 {
        self.at(node.range().start)
    }
}

/// The first child element with this local name.
pub fn child<'a, 'input>(node: Node<'a, 'input>, local: &str) -> Option<Node<'a, 'input>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == local)
}

/// The first descendant element with this local name.
pub fn descendant<'a, 'input>(node: Node<'a, 'input>, local: &str) -> Option<Node<'a, 'input>> {
    node.descendants()
        .find(|c| c.is_element() && c.tag_name().name() == local)
}

/// The trimmed text of a child element, if present and non-empty.
pub fn text(node: Node<'_, '_>, local: &str) -> Option<String> {
    child(node, local)
        .and_then(|c| c.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// The trimmed text of a descendant element, if present and non-empty.
pub fn descendant_text(node: Node<'_, '_>, local: &str) -> Option<String> {
    descendant(node, local)
        .and_then(|c| c.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// Why a row's value element could not be read, for its rejected row.
pub fn unreadable_value(element: &str, raw: &str) -> String {
    if raw.is_empty() {
        format!("no value (element `{element}` is missing or empty)")
    } else {
        format!("{element} `{raw}` is not a number")
    }
}

/// Leading whitespace and a BOM before the XML declaration make strict parsers fail (it is what
/// cutting a document out of an EDGAR submission leaves behind). Returns the trimmed text and
/// how many lines were skipped.
pub fn trim_start(text: &str) -> (&str, u64) {
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let skipped = &text[..text.len() - trimmed.len()];
    (trimmed, skipped.matches('\n').count() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Line ends as filers write them, including none and blank lines.
    fn eol() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["", "\n", "\r\n", "\n\n", "\r\n\r\n", "\n    "])
    }

    /// Text with multi-byte UTF-8 (2, 3 and 4 bytes) and line ends inside it.
    fn words() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9 éü中國😀\r\n]{0,10}"
    }

    /// A 13F-style information table: rows with text, an attribute, a comment, line ends between.
    fn table() -> impl Strategy<Value = String> {
        let row = (words(), words(), eol(), eol());
        (eol(), prop::collection::vec(row, 0..6)).prop_map(|(top, rows)| {
            let mut xml = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>{top}<ns1:informationTable xmlns:ns1=\"x\">{top}"
            );
            for (name, note, a, b) in rows {
                xml.push_str(&format!(
                    "<ns1:infoTable>{a}<ns1:nameOfIssuer>{name}</ns1:nameOfIssuer>{b}<!-- {note} -->{a}<ns1:value unit=\"{note}\">1</ns1:value>{b}</ns1:infoTable>{a}"
                ));
            }
            xml + "</ns1:informationTable>"
        })
    }

    /// An EDGAR submission holding each of `xmls` mid-file, after a header with multi-byte text.
    fn submission(header: &[String], eol: &str, lead: &str, xmls: &[String]) -> String {
        let mut text = format!("<SEC-DOCUMENT>0001-23-7{eol}");
        for line in header {
            text.push_str(&format!("COMPANY CONFORMED NAME:\t{line}{eol}"));
        }
        for xml in xmls {
            text.push_str(&format!(
                "<DOCUMENT>{eol}<TYPE>INFORMATION TABLE{eol}<TEXT>{eol}<XML>{lead}{xml}{eol}</XML>{eol}</TEXT>{eol}</DOCUMENT>{eol}"
            ));
        }
        text
    }

    /// What the readers do: cut the document out (of a submission or not), trim what precedes
    /// the declaration, parse; then every node's line must be roxmltree's own row plus the base,
    /// and the line of the whole file that the node starts on.
    fn check_lines(file: &str, xml: &str, base_line: u64) -> Result<(), TestCaseError> {
        let (trimmed, skipped) = trim_start(xml);
        let base = base_line + skipped;
        let doc = parse("t.xml", trimmed, base).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let lines = Lines::new(trimmed, base);
        let start_in_file = trimmed.as_ptr() as usize - file.as_ptr() as usize;
        for node in doc.descendants() {
            let at = node.range().start;
            let expected = base + u64::from(doc.text_pos_at(at).row);
            prop_assert_eq!(lines.of(node), expected);
            let in_file = file[..start_in_file + at].matches('\n').count() as u64 + 1;
            prop_assert_eq!(lines.of(node), in_file);
        }
        for at in
            (0..=trimmed.len() + 1).filter(|&i| i > trimmed.len() || trimmed.is_char_boundary(i))
        {
            prop_assert_eq!(lines.at(at), base + u64::from(doc.text_pos_at(at).row));
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn lines_agree_with_text_pos_at_in_bare_files(lead in "[ \t\r\n\u{feff}]{0,4}", xml in table()) {
            let file = format!("{lead}{xml}");
            check_lines(&file, &file, 0)?;
        }

        #[test]
        fn lines_agree_with_text_pos_at_in_submissions(
            header in prop::collection::vec("[A-Za-z éü中國😀]{0,12}", 0..5),
            eol in prop::sample::select(vec!["\n", "\r\n"]),
            lead in "[ \r\n]{0,4}",
            xmls in prop::collection::vec(table(), 1..4),
        ) {
            let file = submission(&header, eol, &lead, &xmls);
            let (_, documents) = crate::ingest::edgar::split(&file);
            prop_assert_eq!(documents.len(), xmls.len());
            for document in documents {
                check_lines(&file, document.xml, document.base_line)?;
            }
        }
    }

    #[test]
    fn line_starts_are_the_bytes_after_newlines() {
        let lines = Lines::new("a\r\nbé\n\nc", 10);
        let expected = [11, 11, 11, 12, 12, 12, 12, 13, 14, 14];
        let found: Vec<u64> = (0..expected.len()).map(|i| lines.at(i)).collect();
        assert_eq!(found, expected);
        assert_eq!(Lines::new("", 0).at(0), 1);
    }

    #[test]
    fn refuses_entities_and_dtds() {
        let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\n<informationTable>&lol2;</informationTable>";
        let err = parse("bomb.xml", laughs, 0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bomb.xml:1: the XML declares a DTD (<!DOCTYPE …>); xjscan never expands or fetches XML entities, so the file is refused"
        );
        let truncated = "<informationTable><infoTable><value>1</value>";
        let err = parse("t.xml", truncated, 10).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.xml:11: the XML ends before its elements are closed"),
            "{err}"
        );
    }
}
