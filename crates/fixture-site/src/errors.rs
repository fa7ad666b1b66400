//! Errors the fixture site reports while starting up.

use std::net::SocketAddr;

use thiserror::Error;

/// Why the fixture site could not start.
#[derive(Debug, Error)]
pub enum FixtureError {
    #[error("could not listen on {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },

    #[error("could not generate the self-signed TLS certificate")]
    Certificate {
        #[source]
        source: rcgen::Error,
    },

    #[error("could not build the TLS server configuration")]
    Tls {
        #[source]
        source: tokio_rustls::rustls::Error,
    },
}

/// A fault name that is not one of [`crate::Fault::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown fault `{name}`; expected one of: {expected}")]
pub struct UnknownFault {
    pub name: String,
    pub expected: String,
}
