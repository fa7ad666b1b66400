//! What a front end hands the engine for one seal, and the flags it is
//! parsed from. Each option is defined once, here: its field, its flag,
//! its default and its `--help` text. A front end flattens
//! [`SealRequest`] into its own command (`#[command(flatten)]`), so an
//! option added here reaches `prod-smoke`, `prod-smoke watch` and their
//! help without a second definition or a mapping to keep in step.
//!
//! The groups follow the help's headings, in the order they are shown:
//! the app and URL, output, [`RunSettings`] (the suite), [`BrowserSettings`],
//! [`GuardSettings`] (the read-only guard) and [`SealSettings`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use prod_smoke_runner::{StorageState, TraceMode};

use crate::outcome::Outcome;

/// The `--help` headings of a seal's flags.
pub mod headings {
    pub const TARGET: &str = "Which app and URL";
    pub const OUTPUT: &str = "Output";
    pub const RUN: &str = "The suite";
    pub const BROWSER: &str = "The browser";
    pub const SAFETY: &str = "Read-only guard";
    pub const SEAL: &str = "The seal";
}
use headings::*;

/// One seal's input. Nothing here has been checked yet:
/// [`crate::Engine::prepare`] checks it all before anything runs.
#[derive(Debug, Clone, Args)]
pub struct SealRequest {
    /// The app to seal, as named in config/release_repos.yml.
    #[arg(default_value = prod_smoke_config::DEFAULT_APP, help_heading = TARGET)]
    pub app: String,

    /// Production URL; overrides every config file.
    #[arg(long, help_heading = TARGET)]
    pub url: Option<String>,

    /// The folder of release_repos.yml and qa_environments.yml (default
    /// `config/`): the front end's global `--config-dir`.
    #[arg(skip)]
    pub config_dir: Option<PathBuf>,

    /// Where screenshots and reports go (default: ./artifacts/<app>-<time>).
    #[arg(long, help_heading = OUTPUT)]
    pub artifacts: Option<PathBuf>,

    #[command(flatten)]
    pub run: RunSettings,

    #[command(flatten)]
    pub browser: BrowserSettings,

    #[command(flatten)]
    pub guard: GuardSettings,

    #[command(flatten)]
    pub seal: SealSettings,

    /// The front end's exit code for an outcome: heartbeat.log's last
    /// line names it. The engine itself knows no exit codes, so until the
    /// front end sets its own the line says 255.
    #[arg(skip = unnamed_exit_code as fn(Outcome) -> u8)]
    pub exit_code: fn(Outcome) -> u8,
}

impl SealRequest {
    /// Takes the front end's global flags: the config folder, the ledger
    /// and the values to mask. A `--storage-state` session's values join
    /// those secrets, so every redactor built from the list masks them.
    pub fn take_globals(&mut self, config_dir: Option<PathBuf>, mut ledger: LedgerSettings) {
        if let Some(state) = &self.browser.storage_state {
            ledger.secrets.extend(state.secrets());
        }
        self.config_dir = config_dir;
        self.seal.ledger = ledger;
    }
}

fn unnamed_exit_code(_: Outcome) -> u8 {
    u8::MAX
}

/// How the suite runs.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = RUN)]
pub struct RunSettings {
    /// Re-runs of failed scenarios after the boot-window wait.
    #[arg(long, default_value_t = 1)]
    pub retries: u32,

    /// Seconds to wait before a retry (the boot window).
    #[arg(long, env = "SEAL_RETRY_DELAY_SECONDS", default_value = "30", value_name = "RETRY_DELAY", value_parser = seconds)]
    pub retry_delay: Duration,

    /// Navigation timeout in seconds.
    #[arg(long = "timeout", value_name = "TIMEOUT", default_value_t = 30)]
    pub timeout_secs: u64,

    /// Expectation timeout in seconds (expectations poll until it ends).
    #[arg(
        long = "expect-timeout",
        value_name = "EXPECT_TIMEOUT",
        default_value_t = 5
    )]
    pub expect_timeout_secs: u64,

    /// Scenarios run at once, each in its own browser context.
    #[arg(long, default_value_t = 4)]
    pub workers: usize,

    /// Select scenarios by tag (or a regex over title and tags).
    #[arg(long, default_value = prod_smoke_spec::DEFAULT_TAG)]
    pub grep: String,

    /// Spec file to run instead of the embedded @qa-readonly suite.
    #[arg(long)]
    pub spec: Option<PathBuf>,

    /// The whole run's time limit, e.g. `90s`, `10m`, `1h` (plain numbers
    /// are seconds). Past it the run ends inconclusive (exit 3) with the
    /// evidence it has, the seal records it, and the browser is reaped.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = crate::parse_duration)]
    pub deadline: Duration,

    /// Which scenarios leave a trace in <artifacts>/traces/: a HAR of the
    /// network, an MHTML snapshot of the page, and the console.
    #[arg(long, value_enum, default_value_t = TraceMode::OnFailure, help_heading = OUTPUT)]
    pub trace: TraceMode,
}

/// Which browser, and what a page may do in it.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = BROWSER)]
pub struct BrowserSettings {
    /// Chromium binary (default: chromium on PATH, then /usr/bin/chromium).
    #[arg(long)]
    pub chromium: Option<PathBuf>,

    /// Use an already-running browser or pool (ws://…, or http://host:port
    /// found through /json/version) and leave it running. Its token and
    /// user:pass are masked as *** everywhere. The variable keeps it out of
    /// `ps` and shell history.
    #[arg(long, env = "PROD_SMOKE_CDP_URL", hide_env_values = true)]
    pub cdp_url: Option<String>,

    /// Seconds to keep retrying a pool that answers busy (HTTP 429/503, or a
    /// dropped socket) before the run is inconclusive (default: --timeout).
    #[arg(long = "pool-budget", value_name = "SECONDS")]
    pub pool_budget_secs: Option<u64>,

    /// What one page visit may download, every response together, in MiB.
    /// Past it the visit is stopped and its check fails; the document
    /// alone may be at most 8 MiB.
    #[arg(long, value_name = "MIB", default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_page_mb: u64,

    /// A URL that answers whenever the runner has a network. When nothing of
    /// the site answered at all, it tells a dead network (inconclusive) from
    /// a dead site (red). Default in GitHub Actions: $GITHUB_API_URL.
    #[arg(long, env = "PROD_SMOKE_CANARY_URL", value_name = "URL")]
    pub canary: Option<String>,

    /// A signed-in session: Playwright's storageState JSON (cookies and
    /// per-origin localStorage), as a file or, in the variable, the JSON
    /// itself. Put into every scenario's browser for the app's own host
    /// only; its values are masked as *** everywhere.
    #[arg(long, env = "PROD_SMOKE_STORAGE_STATE", hide_env_values = true, value_name = "FILE", value_parser = StorageStateParser)]
    pub storage_state: Option<Arc<StorageState>>,
}

/// The read-only guard's settings beyond the spec's own.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = SAFETY)]
pub struct GuardSettings {
    /// Allow plain http:// to a non-loopback host.
    #[arg(long)]
    pub allow_http: bool,

    /// Also fail GETs to URLs matching PATTERN (`*` matches anything), for
    /// GETs with side effects; repeatable, added to the spec's `block_url`.
    #[arg(long = "block-url", value_name = "PATTERN")]
    pub block_urls: Vec<String>,

    /// Let pages open WebSockets (blocked by default: a socket message can
    /// write, as ActionCable's channel actions do).
    #[arg(long)]
    pub allow_websockets: bool,

    /// Count the errors the read-only guard caused (a refused save's
    /// `Failed to fetch`, a refused service worker) on `no_page_errors` too.
    #[arg(long)]
    pub strict_page_errors: bool,
}

/// What the seal is recorded against, and where.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = SEAL)]
pub struct SealSettings {
    /// The app's git checkout for the revert dry run on red
    /// (default: release_repos.yml apps.<app>.repo).
    #[arg(long)]
    pub repo: Option<String>,

    /// `--ledger` and `--secret`: the front end's global flags.
    #[arg(skip)]
    pub ledger: LedgerSettings,

    #[command(flatten)]
    pub delivery: DeliverySettings,

    /// Release slug to seal (default: the single active release, else the last shipped).
    #[arg(long)]
    pub release: Option<String>,

    /// Deployed merge sha, for the rollback commands.
    #[arg(long)]
    pub sha: Option<String>,

    /// A release-notes message posted through the same webhook; its body
    /// is ended with the verdict line (replacing an older one).
    #[arg(long)]
    pub notes_message_id: Option<String>,
}

/// How hard to try a sink before leaving a delivery pending: a seal's,
/// `deliver`'s and `notes`'.
#[derive(Debug, Clone, Args)]
pub struct DeliverySettings {
    /// Tries per sink (Postgres, Discord, the webhook) before a delivery is left pending
    /// for `prod-smoke deliver`; waits back off exponentially with jitter.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=10), help_heading = SEAL)]
    pub delivery_attempts: u32,
}

/// The ledger and what to mask: every command that reads or writes seals.
#[derive(Debug, Clone, Default)]
pub struct LedgerSettings {
    pub ledger: Option<PathBuf>,
    pub secrets: Vec<String>,
}

/// `--retry-delay 30`: whole seconds.
fn seconds(text: &str) -> Result<Duration, String> {
    text.parse::<u64>()
        .map(Duration::from_secs)
        .map_err(|e| e.to_string())
}

/// Reads `--storage-state` (a file, or the JSON itself from the variable)
/// when the flags are parsed, so a bad one is exit 2 before anything runs.
/// Its errors are raw: clap's own would quote the value, which may be the
/// JSON with its secrets.
#[derive(Debug, Clone, Copy)]
struct StorageStateParser;

impl clap::builder::TypedValueParser for StorageStateParser {
    type Value = Arc<StorageState>;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Self::Value, clap::Error> {
        use clap::error::ErrorKind;
        let text = value.to_str().ok_or_else(|| {
            clap::Error::raw(ErrorKind::InvalidUtf8, "--storage-state is not UTF-8\n")
        })?;
        // A blank variable counts as unset, as every variable does: an
        // empty state signs nothing in.
        if text.trim().is_empty() {
            return Ok(Arc::default());
        }
        StorageState::from_flag(text).map(Arc::new).map_err(|e| {
            clap::Error::raw(ErrorKind::InvalidValue, format!("--storage-state: {e}\n"))
        })
    }
}
