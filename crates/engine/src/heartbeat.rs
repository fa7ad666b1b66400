//! `heartbeat.log` in every pass's artifacts folder: one line per phase and
//! step, each starting with an ISO-8601 UTC timestamp, written as it
//! happens. A run that hangs or is killed shows its last step there.
//!
//! It is a reporter of the engine's events, like the console's stderr lines,
//! but it belongs to the engine: the log is evidence the manifest seals,
//! so every front end must leave the same one.

use std::path::{Path, PathBuf};

use chrono::Utc;
use prod_smoke_model::CheckStatus;
use prod_smoke_redact::Redactor;
use prod_smoke_runner::RunEvent;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

use crate::events::{EngineEvent, SealPlace};

pub const HEARTBEAT_FILE: &str = "heartbeat.log";

/// The open heartbeat.log. Lines are written (and flushed) in order by
/// one task; the file is complete once [`Heartbeat::finish`] returns,
/// which is when every sender of its events is gone.
pub(crate) struct Heartbeat {
    events: UnboundedSender<EngineEvent>,
    writer: JoinHandle<()>,
}

impl Heartbeat {
    /// Starts `<dir>/heartbeat.log` (appending, so a second run into the
    /// same folder keeps the first one's lines).
    pub fn start(dir: &Path, redactor: Redactor) -> Heartbeat {
        let (lines_tx, lines_rx) = unbounded_channel();
        let (events, events_rx) = unbounded_channel();
        let file = dir.join(HEARTBEAT_FILE);
        let writer = tokio::spawn(async move {
            let lines = tokio::spawn(write_lines(file, lines_rx));
            render(events_rx, lines_tx, redactor).await;
            let _ = lines.await;
        });
        Heartbeat { events, writer }
    }

    /// A subscriber for the engine's events.
    pub fn subscriber(&self) -> UnboundedSender<EngineEvent> {
        self.events.clone()
    }

    /// Writes every queued line and closes the file. Every other sender
    /// of its events must be dropped first.
    pub async fn finish(self) {
        drop(self.events);
        let _ = self.writer.await;
    }
}

async fn render(
    mut rx: UnboundedReceiver<EngineEvent>,
    lines: UnboundedSender<String>,
    redactor: Redactor,
) {
    while let Some(event) = rx.recv().await {
        let Some(text) = line(event) else { continue };
        // Stamped when it is rendered, right as it happens.
        let stamp = Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
        let text = redactor.redact(&text).replace(['\r', '\n'], " ");
        let _ = lines.send(format!("{stamp} {text}\n"));
    }
}

async fn write_lines(path: PathBuf, mut rx: UnboundedReceiver<String>) {
    let opened = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .await;
    let mut file = match opened {
        Ok(f) => Some(f),
        Err(e) => {
            tracing::warn!("cannot write {}: {e}", path.display());
            None
        }
    };
    while let Some(line) = rx.recv().await {
        let Some(f) = file.as_mut() else { continue };
        // Flushed line by line: the point of a heartbeat is to be on disk
        // when the run stops answering.
        if let Err(e) = async {
            f.write_all(line.as_bytes()).await?;
            f.flush().await
        }
        .await
        {
            tracing::warn!("cannot write {}: {e}", path.display());
            file = None;
        }
    }
}

/// The log's line for an event, if it has one.
fn line(event: EngineEvent) -> Option<String> {
    Some(match event {
        EngineEvent::Started {
            app,
            url,
            grep,
            trace,
            deadline,
            ..
        } => format!(
            "start: prod-smoke {} {app} {grep} against {url} (--trace {trace}, --deadline {deadline})",
            env!("CARGO_PKG_VERSION"),
        ),
        EngineEvent::Run(event) => run_line(event),
        EngineEvent::VerdictDecided { verdict, counts } => {
            format!("run finished: {} ({})", verdict.as_str(), counts.line())
        }
        EngineEvent::RollbackShaFound { sha, said } => format!(
            "rollback sha: {} — {said}",
            sha.as_deref().unwrap_or("unknown")
        ),
        EngineEvent::ReportsWritten {
            files, trace_count, ..
        } => format!(
            "reports written: {}, {trace_count} trace(s)",
            files.join(", ")
        ),
        EngineEvent::ReportsNotWritten { why } => format!("reports not written: {why}"),
        EngineEvent::SealNotConfigured { why } => {
            format!("delivery: none, the seal is not configured — {why}")
        }
        EngineEvent::SealStarted => "seal: recording the verdict and delivering it".into(),
        EngineEvent::Delivery { line } => line,
        EngineEvent::SealDelivered {
            place: SealPlace::Elsewhere { said },
            ..
        } => format!("delivery ledger: {said}"),
        EngineEvent::DeliveriesUntracked { why } => {
            format!("delivery ledger: failed after recording — {why}")
        }
        EngineEvent::Finished {
            verdict, exit_code, ..
        } => format!("end: {}, exit {exit_code}", verdict.as_str()),
        _ => return None,
    })
}

/// One line per runner event.
fn run_line(event: RunEvent) -> String {
    match event {
        RunEvent::ScenarioStarted { name, attempt } => {
            format!("scenario started: {name} (attempt {attempt})")
        }
        RunEvent::CheckFinished { check } => {
            let status = match check.status {
                CheckStatus::Passed => "passed",
                CheckStatus::Failed => "failed",
                CheckStatus::Flaky => "flaky",
                CheckStatus::Skipped => "not run",
            };
            let mut text = format!("check {status}: {}", check.name);
            if let Some(s) = check.http_status {
                text.push_str(&format!(" (HTTP {s})"));
            }
            text.push_str(&format!(
                " in {} ms [{}]",
                check.duration_ms, check.scenario
            ));
            if let Some(e) = check.error.filter(|_| check.status != CheckStatus::Passed) {
                text.push_str(&format!(" — {e}"));
            }
            text
        }
        RunEvent::ScenarioFinished {
            name,
            attempt,
            passed,
            duration,
        } => format!(
            "scenario {}: {name} (attempt {attempt}, {:.2}s)",
            if passed { "passed" } else { "failed" },
            duration.as_secs_f64()
        ),
        RunEvent::BrowserReady { startup } => {
            format!("browser up in {:.2}s", startup.as_secs_f64())
        }
        RunEvent::RetryScheduled { scenarios, delay } => format!(
            "retry of {} scenario(s) after a {}s boot-window wait",
            scenarios.len(),
            delay.as_secs()
        ),
        RunEvent::Note { scenario, text } => format!("note: {scenario}: {text}"),
    }
}
