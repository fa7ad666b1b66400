//! A runner without a network is not a red site: when nothing of the site
//! answered, a canary decides between inconclusive and red.

use crate::support::{Smoke, site};

/// A loopback port with nothing listening: connections are refused, as
/// they are for every host on a runner without a network.
fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn unreachable_site_and_dead_canary_is_inconclusive() {
    let mut s = Smoke::against(&dead_url());
    s.args(["--canary", &dead_url()]);
    let f = s.run().await;
    assert_eq!(f.code, 3, "{f}");
    assert!(
        f.stderr.contains("the runner could not reach the network"),
        "{f}"
    );
    assert!(!f.stderr.contains("ROLLBACK"), "{f}");
    assert!(
        !f.stderr.contains("heroku rollback"),
        "no rollback block: {f}"
    );
    assert_eq!(f.json()["verdict"], "inconclusive", "{f}");
}

#[tokio::test]
async fn unreachable_site_and_live_canary_is_red() {
    let canary = site(&[]).await;
    let mut s = Smoke::against(&dead_url());
    // Through the variable this time.
    s.env("PROD_SMOKE_CANARY_URL", &canary.base_url());
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");
    assert!(
        f.stderr
            .contains("the runner reaches the network but not the site"),
        "{f}"
    );
    assert!(f.stderr.contains("heroku rollback"), "{f}");
}

#[tokio::test]
async fn in_github_actions_the_api_url_is_the_canary() {
    let mut s = Smoke::against(&dead_url());
    s.env("GITHUB_ACTIONS", "true");
    s.env("GITHUB_API_URL", &dead_url());
    let f = s.run().await;
    assert_eq!(f.code, 3, "{f}");
    assert!(f.stderr.contains("could not reach the network"), "{f}");
}

#[tokio::test]
async fn without_a_canary_it_stays_red_and_says_none_was_set() {
    let s = Smoke::against(&dead_url());
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");
    assert!(f.stderr.contains("no canary was set"), "{f}");
}

#[tokio::test]
async fn a_site_that_answers_never_asks_the_canary() {
    let broken = site(&[prod_smoke_fixture_site::Fault::Up503]).await;
    let mut s = Smoke::against(&broken.base_url());
    s.args(["--canary", &dead_url()]);
    let f = s.run().await;
    assert_eq!(f.code, 1, "a site that answered 503 is red: {f}");
    assert!(!f.stderr.contains("canary"), "{f}");
}
