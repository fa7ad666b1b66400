//! Test support for prod-smoke: a mock Discord webhook server, a receiver
//! for the signed webhook sink, a stand-in for GitHub's status API,
//! throwaway Postgres databases, private Postgres clusters a test can stop
//! and start, and a loopback browser pool in front of a real Chromium.
//!
//! Nothing here is used at run time by the `prod-smoke` binary.

pub mod chromium;
mod cluster;
mod discord;
mod errors;
pub mod fixtures;
mod github;
mod loopback;
mod pool;
mod postgres;
pub mod tinyfs;
mod webhook;

pub use cluster::PgCluster;
pub use discord::{MockDiscord, RecordedAttachment, RecordedRequest, RetryAfterVia};
pub use errors::TestkitError;
pub use github::{GitHubRequest, MockGitHub};
pub use pool::{PoolAnswer, PoolOptions, StandInPool};
pub use postgres::{DEFAULT_TEST_DATABASE_URL, TEST_DATABASE_URL_ENV, TestPostgres};
pub use tinyfs::TinyFs;
pub use webhook::{MockWebhook, ReceivedWebhook};
