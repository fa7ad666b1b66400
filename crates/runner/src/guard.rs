//! The read-only guard, browser-wide. It is enabled once on the browser's
//! own DevTools session, not on each page, because Chromium then routes every
//! request of every target through it: the page, its same-site and
//! cross-site (out-of-process) iframes, popups, and dedicated, shared and
//! service workers. A guard on the page's session sees only the page's own
//! renderer process, and chromiumoxide resumes child targets before a
//! per-session guard could be enabled on them.
//!
//! What it does to each request:
//! - a method in [`SAFE_METHODS`] that no `--block-url` pattern matches goes on;
//! - everything else is failed in the browser with `BlockedByClient` before
//!   it is sent, and filed on the page that sent it;
//! - every response that could become a document or a worker gets one more
//!   Content-Security-Policy (`connect-src http: https: data: blob:`), which
//!   closes WebSocket handshakes: the Fetch domain never sees WebSockets, and
//!   `Network.setBlockedURLs` does not apply to them in current Chromium.
//!   The policy's violation reports go to [`CSP_REPORT_URL`], which the guard
//!   catches here to name each blocked WebSocket, then fails.
//!
//! # Every document gets the policy
//!
//! A document can reach a renderer by more doors than a `Document` request
//! (all probed on Chromium 156): a speculation-rules prefetch arrives as
//! resource type `Prefetch` and a later navigation uses it with no new
//! request; a prerender arrives with `Sec-Purpose: prefetch;prerender`;
//! `<object>` and `<embed>` arrive as `Other`; a `3xx` with a body and no
//! `Location` is rendered as a document, also in an iframe. So the policy
//! is not chosen by resource type: every response gets it except those of
//! the types that can never be rendered as a document ([`never_a_document`]:
//! scripts, styles, images, fonts, media, fetch/XHR, ...), and a `3xx` is
//! passed on untouched only when it has a `Location` to follow. Responses
//! from the HTTP cache and 304 revalidations come through the same response
//! stage (the interception sits above the cache), so they get it too.
//!
//! Both, not one: the guard covers preloads itself, because a browser
//! borrowed through `--cdp-url` has a profile prod-smoke does not control;
//! and a launched browser also has preloading switched off in its profile
//! (process.rs), so a launched run makes no speculative request at all.
//!
//! # The backstop
//!
//! Every page also watches for WebSockets being created (page_watch.rs),
//! on its own session and on its out-of-process iframes and workers.
//! One that is created while the policy should be in force means a document
//! got past the guard: the run is inconclusive, never green, and says "the
//! read-only guard was bypassed" with the socket and the page that opened it.
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use chromiumoxide::Browser;
use chromiumoxide::cdp::browser_protocol::fetch::{
    self, ContinueRequestParams, ContinueResponseParams, EventRequestPaused, FailRequestParams,
    FulfillRequestParams, GetResponseBodyParams, HeaderEntry, RequestPattern, RequestStage,
};
use chromiumoxide::cdp::browser_protocol::network::{ErrorReason, Request, ResourceType};
use chromiumoxide::cdp::browser_protocol::page::{
    AddScriptToEvaluateOnNewDocumentParams, SetPrerenderingAllowedParams,
};
use chromiumoxide::cdp::browser_protocol::target::GetTargetInfoParams;
use futures::StreamExt;
use tokio::task::JoinHandle;

use crate::errors::RunnerError;
use crate::watched::{self, WatchState};

/// Methods the guard lets leave the machine. Everything else is failed in
/// the browser with `BlockedByClient` before it is sent: a GET, HEAD or
/// OPTIONS cannot carry a write by the HTTP spec, so this list is the whole
/// promise, and a GET with side effects needs `--block-url`.
pub const SAFE_METHODS: &[&str] = &["GET", "HEAD", "OPTIONS"];

/// Where the injected policy sends its violation reports. `.invalid` can
/// never resolve (RFC 2606), and the guard fails the report before it is
/// sent anyway.
pub const CSP_REPORT_URL: &str = "https://prod-smoke.invalid/csp-report";

/// The policy added to every document and worker script. `http:` and
/// `https:` do not match `ws:`/`wss:` (CSP3 scheme matching goes one way
/// only), so every other connection the page makes is left as it was.
pub(crate) fn injected_policy() -> String {
    format!("connect-src http: https: data: blob:; report-uri {CSP_REPORT_URL}")
}

/// Runs before any script of every document of a page: removes each
/// speculation-rules script as it is inserted (by the parser or by script).
const DROP_SPECULATION_RULES: &str = r#"(function () {
  function drop(n) {
    if (n.nodeName === "SCRIPT" && String(n.type).trim().toLowerCase() === "speculationrules") n.remove();
  }
  new MutationObserver(function (records) {
    for (var r of records) for (var n of r.addedNodes) drop(n);
  }).observe(document, { childList: true, subtree: true });
})();"#;

/// The main document alone may not be bigger than this (nor than the page
/// cap): no real page is, and Chromium's memory grows with the document it
/// parses (a 50 MB page took one renderer to 11 GB). The guard stops a
/// document's body here as it streams in; scenario.rs fails the visit.
pub const MAX_DOCUMENT_BYTES: u64 = 8 * 1024 * 1024;

/// What the guard lets through beyond its fixed rules.
#[derive(Debug, Clone, Default)]
pub struct GuardPolicy {
    /// URL patterns (`*` matches any run of characters) failed even for GET.
    pub block_urls: Vec<String>,
    /// Let WebSocket handshakes through (no policy is injected).
    pub allow_websockets: bool,
    /// Count the errors the guard caused on `no_page_errors` too
    /// (`--strict-page-errors`); off by default.
    pub strict_page_errors: bool,
    /// Test builds only: inject no policy, while the backstop still
    /// expects one, so tests can prove a bypass is never silent.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub test_without_policy: bool,
    /// Test builds only: leave the page's speculation rules alone, so tests
    /// can show what a borrowed browser preloads without it.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub test_keep_speculation_rules: bool,
}

impl GuardPolicy {
    /// The policy an operator can ask for (the test hooks stay off).
    // The update fills the fields the `test-hooks` feature adds.
    #[allow(clippy::needless_update)]
    pub fn new(block_urls: Vec<String>, allow_websockets: bool, strict_page_errors: bool) -> Self {
        GuardPolicy {
            block_urls,
            allow_websockets,
            strict_page_errors,
            ..GuardPolicy::default()
        }
    }

    /// Whether documents get the injected policy (and so whether a
    /// WebSocket that opens anyway is a breach).
    pub(crate) fn expects_policy(&self) -> bool {
        !self.allow_websockets
    }

    fn injects_policy(&self) -> bool {
        #[cfg(feature = "test-hooks")]
        if self.test_without_policy {
            return false;
        }
        self.expects_policy()
    }
}

/// A page that wants the records of what was blocked on its behalf.
struct Subscriber {
    id: u64,
    /// The page's browser context: workers and popups of the page share it.
    context: Option<String>,
    frames: Arc<Mutex<HashSet<String>>>,
    state: Arc<Mutex<WatchState>>,
}

#[derive(Default)]
struct Shared {
    policy: Mutex<GuardPolicy>,
    pages: Mutex<Vec<Subscriber>>,
    next_id: Mutex<u64>,
}

pub struct BrowserGuard {
    shared: Arc<Shared>,
    browser: Arc<Browser>,
    task: JoinHandle<()>,
}

/// Unsubscribes its page when dropped.
pub struct Subscription {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.shared
            .pages
            .lock()
            .expect("guard pages")
            .retain(|p| p.id != self.id);
    }
}

impl BrowserGuard {
    /// Turns the guard on for the whole browser. Must run before the first
    /// page opens.
    pub async fn start(browser: Arc<Browser>) -> Result<BrowserGuard, RunnerError> {
        let cdp = |e: chromiumoxide::error::CdpError| RunnerError::Cdp(e.to_string());
        let shared = Arc::new(Shared::default());
        let mut paused = browser
            .event_listener::<EventRequestPaused>()
            .await
            .map_err(cdp)?;
        let task = tokio::spawn({
            let (shared, browser) = (shared.clone(), browser.clone());
            async move {
                while let Some(ev) = paused.next().await {
                    if is_response_stage(&ev) {
                        // Reading a body takes a round trip; do not hold up
                        // the requests queued behind it.
                        tokio::spawn({
                            let (shared, browser) = (shared.clone(), browser.clone());
                            async move { add_policy(&shared, &browser, &ev).await }
                        });
                    } else {
                        on_request(&shared, &browser, &ev).await;
                    }
                }
            }
        });
        let guard = BrowserGuard {
            shared,
            browser,
            task,
        };
        guard.enable().await?;
        Ok(guard)
    }

    /// The browser's own connection.
    pub(crate) fn browser(&self) -> Arc<Browser> {
        self.browser.clone()
    }

    /// The policy in force.
    pub(crate) fn policy(&self) -> GuardPolicy {
        self.shared.policy.lock().expect("guard policy").clone()
    }

    /// Closes the preload doors of a page before its first navigation:
    /// Chromium 156 fetches speculation-rules prefetches and prerenders
    /// outside the Fetch interception (neither the browser's nor the page's
    /// session sees them, probed), and a later navigation uses what they
    /// fetched. So the page may not declare any: every
    /// `<script type="speculationrules">` is taken out of the document as
    /// it is inserted, before Blink acts on its rules (the rules of a
    /// removed script are dropped), and prerendering is disallowed. The
    /// `Speculation-Rules` response header is stripped in [`add_policy`].
    /// A launched browser also has preloading off in its profile.
    pub(crate) async fn close_preload_doors(
        &self,
        page: &chromiumoxide::Page,
    ) -> Result<(), RunnerError> {
        #[cfg(feature = "test-hooks")]
        if self.policy().test_keep_speculation_rules {
            return Ok(());
        }
        let cdp = |e: chromiumoxide::error::CdpError| RunnerError::Cdp(e.to_string());
        page.execute(AddScriptToEvaluateOnNewDocumentParams::new(
            DROP_SPECULATION_RULES,
        ))
        .await
        .map_err(cdp)?;
        page.execute(SetPrerenderingAllowedParams::new(false))
            .await
            .map_err(cdp)?;
        Ok(())
    }

    /// Replaces the policy. Takes effect for requests that start after it.
    pub async fn configure(&self, policy: GuardPolicy) -> Result<(), RunnerError> {
        *self.shared.policy.lock().expect("guard policy") = policy;
        Ok(())
    }

    /// Every request pauses at the request stage; the ones that need the
    /// injected policy ask for their response too (see [`wants_policy`]).
    async fn enable(&self) -> Result<(), RunnerError> {
        let pattern = RequestPattern::builder()
            .url_pattern("*")
            .request_stage(RequestStage::Request)
            .build();
        self.browser
            .execute(fetch::EnableParams::builder().pattern(pattern).build())
            .await
            .map_err(|e| RunnerError::Cdp(e.to_string()))?;
        Ok(())
    }

    /// Files what is blocked for frames in `frames` (and for targets no page
    /// claims, when this page had the latest visit) into `state`.
    pub(crate) fn subscribe(
        &self,
        context: Option<String>,
        frames: Arc<Mutex<HashSet<String>>>,
        state: Arc<Mutex<WatchState>>,
    ) -> Subscription {
        let id = {
            let mut n = self.shared.next_id.lock().expect("guard ids");
            *n += 1;
            *n
        };
        self.shared
            .pages
            .lock()
            .expect("guard pages")
            .push(Subscriber {
                id,
                context,
                frames,
                state,
            });
        Subscription {
            shared: self.shared.clone(),
            id,
        }
    }
}

impl Drop for BrowserGuard {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn is_response_stage(ev: &EventRequestPaused) -> bool {
    ev.response_status_code.is_some() || ev.response_error_reason.is_some()
}

async fn on_request(shared: &Shared, browser: &Browser, ev: &EventRequestPaused) {
    let url = ev.request.url.as_str();
    let method = ev.request.method.to_uppercase();
    let blocked = if url == CSP_REPORT_URL {
        Some(websocket_from_report(ev))
    } else if is_service_worker_script(ev) {
        Some(Some((
            method.clone(),
            url.to_string(),
            "service-worker".into(),
        )))
    } else if !SAFE_METHODS.contains(&method.as_str()) {
        Some(Some((method.clone(), url.to_string(), channel_of(ev))))
    } else {
        let policy = shared.policy.lock().expect("guard policy");
        policy
            .block_urls
            .iter()
            .any(|p| glob_match(p, url))
            .then(|| Some((method.clone(), url.to_string(), "block-url".to_string())))
    };
    let Some(record) = blocked else {
        let mut cont = ContinueRequestParams::new(ev.request_id.clone());
        if wants_policy(shared, ev) {
            cont.intercept_response = Some(true);
        }
        let _ = browser.execute(cont).await;
        return;
    };
    // Filed before the request fails, so the record is there before any
    // error the failure causes in the page.
    if let Some((method, url, channel)) = record {
        tracing::info!(%method, %url, %channel, "blocked a write");
        if let Some(state) = owner_of(shared, browser, ev).await {
            watched::push_blocked(&state, method, &url, channel, ev.frame_id.as_ref());
        }
    }
    let _ = browser
        .execute(FailRequestParams::new(
            ev.request_id.clone(),
            ErrorReason::BlockedByClient,
        ))
        .await;
}

/// Chromium fetches a service worker's script (and its updates) with a
/// `Service-Worker: script` header. Refusing that GET makes the
/// registration fail, so no service worker of the site ever runs under
/// prod-smoke. A service worker outlives the page: it could queue writes
/// for Background Sync, or answer the next visit from its cache and so hide
/// what the server really serves. A smoke run needs neither.
fn is_service_worker_script(ev: &EventRequestPaused) -> bool {
    ev.request.headers.inner().as_object().is_some_and(|h| {
        h.iter().any(|(name, value)| {
            name.eq_ignore_ascii_case("service-worker") && value.as_str() == Some("script")
        })
    })
}

/// Whether this response gets the injected policy: every response that
/// could become a document or a worker, whatever its resource type, and
/// every speculative load (`Sec-Purpose`).
fn wants_policy(shared: &Shared, ev: &EventRequestPaused) -> bool {
    shared.policy.lock().expect("guard policy").injects_policy()
        && (!never_a_document(&ev.resource_type) || header(&ev.request, "sec-purpose").is_some())
}

/// Resource types whose response the browser never renders as a document:
/// a navigation, a frame, an `<object>` or a preload is never one of these.
fn never_a_document(ty: &ResourceType) -> bool {
    matches!(
        ty,
        ResourceType::Stylesheet
            | ResourceType::Image
            | ResourceType::Media
            | ResourceType::Font
            | ResourceType::Script
            | ResourceType::TextTrack
            | ResourceType::Xhr
            | ResourceType::Fetch
            | ResourceType::EventSource
            | ResourceType::WebSocket
            | ResourceType::Manifest
            | ResourceType::Ping
            | ResourceType::CspViolationReport
            | ResourceType::Preflight
            | ResourceType::FedCm
    )
}

/// A request header's value, whatever its case.
fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .headers
        .inner()
        .as_object()?
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

/// The page that sent a request: the page that holds its frame; else the
/// page whose browser context the sending target (a service or shared
/// worker, a popup) belongs to, asked of the browser; else the page with
/// the latest visit.
async fn owner_of(
    shared: &Shared,
    browser: &Browser,
    ev: &EventRequestPaused,
) -> Option<Arc<Mutex<WatchState>>> {
    let frame: &str = ev.frame_id.as_ref();
    if let Some(state) = by_frame(shared, frame) {
        return Some(state);
    }
    if !frame.is_empty()
        && let Ok(info) = browser
            .execute(GetTargetInfoParams {
                target_id: Some(frame.to_string().into()),
            })
            .await
        && let Some(ctx) = info.result.target_info.browser_context_id.as_ref()
    {
        let pages = shared.pages.lock().expect("guard pages");
        if let Some(p) = pages
            .iter()
            .find(|p| p.context.as_deref() == Some(ctx.as_ref()))
        {
            return Some(p.state.clone());
        }
    }
    let pages = shared.pages.lock().expect("guard pages");
    pages
        .iter()
        .max_by_key(|p| watched::visit_seq(&p.state))
        .map(|p| p.state.clone())
}

fn by_frame(shared: &Shared, frame: &str) -> Option<Arc<Mutex<WatchState>>> {
    let pages = shared.pages.lock().expect("guard pages");
    pages
        .iter()
        .find(|p| p.frames.lock().expect("frames").contains(frame))
        .map(|p| p.state.clone())
}

/// A violation report of the injected policy names the WebSocket it
/// stopped. Reports about anything else are dropped silently: the policy
/// only ever blocks `ws:`/`wss:` and other non-HTTP schemes.
fn websocket_from_report(ev: &EventRequestPaused) -> Option<(String, String, String)> {
    let report: serde_json::Value = serde_json::from_slice(&post_body(&ev.request)).ok()?;
    let blocked = report
        .pointer("/csp-report/blocked-uri")
        .and_then(|v| v.as_str())?;
    let channel = if blocked.starts_with("ws") {
        "websocket"
    } else {
        "connect"
    };
    Some(("GET".into(), blocked.to_string(), channel.into()))
}

/// A request's body, decoded from the entries CDP sends it in.
pub(crate) fn post_body(request: &Request) -> Vec<u8> {
    request
        .post_data_entries
        .iter()
        .flatten()
        .filter_map(|e| e.bytes.as_ref())
        .filter_map(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(AsRef::<str>::as_ref(b))
                .ok()
        })
        .flatten()
        .collect()
}

/// How the page sent it, in the words of docs/operations.md.
fn channel_of(ev: &EventRequestPaused) -> String {
    channel_for(&ev.resource_type)
}

/// The channel a request of this resource type was sent through; the
/// trace names the same channel for the same request.
pub(crate) fn channel_for(ty: &ResourceType) -> String {
    match ty {
        ResourceType::Ping => "beacon",
        ResourceType::Xhr => "xhr",
        ResourceType::Fetch => "fetch",
        // A document sent with a body is a form submission (or a 307/308
        // redirect of one).
        ResourceType::Document => "form",
        ResourceType::EventSource => "eventsource",
        ResourceType::CspViolationReport => "csp-report",
        ResourceType::Other => "other",
        ty => return ty.as_ref().to_lowercase(),
    }
    .to_string()
}

/// Adds the injected policy to a response that could become a document or
/// a worker. A redirect (a `3xx` with a `Location`) and a failed load go on
/// untouched: the response they lead to gets it. A `3xx` without a
/// `Location` is shown as a document, so it gets the policy too.
async fn add_policy(shared: &Shared, browser: &Browser, ev: &EventRequestPaused) {
    let status = ev.response_status_code.unwrap_or(0);
    let headers: Vec<HeaderEntry> = ev.response_headers.clone().unwrap_or_default();
    let redirect = (300..400).contains(&status)
        && headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("location"));
    if ev.response_error_reason.is_some() || redirect {
        let _ = browser
            .execute(ContinueRequestParams::new(ev.request_id.clone()))
            .await;
        return;
    }
    let mut headers = headers;
    headers.push(HeaderEntry::new(
        "Content-Security-Policy",
        injected_policy(),
    ));
    // Chromium takes a document's policy from the headers it received
    // before `continueResponse` could change them (for a navigation and for
    // a prefetch a navigation later uses), so the response is fulfilled
    // again with its own body. A fulfilled document has no IP address
    // space, which Local Network Access then treats as public; the
    // launched browser turns those checks off (process.rs) so a page's
    // iframes on other local origins still load.
    // A page's own document is read as it arrives (its status, bytes and
    // caps reach the page's watch); a prefetch, a worker script or an
    // embedded document is read whole.
    let body = if ev.resource_type == ResourceType::Document {
        document_body(shared, browser, ev, status).await
    } else {
        whole_body(browser, ev).await
    };
    if let Some(body) = body {
        let body = base64::engine::general_purpose::STANDARD.encode(body);
        // The body is handed over decoded, so its old encoding and length
        // no longer apply; rules in a `Speculation-Rules` header would
        // preload documents outside the guard.
        let headers: Vec<HeaderEntry> = headers
            .iter()
            .filter(|h| {
                !h.name.eq_ignore_ascii_case("content-encoding")
                    && !h.name.eq_ignore_ascii_case("content-length")
                    && !h.name.eq_ignore_ascii_case("speculation-rules")
            })
            .cloned()
            .collect();
        let mut fulfill = FulfillRequestParams::new(ev.request_id.clone(), status);
        fulfill.response_headers = Some(headers);
        fulfill.body = Some(body.into());
        fulfill.response_phrase = ev.response_status_text.clone().filter(|t| !t.is_empty());
        if browser.execute(fulfill).await.is_ok() {
            return;
        }
    }
    let mut cont = ContinueResponseParams::new(ev.request_id.clone());
    cont.response_code = Some(status);
    cont.response_headers = Some(headers);
    if browser.execute(cont).await.is_err() {
        let _ = browser
            .execute(ContinueRequestParams::new(ev.request_id.clone()))
            .await;
    }
}

/// A paused response's whole body, decoded; `None` when it cannot be read.
async fn whole_body(browser: &Browser, ev: &EventRequestPaused) -> Option<Vec<u8>> {
    let body = browser
        .execute(GetResponseBodyParams::new(ev.request_id.clone()))
        .await
        .ok()?;
    if body.result.base64_encoded {
        base64::engine::general_purpose::STANDARD
            .decode(&body.result.body)
            .ok()
    } else {
        Some(body.result.body.clone().into_bytes())
    }
}

/// Reads a paused document's body as it arrives (`Fetch.takeResponseBodyAsStream`),
/// telling the page's watch the status and how many bytes came in so far:
/// the page sees nothing of a document before it is fulfilled, so a
/// trickling or oversized one would otherwise be invisible to it. Stops at
/// [`MAX_DOCUMENT_BYTES`] and fails the request; `None` when the body
/// cannot be read (the response is then continued as it is).
async fn document_body(
    shared: &Shared,
    browser: &Browser,
    ev: &EventRequestPaused,
    status: i64,
) -> Option<Vec<u8>> {
    use chromiumoxide::cdp::browser_protocol::fetch::TakeResponseBodyAsStreamParams;
    use chromiumoxide::cdp::browser_protocol::io::{CloseParams, ReadParams};

    let watch = main_document_owner(shared, ev.frame_id.as_ref());
    if let Some(w) = &watch {
        watched::document_arriving(w, u16::try_from(status).ok(), 0);
    }
    let stream = match browser
        .execute(TakeResponseBodyAsStreamParams::new(ev.request_id.clone()))
        .await
    {
        Ok(s) => s.result.stream,
        // Not streamable here: read it whole.
        Err(_) => return whole_body(browser, ev).await,
    };
    let mut body = Vec::new();
    let mut failures = 0;
    // A read waits until it can fill its size (or the body ends), so it
    // starts small, for a slow body to show progress, and doubles while
    // chunks come full, for a big one to take few round trips.
    let mut size: i64 = 4 * 1024;
    let complete = loop {
        let mut read = ReadParams::new(stream.clone());
        read.size = Some(size);
        let chunk = match browser.execute(read).await {
            Ok(c) => c.result,
            // A slow body outlasts one command's timeout; the navigation's
            // own timeout decides when to stop waiting.
            Err(e) if e.to_string().contains("timed out") && failures < 600 => {
                failures += 1;
                continue;
            }
            Err(_) => break false,
        };
        let before = body.len();
        if chunk.base64_encoded == Some(true) {
            match base64::engine::general_purpose::STANDARD.decode(&chunk.data) {
                Ok(bytes) => body.extend_from_slice(&bytes),
                Err(_) => break false,
            }
        } else {
            body.extend_from_slice(chunk.data.as_bytes());
        }
        if (body.len() - before) as i64 >= size {
            size = (size * 2).min(1024 * 1024);
        }
        if let Some(w) = &watch {
            watched::document_arriving(w, None, body.len() as u64);
        }
        if body.len() as u64 > MAX_DOCUMENT_BYTES {
            break false;
        }
        if chunk.eof {
            break true;
        }
    };
    let _ = browser.execute(CloseParams::new(stream)).await;
    if complete {
        Some(body)
    } else {
        let _ = browser
            .execute(FailRequestParams::new(
                ev.request_id.clone(),
                ErrorReason::Aborted,
            ))
            .await;
        None
    }
}

/// The watch of the page whose main frame is `frame` (a main frame's id is
/// its target's id); an iframe's document is not the page's document.
fn main_document_owner(shared: &Shared, frame: &str) -> Option<Arc<Mutex<WatchState>>> {
    let pages = shared.pages.lock().expect("guard pages");
    pages
        .iter()
        .find(|p| watched::is_main_frame(&p.state, frame))
        .map(|p| p.state.clone())
}

/// `*` matches any run of characters (none included); everything else
/// matches itself. The whole URL must match.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != b'*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs_match_whole_urls() {
        assert!(glob_match("*/logout*", "https://a.example/logout?next=/"));
        assert!(glob_match(
            "https://a.example/track.gif",
            "https://a.example/track.gif"
        ));
        assert!(!glob_match(
            "https://a.example/track.gif",
            "https://a.example/track.gif?x"
        ));
        assert!(glob_match("*", ""));
        assert!(glob_match("*pixel*gif", "https://t.example/pixel/1.gif"));
        assert!(!glob_match("*/logout", "https://a.example/logout/x"));
    }
}
