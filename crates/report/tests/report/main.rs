//! Writes real evidence folders and reads them back the way a person or CI would.

mod annotations;
mod artifacts;
mod html;
mod intoto;
mod junit;
mod manifest;
mod markdown;
mod red_first;

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use prod_smoke_model::{
    BlockedRequest, CheckResult, CheckStatus, PageError, PageErrorKind, RunReport, Verdict,
};

/// A real 1×1 PNG.
const PNG: [u8; 70] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xd0, 0xcf, 0xf7, 0xff,
    0x0f, 0x00, 0x03, 0xab, 0x01, 0xed, 0xac, 0x7a, 0xca, 0x3a, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

const HOSTILE_TITLE: &str = "<img src=x onerror=alert(1)>";
const PUBLIC: &str = "public routes and the task board respond";
const DEVOPS: &str = "devops routes are removed";

fn check(
    scenario: &str,
    name: &str,
    status: CheckStatus,
    ms: u64,
    http: Option<u16>,
) -> CheckResult {
    CheckResult {
        scenario: scenario.to_string(),
        name: name.to_string(),
        status,
        duration_ms: ms,
        http_status: http,
        error: None,
        screenshot: None,
        blocked_requests: Vec::new(),
        page_errors: Vec::new(),
        attempts: 1,
        since_last_green: None,
    }
}

/// A red run with one of everything: a hostile title, blocked beacons, page
/// errors, a flaky retry and an error message full of special characters.
fn red_report() -> RunReport {
    let home = "https://mcritchie.studio/";
    let mut title = check(
        PUBLIC,
        "open / and the title matches /McRitchie Studio/",
        CheckStatus::Failed,
        5012,
        Some(200),
    );
    title.error = Some(format!(
        "Expected the title of {home} to match /McRitchie Studio/ within 5 s, but it was \"{HOSTILE_TITLE}\"."
    ));
    title.screenshot = Some(PathBuf::from("screenshots/02-home.png"));
    title.blocked_requests = vec![
        BlockedRequest {
            method: "POST".into(),
            url: "https://mcritchie.studio/beacon".into(),
            page: home.into(),
            channel: "beacon".into(),
            caused: vec![],
        },
        BlockedRequest {
            method: "POST".into(),
            url: "https://mcritchie.studio/beacon?a=1&b=<2>".into(),
            page: home.into(),
            channel: "beacon".into(),
            caused: vec![],
        },
    ];
    title.page_errors = vec![
        PageError {
            kind: PageErrorKind::Exception,
            message: "Uncaught Error: boom | `rm -rf` <b>bold</b>".into(),
            page: home.into(),
        },
        PageError {
            kind: PageErrorKind::Console,
            message: "widget failed\nsecond line".into(),
            page: home.into(),
        },
    ];

    let mut tasks = check(
        PUBLIC,
        "open /tasks and the body contains \"Tasks\"",
        CheckStatus::Flaky,
        2300,
        Some(200),
    );
    tasks.attempts = 2;
    tasks.error = Some("Timed out after 30 s waiting for https://mcritchie.studio/tasks.".into());
    tasks.screenshot = Some(PathBuf::from("screenshots/03-tasks.png"));

    let mut devops = check(
        DEVOPS,
        "GET /devops returns 404",
        CheckStatus::Failed,
        87,
        Some(200),
    );
    devops.error = Some(
        "Expected 404 from GET https://mcritchie.studio/devops, got 200.\r\nThe admin routes are back: 100% exposed, see: /devops, /devops/cycle"
            .into(),
    );

    RunReport {
        run_id: "20260626T212845Z-4f2a".into(),
        app: "mcritchie-studio".into(),
        url: "https://mcritchie.studio".into(),
        tag: "@qa-readonly".into(),
        started_at: Utc.with_ymd_and_hms(2026, 6, 26, 21, 28, 0).unwrap(),
        finished_at: Utc.with_ymd_and_hms(2026, 6, 26, 21, 28, 45).unwrap(),
        verdict: Verdict::Red,
        retried: true,
        retry_delay_secs: 30,
        checks: vec![
            check(
                PUBLIC,
                "GET /up returns 200",
                CheckStatus::Passed,
                120,
                Some(200),
            ),
            title,
            tasks,
            devops,
            check(
                DEVOPS,
                "GET /devops/cycle returns 404",
                CheckStatus::Passed,
                64,
                Some(404),
            ),
        ],
        environment_error: None,
        artifacts_dir: None,
        rollback: None,
        traces: Vec::new(),
    }
}

fn green_report() -> RunReport {
    let mut report = red_report();
    report.verdict = Verdict::Green;
    report.retried = false;
    for c in &mut report.checks {
        c.status = CheckStatus::Passed;
        c.error = None;
        c.attempts = 1;
    }
    report
}

fn inconclusive_report() -> RunReport {
    let mut report = red_report();
    report.verdict = Verdict::Inconclusive;
    report.retried = false;
    report.checks.clear();
    report.environment_error =
        Some("Chromium was not found: install it or set CHROME <path>, then retry.".into());
    report
}

/// A fresh folder holding the runner's screenshots, as the runner leaves it.
fn folder_with_screenshots() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let shots = dir.path().join("screenshots");
    std::fs::create_dir(&shots).unwrap();
    std::fs::write(shots.join("02-home.png"), PNG).unwrap();
    std::fs::write(shots.join("03-tasks.png"), PNG).unwrap();
    dir
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}
