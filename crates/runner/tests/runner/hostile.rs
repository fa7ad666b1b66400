//! A page that tries every write channel a browser has, against the real
//! guard: nothing may reach the server, and the report names every attempt.

use std::collections::BTreeSet;
use std::time::Duration;

use prod_smoke_model::{BlockedRequest, Verdict};
use prod_smoke_runner::GuardPolicy;

use crate::support::{hostile_site, run_against, visit_unguarded};

/// Where each attempt goes (`/attack/<name>`), and the channel it must be
/// reported under. The service worker's registration is refused: its
/// script is the attempt.
const ATTEMPTS: &[(&str, &str)] = &[
    ("/attack/worker.js", "service-worker"),
    ("/attack/beacon", "beacon"),
    ("/attack/form", "form"),
    ("/attack/same-iframe", "xhr"),
    ("/attack/cross-iframe", "xhr"),
    ("/attack/dedicated-worker", "xhr"),
    ("/attack/shared-worker", "xhr"),
    ("/attack/popup", "xhr"),
];

fn blocked(r: &crate::support::Run) -> Vec<BlockedRequest> {
    r.report
        .checks
        .iter()
        .flat_map(|c| c.blocked_requests.clone())
        .collect()
}

fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
    path.split('?').next().unwrap_or(path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_attack_page_writes_when_nothing_guards_it() {
    // The control: plain headless Chromium, no prod-smoke, on the same page.
    // If this saw no writes, the zero below would prove nothing.
    let site = hostile_site(&[]).await;
    visit_unguarded(&site.url("/"), &[]).await;
    let writes: BTreeSet<String> = site
        .request_log()
        .iter()
        .filter(|r| r.is_mutating())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    for expected in [
        "POST /attack/fetch",
        "POST /attack/xhr",
        "POST /attack/cross-iframe",
        "POST /attack/shared-worker",
        "WS-OPEN /attack/ws",
        "WS-FRAME /attack/ws",
    ] {
        assert!(
            writes.contains(expected),
            "{expected} missing from {writes:#?}"
        );
    }
}

/// Visits that wait until the page says every attempt was made.
pub(crate) const WAIT_FOR_ATTACKS: &str = r#"
suite: hostile
scenarios:
  - name: home waits for its attacks
    tags: ["@qa-readonly"]
    steps:
      - visit: /
      - text: All attacks sent
        in: body
  - name: board waits for its attacks
    tags: ["@qa-readonly"]
    steps:
      - visit: /tasks
      - text: All attacks sent
        in: body
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_write_reaches_the_server_and_every_attempt_is_named() {
    let r = run_against(hostile_site(&[]).await, |o| {
        o.scenarios = prod_smoke_spec::Suite::parse("hostile.yaml", WAIT_FOR_ATTACKS)
            .expect("suite parses")
            .scenarios;
        o.expect_timeout = Duration::from_secs(10);
    })
    .await;
    assert_guarded(&r, "ws://");
}

/// What "the guard held" means for a run against the hostile site: no
/// write reached the server, the run is green, and every attempt is named
/// under its channel, in the report and in results.json. `socket_scheme`
/// is `ws://` on a plain-http site, `wss://` on an https one.
pub(crate) fn assert_guarded(r: &crate::support::Run, socket_scheme: &str) {
    let writes: Vec<_> = r
        .site
        .request_log()
        .into_iter()
        .filter(|l| l.is_mutating())
        .collect();
    assert!(writes.is_empty(), "writes reached the server: {writes:#?}");
    assert_eq!(r.report.verdict, Verdict::Green, "{:#?}", r.report.checks);

    let blocked = blocked(r);
    let seen: BTreeSet<(String, String)> = blocked
        .iter()
        .map(|b| (path_of(&b.url).to_string(), b.channel.clone()))
        .collect();
    for (path, channel) in ATTEMPTS {
        assert!(
            seen.contains(&(path.to_string(), channel.to_string())),
            "{path} via {channel} not reported; blocked: {seen:#?}; log: {:#?}",
            r.site
                .request_log()
                .iter()
                .filter(|l| l.path.starts_with("/attack"))
                .map(|l| format!("{} {} {:?}", l.method, l.path, l.query))
                .collect::<Vec<_>>()
        );
    }
    // The registration was refused in the browser: its script never left.
    assert!(
        !r.site
            .request_log()
            .iter()
            .any(|l| l.path == "/attack/worker.js" && l.query.as_deref() == Some("kind=service")),
        "the service worker's script reached the server, so it could register"
    );
    // fetch() and XHR from the page itself: Chromium files both as XHR.
    for path in ["/attack/fetch", "/attack/xhr"] {
        assert!(
            seen.iter().any(|(p, _)| p == path),
            "{path} not reported: {seen:#?}"
        );
    }
    // Every WebSocket, wherever it was opened, is named as one.
    let sockets: BTreeSet<String> = blocked
        .iter()
        .filter(|b| b.channel == "websocket")
        .map(|b| b.url.clone())
        .collect();
    assert!(
        sockets
            .iter()
            .any(|u| u.starts_with(socket_scheme) && u.contains("/attack/ws")),
        "no websocket reported: {blocked:#?}"
    );

    // results.json and report.html carry the same list.
    let json = prod_smoke_report_json(r);
    for (path, channel) in ATTEMPTS {
        assert!(
            json.contains(path) && json.contains(channel),
            "{path} {channel}"
        );
    }
    assert!(json.contains("\"websocket\""));
}

fn prod_smoke_report_json(r: &crate::support::Run) -> String {
    serde_json::to_string(&r.report).expect("report serialises")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websockets_open_only_when_allowed() {
    let r = run_against(hostile_site(&[]).await, |o| {
        o.guard = GuardPolicy {
            allow_websockets: true,
            ..GuardPolicy::default()
        };
    })
    .await;
    // HTTP writes stay blocked; the socket is what the flag lets through.
    let log = r.site.request_log();
    assert!(
        log.iter().all(|l| l.method != "POST"),
        "{:#?}",
        log.iter().filter(|l| l.is_mutating()).collect::<Vec<_>>()
    );
    assert!(
        log.iter().any(|l| l.method == "WS-OPEN"),
        "the socket should open when allowed"
    );
    assert!(blocked(&r).iter().all(|b| b.channel != "websocket"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_url_stops_gets_with_side_effects() {
    let r = run_against(hostile_site(&[]).await, |o| {
        o.guard = GuardPolicy {
            block_urls: vec![
                "*/attack/popup*".into(),
                "*/attack/worker.js?kind=shared".into(),
            ],
            ..GuardPolicy::default()
        };
    })
    .await;
    assert_eq!(r.site.count_path("/attack/popup"), 0);
    assert!(
        r.site
            .request_log()
            .iter()
            .all(|l| !(l.path == "/attack/worker.js" && l.query.as_deref() == Some("kind=shared"))),
        "the shared worker script was fetched"
    );
    assert!(
        blocked(&r).iter().any(|b| b.channel == "block-url"
            && b.method == "GET"
            && b.url.contains("/attack/popup")),
        "{:#?}",
        blocked(&r)
    );
    assert_eq!(r.site.count_non_get(), 0);
}
