//! prod-smoke's own failures are inconclusive (exit 3), never a red seal,
//! and never leave a browser behind.

use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use prod_smoke_fixture_site::Fault;

use crate::support::{Smoke, processes_mentioning, site};

async fn history(s: &Smoke) -> String {
    let mut h = Smoke::new();
    h.args(["history", "--ledger", s.ledger().to_str().unwrap()]);
    let f = h.run().await;
    assert_eq!(f.code, 0, "{f}");
    f.stdout
}

/// Waits until this run's Chromium is up, and returns its PIDs.
async fn wait_for_browser(s: &Smoke) -> Vec<u32> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let pids = processes_mentioning(&s.tmp());
        if !pids.is_empty() {
            return pids;
        }
        assert!(Instant::now() < deadline, "Chromium never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn no_browser_is_inconclusive_exit_3() {
    let healthy = site(&[]).await;
    let mut s = Smoke::against(&healthy.base_url());
    s.args(["--chromium", "/nonexistent/chromium"]);
    let f = s.run().await;
    assert_eq!(f.code, 3, "{f}");
    assert!(f.stderr.contains("INCONCLUSIVE"), "{f}");
    assert!(f.stderr.contains("apt-get install -y chromium"), "{f}");
    assert!(!f.stderr.contains("🔴"), "no red seal: {f}");
    assert!(history(&s).await.contains("inconclusive"));
}

/// Runs the suite against a slow site and kills its Chromium mid-visit.
async fn kill_chromium_mid_run(extra: &[&str]) -> (Smoke, i32, String) {
    let slow = site(&[Fault::Slow]).await;
    let mut s = Smoke::against(&slow.base_url());
    s.args(["--timeout", "20"]);
    for a in extra {
        s.arg(a);
    }
    let child = s.spawn();
    let pids = wait_for_browser(&s).await;
    // Killed once the page has asked for `/` (answered 2.5s later): the
    // browser is connected and in the middle of a visit, not starting up.
    let deadline = Instant::now() + Duration::from_secs(30);
    while slow.count_path("/") == 0 {
        assert!(Instant::now() < deadline, "the page never visited /");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for pid in pids {
        let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
    }
    let out = tokio::time::timeout(Duration::from_secs(90), child.wait_with_output())
        .await
        .expect("prod-smoke ends after its browser dies")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    crate::support::assert_no_browser_left(&s.tmp());
    (s, out.status.code().unwrap_or(-1), stderr)
}

#[tokio::test]
async fn chromium_killed_mid_run_is_inconclusive_and_reaped() {
    let (s, code, stderr) = kill_chromium_mid_run(&[]).await;
    assert_eq!(code, 3, "{stderr}");
    assert!(!stderr.contains("🔴"), "no red seal: {stderr}");
    let h = history(&s).await;
    assert!(h.contains("inconclusive") && !h.contains(" red "), "{h}");
}

#[tokio::test]
async fn chromium_killed_mid_run_with_a_retry_left_is_relaunched_and_retried() {
    let (_s, code, stderr) = kill_chromium_mid_run(&["--retries", "1", "--retry-delay", "1"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("retrying 1 failed scenario"), "{stderr}");
}

async fn interrupt_with(signal: Signal) {
    let hanging = site(&[Fault::Hang]).await;
    let mut s = Smoke::against(&hanging.base_url());
    s.args(["--timeout", "60"]);
    let child = s.spawn();
    let pid = child.id().unwrap() as i32;
    wait_for_browser(&s).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    kill(Pid::from_raw(pid), signal).unwrap();
    let out = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("prod-smoke stops promptly on a signal")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!("interrupted by {}", signal.as_str())),
        "{stderr}"
    );
    crate::support::assert_no_browser_left(&s.tmp());
    // The ledger holds one consistent, inconclusive record of the run.
    let h = history(&s).await;
    assert!(h.contains("inconclusive"), "{h}");
}

#[tokio::test]
async fn sigint_reaps_the_browser_and_records_an_inconclusive_run() {
    interrupt_with(Signal::SIGINT).await;
}

#[tokio::test]
async fn sigterm_reaps_the_browser_and_records_an_inconclusive_run() {
    interrupt_with(Signal::SIGTERM).await;
}

#[tokio::test]
async fn unwritable_artifacts_folder_still_records_the_verdict() {
    let healthy = site(&[]).await;
    let mut s = Smoke::against(&healthy.base_url());
    // Later flags win: point artifacts somewhere no one can write.
    s.args(["--artifacts", "/proc/prod-smoke-artifacts"]);
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    assert!(
        f.stderr
            .contains("cannot write artifacts to /proc/prod-smoke-artifacts"),
        "{f}"
    );
    assert!(f.stderr.contains("instead"), "{f}");
    assert!(history(&s).await.contains("green"));
}

#[tokio::test]
async fn cdp_url_uses_a_running_browser_and_leaves_it_alive() {
    let profile = tempfile::tempdir().unwrap();
    let (mut browser, ws) = prod_smoke_testkit::chromium::launch_debuggable(profile.path())
        .await
        .expect("chromium starts with its DevTools port open");
    let healthy = site(&[]).await;
    let mut s = Smoke::against(&healthy.base_url());
    s.args(["--cdp-url", &ws]);
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    assert!(
        browser.try_wait().unwrap().is_none(),
        "the pool's browser must stay up"
    );
    // And it still answers DevTools.
    let port = ws
        .split(':')
        .nth(2)
        .and_then(|p| p.split('/').next())
        .unwrap();
    let version = reqwest_get(&format!("http://127.0.0.1:{port}/json/version")).await;
    assert!(version.contains("webSocketDebuggerUrl"), "{version}");
    browser.kill().await.unwrap();
}

async fn reqwest_get(url: &str) -> String {
    let out = tokio::process::Command::new("curl")
        .args(["-s", url])
        .output()
        .await
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn sigkill_of_prod_smoke_takes_its_browser_down() {
    // SIGKILL reaches no handler and no Drop; the kernel's parent-death
    // signal is what ends the browser.
    let hanging = site(&[Fault::Hang]).await;
    let mut s = Smoke::against(&hanging.base_url());
    s.args(["--timeout", "60"]);
    let mut child = s.spawn();
    wait_for_browser(&s).await;
    child.kill().await.unwrap();
    crate::support::assert_no_browser_left(&s.tmp());
}
