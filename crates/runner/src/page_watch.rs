//! Everything a page does while a scenario looks at it: the main document's
//! status (from `Network.responseReceived`, because Chrome fails `goto` on
//! an error status with an empty body), uncaught exceptions, console errors,
//! failed subresources, and what the browser-wide read-only guard
//! (guard.rs) blocked on the page's behalf.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::log::{
    self, EventEntryAdded, LogEntryLevel, LogEntrySource,
};
use chromiumoxide::cdp::browser_protocol::network::{
    EventDataReceived, EventLoadingFailed, EventLoadingFinished, EventRequestWillBeSent,
    EventResponseReceived, ResourceType,
};
use chromiumoxide::cdp::browser_protocol::page::EventFrameAttached;
use chromiumoxide::cdp::js_protocol::runtime::{
    ConsoleApiCalledType, EventConsoleApiCalled, EventExceptionThrown,
};
use futures::StreamExt;
use prod_smoke_model::{BlockedRequest, PageError, PageErrorKind};
use tokio::task::JoinHandle;

use crate::errors::RunnerError;
use crate::guard::{BrowserGuard, Subscription};
use crate::trace::{ConsoleEvent, NetEvent, PageLog, VisitMark};

/// Caps what one page may pile up, so a hostile page cannot exhaust memory.
const MAX_RECORDS: usize = 200;
const MAX_TEXT: usize = 500;

#[derive(Debug, Default)]
pub(crate) struct WatchState {
    /// Index of the visit step that is current, so records land on it.
    visit: usize,
    /// When the current visit began, in [`VISIT_SEQ`] order.
    seq: u64,
    document_status: Option<u16>,
    document_url: Option<String>,
    /// The main document's request in this visit, and the body bytes of it
    /// that arrived so far (a trickling response is reported with them).
    document_request: Option<String>,
    document_bytes: u64,
    /// Every response body byte of this visit, for the page cap.
    page_bytes: u64,
    /// The page's target id, which is also its main frame's id.
    target_id: String,
    blocked: Vec<(usize, BlockedRequest)>,
    errors: Vec<(usize, PageError)>,
    /// The raw events for the scenario's trace; `None` under `--trace off`.
    trace: Option<PageLog>,
}

pub struct PageWatch {
    state: Arc<Mutex<WatchState>>,
    tasks: Vec<JoinHandle<()>>,
    _subscription: Subscription,
}

/// Orders visits across pages, so the guard can file a request no page
/// claims (a shared worker's, a popup's) on the page visited last.
static VISIT_SEQ: AtomicU64 = AtomicU64::new(0);

/// At most [`MAX_TEXT`] characters of a page-derived string, then `…`.
fn clip(s: &str) -> String {
    prod_smoke_model::text::truncate(s, MAX_TEXT + 1)
}

impl PageWatch {
    /// Subscribes to the page's events and to what the browser's guard
    /// blocks for it. Must run before the first navigation. With `trace`,
    /// it also keeps the raw network and console events for the
    /// scenario's trace.
    pub async fn attach(
        page: &Page,
        guard: &BrowserGuard,
        trace: bool,
    ) -> Result<PageWatch, RunnerError> {
        let cdp = |e: chromiumoxide::error::CdpError| RunnerError::Cdp(e.to_string());
        let state = Arc::new(Mutex::new(WatchState {
            trace: trace.then(PageLog::default),
            target_id: page.target_id().as_ref().to_string(),
            ..WatchState::default()
        }));
        let main_frame = page.mainframe().await.map_err(cdp)?;
        let mut tasks = Vec::new();

        // Frames of this page, so the browser-wide guard can tell whose
        // request it stopped. Out-of-process iframes are attached here too.
        let frames = Arc::new(Mutex::new(HashSet::new()));
        if let Some(f) = &main_frame {
            frames
                .lock()
                .expect("frames")
                .insert(f.as_ref().to_string());
        }
        frames
            .lock()
            .expect("frames")
            .insert(page.target_id().as_ref().to_string());
        let mut attached = page
            .event_listener::<EventFrameAttached>()
            .await
            .map_err(cdp)?;
        let fr = frames.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = attached.next().await {
                fr.lock()
                    .expect("frames")
                    .insert(ev.frame_id.as_ref().to_string());
            }
        }));
        let subscription = guard.subscribe(frames, state.clone());

        let mut responses = page
            .event_listener::<EventResponseReceived>()
            .await
            .map_err(cdp)?;
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = responses.next().await {
                let is_main = ev.r#type == ResourceType::Document
                    && (main_frame.is_none() || ev.frame_id == main_frame);
                let mut s = st.lock().expect("watch state");
                if is_main {
                    s.document_status = u16::try_from(ev.response.status).ok();
                    s.document_url = Some(ev.response.url.clone());
                    s.document_request = Some(ev.request_id.as_ref().to_string());
                    s.document_bytes = 0;
                }
                if let Some(t) = &mut s.trace {
                    t.push_net(NetEvent::Response(ev));
                }
            }
        }));

        // Body bytes as they arrive (Network.dataReceived fires per chunk,
        // also while a response is still streaming).
        let mut data = page
            .event_listener::<EventDataReceived>()
            .await
            .map_err(cdp)?;
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = data.next().await {
                let mut s = st.lock().expect("watch state");
                let n = ev.data_length.max(0) as u64;
                s.page_bytes = s.page_bytes.saturating_add(n);
                if s.document_request.as_deref() == Some(ev.request_id.as_ref()) {
                    s.document_bytes = s.document_bytes.saturating_add(n);
                }
            }
        }));

        let mut exceptions = page
            .event_listener::<EventExceptionThrown>()
            .await
            .map_err(cdp)?;
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = exceptions.next().await {
                let message = exception_message(&ev);
                push_error(&st, PageErrorKind::Exception, &message);
                push_console(&st, |visit| ConsoleEvent::Exception(ev, visit));
            }
        }));

        let mut console = page
            .event_listener::<EventConsoleApiCalled>()
            .await
            .map_err(cdp)?;
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = console.next().await {
                if ev.r#type != ConsoleApiCalledType::Error {
                    push_console(&st, |visit| ConsoleEvent::Api(ev, visit));
                    continue;
                }
                let message = console_message(&ev);
                push_error(&st, PageErrorKind::Console, &message);
                push_console(&st, |visit| ConsoleEvent::Api(ev, visit));
            }
        }));

        let mut entries = page
            .event_listener::<EventEntryAdded>()
            .await
            .map_err(cdp)?;
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = entries.next().await {
                let e = &ev.entry;
                // Requests the guard blocked are reported as blocked, not as
                // page errors.
                if e.source == LogEntrySource::Network
                    && e.level == LogEntryLevel::Error
                    && !e.text.contains("ERR_BLOCKED_BY_CLIENT")
                {
                    let url = e.url.clone().unwrap_or_default();
                    push_error(
                        &st,
                        PageErrorKind::FailedRequest,
                        &format!("{} {url}", e.text),
                    );
                }
                push_console(&st, |visit| ConsoleEvent::Log(ev, visit));
            }
        }));

        if trace {
            tasks.push(trace_network(page, state.clone()).await.map_err(cdp)?);
        }

        page.execute(log::EnableParams::default())
            .await
            .map_err(cdp)?;
        Ok(PageWatch {
            state,
            tasks,
            _subscription: subscription,
        })
    }

    /// Starts a new visit of `url`: clears the document status and files
    /// later records under `visit`.
    pub fn begin_visit(&self, visit: usize, url: &str) {
        let mut s = self.state.lock().expect("watch state");
        s.visit = visit;
        s.seq = VISIT_SEQ.fetch_add(1, Ordering::SeqCst) + 1;
        s.document_status = None;
        s.document_request = None;
        s.document_bytes = 0;
        s.page_bytes = 0;
        if let Some(t) = &mut s.trace {
            t.visits.push(VisitMark {
                index: visit,
                url: url.to_string(),
                at: chrono::Utc::now(),
            });
        }
    }

    /// Hands over what was kept for the trace, with what the guard blocked
    /// (each under its visit). Empty under `--trace off`.
    pub(crate) fn take_trace(&self) -> (PageLog, Vec<(usize, BlockedRequest)>) {
        let mut s = self.state.lock().expect("watch state");
        let log = s.trace.as_mut().map(std::mem::take).unwrap_or_default();
        let blocked = if s.trace.is_some() {
            s.blocked.clone()
        } else {
            Vec::new()
        };
        (log, blocked)
    }

    /// Body bytes of this visit's main document received so far.
    pub fn document_bytes(&self) -> u64 {
        self.state.lock().expect("watch state").document_bytes
    }

    /// Body bytes of every response of this visit so far.
    pub fn page_bytes(&self) -> u64 {
        self.state.lock().expect("watch state").page_bytes
    }

    pub fn document_status(&self) -> Option<u16> {
        self.state.lock().expect("watch state").document_status
    }

    /// Records filed under `visit` so far.
    pub fn records_for(&self, visit: usize) -> (Vec<BlockedRequest>, Vec<PageError>) {
        let s = self.state.lock().expect("watch state");
        (
            s.blocked
                .iter()
                .filter(|(v, _)| *v == visit)
                .map(|(_, b)| b.clone())
                .collect(),
            s.errors
                .iter()
                .filter(|(v, _)| *v == visit)
                .map(|(_, e)| e.clone())
                .collect(),
        )
    }

    /// Page errors seen on the current visit so far.
    pub fn current_errors(&self) -> Vec<PageError> {
        let s = self.state.lock().expect("watch state");
        s.errors
            .iter()
            .filter(|(v, _)| *v == s.visit)
            .map(|(_, e)| e.clone())
            .collect()
    }
}

/// Files a request the guard blocked on the page's current visit.
pub(crate) fn push_blocked(state: &Mutex<WatchState>, method: String, url: &str, channel: String) {
    let mut s = state.lock().expect("watch state");
    if s.blocked.len() >= MAX_RECORDS {
        return;
    }
    let page = s.document_url.clone().unwrap_or_default();
    let visit = s.visit;
    s.blocked.push((
        visit,
        BlockedRequest {
            method,
            url: clip(url),
            page,
            channel,
        },
    ));
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

/// Keeps a console event for the trace, under the current visit. Only an
/// `Arc` is stored: the text is built if the trace is kept.
fn push_console(state: &Mutex<WatchState>, event: impl FnOnce(usize) -> ConsoleEvent) {
    let mut s = state.lock().expect("watch state");
    let visit = s.visit;
    if let Some(t) = &mut s.trace {
        t.push_console(event(visit));
    }
}

/// One task for the trace's network events (the responses come through
/// the status listener above): sends, finishes and failures.
async fn trace_network(
    page: &Page,
    state: Arc<Mutex<WatchState>>,
) -> Result<JoinHandle<()>, chromiumoxide::error::CdpError> {
    let sent = page.event_listener::<EventRequestWillBeSent>().await?;
    let finished = page.event_listener::<EventLoadingFinished>().await?;
    let failed = page.event_listener::<EventLoadingFailed>().await?;
    let mut events = futures::stream::select(
        sent.map(Recorded::Sent),
        futures::stream::select(
            finished.map(Recorded::Finished),
            failed.map(Recorded::Failed),
        ),
    );
    Ok(tokio::spawn(async move {
        while let Some(ev) = events.next().await {
            let mut s = state.lock().expect("watch state");
            let visit = s.visit;
            if let Some(t) = &mut s.trace {
                t.push_net(match ev {
                    Recorded::Sent(e) => NetEvent::Sent(e, visit),
                    Recorded::Finished(e) => NetEvent::Finished(e),
                    Recorded::Failed(e) => NetEvent::Failed(e),
                });
            }
        }
    }))
}

enum Recorded {
    Sent(Arc<EventRequestWillBeSent>),
    Finished(Arc<EventLoadingFinished>),
    Failed(Arc<EventLoadingFailed>),
}

fn push_error(state: &Mutex<WatchState>, kind: PageErrorKind, message: &str) {
    let mut s = state.lock().expect("watch state");
    if s.errors.len() >= MAX_RECORDS {
        return;
    }
    let page = s.document_url.clone().unwrap_or_default();
    let visit = s.visit;
    s.errors.push((
        visit,
        PageError {
            kind,
            message: clip(message),
            page,
        },
    ));
}

impl Drop for PageWatch {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}
