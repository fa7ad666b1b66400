//! The test infrastructure itself: the mock really goes down, and the
//! cluster really stops and starts.

use prod_smoke_testkit::{MockDiscord, PgCluster, TestPostgres, fixtures};
use sqlx::{Connection, PgConnection};
use tokio::net::TcpStream;

#[tokio::test]
async fn mock_discord_refuses_connections_while_down() {
    let mock = MockDiscord::start().await.unwrap();
    let addr = mock.api_base().trim_start_matches("http://").to_string();
    assert!(TcpStream::connect(&addr).await.is_ok());
    mock.go_down().await;
    assert!(TcpStream::connect(&addr).await.is_err());
    mock.come_back().await.unwrap();
    assert!(TcpStream::connect(&addr).await.is_ok());
}

#[tokio::test]
async fn mock_discord_keeps_inserted_messages() {
    let mock = MockDiscord::start().await.unwrap();
    let id = mock.insert_message("notes");
    assert_eq!(mock.message(&id).unwrap()["content"], "notes");
    assert!(mock.webhook_url().ends_with(mock.token()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_stops_and_starts_with_its_data() {
    let cluster = tokio::task::spawn_blocking(PgCluster::start)
        .await
        .unwrap()
        .unwrap();
    let db = TestPostgres::create_on_cluster(&cluster).await.unwrap();
    db.run_script(fixtures::HUB_SCHEMA).await.unwrap();

    tokio::task::block_in_place(|| cluster.stop()).unwrap();
    assert!(!cluster.is_running());
    assert!(PgConnection::connect(db.url()).await.is_err());

    tokio::task::block_in_place(|| cluster.restart()).unwrap();
    let mut conn = PgConnection::connect(db.url()).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM releases")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 0);
}
