//! `xjscan resolve ISSUERS --out DIR`: a table of distinct issuers in, a match table out (CSV,
//! Parquet and a manifest), each issuer resolved once as a data-set scan resolves it.

use anyhow::anyhow;
use sha2::{Digest, Sha256};

use super::args::ResolveArgs;
use super::{Failure, Outcome, output_failure, print_stdout};
use crate::ingest::ColumnSpec;
use crate::ingest::issuers::IssuerLimits;
use crate::resolve::Resolver;

pub fn run(args: ResolveArgs) -> Result<Outcome, Failure> {
    let spec = match &args.columns {
        Some(raw) => raw
            .parse::<ColumnSpec>()
            .map_err(|e| Failure::input(anyhow!("--columns: {e}")))?,
        None => ColumnSpec::default(),
    };
    let limits = limits(&args)?;
    let choice = super::reference_choice(args.mappings.clone(), args.shipped_data)?;
    let data = choice.load().map_err(Failure::input)?;
    let overrides = crate::scan::overrides_for(args.overrides.as_deref(), &choice, &data)
        .map_err(Failure::input)?;
    let resolver = Resolver::with_overrides(&data, overrides);
    let built = crate::matchtable::build(&args.input, &spec, limits, &data, &resolver).map_err(
        |e| match e {
            crate::matchtable::ResolveError::Ingest(e) => Failure::input(e),
            e => Failure::other(e),
        },
    )?;
    let input = crate::ingest::display_path(&args.input);
    let manifest = manifest(&args, &input, &data.meta, &built)?;
    let files: [(&str, &[u8]); 3] = [
        ("matches.csv", &built.csv),
        ("matches.parquet", &built.parquet),
        ("manifest.json", manifest.as_bytes()),
    ];
    crate::report::write_outputs(&args.out, &files).map_err(|e| output_failure("--out", e))?;
    let mut text = String::new();
    for w in &built.warnings {
        text.push_str(&format!("warning: {w}\n"));
    }
    let c = built.counts;
    text.push_str(&format!(
        "{input}: {} issuers resolved ({}): {} flagged, {} for review, {} clear, {} unscreened\nreference data: {} (sha256 {})\nWrote: {}\n",
        c.read,
        built.columns.join(", "),
        c.flagged,
        c.review,
        c.clear,
        c.unscreened,
        data.meta.label,
        data.meta.sha256,
        files
            .iter()
            .map(|(n, _)| args.out.join(n).display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    print_stdout(&text)?;
    Ok(Outcome::Success)
}

/// `--max-rows` and `--max-field`, over the defaults for a table of issuers.
fn limits(args: &ResolveArgs) -> Result<IssuerLimits, Failure> {
    let mut limits = IssuerLimits::default();
    if let Some(raw) = &args.max_rows {
        limits.rows = raw.trim().replace('_', "").parse().map_err(|_| {
            Failure::input(anyhow!("--max-rows {raw}: expected a whole number of rows"))
        })?;
    }
    if let Some(raw) = &args.max_field {
        limits.field = crate::ingest::limits::parse_size(raw).ok_or_else(|| {
            Failure::input(anyhow!(
                "--max-field {raw}: expected a size such as 64K or 1M"
            ))
        })?;
    }
    Ok(limits)
}

/// What the table was made from, for a reader who has only the CSV: the input's hash, the
/// columns, the reference data and its hash, the tool version, and the counts.
fn manifest(
    args: &ResolveArgs,
    input: &str,
    reference: &crate::model::DatasetMeta,
    built: &crate::matchtable::Built,
) -> Result<String, Failure> {
    let bytes = std::fs::read(&args.input)
        .map_err(|e| Failure::input(anyhow!("{input}: cannot read: {e}")))?;
    let c = built.counts;
    let value = serde_json::json!({
        "tool": "xjscan",
        "version": env!("CARGO_PKG_VERSION"),
        "input": input,
        "input_sha256": format!("{:x}", Sha256::digest(&bytes)),
        "columns": built.columns,
        "reference": reference.label,
        "reference_as_of": reference.as_of,
        "reference_sha256": reference.sha256,
        "overrides": args.overrides.as_deref().map(crate::ingest::display_path),
        "rows": c.read,
        "flagged": c.flagged,
        "review": c.review,
        "clear": c.clear,
        "unscreened": c.unscreened,
        "warnings": built.warnings.len(),
        "files": {
            "matches.csv": format!("{:x}", Sha256::digest(&built.csv)),
            "matches.parquet": format!("{:x}", Sha256::digest(&built.parquet)),
        },
    });
    let mut text = serde_json::to_string_pretty(&value).map_err(Failure::other)?;
    text.push('\n');
    Ok(text)
}
