//! Faults on a timer (a site that breaks at T1 and heals at T2) and the
//! site dropping off the network.

use std::time::Duration;

use prod_smoke_fixture_site::Fault;

use crate::{client, get, start};

#[tokio::test]
async fn a_scheduled_fault_breaks_and_heals_on_time() {
    let site = start().await;
    site.schedule_fault(
        Fault::Up503,
        Duration::from_millis(300),
        Some(Duration::from_millis(900)),
    );
    assert_eq!(get(&site, "/up").await.0, 200);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(get(&site, "/up").await.0, 503);
    assert_eq!(site.faults(), [Fault::Up503]);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(get(&site, "/up").await.0, 200);
    assert!(site.faults().is_empty());
    site.shutdown().await;
}

#[tokio::test]
async fn offline_answers_nothing_and_drops_open_connections() {
    let site = start().await;
    // One client, so the second request would reuse the kept-alive
    // connection if the site let it live.
    let client = client();
    let res = client.get(site.url("/up")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let _ = res.bytes().await;

    site.set_fault(Fault::Offline);
    tokio::time::sleep(Duration::from_millis(100)).await;
    for path in ["/up", "/", "/tasks"] {
        let err = client.get(site.url(path)).send().await.unwrap_err();
        assert!(err.status().is_none(), "{path}: {err}");
    }
    site.unset_fault(Fault::Offline);
    assert_eq!(get(&site, "/up").await.0, 200);
    site.shutdown().await;
}
