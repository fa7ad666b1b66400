//! The local ledger: always written, and the record when no sink is set.

use prod_smoke_model::{CheckStatus, Verdict};
use prod_smoke_seal::{
    APPLICATION_ID, DeliveryState, Ledger, LedgerPlace, SealError, Sink, SinkOutcome,
    deliver_pending, format_history, history, seal_run,
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

    let all = history(&cfg, None, 10).await.unwrap().entries;
    assert_eq!(all.len(), 4);
    let studio = history(&cfg, Some("mcritchie-studio"), 10)
        .await
        .unwrap()
        .entries;
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
    assert_eq!(history(&cfg, None, 2).await.unwrap().entries.len(), 2);

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
async fn an_unopenable_ledger_names_its_cause_and_the_run_goes_to_a_fallback() {
    let mut env = Env::new();
    let blocker = env.dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"file").unwrap();
    env.overrides.ledger = Some(blocker.join("ledger.sqlite3"));
    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    let LedgerPlace::Fallback { path, problem } = &outcome.place else {
        panic!("expected a fallback ledger, got {:?}", outcome.place);
    };
    assert!(
        problem.starts_with("could not open the seal ledger at "),
        "{problem}"
    );
    // The whole chain: the OS's own words, not just "could not open".
    assert!(problem.contains("File exists (os error 17)"), "{problem}");
    // Beside it is impossible too, so the temporary folder took it.
    assert!(path.starts_with(env.dir.path().join("tmp/prod-smoke-fallback")));
    assert!(path.is_file());
    assert!(outcome.is_durable());
    let text = outcome.to_string();
    assert!(text.contains("fallback ledger"), "{text}");
    assert!(text.contains("prod-smoke deliver"), "{text}");
}

/// Random bytes where the ledger should be: kept byte for byte, the run
/// goes beside it, every sink is still tried (Postgres and Discord), and a
/// later `deliver` finds what was left pending.
#[tokio::test]
async fn a_ledger_of_random_bytes_is_kept_and_every_sink_is_still_tried() {
    let db = hub_db().await;
    insert_release(db.url(), "rc-7", "assembled", None, Some("abc1234")).await;
    let mock = MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_database(db.url()).with_discord(&mock);
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(env.ledger_path(), &garbage).unwrap();
    mock.fail_next(3, 502);

    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    assert_eq!(
        std::fs::read(env.ledger_path()).unwrap(),
        garbage,
        "left untouched"
    );
    let LedgerPlace::Fallback { path, problem } = &outcome.place else {
        panic!("expected a fallback ledger, got {:?}", outcome.place);
    };
    assert_eq!(path, &env.dir.path().join("ledger.fallback.sqlite3"));
    assert!(problem.contains("not a database"), "{problem}");
    assert!(
        matches!(
            outcome.sink(Sink::Postgres),
            Some(SinkOutcome::Delivered { .. })
        ),
        "{outcome}"
    );
    let seal = smoke_seal(db.url(), "rc-7").await;
    assert_eq!(seal["status"], "green", "{seal}");
    assert!(
        outcome.sink(Sink::Discord).unwrap().is_pending(),
        "{outcome}"
    );

    // The next replay, with the same (still broken) ledger, finds it.
    let replay = deliver_pending(&env.config()).await.unwrap();
    assert_eq!(
        replay.fallbacks,
        vec![env.dir.path().join("ledger.fallback.sqlite3")]
    );
    assert_eq!(replay.delivered(), 1, "{replay}");
    assert_eq!(replay.problems.len(), 1, "{replay}");
    assert!(replay.to_string().contains("not a database"), "{replay}");
    assert_eq!(mock.delivered_posts().len(), 1);
}

/// No ledger file anywhere: the sinks are still tried, and the outcome
/// says whether any of them holds the verdict.
#[tokio::test]
async fn with_no_ledger_anywhere_only_a_delivered_sink_makes_the_seal_durable() {
    let mut env = Env::new();
    let blocker = env.dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"file").unwrap();
    env.overrides.ledger = Some(blocker.join("ledger.sqlite3"));
    env.set("TMPDIR", &blocker.display().to_string());
    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    assert!(
        matches!(outcome.place, LedgerPlace::Memory { .. }),
        "{:?}",
        outcome.place
    );
    assert!(!outcome.is_durable());
    let text = outcome.to_string();
    assert!(
        text.contains("the verdict reached no durable place"),
        "{text}"
    );

    let mock = MockDiscord::start().await.unwrap();
    env.with_discord(&mock);
    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    assert!(
        matches!(
            outcome.sink(Sink::Discord),
            Some(SinkOutcome::Delivered { .. })
        ),
        "{outcome}"
    );
    assert!(outcome.is_durable());
    assert!(
        outcome
            .to_string()
            .contains("only discord hold(s) the verdict"),
        "{outcome}"
    );
}

/// Another application's SQLite database is refused as it is: no table of
/// prod-smoke's is added to it.
#[tokio::test]
async fn another_apps_sqlite_file_is_refused_not_migrated() {
    use sqlx::ConnectOptions;

    let env = Env::new();
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(env.ledger_path())
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    sqlx::query("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let before = std::fs::read(env.ledger_path()).unwrap();

    match Ledger::open(&env.ledger_path(), &Default::default()).await {
        Err(e @ SealError::ForeignLedger { .. }) => {
            let text = e.to_string();
            assert!(text.contains("is not a prod-smoke ledger"), "{text}");
            assert!(text.contains("users"), "{text}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    assert!(
        matches!(outcome.place, LedgerPlace::Fallback { .. }),
        "{:?}",
        outcome.place
    );
    assert_eq!(
        std::fs::read(env.ledger_path()).unwrap(),
        before,
        "left untouched"
    );

    // A file marked as another application's is refused even when empty.
    let marked = env.dir.path().join("marked.sqlite3");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&marked)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    sqlx::query("PRAGMA application_id = 42")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let refused = Ledger::open(&marked, &Default::default())
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("application_id is 0x0000002a"),
        "{refused}"
    );
}

#[tokio::test]
async fn a_new_ledger_carries_prod_smokes_application_id() {
    use sqlx::ConnectOptions;

    let env = Env::new();
    seal_run(&green(), &env.config()).await.unwrap();
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(env.ledger_path())
        .connect()
        .await
        .unwrap();
    let id: i32 = sqlx::query_scalar("PRAGMA application_id")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(id, APPLICATION_ID);
    drop(conn);
    // And it opens again as prod-smoke's own.
    seal_run(&green(), &env.config()).await.unwrap();
}

/// A ledger on a read-only filesystem (a real read-only mount).
#[tokio::test]
async fn a_ledger_on_a_read_only_filesystem_goes_to_the_temporary_fallback() {
    let Some(ro) = prod_smoke_testkit::TinyFs::read_only() else {
        return;
    };
    let mut env = Env::new();
    env.overrides.ledger = Some(ro.path().join("ledger.sqlite3"));
    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    let LedgerPlace::Fallback { path, problem } = &outcome.place else {
        panic!("expected a fallback ledger, got {:?}", outcome.place);
    };
    assert!(
        problem.contains("Read-only file system") || problem.contains("readonly"),
        "{problem}"
    );
    assert!(
        path.starts_with(env.dir.path().join("tmp")),
        "{}",
        path.display()
    );
    let replay = deliver_pending(&env.config()).await.unwrap();
    assert_eq!(replay.fallbacks.len(), 1, "{replay}");
}

/// A run that went to a fallback shows in `history` once the ledger works.
#[tokio::test]
async fn history_includes_the_runs_of_the_fallback_ledgers() {
    let env = Env::new();
    std::fs::write(env.ledger_path(), b"not a database at all").unwrap();
    let fallen = seal_run(&red(), &env.config()).await.unwrap();
    assert!(matches!(fallen.place, LedgerPlace::Fallback { .. }));
    std::fs::remove_file(env.ledger_path()).unwrap();
    let kept = seal_run(&green(), &env.config()).await.unwrap();
    assert_eq!(kept.place, LedgerPlace::Ledger);
    let entries = history(&env.config(), None, 10).await.unwrap().entries;
    let ids: Vec<&str> = entries.iter().map(|e| e.run_id.as_str()).collect();
    assert!(ids.contains(&fallen.run_id.as_str()), "{ids:?}");
    assert!(ids.contains(&kept.run_id.as_str()), "{ids:?}");
    assert_eq!(
        history(&env.config(), None, 1).await.unwrap().entries.len(),
        1
    );
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
