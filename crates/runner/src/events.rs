//! The runner reports progress as events; reporters (terminal, CI logs)
//! subscribe, so the engine never formats output.

use std::time::Duration;

use prod_smoke_model::CheckResult;
use tokio::sync::mpsc::UnboundedSender;

#[derive(Debug, Clone)]
pub enum RunEvent {
    ScenarioStarted {
        name: String,
        attempt: u32,
    },
    CheckFinished {
        check: CheckResult,
    },
    ScenarioFinished {
        name: String,
        attempt: u32,
        passed: bool,
        duration: Duration,
    },
    BrowserReady {
        startup: Duration,
    },
    RetryScheduled {
        scenarios: Vec<String>,
        delay: Duration,
    },
    /// Something an operator should know that is neither a pass nor a
    /// failure, e.g. a screenshot capped because the page is too tall.
    Note {
        scenario: String,
        text: String,
    },
}

/// Where events go: every subscriber gets each one; a run without a
/// subscriber drops them.
#[derive(Debug, Clone, Default)]
pub struct EventSink(Vec<UnboundedSender<RunEvent>>);

impl EventSink {
    pub fn new(tx: UnboundedSender<RunEvent>) -> Self {
        EventSink(vec![tx])
    }

    pub fn none() -> Self {
        EventSink(Vec::new())
    }

    /// Adds a subscriber (a second reporter, such as heartbeat.log).
    pub fn and(mut self, tx: UnboundedSender<RunEvent>) -> Self {
        self.0.push(tx);
        self
    }

    pub fn emit(&self, event: RunEvent) {
        if let Some((last, rest)) = self.0.split_last() {
            for tx in rest {
                let _ = tx.send(event.clone());
            }
            let _ = last.send(event);
        }
    }
}
