//! Borrowed browsers: a loopback pool in front of a real Chromium that
//! refuses, rate-limits and fills up the way browserless does; plain Chrome
//! found through /json/version; a raw ws:// URL; browser-URL credentials
//! that never leak; and a pool that restarts in the middle of a scenario.

use std::time::Duration;

use prod_smoke_fixture_site::{Fault, FixtureSite};
use prod_smoke_testkit::{MockDiscord, PoolAnswer, PoolOptions, StandInPool, TestPostgres};
use sqlx::{Connection, Row};

use crate::seal::{all_files, connect_sinks, hub_database, with_password};
use crate::support::{Finished, Smoke, assert_no_browser_left, site};

async fn pool(slots: usize, refuse_first: Vec<PoolAnswer>) -> StandInPool {
    StandInPool::start(PoolOptions {
        slots,
        refuse_first,
        ..PoolOptions::default()
    })
    .await
    .expect("the stand-in pool starts")
}

/// Every output a run leaves behind: stdout, stderr, every file in its
/// scratch folder (reports, JUnit, results.json, step summary, the ledger
/// bytes), every mock Discord request and the Postgres rows.
async fn everything_written(
    f: &Finished,
    s: &Smoke,
    discord: &MockDiscord,
    db: &TestPostgres,
) -> Vec<(String, String)> {
    let mut out = vec![
        ("stdout".to_string(), f.stdout.clone()),
        ("stderr".to_string(), f.stderr.clone()),
    ];
    let mut files = Vec::new();
    all_files(s.scratch.path(), &mut files);
    for file in files {
        let bytes = std::fs::read(&file).unwrap_or_default();
        out.push((
            file.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    for r in discord.requests() {
        out.push((
            "discord payload".into(),
            serde_json::to_string(&r.json).unwrap(),
        ));
    }
    let mut conn = db.connect().await.unwrap();
    let rows: Vec<String> = sqlx::query(
        "SELECT row_to_json(e)::text FROM release_events e UNION ALL SELECT row_to_json(r)::text FROM releases r",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect();
    let _ = conn.close().await;
    out.push(("postgres".into(), rows.join("\n")));
    out
}

fn assert_absent(written: &[(String, String)], secret: &str) {
    for (name, text) in written {
        assert!(!text.contains(secret), "{name} leaks {secret:?}:\n{text}");
    }
}

#[tokio::test]
async fn wrong_token_is_inconclusive_and_the_token_is_in_no_output() {
    let good = site(&[]).await;
    let pool = pool(2, Vec::new()).await;
    let db = TestPostgres::create().await.unwrap();
    hub_database(&db).await;
    let discord = MockDiscord::start().await.unwrap();
    let wrong = "wrong-Tok3n-that-must-never-leak-42";

    let mut s = Smoke::against(&good.base_url());
    connect_sinks(&mut s, &with_password(db.url()), &discord);
    let summary = s.scratch.path().join("step-summary.md");
    s.env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap());
    s.env("GITHUB_ACTIONS", "true");
    s.args(["--cdp-url", &pool.ws_url_with_token(wrong)]);
    let f = s.run().await;

    assert_eq!(f.code, 3, "a refused token is prod-smoke's problem: {f}");
    assert!(f.stderr.contains("HTTP 401"), "{f}");
    assert!(
        f.stderr.contains("token=***"),
        "the URL is shown masked: {f}"
    );
    assert_eq!(pool.answers(), [401], "a refused token is not retried");
    // The plain-HTTP scenario ran and passed; the page scenario never did.
    assert!(
        f.stderr
            .lines()
            .any(|l| l == "1 passed, 0 failed, 1 skipped"),
        "{f}"
    );
    assert_eq!(f.json()["scenarios"]["skipped"], 1, "{f}");
    assert_eq!(f.json()["scenarios"]["passed"], 1, "{f}");
    let results = f.results(&s.artifacts());
    assert!(
        results["counts"]["skipped"].as_u64().unwrap() >= 1,
        "{results}"
    );
    let junit = std::fs::read_to_string(s.artifacts().join("junit.xml")).unwrap();
    assert!(junit.contains("<skipped"), "{junit}");
    assert!(!junit.contains("failures=\"1"), "{junit}");

    let written = everything_written(&f, &s, &discord, &db).await;
    assert!(written.iter().any(|(n, _)| n.ends_with("step-summary.md")));
    assert!(written.iter().any(|(n, _)| n.ends_with("ledger.sqlite3")));
    assert_absent(&written, wrong);
}

#[tokio::test]
async fn busy_pool_is_waited_out_and_the_seal_is_green_with_the_token_masked() {
    let good = site(&[]).await;
    let pool = pool(
        1,
        vec![
            PoolAnswer::Status(429),
            PoolAnswer::Status(503),
            PoolAnswer::Close,
        ],
    )
    .await;
    let db = TestPostgres::create().await.unwrap();
    hub_database(&db).await;
    let discord = MockDiscord::start().await.unwrap();

    let mut s = Smoke::against(&good.base_url());
    connect_sinks(&mut s, &with_password(db.url()), &discord);
    // Through the variable, so the token stays out of `ps`.
    s.env("PROD_SMOKE_CDP_URL", &pool.ws_url());
    s.args(["--pool-budget", "60"]);
    let f = s.run().await;

    assert_eq!(f.code, 0, "{f}");
    assert!(f.stderr.lines().any(|l| l == "2 passed, 0 failed"), "{f}");
    assert_eq!(pool.answers(), [429, 503, 0, 101], "{f}");
    let written = everything_written(&f, &s, &discord, &db).await;
    assert_absent(&written, pool.token());
}

#[tokio::test]
async fn a_pool_that_stays_busy_is_inconclusive_naming_the_pool() {
    let good = site(&[]).await;
    let pool = pool(1, vec![PoolAnswer::Status(503); 1000]).await;
    let mut s = Smoke::against(&good.base_url());
    s.args(["--cdp-url", &pool.ws_url(), "--pool-budget", "2"]);
    let f = s.run().await;
    assert_eq!(f.code, 3, "{f}");
    assert!(f.stderr.contains("the browser pool at ws://"), "{f}");
    assert!(f.stderr.contains("stayed busy"), "{f}");
    assert!(f.stderr.contains("HTTP 503"), "{f}");
    assert!(pool.answers().len() > 1, "it tried more than once");
    assert!(!f.stderr.contains(pool.token()), "{f}");
    assert!(
        f.stderr.lines().any(|l| l.ends_with("skipped")),
        "an unrun scenario is not a pass: {f}"
    );
}

#[tokio::test]
async fn saturated_pool_of_one_slot_still_gives_four_green_seals() {
    let good = site(&[]).await;
    let pool = pool(1, Vec::new()).await;
    let runs: Vec<Smoke> = (0..4)
        .map(|_| {
            let mut s = Smoke::against(&good.base_url());
            s.args(["--cdp-url", &pool.ws_url(), "--pool-budget", "120"]);
            s
        })
        .collect();
    let results = futures_join(runs.iter().map(|s| s.run())).await;
    for f in &results {
        assert_eq!(f.code, 0, "{f}");
    }
    assert_eq!(pool.max_active(), 1, "one slot, never more");
    assert!(
        pool.answers().contains(&429),
        "the pool was really full at some point: {:?}",
        pool.answers()
    );
    assert_eq!(pool.answers().iter().filter(|&&a| a == 101).count(), 4);
}

async fn futures_join<F: std::future::Future<Output = Finished>>(
    futures: impl Iterator<Item = F>,
) -> Vec<Finished> {
    let handles: Vec<_> = futures.collect();
    let mut out = Vec::new();
    // Polled together, so the four runs really compete for the slot.
    let mut pinned: Vec<_> = handles.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<Finished>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, fut) in pinned.iter_mut().enumerate() {
            if done[i].is_none() {
                match fut.as_mut().poll(cx) {
                    std::task::Poll::Ready(f) => done[i] = Some(f),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.extend(done.into_iter().flatten());
    out
}

#[tokio::test]
async fn plain_chrome_over_http_and_a_raw_ws_url_both_work() {
    let good = site(&[]).await;
    let pool = pool(1, Vec::new()).await;
    for url in [pool.chromium_http_url(), pool.chromium_ws_url().to_string()] {
        let mut s = Smoke::against(&good.base_url());
        s.args(["--cdp-url", &url]);
        let f = s.run().await;
        assert_eq!(f.code, 0, "{url}: {f}");
    }
    // /json/version discovery through the pool's own door, token included.
    let mut s = Smoke::against(&good.base_url());
    let http = pool.http_url();
    s.args(["--cdp-url", &http]);
    let f = s.run().await;
    assert_eq!(f.code, 0, "{http}: {f}");
    assert!(!f.stderr.contains(pool.token()), "{f}");
}

/// Runs `s` against a site whose `/tasks` hangs, and restarts the pool
/// while the browser waits for it: the scenario loses its browser in the
/// middle of a visit. The pool then answers 503 once while it boots.
async fn restart_mid_visit(s: &Smoke, site: &FixtureSite, pool: &StandInPool) -> Finished {
    let child = s.spawn();
    tokio::time::timeout(Duration::from_secs(60), async {
        while site.count_path("/tasks") == 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the scenario reaches /tasks");
    site.unset_fault(Fault::Hang);
    pool.restart(vec![PoolAnswer::Status(503)]);
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("prod-smoke ends after the pool restart")
        .unwrap();
    assert_no_browser_left(&s.tmp());
    Finished {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[tokio::test]
async fn a_browser_lost_to_a_pool_restart_is_retried_on_a_new_connection() {
    let hanging = site(&[Fault::Hang]).await;
    let pool = pool(1, Vec::new()).await;
    let mut s = Smoke::against(&hanging.base_url());
    s.env("PROD_SMOKE_CDP_URL", &pool.ws_url());
    s.args(["--retries", "1", "--retry-delay", "1", "--timeout", "20"]);
    s.args(["--pool-budget", "30"]);
    let f = restart_mid_visit(&s, &hanging, &pool).await;

    assert_eq!(f.code, 0, "{f}");
    assert_eq!(
        pool.answers(),
        [101, 503, 101],
        "reconnected through the restart: {f}"
    );
    assert!(f.stderr.contains("retrying 1 failed scenario"), "{f}");
    assert!(
        f.stderr
            .lines()
            .any(|l| l.starts_with("2 passed, 0 failed")),
        "{f}"
    );
    assert!(!f.stderr.contains(pool.token()), "{f}");
}

#[tokio::test]
async fn a_browser_lost_with_no_retry_left_is_inconclusive_naming_the_pool() {
    let hanging = site(&[Fault::Hang]).await;
    let pool = pool(1, Vec::new()).await;
    let mut s = Smoke::against(&hanging.base_url());
    s.env("PROD_SMOKE_CDP_URL", &pool.ws_url());
    s.args(["--timeout", "20"]);
    let f = restart_mid_visit(&s, &hanging, &pool).await;

    assert_eq!(f.code, 3, "a pool restart is not a red site: {f}");
    assert!(!f.stderr.contains("🔴"), "{f}");
    assert!(
        f.stderr.contains("the browser pool at ws://127.0.0.1:")
            && f.stderr.contains("dropped the connection mid-run"),
        "{f}"
    );
    assert!(f.stderr.contains("token=***"), "{f}");
    assert!(!f.stdout.contains(pool.token()) && !f.stderr.contains(pool.token()));
    assert_eq!(pool.answers(), [101], "no retry, no reconnection");
    // The HTTP-only scenario ran; the one that lost its browser is not a pass.
    assert!(
        f.stderr
            .lines()
            .any(|l| l == "1 passed, 0 failed, 1 skipped"),
        "{f}"
    );
    assert_eq!(f.json()["scenarios"]["passed"], 1, "{f}");
    assert_eq!(f.json()["scenarios"]["skipped"], 1, "{f}");
}

#[tokio::test]
async fn a_short_token_is_masked_with_its_key() {
    let good = site(&[]).await;
    let pool = pool(1, Vec::new()).await;
    let mut s = Smoke::against(&good.base_url());
    s.args(["--cdp-url", &pool.ws_url_with_token("x9")]);
    let f = s.run().await;
    assert_eq!(f.code, 3, "{f}");
    assert!(f.stderr.contains("/chromium?***"), "{f}");
    let mut files = Vec::new();
    all_files(s.scratch.path(), &mut files);
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap_or_default()).into_owned();
        assert!(
            !text.contains("token=x9"),
            "{} leaks the token",
            file.display()
        );
    }
    assert!(
        !f.stderr.contains("token=x9") && !f.stdout.contains("token=x9"),
        "{f}"
    );
}
