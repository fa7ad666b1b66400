//! The drop-in contract: output lines, JSON, exit codes and evidence.

use prod_smoke_fixture_site::Fault;

use crate::support::{Smoke, site};

#[tokio::test]
async fn healthy_site_is_green_exit_0_with_contract_output() {
    let healthy = site(&[]).await;
    let url = healthy.base_url();
    let s = Smoke::against(&url);
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    let json = f.json();
    assert_eq!(json["app"], "mcritchie-studio");
    assert_eq!(json["url"], url.as_str());
    assert_eq!(json["passed"], true);
    assert_eq!(
        f.stdout.lines().filter(|l| !l.trim().is_empty()).count(),
        1,
        "{f}"
    );

    let first = f.stderr.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!("→ prod-smoke mcritchie-studio: @qa-readonly against {url} (read-only)")
    );
    let last = f.stderr.lines().last().unwrap_or_default();
    assert_eq!(last, format!("✓ prod-smoke mcritchie-studio: PASS @ {url}"));
    assert!(f.stderr.lines().any(|l| l == "2 passed, 0 failed"), "{f}");
    assert!(
        f.stderr
            .contains("🟢 Production smoke seal: passed — @qa-readonly green vs 127.0.0.1:"),
        "{f}"
    );
    assert!(
        !f.stderr.contains("heroku rollback"),
        "no rollback lines on green: {f}"
    );
    // Read-only: the beacons never reached the server.
    assert_eq!(healthy.count_non_get(), 0, "{:?}", healthy.request_log());
}

#[tokio::test]
async fn broken_site_is_red_exit_1_with_screenshots_and_rollback_block() {
    let broken = site(&[Fault::WrongTitle]).await;
    let url = broken.base_url();
    let s = Smoke::against(&url);
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");
    assert_eq!(f.json()["passed"], false);
    assert!(f.stderr.lines().any(|l| l == "1 passed, 1 failed"), "{f}");
    assert_eq!(
        f.stderr.lines().last().unwrap_or_default(),
        format!("✗ prod-smoke mcritchie-studio: FAIL @ {url}")
    );
    assert!(
        f.stderr
            .contains("🔴 PRODUCTION SMOKE SEAL FAILED — 127.0.0.1:"),
        "{f}"
    );
    assert!(
        f.stderr.contains("heroku rollback --app <production_app>"),
        "{f}"
    );
    assert!(f.stderr.contains("<release-merge-sha>"), "{f}");
    assert!(
        f.stderr.contains("title matches /McRitchie Studio/"),
        "failing check named: {f}"
    );

    let artifacts = s.artifacts();
    let results = f.results(&artifacts);
    let checks = results["checks"].as_array().unwrap();
    let mut shots = 0;
    for c in checks {
        if let Some(p) = c["screenshot"].as_str() {
            assert!(artifacts.join(p).is_file(), "{p} missing");
            shots += 1;
        }
    }
    assert!(
        shots >= 2,
        "a screenshot per visit plus the failure: {results:#}"
    );
    for file in [
        "report.html",
        "junit.xml",
        "results.json",
        "sha256_manifest.txt",
    ] {
        assert!(artifacts.join(file).is_file(), "{file} missing");
    }
    let check = std::process::Command::new("sha256sum")
        .args(["-c", "--quiet", "sha256_manifest.txt"])
        .current_dir(&artifacts)
        .status()
        .expect("sha256sum runs");
    assert!(check.success());
}

#[tokio::test]
async fn retry_after_boot_window_marks_flaky_and_says_so() {
    let flappy = site(&[Fault::Up503]).await;
    let mut s = Smoke::against(&flappy.base_url());
    s.args(["--retries", "1", "--retry-delay", "2"]);
    let url = flappy.base_url();
    let run = tokio::spawn(async move { s.run().await });
    // The site "finishes booting" during the wait.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    flappy.clear_faults();
    let f = run.await.unwrap();
    assert_eq!(f.code, 0, "{f}");
    assert!(f.stderr.contains("retrying 1 failed scenario"), "{f}");
    assert!(
        f.stderr
            .contains("(retried once after 2s boot-window wait)"),
        "{f}"
    );
    assert!(f.stderr.contains("1 flaky"), "{f}");
    assert_eq!(f.json()["url"], url.as_str());
}

#[tokio::test]
async fn log_lines_on_a_piped_stderr_carry_no_colour_codes() {
    // `bin/release` merges stderr into the ship log through a pipe, so the
    // log lines there must be plain text.
    let healthy = site(&[]).await;
    let mut s = Smoke::against(&healthy.base_url());
    s.env("RUST_LOG", "info");
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    assert!(
        f.stderr.lines().any(|l| l.contains(" INFO ")),
        "RUST_LOG=info shows log lines: {f}"
    );
    assert!(!f.stderr.contains('\u{1b}'), "no ANSI escape codes: {f}");
}
