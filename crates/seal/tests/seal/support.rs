//! Shared helpers: hand-built reports, configs pointed at the mocks, and a
//! hub database with the app's tables.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use prod_smoke_model::{CheckResult, CheckStatus, RunReport, Verdict};
use prod_smoke_seal::{RetryPolicy, SealConfig, SealOverrides};
use prod_smoke_testkit::{MockDiscord, TestPostgres, fixtures};
use sqlx::{Connection, PgConnection, Row};
use tempfile::TempDir;

pub const URL: &str = "https://mcritchie.studio";

/// 1x1 PNG header plus padding: enough to look like a screenshot.
pub fn fake_png(size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(size.max(8), 0x42);
    bytes
}

pub fn passed(name: &str) -> CheckResult {
    check(name, CheckStatus::Passed, None, None)
}

pub fn failed(name: &str, error: &str, screenshot: Option<&str>) -> CheckResult {
    check(name, CheckStatus::Failed, Some(error), screenshot)
}

pub fn check(
    name: &str,
    status: CheckStatus,
    error: Option<&str>,
    screenshot: Option<&str>,
) -> CheckResult {
    CheckResult {
        scenario: "public routes and the task board respond".to_string(),
        name: name.to_string(),
        status,
        duration_ms: 240,
        http_status: Some(200),
        error: error.map(str::to_string),
        screenshot: screenshot.map(PathBuf::from),
        blocked_requests: vec![],
        page_errors: vec![],
        attempts: if status == CheckStatus::Flaky { 2 } else { 1 },
        since_last_green: None,
    }
}

pub fn report(verdict: Verdict, checks: Vec<CheckResult>) -> RunReport {
    report_at(verdict, checks, Utc::now())
}

pub fn report_at(verdict: Verdict, checks: Vec<CheckResult>, finished: DateTime<Utc>) -> RunReport {
    RunReport {
        run_id: format!("run-{}", uuid_like()),
        app: "mcritchie-studio".to_string(),
        url: URL.to_string(),
        tag: "@qa-readonly".to_string(),
        started_at: finished - chrono::Duration::milliseconds(4200),
        finished_at: finished,
        verdict,
        retried: false,
        retry_delay_secs: 30,
        checks,
        environment_error: None,
        artifacts_dir: None,
        rollback: None,
        traces: Vec::new(),
    }
}

pub fn green() -> RunReport {
    report(
        Verdict::Green,
        vec![passed("GET /up returns 200"), passed("the page opens /")],
    )
}

pub fn red() -> RunReport {
    report(
        Verdict::Red,
        vec![
            failed(
                "GET /up returns 200",
                "GET /up returned 503, expected 200",
                None,
            ),
            passed("GET /devops returns 404"),
        ],
    )
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A red report whose failures have screenshots in an artifacts folder.
pub fn red_with_screenshots(dir: &Path, shots: &[(&str, usize)]) -> RunReport {
    let artifacts = dir.join("artifacts");
    std::fs::create_dir_all(artifacts.join("screenshots")).unwrap();
    let mut checks = Vec::new();
    for (i, (name, size)) in shots.iter().enumerate() {
        let rel = format!("screenshots/{name}");
        std::fs::write(artifacts.join(&rel), fake_png(*size)).unwrap();
        checks.push(failed(
            &format!("check {i}"),
            &format!("step {i} failed"),
            Some(&rel),
        ));
    }
    let mut r = report(Verdict::Red, checks);
    r.artifacts_dir = Some(artifacts);
    r
}

/// The environment a test runs the seal with.
pub struct Env {
    pub dir: TempDir,
    pub vars: HashMap<String, String>,
    pub overrides: SealOverrides,
}

impl Env {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut vars = HashMap::new();
        vars.insert("HOME".to_string(), dir.path().display().to_string());
        // Fallback ledgers (fallback.rs) stay inside the test's folder.
        std::fs::create_dir_all(dir.path().join("tmp")).unwrap();
        vars.insert(
            "TMPDIR".to_string(),
            dir.path().join("tmp").display().to_string(),
        );
        let overrides = SealOverrides {
            ledger: Some(dir.path().join("ledger.sqlite3")),
            retry: Some(RetryPolicy::quick(3)),
            production_app: Some("mcritchie-studio-prod".to_string()),
            repo: Some("/srv/mcritchie-studio".to_string()),
            ..SealOverrides::default()
        };
        Env {
            dir,
            vars,
            overrides,
        }
    }

    pub fn set(&mut self, key: &str, value: &str) -> &mut Self {
        self.vars.insert(key.to_string(), value.to_string());
        self
    }

    pub fn with_discord(&mut self, mock: &MockDiscord) -> &mut Self {
        self.set("DISCORD_RELEASE_NOTES_WEBHOOK_URL", &mock.webhook_url());
        self.set("PROD_SMOKE_DISCORD_API_BASE", &mock.api_base())
    }

    pub fn with_database(&mut self, url: &str) -> &mut Self {
        self.set("DATABASE_URL", url)
    }

    pub fn config(&self) -> SealConfig {
        let vars = self.vars.clone();
        SealConfig::from_lookup(self.overrides.clone(), move |k| vars.get(k).cloned()).unwrap()
    }

    pub fn ledger_path(&self) -> PathBuf {
        self.dir.path().join("ledger.sqlite3")
    }
}

/// A fresh database with the hub's tables.
pub async fn hub_db() -> TestPostgres {
    let db = TestPostgres::create().await.expect("a test Postgres");
    db.run_script(fixtures::HUB_SCHEMA).await.unwrap();
    db
}

pub async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url).await.unwrap()
}

/// Inserts a release; `shipped_minutes_ago` sets `shipped_at`.
pub async fn insert_release(
    url: &str,
    slug: &str,
    state: &str,
    shipped_minutes_ago: Option<i64>,
    deployed_sha: Option<&str>,
) {
    let mut conn = connect(url).await;
    sqlx::query(
        "INSERT INTO releases (slug, state, deployed_sha, shipped_at, created_at, updated_at) \
         VALUES ($1, $2, $3, now() - make_interval(mins => $4::int) , now() - interval '1 day', \
         now() - interval '1 day')",
    )
    .bind(slug)
    .bind(state)
    .bind(deployed_sha)
    .bind(shipped_minutes_ago.map(|m| m as i32))
    .execute(&mut conn)
    .await
    .unwrap();
}

/// `releases.smoke_seal` of a release.
pub async fn smoke_seal(url: &str, slug: &str) -> serde_json::Value {
    let mut conn = connect(url).await;
    sqlx::query_scalar("SELECT smoke_seal FROM releases WHERE slug = $1")
        .bind(slug)
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

/// `(idempotency_key, status, message)` of the prod_smoke events, in order.
pub async fn events(url: &str) -> Vec<(String, String, String)> {
    let mut conn = connect(url).await;
    sqlx::query(
        "SELECT idempotency_key::text AS k, status::text AS s, message FROM release_events \
         WHERE step = 'prod_smoke' ORDER BY id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|r| (r.get("k"), r.get("s"), r.get("message")))
    .collect()
}
