//! `xjscan mappings …`: validate, show, stats and import for the reference tables.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::anyhow;

use super::args::{ImportArgs, ImportCommand, MappingsCommand, MappingsSource};
use super::{Failure, Outcome};
use crate::model::ReferenceData;
use crate::reference::import::{self, ImportSet, MergeReport};
use crate::reference::inspect::{self, Lookup};
use crate::reference::{self, Tables};

pub fn run(command: MappingsCommand) -> Result<Outcome, Failure> {
    match command {
        MappingsCommand::Validate(source) => validate(&source),
        MappingsCommand::Show { query, source } => show(&query, &source),
        MappingsCommand::Stats(source) => stats(&source),
        MappingsCommand::Import(command) => run_import(command),
        MappingsCommand::Update(args) => super::update::run(*args),
    }
}

fn choice(source: &MappingsSource) -> Result<reference::Choice, Failure> {
    super::reference_choice(source.mappings.clone(), source.shipped_data)
}

fn load(source: &MappingsSource) -> Result<ReferenceData, Failure> {
    choice(source)?.load().map_err(Failure::input)
}

fn print(text: &str) -> Result<Outcome, Failure> {
    super::print_stdout(text).map(|()| Outcome::Success)
}

fn validate(source: &MappingsSource) -> Result<Outcome, Failure> {
    let choice = choice(source)?;
    let data = choice.load().map_err(Failure::input)?;
    let s = inspect::stats(&data);
    // Reviewer decisions live beside the tables and name their entities: check them too.
    let (label, text) = match choice.dir() {
        Some(dir) if dir.join("overrides.csv").is_file() => {
            let path = dir.join("overrides.csv");
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Failure::input(anyhow::anyhow!("{}: {e}", path.display())))?;
            (crate::ingest::display_path(&path), text)
        }
        Some(_) => (String::new(), String::new()),
        None => (
            "mappings/overrides.csv".to_string(),
            reference::EMBEDDED_OVERRIDES.to_string(),
        ),
    };
    let decisions = if label.is_empty() {
        0
    } else {
        crate::resolve::overrides::parse(&label, &text, &data)
            .map_err(Failure::input)?
            .len()
    };
    print(&format!(
        "reference data in {} is valid: {} entities, {} designations, {} identifiers, {} aliases, {} ownership edges, {} sources, {decisions} reviewer decisions (SHA-256 {})\n",
        data.meta.origin,
        s.entities,
        data.designations.len(),
        data.identifiers.len(),
        data.aliases.len(),
        s.ownership_edges,
        s.sources,
        data.meta.sha256
    ))
}

fn show(query: &str, source: &MappingsSource) -> Result<Outcome, Failure> {
    let data = load(source)?;
    let view = match inspect::lookup(&data, query) {
        Lookup::Found(view) => view,
        Lookup::Ambiguous(matches) => {
            let list: Vec<String> = matches
                .iter()
                .map(|(id, name)| format!("{id} ({name})"))
                .collect();
            return Err(Failure::input(anyhow!(
                "`{query}` matches {} entities: {}; give the id",
                matches.len(),
                list.join(", ")
            )));
        }
        Lookup::NotFound => {
            return Err(Failure::input(anyhow!(
                "no entity matches `{query}` (try an id, an identifier, a name or part of one; `xjscan mappings stats` lists what is there)"
            )));
        }
    };
    let e = view.entity;
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", e.name, e.id);
    if !e.name_zh.is_empty() {
        let _ = writeln!(out, "  Chinese name: {}", e.name_zh);
    }
    let _ = writeln!(
        out,
        "  kind: {}; country: {}; sector: {}",
        e.kind,
        if e.country.is_empty() {
            "not stated"
        } else {
            &e.country
        },
        e.sector
    );
    if !e.note.is_empty() {
        let _ = writeln!(out, "  note: {}", e.note);
    }
    let grade = |g: crate::model::Grade| {
        if g.is_verified() {
            format!("grade {g}")
        } else {
            format!("grade {g}, unverified")
        }
    };
    if !view.aliases.is_empty() {
        let _ = writeln!(out, "Aliases:");
        for a in &view.aliases {
            let _ = writeln!(
                out,
                "  {} ({}, {}; {}, {})",
                a.alias,
                a.kind,
                a.lang,
                a.source_id,
                grade(a.grade)
            );
        }
    }
    if !view.identifiers.is_empty() {
        let _ = writeln!(out, "Identifiers:");
        for r in &view.identifiers {
            let _ = writeln!(
                out,
                "  {} {} ({}, {}){}",
                r.scheme,
                r.value,
                r.source_id,
                grade(r.grade),
                if r.note.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", r.note)
                }
            );
        }
    }
    let _ = writeln!(out, "Designations:");
    if view.designations.is_empty() {
        let _ = writeln!(out, "  none of its own");
    }
    for d in &view.designations {
        let list = data
            .list(&d.list)
            .map_or(d.list.as_str(), |l| l.name.as_str());
        let _ = writeln!(
            out,
            "  {} — {}: listed {}{}; {}; {}; source {}{}",
            list,
            d.programme,
            d.listed_on
                .as_ref()
                .map_or("(date not stated)".to_string(), ToString::to_string),
            d.removed_on
                .as_ref()
                .map_or(String::new(), |r| format!(", removed {r}")),
            d.consequence.label(),
            grade(d.grade),
            d.source_id,
            if d.note.is_empty() {
                String::new()
            } else {
                format!(" — {}", d.note)
            }
        );
    }
    for (title, edges) in [("Parents", &view.parents), ("Children", &view.children)] {
        if edges.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title}:");
        for (o, name) in edges {
            let other = if title == "Parents" {
                &o.parent_id
            } else {
                &o.child_id
            };
            let _ = writeln!(
                out,
                "  {name} ({other}){}; {}, {}",
                o.percent.map_or(String::new(), |p| format!(", {p}%")),
                o.source_id,
                grade(o.grade)
            );
        }
    }
    let _ = writeln!(out, "Sources:");
    for s in &view.sources {
        let _ = writeln!(
            out,
            "  {}: {} — {}{}",
            s.id,
            s.publisher,
            s.title,
            if s.url.is_empty() {
                String::new()
            } else {
                format!(" <{}>", s.url)
            }
        );
    }
    print(&out)
}

fn stats(source: &MappingsSource) -> Result<Outcome, Failure> {
    let data = load(source)?;
    let s = inspect::stats(&data);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Reference data: {} (as of {}, {})",
        data.meta.title, data.meta.as_of, data.meta.origin
    );
    let _ = writeln!(out, "Entities: {}", s.entities);
    for (k, n) in &s.by_kind {
        let _ = writeln!(out, "  {k:<24} {n:>5}");
    }
    let _ = writeln!(out, "By sector:");
    for (k, n) in &s.by_sector {
        let _ = writeln!(out, "  {k:<24} {n:>5}");
    }
    let _ = writeln!(
        out,
        "Designations by list (designations / in force / entities; entities held of the count a source states):"
    );
    for (k, (total, active, entities)) in &s.by_list {
        let official = data
            .list(k)
            .and_then(|l| l.official.as_ref())
            .map_or_else(|| "no stated count".to_string(), |o| held_of(*entities, o));
        let _ = writeln!(
            out,
            "  {k:<24} {total:>5} {active:>5} {entities:>5}   {official}"
        );
    }
    let _ = writeln!(out, "Designations by grade:");
    for (k, n) in &s.designations_by_grade {
        let _ = writeln!(out, "  {k:<24} {n:>5}");
    }
    let _ = writeln!(out, "Identifiers by scheme:");
    for (k, n) in &s.identifiers_by_scheme {
        let _ = writeln!(out, "  {k:<24} {n:>5}");
    }
    let _ = writeln!(
        out,
        "Identifier coverage: {} of {} entities have an identifier; {} have a security identifier (ISIN, CUSIP or exchange + ticker)",
        s.entities_with_identifier, s.entities, s.entities_with_security_identifier
    );
    let _ = writeln!(
        out,
        "Ticker coverage: {} of {} listed companies have an exchange + ticker ({}%); {} of {} companies in all",
        s.listed_with_ticker,
        s.listed_companies,
        whole_percent(s.listed_with_ticker, s.listed_companies),
        s.companies_with_ticker,
        s.companies,
    );
    let by_listing: Vec<String> = s
        .companies_by_listing
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    let _ = writeln!(
        out,
        "Companies by listing status (entities.csv `listed`): {}",
        by_listing.join(", ")
    );
    let _ = writeln!(
        out,
        "Ownership edges: {} ({} with a percentage); sources: {}",
        s.ownership_edges, s.ownership_edges_with_percent, s.sources
    );
    print(&out)
}

fn run_import(command: ImportCommand) -> Result<Outcome, Failure> {
    let (set, common) = match command {
        ImportCommand::Ofac {
            dir,
            all_cmic,
            common,
        } => {
            let options = import::ofac::OfacOptions {
                all_cmic,
                source_url: common.source_url.clone(),
            };
            (
                import::ofac::read(&dir, &options).map_err(Failure::input)?,
                common,
            )
        }
        ImportCommand::Opensanctions {
            file,
            dataset,
            common,
        } => {
            let options = import::opensanctions::OpenSanctionsOptions {
                dataset,
                source_url: common.source_url.clone(),
            };
            (
                import::opensanctions::read(&file, &options).map_err(Failure::input)?,
                common,
            )
        }
        ImportCommand::Csv { file, common } => (
            import::list_csv::read(&file).map_err(Failure::input)?,
            common,
        ),
    };
    merge_and_write(&set, &common)
}

/// Merges an import into the target folder (or the shipped tables when it does not exist yet),
/// validates the result as a whole, and only then writes it.
fn merge_and_write(set: &ImportSet, args: &ImportArgs) -> Result<Outcome, Failure> {
    let into = &args.into;
    let mut tables = if into.join("entities.csv").is_file() {
        // The folder must be valid before we add to it, or errors would be blamed on the import.
        reference::load_dir(into).map_err(Failure::input)?;
        Tables::read_dir(into).map_err(Failure::input)?
    } else {
        Tables::embedded().map_err(Failure::other)?
    };
    let report = import::merge(&mut tables, set);
    let texts = tables.texts();
    let labelled: Vec<(String, String)> = texts
        .iter()
        .map(|(name, text)| (into.join(name).display().to_string(), text.clone()))
        .collect();
    reference::parse_tables(into.display().to_string(), &labelled).map_err(|e| {
        Failure::input(anyhow!(
            "the import would make the reference data invalid, so nothing was written: {e}"
        ))
    })?;
    let mut out = describe(set, &report);
    if args.dry_run {
        let _ = writeln!(out, "dry run: nothing written to {}", into.display());
    } else {
        let files: Vec<(&str, String)> =
            texts.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
        write_tables(into, &files)?;
        let _ = writeln!(out, "wrote {}", into.display());
    }
    print(&out)
}

fn write_tables(into: &Path, files: &[(&str, String)]) -> Result<(), Failure> {
    crate::report::write_outputs(into, files)
        .map(|_| ())
        .map_err(|e| super::output_failure("--into", e))
}

fn describe(set: &ImportSet, report: &MergeReport) -> String {
    let mut out = String::new();
    for f in &set.found {
        let _ = writeln!(out, "found: {f}");
    }
    for a in &report.added {
        let _ = writeln!(out, "added: {a}");
    }
    for k in &report.kept {
        let _ = writeln!(out, "kept: {k}");
    }
    for s in &report.skipped {
        let _ = writeln!(out, "skipped: {s}");
    }
    let _ = writeln!(
        out,
        "{} added, {} differences kept as curated, {} skipped, {} already present",
        report.added.len(),
        report.kept.len(),
        report.skipped.len(),
        report.unchanged
    );
    out
}

/// `90 of 144 (62%; as of 2025-08-19, UF20)`: the entities held against a list's stated count.
fn held_of(held: usize, official: &crate::model::OfficialCount) -> String {
    let date = official
        .as_of
        .as_ref()
        .map_or_else(String::new, |d| format!("as of {d}, "));
    format!(
        "{held} of {} ({}%; {date}{})",
        official.count,
        whole_percent(held, official.count as usize),
        official.source_id
    )
}

/// `part / whole` in whole percent, rounded down (so 94.9% never shows as 95%).
fn whole_percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(0)
}
