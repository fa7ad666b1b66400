//! SIGINT and SIGTERM during a watch, in two stages. The first asks the
//! watch to stop once the pass in flight is recorded; the second (GitHub
//! Actions sends SIGTERM 7.5 s after the SIGINT of a cancelled job) cuts
//! that pass short through the engine's `Cut::ByCaller`, and the pass then
//! counts as inconclusive.

use std::sync::Arc;

use tokio::sync::{Notify, oneshot};

use crate::output::{WatchNote, WatchOutput};

pub(crate) struct Signals {
    /// Resolves, with the signal's name, on the first signal.
    pub(crate) stop: oneshot::Receiver<String>,
    /// Notified on every later signal.
    pub(crate) cut: Arc<Notify>,
}

impl Signals {
    pub(crate) fn listen<O: WatchOutput>(out: Arc<O>) -> Signals {
        use tokio::signal::unix::{SignalKind, signal};
        let (tx, stop) = oneshot::channel();
        let cut = Arc::new(Notify::new());
        let cutter = cut.clone();
        tokio::spawn(async move {
            let (Ok(mut int), Ok(mut term)) = (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) else {
                return;
            };
            let mut tx = Some(tx);
            loop {
                let name = tokio::select! {
                    _ = int.recv() => "SIGINT",
                    _ = term.recv() => "SIGTERM",
                };
                match tx.take() {
                    Some(tx) => {
                        // Said before the loop hears of it, so the note
                        // comes before the watch's own stopping line.
                        out.note(WatchNote::StopAsked { signal: name });
                        let _ = tx.send(name.to_string());
                    }
                    // A permit is kept, so a pass that starts listening
                    // later is still cut.
                    None => cutter.notify_one(),
                }
            }
        });
        Signals { stop, cut }
    }

    /// The first signal's name; pending for ever when no handler could be
    /// set, since then nothing will ask to stop.
    pub(crate) async fn stopped(stop: oneshot::Receiver<String>) -> String {
        match stop.await {
            Ok(name) => name,
            Err(_) => std::future::pending().await,
        }
    }
}
