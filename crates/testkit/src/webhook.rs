//! A loopback receiver for prod-smoke's signed webhook sink. It checks the
//! `X-Prod-Smoke-Signature-256` header against its own HMAC-SHA256 of the
//! body (answering 401 on a mismatch, as a real receiver should), records
//! every request with its delivery id, and can be scripted to fail or go
//! down.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::TestkitError;
use crate::loopback::Loopback;

/// The path the receiver is reached at.
const PATH: &str = "/hooks/prod-smoke";

/// One request the receiver saw, and what it answered.
#[derive(Debug, Clone)]
pub struct ReceivedWebhook {
    /// `X-Prod-Smoke-Delivery`.
    pub delivery_id: Option<String>,
    /// `X-Prod-Smoke-Signature-256`, as sent.
    pub signature: Option<String>,
    /// The signature is `sha256=` and the HMAC-SHA256 of [`Self::body`]
    /// under the receiver's secret.
    pub signature_valid: bool,
    pub content_type: Option<String>,
    /// The exact body bytes.
    pub body: Vec<u8>,
    pub json: Option<Value>,
    /// The `Authorization` header, if any (credentials from the URL).
    pub authorization: Option<String>,
    pub status: u16,
}

impl ReceivedWebhook {
    pub fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

#[derive(Debug, Clone, Copy)]
enum Scripted {
    Status(u16),
    RateLimited { secs: u64 },
}

struct Inner {
    secret: String,
    requests: Vec<ReceivedWebhook>,
    script: VecDeque<Scripted>,
}

/// A webhook receiver on 127.0.0.1 that knows the signing secret.
pub struct MockWebhook {
    inner: Arc<Mutex<Inner>>,
    server: Loopback,
}

impl std::fmt::Debug for MockWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockWebhook")
            .field("addr", &self.server.addr())
            .finish()
    }
}

impl MockWebhook {
    pub async fn start(secret: &str) -> Result<Self, TestkitError> {
        let inner = Arc::new(Mutex::new(Inner {
            secret: secret.to_string(),
            requests: Vec::new(),
            script: VecDeque::new(),
        }));
        let router = Router::new().fallback(handle).with_state(inner.clone());
        let server = Loopback::start(router).await?;
        Ok(MockWebhook { inner, server })
    }

    /// The URL to set as `PROD_SMOKE_WEBHOOK_URL`.
    pub fn url(&self) -> String {
        format!("http://{}{PATH}", self.server.addr())
    }

    /// The URL with credentials in it: `user:password@` and a `token` query
    /// value, for tests that they are masked.
    pub fn url_with_credentials(&self, password: &str, token: &str) -> String {
        format!(
            "http://hook-user:{password}@{}{PATH}?token={token}",
            self.server.addr()
        )
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<ReceivedWebhook> {
        self.inner.lock().unwrap().requests.clone()
    }

    /// Requests answered with a 2xx.
    pub fn accepted(&self) -> Vec<ReceivedWebhook> {
        self.requests()
            .into_iter()
            .filter(ReceivedWebhook::succeeded)
            .collect()
    }

    pub fn clear_requests(&self) {
        self.inner.lock().unwrap().requests.clear();
    }

    /// Answers the next `times` requests with `status` (e.g. 503).
    pub fn fail_next(&self, times: usize, status: u16) {
        let mut inner = self.inner.lock().unwrap();
        inner
            .script
            .extend(std::iter::repeat_n(Scripted::Status(status), times));
    }

    /// Answers the next `times` requests with 429 and `Retry-After: secs`.
    pub fn rate_limit_next(&self, times: usize, secs: u64) {
        let mut inner = self.inner.lock().unwrap();
        inner
            .script
            .extend(std::iter::repeat_n(Scripted::RateLimited { secs }, times));
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

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// What a receiver does: recompute the HMAC of the raw body and compare in
/// constant time (`verify_slice`).
fn signature_valid(secret: &str, signature: Option<&str>, body: &[u8]) -> bool {
    let Some(hex_sig) = signature.and_then(|s| s.strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any size");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

async fn handle(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut inner = inner.lock().unwrap();
    let signature = header(&headers, "x-prod-smoke-signature-256");
    let valid = signature_valid(&inner.secret, signature.as_deref(), &body);
    let response = match inner.script.pop_front() {
        Some(Scripted::Status(status)) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "scripted failure",
        )
            .into_response(),
        Some(Scripted::RateLimited { secs }) => {
            let mut response = (StatusCode::TOO_MANY_REQUESTS, "slow down").into_response();
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(secs));
            response
        }
        None if !valid => (StatusCode::UNAUTHORIZED, "bad signature").into_response(),
        None => (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "ok": true })),
        )
            .into_response(),
    };
    inner.requests.push(ReceivedWebhook {
        delivery_id: header(&headers, "x-prod-smoke-delivery"),
        signature,
        signature_valid: valid,
        content_type: header(&headers, "content-type"),
        json: serde_json::from_slice(&body).ok(),
        body: body.to_vec(),
        authorization: header(&headers, "authorization"),
        status: response.status().as_u16(),
    });
    response
}
