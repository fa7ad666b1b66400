//! Writing the evidence folder as a whole.

use std::fs;
use std::path::{Path, PathBuf};

use prod_smoke_model::RunReport;

use crate::errors::ReportError;
use crate::manifest::{MANIFEST_FILE, write_manifest};
use crate::{html, junit, results_json};

pub const RESULTS_FILE: &str = "results.json";
pub const JUNIT_FILE: &str = "junit.xml";
pub const HTML_FILE: &str = "report.html";

/// Where [`write_artifacts`] put each file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactPaths {
    pub dir: PathBuf,
    pub results_json: PathBuf,
    pub junit_xml: PathBuf,
    pub report_html: PathBuf,
    pub manifest: PathBuf,
}

/// Writes `results.json`, `junit.xml` and `report.html` into `dir`, then
/// `sha256_manifest.txt` over everything in the folder (the runner's
/// screenshots included). Callers redact secrets from `report` first
/// (`Redactor::redact_value`): this writes what it is given.
pub fn write_artifacts(dir: &Path, report: &RunReport) -> Result<ArtifactPaths, ReportError> {
    fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;

    let results = results_json::results_json(report)?;
    let mut results =
        serde_json::to_string_pretty(&results).map_err(|source| ReportError::Json { source })?;
    results.push('\n');
    let results_path = write(dir, RESULTS_FILE, results.as_bytes())?;
    let junit_path = write(dir, JUNIT_FILE, junit::junit_xml(report)?.as_bytes())?;
    let html_path = write(dir, HTML_FILE, html::report_html(dir, report).as_bytes())?;
    // Last, so it covers every other file.
    let manifest = write_manifest(dir)?;
    debug_assert!(manifest.ends_with(MANIFEST_FILE));

    Ok(ArtifactPaths {
        dir: dir.to_path_buf(),
        results_json: results_path,
        junit_xml: junit_path,
        report_html: html_path,
        manifest,
    })
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, ReportError> {
    let path = dir.join(name);
    fs::write(&path, bytes).map_err(|source| ReportError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}
