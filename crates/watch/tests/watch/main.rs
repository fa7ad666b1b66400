//! The loop over a scripted pass: what is recorded, where, and how a
//! watch ends. The policy's own rules are unit-tested in `src/policy.rs`;
//! the real passes (Chromium, the fixture site, the sinks) are tested
//! through the CLI.

use std::path::{Path, PathBuf};
use std::time::Duration;

use prod_smoke_model::Verdict::{self, Green as G, Inconclusive as I, Red as R};
use prod_smoke_watch::{
    KeepReason, PassPlan, Policy, Record, Schedule, WatchEvent, WatchVerdict, Watched, watch,
};
use tokio::sync::oneshot;

/// Passes that say what the script says, each taking `took`; it asks the
/// watch to stop while pass `stop_at` runs.
struct Script {
    verdicts: Vec<Verdict>,
    took: Duration,
    stop_at: Option<u32>,
    stop: Option<oneshot::Sender<String>>,
    recorded: Vec<(u32, PathBuf, Verdict, Record)>,
    events: Vec<String>,
}

impl Script {
    fn new(verdicts: &[Verdict]) -> (Self, oneshot::Receiver<String>) {
        let (tx, rx) = oneshot::channel();
        let script = Script {
            verdicts: verdicts.to_vec(),
            took: Duration::from_millis(5),
            stop_at: Some(verdicts.len() as u32),
            stop: Some(tx),
            recorded: Vec::new(),
            events: Vec::new(),
        };
        (script, rx)
    }
}

impl Watched for Script {
    async fn pass(
        &mut self,
        plan: &PassPlan,
        decide: &mut dyn FnMut(Verdict) -> Record,
    ) -> Verdict {
        if Some(plan.number) == self.stop_at
            && let Some(tx) = self.stop.take()
        {
            let _ = tx.send("SIGTERM".to_string());
        }
        tokio::time::sleep(self.took).await;
        let verdict = self.verdicts[(plan.number - 1) as usize];
        let record = decide(verdict);
        // Asking twice changes nothing: the policy judges a pass once.
        assert_eq!(decide(verdict), record);
        self.recorded
            .push((plan.number, plan.artifacts.clone(), verdict, record));
        verdict
    }

    fn event(&mut self, event: WatchEvent<'_>) {
        self.events.push(match event {
            WatchEvent::Starting(p) => format!("start {}", p.number),
            WatchEvent::Recorded(s) => format!("recorded {}", s.number),
            WatchEvent::Waiting { .. } => "wait".to_string(),
            WatchEvent::Stopping {
                why,
                pass_in_flight,
            } => format!("stop {why} {pass_in_flight}"),
        });
    }
}

async fn stopped(rx: oneshot::Receiver<String>) -> String {
    match rx.await {
        Ok(why) => why,
        Err(_) => std::future::pending().await,
    }
}

fn fast() -> Schedule {
    Schedule {
        every: Duration::from_millis(20),
        window: Duration::from_secs(60),
    }
}

#[tokio::test]
async fn a_regression_and_a_recovery_are_each_recorded_once() {
    let (mut script, rx) = Script::new(&[G, G, R, R, R, G, G, G]);
    let root = Path::new("w");
    let report = watch(fast(), Policy::default(), root, &mut script, stopped(rx)).await;

    let records: Vec<Record> = script.recorded.iter().map(|r| r.3).collect();
    assert_eq!(records[0], Record::Seal);
    assert_eq!(records[1], Record::Keep(KeepReason::Unchanged));
    assert!(matches!(
        records[2],
        Record::Keep(KeepReason::Unconfirmed { seen: 1, .. })
    ));
    assert!(matches!(records[3], Record::Amend(c) if c.from == G && c.to == R));
    assert_eq!(records[4], Record::Keep(KeepReason::Unchanged));
    assert!(matches!(records[6], Record::Amend(c) if c.from == R && c.to == G));
    assert_eq!(report.changes().len(), 2);
    // The regression dates from its first red pass, not the confirming one.
    let regression = report.changes()[0];
    assert_eq!(regression.since, report.passes[2].offset);
    assert!(regression.confirmed_at > regression.since);

    // Every pass recorded, each in its own folder, in order.
    assert_eq!(script.recorded.len(), 8);
    for (i, (number, folder, _, _)) in script.recorded.iter().enumerate() {
        assert_eq!(*number, i as u32 + 1);
        assert_eq!(folder, &root.join(format!("pass-{:03}", i + 1)));
    }
    assert_eq!(report.verdict(), WatchVerdict::Red);
    assert_eq!(report.stopped.as_deref(), Some("SIGTERM"));
}

#[tokio::test]
async fn a_stop_during_a_pass_lets_it_finish_and_be_recorded() {
    let (mut script, rx) = Script::new(&[G, G, G]);
    script.took = Duration::from_millis(150);
    let report = watch(
        fast(),
        Policy::default(),
        Path::new("w"),
        &mut script,
        stopped(rx),
    )
    .await;
    assert_eq!(report.passes.len(), 3, "{:?}", script.events);
    assert_eq!(script.recorded.len(), 3);
    let tail: Vec<&str> = script
        .events
        .iter()
        .rev()
        .take(3)
        .map(String::as_str)
        .collect();
    assert_eq!(tail, ["recorded 3", "stop SIGTERM true", "start 3"]);
    assert_eq!(report.verdict(), WatchVerdict::Green);
}

#[tokio::test]
async fn a_stop_while_waiting_ends_at_once() {
    let (mut script, _rx) = Script::new(&[G, G]);
    script.stop_at = None;
    let slow = Schedule {
        every: Duration::from_secs(30),
        window: Duration::from_secs(60),
    };
    let started = std::time::Instant::now();
    let stop = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        "SIGINT".to_string()
    };
    let report = watch(slow, Policy::default(), Path::new("w"), &mut script, stop).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(report.passes.len(), 1);
    assert_eq!(report.stopped.as_deref(), Some("SIGINT"));
    assert_eq!(
        script.events.last().map(String::as_str),
        Some("stop SIGINT false")
    );
}

#[tokio::test]
async fn no_pass_starts_once_the_window_closed() {
    let (mut script, _rx) = Script::new(&[G; 50]);
    script.stop_at = None;
    let window = Duration::from_millis(200);
    let schedule = Schedule {
        every: Duration::from_millis(40),
        window,
    };
    let report = watch(
        schedule,
        Policy::default(),
        Path::new("w"),
        &mut script,
        std::future::pending(),
    )
    .await;
    assert!(report.stopped.is_none());
    assert!(!report.passes.is_empty() && report.passes.len() <= 5);
    assert!(report.passes.iter().all(|p| p.offset < window));
}

#[tokio::test]
async fn only_inconclusive_passes_are_an_inconclusive_watch_that_changes_nothing() {
    let (mut script, rx) = Script::new(&[I, I, I]);
    let report = watch(
        fast(),
        Policy::default(),
        Path::new("w"),
        &mut script,
        stopped(rx),
    )
    .await;
    assert_eq!(report.verdict(), WatchVerdict::Inconclusive);
    assert_eq!(report.inconclusive(), 3);
    assert!(report.changes().is_empty());
    assert_eq!(report.timeline.to_string(), "no conclusive pass");
}

#[tokio::test]
async fn the_network_dying_mid_watch_changes_nothing() {
    let (mut script, rx) = Script::new(&[G, G, I, I, I, G]);
    let report = watch(
        fast(),
        Policy::default(),
        Path::new("w"),
        &mut script,
        stopped(rx),
    )
    .await;
    assert!(report.changes().is_empty());
    assert_eq!(report.verdict(), WatchVerdict::Green);
    assert_eq!(report.inconclusive(), 3);
    assert!(
        script.recorded[2..5]
            .iter()
            .all(|r| r.3 == Record::Keep(KeepReason::Inconclusive))
    );
}
