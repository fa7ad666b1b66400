use prod_smoke_fixture_site::{FixtureOptions, LoggedRequest};

use crate::{client, get, start, start_with, title_of};

#[tokio::test]
async fn healthy_site_passes_the_readonly_suite_by_hand() {
    let site = start().await;
    assert!(site.base_url().starts_with("http://127.0.0.1:"));
    assert!(!site.base_url().ends_with('/'));

    let (status, body) = get(&site, "/up").await;
    assert_eq!((status, body.as_str()), (200, "OK"));

    let (status, home) = get(&site, "/").await;
    assert_eq!(status, 200);
    assert_eq!(title_of(&home), "McRitchie Studio — Agents at work");
    assert!(home.contains("<h1>McRitchie Studio</h1>"));
    assert!(home.contains(r#"href="/tasks""#) && home.contains(r#"href="/signin""#));

    let (status, signin) = get(&site, "/signin").await;
    assert_eq!(status, 200);
    assert!(signin.contains(r#"<input id="email" name="email" type="email""#));
    assert!(signin.contains(r#"type="password""#));
    assert!(signin.contains(r#"<button type="submit">"#));
    assert!(!signin.contains("display:none"));
    assert!(
        !signin.contains("Tasks"),
        "the sign-in page must not pass a Tasks check"
    );

    let (status, tasks) = get(&site, "/tasks").await;
    assert_eq!(status, 200);
    assert!(tasks.contains("<h1>Tasks</h1>"));
    assert!(tasks.matches(r#"class="task-card""#).count() >= 3);

    for path in ["/devops", "/devops/cycle", "/nope"] {
        let (status, body) = get(&site, path).await;
        assert_eq!(status, 404, "{path}");
        assert!(body.contains("doesn't exist"), "{path}: a normal 404 page");
    }
    assert_eq!(site.count_non_get(), 0);
    site.shutdown().await;
}

#[tokio::test]
async fn pages_load_subresources_and_post_beacons() {
    let site = start().await;
    let (_, home) = get(&site, "/").await;
    for needle in [
        "/assets/application.css",
        "/assets/application.js",
        "/favicon.ico",
        r#"navigator.sendBeacon("/beacon""#,
        r#"fetch("/beacon", { method: "POST""#,
    ] {
        assert!(home.contains(needle), "missing {needle}");
    }

    for (path, content_type) in [
        ("/assets/application.css", "text/css"),
        ("/assets/application.js", "text/javascript"),
        ("/favicon.ico", "image/x-icon"),
    ] {
        let res = client().get(site.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let ct = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with(content_type), "{path}: {ct}");
        assert_eq!(res.headers()["cache-control"], "no-store");
    }

    let res = client()
        .post(site.url("/beacon"))
        .body(r#"{"event":"page_view"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = client().get(site.url("/beacon")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    let res = client().post(site.url("/signin")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    let res = client()
        .request(reqwest::Method::OPTIONS, site.url("/"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);

    assert_eq!(site.count_non_get(), 2, "POST /beacon and POST /signin");
    assert_eq!(site.count_path("/beacon"), 2);
    let log = site.request_log();
    let methods: Vec<(&str, &str)> = log
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(methods[0], ("GET", "/"));
    assert!(methods.contains(&("POST", "/beacon")));
    assert!(log.iter().all(|r| r.at <= std::time::SystemTime::now()));
    site.clear_request_log();
    assert!(site.request_log().is_empty());
    site.shutdown().await;
}

#[tokio::test]
async fn beacons_can_be_switched_off() {
    let site = start_with(FixtureOptions {
        beacons: false,
        ..FixtureOptions::default()
    })
    .await;
    let (_, home) = get(&site, "/").await;
    assert!(!home.contains("/beacon"));
    site.shutdown().await;
}

#[tokio::test]
async fn head_requests_get_headers_only_and_queries_are_logged() {
    let site = start().await;
    let res = client().head(site.url("/tasks?x=1")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "");
    let last: LoggedRequest = site.request_log().pop().unwrap();
    assert_eq!(
        (
            last.method.as_str(),
            last.path.as_str(),
            last.query.as_deref()
        ),
        ("HEAD", "/tasks", Some("x=1"))
    );
    assert!(!last.is_mutating());
    site.shutdown().await;
}

#[tokio::test]
async fn connections_are_kept_alive_across_requests() {
    let site = start().await;
    let client = client();
    for _ in 0..5 {
        let res = client.get(site.url("/up")).send().await.unwrap();
        assert_eq!(res.text().await.unwrap(), "OK");
    }
    site.shutdown().await;
}
