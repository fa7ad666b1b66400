//! What a page's watch has collected: the state that the browser-wide
//! guard (guard.rs) and the page's own listeners (page_watch.rs) both fill,
//! and the raw CDP events kept for the scenario's trace (trace.rs). It sits
//! below all three: each of them points down here, and none of them needs
//! another for these types.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chromiumoxide::cdp::browser_protocol::log::EventEntryAdded;
use chromiumoxide::cdp::browser_protocol::network::{
    EventLoadingFailed, EventLoadingFinished, EventRequestWillBeSent, EventResponseReceived,
};
use chromiumoxide::cdp::js_protocol::runtime::{EventConsoleApiCalled, EventExceptionThrown};
use chrono::{DateTime, Utc};
use prod_smoke_model::{BlockedRequest, PageError};

/// Caps what one page may pile up, so a hostile page cannot exhaust memory.
pub(crate) const MAX_RECORDS: usize = 200;
const MAX_TEXT: usize = 500;

/// Caps what one page may pile up for its trace, so a page that loads
/// thousands of resources (or logs in a loop) cannot exhaust memory.
const MAX_NET_EVENTS: usize = 20_000;
const MAX_CONSOLE: usize = 2_000;

/// At most [`MAX_TEXT`] characters of a page-derived string, then `…`.
pub(crate) fn clip(s: &str) -> String {
    prod_smoke_model::text::truncate(s, MAX_TEXT + 1)
}

/// One page's records: filled by its listeners (page_watch.rs) and by the
/// guard for what it refused on the page's behalf (guard.rs).
#[derive(Debug, Default)]
pub(crate) struct WatchState {
    /// Index of the visit step that is current, so records land on it.
    pub(crate) visit: usize,
    /// When the current visit began, in the order of visits across pages
    /// (page_watch.rs counts them).
    pub(crate) seq: u64,
    pub(crate) document_status: Option<u16>,
    pub(crate) document_url: Option<String>,
    /// The main document's request in this visit, and the body bytes of it
    /// that arrived so far (a trickling response is reported with them).
    pub(crate) document_request: Option<String>,
    pub(crate) document_bytes: u64,
    /// Every response body byte of this visit, for the page cap.
    pub(crate) page_bytes: u64,
    /// The page's target id, which is also its main frame's id.
    pub(crate) target_id: String,
    pub(crate) blocked: Vec<Refusal>,
    pub(crate) errors: Vec<Seen>,
    /// Execution context id to the frame it runs in.
    pub(crate) contexts: HashMap<i64, String>,
    /// WebSockets created while the guard's policy should have stopped
    /// them, with the visit they happened on.
    pub(crate) breaches: Vec<(usize, String)>,
    /// The next arrival number for a refusal or an error.
    pub(crate) arrivals: u64,
    /// The raw events for the scenario's trace; `None` under `--trace off`.
    pub(crate) trace: Option<PageLog>,
}

/// A request the guard refused, filed under a visit.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub(crate) visit: usize,
    /// Arrival order among the page's refusals and errors.
    pub(crate) seq: u64,
    pub(crate) frame: String,
    pub(crate) request: BlockedRequest,
}

/// A page error as it arrived, before it is matched against refusals.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) visit: usize,
    /// Arrival order among the page's refusals and errors.
    pub(crate) seq: u64,
    /// The frame it came from, when the event says.
    pub(crate) frame: Option<String>,
    /// The URL a failed-load log entry names.
    pub(crate) url: Option<String>,
    pub(crate) error: PageError,
}

/// Files a request the guard blocked on the page's current visit.
pub(crate) fn push_blocked(
    state: &Mutex<WatchState>,
    method: String,
    url: &str,
    channel: String,
    frame: &str,
) {
    let mut s = state.lock().expect("watch state");
    if s.blocked.len() >= MAX_RECORDS {
        return;
    }
    let page = s.document_url.clone().unwrap_or_default();
    let visit = s.visit;
    s.arrivals += 1;
    let seq = s.arrivals;
    s.blocked.push(Refusal {
        visit,
        seq,
        frame: frame.to_string(),
        request: BlockedRequest {
            method,
            url: clip(url),
            page,
            channel,
            caused: Vec::new(),
        },
    });
}

/// True when `frame` is the main frame of the watched page.
pub(crate) fn is_main_frame(state: &Mutex<WatchState>, frame: &str) -> bool {
    state.lock().expect("watch state").target_id == frame
}

/// The guard holds a document until its body is complete (guard.rs); while
/// it arrives, the guard reports its status and the bytes so far here.
pub(crate) fn document_arriving(state: &Mutex<WatchState>, status: Option<u16>, bytes: u64) {
    let mut s = state.lock().expect("watch state");
    if let Some(status) = status {
        s.document_status = Some(status);
        // Counted from here by the guard, then again by dataReceived.
        s.document_request = None;
    }
    s.document_bytes = bytes;
}

/// When the page's current visit began, among every page's visits.
pub(crate) fn visit_seq(state: &Mutex<WatchState>) -> u64 {
    state.lock().expect("watch state").seq
}

/// What a `console.*` call printed: its arguments, joined by spaces.
pub(crate) fn console_message(ev: &EventConsoleApiCalled) -> String {
    ev.args
        .iter()
        .map(|a| match &a.value {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => a.description.clone().unwrap_or_default(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An uncaught exception's description (with its stack), else its text.
pub(crate) fn exception_message(ev: &EventExceptionThrown) -> String {
    let d = &ev.exception_details;
    d.exception
        .as_ref()
        .and_then(|e| e.description.clone())
        .unwrap_or_else(|| d.text.clone())
}

/// One network event, as CDP sent it, and the visit it arrived during.
#[derive(Debug)]
pub(crate) enum NetEvent {
    Sent(Arc<EventRequestWillBeSent>, usize),
    Response(Arc<EventResponseReceived>),
    Finished(Arc<EventLoadingFinished>),
    Failed(Arc<EventLoadingFailed>),
}

/// One console message or page error, and the visit it arrived during.
#[derive(Debug)]
pub(crate) enum ConsoleEvent {
    Api(Arc<EventConsoleApiCalled>, usize),
    Exception(Arc<EventExceptionThrown>, usize),
    Log(Arc<EventEntryAdded>, usize),
}

/// A visit: the page entry of the HAR.
#[derive(Debug, Clone)]
pub(crate) struct VisitMark {
    pub index: usize,
    pub url: String,
    pub at: DateTime<Utc>,
}

/// What one page recorded for its trace.
#[derive(Debug, Default)]
pub(crate) struct PageLog {
    pub visits: Vec<VisitMark>,
    pub net: Vec<NetEvent>,
    pub console: Vec<ConsoleEvent>,
}

impl PageLog {
    pub fn push_net(&mut self, ev: NetEvent) {
        if self.net.len() < MAX_NET_EVENTS {
            self.net.push(ev);
        }
    }

    pub fn push_console(&mut self, ev: ConsoleEvent) {
        if self.console.len() < MAX_CONSOLE {
            self.console.push(ev);
        }
    }
}
