//! The signed webhook sink against a loopback receiver that checks the
//! HMAC with its own copy of the secret.

use prod_smoke_model::Verdict;
use prod_smoke_seal::{
    DeliveryState, Ledger, Sink, SinkOutcome, deliver_pending, format_history, history, seal_run,
};
use prod_smoke_testkit::{MockWebhook, ReceivedWebhook};
use serde_json::Value;

use crate::support::*;

const SECRET: &str = "whsec-Sup3r-S3cret-never-shown-0123456789";

fn with_webhook(env: &mut Env, url: &str) {
    env.set("PROD_SMOKE_WEBHOOK_URL", url)
        .set("PROD_SMOKE_WEBHOOK_SECRET", SECRET);
}

async fn webhook_state(env: &Env, run_id: &str) -> (DeliveryState, u32, Option<String>) {
    let ledger = Ledger::open(&env.ledger_path(), &Default::default())
        .await
        .unwrap();
    let record = ledger
        .deliveries(run_id)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.sink == Sink::Webhook)
        .expect("a webhook row");
    ledger.close().await;
    (record.state, record.attempts, record.last_error)
}

fn json(request: &ReceivedWebhook) -> &Value {
    request.json.as_ref().expect("a JSON body")
}

#[tokio::test]
async fn a_green_seal_is_signed_json_with_a_delivery_id() {
    let receiver = MockWebhook::start(SECRET).await.unwrap();
    let mut env = Env::new();
    with_webhook(&mut env, &receiver.url());
    let report = green();

    let outcome = seal_run(&report, &env.config()).await.unwrap();
    assert!(
        matches!(
            outcome.sink(Sink::Webhook),
            Some(SinkOutcome::Delivered { attempts: 1, .. })
        ),
        "{outcome}"
    );
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert!(request.succeeded());
    assert!(request.signature_valid, "{:?}", request.signature);
    let signature = request.signature.as_deref().unwrap();
    assert!(signature.starts_with("sha256="), "{signature}");
    assert_eq!(signature.len(), "sha256=".len() + 64);
    assert_eq!(request.content_type.as_deref(), Some("application/json"));
    let id = request.delivery_id.clone().unwrap();
    assert_eq!(id.len(), 32);

    let body = json(request);
    assert_eq!(body["delivery_id"], id.as_str());
    assert_eq!(body["app"], "mcritchie-studio");
    assert_eq!(body["url"], URL);
    assert_eq!(body["verdict"], "green");
    assert_eq!(body["summary"], "@qa-readonly green vs mcritchie.studio");
    assert_eq!(
        body["verdict_line"],
        "🟢 Production smoke seal: passed — @qa-readonly green vs mcritchie.studio"
    );
    assert_eq!(body["run_id"], report.run_id.as_str());
    assert_eq!(body["checked_at"], outcome.checked_at.as_str());
    assert_eq!(body["passed"], 2);
    assert_eq!(body["failed"], 0);
    assert_eq!(body["failed_checks"], serde_json::json!([]));
    assert_eq!(body["rollback"], Value::Null);

    let (state, attempts, _) = webhook_state(&env, &report.run_id).await;
    assert_eq!((state, attempts), (DeliveryState::Delivered, 1));
}

#[tokio::test]
async fn a_red_seal_carries_the_failed_checks_and_the_rollback_block() {
    let receiver = MockWebhook::start(SECRET).await.unwrap();
    let mut env = Env::new();
    with_webhook(&mut env, &receiver.url());
    env.overrides.sha = Some("abc1234".to_string());
    let mut report = red();
    // Page text that would be a forged link in Markdown.
    let forged = "title was \"**URGENT** [Roll back now](https://evil.example/rollback)\"";
    report.checks[0].error = Some(forged.to_string());

    let outcome = seal_run(&report, &env.config()).await.unwrap();
    assert!(
        matches!(
            outcome.sink(Sink::Webhook),
            Some(SinkOutcome::Delivered { .. })
        ),
        "{outcome}"
    );
    let accepted = receiver.accepted();
    assert_eq!(accepted.len(), 1);
    assert!(accepted[0].signature_valid);
    let body = json(&accepted[0]);
    assert_eq!(body["verdict"], "red");
    assert_eq!(body["failed"], 1);
    // The same line Discord and the release notes get, page text escaped.
    assert_eq!(body["verdict_line"], outcome.verdict_line.as_str());
    assert!(
        !body["verdict_line"]
            .as_str()
            .unwrap()
            .contains("[Roll back now]("),
        "{}",
        body["verdict_line"]
    );
    assert_eq!(body["summary"], outcome.summary.as_str());

    let failed = body["failed_checks"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "only the failed check: {failed:?}");
    assert_eq!(failed[0]["name"], "GET /up returns 200");
    assert_eq!(
        failed[0]["scenario"],
        "public routes and the task board respond"
    );
    // As data, the error is the page's text; as a line, it is escaped.
    assert_eq!(failed[0]["error"], forged);
    assert_eq!(failed[0]["http_status"], 200);
    let line = failed[0]["line"].as_str().unwrap();
    assert!(line.starts_with("✗ GET /up returns 200 — "), "{line}");
    assert!(line.contains("\\*\\*URGENT\\*\\*"), "{line}");
    assert!(!line.contains("https://evil"), "{line}");

    // The contract's block, naming what the run knew.
    let block = body["rollback"].as_str().unwrap();
    assert_eq!(Some(block), outcome.rollback.as_deref());
    assert!(block.starts_with("🔴 PRODUCTION SMOKE SEAL FAILED — mcritchie.studio\n"));
    assert!(block.contains("heroku rollback --app mcritchie-studio-prod"));
    assert!(block.contains("revert -m1 abc1234"));
}

#[tokio::test]
async fn a_receiver_with_another_secret_refuses_the_seal_and_it_stays_pending() {
    let receiver = MockWebhook::start("a-different-secret").await.unwrap();
    let mut env = Env::new();
    with_webhook(&mut env, &receiver.url());
    let report = green();
    let outcome = seal_run(&report, &env.config()).await.unwrap();
    match outcome.sink(Sink::Webhook) {
        // A 401 is not retried now: a replay after the fix delivers it.
        Some(SinkOutcome::Pending { attempts: 1, error }) => {
            assert!(error.contains("the webhook answered 401"), "{error}")
        }
        other => panic!("{other:?}"),
    }
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    assert!(!requests[0].signature_valid);
}

#[tokio::test]
async fn without_a_secret_nothing_is_sent_unsigned() {
    let receiver = MockWebhook::start(SECRET).await.unwrap();
    let mut env = Env::new();
    env.set("PROD_SMOKE_WEBHOOK_URL", &receiver.url());
    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    match outcome.sink(Sink::Webhook) {
        Some(SinkOutcome::Pending { attempts: 0, error }) => {
            assert!(
                error.contains("PROD_SMOKE_WEBHOOK_SECRET is not set"),
                "{error}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(receiver.requests().is_empty());
}

#[tokio::test]
async fn without_a_url_the_sink_is_off() {
    let mut env = Env::new();
    env.set("PROD_SMOKE_WEBHOOK_SECRET", SECRET);
    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    assert_eq!(outcome.sink(Sink::Webhook), None);
    assert!(!outcome.sinks.iter().any(|s| s.sink == Sink::Webhook));
}

#[tokio::test]
async fn a_429_and_a_503_are_retried_under_the_same_delivery_id() {
    let receiver = MockWebhook::start(SECRET).await.unwrap();
    let mut env = Env::new();
    with_webhook(&mut env, &receiver.url());
    receiver.rate_limit_next(1, 0);
    receiver.fail_next(1, 503);
    let report = red();

    let outcome = seal_run(&report, &env.config()).await.unwrap();
    assert!(
        matches!(
            outcome.sink(Sink::Webhook),
            Some(SinkOutcome::Delivered { attempts: 3, .. })
        ),
        "{outcome}"
    );
    let requests = receiver.requests();
    let statuses: Vec<u16> = requests.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 503, 200]);
    assert!(requests.iter().all(|r| r.signature_valid));
    assert!(
        requests
            .iter()
            .all(|r| r.delivery_id == requests[0].delivery_id && r.body == requests[0].body)
    );
    let (state, attempts, _) = webhook_state(&env, &report.run_id).await;
    assert_eq!((state, attempts), (DeliveryState::Delivered, 3));
}

/// The receiver fails, then is down, then comes back: the seal waits in
/// the ledger and `deliver` sends it once, with the first attempt's id and
/// bytes, even though Postgres (down at first) has since told the ledger
/// the release and its sha.
#[tokio::test]
async fn an_outage_leaves_it_pending_and_a_replay_delivers_the_same_bytes_once() {
    let receiver = MockWebhook::start(SECRET).await.unwrap();
    let db = hub_db().await;
    insert_release(db.url(), "rc-42", "assembled", None, Some("abc1234")).await;
    let mut env = Env::new();
    with_webhook(&mut env, &receiver.url());
    env.with_database("postgres://postgres@127.0.0.1:1/hub");
    receiver.fail_next(3, 503);
    let report = red();

    let outcome = seal_run(&report, &env.config()).await.unwrap();
    assert!(
        matches!(
            outcome.sink(Sink::Webhook),
            Some(SinkOutcome::Pending { attempts: 3, .. })
        ),
        "{outcome}"
    );
    let first = receiver.requests()[0].clone();
    assert_eq!(first.status, 503);
    assert!(first.signature_valid);
    assert_eq!(
        webhook_state(&env, &report.run_id).await.0,
        DeliveryState::Pending
    );

    // Down for real: connections refused. A replay changes nothing.
    receiver.go_down().await;
    let replay = deliver_pending(&env.config()).await.unwrap();
    assert_eq!(replay.delivered(), 0, "{replay}");
    let (state, attempts, error) = webhook_state(&env, &report.run_id).await;
    assert_eq!((state, attempts), (DeliveryState::Pending, 6));
    assert!(
        error
            .as_deref()
            .unwrap()
            .contains("could not reach the webhook"),
        "{error:?}"
    );

    // Both back: Postgres first (it learns rc-42 and its sha), then the webhook.
    receiver.come_back().await.unwrap();
    receiver.clear_requests();
    env.with_database(db.url());
    let replay = deliver_pending(&env.config()).await.unwrap();
    assert_eq!(replay.delivered(), 2, "{replay}");
    let again = deliver_pending(&env.config()).await.unwrap();
    assert!(again.deliveries.is_empty(), "{again}");

    let accepted = receiver.accepted();
    assert_eq!(accepted.len(), 1, "delivered exactly once");
    assert_eq!(receiver.requests().len(), 1);
    assert!(accepted[0].signature_valid);
    assert_eq!(accepted[0].delivery_id, first.delivery_id);
    assert_eq!(
        accepted[0].body, first.body,
        "byte-identical to the first attempt"
    );
    assert_eq!(
        webhook_state(&env, &report.run_id).await.0,
        DeliveryState::Delivered
    );
}

#[tokio::test]
async fn history_has_a_webhook_column() {
    let receiver = MockWebhook::start(SECRET).await.unwrap();
    let mut env = Env::new();
    seal_run(&green(), &env.config()).await.unwrap();
    with_webhook(&mut env, &receiver.url());
    receiver.fail_next(3, 500);
    seal_run(&red(), &env.config()).await.unwrap();

    let entries = history(&env.config(), None, 10).await.unwrap().entries;
    let table = format_history(&entries);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].contains(" WEBHOOK "), "{table}");
    let column = lines[0].find("WEBHOOK").unwrap();
    // Newest first: the red run's delivery is pending, the green one had no webhook.
    assert!(
        lines[1][column..].starts_with("pending (3 tries)"),
        "{table}"
    );
    assert!(lines[2][column..].starts_with('-'), "{table}");
    assert!(
        lines[1].contains("red") && lines[2].contains("green"),
        "{table}"
    );
    assert_eq!(entries[0].verdict, Verdict::Red);
}

#[tokio::test]
async fn the_secret_and_the_url_credentials_are_never_shown_or_stored() {
    let receiver = MockWebhook::start(SECRET).await.unwrap();
    let password = "hook-Pa55word-never-shown";
    let token = "hook-query-token-never-shown";
    let url = receiver.url_with_credentials(password, token);
    let mut env = Env::new();
    with_webhook(&mut env, &url);
    let cfg = env.config();
    let secrets = [SECRET, password, token, url.as_str()];

    // The secrets found their way into page text.
    let mut report = red();
    report.checks[0].error = Some(format!("title was {SECRET} at {url}"));
    let outcome = seal_run(&report, &cfg).await.unwrap();
    assert!(
        matches!(
            outcome.sink(Sink::Webhook),
            Some(SinkOutcome::Delivered { .. })
        ),
        "{outcome}"
    );
    let mut seen = vec![
        ("outcome", outcome.to_string()),
        ("outcome debug", format!("{outcome:?}")),
        ("config debug", format!("{cfg:?}")),
    ];
    // A failure, whose error could carry the URL.
    receiver.go_down().await;
    let failed = seal_run(&red(), &cfg).await.unwrap();
    assert!(failed.has_pending(), "{failed}");
    seen.push(("failed outcome", failed.to_string()));
    let replay = deliver_pending(&cfg).await.unwrap();
    seen.push(("replay", replay.to_string()));
    seen.push(("replay debug", format!("{replay:?}")));
    receiver.come_back().await.unwrap();
    let entries = history(&cfg, None, 10).await.unwrap().entries;
    seen.push(("history", format_history(&entries)));
    seen.push(("history debug", format!("{entries:?}")));
    for request in receiver.requests() {
        seen.push((
            "a webhook body",
            String::from_utf8_lossy(&request.body).into(),
        ));
        seen.push(("a webhook signature", request.signature.unwrap_or_default()));
        seen.push(("a webhook id", request.delivery_id.unwrap_or_default()));
    }
    let ledger_bytes = std::fs::read(env.ledger_path()).unwrap();
    seen.push((
        "the ledger file",
        String::from_utf8_lossy(&ledger_bytes).into(),
    ));

    for (what, text) in &seen {
        for secret in secrets {
            assert!(!text.contains(secret), "{what} leaks `{secret}`:\n{text}");
        }
    }
    // The masked page text still says where the secret was.
    let body = String::from_utf8_lossy(&receiver.accepted()[0].body).into_owned();
    assert!(body.contains("title was ***"), "{body}");
}
