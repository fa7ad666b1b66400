//! What every connection of the site shares, and a connection's own
//! controls. A module of its own so the server (which accepts connections)
//! and the routes (which answer them) both depend on it, not on each other.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::AtomicUsize;

use tokio::sync::Notify;

use crate::fault::Fault;
use crate::options::FixtureOptions;
use crate::request_log::RequestLog;

/// State shared by every connection.
#[derive(Debug)]
pub(crate) struct SiteState {
    pub options: FixtureOptions,
    pub faults: Mutex<BTreeSet<Fault>>,
    pub log: RequestLog,
    /// How many `304 Not Modified` answers `/ro/revalidated` gave.
    pub not_modified: AtomicUsize,
    /// Whether [`Fault::Offline`] is on, for connections to watch.
    pub offline: tokio::sync::watch::Sender<bool>,
}

impl SiteState {
    pub(crate) fn faults(&self) -> BTreeSet<Fault> {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn update_faults(&self, f: impl FnOnce(&mut BTreeSet<Fault>)) {
        let offline = {
            let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut faults);
            faults.contains(&Fault::Offline)
        };
        self.offline.send_replace(offline);
    }

    pub(crate) fn is_offline(&self) -> bool {
        *self.offline.borrow()
    }

    /// Resolves once the site is offline (at once if it is).
    pub(crate) async fn gone_offline(&self) {
        let mut rx = self.offline.subscribe();
        let _ = rx.wait_for(|offline| *offline).await;
    }
}

/// Lets a request handler ask for its connection to be reset.
#[derive(Debug, Default)]
pub(crate) struct ConnControl {
    reset: Notify,
}

impl ConnControl {
    pub(crate) fn reset(&self) {
        self.reset.notify_one();
    }
}

impl ConnControl {
    /// Resolves once a handler asked for a reset.
    pub(crate) async fn reset_requested(&self) {
        self.reset.notified().await;
    }
}
