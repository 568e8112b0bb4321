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

/// The line of the file on which a node starts.
pub fn line_of(doc: &Document<'_>, node: Node<'_, '_>, base_line: u64) -> u64 {
    base_line + u64::from(doc.text_pos_at(node.range().start).row)
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
