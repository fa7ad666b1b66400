//! `prod-smoke watch` through the binary: real Chromium, the fixture site
//! breaking and healing on a timer, Postgres, the Discord mock and the
//! signed-webhook receiver.

use std::time::Duration;

use prod_smoke_fixture_site::Fault;
use prod_smoke_testkit::{MockDiscord, MockWebhook, TestPostgres};
use sqlx::{Connection, Row};

use crate::seal::{connect_sinks, hub_database};
use crate::support::{Finished, Smoke, site};

const SECRET: &str = "whsec-watch-cli-0123456789";
const RELEASE: &str = "2026-11-23-rc1";

/// A watch of the default suite against `url`: the scenario's own retry is
/// kept (without its boot-window wait) so a red pass has failed twice.
/// The later `--retries` overrides [`Smoke::watching`]'s.
fn watcher(url: &str, every: &str, window: &str) -> Smoke {
    let mut s = Smoke::watching(url, every, window);
    s.args(["--retries", "1", "--retry-delay", "0"]);
    s
}

async fn smoke_seal(db: &TestPostgres) -> serde_json::Value {
    let mut conn = db.connect().await.unwrap();
    let seal = sqlx::query_scalar("SELECT smoke_seal FROM releases WHERE slug = $1")
        .bind(RELEASE)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let _ = conn.close().await;
    seal
}

/// `(status, idempotency_key)` of the seal's release events, in order.
async fn events(db: &TestPostgres) -> Vec<(String, String)> {
    let mut conn = db.connect().await.unwrap();
    let rows = sqlx::query(
        "SELECT status::text AS s, idempotency_key::text AS k FROM release_events \
         WHERE step = 'prod_smoke' ORDER BY id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let _ = conn.close().await;
    rows.into_iter().map(|r| (r.get("s"), r.get("k"))).collect()
}

/// The exit status the rule gives for the passes `--json` counted.
fn exit_by_the_rule(f: &Finished) -> i32 {
    let json = f.json();
    if json["red"].as_u64() > Some(0) {
        1
    } else if json["green"].as_u64() > Some(0) {
        0
    } else {
        3
    }
}

#[tokio::test]
async fn a_site_that_breaks_and_heals_amends_the_seal_once_per_change() {
    let db = TestPostgres::create().await.unwrap();
    hub_database(&db).await;
    let discord = MockDiscord::start().await.unwrap();
    let receiver = MockWebhook::start(SECRET).await.unwrap();
    let studio = site(&[]).await;

    let mut s = watcher(&studio.base_url(), "3s", "27s");
    connect_sinks(&mut s, db.url(), &discord);
    s.env("PROD_SMOKE_WEBHOOK_URL", &receiver.url());
    s.env("PROD_SMOKE_WEBHOOK_SECRET", SECRET);
    studio.schedule_fault(
        Fault::Up503,
        Duration::from_secs(8),
        Some(Duration::from_secs(17)),
    );
    let f = s.run().await;

    assert_eq!(f.code, 1, "a red pass makes the watch red: {f}");
    let json = f.json();
    assert_eq!(json["verdict"], "red", "{f}");
    let changes = json["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "one regression, one recovery: {f}");
    assert_eq!(changes[0]["to"], "red");
    assert_eq!(changes[1]["to"], "green");
    assert!(
        f.stderr.contains("watch timeline: green 0–"),
        "the timeline closes the output: {f}"
    );
    assert!(f.stderr.contains(", red "), "{f}");
    assert!(f.stderr.contains("green since "), "{f}");

    // The signed webhook: exactly one delivery per change of seal.
    let hooks = receiver.accepted();
    let verdicts: Vec<&str> = hooks
        .iter()
        .map(|h| h.json.as_ref().unwrap()["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["green", "red", "green"], "{f}");
    assert!(hooks.iter().all(|h| h.signature_valid));
    let regression = hooks[1].json.as_ref().unwrap();
    assert_eq!(regression["watch"]["record"], "amend");
    assert!(
        regression["summary"]
            .as_str()
            .unwrap()
            .contains("regressed"),
        "{regression}"
    );

    // Discord: every change is a new message; one red, pinging the operator.
    let posts = discord.delivered_posts();
    assert!(discord.delivered_edits().is_empty(), "never an edit: {f}");
    let red: Vec<&str> = posts
        .iter()
        .filter_map(|p| p.content())
        .filter(|c| c.starts_with("🔴"))
        .collect();
    assert_eq!(red.len(), 1, "{posts:#?}");
    assert!(red[0].contains("<@&424242>"), "{}", red[0]);
    assert_eq!(posts.len(), 3, "{posts:#?}");

    // Postgres: one failed event, and the seal green again at the end.
    let failed = events(&db)
        .await
        .into_iter()
        .filter(|(status, _)| status == "failed")
        .count();
    assert_eq!(failed, 1);
    let seal = smoke_seal(&db).await;
    assert_eq!(seal["status"], "green", "{seal}");
    assert!(
        seal["summary"].as_str().unwrap().contains("recovered"),
        "{seal}"
    );

    // Each pass kept its own folder; history folds them into three lines.
    assert!(s.artifacts().join("pass-001/results.json").is_file());
    assert!(s.artifacts().join("watch.log").is_file());
    let mut h = Smoke::new();
    h.args(["history", "--ledger", s.ledger().to_str().unwrap()]);
    let history = h.run().await;
    let lines: Vec<&str> = history.stdout.lines().skip(1).collect();
    assert_eq!(lines.len(), 3, "{history}");
    assert!(lines.iter().all(|l| l.contains("watch pass")), "{history}");
}

#[tokio::test]
async fn the_network_dying_mid_watch_changes_no_seal() {
    let receiver = MockWebhook::start(SECRET).await.unwrap();
    let studio = site(&[]).await;
    let canary = site(&[]).await;

    let mut s = watcher(&studio.base_url(), "3s", "18s");
    s.arg("--canary").arg(&canary.url("/up"));
    s.env("PROD_SMOKE_WEBHOOK_URL", &receiver.url());
    s.env("PROD_SMOKE_WEBHOOK_SECRET", SECRET);
    // The runner's network goes: neither the site nor the canary answers.
    for dead in [&studio, &canary] {
        dead.schedule_fault(
            Fault::Offline,
            Duration::from_millis(5500),
            Some(Duration::from_millis(12500)),
        );
    }
    let f = s.run().await;

    let json = f.json();
    assert!(json["inconclusive"].as_u64() >= Some(1), "{f}");
    assert!(
        json["changes"].as_array().unwrap().is_empty(),
        "no change of seal: {f}"
    );
    assert_eq!(f.code, exit_by_the_rule(&f), "{f}");
    // Only the first pass's seal was delivered.
    let hooks = receiver.accepted();
    assert_eq!(hooks.len(), 1, "{f}");
    assert_eq!(hooks[0].json.as_ref().unwrap()["verdict"], "green");
    assert!(
        f.stderr.contains("inconclusive, the seal stays as it is"),
        "{f}"
    );
}

#[tokio::test]
async fn sigterm_ends_the_watch_after_the_pass_in_flight_and_leaves_no_browser() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;

    let studio = site(&[]).await;
    let s = watcher(&studio.base_url(), "2s", "1h");
    let child = s.spawn();
    // Wait for the first pass to be recorded, then ask it to stop.
    let log = s.artifacts().join("watch.log");
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(&log).is_ok_and(|t| t.contains("pass 1 at")) {
        assert!(started.elapsed() < Duration::from_secs(60), "no first pass");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pid = Pid::from_raw(child.id().unwrap() as i32);
    kill(pid, Signal::SIGTERM).unwrap();
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("the watch ends after SIGTERM")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("watch: stopped by SIGTERM"), "{stderr}");
    assert!(stderr.contains("watch timeline: green"), "{stderr}");
    crate::support::assert_no_browser_left(&s.tmp());
}

/// Starts a watch of a slow site and sends `signals` (SIGTERM) once its
/// first pass is under way; returns what the watch printed.
async fn signalled_mid_pass(signals: usize) -> (Option<i32>, serde_json::Value, String) {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;

    let studio = crate::support::site_with(prod_smoke_fixture_site::FixtureOptions {
        faults: vec![Fault::Slow],
        slow_delay: Duration::from_millis(700),
        ..Default::default()
    })
    .await;
    let s = watcher(&studio.base_url(), "2s", "1h");
    let child = s.spawn();
    let log = s.artifacts().join("watch.log");
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(&log).is_ok_and(|t| t.contains("pass 1 starts")) {
        assert!(started.elapsed() < Duration::from_secs(60), "no first pass");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Into the pass: every response of the slow site takes 0.7 s.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let pid = Pid::from_raw(child.id().unwrap() as i32);
    for _ in 0..signals {
        kill(pid, Signal::SIGTERM).unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("the watch ends after the signal")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no JSON line\n{stderr}"));
    crate::support::assert_no_browser_left(&s.tmp());
    (out.status.code(), json, stderr)
}

/// One signal mid-pass: the pass runs to its verdict, is recorded, and the
/// watch ends without starting another.
#[tokio::test]
async fn a_signal_mid_pass_lets_that_pass_finish() {
    let (code, json, stderr) = signalled_mid_pass(1).await;
    assert!(
        stderr.contains("a second signal cuts that pass short"),
        "{stderr}"
    );
    assert!(!stderr.contains("interrupted by"), "{stderr}");
    assert_eq!(json["passes"], 1, "{json}\n{stderr}");
    assert_eq!(json["inconclusive"], 0, "{json}\n{stderr}");
    assert_eq!(json["stopped"], "SIGTERM", "{json}");
    assert_ne!(code, Some(3), "{stderr}");
}

/// A second signal (Actions sends SIGTERM after the SIGINT of a cancelled
/// job) cuts the pass short: inconclusive, and nothing conclusive
/// happened, so exit 3.
#[tokio::test]
async fn a_second_signal_cuts_the_pass_in_flight_short() {
    let (code, json, stderr) = signalled_mid_pass(2).await;
    assert!(
        stderr.contains("interrupted by a second signal"),
        "{stderr}"
    );
    assert_eq!(json["passes"], 1, "{json}\n{stderr}");
    assert_eq!(json["inconclusive"], 1, "{json}\n{stderr}");
    assert_eq!(code, Some(3), "{stderr}");
}
