//! The seal through the binary: Postgres, the mock Discord and the ledger,
//! hostile pages, dead sinks, and secrets that never leak.

use std::path::Path;

use prod_smoke_fixture_site::{Fault, FixtureOptions};
use prod_smoke_testkit::{MockDiscord, PgCluster, TestPostgres, fixtures};
use sqlx::{Connection, Row};

use crate::support::{Finished, Smoke, site, site_with};

const PASSWORD: &str = "pw-Sup3rSecret-db";
const EXTRA_SECRET: &str = "hunter2-extra-secret";

pub(crate) async fn hub_database(db: &TestPostgres) {
    db.run_script(fixtures::HUB_SCHEMA)
        .await
        .expect("hub schema loads");
    let mut conn = db.connect().await.unwrap();
    sqlx::query(
        "INSERT INTO releases (slug, state, deployed_sha, production_url, branch, created_at, updated_at) \
         VALUES ('2026-11-23-rc1', 'assembled', 'abc1234def', 'https://mcritchie.studio', 'main', now(), now())",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let _ = conn.close().await;
}

/// `url` with a password added, which the trust-auth test server ignores.
pub(crate) fn with_password(url: &str) -> String {
    url.replacen("postgres@", &format!("postgres:{PASSWORD}@"), 1)
}

pub(crate) fn connect_sinks(s: &mut Smoke, db_url: &str, discord: &MockDiscord) {
    s.env("DATABASE_URL", db_url);
    s.env("DISCORD_RELEASE_NOTES_WEBHOOK_URL", &discord.webhook_url());
    s.env("PROD_SMOKE_DISCORD_API_BASE", &discord.api_base());
    s.env("DISCORD_OPERATOR_MENTION", "<@&424242>");
    s.args(["--delivery-attempts", "1"]);
}

pub(crate) fn all_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            all_files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[tokio::test]
async fn red_run_seals_postgres_and_discord_and_leaks_no_secret() {
    let broken = site(&[]).await;
    let db = TestPostgres::create().await.unwrap();
    hub_database(&db).await;
    let discord = MockDiscord::start().await.unwrap();

    let mut s = Smoke::against(&broken.base_url());
    let db_url = with_password(db.url());
    connect_sinks(&mut s, &db_url, &discord);
    // A spec whose failure message carries the --secret value, so masking
    // is exercised, not just hoped for.
    let spec = s.scratch.path().join("secret.yaml");
    std::fs::write(
        &spec,
        format!(
            "scenarios:\n  - name: home\n    tags: ['@qa-readonly']\n    steps:\n      - visit: /\n      - text: {EXTRA_SECRET}\n"
        ),
    )
    .unwrap();
    let summary = s.scratch.path().join("step-summary.md");
    s.args([
        "--spec",
        spec.to_str().unwrap(),
        "--secret",
        EXTRA_SECRET,
        "--sha",
        "abc1234def",
    ]);
    s.env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap());
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");
    assert!(f.stderr.contains("postgres: delivered"), "{f}");
    assert!(f.stderr.contains("discord: delivered"), "{f}");

    // Postgres: exactly three keys, ISO-8601 UTC, events once.
    let mut conn = db.connect().await.unwrap();
    let seal: serde_json::Value =
        sqlx::query("SELECT smoke_seal FROM releases WHERE slug = '2026-11-23-rc1'")
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .get(0);
    let keys: Vec<&String> = seal.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["checked_at", "status", "summary"], "{seal}");
    assert_eq!(seal["status"], "red");
    let checked_at = seal["checked_at"].as_str().unwrap();
    assert!(
        chrono::NaiveDateTime::parse_from_str(checked_at, "%Y-%m-%dT%H:%M:%SZ").is_ok(),
        "{checked_at}"
    );
    let events: Vec<(String, String)> = sqlx::query(
        "SELECT status, idempotency_key FROM release_events WHERE step = 'prod_smoke' ORDER BY id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    assert_eq!(
        events,
        [
            (
                "started".to_string(),
                "2026-11-23-rc1:prod_smoke:started".to_string()
            ),
            (
                "failed".to_string(),
                "2026-11-23-rc1:prod_smoke:failed".to_string()
            )
        ]
    );

    // Discord: the verdict line, screenshots attached, the rollback block.
    let posts = discord.delivered_posts();
    assert_eq!(posts.len(), 1, "{posts:#?}");
    let content = posts[0].content().unwrap_or_default();
    assert!(
        content.starts_with("🔴 Production smoke seal: FAILED — @qa-readonly FAILED vs 127.0.0.1:"),
        "{content}"
    );
    let payload = posts[0].json.clone().unwrap().to_string();
    assert!(
        payload.contains("```"),
        "rollback block in a code block: {payload}"
    );
    assert!(
        payload.contains("git -C <repo> revert -m1 abc1234def"),
        "{payload}"
    );
    assert!(
        content.contains("<@&424242>"),
        "the operator is alerted: {content}"
    );
    assert!(
        !posts[0].attachments.is_empty(),
        "failure screenshots attached"
    );

    // Secrets: nowhere in output, artifacts, ledger, summary, Discord or Postgres.
    let webhook = discord.webhook_url();
    let secrets = [
        PASSWORD,
        EXTRA_SECRET,
        discord.token(),
        webhook.as_str(),
        db_url.as_str(),
    ];
    let mut haystacks: Vec<(String, Vec<u8>)> = vec![
        ("stdout".into(), f.stdout.clone().into_bytes()),
        ("stderr".into(), f.stderr.clone().into_bytes()),
    ];
    let mut files = Vec::new();
    all_files(s.scratch.path(), &mut files);
    for file in files {
        if file.extension().is_some_and(|e| e == "yaml") {
            continue; // the spec we wrote holds the secret on purpose
        }
        haystacks.push((
            file.display().to_string(),
            std::fs::read(&file).unwrap_or_default(),
        ));
    }
    for r in discord.requests() {
        haystacks.push((
            "discord payload".into(),
            serde_json::to_vec(&r.json).unwrap(),
        ));
    }
    let rows: Vec<String> = sqlx::query(
        "SELECT row_to_json(e)::text FROM release_events e UNION ALL SELECT smoke_seal::text FROM releases",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect();
    haystacks.push(("postgres".into(), rows.join("\n").into_bytes()));
    let _ = conn.close().await;
    for (name, bytes) in &haystacks {
        let text = String::from_utf8_lossy(bytes);
        for secret in secrets {
            assert!(!text.contains(secret), "{name} leaks {secret:?}");
        }
    }
    assert!(
        f.stderr.contains("***"),
        "the secret was masked where it appeared: {f}"
    );
}

#[tokio::test]
async fn hostile_title_is_escaped_and_pings_nobody() {
    let hostile = site(&[Fault::HostileTitle]).await;
    let discord = MockDiscord::start().await.unwrap();
    let mut s = Smoke::against(&hostile.base_url());
    s.env("DISCORD_RELEASE_NOTES_WEBHOOK_URL", &discord.webhook_url());
    s.env("PROD_SMOKE_DISCORD_API_BASE", &discord.api_base());
    let summary = s.scratch.path().join("step-summary.md");
    s.env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap());
    s.env("GITHUB_ACTIONS", "true");
    let f: Finished = s.run().await;
    assert_eq!(f.code, 1, "{f}");

    let html = std::fs::read_to_string(s.artifacts().join("report.html")).unwrap();
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "escaped title in report.html"
    );
    assert!(!html.contains("<img src=x"), "raw markup in report.html");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(!md.contains("<img"), "raw markup in the step summary: {md}");
    assert!(f.stderr.contains("::error"), "annotations printed: {f}");
    assert_eq!(
        f.stdout.lines().count(),
        1,
        "stdout stays one JSON object: {f}"
    );

    let posts = discord.delivered_posts();
    assert_eq!(posts.len(), 1, "{posts:#?}");
    let payload = posts[0].json.clone().unwrap();
    assert!(
        payload.to_string().contains("@everyone"),
        "the title reaches Discord as text"
    );
    let allowed = &payload["allowed_mentions"];
    assert_eq!(allowed["parse"], serde_json::json!([]), "{allowed}");
    assert!(
        allowed
            .get("roles")
            .is_none_or(|r| r.as_array().is_some_and(|a| a.is_empty())),
        "{allowed}"
    );
    assert!(
        allowed
            .get("users")
            .is_none_or(|r| r.as_array().is_some_and(|a| a.is_empty())),
        "{allowed}"
    );
}

#[tokio::test]
async fn dead_database_and_discord_keep_the_verdict_and_deliver_later_exactly_once() {
    let broken = site(&[Fault::Up503]).await;
    let cluster = tokio::task::spawn_blocking(PgCluster::start)
        .await
        .unwrap()
        .unwrap();
    let db = TestPostgres::create_on_cluster(&cluster).await.unwrap();
    hub_database(&db).await;
    let discord = MockDiscord::start().await.unwrap();
    discord.fail_next(1000, 500);
    cluster.stop().unwrap();

    let mut s = Smoke::against(&broken.base_url());
    connect_sinks(&mut s, db.url(), &discord);
    let f = s.run().await;
    assert_eq!(f.code, 1, "the site's verdict stands: {f}");
    assert!(f.stderr.contains("postgres: pending"), "{f}");
    assert!(f.stderr.contains("discord: pending"), "{f}");

    cluster.restart().unwrap();
    discord.clear_script();
    let deliver = |s: &Smoke| {
        let mut d = Smoke::new();
        d.args(["deliver", "--ledger", s.ledger().to_str().unwrap()]);
        connect_sinks(&mut d, db.url(), &discord);
        d
    };
    let first = deliver(&s).run().await;
    assert_eq!(first.code, 0, "{first}");
    assert!(
        first.stderr.contains("2 delivered, 0 still pending"),
        "{first}"
    );
    let second = deliver(&s).run().await;
    assert_eq!(second.code, 0, "{second}");
    assert!(second.stderr.contains("Nothing pending"), "{second}");

    assert_eq!(discord.delivered_posts().len(), 1);
    let mut conn = db.connect().await.unwrap();
    let n: i64 = sqlx::query("SELECT count(*) FROM release_events WHERE step = 'prod_smoke'")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2, "started + failed, once each");
    let _ = conn.close().await;
}

#[tokio::test]
async fn page_text_cannot_forge_the_alert() {
    // The board says `**URGENT** [Roll back now](https://evil.example/…)`
    // with mentions and fences instead of "Tasks"; every page also tries
    // every write channel.
    let forged = site_with(FixtureOptions {
        faults: vec![Fault::ForgedAlert],
        hostile: true,
        ..FixtureOptions::default()
    })
    .await;
    let discord = MockDiscord::start().await.unwrap();
    let mut s = Smoke::against(&forged.base_url());
    s.env("DISCORD_RELEASE_NOTES_WEBHOOK_URL", &discord.webhook_url());
    s.env("PROD_SMOKE_DISCORD_API_BASE", &discord.api_base());
    let summary = s.scratch.path().join("step-summary.md");
    s.env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap());
    s.env("GITHUB_ACTIONS", "true");
    let f: Finished = s.run().await;
    assert_eq!(f.code, 1, "{f}");
    assert_eq!(forged.count_non_get(), 0, "a write reached the server");

    let posts = discord.delivered_posts();
    assert_eq!(posts.len(), 1, "{posts:#?}");
    let payload = posts[0].json.clone().unwrap();
    let description = payload["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // The verdict line is what the release notes get, too.
    let content = posts[0].content().unwrap_or_default();
    assert!(
        description.contains("\\*\\*URGENT\\*\\*"),
        "the page text is quoted, escaped: {description}"
    );
    for text in [&description, &content.to_string()] {
        assert!(!text.contains("**URGENT**"), "bold page text: {text}");
        assert!(!text.contains("[Roll back now]("), "page link: {text}");
        assert!(!text.contains("https://evil.example"), "autolink: {text}");
        assert!(!text.contains("||spoiler||"), "spoiler: {text}");
    }
    // The only fence is prod-smoke's own rollback block, if any.
    assert!(
        !description.contains("```rust"),
        "page fence opened a code block: {description}"
    );

    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(!md.contains("**URGENT**"), "{md}");
    assert!(!md.contains("[Roll back now]("), "{md}");
    assert!(!md.contains("https://evil.example"), "{md}");
    assert!(!md.contains("```"), "{md}");

    // `prod-smoke notes` later writes the same escaped line into a notes
    // file, which GitHub renders as Markdown too.
    let notes_file = s.scratch.path().join("NOTES.md");
    std::fs::write(&notes_file, "## rc-42\n- a change\n").unwrap();
    let mut n = Smoke::new();
    n.args([
        "notes",
        "--app",
        "mcritchie-studio",
        "--append",
        notes_file.to_str().unwrap(),
        "--ledger",
        s.ledger().to_str().unwrap(),
    ]);
    let f = n.run().await;
    assert_eq!(f.code, 0, "{f}");
    let notes = std::fs::read_to_string(&notes_file).unwrap();
    assert!(
        notes.ends_with('\n'),
        "the file lost its last newline: {notes:?}"
    );
    let last = notes.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("🔴 Production smoke seal: FAILED"),
        "{notes}"
    );
    assert_eq!(last, content.trim_end(), "the notes get Discord's line");
    assert!(last.contains("\\`body contains"), "escaped: {notes}");
    for bad in [
        "**URGENT**",
        "[Roll back now](",
        "https://evil.example",
        "```",
    ] {
        assert!(!notes.contains(bad), "{bad} in the notes: {notes}");
    }
}
