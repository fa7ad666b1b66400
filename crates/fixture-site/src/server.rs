//! The accept loop. Each connection is served by hyper, but the site keeps
//! its own handle on the socket so the `reset` fault can send a real TCP RST.
//!
//! Plain http is HTTP/1.1 only, as production's is. Over TLS, hyper-util's
//! auto builder serves whichever protocol ALPN agreed on: HTTP/2 for pages
//! and their subresources, HTTP/1.1 for the WebSockets Chromium opens on a
//! connection of their own. The `reset` and `offline` faults reset the TCP
//! connection: over HTTP/1.1 that fails the one request in flight, over
//! HTTP/2 every stream multiplexed on it, so their tests stay on plain http.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::routes;
use crate::state::{ConnControl, SiteState};

/// A TLS handshake that takes longer than this is abandoned.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: Arc<SiteState>,
    cancel: CancellationToken,
    tracker: TaskTracker,
) {
    loop {
        let stream = tokio::select! {
            () = cancel.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                // Out of file descriptors and the like: back off, keep serving.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        if state.is_offline() {
            // Reset at once: the client gets no HTTP answer at all.
            if let Ok(std_stream) = stream.into_std() {
                let _ = socket2::SockRef::from(&std_stream).set_linger(Some(Duration::ZERO));
            }
            continue;
        }
        let (state, tls, cancel) = (state.clone(), tls.clone(), cancel.clone());
        let streams = tracker.clone();
        tracker.spawn(async move {
            let _ = serve_connection(stream, tls, state, cancel, streams).await;
        });
    }
}

async fn serve_connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    state: Arc<SiteState>,
    cancel: CancellationToken,
    tracker: TaskTracker,
) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    // A second descriptor for the same socket: hyper owns the stream, and
    // this one lets a reset set SO_LINGER to zero before the last close.
    let std_stream = stream.into_std()?;
    let socket = std_stream.try_clone()?;
    let stream = TcpStream::from_std(std_stream)?;

    match tls {
        None => {
            serve_io(
                stream,
                &socket,
                Protocols::Http1Only,
                state,
                cancel,
                tracker,
            )
            .await
        }
        Some(acceptor) => {
            let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
            let tls_stream = tokio::select! {
                () = cancel.cancelled() => return Ok(()),
                done = handshake => match done {
                    Ok(Ok(s)) => s,
                    // Clients that distrust the certificate end up here.
                    Ok(Err(e)) => return Err(e),
                    Err(_) => return Ok(()),
                },
            };
            serve_io(
                tls_stream,
                &socket,
                Protocols::AsAgreed,
                state,
                cancel,
                tracker,
            )
            .await
        }
    }
}

/// Which HTTP versions a connection may speak.
#[derive(Debug, Clone, Copy)]
enum Protocols {
    Http1Only,
    /// HTTP/2 when the client opens with its preface (ALPN agreed on `h2`),
    /// else HTTP/1.1.
    AsAgreed,
}

async fn serve_io<I>(
    io: I,
    socket: &std::net::TcpStream,
    protocols: Protocols,
    state: Arc<SiteState>,
    cancel: CancellationToken,
    tracker: TaskTracker,
) -> std::io::Result<()>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let control = Arc::new(ConnControl::default());
    let offline_state = state.clone();
    let service = {
        let control = control.clone();
        service_fn(move |req| {
            let (state, control) = (state.clone(), control.clone());
            async move { Ok::<_, Infallible>(routes::handle(&state, &control, req).await) }
        })
    };
    let mut builder = auto::Builder::new(TrackedExecutor {
        tracker: tracker.clone(),
        cancel: cancel.clone(),
    });
    builder.http1().timer(TokioTimer::new());
    builder.http2().timer(TokioTimer::new());
    if let Protocols::Http1Only = protocols {
        builder = builder.http1_only();
    }
    // The hostile page's WebSocket endpoint takes over its connection.
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    tokio::select! {
        _ = conn => {}
        () = control.reset_requested() => {
            // With a zero linger, the last close sends RST instead of FIN.
            socket2::SockRef::from(socket).set_linger(Some(Duration::ZERO))?;
        }
        () = offline_state.gone_offline() => {
            // Kept-alive connections go too, as they do when a network dies.
            socket2::SockRef::from(socket).set_linger(Some(Duration::ZERO))?;
        }
        () = cancel.cancelled() => {}
    }
    Ok(())
}

/// Runs the tasks hyper spawns for HTTP/2 streams (one per request) among
/// the site's own, so `shutdown` waits for them and cancels the ones a
/// fault keeps hanging, as it does for HTTP/1.1 connections.
#[derive(Clone)]
struct TrackedExecutor {
    tracker: TaskTracker,
    cancel: CancellationToken,
}

impl<F> hyper::rt::Executor<F> for TrackedExecutor
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, stream: F) {
        let cancel = self.cancel.clone();
        self.tracker.spawn(async move {
            tokio::select! {
                () = cancel.cancelled() => {}
                _ = stream => {}
            }
        });
    }
}
