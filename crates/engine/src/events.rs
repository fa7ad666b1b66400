//! What a seal reports as it goes. The engine emits [`EngineEvent`]s and
//! never prints: a front end's reporters (prod_smoke_console's stderr lines, the
//! engine's own heartbeat.log) subscribe and render them.
//!
//! Text in events is already masked with the seal's redactor, except the
//! runner's own events ([`EngineEvent::Run`]), which carry page text as the
//! runner saw it: reporters mask those with [`crate::PreparedSeal::redactor`].

use std::path::PathBuf;

use prod_smoke_model::{ScenarioCounts, Verdict};
use prod_smoke_runner::RunEvent;
use tokio::sync::mpsc::UnboundedSender;

use crate::outcome::Outcome;

#[derive(Debug, Clone)]
pub enum EngineEvent {
    /// A pass begins: the target is resolved and its artifacts folder chosen.
    Started {
        app: String,
        url: String,
        grep: String,
        artifacts: PathBuf,
        /// The folder asked for, and why it could not be written, when a
        /// temporary one took its place.
        artifacts_refused: Option<(PathBuf, String)>,
        /// `--trace` and `--deadline` as the flags are written.
        trace: &'static str,
        deadline: String,
    },
    /// The runner's own progress: scenarios, checks, the retry.
    Run(RunEvent),
    /// The run was stopped before it finished: by a signal (`SIGINT`,
    /// `SIGTERM`) or by the deadline; `why` says which.
    RunCut {
        signal: Option<&'static str>,
        why: String,
    },
    /// Nothing of the site answered, so the canary was asked.
    CanaryJudged(CanaryAnswer),
    /// The verdict, decided once (verdict.rs), with the scenario counts.
    VerdictDecided {
        verdict: Verdict,
        counts: ScenarioCounts,
    },
    /// On red: the merge commit the rollback dry run reverts.
    RollbackShaFound {
        sha: Option<String>,
        said: String,
    },
    /// Pages compared with the last green seal's screenshots.
    ComparedWithLastGreen {
        run_id: String,
        changed: usize,
        compared: usize,
    },
    /// results.json, junit.xml, report.html and the manifest are written.
    ReportsWritten {
        /// The report files' names, in the order they are written.
        files: Vec<&'static str>,
        report_html: PathBuf,
        /// How many scenarios left a trace.
        trace_count: usize,
        /// Each trace file, with its scenario.
        traces: Vec<(PathBuf, String)>,
        /// Each screenshot, with its check.
        screenshots: Vec<(PathBuf, String)>,
    },
    ReportsNotWritten {
        why: String,
    },
    /// `$GITHUB_STEP_SUMMARY` could not be appended to.
    StepSummaryNotWritten {
        why: String,
    },
    /// GitHub Actions workflow commands (`::error …`), one per line.
    Annotations {
        lines: Vec<String>,
    },
    /// The run is judged and its evidence written: why it is inconclusive
    /// (when it is) and the scenario counts.
    Judged {
        environment_error: Option<String>,
        counts: ScenarioCounts,
    },
    /// The seal has no configuration; the verdict reaches no durable place.
    SealNotConfigured {
        why: String,
    },
    /// The ledger and the sinks are about to get the verdict.
    SealStarted,
    /// One delivery attempt or outcome, as the seal logs it.
    Delivery {
        line: String,
    },
    /// The verdict is recorded.
    SealDelivered {
        verdict_line: String,
        place: SealPlace,
        /// Each sink and what happened to its delivery.
        sinks: Vec<(String, String)>,
    },
    /// The run was recorded but a delivery's state could not be tracked.
    DeliveriesUntracked {
        why: String,
    },
    /// The green run's screenshots could not become the app's baseline.
    BaselineNotKept {
        why: String,
    },
    /// On red: the rollback block and its proof.
    RollbackBlock {
        block: String,
    },
    /// The seal is over (only the manifest's last rewrite follows).
    Finished {
        app: String,
        url: String,
        verdict: Verdict,
        durable: bool,
        outcome: Outcome,
        exit_code: u8,
    },
    ManifestNotRewritten {
        why: String,
    },
    /// No seal.intoto.json: the spec could not be read again to hash it.
    SpecNotHashed,
    /// seal.intoto.json could not be written.
    StatementNotWritten {
        why: String,
    },
}

/// What the canary said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CanaryAnswer {
    /// No canary is set, so a dead network cannot be told from a dead site.
    Unset,
    /// The canary answered: the runner has a network, the site is dead.
    Answered { shown: String, status: u16 },
    /// Neither the site nor the canary answered: the runner is offline.
    Silent { shown: String, why: String },
}

/// Where the verdict was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealPlace {
    /// In the ledger file.
    Ledger { path: PathBuf, run_id: String },
    /// Somewhere else (a fallback ledger, memory); `said` explains.
    Elsewhere { said: String },
}

/// Where events go: every subscriber gets each one; with none they are
/// dropped.
#[derive(Debug, Clone, Default)]
pub struct EngineEvents(Vec<UnboundedSender<EngineEvent>>);

impl EngineEvents {
    pub fn new(tx: UnboundedSender<EngineEvent>) -> Self {
        EngineEvents(vec![tx])
    }

    pub fn none() -> Self {
        EngineEvents(Vec::new())
    }

    /// Adds a subscriber.
    pub fn and(mut self, tx: UnboundedSender<EngineEvent>) -> Self {
        self.0.push(tx);
        self
    }

    pub fn emit(&self, event: EngineEvent) {
        if let Some((last, rest)) = self.0.split_last() {
            for tx in rest {
                let _ = tx.send(event.clone());
            }
            let _ = last.send(event);
        }
    }
}
