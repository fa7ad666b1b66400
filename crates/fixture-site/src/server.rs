//! The accept loop. Each connection is served by hyper, but the site keeps
//! its own handle on the socket so the `reset` fault can send a real TCP RST.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
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
        tracker.spawn(async move {
            let _ = serve_connection(stream, tls, state, cancel).await;
        });
    }
}

async fn serve_connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    state: Arc<SiteState>,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    // A second descriptor for the same socket: hyper owns the stream, and
    // this one lets a reset set SO_LINGER to zero before the last close.
    let std_stream = stream.into_std()?;
    let socket = std_stream.try_clone()?;
    let stream = TcpStream::from_std(std_stream)?;

    match tls {
        None => serve_io(stream, &socket, state, cancel).await,
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
            serve_io(tls_stream, &socket, state, cancel).await
        }
    }
}

async fn serve_io<I>(
    io: I,
    socket: &std::net::TcpStream,
    state: Arc<SiteState>,
    cancel: CancellationToken,
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
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(io), service)
        // The hostile page's WebSocket endpoint takes over its connection.
        .with_upgrades();
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
