//! The seal's entry points: [`seal_run`] records a run in the ledger first
//! and then delivers it to every configured sink; [`deliver_pending`]
//! replays whatever is still pending. A dead database or Discord never loses
//! a seal and never changes the site's verdict.

use std::fmt;
use std::path::{Path, PathBuf};

use prod_smoke_model::{RunReport, Verdict};

use crate::config::SealConfig;
use crate::errors::{SealError, chain};
use crate::fallback::{LedgerPlace, fallback_ledgers};
use crate::history::HistoryEntry;
use crate::ledger::{DeliveryState, InitialDelivery, Ledger, RunRecord};
use crate::rollback::rollback_for;
use crate::sinks::{Done, Job, Sink};
use crate::summary::{checked_at, summary, summary_markdown, verdict_line};
use crate::watch::{PassRecord, WatchPass, amended_summary};

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
    /// The ledger that holds the run: the configured one, or the fallback
    /// named in `place`.
    pub ledger_path: PathBuf,
    /// Where the run was recorded, and why not in the configured ledger.
    pub place: LedgerPlace,
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

    /// The verdict reached a place that outlives this process: a ledger
    /// file (the configured one or a fallback), or a sink that took it.
    pub fn is_durable(&self) -> bool {
        !matches!(self.place, LedgerPlace::Memory { .. })
            || self
                .sinks
                .iter()
                .any(|s| matches!(s.outcome, SinkOutcome::Delivered { .. }))
    }

    /// Where the seal is, in one line for the operator.
    pub fn where_recorded(&self) -> String {
        match &self.place {
            LedgerPlace::Ledger => format!(
                "seal recorded in the ledger {} (run {})",
                self.ledger_path.display(),
                self.run_id
            ),
            LedgerPlace::Fallback { path, problem } => format!(
                "the ledger could not take this run ({problem}); it was left untouched and the \
                 seal was recorded in the fallback ledger {} (run {}), which `prod-smoke deliver` \
                 replays",
                path.display(),
                self.run_id
            ),
            LedgerPlace::Memory { problem } => {
                let held_by: Vec<&str> = self
                    .sinks
                    .iter()
                    .filter(|s| matches!(s.outcome, SinkOutcome::Delivered { .. }))
                    .map(|s| s.sink.as_str())
                    .collect();
                let held = if held_by.is_empty() {
                    "the verdict reached no durable place".to_string()
                } else {
                    format!("only {} hold(s) the verdict", held_by.join(", "))
                };
                format!(
                    "no ledger could record this run ({problem}); {held}, and nothing is left \
                     pending for `prod-smoke deliver` (run {})",
                    self.run_id
                )
            }
        }
    }
}

impl fmt::Display for SealOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.verdict_line)?;
        writeln!(f, "{}", self.where_recorded())?;
        for s in &self.sinks {
            writeln!(f, "  {}: {}", s.sink, s.outcome)?;
        }
        if let Some(block) = &self.rollback {
            writeln!(f, "{block}")?;
        }
        Ok(())
    }
}

/// Records `report` in the ledger, then delivers it to every registered
/// sink that is configured (in registry order), retrying each within
/// `cfg.retry`. A sink failure leaves the delivery pending and is reported
/// in the outcome. A ledger that cannot be opened or written is left as it
/// is and a fallback takes the run (`fallback.rs`); every sink is tried
/// whatever happened to the ledger. Only a ledger failure after the run was
/// recorded is an error.
///
/// Inconclusive runs (prod-smoke itself broke) are recorded in the ledger
/// and posted to Discord as "inconclusive", but never written to Postgres
/// (no `smoke_seal`, no `release_events`) and never touch the release notes
/// or the release's seal message: they are not a verdict on the site.
pub async fn seal_run(report: &RunReport, cfg: &SealConfig) -> Result<SealOutcome, SealError> {
    seal_with(report, cfg, None).await
}

/// Records one pass of a watch as `pass.record` says: the normal seal, the
/// ledger only, or an amendment delivered to every sink (`watch.rs`). The
/// outcome is [`seal_run`]'s; a kept pass has no sinks.
pub async fn seal_pass(
    report: &RunReport,
    cfg: &SealConfig,
    pass: WatchPass,
) -> Result<SealOutcome, SealError> {
    seal_with(report, cfg, Some(pass)).await
}

/// [`seal_run`], for a run that may be a watch's pass (`watch.rs`): an
/// amendment's summary says when, and a kept pass is delivered nowhere.
async fn seal_with(
    report: &RunReport,
    cfg: &SealConfig,
    watch: Option<WatchPass>,
) -> Result<SealOutcome, SealError> {
    let report = cfg.redactor.redact_value(report);
    let (mut summary, mut markdown) = (summary(&report), summary_markdown(&report));
    if let Some(after_ship) = watch.as_ref().and_then(WatchPass::amends) {
        summary = amended_summary(report.verdict, &summary, after_ship);
        markdown = amended_summary(report.verdict, &markdown, after_ship);
    }
    let kept = watch.as_ref().is_some_and(|w| w.record == PassRecord::Keep);
    let mut run = RunRecord {
        // The verdict line goes to Discord and the release notes, where
        // Markdown renders; the plain summary goes to Postgres.
        verdict_line: verdict_line(report.verdict, &markdown),
        checked_at: checked_at(&report),
        summary,
        release_slug: cfg.release_slug.clone(),
        release_explicit: cfg.release_slug.is_some(),
        sha: cfg.sha.clone(),
        deployed_sha: None,
        production_app: cfg.production_app.clone(),
        repo: cfg.repo.clone(),
        run_link: cfg.run_link.clone(),
        watch,
        report,
    };
    let initial = if kept {
        Vec::new()
    } else {
        initial_deliveries(&run, cfg)
    };
    let (ledger, place) = record_somewhere(&run, &initial, cfg).await?;
    // A fallback is said, with its cause, by the caller.
    if place == LedgerPlace::Ledger {
        cfg.log_delivery(&format!(
            "delivery ledger: recorded in {}",
            cfg.ledger_path.display()
        ));
    }

    let run_id = run.report.run_id.clone();
    // The run may already be in the ledger (the same run sealed twice):
    // only what is still pending is delivered again.
    let mut sinks = Vec::new();
    for record in ledger.deliveries(&run_id).await? {
        let outcome = match record.state {
            DeliveryState::Pending | DeliveryState::Delivering => {
                let target = initial
                    .iter()
                    .find(|d| d.sink == record.sink.as_str())
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
        if matches!(
            record.state,
            DeliveryState::Delivered | DeliveryState::Skipped
        ) {
            cfg.log_delivery(&format!(
                "delivery {}: {outcome} (recorded before this seal)",
                record.sink
            ));
        }
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
        ledger_path: PathBuf::from(cfg.redactor.redact(&ledger.path().display().to_string())),
        place,
        release_slug: run.release_slug.clone(),
        sinks,
        rollback: rollback_for(&run),
    };
    ledger.close().await;
    Ok(outcome)
}

/// Records the run in the configured ledger, else in the first fallback
/// ledger that takes it, else in memory (`fallback.rs`). A ledger that
/// fails is closed and left as it is.
async fn record_somewhere(
    run: &RunRecord,
    initial: &[InitialDelivery],
    cfg: &SealConfig,
) -> Result<(Ledger, LedgerPlace), SealError> {
    async fn try_record(
        path: &std::path::Path,
        run: &RunRecord,
        initial: &[InitialDelivery],
        cfg: &SealConfig,
    ) -> Result<Ledger, SealError> {
        let ledger = Ledger::open(path, &cfg.redactor).await?;
        match ledger.record_run(run, initial).await {
            Ok(()) => Ok(ledger),
            Err(e) => {
                ledger.close().await;
                Err(e)
            }
        }
    }
    let problem = match try_record(&cfg.ledger_path, run, initial, cfg).await {
        Ok(ledger) => return Ok((ledger, LedgerPlace::Ledger)),
        Err(e) => cfg.redactor.redact(&chain(&e)),
    };
    // Said once, by the caller, from the outcome's place.
    let mut tried = vec![problem.clone()];
    for path in fallback_ledgers(&cfg.ledger_path, &cfg.temp_dir) {
        match try_record(&path, run, initial, cfg).await {
            Ok(ledger) => {
                let path = PathBuf::from(cfg.redactor.redact(&path.display().to_string()));
                return Ok((ledger, LedgerPlace::Fallback { path, problem }));
            }
            Err(e) => tried.push(cfg.redactor.redact(&chain(&e))),
        }
    }
    let ledger = Ledger::in_memory(&cfg.redactor).await?;
    ledger.record_run(run, initial).await?;
    Ok((
        ledger,
        LedgerPlace::Memory {
            problem: tried.join("; "),
        },
    ))
}

/// Each registered sink's first row for this run (a sink may have none).
fn initial_deliveries(run: &RunRecord, cfg: &SealConfig) -> Vec<InitialDelivery> {
    Sink::ALL
        .iter()
        .filter_map(|&sink| {
            let initial = sink.initial(run, cfg)?;
            Some(InitialDelivery {
                sink: sink.as_str(),
                position: sink.position(),
                state: initial.state,
                detail: initial.detail,
                target: initial.target,
            })
        })
        .collect()
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
    if let Some(why) = sink.not_configured(cfg) {
        let outcome = SinkOutcome::Pending {
            attempts: 0,
            error: format!("{why} here, so it was left pending"),
        };
        cfg.log_delivery(&format!("delivery {sink}: {outcome}"));
        return Ok(Some(outcome));
    }
    let run_id = run.report.run_id.clone();
    if !ledger.claim(&run_id, sink.as_str()).await? {
        return Ok(None);
    }
    let mut job = Job {
        ledger,
        run,
        target,
        cfg,
        sink: sink.as_str(),
    };
    let attempt = match sink.deliver(&mut job).await {
        Ok(attempt) => attempt,
        Err(e) => {
            // The ledger failed mid-delivery: put the claim back if we can.
            let _ = ledger
                .mark_failed(&run_id, sink.as_str(), 0, &chain(&e))
                .await;
            return Err(e);
        }
    };
    let outcome = match attempt.result {
        Ok(Done::Delivered(detail)) => {
            ledger
                .mark_delivered(&run_id, sink.as_str(), attempt.attempts, &detail)
                .await?;
            SinkOutcome::Delivered {
                detail: cfg.redactor.redact(&detail),
                attempts: attempt.attempts,
            }
        }
        Ok(Done::Skipped(reason)) => {
            ledger
                .mark_skipped(&run_id, sink.as_str(), attempt.attempts, &reason)
                .await?;
            SinkOutcome::Skipped {
                reason: cfg.redactor.redact(&reason),
            }
        }
        Ok(Done::Warning(reason)) => {
            ledger
                .mark_skipped(&run_id, sink.as_str(), attempt.attempts, &reason)
                .await?;
            tracing::warn!("{sink}: {reason}");
            SinkOutcome::Warning {
                reason: cfg.redactor.redact(&reason),
            }
        }
        Err(error) => {
            let error = cfg.redactor.redact(&chain(&error));
            ledger
                .mark_failed(&run_id, sink.as_str(), attempt.attempts, &error)
                .await?;
            tracing::warn!("{sink}: delivery left pending: {error}");
            SinkOutcome::Pending {
                attempts: attempt.attempts,
                error,
            }
        }
    };
    cfg.log_delivery(&format!("delivery {sink}: {outcome}"));
    Ok(Some(outcome))
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
    /// Fallback ledgers that were replayed too.
    pub fallbacks: Vec<PathBuf>,
    /// Ledgers that could not be opened, each with its cause.
    pub problems: Vec<String>,
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
        for problem in &self.problems {
            writeln!(f, "a ledger was left untouched: {problem}")?;
        }
        for path in &self.fallbacks {
            writeln!(f, "replaying the fallback ledger {}", path.display())?;
        }
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
/// second replay right after a successful one delivers nothing. The
/// ledger's fallbacks (`fallback.rs`) that exist are replayed too, also when
/// the ledger itself cannot be opened; that is then an error only when no
/// fallback exists.
pub async fn deliver_pending(cfg: &SealConfig) -> Result<DeliverReport, SealError> {
    let mut report = DeliverReport::default();
    let fallbacks: Vec<PathBuf> = fallback_ledgers(&cfg.ledger_path, &cfg.temp_dir)
        .into_iter()
        .filter(|p| p.is_file())
        .collect();
    match Ledger::open(&cfg.ledger_path, &cfg.redactor).await {
        Ok(ledger) => {
            let replayed = replay(&ledger, cfg, &mut report).await;
            ledger.close().await;
            replayed?;
        }
        Err(e) if fallbacks.is_empty() => return Err(e),
        Err(e) => report.problems.push(cfg.redactor.redact(&chain(&e))),
    }
    for path in fallbacks {
        match Ledger::open(&path, &cfg.redactor).await {
            Ok(ledger) => {
                report.fallbacks.push(PathBuf::from(
                    cfg.redactor.redact(&path.display().to_string()),
                ));
                let replayed = replay(&ledger, cfg, &mut report).await;
                ledger.close().await;
                replayed?;
            }
            Err(e) => report.problems.push(cfg.redactor.redact(&chain(&e))),
        }
    }
    Ok(report)
}

/// Replays one ledger's pending deliveries into `report`.
async fn replay(
    ledger: &Ledger,
    cfg: &SealConfig,
    report: &mut DeliverReport,
) -> Result<(), SealError> {
    let pending = ledger.pending().await?;
    let mut current: Option<RunRecord> = None;
    for item in pending {
        // A sink this prod-smoke does not have is left for one that does.
        let Some(sink) = Sink::parse(&item.sink) else {
            continue;
        };
        if current
            .as_ref()
            .is_none_or(|r| r.report.run_id != item.run_id)
        {
            current = Some(ledger.load_run(&item.run_id).await?);
        }
        let run = current.as_mut().expect("just loaded");
        let Some(outcome) = deliver_one(ledger, run, sink, item.target.as_deref(), cfg).await?
        else {
            continue;
        };
        report.deliveries.push(ReplayedDelivery {
            run_id: item.run_id.clone(),
            app: run.report.app.clone(),
            sink,
            outcome,
        });
    }
    Ok(())
}

/// Recent seals, newest first (`prod-smoke history [APP]`), and the
/// ledgers they could not be read from.
#[derive(Debug, Clone, Default)]
pub struct HistoryRead {
    pub entries: Vec<HistoryEntry>,
    /// Each ledger that could not be read, with its whole cause (masked):
    /// the history is incomplete and the operator has to look.
    pub problems: Vec<String>,
}

/// Lists recent seals from the ledger and its fallback ledgers (runs the
/// ledger could not take, fallback.rs). As `deliver` does, a broken ledger
/// does not hide its fallbacks: their seals are listed and the broken
/// ledger is named in `problems`. `Err` only when the ledger cannot be
/// read and there is no fallback to read instead.
pub async fn history(
    cfg: &SealConfig,
    app: Option<&str>,
    limit: u32,
) -> Result<HistoryRead, SealError> {
    let mut read = HistoryRead::default();
    let fallbacks: Vec<PathBuf> = fallback_ledgers(&cfg.ledger_path, &cfg.temp_dir)
        .into_iter()
        .filter(|p| p.is_file())
        .collect();
    match read_one(&cfg.ledger_path, cfg, app, limit).await {
        Ok(entries) => read.entries = entries,
        Err(e) if fallbacks.is_empty() => return Err(e),
        Err(e) => read.problems.push(cfg.redactor.redact(&chain(&e))),
    }
    for path in fallbacks {
        match read_one(&path, cfg, app, limit).await {
            Ok(entries) => read.entries.extend(entries),
            Err(e) => read.problems.push(cfg.redactor.redact(&chain(&e))),
        }
    }
    read.entries.sort_by(|a, b| b.checked_at.cmp(&a.checked_at));
    read.entries.truncate(limit as usize);
    Ok(read)
}

async fn read_one(
    path: &Path,
    cfg: &SealConfig,
    app: Option<&str>,
    limit: u32,
) -> Result<Vec<HistoryEntry>, SealError> {
    let ledger = Ledger::open(path, &cfg.redactor).await?;
    let entries = ledger.history(app, limit).await;
    ledger.close().await;
    entries
}
