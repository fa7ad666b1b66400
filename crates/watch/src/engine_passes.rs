//! [`Watched`] over the engine: each pass is `Engine::prepare` then
//! `PreparedSeal::pass` into the pass's folder, recorded as the policy
//! decides (`Judged::record_watch`) and finished. The first pass is the
//! normal seal and shows every engine event; a later one shows only the
//! seal's own lines, and only when it amends the seal.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use prod_smoke_engine::{
    Baseline, Cut, Engine, EngineEvent, EngineEvents, PassOptions, SealRequest,
};
use prod_smoke_model::Verdict;
use prod_smoke_redact::Redactor;
use prod_smoke_runner::KeptBrowser;
use prod_smoke_seal::{PassRecord, WatchPass};
use tokio::sync::Notify;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::log::{self, WatchLog};
use crate::output::{WatchNote, WatchOutput};
use crate::policy::Record;
use crate::run::{PassPlan, WatchEvent, Watched};
use crate::timeline::after_ship;

/// The engine, one pass at a time.
pub(crate) struct EnginePasses<O> {
    pub(crate) request: SealRequest,
    pub(crate) log: WatchLog,
    pub(crate) browser: Option<KeptBrowser>,
    /// The first pass's run id, once it ran.
    pub(crate) watch_id: Option<String>,
    /// The watch's: masks the lines of watch.log a person sees.
    pub(crate) redactor: Redactor,
    /// Notified on a second signal: cuts the pass in flight short.
    pub(crate) cut: Arc<Notify>,
    pub(crate) out: Arc<O>,
}

impl<O: WatchOutput> Watched for EnginePasses<O> {
    async fn pass(
        &mut self,
        plan: &PassPlan,
        decide: &mut dyn FnMut(Verdict) -> Record,
    ) -> Verdict {
        let prepared = match Engine::prepare(self.request.clone()) {
            Ok(p) => p,
            Err(why) => {
                // The input was good when the watch began: a config file
                // changed under it. Nothing ran, so nothing is judged.
                self.out.note(WatchNote::PassNotPrepared {
                    pass: plan.number,
                    why: &why,
                });
                decide(Verdict::Inconclusive);
                return Verdict::Inconclusive;
            }
        };
        let browser = match self.browser.as_mut() {
            Some(kept) => match kept.source().await {
                Ok(source) => Some(source),
                Err(why) => {
                    tracing::warn!("no browser kept for the watch: {why}");
                    None
                }
            },
            None => None,
        };
        let first = plan.number == 1;
        let loud = Arc::new(AtomicBool::new(first));
        let (tx, rx) = unbounded_channel();
        let renderer = tokio::spawn(self.out.pass_events(
            filtered(rx, loud.clone(), first),
            prepared.redactor().clone(),
        ));
        let events = EngineEvents::new(tx);
        let options = PassOptions {
            artifacts: Some(plan.artifacts.clone()),
            // The ledger's last green run: the last green pass, once one
            // is recorded.
            baseline: Baseline::LastGreenSeal,
            browser,
            cut: Cut::ByCaller(self.cut.clone()),
        };
        let mut judged = prepared.pass(options, &events).await;
        let verdict = judged.report().verdict;
        let record = decide(verdict);
        if matches!(record, Record::Amend(_) | Record::Seal) {
            loud.store(true, Ordering::SeqCst);
        }
        let watch_id = self
            .watch_id
            .get_or_insert_with(|| judged.report().run_id.clone())
            .clone();
        let sealed = judged
            .record_watch(WatchPass {
                watch_id,
                pass: plan.number,
                record: match record {
                    Record::Seal => PassRecord::Seal,
                    Record::Keep(_) => PassRecord::Keep,
                    Record::Amend(change) => PassRecord::Amend {
                        after_ship: after_ship(change.since),
                    },
                },
            })
            .await;
        // Later passes seal the release the seal went to, even once
        // another release becomes the active one.
        if self.request.seal.release.is_none() && record == Record::Seal {
            self.request.seal.release = sealed.release.clone();
        }
        judged.finish().await;
        drop(events);
        let _ = renderer.await;
        verdict
    }

    fn event(&mut self, event: WatchEvent<'_>) {
        if let WatchEvent::Starting(plan) = event {
            self.log.append(&log::starting(plan));
        } else if let Some(line) = log::shared_line(&event) {
            self.out.note(WatchNote::Logged {
                line: &line,
                redactor: &self.redactor,
            });
            self.log.append(&line);
        }
    }
}

impl<O> EnginePasses<O> {
    /// Kills the kept browser, if any, once the watch is over.
    pub(crate) async fn close(mut self) {
        if let Some(browser) = self.browser.take() {
            browser.close().await;
        }
    }
}

/// The events a pass shows: all of them for the first (the normal seal),
/// else only the seal's own lines once the pass amends it.
fn filtered(
    mut rx: UnboundedReceiver<EngineEvent>,
    loud: Arc<AtomicBool>,
    first: bool,
) -> UnboundedReceiver<EngineEvent> {
    let (tx, out) = unbounded_channel();
    tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            let seal_line = matches!(
                event,
                EngineEvent::SealDelivered { .. }
                    | EngineEvent::SealNotConfigured { .. }
                    | EngineEvent::DeliveriesUntracked { .. }
                    | EngineEvent::RollbackBlock { .. }
            );
            if first || (seal_line && loud.load(Ordering::SeqCst)) {
                let _ = tx.send(event);
            }
        }
    });
    out
}
