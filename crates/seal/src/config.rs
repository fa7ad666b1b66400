//! Everything the seal needs to know, read once from flags and environment.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use prod_smoke_model::Redactor;

use crate::errors::SealError;
use crate::retry::RetryPolicy;
use crate::secrets::{add_sink_secret, seal_redactor};
use crate::sinks::{EnvVar, Sink};

/// Environment variables the seal reads.
pub mod env {
    pub const LEDGER: &str = "PROD_SMOKE_LEDGER";
    pub const DATABASE_URL: &str = "DATABASE_URL";
    pub const PGPASSWORD: &str = "PGPASSWORD";
    pub const RELEASE_NOTES_WEBHOOK: &str = "DISCORD_RELEASE_NOTES_WEBHOOK_URL";
    pub const DEPLOY_WEBHOOK: &str = "DISCORD_DEPLOY_WEBHOOK_URL";
    pub const RELEASE_NOTES_THREAD: &str = "DISCORD_RELEASE_NOTES_THREAD_ID";
    pub const OPERATOR_MENTION: &str = "DISCORD_OPERATOR_MENTION";
    pub const DISCORD_API_BASE: &str = "PROD_SMOKE_DISCORD_API_BASE";
    pub const GITHUB_SERVER_URL: &str = "GITHUB_SERVER_URL";
    pub const GITHUB_REPOSITORY: &str = "GITHUB_REPOSITORY";
    pub const GITHUB_RUN_ID: &str = "GITHUB_RUN_ID";
    pub const XDG_STATE_HOME: &str = "XDG_STATE_HOME";
    pub const HOME: &str = "HOME";
    pub const TMPDIR: &str = "TMPDIR";
}

/// Discord's API origin; `PROD_SMOKE_DISCORD_API_BASE` replaces it.
pub const DEFAULT_DISCORD_API_BASE: &str = "https://discord.com";

/// Values from the command line; each one wins over the environment.
#[derive(Default, Clone)]
pub struct SealOverrides {
    /// `--ledger PATH`.
    pub ledger: Option<PathBuf>,
    pub database_url: Option<String>,
    pub webhook_url: Option<String>,
    /// `--release SLUG`: the release to seal, instead of picking one.
    pub release_slug: Option<String>,
    /// The deployed merge sha, when the caller knows it.
    pub sha: Option<String>,
    /// Heroku app for the rollback block (`qa_environments.<app>.production_app`).
    pub production_app: Option<String>,
    /// The app's git checkout, for the rollback block.
    pub repo: Option<String>,
    /// `--notes-message-id ID`: the release-notes message to end with the verdict line.
    pub notes_message_id: Option<String>,
    /// `--secret` values: masked everywhere.
    pub secrets: Vec<String>,
    pub retry: Option<RetryPolicy>,
}

impl fmt::Debug for SealOverrides {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealOverrides")
            .field("ledger", &self.ledger)
            .field("database_url", &self.database_url.as_ref().map(|_| "***"))
            .field("webhook_url", &self.webhook_url.as_ref().map(|_| "***"))
            .field("release_slug", &self.release_slug)
            .field("sha", &self.sha)
            .field("production_app", &self.production_app)
            .field("repo", &self.repo)
            .field("notes_message_id", &self.notes_message_id)
            .field("secrets", &self.secrets.len())
            .field("retry", &self.retry)
            .finish()
    }
}

/// The seal's configuration. Its `Debug` never shows a secret.
#[derive(Clone)]
pub struct SealConfig {
    pub ledger_path: PathBuf,
    /// `$TMPDIR`, else `/tmp`: where the last fallback ledger goes
    /// (`fallback.rs`).
    pub temp_dir: PathBuf,
    /// `DATABASE_URL`; `None` skips Postgres.
    pub database_url: Option<String>,
    /// `DISCORD_RELEASE_NOTES_WEBHOOK_URL`, else `DISCORD_DEPLOY_WEBHOOK_URL`; `None` skips Discord.
    pub webhook_url: Option<String>,
    /// `DISCORD_RELEASE_NOTES_THREAD_ID`: post into this thread.
    pub thread_id: Option<String>,
    /// `DISCORD_OPERATOR_MENTION` (`<@123>` or `<@&456>`): pinged on red.
    pub operator_mention: Option<String>,
    pub release_slug: Option<String>,
    pub sha: Option<String>,
    pub production_app: Option<String>,
    pub repo: Option<String>,
    pub notes_message_id: Option<String>,
    /// Link to the CI run (GitHub Actions), shown in the Discord embed.
    pub run_link: Option<String>,
    /// `PROD_SMOKE_DISCORD_API_BASE`, default `https://discord.com`.
    pub discord_api_base: String,
    pub retry: RetryPolicy,
    /// Per-request timeout for Discord, and connect timeout for Postgres.
    pub request_timeout: Duration,
    /// Upper bound for one whole Postgres delivery attempt.
    pub postgres_timeout: Duration,
    pub redactor: Redactor,
    /// The variables each registered sink reads for itself
    /// ([`Sink::env_vars`]), by name; blank ones are left out.
    sink_settings: BTreeMap<&'static str, String>,
    /// Told each delivery's attempts and outcome as they happen (the CLI
    /// stamps them into heartbeat.log); `None` tells no one.
    pub delivery_log: Option<DeliveryLog>,
}

/// Receives one line per delivery event, as it happens.
pub type DeliveryLog = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

impl fmt::Debug for SealConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealConfig")
            .field("ledger_path", &self.ledger_path)
            .field("temp_dir", &self.temp_dir)
            .field("database_url", &self.database_url.as_ref().map(|_| "***"))
            .field("webhook_url", &self.webhook_url.as_ref().map(|_| "***"))
            .field("thread_id", &self.thread_id)
            .field("operator_mention", &self.operator_mention)
            .field("release_slug", &self.release_slug)
            .field("sha", &self.sha)
            .field("production_app", &self.production_app)
            .field("repo", &self.repo)
            .field("notes_message_id", &self.notes_message_id)
            .field("run_link", &self.run_link)
            .field("discord_api_base", &self.discord_api_base)
            .field("retry", &self.retry)
            // Names only: some of the values are secrets.
            .field("sink_settings", &self.sink_settings.keys())
            .finish_non_exhaustive()
    }
}

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
        let get = |key: &str| lookup(key).filter(|v| !v.trim().is_empty());
        let ledger_path = resolve_ledger_path(overrides.ledger.as_deref(), &get)?;
        let database_url = present(overrides.database_url).or_else(|| get(env::DATABASE_URL));
        let webhook_url = present(overrides.webhook_url)
            .or_else(|| get(env::RELEASE_NOTES_WEBHOOK))
            .or_else(|| get(env::DEPLOY_WEBHOOK));
        let run_link = match (
            get(env::GITHUB_SERVER_URL),
            get(env::GITHUB_REPOSITORY),
            get(env::GITHUB_RUN_ID),
        ) {
            (Some(server), Some(repo), Some(run)) => Some(format!(
                "{}/{}/actions/runs/{}",
                server.trim_end_matches('/'),
                repo.trim(),
                run.trim()
            )),
            _ => None,
        };
        // Both webhook variables are secrets even when only one is used.
        let webhook_vars = [get(env::RELEASE_NOTES_WEBHOOK), get(env::DEPLOY_WEBHOOK)];
        let mut redactor = seal_redactor(
            database_url.as_deref(),
            webhook_url
                .iter()
                .chain(webhook_vars.iter().flatten())
                .map(String::as_str),
            get(env::PGPASSWORD).as_deref(),
            overrides.secrets.iter().cloned(),
        );
        let mut sink_settings = BTreeMap::new();
        for var in Sink::ALL.iter().flat_map(|s| s.env_vars()) {
            let EnvVar { name, secrecy } = *var;
            if let Some(value) = get(name) {
                add_sink_secret(&mut redactor, secrecy, &value);
                sink_settings.insert(name, value.trim().to_string());
            }
        }
        Ok(SealConfig {
            ledger_path,
            temp_dir: get(env::TMPDIR)
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/tmp")),
            database_url,
            webhook_url,
            thread_id: get(env::RELEASE_NOTES_THREAD).map(|t| t.trim().to_string()),
            operator_mention: get(env::OPERATOR_MENTION).map(|m| m.trim().to_string()),
            release_slug: present(overrides.release_slug),
            sha: present(overrides.sha),
            production_app: present(overrides.production_app),
            repo: present(overrides.repo),
            notes_message_id: present(overrides.notes_message_id),
            run_link,
            discord_api_base: get(env::DISCORD_API_BASE)
                .map(|b| b.trim().trim_end_matches('/').to_string())
                .unwrap_or_else(|| DEFAULT_DISCORD_API_BASE.to_string()),
            retry: overrides.retry.unwrap_or_default(),
            request_timeout: Duration::from_secs(10),
            postgres_timeout: Duration::from_secs(30),
            redactor,
            sink_settings,
            delivery_log: None,
        })
    }
}

impl SealConfig {
    /// A sink's own setting ([`Sink::env_vars`]), trimmed; `None` when unset
    /// or blank. Secret ones are already masked by [`Self::redactor`].
    pub fn sink_setting(&self, name: &str) -> Option<&str> {
        self.sink_settings.get(name).map(String::as_str)
    }

    /// Tells [`Self::delivery_log`] one line, secrets masked.
    pub(crate) fn log_delivery(&self, line: &str) {
        if let Some(log) = &self.delivery_log {
            log(&self.redactor.redact(line));
        }
    }
}

fn present(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Where the ledger lives: `--ledger PATH`, else `$PROD_SMOKE_LEDGER`, else
/// `$XDG_STATE_HOME/prod-smoke/ledger.sqlite3`, else
/// `~/.local/state/prod-smoke/ledger.sqlite3`.
pub fn ledger_path(flag: Option<&Path>) -> Result<PathBuf, SealError> {
    resolve_ledger_path(flag, &|key: &str| {
        std::env::var(key).ok().filter(|v| !v.trim().is_empty())
    })
}

pub(crate) fn resolve_ledger_path(
    flag: Option<&Path>,
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<PathBuf, SealError> {
    if let Some(path) = flag.filter(|p| !p.as_os_str().is_empty()) {
        return Ok(path.to_path_buf());
    }
    if let Some(path) = get(env::LEDGER) {
        return Ok(PathBuf::from(path));
    }
    let file = Path::new("prod-smoke").join("ledger.sqlite3");
    // XDG: a relative XDG_STATE_HOME is invalid and must be ignored.
    if let Some(state) = get(env::XDG_STATE_HOME).map(PathBuf::from)
        && state.is_absolute()
    {
        return Ok(state.join(file));
    }
    if let Some(home) = get(env::HOME) {
        return Ok(PathBuf::from(home).join(".local/state").join(file));
    }
    Err(SealError::NoLedgerPath)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn ledger_path_order() {
        let get = lookup(&[("HOME", "/home/q"), ("XDG_STATE_HOME", "/state")]);
        assert_eq!(
            resolve_ledger_path(Some(Path::new("/flag.db")), &get).unwrap(),
            PathBuf::from("/flag.db")
        );
        assert_eq!(
            resolve_ledger_path(None, &get).unwrap(),
            PathBuf::from("/state/prod-smoke/ledger.sqlite3")
        );
        let get = lookup(&[("HOME", "/home/q"), ("XDG_STATE_HOME", "relative")]);
        assert_eq!(
            resolve_ledger_path(None, &get).unwrap(),
            PathBuf::from("/home/q/.local/state/prod-smoke/ledger.sqlite3")
        );
        let get = lookup(&[("HOME", "/home/q"), ("PROD_SMOKE_LEDGER", "/env.db")]);
        assert_eq!(
            resolve_ledger_path(None, &get).unwrap(),
            PathBuf::from("/env.db")
        );
        assert!(matches!(
            resolve_ledger_path(None, &lookup(&[])),
            Err(SealError::NoLedgerPath)
        ));
    }

    #[test]
    fn webhook_falls_back_and_run_link_is_built() {
        let cfg = SealConfig::from_lookup(
            SealOverrides::default(),
            lookup(&[
                ("HOME", "/h"),
                ("DISCORD_RELEASE_NOTES_WEBHOOK_URL", " "),
                (
                    "DISCORD_DEPLOY_WEBHOOK_URL",
                    "https://discord.com/api/webhooks/1/deploy-token",
                ),
                ("GITHUB_SERVER_URL", "https://github.com"),
                ("GITHUB_REPOSITORY", "mcritchie/studio"),
                ("GITHUB_RUN_ID", "99"),
            ]),
        )
        .unwrap();
        assert_eq!(
            cfg.webhook_url.as_deref(),
            Some("https://discord.com/api/webhooks/1/deploy-token")
        );
        assert_eq!(
            cfg.run_link.as_deref(),
            Some("https://github.com/mcritchie/studio/actions/runs/99")
        );
        assert_eq!(cfg.discord_api_base, DEFAULT_DISCORD_API_BASE);
        assert!(!format!("{cfg:?}").contains("deploy-token"));
        assert_eq!(cfg.redactor.redact("deploy-token"), "***");
    }
}
