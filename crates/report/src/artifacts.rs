//! Writing the evidence folder as a whole.

use std::fs;
use std::path::{Path, PathBuf};

use prod_smoke_model::RunReport;
use prod_smoke_model::atomic::write_atomic;

use crate::errors::ReportError;
use crate::manifest::{MANIFEST_FILE, write_manifest};
use crate::{html, junit, results_json};

pub const RESULTS_FILE: &str = "results.json";
pub const JUNIT_FILE: &str = "junit.xml";
pub const HTML_FILE: &str = "report.html";
/// Every report file [`write_artifacts`] writes, in its order.
pub const REPORT_FILES: [&str; 3] = [RESULTS_FILE, JUNIT_FILE, HTML_FILE];

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
///
/// Each file is written atomically (`prod_smoke_model::atomic`): on a full
/// disk a report is complete or absent, never truncated. A report that
/// cannot be written does not stop the others, and the manifest is still
/// written over what does exist; the first failure is returned, with the
/// operating system's cause (ENOSPC) as its source.
pub fn write_artifacts(dir: &Path, report: &RunReport) -> Result<ArtifactPaths, ReportError> {
    fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;

    let results = results_json::results_json(report)?;
    let mut results =
        serde_json::to_string_pretty(&results).map_err(|source| ReportError::Json { source })?;
    results.push('\n');
    let junit = junit::junit_xml(report)?;
    let mut first_error = None;
    let mut keep = |written: Result<PathBuf, ReportError>, name: &str| match written {
        Ok(path) => path,
        Err(e) => {
            first_error.get_or_insert(e);
            dir.join(name)
        }
    };
    let results_path = keep(write(dir, RESULTS_FILE, results.as_bytes()), RESULTS_FILE);
    let junit_path = keep(write(dir, JUNIT_FILE, junit.as_bytes()), JUNIT_FILE);
    let html = html::report_html(dir, report);
    let html_path = keep(write(dir, HTML_FILE, html.as_bytes()), HTML_FILE);
    // Last, so it covers every other file that exists.
    let manifest = write_manifest(dir);
    if let Some(e) = first_error {
        return Err(e);
    }
    let manifest = manifest?;
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
    write_atomic(&path, bytes).map_err(|source| ReportError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}
