use std::process::Command;

use prod_smoke_report::{ReportError, verify_manifest, write_artifacts};

use crate::{folder_with_screenshots, read, red_report};

fn sha256sum_check(dir: &std::path::Path) -> std::process::Output {
    Command::new("sha256sum")
        .args(["-c", "--strict", "sha256_manifest.txt"])
        .current_dir(dir)
        .output()
        .expect("sha256sum (coreutils) is installed")
}

#[test]
fn manifest_passes_sha256sum_check() {
    let dir = folder_with_screenshots();
    write_artifacts(dir.path(), &red_report()).unwrap();
    let manifest = read(dir.path(), "sha256_manifest.txt");
    let files: Vec<&str> = manifest
        .lines()
        .map(|l| l.split_once("  ").unwrap().1)
        .collect();
    assert_eq!(
        files,
        [
            "junit.xml",
            "report.html",
            "results.json",
            "screenshots/02-home.png",
            "screenshots/03-tasks.png",
        ]
    );
    for line in manifest.lines() {
        let (digest, _) = line.split_once("  ").unwrap();
        assert_eq!(digest.len(), 64);
        assert!(
            digest
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
    }

    let out = sha256sum_check(dir.path());
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).matches(": OK").count(),
        5
    );
    verify_manifest(dir.path()).unwrap();
}

#[test]
fn tampering_is_caught_by_both_checkers() {
    let dir = folder_with_screenshots();
    write_artifacts(dir.path(), &red_report()).unwrap();
    std::fs::write(dir.path().join("results.json"), "{}").unwrap();

    assert!(!sha256sum_check(dir.path()).status.success());
    match verify_manifest(dir.path()) {
        Err(ReportError::ManifestMismatch { file, .. }) => assert_eq!(file, "results.json"),
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

#[test]
fn added_and_removed_files_are_caught() {
    let dir = folder_with_screenshots();
    write_artifacts(dir.path(), &red_report()).unwrap();
    std::fs::write(dir.path().join("screenshots/extra.png"), b"x").unwrap();
    match verify_manifest(dir.path()) {
        Err(ReportError::ManifestUnlisted { file }) => assert_eq!(file, "screenshots/extra.png"),
        other => panic!("expected an unlisted file, got {other:?}"),
    }
    std::fs::remove_file(dir.path().join("screenshots/extra.png")).unwrap();
    std::fs::remove_file(dir.path().join("junit.xml")).unwrap();
    match verify_manifest(dir.path()) {
        Err(ReportError::ManifestMissing { file }) => assert_eq!(file, "junit.xml"),
        other => panic!("expected a missing file, got {other:?}"),
    }
}

#[test]
fn rewriting_the_folder_keeps_the_manifest_valid() {
    let dir = folder_with_screenshots();
    write_artifacts(dir.path(), &red_report()).unwrap();
    // A second write (after a retry, say) must not hash the old manifest.
    write_artifacts(dir.path(), &red_report()).unwrap();
    assert!(sha256sum_check(dir.path()).status.success());
    assert!(!read(dir.path(), "sha256_manifest.txt").contains("sha256_manifest.txt"));
}
