//! Drives the fixture site over real HTTP, one module per concern.

mod binary;
mod context_pages;
mod faults;
mod healthy;
mod tls;

use std::time::Duration;

use prod_smoke_fixture_site::{FixtureOptions, FixtureSite};

/// A client that follows no redirects, so tests see each hop's status.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap()
}

async fn start() -> FixtureSite {
    start_with(FixtureOptions::default()).await
}

async fn start_with(options: FixtureOptions) -> FixtureSite {
    FixtureSite::start(options).await.unwrap()
}

/// Status and body of a GET.
async fn get(site: &FixtureSite, path: &str) -> (u16, String) {
    let res = client().get(site.url(path)).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

fn title_of(html: &str) -> &str {
    let start = html.find("<title>").unwrap() + "<title>".len();
    let end = html[start..].find("</title>").unwrap() + start;
    &html[start..end]
}
