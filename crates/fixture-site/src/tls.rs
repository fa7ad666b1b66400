//! HTTPS with a certificate made at start-up, which no browser trusts: the
//! runner must report the certificate error instead of passing.

use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::errors::FixtureError;

pub(crate) struct SelfSigned {
    pub acceptor: TlsAcceptor,
    pub certificate_pem: String,
}

pub(crate) fn self_signed() -> Result<SelfSigned, FixtureError> {
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let certified = rcgen::generate_simple_self_signed(names)
        .map_err(|source| FixtureError::Certificate { source })?;
    let cert: CertificateDer<'static> = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|source| FixtureError::Tls { source })?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .map_err(|source| FixtureError::Tls { source })?;
    // The server speaks HTTP/1.1 only.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(SelfSigned {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        certificate_pem: certified.cert.pem(),
    })
}
