//! A loopback browser pool that behaves like browserless in front of a real
//! Chromium: it checks a `token`, has a fixed number of slots and no queue
//! (a connection beyond them is answered 429), can be scripted to refuse the
//! first connections (401, 429, 503, or a socket closed before the
//! handshake), and proxies every connection it accepts to the DevTools
//! WebSocket of a Chromium it launched. Nothing is faked past the door: the
//! CDP traffic is Chromium's own. [`StandInPool::restart`] drops every
//! proxied connection at once, mid-run, the way a pool restart does.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::Child;
use tokio::task::JoinHandle;

use crate::TestkitError;

/// How the stand-in answers one connection before the proxy takes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolAnswer {
    /// An HTTP status instead of the WebSocket upgrade (401, 429, 503, …).
    Status(u16),
    /// The socket is closed before any answer.
    Close,
}

#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub token: String,
    /// Browsers at once; one more connection is answered 429 (no queue).
    pub slots: usize,
    /// Answers for the first connections, in order, before any is proxied.
    pub refuse_first: Vec<PoolAnswer>,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            token: "pool-token-Sup3rSecret-0123456789".into(),
            slots: 2,
            refuse_first: Vec::new(),
        }
    }
}

#[derive(Default)]
struct PoolState {
    script: VecDeque<PoolAnswer>,
    active: usize,
    max_active: usize,
    /// 101 for a proxied connection, the status sent otherwise, 0 for a close.
    answers: Vec<u16>,
}

pub struct StandInPool {
    addr: SocketAddr,
    token: String,
    browser_ws: String,
    state: Arc<Mutex<PoolState>>,
    /// Bumped by [`StandInPool::restart`]; every proxy watches it.
    restarts: Arc<tokio::sync::watch::Sender<u64>>,
    accept: JoinHandle<()>,
    chromium: Child,
    _profile: tempfile::TempDir,
}

impl StandInPool {
    pub async fn start(options: PoolOptions) -> Result<Self, TestkitError> {
        let profile = tempfile::tempdir().map_err(|source| TestkitError::Io {
            path: std::env::temp_dir(),
            source,
        })?;
        let (chromium, browser_ws) = crate::chromium::launch_debuggable(profile.path()).await?;
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(TestkitError::Listen)?;
        let addr = listener.local_addr().map_err(TestkitError::Listen)?;
        let state = Arc::new(Mutex::new(PoolState {
            script: options.refuse_first.into_iter().collect(),
            ..PoolState::default()
        }));
        let restarts = Arc::new(tokio::sync::watch::channel(0u64).0);
        let accept = tokio::spawn({
            let restarts = restarts.clone();
            let state = state.clone();
            let token = options.token.clone();
            let browser_ws = browser_ws.clone();
            let slots = options.slots;
            async move {
                while let Ok((socket, _)) = listener.accept().await {
                    let (state, token, browser_ws) =
                        (state.clone(), token.clone(), browser_ws.clone());
                    let restarted = restarts.subscribe();
                    tokio::spawn(async move {
                        let _ = serve(socket, &state, &token, slots, &browser_ws, restarted).await;
                    });
                }
            }
        });
        Ok(StandInPool {
            addr,
            token: options.token,
            browser_ws,
            state,
            restarts,
            accept,
            chromium,
            _profile: profile,
        })
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// browserless's route: `ws://127.0.0.1:PORT/chromium?token=TOKEN`.
    pub fn ws_url(&self) -> String {
        self.ws_url_with_token(&self.token)
    }

    pub fn ws_url_with_token(&self, token: &str) -> String {
        format!("ws://{}/chromium?token={token}", self.addr)
    }

    /// The pool's own door over HTTP, `/json/version` discovery included:
    /// `http://127.0.0.1:PORT/?token=TOKEN`.
    pub fn http_url(&self) -> String {
        format!("http://{}/?token={}", self.addr, self.token)
    }

    /// The Chromium behind the pool, as plain Chrome exposes itself:
    /// `http://127.0.0.1:PORT`, discovered through `/json/version`.
    pub fn chromium_http_url(&self) -> String {
        let url = url::Url::parse(&self.browser_ws).expect("Chromium prints a URL");
        format!(
            "http://127.0.0.1:{}",
            url.port().expect("Chromium prints its port")
        )
    }

    /// The Chromium's raw browser WebSocket URL.
    pub fn chromium_ws_url(&self) -> &str {
        &self.browser_ws
    }

    /// What each connection got, in order (101 = proxied to Chromium).
    pub fn answers(&self) -> Vec<u16> {
        self.state.lock().unwrap().answers.clone()
    }

    /// Cuts every proxied connection now, as a pool restart does, and
    /// answers the next connections with `then` (e.g. 503 while it boots)
    /// before proxying again.
    pub fn restart(&self, then: Vec<PoolAnswer>) {
        self.state.lock().unwrap().script.extend(then);
        self.restarts.send_modify(|n| *n += 1);
    }

    /// The most connections proxied at once.
    pub fn max_active(&self) -> usize {
        self.state.lock().unwrap().max_active
    }
}

impl Drop for StandInPool {
    fn drop(&mut self) {
        self.accept.abort();
        let _ = self.chromium.start_kill();
    }
}

async fn serve(
    mut socket: TcpStream,
    state: &Mutex<PoolState>,
    token: &str,
    slots: usize,
    browser_ws: &str,
    mut restarted: tokio::sync::watch::Receiver<u64>,
) -> std::io::Result<()> {
    let head = read_head(&mut socket).await?;
    let target = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("/")
        .to_string();
    let given = url::Url::parse(&format!("http://pool{target}"))
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "token")
                .map(|(_, v)| v.into_owned())
        });
    let scripted = state.lock().unwrap().script.pop_front();
    let refuse = |status: u16| {
        state.lock().unwrap().answers.push(status);
        status
    };
    match scripted {
        Some(PoolAnswer::Close) => {
            refuse(0);
            return Ok(());
        }
        Some(PoolAnswer::Status(status)) => return answer(socket, refuse(status)).await,
        None => {}
    }
    if given.as_deref() != Some(token) {
        return answer(socket, refuse(401)).await;
    }
    if target.starts_with("/json/version") {
        state.lock().unwrap().answers.push(200);
        let body = format!(
            "{{\"Browser\":\"stand-in pool\",\"webSocketDebuggerUrl\":\"ws://127.0.0.1/chromium?token={token}\"}}"
        );
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        return socket.write_all(reply.as_bytes()).await;
    }
    let full = {
        let mut s = state.lock().unwrap();
        if s.active >= slots {
            s.answers.push(429);
            true
        } else {
            s.active += 1;
            s.max_active = s.max_active.max(s.active);
            s.answers.push(101);
            false
        }
    };
    if full {
        return answer(socket, 429).await;
    }
    // A restart drops both sockets: the client sees its connection end
    // mid-conversation, and Chromium sees its DevTools client go.
    let result = tokio::select! {
        r = proxy(socket, &head, browser_ws) => r,
        _ = restarted.changed() => Ok(()),
    };
    state.lock().unwrap().active -= 1;
    result
}

/// Forwards the upgrade to Chromium's browser endpoint, then the bytes
/// both ways until either side closes.
async fn proxy(mut client: TcpStream, head: &str, browser_ws: &str) -> std::io::Result<()> {
    let url = url::Url::parse(browser_ws).map_err(std::io::Error::other)?;
    let port = url.port().unwrap_or(9222);
    let mut upstream = TcpStream::connect(("127.0.0.1", port)).await?;
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or_default();
    let version = first.split_whitespace().nth(2).unwrap_or("HTTP/1.1");
    let mut rewritten = format!("GET {} {version}\r\n", url.path());
    for line in lines {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("host:") {
            rewritten.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
        } else if !line.is_empty() {
            rewritten.push_str(line);
            rewritten.push_str("\r\n");
        }
    }
    rewritten.push_str("\r\n");
    upstream.write_all(rewritten.as_bytes()).await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}

async fn answer(mut socket: TcpStream, status: u16) -> std::io::Result<()> {
    let reason = match status {
        401 => "Unauthorized",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Refused",
    };
    let body = format!("{status} {reason}\n");
    let reply = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    socket.write_all(reply.as_bytes()).await?;
    socket.shutdown().await
}

/// The request head, up to the blank line. A WebSocket client sends
/// nothing more until it is answered, so nothing is read past it.
async fn read_head(socket: &mut TcpStream) -> std::io::Result<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 || socket.read(&mut byte).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}
