//! Connecting to a browser someone else runs (`--cdp-url`): a browserless
//! pool, a plain Chrome started with `--remote-debugging-port`, or a raw
//! `ws://` browser URL.
//!
//! A shared pool is often full for a moment. When it answers busy (HTTP 429,
//! 502, 503, 504) or drops the socket before the WebSocket handshake
//! completes, prod-smoke waits with bounded, jittered backoff and tries
//! again, within a budget. A refused credential (401/403), a refused
//! connection or a malformed answer is not retried: waiting cannot fix it.
//! The one exception: reconnecting after the pool dropped a run's browser
//! mid-run, a refused connection is a pool restarting, and is waited for.
//! Credentials in the URL never appear in an error.

use std::time::{Duration, Instant};

use chromiumoxide::Browser;
use chromiumoxide::error::CdpError;
use chromiumoxide::handler::{Handler, HandlerConfig};
use prod_smoke_redact::{Redactor, url_credentials};

use crate::errors::RunnerError;

/// The first wait after a busy answer; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(4);
/// One attempt (discovery plus handshake) may take at most this long.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// The URL as it may be shown: credentials masked as `***`.
pub fn shown_url(url: &str) -> String {
    let mut r = Redactor::new();
    url_credentials(url).into_iter().for_each(|s| r.add(s));
    r.redact(url)
}

/// Why one attempt failed, and whether another one could succeed.
enum Attempt {
    Busy(String),
    Fatal(String),
}

/// What a refused connection (nothing listening) means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// A wrong host or port: waiting cannot fix it.
    Fatal,
    /// The pool served this run before and dropped it: it is restarting.
    Restarting,
}

/// Connects within `budget`, retrying while the pool says it is busy.
pub async fn connect(
    url: &str,
    config: HandlerConfig,
    budget: Duration,
    refused: Refused,
) -> Result<(Browser, Handler), RunnerError> {
    let started = Instant::now();
    let mut backoff = FIRST_BACKOFF;
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let left = budget
            .saturating_sub(started.elapsed())
            .max(Duration::from_secs(1));
        let attempt = tokio::time::timeout(
            left.min(ATTEMPT_TIMEOUT),
            once(url, config.clone(), refused),
        );
        let why = match attempt.await {
            Ok(Ok(connected)) => {
                if attempts > 1 {
                    tracing::info!(
                        "connected to the browser pool on attempt {attempts} after {:.1}s",
                        started.elapsed().as_secs_f64()
                    );
                }
                return Ok(connected);
            }
            Ok(Err(Attempt::Fatal(reason))) => {
                return Err(RunnerError::Connect {
                    endpoint: shown_url(url),
                    reason: scrub(url, &reason),
                });
            }
            Ok(Err(Attempt::Busy(reason))) => reason,
            Err(_) => format!("no answer within {}s", left.min(ATTEMPT_TIMEOUT).as_secs()),
        };
        let wait = jittered(backoff);
        if started.elapsed() + wait >= budget {
            return Err(RunnerError::PoolBusy {
                endpoint: shown_url(url),
                attempts,
                waited: started.elapsed(),
                last: scrub(url, &why),
            });
        }
        tracing::debug!("browser pool busy ({why}); trying again in {wait:?}");
        tokio::time::sleep(wait).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Between half and all of `backoff`, so runs that were turned away together
/// do not all come back at the same instant.
fn jittered(backoff: Duration) -> Duration {
    let r: f64 = rand::random();
    backoff.mul_f64(0.5 + r / 2.0)
}

/// An error message with the URL's credentials masked, whatever quoted it.
fn scrub(url: &str, text: &str) -> String {
    let mut r = Redactor::new();
    url_credentials(url).into_iter().for_each(|s| r.add(s));
    r.redact(text)
}

async fn once(
    url: &str,
    config: HandlerConfig,
    refused: Refused,
) -> Result<(Browser, Handler), Attempt> {
    let ws = if url.starts_with("http://") || url.starts_with("https://") {
        discover(url, refused).await?
    } else {
        url.to_string()
    };
    Browser::connect_with_config(ws, config)
        .await
        .map_err(|e| classify(e, refused))
}

/// A plain Chrome's `/json/version` names its browser WebSocket. The
/// answer's host is the browser's own view (often 127.0.0.1), so the host
/// the operator gave is kept.
async fn discover(url: &str, refused: Refused) -> Result<String, Attempt> {
    let base = url::Url::parse(url).map_err(|e| Attempt::Fatal(format!("not a URL: {e}")))?;
    let mut version = base.clone();
    if !version.path().ends_with("/json/version") {
        let path = format!("{}/json/version", base.path().trim_end_matches('/'));
        version.set_path(&path);
    }
    let client = reqwest::Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        .build()
        .map_err(|e| Attempt::Fatal(e.to_string()))?;
    let response = client.get(version.clone()).send().await.map_err(|e| {
        if e.is_connect() {
            let why = format!("nothing answers at {}: {e}", shown_url(version.as_str()));
            match refused {
                Refused::Fatal => Attempt::Fatal(why),
                Refused::Restarting => Attempt::Busy(why),
            }
        } else {
            Attempt::Busy(format!("the connection dropped before an answer: {e}"))
        }
    })?;
    let status = response.status().as_u16();
    if let Some(verdict) = status_verdict(status) {
        return Err(verdict);
    }
    if !response.status().is_success() {
        return Err(Attempt::Fatal(format!(
            "/json/version answered HTTP {status}; is this a Chrome DevTools endpoint?"
        )));
    }
    #[derive(serde::Deserialize)]
    struct Version {
        #[serde(rename = "webSocketDebuggerUrl")]
        ws: String,
    }
    let body: Version = response
        .json()
        .await
        .map_err(|e| Attempt::Fatal(format!("/json/version has no webSocketDebuggerUrl: {e}")))?;
    let mut ws = url::Url::parse(&body.ws)
        .map_err(|e| Attempt::Fatal(format!("/json/version names a bad WebSocket URL: {e}")))?;
    let scheme = if base.scheme() == "https" {
        "wss"
    } else {
        "ws"
    };
    let _ = ws.set_scheme(scheme);
    let _ = ws.set_host(base.host_str());
    let _ = ws.set_port(base.port_or_known_default());
    // Credentials on the http URL (a proxy's user:pass, a token) go along.
    let _ = ws.set_username(base.username());
    let _ = ws.set_password(base.password());
    if ws.query().is_none() {
        ws.set_query(base.query());
    }
    Ok(ws.to_string())
}

/// What an HTTP status from a pool means for the next attempt.
fn status_verdict(status: u16) -> Option<Attempt> {
    match status {
        429 | 502 | 503 | 504 => Some(Attempt::Busy(format!(
            "the pool answered HTTP {status} (busy or restarting)"
        ))),
        401 | 403 => Some(Attempt::Fatal(format!(
            "the pool refused the credentials (HTTP {status}); check the token in --cdp-url or PROD_SMOKE_CDP_URL"
        ))),
        _ => None,
    }
}

fn classify(e: CdpError, refused: Refused) -> Attempt {
    use tungstenite::Error as Ws;
    match e {
        CdpError::Ws(Ws::Http(response)) => {
            let status = response.status().as_u16();
            status_verdict(status).unwrap_or_else(|| {
                Attempt::Fatal(format!(
                    "the WebSocket handshake was answered with HTTP {status}; is the path right \
                     (browserless: /chromium?token=…)?"
                ))
            })
        }
        CdpError::Ws(Ws::Io(io)) | CdpError::Io(io) => io_attempt(io, refused),
        CdpError::Ws(e @ (Ws::ConnectionClosed | Ws::AlreadyClosed | Ws::Protocol(_))) => {
            Attempt::Busy(format!(
                "the pool closed the socket before the handshake: {e}"
            ))
        }
        CdpError::Ws(e @ Ws::Url(_)) => Attempt::Fatal(format!("not a browser URL: {e}")),
        other => Attempt::Fatal(other.to_string()),
    }
}

fn io_attempt(io: std::io::Error, refused: Refused) -> Attempt {
    use std::io::ErrorKind::*;
    match io.kind() {
        ConnectionRefused if refused == Refused::Restarting => Attempt::Busy(format!(
            "the pool is not accepting connections yet (restarting?): {io}"
        )),
        ConnectionRefused | NotFound | AddrNotAvailable | PermissionDenied => {
            Attempt::Fatal(format!("nothing accepts connections there: {io}"))
        }
        _ => Attempt::Busy(format!(
            "the pool closed the socket before the handshake: {io}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_statuses_retry_and_refusals_do_not() {
        assert!(matches!(status_verdict(429), Some(Attempt::Busy(_))));
        assert!(matches!(status_verdict(503), Some(Attempt::Busy(_))));
        assert!(matches!(status_verdict(401), Some(Attempt::Fatal(_))));
        assert!(status_verdict(200).is_none());
    }

    #[test]
    fn a_refused_connection_is_waited_for_only_after_a_restart() {
        let refused = || std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(matches!(
            io_attempt(refused(), Refused::Fatal),
            Attempt::Fatal(_)
        ));
        assert!(matches!(
            io_attempt(refused(), Refused::Restarting),
            Attempt::Busy(_)
        ));
    }

    #[test]
    fn jitter_stays_within_the_backoff() {
        for _ in 0..100 {
            let j = jittered(Duration::from_secs(2));
            assert!(
                j >= Duration::from_secs(1) && j <= Duration::from_secs(2),
                "{j:?}"
            );
        }
    }

    #[test]
    fn shown_url_masks_the_token() {
        assert_eq!(
            shown_url("ws://pool:3000/chromium?token=very-secret"),
            "ws://pool:3000/chromium?token=***"
        );
    }
}
