//! Everything the seal needs to know, read once from flags and environment:
//! the seal's own settings (ledger, run link, retry, the secrets to mask)
//! and the raw values of every variable the sinks declared. This module
//! knows no sink: each sink turns `SealConfig::settings` into its own
//! typed configuration, and the registry (`sinks/mod.rs`) says which
//! variables to read ([`SealConfig::from_env`]).

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use prod_smoke_redact::Redactor;

use crate::errors::SealError;
use crate::retry::RetryPolicy;
use crate::secrets::mask_setting;
use crate::settings::{EnvVar, Need, Secrecy, Settings};

/// Environment variables the seal reads for itself; each sink names its
/// own in its file.
pub mod env {
    pub const LEDGER: &str = "PROD_SMOKE_LEDGER";
    pub const GITHUB_SERVER_URL: &str = "GITHUB_SERVER_URL";
    pub const GITHUB_REPOSITORY: &str = "GITHUB_REPOSITORY";
    pub const GITHUB_RUN_ID: &str = "GITHUB_RUN_ID";
    pub const XDG_STATE_HOME: &str = "XDG_STATE_HOME";
    pub const HOME: &str = "HOME";
    pub const TMPDIR: &str = "TMPDIR";
}

/// The seal's own variables that an operator sets (`HOME`, `XDG_STATE_HOME`
/// and `TMPDIR` are the process's, and only place files).
pub const SEAL_VARS: &[EnvVar] = &[
    EnvVar {
        name: env::LEDGER,
        need: Need::Optional,
        secrecy: Secrecy::Plain,
        help: "the local ledger's path (--ledger wins)",
    },
    EnvVar {
        name: env::GITHUB_SERVER_URL,
        need: Need::Optional,
        secrecy: Secrecy::Plain,
        help: "with GITHUB_REPOSITORY and GITHUB_RUN_ID: the CI run the seal links to",
    },
    EnvVar {
        name: env::GITHUB_REPOSITORY,
        need: Need::Optional,
        secrecy: Secrecy::Plain,
        help: "with GITHUB_SERVER_URL and GITHUB_RUN_ID: the CI run the seal links to",
    },
    EnvVar {
        name: env::GITHUB_RUN_ID,
        need: Need::Optional,
        secrecy: Secrecy::Plain,
        help: "with GITHUB_SERVER_URL and GITHUB_REPOSITORY: the CI run the seal links to",
    },
];

/// Values from the command line; each one wins over the environment.
#[derive(Default, Clone)]
pub struct SealOverrides {
    /// `--ledger PATH`.
    pub ledger: Option<PathBuf>,
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
    pub release_slug: Option<String>,
    pub sha: Option<String>,
    pub production_app: Option<String>,
    pub repo: Option<String>,
    pub notes_message_id: Option<String>,
    /// Link to the CI run (GitHub Actions), shown in the Discord embed.
    pub run_link: Option<String>,
    pub retry: RetryPolicy,
    /// Per-request timeout for the HTTP sinks, and connect timeout for Postgres.
    pub request_timeout: Duration,
    pub redactor: Redactor,
    /// The variables the registered sinks declared, as set; each sink reads
    /// its own typed configuration from them. Secret ones are already
    /// masked by [`Self::redactor`].
    pub(crate) settings: Settings,
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
            .field("release_slug", &self.release_slug)
            .field("sha", &self.sha)
            .field("production_app", &self.production_app)
            .field("repo", &self.repo)
            .field("notes_message_id", &self.notes_message_id)
            .field("run_link", &self.run_link)
            .field("retry", &self.retry)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl SealConfig {
    /// Reads the seal's own settings and the variables `sink_vars` through
    /// `lookup`; `overrides` win. Blank values count as unset. Every secret
    /// value is in the redactor before this returns.
    pub(crate) fn read<'a>(
        overrides: SealOverrides,
        lookup: impl Fn(&str) -> Option<String>,
        sink_vars: impl IntoIterator<Item = &'a EnvVar> + Clone,
    ) -> Result<Self, SealError> {
        let get = |key: &str| lookup(key).filter(|v| !v.trim().is_empty());
        let ledger_path = resolve_ledger_path(overrides.ledger.as_deref(), &get)?;
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
        let settings = Settings::read(sink_vars.clone(), get);
        let mut redactor = Redactor::new();
        for var in sink_vars {
            if let Some(value) = settings.raw(var.name) {
                mask_setting(&mut redactor, var.secrecy, value);
            }
        }
        for secret in overrides.secrets {
            redactor.add(secret);
        }
        Ok(SealConfig {
            ledger_path,
            temp_dir: get(env::TMPDIR)
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/tmp")),
            release_slug: present(overrides.release_slug),
            sha: present(overrides.sha),
            production_app: present(overrides.production_app),
            repo: present(overrides.repo),
            notes_message_id: present(overrides.notes_message_id),
            run_link,
            retry: overrides.retry.unwrap_or_default(),
            request_timeout: Duration::from_secs(10),
            redactor,
            settings,
            delivery_log: None,
        })
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
}
