//! The signed webhook through the binary: a red run while the receiver is
//! down, `deliver` once it is back, `history`, and a secret that appears in
//! no output, artifact or ledger byte.

use prod_smoke_fixture_site::Fault;
use prod_smoke_testkit::MockWebhook;

use crate::seal::all_files;
use crate::support::{Smoke, site};

const SECRET: &str = "whsec-cli-S3cret-never-shown-987654321";
const PASSWORD: &str = "hook-cli-Pa55word-never-shown";
const TOKEN: &str = "hook-cli-token-never-shown";

fn with_webhook(s: &mut Smoke, url: &str) {
    s.env("PROD_SMOKE_WEBHOOK_URL", url);
    s.env("PROD_SMOKE_WEBHOOK_SECRET", SECRET);
    s.args(["--delivery-attempts", "1"]);
}

#[tokio::test]
async fn a_red_run_waits_for_the_receiver_and_is_delivered_once_without_leaking_the_secret() {
    let broken = site(&[Fault::Up503]).await;
    let receiver = MockWebhook::start(SECRET).await.unwrap();
    let url = receiver.url_with_credentials(PASSWORD, TOKEN);
    receiver.go_down().await;

    let mut s = Smoke::against(&broken.base_url());
    with_webhook(&mut s, &url);
    let run = s.run().await;
    assert_eq!(run.code, 1, "the site's verdict stands: {run}");
    assert!(run.stderr.contains("webhook: pending"), "{run}");

    receiver.come_back().await.unwrap();
    let deliver = || {
        let mut d = Smoke::new();
        d.args(["deliver", "--ledger", s.ledger().to_str().unwrap()]);
        with_webhook(&mut d, &url);
        d
    };
    let first = deliver().run().await;
    assert_eq!(first.code, 0, "{first}");
    assert!(
        first.stderr.contains("1 delivered, 0 still pending"),
        "{first}"
    );
    let second = deliver().run().await;
    assert!(second.stderr.contains("Nothing pending"), "{second}");

    let accepted = receiver.accepted();
    assert_eq!(accepted.len(), 1, "delivered exactly once");
    assert!(accepted[0].signature_valid);
    let body = accepted[0].json.as_ref().unwrap();
    assert_eq!(body["verdict"], "red");
    assert!(
        body["rollback"]
            .as_str()
            .unwrap()
            .starts_with("🔴 PRODUCTION SMOKE SEAL FAILED"),
        "{body}"
    );
    assert!(
        !body["failed_checks"].as_array().unwrap().is_empty(),
        "{body}"
    );

    let mut h = Smoke::new();
    h.args(["history", "--ledger", s.ledger().to_str().unwrap()]);
    let history = h.run().await;
    assert_eq!(history.code, 0, "{history}");
    let header = history.stdout.lines().next().unwrap();
    assert!(header.contains("WEBHOOK"), "{history}");
    let column = header.find("WEBHOOK").unwrap();
    let row = history.stdout.lines().nth(1).unwrap();
    assert!(row[column..].starts_with("delivered"), "{history}");

    // Everything printed, every artifact and the ledger's bytes.
    let mut seen = Vec::new();
    for f in [&run, &first, &second, &history] {
        seen.push(("stdout".to_string(), f.stdout.clone()));
        seen.push(("stderr".to_string(), f.stderr.clone()));
    }
    let mut files = vec![s.ledger()];
    all_files(&s.artifacts(), &mut files);
    assert!(files.len() > 2, "artifacts were written: {files:?}");
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        seen.push((
            path.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    for (what, text) in &seen {
        for secret in [SECRET, PASSWORD, TOKEN, url.as_str()] {
            assert!(!text.contains(secret), "{what} leaks `{secret}`");
        }
    }
}
