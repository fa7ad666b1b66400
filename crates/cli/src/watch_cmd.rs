//! `prod-smoke watch [APP] --every 5m --for 1h`: the seal, then the same
//! suite again and again, amending the seal only on a confirmed change.
//! The policy and the loop are `prod_smoke_watch`'s; each pass is the
//! engine's; this file is the adapter between them and the output.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;
use prod_smoke_engine::{
    Baseline, Cut, Engine, EngineEvent, EngineEvents, PassOptions, SealRequest,
};
use prod_smoke_model::{Redactor, Verdict};
use prod_smoke_seal::{PassRecord, WatchPass};
use prod_smoke_watch::{
    KeepReason, PassPlan, Policy, Record, Schedule, WatchEvent, WatchReport, Watched, after_ship,
    watch,
};

use crate::args::WatchArgs;
use crate::kept_browser::KeptBrowser;
use crate::{exit, progress, run_cmd};

/// The watch's own log, one line per pass, beside the passes' folders.
const WATCH_LOG: &str = "watch.log";

pub async fn run(args: WatchArgs) -> u8 {
    let json = args.run.json;
    let schedule = Schedule {
        every: args.every,
        window: args.window,
    };
    let policy = Policy::new(args.confirm);
    let mut request = run_cmd::request(args.run);
    // Checked once before anything runs; each pass prepares again, so
    // `--deadline` bounds each pass, not the whole watch.
    let prepared = match Engine::prepare(request.clone()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("prod-smoke: {e}");
            return exit::BAD_INPUT;
        }
    };
    let (app, url) = (prepared.target().app.clone(), prepared.target().url.clone());
    let redactor = prepared.redactor().clone();
    drop(prepared);
    let root = request.artifacts.take().unwrap_or_else(|| {
        PathBuf::from("artifacts").join(format!(
            "{app}-watch-{}",
            Utc::now().format("%Y%m%dT%H%M%SZ")
        ))
    });
    eprintln!(
        "→ prod-smoke watch {app}: every {} for {}, a change needs {} pass(es) in a row; \
         passes in {}",
        shown(schedule.every),
        shown(schedule.window),
        policy.confirm,
        root.display()
    );
    let browser = if args.browser_per_pass {
        None
    } else {
        KeptBrowser::new(
            request.browser.chromium.clone(),
            request.browser.cdp_url.as_deref(),
        )
    };
    let signals = Signals::listen();
    let mut passes = EnginePasses {
        request,
        root: root.clone(),
        browser,
        watch_id: None,
        redactor,
        cut: signals.cut.clone(),
    };
    let stop = async {
        match signals.stop.await {
            Ok(name) => name,
            // No signal handler could be set: nothing will ask to stop.
            Err(_) => std::future::pending().await,
        }
    };
    let report = watch(schedule, policy, &root, &mut passes, stop).await;
    if let Some(browser) = passes.browser.take() {
        browser.close().await;
    }
    summarise(&report);
    if json {
        println!("{}", json_line(&app, &url, &report));
    }
    exit::of_watch(report.verdict())
}

/// The engine, one pass at a time.
struct EnginePasses {
    request: SealRequest,
    root: PathBuf,
    browser: Option<KeptBrowser>,
    /// The first pass's run id, once it ran.
    watch_id: Option<String>,
    redactor: Redactor,
    /// Notified on a second signal: cuts the pass in flight short.
    cut: Arc<tokio::sync::Notify>,
}

impl Watched for EnginePasses {
    async fn pass(
        &mut self,
        plan: &PassPlan,
        decide: &mut dyn FnMut(Verdict) -> Record,
    ) -> Verdict {
        let prepared = match Engine::prepare(self.request.clone()) {
            Ok(p) => p,
            Err(e) => {
                // The input was good when the watch began: a config file
                // changed under it. Nothing ran, so nothing is judged.
                eprintln!("prod-smoke: watch pass {}: {e}", plan.number);
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
        // The first pass is the normal seal and says everything; a later
        // one speaks only when it amends the seal.
        let first = plan.number == 1;
        let loud = Arc::new(AtomicBool::new(first));
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let printer = tokio::spawn(progress::report(
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
        let _ = printer.await;
        verdict
    }

    fn event(&mut self, event: WatchEvent<'_>) {
        let line = match event {
            // For the log alone: with the record's line, each pass's wall
            // time (`cargo xtask bench --watch` reads it).
            WatchEvent::Starting(plan) => {
                log_line(&self.root, &format!("pass {} starts", plan.number));
                return;
            }
            WatchEvent::Recorded(seen) => format!(
                "pass {} at {}: {} — {}",
                seen.number,
                shown(seen.offset),
                seen.verdict.as_str(),
                said(&seen.record)
            ),
            WatchEvent::Stopping {
                why,
                pass_in_flight,
            } => format!(
                "{why}: the watch ends{}",
                if pass_in_flight {
                    " once the pass in flight is recorded"
                } else {
                    ""
                }
            ),
            WatchEvent::Waiting { .. } => return,
        };
        eprintln!("  watch: {}", self.redactor.redact(&line));
        log_line(&self.root, &line);
    }
}

/// The events a pass prints: all of them for the first (the normal seal),
/// else only the seal's own lines once the pass amends it.
fn filtered(
    mut rx: tokio::sync::mpsc::UnboundedReceiver<EngineEvent>,
    loud: Arc<AtomicBool>,
    first: bool,
) -> tokio::sync::mpsc::UnboundedReceiver<EngineEvent> {
    let (tx, out) = tokio::sync::mpsc::unbounded_channel();
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

fn said(record: &Record) -> String {
    match record {
        Record::Seal => "sealed".to_string(),
        Record::Keep(KeepReason::Unchanged) => "unchanged, nothing posted".to_string(),
        Record::Keep(KeepReason::Inconclusive) => {
            "inconclusive, the seal stays as it is".to_string()
        }
        Record::Keep(KeepReason::Unconfirmed { seen, needed }) => {
            format!("not confirmed yet ({seen} of {needed} in a row), nothing posted")
        }
        Record::Amend(change) if change.is_regression() => format!(
            "REGRESSED {} (confirmed by {} passes): the seal is red",
            after_ship(change.since),
            change.passes
        ),
        Record::Amend(change) => format!(
            "recovered {} (confirmed by {} passes): the seal is green",
            after_ship(change.since),
            change.passes
        ),
    }
}

/// The last lines: the passes, the changes, the timeline.
fn summarise(report: &WatchReport) {
    let t = &report.timeline;
    if let Some(why) = &report.stopped {
        eprintln!("watch: stopped by {why} after {} pass(es)", t.len());
    }
    eprintln!(
        "watch: {} pass(es) — {} green, {} red, {} inconclusive; {} change(s) of seal",
        t.len(),
        t.count(Verdict::Green),
        t.count(Verdict::Red),
        t.count(Verdict::Inconclusive),
        report.changes().len()
    );
    eprintln!("watch timeline: {t}");
}

/// With `--json`: one object for the whole watch.
fn json_line(app: &str, url: &str, report: &WatchReport) -> serde_json::Value {
    let verdict = report.verdict();
    serde_json::json!({
        "app": app,
        "url": url,
        "passed": verdict == prod_smoke_watch::WatchVerdict::Green,
        "verdict": verdict.as_str(),
        "passes": report.passes.len(),
        "green": report.timeline.count(Verdict::Green),
        "red": report.timeline.count(Verdict::Red),
        "inconclusive": report.inconclusive(),
        "changes": report.changes().iter().map(|c| serde_json::json!({
            "to": c.to.as_str(),
            "since_secs": c.since.as_secs(),
            "confirmed_at_secs": c.confirmed_at.as_secs(),
        })).collect::<Vec<_>>(),
        "timeline": report.timeline.to_string(),
        "stopped": report.stopped,
    })
}

/// Appends a stamped line to `watch.log`; a log that cannot be written
/// loses the line, never the watch.
fn log_line(root: &Path, line: &str) {
    let _ = std::fs::create_dir_all(root);
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(root.join(WATCH_LOG))
    {
        let _ = writeln!(
            file,
            "{} {line}",
            Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ")
        );
    }
}

/// `30s`, `5m`, `1h`, `1m30s`: as the flags are written.
fn shown(d: std::time::Duration) -> String {
    let secs = d.as_secs();
    match (secs / 3600, secs % 3600 / 60, secs % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, 0) => format!("{h}h{m}m"),
        (h, m, s) => format!("{h}h{m}m{s}s"),
    }
}

/// SIGINT and SIGTERM during a watch. The first asks the watch to stop
/// once the pass in flight is recorded; the second (GitHub Actions sends
/// SIGTERM 7.5 s after the SIGINT of a cancelled job) cuts that pass
/// short, which then counts as inconclusive.
struct Signals {
    stop: tokio::sync::oneshot::Receiver<String>,
    cut: Arc<tokio::sync::Notify>,
}

impl Signals {
    fn listen() -> Signals {
        use tokio::signal::unix::{SignalKind, signal};
        let (tx, stop) = tokio::sync::oneshot::channel();
        let cut = Arc::new(tokio::sync::Notify::new());
        let cutter = cut.clone();
        tokio::spawn(async move {
            let (Ok(mut int), Ok(mut term)) = (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) else {
                return;
            };
            let mut tx = Some(tx);
            loop {
                let name = tokio::select! {
                    _ = int.recv() => "SIGINT",
                    _ = term.recv() => "SIGTERM",
                };
                match tx.take() {
                    Some(tx) => {
                        eprintln!(
                            "prod-smoke: {name}: the watch ends once the pass in flight is \
                             recorded; a second signal cuts that pass short"
                        );
                        let _ = tx.send(name.to_string());
                    }
                    // A permit is kept, so a pass that starts listening
                    // later is still cut.
                    None => cutter.notify_one(),
                }
            }
        });
        Signals { stop, cut }
    }
}
