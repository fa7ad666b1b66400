//! Everything a page does while a scenario looks at it: the main document's
//! status (from `Network.responseReceived`, because Chrome fails `goto` on
//! an error status with an empty body), uncaught exceptions, console errors,
//! failed subresources, and the read-only guard on every request.

use std::sync::{Arc, Mutex};

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::fetch::{
    self, ContinueRequestParams, EventRequestPaused, FailRequestParams, RequestPattern,
    RequestStage,
};
use chromiumoxide::cdp::browser_protocol::log::{
    self, EventEntryAdded, LogEntryLevel, LogEntrySource,
};
use chromiumoxide::cdp::browser_protocol::network::{
    ErrorReason, EventResponseReceived, ResourceType,
};
use chromiumoxide::cdp::js_protocol::runtime::{
    ConsoleApiCalledType, EventConsoleApiCalled, EventExceptionThrown,
};
use futures::StreamExt;
use prod_smoke_model::{BlockedRequest, PageError, PageErrorKind};
use tokio::task::JoinHandle;

use crate::errors::RunnerError;

/// Methods the guard lets leave the machine. Everything else is failed in
/// the browser with `BlockedByClient` before it is sent.
pub const SAFE_METHODS: &[&str] = &["GET", "HEAD", "OPTIONS"];

/// Caps what one page may pile up, so a hostile page cannot exhaust memory.
const MAX_RECORDS: usize = 200;
const MAX_TEXT: usize = 500;

#[derive(Debug, Default)]
struct WatchState {
    /// Index of the visit step that is current, so records land on it.
    visit: usize,
    document_status: Option<u16>,
    document_url: Option<String>,
    blocked: Vec<(usize, BlockedRequest)>,
    errors: Vec<(usize, PageError)>,
}

pub struct PageWatch {
    state: Arc<Mutex<WatchState>>,
    tasks: Vec<JoinHandle<()>>,
}

fn clip(s: &str) -> String {
    if s.len() <= MAX_TEXT {
        return s.to_string();
    }
    let mut end = MAX_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

impl PageWatch {
    /// Subscribes to the page's events and turns the guard on. Must run
    /// before the first navigation.
    pub async fn attach(page: &Page) -> Result<PageWatch, RunnerError> {
        let cdp = |e: chromiumoxide::error::CdpError| RunnerError::Cdp(e.to_string());
        let state = Arc::new(Mutex::new(WatchState::default()));
        let main_frame = page.mainframe().await.map_err(cdp)?;
        let mut tasks = Vec::new();

        let mut paused = page
            .event_listener::<EventRequestPaused>()
            .await
            .map_err(cdp)?;
        let guard_page = page.clone();
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = paused.next().await {
                let method = ev.request.method.to_uppercase();
                if SAFE_METHODS.contains(&method.as_str()) {
                    let _ = guard_page
                        .execute(ContinueRequestParams::new(ev.request_id.clone()))
                        .await;
                    continue;
                }
                let _ = guard_page
                    .execute(FailRequestParams::new(
                        ev.request_id.clone(),
                        ErrorReason::BlockedByClient,
                    ))
                    .await;
                tracing::info!(method = %method, url = %ev.request.url, "blocked a non-read request");
                let mut s = st.lock().expect("watch state");
                if s.blocked.len() < MAX_RECORDS {
                    let page = s.document_url.clone().unwrap_or_default();
                    let visit = s.visit;
                    s.blocked.push((
                        visit,
                        BlockedRequest {
                            method,
                            url: clip(&ev.request.url),
                            page,
                        },
                    ));
                }
            }
        }));

        let mut responses = page
            .event_listener::<EventResponseReceived>()
            .await
            .map_err(cdp)?;
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = responses.next().await {
                let is_main = ev.r#type == ResourceType::Document
                    && (main_frame.is_none() || ev.frame_id == main_frame);
                if is_main {
                    let mut s = st.lock().expect("watch state");
                    s.document_status = u16::try_from(ev.response.status).ok();
                    s.document_url = Some(ev.response.url.clone());
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
                let d = &ev.exception_details;
                let message = d
                    .exception
                    .as_ref()
                    .and_then(|e| e.description.clone())
                    .unwrap_or_else(|| d.text.clone());
                push_error(&st, PageErrorKind::Exception, &message);
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
                    continue;
                }
                let message = ev
                    .args
                    .iter()
                    .map(|a| match &a.value {
                        Some(serde_json::Value::String(s)) => s.clone(),
                        Some(v) => v.to_string(),
                        None => a.description.clone().unwrap_or_default(),
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                push_error(&st, PageErrorKind::Console, &message);
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
            }
        }));

        page.execute(log::EnableParams::default())
            .await
            .map_err(cdp)?;
        page.execute(
            fetch::EnableParams::builder()
                .pattern(
                    RequestPattern::builder()
                        .url_pattern("*")
                        .request_stage(RequestStage::Request)
                        .build(),
                )
                .build(),
        )
        .await
        .map_err(cdp)?;
        Ok(PageWatch { state, tasks })
    }

    /// Starts a new visit: clears the document status and files later
    /// records under `visit`.
    pub fn begin_visit(&self, visit: usize) {
        let mut s = self.state.lock().expect("watch state");
        s.visit = visit;
        s.document_status = None;
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
