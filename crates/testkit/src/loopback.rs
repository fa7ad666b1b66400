//! A loopback HTTP server that a test can take down and bring back on the
//! same port: the mock Discord and the mock webhook receiver both sit on it.

use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::TestkitError;

struct Server {
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

pub(crate) struct Loopback {
    addr: SocketAddr,
    router: Router,
    server: tokio::sync::Mutex<Option<Server>>,
    /// While down, the port stays bound but not listening: connections are
    /// refused, and no other test's server (bound to port 0 at the same
    /// moment) can take the port and answer in the mock's place.
    reserved: std::sync::Mutex<Option<socket2::Socket>>,
}

impl Loopback {
    /// Serves `router` on 127.0.0.1 at a free port.
    pub async fn start(router: Router) -> Result<Self, TestkitError> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(TestkitError::Listen)?;
        let addr = listener.local_addr().map_err(TestkitError::Listen)?;
        let server = serve(listener, router.clone());
        Ok(Loopback {
            addr,
            router,
            server: tokio::sync::Mutex::new(Some(server)),
            reserved: std::sync::Mutex::new(None),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops listening: connections are refused until [`Self::come_back`].
    pub async fn go_down(&self) {
        if let Some(server) = self.server.lock().await.take() {
            let _ = server.shutdown.send(());
            let _ = server.task.await;
            // The server task can end before the kernel has let go of the
            // listening socket; "down" means connections are refused.
            for _ in 0..250 {
                if tokio::net::TcpStream::connect(self.addr).await.is_err() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            *self.reserved.lock().expect("reserved port") = reserve(self.addr);
        }
    }

    /// Listens again on the same port.
    pub async fn come_back(&self) -> Result<(), TestkitError> {
        let mut server = self.server.lock().await;
        if server.is_none() {
            drop(self.reserved.lock().expect("reserved port").take());
            let listener = TcpListener::bind(self.addr)
                .await
                .map_err(TestkitError::Listen)?;
            *server = Some(serve(listener, self.router.clone()));
        }
        Ok(())
    }
}

/// Binds `addr` without listening, so it refuses connections. `None` when
/// the port cannot be held (the mock is then down all the same).
fn reserve(addr: SocketAddr) -> Option<socket2::Socket> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        None,
    )
    .ok()?;
    socket.set_reuse_address(true).ok()?;
    socket.bind(&addr.into()).ok()?;
    Some(socket)
}

fn serve(listener: TcpListener, router: Router) -> Server {
    let (shutdown, signal) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = signal.await;
            })
            .await;
    });
    Server { shutdown, task }
}
