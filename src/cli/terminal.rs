//! Text from files on its way to a terminal: control characters shown, never obeyed.
//!
//! Cells, names and file names reach warnings, errors and the summary; an escape sequence in
//! one (`ESC ] 0;…` retitles the window, others move the cursor or hide text) would act on the
//! user's terminal. Such characters are written as `\u{1b}` instead; line breaks and tabs stay.

use std::borrow::Cow;

/// True for characters that change what a terminal shows rather than showing themselves:
/// C0 and C1 controls (but line feed and tab) and the bidirectional overrides, which can
/// reorder what a line appears to say.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character escaped as `\u{…}`.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if is_unsafe(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_keeps_text() {
        assert_eq!(safe("plain 新疆\tname\n"), "plain 新疆\tname\n");
        assert_eq!(
            safe("a\u{1b}]0;pwned\u{7}b\r\u{9b}c\u{202e}d"),
            "a\\u{1b}]0;pwned\\u{7}b\\u{d}\\u{9b}c\\u{202e}d"
        );
    }
}
