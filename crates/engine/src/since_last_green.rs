//! Each visit compared with a baseline: by default the app's last green
//! seal. Information, never a verdict: nothing here reads or changes
//! `report.verdict`, and any failure only means "no comparison".
//!
//! The pixel work starts as soon as the suite has its findings and runs on
//! the blocking pool, overlapping the canary and the rollback dry run; the
//! reports wait for it only because results.json carries its figures.

use std::path::Path;

use prod_smoke_baseline::{Baselines, Comparison};
use prod_smoke_model::{RunReport, Verdict};
use prod_smoke_redact::Redactor;
use prod_smoke_seal::{Ledger, SealConfig};
use tokio::task::JoinHandle;

use crate::events::{EngineEvent, EngineEvents};

/// What a pass compares its screenshots with.
#[derive(Debug, Clone, Default)]
pub enum Baseline {
    /// The screenshots kept next to the ledger, when they are the ledger's
    /// last green run (a seal's default).
    #[default]
    LastGreenSeal,
    /// Screenshots kept in `baselines` by the run `run_id`: e.g. a watch
    /// loop's last green pass ([`Baselines::replace`] keeps them).
    Kept {
        baselines: Baselines,
        run_id: String,
    },
    /// No comparison.
    None,
}

/// A comparison under way.
pub(crate) struct Pending(Option<JoinHandle<Comparison>>);

/// Starts comparing the run's screenshots with `baseline`. Without
/// screenshots (or, for the last green seal, a ledger) there is nothing to do.
pub(crate) fn start(baseline: &Baseline, seal: Option<&SealConfig>, report: &RunReport) -> Pending {
    let Some(artifacts) = report.artifacts_dir.clone() else {
        return Pending(None);
    };
    if report.checks.iter().all(|c| c.screenshot.is_none()) {
        return Pending(None);
    }
    let (app, checks) = (report.app.clone(), report.checks.clone());
    let compare = move |baselines: Baselines, last_green: Option<String>| {
        tokio::task::spawn_blocking(move || {
            baselines.compare(&app, last_green.as_deref(), &artifacts, &checks)
        })
    };
    match baseline {
        Baseline::None => Pending(None),
        Baseline::Kept { baselines, run_id } => {
            let task = compare(baselines.clone(), Some(run_id.clone()));
            Pending(Some(tokio::spawn(
                async move { task.await.unwrap_or_default() },
            )))
        }
        Baseline::LastGreenSeal => {
            let Some(cfg) = seal else {
                return Pending(None);
            };
            let ledger_path = cfg.ledger_path.clone();
            let redactor = cfg.redactor.clone();
            let app = report.app.clone();
            Pending(Some(tokio::spawn(async move {
                let last_green = last_green(&ledger_path, &redactor, &app).await;
                let baselines = Baselines::next_to_ledger(&ledger_path);
                compare(baselines, last_green).await.unwrap_or_default()
            })))
        }
    }
}

impl Pending {
    /// Waits for the comparison and writes each visit's figures into the
    /// report, saying so when pages were compared.
    pub async fn finish(self, report: &mut RunReport, redactor: &Redactor, events: &EngineEvents) {
        let Some(task) = self.0 else { return };
        let Ok(comparison) = task.await else { return };
        match &comparison.unavailable {
            Some(why) => tracing::debug!("no comparison with the last green run: {why}"),
            None => {
                for why in &comparison.skipped {
                    tracing::warn!("not compared with the last green run: {why}");
                }
                if let Some(run) = comparison.pages.iter().flatten().next() {
                    events.emit(EngineEvent::ComparedWithLastGreen {
                        run_id: redactor.redact(&run.run_id),
                        changed: comparison.changed(),
                        compared: comparison.compared(),
                    });
                }
            }
        }
        comparison.apply(report);
    }
}

async fn last_green(ledger_path: &Path, redactor: &Redactor, app: &str) -> Option<String> {
    let ledger = Ledger::open(ledger_path, redactor).await.ok()?;
    let run = ledger.last_green(app).await;
    ledger.close().await;
    run.ok().flatten()
}

/// After a green run is in the ledger: its screenshots become the app's
/// baseline, replacing the last one.
pub(crate) async fn keep(cfg: &SealConfig, report: &RunReport, events: &EngineEvents) {
    let Some(artifacts) = report.artifacts_dir.clone() else {
        return;
    };
    if report.verdict != Verdict::Green {
        return;
    }
    let baselines = Baselines::next_to_ledger(&cfg.ledger_path);
    let report = report.clone();
    let kept = tokio::task::spawn_blocking(move || baselines.replace(&artifacts, &report)).await;
    if let Ok(Err(e)) = kept {
        events.emit(EngineEvent::BaselineNotKept {
            why: cfg.redactor.redact(&e.to_string()),
        });
    }
}
