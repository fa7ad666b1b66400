//! Recording the seal: the ledger (or a fallback) and every sink, through
//! `prod_smoke_seal`, then the green run's screenshots kept as the app's
//! baseline.

use prod_smoke_model::RunReport;
use prod_smoke_redact::Redactor;
use prod_smoke_seal::{LedgerPlace, SealConfig, WatchPass};

use crate::events::{EngineEvent, EngineEvents, SealPlace};

/// What recording the seal achieved.
#[derive(Debug, Clone, Default)]
pub struct Sealed {
    /// The rollback block the seal built, when it built one.
    pub rollback: Option<String>,
    /// The verdict reached a ledger file or a sink that took it.
    pub durable: bool,
    /// The release the seal went to (given, or found in Postgres).
    pub release: Option<String>,
}

/// Records the seal in the ledger (or a fallback) and delivers it to every
/// sink, and says whether the verdict reached a durable place.
pub(crate) async fn record(
    report: &RunReport,
    watch: Option<WatchPass>,
    seal_config: Result<SealConfig, String>,
    redactor: &Redactor,
    events: &EngineEvents,
) -> Sealed {
    let cfg = match seal_config {
        Ok(mut cfg) => {
            // Each delivery's attempts and outcome, as they happen.
            let log = events.clone();
            cfg.delivery_log = Some(std::sync::Arc::new(move |line: &str| {
                log.emit(EngineEvent::Delivery {
                    line: line.to_string(),
                })
            }));
            cfg
        }
        Err(e) => {
            events.emit(EngineEvent::SealNotConfigured {
                why: redactor.redact(&e),
            });
            return Sealed::default();
        }
    };
    events.emit(EngineEvent::SealStarted);
    // A watch's pass is recorded as the watch decided: the normal seal,
    // the ledger only, or an amendment (prod_smoke_seal's watch.rs).
    let sealed = match watch {
        Some(pass) => prod_smoke_seal::seal_pass(report, &cfg, pass).await,
        None => prod_smoke_seal::seal_run(report, &cfg).await,
    };
    match sealed {
        Ok(outcome) => {
            let place = match &outcome.place {
                LedgerPlace::Ledger => SealPlace::Ledger {
                    path: outcome.ledger_path.clone(),
                    run_id: outcome.run_id.clone(),
                },
                LedgerPlace::Fallback { .. } | LedgerPlace::Memory { .. } => SealPlace::Elsewhere {
                    said: redactor.redact(&outcome.where_recorded()),
                },
            };
            events.emit(EngineEvent::SealDelivered {
                // The plain summary: the stored line escapes page text for
                // Markdown (Discord, the notes), which a terminal shows as
                // backslashes.
                verdict_line: prod_smoke_seal::verdict_line(outcome.verdict, &outcome.summary),
                place,
                sinks: outcome
                    .sinks
                    .iter()
                    .map(|s| (s.sink.to_string(), redactor.redact(&s.outcome.to_string())))
                    .collect(),
            });
            // Only once the ledger knows this run as the last green one.
            if outcome.place == LedgerPlace::Ledger {
                crate::since_last_green::keep(&cfg, report, events).await;
            }
            Sealed {
                durable: outcome.is_durable(),
                rollback: outcome.rollback,
                release: outcome.release_slug,
            }
        }
        Err(e) => {
            // Only a ledger failure after the run was recorded gets here:
            // the record exists, a delivery's state may not.
            events.emit(EngineEvent::DeliveriesUntracked {
                why: redactor.redact(&prod_smoke_seal::chain(&e)),
            });
            Sealed {
                rollback: None,
                durable: true,
                release: None,
            }
        }
    }
}
