//! Test support for prod-smoke: a mock Discord webhook server, throwaway
//! Postgres databases and private Postgres clusters a test can stop and start.
//!
//! Nothing here is used at run time by the `prod-smoke` binary.

mod cluster;
mod discord;
mod errors;
pub mod fixtures;
mod postgres;

pub use cluster::PgCluster;
pub use discord::{MockDiscord, RecordedAttachment, RecordedRequest, RetryAfterVia};
pub use errors::TestkitError;
pub use postgres::{DEFAULT_TEST_DATABASE_URL, TEST_DATABASE_URL_ENV, TestPostgres};
