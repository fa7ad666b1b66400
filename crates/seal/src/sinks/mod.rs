//! The registry: where a seal goes besides the ledger. Every sink has one
//! shape, [`SinkAdapter`] (`adapter.rs`): the variables it reads and its
//! typed configuration, which ledger row a run gets, why it cannot be
//! delivered with the present configuration, and how one claimed delivery
//! goes out. The shared machinery in `deliver.rs` does the rest for all of
//! them: the ledger row, the claim, the bounded retry, the pending state
//! and the replay by `prod-smoke deliver`. `prod-smoke history` gives a
//! column to every sink that names one, and `prod-smoke --help` a line.
//!
//! Adding a sink is one new file in this folder, implementing
//! [`SinkAdapter`], plus one line in the [`sinks!`] list at the bottom. The
//! list makes the module, the [`Sink`] variant, every dispatch `match` and
//! [`ENV_VARS`], so a sink cannot be half registered.
//!
//! Imports point one way: the sinks use `adapter.rs`, `config.rs`,
//! `settings.rs` and `ledger.rs`, none of which knows any sink; only this
//! file knows them all.

mod adapter;

pub(crate) use adapter::{Attempt, Done, Initial, Job, SinkAdapter};

use crate::config::{SEAL_VARS, SealConfig, SealOverrides};
use crate::errors::SealError;
use crate::ledger::RunRecord;
use crate::settings::{EnvVar, Need};

/// Makes the registry from one list of `module::Adapter`: the modules, the
/// [`Sink`] enum (in list order, which is also delivery order), the
/// dispatch to each adapter and the list of every variable.
macro_rules! sinks {
    ($($module:ident :: $adapter:ident),+ $(,)?) => {
        $(pub(crate) mod $module;)+

        /// Where a seal goes besides the ledger.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Sink {
            $($adapter),+
        }

        impl Sink {
            /// Every sink, in delivery order.
            pub const ALL: &'static [Sink] = &[$(Sink::$adapter),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Sink::$adapter => <$module::$adapter as SinkAdapter>::NAME),+
                }
            }

            /// The sink's column heading in `prod-smoke history`, or `None`
            /// when the table leaves it out.
            pub fn history_column(self) -> Option<&'static str> {
                match self {
                    $(Sink::$adapter => <$module::$adapter as SinkAdapter>::HISTORY_COLUMN),+
                }
            }

            /// The sink's name in `prod-smoke --help`.
            pub fn label(self) -> &'static str {
                match self {
                    $(Sink::$adapter => <$module::$adapter as SinkAdapter>::LABEL),+
                }
            }

            /// What turns the sink on, in lines for `prod-smoke --help`.
            pub fn help(self) -> &'static str {
                match self {
                    $(Sink::$adapter => <$module::$adapter as SinkAdapter>::HELP),+
                }
            }

            /// The environment variables the sink reads for itself.
            pub fn env_vars(self) -> &'static [EnvVar] {
                match self {
                    $(Sink::$adapter => <$module::$adapter as SinkAdapter>::ENV),+
                }
            }

            pub(crate) fn initial(self, run: &RunRecord, cfg: &SealConfig) -> Option<Initial> {
                match self {
                    $(Sink::$adapter => {
                        let own = <$module::$adapter as SinkAdapter>::config(&cfg.settings);
                        <$module::$adapter as SinkAdapter>::initial(run, cfg, &own)
                    }),+
                }
            }

            pub(crate) fn not_configured(self, cfg: &SealConfig) -> Option<&'static str> {
                match self {
                    $(Sink::$adapter => {
                        let own = <$module::$adapter as SinkAdapter>::config(&cfg.settings);
                        <$module::$adapter as SinkAdapter>::not_configured(&own)
                    }),+
                }
            }

            pub(crate) async fn deliver(self, job: &mut Job<'_>) -> Result<Attempt, SealError> {
                match self {
                    $(Sink::$adapter => {
                        let own = <$module::$adapter as SinkAdapter>::config(&job.cfg.settings);
                        <$module::$adapter as SinkAdapter>::deliver(job, &own).await
                    }),+
                }
            }
        }

        /// How many variables [`ENV_VARS`] holds.
        const ENV_VAR_COUNT: usize =
            SEAL_VARS.len() $(+ <$module::$adapter as SinkAdapter>::ENV.len())+;

        /// Every variable the seal reads from the operator's environment:
        /// its own (`config.rs`), then each sink's, in registry order.
        /// A variable two of them read (`GITHUB_REPOSITORY`) is listed under
        /// each. xtask, the CLI's tests and the docs test read this list
        /// instead of keeping copies.
        pub const ENV_VARS: &[EnvVar] = &{
            let lists: &[&[EnvVar]] =
                &[SEAL_VARS, $(<$module::$adapter as SinkAdapter>::ENV),+];
            let mut all = [SEAL_VARS[0]; ENV_VAR_COUNT];
            let (mut at, mut list) = (0, 0);
            while list < lists.len() {
                let mut i = 0;
                while i < lists[list].len() {
                    all[at] = lists[list][i];
                    at += 1;
                    i += 1;
                }
                list += 1;
            }
            all
        };
    };
}

impl Sink {
    /// Where the sink sorts among a run's deliveries.
    pub(crate) fn position(self) -> i64 {
        Sink::ALL
            .iter()
            .position(|s| *s == self)
            .unwrap_or_default() as i64
    }

    pub(crate) fn parse(text: &str) -> Option<Sink> {
        Sink::ALL.iter().copied().find(|s| s.as_str() == text)
    }

    /// The variables `prod-smoke --help` names for the sink: all but the
    /// ones only tests set.
    pub fn help_vars(self) -> impl Iterator<Item = &'static EnvVar> {
        self.env_vars()
            .iter()
            .filter(|var| var.need != Need::Testing)
    }
}

/// What turns each sink on, one entry per registered sink in the words of
/// the sink's own file: `prod-smoke --help` ends with it. The ledger is
/// always written; every other sink is off until its variables are set.
pub fn sinks_help() -> String {
    const INDENT: usize = 17;
    let mut help = String::from(
        "Sinks (the local ledger is always written; each other sink is on when its variables are set):\n",
    );
    for sink in Sink::ALL {
        for (i, line) in sink.help().lines().enumerate() {
            let label = if i == 0 { sink.label() } else { "" };
            help.push_str(&format!("  {label:<width$}{line}\n", width = INDENT - 2));
        }
    }
    help.push_str("Every flag and variable: docs/operations.md.");
    help
}

impl std::fmt::Display for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Sink {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Sink::parse(s).ok_or_else(|| {
            let known: Vec<&str> = Sink::ALL.iter().map(|s| s.as_str()).collect();
            format!("unknown sink `{s}` ({})", known.join(", "))
        })
    }
}

// The configuration is read here, on top, because only the registry knows
// which variables the sinks read.
impl SealConfig {
    /// Reads the process environment; `overrides` win.
    pub fn from_env(overrides: SealOverrides) -> Result<Self, SealError> {
        Self::from_lookup(overrides, |key| std::env::var(key).ok())
    }

    /// Like [`Self::from_env`], with the environment given as a lookup
    /// function (tests use a map). Blank values count as unset.
    pub fn from_lookup(
        overrides: SealOverrides,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, SealError> {
        let sink_vars = Sink::ALL.iter().flat_map(|sink| sink.env_vars());
        SealConfig::read(overrides, lookup, sink_vars)
    }
}

// The registry: one line per sink, in delivery order. Postgres goes first,
// because it resolves the release the later sinks name.
sinks! {
    postgres::Postgres,
    discord::Discord,
    notes::Notes,
    webhook::Webhook,
    github::GitHub,
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::config::SealOverrides;
    use crate::settings::Secrecy;

    fn config(pairs: &[(&str, &str)], secrets: &[&str]) -> SealConfig {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let overrides = SealOverrides {
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
            ..SealOverrides::default()
        };
        SealConfig::from_lookup(overrides, move |k| map.get(k).cloned()).unwrap()
    }

    #[test]
    fn webhook_falls_back_and_run_link_is_built() {
        let cfg = config(
            &[
                ("HOME", "/h"),
                ("DISCORD_RELEASE_NOTES_WEBHOOK_URL", " "),
                (
                    "DISCORD_DEPLOY_WEBHOOK_URL",
                    "https://discord.com/api/webhooks/1/deploy-token",
                ),
                ("GITHUB_SERVER_URL", "https://github.com"),
                ("GITHUB_REPOSITORY", "mcritchie/studio"),
                ("GITHUB_RUN_ID", "99"),
            ],
            &[],
        );
        let discord = discord::DiscordConfig::read(&cfg.settings);
        assert_eq!(
            discord.webhook_url.as_deref(),
            Some("https://discord.com/api/webhooks/1/deploy-token")
        );
        assert_eq!(
            cfg.run_link.as_deref(),
            Some("https://github.com/mcritchie/studio/actions/runs/99")
        );
        assert_eq!(discord.api_base, discord::DEFAULT_API_BASE);
        assert!(!format!("{cfg:?}").contains("deploy-token"));
        assert_eq!(cfg.redactor.redact("deploy-token"), "***");
    }

    #[test]
    fn masks_tokens_passwords_and_extras() {
        let r = config(
            &[
                ("HOME", "/h"),
                (
                    "DATABASE_URL",
                    "postgres://app:s3cr%40t-pass@db.example:5432/hub",
                ),
                (
                    "DISCORD_RELEASE_NOTES_WEBHOOK_URL",
                    "https://discord.com/api/webhooks/123/TOKEN-abcdef",
                ),
            ],
            &["extra-secret"],
        )
        .redactor;
        let text = "postgres://app:s3cr%40t-pass@db.example:5432/hub s3cr@t-pass s3cr%40t-pass \
                    https://discord.com/api/webhooks/123/TOKEN-abcdef TOKEN-abcdef extra-secret";
        let out = r.redact(text);
        for secret in ["s3cr", "TOKEN-abcdef", "extra-secret", "webhooks/123"] {
            assert!(!out.contains(secret), "{secret} leaked: {out}");
        }
    }

    #[test]
    fn env_vars_hold_the_seals_and_every_sinks_in_order() {
        let expected: Vec<&str> = SEAL_VARS
            .iter()
            .chain(Sink::ALL.iter().flat_map(|s| s.env_vars()))
            .map(|v| v.name)
            .collect();
        let listed: Vec<&str> = ENV_VARS.iter().map(|v| v.name).collect();
        assert_eq!(listed, expected);
        for name in ["DATABASE_URL", "DISCORD_DEPLOY_WEBHOOK_URL", "GITHUB_TOKEN"] {
            assert!(listed.contains(&name), "{name} missing from {listed:?}");
        }
    }

    /// A variable read by two owners is masked the same way by both, and a
    /// fallback names a variable of its own sink.
    #[test]
    fn variables_agree_with_each_other() {
        fn secret(s: Secrecy) -> bool {
            !matches!(s, Secrecy::Plain)
        }
        for a in ENV_VARS {
            for b in ENV_VARS.iter().filter(|b| b.name == a.name) {
                assert_eq!(secret(a.secrecy), secret(b.secrecy), "{}", a.name);
            }
            assert!(!a.help.is_empty() && !a.help.contains('\n'), "{}", a.name);
        }
        for sink in Sink::ALL {
            for var in sink.env_vars() {
                if let Need::FallbackFor(other) = var.need {
                    assert!(
                        sink.env_vars().iter().any(|v| v.name == other),
                        "{} falls back for {other}, which {sink} does not read",
                        var.name
                    );
                }
            }
        }
    }

    /// `--help` says what turns each sink on: its help names every variable
    /// it requires or takes as a fallback.
    #[test]
    fn each_sinks_help_names_what_turns_it_on() {
        for sink in Sink::ALL {
            let help = sink.help();
            assert!(!sink.label().is_empty());
            for var in sink.env_vars() {
                if matches!(var.need, Need::Required | Need::FallbackFor(_)) {
                    assert!(help.contains(var.name), "{sink}'s help lacks {}", var.name);
                }
            }
            for line in help.lines() {
                assert!(line.chars().count() <= 67, "{sink}: `{line}` is too long");
            }
        }
    }
}
