//! Each visit compared with the app's last green seal. Information, never a
//! verdict: nothing here reads or changes `report.verdict`, and any failure
//! only means "no comparison".
//!
//! The pixel work starts as soon as the suite has its verdict and runs on
//! the blocking pool, overlapping the canary and the rollback dry run; the
//! reports wait for it only because results.json carries its figures.

use prod_smoke_baseline::{Baselines, Comparison};
use prod_smoke_model::{Redactor, RunReport, Verdict};
use prod_smoke_seal::{Ledger, SealConfig};
use tokio::task::JoinHandle;

/// A comparison under way.
pub struct Pending(Option<JoinHandle<Comparison>>);

/// Starts comparing the run's screenshots with the last green ones kept
/// next to the ledger. Without a ledger or screenshots there is nothing to do.
pub fn start(seal: Option<&SealConfig>, report: &RunReport) -> Pending {
    let (Some(cfg), Some(artifacts)) = (seal, report.artifacts_dir.clone()) else {
        return Pending(None);
    };
    if report.checks.iter().all(|c| c.screenshot.is_none()) {
        return Pending(None);
    }
    let ledger_path = cfg.ledger_path.clone();
    let redactor = cfg.redactor.clone();
    let app = report.app.clone();
    let checks = report.checks.clone();
    Pending(Some(tokio::spawn(async move {
        let last_green = last_green(&ledger_path, &redactor, &app).await;
        let baselines = Baselines::next_to_ledger(&ledger_path);
        tokio::task::spawn_blocking(move || {
            baselines.compare(&app, last_green.as_deref(), &artifacts, &checks)
        })
        .await
        .unwrap_or_default()
    })))
}

impl Pending {
    /// Waits for the comparison and writes each visit's figures into the
    /// report, with one line on stderr when pages were compared.
    pub async fn finish(self, report: &mut RunReport, redactor: &Redactor) {
        let Some(task) = self.0 else { return };
        let Ok(comparison) = task.await else { return };
        match &comparison.unavailable {
            Some(why) => tracing::debug!("no comparison with the last green run: {why}"),
            None => {
                for why in &comparison.skipped {
                    tracing::warn!("not compared with the last green run: {why}");
                }
                if let Some(run) = comparison.pages.iter().flatten().next() {
                    eprintln!(
                        "  since last green (run {}): {} of {} pages changed",
                        redactor.redact(&run.run_id),
                        comparison.changed(),
                        comparison.compared()
                    );
                }
            }
        }
        comparison.apply(report);
    }
}

async fn last_green(
    ledger_path: &std::path::Path,
    redactor: &Redactor,
    app: &str,
) -> Option<String> {
    let ledger = Ledger::open(ledger_path, redactor).await.ok()?;
    let run = ledger.last_green(app).await;
    ledger.close().await;
    run.ok().flatten()
}

/// After a green run is in the ledger: its screenshots become the app's
/// baseline, replacing the last one.
pub async fn keep(cfg: &SealConfig, report: &RunReport) {
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
        eprintln!("prod-smoke: {}", cfg.redactor.redact(&e.to_string()));
    }
}
