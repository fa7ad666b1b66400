//! The cause shown where the failure is, through the binary against real
//! Chromium: a page that logs a console error and throws, then fails its
//! title check. The error reaches report.html's "What failed" (before any
//! passed check), results.json's failed check and the webhook body; the
//! counts name what they count; heartbeat.log stamps the webhook's retry
//! as it happens; stderr's verdict line has no Markdown backslashes.

use prod_smoke_fixture_site::Fault;
use prod_smoke_testkit::MockWebhook;

use crate::support::{Smoke, site};
use crate::trace::{har, has_line, heartbeat};

const CONSOLE_ERROR: &str = "McRitchie Studio: the activity widget failed to initialise";
const EXCEPTION: &str = "McRitchie Studio: activity feed exploded";
const SECRET: &str = "whsec-cause-test-secret";

#[tokio::test]
async fn a_console_error_is_shown_where_the_failure_is() {
    let broken = site(&[Fault::Throws, Fault::WrongTitle]).await;
    let receiver = MockWebhook::start(SECRET).await.unwrap();
    receiver.fail_next(1, 503);
    let mut s = Smoke::against(&broken.base_url());
    s.env("PROD_SMOKE_WEBHOOK_URL", &receiver.url());
    s.env("PROD_SMOKE_WEBHOOK_SECRET", SECRET);
    s.args(["--delivery-attempts", "2"]);
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");
    let artifacts = s.artifacts();

    // report.html: the error under the failure, before any passed check.
    let html = std::fs::read_to_string(artifacts.join("report.html")).unwrap();
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in report.html"))
    };
    let what_failed = at("<h2>What failed</h2>");
    let failure = at(r#"<section class="check failed""#);
    let cause = at(r#"<section class="cause">"#);
    let console = at(CONSOLE_ERROR);
    let passed = at(r#"<details class="check passed""#);
    assert!(what_failed < failure && failure < cause && cause < console);
    assert!(console < passed, "the cause comes before any passed check");
    assert!(html[cause..passed].contains(EXCEPTION));
    assert!(
        html.contains("checks: ") && html.contains(" — scenarios: 1 passed, 1 failed"),
        "both counts, named"
    );

    // results.json: on the failed check.
    let results = f.results(&artifacts);
    let failed = results["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "failed")
        .expect("a failed check");
    let said: Vec<&str> = failed["cause"]["console_errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert!(said.iter().any(|m| m.contains(CONSOLE_ERROR)), "{failed:#}");
    assert!(
        failed["cause"]["page_errors"]
            .to_string()
            .contains(EXCEPTION)
    );
    assert_eq!(results["scenario_counts"]["failed"], 1);

    // The webhook: the cause in short form, both counts, the evidence.
    let accepted = receiver.accepted();
    assert_eq!(accepted.len(), 1, "delivered on the second attempt");
    let body = accepted[0].json.as_ref().unwrap();
    let cause = body["failed_checks"][0]["cause"].to_string();
    assert!(
        cause.contains(&format!("console error: {CONSOLE_ERROR}")),
        "{body:#}"
    );
    assert!(cause.contains("page error: "), "{body:#}");
    assert_eq!(body["scenarios"]["failed"], 1, "{body:#}");
    assert!(
        body["counts"]
            .as_str()
            .unwrap()
            .ends_with("— scenarios: 1 passed, 1 failed"),
        "{body:#}"
    );
    let folder = artifacts.display().to_string();
    assert_eq!(body["artifacts"], folder.as_str());
    assert_eq!(body["evidence"], folder.as_str(), "no CI run: the folder");

    // heartbeat.log: the failed attempt has its own line, before the
    // delivery, stamped when it happened.
    let beats = heartbeat(&artifacts);
    let retry = beats
        .iter()
        .position(|l| l.contains("delivery webhook: attempt 1 failed, retrying in"))
        .unwrap_or_else(|| panic!("{beats:#?}"));
    let delivered = beats
        .iter()
        .position(|l| l.contains("delivery webhook: delivered"))
        .unwrap_or_else(|| panic!("{beats:#?}"));
    assert!(retry < delivered, "{beats:#?}");
    assert!(has_line(&beats, "delivery ledger: recorded in"));

    // stderr: the verdict line as plain text.
    let verdict = f
        .stderr
        .lines()
        .find(|l| l.starts_with("🔴 Production smoke seal: FAILED"))
        .unwrap_or_else(|| panic!("{f}"));
    assert!(verdict.contains("Welcome to nginx!"), "{verdict}");
    assert!(!verdict.contains('\\'), "{verdict}");

    // The HAR passes the HAR 1.2 schema, shows the server's headers (not
    // the guard's own policy) and the HTTP version spoken.
    let trace = &results["traces"][0];
    let entries = har(&artifacts.join(trace["har"].as_str().unwrap()));
    for e in &entries {
        let res = &e["response"];
        for h in res["headers"].as_array().unwrap() {
            assert!(
                !h["value"]
                    .as_str()
                    .unwrap()
                    .starts_with("connect-src http: https: data: blob:"),
                "the guard's policy shown as the server's: {e:#}"
            );
        }
        if e["_resourceType"] == "document" {
            assert!(e.get("_reservedByGuard").is_some(), "{e:#}");
            assert!(
                e.get("serverIPAddress").is_none(),
                "unknown, left out: {e:#}"
            );
        }
        if res["status"].as_u64().unwrap() > 0 {
            assert_eq!(res["httpVersion"], "HTTP/1.1", "{e:#}");
            assert_eq!(e["request"]["httpVersion"], "HTTP/1.1", "{e:#}");
        }
    }
}
