//! `heartbeat.log` in every run's artifacts folder: one line per phase and
//! step, each starting with an ISO-8601 UTC timestamp, written as it
//! happens. A run that hangs or is killed shows its last step there.
//!
//! It is a second reporter of the runner's events (beside progress.rs),
//! plus the lines only the CLI knows: start, the seal's deliveries, the end.

use std::path::{Path, PathBuf};

use chrono::Utc;
use prod_smoke_model::{CheckStatus, Redactor};
use prod_smoke_runner::RunEvent;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

pub const HEARTBEAT_FILE: &str = "heartbeat.log";

/// The open heartbeat.log. Lines are written (and flushed) in order by
/// one task; the file is complete once [`Heartbeat::finish`] returns.
pub struct Heartbeat {
    beat: Beat,
    writer: JoinHandle<()>,
}

/// A handle that adds lines to the log, stamped when they are sent.
#[derive(Clone)]
pub struct Beat {
    tx: UnboundedSender<String>,
    redactor: Redactor,
}

impl Beat {
    /// Stamps `text` with the time now and queues it, on one line.
    pub fn line(&self, text: &str) {
        let stamp = Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
        let text = self.redactor.redact(text).replace(['\r', '\n'], " ");
        let _ = self.tx.send(format!("{stamp} {text}\n"));
    }
}

impl Heartbeat {
    /// Starts `<dir>/heartbeat.log` (appending, so a second run into the
    /// same folder keeps the first one's lines).
    pub fn start(dir: &Path, redactor: Redactor) -> Heartbeat {
        let (tx, rx) = unbounded_channel();
        let writer = tokio::spawn(write_lines(dir.join(HEARTBEAT_FILE), rx));
        Heartbeat {
            beat: Beat { tx, redactor },
            writer,
        }
    }

    pub fn line(&self, text: &str) {
        self.beat.line(text);
    }

    /// A handle that adds lines from elsewhere (the seal's deliveries),
    /// each stamped when it is sent.
    pub fn beat(&self) -> Beat {
        self.beat.clone()
    }

    /// A subscriber for the runner's events, and the task that turns them
    /// into lines of this log (it ends when the run drops its sink).
    pub fn events(&self) -> (UnboundedSender<RunEvent>, JoinHandle<()>) {
        let (tx, rx) = unbounded_channel();
        (tx, tokio::spawn(report(rx, self.beat.clone())))
    }

    /// Writes every queued line and closes the file.
    pub async fn finish(self) {
        drop(self.beat);
        let _ = self.writer.await;
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

/// One line per runner event.
async fn report(mut rx: UnboundedReceiver<RunEvent>, beat: Beat) {
    while let Some(event) = rx.recv().await {
        let text = match event {
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
        };
        beat.line(&text);
    }
}
