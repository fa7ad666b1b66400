//! The seal in the hub app's Postgres: `releases.smoke_seal`, the
//! `release_events` audit rows, and prod-smoke's own history in the
//! `prod_smoke` schema. The app's tables are written, never altered.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use prod_smoke_model::{RunReport, Verdict};
use prod_smoke_redact::Redactor;
use serde_json::json;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::types::Json;
use sqlx::{Connection, Row};

use crate::sinks::adapter::{Attempt, Done, Initial, Job, SinkAdapter};
use crate::config::SealConfig;
use crate::errors::{Cause, DeliveryError, SealError, SinkFailure, chain};
use crate::ledger::RunRecord;
use crate::settings::{EnvVar, Need, Secrecy, Settings};
use crate::summary::SmokeSeal;

/// The hub's database; unset, the sink is skipped.
const DATABASE_URL: &str = "DATABASE_URL";
/// Only masked: the password for a `DATABASE_URL` that carries none.
const PGPASSWORD: &str = "PGPASSWORD";

/// Upper bound for one whole delivery attempt.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);

/// The Postgres sink's settings.
pub(crate) struct PostgresConfig {
    /// `DATABASE_URL`, as set.
    pub database_url: Option<String>,
}

impl PostgresConfig {
    pub fn read(settings: &Settings) -> Self {
        PostgresConfig {
            database_url: settings.raw(DATABASE_URL).map(str::to_string),
        }
    }
}

/// What only the hub's database can get wrong.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PostgresError {
    #[error("DATABASE_URL is not a valid Postgres URL")]
    Url {
        #[source]
        cause: Cause,
    },

    #[error("could not connect to Postgres (DATABASE_URL)")]
    Connect {
        #[source]
        cause: Cause,
    },

    #[error("Postgres failed while {doing}")]
    Query {
        doing: &'static str,
        #[source]
        cause: Cause,
    },

    #[error(
        "the database has no `releases` table: DATABASE_URL should point at the hub app's \
         production database"
    )]
    NoReleasesTable,

    #[error(
        "`releases.smoke_seal` does not exist yet: run the hub migration `AddSmokeSealToReleases` \
         (db/migrate/*_add_smoke_seal_to_releases.rb) in production, then `prod-smoke deliver`"
    )]
    MissingSmokeSealColumn,
}

impl SinkFailure for PostgresError {
    /// A dropped connection or a failed statement may pass; a bad URL or
    /// the wrong database will not.
    fn is_transient(&self) -> bool {
        matches!(self, PostgresError::Connect { .. } | PostgresError::Query { .. })
    }
}

/// prod-smoke's schema; sqlx's own bookkeeping table lives there too.
pub const SCHEMA: &str = "prod_smoke";
const MIGRATIONS_TABLE: &str = "prod_smoke._sqlx_migrations";

/// A release created this long after the run finished can still be the one
/// it checked (clock skew between machines); anything later cannot.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(5);

/// prod-smoke's migrations (root `migrations/`), with sqlx's bookkeeping
/// table kept in the `prod_smoke` schema rather than `public`, which
/// belongs to the app.
pub fn migrator() -> Migrator {
    let mut migrator = sqlx::migrate!("../../migrations");
    migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
    migrator.create_schema(SCHEMA);
    migrator
}

/// How the release to seal was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleasePick {
    /// Named with `--release`.
    Explicit,
    /// The single release in state `assembling` or `assembled`.
    Active,
    /// None active: the most recently shipped one.
    LastShipped,
    /// Resolved by an earlier attempt to deliver this run, and kept.
    Remembered,
}

impl ReleasePick {
    pub fn describe(self) -> &'static str {
        match self {
            ReleasePick::Explicit => "the release given",
            ReleasePick::Active => "the active release",
            ReleasePick::LastShipped => "the most recently shipped release",
            ReleasePick::Remembered => "the release resolved when the run was first delivered",
        }
    }
}

/// What a Postgres delivery did.
#[derive(Debug, Clone)]
enum PgResult {
    Sealed(PgSealed),
    /// No release to seal; nothing was written. The reason says why.
    NoRelease(String),
}

#[derive(Debug, Clone)]
struct PgSealed {
    pub release_slug: String,
    pub deployed_sha: Option<String>,
    pub pick: ReleasePick,
    /// False when a newer run's seal was already there (it is kept).
    pub seal_written: bool,
    pub events_written: u64,
    /// prod-smoke's own history could not be written (the app's seal was).
    pub history_warning: Option<String>,
}

impl PgSealed {
    pub fn describe(&self) -> String {
        let mut text = format!("release {} ({})", self.release_slug, self.pick.describe());
        if self.seal_written {
            text.push_str(": smoke_seal written");
        } else {
            text.push_str(": a newer seal is already recorded, kept it");
        }
        text.push_str(&format!(", {} new release event(s)", self.events_written));
        if let Some(warning) = &self.history_warning {
            text.push_str(&format!("; warning: {warning}"));
        }
        text
    }
}

/// The Postgres sink (`DATABASE_URL`).
pub(crate) struct Postgres;

impl SinkAdapter for Postgres {
    const NAME: &'static str = "postgres";
    const HISTORY_COLUMN: Option<&'static str> = Some("POSTGRES");
    const LABEL: &'static str = "Postgres";
    const HELP: &'static str = "DATABASE_URL (and PGPASSWORD): the seal on the Release row";
    const ENV: &'static [EnvVar] = &[
        EnvVar {
            name: DATABASE_URL,
            need: Need::Required,
            secrecy: Secrecy::WithParts(password_of),
            help: "the hub's Postgres: the seal on the Release row",
        },
        EnvVar {
            name: PGPASSWORD,
            need: Need::Optional,
            secrecy: Secrecy::Secret,
            help: "masked in all output (for a DATABASE_URL that carries no password)",
        },
    ];

    type Config = PostgresConfig;

    fn config(settings: &Settings) -> PostgresConfig {
        PostgresConfig::read(settings)
    }

    fn initial(run: &RunRecord, _cfg: &SealConfig, own: &PostgresConfig) -> Option<Initial> {
        Some(if run.report.verdict == Verdict::Inconclusive {
            Initial::skipped(
                "inconclusive run: the site was not judged, so the release stays unsealed",
                None,
            )
        } else if own.database_url.is_none() {
            Initial::skipped("not configured (DATABASE_URL is not set)", None)
        } else {
            Initial::pending(None)
        })
    }

    fn not_configured(own: &PostgresConfig) -> Option<&'static str> {
        own.database_url
            .is_none()
            .then_some("DATABASE_URL is not set")
    }

    /// Seals the release, then tells the ledger (and the later sinks) which
    /// release that was and its `deployed_sha`.
    async fn deliver(job: &mut Job<'_>, own: &PostgresConfig) -> Result<Attempt, SealError> {
        if job.run.report.verdict == Verdict::Inconclusive {
            return Ok(Attempt::skipped(
                "inconclusive run: the release stays unsealed",
            ));
        }
        let snapshot = job.run.clone();
        let url = own.database_url.as_deref().unwrap_or_default();
        let (result, attempts) = job.retry(|| deliver(url, &snapshot, job.cfg)).await;
        let result = match result {
            Ok(PgResult::Sealed(sealed)) => {
                job.ledger
                    .set_release(
                        &job.run.report.run_id,
                        &sealed.release_slug,
                        sealed.deployed_sha.as_deref(),
                    )
                    .await?;
                job.run.release_slug = Some(sealed.release_slug.clone());
                if sealed.deployed_sha.is_some() {
                    job.run.deployed_sha = sealed.deployed_sha.clone();
                }
                Ok(Done::Delivered(sealed.describe()))
            }
            Ok(PgResult::NoRelease(reason)) => Ok(Done::Warning(reason)),
            Err(e) => Err(e),
        };
        Ok(Attempt { attempts, result })
    }
}

#[derive(Debug, Clone)]
struct Release {
    slug: String,
    deployed_sha: Option<String>,
}

/// Delivers one run's seal. Green and red only: an inconclusive run is
/// never sent here (the caller skips it).
async fn deliver(url: &str, run: &RunRecord, cfg: &SealConfig) -> Result<PgResult, DeliveryError> {
    let secs = DELIVERY_TIMEOUT.as_secs();
    tokio::time::timeout(DELIVERY_TIMEOUT, deliver_inner(url, run, cfg))
        .await
        .unwrap_or(Err(DeliveryError::Timeout { secs }))
}

async fn deliver_inner(
    url: &str,
    run: &RunRecord,
    cfg: &SealConfig,
) -> Result<PgResult, DeliveryError> {
    let redactor = &cfg.redactor;
    let mut conn = connect(url, cfg.request_timeout, redactor, false).await?;
    let result = seal(&mut conn, run, redactor).await;
    let _ = conn.close().await;
    result
}

/// With `read_only`, the server refuses any write on the connection, so a
/// lookup cannot change the app's data whatever its SQL says.
async fn connect(
    url: &str,
    timeout: Duration,
    redactor: &Redactor,
    read_only: bool,
) -> Result<PgConnection, DeliveryError> {
    let mut options = PgConnectOptions::from_str(url)
        .map_err(|e| PostgresError::Url {
            cause: Cause::new(redactor, &e),
        })?
        .application_name("prod-smoke")
        // Never wait on a locked row or a slow statement for long.
        .options([("statement_timeout", "20s"), ("lock_timeout", "10s")]);
    if read_only {
        options = options.options([("default_transaction_read_only", "on")]);
    }
    match tokio::time::timeout(timeout, PgConnection::connect_with(&options)).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(PostgresError::Connect {
            cause: Cause::new(redactor, &e),
        }
        .into()),
        Err(_) => Err(PostgresError::Connect {
            cause: Cause::text(
                redactor,
                &format!("no answer within {}s", timeout.as_secs()),
            ),
        }
        .into()),
    }
}

/// The release a run would be sealed against, and its `deployed_sha`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseSha {
    pub slug: String,
    pub deployed_sha: Option<String>,
    pub pick: ReleasePick,
}

/// Looks up, read-only, the release the seal of a run that finished at
/// `finished_at` would be recorded against (the same pick as the
/// delivery: `--release`, else the single active one, else the last
/// shipped) and its `deployed_sha`. Bounded by the config's request
/// timeout; `Err` says why there is none, with secrets masked.
pub async fn release_sha(
    cfg: &SealConfig,
    finished_at: DateTime<Utc>,
) -> Result<ReleaseSha, String> {
    let own = PostgresConfig::read(&cfg.settings);
    let Some(url) = own.database_url.as_deref() else {
        return Err("no DATABASE_URL to look up the release".to_string());
    };
    let redactor = &cfg.redactor;
    let lookup = async {
        let mut conn = connect(url, cfg.request_timeout, redactor, true)
            .await
            .map_err(|e| chain(&e))?;
        let picked = pick_release(
            &mut conn,
            cfg.release_slug.as_deref(),
            finished_at,
            redactor,
        )
        .await;
        let _ = conn.close().await;
        match picked.map_err(|e| chain(&e))? {
            Ok((release, pick)) => Ok(ReleaseSha {
                slug: release.slug,
                deployed_sha: release.deployed_sha.filter(|s| !s.trim().is_empty()),
                pick,
            }),
            Err(reason) => Err(reason),
        }
    };
    let secs = cfg.request_timeout.as_secs();
    tokio::time::timeout(cfg.request_timeout * 2, lookup)
        .await
        .unwrap_or_else(|_| Err(format!("Postgres gave no answer within {}s", secs * 2)))
        .map_err(|e| redactor.redact(&e))
}

fn query_error<'a>(
    redactor: &'a Redactor,
    doing: &'static str,
) -> impl Fn(sqlx::Error) -> DeliveryError + 'a {
    move |e| {
        // 42703 undefined_column: the app's migration has not run (or was
        // rolled back between our check and the write).
        if let sqlx::Error::Database(db) = &e
            && db.code().as_deref() == Some("42703")
            && db.message().contains("smoke_seal")
        {
            return PostgresError::MissingSmokeSealColumn.into();
        }
        PostgresError::Query {
            doing,
            cause: Cause::new(redactor, &e),
        }
        .into()
    }
}

async fn seal(
    conn: &mut PgConnection,
    run: &RunRecord,
    redactor: &Redactor,
) -> Result<PgResult, DeliveryError> {
    let report = &run.report;
    let Some(mut seal) = SmokeSeal::for_report(report) else {
        return Ok(PgResult::NoRelease(
            "the run was inconclusive; nothing to seal".to_string(),
        ));
    };
    // The run's own summary: a watch's amendment says when (watch.rs).
    seal.summary = run.summary.clone();
    check_app_schema(conn, redactor).await?;
    let history_warning = migrate(conn, redactor).await.err();
    let event_columns = release_event_columns(conn, redactor).await?;

    let mut tx = Connection::begin(&mut *conn)
        .await
        .map_err(query_error(redactor, "starting a transaction"))?;
    // A replay keeps the release an earlier attempt already resolved.
    let known = run.release_slug.as_deref();
    let (release, pick) = match pick_release(&mut tx, known, report.finished_at, redactor).await? {
        Ok((release, _)) if known.is_some() && !run.release_explicit => {
            (release, ReleasePick::Remembered)
        }
        Ok(found) => found,
        Err(reason) => return Ok(PgResult::NoRelease(reason)),
    };

    let seal_written = sqlx::query(
        "UPDATE releases SET smoke_seal = $1, updated_at = now() \
         WHERE slug = $2 AND COALESCE(CASE WHEN jsonb_typeof(smoke_seal::jsonb) = 'object' \
         THEN smoke_seal::jsonb ->> 'checked_at' END, '') <= $3",
    )
    .bind(Json(&seal))
    .bind(&release.slug)
    .bind(&seal.checked_at)
    .execute(&mut *tx)
    .await
    .map_err(query_error(redactor, "writing releases.smoke_seal"))?
    .rows_affected()
        > 0;

    let sha = run.sha.clone().or_else(|| release.deployed_sha.clone());
    let mut events_written = 0;
    if let Some(columns) = event_columns {
        let final_status = if report.verdict == Verdict::Green {
            "completed"
        } else {
            "failed"
        };
        // A watch's amendment is a change of the seal, not a new run of
        // it: only its final status, under a key of its own (watch.rs).
        let amends = run.watch.as_ref().and_then(|w| w.amends()).is_some();
        let statuses: &[(&str, DateTime<Utc>)] = if amends {
            &[(final_status, report.finished_at)]
        } else {
            &[
                ("started", report.started_at),
                (final_status, report.finished_at),
            ]
        };
        for &(status, at) in statuses {
            events_written += insert_event(
                &mut tx,
                columns,
                EventRow {
                    release_slug: &release.slug,
                    status,
                    message: &run.summary,
                    occurred_at: at,
                    metadata: event_metadata(report, redactor),
                    url: &report.url,
                    sha: sha.as_deref(),
                    key_suffix: amends.then_some(report.run_id.as_str()),
                },
                redactor,
            )
            .await?;
        }
    }

    let history_warning = match history_warning {
        Some(warning) => Some(warning),
        None => {
            // A savepoint, so a failure here never undoes the app's seal.
            let mut savepoint = Connection::begin(&mut *tx)
                .await
                .map_err(query_error(redactor, "starting a savepoint"))?;
            match insert_history(&mut savepoint, run, &release.slug).await {
                Ok(()) => {
                    savepoint
                        .commit()
                        .await
                        .map_err(query_error(redactor, "writing prod_smoke history"))?;
                    None
                }
                Err(e) => {
                    let _ = savepoint.rollback().await;
                    Some(redactor.redact(&format!("prod_smoke history not written: {e}")))
                }
            }
        }
    };

    tx.commit()
        .await
        .map_err(query_error(redactor, "committing the seal"))?;
    Ok(PgResult::Sealed(PgSealed {
        release_slug: release.slug,
        deployed_sha: release.deployed_sha,
        pick,
        seal_written,
        events_written,
        history_warning,
    }))
}

async fn check_app_schema(
    conn: &mut PgConnection,
    redactor: &Redactor,
) -> Result<(), DeliveryError> {
    let row = sqlx::query(
        "SELECT to_regclass('releases') IS NOT NULL AS has_table, \
         EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('releases') \
         AND attname = 'smoke_seal' AND attnum > 0 AND NOT attisdropped) AS has_seal",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(query_error(redactor, "checking the releases table"))?;
    if !row.get::<bool, _>("has_table") {
        return Err(PostgresError::NoReleasesTable.into());
    }
    if !row.get::<bool, _>("has_seal") {
        return Err(PostgresError::MissingSmokeSealColumn.into());
    }
    Ok(())
}

/// Brings the `prod_smoke` schema up to date. A failure (no CREATE
/// permission, say) is returned as a warning: the app's seal still goes in.
async fn migrate(conn: &mut PgConnection, redactor: &Redactor) -> Result<(), String> {
    migrator()
        .run(&mut *conn)
        .await
        .map_err(|e| redactor.redact(&format!("prod_smoke schema not migrated: {e}")))
}

/// Which optional Rails timestamp columns `release_events` has; `None`
/// when there is no such table (then no events are written).
#[derive(Debug, Clone, Copy)]
struct EventColumns {
    created_at: bool,
    updated_at: bool,
}

async fn release_event_columns(
    conn: &mut PgConnection,
    redactor: &Redactor,
) -> Result<Option<EventColumns>, DeliveryError> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT attname::text FROM pg_attribute WHERE attrelid = to_regclass('release_events') \
         AND attnum > 0 AND NOT attisdropped",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(query_error(redactor, "checking the release_events table"))?;
    if names.is_empty() {
        return Ok(None);
    }
    Ok(Some(EventColumns {
        created_at: names.iter().any(|n| n == "created_at"),
        updated_at: names.iter().any(|n| n == "updated_at"),
    }))
}

/// The release to seal: `explicit` when given; else the single active
/// (`assembling`/`assembled`) release; else the most recently shipped one.
/// Releases created after the run finished (beyond [`CLOCK_SKEW`]) are not
/// candidates, so a late replay never seals a release the run never saw.
/// `Ok(Err(reason))` when there is none (a warning, not a failure).
async fn pick_release(
    conn: &mut PgConnection,
    explicit: Option<&str>,
    finished_at: DateTime<Utc>,
    redactor: &Redactor,
) -> Result<Result<(Release, ReleasePick), String>, DeliveryError> {
    let to_release = |row: sqlx::postgres::PgRow| Release {
        slug: row.get("slug"),
        deployed_sha: row.get("deployed_sha"),
    };
    if let Some(slug) = explicit {
        let row = sqlx::query(
            "SELECT slug::text AS slug, deployed_sha::text AS deployed_sha FROM releases \
             WHERE slug = $1",
        )
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await
        .map_err(query_error(redactor, "looking up the release"))?;
        return Ok(match row {
            Some(row) => Ok((to_release(row), ReleasePick::Explicit)),
            None => Err(format!(
                "no release with slug `{slug}`; the seal stays in the ledger"
            )),
        });
    }

    let latest_possible = finished_at + CLOCK_SKEW;
    let active = sqlx::query(
        "SELECT slug::text AS slug, deployed_sha::text AS deployed_sha FROM releases \
         WHERE state IN ('assembling', 'assembled') AND created_at <= $1 \
         ORDER BY created_at DESC, id DESC LIMIT 2",
    )
    .bind(latest_possible)
    .fetch_all(&mut *conn)
    .await
    .map_err(query_error(redactor, "looking up the active release"))?;
    match active.len() {
        1 => {
            let row = active.into_iter().next().expect("one row");
            return Ok(Ok((to_release(row), ReleasePick::Active)));
        }
        0 => {}
        _ => {
            return Ok(Err(
                "more than one active release; name one with --release (the seal stays in the ledger)"
                    .to_string(),
            ));
        }
    }

    let shipped = sqlx::query(
        "SELECT slug::text AS slug, deployed_sha::text AS deployed_sha FROM releases \
         WHERE shipped_at IS NOT NULL AND created_at <= $1 \
         ORDER BY shipped_at DESC, id DESC LIMIT 1",
    )
    .bind(latest_possible)
    .fetch_optional(&mut *conn)
    .await
    .map_err(query_error(redactor, "looking up the last shipped release"))?;
    Ok(match shipped {
        Some(row) => Ok((to_release(row), ReleasePick::LastShipped)),
        None => {
            Err("no active or shipped release to seal; the seal stays in the ledger".to_string())
        }
    })
}

struct EventRow<'a> {
    release_slug: &'a str,
    status: &'a str,
    message: &'a str,
    occurred_at: DateTime<Utc>,
    metadata: serde_json::Value,
    url: &'a str,
    sha: Option<&'a str>,
    /// After the contract's `<slug>:prod_smoke:<status>`, for a watch's
    /// amendment: each change is a row of its own.
    key_suffix: Option<&'a str>,
}

/// `INSERT ... WHERE NOT EXISTS` finds an earlier row with the same key when
/// the app has no unique index; `ON CONFLICT DO NOTHING` (no target) covers
/// a unique index if it has one; the advisory lock closes the race between
/// two concurrent writers when it has none.
macro_rules! insert_event_sql {
    ($columns:literal, $values:literal) => {
        concat!(
            "INSERT INTO release_events (release_slug, step, status, source, message, ",
            "idempotency_key, occurred_at, metadata, url, sha",
            $columns,
            ") SELECT $1, 'prod_smoke', $2, 'prod-smoke', $3, $4, $5, $6, $7, $8",
            $values,
            " WHERE NOT EXISTS (SELECT 1 FROM release_events WHERE idempotency_key = $4) ",
            "ON CONFLICT DO NOTHING"
        )
    };
}

async fn insert_event(
    conn: &mut PgConnection,
    columns: EventColumns,
    row: EventRow<'_>,
    redactor: &Redactor,
) -> Result<u64, DeliveryError> {
    let mut key = format!("{}:prod_smoke:{}", row.release_slug, row.status);
    if let Some(suffix) = row.key_suffix {
        key = format!("{key}:{suffix}");
    }
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind(&key)
        .execute(&mut *conn)
        .await
        .map_err(query_error(redactor, "locking the release event"))?;
    let sql: &'static str = match (columns.created_at, columns.updated_at) {
        (true, true) => insert_event_sql!(", created_at, updated_at", ", now(), now()"),
        (true, false) => insert_event_sql!(", created_at", ", now()"),
        (false, true) => insert_event_sql!(", updated_at", ", now()"),
        (false, false) => insert_event_sql!("", ""),
    };
    let result = sqlx::query(sql)
        .bind(row.release_slug)
        .bind(row.status)
        .bind(row.message)
        .bind(&key)
        .bind(row.occurred_at)
        .bind(Json(row.metadata))
        .bind(row.url)
        .bind(row.sha)
        .execute(&mut *conn)
        .await
        .map_err(query_error(redactor, "writing release_events"))?;
    Ok(result.rows_affected())
}

fn event_metadata(report: &RunReport, redactor: &Redactor) -> serde_json::Value {
    json!({
        "run_id": report.run_id,
        "app": report.app,
        "verdict": report.verdict.as_str(),
        "artifacts_path": report
            .artifacts_dir
            .as_ref()
            .map(|p| redactor.redact(&p.display().to_string())),
        "passed": report.passed_count(),
        "failed": report.failed_count(),
        "flaky": report.flaky_count(),
        "retried": report.retried,
        "duration_ms": report.duration_ms(),
    })
}

async fn insert_history(
    conn: &mut PgConnection,
    run: &RunRecord,
    release_slug: &str,
) -> Result<(), sqlx::Error> {
    let report = &run.report;
    sqlx::query(
        "INSERT INTO prod_smoke.runs (run_id, app, url, release_slug, verdict, summary, \
         checked_at, started_at, finished_at, duration_ms, passed, failed, flaky, retried, \
         artifacts_dir) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
         ON CONFLICT (run_id) DO UPDATE SET release_slug = EXCLUDED.release_slug",
    )
    .bind(&report.run_id)
    .bind(&report.app)
    .bind(&report.url)
    .bind(release_slug)
    .bind(report.verdict.as_str())
    .bind(&run.summary)
    .bind(report.finished_at)
    .bind(report.started_at)
    .bind(report.finished_at)
    .bind(report.duration_ms() as i64)
    .bind(report.passed_count() as i32)
    .bind(report.failed_count() as i32)
    .bind(report.flaky_count() as i32)
    .bind(report.retried)
    .bind(
        report
            .artifacts_dir
            .as_ref()
            .map(|p| p.display().to_string()),
    )
    .execute(&mut *conn)
    .await?;
    for (position, check) in report.checks.iter().enumerate() {
        sqlx::query(
            "INSERT INTO prod_smoke.check_results (run_id, position, scenario, name, status, \
             duration_ms, http_status, error, screenshot, attempts, details) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
        )
        .bind(&report.run_id)
        .bind(position as i32)
        .bind(&check.scenario)
        .bind(&check.name)
        .bind(
            serde_json::to_value(check.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string)),
        )
        .bind(check.duration_ms as i64)
        .bind(check.http_status.map(i32::from))
        .bind(&check.error)
        .bind(check.screenshot.as_ref().map(|p| p.display().to_string()))
        .bind(check.attempts as i32)
        .bind(Json(json!({
            "blocked_requests": check.blocked_requests,
            "page_errors": check.page_errors,
        })))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The password in `scheme://user:password@host/...` as written (encoded),
/// for the redactor.
fn password_of(url: &str) -> Vec<String> {
    url_password(url).into_iter().collect()
}

fn url_password(url: &str) -> Option<String> {
    if let Ok(parsed) = url::Url::parse(url) {
        return parsed.password().map(str::to_string);
    }
    // Not a URL the parser accepts (odd characters): find it by hand.
    let rest = url.split_once("://")?.1;
    let userinfo = rest.rsplit_once('@')?.0;
    userinfo
        .split_once(':')
        .map(|(_, p)| p.to_string())
        .filter(|p| !p.is_empty())
}
