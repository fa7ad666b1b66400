//! The seal in a real Postgres with the hub's tables.

use prod_smoke_model::Verdict;
use prod_smoke_seal::{DeliveryState, Ledger, Sink, SinkOutcome, seal_run};
use prod_smoke_testkit::{TestPostgres, fixtures};
use regex::Regex;
use sqlx::Row;

use crate::support::*;

fn assert_three_keys(seal: &serde_json::Value, status: &str, summary: &str) {
    let object = seal.as_object().expect("smoke_seal is an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["checked_at", "status", "summary"]);
    assert_eq!(seal["status"], status);
    assert_eq!(seal["summary"], summary);
    let iso = Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$").unwrap();
    assert!(
        iso.is_match(seal["checked_at"].as_str().unwrap()),
        "checked_at: {}",
        seal["checked_at"]
    );
}

#[tokio::test]
async fn green_seal_has_exactly_three_keys() {
    let db = hub_db().await;
    insert_release(db.url(), "rc-41", "shipped", Some(60), None).await;
    insert_release(db.url(), "rc-42", "assembled", None, Some("deadbeef")).await;
    let mut env = Env::new();
    env.with_database(db.url());
    let report = green();

    let outcome = seal_run(&report, &env.config()).await.unwrap();

    assert!(
        matches!(
            outcome.sink(Sink::Postgres),
            Some(SinkOutcome::Delivered { .. })
        ),
        "{outcome}"
    );
    assert_eq!(outcome.release_slug.as_deref(), Some("rc-42"));
    let seal = smoke_seal(db.url(), "rc-42").await;
    assert_three_keys(&seal, "green", "@qa-readonly green vs mcritchie.studio");
    assert_eq!(
        seal["checked_at"],
        report.finished_at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    );
    assert_eq!(smoke_seal(db.url(), "rc-41").await, serde_json::json!({}));
    assert!(outcome.rollback.is_none());
    let events = events(db.url()).await;
    assert_eq!(
        events,
        vec![
            (
                "rc-42:prod_smoke:started".into(),
                "started".into(),
                outcome.summary.clone()
            ),
            (
                "rc-42:prod_smoke:completed".into(),
                "completed".into(),
                outcome.summary.clone()
            ),
        ]
    );
}

#[tokio::test]
async fn red_seal_has_exactly_three_keys_and_a_rollback_block_with_the_sha() {
    let db = hub_db().await;
    insert_release(db.url(), "rc-42", "assembling", None, Some("abc1234")).await;
    let mut env = Env::new();
    env.with_database(db.url());

    let outcome = seal_run(&red(), &env.config()).await.unwrap();

    let summary = "@qa-readonly FAILED vs mcritchie.studio — GET /up returned 503, expected 200";
    assert_eq!(outcome.summary, summary);
    assert_three_keys(&smoke_seal(db.url(), "rc-42").await, "red", summary);
    let keys: Vec<String> = events(db.url()).await.into_iter().map(|e| e.0).collect();
    assert_eq!(
        keys,
        ["rc-42:prod_smoke:started", "rc-42:prod_smoke:failed"]
    );
    let block = outcome.rollback.expect("red has a rollback block");
    assert!(block.contains("heroku rollback --app mcritchie-studio-prod"));
    assert!(block.contains("git -C /srv/mcritchie-studio revert -m1 abc1234"));

    // Event rows carry url, sha, source and metadata.
    let mut conn = connect(db.url()).await;
    let row = sqlx::query(
        "SELECT url, sha, source, metadata FROM release_events WHERE status = 'failed'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(row.get::<String, _>("url"), URL);
    assert_eq!(row.get::<String, _>("sha"), "abc1234");
    assert_eq!(row.get::<String, _>("source"), "prod-smoke");
    let metadata: serde_json::Value = row.get("metadata");
    assert_eq!(metadata["run_id"], outcome.run_id);
    assert_eq!(metadata["failed"], 1);
}

#[tokio::test]
async fn events_are_written_once_when_the_run_is_repeated() {
    let db = hub_db().await;
    insert_release(db.url(), "rc-42", "assembled", None, None).await;
    let mut env = Env::new();
    env.with_database(db.url());
    let cfg = env.config();

    let first = red();
    seal_run(&first, &cfg).await.unwrap();
    // The same run sealed again, and a fresh red run for the same release.
    seal_run(&first, &cfg).await.unwrap();
    seal_run(&red(), &cfg).await.unwrap();
    let keys: Vec<String> = events(db.url()).await.into_iter().map(|e| e.0).collect();
    assert_eq!(
        keys,
        ["rc-42:prod_smoke:started", "rc-42:prod_smoke:failed"]
    );

    // Then it passes: only the completed row is new; the seal turns green.
    seal_run(&green(), &cfg).await.unwrap();
    let keys: Vec<String> = events(db.url()).await.into_iter().map(|e| e.0).collect();
    assert_eq!(
        keys,
        [
            "rc-42:prod_smoke:started",
            "rc-42:prod_smoke:failed",
            "rc-42:prod_smoke:completed"
        ]
    );
    assert_eq!(smoke_seal(db.url(), "rc-42").await["status"], "green");
}

#[tokio::test]
async fn events_are_written_once_without_a_unique_index_too() {
    let db = hub_db().await;
    let mut conn = connect(db.url()).await;
    sqlx::query("DROP INDEX index_release_events_on_idempotency_key")
        .execute(&mut conn)
        .await
        .unwrap();
    insert_release(db.url(), "rc-42", "assembled", None, None).await;
    let mut env = Env::new();
    env.with_database(db.url());
    let cfg = env.config();
    for _ in 0..3 {
        seal_run(&green(), &cfg).await.unwrap();
    }
    assert_eq!(events(db.url()).await.len(), 2);
}

#[tokio::test]
async fn an_older_run_replayed_late_never_overwrites_a_newer_seal() {
    let db = hub_db().await;
    insert_release(db.url(), "rc-42", "assembled", None, None).await;
    let mut env = Env::new();
    env.with_database(db.url());
    let cfg = env.config();
    let older = report_at(
        Verdict::Red,
        red().checks,
        chrono::Utc::now() - chrono::Duration::minutes(3),
    );
    seal_run(&green(), &cfg).await.unwrap();
    let outcome = seal_run(&older, &cfg).await.unwrap();
    match outcome.sink(Sink::Postgres) {
        Some(SinkOutcome::Delivered { detail, .. }) => {
            assert!(detail.contains("newer seal"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(smoke_seal(db.url(), "rc-42").await["status"], "green");
}

#[tokio::test]
async fn release_is_picked_explicit_then_active_then_last_shipped() {
    let db = hub_db().await;
    insert_release(db.url(), "rc-39", "shipped", Some(300), None).await;
    insert_release(db.url(), "rc-40", "shipped", Some(30), Some("sha40")).await;
    insert_release(db.url(), "rc-41", "abandoned", None, None).await;

    // No active release: the most recently shipped.
    let mut env = Env::new();
    env.with_database(db.url());
    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    assert_eq!(outcome.release_slug.as_deref(), Some("rc-40"));
    assert_eq!(smoke_seal(db.url(), "rc-40").await["status"], "green");

    // An active one wins over shipped ones.
    insert_release(db.url(), "rc-42", "assembling", None, None).await;
    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    assert_eq!(outcome.release_slug.as_deref(), Some("rc-42"));

    // An explicit slug wins over everything.
    env.overrides.release_slug = Some("rc-39".to_string());
    let outcome = seal_run(&red(), &env.config()).await.unwrap();
    assert_eq!(outcome.release_slug.as_deref(), Some("rc-39"));
    assert_eq!(smoke_seal(db.url(), "rc-39").await["status"], "red");
    assert_eq!(smoke_seal(db.url(), "rc-42").await["status"], "green");
}

#[tokio::test]
async fn no_release_is_a_warning_and_the_ledger_keeps_the_seal() {
    let db = hub_db().await;
    insert_release(db.url(), "rc-41", "abandoned", None, None).await;
    let mut env = Env::new();
    env.with_database(db.url());
    let report = red();

    let outcome = seal_run(&report, &env.config()).await.unwrap();
    match outcome.sink(Sink::Postgres) {
        Some(SinkOutcome::Warning { reason }) => {
            assert!(reason.contains("no active or shipped release"), "{reason}")
        }
        other => panic!("expected a warning, got {other:?}"),
    }
    assert!(events(db.url()).await.is_empty());

    // An explicit slug that does not exist is a warning too.
    env.overrides.release_slug = Some("rc-404".to_string());
    let outcome = seal_run(&red(), &env.config()).await.unwrap();
    assert!(matches!(
        outcome.sink(Sink::Postgres),
        Some(SinkOutcome::Warning { .. })
    ));

    let ledger = Ledger::open(&env.ledger_path(), &Default::default())
        .await
        .unwrap();
    let history = ledger.history(None, 10).await.unwrap();
    assert_eq!(history.len(), 2);
    assert!(
        history
            .iter()
            .any(|h| h.run_id == report.run_id && h.verdict.as_str() == "red")
    );
    let deliveries = ledger.deliveries(&report.run_id).await.unwrap();
    assert_eq!(deliveries[0].state, DeliveryState::Skipped);
}

#[tokio::test]
async fn missing_smoke_seal_column_names_the_app_migration() {
    let db = TestPostgres::create().await.unwrap();
    db.run_script(fixtures::HUB_SCHEMA_WITHOUT_SMOKE_SEAL)
        .await
        .unwrap();
    insert_release(db.url(), "rc-42", "assembled", None, None).await;
    let mut env = Env::new();
    env.with_database(db.url());
    let report = green();

    let outcome = seal_run(&report, &env.config()).await.unwrap();
    match outcome.sink(Sink::Postgres) {
        Some(SinkOutcome::Pending { error, attempts }) => {
            assert!(error.contains("AddSmokeSealToReleases"), "{error}");
            assert!(
                error.contains("db/migrate/*_add_smoke_seal_to_releases.rb"),
                "{error}"
            );
            // Retrying cannot help, so it was tried once and left pending.
            assert_eq!(*attempts, 1);
        }
        other => panic!("expected pending, got {other:?}"),
    }
    // Nothing was written to the app's tables.
    assert!(events(db.url()).await.is_empty());
}

#[tokio::test]
async fn prod_smoke_history_and_migrations_live_in_their_own_schema() {
    let db = hub_db().await;
    insert_release(db.url(), "rc-42", "assembled", None, None).await;
    let mut env = Env::new();
    env.with_database(db.url());
    let report = red();
    seal_run(&report, &env.config()).await.unwrap();

    let mut conn = connect(db.url()).await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables \
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        tables,
        [
            "prod_smoke._sqlx_migrations",
            "prod_smoke.check_results",
            "prod_smoke.runs",
            "public.release_events",
            "public.releases",
        ]
    );
    let checks: i64 =
        sqlx::query_scalar("SELECT count(*) FROM prod_smoke.check_results WHERE run_id = $1")
            .bind(&report.run_id)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(checks, 2);
    let slug: String =
        sqlx::query_scalar("SELECT release_slug FROM prod_smoke.runs WHERE run_id = $1")
            .bind(&report.run_id)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(slug, "rc-42");
}

#[tokio::test]
async fn inconclusive_runs_never_seal_the_release() {
    let db = hub_db().await;
    insert_release(db.url(), "rc-42", "assembled", None, None).await;
    let mut env = Env::new();
    env.with_database(db.url());
    let mut report = report(Verdict::Inconclusive, vec![]);
    report.environment_error = Some("no Chromium found".to_string());

    let outcome = seal_run(&report, &env.config()).await.unwrap();
    assert!(matches!(
        outcome.sink(Sink::Postgres),
        Some(SinkOutcome::Skipped { .. })
    ));
    assert_eq!(smoke_seal(db.url(), "rc-42").await, serde_json::json!({}));
    assert!(events(db.url()).await.is_empty());
    assert!(outcome.rollback.is_none());
    let ledger = Ledger::open(&env.ledger_path(), &Default::default())
        .await
        .unwrap();
    assert_eq!(
        ledger.history(None, 5).await.unwrap()[0].verdict.as_str(),
        "inconclusive"
    );
}
