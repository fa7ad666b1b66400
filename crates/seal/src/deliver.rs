//! The seal's entry points: [`seal_run`] records a run in the ledger first
//! and then delivers it to every configured sink; [`deliver_pending`]
//! replays whatever is still pending. A dead database or Discord never loses
//! a seal and never changes the site's verdict.

use std::fmt;
use std::path::PathBuf;

use prod_smoke_model::{RunReport, Verdict};

use crate::config::SealConfig;
use crate::errors::{DeliveryError, SealError, chain};
use crate::ledger::{DeliveryState, InitialDelivery, Ledger, RunRecord, Sink};
use crate::notes::{NotesEdit, edit_notes_message};
use crate::postgres::{self, PgResult};
use crate::retry::retry;
use crate::rollback::{RollbackTarget, block_with_proof, rollback_block};
use crate::summary::{checked_at, summary, summary_markdown, verdict_line};
use crate::webhook::Webhook;
use crate::{discord, discord::DiscordResult};

/// What happened to one sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkOutcome {
    Delivered {
        detail: String,
        attempts: u32,
    },
    /// Not delivered yet; the ledger keeps it and `prod-smoke deliver` retries.
    Pending {
        attempts: u32,
        error: String,
    },
    /// Not configured, or nothing to send (the reason says which).
    Skipped {
        reason: String,
    },
    /// Nothing was written and nothing will be retried, but an operator
    /// should know: e.g. no release to seal. The seal stays in the ledger.
    Warning {
        reason: String,
    },
}

impl SinkOutcome {
    pub fn is_pending(&self) -> bool {
        matches!(self, SinkOutcome::Pending { .. })
    }
}

impl fmt::Display for SinkOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SinkOutcome::Delivered { detail, .. } => write!(f, "delivered — {detail}"),
            SinkOutcome::Pending { attempts, error } => write!(
                f,
                "pending after {attempts} attempt(s) — {error}; `prod-smoke deliver` will retry"
            ),
            SinkOutcome::Skipped { reason } => write!(f, "skipped — {reason}"),
            SinkOutcome::Warning { reason } => write!(f, "warning — {reason}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkReport {
    pub sink: Sink,
    pub outcome: SinkOutcome,
}

/// What [`seal_run`] did.
#[derive(Debug, Clone)]
pub struct SealOutcome {
    pub run_id: String,
    pub app: String,
    pub verdict: Verdict,
    pub summary: String,
    pub verdict_line: String,
    pub checked_at: String,
    pub ledger_path: PathBuf,
    /// The release sealed (given, or found in Postgres).
    pub release_slug: Option<String>,
    pub sinks: Vec<SinkReport>,
    /// The rollback block, on red only. Print it; never run it.
    pub rollback: Option<String>,
}

impl SealOutcome {
    pub fn sink(&self, sink: Sink) -> Option<&SinkOutcome> {
        self.sinks
            .iter()
            .find(|s| s.sink == sink)
            .map(|s| &s.outcome)
    }

    pub fn has_pending(&self) -> bool {
        self.sinks.iter().any(|s| s.outcome.is_pending())
    }
}

impl fmt::Display for SealOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.verdict_line)?;
        writeln!(
            f,
            "seal recorded in the ledger {} (run {})",
            self.ledger_path.display(),
            self.run_id
        )?;
        for s in &self.sinks {
            writeln!(f, "  {}: {}", s.sink, s.outcome)?;
        }
        if let Some(block) = &self.rollback {
            writeln!(f, "{block}")?;
        }
        Ok(())
    }
}

/// Records `report` in the ledger, then delivers it to Postgres, Discord
/// and the release notes (whichever are configured), retrying each within
/// `cfg.retry`. Only a ledger failure is an error; a sink failure leaves the
/// delivery pending and is reported in the outcome.
///
/// Inconclusive runs (prod-smoke itself broke) are recorded in the ledger
/// and posted to Discord as "inconclusive", but never written to Postgres
/// (no `smoke_seal`, no `release_events`) and never touch the release notes
/// or the release's seal message: they are not a verdict on the site.
pub async fn seal_run(report: &RunReport, cfg: &SealConfig) -> Result<SealOutcome, SealError> {
    let report = cfg.redactor.redact_value(report);
    let summary = summary(&report);
    let mut run = RunRecord {
        // The verdict line goes to Discord and the release notes, where
        // Markdown renders; the plain summary goes to Postgres.
        verdict_line: verdict_line(report.verdict, &summary_markdown(&report)),
        checked_at: checked_at(&report),
        summary,
        release_slug: cfg.release_slug.clone(),
        release_explicit: cfg.release_slug.is_some(),
        sha: cfg.sha.clone(),
        deployed_sha: None,
        production_app: cfg.production_app.clone(),
        repo: cfg.repo.clone(),
        run_link: cfg.run_link.clone(),
        report,
    };
    let ledger = Ledger::open(&cfg.ledger_path, &cfg.redactor).await?;
    let initial = initial_deliveries(&run.report, cfg);
    ledger.record_run(&run, &initial).await?;

    let run_id = run.report.run_id.clone();
    // The run may already be in the ledger (the same run sealed twice):
    // only what is still pending is delivered again.
    let mut sinks = Vec::new();
    for record in ledger.deliveries(&run_id).await? {
        let outcome = match record.state {
            DeliveryState::Pending | DeliveryState::Delivering => {
                let target = initial
                    .iter()
                    .find(|d| d.sink == record.sink)
                    .and_then(|d| d.target.clone());
                match deliver_one(&ledger, &mut run, record.sink, target.as_deref(), cfg).await? {
                    Some(outcome) => outcome,
                    None => continue,
                }
            }
            DeliveryState::Delivered => SinkOutcome::Delivered {
                detail: record.detail.unwrap_or_default(),
                attempts: record.attempts,
            },
            DeliveryState::Skipped => SinkOutcome::Skipped {
                reason: record.detail.unwrap_or_default(),
            },
        };
        sinks.push(SinkReport {
            sink: record.sink,
            outcome,
        });
    }

    let outcome = SealOutcome {
        run_id,
        app: run.report.app.clone(),
        verdict: run.report.verdict,
        summary: run.summary.clone(),
        verdict_line: run.verdict_line.clone(),
        checked_at: run.checked_at.clone(),
        ledger_path: PathBuf::from(cfg.redactor.redact(&cfg.ledger_path.display().to_string())),
        release_slug: run.release_slug.clone(),
        sinks,
        rollback: rollback_for(&run),
    };
    ledger.close().await;
    Ok(outcome)
}

/// The rollback block for a red run, naming what the run knows.
pub(crate) fn rollback_for(run: &RunRecord) -> Option<String> {
    (run.report.verdict == Verdict::Red).then(|| {
        let block = rollback_block(
            &run.report.host(),
            RollbackTarget {
                production_app: run.production_app.as_deref(),
                repo: run.repo.as_deref(),
                deployed_sha: run.sha.as_deref().or(run.deployed_sha.as_deref()),
            },
        );
        block_with_proof(&block, run.report.rollback.as_ref())
    })
}

fn initial_deliveries(report: &RunReport, cfg: &SealConfig) -> Vec<InitialDelivery> {
    let inconclusive = report.verdict == Verdict::Inconclusive;
    let pending = |sink, target: Option<String>| InitialDelivery {
        sink,
        state: DeliveryState::Pending,
        detail: None,
        target,
    };
    let skipped = |sink, reason: &str, target: Option<String>| InitialDelivery {
        sink,
        state: DeliveryState::Skipped,
        detail: Some(reason.to_string()),
        target,
    };
    let mut list = vec![
        if inconclusive {
            skipped(
                Sink::Postgres,
                "inconclusive run: the site was not judged, so the release stays unsealed",
                None,
            )
        } else if cfg.database_url.is_none() {
            skipped(
                Sink::Postgres,
                "not configured (DATABASE_URL is not set)",
                None,
            )
        } else {
            pending(Sink::Postgres, None)
        },
        if cfg.webhook_url.is_none() {
            skipped(Sink::Discord, WEBHOOK_NOT_SET, None)
        } else {
            pending(Sink::Discord, None)
        },
    ];
    if let Some(id) = &cfg.notes_message_id {
        let target = Some(id.clone());
        list.push(if inconclusive {
            skipped(
                Sink::Notes,
                "inconclusive run: the release notes keep their seal line",
                target,
            )
        } else if cfg.webhook_url.is_none() {
            skipped(Sink::Notes, WEBHOOK_NOT_SET, target)
        } else {
            pending(Sink::Notes, target)
        });
    }
    list
}

const WEBHOOK_NOT_SET: &str =
    "not configured (DISCORD_RELEASE_NOTES_WEBHOOK_URL / DISCORD_DEPLOY_WEBHOOK_URL not set)";

/// Why a sink cannot be delivered with this configuration, if it cannot.
fn not_configured(sink: Sink, cfg: &SealConfig) -> Option<&'static str> {
    match sink {
        Sink::Postgres if cfg.database_url.is_none() => Some("DATABASE_URL is not set"),
        Sink::Discord | Sink::Notes if cfg.webhook_url.is_none() => {
            Some("no Discord webhook URL is set")
        }
        _ => None,
    }
}

/// Claims and delivers one pending sink of a run, then records the result.
/// `None` when another process holds it (or it is no longer pending).
async fn deliver_one(
    ledger: &Ledger,
    run: &mut RunRecord,
    sink: Sink,
    target: Option<&str>,
    cfg: &SealConfig,
) -> Result<Option<SinkOutcome>, SealError> {
    if let Some(why) = not_configured(sink, cfg) {
        return Ok(Some(SinkOutcome::Pending {
            attempts: 0,
            error: format!("{why} here, so it was left pending"),
        }));
    }
    let run_id = run.report.run_id.clone();
    if !ledger.claim(&run_id, sink).await? {
        return Ok(None);
    }
    let attempt = match sink {
        Sink::Postgres => deliver_postgres(ledger, run, cfg).await?,
        Sink::Discord => match discord::deliver(ledger, run, cfg).await {
            Ok((result, attempts)) => Attempt {
                attempts,
                result: result.map(|r| match r {
                    DiscordResult::Superseded(_) => Done::Skipped(r.describe()),
                    _ => Done::Delivered(r.describe()),
                }),
            },
            Err(e) => {
                // The ledger failed mid-delivery: put the claim back if we can.
                let _ = ledger.mark_failed(&run_id, sink, 0, &chain(&e)).await;
                return Err(e);
            }
        },
        Sink::Notes => deliver_notes(run, target, cfg).await,
    };
    let outcome = match attempt.result {
        Ok(Done::Delivered(detail)) => {
            ledger
                .mark_delivered(&run_id, sink, attempt.attempts, &detail)
                .await?;
            SinkOutcome::Delivered {
                detail: cfg.redactor.redact(&detail),
                attempts: attempt.attempts,
            }
        }
        Ok(Done::Skipped(reason)) => {
            ledger
                .mark_skipped(&run_id, sink, attempt.attempts, &reason)
                .await?;
            SinkOutcome::Skipped {
                reason: cfg.redactor.redact(&reason),
            }
        }
        Ok(Done::Warning(reason)) => {
            ledger
                .mark_skipped(&run_id, sink, attempt.attempts, &reason)
                .await?;
            tracing::warn!("{sink}: {reason}");
            SinkOutcome::Warning {
                reason: cfg.redactor.redact(&reason),
            }
        }
        Err(error) => {
            let error = cfg.redactor.redact(&chain(&error));
            ledger
                .mark_failed(&run_id, sink, attempt.attempts, &error)
                .await?;
            tracing::warn!("{sink}: delivery left pending: {error}");
            SinkOutcome::Pending {
                attempts: attempt.attempts,
                error,
            }
        }
    };
    Ok(Some(outcome))
}

enum Done {
    Delivered(String),
    Skipped(String),
    Warning(String),
}

struct Attempt {
    attempts: u32,
    result: Result<Done, DeliveryError>,
}

async fn deliver_postgres(
    ledger: &Ledger,
    run: &mut RunRecord,
    cfg: &SealConfig,
) -> Result<Attempt, SealError> {
    if run.report.verdict == Verdict::Inconclusive {
        return Ok(Attempt {
            attempts: 0,
            result: Ok(Done::Skipped(
                "inconclusive run: the release stays unsealed".to_string(),
            )),
        });
    }
    let snapshot = run.clone();
    let (result, attempts) = retry(&cfg.retry, || postgres::deliver(&snapshot, cfg)).await;
    let result = match result {
        Ok(PgResult::Sealed(sealed)) => {
            ledger
                .set_release(
                    &run.report.run_id,
                    &sealed.release_slug,
                    sealed.deployed_sha.as_deref(),
                )
                .await?;
            run.release_slug = Some(sealed.release_slug.clone());
            if sealed.deployed_sha.is_some() {
                run.deployed_sha = sealed.deployed_sha.clone();
            }
            Ok(Done::Delivered(sealed.describe()))
        }
        Ok(PgResult::NoRelease(reason)) => Ok(Done::Warning(reason)),
        Err(e) => Err(e),
    };
    Ok(Attempt { attempts, result })
}

async fn deliver_notes(run: &RunRecord, target: Option<&str>, cfg: &SealConfig) -> Attempt {
    let Some(message_id) = target else {
        return Attempt {
            attempts: 0,
            result: Ok(Done::Skipped("no release-notes message id".to_string())),
        };
    };
    if run.report.verdict == Verdict::Inconclusive {
        return Attempt {
            attempts: 0,
            result: Ok(Done::Skipped(
                "inconclusive run: the release notes keep their seal line".to_string(),
            )),
        };
    }
    let (result, attempts) = update_notes(cfg, message_id, &run.verdict_line).await;
    Attempt {
        attempts,
        result: result.map(|edit| {
            Done::Delivered(match edit {
                NotesEdit::Updated => {
                    format!("release notes {message_id} end with the verdict line")
                }
                NotesEdit::Unchanged => {
                    format!("release notes {message_id} already ended with the verdict line")
                }
            })
        }),
    }
}

async fn update_notes(
    cfg: &SealConfig,
    message_id: &str,
    line: &str,
) -> (Result<NotesEdit, DeliveryError>, u32) {
    let webhook = match Webhook::from_config(cfg) {
        Ok(webhook) => webhook,
        Err(e) => return (Err(e), 1),
    };
    retry(&cfg.retry, || {
        edit_notes_message(&webhook, message_id, line)
    })
    .await
}

/// Ends the release-notes message `message_id` (posted through the
/// configured webhook) with `verdict_line`, replacing an older seal line.
/// Retries within `cfg.retry`. This is what `--notes-message-id` does as
/// part of [`seal_run`]; it is public for callers that edit notes alone.
pub async fn update_release_notes(
    cfg: &SealConfig,
    message_id: &str,
    verdict_line: &str,
) -> Result<NotesEdit, DeliveryError> {
    if cfg.webhook_url.is_none() {
        return Err(DeliveryError::InvalidWebhookUrl);
    }
    update_notes(cfg, message_id, verdict_line).await.0
}

/// One delivery a replay made (or could not make).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayedDelivery {
    pub run_id: String,
    pub app: String,
    pub sink: Sink,
    pub outcome: SinkOutcome,
}

/// What [`deliver_pending`] did.
#[derive(Debug, Clone, Default)]
pub struct DeliverReport {
    pub deliveries: Vec<ReplayedDelivery>,
}

impl DeliverReport {
    pub fn delivered(&self) -> usize {
        self.deliveries
            .iter()
            .filter(|d| matches!(d.outcome, SinkOutcome::Delivered { .. }))
            .count()
    }

    pub fn still_pending(&self) -> usize {
        self.deliveries
            .iter()
            .filter(|d| d.outcome.is_pending())
            .count()
    }
}

impl fmt::Display for DeliverReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.deliveries.is_empty() {
            return writeln!(f, "Nothing pending: every seal has been delivered.");
        }
        for d in &self.deliveries {
            writeln!(f, "{} {} {}: {}", d.app, d.run_id, d.sink, d.outcome)?;
        }
        writeln!(
            f,
            "{} delivered, {} still pending",
            self.delivered(),
            self.still_pending()
        )
    }
}

/// Replays every pending delivery in the ledger (oldest run first), each
/// claimed atomically so two concurrent replays never deliver it twice. A
/// second replay right after a successful one delivers nothing.
pub async fn deliver_pending(cfg: &SealConfig) -> Result<DeliverReport, SealError> {
    let ledger = Ledger::open(&cfg.ledger_path, &cfg.redactor).await?;
    let pending = ledger.pending().await?;
    let mut report = DeliverReport::default();
    let mut current: Option<RunRecord> = None;
    for item in pending {
        if current
            .as_ref()
            .is_none_or(|r| r.report.run_id != item.run_id)
        {
            current = Some(ledger.load_run(&item.run_id).await?);
        }
        let run = current.as_mut().expect("just loaded");
        let Some(outcome) =
            deliver_one(&ledger, run, item.sink, item.target.as_deref(), cfg).await?
        else {
            continue;
        };
        report.deliveries.push(ReplayedDelivery {
            run_id: item.run_id.clone(),
            app: run.report.app.clone(),
            sink: item.sink,
            outcome,
        });
    }
    ledger.close().await;
    Ok(report)
}

/// Opens the ledger and lists recent seals (`prod-smoke history [APP]`).
pub async fn history(
    cfg: &SealConfig,
    app: Option<&str>,
    limit: u32,
) -> Result<Vec<crate::HistoryEntry>, SealError> {
    let ledger = Ledger::open(&cfg.ledger_path, &cfg.redactor).await?;
    let entries = ledger.history(app, limit).await;
    ledger.close().await;
    entries
}
