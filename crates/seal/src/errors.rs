//! Every error the seal produces. Messages are written for the operator, and
//! every underlying cause passes through the [`Redactor`] before it is kept,
//! so no token, password or `--secret` value can reach a terminal, a log or
//! the ledger through an error.

use std::fmt;
use std::time::Duration;

use prod_smoke_redact::Redactor;

/// An underlying failure's message, with every known secret masked. It is
/// kept as the `source` of our errors instead of the raw error, whose
/// Display might carry a webhook URL or a connection string.
#[derive(Debug, Clone)]
pub struct Cause(String);

impl Cause {
    pub(crate) fn new(redactor: &Redactor, error: &dyn std::error::Error) -> Self {
        Cause(redactor.redact(&chain(error)))
    }

    pub(crate) fn text(redactor: &Redactor, text: &str) -> Self {
        Cause(redactor.redact(text))
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Cause {}

/// An error and all its sources on one line, `outer: inner: innermost`.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let next = s.to_string();
        if !text.ends_with(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}

/// Errors the CLI should print. None of them changes the site's verdict:
/// the seal is a record, not a gate.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error(
        "no place for the seal ledger: neither PROD_SMOKE_LEDGER, XDG_STATE_HOME nor HOME is set \
         (pass --ledger PATH)"
    )]
    NoLedgerPath,

    #[error("could not open the seal ledger at {path}")]
    LedgerOpen {
        path: String,
        #[source]
        cause: Cause,
    },

    #[error(
        "{path} is not a prod-smoke ledger: {what}; it was left untouched (pass --ledger PATH \
         for a ledger of prod-smoke's own)"
    )]
    ForeignLedger { path: String, what: String },

    #[error("the seal ledger at {path} failed while {doing}")]
    Ledger {
        path: String,
        doing: &'static str,
        #[source]
        cause: Cause,
    },

    #[error("the seal ledger at {path} has no run {run_id}")]
    UnknownRun { path: String, run_id: String },

    #[error(
        "the seal ledger at {path} holds `{value}`, which is not {what} this prod-smoke knows \
         (was it written by a newer prod-smoke, or edited by hand?)"
    )]
    UnknownStoredValue {
        path: String,
        what: &'static str,
        value: String,
    },
}

/// Why one delivery to a sink did not happen (this time). The
/// seal itself is safe in the ledger; the delivery stays pending and
/// `prod-smoke deliver` replays it.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// An HTTP sink (`service` names it: "Discord", "the webhook") did not answer.
    #[error("could not reach {service}")]
    Unreachable {
        service: &'static str,
        #[source]
        cause: Cause,
    },

    #[error("{service} answered {status}: {message}")]
    Status {
        service: &'static str,
        status: u16,
        message: String,
        /// How long the service asked us to wait (429), when it said.
        retry_after: Option<Duration>,
    },

    #[error("{service}'s answer could not be read")]
    Response {
        service: &'static str,
        #[source]
        cause: Cause,
    },

    /// A sink's setting that cannot work, e.g. a URL that is not http(s):
    /// retrying cannot help until the operator fixes it.
    #[error("{setting} {problem}")]
    BadSetting {
        setting: &'static str,
        problem: &'static str,
    },

    #[error("gave up after {secs}s without an answer")]
    Timeout { secs: u64 },

    /// A failure only one sink can have (its database, its URL's shape, its
    /// service's limits), worded in that sink's file.
    #[error(transparent)]
    Sink(SinkError),
}

/// A sink's own kind of failure. Each sink words its failures in its own
/// file and says whether trying again can help; the shared machinery only
/// needs that answer.
pub trait SinkFailure: std::error::Error + Send + Sync + 'static {
    /// Whether a retry may succeed (a connection dropped), as opposed to a
    /// setting or a state only the operator can fix.
    fn is_transient(&self) -> bool;
}

/// A [`SinkFailure`], boxed: its message and sources are the failure's own.
#[derive(Debug)]
pub struct SinkError(Box<dyn SinkFailure>);

impl SinkError {
    pub fn is_transient(&self) -> bool {
        self.0.is_transient()
    }
}

impl fmt::Display for SinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SinkError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl<E: SinkFailure> From<E> for DeliveryError {
    fn from(failure: E) -> Self {
        DeliveryError::Sink(SinkError(Box::new(failure)))
    }
}

/// What the retry loop should do after an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryHint {
    /// Transient: back off and try again.
    Retry,
    /// The server said when: wait that long (capped), then try again.
    RetryAfter(Duration),
    /// Retrying now cannot help; the delivery stays pending for a later replay.
    Stop,
}

impl DeliveryError {
    /// A non-2xx answer from an HTTP sink, said with the service's own
    /// `message` when it gave one, else the start of the body, else the
    /// status's reason; masked.
    pub(crate) fn status(
        service: &'static str,
        status: reqwest::StatusCode,
        message: Option<String>,
        body: &[u8],
        retry_after: Option<Duration>,
        redactor: &Redactor,
    ) -> Self {
        let message = message.unwrap_or_else(|| {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            if text.is_empty() {
                status
                    .canonical_reason()
                    .unwrap_or("no reason given")
                    .to_string()
            } else {
                text.chars().take(200).collect()
            }
        });
        DeliveryError::Status {
            service,
            status: status.as_u16(),
            message: redactor.redact(&message),
            retry_after,
        }
    }

    pub(crate) fn retry_hint(&self) -> RetryHint {
        match self {
            DeliveryError::Unreachable { .. }
            | DeliveryError::Response { .. }
            | DeliveryError::Timeout { .. } => RetryHint::Retry,
            DeliveryError::Status {
                status,
                retry_after,
                ..
            } => match (status, retry_after) {
                (429, Some(wait)) => RetryHint::RetryAfter(*wait),
                (429, None) | (500..=599, _) => RetryHint::Retry,
                _ => RetryHint::Stop,
            },
            DeliveryError::Sink(failure) if failure.is_transient() => RetryHint::Retry,
            DeliveryError::BadSetting { .. } | DeliveryError::Sink(_) => RetryHint::Stop,
        }
    }
}
