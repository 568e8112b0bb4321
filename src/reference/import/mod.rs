//! Importing official list files into the reference tables, so users refresh the data from the
//! publishers' own downloads instead of waiting for a release.
//!
//! Each format has its own module that reads files into an [`ImportSet`]: entities with their
//! names, identifiers and designations, plus the source record describing the files. [`merge`]
//! then folds the set into the tables: an imported entity joins an existing one when an
//! identifier or a normalised name agrees; curated rows are never overwritten — where the import
//! disagrees with them, the difference is reported and the curated value kept.

pub mod list_csv;
mod merge;
pub mod ofac;
pub mod opensanctions;

use sha2::{Digest, Sha256};

pub use merge::merge;

use crate::model::{EntityKind, Grade, IdScheme};

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: no such file")]
    NotFound { file: String },
    #[error("{file}: cannot read: {error}")]
    Io { file: String, error: std::io::Error },
    #[error("{file}:{line}: {message}")]
    Format {
        file: String,
        line: u64,
        message: String,
    },
    #[error("{0}")]
    Usage(String),
}

/// A name to add to an entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedAlias {
    pub alias: String,
    pub lang: &'static str,
    pub kind: &'static str,
}

/// An identifier to add to an entity, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedId {
    pub scheme: IdScheme,
    pub value: String,
    pub note: String,
}

/// A designation to add to an entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedDesignation {
    pub list: String,
    pub programme: String,
    pub listed_on: String,
    pub removed_on: String,
    pub note: String,
}

/// One entity as an import file describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedEntity {
    /// The record's key in its own file (`OFAC 29299`), for messages.
    pub key: String,
    pub name: String,
    pub name_zh: String,
    pub kind: EntityKind,
    pub country: String,
    pub sector: String,
    pub note: String,
    pub aliases: Vec<ImportedAlias>,
    pub identifiers: Vec<ImportedId>,
    pub designations: Vec<ImportedDesignation>,
    /// Merge only into an entity the data already has (e.g. CMIC rows not tied to Xinjiang).
    pub only_if_known: bool,
    /// The grade of this entity's rows, when it differs from the set's.
    pub grade: Option<Grade>,
}

impl ImportedEntity {
    pub fn new(key: String, name: String, kind: EntityKind) -> Self {
        ImportedEntity {
            key,
            name,
            name_zh: String::new(),
            kind,
            country: String::new(),
            sector: "other".to_string(),
            note: String::new(),
            aliases: Vec::new(),
            identifiers: Vec::new(),
            designations: Vec::new(),
            only_if_known: false,
            grade: None,
        }
    }
}

/// A parent → child edge between imported entities (by their keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedEdge {
    pub parent_key: String,
    pub child_key: String,
    pub percent: String,
    pub note: String,
}

/// The source row describing imported files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedSource {
    pub id: String,
    pub publisher: String,
    pub title: String,
    pub url: String,
    pub published: String,
    pub note: String,
}

/// Everything one import read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSet {
    pub sources: Vec<ImportedSource>,
    /// Which source each entity's rows cite (index into `sources`), in entity order.
    pub entity_source: Vec<usize>,
    pub grade: Grade,
    pub entities: Vec<ImportedEntity>,
    pub edges: Vec<ImportedEdge>,
    /// What the importer found, for its report (`12 Xinjiang GLOMAG designations`).
    pub found: Vec<String>,
}

impl ImportSet {
    /// An empty set whose rows are graded `grade` unless an entity says otherwise.
    pub fn empty(grade: Grade) -> Self {
        ImportSet {
            sources: Vec::new(),
            entity_source: Vec::new(),
            grade,
            entities: Vec::new(),
            edges: Vec::new(),
            found: Vec::new(),
        }
    }
}

/// A CSV error from an import file, with its line.
pub(crate) fn csv_error(file: &str, e: &csv::Error) -> ImportError {
    ImportError::Format {
        file: file.to_string(),
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    }
}

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeReport {
    pub added: Vec<String>,
    /// Where the import disagrees with a curated row, which was kept.
    pub kept: Vec<String>,
    /// Records not imported, and why.
    pub skipped: Vec<String>,
    /// Imported rows already present exactly.
    pub unchanged: usize,
    /// `(entity id, list)` of every imported designation, added or already there: what the
    /// import still lists (`xjscan mappings update` marks the rest of its own rows removed).
    pub seen: std::collections::BTreeSet<(String, String)>,
}

/// First 8 hex digits of the SHA-256 of some bytes, for stable source ids.
pub fn short_hash(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
        h.update([0]);
    }
    super::hex(&h.finalize()[..4])
}

/// Reads a file for an importer, with the importer's error type.
pub(crate) fn read_bytes(path: &std::path::Path) -> Result<Vec<u8>, ImportError> {
    let file = crate::ingest::display_path(path);
    std::fs::read(path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => ImportError::NotFound { file },
        _ => ImportError::Io { file, error },
    })
}

/// Decodes text that may be UTF-8 or Latin-1/Windows-1252 (OFAC's legacy files are the latter).
pub(crate) fn decode_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}
