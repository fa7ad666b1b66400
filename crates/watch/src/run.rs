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
    /// A pass is over: judged by the policy and recorded as it said.
    Recorded(&'a PassSeen),
    /// The next pass waits until this offset.
    Waiting { next: Duration },
    /// A stop was asked for; the watch ends once the pass in flight (if
    /// any) is recorded.
    Stopping { why: &'a str, pass_in_flight: bool },
}

/// What a watch watches: one pass of the suite, and the seal it records.
/// `EnginePasses` implements it over the engine; tests over fakes.
pub trait Watched {
    /// Runs one pass of the suite into `plan.artifacts`; once its verdict
    /// is known, asks `decide` what the policy makes of it and records the
    /// pass so: the normal seal, the ledger only, or an amendment of the
    /// seal everywhere it lives. Returns the verdict.
    fn pass(
        &mut self,
        plan: &PassPlan,
        decide: &mut dyn FnMut(Verdict) -> Record,
    ) -> impl Future<Output = Verdict>;

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
        // The pass is never cut short by the loop: it is judged and
        // recorded, and only then does a stop end the watch.
        let mut decided: Option<Record> = None;
        let (verdict, stopped) = {
            let mut decide = |verdict: Verdict| {
                *decided.get_or_insert_with(|| judge.decide(verdict, plan.offset))
            };
            let pass = watched.pass(&plan, &mut decide);
            let mut pass = std::pin::pin!(pass);
            let mut stopped = None;
            let verdict = loop {
                tokio::select! {
                    verdict = &mut pass => break verdict,
                    why = &mut stop, if stopped.is_none() => stopped = Some(why),
                }
            };
            (verdict, stopped)
        };
        // A pass that never asked is judged now, so the policy sees every
        // verdict in order.
        let record = decided.unwrap_or_else(|| judge.decide(verdict, plan.offset));
        if let Some(why) = &stopped {
            watched.event(WatchEvent::Stopping {
                why,
                pass_in_flight: true,
            });
        }
        let seen = PassSeen {
            number: plan.number,
            offset: plan.offset,
            verdict,
            record,
        };
        watched.event(WatchEvent::Recorded(&seen));
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
