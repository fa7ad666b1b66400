//! The HTTP client the signed webhook and the GitHub sink share.

use std::time::Duration;

use prod_smoke_redact::Redactor;

use crate::errors::{Cause, DeliveryError};

/// A client that never follows a redirect: a 3xx would resend the seal (and
/// a sink's token) somewhere the operator never named, so it is an answer
/// to fix, not to follow.
pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("prod-smoke/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// `service` could not be reached; the URL is left out of the cause.
pub(crate) fn unreachable(
    service: &'static str,
    redactor: &Redactor,
    e: reqwest::Error,
) -> DeliveryError {
    DeliveryError::Unreachable {
        service,
        cause: Cause::new(redactor, &e.without_url()),
    }
}
