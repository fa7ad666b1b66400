//! The trace of a scenario: its network traffic as a HAR 1.2 file, an
//! MHTML snapshot of the page at the moment of failure, and its console
//! and page errors as text.
//!
//! While a scenario runs, only the CDP events themselves are kept (an `Arc`
//! pushed onto a capped list in watched.rs), so a green run pays next to nothing; the
//! HAR and the console text are built only for a trace that is kept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::network::{
    EventLoadingFailed, EventLoadingFinished, EventRequestWillBeSent, EventResponseReceived,
    Headers, Request, Response,
};
use chromiumoxide::cdp::browser_protocol::page::{CaptureSnapshotFormat, CaptureSnapshotParams};
use chrono::{DateTime, Utc};
use prod_smoke_model::{BlockedRequest, ScenarioTrace};
use prod_smoke_redact::Redactor;
use serde_json::{Value, json};

use crate::watched::{ConsoleEvent, NetEvent, PageLog, console_message, exception_message};

/// When a scenario's trace is written (`--trace`).
/// The variants' docs are `--help`'s text for the values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum TraceMode {
    /// Scenarios that did not pass.
    #[default]
    OnFailure,
    /// Every scenario.
    Always,
    /// None; nothing is collected.
    Off,
}

impl TraceMode {
    pub fn collects(self) -> bool {
        self != TraceMode::Off
    }

    /// Whether a scenario that `passed` (or not) keeps its trace.
    pub fn keeps(self, passed: bool) -> bool {
        match self {
            TraceMode::Always => true,
            TraceMode::OnFailure => !passed,
            TraceMode::Off => false,
        }
    }
}

/// A request body shown in the HAR is cut at this many bytes.
const MAX_POST_DATA: usize = 64 * 1024;
/// How long the MHTML snapshot may take; a hung page must not hold up the run.
const SNAPSHOT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the trace files go, inside the artifacts folder.
pub const TRACES_DIR: &str = "traces";

/// A plain-HTTP step: no browser saw it, so the runner notes it itself.
#[derive(Debug, Clone)]
pub(crate) struct HttpRecord {
    pub method: String,
    pub url: String,
    pub at: DateTime<Utc>,
    pub duration: Duration,
    pub status: Option<u16>,
    pub error: Option<String>,
    /// As the response spoke it (`HTTP/1.1`); `None` without a response.
    pub http_version: Option<String>,
    pub server_ip: Option<String>,
}

/// Everything a scenario collected for its trace, in memory until the run
/// decides whether to keep it.
#[derive(Debug, Default)]
pub(crate) struct ScenarioTraceData {
    pub http: Vec<HttpRecord>,
    pub page: PageLog,
    pub blocked: Vec<(usize, BlockedRequest)>,
    /// The MHTML snapshot, or why there is none.
    pub mhtml: Option<Result<String, String>>,
}

/// `Page.captureSnapshot {format: "mhtml"}`, bounded in time.
pub(crate) async fn snapshot(page: &Page) -> Result<String, String> {
    let params = CaptureSnapshotParams {
        format: Some(CaptureSnapshotFormat::Mhtml),
    };
    match tokio::time::timeout(SNAPSHOT_TIMEOUT, page.execute(params)).await {
        Ok(Ok(r)) => Ok(r.result.data.clone()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "no snapshot within {}s",
            SNAPSHOT_TIMEOUT.as_secs()
        )),
    }
}

/// Writes the trace files of scenario `index` (attempt `attempt`) under
/// `<dir>/traces/` and says where. Names carry no spec text (as screenshot
/// names do not), so a masked secret can never make a path point nowhere.
/// Every text is passed through `redactor` first.
pub(crate) async fn write(
    dir: &Path,
    scenario: &str,
    index: usize,
    attempt: u32,
    data: &ScenarioTraceData,
    redactor: &Redactor,
) -> ScenarioTrace {
    let stem = format!("s{}-a{attempt}", index + 1);
    let mut trace = ScenarioTrace {
        scenario: scenario.to_string(),
        har: None,
        mhtml: None,
        console: None,
    };
    if let Err(e) = tokio::fs::create_dir_all(dir.join(TRACES_DIR)).await {
        tracing::warn!("no trace for {scenario}: cannot create {TRACES_DIR}/: {e}");
        return trace;
    }
    let har = har(scenario, data);
    let har = serde_json::to_string_pretty(&har).unwrap_or_default();
    trace.har = write_file(dir, &format!("{stem}.har"), redactor.redact(&har)).await;
    if let Some(Ok(mhtml)) = &data.mhtml {
        let mhtml = redactor.redact(&unfold_soft_breaks(mhtml, redactor));
        trace.mhtml = write_file(dir, &format!("{stem}.mhtml"), mhtml).await;
    }
    let console = console_text(scenario, attempt, data);
    trace.console = write_file(
        dir,
        &format!("{stem}.console.txt"),
        redactor.redact(&console),
    )
    .await;
    trace
}

/// Quoted-printable text breaks lines past 76 characters with a soft
/// break (`=` and a newline) wherever it falls, so a secret on a long line
/// can be cut in two and slip past the redactor. With secrets to mask, the
/// soft breaks of the quoted-printable parts are taken out first: the
/// decoded text is the same, and browsers read the longer lines. Base64
/// parts (images) are left as they are: their `=` is padding.
fn unfold_soft_breaks(mhtml: &str, redactor: &Redactor) -> String {
    if redactor.is_empty() {
        return mhtml.to_string();
    }
    let mut out = String::with_capacity(mhtml.len());
    let mut quoted_printable = false;
    for line in mhtml.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\r', '\n']);
        if bare.starts_with("--") {
            quoted_printable = false;
        } else if let Some(v) = bare
            .to_ascii_lowercase()
            .strip_prefix("content-transfer-encoding:")
        {
            quoted_printable = v.trim() == "quoted-printable";
        } else if quoted_printable && let Some(joined) = bare.strip_suffix('=') {
            out.push_str(joined);
            continue;
        }
        out.push_str(line);
    }
    out
}

async fn write_file(dir: &Path, name: &str, text: String) -> Option<PathBuf> {
    let rel = PathBuf::from(TRACES_DIR).join(name);
    match crate::screenshot::write_atomic(dir.join(&rel), text.into_bytes()).await {
        Ok(()) => Some(rel),
        Err(e) => {
            tracing::warn!("{e}");
            None
        }
    }
}

fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Wall-clock time from CDP seconds (or milliseconds) since the epoch.
fn from_epoch_secs(secs: f64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis((secs * 1000.0) as i64).unwrap_or_else(Utc::now)
}

fn page_id(visit: usize) -> String {
    format!("page_{}", visit + 1)
}

/// Why the guard stopped a request, naming how the page sent it.
pub fn blocked_reason(b: &BlockedRequest) -> String {
    let channel = if b.channel.is_empty() {
        "unknown"
    } else {
        b.channel.as_str()
    };
    format!(
        "blocked by prod-smoke's read-only guard (channel: {channel}); it never left the browser"
    )
}

const BLOCKED_BY_CLIENT: &str = "net::ERR_BLOCKED_BY_CLIENT";

/// The HAR 1.2 document of a scenario's traffic.
pub(crate) fn har(scenario: &str, data: &ScenarioTraceData) -> Value {
    let visits = &data.page.visits;
    let pages: Vec<Value> = visits
        .iter()
        .map(|v| {
            json!({
                "startedDateTime": iso(v.at),
                "id": page_id(v.index),
                "title": v.url,
                "pageTimings": {"onContentLoad": -1, "onLoad": -1},
            })
        })
        .collect();
    let mut entries: Vec<(DateTime<Utc>, Value)> = Vec::new();
    for h in &data.http {
        entries.push((h.at, http_entry(h)));
    }

    // Each request id's events, in the order CDP sent them; the sends are
    // sorted by time (they arrive through separate listeners).
    let mut sends: Vec<(&EventRequestWillBeSent, usize)> = Vec::new();
    let mut responses: HashMap<&str, &EventResponseReceived> = HashMap::new();
    let mut ends: HashMap<&str, End<'_>> = HashMap::new();
    for ev in &data.page.net {
        match ev {
            NetEvent::Sent(e, visit) => sends.push((e, *visit)),
            NetEvent::Response(e) => {
                responses.insert(e.request_id.as_ref(), e);
            }
            NetEvent::Finished(e) => {
                ends.insert(e.request_id.as_ref(), End::Finished(e));
            }
            NetEvent::Failed(e) => {
                ends.insert(e.request_id.as_ref(), End::Failed(e));
            }
        }
    }
    sends.sort_by(|a, b| a.0.timestamp.inner().total_cmp(b.0.timestamp.inner()));
    // A redirect is sent again under the same id, carrying the response
    // that redirected it: that response closes the hop before it.
    let mut next_hop: HashMap<usize, &EventRequestWillBeSent> = HashMap::new();
    let mut last_of: HashMap<&str, usize> = HashMap::new();
    for (i, (e, _)) in sends.iter().enumerate() {
        if let Some(prev) = last_of.insert(e.request_id.as_ref(), i) {
            next_hop.insert(prev, e);
        }
    }
    let mut unclaimed: Vec<Option<&BlockedRequest>> =
        data.blocked.iter().map(|(_, b)| Some(b)).collect();
    for (i, (sent, visit)) in sends.iter().enumerate() {
        let id: &str = sent.request_id.as_ref();
        let hop = match next_hop.get(&i) {
            Some(next) => Hop {
                response: next.redirect_response.as_ref(),
                end: *next.timestamp.inner(),
                response_at: None,
                failed: None,
                encoded: None,
            },
            None => {
                let response = responses.get(id);
                let (end, failed, encoded) = match ends.get(id) {
                    Some(End::Finished(f)) => {
                        (*f.timestamp.inner(), None, Some(f.encoded_data_length))
                    }
                    Some(End::Failed(f)) => (*f.timestamp.inner(), Some(*f), None),
                    None => (
                        response.map_or(*sent.timestamp.inner(), |r| *r.timestamp.inner()),
                        None,
                        None,
                    ),
                };
                Hop {
                    response: response.map(|r| &r.response),
                    end,
                    response_at: response.map(|r| *r.timestamp.inner()),
                    failed,
                    encoded,
                }
            }
        };
        let mut blocked = None;
        if let Some(f) = hop.failed
            && f.error_text.contains(BLOCKED_BY_CLIENT)
        {
            let method = sent.request.method.to_uppercase();
            let same = |b: &BlockedRequest| b.method == method && b.url == sent.request.url;
            // Two writes to one URL (a beacon and a fetch) are told apart
            // by the channel the guard named from the same resource type.
            let channel = sent.r#type.as_ref().map(crate::guard::channel_for);
            let slot = unclaimed
                .iter()
                .position(|b| b.is_some_and(|b| same(b) && Some(&b.channel) == channel.as_ref()))
                .or_else(|| unclaimed.iter().position(|b| b.is_some_and(same)));
            blocked = slot.and_then(|i| unclaimed[i].take());
        }
        let at = from_epoch_secs(*sent.wall_time.inner());
        entries.push((
            at,
            browser_entry(sent, *visit, at, &hop, blocked, visits.is_empty()),
        ));
    }
    // What the guard stopped without the page's network seeing it (a
    // WebSocket closed by the policy, a worker's request): listed too.
    for ((visit, b), left) in data.blocked.iter().zip(&unclaimed) {
        if left.is_none() {
            continue;
        }
        let at = visits
            .iter()
            .find(|v| v.index == *visit)
            .map_or_else(Utc::now, |v| v.at);
        entries.push((at, blocked_entry(b, *visit, at)));
    }
    entries.sort_by_key(|(at, _)| *at);
    let mut entries: Vec<Value> = entries.into_iter().map(|(_, e)| e).collect();
    spoken_versions(&mut entries);
    json!({
        "log": {
            "version": "1.2",
            "creator": {"name": "prod-smoke", "version": env!("CARGO_PKG_VERSION")},
            "pages": pages,
            "entries": entries,
            "comment": format!("scenario: {scenario}"),
        }
    })
}

enum End<'a> {
    Finished(&'a EventLoadingFinished),
    Failed(&'a EventLoadingFailed),
}

/// How one hop of a request ended, in CDP's monotonic seconds.
struct Hop<'a> {
    response: Option<&'a Response>,
    end: f64,
    response_at: Option<f64>,
    failed: Option<&'a EventLoadingFailed>,
    encoded: Option<f64>,
}

fn ms(secs: f64) -> f64 {
    (secs * 1000.0).max(0.0)
}

fn browser_entry(
    sent: &EventRequestWillBeSent,
    visit: usize,
    at: DateTime<Utc>,
    hop: &Hop<'_>,
    blocked: Option<&BlockedRequest>,
    no_pages: bool,
) -> Value {
    let start = *sent.timestamp.inner();
    let total = ms(hop.end - start);
    let wait = hop.response_at.map_or(total, |r| ms(r - start).min(total));
    let http_version = hop
        .response
        .and_then(|r| r.protocol.as_deref())
        .map(http_version)
        .unwrap_or_default();
    let mut entry = json!({
        "startedDateTime": iso(at),
        "time": total,
        "request": request(&sent.request, &http_version),
        "response": match hop.response {
            Some(r) => response(r, &http_version, hop.encoded),
            None => failed_response(hop.failed.map(|f| f.error_text.as_str()), blocked),
        },
        "cache": {},
        "timings": {
            "blocked": -1, "dns": -1, "connect": -1, "ssl": -1,
            "send": 0, "wait": wait, "receive": total - wait,
        },
    });
    if !no_pages {
        entry["pageref"] = json!(page_id(visit));
    }
    // HAR 1.2 makes the field optional; an empty one fails its schema
    // (an IP address format). A document the guard fulfilled has none.
    if let Some(ip) = hop
        .response
        .and_then(|r| r.remote_ip_address.as_deref())
        .map(|ip| ip.trim_matches(['[', ']']))
        .filter(|ip| !ip.is_empty())
    {
        entry["serverIPAddress"] = json!(ip);
    }
    if let Some(ty) = &sent.r#type {
        entry["_resourceType"] = json!(ty.as_ref().to_lowercase());
    }
    if hop.response.is_some_and(|r| guard_touched(&r.headers)) {
        entry[RESERVED] = json!(
            "re-served by prod-smoke's read-only guard, which added its Content-Security-Policy (not shown) and dropped Content-Encoding and Content-Length with the decoded body; status, body and the other headers are the server's; the HTTP version is the one the same origin's other responses spoke"
        );
    }
    if let Some(f) = hop.failed {
        if f.error_text.contains(BLOCKED_BY_CLIENT) {
            entry["comment"] = json!(match blocked {
                Some(b) => blocked_reason(b),
                None => "blocked by prod-smoke's read-only guard; it never left the browser".into(),
            });
        } else {
            entry["comment"] = json!(format!("failed: {}", f.error_text));
        }
    }
    entry
}

fn http_version(protocol: &str) -> String {
    match protocol {
        "h2" => "HTTP/2.0".into(),
        "h3" => "HTTP/3.0".into(),
        p => p.to_uppercase(),
    }
}

fn name_values(headers: &Headers) -> Vec<Value> {
    headers
        .inner()
        .as_object()
        .map(|h| {
            h.iter()
                .flat_map(|(name, value)| {
                    // Chromium joins repeated headers with newlines.
                    let value = value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_string);
                    value
                        .split('\n')
                        .map(|v| json!({"name": name, "value": v}))
                        .collect::<Vec<_>>()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Marks an entry whose response the guard re-served: Chromium reports
/// such a response as HTTP/1.1 with no IP, whatever the server spoke.
const RESERVED: &str = "_reservedByGuard";

/// Whether the guard added its policy to this response.
fn guard_touched(headers: &Headers) -> bool {
    let injected = crate::guard::injected_policy();
    name_values(headers).iter().any(|h| {
        h["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case("content-security-policy"))
            && h["value"].as_str() == Some(injected.as_str())
    })
}

/// A re-served response's HTTP version, from the responses the same
/// origin sent directly (one connection serves them, over HTTP/2 or 3
/// alike); empty when there is none, rather than Chromium's HTTP/1.1.
fn spoken_versions(entries: &mut [Value]) {
    let origin = |e: &Value| {
        url::Url::parse(e["request"]["url"].as_str().unwrap_or_default())
            .map(|u| u.origin().ascii_serialization())
            .ok()
    };
    let mut spoken: HashMap<String, String> = HashMap::new();
    // Browser responses only: a plain-HTTP step's client may speak another
    // version to the same origin.
    let direct = |e: &&Value| e.get(RESERVED).is_none() && e.get("_resourceType").is_some();
    for e in entries.iter().filter(direct) {
        let version = e["response"]["httpVersion"].as_str().unwrap_or_default();
        if let (Some(o), false) = (origin(e), version.is_empty()) {
            spoken.entry(o).or_insert_with(|| version.to_string());
        }
    }
    for e in entries.iter_mut().filter(|e| e.get(RESERVED).is_some()) {
        let version = origin(e)
            .and_then(|o| spoken.get(&o).cloned())
            .unwrap_or_default();
        e["request"]["httpVersion"] = json!(version);
        e["response"]["httpVersion"] = json!(version);
    }
}

/// A response's headers as the server sent them: without the
/// Content-Security-Policy the read-only guard added to documents and
/// worker scripts (its own, not the site's).
fn server_headers(headers: &Headers) -> Vec<Value> {
    let injected = crate::guard::injected_policy();
    name_values(headers)
        .into_iter()
        .filter(|h| {
            !(h["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case("content-security-policy"))
                && h["value"].as_str() == Some(injected.as_str()))
        })
        .collect()
}

fn header<'a>(headers: &'a Headers, name: &str) -> Option<&'a str> {
    headers
        .inner()
        .as_object()?
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

fn query_string(url: &str) -> Vec<Value> {
    url::Url::parse(url)
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| json!({"name": k, "value": v}))
                .collect()
        })
        .unwrap_or_default()
}

fn request(req: &Request, http_version: &str) -> Value {
    let body = crate::guard::post_body(req);
    let url = match &req.url_fragment {
        Some(f) => format!("{}{f}", req.url),
        None => req.url.clone(),
    };
    let mut value = json!({
        "method": req.method,
        "url": url,
        "httpVersion": http_version,
        "cookies": [],
        "headers": name_values(&req.headers),
        "queryString": query_string(&req.url),
        "headersSize": -1,
        "bodySize": body.len(),
    });
    if !body.is_empty() {
        let mut text = String::from_utf8_lossy(&body[..body.len().min(MAX_POST_DATA)]).into_owned();
        if body.len() > MAX_POST_DATA {
            text.push('…');
        }
        let mime = header(&req.headers, "content-type").unwrap_or("application/octet-stream");
        value["postData"] = json!({"mimeType": mime, "text": text, "params": []});
    }
    value
}

fn response(r: &Response, http_version: &str, encoded: Option<f64>) -> Value {
    let body_size = encoded.map_or(-1.0, |e| e.max(0.0));
    json!({
        "status": r.status,
        "statusText": r.status_text,
        "httpVersion": http_version,
        "cookies": [],
        "headers": server_headers(&r.headers),
        "content": {"size": body_size.max(0.0), "mimeType": r.mime_type},
        "redirectURL": header(&r.headers, "location").unwrap_or_default(),
        "headersSize": -1,
        "bodySize": body_size,
    })
}

/// A response that never came: status 0 and, as Chrome DevTools exports
/// it, the error in `_error`.
fn failed_response(error: Option<&str>, blocked: Option<&BlockedRequest>) -> Value {
    let error = match (error, blocked) {
        (Some(e), Some(b)) => format!("{e}: {}", blocked_reason(b)),
        (Some(e), None) => e.to_string(),
        (None, Some(b)) => blocked_reason(b),
        (None, None) => "no response".to_string(),
    };
    json!({
        "status": 0,
        "statusText": "",
        "httpVersion": "",
        "cookies": [],
        "headers": [],
        "content": {"size": 0, "mimeType": "x-unknown"},
        "redirectURL": "",
        "headersSize": -1,
        "bodySize": -1,
        "_error": error,
    })
}

fn blocked_entry(b: &BlockedRequest, visit: usize, at: DateTime<Utc>) -> Value {
    json!({
        "pageref": page_id(visit),
        "startedDateTime": iso(at),
        "time": 0,
        "request": {
            "method": b.method,
            "url": b.url,
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "queryString": query_string(&b.url),
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": failed_response(Some(BLOCKED_BY_CLIENT), Some(b)),
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
        "comment": blocked_reason(b),
    })
}

fn http_entry(h: &HttpRecord) -> Value {
    let total = h.duration.as_secs_f64() * 1000.0;
    let http_version = h.http_version.as_deref().unwrap_or_default();
    let response = match h.status {
        Some(status) => json!({
            "status": status,
            "statusText": "",
            "httpVersion": http_version,
            "cookies": [],
            "headers": [],
            "content": {"size": -1, "mimeType": ""},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        }),
        None => failed_response(h.error.as_deref(), None),
    };
    let mut entry = json!({
        "startedDateTime": iso(h.at),
        "time": total,
        "request": {
            "method": h.method,
            "url": h.url,
            "httpVersion": http_version,
            "cookies": [],
            "headers": [],
            "queryString": query_string(&h.url),
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": response,
        "cache": {},
        "timings": {"send": 0, "wait": total, "receive": 0},
        "comment": "plain-HTTP step (no browser): redirects followed, headers not recorded",
    });
    if let Some(e) = &h.error {
        entry["comment"] = json!(format!("plain-HTTP step (no browser): {e}"));
    }
    if let Some(ip) = h.server_ip.as_deref().filter(|ip| !ip.is_empty()) {
        entry["serverIPAddress"] = json!(ip);
    }
    entry
}

/// The console messages and page errors, one per line, oldest first:
/// `<ISO-8601 UTC>  <kind>  <text>  (<page>)`.
pub(crate) fn console_text(scenario: &str, attempt: u32, data: &ScenarioTraceData) -> String {
    let page_of = |visit: usize| {
        data.page
            .visits
            .iter()
            .find(|v| v.index == visit)
            .map_or("about:blank", |v| v.url.as_str())
    };
    let mut lines: Vec<(f64, String)> = data
        .page
        .console
        .iter()
        .map(|ev| match ev {
            ConsoleEvent::Api(e, visit) => {
                let text = console_message(e);
                let kind = format!("console.{}", e.r#type.as_ref().to_lowercase());
                (*e.timestamp.inner(), line(&kind, &text, page_of(*visit)))
            }
            ConsoleEvent::Exception(e, visit) => {
                let text = exception_message(e);
                (
                    *e.timestamp.inner(),
                    line("exception", &text, page_of(*visit)),
                )
            }
            ConsoleEvent::Log(e, visit) => {
                let entry = &e.entry;
                let kind = format!(
                    "{}.{}",
                    entry.source.as_ref().to_lowercase(),
                    entry.level.as_ref().to_lowercase()
                );
                let text = match &entry.url {
                    Some(u) if !entry.text.contains(u.as_str()) => format!("{} {u}", entry.text),
                    _ => entry.text.clone(),
                };
                (
                    *entry.timestamp.inner(),
                    line(&kind, &text, page_of(*visit)),
                )
            }
        })
        .collect();
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut text =
        format!("# console and page errors of \"{scenario}\" (attempt {attempt}), oldest first\n");
    if lines.is_empty() {
        text.push_str("# (the page logged nothing)\n");
    }
    for (ms, l) in lines {
        text.push_str(&iso(from_epoch_secs(ms / 1000.0)));
        text.push_str("  ");
        text.push_str(&l);
        text.push('\n');
    }
    text
}

/// One console line; a message's own further lines (a stack) are indented
/// under it, so every line that starts a record starts with its time.
fn line(kind: &str, text: &str, page: &str) -> String {
    let text = text.replace('\r', "").replace('\n', "\n    ");
    format!("{kind:<16} {text}  ({page})")
}

#[cfg(test)]
mod tests {
    #[test]
    fn soft_breaks_are_unfolded_in_quoted_printable_parts_only() {
        let mut r = prod_smoke_redact::Redactor::new();
        r.add("session-value-1234");
        let mhtml = "Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>session-val=\r\nue-1234</p>=3D\r\n------B\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA=\r\nQQ==\r\n------B--\r\n";
        let unfolded = super::unfold_soft_breaks(mhtml, &r);
        assert!(
            unfolded.contains("<p>session-value-1234</p>=3D\r\n"),
            "{unfolded}"
        );
        assert!(unfolded.contains("AAAA=\r\nQQ==\r\n"), "{unfolded}");
        assert!(!r.redact(&unfolded).contains("session-value-1234"));
        assert_eq!(
            super::unfold_soft_breaks(mhtml, &prod_smoke_redact::Redactor::new()),
            mhtml
        );
    }

    use super::*;

    fn entry(url: &str, version: &str, ty: Option<&str>, reserved: bool) -> Value {
        let mut e = json!({
            "request": {"url": url, "httpVersion": version},
            "response": {"httpVersion": version},
        });
        if let Some(ty) = ty {
            e["_resourceType"] = json!(ty);
        }
        if reserved {
            e[RESERVED] = json!("re-served");
        }
        e
    }

    #[test]
    fn a_reserved_document_speaks_its_origins_version_or_none() {
        let mut entries = vec![
            entry("https://a.example/up", "HTTP/1.1", None, false),
            entry("https://a.example/", "HTTP/1.1", Some("document"), true),
            entry(
                "https://a.example/app.js",
                "HTTP/2.0",
                Some("script"),
                false,
            ),
            entry(
                "https://b.example/frame",
                "HTTP/1.1",
                Some("document"),
                true,
            ),
        ];
        spoken_versions(&mut entries);
        assert_eq!(entries[1]["response"]["httpVersion"], "HTTP/2.0");
        assert_eq!(entries[1]["request"]["httpVersion"], "HTTP/2.0");
        assert_eq!(
            entries[3]["response"]["httpVersion"], "",
            "unknown, not 1.1"
        );
        assert_eq!(entries[0]["response"]["httpVersion"], "HTTP/1.1");
    }
}
