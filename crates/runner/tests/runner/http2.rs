//! The read-only guard over HTTP/2, as production serves it: the fixture
//! site on TLS (ALPN `h2`), real Chromium, the guard at the CDP Fetch layer.
//!
//! prod-smoke's own browser never trusts a self-signed certificate (the
//! cli's fault matrix proves it fails the check). So these tests launch a
//! browser of their own, with the standard flags plus
//! `--ignore-certificate-errors-spki-list` naming the fixture's key alone,
//! and lend it to the run as a pool would (`BrowserSource::Connect`).

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use base64::Engine;
use prod_smoke_fixture_site::{FixtureOptions, FixtureSite};
use prod_smoke_model::Verdict;
use prod_smoke_runner::{
    BrowserSource, ChromiumProcess, EventSink, TRACES_DIR, TraceMode, find_chromium, run,
};
use sha2::{Digest, Sha256};

use crate::hostile::{WAIT_FOR_ATTACKS, assert_guarded};
use crate::support::{Run, options, scenarios, visit_unguarded};

/// The default suite's browser steps. Its `get:` steps go through
/// prod-smoke's HTTP client, which rightly refuses the fixture's
/// certificate; only the browser is taught to trust it here.
const BROWSER_ONLY: &str = r#"
suite: h2
scenarios:
  - name: public pages render over h2
    tags: ["@qa-readonly"]
    steps:
      - visit: /
      - title: /McRitchie Studio/
      - text: McRitchie Studio
        in: body
      - visit: /signin
      - visible: 'input[name="email"]'
      - visit: /tasks
      - text: Tasks
        in: body
"#;

async fn tls_site(hostile: bool) -> FixtureSite {
    FixtureSite::start(FixtureOptions {
        tls: true,
        hostile,
        ..FixtureOptions::default()
    })
    .await
    .expect("fixture site starts")
}

/// What Chromium's `--ignore-certificate-errors-spki-list` takes: the
/// base64 SHA-256 of the certificate's SubjectPublicKeyInfo.
fn spki_pin(site: &FixtureSite) -> String {
    let spki = site
        .certificate_public_key_info_der()
        .expect("a TLS site has a certificate");
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki))
}

/// A browser of the test's own that trusts `site`'s key and no other
/// invalid certificate. ChromiumProcess::launch keeps the standard flags
/// private to the product, so a wrapper script adds the one flag: the
/// product's launch stays exactly as it ships.
struct TrustingBrowser {
    process: ChromiumProcess,
    _wrapper: tempfile::TempDir,
}

impl TrustingBrowser {
    async fn launch(site: &FixtureSite) -> Self {
        let chromium = find_chromium(None).expect("chromium is installed");
        let wrapper = tempfile::tempdir().expect("tempdir");
        let script = wrapper.path().join("chromium-trusting-fixture");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nexec '{}' \"$@\" --ignore-certificate-errors-spki-list={}\n",
                chromium.display(),
                spki_pin(site)
            ),
        )
        .expect("write the wrapper");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .expect("make the wrapper executable");
        // Another test's fork can briefly hold the new file open for
        // writing (ETXTBSY); that passes in milliseconds.
        let mut attempt = 0;
        let process = loop {
            match ChromiumProcess::launch(&script).await {
                Ok(p) => break p,
                Err(e) if attempt < 5 && e.to_string().to_lowercase().contains("busy") => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("chromium launches: {e}"),
            }
        };
        TrustingBrowser {
            process,
            _wrapper: wrapper,
        }
    }

    async fn shutdown(self) {
        self.process.shutdown().await;
        prod_smoke_runner::finish_reaping().await;
    }
}

/// One run of `yaml` against `site` through a borrowed, trusting browser,
/// with a trace of every scenario.
async fn run_over_h2(site: FixtureSite, yaml: &str, expect_timeout: Duration) -> Run {
    let browser = TrustingBrowser::launch(&site).await;
    let artifacts = tempfile::tempdir().expect("tempdir");
    let mut opts = options(&site, artifacts.path());
    opts.browser = BrowserSource::Connect(browser.process.ws_url().to_string());
    opts.scenarios = scenarios("h2.yaml", yaml);
    // A loaded 2-core machine: TLS handshakes and a cold browser are slower.
    opts.nav_timeout = Duration::from_secs(15);
    opts.expect_timeout = expect_timeout;
    opts.trace = TraceMode::Always;
    let report = run(&opts, &EventSink::none()).await;
    browser.shutdown().await;
    Run {
        report,
        site,
        artifacts,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_site_over_h2_is_green() {
    let site = tls_site(false).await;
    assert!(site.base_url().starts_with("https://"));
    let r = run_over_h2(site, BROWSER_ONLY, Duration::from_secs(5)).await;
    assert_eq!(r.report.verdict, Verdict::Green, "{:#?}", r.report.checks);
    let h2 = r.site.count_http2();
    assert!(h2 > 0, "the browser never spoke HTTP/2 to the site");
    // Every page and subresource came over h2: nothing opened a WebSocket,
    // the one thing that takes an HTTP/1.1 connection of its own.
    assert_eq!(
        h2,
        r.site.request_log().len(),
        "some requests came over HTTP/1.1"
    );
    assert_eq!(r.site.count_non_get(), 0);

    // The trace says so too: each browser request the site answered went
    // over HTTP/2 in the HAR (a document the guard re-served takes its
    // origin's version). The pages' refused beacons have no answer.
    let versions = har_versions(&r);
    assert!(
        versions.iter().any(|(url, _)| url.ends_with("/tasks")),
        "the trace misses the board: {versions:#?}"
    );
    assert!(
        versions.iter().all(|(_, v)| v == "HTTP/2.0"),
        "{versions:#?}"
    );
}

/// `(url, httpVersion)` of every browser request answered in the run's HARs.
fn har_versions(r: &Run) -> Vec<(String, String)> {
    let dir = r.artifacts.path().join(TRACES_DIR);
    let mut versions = Vec::new();
    for file in std::fs::read_dir(&dir).expect("a traces dir") {
        let path = file.expect("a trace file").path();
        if path.extension().is_none_or(|e| e != "har") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("the HAR reads");
        let har: serde_json::Value = serde_json::from_str(&text).expect("the HAR parses");
        let entries = har["log"]["entries"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        // Browser requests carry their resource type; `get:` steps do not.
        // A request the guard refused has status 0.
        let answered = |e: &&serde_json::Value| {
            e.get("_resourceType").is_some() && e["response"]["status"].as_i64() > Some(0)
        };
        for e in entries.iter().filter(answered) {
            versions.push((
                e["request"]["url"].as_str().unwrap_or_default().to_string(),
                e["response"]["httpVersion"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ));
        }
    }
    versions
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_attack_page_writes_over_h2_when_nothing_guards_it() {
    // The control, as in hostile.rs: plain headless Chromium trusting the
    // fixture's key, no prod-smoke. The writes land, and over HTTP/2, so
    // the zero below is the guard's doing, not a page that failed to load.
    let site = tls_site(true).await;
    let trust = format!("--ignore-certificate-errors-spki-list={}", spki_pin(&site));
    visit_unguarded(&site.url("/"), &[trust]).await;
    let writes: BTreeSet<String> = site
        .request_log()
        .iter()
        .filter(|r| r.is_mutating())
        .map(|r| {
            let version = if r.over_http2 { "h2" } else { "h1" };
            format!("{} {} {version}", r.method, r.path)
        })
        .collect();
    for expected in [
        "POST /attack/fetch h2",
        "POST /attack/xhr h2",
        "POST /attack/cross-iframe h2",
        "POST /attack/shared-worker h2",
        // Sockets open on an HTTP/1.1 connection of their own.
        "WS-OPEN /attack/ws h1",
    ] {
        assert!(
            writes.contains(expected),
            "{expected} missing from {writes:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_write_reaches_the_server_over_h2_and_every_attempt_is_named() {
    let r = run_over_h2(
        tls_site(true).await,
        WAIT_FOR_ATTACKS,
        Duration::from_secs(15),
    )
    .await;
    assert!(
        r.site
            .request_log()
            .iter()
            .any(|l| l.path == "/" && l.over_http2),
        "the hostile page did not come over HTTP/2: {:#?}",
        r.site.request_log()
    );
    assert_guarded(&r, "wss://");
}
