use prod_smoke_model::RunReport;
use prod_smoke_report::{MANIFEST_FILE, explain, write_artifacts};
use serde_json::Value;

use crate::{HOSTILE_TITLE, folder_with_screenshots, read, red_report};

#[test]
fn write_artifacts_fills_the_folder() {
    let dir = folder_with_screenshots();
    let paths = write_artifacts(dir.path(), &red_report()).unwrap();
    assert_eq!(paths.dir, dir.path());
    for path in [
        &paths.results_json,
        &paths.junit_xml,
        &paths.report_html,
        &paths.manifest,
    ] {
        assert!(path.is_file(), "{}", path.display());
        assert!(path.starts_with(dir.path()));
    }
    assert!(paths.manifest.ends_with(MANIFEST_FILE));
}

#[test]
fn results_json_has_the_run_and_every_check() {
    let dir = folder_with_screenshots();
    let report = red_report();
    write_artifacts(dir.path(), &report).unwrap();
    let json: Value = serde_json::from_str(&read(dir.path(), "results.json")).unwrap();

    assert_eq!(json["schema"], "prod-smoke.results/1");
    assert_eq!(json["app"], "mcritchie-studio");
    assert_eq!(json["url"], "https://mcritchie.studio");
    assert_eq!(json["host"], "mcritchie.studio");
    assert_eq!(json["verdict"], "red");
    assert_eq!(json["passed"], false);
    assert_eq!(json["counts"]["total"], 5);
    assert_eq!(json["counts"]["passed"], 3, "flaky counts as passed");
    assert_eq!(json["counts"]["failed"], 2);
    assert_eq!(json["counts"]["flaky"], 1);
    assert_eq!(json["counts"]["skipped"], 0);
    assert_eq!(json["started_at"], "2026-06-26T21:28:00Z");
    assert_eq!(json["finished_at"], "2026-06-26T21:28:45Z");
    assert_eq!(json["duration_ms"], 45_000);
    assert_eq!(json["retried"], true);
    assert_eq!(json["retry_delay_secs"], 30);

    let checks = json["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 5);
    let title = &checks[1];
    for key in [
        "name",
        "scenario",
        "status",
        "duration_ms",
        "http_status",
        "error",
        "screenshot",
        "blocked_requests",
        "page_errors",
        "attempts",
    ] {
        assert!(title.get(key).is_some(), "check is missing {key}");
    }
    assert_eq!(title["status"], "failed");
    assert_eq!(title["http_status"], 200);
    assert_eq!(title["screenshot"], "screenshots/02-home.png");
    assert!(
        title["error"].as_str().unwrap().contains(HOSTILE_TITLE),
        "JSON keeps the raw text"
    );
    assert_eq!(title["blocked_requests"][0]["method"], "POST");
    assert_eq!(title["page_errors"][0]["kind"], "exception");
    assert_eq!(checks[2]["status"], "flaky");
    assert_eq!(checks[2]["attempts"], 2);
    assert_eq!(checks[0]["screenshot"], Value::Null);
    assert_eq!(checks[0]["error"], Value::Null);

    // The file reads back as the model's own type.
    let back: RunReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn explanations_are_one_sentence_per_status() {
    let report = red_report();
    assert_eq!(explain(&report.checks[0]), None);
    assert!(
        explain(&report.checks[1])
            .unwrap()
            .starts_with("Expected the title")
    );
    assert_eq!(
        explain(&report.checks[2]).unwrap(),
        "Passed on attempt 2 after failing first: Timed out after 30 s waiting for https://mcritchie.studio/tasks."
    );
    let devops = explain(&report.checks[3]).unwrap();
    assert!(!devops.contains('\n') && !devops.contains('\r'), "{devops}");

    let mut bare = report.checks[3].clone();
    bare.error = None;
    assert_eq!(
        explain(&bare).unwrap(),
        "\"GET /devops returns 404\" failed with HTTP 200 and no recorded reason."
    );
}

/// A real full disk (a tiny tmpfs): every report is complete or absent,
/// the manifest lists exactly what exists, and the error carries ENOSPC.
#[test]
fn a_full_disk_leaves_complete_files_or_none_and_says_why() {
    let Some(disk) = prod_smoke_testkit::TinyFs::mount(256 * 1024) else {
        return;
    };
    // What the reports are on a roomy disk, to compare with.
    let roomy = folder_with_screenshots();
    let report = red_report();
    write_artifacts(roomy.path(), &report).unwrap();
    let size = |name: &str| std::fs::metadata(roomy.path().join(name)).unwrap().len();
    let pages = |bytes: u64| bytes.div_ceil(4096) * 4096;

    let dir = disk.path().join("artifacts");
    std::fs::create_dir_all(dir.join("screenshots")).unwrap();
    for shot in ["02-home.png", "03-tasks.png"] {
        std::fs::copy(
            roomy.path().join("screenshots").join(shot),
            dir.join("screenshots").join(shot),
        )
        .unwrap();
    }
    // Room for results.json, junit.xml and the manifest, not report.html.
    let room = pages(size("results.json")) + pages(size("junit.xml")) + 4096;
    assert!(
        size("report.html") > 4096,
        "report.html must not fit in the last page"
    );
    disk.fill(room);

    let error = write_artifacts(&dir, &report).unwrap_err();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    assert!(text.contains("report.html"), "{text}");
    assert!(text.contains("No space left on device"), "{text}");

    assert!(
        !dir.join("report.html").exists(),
        "no truncated report.html"
    );
    for name in ["results.json", "junit.xml"] {
        assert_eq!(
            std::fs::read(dir.join(name)).unwrap(),
            std::fs::read(roomy.path().join(name)).unwrap(),
            "{name} is complete"
        );
    }
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let manifest = read(&dir, MANIFEST_FILE);
    assert!(!manifest.contains("report.html"), "{manifest}");
    assert!(manifest.contains("results.json"), "{manifest}");
    prod_smoke_report::verify_manifest(&dir).unwrap();
}
