//! One module per deploy strategy (`prod_deploy.strategy` in
//! `release_repos.yml`): which commands the rollback block prints for it,
//! and which read-only check of the platform proves them.
//!
//! Adding a platform is one new file in this folder, implementing
//! [`StrategyAdapter`], plus one line in the [`strategies!`] list at the
//! bottom. The list makes the module, the [`Strategy`] variant and every
//! dispatch `match`, so a strategy cannot be half registered. A value that
//! names no registered strategy gets placeholders and the config key to
//! set ([`unknown`]), never a guess.

use std::ffi::OsStr;

use prod_smoke_model::RollbackEvidence;

use crate::target::DeployTarget;

pub(crate) mod unknown;

/// The one shape of a strategy. Implemented by a unit struct in its own
/// file and registered in [`strategies!`].
pub(crate) trait StrategyAdapter {
    /// Its value of `prod_deploy.strategy`.
    const NAME: &'static str;

    /// The platform's read-only check, filling in its proof on `evidence`
    /// (whose revert proof is already there). `path`: the `PATH` to find
    /// the platform's CLI on (`None`: the process's own). Most strategies
    /// have no platform CLI to ask.
    fn prove(_target: &DeployTarget<'_>, _path: Option<&OsStr>, _evidence: &mut RollbackEvidence) {}

    /// The command lines of the block, between its header and
    /// `Release#abandon!`, each with its `# why` comment.
    fn commands(target: &DeployTarget<'_>, evidence: &RollbackEvidence) -> Vec<String>;
}

/// Makes the registry from one list of `module::Adapter`: the modules, the
/// [`Strategy`] enum and the dispatch to each adapter.
macro_rules! strategies {
    ($($module:ident :: $adapter:ident),+ $(,)?) => {
        $(pub(crate) mod $module;)+

        /// A deploy strategy prod-smoke knows how to roll back.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Strategy {
            $($adapter),+
        }

        impl Strategy {
            /// Every known strategy, in the order the docs list them.
            pub const ALL: &'static [Strategy] = &[$(Strategy::$adapter),+];

            /// Its value of `prod_deploy.strategy`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Strategy::$adapter => <$module::$adapter as StrategyAdapter>::NAME),+
                }
            }

            pub(crate) fn prove(
                self,
                target: &DeployTarget<'_>,
                path: Option<&OsStr>,
                evidence: &mut RollbackEvidence,
            ) {
                match self {
                    $(Strategy::$adapter => <$module::$adapter as StrategyAdapter>::prove(target, path, evidence)),+
                }
            }

            pub(crate) fn commands(
                self,
                target: &DeployTarget<'_>,
                evidence: &RollbackEvidence,
            ) -> Vec<String> {
                match self {
                    $(Strategy::$adapter => <$module::$adapter as StrategyAdapter>::commands(target, evidence)),+
                }
            }
        }
    };
}

impl Strategy {
    /// The strategy a configured value names; `None` for a value prod-smoke
    /// does not know.
    pub fn parse(text: &str) -> Option<Strategy> {
        Strategy::ALL.iter().copied().find(|s| s.as_str() == text)
    }

    /// Every known value, comma-separated, for messages.
    pub fn known() -> String {
        Strategy::ALL
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

// The registry: one line per strategy. `git_push_heroku` is the contract's
// block and the default when config names no strategy.
strategies! {
    git_push_heroku::GitPushHeroku,
    github_actions::GithubActions,
    fly::Fly,
    repo_script::RepoScript,
}
