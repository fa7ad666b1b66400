//! Webhook tokens, database passwords and `--secret` values never appear
//! in anything the seal returns or writes.

use prod_smoke_seal::{
    Ledger, SinkOutcome, chain, deliver_pending, format_history, history, seal_run,
};
use prod_smoke_testkit::MockDiscord;

use crate::support::*;

const DB_PASSWORD: &str = "Pg-Pa55word-never-shown";
const EXTRA_SECRET: &str = "extra-secret-value-42";

fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{what} leaks `{secret}`:\n{text}");
    }
}

#[tokio::test]
async fn no_secret_reaches_the_ledger_outputs_errors_or_sinks() {
    let mock = MockDiscord::start().await.unwrap();
    let db = hub_db().await;
    insert_release(db.url(), "rc-42", "assembled", None, None).await;
    // The test server trusts local connections, so the password is carried but unused.
    let url_with_password = db
        .url()
        .replacen("postgres@", &format!("postgres:{DB_PASSWORD}@"), 1);
    assert!(url_with_password.contains(DB_PASSWORD));
    let mut env = Env::new();
    env.with_discord(&mock).with_database(&url_with_password);
    env.overrides.secrets = vec![EXTRA_SECRET.to_string()];
    let cfg = env.config();
    let webhook_url = mock.webhook_url();
    let secrets = [
        DB_PASSWORD,
        mock.token(),
        webhook_url.as_str(),
        EXTRA_SECRET,
    ];

    // Secrets that found their way into page-derived text and the artifacts path.
    let mut report = red_with_screenshots(env.dir.path(), &[("up.png", 100)]);
    report.checks[0].error = Some(format!(
        "title was \"{EXTRA_SECRET}\" at {webhook_url} with {DB_PASSWORD}"
    ));
    report.environment_error = Some(format!("token {}", mock.token()));

    let outcome = seal_run(&report, &cfg).await.unwrap();
    assert!(
        matches!(
            outcome.sink(prod_smoke_seal::Sink::Postgres),
            Some(SinkOutcome::Delivered { .. })
        ),
        "{outcome}"
    );
    let mut seen = vec![
        ("outcome", outcome.to_string()),
        ("outcome debug", format!("{outcome:?}")),
        ("config debug", format!("{cfg:?}")),
    ];

    // Failures whose errors could carry the secrets: Discord down, and a
    // database that refuses connections.
    mock.go_down().await;
    let mut broken = Env::new();
    broken.overrides = env.overrides.clone();
    broken.vars = env.vars.clone();
    broken.with_database(&format!(
        "postgres://postgres:{DB_PASSWORD}@127.0.0.1:1/hub"
    ));
    let failed = seal_run(&red(), &broken.config()).await.unwrap();
    seen.push(("failed outcome", failed.to_string()));
    seen.push(("failed outcome debug", format!("{failed:?}")));
    let replay = deliver_pending(&broken.config()).await.unwrap();
    seen.push(("replay", replay.to_string()));
    seen.push(("replay debug", format!("{replay:?}")));
    mock.come_back().await.unwrap();

    // An error from a ledger that cannot be opened, at a path holding a secret.
    let mut bad = Env::new();
    bad.vars = env.vars.clone();
    bad.overrides = env.overrides.clone();
    let blocker = bad.dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    bad.overrides.ledger = Some(blocker.join(EXTRA_SECRET));
    let fallen_back = seal_run(&red(), &bad.config()).await.unwrap();
    seen.push(("ledger error", fallen_back.where_recorded()));
    seen.push(("ledger error debug", format!("{:?}", fallen_back.place)));
    let error = prod_smoke_seal::Ledger::open(&blocker.join(EXTRA_SECRET), &cfg.redactor)
        .await
        .unwrap_err();
    seen.push(("ledger open error", chain(&error)));
    seen.push(("ledger open error debug", format!("{error:?}")));

    let entries = history(&cfg, None, 10).await.unwrap().entries;
    seen.push(("history", format_history(&entries)));
    seen.push(("history debug", format!("{entries:?}")));

    for (what, text) in &seen {
        assert_clean(what, text, &secrets);
    }

    // The ledger file's bytes.
    let ledger = Ledger::open(&env.ledger_path(), &Default::default())
        .await
        .unwrap();
    ledger.close().await;
    for entry in std::fs::read_dir(env.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && path.to_string_lossy().contains("ledger") {
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert_clean(&path.display().to_string(), &text, &secrets);
        }
    }

    // Everything Discord received (apart from the URL path, which is where
    // a webhook token has to go).
    for request in mock.requests() {
        let body = request.json.map(|j| j.to_string()).unwrap_or_default();
        assert_clean("a Discord payload", &body, &secrets);
        assert_clean("a Discord query", &format!("{:?}", request.query), &secrets);
    }

    // Everything written to Postgres.
    let mut conn = connect(db.url()).await;
    for sql in [
        "SELECT string_agg(r::text, E'\\n') FROM releases r",
        "SELECT string_agg(e::text, E'\\n') FROM release_events e",
        "SELECT string_agg(r::text, E'\\n') FROM prod_smoke.runs r",
        "SELECT string_agg(c::text, E'\\n') FROM prod_smoke.check_results c",
    ] {
        let text: Option<String> = sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap();
        let text = text.unwrap_or_default();
        assert!(!text.is_empty(), "{sql} wrote nothing");
        assert_clean(sql, &text, &secrets);
    }
    assert!(
        events(db.url()).await[1].2.contains("***"),
        "the summary kept a masked secret"
    );
}
