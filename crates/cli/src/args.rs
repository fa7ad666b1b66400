use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use prod_smoke_engine::rollback::DryRunRequest;
use prod_smoke_engine::{SealRequest, headings};

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
    after_help = prod_smoke_seal::sinks_help(),
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub global: GlobalArgs,
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
            None => self.run.request.take_globals(g.config_dir.clone(), ledger),
            Some(Command::Rollback(r)) => r.request.config_dir = g.config_dir.clone(),
            Some(Command::Deliver(d)) => d.ledger = ledger,
            Some(Command::History(h)) => h.ledger = ledger,
            Some(Command::Notes(n)) => n.ledger = ledger,
            Some(Command::Watch(w)) => w.run.request.take_globals(g.config_dir.clone(), ledger),
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
    /// Seal, then re-seal every --every for --for, amending the seal only
    /// when the verdict changes (exit 0 all green, 1 any pass red, 3 none
    /// conclusive). Takes every flag of a seal run.
    Watch(Box<WatchArgs>),
}

/// `prod-smoke watch [APP] --every 5m --for 1h`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub watch: prod_smoke_watch::WatchSettings,
}

/// `prod-smoke rollback`'s flags: the engine's dry-run request, and what
/// the CLI prints.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    #[command(flatten)]
    pub request: DryRunRequest,
    /// Print the block and proof as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// A seal run's flags: the engine's request, each option defined once in
/// `prod_smoke_engine::SealRequest`, and what the CLI prints.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub request: SealRequest,

    /// Print one JSON object with the verdict on stdout.
    // First under its heading, as the contract's flag: display orders
    // count from 0 in the order the flags are declared.
    #[arg(long, help_heading = headings::OUTPUT, display_order = 0)]
    pub json: bool,
}

/// The ledger and what to mask: `--ledger` and `--secret`, global flags
/// ([`GlobalArgs`]) handed over after parsing.
pub use prod_smoke_engine::LedgerSettings as LedgerArgs;

/// How hard to try a sink before leaving a delivery pending.
pub use prod_smoke_engine::DeliverySettings as DeliveryArgs;

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
        assert_eq!(
            r.request.config_dir.as_deref(),
            Some(std::path::Path::new("/c"))
        );
        // The seal run reads them too.
        let cli = parse(&["my-app", "--config-dir", "/c", "--ledger", "/l"]);
        assert!(cli.command.is_none());
        assert_eq!(cli.run.request.app, "my-app");
        assert_eq!(
            cli.run.request.config_dir.as_deref(),
            Some(std::path::Path::new("/c"))
        );
        assert_eq!(
            cli.run.request.seal.ledger.ledger.as_deref(),
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
    fn watch_takes_every_flag_of_a_seal_and_its_own() {
        let cli = parse(&[
            "--ledger",
            "/l",
            "watch",
            "turf-monster",
            "--url",
            "https://x.example",
            "--sha",
            "abc",
            "--every",
            "30s",
            "--for",
            "15m",
            "--confirm",
            "3",
        ]);
        let Some(Command::Watch(w)) = cli.command else {
            panic!("not watch")
        };
        assert_eq!(w.run.request.app, "turf-monster");
        assert_eq!(w.run.request.url.as_deref(), Some("https://x.example"));
        assert_eq!(w.run.request.seal.sha.as_deref(), Some("abc"));
        assert_eq!(
            w.run.request.seal.ledger.ledger.as_deref(),
            Some(std::path::Path::new("/l"))
        );
        assert_eq!(w.watch.schedule.every, std::time::Duration::from_secs(30));
        assert_eq!(
            w.watch.schedule.window,
            std::time::Duration::from_secs(15 * 60)
        );
        assert_eq!(w.watch.policy.confirm, 3);
        let Some(Command::Watch(w)) = parse(&["watch"]).command else {
            panic!("not watch")
        };
        assert_eq!(w.run.request.app, prod_smoke_config::DEFAULT_APP);
        assert_eq!(w.watch.schedule.every, std::time::Duration::from_secs(300));
        assert_eq!(
            w.watch.schedule.window,
            std::time::Duration::from_secs(3600)
        );
        assert_eq!(w.watch.policy.confirm, 2);
        assert!(Cli::try_parse_from(["prod-smoke", "watch", "--every", "0s"]).is_err());
        assert!(Cli::try_parse_from(["prod-smoke", "watch", "--confirm", "0"]).is_err());
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
}
