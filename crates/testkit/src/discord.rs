//! A local stand-in for Discord's webhook API: execute (JSON or multipart,
//! `wait` and `thread_id`), and GET/PATCH of a webhook's message. It records
//! every request and can be scripted to rate-limit, fail, or go down.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use crate::TestkitError;
use crate::loopback::Loopback;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The webhook id the mock accepts.
pub const WEBHOOK_ID: &str = "112233445566778899";
/// The webhook token the mock accepts (the length of a real one).
pub const WEBHOOK_TOKEN: &str =
    "mockToken-aSecretThatMustNeverLeak_0123456789abcdefghijklmnopqrstu";

/// How a scripted 429 tells the client when to come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfterVia {
    Header,
    Body,
    Both,
}

#[derive(Debug, Clone)]
enum Scripted {
    Status(u16),
    RateLimited { secs: f64, via: RetryAfterVia },
}

/// One request the mock saw, and what it answered.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// The path with the token replaced by `{token}`.
    pub path: String,
    /// The raw path, token included (for leak tests).
    pub raw_path: String,
    pub query: BTreeMap<String, String>,
    /// The JSON body, or the `payload_json` part of a multipart body.
    pub json: Option<Value>,
    pub multipart: bool,
    pub attachments: Vec<RecordedAttachment>,
    /// The status the mock answered with.
    pub status: u16,
    /// The message id in the path, for GET/PATCH.
    pub message_id: Option<String>,
}

impl RecordedRequest {
    pub fn is_execute(&self) -> bool {
        self.method == "POST" && self.message_id.is_none()
    }

    pub fn is_edit(&self) -> bool {
        self.method == "PATCH"
    }

    pub fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn content(&self) -> Option<&str> {
        self.json.as_ref()?.get("content")?.as_str()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedAttachment {
    /// The form field, e.g. `files[0]`.
    pub field: String,
    pub filename: String,
    pub size: usize,
}

#[derive(Debug, Default)]
struct Inner {
    requests: Vec<RecordedRequest>,
    script: VecDeque<Scripted>,
    messages: HashMap<String, Value>,
    next_id: u64,
}

/// A mock Discord API on 127.0.0.1. Point prod-smoke at it with
/// [`MockDiscord::api_base`] (as `PROD_SMOKE_DISCORD_API_BASE`) and
/// [`MockDiscord::webhook_url`].
pub struct MockDiscord {
    addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    server: Loopback,
}

impl std::fmt::Debug for MockDiscord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockDiscord")
            .field("addr", &self.addr)
            .finish()
    }
}

impl MockDiscord {
    pub async fn start() -> Result<Self, TestkitError> {
        let inner = Arc::new(Mutex::new(Inner {
            next_id: 1_300_000_000_000_000_001,
            ..Inner::default()
        }));
        let router = Router::new()
            .fallback(handle)
            .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
            .with_state(inner.clone());
        let server = Loopback::start(router).await?;
        Ok(MockDiscord {
            addr: server.addr(),
            inner,
            server,
        })
    }

    /// The base URL to use instead of `https://discord.com`.
    pub fn api_base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A real-looking Discord webhook URL with the mock's id and token.
    pub fn webhook_url(&self) -> String {
        format!("https://discord.com/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}")
    }

    pub fn token(&self) -> &'static str {
        WEBHOOK_TOKEN
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.inner.lock().unwrap().requests.clone()
    }

    /// Execute requests (posts of a new message) that succeeded.
    pub fn delivered_posts(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.is_execute() && r.succeeded())
            .collect()
    }

    /// PATCH requests (message edits) that succeeded.
    pub fn delivered_edits(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.is_edit() && r.succeeded())
            .collect()
    }

    pub fn clear_requests(&self) {
        self.inner.lock().unwrap().requests.clear();
    }

    /// Answers the next `times` requests with `status` (e.g. 500 or 503).
    pub fn fail_next(&self, times: usize, status: u16) {
        let mut inner = self.inner.lock().unwrap();
        inner
            .script
            .extend(std::iter::repeat_n(Scripted::Status(status), times));
    }

    /// Answers the next `times` requests with 429 and a retry-after of `secs`.
    pub fn rate_limit_next(&self, times: usize, secs: f64, via: RetryAfterVia) {
        let mut inner = self.inner.lock().unwrap();
        inner.script.extend(std::iter::repeat_n(
            Scripted::RateLimited { secs, via },
            times,
        ));
    }

    /// Forgets any scripted answers not yet used.
    pub fn clear_script(&self) {
        self.inner.lock().unwrap().script.clear();
    }

    /// Stores a message as if the webhook had posted it (e.g. release notes)
    /// and returns its id.
    pub fn insert_message(&self, content: &str) -> String {
        let mut inner = self.inner.lock().unwrap();
        let id = next_id(&mut inner);
        let message = message_json(&id, None, &json!({ "content": content }), &[]);
        inner.messages.insert(id.clone(), message);
        id
    }

    /// The stored message, as the mock would return it.
    pub fn message(&self, id: &str) -> Option<Value> {
        self.inner.lock().unwrap().messages.get(id).cloned()
    }

    /// Stops listening: connections are refused until [`Self::come_back`].
    pub async fn go_down(&self) {
        self.server.go_down().await;
    }

    /// Listens again on the same port.
    pub async fn come_back(&self) -> Result<(), TestkitError> {
        self.server.come_back().await
    }
}

fn next_id(inner: &mut Inner) -> String {
    let id = inner.next_id;
    inner.next_id += 1;
    id.to_string()
}

/// The parts of a webhook path: `.../webhooks/{id}/{token}[/messages/{message_id}]`.
struct WebhookPath {
    id: String,
    token: String,
    message_id: Option<String>,
}

fn parse_path(path: &str) -> Option<WebhookPath> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let at = segments.iter().position(|s| *s == "webhooks")?;
    let rest = &segments[at + 1..];
    match rest {
        [id, token] => Some(WebhookPath {
            id: id.to_string(),
            token: token.to_string(),
            message_id: None,
        }),
        [id, token, "messages", message_id] => Some(WebhookPath {
            id: id.to_string(),
            token: token.to_string(),
            message_id: Some(message_id.to_string()),
        }),
        _ => None,
    }
}

async fn handle(State(inner): State<Arc<Mutex<Inner>>>, request: Request) -> Response {
    let method = request.method().clone();
    let raw_path = request.uri().path().to_string();
    let query: BTreeMap<String, String> = request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let is_multipart = request
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));

    let (json, attachments) = if is_multipart {
        match read_multipart(request).await {
            Ok(parts) => parts,
            Err(e) => return discord_error(StatusCode::BAD_REQUEST, 50035, &e),
        }
    } else {
        let bytes = match axum::body::to_bytes(request.into_body(), usize::MAX).await {
            Ok(b) => b,
            Err(e) => return discord_error(StatusCode::BAD_REQUEST, 50035, &e.to_string()),
        };
        (serde_json::from_slice::<Value>(&bytes).ok(), Vec::new())
    };

    let parsed = parse_path(&raw_path);
    let mut record = RecordedRequest {
        method: method.to_string(),
        path: raw_path.replace(WEBHOOK_TOKEN, "{token}"),
        raw_path: raw_path.clone(),
        query: query.clone(),
        json: json.clone(),
        multipart: is_multipart,
        attachments: attachments.clone(),
        status: 0,
        message_id: parsed.as_ref().and_then(|p| p.message_id.clone()),
    };

    let mut inner = inner.lock().unwrap();
    let response = match inner.script.pop_front() {
        Some(Scripted::Status(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            discord_error(status, 0, "scripted failure")
        }
        Some(Scripted::RateLimited { secs, via }) => rate_limited(secs, via),
        None => answer(&mut inner, &method, parsed, &query, json, &attachments),
    };
    record.status = response.status().as_u16();
    inner.requests.push(record);
    response
}

fn answer(
    inner: &mut Inner,
    method: &Method,
    path: Option<WebhookPath>,
    query: &BTreeMap<String, String>,
    json: Option<Value>,
    attachments: &[RecordedAttachment],
) -> Response {
    let Some(path) = path else {
        return discord_error(StatusCode::NOT_FOUND, 0, "404: Not Found");
    };
    if path.id != WEBHOOK_ID || path.token != WEBHOOK_TOKEN {
        return discord_error(StatusCode::UNAUTHORIZED, 50027, "Invalid Webhook Token");
    }
    let thread_id = query.get("thread_id").cloned();
    match (method.as_str(), path.message_id) {
        ("POST", None) => {
            let Some(payload) = json else {
                return discord_error(
                    StatusCode::BAD_REQUEST,
                    50006,
                    "Cannot send an empty message",
                );
            };
            let id = next_id(inner);
            let message = message_json(&id, thread_id.as_deref(), &payload, attachments);
            inner.messages.insert(id, message.clone());
            if query.get("wait").map(String::as_str) == Some("true") {
                (StatusCode::OK, axum::Json(message)).into_response()
            } else {
                StatusCode::NO_CONTENT.into_response()
            }
        }
        ("GET", Some(id)) => match inner.messages.get(&id) {
            Some(message) => (StatusCode::OK, axum::Json(message.clone())).into_response(),
            None => discord_error(StatusCode::NOT_FOUND, 10008, "Unknown Message"),
        },
        ("PATCH", Some(id)) => {
            let Some(message) = inner.messages.get_mut(&id) else {
                return discord_error(StatusCode::NOT_FOUND, 10008, "Unknown Message");
            };
            if let Some(Value::Object(changes)) = json {
                for key in ["content", "embeds"] {
                    if let Some(v) = changes.get(key) {
                        message[key] = v.clone();
                    }
                }
                if changes.contains_key("attachments") || !attachments.is_empty() {
                    message["attachments"] = attachments_json(attachments);
                }
            }
            (StatusCode::OK, axum::Json(message.clone())).into_response()
        }
        _ => discord_error(StatusCode::METHOD_NOT_ALLOWED, 0, "405: Method Not Allowed"),
    }
}

async fn read_multipart(
    request: Request,
) -> Result<(Option<Value>, Vec<RecordedAttachment>), String> {
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| e.to_string())?;
    let mut json = None;
    let mut attachments = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| e.to_string())?;
        if name == "payload_json" {
            json = Some(serde_json::from_slice(&bytes).map_err(|e| e.to_string())?);
        } else {
            attachments.push(RecordedAttachment {
                field: name,
                filename: filename.unwrap_or_default(),
                size: bytes.len(),
            });
        }
    }
    Ok((json, attachments))
}

fn attachments_json(attachments: &[RecordedAttachment]) -> Value {
    Value::Array(
        attachments
            .iter()
            .enumerate()
            .map(|(i, a)| {
                json!({
                    "id": format!("{}", 1_400_000_000_000_000_000u64 + i as u64),
                    "filename": a.filename,
                    "size": a.size,
                    "url": format!("https://cdn.discordapp.com/attachments/{}", a.filename),
                    "proxy_url": format!("https://media.discordapp.net/attachments/{}", a.filename),
                })
            })
            .collect(),
    )
}

fn message_json(
    id: &str,
    thread_id: Option<&str>,
    payload: &Value,
    attachments: &[RecordedAttachment],
) -> Value {
    json!({
        "id": id,
        "type": 0,
        "channel_id": thread_id.unwrap_or("998877665544332211"),
        "webhook_id": WEBHOOK_ID,
        "author": {
            "id": WEBHOOK_ID,
            "username": "Release notes",
            "discriminator": "0000",
            "avatar": null,
            "bot": true
        },
        "content": payload.get("content").cloned().unwrap_or(Value::String(String::new())),
        "embeds": payload.get("embeds").cloned().unwrap_or(json!([])),
        "attachments": attachments_json(attachments),
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": false,
        "pinned": false,
        "tts": false,
        "timestamp": "2026-06-26T21:28:45.000000+00:00",
        "edited_timestamp": null,
        "flags": 0,
        "components": []
    })
}

fn discord_error(status: StatusCode, code: u32, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "message": message, "code": code })),
    )
        .into_response()
}

fn rate_limited(secs: f64, via: RetryAfterVia) -> Response {
    let body = match via {
        RetryAfterVia::Header => {
            json!({ "message": "You are being rate limited.", "global": false })
        }
        RetryAfterVia::Body | RetryAfterVia::Both => json!({
            "message": "You are being rate limited.",
            "retry_after": secs,
            "global": false
        }),
    };
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    if matches!(via, RetryAfterVia::Header | RetryAfterVia::Both)
        && let Ok(value) = HeaderValue::from_str(&format!("{secs}"))
    {
        headers.insert("retry-after", value);
    }
    response
}
