//! Everything a page does while a scenario looks at it: the main document's
//! status (from `Network.responseReceived`, because Chrome fails `goto` on
//! an error status with an empty body), uncaught exceptions, console errors,
//! failed subresources, and what the browser-wide read-only guard
//! (guard.rs) blocked on the page's behalf.
//!
//! # Errors the guard caused
//!
//! A refused request makes errors of its own in a healthy page: Chromium
//! logs the failed load, a refused service-worker script fails
//! `register()`, a refused `fetch` rejects with `TypeError: Failed to
//! fetch` and apps log that. Those errors belong to the guard, not to the
//! page: each is filed under the refusal that explains it
//! ([`BlockedRequest::caused`]) and does not fail `no_page_errors`. An error
//! is explained when it names a refused URL; or says `ERR_BLOCKED_BY_CLIENT`;
//! or is a failed fetch/XHR with a refused fetch, XHR or other write in the
//! same frame (the whole page when the frame is unknown); or is a failed
//! service-worker registration with a refused worker script on the visit.
//! Every other error still fails the check. `--strict-page-errors` counts
//! the explained ones as well. Errors are matched when they are read, not
//! when they arrive, so an error that overtakes its refusal is still
//! explained.
//!
//! # The backstop
//!
//! While the guard's policy is in force no WebSocket can open, so a
//! `Network.webSocketCreated` on the page means a document got past the
//! guard: it is kept as a breach, and the scenario ends inconclusive.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::log::{
    self, EventEntryAdded, LogEntryLevel, LogEntrySource,
};
use chromiumoxide::cdp::browser_protocol::network::{
    EventDataReceived, EventLoadingFailed, EventLoadingFinished, EventRequestWillBeSent,
    EventResponseReceived, EventWebSocketCreated, ResourceType,
};
use chromiumoxide::cdp::browser_protocol::page::EventFrameAttached;
use chromiumoxide::cdp::browser_protocol::target::{
    AttachToTargetParams, EventAttachedToTarget, EventReceivedMessageFromTarget,
};
use chromiumoxide::cdp::js_protocol::runtime::{
    ConsoleApiCalledType, EventConsoleApiCalled, EventExceptionThrown, EventExecutionContextCreated,
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
    blocked: Vec<Refusal>,
    errors: Vec<Seen>,
    /// Execution context id to the frame it runs in.
    contexts: HashMap<i64, String>,
    /// WebSockets created while the guard's policy should have stopped
    /// them, with the visit they happened on.
    breaches: Vec<(usize, String)>,
    /// The next arrival number for a refusal or an error.
    arrivals: u64,
    /// The raw events for the scenario's trace; `None` under `--trace off`.
    trace: Option<PageLog>,
}

/// A request the guard refused, filed under a visit.
#[derive(Debug, Clone)]
struct Refusal {
    visit: usize,
    /// Arrival order among the page's refusals and errors.
    seq: u64,
    frame: String,
    request: BlockedRequest,
}

/// A page error as it arrived, before it is matched against refusals.
#[derive(Debug, Clone)]
struct Seen {
    visit: usize,
    /// Arrival order among the page's refusals and errors.
    seq: u64,
    /// The frame it came from, when the event says.
    frame: Option<String>,
    /// The URL a failed-load log entry names.
    url: Option<String>,
    error: PageError,
}

pub struct PageWatch {
    state: Arc<Mutex<WatchState>>,
    /// Count guard-caused errors on `no_page_errors` too.
    strict: bool,
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
        context: Option<String>,
        guard: &BrowserGuard,
        trace: bool,
    ) -> Result<PageWatch, RunnerError> {
        let policy = guard.policy();
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
        let subscription = guard.subscribe(context, frames, state.clone());

        let mut contexts = page
            .event_listener::<EventExecutionContextCreated>()
            .await
            .map_err(cdp)?;
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = contexts.next().await {
                let frame = ev
                    .context
                    .aux_data
                    .as_ref()
                    .and_then(|a| a.get("frameId"))
                    .and_then(|f| f.as_str());
                if let Some(frame) = frame {
                    let mut s = st.lock().expect("watch state");
                    if s.contexts.len() < MAX_RECORDS * 10 {
                        s.contexts.insert(*ev.context.id.inner(), frame.to_string());
                    }
                }
            }
        }));

        if policy.expects_policy() {
            let mut sockets = page
                .event_listener::<EventWebSocketCreated>()
                .await
                .map_err(cdp)?;
            let st = state.clone();
            tasks.push(tokio::spawn(async move {
                while let Some(ev) = sockets.next().await {
                    let mut s = st.lock().expect("watch state");
                    let opener = opener_of(&ev, s.document_url.as_deref());
                    tracing::error!(url = %ev.url, %opener, "a WebSocket opened past the read-only guard");
                    let visit = s.visit;
                    if s.breaches.len() < MAX_RECORDS {
                        s.breaches.push((
                            visit,
                            format!("a WebSocket to {} was opened by {opener}", clip(&ev.url)),
                        ));
                    }
                }
            }));
            tasks.extend(
                watch_children(page, guard, state.clone())
                    .await
                    .map_err(cdp)?,
            );
        }

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
                let ctx = ev
                    .exception_details
                    .execution_context_id
                    .as_ref()
                    .map(|c| *c.inner());
                push_error(
                    &st,
                    PageErrorKind::Exception,
                    &message,
                    Origin::Context(ctx),
                );
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
                let ctx = Some(*ev.execution_context_id.inner());
                push_error(&st, PageErrorKind::Console, &message, Origin::Context(ctx));
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
                // Loads the guard refused are matched to their refusal when
                // the errors are read.
                if e.source == LogEntrySource::Network && e.level == LogEntryLevel::Error {
                    let url = e.url.clone().unwrap_or_default();
                    push_error(
                        &st,
                        PageErrorKind::FailedRequest,
                        &format!("{} {url}", e.text),
                        Origin::Url(e.url.clone()),
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
            strict: policy.strict_page_errors,
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
            s.blocked
                .iter()
                .map(|r| (r.visit, r.request.clone()))
                .collect()
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

    /// Records filed under `visit` so far: what the guard refused (each
    /// with the errors it caused), and the page errors that count.
    pub fn records_for(&self, visit: usize) -> (Vec<BlockedRequest>, Vec<PageError>) {
        let s = self.state.lock().expect("watch state");
        let (blocked, errors) = sort_errors(&s, visit);
        let errors = if self.strict {
            errors
                .into_iter()
                .chain(blocked.iter().flat_map(|b| b.caused.clone()))
                .collect()
        } else {
            errors
        };
        (blocked, errors)
    }

    /// Page errors seen on the current visit so far that `no_page_errors`
    /// counts.
    pub fn current_errors(&self) -> Vec<PageError> {
        let visit = self.state.lock().expect("watch state").visit;
        self.records_for(visit).1
    }

    /// How many refusals are filed so far: a mark for [`Self::refused_since`].
    pub(crate) fn refusal_mark(&self) -> usize {
        self.state.lock().expect("watch state").blocked.len()
    }

    /// Refusals filed after `mark`, each with the frame that sent it: what
    /// an action's own navigation ran into.
    pub(crate) fn refused_since(&self, mark: usize) -> Vec<(String, BlockedRequest)> {
        let s = self.state.lock().expect("watch state");
        s.blocked
            .iter()
            .skip(mark)
            .map(|r| (r.frame.clone(), r.request.clone()))
            .collect()
    }

    /// The WebSockets that opened past the guard, on any visit.
    pub fn breaches(&self) -> Vec<(usize, String)> {
        self.state.lock().expect("watch state").breaches.clone()
    }
}

/// The visit's refusals, each with the errors it explains, and the errors
/// no refusal explains (see the module docs).
fn sort_errors(s: &WatchState, visit: usize) -> (Vec<BlockedRequest>, Vec<PageError>) {
    let refusals: Vec<&Refusal> = s.blocked.iter().filter(|r| r.visit == visit).collect();
    let mut blocked: Vec<BlockedRequest> = refusals.iter().map(|r| r.request.clone()).collect();
    let mut errors = Vec::new();
    for seen in s.errors.iter().filter(|e| e.visit == visit) {
        match explaining(&refusals, seen) {
            Some(i) => blocked[i].caused.push(seen.error.clone()),
            None => errors.push(seen.error.clone()),
        }
    }
    (blocked, errors)
}

/// Which refusal explains `seen`, if one does.
fn explaining(refusals: &[&Refusal], seen: &Seen) -> Option<usize> {
    let message = seen.error.message.as_str();
    let named = refusals.iter().position(|r| {
        seen.url.as_deref() == Some(r.request.url.as_str())
            || (!r.request.url.is_empty() && message.contains(r.request.url.as_str()))
    });
    if named.is_some() {
        return named;
    }
    let same_frame = |r: &&&Refusal| seen.frame.as_deref().is_none_or(|f| f == r.frame);
    // The latest matching refusal before the error, else the first after it.
    let first = |wanted: &dyn Fn(&str) -> bool| {
        let matching = || {
            refusals
                .iter()
                .enumerate()
                .filter(|(_, r)| same_frame(r) && wanted(&r.request.channel))
        };
        matching()
            .filter(|(_, r)| r.seq < seen.seq)
            .last()
            .or_else(|| matching().next())
            .map(|(i, _)| i)
    };
    // The injected policy's own violation report, failed by the guard.
    if message.contains(crate::guard::CSP_REPORT_URL)
        && let Some(i) = first(&|c| matches!(c, "websocket" | "connect"))
    {
        return Some(i);
    }
    if message.contains("ERR_BLOCKED_BY_CLIENT") {
        return first(&|_| true).or(if refusals.is_empty() { None } else { Some(0) });
    }
    if message.contains("Failed to fetch") || message.contains("NetworkError") {
        return first(&|c| !matches!(c, "service-worker" | "websocket" | "connect"));
    }
    if message.contains("ServiceWorker")
        || message.contains("An unknown error occurred when fetching the script")
    {
        return first(&|c| c == "service-worker");
    }
    None
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

/// The backstop for the page's child targets (out-of-process iframes,
/// dedicated workers): chromiumoxide attaches them to the page's session
/// and resumes them at once, and offers no way to send a command to such a
/// session. So each child also gets a session of its own from the
/// browser's connection, in the older non-flat mode (commands go in
/// through `Target.sendMessageToTarget`, events come back wrapped in
/// `Target.receivedMessageFromTarget`), with the Network domain on, and a
/// WebSocket it creates is a breach like the page's. The child is already
/// running when that session opens, so a socket made in its first
/// milliseconds can be missed; the policy still refuses it.
async fn watch_children(
    page: &Page,
    guard: &BrowserGuard,
    state: Arc<Mutex<WatchState>>,
) -> Result<Vec<JoinHandle<()>>, chromiumoxide::error::CdpError> {
    let mut attached = page.event_listener::<EventAttachedToTarget>().await?;
    let browser = guard.browser();
    let mut messages = browser
        .event_listener::<EventReceivedMessageFromTarget>()
        .await?;
    // Our session id for each child, with what the child is.
    let children: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let attach = tokio::spawn({
        let children = children.clone();
        async move {
            while let Some(ev) = attached.next().await {
                let info = &ev.target_info;
                // An iframe's URL is still blank when it is attached; the
                // socket's initiator names the document below.
                let what = match info.url.as_str() {
                    "" | "about:blank" => format!("the {}", info.r#type),
                    url => format!("the {} {}", info.r#type, clip(url)),
                };
                let mut params = AttachToTargetParams::new(info.target_id.clone());
                params.flatten = Some(false);
                let Ok(session) = browser.execute(params).await else {
                    continue;
                };
                let session = session.result.session_id.as_ref().to_string();
                children
                    .lock()
                    .expect("children")
                    .insert(session.clone(), what);
                let _ = browser
                    .execute(SendMessageToTarget {
                        message: r#"{"id":1,"method":"Network.enable"}"#.into(),
                        session_id: session,
                    })
                    .await;
            }
        }
    });
    let listen = tokio::spawn(async move {
        while let Some(ev) = messages.next().await {
            let Some(what) = children
                .lock()
                .expect("children")
                .get(ev.session_id.as_ref())
                .cloned()
            else {
                continue;
            };
            let Ok(msg) = serde_json::from_str::<serde_json::Value>(&ev.message) else {
                continue;
            };
            if msg["method"] != "Network.webSocketCreated" {
                continue;
            }
            let url = msg["params"]["url"].as_str().unwrap_or_default();
            let initiator = &msg["params"]["initiator"];
            let script = initiator["stack"]["callFrames"][0]["url"]
                .as_str()
                .filter(|u| !u.is_empty())
                .map(|u| {
                    let line = initiator["stack"]["callFrames"][0]["lineNumber"]
                        .as_i64()
                        .unwrap_or(0);
                    format!("{u}:{}", line + 1)
                })
                .or_else(|| initiator["url"].as_str().map(str::to_string));
            let what = match script {
                Some(script) => format!("{} in {what}", clip(&script)),
                None => what,
            };
            tracing::error!(%url, opener = %what, "a WebSocket opened past the read-only guard");
            let mut s = state.lock().expect("watch state");
            let visit = s.visit;
            if s.breaches.len() < MAX_RECORDS {
                s.breaches.push((
                    visit,
                    format!("a WebSocket to {} was opened by {what}", clip(url)),
                ));
            }
        }
    });
    Ok(vec![attach, listen])
}

/// `Target.sendMessageToTarget`, which the generated protocol leaves out
/// (it is deprecated in favour of flat sessions, which chromiumoxide gives
/// no way to address).
#[derive(Debug, serde::Serialize)]
struct SendMessageToTarget {
    message: String,
    #[serde(rename = "sessionId")]
    session_id: String,
}

impl chromiumoxide::types::Method for SendMessageToTarget {
    fn identifier(&self) -> chromiumoxide::types::MethodId {
        "Target.sendMessageToTarget".into()
    }
}

impl chromiumoxide::types::Command for SendMessageToTarget {
    type Response = serde_json::Value;
}

/// Who opened a WebSocket: the script and line that called the
/// constructor, on the page's document.
fn opener_of(ev: &EventWebSocketCreated, document: Option<&str>) -> String {
    let doc = document.unwrap_or("the page");
    let script = ev.initiator.as_ref().and_then(|i| {
        i.stack
            .as_ref()
            .and_then(|st| st.call_frames.first())
            .map(|f| format!("{}:{}", f.url, f.line_number + 1))
            .or_else(|| i.url.clone())
    });
    match script {
        Some(s) if !s.is_empty() && s != doc && !s.starts_with(&format!("{doc}:")) => {
            format!("{} in the frame of {}", clip(&s), clip(doc))
        }
        Some(s) if !s.is_empty() => format!("the frame of {}", clip(&s)),
        _ => format!("the frame of {}", clip(doc)),
    }
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

/// Where an error came from, as far as its event says.
enum Origin {
    Context(Option<i64>),
    Url(Option<String>),
}

fn push_error(state: &Mutex<WatchState>, kind: PageErrorKind, message: &str, origin: Origin) {
    let mut s = state.lock().expect("watch state");
    if s.errors.len() >= MAX_RECORDS {
        return;
    }
    let page = s.document_url.clone().unwrap_or_default();
    let visit = s.visit;
    let (frame, url) = match origin {
        Origin::Context(ctx) => (ctx.and_then(|c| s.contexts.get(&c).cloned()), None),
        Origin::Url(url) => (None, url),
    };
    s.arrivals += 1;
    let seq = s.arrivals;
    s.errors.push(Seen {
        visit,
        seq,
        frame,
        url,
        error: PageError {
            kind,
            message: clip(message),
            page,
        },
    });
}

impl Drop for PageWatch {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}
