use std::error::Error as _;
use std::time::{Duration, Instant};

use prod_smoke_fixture_site::{Fault, FixtureOptions, FixtureSite};

use crate::{client, get, start, start_with, title_of};

async fn start_faulty(fault: Fault) -> FixtureSite {
    let site = start().await;
    site.set_fault(fault);
    site
}

/// The error and its causes, flattened for matching.
fn chain(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(" / ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[tokio::test]
async fn page_500_breaks_only_the_home_page() {
    let site = start_faulty(Fault::Page500).await;
    let (status, body) = get(&site, "/").await;
    assert_eq!(status, 500);
    assert!(body.contains("something went wrong"));
    assert_eq!(get(&site, "/tasks").await.0, 200);
    site.shutdown().await;
}

#[tokio::test]
async fn up_503_fails_the_health_check() {
    let site = start_faulty(Fault::Up503).await;
    assert_eq!(get(&site, "/up").await.0, 503);
    assert_eq!(get(&site, "/").await.0, 200);
    site.shutdown().await;
}

#[tokio::test]
async fn admin_200_brings_the_devops_routes_back() {
    let site = start_faulty(Fault::Admin200).await;
    for path in ["/devops", "/devops/cycle"] {
        let (status, body) = get(&site, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains("DevOps"));
    }
    site.shutdown().await;
}

#[tokio::test]
async fn hang_outlasts_the_client_timeout_without_blocking_anything_else() {
    let site = start_faulty(Fault::Hang).await;
    let hung = tokio::spawn({
        let url = site.url("/tasks");
        async move {
            let started = Instant::now();
            let err = reqwest::Client::builder()
                .timeout(Duration::from_millis(800))
                .build()
                .unwrap()
                .get(url)
                .send()
                .await
                .unwrap_err();
            (err, started.elapsed())
        }
    });
    // While /tasks hangs, the rest of the site answers at once.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    assert_eq!(get(&site, "/").await.0, 200);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "not queued behind the hung request"
    );

    let (err, elapsed) = hung.await.unwrap();
    assert!(err.is_timeout(), "{err:?}");
    assert!(elapsed >= Duration::from_millis(800));

    // A request still hanging does not hold shutdown up.
    let _pending = tokio::spawn(client().get(site.url("/tasks")).send());
    tokio::time::sleep(Duration::from_millis(100)).await;
    tokio::time::timeout(Duration::from_secs(2), site.shutdown())
        .await
        .expect("shutdown finishes with a hung request open");
}

#[tokio::test]
async fn reset_drops_the_connection_with_an_rst() {
    let site = start_faulty(Fault::Reset).await;
    let err = client().get(site.url("/")).send().await.unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
    let text = chain(&err);
    assert!(
        text.contains("reset") || text.contains("closed"),
        "expected a connection reset, got {text}"
    );
    assert_eq!(
        get(&site, "/tasks").await.0,
        200,
        "other routes still answer"
    );
    assert_eq!(
        site.count_path("/"),
        1,
        "the request was read before the reset"
    );
    site.shutdown().await;
}

#[tokio::test]
async fn reset_is_a_real_tcp_rst() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let site = start_faulty(Fault::Reset).await;
    let mut stream = tokio::net::TcpStream::connect(site.addr()).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    let err = stream.read(&mut buf).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    site.shutdown().await;
}

#[tokio::test]
async fn reset_also_hits_a_kept_alive_connection() {
    let site = start().await;
    let client = client();
    assert_eq!(
        client.get(site.url("/")).send().await.unwrap().status(),
        200
    );
    site.set_fault(Fault::Reset);
    let err = client.get(site.url("/")).send().await.unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
    site.shutdown().await;
}

#[tokio::test]
async fn redirect_loop_never_lands() {
    let site = start_faulty(Fault::RedirectLoop).await;
    let res = client().get(site.url("/tasks")).send().await.unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/tasks");

    let err = reqwest::get(site.url("/tasks")).await.unwrap_err();
    assert!(err.is_redirect(), "{err:?}");
    site.shutdown().await;
}

#[tokio::test]
async fn redirect_signin_puts_an_auth_wall_before_the_board() {
    let site = start_faulty(Fault::RedirectSignin).await;
    let res = client().get(site.url("/tasks")).send().await.unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/signin?return_to=/tasks");

    let res = reqwest::get(site.url("/tasks")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.url().path(), "/signin");
    assert!(!res.text().await.unwrap().contains("Tasks"));
    site.shutdown().await;
}

#[tokio::test]
async fn empty_404_has_no_body_at_all() {
    let site = start_faulty(Fault::Empty404).await;
    let res = client().get(site.url("/tasks")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-length"], "0");
    assert!(res.bytes().await.unwrap().is_empty());
    site.shutdown().await;
}

#[tokio::test]
async fn wrong_title_keeps_the_body() {
    let site = start_faulty(Fault::WrongTitle).await;
    let (status, home) = get(&site, "/").await;
    assert_eq!(status, 200);
    assert_eq!(title_of(&home), "Welcome to nginx!");
    assert!(home.contains("McRitchie Studio"));
    site.shutdown().await;
}

#[tokio::test]
async fn hostile_title_is_text_inside_the_title_element() {
    let site = start_faulty(Fault::HostileTitle).await;
    let (status, home) = get(&site, "/").await;
    assert_eq!(status, 200);
    assert_eq!(title_of(&home), "<img src=x onerror=alert(1)> @everyone");
    site.shutdown().await;
}

#[tokio::test]
async fn hidden_element_hides_the_email_input() {
    let site = start_faulty(Fault::HiddenElement).await;
    let (status, signin) = get(&site, "/signin").await;
    assert_eq!(status, 200);
    assert!(signin.contains(
        r#"name="email" type="email" autocomplete="username" required style="display:none""#
    ));
    site.shutdown().await;
}

#[tokio::test]
async fn throws_adds_an_exception_to_every_page() {
    let site = start_faulty(Fault::Throws).await;
    for path in ["/", "/signin", "/tasks"] {
        let (status, body) = get(&site, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains("console.error("), "{path}");
        assert!(body.contains("throw new Error("), "{path}");
    }
    site.clear_faults();
    assert!(!get(&site, "/").await.1.contains("throw new Error("));
    site.shutdown().await;
}

#[tokio::test]
async fn huge_page_is_megabytes_of_board() {
    let site = start_faulty(Fault::HugePage).await;
    let (status, body) = get(&site, "/tasks").await;
    assert_eq!(status, 200);
    assert!(body.len() >= 5 * 1024 * 1024, "{} bytes", body.len());
    assert!(body.contains("<h1>Tasks</h1>"));
    site.shutdown().await;
}

#[tokio::test]
async fn slow_delays_every_response() {
    let site = start_with(FixtureOptions {
        slow_delay: Duration::from_millis(600),
        faults: vec![Fault::Slow],
        ..FixtureOptions::default()
    })
    .await;
    for path in ["/up", "/assets/application.css"] {
        let started = Instant::now();
        assert_eq!(get(&site, path).await.0, 200);
        assert!(started.elapsed() >= Duration::from_millis(600), "{path}");
    }
    site.shutdown().await;
}

#[test]
fn default_delays_sit_inside_the_suite_timeouts() {
    let options = FixtureOptions::default();
    assert!(
        options.slow_delay >= Duration::from_secs(2)
            && options.slow_delay <= Duration::from_secs(3)
    );
    assert!(options.late_text_delay < Duration::from_secs(5));
    assert!(options.beacons);
}

#[tokio::test]
async fn late_text_renders_tasks_from_script_only() {
    let site = start_faulty(Fault::LateText).await;
    let (status, body) = get(&site, "/tasks").await;
    assert_eq!(status, 200);
    assert!(
        !body.contains("Tasks"),
        "no copy of the text before the script runs"
    );
    assert!(body.contains(r#""Ta" + "sks""#));
    assert!(body.contains("}, 1500);"));
    site.shutdown().await;
}

#[tokio::test]
async fn faults_combine_and_switch_at_run_time() {
    let site = start().await;
    site.set_faults([Fault::Page500, Fault::Up503, Fault::Throws]);
    assert_eq!(
        site.faults(),
        vec![Fault::Page500, Fault::Up503, Fault::Throws]
    );
    assert_eq!(get(&site, "/").await.0, 500);
    assert_eq!(get(&site, "/up").await.0, 503);
    assert!(get(&site, "/tasks").await.1.contains("throw new Error("));

    site.unset_fault(Fault::Page500);
    assert_eq!(get(&site, "/").await.0, 200);
    site.set_fault(Fault::RedirectSignin);
    site.set_fault(Fault::RedirectLoop);
    let res = client().get(site.url("/tasks")).send().await.unwrap();
    assert_eq!(
        res.headers()["location"],
        "/tasks",
        "the earlier fault wins"
    );

    site.clear_faults();
    assert!(site.faults().is_empty());
    assert_eq!(get(&site, "/up").await.0, 200);
    assert_eq!(get(&site, "/tasks").await.0, 200);
    site.shutdown().await;
}

#[tokio::test]
async fn every_fault_is_reachable_over_http() {
    // Guards against a fault that is listed but wired to nothing: each one
    // must change at least one of the suite's answers.
    let healthy = start().await;
    let paths = [
        "/",
        "/signin",
        "/tasks",
        "/up",
        "/devops",
        "/devops/cycle",
        "/account",
        "/phone",
        "/menu",
    ];
    let mut baseline = Vec::new();
    for path in paths {
        baseline.push(get(&healthy, path).await);
    }
    healthy.shutdown().await;

    for fault in Fault::ALL {
        let site = start_with(FixtureOptions {
            slow_delay: Duration::from_millis(50),
            huge_page_bytes: 64 * 1024,
            ..FixtureOptions::default()
        })
        .await;
        site.set_fault(fault);
        let quick = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_millis(500))
            .build()
            .unwrap();
        let mut changed = false;
        for (path, (status, body)) in paths.iter().zip(&baseline) {
            let started = Instant::now();
            match quick.get(site.url(path)).send().await {
                Ok(res) => {
                    let got_status = res.status().as_u16();
                    let got_body = res.text().await.unwrap_or_default();
                    changed |= got_status != *status
                        || got_body != *body
                        || started.elapsed() >= Duration::from_millis(50);
                }
                Err(_) => changed = true,
            }
        }
        assert!(changed, "{fault} changed nothing");
        site.shutdown().await;
    }
}
