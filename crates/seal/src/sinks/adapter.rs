//! The one shape of a sink, [`SinkAdapter`], and what a sink delivers
//! with. Each sink implements it in its own file; the registry
//! (`sinks/mod.rs`) sits above them all and dispatches to each. Nothing here
//! names a sink.

use std::future::Future;

use crate::config::SealConfig;
use crate::errors::{DeliveryError, SealError};
use crate::ledger::{DeliveryState, Ledger, RunRecord};
use crate::settings::{EnvVar, Settings};

/// A sink's ledger row when a run is first recorded.
#[derive(Debug, Clone)]
pub(crate) struct Initial {
    pub state: DeliveryState,
    /// Why it was skipped.
    pub detail: Option<String>,
    /// Sink-specific target, e.g. the release-notes message id.
    pub target: Option<String>,
}

impl Initial {
    pub fn pending(target: Option<String>) -> Self {
        Initial {
            state: DeliveryState::Pending,
            detail: None,
            target,
        }
    }

    pub fn skipped(reason: &str, target: Option<String>) -> Self {
        Initial {
            state: DeliveryState::Skipped,
            detail: Some(reason.to_string()),
            target,
        }
    }
}

/// How a delivery ended, when it did.
#[derive(Debug, Clone)]
pub(crate) enum Done {
    /// What was delivered.
    Delivered(String),
    /// Nothing to send; never retried.
    Skipped(String),
    /// Nothing written and nothing to retry, but an operator should know.
    Warning(String),
}

/// One delivery's attempts and how they ended; an error leaves it pending.
#[derive(Debug)]
pub(crate) struct Attempt {
    pub attempts: u32,
    pub result: Result<Done, DeliveryError>,
}

impl Attempt {
    /// Nothing to send, decided before any attempt.
    pub fn skipped(reason: &str) -> Self {
        Attempt {
            attempts: 0,
            result: Ok(Done::Skipped(reason.to_string())),
        }
    }

    /// The outcome of [`Job::retry`], with `done` turning a success into
    /// its [`Done`].
    pub fn from_retry<T>(
        (result, attempts): (Result<T, DeliveryError>, u32),
        done: impl FnOnce(T) -> Done,
    ) -> Self {
        Attempt {
            attempts,
            result: result.map(done),
        }
    }
}

/// One claimed delivery of one run: what a sink delivers with.
pub(crate) struct Job<'a> {
    pub ledger: &'a Ledger,
    /// The run as the ledger has it; a sink that learns something about it
    /// (Postgres: the release) updates it for the sinks after it.
    pub run: &'a mut RunRecord,
    pub target: Option<&'a str>,
    pub cfg: &'a SealConfig,
    /// The name of the sink delivering, for the delivery log.
    pub sink: &'static str,
}

impl Job<'_> {
    /// Runs `op` within the configured retry policy (bounded backoff,
    /// `retry-after` on 429), the same for every sink.
    pub async fn retry<T, F, Fut>(&self, op: F) -> (Result<T, DeliveryError>, u32)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, DeliveryError>>,
    {
        retry_logged(self.cfg, self.sink, op).await
    }
}

/// [`crate::retry::retry`] for the sink named `sink`, telling the
/// configuration's delivery log about each failed attempt as it happens.
pub(crate) async fn retry_logged<T, F, Fut>(
    cfg: &SealConfig,
    sink: &str,
    op: F,
) -> (Result<T, DeliveryError>, u32)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, DeliveryError>>,
{
    crate::retry::retry(&cfg.retry, op, |attempt, error, wait| {
        let next = match wait {
            Some(wait) => format!("retrying in {:.1}s", wait.as_secs_f64()),
            None => "no attempt left".to_string(),
        };
        cfg.log_delivery(&format!(
            "delivery {sink}: attempt {attempt} failed, {next} — {error}"
        ));
    })
    .await
}

/// The one shape of a sink. Implemented by a unit struct in its own file
/// and registered in the `sinks!` list of `sinks/mod.rs`.
pub(crate) trait SinkAdapter {
    /// The sink's word in the ledger and in the CLI's output.
    const NAME: &'static str;
    /// Its column heading in `prod-smoke history`, or `None` to leave it out.
    const HISTORY_COLUMN: Option<&'static str>;
    /// Its name in `prod-smoke --help`'s list of sinks.
    const LABEL: &'static str;
    /// What turns it on, for `prod-smoke --help`: lines of at most 67
    /// characters, shown beside [`Self::LABEL`].
    const HELP: &'static str;
    /// The environment variables it reads for itself.
    const ENV: &'static [EnvVar];

    /// Its settings, typed.
    type Config;

    /// Reads [`Self::Config`] from the values of [`Self::ENV`].
    fn config(settings: &Settings) -> Self::Config;

    /// The row a run gets when it is recorded; `None` for no row at all
    /// (an optional sink that is switched off for this run).
    fn initial(run: &RunRecord, cfg: &SealConfig, own: &Self::Config) -> Option<Initial>;

    /// Why a pending delivery cannot go out with this configuration (it is
    /// then left pending for a replay from a shell that has it).
    fn not_configured(own: &Self::Config) -> Option<&'static str>;

    /// Delivers one claimed delivery. Only a ledger failure is an `Err`;
    /// the sink's own failure is in the [`Attempt`].
    fn deliver(
        job: &mut Job<'_>,
        own: &Self::Config,
    ) -> impl Future<Output = Result<Attempt, SealError>>;
}
