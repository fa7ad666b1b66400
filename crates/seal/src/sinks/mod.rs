//! Where a seal goes besides the ledger. Every sink has one shape,
//! [`SinkAdapter`]: it says which ledger row a run gets, why it cannot be
//! delivered with the present configuration, and how one claimed delivery
//! goes out. The shared machinery in `deliver.rs` does the rest for all of
//! them: the ledger row, the claim, the bounded retry, the pending state
//! and the replay by `prod-smoke deliver`. `prod-smoke history` gives a
//! column to every sink that names one.
//!
//! Adding a sink is one new file in this folder, implementing
//! [`SinkAdapter`], plus one line in the [`sinks!`] list at the bottom. The
//! list makes the module, the [`Sink`] variant and every dispatch `match`,
//! so a sink cannot be half registered.

use std::future::Future;

use crate::config::SealConfig;
use crate::errors::{DeliveryError, SealError};
use crate::ledger::{DeliveryState, Ledger, RunRecord};

/// An environment variable a sink reads for itself (beyond the settings
/// [`SealConfig`] has fields for), and how secret its value is. The
/// configuration reads every registered sink's variables once, and masks
/// the secret ones everywhere before any output exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvVar {
    pub name: &'static str,
    pub secrecy: Secrecy,
}

/// How much of a sink setting must never be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrecy {
    /// Safe to show.
    Plain,
    /// The whole value is a secret.
    Secret,
    /// A URL: the whole value, and the credentials in it (`user:password@`,
    /// token-like query values), each masked on its own too.
    Url,
}

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
    /// The sink delivering, for the delivery log.
    pub sink: Sink,
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

/// [`crate::retry::retry`] for `sink`, telling the configuration's
/// delivery log about each failed attempt as it happens.
pub(crate) async fn retry_logged<T, F, Fut>(
    cfg: &SealConfig,
    sink: Sink,
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
/// and registered in [`sinks!`].
pub(crate) trait SinkAdapter {
    /// The sink's word in the ledger and in the CLI's output.
    const NAME: &'static str;
    /// Its column heading in `prod-smoke history`, or `None` to leave it out.
    const HISTORY_COLUMN: Option<&'static str>;
    /// The environment variables it reads for itself.
    const ENV: &'static [EnvVar] = &[];

    /// The row a run gets when it is recorded; `None` for no row at all
    /// (an optional sink that is switched off for this run).
    fn initial(run: &RunRecord, cfg: &SealConfig) -> Option<Initial>;

    /// Why a pending delivery cannot go out with this configuration (it is
    /// then left pending for a replay from a shell that has it).
    fn not_configured(cfg: &SealConfig) -> Option<&'static str>;

    /// Delivers one claimed delivery. Only a ledger failure is an `Err`;
    /// the sink's own failure is in the [`Attempt`].
    fn deliver(job: &mut Job<'_>) -> impl Future<Output = Result<Attempt, SealError>>;
}

/// Makes the registry from one list of `module::Adapter`: the modules, the
/// [`Sink`] enum (in list order, which is also delivery order) and the
/// dispatch to each adapter.
macro_rules! sinks {
    ($($module:ident :: $adapter:ident),+ $(,)?) => {
        $(pub(crate) mod $module;)+

        /// Where a seal goes besides the ledger.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Sink {
            $($adapter),+
        }

        impl Sink {
            /// Every sink, in delivery order.
            pub const ALL: &'static [Sink] = &[$(Sink::$adapter),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Sink::$adapter => <$module::$adapter as SinkAdapter>::NAME),+
                }
            }

            /// The sink's column heading in `prod-smoke history`, or `None`
            /// when the table leaves it out.
            pub fn history_column(self) -> Option<&'static str> {
                match self {
                    $(Sink::$adapter => <$module::$adapter as SinkAdapter>::HISTORY_COLUMN),+
                }
            }

            /// The environment variables the sink reads for itself.
            pub fn env_vars(self) -> &'static [EnvVar] {
                match self {
                    $(Sink::$adapter => <$module::$adapter as SinkAdapter>::ENV),+
                }
            }

            pub(crate) fn initial(self, run: &RunRecord, cfg: &SealConfig) -> Option<Initial> {
                match self {
                    $(Sink::$adapter => <$module::$adapter as SinkAdapter>::initial(run, cfg)),+
                }
            }

            pub(crate) fn not_configured(self, cfg: &SealConfig) -> Option<&'static str> {
                match self {
                    $(Sink::$adapter => <$module::$adapter as SinkAdapter>::not_configured(cfg)),+
                }
            }

            pub(crate) async fn deliver(self, job: &mut Job<'_>) -> Result<Attempt, SealError> {
                match self {
                    $(Sink::$adapter => <$module::$adapter as SinkAdapter>::deliver(job).await),+
                }
            }
        }
    };
}

impl Sink {
    /// Where the sink sorts among a run's deliveries.
    pub(crate) fn position(self) -> i64 {
        Sink::ALL
            .iter()
            .position(|s| *s == self)
            .unwrap_or_default() as i64
    }

    pub(crate) fn parse(text: &str) -> Option<Sink> {
        Sink::ALL.iter().copied().find(|s| s.as_str() == text)
    }
}

impl std::fmt::Display for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Sink {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Sink::parse(s).ok_or_else(|| {
            let known: Vec<&str> = Sink::ALL.iter().map(|s| s.as_str()).collect();
            format!("unknown sink `{s}` ({})", known.join(", "))
        })
    }
}

// The registry: one line per sink, in delivery order. Postgres goes first,
// because it resolves the release the later sinks name.
sinks! {
    postgres::Postgres,
    discord::Discord,
    notes::Notes,
    webhook::Webhook,
    github::GitHub,
}
