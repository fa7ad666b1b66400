//! The seal in a mock Discord.

use std::time::{Duration, Instant};

use prod_smoke_model::{CheckStatus, Verdict};
use prod_smoke_seal::{DeliveryState, Ledger, RetryPolicy, Sink, SinkOutcome, seal_run};
use prod_smoke_testkit::{MockDiscord, RetryAfterVia};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn green_message_is_the_exact_verdict_line_with_a_green_embed() {
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&mock)
        .set("DISCORD_RELEASE_NOTES_THREAD_ID", "555000111")
        .set("DISCORD_OPERATOR_MENTION", "<@123>")
        .set("GITHUB_SERVER_URL", "https://github.com")
        .set("GITHUB_REPOSITORY", "mcritchie/studio")
        .set("GITHUB_RUN_ID", "42");

    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    assert!(
        matches!(
            outcome.sink(Sink::Discord),
            Some(SinkOutcome::Delivered { .. })
        ),
        "{outcome}"
    );

    let posts = mock.delivered_posts();
    assert_eq!(posts.len(), 1);
    let post = &posts[0];
    assert_eq!(post.query.get("wait").map(String::as_str), Some("true"));
    assert_eq!(
        post.query.get("thread_id").map(String::as_str),
        Some("555000111")
    );
    assert!(!post.multipart);
    let payload = post.json.as_ref().unwrap();
    // Green: no mention, even with one configured.
    assert_eq!(
        payload["content"],
        "🟢 Production smoke seal: passed — @qa-readonly green vs mcritchie.studio"
    );
    assert_eq!(payload["allowed_mentions"]["parse"], json!([]));
    assert_eq!(payload["allowed_mentions"]["users"], json!([]));
    let embed = &payload["embeds"][0];
    assert_eq!(embed["color"], 0x2ECC71);
    let description = embed["description"].as_str().unwrap();
    assert!(
        description.contains("✓ GET /up returns 200 · 240 ms"),
        "{description}"
    );
    assert!(!description.contains("```"));
    let fields = embed["fields"].to_string();
    assert!(fields.contains("https://github.com/mcritchie/studio/actions/runs/42"));
    assert!(fields.contains(URL));
    assert!(fields.contains("4.2 s"), "{fields}");
}

#[tokio::test]
async fn red_message_attaches_screenshots_pings_only_the_operator_and_carries_the_rollback_block() {
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&mock)
        .set("DISCORD_OPERATOR_MENTION", "<@&456>");
    env.overrides.sha = Some("abc1234".to_string());
    let mut report = red_with_screenshots(env.dir.path(), &[("up.png", 2048), ("home.png", 4096)]);
    // A page whose title pings everyone must ping nobody.
    report.checks[0].error =
        Some("title was \"@everyone look\", expected /McRitchie Studio/".to_string());

    let outcome = seal_run(&report, &env.config()).await.unwrap();
    assert!(
        matches!(
            outcome.sink(Sink::Discord),
            Some(SinkOutcome::Delivered { .. })
        ),
        "{outcome}"
    );

    let posts = mock.delivered_posts();
    assert_eq!(posts.len(), 1);
    let post = &posts[0];
    assert!(post.multipart);
    let names: Vec<(&str, &str, usize)> = post
        .attachments
        .iter()
        .map(|a| (a.field.as_str(), a.filename.as_str(), a.size))
        .collect();
    assert_eq!(
        names,
        [("files[0]", "up.png", 2048), ("files[1]", "home.png", 4096)]
    );
    let payload = post.json.as_ref().unwrap();
    assert_eq!(
        payload["attachments"],
        json!([{ "id": 0, "filename": "up.png" }, { "id": 1, "filename": "home.png" }])
    );
    let line = "🔴 Production smoke seal: FAILED — @qa-readonly FAILED vs mcritchie.studio — \
                title was \"@everyone look\", expected /McRitchie Studio/";
    assert_eq!(payload["content"], format!("{line}\n<@&456>"));
    assert_eq!(outcome.verdict_line, line);
    // Only the configured role may ping; @everyone in the title pings nobody.
    assert_eq!(
        payload["allowed_mentions"],
        json!({ "parse": [], "users": [], "roles": ["456"] })
    );
    let embed = &payload["embeds"][0];
    assert_eq!(embed["color"], 0xE74C3C);
    let description = embed["description"].as_str().unwrap();
    assert!(description.contains("✗ check 0 · 240 ms"), "{description}");
    let block = outcome.rollback.as_deref().unwrap();
    assert!(
        description.ends_with(&format!("```\n{block}\n```")),
        "{description}"
    );
    assert!(block.contains("revert -m1 abc1234"));
}

#[tokio::test]
async fn without_an_operator_mention_nobody_is_pinged() {
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&mock)
        .set("DISCORD_OPERATOR_MENTION", "@everyone");
    let mut report = red();
    report.checks[0].error = Some("@everyone @here <@&1> hello".to_string());

    seal_run(&report, &env.config()).await.unwrap();
    let payload = mock.delivered_posts()[0].json.clone().unwrap();
    assert_eq!(
        payload["allowed_mentions"],
        json!({ "parse": [], "users": [], "roles": [] })
    );
    // A refused mention is not added to the content either.
    assert!(
        !payload["content"]
            .as_str()
            .unwrap()
            .ends_with("\n@everyone")
    );
}

#[tokio::test]
async fn screenshots_beyond_discords_limits_are_skipped_and_named() {
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&mock);
    let mut shots: Vec<(String, usize)> = (0..11).map(|i| (format!("s{i}.png"), 1000)).collect();
    // A big one that would take the total over 8 MiB.
    shots[1] = ("big.png".to_string(), 9 * 1024 * 1024);
    let shots: Vec<(&str, usize)> = shots.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    let report = red_with_screenshots(env.dir.path(), &shots);

    seal_run(&report, &env.config()).await.unwrap();
    let post = &mock.delivered_posts()[0];
    assert_eq!(post.attachments.len(), 10);
    assert!(post.attachments.iter().all(|a| a.filename != "big.png"));
    let fields = post.json.as_ref().unwrap()["embeds"][0]["fields"].to_string();
    assert!(fields.contains("Screenshots"), "{fields}");
    assert!(fields.contains("screenshots/big.png"), "{fields}");
    assert!(fields.contains("not attached"), "{fields}");
}

#[tokio::test]
async fn a_rerun_for_the_same_release_edits_the_earlier_message() {
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&mock)
        .set("DISCORD_RELEASE_NOTES_THREAD_ID", "777");
    env.overrides.release_slug = Some("rc-42".to_string());
    let cfg = env.config();

    seal_run(&red(), &cfg).await.unwrap();
    let outcome = seal_run(&green(), &cfg).await.unwrap();
    match outcome.sink(Sink::Discord) {
        Some(SinkOutcome::Delivered { detail, .. }) => {
            assert!(detail.contains("edited"), "{detail}")
        }
        other => panic!("{other:?}"),
    }

    assert_eq!(mock.delivered_posts().len(), 1);
    let edits = mock.delivered_edits();
    assert_eq!(edits.len(), 1);
    let posted_id = mock.delivered_posts()[0].clone();
    let message_id = edits[0].message_id.clone().unwrap();
    assert_eq!(
        edits[0].query.get("thread_id").map(String::as_str),
        Some("777")
    );
    assert!(edits[0].path.ends_with(&format!("/messages/{message_id}")));
    let stored = mock.message(&message_id).unwrap();
    assert!(
        stored["content"]
            .as_str()
            .unwrap()
            .starts_with("🟢 Production smoke seal: passed")
    );
    // The red screenshots are gone from the edited message.
    assert_eq!(edits[0].json.as_ref().unwrap()["attachments"], json!([]));
    assert_eq!(posted_id.status, 200);

    // Another app's run (or another release) posts its own message.
    env.overrides.release_slug = Some("rc-43".to_string());
    seal_run(&green(), &env.config()).await.unwrap();
    assert_eq!(mock.delivered_posts().len(), 2);
}

#[tokio::test]
async fn a_deleted_message_is_posted_again() {
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&mock);
    env.overrides.release_slug = Some("rc-42".to_string());
    let cfg = env.config();
    seal_run(&green(), &cfg).await.unwrap();
    // Someone deleted the message: the edit gets 404 Unknown Message.
    mock.fail_next(1, 404);
    seal_run(&green(), &cfg).await.unwrap();
    assert_eq!(mock.delivered_posts().len(), 2);
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried_boundedly() {
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&mock);
    env.overrides.retry = Some(RetryPolicy {
        attempts: 4,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
    });

    // 429 with retry-after in the header, then in the JSON body, then a 503.
    mock.rate_limit_next(1, 0.3, RetryAfterVia::Header);
    mock.rate_limit_next(1, 0.2, RetryAfterVia::Body);
    mock.fail_next(1, 503);
    let started = Instant::now();
    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    let took = started.elapsed();
    match outcome.sink(Sink::Discord) {
        Some(SinkOutcome::Delivered { attempts, .. }) => assert_eq!(*attempts, 4),
        other => panic!("{other:?}"),
    }
    assert!(
        took >= Duration::from_millis(500),
        "retry-after was honoured: {took:?}"
    );
    let statuses: Vec<u16> = mock.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 429, 503, 200]);

    // Bounded: a server that keeps failing is tried `attempts` times, then
    // left pending in the ledger.
    mock.clear_requests();
    mock.fail_next(100, 500);
    let report = green();
    let outcome = seal_run(&report, &env.config()).await.unwrap();
    match outcome.sink(Sink::Discord) {
        Some(SinkOutcome::Pending { attempts, error }) => {
            assert_eq!(*attempts, 4);
            assert!(error.contains("500"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(mock.requests().len(), 4);
    let ledger = Ledger::open(&env.ledger_path(), &Default::default())
        .await
        .unwrap();
    let discord = ledger.deliveries(&report.run_id).await.unwrap()[1].clone();
    assert_eq!(discord.sink, Sink::Discord);
    assert_eq!(discord.state, DeliveryState::Pending);
    assert_eq!(discord.attempts, 4);
    mock.clear_script();
}

#[tokio::test]
async fn a_long_retry_after_is_capped() {
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&mock);
    env.overrides.retry = Some(RetryPolicy {
        attempts: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_millis(100),
    });
    mock.rate_limit_next(1, 3600.0, RetryAfterVia::Both);
    let started = Instant::now();
    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(matches!(
        outcome.sink(Sink::Discord),
        Some(SinkOutcome::Delivered { .. })
    ));
}

#[tokio::test]
async fn a_4xx_is_not_retried() {
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&mock);
    mock.fail_next(1, 400);
    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    assert!(matches!(
        outcome.sink(Sink::Discord),
        Some(SinkOutcome::Pending { attempts: 1, .. })
    ));
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn a_flaky_run_says_so_in_the_embed() {
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&mock);
    let report = report(
        Verdict::Green,
        vec![check(
            "the page opens /signin",
            CheckStatus::Flaky,
            None,
            None,
        )],
    );
    seal_run(&report, &env.config()).await.unwrap();
    let payload = mock.delivered_posts()[0].json.clone().unwrap();
    let description = payload["embeds"][0]["description"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        description.contains("flaky: passed on attempt 2"),
        "{description}"
    );
}

#[tokio::test]
async fn an_inconclusive_run_is_posted_as_inconclusive_and_never_edits_the_seal_message() {
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&mock)
        .set("DISCORD_OPERATOR_MENTION", "<@123>");
    env.overrides.release_slug = Some("rc-42".to_string());
    let cfg = env.config();
    seal_run(&green(), &cfg).await.unwrap();

    let mut report = report(Verdict::Inconclusive, vec![]);
    report.environment_error = Some("no Chromium found".to_string());
    let outcome = seal_run(&report, &cfg).await.unwrap();
    assert!(matches!(
        outcome.sink(Sink::Discord),
        Some(SinkOutcome::Delivered { .. })
    ));
    assert!(mock.delivered_edits().is_empty());
    let posts = mock.delivered_posts();
    assert_eq!(posts.len(), 2);
    let payload = posts[1].json.as_ref().unwrap();
    assert_eq!(
        payload["content"],
        "⚪ Production smoke check inconclusive — @qa-readonly inconclusive vs mcritchie.studio — no Chromium found"
    );
    assert_eq!(payload["embeds"][0]["color"], 0x95A5A6);
    assert_eq!(payload["allowed_mentions"]["roles"], json!([]));
    assert_eq!(payload["allowed_mentions"]["users"], json!([]));
}

#[tokio::test]
async fn the_red_message_says_the_cause_under_the_failure_and_leaves_the_verdict_line_alone() {
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&mock);
    let mut report = red();
    // The runner files the page's errors under the passed visit.
    report.checks[1].page_errors = vec![prod_smoke_model::PageError {
        kind: prod_smoke_model::PageErrorKind::Console,
        message: "widget **failed** to start".to_string(),
        page: "https://mcritchie.studio/".to_string(),
    }];
    let outcome = seal_run(&report, &env.config()).await.unwrap();

    let payload = mock.delivered_posts()[0].json.clone().unwrap();
    assert_eq!(payload["content"], outcome.verdict_line.as_str());
    assert_eq!(
        outcome.verdict_line,
        "🔴 Production smoke seal: FAILED — @qa-readonly FAILED vs mcritchie.studio — GET /up returned 503, expected 200"
    );
    let embed = &payload["embeds"][0];
    let description = embed["description"].as_str().unwrap();
    let failure = description.find("✗ GET /up returns 200").unwrap();
    let cause = description
        .find("  ↳ console error: widget \\*\\*failed\\*\\* to start")
        .unwrap_or_else(|| panic!("{description}"));
    let passed = description.find("✓ GET /devops returns 404").unwrap();
    assert!(failure < cause && cause < passed, "{description}");
    let fields = embed["fields"].to_string();
    assert!(
        fields.contains(r#""name":"Scenarios","value":"0 passed, 1 failed""#),
        "{fields}"
    );
}
