//! The config file (`xjscan.toml`): who sends engagement letters, and the letters' date.
//!
//! ```toml
//! [sender]
//! name = "Jane Doe"
//! organisation = "Example Asset Management"
//! email = "stewardship@example.org"
//! address = "1 Example Street, London"
//!
//! [letters]
//! date = "2026-11-27"
//!
//! [sec]
//! contact = "Jane Doe stewardship@example.org"
//! ```
//!
//! `[sec] contact` is the name and email SEC's fair-access policy requires in the User-Agent of
//! every EDGAR request; `XJSCAN_CONTACT` overrides it.
//!
//! Unknown keys are errors (a misspelt key would otherwise be silently ignored). A missing file
//! is only an error when named with `--config`; otherwise the defaults leave bracketed
//! placeholders in the letters.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::report::letters::{LetterSettings, Sender};

/// The whole config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub sender: Sender,
    pub letters: LetterSettings,
    pub sec: SecSettings,
}

/// `[sec]`: how xjscan introduces itself to SEC EDGAR.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecSettings {
    /// A name and an email address, e.g. "Jane Doe jane@example.org".
    pub contact: Option<String>,
}

impl Config {
    /// The contact for SEC's User-Agent: `XJSCAN_CONTACT`, else `[sec] contact`. It must contain
    /// an email address, as SEC asks.
    pub fn sec_contact(&self) -> Result<String, String> {
        let contact = std::env::var("XJSCAN_CONTACT")
            .ok()
            .filter(|c| !c.trim().is_empty())
            .or_else(|| self.sec.contact.clone())
            .map(|c| c.trim().to_string());
        match contact {
            Some(c) if c.contains('@') && !c.contains(['\r', '\n']) => Ok(c),
            Some(c) => Err(format!(
                "the SEC contact `{c}` has no email address; SEC asks for a name and an email, e.g. XJSCAN_CONTACT=\"Jane Doe jane@example.org\""
            )),
            None => Err("SEC EDGAR requires a User-Agent naming you and an email address (https://www.sec.gov/os/accessing-edgar-data): set XJSCAN_CONTACT=\"Jane Doe jane@example.org\" or `contact` under [sec] in xjscan.toml".to_string()),
        }
    }
}

/// Why the config file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {}: {error}", .path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("config file {}: {message}", .path.display())]
    Invalid { path: PathBuf, message: String },
}

/// The config in `explicit` (which must exist), else `./xjscan.toml` when present, else the
/// defaults.
pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let default = PathBuf::from("xjscan.toml");
            if !default.is_file() {
                return Ok(Config::default());
            }
            default
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|error| ConfigError::Read {
        path: path.clone(),
        error,
    })?;
    parse(&path, &text)
}

/// Parses config text; `path` names it in messages.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        // The message names the line and the key.
        message: e.to_string().trim().replace('\n', " "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sender_and_refuses_unknown_keys() {
        let c = parse(
            Path::new("x.toml"),
            "[sender]\nname = \"A\"\norganisation = \"B\"\n[letters]\ndate = \"2026-11-27\"\n",
        )
        .unwrap();
        assert_eq!(c.sender.name, "A");
        assert_eq!(c.sender.email, "[email]");
        assert_eq!(c.letters.date.as_deref(), Some("2026-11-27"));
        let e = parse(Path::new("x.toml"), "[sender]\nnmae = \"A\"\n").unwrap_err();
        assert!(e.to_string().starts_with("config file x.toml: "), "{e}");
        assert!(e.to_string().contains("nmae"), "{e}");
    }
}
