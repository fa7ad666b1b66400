//! The local ledger: always written, and the record when no sink is set.

use prod_smoke_model::{CheckStatus, Verdict};
use prod_smoke_seal::{
    DeliveryState, Ledger, SealError, Sink, SinkOutcome, deliver_pending, format_history, history,
    seal_run,
};
use prod_smoke_testkit::MockDiscord;

use crate::support::*;

#[tokio::test]
async fn with_no_sink_the_ledger_is_the_record() {
    let env = Env::new();
    let report = red();
    let outcome = seal_run(&report, &env.config()).await.unwrap();
    assert_eq!(outcome.sinks.len(), 2);
    for sink in [Sink::Postgres, Sink::Discord] {
        match outcome.sink(sink) {
            Some(SinkOutcome::Skipped { reason }) => {
                assert!(reason.contains("not configured"), "{reason}")
            }
            other => panic!("{sink}: {other:?}"),
        }
    }
    assert!(outcome.rollback.is_some());
    assert!(env.ledger_path().exists());
    let text = outcome.to_string();
    assert!(
        text.starts_with("🔴 Production smoke seal: FAILED — "),
        "{text}"
    );
    assert!(
        text.contains("postgres: skipped — not configured"),
        "{text}"
    );

    // Nothing pending, so a replay does nothing.
    assert!(
        deliver_pending(&env.config())
            .await
            .unwrap()
            .deliveries
            .is_empty()
    );
}

#[tokio::test]
async fn history_lists_recent_runs_including_flaky_and_inconclusive() {
    let env = Env::new();
    let cfg = env.config();
    let flaky = report(
        Verdict::Green,
        vec![check(
            "the page opens /tasks",
            CheckStatus::Flaky,
            None,
            None,
        )],
    );
    let mut broken = report(Verdict::Inconclusive, vec![]);
    broken.environment_error = Some("no Chromium found".to_string());
    let mut other_app = green();
    other_app.app = "other-app".to_string();
    for r in [&red(), &flaky, &broken, &other_app] {
        seal_run(r, &cfg).await.unwrap();
    }

    let all = history(&cfg, None, 10).await.unwrap();
    assert_eq!(all.len(), 4);
    let studio = history(&cfg, Some("mcritchie-studio"), 10).await.unwrap();
    assert_eq!(studio.len(), 3);
    let verdicts: Vec<&str> = studio.iter().map(|h| h.verdict.as_str()).collect();
    assert!(verdicts.contains(&"inconclusive") && verdicts.contains(&"red"));
    assert_eq!(
        studio
            .iter()
            .find(|h| h.run_id == flaky.run_id)
            .unwrap()
            .flaky,
        1
    );
    assert_eq!(history(&cfg, None, 2).await.unwrap().len(), 2);

    let table = format_history(&studio);
    assert_eq!(table.lines().count(), 4, "{table}");
    assert!(table.contains("green (1 flaky)"), "{table}");
    assert!(table.contains("inconclusive"), "{table}");
    assert!(
        table.contains("@qa-readonly FAILED vs mcritchie.studio"),
        "{table}"
    );
}

#[tokio::test]
async fn an_unopenable_ledger_is_an_error_the_cli_can_print() {
    let mut env = Env::new();
    let blocker = env.dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"file").unwrap();
    env.overrides.ledger = Some(blocker.join("ledger.sqlite3"));
    let error = seal_run(&green(), &env.config()).await.unwrap_err();
    assert!(matches!(error, SealError::LedgerOpen { .. }));
    let text = prod_smoke_seal::chain(&error);
    assert!(
        text.starts_with("could not open the seal ledger at "),
        "{text}"
    );
    assert!(text.contains("not-a-dir"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_replays_deliver_once() {
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&mock);
    let cfg = env.config();
    mock.fail_next(3, 502);
    let report = green();
    let outcome = seal_run(&report, &cfg).await.unwrap();
    assert!(outcome.has_pending());
    mock.clear_requests();

    let (a, b) = tokio::join!(deliver_pending(&cfg), deliver_pending(&cfg));
    let delivered = a.unwrap().delivered() + b.unwrap().delivered();
    assert_eq!(delivered, 1);
    assert_eq!(mock.delivered_posts().len(), 1);
    let ledger = Ledger::open(&env.ledger_path(), &Default::default())
        .await
        .unwrap();
    let discord = &ledger.deliveries(&report.run_id).await.unwrap()[1];
    assert_eq!(discord.state, DeliveryState::Delivered);
    assert_eq!(discord.attempts, 4);
}

#[tokio::test]
async fn a_pending_delivery_waits_when_its_sink_is_not_configured_now() {
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_discord(&mock);
    mock.fail_next(3, 500);
    seal_run(&green(), &env.config()).await.unwrap();

    // Replayed from a shell without the webhook: left pending, not lost.
    let mut bare = Env::new();
    bare.overrides.ledger = Some(env.ledger_path());
    let replay = deliver_pending(&bare.config()).await.unwrap();
    assert_eq!(replay.still_pending(), 1);
    assert!(
        replay.to_string().contains("no Discord webhook URL is set"),
        "{replay}"
    );
    let replay = deliver_pending(&env.config()).await.unwrap();
    assert_eq!(replay.delivered(), 1);
}

/// A state word the ledger should never hold (a hand edit, or a newer
/// prod-smoke) is an error naming the word, not a guessed `pending` that
/// would deliver the seal a second time.
#[tokio::test]
async fn an_unknown_stored_state_is_an_error_not_pending() {
    use sqlx::ConnectOptions;

    let env = Env::new();
    let cfg = env.config();
    let outcome = seal_run(&green(), &cfg).await.unwrap();
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(env.ledger_path())
        .connect()
        .await
        .unwrap();
    // The schema's CHECK refuses the word; a hand edit can switch it off.
    sqlx::query("PRAGMA ignore_check_constraints = ON")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("UPDATE deliveries SET state = 'retrying' WHERE sink = 'discord'")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);

    let ledger = Ledger::open(&env.ledger_path(), &Default::default())
        .await
        .unwrap();
    match ledger.deliveries(&outcome.run_id).await {
        Err(e @ SealError::UnknownStoredValue { .. }) => {
            let text = e.to_string();
            assert!(text.contains("`retrying`"), "{text}");
            assert!(text.contains("delivery state"), "{text}");
        }
        other => panic!("expected an unknown-state error, got {other:?}"),
    }
    assert!(matches!(
        history(&cfg, None, 5).await,
        Err(SealError::UnknownStoredValue { .. })
    ));
    // Not mistaken for pending: a replay leaves it alone.
    assert!(deliver_pending(&cfg).await.unwrap().deliveries.is_empty());
}
