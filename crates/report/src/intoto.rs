//! `seal.intoto.json`: the run's result as an in-toto Statement v1 with the
//! test-result predicate, so a seal can be signed (`actions/attest`) and
//! checked by anyone (`gh attestation verify`).
//!
//! The statement's one subject is `sha256_manifest.txt`, by name and
//! sha256 digest; the manifest in turn names the digest of every other file
//! in the folder. So the statement is written last, after the manifest's
//! final rewrite, and it is the one file besides the manifest that the
//! manifest leaves out: listing it would change the manifest's digest that
//! the statement names. Verifying the statement's signature, then the
//! manifest's digest, then `sha256sum -c sha256_manifest.txt` checks the
//! whole folder.

use std::fs;
use std::path::{Path, PathBuf};

use prod_smoke_model::{CheckStatus, RunReport, Verdict};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::errors::ReportError;
use crate::manifest::{MANIFEST_FILE, STATEMENT_FILE};

/// in-toto Statement v1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The in-toto test-result predicate.
pub const TEST_RESULT_PREDICATE: &str = "https://in-toto.io/attestation/test-result/v0.1";

/// The spec the run executed, as the predicate's `configuration` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecResource {
    /// The spec's name: the path given with `--spec`, or the embedded
    /// suite's name.
    pub name: String,
    /// Hex sha256 of the spec's bytes as they were read.
    pub sha256: String,
}

impl SpecResource {
    pub fn new(name: &str, bytes: &[u8]) -> Self {
        SpecResource {
            name: name.to_string(),
            sha256: hex::encode(Sha256::digest(bytes)),
        }
    }
}

/// The statement for `report`, whose folder's manifest has the digest
/// `manifest_sha256`. `run_url` is the CI run, when there is one.
pub fn intoto_statement(
    report: &RunReport,
    manifest_sha256: &str,
    spec: &SpecResource,
    run_url: Option<&str>,
) -> Value {
    let names = |wanted: CheckStatus| -> Vec<&str> {
        report
            .checks
            .iter()
            .filter(|c| c.status == wanted)
            .map(|c| c.name.as_str())
            .collect()
    };
    let result = match report.verdict {
        Verdict::Green => "PASSED",
        Verdict::Red => "FAILED",
        // prod-smoke's own environment broke: no verdict on the site.
        Verdict::Inconclusive => "WARNED",
    };
    let mut predicate = json!({
        "result": result,
        "configuration": [{
            "name": spec.name,
            "digest": { "sha256": spec.sha256 },
        }],
        "passedTests": names(CheckStatus::Passed),
        // Passed only on a retry.
        "warnedTests": names(CheckStatus::Flaky),
        "failedTests": names(CheckStatus::Failed),
    });
    if let Some(url) = run_url {
        predicate["url"] = json!(url);
    }
    json!({
        "_type": STATEMENT_TYPE,
        "subject": [{
            "name": MANIFEST_FILE,
            "digest": { "sha256": manifest_sha256 },
        }],
        "predicateType": TEST_RESULT_PREDICATE,
        "predicate": predicate,
    })
}

/// Writes `seal.intoto.json` into `dir`, naming the digest of the
/// manifest as it is now. Call it after the manifest's last rewrite.
pub fn write_statement(
    dir: &Path,
    report: &RunReport,
    spec: &SpecResource,
    run_url: Option<&str>,
) -> Result<PathBuf, ReportError> {
    let manifest = dir.join(MANIFEST_FILE);
    let bytes = fs::read(&manifest).map_err(|source| ReportError::Read {
        path: manifest.clone(),
        source,
    })?;
    let digest = hex::encode(Sha256::digest(&bytes));
    let statement = intoto_statement(report, &digest, spec, run_url);
    let mut text = serde_json::to_string_pretty(&statement).expect("the statement serialises");
    text.push('\n');
    let path = dir.join(STATEMENT_FILE);
    // Whole or not at all, like every other piece of evidence.
    prod_smoke_model::atomic::write_atomic(&path, text.as_bytes()).map_err(|source| {
        ReportError::Write {
            path: path.clone(),
            source,
        }
    })?;
    Ok(path)
}
