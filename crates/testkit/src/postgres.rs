//! A fresh, uniquely named Postgres database per test, dropped afterwards.

use std::time::Duration;

use sqlx::{Connection, Executor, PgConnection};

use crate::{PgCluster, TestkitError};

/// Overrides the server tests create their databases on.
pub const TEST_DATABASE_URL_ENV: &str = "PROD_SMOKE_TEST_DATABASE_URL";

/// Tried when `PROD_SMOKE_TEST_DATABASE_URL` is not set.
pub const DEFAULT_TEST_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// A database of its own for one test. The server is, in order:
/// `$PROD_SMOKE_TEST_DATABASE_URL`, the local default server when it
/// answers, or else a private [`PgCluster`] started for this test.
#[derive(Debug)]
pub struct TestPostgres {
    admin_url: String,
    url: String,
    name: String,
    // Kept alive for as long as the database is used; dropped last.
    _cluster: Option<PgCluster>,
}

impl TestPostgres {
    pub async fn create() -> Result<Self, TestkitError> {
        let (admin_url, cluster) = match std::env::var(TEST_DATABASE_URL_ENV) {
            Ok(url) if !url.trim().is_empty() => (url, None),
            _ if reachable(DEFAULT_TEST_DATABASE_URL).await => {
                (DEFAULT_TEST_DATABASE_URL.to_string(), None)
            }
            _ => {
                let cluster = tokio::task::spawn_blocking(PgCluster::start)
                    .await
                    .expect("starting a cluster does not panic")?;
                (cluster.url(), Some(cluster))
            }
        };
        Self::create_on(admin_url, cluster).await
    }

    /// A fresh database on a cluster the caller started (and keeps).
    pub async fn create_on_cluster(cluster: &PgCluster) -> Result<Self, TestkitError> {
        Self::create_on(cluster.url(), None).await
    }

    async fn create_on(
        admin_url: String,
        cluster: Option<PgCluster>,
    ) -> Result<Self, TestkitError> {
        let name = format!("prod_smoke_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = connect(&admin_url).await?;
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .map_err(|source| TestkitError::Query {
                doing: format!("creating database {name}"),
                source,
            })?;
        let _ = admin.close().await;
        Ok(TestPostgres {
            url: with_database(&admin_url, &name),
            admin_url,
            name,
            _cluster: cluster,
        })
    }

    /// Connection URL of this test's database.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn database_name(&self) -> &str {
        &self.name
    }

    pub async fn connect(&self) -> Result<PgConnection, TestkitError> {
        connect(&self.url).await
    }

    /// Runs a multi-statement script, such as a fixture.
    pub async fn run_script(&self, sql: &'static str) -> Result<(), TestkitError> {
        let mut conn = self.connect().await?;
        conn.execute(sqlx::raw_sql(sql))
            .await
            .map_err(|source| TestkitError::Query {
                doing: "running a SQL script".to_string(),
                source,
            })?;
        let _ = conn.close().await;
        Ok(())
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        // Drop runs outside any async context we can rely on, so the cleanup
        // gets a small runtime of its own on a plain thread.
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut admin = connect(&admin_url).await.ok()?;
                admin
                    .execute(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .await
                    .ok()
            })
        });
        let _ = cleanup.join();
    }
}

async fn connect(url: &str) -> Result<PgConnection, TestkitError> {
    let unreachable = |source| TestkitError::Unreachable {
        url: url.to_string(),
        source,
    };
    tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect(url))
        .await
        .map_err(|_| unreachable(sqlx::Error::PoolTimedOut))?
        .map_err(unreachable)
}

async fn reachable(url: &str) -> bool {
    match connect(url).await {
        Ok(conn) => {
            let _ = conn.close().await;
            true
        }
        Err(_) => false,
    }
}

/// The same server URL with another database name (the path).
fn with_database(url: &str, database: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            parsed.set_path(&format!("/{database}"));
            parsed.to_string()
        }
        Err(_) => format!("{}/{database}", url.trim_end_matches('/')),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn swaps_the_database_name() {
        assert_eq!(
            with_database(
                "postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
                "x"
            ),
            "postgres://postgres@127.0.0.1:5432/x?sslmode=disable"
        );
    }
}
