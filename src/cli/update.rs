//! `xjscan mappings update`: fetch the public lists, merge them into the data in use, print the
//! change and write it as a new dated folder in the data directory.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::anyhow;

use super::args::UpdateArgs;
use super::{Failure, Outcome, print_stdout};
use crate::fetch::Fetcher;
use crate::reference::import::ImportSet;
use crate::reference::store;
use crate::reference::update::{
    self, Bases, ChangeKind, Manifest, ManifestFile, ManifestSource, Source, Update,
};
use crate::reference::{self, Tables};

/// The data an update starts from.
struct Base {
    /// The tables the downloads are merged into.
    tables: Tables,
    /// The tables runs use now, which the change is measured against.
    in_use: Tables,
    overrides: String,
    /// `shipped` or the dated folder's name: the data in use.
    label: String,
    /// What the downloads are merged into, in words.
    merged_into: String,
}

/// A source's downloads: each URL with its SHA-256.
type Fetched = (Source, ImportSet, Vec<ManifestFile>);

pub fn run(args: UpdateArgs) -> Result<Outcome, Failure> {
    let data_dir = store::data_dir(args.data_dir.as_deref()).ok_or_else(|| {
        Failure::input(anyhow!(
            "no data directory: give --data-dir DIR or set {}",
            store::DATA_DIR_ENV
        ))
    })?;
    let sources = sources(&args)?;
    let shipped = Tables::embedded().map_err(Failure::other)?;
    let base = base(&data_dir, &shipped)?;
    let fetched = fetch(&sources, &args)?;
    let (date, fetched_at) = update::now_utc();
    let sets: Vec<(Source, ImportSet)> = fetched
        .iter()
        .map(|(s, set, _)| (s.clone(), set.clone()))
        .collect();
    let result = update::apply(&base.tables, &base.in_use, &shipped, &sets, &date)
        .map_err(Failure::input)?;
    let mut out = describe(&result, &base.merged_into);
    if !result.changed() {
        let _ = writeln!(
            out,
            "no change: the downloads add nothing to {}; nothing written",
            base.label
        );
        return print_stdout(&out).map(|()| Outcome::Success);
    }
    let name = store::next_folder_name(&data_dir, &date);
    if args.dry_run {
        let _ = writeln!(out, "dry run: nothing written (would write {name})");
        return print_stdout(&out).map(|()| Outcome::Success);
    }
    let manifest = Manifest {
        tool: format!("xjscan {}", env!("CARGO_PKG_VERSION")),
        fetched_at,
        as_of: date,
        based_on: base.label.clone(),
        tables_sha256: result.sha256.clone(),
        shipped_sha256: shipped_sha256()?,
        sources: fetched
            .into_iter()
            .map(|(s, _, files)| ManifestSource {
                name: s.name,
                dataset: s.dataset,
                files,
            })
            .collect(),
    };
    write(&data_dir.join(&name), &result, &base, &manifest)?;
    let _ = writeln!(
        out,
        "wrote {name} (SHA-256 {}); scans use it from now on (--shipped-data for the shipped tables)",
        result.sha256
    );
    print_stdout(&out).map(|()| Outcome::Success)
}

fn sources(args: &UpdateArgs) -> Result<Vec<Source>, Failure> {
    let defaults = Bases::default();
    let bases = Bases {
        opensanctions: args
            .opensanctions_base
            .clone()
            .unwrap_or(defaults.opensanctions),
        ofac: args.ofac_base.clone().unwrap_or(defaults.ofac),
    };
    if args.source.is_empty() {
        return Ok(update::default_sources(&bases));
    }
    args.source
        .iter()
        .map(|s| Source::parse(s, &bases).map_err(Failure::input))
        .collect()
}

/// The newest dated folder (which must be valid: an invalid one is named, not skipped), else
/// the shipped tables. A folder built on other shipped tables than this xjscan's (written before
/// an upgrade) is replaced by this xjscan's shipped tables plus the downloads, so curated
/// corrections of a new release are not lost behind older updated data.
fn base(data_dir: &Path, shipped: &Tables) -> Result<Base, Failure> {
    let Some(dir) = store::newest(data_dir).map_err(Failure::input)? else {
        return Ok(Base {
            tables: shipped.clone(),
            in_use: shipped.clone(),
            overrides: reference::EMBEDDED_OVERRIDES.to_string(),
            label: "shipped".to_string(),
            merged_into: "the shipped tables".to_string(),
        });
    };
    let data = store::load_updated(&dir).map_err(Failure::input)?;
    let overrides = match std::fs::read_to_string(dir.join("overrides.csv")) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            reference::EMBEDDED_OVERRIDES.to_string()
        }
        Err(e) => return Err(Failure::input(anyhow!("{}: {e}", dir.display()))),
    };
    let in_use = Tables::read_dir(&dir).map_err(Failure::input)?;
    let name = data.meta.origin;
    if store::built_on_other_shipped_tables(&dir) {
        return Ok(Base {
            tables: shipped.clone(),
            in_use,
            overrides: reference::EMBEDDED_OVERRIDES.to_string(),
            merged_into: format!(
                "the shipped tables of this xjscan (newer than those {name} was built on)"
            ),
            label: name,
        });
    }
    Ok(Base {
        tables: in_use.clone(),
        in_use,
        overrides,
        merged_into: name.clone(),
        label: name,
    })
}

fn shipped_sha256() -> Result<String, Failure> {
    Ok(reference::load_embedded()
        .map_err(Failure::other)?
        .meta
        .sha256)
}

/// Downloads every source through the cache and reads it with its importer; the first source
/// that cannot be fetched or read stops the update, by name, before anything is written.
fn fetch(sources: &[Source], args: &UpdateArgs) -> Result<Vec<Fetched>, Failure> {
    let fetcher = Fetcher::new(super::fetch::fetch_options(&args.net)).map_err(Failure::other)?;
    let mut out = Vec::new();
    for source in sources {
        let paths = fetcher.fetch_all(&source.urls).map_err(|e| {
            Failure::input(anyhow!("source {}: {e}; nothing was written", source.name))
        })?;
        let staged = stage(source, &paths)?;
        let set = update::read_source(source, staged.path()).map_err(Failure::input)?;
        let files = source
            .urls
            .iter()
            .zip(&paths)
            .map(|(url, path)| ManifestFile {
                url: url.clone(),
                // Cache blobs are named by the SHA-256 of their bytes, checked before use.
                sha256: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            })
            .collect();
        out.push((source.clone(), set, files));
    }
    Ok(out)
}

/// Copies a source's cached downloads into a temporary folder under the names its importer
/// expects (`sdn.csv`, `entities.ftm.json`).
fn stage(source: &Source, paths: &[PathBuf]) -> Result<tempfile::TempDir, Failure> {
    let dir = tempfile::tempdir().map_err(Failure::other)?;
    for (url, path) in source.urls.iter().zip(paths) {
        std::fs::copy(path, dir.path().join(update::file_name(url)))
            .map_err(|e| Failure::other(anyhow!("{}: {e}", path.display())))?;
    }
    Ok(dir)
}

/// The change, per list with names, then the importers' messages and the other tables' counts.
fn describe(update: &Update, base: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "merged into {base}");
    for (source, message) in &update.messages {
        let _ = writeln!(out, "{source}: {message}");
    }
    let mut list = "";
    for c in &update.changes {
        if c.list != list {
            list = &c.list;
            let _ = writeln!(out, "{list}:");
        }
        let kind = match c.kind {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        };
        let _ = writeln!(
            out,
            "  {kind}: {} ({}), {}",
            c.entity, c.designation_id, c.detail
        );
    }
    let count = |k: ChangeKind| update.changes.iter().filter(|c| c.kind == k).count();
    let _ = write!(
        out,
        "{} designations added, {} removed, {} changed",
        count(ChangeKind::Added),
        count(ChangeKind::Removed),
        count(ChangeKind::Changed)
    );
    let others: Vec<String> = update
        .other_rows
        .iter()
        .map(|(table, n)| format!("{n} in {table}"))
        .collect();
    if !others.is_empty() {
        let _ = write!(out, "; rows added or changed: {}", others.join(", "));
    }
    out.push('\n');
    out
}

/// Writes the tables, the reviewers' decisions and the manifest as one new folder: built in a
/// hidden sibling, synced and renamed, so the folder is whole or absent.
fn write(dir: &Path, update: &Update, base: &Base, manifest: &Manifest) -> Result<(), Failure> {
    let tables = update
        .tables
        .as_ref()
        .ok_or_else(|| Failure::other(anyhow!("the update produced no tables")))?;
    let mut manifest_text = serde_json::to_string_pretty(manifest).map_err(Failure::other)?;
    manifest_text.push('\n');
    let mut files: Vec<(String, String)> = tables.texts();
    files.push(("overrides.csv".to_string(), base.overrides.clone()));
    files.push(("manifest.json".to_string(), manifest_text));
    let refs: Vec<(&str, String)> = files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    crate::report::write_outputs(dir, &refs)
        .map(|_| ())
        .map_err(|e| super::output_failure("--data-dir", e))
}
