//! How a fixture site starts: port, TLS, the write channels its pages try,
//! and the faults' timings.

use std::time::Duration;

use crate::fault::Fault;

/// How to start a [`FixtureSite`].
#[derive(Debug, Clone)]
pub struct FixtureOptions {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Serve HTTPS with a freshly made self-signed certificate, HTTP/2 or
    /// HTTP/1.1 as the client's ALPN offer has it.
    pub tls: bool,
    /// Pages POST a beacon on load, as production's do.
    pub beacons: bool,
    /// Every page tries every write channel a browser has on load: fetch,
    /// XHR, beacon, form, WebSocket, same- and cross-site iframes, dedicated,
    /// shared and service workers, a popup. A read-only run must still leave
    /// [`FixtureSite::count_non_get`] at zero.
    pub hostile: bool,
    /// Faults active from the start.
    pub faults: Vec<Fault>,
    /// How long [`Fault::Slow`] holds every response.
    pub slow_delay: Duration,
    /// How long [`Fault::LateText`] waits before rendering "Tasks".
    pub late_text_delay: Duration,
    /// The least size of the [`Fault::HugePage`] board.
    pub huge_page_bytes: usize,
    /// Print each request (`GET /tasks`) to stderr as it arrives.
    pub echo_requests: bool,
}

impl Default for FixtureOptions {
    fn default() -> Self {
        Self {
            port: 0,
            tls: false,
            beacons: true,
            hostile: false,
            faults: Vec::new(),
            slow_delay: Duration::from_millis(2500),
            late_text_delay: Duration::from_millis(1500),
            huge_page_bytes: 5 * 1024 * 1024,
            echo_requests: false,
        }
    }
}
