//! Pages that use what production sites use, against the real guard
//! (fixture-site `/ro/...`): each is green when healthy, nothing writes and
//! no WebSocket reaches the server, errors the guard caused are filed under
//! what it refused, and real errors still fail.

use std::time::Duration;

use prod_smoke_model::{CheckStatus, Verdict};
use prod_smoke_runner::{BrowserSource, GuardPolicy};

use crate::support::{Run, run_against, site};

/// One scenario per page: visit, wait for the page to say it is ready,
/// then `no_page_errors`.
fn scenario(name: &str, path: &str, ready: &str) -> String {
    format!(
        "  - name: {name}\n    tags: [\"@qa-readonly\"]\n    steps:\n      - visit: {path}\n      - text: {ready}\n        in: body\n      - no_page_errors: true\n"
    )
}

fn suite(scenarios: &[String]) -> Vec<prod_smoke_spec::Scenario> {
    let yaml = format!("suite: guard pages\nscenarios:\n{}", scenarios.concat());
    prod_smoke_spec::Suite::parse("guard-pages.yaml", &yaml)
        .unwrap_or_else(|e| panic!("{e}\n{yaml}"))
        .scenarios
}

fn healthy() -> Vec<prod_smoke_spec::Scenario> {
    let mut s = vec![
        scenario(
            "prefetch then script navigation",
            "/ro/prefetch",
            "Next page ready",
        ),
        scenario(
            "prerender then navigation",
            "/ro/prerender",
            "Prerendered page ready",
        ),
        scenario(
            "a 300 without Location in an iframe",
            "/ro/frame300",
            "Frame host ready",
        ),
        scenario("object and embed", "/ro/embeds", "Embeds ready"),
        scenario(
            "service worker, register caught",
            "/ro/sw-caught",
            "Service worker page ready",
        ),
        scenario(
            "service worker, register uncaught",
            "/ro/sw-uncaught",
            "Service worker page ready",
        ),
        scenario(
            "an app that saves on load",
            "/ro/save-on-load",
            "Editor ready",
        ),
        scenario(
            "own nonce and report-only CSP",
            "/ro/csp",
            "Own policy holds",
        ),
        scenario("gzip and latin-1", "/ro/latin1", "Café crème ready"),
    ];
    // Documents from the cache and from a 304, and a cookie read back.
    s.push(
        "  - name: cached and revalidated documents\n    tags: [\"@qa-readonly\"]\n    steps:\n\
         \x20     - visit: /ro/cached\n      - visit: /ro/revalidated\n      - visit: /ro/embeds\n\
         \x20     - visit: /ro/cached\n      - text: Cached page ready\n        in: body\n\
         \x20     - visit: /ro/revalidated\n      - text: Revalidated page ready\n        in: body\n\
         \x20     - no_page_errors: true\n"
            .to_string(),
    );
    s.push(
        "  - name: a cookie is read back\n    tags: [\"@qa-readonly\"]\n    steps:\n\
         \x20     - visit: /ro/cookie\n      - visit: /ro/cookie\n      - text: \"Cookie sent: ro_seen=yes\"\n        in: body\n"
            .to_string(),
    );
    suite(&s)
}

fn nothing_reached_the_server(r: &Run) {
    let writes: Vec<_> = r
        .site
        .request_log()
        .into_iter()
        .filter(|l| l.is_mutating())
        .map(|l| format!("{} {} {:?}", l.method, l.path, l.query))
        .collect();
    assert_eq!(r.site.count_websockets(), 0, "sockets opened: {writes:#?}");
    assert_eq!(
        r.site.count_non_get(),
        0,
        "writes reached the server: {writes:#?}"
    );
}

fn check<'a>(r: &'a Run, scenario: &str, name: &str) -> &'a prod_smoke_model::CheckResult {
    r.report
        .checks
        .iter()
        .find(|c| c.scenario == scenario && c.name == name)
        .unwrap_or_else(|| panic!("no check {scenario} / {name}: {:#?}", r.report.checks))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_collision_page_is_green_and_nothing_gets_through() {
    let r = run_against(site(&[]).await, |o| {
        o.scenarios = healthy();
        o.expect_timeout = Duration::from_secs(10);
        o.nav_timeout = Duration::from_secs(10);
    })
    .await;
    assert_eq!(
        r.report.verdict,
        Verdict::Green,
        "{:?}\n{:#?}",
        r.report.environment_error,
        r.report
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Failed)
            .collect::<Vec<_>>()
    );
    nothing_reached_the_server(&r);
    // A launched browser preloads nothing.
    assert!(
        r.site.request_log().iter().all(|l| l.sec_purpose.is_none()),
        "a speculative request was made"
    );
    // The cache paths were really taken: one network fetch of the cached
    // page, and a 304 for the revalidated one.
    assert_eq!(r.site.count_path("/ro/cached"), 1);
    assert!(r.site.count_not_modified() >= 1);

    // The refused save is named, with the errors it caused beside it, on
    // the visit that caused them.
    let visit = check(&r, "an app that saves on load", "visit /ro/save-on-load");
    let caused: Vec<_> = visit
        .blocked_requests
        .iter()
        .flat_map(|b| {
            b.caused
                .iter()
                .map(move |e| (b.url.clone(), e.message.clone()))
        })
        .collect();
    assert!(
        caused.iter().any(|(_, m)| m.contains("Failed to fetch")),
        "{:#?}",
        visit.blocked_requests
    );
    assert!(visit.page_errors.is_empty(), "{:#?}", visit.page_errors);
    // The refused service worker is filed on its own scenario.
    let sw_records: Vec<_> = r
        .report
        .checks
        .iter()
        .flat_map(|c| {
            c.blocked_requests
                .iter()
                .map(move |b| (c.scenario.as_str(), b))
        })
        .filter(|(_, b)| b.channel == "service-worker")
        .collect();
    assert!(!sw_records.is_empty());
    for (scenario, b) in &sw_records {
        assert!(
            scenario.starts_with("service worker"),
            "{b:?} filed on {scenario}"
        );
    }
    let uncaught = r
        .report
        .checks
        .iter()
        .filter(|c| c.scenario == "service worker, register uncaught")
        .flat_map(|c| &c.blocked_requests)
        .flat_map(|b| &b.caused)
        .any(|e| e.message.contains("ServiceWorker"));
    assert!(uncaught, "{sw_records:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_errors_beside_refusals_still_fail() {
    let r = run_against(site(&[]).await, |o| {
        o.scenarios = suite(&[
            scenario(
                "refused save, then a real bug",
                "/ro/save-then-throw",
                "Toolbar ready",
            ),
            scenario(
                "the app's own GET answers 500",
                "/ro/own-get-500",
                "Board ready",
            ),
        ]);
        o.expect_timeout = Duration::from_secs(10);
    })
    .await;
    assert_eq!(r.report.verdict, Verdict::Red);
    nothing_reached_the_server(&r);
    let bug = r.error_of_in("refused save, then a real bug", "no page errors");
    assert!(bug.contains("ReferenceError"), "{bug}");
    assert!(bug.contains("renderToolbar"), "{bug}");
    let broken = r.error_of_in("the app's own GET answers 500", "no page errors");
    assert!(broken.contains("500"), "{broken}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_mode_counts_what_the_guard_caused() {
    let r = run_against(site(&[]).await, |o| {
        o.scenarios = suite(&[scenario(
            "an app that saves on load",
            "/ro/save-on-load",
            "Editor ready",
        )]);
        o.guard = GuardPolicy {
            strict_page_errors: true,
            ..GuardPolicy::default()
        };
        o.expect_timeout = Duration::from_secs(10);
    })
    .await;
    assert_eq!(r.report.verdict, Verdict::Red);
    let why = r.error_of_in("an app that saves on load", "no page errors");
    assert!(
        why.contains("Failed to fetch") || why.contains("ERR_BLOCKED_BY_CLIENT"),
        "{why}"
    );
}

/// The backstop, tested with the injected policy forced off: the socket
/// opens, and the run must say so and never be green.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_past_the_guard_makes_the_run_inconclusive() {
    let r = run_against(site(&[]).await, |o| {
        o.scenarios = suite(&[scenario("editor", "/ro/save-on-load", "Editor ready")]);
        o.guard = GuardPolicy {
            test_without_policy: true,
            ..GuardPolicy::default()
        };
        o.expect_timeout = Duration::from_secs(10);
    })
    .await;
    // The control: with the policy off, the socket really reached the site.
    assert!(r.site.count_websockets() >= 1);
    assert_eq!(r.report.verdict, Verdict::Inconclusive);
    let why = r.report.environment_error.clone().unwrap_or_default();
    assert!(why.contains("the read-only guard was bypassed"), "{why}");
    assert!(
        why.contains("ws://") && why.contains("/attack/ws?from=editor"),
        "{why}"
    );
    assert!(why.contains("/ro/save-on-load"), "names the frame: {why}");
    let visit = check(&r, "editor", "visit /ro/save-on-load");
    assert_ne!(visit.status, CheckStatus::Passed);
}

/// The backstop also watches the page's child targets: a socket made only
/// by a cross-site iframe or only by a dedicated worker is named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_from_an_iframe_or_a_worker_is_a_breach_too() {
    for (path, ready, opener) in [
        (
            "/ro/frame-socket",
            "Cross-site frame host ready",
            "/ro/socket-frame:7 in the iframe",
        ),
        (
            "/ro/worker-socket",
            "Worker host ready",
            "/ro/socket-worker.js:2 in the worker",
        ),
    ] {
        let r = run_against(site(&[]).await, |o| {
            o.scenarios = suite(&[scenario("child", path, ready)]);
            o.guard = GuardPolicy {
                test_without_policy: true,
                ..GuardPolicy::default()
            };
            o.expect_timeout = Duration::from_secs(10);
        })
        .await;
        assert!(r.site.count_websockets() >= 1, "{path}: no socket opened");
        assert_eq!(r.report.verdict, Verdict::Inconclusive, "{path}");
        let why = r.report.environment_error.clone().unwrap_or_default();
        assert!(why.contains("the read-only guard was bypassed"), "{why}");
        assert!(why.contains(opener), "{path}: {why}");

        // With the policy in force, the same page is green and no socket opens.
        let r = run_against(site(&[]).await, |o| {
            o.scenarios = suite(&[scenario("child", path, ready)]);
            o.expect_timeout = Duration::from_secs(10);
        })
        .await;
        assert_eq!(
            r.report.verdict,
            Verdict::Green,
            "{path}: {:?}",
            r.report.environment_error
        );
        nothing_reached_the_server(&r);
    }
}

/// A browser prod-smoke did not launch (as through `--cdp-url`) has
/// preloading on, and Chromium fetches preloads outside the guard's
/// interception.
async fn borrowed_browser() -> (tokio::process::Child, String, tempfile::TempDir) {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        l.local_addr().expect("addr").port()
    };
    let chromium = prod_smoke_runner::find_chromium(None).expect("chromium is installed");
    let profile = tempfile::tempdir().expect("tempdir");
    let browser = tokio::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--remote-debugging-address=127.0.0.1",
        ])
        .arg(format!("--remote-debugging-port={port}"))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromium starts");
    let endpoint = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if reqwest::get(format!("{endpoint}/json/version"))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (browser, endpoint, profile)
}

fn preload_pages() -> Vec<prod_smoke_spec::Scenario> {
    suite(&[
        scenario(
            "prefetch then script navigation",
            "/ro/prefetch",
            "Next page ready",
        ),
        scenario(
            "prerender then navigation",
            "/ro/prerender",
            "Prerendered page ready",
        ),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_borrowed_browser_preloads_nothing_past_the_guard() {
    let (mut browser, endpoint, _profile) = borrowed_browser().await;
    // The control: with the page's speculation rules left alone, this
    // browser preloads, the documents skip the guard, and the backstop
    // turns the run inconclusive.
    let r = run_against(site(&[]).await, |o| {
        o.scenarios = preload_pages();
        o.browser = BrowserSource::Connect(endpoint.clone());
        o.expect_timeout = Duration::from_secs(10);
    })
    .await;
    let control = run_against(site(&[]).await, |o| {
        o.scenarios = preload_pages();
        o.browser = BrowserSource::Connect(endpoint.clone());
        o.guard = GuardPolicy {
            test_keep_speculation_rules: true,
            ..GuardPolicy::default()
        };
        o.expect_timeout = Duration::from_secs(10);
    })
    .await;
    let _ = browser.kill().await;
    assert!(
        control
            .site
            .request_log()
            .iter()
            .any(|l| l.sec_purpose.is_some()),
        "the control made no speculative request"
    );
    assert_eq!(control.report.verdict, Verdict::Inconclusive);
    let why = control.report.environment_error.clone().unwrap_or_default();
    assert!(why.contains("the read-only guard was bypassed"), "{why}");

    assert_eq!(
        r.report.verdict,
        Verdict::Green,
        "{:?} {:#?}",
        r.report.environment_error,
        r.report.checks
    );
    assert!(
        r.site.request_log().iter().all(|l| l.sec_purpose.is_none()),
        "a speculative request was made"
    );
    nothing_reached_the_server(&r);
}
