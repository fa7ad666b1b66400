//! Finds a Postgres for the tests: `PROD_SMOKE_TEST_DATABASE_URL`, else the
//! local server on 127.0.0.1:5432, else a throwaway cluster started from
//! the Debian binaries (stopped when the tests end).

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use anyhow::{Context, Result};
use prod_smoke_testkit::{DEFAULT_TEST_DATABASE_URL, PgCluster, TEST_DATABASE_URL_ENV};

pub enum TestDatabase {
    Given(String),
    Local,
    Throwaway(PgCluster),
}

impl TestDatabase {
    pub fn find_or_start() -> Result<TestDatabase> {
        if let Ok(url) = std::env::var(TEST_DATABASE_URL_ENV) {
            return Ok(TestDatabase::Given(url));
        }
        let local: SocketAddr = "127.0.0.1:5432".parse().expect("valid address");
        if TcpStream::connect_timeout(&local, Duration::from_secs(1)).is_ok() {
            return Ok(TestDatabase::Local);
        }
        eprintln!("No Postgres on 127.0.0.1:5432; starting a throwaway cluster…");
        let cluster = PgCluster::start().context(
            "could not start a throwaway Postgres (install Debian's `postgresql` package)",
        )?;
        eprintln!("Throwaway Postgres on port {}", cluster.port());
        Ok(TestDatabase::Throwaway(cluster))
    }

    pub fn url(&self) -> String {
        match self {
            TestDatabase::Given(u) => u.clone(),
            TestDatabase::Local => DEFAULT_TEST_DATABASE_URL.to_string(),
            TestDatabase::Throwaway(c) => c.url(),
        }
    }
}
