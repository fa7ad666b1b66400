use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Seal a production release: run the read-only @qa-readonly suite in
/// headless Chromium against the app's production URL and record a
/// 🟢/🔴 seal. The seal never rolls anything back.
#[derive(Debug, Parser)]
#[command(
    name = "prod-smoke",
    // `prod-smoke 0.1.0 (<commit>)`, stamped by build.rs.
    version = env!("PROD_SMOKE_VERSION"),
    args_conflicts_with_subcommands = true,
    // A later flag overrides an earlier one, as wrappers that append flags expect.
    args_override_self = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub run: RunArgs,

    /// Log format on stderr (`RUST_LOG` sets the level).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate spec files (the embedded suite when none are named); exit 0 or 2.
    Check(CheckArgs),
    /// Replay seal deliveries that are still pending in the ledger.
    Deliver(DeliverArgs),
    /// List recent seals from the ledger.
    History(HistoryArgs),
    /// Put the latest verdict line into a release-notes body or message.
    Notes(NotesArgs),
    /// Print the rollback block and prove, by a dry run, whether the revert
    /// applies (exit 0 clean, 1 conflict, 2 bad input, 3 not checked).
    /// Nothing is executed: there is no flag for that.
    Rollback(RollbackArgs),
    /// List the spec's step vocabulary, one step per line, its YAML key first.
    Steps,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The app, as named in config.
    #[arg(default_value = prod_smoke_config::DEFAULT_APP)]
    pub app: String,
    /// The release's merge commit to revert (default: the release's
    /// deployed_sha, read from DATABASE_URL).
    #[arg(long)]
    pub sha: Option<String>,
    /// The release whose deployed_sha is reverted when --sha is not given
    /// (default: the single active release, else the last shipped).
    #[arg(long)]
    pub release: Option<String>,
    /// The app's git checkout (default: release_repos.yml apps.<app>.repo).
    #[arg(long)]
    pub repo: Option<String>,
    /// Production URL, for the host the block names (default: from config).
    #[arg(long)]
    pub url: Option<String>,
    /// Folder holding release_repos.yml and qa_environments.yml.
    #[arg(long)]
    pub config_dir: Option<PathBuf>,
    /// Print the block and proof as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The app to seal, as named in config/release_repos.yml.
    #[arg(default_value = prod_smoke_config::DEFAULT_APP)]
    pub app: String,

    /// Production URL; overrides every config file.
    #[arg(long)]
    pub url: Option<String>,

    /// Print one JSON object with the verdict on stdout.
    #[arg(long)]
    pub json: bool,

    /// Folder holding release_repos.yml and qa_environments.yml.
    #[arg(long)]
    pub config_dir: Option<PathBuf>,

    /// Where screenshots and reports go (default: ./artifacts/<app>-<time>).
    #[arg(long)]
    pub artifacts: Option<PathBuf>,

    /// Re-runs of failed scenarios after the boot-window wait.
    #[arg(long, default_value_t = 1)]
    pub retries: u32,

    /// Seconds to wait before a retry (the boot window).
    #[arg(long, env = "SEAL_RETRY_DELAY_SECONDS", default_value_t = 30)]
    pub retry_delay: u64,

    /// Navigation timeout in seconds.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,

    /// Expectation timeout in seconds (expectations poll until it ends).
    #[arg(long, default_value_t = 5)]
    pub expect_timeout: u64,

    /// Scenarios run at once, each in its own browser context.
    #[arg(long, default_value_t = 4)]
    pub workers: usize,

    /// Select scenarios by tag (or a regex over title and tags).
    #[arg(long, default_value = prod_smoke_spec::DEFAULT_TAG)]
    pub grep: String,

    /// Spec file to run instead of the embedded @qa-readonly suite.
    #[arg(long)]
    pub spec: Option<PathBuf>,

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
    #[arg(long, value_name = "SECONDS")]
    pub pool_budget: Option<u64>,

    /// A URL that answers whenever the runner has a network. When nothing of
    /// the site answered at all, it tells a dead network (inconclusive) from
    /// a dead site (red). Default in GitHub Actions: $GITHUB_API_URL.
    #[arg(long, env = "PROD_SMOKE_CANARY_URL", value_name = "URL")]
    pub canary: Option<String>,

    /// Allow plain http:// to a non-loopback host.
    #[arg(long)]
    pub allow_http: bool,

    /// Also fail GETs to URLs matching PATTERN (`*` matches anything), for
    /// GETs with side effects; repeatable, added to the spec's `block_url`.
    #[arg(long = "block-url", value_name = "PATTERN")]
    pub block_url: Vec<String>,

    /// Let pages open WebSockets (blocked by default: a socket message can
    /// write, as ActionCable's channel actions do).
    #[arg(long)]
    pub allow_websockets: bool,

    /// Count the errors the read-only guard caused (a refused save's
    /// `Failed to fetch`, a refused service worker) on `no_page_errors` too.
    #[arg(long)]
    pub strict_page_errors: bool,

    /// The app's git checkout for the revert dry run on red
    /// (default: release_repos.yml apps.<app>.repo).
    #[arg(long)]
    pub repo: Option<String>,

    /// Which scenarios leave a trace in <artifacts>/traces/: a HAR of the
    /// network, an MHTML snapshot of the page, and the console.
    #[arg(long, value_enum, default_value_t = TraceArg::OnFailure)]
    pub trace: TraceArg,

    #[command(flatten)]
    pub seal: SealArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TraceArg {
    /// Scenarios that did not pass.
    OnFailure,
    /// Every scenario.
    Always,
    /// None; nothing is collected.
    Off,
}

impl TraceArg {
    pub fn as_str(self) -> &'static str {
        match self {
            TraceArg::OnFailure => "on-failure",
            TraceArg::Always => "always",
            TraceArg::Off => "off",
        }
    }
}

impl From<TraceArg> for prod_smoke_runner::TraceMode {
    fn from(t: TraceArg) -> Self {
        match t {
            TraceArg::OnFailure => prod_smoke_runner::TraceMode::OnFailure,
            TraceArg::Always => prod_smoke_runner::TraceMode::Always,
            TraceArg::Off => prod_smoke_runner::TraceMode::Off,
        }
    }
}

/// The ledger and what to mask: every command that reads or writes seals.
#[derive(Debug, Args, Clone)]
pub struct LedgerArgs {
    /// Local ledger of every seal (default: per-user state dir).
    #[arg(long, env = "PROD_SMOKE_LEDGER")]
    pub ledger: Option<PathBuf>,

    /// A value to mask as *** in every output (repeatable).
    #[arg(long = "secret", value_name = "VALUE")]
    pub secrets: Vec<String>,
}

/// How hard to try a sink before leaving a delivery pending.
#[derive(Debug, Args, Clone)]
pub struct DeliveryArgs {
    /// Tries per sink (Postgres, Discord, the webhook) before a delivery is left pending
    /// for `prod-smoke deliver`; waits back off exponentially with jitter.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub delivery_attempts: u32,
}

/// What a run's seal is recorded against.
#[derive(Debug, Args, Clone)]
pub struct SealArgs {
    #[command(flatten)]
    pub ledger: LedgerArgs,

    #[command(flatten)]
    pub delivery: DeliveryArgs,

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

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Spec files to validate.
    pub specs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DeliverArgs {
    #[command(flatten)]
    pub ledger: LedgerArgs,
    #[command(flatten)]
    pub delivery: DeliveryArgs,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this app's seals.
    pub app: Option<String>,
    /// How many seals to list.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    #[command(flatten)]
    pub ledger: LedgerArgs,
}

#[derive(Debug, Args)]
pub struct NotesArgs {
    /// Release-notes file to add the verdict line to (or replace it in).
    #[arg(long)]
    pub append: Option<PathBuf>,
    /// A release-notes message posted through the webhook, edited the same way.
    #[arg(long)]
    pub notes_message_id: Option<String>,
    /// The app whose latest seal is used.
    #[arg(long, default_value = prod_smoke_config::DEFAULT_APP)]
    pub app: String,
    #[command(flatten)]
    pub ledger: LedgerArgs,
    #[command(flatten)]
    pub delivery: DeliveryArgs,
}
