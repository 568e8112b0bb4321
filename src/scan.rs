//! The scan pipeline as one call: ingest → resolve → exposure → report model → rendered files.
//!
//! This is the library's front door. It takes plain options (the CLI builds them from flags) and
//! returns the rendered outputs without writing them, so callers decide where they go and tests
//! can check them in memory.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use crate::exposure::{self, ExposureError, ExposureOptions};
use crate::ingest::{self, IngestError, IngestOptions};
use crate::model::ReferenceData;
use crate::reference::{self, ReferenceError};
use crate::report::{self, Format, RenderError, ReportModel};
use crate::resolve::{self, Overrides, overrides::OverridesError};

/// Everything a scan needs, resolved from flags and defaults.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub inputs: Vec<PathBuf>,
    /// Portfolio name for the report; defaults to the first input's file name.
    pub name: Option<String>,
    /// The reference data: shipped, a `--mappings` folder or an updated dated folder.
    pub reference: reference::Choice,
    /// Reviewers' decisions; defaults to `overrides.csv` beside the reference tables.
    pub overrides: Option<PathBuf>,
    /// Exchange rates into `base_currency` (`--fx`); without them all holdings must share one
    /// currency.
    pub fx: Option<PathBuf>,
    pub base_currency: String,
    /// A folder of fund holdings files to look through fund positions with.
    pub look_through: Option<PathBuf>,
    /// Write one engagement letter per flagged issuer.
    pub letters: bool,
    /// The config file (`xjscan.toml`); `./xjscan.toml` is used when present.
    pub config: Option<PathBuf>,
    /// A folder of replacement templates.
    pub templates: Option<PathBuf>,
    pub ingest: IngestOptions,
    pub exposure: ExposureOptions,
    pub formats: Vec<Format>,
    /// Look identifiers up in OpenFIGI before resolving (`--enrich openfigi`).
    pub enrich: Option<Enrich>,
}

/// OpenFIGI enrichment: where to ask and how downloads behave (cache, limits, offline).
#[derive(Debug, Clone)]
pub struct Enrich {
    pub fetch: crate::fetch::FetchOptions,
    pub openfigi: crate::fetch::openfigi::OpenFigiOptions,
}

/// A completed scan: the model and each output rendered in memory.
#[derive(Debug)]
pub struct ScanResult {
    pub model: ReportModel,
    pub rendered: Vec<(&'static str, String)>,
    /// Engagement letters and their index, when asked for.
    pub letters: Vec<(String, String)>,
}

impl ScanResult {
    /// Flagged exposure as a percentage of the denominator (NAV or portfolio total).
    pub fn flagged_pct(&self) -> Decimal {
        self.model.summary.flagged_pct
    }
}

/// Why a scan failed. Input problems (`is_input_error`) are the user's to fix.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    #[error(transparent)]
    Exposure(#[from] ExposureError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Overrides(#[from] OverridesError),
    #[error(transparent)]
    Fx(#[from] crate::exposure::fx::FxError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    #[error(transparent)]
    OpenFigi(#[from] crate::fetch::openfigi::OpenFigiError),
    #[error("cannot read templates from {}: {error}", .path.display())]
    Templates {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot read exchange rates {}: {error}", .path.display())]
    FxRead {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot read overrides file {}: {error}", .path.display())]
    OverridesRead {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl ScanError {
    /// True when the fault is in what the user gave (files, flags, reference folder), not in
    /// xjscan or the machine.
    pub fn is_input_error(&self) -> bool {
        match self {
            ScanError::Render(_) => false,
            ScanError::Exposure(e) => e.is_input_error(),
            ScanError::Ingest(IngestError::Unbalanced { .. }) => false,
            _ => true,
        }
    }
}

/// The default portfolio name: the first input's file stem.
pub fn default_name(inputs: &[PathBuf]) -> String {
    inputs
        .first()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "portfolio".to_string())
}

/// Loads the reference data the options ask for.
pub fn load_reference(options: &ScanOptions) -> Result<ReferenceData, ReferenceError> {
    options.reference.load()
}

/// Loads the reviewers' decisions: `--overrides FILE`, else `overrides.csv` in the reference
/// folder (`--mappings` or updated data) when it has one, else the shipped
/// `mappings/overrides.csv`.
pub fn load_overrides(options: &ScanOptions, data: &ReferenceData) -> Result<Overrides, ScanError> {
    overrides_for(options.overrides.as_deref(), &options.reference, data)
}

/// [`load_overrides`] for any command that takes `--overrides` and a reference choice.
pub fn overrides_for(
    file: Option<&Path>,
    reference: &crate::reference::Choice,
    data: &ReferenceData,
) -> Result<Overrides, ScanError> {
    let path = match (file, reference.dir()) {
        (Some(file), _) => Some(file.to_path_buf()),
        (None, Some(dir)) => Some(dir.join("overrides.csv")).filter(|p| p.is_file()),
        (None, None) => None,
    };
    let Some(path) = path else {
        return Ok(resolve::overrides::parse(
            "mappings/overrides.csv",
            reference::EMBEDDED_OVERRIDES,
            data,
        )?);
    };
    let text = std::fs::read_to_string(&path).map_err(|error| ScanError::OverridesRead {
        path: path.clone(),
        error,
    })?;
    Ok(resolve::overrides::parse(
        &ingest::display_path(&path),
        &text,
        data,
    )?)
}

/// A completed scan of a Form 13F data set.
#[derive(Debug)]
pub struct DatasetScanResult {
    pub report: crate::report::dataset::DatasetReport,
    pub rendered: Vec<(&'static str, String)>,
}

/// True when the inputs are one Form 13F data set folder (scanned filing by filing).
pub fn is_dataset_scan(inputs: &[PathBuf]) -> bool {
    matches!(inputs, [one] if one.is_dir() && ingest::sec_dataset::is_dataset(one))
}

/// Scans a Form 13F data set folder: every filing a portfolio.
pub fn scan_dataset(options: &ScanOptions) -> Result<DatasetScanResult, ScanError> {
    let data = load_reference(options)?;
    let dir = options.inputs.first().cloned().unwrap_or_default();
    let files = ingest::sec_dataset::locate(&dir)?;
    let overrides = load_overrides(options, &data)?;
    let measured =
        crate::exposure::dataset::measure(&files, &data, overrides, options.exposure.fault)?;
    let shown = ingest::display_path(&dir);
    let name = options.name.clone().unwrap_or_else(|| shown.clone());
    let report = crate::report::dataset::build(&name, &shown, &data.meta, measured)?;
    let rendered = crate::report::dataset::render_all(&report, &options.formats)?;
    Ok(DatasetScanResult { report, rendered })
}

/// A completed scan of a Form N-PORT data set.
#[derive(Debug)]
pub struct NportScanResult {
    pub report: crate::report::nport_dataset::NportReport,
    pub rendered: Vec<(&'static str, String)>,
}

/// True when the inputs are one Form N-PORT data set, a folder or the zip the SEC publishes
/// (scanned filing by filing).
pub fn is_nport_dataset_scan(inputs: &[PathBuf]) -> bool {
    matches!(inputs, [one] if one.is_dir() && ingest::nport_dataset::is_dataset(one)
        || ingest::nport_zip::is_dataset_zip(one))
}

/// Scans a Form N-PORT data set (folder or zip): every filing (a fund series' report) a
/// portfolio.
pub fn scan_nport_dataset(options: &ScanOptions) -> Result<NportScanResult, ScanError> {
    let data = load_reference(options)?;
    let input = options.inputs.first().cloned().unwrap_or_default();
    // A zip is unpacked for the scan's length; the guard removes the folder.
    let (dir, _unpacked) = ingest::nport_zip::dataset_folder(&input)?;
    let files = ingest::nport_dataset::locate(&dir)?;
    let overrides = load_overrides(options, &data)?;
    let measured =
        crate::exposure::dataset::nport::measure(&files, &data, overrides, options.exposure.fault)?;
    // Named as given (a downloaded zip by its address), never by the temporary folder.
    let shown = (options.ingest.shown_as.get(&input).cloned())
        .unwrap_or_else(|| ingest::display_path(&input));
    let name = options.name.clone().unwrap_or_else(|| shown.clone());
    let report = crate::report::nport_dataset::build(&name, &shown, &data.meta, measured)?;
    let rendered = crate::report::nport_dataset::render_all(&report, &options.formats)?;
    Ok(NportScanResult { report, rendered })
}

/// Runs the whole pipeline.
pub fn scan(options: &ScanOptions) -> Result<ScanResult, ScanError> {
    let data = load_reference(options)?;
    let name = options
        .name
        .clone()
        .unwrap_or_else(|| default_name(&options.inputs));
    let mut portfolio = ingest::read_files(&name, &options.inputs, &options.ingest)?;
    // Before conversion and look-through, so names found for fund positions are used too.
    let enrichment = match &options.enrich {
        Some(e) => {
            let fetcher = crate::fetch::Fetcher::new(e.fetch.clone())?;
            Some(crate::fetch::openfigi::enrich(
                &fetcher,
                &e.openfigi,
                &mut portfolio,
            )?)
        }
        None => None,
    };
    let fx = match &options.fx {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|error| ScanError::FxRead {
                path: path.clone(),
                error,
            })?;
            let rates = crate::exposure::fx::parse(
                &ingest::display_path(path),
                &text,
                &options.base_currency,
            )?;
            Some(crate::exposure::fx::convert(&mut portfolio, &rates)?)
        }
        None => None,
    };
    // After conversion, so a fund position's holdings are scaled from its value in the base
    // currency.
    let look_through = match &options.look_through {
        Some(dir) => Some(crate::lookthrough::expand(
            &mut portfolio,
            dir,
            &options.ingest,
        )?),
        None => None,
    };
    let overrides = load_overrides(options, &data)?;
    let resolutions = resolve::resolve_portfolio(&portfolio, &data, overrides);
    let mut exposure = exposure::measure(&portfolio, &resolutions, &data, &options.exposure)?;
    if let Some(lt) = &look_through {
        let c = &mut exposure.coverage;
        c.looked_through.positions = lt.positions;
        c.looked_through.value = lt.value;
        c.looked_through.pct = exposure::percent(lt.value, exposure.reconciliation.portfolio_total);
    }
    let mut model = report::build(&portfolio, &data, &resolutions, &exposure);
    model.fx = fx;
    model.look_through = look_through;
    model.enrichment = enrichment;
    let templates = match &options.templates {
        Some(dir) => report::Templates::from_dir(dir).map_err(|error| ScanError::Templates {
            path: dir.clone(),
            error,
        })?,
        None => report::Templates::default(),
    };
    let rendered = report::render_all(&model, &options.formats, &templates)?;
    let letters = if options.letters {
        let config = crate::config::load(options.config.as_deref())?;
        report::letters::render_letters(
            &model,
            &config.sender,
            &config.letters,
            &templates.letters,
        )?
    } else {
        Vec::new()
    };
    Ok(ScanResult {
        model,
        rendered,
        letters,
    })
}
