//! One pass: run the suite, decide the verdict, prove the rollback on
//! red, compare with the baseline, and write the evidence. Recording the
//! seal is a separate step ([`Judged::record`]), so a caller that runs
//! many passes (a watch loop) decides itself which ones to record.

use std::path::PathBuf;
use std::time::Duration;

use prod_smoke_model::{CheckResult, RunReport, Verdict, host_of};
use prod_smoke_runner::{BrowserSource, EventSink, GuardPolicy, RunEvent, RunOptions};
use prod_smoke_seal::{RollbackTarget, SealConfig, WatchPass, block_with_proof, rollback_block};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::deadline::Deadline;
use crate::events::{EngineEvent, EngineEvents};
use crate::heartbeat::Heartbeat;
use crate::outcome::{Outcome, SealOutcome};
use crate::prepare::PreparedSeal;
use crate::record::Sealed;
use crate::since_last_green::{self, Baseline};
use crate::{artifacts, evidence, rollback, statement, verdict};

/// How one pass differs from the seal's defaults.
#[derive(Debug, Clone, Default)]
pub struct PassOptions {
    /// This pass's artifacts folder (default: the request's, else
    /// `./artifacts/<app>-<time>`).
    pub artifacts: Option<PathBuf>,
    /// What the screenshots are compared with.
    pub baseline: Baseline,
    /// The browser, instead of the request's: e.g. one browser kept
    /// running across passes, as `BrowserSource::Connect`, which the runner
    /// leaves running.
    pub browser: Option<BrowserSource>,
    /// What cuts the pass's suite short besides the deadline.
    pub cut: Cut,
}

/// What cuts a pass's suite short (besides the deadline). Either way a
/// cut pass keeps its finished checks and is inconclusive.
#[derive(Debug, Clone, Default)]
pub enum Cut {
    /// SIGINT or SIGTERM: a plain seal stops when asked.
    #[default]
    OnSignal,
    /// Only the caller, through this handle: a watch lets the pass in
    /// flight finish on the first signal and cuts it on the second.
    ByCaller(std::sync::Arc<tokio::sync::Notify>),
}

/// A pass whose verdict is decided and whose evidence is written; its
/// heartbeat.log stays open until [`Judged::finish`].
pub struct Judged<'a> {
    prepared: &'a PreparedSeal,
    report: RunReport,
    seal_config: Option<Result<SealConfig, String>>,
    run_url: Option<String>,
    sealed: Sealed,
    heartbeat: Heartbeat,
    /// The caller's subscribers and the heartbeat's.
    events: EngineEvents,
    /// The caller's subscribers alone, for what follows the heartbeat's end.
    caller: EngineEvents,
}

impl PreparedSeal {
    /// Records one seal: one pass, recorded, finished.
    pub async fn seal(&self, events: &EngineEvents) -> SealOutcome {
        let mut judged = self.pass(PassOptions::default(), events).await;
        judged.record().await;
        judged.finish().await
    }

    /// Runs one pass and writes its evidence.
    pub async fn pass(&self, options: PassOptions, events: &EngineEvents) -> Judged<'_> {
        let (target, request) = (&self.target, &self.request);
        let wanted = options.artifacts.or_else(|| request.artifacts.clone());
        let folder = artifacts::choose(wanted, &target.app).await;
        let heartbeat = Heartbeat::start(&folder.dir, self.redactor.clone());
        let caller = events.clone();
        let events = events.clone().and(heartbeat.subscriber());
        events.emit(EngineEvent::Started {
            app: target.app.clone(),
            url: target.url.clone(),
            grep: request.run.grep.clone(),
            artifacts: folder.dir.clone(),
            artifacts_refused: folder.refused,
            trace: trace_name(request.run.trace),
            deadline: self.deadline.shown(),
        });
        let browser = match options.browser {
            Some(b) => Ok(b),
            None => prod_smoke_runner::browser_source(
                request.browser.chromium.as_deref(),
                request.browser.cdp_url.as_deref(),
            ),
        };
        let mut report = match browser {
            Ok(browser) => {
                let opts = self.run_options(browser, folder.dir);
                run_suite(&opts, &events, self.deadline, &options.cut).await
            }
            Err(e) => RunReport::begin(
                &uuid::Uuid::new_v4().to_string(),
                &target.app,
                &target.url,
                &request.run.grep,
                Some(folder.dir),
            )
            .cut_short(
                prod_smoke_runner::unrun_checks(&self.scenarios, &e.to_string()),
                e.to_string(),
            ),
        };
        let mut seal_config = self.seal_config.clone();
        // Off the hot path: compares the screenshots while the canary and
        // the rollback dry run do their network and git work.
        let comparison =
            since_last_green::start(&options.baseline, seal_config.as_ref().ok(), &report);
        let timeout = Duration::from_secs(request.run.timeout_secs.max(1));
        verdict::decide(
            &mut report,
            request.browser.canary.as_deref(),
            timeout,
            &events,
        )
        .await;
        if report.verdict == Verdict::Red {
            // Before the reports are written, so all four places show it.
            let sha = rollback::merge_sha(
                request.seal.sha.as_deref(),
                seal_config.as_ref().ok(),
                report.finished_at,
            )
            .await;
            events.emit(EngineEvent::RollbackShaFound {
                sha: sha.sha.clone(),
                said: sha.said.clone(),
            });
            // The seal's block (stderr, Discord) names the same sha.
            if let (Ok(cfg), Some(found)) = (seal_config.as_mut(), &sha.sha) {
                cfg.sha = Some(found.clone());
            }
            report.rollback =
                Some(rollback::evidence(target, request.seal.repo.as_deref(), &sha).await);
        }
        comparison
            .finish(&mut report, &self.redactor, &events)
            .await;
        let report = self.redactor.redact_value(&report);
        evidence::write(&report, &self.redactor, &events).await;
        events.emit(EngineEvent::Judged {
            environment_error: report
                .environment_error
                .as_deref()
                .map(|why| self.redactor.redact(why)),
            counts: report.scenario_counts(),
        });
        Judged {
            prepared: self,
            run_url: seal_config.as_ref().ok().and_then(|c| c.run_link.clone()),
            seal_config: Some(seal_config),
            report,
            sealed: Sealed::default(),
            heartbeat,
            events,
            caller,
        }
    }

    fn run_options(&self, browser: BrowserSource, artifacts: PathBuf) -> RunOptions {
        let (req, run) = (&self.request, &self.request.run);
        let mut opts = RunOptions::new(
            &self.target.app,
            &self.target.url,
            self.scenarios.clone(),
            browser,
            artifacts,
        );
        opts.tag = req.run.grep.clone();
        opts.workers = run.workers;
        opts.nav_timeout = Duration::from_secs(run.timeout_secs.max(1));
        let pool_budget = req.browser.pool_budget_secs.unwrap_or(run.timeout_secs);
        opts.pool_budget = Duration::from_secs(pool_budget.max(1));
        opts.expect_timeout = Duration::from_secs(run.expect_timeout_secs.max(1));
        opts.retries = run.retries;
        opts.retry_delay = run.retry_delay;
        opts.guard = GuardPolicy::new(
            self.block_urls.clone(),
            req.guard.allow_websockets,
            req.guard.strict_page_errors,
        );
        opts.trace = run.trace;
        opts.max_page_bytes = req.browser.max_page_mb * 1024 * 1024;
        opts.storage_state = req.browser.storage_state.clone();
        opts.redactor = self.redactor.clone();
        opts
    }
}

impl Judged<'_> {
    /// The report as written (secrets masked).
    pub fn report(&self) -> &RunReport {
        &self.report
    }

    /// Records the seal: the ledger and every sink, then, when green, the
    /// screenshots as the app's baseline. Only the first call records.
    pub async fn record(&mut self) -> &Sealed {
        self.record_as(None).await
    }

    /// [`Self::record`] for a pass of `prod-smoke watch`: the watch says
    /// whether it is the normal seal, kept in the ledger only, or an
    /// amendment of the seal (`prod_smoke_seal::seal_pass`).
    pub async fn record_watch(&mut self, pass: WatchPass) -> &Sealed {
        self.record_as(Some(pass)).await
    }

    async fn record_as(&mut self, watch: Option<WatchPass>) -> &Sealed {
        if let Some(cfg) = self.seal_config.take() {
            let redactor = &self.prepared.redactor;
            self.sealed =
                crate::record::record(&self.report, watch, cfg, redactor, &self.events).await;
        }
        &self.sealed
    }

    /// Ends the pass: the rollback block on red, the verdict, the last
    /// line of heartbeat.log, then the manifest written again and
    /// seal.intoto.json. A pass never recorded is not durable.
    pub async fn finish(self) -> SealOutcome {
        let Judged {
            prepared,
            report,
            run_url,
            sealed,
            heartbeat,
            events,
            caller,
            ..
        } = self;
        let target = &prepared.target;
        if report.verdict == Verdict::Red {
            // The seal could not build it: the block the reports carry,
            // which names the same sha as the proof.
            let block = sealed.rollback.unwrap_or_else(|| match &report.rollback {
                Some(r) => block_with_proof(&r.block, Some(r)),
                None => rollback_block(
                    &host_of(&target.url),
                    RollbackTarget {
                        production_app: target.production_app.as_deref(),
                        repo: target.repo.as_deref(),
                        deployed_sha: prepared.request.seal.sha.as_deref(),
                    },
                ),
            });
            events.emit(EngineEvent::RollbackBlock { block });
        }
        let outcome = Outcome::of(report.verdict, sealed.durable);
        events.emit(EngineEvent::Finished {
            app: target.app.clone(),
            url: target.url.clone(),
            verdict: report.verdict,
            durable: sealed.durable,
            outcome,
            exit_code: (prepared.request.exit_code)(outcome),
        });
        drop(events);
        heartbeat.finish().await;
        if let Some(dir) = &report.artifacts_dir {
            evidence::reseal_manifest(dir, &caller).await;
            // Last: its subject is the manifest as it now stays.
            let spec = prepared.spec_resource.clone();
            statement::write(dir, &report, spec, run_url, &caller).await;
        }
        SealOutcome {
            app: target.app.clone(),
            url: target.url.clone(),
            verdict: report.verdict,
            durable: sealed.durable,
            outcome,
            artifacts: report.artifacts_dir.clone(),
            report,
        }
    }
}

/// `--trace` as the flag is written.
fn trace_name(mode: prod_smoke_runner::TraceMode) -> &'static str {
    match mode {
        prod_smoke_runner::TraceMode::OnFailure => "on-failure",
        prod_smoke_runner::TraceMode::Always => "always",
        prod_smoke_runner::TraceMode::Off => "off",
    }
}

/// Runs the suite; SIGINT or SIGTERM cancels it, and so does the
/// deadline: cancelling drops (and so reaps) the browser, and makes the
/// run inconclusive. The checks that finished before are kept, with their
/// screenshots; the rest are marked not run.
async fn run_suite(
    opts: &RunOptions,
    events: &EngineEvents,
    deadline: Deadline,
    cut: &Cut,
) -> RunReport {
    let (tx, rx) = unbounded_channel();
    let forwarder = tokio::spawn(forward(rx, events.clone()));
    let sink = EventSink::new(tx);
    let begun = RunReport::begin(
        &opts.run_id,
        &opts.app,
        &opts.base_url,
        &opts.tag,
        Some(opts.artifacts_dir.clone()),
    );
    let cut = tokio::select! {
        report = prod_smoke_runner::run(opts, &sink) => Err(report),
        signal = cut_requested(cut) => Ok((Some(signal), format!("interrupted by {signal}"))),
        _ = tokio::time::sleep_until(deadline.at) => Ok((None, format!(
            "the run passed its --deadline of {}; the browser was closed and the checks \
             that finished are kept",
            deadline.shown()
        ))),
    };
    drop(sink);
    let finished = forwarder.await.unwrap_or_default();
    let (signal, why) = match cut {
        Err(report) => return report,
        Ok(cut) => cut,
    };
    events.emit(EngineEvent::RunCut {
        signal,
        why: why.clone(),
    });
    let mut checks = finished.clone();
    checks.extend(
        prod_smoke_runner::unrun_checks(&opts.scenarios, &why)
            .into_iter()
            .filter(|u| {
                !finished
                    .iter()
                    .any(|c| c.scenario == u.scenario && c.name == u.name)
            }),
    );
    RunReport {
        retry_delay_secs: opts.retry_delay.as_secs(),
        ..begun
    }
    .cut_short(checks, why)
}

/// Hands the runner's events on, and keeps the finished checks for a run
/// cut short.
async fn forward(mut rx: UnboundedReceiver<RunEvent>, events: EngineEvents) -> Vec<CheckResult> {
    let mut finished: Vec<CheckResult> = Vec::new();
    while let Some(event) = rx.recv().await {
        if let RunEvent::CheckFinished { check } = &event {
            // A retried check's last attempt stands.
            finished.retain(|c| !(c.scenario == check.scenario && c.name == check.name));
            finished.push(check.clone());
        }
        events.emit(EngineEvent::Run(event));
    }
    finished
}

/// Resolves, naming the signal, when `cut` says the suite must stop.
async fn cut_requested(cut: &Cut) -> &'static str {
    match cut {
        Cut::OnSignal => interrupted().await,
        Cut::ByCaller(notify) => {
            notify.notified().await;
            "a second signal"
        }
    }
}

async fn interrupted() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}
