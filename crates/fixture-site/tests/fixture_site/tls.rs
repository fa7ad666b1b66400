use std::error::Error as _;
use std::sync::Arc;

use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{
    CryptoProvider, ring, verify_tls12_signature, verify_tls13_signature,
};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{self as rustls, ClientConfig, DigitallySignedStruct, SignatureScheme};

use prod_smoke_fixture_site::FixtureOptions;

use crate::start_with;

#[tokio::test]
async fn tls_serves_a_certificate_nobody_trusts() {
    let site = start_with(FixtureOptions {
        tls: true,
        ..FixtureOptions::default()
    })
    .await;
    assert!(site.base_url().starts_with("https://127.0.0.1:"));
    assert!(site.is_tls());
    assert!(
        site.certificate_pem()
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );

    let err = reqwest::get(site.url("/up")).await.unwrap_err();
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(" / ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    assert!(
        text.to_lowercase().contains("certificate"),
        "expected a certificate error, got {text}"
    );

    let trusting = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let res = trusting.get(site.url("/up")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "OK");
    let res = trusting.get(site.url("/")).send().await.unwrap();
    assert!(res.text().await.unwrap().contains("McRitchie Studio"));
    site.shutdown().await;
}

/// Accepts any certificate: this test checks which protocol the server
/// agrees to, not who it is (the test above covers the certificate).
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The protocol the server picks when a client offers `offered` by ALPN.
async fn agreed_protocol(
    site: &prod_smoke_fixture_site::FixtureSite,
    offered: &[&[u8]],
) -> Vec<u8> {
    let provider = Arc::new(ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
        .with_no_client_auth();
    config.alpn_protocols = offered.iter().map(|p| p.to_vec()).collect();
    let tcp = tokio::net::TcpStream::connect(site.addr()).await.unwrap();
    let tls = TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    tls.get_ref().1.alpn_protocol().unwrap_or_default().to_vec()
}

#[tokio::test]
async fn tls_offers_http2_and_keeps_http1() {
    let site = start_with(FixtureOptions {
        tls: true,
        ..FixtureOptions::default()
    })
    .await;
    assert!(site.certificate_public_key_info_der().is_some());
    // A browser offers both and gets HTTP/2, as from production's servers.
    assert_eq!(agreed_protocol(&site, &[b"h2", b"http/1.1"]).await, b"h2");
    // A client that speaks HTTP/1.1 only (and a WebSocket's own
    // connection) still gets it, and is served.
    assert_eq!(agreed_protocol(&site, &[b"http/1.1"]).await, b"http/1.1");
    let http1_only = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let res = http1_only.get(site.url("/up")).send().await.unwrap();
    assert_eq!(res.version(), reqwest::Version::HTTP_11);
    assert_eq!(res.status(), 200);
    let log = site.request_log();
    assert!(
        !log.is_empty() && log.iter().all(|r| !r.over_http2),
        "{log:#?}"
    );
    assert_eq!(site.count_http2(), 0);
    site.shutdown().await;
}

#[tokio::test]
async fn plain_http_stays_http1() {
    let site = start_with(FixtureOptions::default()).await;
    assert!(site.certificate_public_key_info_der().is_none());
    let res = reqwest::get(site.url("/up")).await.unwrap();
    assert_eq!(res.version(), reqwest::Version::HTTP_11);
    assert_eq!(res.status(), 200);
    assert_eq!(site.count_http2(), 0);
    site.shutdown().await;
}
