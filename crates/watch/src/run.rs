//! The loop: wait for the slot, run a pass, let the policy decide, record
//! it, until the window closes or someone asks to stop.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use prod_smoke_model::Verdict;
use tokio::time::Instant;

use crate::policy::{Change, Judge, Policy, Record};
use crate::schedule::{Schedule, pass_folder};
use crate::timeline::{Timeline, WatchVerdict};

/// One pass about to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassPlan {
    /// 1-based.
    pub number: u32,
    /// When it starts, after the watch's start.
    pub offset: Duration,
    /// Its own artifacts folder ([`pass_folder`]).
    pub artifacts: PathBuf,
}

/// One pass, judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassSeen {
    pub number: u32,
    pub offset: Duration,
    pub verdict: Verdict,
    pub record: Record,
}

/// What the loop tells a reporter.
#[derive(Debug, Clone, Copy)]
pub enum WatchEvent<'a> {
    /// A pass starts.
    Starting(&'a PassPlan),
    /// A pass has its verdict and the policy decided; recording comes next.
    Decided(&'a PassSeen),
    /// The next pass waits until this offset.
    Waiting { next: Duration },
    /// A stop was asked for; the watch ends once the pass in flight (if
    /// any) is recorded.
    Stopping { why: &'a str, pass_in_flight: bool },
}

/// What a watch watches: one pass of the suite, and the seal it records.
/// The CLI implements it over the engine; tests over fakes.
pub trait Watched {
    /// A finished pass, not yet recorded.
    type Pass;

    /// Runs one pass of the suite into `plan.artifacts`. It records
    /// nothing: the policy decides how once its verdict is known.
    fn run(&mut self, plan: &PassPlan) -> impl Future<Output = Self::Pass>;

    /// The pass's verdict.
    fn verdict(&self, pass: &Self::Pass) -> Verdict;

    /// Records the pass as the policy said: the normal seal, the ledger
    /// only, or an amendment of the seal everywhere it lives.
    fn record(
        &mut self,
        pass: Self::Pass,
        plan: &PassPlan,
        record: Record,
    ) -> impl Future<Output = ()>;

    /// Progress for a reporter; nothing by default.
    fn event(&mut self, _event: WatchEvent<'_>) {}
}

/// How a watch went.
#[derive(Debug, Clone)]
pub struct WatchReport {
    pub passes: Vec<PassSeen>,
    pub timeline: Timeline,
    /// Why it ended early (`SIGINT`), if it did.
    pub stopped: Option<String>,
}

impl WatchReport {
    pub fn verdict(&self) -> WatchVerdict {
        self.timeline.verdict()
    }

    /// Every confirmed change, in order.
    pub fn changes(&self) -> Vec<Change> {
        self.passes
            .iter()
            .filter_map(|p| match p.record {
                Record::Amend(c) => Some(c),
                _ => None,
            })
            .collect()
    }

    pub fn inconclusive(&self) -> usize {
        self.timeline.count(Verdict::Inconclusive)
    }
}

/// Watches: a pass on each slot of `schedule`, each judged by `policy` and
/// recorded by `watched`, the artifacts of pass `n` in
/// `pass_folder(root, n)`. `stop` resolving (to a reason, e.g. `SIGTERM`)
/// ends the watch before the next pass; a pass in flight finishes and is
/// recorded first.
pub async fn watch<W: Watched>(
    schedule: Schedule,
    policy: Policy,
    root: &Path,
    watched: &mut W,
    stop: impl Future<Output = String>,
) -> WatchReport {
    let start = Instant::now();
    let mut judge = Judge::new(policy);
    let mut report = WatchReport {
        passes: Vec::new(),
        timeline: Timeline::new(schedule.window),
        stopped: None,
    };
    let stop = std::pin::pin!(stop);
    let mut stop = fused::Fuse::new(stop);
    let mut done = 0u32;
    let mut last_slot = None;
    while let Some(slot) = schedule.next_slot(start.elapsed(), last_slot) {
        last_slot = Some(slot);
        if slot > start.elapsed() {
            watched.event(WatchEvent::Waiting { next: slot });
            tokio::select! {
                () = tokio::time::sleep_until(start + slot) => {}
                why = &mut stop => {
                    watched.event(WatchEvent::Stopping { why: &why, pass_in_flight: false });
                    report.stopped = Some(why);
                    break;
                }
            }
        }
        done += 1;
        let plan = PassPlan {
            number: done,
            offset: start.elapsed(),
            artifacts: pass_folder(root, done),
        };
        watched.event(WatchEvent::Starting(&plan));
        // The pass is never cut short by a stop: it finishes and is
        // recorded, and then the watch ends.
        let (pass, stopped) = {
            let pass = watched.run(&plan);
            let mut pass = std::pin::pin!(pass);
            let mut stopped = None;
            let pass = loop {
                tokio::select! {
                    pass = &mut pass => break pass,
                    why = &mut stop, if stopped.is_none() => stopped = Some(why),
                }
            };
            (pass, stopped)
        };
        if let Some(why) = &stopped {
            watched.event(WatchEvent::Stopping {
                why,
                pass_in_flight: true,
            });
        }
        let verdict = watched.verdict(&pass);
        let record = judge.decide(verdict, plan.offset);
        let seen = PassSeen {
            number: plan.number,
            offset: plan.offset,
            verdict,
            record,
        };
        watched.event(WatchEvent::Decided(&seen));
        watched.record(pass, &plan, record).await;
        report.timeline.push(plan.offset, verdict);
        report.passes.push(seen);
        if stopped.is_some() {
            report.stopped = stopped;
            break;
        }
    }
    report
}

/// A future that, once resolved, stays pending instead of panicking when
/// polled again: a stop is taken once.
mod fused {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    pub struct Fuse<F> {
        inner: Option<F>,
    }

    impl<F> Fuse<F> {
        pub fn new(inner: F) -> Self {
            Fuse { inner: Some(inner) }
        }
    }

    impl<F: Future + Unpin> Future for Fuse<F> {
        type Output = F::Output;

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            let Some(inner) = self.inner.as_mut() else {
                return Poll::Pending;
            };
            match Pin::new(inner).poll(cx) {
                Poll::Ready(out) => {
                    self.inner = None;
                    Poll::Ready(out)
                }
                Poll::Pending => Poll::Pending,
            }
        }
    }
}
