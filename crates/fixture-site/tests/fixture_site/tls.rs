use std::error::Error as _;

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
