//! What a front end hands the engine for one seal: its flags, parsed.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use prod_smoke_runner::{StorageState, TraceMode};

use crate::outcome::Outcome;

/// One seal's input. Nothing here has been checked yet:
/// [`crate::Engine::prepare`] checks it all before anything runs.
#[derive(Debug, Clone)]
pub struct SealRequest {
    /// The app, as named in config.
    pub app: String,
    /// The production URL; overrides every config file.
    pub url: Option<String>,
    /// The folder of release_repos.yml and qa_environments.yml (default `config/`).
    pub config_dir: Option<PathBuf>,
    /// Allow plain http:// to a non-loopback host.
    pub allow_http: bool,
    /// The spec to run (default: the embedded suite).
    pub spec: Option<PathBuf>,
    /// Which scenarios run: a tag or a regex.
    pub grep: String,
    /// `--block-url` patterns, added to the spec's.
    pub block_urls: Vec<String>,
    /// Where the evidence goes (default `./artifacts/<app>-<time>`).
    pub artifacts: Option<PathBuf>,
    /// The app's git checkout for the rollback dry run.
    pub repo: Option<String>,
    /// A URL that answers whenever the runner has a network.
    pub canary: Option<String>,
    /// The whole seal's time limit, counted from [`crate::Engine::prepare`].
    pub deadline: Duration,
    pub run: RunSettings,
    pub browser: BrowserSettings,
    pub seal: SealSettings,
    /// The front end's exit code for an outcome: heartbeat.log's last
    /// line names it. The engine itself knows no exit codes.
    pub exit_code: fn(Outcome) -> u8,
}

/// How the suite runs.
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub retries: u32,
    pub retry_delay: Duration,
    /// Navigation timeout in seconds (at least one).
    pub timeout_secs: u64,
    /// Expectation timeout in seconds (at least one).
    pub expect_timeout_secs: u64,
    pub workers: usize,
    pub trace: TraceMode,
    pub max_page_mb: u64,
    pub allow_websockets: bool,
    pub strict_page_errors: bool,
    /// A signed-in session (`--storage-state`), applied to every
    /// scenario's context for the app's own hosts.
    pub storage_state: Option<Arc<StorageState>>,
}

/// Which browser.
#[derive(Debug, Clone, Default)]
pub struct BrowserSettings {
    pub chromium: Option<PathBuf>,
    /// A running browser or pool; its credentials are masked everywhere.
    pub cdp_url: Option<String>,
    /// Seconds to retry a busy pool (default: the navigation timeout).
    pub pool_budget_secs: Option<u64>,
}

/// What the seal is recorded against, and where.
#[derive(Debug, Clone)]
pub struct SealSettings {
    pub ledger: LedgerSettings,
    pub delivery_attempts: u32,
    pub release: Option<String>,
    /// The deployed merge sha.
    pub sha: Option<String>,
    pub notes_message_id: Option<String>,
}

/// The ledger and what to mask: every command that reads or writes seals.
#[derive(Debug, Clone, Default)]
pub struct LedgerSettings {
    pub ledger: Option<PathBuf>,
    pub secrets: Vec<String>,
}
