//! `/phone`, `/theme` and `/account` over plain HTTP: what the server
//! sends, healthy and under `Fault::ContextBroken`. What a browser makes
//! of them is tested with Chromium in the runner's tests.

use prod_smoke_fixture_site::{Fault, PHONE_MAX_WIDTH, SESSION_COOKIE};

use crate::{client, get, start, title_of};

async fn account_with(site: &prod_smoke_fixture_site::FixtureSite, cookie: &str) -> (u16, String) {
    let res = client()
        .get(site.url("/account"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = res.text().await.unwrap();
    (status, if status == 302 { location } else { body })
}

#[tokio::test]
async fn account_needs_the_session_cookie_and_the_fault_refuses_it() {
    let site = start().await;
    let (name, value) = SESSION_COOKIE;
    let good = format!("theme=x; {name}={value}");
    let (status, body) = account_with(&site, &good).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Signed in as Ada"));
    assert_eq!(title_of(&body), "Your account — McRitchie Studio");
    for cookie in ["", &format!("{name}=forged"), &format!("other={value}")] {
        let (status, location) = account_with(&site, cookie).await;
        assert_eq!(status, 302, "{cookie}");
        assert_eq!(location, "/signin?return_to=/account");
    }
    site.set_fault(Fault::ContextBroken);
    assert_eq!(
        account_with(&site, &good).await,
        (302, "/signin?return_to=/account".into())
    );
    site.shutdown().await;
}

#[tokio::test]
async fn phone_and_theme_pages_break_their_media_queries_under_the_fault() {
    let site = start().await;
    let (status, phone) = get(&site, "/phone").await;
    assert_eq!(status, 200);
    assert!(
        phone.contains(&format!("(max-width: {PHONE_MAX_WIDTH}px)")),
        "{phone}"
    );
    assert!(phone.contains(r#"aria-label="Menu""#));
    let (_, theme) = get(&site, "/theme").await;
    assert!(theme.contains(r#"matchMedia("(prefers-color-scheme: dark)")"#));

    site.set_fault(Fault::ContextBroken);
    let (_, phone) = get(&site, "/phone").await;
    assert!(!phone.contains(&format!("(max-width: {PHONE_MAX_WIDTH}px)")));
    let (_, theme) = get(&site, "/theme").await;
    assert!(!theme.contains(r#"matchMedia("(prefers-color-scheme: dark)")"#));
    site.shutdown().await;
}

#[tokio::test]
async fn theme_echoes_the_accept_language_the_server_saw_as_plain_text() {
    let site = start().await;
    let res = client()
        .get(site.url("/theme"))
        .header("accept-language", "es-ES,es;q=0.9<script>")
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    assert!(
        body.contains(r#"<span id="accept-language">es-ES,es;q=0.9script</span>"#),
        "{body}"
    );
    site.shutdown().await;
}
