//! `seal.intoto.json`: an in-toto Statement v1 whose subject is the final
//! manifest, read back as a verifier would, for a green, a red and an
//! inconclusive run.

use std::process::Command;

use prod_smoke_model::{CheckStatus, RunReport};
use prod_smoke_report::{
    SpecResource, TEST_RESULT_PREDICATE, verify_manifest, write_artifacts, write_manifest,
    write_statement,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{folder_with_screenshots, green_report, inconclusive_report, read, red_report};

const RUN: &str = "https://github.com/acme/mcritchie-studio/actions/runs/77";

/// Writes the folder as a run does (reports, manifest, a late log line, the
/// manifest again), then the statement, and returns it parsed.
fn sealed_folder(report: &RunReport) -> (tempfile::TempDir, Value) {
    let dir = folder_with_screenshots();
    write_artifacts(dir.path(), report).unwrap();
    std::fs::write(dir.path().join("heartbeat.log"), "end: exit 1\n").unwrap();
    write_manifest(dir.path()).unwrap();
    let spec = SpecResource::new("specs/qa_readonly.yaml", b"scenarios: []\n");
    write_statement(dir.path(), report, &spec, Some(RUN)).unwrap();
    let statement = serde_json::from_str(&read(dir.path(), "seal.intoto.json")).unwrap();
    (dir, statement)
}

fn names(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

fn check_envelope(dir: &std::path::Path, statement: &Value) {
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["predicateType"], TEST_RESULT_PREDICATE);
    let subject = statement["subject"].as_array().unwrap();
    assert_eq!(subject.len(), 1);
    assert_eq!(subject[0]["name"], "sha256_manifest.txt");
    let manifest = std::fs::read(dir.join("sha256_manifest.txt")).unwrap();
    assert_eq!(
        subject[0]["digest"]["sha256"],
        hex::encode(Sha256::digest(&manifest)),
        "the subject is the final manifest"
    );
    // The manifest still checks: it covers the late log line and leaves
    // out the statement, with our verifier and with coreutils.
    verify_manifest(dir).unwrap();
    let text = String::from_utf8(manifest).unwrap();
    assert!(text.contains("  heartbeat.log\n"), "{text}");
    assert!(!text.contains("seal.intoto.json"), "{text}");
    let out = Command::new("sha256sum")
        .args(["-c", "--strict", "sha256_manifest.txt"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let predicate = &statement["predicate"];
    assert_eq!(
        predicate["configuration"],
        serde_json::json!([{
            "name": "specs/qa_readonly.yaml",
            "digest": {"sha256": hex::encode(Sha256::digest(b"scenarios: []\n"))}
        }])
    );
    assert_eq!(predicate["url"], RUN);
}

#[test]
fn a_green_run_is_passed_with_every_check_by_name() {
    let report = green_report();
    let (dir, statement) = sealed_folder(&report);
    check_envelope(dir.path(), &statement);
    let predicate = &statement["predicate"];
    assert_eq!(predicate["result"], "PASSED");
    let all: Vec<&str> = report.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names(&predicate["passedTests"]), all);
    assert!(names(&predicate["failedTests"]).is_empty());
}

#[test]
fn a_red_run_is_failed_with_the_failed_checks_by_name() {
    let report = red_report();
    let (dir, statement) = sealed_folder(&report);
    check_envelope(dir.path(), &statement);
    let predicate = &statement["predicate"];
    assert_eq!(predicate["result"], "FAILED");
    let by = |status: CheckStatus| -> Vec<&str> {
        report
            .checks
            .iter()
            .filter(|c| c.status == status)
            .map(|c| c.name.as_str())
            .collect()
    };
    assert!(!by(CheckStatus::Failed).is_empty());
    assert_eq!(names(&predicate["failedTests"]), by(CheckStatus::Failed));
    assert_eq!(names(&predicate["passedTests"]), by(CheckStatus::Passed));
    assert_eq!(names(&predicate["warnedTests"]), by(CheckStatus::Flaky));
}

#[test]
fn an_inconclusive_run_is_warned() {
    let (dir, statement) = sealed_folder(&inconclusive_report());
    check_envelope(dir.path(), &statement);
    assert_eq!(statement["predicate"]["result"], "WARNED");
}

#[test]
fn a_changed_file_no_longer_matches_the_attested_manifest() {
    let (dir, statement) = sealed_folder(&green_report());
    std::fs::write(dir.path().join("results.json"), "{\"verdict\":\"green\"}").unwrap();
    assert!(verify_manifest(dir.path()).is_err());
    // Rewriting the manifest to cover the change breaks the subject digest.
    write_manifest(dir.path()).unwrap();
    let manifest = std::fs::read(dir.path().join("sha256_manifest.txt")).unwrap();
    assert_ne!(
        statement["subject"][0]["digest"]["sha256"],
        hex::encode(Sha256::digest(&manifest))
    );
}
