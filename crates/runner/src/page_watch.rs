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
use chromiumoxide::cdp::IntoEventKind;
use chromiumoxide::cdp::browser_protocol::log::{
    self, EventEntryAdded, LogEntryLevel, LogEntrySource,
};
use chromiumoxide::cdp::browser_protocol::network::{
    EventDataReceived, EventLoadingFailed, EventLoadingFinished, EventRequestWillBeSent,
    EventResponseReceived, EventWebSocketCreated, ResourceType,
};
use chromiumoxide::cdp::browser_protocol::page::{EventFrameAttached, FrameId};
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
use crate::watched::{
    ConsoleEvent, MAX_RECORDS, NetEvent, PageLog, Refusal, Seen, VisitMark, WatchState, clip,
    console_message, exception_message,
};

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
        {
            let mut known = frames.lock().expect("frames");
            known.extend(main_frame.as_ref().map(|f| f.as_ref().to_string()));
            known.insert(page.target_id().as_ref().to_string());
        }
        let fr = frames.clone();
        tasks.push(
            listen(page, &state, move |_, ev: Arc<EventFrameAttached>| {
                fr.lock()
                    .expect("frames")
                    .insert(ev.frame_id.as_ref().to_string());
            })
            .await?,
        );
        let subscription = guard.subscribe(context, frames, state.clone());
        tasks.push(listen(page, &state, record_context).await?);
        if policy.expects_policy() {
            tasks.push(listen(page, &state, record_breach).await?);
            tasks.extend(
                watch_children(page, guard, state.clone())
                    .await
                    .map_err(cdp)?,
            );
        }
        tasks.push(
            listen(page, &state, move |st, ev| {
                record_response(st, ev, main_frame.as_ref());
            })
            .await?,
        );
        tasks.push(listen(page, &state, record_data).await?);
        tasks.push(listen(page, &state, record_exception).await?);
        tasks.push(listen(page, &state, record_console).await?);
        tasks.push(listen(page, &state, record_log_entry).await?);
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

/// The one shape of every listener above: `on_event` runs on each `E` the
/// page sends, with the page's records, in a task of its own until the
/// page goes away.
async fn listen<E>(
    page: &Page,
    state: &Arc<Mutex<WatchState>>,
    mut on_event: impl FnMut(&Mutex<WatchState>, Arc<E>) + Send + 'static,
) -> Result<JoinHandle<()>, RunnerError>
where
    E: IntoEventKind + Unpin + Send + Sync + 'static,
{
    let mut events = page
        .event_listener::<E>()
        .await
        .map_err(|e| RunnerError::Cdp(e.to_string()))?;
    let state = state.clone();
    Ok(tokio::spawn(async move {
        while let Some(ev) = events.next().await {
            on_event(&state, ev);
        }
    }))
}

/// Which frame each execution context runs in, so an error can be filed
/// under its frame.
fn record_context(state: &Mutex<WatchState>, ev: Arc<EventExecutionContextCreated>) {
    let frame = ev
        .context
        .aux_data
        .as_ref()
        .and_then(|a| a.get("frameId"))
        .and_then(|f| f.as_str());
    if let Some(frame) = frame {
        let mut s = state.lock().expect("watch state");
        if s.contexts.len() < MAX_RECORDS * 10 {
            s.contexts.insert(*ev.context.id.inner(), frame.to_string());
        }
    }
}

/// The backstop: a WebSocket on the page while the policy is in force.
fn record_breach(state: &Mutex<WatchState>, ev: Arc<EventWebSocketCreated>) {
    let mut s = state.lock().expect("watch state");
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

/// The main document's status and URL (Chrome fails `goto` on an error
/// status with an empty body, so the status comes from here).
fn record_response(
    state: &Mutex<WatchState>,
    ev: Arc<EventResponseReceived>,
    main_frame: Option<&FrameId>,
) {
    let is_main = ev.r#type == ResourceType::Document
        && (main_frame.is_none() || ev.frame_id.as_ref() == main_frame);
    let mut s = state.lock().expect("watch state");
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

/// Body bytes as they arrive (Network.dataReceived fires per chunk, also
/// while a response is still streaming), for the page and document caps.
fn record_data(state: &Mutex<WatchState>, ev: Arc<EventDataReceived>) {
    let mut s = state.lock().expect("watch state");
    let n = ev.data_length.max(0) as u64;
    s.page_bytes = s.page_bytes.saturating_add(n);
    if s.document_request.as_deref() == Some(ev.request_id.as_ref()) {
        s.document_bytes = s.document_bytes.saturating_add(n);
    }
}

fn record_exception(state: &Mutex<WatchState>, ev: Arc<EventExceptionThrown>) {
    let message = exception_message(&ev);
    let ctx = ev
        .exception_details
        .execution_context_id
        .as_ref()
        .map(|c| *c.inner());
    push_error(
        state,
        PageErrorKind::Exception,
        &message,
        Origin::Context(ctx),
    );
    push_console(state, |visit| ConsoleEvent::Exception(ev, visit));
}

/// Every `console.*` call for the trace; `console.error` is a page error.
fn record_console(state: &Mutex<WatchState>, ev: Arc<EventConsoleApiCalled>) {
    if ev.r#type == ConsoleApiCalledType::Error {
        let message = console_message(&ev);
        let ctx = Some(*ev.execution_context_id.inner());
        push_error(
            state,
            PageErrorKind::Console,
            &message,
            Origin::Context(ctx),
        );
    }
    push_console(state, |visit| ConsoleEvent::Api(ev, visit));
}

/// Browser log entries for the trace; a failed load is a page error.
fn record_log_entry(state: &Mutex<WatchState>, ev: Arc<EventEntryAdded>) {
    let e = &ev.entry;
    // Loads the guard refused are matched to their refusal when the
    // errors are read.
    if e.source == LogEntrySource::Network && e.level == LogEntryLevel::Error {
        let url = e.url.clone().unwrap_or_default();
        push_error(
            state,
            PageErrorKind::FailedRequest,
            &format!("{} {url}", e.text),
            Origin::Url(e.url.clone()),
        );
    }
    push_console(state, |visit| ConsoleEvent::Log(ev, visit));
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
