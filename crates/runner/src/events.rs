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
}

/// Where events go; a run without a subscriber drops them.
#[derive(Debug, Clone, Default)]
pub struct EventSink(Option<UnboundedSender<RunEvent>>);

impl EventSink {
    pub fn new(tx: UnboundedSender<RunEvent>) -> Self {
        EventSink(Some(tx))
    }

    pub fn none() -> Self {
        EventSink(None)
    }

    pub fn emit(&self, event: RunEvent) {
        if let Some(tx) = &self.0 {
            let _ = tx.send(event);
        }
    }
}
