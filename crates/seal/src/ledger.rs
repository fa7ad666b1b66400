//! The local ledger: a SQLite file that holds every run and the state of
//! each of its deliveries. It is written before anything is sent anywhere,
//! and with no sink configured it is (with the artifacts) the record.
//!
//! The ledger knows no sink: it keeps each delivery under the sink's name
//! and position, as the registry gives them. `history.rs` reads the rows
//! back as typed `DeliveryRecord`s.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use prod_smoke_model::{RunReport, Verdict};
use prod_smoke_redact::Redactor;
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use crate::errors::{Cause, SealError, chain};

/// A delivery claimed this long ago by a process that never finished it
/// (it crashed, say) may be claimed again.
const STALE_CLAIM: chrono::Duration = chrono::Duration::minutes(10);

/// A delivery's state in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Not delivered yet; `prod-smoke deliver` will try again.
    Pending,
    /// A process is delivering it right now.
    Delivering,
    Delivered,
    /// Not configured, or nothing to deliver; the detail says which.
    Skipped,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivering => "delivering",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Skipped => "skipped",
        }
    }

    pub const ALL: [DeliveryState; 4] = [
        DeliveryState::Pending,
        DeliveryState::Delivering,
        DeliveryState::Delivered,
        DeliveryState::Skipped,
    ];

    /// `None` for a word the ledger should never hold: the caller turns it
    /// into an error instead of guessing (a guessed `pending` would deliver
    /// a seal twice).
    pub fn parse(text: &str) -> Option<DeliveryState> {
        DeliveryState::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A stored verdict word back as a [`Verdict`]; `None` when it is not one.
pub(crate) fn parse_verdict(text: &str) -> Option<Verdict> {
    [Verdict::Green, Verdict::Red, Verdict::Inconclusive]
        .into_iter()
        .find(|v| v.as_str() == text)
}

/// A run as the ledger keeps it: the redacted report plus what a later
/// replay needs to deliver it the same way.
#[derive(Debug, Clone)]
pub(crate) struct RunRecord {
    pub report: RunReport,
    pub summary: String,
    pub verdict_line: String,
    pub checked_at: String,
    pub release_slug: Option<String>,
    pub release_explicit: bool,
    pub sha: Option<String>,
    pub deployed_sha: Option<String>,
    pub production_app: Option<String>,
    pub repo: Option<String>,
    pub run_link: Option<String>,
    /// The watch pass this run is, if a watch ran it (`watch.rs`).
    pub watch: Option<crate::watch::WatchPass>,
}

/// A sink's row as first written for a run.
#[derive(Debug, Clone)]
pub(crate) struct InitialDelivery {
    /// The sink's name.
    pub sink: &'static str,
    /// Where its row sorts among the run's deliveries.
    pub position: i64,
    pub state: DeliveryState,
    pub detail: Option<String>,
    pub target: Option<String>,
}

/// A delivery waiting for a replay.
#[derive(Debug, Clone)]
pub(crate) struct PendingDelivery {
    pub run_id: String,
    /// The sink's name, as stored.
    pub sink: String,
    pub target: Option<String>,
}

/// The Discord message that carries a release's seal.
#[derive(Debug, Clone)]
pub(crate) struct SealMessage {
    pub message_id: String,
    pub checked_at: String,
}

/// The open ledger.
#[derive(Debug, Clone)]
pub struct Ledger {
    pool: SqlitePool,
    path: PathBuf,
    redactor: Redactor,
}

impl Ledger {
    /// Opens (creating when missing) the ledger at `path` and brings its
    /// schema up to date. A SQLite file that is not a prod-smoke ledger
    /// (another application's database) is refused and left as it is.
    pub async fn open(path: &Path, redactor: &Redactor) -> Result<Self, SealError> {
        let shown = redactor.redact(&path.display().to_string());
        let open_error = |cause: Cause| SealError::LedgerOpen {
            path: shown.clone(),
            cause,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| open_error(Cause::new(redactor, &e)))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            // A plain rollback journal works on every filesystem (WAL does not
            // on network homes); the busy timeout covers a concurrent `deliver`.
            .journal_mode(SqliteJournalMode::Delete)
            .busy_timeout(Duration::from_secs(15))
            .foreign_keys(true);
        let pool = match SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await
        {
            Ok(pool) => pool,
            Err(e) => {
                let mut cause = chain(&e);
                // SQLite says only "unable to open database file": ask the OS why.
                if let Some(why) = why_unopenable(path) {
                    cause.push_str(&format!(" ({why})"));
                }
                return Err(open_error(Cause::text(redactor, &cause)));
            }
        };
        if let Err(e) = claim_file(&pool, &shown, redactor).await {
            pool.close().await;
            return Err(e);
        }
        sqlx::migrate!("./ledger_migrations")
            .run(&pool)
            .await
            .map_err(|e| open_error(Cause::new(redactor, &e)))?;
        Ok(Ledger {
            pool,
            path: path.to_path_buf(),
            redactor: redactor.clone(),
        })
    }

    /// A ledger that lives in memory for this process only: the last resort
    /// when no ledger file can be opened, so every sink is still tried.
    pub(crate) async fn in_memory(redactor: &Redactor) -> Result<Self, SealError> {
        let shown = "(memory)".to_string();
        let open_error = |cause: Cause| SealError::LedgerOpen {
            path: shown.clone(),
            cause,
        };
        let options = SqliteConnectOptions::new()
            .in_memory(true)
            .foreign_keys(true);
        // One connection that never closes: each connection to `:memory:`
        // is a database of its own.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(|e| open_error(Cause::new(redactor, &e)))?;
        sqlx::migrate!("./ledger_migrations")
            .run(&pool)
            .await
            .map_err(|e| open_error(Cause::new(redactor, &e)))?;
        Ok(Ledger {
            pool,
            path: PathBuf::from(shown),
            redactor: redactor.clone(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the connections (the file is complete on disk afterwards).
    pub async fn close(self) {
        self.pool.close().await;
    }

    pub(crate) fn error(&self, doing: &'static str) -> impl Fn(sqlx::Error) -> SealError + '_ {
        move |e| SealError::Ledger {
            path: self.redactor.redact(&self.path.display().to_string()),
            doing,
            cause: Cause::new(&self.redactor, &e),
        }
    }

    /// Writes a run and its deliveries. Writing the same run twice changes
    /// nothing: the first record stands.
    pub(crate) async fn record_run(
        &self,
        run: &RunRecord,
        deliveries: &[InitialDelivery],
    ) -> Result<(), SealError> {
        let err = self.error("recording the run");
        let report = &run.report;
        let checks_json = serde_json::to_string(&report.checks).expect("checks serialise");
        let report_json = serde_json::to_string(report).expect("reports serialise");
        // `releases.smoke_seal`'s words: only a verdict on the site has one.
        let seal_status =
            (report.verdict != Verdict::Inconclusive).then(|| report.verdict.as_str());
        let now = now();
        let mut tx = self.pool.begin().await.map_err(&err)?;
        sqlx::query(
            "INSERT OR IGNORE INTO runs (run_id, app, url, verdict, seal_status, summary, \
             verdict_line, checked_at, started_at, duration_ms, passed, failed, flaky, retried, \
             artifacts_dir, release_slug, release_explicit, sha, deployed_sha, production_app, \
             repo, run_link, checks_json, report_json, recorded_at, watch_id, watch_pass, \
             watch_record, watch_after_ship) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
             ?, ?)",
        )
        .bind(&report.run_id)
        .bind(&report.app)
        .bind(&report.url)
        .bind(report.verdict.as_str())
        .bind(seal_status)
        .bind(&run.summary)
        .bind(&run.verdict_line)
        .bind(&run.checked_at)
        .bind(crate::summary::format_checked_at(report.started_at))
        .bind(report.duration_ms() as i64)
        .bind(report.passed_count() as i64)
        .bind(report.failed_count() as i64)
        .bind(report.flaky_count() as i64)
        .bind(report.retried)
        .bind(
            report
                .artifacts_dir
                .as_ref()
                .map(|p| self.redactor.redact(&p.display().to_string())),
        )
        .bind(&run.release_slug)
        .bind(run.release_explicit)
        .bind(&run.sha)
        .bind(&run.deployed_sha)
        .bind(&run.production_app)
        .bind(&run.repo)
        .bind(&run.run_link)
        .bind(checks_json)
        .bind(report_json)
        .bind(&now)
        .bind(run.watch.as_ref().map(|w| w.watch_id.as_str()))
        .bind(run.watch.as_ref().map(|w| i64::from(w.pass)))
        .bind(run.watch.as_ref().map(|w| w.record.as_str()))
        .bind(run.watch.as_ref().and_then(|w| w.record.after_ship()))
        .execute(&mut *tx)
        .await
        .map_err(&err)?;
        for delivery in deliveries {
            sqlx::query(
                "INSERT OR IGNORE INTO deliveries (run_id, sink, position, state, detail, target, \
                 updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&report.run_id)
            .bind(delivery.sink)
            .bind(delivery.position)
            .bind(delivery.state.as_str())
            .bind(&delivery.detail)
            .bind(&delivery.target)
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        }
        tx.commit().await.map_err(&err)?;
        Ok(())
    }

    /// Claims a pending delivery for this process. `false` when it is not
    /// pending (delivered, skipped, or another process has it).
    pub(crate) async fn claim(&self, run_id: &str, sink: &str) -> Result<bool, SealError> {
        let now = Utc::now();
        let result = sqlx::query(
            "UPDATE deliveries SET state = ?5, claimed_at = ?3, updated_at = ?3 \
             WHERE run_id = ?1 AND sink = ?2 \
             AND (state = ?6 OR (state = ?5 AND claimed_at < ?4))",
        )
        .bind(run_id)
        .bind(sink)
        .bind(stamp(now))
        .bind(stamp(now - STALE_CLAIM))
        .bind(DeliveryState::Delivering.as_str())
        .bind(DeliveryState::Pending.as_str())
        .execute(&self.pool)
        .await
        .map_err(self.error("claiming a delivery"))?;
        Ok(result.rows_affected() == 1)
    }

    pub(crate) async fn mark_delivered(
        &self,
        run_id: &str,
        sink: &str,
        attempts: u32,
        detail: &str,
    ) -> Result<(), SealError> {
        let now = now();
        sqlx::query(
            "UPDATE deliveries SET state = ?6, attempts = attempts + ?3, \
             last_error = NULL, detail = ?4, delivered_at = ?5, updated_at = ?5, claimed_at = NULL \
             WHERE run_id = ?1 AND sink = ?2",
        )
        .bind(run_id)
        .bind(sink)
        .bind(attempts as i64)
        .bind(self.redactor.redact(detail))
        .bind(&now)
        .bind(DeliveryState::Delivered.as_str())
        .execute(&self.pool)
        .await
        .map_err(self.error("marking a delivery done"))?;
        Ok(())
    }

    /// Back to pending after failed attempts, with the (redacted) last error.
    pub(crate) async fn mark_failed(
        &self,
        run_id: &str,
        sink: &str,
        attempts: u32,
        error: &str,
    ) -> Result<(), SealError> {
        sqlx::query(
            "UPDATE deliveries SET state = ?6, attempts = attempts + ?3, last_error = ?4, \
             updated_at = ?5, claimed_at = NULL WHERE run_id = ?1 AND sink = ?2",
        )
        .bind(run_id)
        .bind(sink)
        .bind(attempts as i64)
        .bind(self.redactor.redact(error))
        .bind(now())
        .bind(DeliveryState::Pending.as_str())
        .execute(&self.pool)
        .await
        .map_err(self.error("recording a failed delivery"))?;
        Ok(())
    }

    /// Nothing to deliver (no release to seal, a newer message exists...).
    pub(crate) async fn mark_skipped(
        &self,
        run_id: &str,
        sink: &str,
        attempts: u32,
        reason: &str,
    ) -> Result<(), SealError> {
        sqlx::query(
            "UPDATE deliveries SET state = ?6, attempts = attempts + ?3, last_error = NULL, \
             detail = ?4, updated_at = ?5, claimed_at = NULL WHERE run_id = ?1 AND sink = ?2",
        )
        .bind(run_id)
        .bind(sink)
        .bind(attempts as i64)
        .bind(self.redactor.redact(reason))
        .bind(now())
        .bind(DeliveryState::Skipped.as_str())
        .execute(&self.pool)
        .await
        .map_err(self.error("recording a skipped delivery"))?;
        Ok(())
    }

    /// Deliveries waiting for a replay, oldest run first (so a newer seal is
    /// written last), each run's sinks in order.
    pub(crate) async fn pending(&self) -> Result<Vec<PendingDelivery>, SealError> {
        let rows = sqlx::query(
            "SELECT d.run_id, d.sink, d.target FROM deliveries d JOIN runs r ON r.run_id = d.run_id \
             WHERE d.state = ?2 OR (d.state = ?3 AND d.claimed_at < ?1) \
             ORDER BY r.checked_at, r.recorded_at, r.run_id, d.position",
        )
        .bind(stamp(Utc::now() - STALE_CLAIM))
        .bind(DeliveryState::Pending.as_str())
        .bind(DeliveryState::Delivering.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(self.error("listing pending deliveries"))?;
        Ok(rows
            .into_iter()
            .map(|row| PendingDelivery {
                run_id: row.get("run_id"),
                sink: row.get("sink"),
                target: row.get("target"),
            })
            .collect())
    }

    pub(crate) async fn load_run(&self, run_id: &str) -> Result<RunRecord, SealError> {
        let row = sqlx::query(
            "SELECT summary, verdict_line, checked_at, release_slug, release_explicit, sha, \
             deployed_sha, production_app, repo, run_link, report_json, watch_id, watch_pass, \
             watch_record, watch_after_ship FROM runs WHERE run_id = ?",
        )
        .bind(run_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(self.error("reading a run"))?
        .ok_or_else(|| SealError::UnknownRun {
            path: self.redactor.redact(&self.path.display().to_string()),
            run_id: run_id.to_string(),
        })?;
        let report: RunReport =
            serde_json::from_str(row.get::<&str, _>("report_json")).map_err(|e| {
                SealError::Ledger {
                    path: self.redactor.redact(&self.path.display().to_string()),
                    doing: "reading a run's report",
                    cause: Cause::new(&self.redactor, &e),
                }
            })?;
        Ok(RunRecord {
            report,
            summary: row.get("summary"),
            verdict_line: row.get("verdict_line"),
            checked_at: row.get("checked_at"),
            release_slug: row.get("release_slug"),
            release_explicit: row.get("release_explicit"),
            sha: row.get("sha"),
            deployed_sha: row.get("deployed_sha"),
            production_app: row.get("production_app"),
            repo: row.get("repo"),
            run_link: row.get("run_link"),
            watch: crate::watch::WatchPass::from_columns(
                row.get("watch_id"),
                row.get("watch_pass"),
                row.get("watch_record"),
                row.get("watch_after_ship"),
            ),
        })
    }

    /// Records the release a run was sealed against, once Postgres said.
    pub(crate) async fn set_release(
        &self,
        run_id: &str,
        slug: &str,
        deployed_sha: Option<&str>,
    ) -> Result<(), SealError> {
        sqlx::query(
            "UPDATE runs SET release_slug = ?2, deployed_sha = COALESCE(?3, deployed_sha) \
             WHERE run_id = ?1",
        )
        .bind(run_id)
        .bind(slug)
        .bind(deployed_sha)
        .execute(&self.pool)
        .await
        .map_err(self.error("recording the sealed release"))?;
        Ok(())
    }

    pub(crate) async fn seal_message(
        &self,
        app: &str,
        release_slug: &str,
    ) -> Result<Option<SealMessage>, SealError> {
        let row = sqlx::query(
            "SELECT message_id, checked_at FROM discord_messages WHERE app = ? AND release_slug = ?",
        )
        .bind(app)
        .bind(release_slug)
        .fetch_optional(&self.pool)
        .await
        .map_err(self.error("looking up the release's Discord message"))?;
        Ok(row.map(|row| SealMessage {
            message_id: row.get("message_id"),
            checked_at: row.get("checked_at"),
        }))
    }

    /// Remembers the message carrying a release's seal, unless a newer run's
    /// message is already remembered.
    pub(crate) async fn remember_seal_message(
        &self,
        app: &str,
        release_slug: &str,
        message_id: &str,
        run_id: &str,
        checked_at: &str,
    ) -> Result<(), SealError> {
        sqlx::query(
            "INSERT INTO discord_messages (app, release_slug, message_id, run_id, checked_at, \
             updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (app, release_slug) DO UPDATE SET message_id = excluded.message_id, \
             run_id = excluded.run_id, checked_at = excluded.checked_at, \
             updated_at = excluded.updated_at \
             WHERE excluded.checked_at >= discord_messages.checked_at",
        )
        .bind(app)
        .bind(release_slug)
        .bind(message_id)
        .bind(run_id)
        .bind(checked_at)
        .bind(now())
        .execute(&self.pool)
        .await
        .map_err(self.error("remembering the release's Discord message"))?;
        Ok(())
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A word in the ledger that this prod-smoke does not know (a hand edit,
    /// or a newer prod-smoke wrote it): an error, never a guess.
    pub(crate) fn unknown_word(&self, what: &'static str, word: &str) -> SealError {
        SealError::UnknownStoredValue {
            path: self.redactor.redact(&self.path.display().to_string()),
            what,
            value: self.redactor.redact(word),
        }
    }

    pub(crate) fn history_error(&self) -> impl Fn(sqlx::Error) -> SealError + '_ {
        self.error("reading the history")
    }
}

/// The operating system's reason a file cannot be opened for writing (or
/// created), found by trying it without changing anything that exists.
fn why_unopenable(path: &Path) -> Option<std::io::Error> {
    if path.exists() {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .err()
    } else {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
        {
            Ok(_) => {
                let _ = std::fs::remove_file(path);
                None
            }
            Err(e) => Some(e),
        }
    }
}

/// prod-smoke's SQLite `application_id` ("PSMK"), set on every ledger it
/// creates so that a file of another application is never taken for one.
pub const APPLICATION_ID: i32 = 0x5053_4D4B;
const SET_APPLICATION_ID: &str = "PRAGMA application_id = 1347636555";
/// The tables a ledger made before the `application_id` was set can hold.
const LEDGER_TABLES: [&str; 5] = [
    "_sqlx_migrations",
    "runs",
    "deliveries",
    "discord_messages",
    "deliveries_new",
];

/// Makes sure the open file is a prod-smoke ledger, or an empty one to
/// become one, before any migration writes to it. A file marked with
/// another `application_id`, or holding tables a ledger never has, is
/// refused untouched.
async fn claim_file(pool: &SqlitePool, shown: &str, redactor: &Redactor) -> Result<(), SealError> {
    let open_error = |cause: Cause| SealError::LedgerOpen {
        path: shown.to_string(),
        cause,
    };
    let id: i32 = sqlx::query_scalar("PRAGMA application_id")
        .fetch_one(pool)
        .await
        .map_err(|e| open_error(Cause::new(redactor, &e)))?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    if id != 0 {
        return Err(SealError::ForeignLedger {
            path: shown.to_string(),
            what: format!(
                "its application_id is {id:#010x}, not prod-smoke's {APPLICATION_ID:#010x}"
            ),
        });
    }
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') \
         AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .map_err(|e| open_error(Cause::new(redactor, &e)))?;
    let foreign: Vec<&str> = tables
        .iter()
        .map(String::as_str)
        .filter(|t| !LEDGER_TABLES.contains(t))
        .collect();
    // An older prod-smoke's ledger has `runs`; a new file has nothing.
    let ours = tables.is_empty() || (foreign.is_empty() && tables.iter().any(|t| t == "runs"));
    if !ours {
        let mut named: Vec<&str> = if foreign.is_empty() {
            tables.iter().map(String::as_str).collect()
        } else {
            foreign
        };
        let more = named.len().saturating_sub(5);
        named.truncate(5);
        let mut list = named.join(", ");
        if more > 0 {
            list.push_str(&format!(" and {more} more"));
        }
        return Err(SealError::ForeignLedger {
            path: shown.to_string(),
            what: format!("it holds tables a ledger never has ({list})"),
        });
    }
    sqlx::query(SET_APPLICATION_ID)
        .execute(pool)
        .await
        .map_err(|e| open_error(Cause::new(redactor, &e)))?;
    Ok(())
}

fn now() -> String {
    stamp(Utc::now())
}

/// Millisecond timestamps in one fixed format, so text order is time order.
fn stamp(at: chrono::DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
