use std::path::PathBuf;

use base64::Engine as _;
use prod_smoke_report::{CONTENT_SECURITY_POLICY, report_html, write_artifacts};

use crate::{PNG, folder_with_screenshots, green_report, inconclusive_report, read, red_report};

#[test]
fn html_embeds_screenshots_and_escapes_page_text() {
    let dir = folder_with_screenshots();
    write_artifacts(dir.path(), &red_report()).unwrap();
    let html = read(dir.path(), "report.html");

    let png = base64::engine::general_purpose::STANDARD.encode(PNG);
    assert!(html.contains(&format!(r#"<img src="data:image/png;base64,{png}""#)));
    assert_eq!(html.matches("data:image/png;base64,").count(), 2);

    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!html.contains("<img src=x"));
    assert!(
        html.contains("boom &#x7C;") || html.contains("boom | `rm -rf` &lt;b&gt;bold&lt;/b&gt;")
    );
    assert!(!html.contains("<b>bold"));
    assert!(html.contains("https://mcritchie.studio/beacon?a=1&amp;b=&lt;2&gt;"));
}

#[test]
fn html_is_self_contained_and_runs_nothing() {
    let dir = folder_with_screenshots();
    write_artifacts(dir.path(), &red_report()).unwrap();
    let html = read(dir.path(), "report.html");

    assert!(html.contains(&format!(
        r#"<meta http-equiv="Content-Security-Policy" content="{}">"#,
        CONTENT_SECURITY_POLICY.replace('\'', "&#x27;")
    )));
    assert_eq!(
        CONTENT_SECURITY_POLICY,
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    );
    assert!(!html.to_lowercase().contains("<script"));
    assert!(!html.contains("<link"));
    for attr in [" src=\"", " href=\""] {
        for (i, _) in html.match_indices(attr) {
            let value = &html[i + attr.len()..];
            assert!(
                value.starts_with("data:") || value.starts_with('#'),
                "external reference: {}",
                &value[..value.len().min(60)]
            );
        }
    }
}

#[test]
fn html_shows_the_verdict_first_and_every_check() {
    let dir = folder_with_screenshots();
    let report = red_report();
    write_artifacts(dir.path(), &report).unwrap();
    let html = read(dir.path(), "report.html");

    let banner = html.find(r#"class="banner verdict-red""#).unwrap();
    assert!(banner < html.find(r#"class="check"#).unwrap());
    assert!(html.contains("RED: the production smoke seal FAILED"));
    assert!(html.contains(
        "checks: 3 passed · 2 failed · 1 flaky · 0 skipped — scenarios: 0 passed, 2 failed · 45.0 s"
    ));
    assert!(html.contains("retried once after 30s boot-window wait"));
    for c in &report.checks {
        let name = c.name.replace('"', "&quot;");
        assert!(html.contains(&name), "{name}");
    }
    assert!(html.contains("HTTP 200"));
    assert!(html.contains("5.0 s"));
    assert!(html.contains("Blocked by the read-only guard"));
    assert!(html.contains("uncaught exception"));
    assert!(html.contains("console error"));
    assert!(html.contains("<details><summary>Full error</summary>"));
}

#[test]
fn html_banner_colour_follows_the_verdict() {
    let dir = folder_with_screenshots();
    let green = report_html(dir.path(), &green_report());
    assert!(green.contains(r#"class="banner verdict-green""#));
    assert!(green.contains("5 passed · 0 failed"));
    assert!(
        !green.contains("class=\"why\""),
        "passes need no explanation"
    );

    let grey = report_html(dir.path(), &inconclusive_report());
    assert!(grey.contains(r#"class="banner verdict-inconclusive""#));
    assert!(grey.contains("Chromium was not found"));
    assert!(grey.contains("No checks ran."));
}

#[test]
fn html_never_embeds_files_from_outside_the_folder_or_non_images() {
    let dir = folder_with_screenshots();
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), crate::PNG).unwrap();
    std::fs::write(
        dir.path().join("screenshots/fake.png"),
        b"<svg onload=alert(1)>",
    )
    .unwrap();

    let mut report = red_report();
    report.checks[1].screenshot = Some(outside.path().to_path_buf());
    report.checks[2].screenshot = Some(PathBuf::from("../escape.png"));
    report.checks[3].screenshot = Some(PathBuf::from("screenshots/fake.png"));
    report.checks[4].screenshot = Some(PathBuf::from("screenshots/missing.png"));
    let html = report_html(dir.path(), &report);

    assert!(!html.contains("data:image"));
    assert_eq!(
        html.matches("its path leaves the artifacts folder").count(),
        2
    );
    assert!(html.contains("it is not a PNG, JPEG or WebP image"));
    assert!(html.contains("the file is missing"));
    assert!(!html.contains("<svg"));
}

#[test]
fn passing_checks_fold_their_screenshots_away() {
    let dir = folder_with_screenshots();
    let html = report_html(dir.path(), &green_report());
    assert_eq!(
        html.matches(
            "<details><summary>Screenshot</summary><figure><img src=\"data:image/png;base64,"
        )
        .count(),
        2
    );
}

#[test]
fn guard_caused_errors_sit_beside_what_was_refused() {
    let dir = folder_with_screenshots();
    let mut report = green_report();
    for c in &mut report.checks {
        c.page_errors.clear();
    }
    let check = &mut report.checks[0];
    check.blocked_requests = vec![prod_smoke_model::BlockedRequest {
        method: "PUT".into(),
        url: "https://app.example/api/workspace".into(),
        page: "https://app.example/lab".into(),
        channel: "fetch".into(),
        caused: vec![prod_smoke_model::PageError {
            kind: prod_smoke_model::PageErrorKind::Console,
            message: "Failed to initialize the context TypeError: Failed to fetch".into(),
            page: "https://app.example/lab".into(),
        }],
    }];
    write_artifacts(dir.path(), &report).unwrap();
    let html = read(dir.path(), "report.html");
    let section = html
        .find("Caused by the read-only guard")
        .expect("a section for guard-caused errors");
    let rest = &html[section..];
    assert!(rest.contains("PUT https://app.example/api/workspace"));
    assert!(rest.contains("TypeError: Failed to fetch"));
    assert!(
        !html.contains("<h4>Page errors</h4>"),
        "not shown as a page error"
    );
}

#[test]
fn a_guard_bypass_is_named_in_the_report() {
    let dir = folder_with_screenshots();
    let mut report = inconclusive_report();
    report.environment_error = Some(
        "the read-only guard was bypassed: a WebSocket to wss://app.example/cable was opened by the frame of https://app.example/".into(),
    );
    write_artifacts(dir.path(), &report).unwrap();
    let html = read(dir.path(), "report.html");
    assert!(html.contains("The read-only guard was bypassed"));
    assert!(html.contains("wss://app.example/cable"));
    assert!(html.contains("the frame of https://app.example/"));
}
