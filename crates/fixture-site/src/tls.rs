//! HTTPS with a certificate made at start-up, which no browser trusts: the
//! runner must report the certificate error instead of passing.
//!
//! ALPN offers `h2` first, as production's servers do, so a browser speaks
//! HTTP/2 here; `http/1.1` stays on offer because Chromium opens WebSockets
//! on a connection of their own over HTTP/1.1 (the server does not enable
//! HTTP/2's extended CONNECT, RFC 8441).

use std::sync::Arc;

use rcgen::PublicKeyData;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::errors::FixtureError;

/// The ALPN protocols offered, most preferred first.
const ALPN_H2: &[u8] = b"h2";
const ALPN_HTTP1: &[u8] = b"http/1.1";

pub(crate) struct SelfSigned {
    pub acceptor: TlsAcceptor,
    pub certificate_pem: String,
    /// The certificate's SubjectPublicKeyInfo (DER): what a test's own
    /// browser pins with `--ignore-certificate-errors-spki-list`.
    pub public_key_info_der: Vec<u8>,
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
    config.alpn_protocols = vec![ALPN_H2.to_vec(), ALPN_HTTP1.to_vec()];
    Ok(SelfSigned {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        certificate_pem: certified.cert.pem(),
        public_key_info_der: certified.signing_key.subject_public_key_info(),
    })
}
