//! Postgres stopped and Discord failing: the seal is kept, and delivered
//! exactly once when they come back.

use prod_smoke_seal::{DeliveryState, Ledger, Sink, SinkOutcome, deliver_pending, seal_run};
use prod_smoke_testkit::{PgCluster, TestPostgres, fixtures};

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_postgres_and_discord_lose_nothing_and_replay_exactly_once() {
    let cluster = tokio::task::spawn_blocking(PgCluster::start)
        .await
        .unwrap()
        .unwrap();
    let db = TestPostgres::create_on_cluster(&cluster).await.unwrap();
    db.run_script(fixtures::HUB_SCHEMA).await.unwrap();
    insert_release(db.url(), "rc-42", "assembled", None, Some("abc1234")).await;
    let mock = prod_smoke_testkit::MockDiscord::start().await.unwrap();
    let mut env = Env::new();
    env.with_database(db.url()).with_discord(&mock);
    let cfg = env.config();

    // Down: Postgres stopped for real, Discord answering 500.
    tokio::task::block_in_place(|| cluster.stop()).unwrap();
    mock.fail_next(1000, 500);

    let report = red();
    let outcome = seal_run(&report, &cfg).await.unwrap();
    assert!(
        matches!(
            outcome.sink(Sink::Postgres),
            Some(SinkOutcome::Pending { .. })
        ),
        "{outcome}"
    );
    assert!(
        matches!(
            outcome.sink(Sink::Discord),
            Some(SinkOutcome::Pending { .. })
        ),
        "{outcome}"
    );
    assert!(outcome.has_pending());
    // The verdict is untouched by the outage, and the rollback block is there.
    assert_eq!(outcome.verdict, prod_smoke_model::Verdict::Red);
    assert!(
        outcome
            .rollback
            .as_deref()
            .unwrap()
            .contains("<release-merge-sha>")
    );

    let ledger = Ledger::open(&env.ledger_path(), &Default::default())
        .await
        .unwrap();
    let states: Vec<(Sink, DeliveryState, u32)> = ledger
        .deliveries(&report.run_id)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.sink, d.state, d.attempts))
        .collect();
    assert_eq!(
        states,
        [
            (Sink::Postgres, DeliveryState::Pending, 3),
            (Sink::Discord, DeliveryState::Pending, 3)
        ]
    );
    ledger.close().await;

    // Still down: a replay changes nothing but the attempt counts.
    let replay = deliver_pending(&cfg).await.unwrap();
    assert_eq!(replay.delivered(), 0);
    assert_eq!(replay.still_pending(), 2);

    // Both come back.
    tokio::task::block_in_place(|| cluster.restart()).unwrap();
    mock.clear_script();
    mock.clear_requests();

    let replay = deliver_pending(&cfg).await.unwrap();
    assert_eq!(replay.delivered(), 2, "{replay}");
    assert_eq!(replay.still_pending(), 0);
    // A second replay delivers nothing.
    let again = deliver_pending(&cfg).await.unwrap();
    assert!(again.deliveries.is_empty(), "{again}");
    assert_eq!(
        again.to_string(),
        "Nothing pending: every seal has been delivered.\n"
    );

    // Discord got exactly one post; the release has one seal and no duplicate events.
    assert_eq!(mock.delivered_posts().len(), 1);
    assert_eq!(mock.requests().len(), 1);
    // The replayed message knows the release and its sha from Postgres.
    let description = mock.delivered_posts()[0].json.as_ref().unwrap()["embeds"][0]["description"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(description.contains("revert -m1 abc1234"), "{description}");
    assert_eq!(smoke_seal(db.url(), "rc-42").await["status"], "red");
    let keys: Vec<String> = events(db.url()).await.into_iter().map(|e| e.0).collect();
    assert_eq!(
        keys,
        ["rc-42:prod_smoke:started", "rc-42:prod_smoke:failed"]
    );

    let ledger = Ledger::open(&env.ledger_path(), &Default::default())
        .await
        .unwrap();
    let deliveries = ledger.deliveries(&report.run_id).await.unwrap();
    assert!(
        deliveries
            .iter()
            .all(|d| d.state == DeliveryState::Delivered)
    );
    let history = ledger.history(Some("mcritchie-studio"), 5).await.unwrap();
    assert_eq!(history[0].release_slug.as_deref(), Some("rc-42"));
    drop(db);
}
