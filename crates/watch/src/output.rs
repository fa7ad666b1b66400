//! What the watch tells whoever shows it. The watch formats nothing for
//! people: it hands each pass's engine events and its own notes to a
//! [`WatchOutput`], and the renderer (`prod_smoke_console` for the binary)
//! decides how they look. The one exception is watch.log, the watch's own
//! artifact (log.rs): a [`WatchNote::Logged`] hands over the line the log
//! got, so a person sees the same sentence the log keeps.

use std::future::Future;
use std::path::Path;

use prod_smoke_engine::{EngineEvent, InputError};
use prod_smoke_redact::Redactor;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::policy::Policy;
use crate::schedule::Schedule;

/// Where a watch's output goes. Shared by the loop and the signal
/// listener, hence `&self` and `Sync`.
pub trait WatchOutput: Send + Sync + 'static {
    /// Something the watch itself has to say.
    fn note(&self, note: WatchNote<'_>);

    /// Renders one pass's engine events until the channel closes. The
    /// watch has already dropped the ones a person should not see again
    /// (a later pass that changes nothing says nothing). `redactor` is
    /// that pass's: its secrets are masked in what is shown.
    fn pass_events(
        &self,
        events: UnboundedReceiver<EngineEvent>,
        redactor: Redactor,
    ) -> impl Future<Output = ()> + Send + 'static;
}

/// The watch's own notes, in the order they happen.
#[derive(Debug, Clone, Copy)]
pub enum WatchNote<'a> {
    /// The input was checked and the watch begins; its passes go under
    /// `root`.
    Began {
        app: &'a str,
        schedule: Schedule,
        policy: Policy,
        root: &'a Path,
    },
    /// The first SIGINT/SIGTERM: the watch ends once the pass in flight is
    /// recorded, and a second signal would cut that pass short.
    StopAsked { signal: &'a str },
    /// A pass could not be prepared (a config file changed under the
    /// watch); it counts as inconclusive.
    PassNotPrepared { pass: u32, why: &'a InputError },
    /// A line written to watch.log that a person should see too (a pass
    /// recorded, a stop asked for). It is not masked yet: `redactor` is
    /// the watch's.
    Logged {
        line: &'a str,
        redactor: &'a Redactor,
    },
}
