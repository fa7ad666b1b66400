//! Every request the fixture site saw, so tests can prove what a run sent.

use std::sync::Mutex;
use std::time::SystemTime;

/// Method of the entry logged when a WebSocket handshake completes.
pub const WS_OPEN: &str = "WS-OPEN";
/// Method of the entry logged for each frame a client sends on a WebSocket.
pub const WS_FRAME: &str = "WS-FRAME";

/// One request as the site received it, logged before any fault applies.
/// A WebSocket adds a [`WS_OPEN`] entry and one [`WS_FRAME`] entry per
/// message, with the message text as `query`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    /// The path without its query string, e.g. `/tasks`.
    pub path: String,
    pub query: Option<String>,
    pub user_agent: Option<String>,
    /// The `Sec-Purpose` header of a speculative load (`prefetch`,
    /// `prefetch;prerender`).
    pub sec_purpose: Option<String>,
    /// Whether it came over HTTP/2 (only TLS offers it) rather than HTTP/1.1.
    pub over_http2: bool,
    pub at: SystemTime,
}

impl LoggedRequest {
    /// True for methods that may change state: anything but GET, HEAD and OPTIONS.
    pub fn is_mutating(&self) -> bool {
        !matches!(self.method.as_str(), "GET" | "HEAD" | "OPTIONS")
    }
}

#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: Mutex<Vec<LoggedRequest>>,
}

impl RequestLog {
    pub(crate) fn push(&self, entry: LoggedRequest) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(entry);
    }

    pub(crate) fn snapshot(&self) -> Vec<LoggedRequest> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
