//! Turning a file's bytes into text: byte-order marks, UTF-16, GBK and legacy Windows encodings.
//!
//! Holdings exports come from Excel on Windows (UTF-16 "Unicode text", Windows-1252), from
//! Chinese brokers and terminals (GBK), and from everything else (UTF-8, with or without a BOM).
//! Detection is by content, and the encoding used is recorded in the report.

use encoding_rs::{Encoding, GBK, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Text decoded from a file, and the name of the encoding that was used.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

/// What a file that is not text looks like, for a helpful error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotText {
    /// A known binary container, named (`an XLSX workbook or other ZIP archive`).
    Container(&'static str),
    /// Unknown binary content; the offset of the first byte that gave it away.
    Binary { offset: usize },
}

/// Recognises binary containers people mistakenly pass as holdings files.
fn container(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "a ZIP archive (an XLSX workbook?)"),
        (b"PAR1", "a Parquet file"),
        (b"%PDF", "a PDF document"),
        (b"\xd0\xcf\x11\xe0", "a legacy Excel/OLE document (.xls)"),
        (b"\x1f\x8b", "a gzip archive"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, name)| *name)
}

/// Decodes `bytes`, or says why they are not text. `forced` is an encoding label the user gave.
pub fn decode(bytes: &[u8], forced: Option<&'static Encoding>) -> Result<Decoded, NotText> {
    if let Some(encoding) = forced {
        let (text, _, _) = encoding.decode(bytes);
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: encoding.name(),
        });
    }
    if let Some(name) = container(bytes) {
        return Err(NotText::Container(name));
    }
    // A BOM is authoritative.
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors && encoding == UTF_8 {
            return Err(first_binary(bytes).unwrap_or(NotText::Binary { offset: 0 }));
        }
        return check_text(text.into_owned(), encoding);
    }
    // UTF-16 without a BOM: ASCII text then has a NUL in every other byte.
    if let Some(encoding) = sniff_utf16(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return check_text(text.into_owned(), encoding);
    }
    if let Some(b) = first_binary(bytes) {
        return Err(b);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: text.to_string(),
            encoding: UTF_8.name(),
        });
    }
    // Not UTF-8: GBK if it decodes cleanly and yields Chinese text, else Windows-1252, which
    // accepts any byte and is what Excel writes in Western locales.
    let (gbk, had_errors) = GBK.decode_without_bom_handling(bytes);
    if !had_errors && gbk.chars().any(is_cjk) {
        return Ok(Decoded {
            text: gbk.into_owned(),
            encoding: GBK.name(),
        });
    }
    let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
    Ok(Decoded {
        text: text.into_owned(),
        encoding: WINDOWS_1252.name(),
    })
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_nul = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_nul = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    // UTF-16 holdings tables are mostly ASCII (digits, separators, Latin names), so the high
    // byte of at least half the code units is NUL while the low byte almost never is.
    if odd_nul * 2 >= pairs && even_nul * 10 < pairs {
        Some(UTF_16LE)
    } else if even_nul * 2 >= pairs && odd_nul * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// A NUL or a run of control characters in the first 8 KiB means this is not a text file.
fn first_binary(bytes: &[u8]) -> Option<NotText> {
    let sample = &bytes[..bytes.len().min(8192)];
    if let Some(offset) = sample.iter().position(|b| *b == 0) {
        return Some(NotText::Binary { offset });
    }
    let is_control = |b: &u8| *b < 0x20 && !matches!(*b, b'\t' | b'\n' | b'\r' | 0x0c);
    let controls = sample.iter().filter(|b| is_control(b)).count();
    if controls * 20 > sample.len().max(1) {
        let offset = sample.iter().position(is_control).unwrap_or(0);
        return Some(NotText::Binary { offset });
    }
    None
}

fn check_text(text: String, encoding: &'static Encoding) -> Result<Decoded, NotText> {
    if let Some(offset) = text.find('\0') {
        return Err(NotText::Binary { offset });
    }
    Ok(Decoded {
        text,
        encoding: encoding.name(),
    })
}

/// Looks up an encoding by its WHATWG label (`utf-8`, `gbk`, `utf-16le`, `windows-1252`…).
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xff, 0xfe] } else { vec![] };
        for u in s.encode_utf16() {
            out.extend(u.to_le_bytes());
        }
        out
    }

    #[test]
    fn detects_each_encoding() {
        let text = "Name,Value\n中泰化学,1\n";
        assert_eq!(decode(text.as_bytes(), None).unwrap().encoding, "UTF-8");
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend(text.as_bytes());
        let d = decode(&bom, None).unwrap();
        assert_eq!((d.encoding, d.text.as_str()), ("UTF-8", text));
        let d = decode(&utf16le(text, true), None).unwrap();
        assert_eq!((d.encoding, d.text.as_str()), ("UTF-16LE", text));
        let d = decode(&utf16le(text, false), None).unwrap();
        assert_eq!((d.encoding, d.text.as_str()), ("UTF-16LE", text));
        let (gbk, _, _) = GBK.encode(text);
        let d = decode(&gbk, None).unwrap();
        assert_eq!((d.encoding, d.text.as_str()), ("GBK", text));
        let d = decode(b"Soci\xe9t\xe9 G\xe9n\xe9rale,1\n", None).unwrap();
        assert_eq!(
            (d.encoding, d.text.as_str()),
            ("windows-1252", "Société Générale,1\n")
        );
    }

    #[test]
    fn binary_and_containers_are_not_text() {
        assert_eq!(
            decode(b"PK\x03\x04rest", None).unwrap_err(),
            NotText::Container("a ZIP archive (an XLSX workbook?)")
        );
        assert_eq!(
            decode(b"abc\x00\x01\x02\xff\xfe", None).unwrap_err(),
            NotText::Binary { offset: 3 }
        );
    }
}
