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
    // A later flag overrides an earlier one, as wrappers that append flags expect.
    args_override_self = true,
    after_help = sinks_help(),
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Shown under `prod-smoke --help`: what turns each sink on, one entry per
/// registered sink, in the words of the sink's own file. The ledger is
/// always written; every other sink is off until its variables are set.
pub fn sinks_help() -> String {
    const INDENT: usize = 17;
    let mut help = String::from(
        "Sinks (the local ledger is always written; each other sink is on when its variables are set):\n",
    );
    for sink in prod_smoke_seal::Sink::ALL {
        for (i, line) in sink.help().lines().enumerate() {
            let label = if i == 0 { sink.label() } else { "" };
            help.push_str(&format!("  {label:<width$}{line}\n", width = INDENT - 2));
        }
    }
    help.push_str("Every flag and variable: docs/operations.md.");
    help
}

/// Flags every command takes, before or after its name
/// (`prod-smoke --ledger L history` = `prod-smoke history --ledger L`).
/// Commands that do not use one ignore it.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options (before or after a command)")]
pub struct GlobalArgs {
    /// Folder holding release_repos.yml and qa_environments.yml.
    #[arg(long, global = true, value_name = "DIR")]
    pub config_dir: Option<PathBuf>,

    /// Local ledger of every seal (default: per-user state dir).
    #[arg(long, env = "PROD_SMOKE_LEDGER", global = true, value_name = "PATH")]
    pub ledger: Option<PathBuf>,

    /// A value to mask as *** in every output (repeatable).
    #[arg(long = "secret", value_name = "VALUE", global = true)]
    pub secrets: Vec<String>,

    /// Log format on stderr (`RUST_LOG` sets the level).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

impl Cli {
    /// Hands the global flags to the command that uses them.
    pub fn spread_globals(&mut self) {
        let g = &self.global;
        let ledger = LedgerArgs {
            ledger: g.ledger.clone(),
            secrets: g.secrets.clone(),
        };
        match &mut self.command {
            None => {
                self.run.config_dir = g.config_dir.clone();
                self.run.seal.ledger = ledger;
                // The session's values are secrets like `--secret`'s, so
                // every redactor built from the list masks them.
                if let Some(state) = &self.run.storage_state {
                    self.run.seal.ledger.secrets.extend(state.secrets());
                }
            }
            Some(Command::Rollback(r)) => r.config_dir = g.config_dir.clone(),
            Some(Command::Deliver(d)) => d.ledger = ledger,
            Some(Command::History(h)) => h.ledger = ledger,
            Some(Command::Notes(n)) => n.ledger = ledger,
            Some(Command::Check(_) | Command::Devices | Command::Steps) => {}
        }
    }

    /// The names of the commands, for "did you mean".
    pub fn command_names() -> Vec<String> {
        use clap::CommandFactory;
        Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect()
    }

    /// The first flag of the seal run given on the command line together
    /// with a command (`prod-smoke --url X history`): it would be ignored.
    pub fn run_flag_beside_command(matches: &clap::ArgMatches) -> Option<String> {
        matches.subcommand_name()?;
        let run = RunArgs::augment_args(clap::Command::new("run"));
        run.get_arguments()
            .filter(|a| {
                matches.value_source(a.get_id().as_str())
                    == Some(clap::parser::ValueSource::CommandLine)
            })
            .map(|a| match a.get_long() {
                Some(long) => format!("--{long}"),
                None => format!("[{}]", a.get_id().as_str().to_uppercase()),
            })
            .next()
    }
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
    /// List the devices a scenario's `use: {device: …}` can name, with
    /// their viewport, scale, touch and user agent.
    Devices,
    /// List recent seals from the ledger.
    History(HistoryArgs),
    /// Put the latest verdict line into a release-notes body or message.
    Notes(NotesArgs),
    /// Print the rollback block for the app's deploy strategy
    /// (prod_deploy.strategy) and prove, by a dry run, whether the revert
    /// applies (exit 0 clean, 1 conflict, 2 bad input, 3 not checked, e.g.
    /// a shallow clone). Nothing is executed: there is no flag for that.
    Rollback(RollbackArgs),
    /// List the spec's step vocabulary, one step per line, its YAML key first.
    Steps,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The app, as named in config.
    #[arg(default_value = prod_smoke_config::DEFAULT_APP)]
    pub app: String,
    /// The release's commit to revert: a merge, a squash merge or a direct
    /// commit (default: the release's deployed_sha, read from DATABASE_URL).
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
    /// `--config-dir`, a global flag.
    #[arg(skip)]
    pub config_dir: Option<PathBuf>,
    /// Print the block and proof as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The app to seal, as named in config/release_repos.yml.
    #[arg(default_value = prod_smoke_config::DEFAULT_APP, help_heading = TARGET)]
    pub app: String,

    /// Production URL; overrides every config file.
    #[arg(long, help_heading = TARGET)]
    pub url: Option<String>,

    /// Print one JSON object with the verdict on stdout.
    #[arg(long, help_heading = OUTPUT)]
    pub json: bool,

    /// `--config-dir`, a global flag.
    #[arg(skip)]
    pub config_dir: Option<PathBuf>,

    /// Where screenshots and reports go (default: ./artifacts/<app>-<time>).
    #[arg(long, help_heading = OUTPUT)]
    pub artifacts: Option<PathBuf>,

    /// Re-runs of failed scenarios after the boot-window wait.
    #[arg(long, default_value_t = 1, help_heading = RUN)]
    pub retries: u32,

    /// Seconds to wait before a retry (the boot window).
    #[arg(long, env = "SEAL_RETRY_DELAY_SECONDS", default_value_t = 30, help_heading = RUN)]
    pub retry_delay: u64,

    /// Navigation timeout in seconds.
    #[arg(long, default_value_t = 30, help_heading = RUN)]
    pub timeout: u64,

    /// Expectation timeout in seconds (expectations poll until it ends).
    #[arg(long, default_value_t = 5, help_heading = RUN)]
    pub expect_timeout: u64,

    /// Scenarios run at once, each in its own browser context.
    #[arg(long, default_value_t = 4, help_heading = RUN)]
    pub workers: usize,

    /// Select scenarios by tag (or a regex over title and tags).
    #[arg(long, default_value = prod_smoke_spec::DEFAULT_TAG, help_heading = RUN)]
    pub grep: String,

    /// Spec file to run instead of the embedded @qa-readonly suite.
    #[arg(long, help_heading = RUN)]
    pub spec: Option<PathBuf>,

    /// Chromium binary (default: chromium on PATH, then /usr/bin/chromium).
    #[arg(long, help_heading = BROWSER)]
    pub chromium: Option<PathBuf>,

    /// Use an already-running browser or pool (ws://…, or http://host:port
    /// found through /json/version) and leave it running. Its token and
    /// user:pass are masked as *** everywhere. The variable keeps it out of
    /// `ps` and shell history.
    #[arg(long, env = "PROD_SMOKE_CDP_URL", hide_env_values = true, help_heading = BROWSER)]
    pub cdp_url: Option<String>,

    /// Seconds to keep retrying a pool that answers busy (HTTP 429/503, or a
    /// dropped socket) before the run is inconclusive (default: --timeout).
    #[arg(long, value_name = "SECONDS", help_heading = BROWSER)]
    pub pool_budget: Option<u64>,

    /// The whole run's time limit, e.g. `90s`, `10m`, `1h` (plain numbers
    /// are seconds). Past it the run ends inconclusive (exit 3) with the
    /// evidence it has, the seal records it, and the browser is reaped.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = prod_smoke_engine::parse_duration, help_heading = RUN)]
    pub deadline: std::time::Duration,

    /// What one page visit may download, every response together, in MiB.
    /// Past it the visit is stopped and its check fails; the document
    /// alone may be at most 8 MiB.
    #[arg(long, value_name = "MIB", default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=4096), help_heading = BROWSER)]
    pub max_page_mb: u64,

    /// A URL that answers whenever the runner has a network. When nothing of
    /// the site answered at all, it tells a dead network (inconclusive) from
    /// a dead site (red). Default in GitHub Actions: $GITHUB_API_URL.
    #[arg(long, env = "PROD_SMOKE_CANARY_URL", value_name = "URL", help_heading = BROWSER)]
    pub canary: Option<String>,

    /// Allow plain http:// to a non-loopback host.
    #[arg(long, help_heading = SAFETY)]
    pub allow_http: bool,

    /// Also fail GETs to URLs matching PATTERN (`*` matches anything), for
    /// GETs with side effects; repeatable, added to the spec's `block_url`.
    #[arg(long = "block-url", value_name = "PATTERN", help_heading = SAFETY)]
    pub block_url: Vec<String>,

    /// Let pages open WebSockets (blocked by default: a socket message can
    /// write, as ActionCable's channel actions do).
    #[arg(long, help_heading = SAFETY)]
    pub allow_websockets: bool,

    /// Count the errors the read-only guard caused (a refused save's
    /// `Failed to fetch`, a refused service worker) on `no_page_errors` too.
    #[arg(long)]
    pub strict_page_errors: bool,

    /// The app's git checkout for the revert dry run on red
    /// (default: release_repos.yml apps.<app>.repo).
    #[arg(long, help_heading = SEAL)]
    pub repo: Option<String>,

    /// A signed-in session: Playwright's storageState JSON (cookies and
    /// per-origin localStorage), as a file or, in the variable, the JSON
    /// itself. Put into every scenario's browser for the app's own host
    /// only; its values are masked as *** everywhere.
    #[arg(long, env = "PROD_SMOKE_STORAGE_STATE", hide_env_values = true, value_name = "FILE", value_parser = StorageStateParser, help_heading = BROWSER)]
    pub storage_state: Option<prod_smoke_runner::StorageState>,

    /// Which scenarios leave a trace in <artifacts>/traces/: a HAR of the
    /// network, an MHTML snapshot of the page, and the console.
    #[arg(long, value_enum, default_value_t = TraceArg::OnFailure, help_heading = OUTPUT)]
    pub trace: TraceArg,

    #[command(flatten)]
    pub seal: SealArgs,
}

/// Reads `--storage-state` (a file, or the JSON itself from the variable)
/// when the flags are parsed, so a bad one is exit 2 before anything runs.
/// Its errors are raw: clap's own would quote the value, which may be the
/// JSON with its secrets.
#[derive(Debug, Clone, Copy)]
struct StorageStateParser;

impl clap::builder::TypedValueParser for StorageStateParser {
    type Value = prod_smoke_runner::StorageState;

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
            return Ok(prod_smoke_runner::StorageState::default());
        }
        prod_smoke_runner::StorageState::from_flag(text).map_err(|e| {
            clap::Error::raw(ErrorKind::InvalidValue, format!("--storage-state: {e}\n"))
        })
    }
}

/// The `--help` headings of the seal run's flags.
const TARGET: &str = "Which app and URL";
const OUTPUT: &str = "Output";
const RUN: &str = "The suite";
const BROWSER: &str = "The browser";
const SAFETY: &str = "Read-only guard";
const SEAL: &str = "The seal";

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TraceArg {
    /// Scenarios that did not pass.
    OnFailure,
    /// Every scenario.
    Always,
    /// None; nothing is collected.
    Off,
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

/// The ledger and what to mask: `--ledger` and `--secret`, global flags
/// ([`GlobalArgs`]) handed over after parsing.
pub use prod_smoke_engine::LedgerSettings as LedgerArgs;

/// How hard to try a sink before leaving a delivery pending.
#[derive(Debug, Args, Clone)]
pub struct DeliveryArgs {
    /// Tries per sink (Postgres, Discord, the webhook) before a delivery is left pending
    /// for `prod-smoke deliver`; waits back off exponentially with jitter.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=10), help_heading = SEAL)]
    pub delivery_attempts: u32,
}

/// What a run's seal is recorded against.
#[derive(Debug, Args, Clone)]
pub struct SealArgs {
    #[arg(skip)]
    pub ledger: LedgerArgs,

    #[command(flatten)]
    pub delivery: DeliveryArgs,

    /// Release slug to seal (default: the single active release, else the last shipped).
    #[arg(long, help_heading = SEAL)]
    pub release: Option<String>,

    /// Deployed merge sha, for the rollback commands.
    #[arg(long, help_heading = SEAL)]
    pub sha: Option<String>,

    /// A release-notes message posted through the same webhook; its body
    /// is ended with the verdict line (replacing an older one).
    #[arg(long, help_heading = SEAL)]
    pub notes_message_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Spec files to validate.
    pub specs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DeliverArgs {
    #[arg(skip)]
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
    #[arg(skip)]
    pub ledger: LedgerArgs,
}

#[derive(Debug, Args)]
pub struct NotesArgs {
    /// The app whose latest seal is used (default: mcritchie-studio).
    #[arg(value_name = "APP")]
    pub app_arg: Option<String>,
    /// The same, in the older spelling (`notes --app APP`); still accepted.
    #[arg(
        long = "app",
        value_name = "APP",
        hide = true,
        conflicts_with = "app_arg"
    )]
    pub app_flag: Option<String>,
    /// Release-notes file to add the verdict line to (or replace it in).
    #[arg(long)]
    pub append: Option<PathBuf>,
    /// A release-notes message posted through the webhook, edited the same way.
    #[arg(long)]
    pub notes_message_id: Option<String>,
    #[arg(skip)]
    pub ledger: LedgerArgs,
    #[command(flatten)]
    pub delivery: DeliveryArgs,
}

impl NotesArgs {
    /// `[APP]`, else `--app APP`, else the default app.
    pub fn app(&self) -> &str {
        self.app_arg
            .as_deref()
            .or(self.app_flag.as_deref())
            .unwrap_or(prod_smoke_config::DEFAULT_APP)
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    fn parse(args: &[&str]) -> Cli {
        let mut cli =
            Cli::try_parse_from(std::iter::once("prod-smoke").chain(args.iter().copied()))
                .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        cli.spread_globals();
        cli
    }

    #[test]
    fn global_flags_go_before_or_after_the_command() {
        for args in [
            &["--ledger", "/l", "--secret", "s", "history"][..],
            &["history", "--ledger", "/l", "--secret", "s"][..],
        ] {
            let cli = parse(args);
            let Some(Command::History(h)) = cli.command else {
                panic!("{args:?}: not history")
            };
            assert_eq!(h.ledger.ledger.as_deref(), Some(std::path::Path::new("/l")));
            assert_eq!(h.ledger.secrets, ["s"]);
        }
        let cli = parse(&["--config-dir", "/c", "rollback", "app"]);
        let Some(Command::Rollback(r)) = cli.command else {
            panic!("not rollback")
        };
        assert_eq!(r.config_dir.as_deref(), Some(std::path::Path::new("/c")));
        // The seal run reads them too.
        let cli = parse(&["my-app", "--config-dir", "/c", "--ledger", "/l"]);
        assert!(cli.command.is_none());
        assert_eq!(cli.run.app, "my-app");
        assert_eq!(
            cli.run.config_dir.as_deref(),
            Some(std::path::Path::new("/c"))
        );
        assert_eq!(
            cli.run.seal.ledger.ledger.as_deref(),
            Some(std::path::Path::new("/l"))
        );
    }

    #[test]
    fn a_run_flag_beside_a_command_is_named() {
        let m = Cli::command()
            .try_get_matches_from(["prod-smoke", "--url", "https://x", "history"])
            .unwrap();
        assert_eq!(Cli::run_flag_beside_command(&m).as_deref(), Some("--url"));
        let m = Cli::command()
            .try_get_matches_from(["prod-smoke", "--ledger", "/l", "history"])
            .unwrap();
        assert_eq!(Cli::run_flag_beside_command(&m), None);
    }

    #[test]
    fn notes_takes_the_app_like_every_other_command() {
        for (args, app) in [
            (
                &["notes", "turf-monster", "--append", "N"][..],
                "turf-monster",
            ),
            (
                &["notes", "--app", "turf-monster", "--append", "N"][..],
                "turf-monster",
            ),
            (&["notes", "--append", "N"][..], "mcritchie-studio"),
        ] {
            let Some(Command::Notes(n)) = parse(args).command else {
                panic!("{args:?}: not notes")
            };
            assert_eq!(n.app(), app, "{args:?}");
        }
    }

    /// `--help` names what turns each sink on: every variable a sink
    /// reads for itself (but the ones only tests set).
    #[test]
    fn help_names_every_sink_variable() {
        let help = Cli::command().render_long_help().to_string();
        let vars: Vec<&str> = prod_smoke_seal::Sink::ALL
            .iter()
            .flat_map(|sink| sink.help_vars())
            .map(|var| var.name)
            .collect();
        for var in [
            "DATABASE_URL",
            "DISCORD_RELEASE_NOTES_WEBHOOK_URL",
            "DISCORD_DEPLOY_WEBHOOK_URL",
            "DISCORD_RELEASE_NOTES_THREAD_ID",
        ] {
            assert!(vars.contains(&var), "no sink declares {var}: {vars:?}");
        }
        for var in vars {
            assert!(help.contains(var), "--help does not name {var}:\n{help}");
        }
        for heading in [TARGET, OUTPUT, RUN, BROWSER, SAFETY, SEAL, "Global options"] {
            assert!(help.contains(heading), "no `{heading}` heading:\n{help}");
        }
    }
}
