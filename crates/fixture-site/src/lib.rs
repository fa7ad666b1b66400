//! A loopback copy of the production hub's public pages ("McRitchie Studio"),
//! with faults that can be switched on and off while it runs. prod-smoke's
//! tests point the runner at it to prove that each kind of breakage turns the
//! seal red, and that a healthy site stays green.
//!
//! ```no_run
//! # async fn demo() -> Result<(), prod_smoke_fixture_site::FixtureError> {
//! use prod_smoke_fixture_site::{Fault, FixtureOptions, FixtureSite};
//!
//! let site = FixtureSite::start(FixtureOptions::default()).await?;
//! site.set_fault(Fault::Page500);
//! // ... run prod-smoke against site.base_url() ...
//! assert_eq!(site.count_non_get(), 0);
//! site.shutdown().await;
//! # Ok(()) }
//! ```

mod context_pages;
mod errors;
mod fault;
mod guard_pages;
mod interaction_pages;
mod options;
mod pages;
mod request_log;
mod response;
mod routes;
mod server;
mod state;
mod tls;

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use context_pages::{PHONE_MAX_WIDTH, SESSION_COOKIE};
pub use errors::{FixtureError, UnknownFault};
pub use fault::Fault;
pub use options::FixtureOptions;
pub use pages::FORGED_ALERT;
pub use request_log::LoggedRequest;

use request_log::RequestLog;
use state::SiteState;

/// A running fixture site. Dropping it stops it too; [`FixtureSite::shutdown`]
/// also waits for every connection to close.
#[derive(Debug)]
pub struct FixtureSite {
    addr: SocketAddr,
    certificate_pem: Option<String>,
    public_key_info_der: Option<Vec<u8>>,
    state: Arc<SiteState>,
    cancel: CancellationToken,
    tracker: TaskTracker,
}

impl FixtureSite {
    /// Binds 127.0.0.1 and starts serving in the background of the current
    /// tokio runtime.
    pub async fn start(options: FixtureOptions) -> Result<Self, FixtureError> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, options.port));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| FixtureError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| FixtureError::Bind { addr, source })?;
        let (acceptor, certificate_pem, public_key_info_der) = if options.tls {
            let cert = tls::self_signed()?;
            (
                Some(cert.acceptor),
                Some(cert.certificate_pem),
                Some(cert.public_key_info_der),
            )
        } else {
            (None, None, None)
        };
        let (offline, _) = tokio::sync::watch::channel(options.faults.contains(&Fault::Offline));
        let state = Arc::new(SiteState {
            offline,
            faults: Mutex::new(options.faults.iter().copied().collect()),
            options,
            log: RequestLog::default(),
            not_modified: Default::default(),
        });
        let cancel = CancellationToken::new();
        let tracker = TaskTracker::new();
        tracker.spawn(server::accept_loop(
            listener,
            acceptor,
            state.clone(),
            cancel.clone(),
            tracker.clone(),
        ));
        Ok(Self {
            addr,
            certificate_pem,
            public_key_info_der,
            state,
            cancel,
            tracker,
        })
    }

    /// `http://127.0.0.1:PORT`, or `https://...` when serving TLS. No trailing slash.
    pub fn base_url(&self) -> String {
        let scheme = if self.is_tls() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// `base_url()` joined with `path`, e.g. `url("/tasks")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn is_tls(&self) -> bool {
        self.certificate_pem.is_some()
    }

    /// The self-signed certificate (PEM) when serving TLS.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate_pem.as_deref()
    }

    /// The certificate's SubjectPublicKeyInfo (DER) when serving TLS. A
    /// test's own browser may trust exactly this key by its SHA-256
    /// (`--ignore-certificate-errors-spki-list`); prod-smoke's never does.
    pub fn certificate_public_key_info_der(&self) -> Option<&[u8]> {
        self.public_key_info_der.as_deref()
    }

    /// Turns a fault on, keeping the others that are on.
    pub fn set_fault(&self, fault: Fault) {
        self.state.update_faults(|set| {
            set.insert(fault);
        });
    }

    /// Turns one fault off.
    pub fn unset_fault(&self, fault: Fault) {
        self.state.update_faults(|set| {
            set.remove(&fault);
        });
    }

    /// Replaces the active faults with `faults`.
    pub fn set_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        let new: BTreeSet<Fault> = faults.into_iter().collect();
        self.state.update_faults(|set| *set = new);
    }

    /// Makes the site healthy again.
    pub fn clear_faults(&self) {
        self.state.update_faults(BTreeSet::clear);
    }

    /// Turns `fault` on once `on_after` has passed and, with `off_after`,
    /// off again once that has passed (both counted from now): a site that
    /// breaks at T1 and heals at T2 while a watch runs. Stops with the site.
    pub fn schedule_fault(&self, fault: Fault, on_after: Duration, off_after: Option<Duration>) {
        let (state, cancel) = (self.state.clone(), self.cancel.clone());
        let start = tokio::time::Instant::now();
        self.tracker.spawn(async move {
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep_until(start + on_after) => {}
            }
            state.update_faults(|set| {
                set.insert(fault);
            });
            let Some(off) = off_after else { return };
            tokio::select! {
                () = cancel.cancelled() => {}
                () = tokio::time::sleep_until(start + off) => state.update_faults(|set| {
                    set.remove(&fault);
                }),
            }
        });
    }

    /// The active faults, in precedence order.
    pub fn faults(&self) -> Vec<Fault> {
        self.state.faults().into_iter().collect()
    }

    /// Every request so far, oldest first.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.state.log.snapshot()
    }

    pub fn clear_request_log(&self) {
        self.state.log.clear();
    }

    /// How many requests could have changed state: any method but GET, HEAD
    /// and OPTIONS, plus every opened WebSocket and every frame received on
    /// one. A read-only run must leave this at zero.
    pub fn count_non_get(&self) -> usize {
        self.request_log()
            .iter()
            .filter(|r| r.is_mutating())
            .count()
    }

    /// How many WebSocket handshakes reached the site.
    pub fn count_websockets(&self) -> usize {
        self.request_log()
            .iter()
            .filter(|r| r.method == request_log::WS_OPEN)
            .count()
    }

    /// How many `304 Not Modified` answers the site gave (`/ro/revalidated`).
    pub fn count_not_modified(&self) -> usize {
        self.state
            .not_modified
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How many requests arrived over HTTP/2 (only TLS offers it), so a
    /// test can prove the browser really spoke it.
    pub fn count_http2(&self) -> usize {
        self.request_log().iter().filter(|r| r.over_http2).count()
    }

    /// How many requests asked for `path` (any method).
    pub fn count_path(&self, path: &str) -> usize {
        self.request_log().iter().filter(|r| r.path == path).count()
    }

    /// Stops accepting, drops every open connection (hung ones included) and
    /// waits for their tasks to end.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        self.tracker.close();
        self.tracker.wait().await;
    }
}

impl Drop for FixtureSite {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}
