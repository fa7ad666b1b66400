//! A scenario's `use:` and a signed-in session (`--storage-state`), in
//! real Chromium: each setting is read back from the page as the browser
//! reports it (`innerWidth`, `matchMedia`, `navigator.language`, `Intl`,
//! `navigator.userAgent`) and from what the server saw (the
//! `Accept-Language`, the user agent, the session cookie). The fixture
//! pages run green when healthy and red, on the step that reads what
//! broke, under `Fault::ContextBroken`.

use std::sync::Arc;

use prod_smoke_fixture_site::{Fault, SESSION_COOKIE};
use prod_smoke_redact::Redactor;
use prod_smoke_runner::{EventSink, RunEvent, StorageState, run};

use crate::support::{Run, options, run_with, scenarios, site};

/// The storage state a signed-in Playwright run would have saved, for the
/// fixture site at `base_url`, plus a cookie and an origin of other sites.
fn state_json(base_url: &str) -> String {
    let (name, value) = SESSION_COOKIE;
    serde_json::json!({
        "cookies": [
            {"name": name, "value": value, "domain": "127.0.0.1", "path": "/",
             "expires": -1, "httpOnly": true, "secure": false, "sameSite": "Lax"},
            {"name": "ad_id", "value": "tracker-value-9c1e", "domain": ".tracker.example",
             "path": "/", "expires": -1, "httpOnly": false, "secure": true, "sameSite": "None"}
        ],
        "origins": [
            {"origin": base_url, "localStorage": [{"name": "prefs", "value": "compact-view-5e2b"}]},
            {"origin": "https://other.example", "localStorage": [{"name": "k", "value": "other-origin-77aa"}]}
        ]
    })
    .to_string()
}

const SETTINGS: &str = r##"
scenarios:
  - name: desktop default
    steps:
      - visit: /theme
      - text: "1280"
        in: "#width"
        exact: true
      - text: light
        in: "#theme"
        exact: true
  - name: phone viewport
    use: {viewport: {width: 360, height: 780}}
    steps:
      - visit: /theme
      - text: "360"
        in: "#width"
        exact: true
  - name: a device
    use: {device: Pixel 7}
    steps:
      - visit: /theme
      - text: "412"
        in: "#width"
        exact: true
      - text: "2.625"
        in: "#scale"
        exact: true
      - text: "1"
        in: "#touch"
        exact: true
      - text: "Android 14; Pixel 7"
        in: "#ua"
  - name: dark, Spanish, Salta time
    use: {color_scheme: dark, locale: es-ES, timezone: America/Argentina/Salta}
    steps:
      - visit: /theme
      - text: dark
        in: "#theme"
        exact: true
      - text: es-ES
        in: "#lang"
        exact: true
      - text: es-ES
        in: "#accept-language"
      - text: America/Argentina/Salta
        in: "#tz"
        exact: true
  - name: own user agent
    use: {user_agent: "Mozilla/5.0 (X11; Linux x86_64) SmokeCheck/1.0"}
    steps:
      - visit: /theme
      - text: "Mozilla/5.0 (X11; Linux x86_64) SmokeCheck/1.0"
        in: "#ua"
        exact: true
"##;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_use_key_takes_effect_in_the_browser_and_on_the_wire() {
    let r = run_with(&[], |o| o.scenarios = scenarios("context.yaml", SETTINGS)).await;
    assert_eq!(
        r.failed_names(),
        Vec::<&str>::new(),
        "{:#?}",
        r.report.checks
    );
    assert_eq!(r.report.checks.len(), 17);
    let agents: Vec<String> = r
        .site
        .request_log()
        .into_iter()
        .filter(|l| l.path == "/theme")
        .filter_map(|l| l.user_agent)
        .collect();
    assert!(
        agents
            .iter()
            .any(|a| a == "Mozilla/5.0 (X11; Linux x86_64) SmokeCheck/1.0"),
        "the server saw the user agent: {agents:?}"
    );
    assert!(agents.iter().any(|a| a.contains("Pixel 7")), "{agents:?}");
    assert!(
        agents
            .iter()
            .any(|a| a.contains("HeadlessChrome") || a.contains("Chrome/")),
        "a scenario without `use` keeps the browser's own agent: {agents:?}"
    );
}

/// Scenarios side by side, each in its own context and page: every page
/// is a focused window (`document.hasFocus()`), as each of Playwright's
/// pages is, so a ported check that needs focus (focus events,
/// `:focus-visible`) passes in every scenario, not only in one. Headless
/// Chromium gives each context's page focus today; should a release stop
/// doing so, this fails, and `Emulation.setFocusEmulationEnabled` (what
/// Playwright sends) is the fix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_side_by_side_has_focus() {
    let spec: String = (1..=4)
        .map(|n| {
            format!(
                "  - name: page {n}\n    steps:\n      - visit: /theme\n      - text: has focus\n        in: \"#focus\"\n"
            )
        })
        .collect();
    let r = run_with(&[], |o| {
        o.scenarios = scenarios("focus.yaml", &format!("scenarios:\n{spec}"));
        o.workers = 4;
    })
    .await;
    assert_eq!(
        r.failed_names(),
        Vec::<&str>::new(),
        "{:#?}",
        r.report.checks
    );
    assert_eq!(r.report.checks.len(), 8);
}

const BOTH_WAYS: &str = r##"
scenarios:
  - name: phone layout
    use: {viewport: {width: 360, height: 780}}
    steps:
      - visit: /phone
      - visible: {role: button, name: Menu}
  - name: desktop layout hides the phone menu
    steps:
      - visit: /phone
      - hidden: {role: button, name: Menu}
  - name: dark mode
    use: {color_scheme: dark, locale: es-ES}
    steps:
      - visit: /theme
      - text: dark
        in: "#theme"
  - name: signed in
    steps:
      - visit: /account
      - title: Your account — McRitchie Studio
      - text: compact-view-5e2b
        in: "#prefs"
"##;

async fn signed_in_run(faults: &[Fault], redact: bool) -> (Run, Vec<String>) {
    let site = site(faults).await;
    let artifacts = tempfile::tempdir().unwrap();
    let mut opts = options(&site, artifacts.path());
    opts.scenarios = scenarios("context.yaml", BOTH_WAYS);
    let state = StorageState::parse("state.json", &state_json(&site.base_url())).unwrap();
    if redact {
        let mut r = Redactor::new();
        state.secrets().into_iter().for_each(|s| r.add(s));
        opts.redactor = r;
    }
    opts.storage_state = Some(Arc::new(state));
    opts.trace = prod_smoke_runner::TraceMode::Always;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let report = run(&opts, &EventSink::new(tx)).await;
    let mut notes = Vec::new();
    while let Ok(ev) = rx.try_recv() {
        if let RunEvent::Note { scenario, text } = ev {
            notes.push(format!("{scenario}: {text}"));
        }
    }
    (
        Run {
            report,
            site,
            artifacts,
        },
        notes,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_dark_and_signed_in_pages_pass_when_healthy() {
    let (r, notes) = signed_in_run(&[], true).await;
    assert_eq!(
        r.failed_names(),
        Vec::<&str>::new(),
        "{:#?}",
        r.report.checks
    );
    // Only the app's own host got the session; the rest is named, not sent.
    let other_origin = format!(
        "storage state: left out localStorage of https://other.example (not the app's origin {})",
        r.site.base_url()
    );
    assert_eq!(
        notes,
        [
            "storage state: left out cookie `ad_id` for .tracker.example (not the app's host 127.0.0.1)",
            other_origin.as_str(),
        ],
    );
    // The page showed the localStorage value; the MHTML and HAR of the
    // trace mask it, and the session cookie, like every other secret.
    let traces = r.artifacts.path().join("traces");
    let mut seen = 0;
    for entry in std::fs::read_dir(&traces).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        seen += 1;
        for secret in [SESSION_COOKIE.1, "compact-view-5e2b", "tracker-value-9c1e"] {
            assert!(!text.contains(secret), "{secret} leaked into a trace file");
        }
    }
    assert!(seen >= 8, "every scenario left a trace: {seen} files");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmasked_the_snapshot_would_show_the_session_value() {
    // The control for the test above: the value does reach the MHTML, so
    // its absence there is the redactor's work.
    let (r, _) = signed_in_run(&[], false).await;
    assert_eq!(r.failed_names(), Vec::<&str>::new());
    let traces = r.artifacts.path().join("traces");
    let shown = std::fs::read_dir(&traces)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "mhtml"))
        .any(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .contains("compact-view-5e2b")
        });
    assert!(
        shown,
        "the account page's snapshot shows the localStorage value"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_session_the_account_page_is_the_sign_in_page() {
    let r = run_with(&[], |o| o.scenarios = scenarios("context.yaml", BOTH_WAYS)).await;
    assert_eq!(
        r.failed_names(),
        ["title is \"Your account — McRitchie Studio\""]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_page_fails_on_the_step_that_reads_what_broke() {
    let (r, _) = signed_in_run(&[Fault::ContextBroken], false).await;
    assert_eq!(
        r.failed_names(),
        [
            "getByRole('button', { name: 'Menu' }) is visible",
            "#theme contains \"dark\"",
            "title is \"Your account — McRitchie Studio\"",
        ],
        "{:#?}",
        r.report.checks
    );
    assert!(r.error_of("#theme contains \"dark\"").contains("light"));
}
