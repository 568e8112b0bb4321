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
//! ```
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
