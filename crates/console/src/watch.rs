//! The watch on stderr: its opening line, its notes, each pass's engine
//! events (through the seal's renderer, progress.rs), and the summary
//! once it ends. The `  watch: …` lines are watch.log's sentences, masked
//! and unstamped: the watch writes the log, this only shows the line.

use std::future::Future;

use prod_smoke_engine::EngineEvent;
use prod_smoke_model::Verdict;
use prod_smoke_redact::Redactor;
use prod_smoke_watch::{WatchNote, WatchOutput, WatchReport, shown};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::progress::render_events;

/// A watch's [`WatchOutput`] on stderr.
#[derive(Debug, Default)]
pub struct WatchConsole;

impl WatchOutput for WatchConsole {
    fn note(&self, note: WatchNote<'_>) {
        match note {
            WatchNote::Began {
                app,
                schedule,
                policy,
                root,
            } => eprintln!(
                "→ prod-smoke watch {app}: every {} for {}, a change needs {} pass(es) in a row; \
                 passes in {}",
                shown(schedule.every),
                shown(schedule.window),
                policy.confirm,
                root.display()
            ),
            WatchNote::StopAsked { signal } => eprintln!(
                "prod-smoke: {signal}: the watch ends once the pass in flight is recorded; a \
                 second signal cuts that pass short"
            ),
            WatchNote::PassNotPrepared { pass, why } => {
                eprintln!("prod-smoke: watch pass {pass}: {why}")
            }
            WatchNote::Logged { line, redactor } => {
                eprintln!("  watch: {}", redactor.redact(line))
            }
        }
    }

    fn pass_events(
        &self,
        events: UnboundedReceiver<EngineEvent>,
        redactor: Redactor,
    ) -> impl Future<Output = ()> + Send + 'static {
        render_events(events, redactor)
    }
}

/// The last lines: the passes, the changes, the timeline.
pub fn summarise(report: &WatchReport) {
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
